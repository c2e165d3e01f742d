// SPDX-License-Identifier: GPL-2.0
/*
 * The Cryostream link over real UDP on loopback: real cryostream-sim
 * processes broadcast to a status socket opened by cryo-socket, the link
 * core tracks them. Two controllers distinguished by number, number-0
 * auto-selection and the conflict when a second one appears, a second
 * simulator spoofing CS0's number from another address (rejected, CS0
 * unchanged), commands (good and with a bad checksum; all nineteen
 * carried out by the simulator, Received and Missed counted), packets of
 * other sizes (parameters left out, unknown ones added), a shared status
 * port, corrupt and malformed packets counted and nothing else changing,
 * silence -> disconnected -> recovery.
 *
 * The simulator is found next to this binary (../bin/cryostream-sim) or
 * at $CRYOSTREAM_SIM. Simulators bind 127.0.0.2 and 127.0.0.3 (all of
 * 127/8 is loopback on Linux) on a port the kernel picked free.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/cryo/cryo-link.h"
#include "daemon/cryo/cryo-socket.h"
#include "daemon/cryo/cs800-command.h"
#include "daemon/cryo/cs800-params.h"

#define MSEC UINT64_C(1000)

struct sim {
	pid_t pid;
	int control;			/* its stdin */
	FILE *output;			/* its stdout */
	struct sockaddr_in command;	/* where it listens */
};

struct fixture {
	int status_fd;
	uint16_t status_port;
	struct cryo_link *link;
	struct sim sims[2];
	unsigned int connected, disconnected, conflicts;
	/* The command being waited for, and the status when it was sent. */
	struct cs800_command pending;
	struct cs800_status before;
	uint64_t before_packets;
	uint32_t last_rejected_size;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void sim_path(char *buf, size_t size)
{
	const char *env = getenv("CRYOSTREAM_SIM");
	char self[PATH_MAX - 32];
	ssize_t n;
	char *slash;

	if (env) {
		snprintf(buf, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;
	slash = strrchr(self, '/');
	assert_non_null(slash);
	*slash = 0;
	if (snprintf(buf, size, "%s/../bin/cryostream-sim", self) >= (int)size)
		fail_msg("path too long: %s", self);
}

/* A port free on ip right now (the simulator binds it a moment later). */
static struct sockaddr_in free_address(const char *ip)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return a;
}

/* Start a simulator numbered `number` on ip, sending 20 packets a second
 * to our status socket, at start_k (NULL: its default); returns once it
 * said "ready". */
static void sim_start_at(struct fixture *f, struct sim *s, uint16_t number, const char *ip,
			 const char *start_k)
{
	char path[PATH_MAX], num[16], to[64], at[64], line[256];
	int in[2], out[2];

	sim_path(path, sizeof(path));
	s->command = free_address(ip);
	snprintf(num, sizeof(num), "%u", number);
	snprintf(to, sizeof(to), "127.0.0.1:%u", f->status_port);
	snprintf(at, sizeof(at), "%s:%u", ip, ntohs(s->command.sin_port));
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);

	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		execl(path, "cryostream-sim", "--number", num, "--status-to", to,
		      "--bind", at, "--rate", "20", "--speed", "1500",
		      "--start-temperature", start_k ? start_k : "294", NULL);
		fprintf(stderr, "exec %s: %m\n", path);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->control = in[1];
	/* Kept open until the simulator stops: it writes a line per command,
	 * far less than a pipe holds. */
	s->output = fdopen(out[0], "r");
	assert_non_null(s->output);
	if (!fgets(line, sizeof(line), s->output))
		fail_msg("%s did not start", path);
	assert_true(strncmp(line, "ready ", 6) == 0);
}

static void sim_start(struct fixture *f, struct sim *s, uint16_t number, const char *ip)
{
	sim_start_at(f, s, number, ip, NULL);
}

static void sim_control(struct sim *s, const char *line)
{
	assert_int_equal(write(s->control, line, strlen(line)), (ssize_t)strlen(line));
}

static void sim_stop(struct sim *s)
{
	int status;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
	close(s->control);
	fclose(s->output);
	s->pid = 0;
}

static void on_connection(struct cryo_controller *c, bool connected, void *u)
{
	struct fixture *f = u;

	if (connected)
		f->connected++;
	else
		f->disconnected++;
}

static void on_conflict(struct cryo_controller *c, uint16_t other,
			const struct sockaddr_in *source, void *u)
{
	struct fixture *f = u;

	f->conflicts++;
}

static void on_rejected(struct cryo_controller *c, const struct cs800_decode_error *error,
			const struct sockaddr_in *source, void *u)
{
	struct fixture *f = u;

	if (error->reason == CS800_REJECT_LENGTH)
		f->last_rejected_size = error->found;
}

static const struct cryo_link_callbacks callbacks = {
	.connection = on_connection,
	.conflict = on_conflict,
	.rejected = on_rejected,
};

static int setup_with_silence(void **state, uint64_t silence_usec)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_in any = { .sin_family = AF_INET };
	socklen_t len = sizeof(any);

	assert_non_null(f);
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->status_fd = cryo_status_socket_open(&any);
	assert_true(f->status_fd >= 0);
	assert_int_equal(getsockname(f->status_fd, (struct sockaddr *)&any, &len), 0);
	f->status_port = ntohs(any.sin_port);
	assert_int_equal(cryo_link_new(silence_usec, &callbacks, f, &f->link), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	/* 0.7 s: well above the 50 ms between packets even on a loaded
	 * machine running sanitized code. */
	return setup_with_silence(state, 700 * MSEC);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < ELEMENTSOF(f->sims); i++)
		sim_stop(&f->sims[i]);
	cryo_link_free(f->link);
	close(f->status_fd);
	free(f);
	return 0;
}

/* Feed the link for up to ms, or until done(f) holds. */
static bool pump(struct fixture *f, unsigned int ms, bool (*done)(struct fixture *f))
{
	uint64_t end = now_usec() + ms * MSEC;

	for (;;) {
		struct pollfd p = { .fd = f->status_fd, .events = POLLIN };
		uint64_t t = now_usec();

		if (done && done(f))
			return true;
		if (t >= end)
			return false;
		assert_true(poll(&p, 1, 20) >= 0);
		t = now_usec();
		assert_true(cryo_status_socket_drain(f->status_fd, f->link, t, UINT_MAX) >= 0);
		cryo_link_check_silence(f->link, t);
	}
}

static struct cryo_controller *get(struct fixture *f, const char *name)
{
	struct cryo_controller *c = cryo_link_controller_by_name(f->link, name);

	assert_non_null(c);
	return c;
}

static bool cs0_connected(struct fixture *f)
{
	return get(f, "CS0")->connected;
}

static bool rejected_one(struct fixture *f)
{
	return cryo_link_counters(f->link)->packets_rejected >= 1;
}

static bool both_connected(struct fixture *f)
{
	return get(f, "CS0")->packets_received >= 5 && get(f, "CS1")->packets_received >= 5;
}

static bool cs0_at_120(struct fixture *f)
{
	const struct cs800_status *s = &get(f, "CS0")->status;

	return s->target_temperature_k == 120.0 && fabs(s->gas_temperature_k - 120.0) < 0.5;
}

static void send_cool(struct fixture *f, struct cryo_controller *c, double k, bool corrupt)
{
	struct cs800_limits limits;
	struct cs800_command cmd;
	struct sockaddr_in to;
	int fd;

	assert_int_equal(cs800_limits_from_status(&c->status, &limits, NULL), 0);
	assert_int_equal(cs800_command_cool(&limits, k, &cmd, NULL), 0);
	if (corrupt)
		cmd.bytes[6] ^= 0xFF;
	assert_int_equal(cryo_controller_command_address(c, &to), 0);
	fd = cryo_command_socket_open();
	assert_true(fd >= 0);
	assert_int_equal(cryo_command_send(fd, &to, &cmd), 0);
	close(fd);
}

static void test_two_controllers_by_number(void **state)
{
	struct fixture *f = *state;
	struct cryo_controller *cs0, *cs1;
	struct cs800_status before;
	struct cs800_command cool;
	struct cs800_limits limits;

	sim_start(f, &f->sims[0], 411, "127.0.0.2");
	sim_start(f, &f->sims[1], 369, "127.0.0.3");
	assert_int_equal(cryo_link_add_controller(f->link, "CS0", 411, &f->sims[0].command,
						  &cs0, NULL), 0);
	assert_int_equal(cryo_link_add_controller(f->link, "CS1", 369, &f->sims[1].command,
						  &cs1, NULL), 0);
	assert_true(pump(f, 3000, both_connected));

	assert_true(cs0->connected && cs1->connected);
	assert_int_equal(cs0->status.controller_number, 411);
	assert_int_equal(cs1->status.controller_number, 369);
	assert_int_equal(cs0->source.sin_addr.s_addr, htonl(0x7f000002));
	assert_int_equal(cs1->source.sin_addr.s_addr, htonl(0x7f000003));
	assert_true(cs0->status.device_min_temperature_k == 80.0);
	assert_int_equal(cryo_link_counters(f->link)->packets_rejected, 0);

	/* Cool CS0 to 120 K; the simulator converges, CS1 is not affected. */
	before = cs1->status;
	assert_int_equal(cs800_limits_from_status(&cs0->status, &limits, NULL), 0);
	assert_int_equal(cs800_command_cool(&limits, 120.0, &cool, NULL), 0);
	send_cool(f, cs0, 120.0, false);
	assert_true(pump(f, 5000, cs0_at_120));
	assert_true(cs800_command_confirmed(&cool, &before, &cs0->status));
	assert_true(cs1->status.target_temperature_k == before.target_temperature_k);

	/* A command with a bad checksum is refused by the controller. */
	send_cool(f, cs1, 100.0, true);
	pump(f, 500, NULL);
	assert_true(cs1->status.target_temperature_k == before.target_temperature_k);
	assert_int_equal(cs1->status.phase, CS800_PHASE_HOLD);
	assert_int_equal(f->conflicts, 0);
}

static bool cs0_selected(struct fixture *f)
{
	return get(f, "CS0")->number != 0;
}

static bool conflicted(struct fixture *f)
{
	return f->conflicts >= 3;
}

/* The command was carried out, seen in a packet sent after it. */
static bool pending_confirmed(struct fixture *f)
{
	struct cryo_controller *c = get(f, "CS0");

	return c->packets_received > f->before_packets + 1 &&
	       cs800_command_confirmed(&f->pending, &f->before, &c->status);
}

static void command_and_confirm(struct fixture *f, const struct cs800_command *cmd)
{
	struct cryo_controller *c = get(f, "CS0");
	struct sockaddr_in to;
	int fd;

	f->pending = *cmd;
	f->before = c->status;
	f->before_packets = c->packets_received;
	assert_int_equal(cryo_controller_command_address(c, &to), 0);
	fd = cryo_command_socket_open();
	assert_true(fd >= 0);
	assert_int_equal(cryo_command_send(fd, &to, cmd), 0);
	close(fd);
	if (!pump(f, 3000, pending_confirmed))
		fail_msg("command 0x%02X not confirmed: phase %u run mode %u target %.2f",
			 cmd->code, c->status.phase, c->status.run_mode,
			 c->status.target_temperature_k);
}

static bool cs0_holding_at_200(struct fixture *f)
{
	const struct cs800_status *s = &get(f, "CS0")->status;

	return s->phase == CS800_PHASE_HOLD && s->set_point_k == 200.0;
}

static bool cs0_shut_down(struct fixture *f)
{
	return get(f, "CS0")->status.run_mode == CS800_RUN_MODE_SHUTDOWN_OK;
}

static bool cs0_regenerated(struct fixture *f)
{
	const struct cs800_status *s = &get(f, "CS0")->status;

	return s->phase == CS800_PHASE_HOLD && s->alarm == CS800_ALARM_REGEN_COMPLETE;
}

static uint16_t missed_before;

static bool cs0_missed_one(struct fixture *f)
{
	return get(f, "CS0")->status.commands_missed != missed_before;
}

static void send_bytes(struct cryo_controller *c, const uint8_t bytes[CS800_COMMAND_PACKET_SIZE])
{
	struct sockaddr_in to;
	int fd;

	assert_int_equal(cryo_controller_command_address(c, &to), 0);
	fd = cryo_command_socket_open();
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, bytes, CS800_COMMAND_PACKET_SIZE, 0, (struct sockaddr *)&to,
				sizeof(to)), CS800_COMMAND_PACKET_SIZE);
	close(fd);
}

/* The simulator carries out all nineteen commands as the controller would. */
static void test_simulator_follows_every_command(void **state)
{
	static const uint8_t plat_0[] = { 0x00, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x0C };
	struct fixture *f = *state;
	struct cryo_controller *cs0;
	struct cs800_limits limits;
	struct cs800_command cmd;
	uint16_t missed, received;

	sim_start(f, &f->sims[0], 411, "127.0.0.2");
	assert_int_equal(cryo_link_add_controller(f->link, "CS0", 411, &f->sims[0].command,
						  &cs0, NULL), 0);
	assert_true(pump(f, 3000, cs0_connected));
	assert_int_equal(cs800_limits_from_status(&cs0->status, &limits, NULL), 0);

	/* Ramp down at 360 K/h to 200 K, then hold there by itself. */
	assert_int_equal(cs800_command_ramp(&limits, 360, 200.0, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_true(cs0->status.phase == CS800_PHASE_RAMP || cs0->status.phase == CS800_PHASE_HOLD);
	assert_true(pump(f, 3000, cs0_holding_at_200));

	assert_int_equal(cs800_command_cool(&limits, 150.0, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);

	assert_int_equal(cs800_command_plat(600, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_true(cs0->status.time_remaining_min > 500);
	assert_int_equal(cs800_command_pause(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs800_command_resume(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs0->status.phase, CS800_PHASE_PLAT);
	assert_int_equal(cs800_command_hold(&cmd), 0);
	command_and_confirm(f, &cmd);

	assert_true(cs0->status.gas_flow_l_per_min == 5.0);
	assert_int_equal(cs800_command_turbo(true, &cmd), 0);
	command_and_confirm(f, &cmd);
	pump(f, 100, NULL);
	assert_true(cs0->status.gas_flow_l_per_min == 10.0);

	/* The rest of the vendor's command set. */
	assert_int_equal(cs800_command_flow_interrupt_time(20, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_true(cs0->status.flow_interrupt_time_s == 2.0);
	assert_int_equal(cs800_command_interrupt_flow(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs0->status.flow_interrupt_count, 1);
	assert_int_equal(cs800_command_run_shield(true, &cmd), 0);
	command_and_confirm(f, &cmd);
	pump(f, 100, NULL);
	assert_true(cs0->status.shield_flow_requested_l_per_min == 2.0);
	assert_int_equal(cs800_command_idle_shield_mode(CS800_IDLE_SHIELD_OFF, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs0->status.shield_flow_mode, CS800_IDLE_SHIELD_OFF);
	assert_int_equal(cs800_command_autofill_mode(CS800_AUTOFILL_MANUAL, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs800_command_autofill_refill_level(25, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs800_command_autofill_stop_level(75, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_true(cs0->status.autofill_refill_level_percent == 25.0);
	assert_true(cs0->status.autofill_stop_level_percent == 75.0);
	assert_true(cs0->status.ln2_level_percent == 88.0);	/* 8800 on the wire */
	assert_int_equal(cs800_command_ramp(&limits, 0, 150.0, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs0->status.ramp_rate_k_per_h, 0);
	assert_int_equal(cs800_command_regen(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_true(pump(f, 5000, cs0_regenerated));
	assert_int_equal(cs0->status.alarm, CS800_ALARM_REGEN_COMPLETE);

	/* What it cannot do it counts as missed (a plateau of 0 min, which
	 * no encoder makes), and every packet as received. */
	missed = missed_before = cs0->status.commands_missed;
	received = cs0->status.commands_received;
	send_bytes(cs0, plat_0);
	assert_true(pump(f, 2000, cs0_missed_one));
	assert_int_equal(cs0->status.commands_missed, missed + 1);
	assert_int_equal(cs0->status.commands_received, received + 1);

	/* End warms up at the rate given, then shuts down. */
	assert_int_equal(cs800_command_end(360, &cmd, NULL), 0);
	command_and_confirm(f, &cmd);
	assert_true(pump(f, 4000, cs0_shut_down));
	assert_int_equal(cs0->status.alarm, CS800_ALARM_END_COMPLETE);
	assert_true(cs0->status.gas_flow_l_per_min == 0.0);

	assert_int_equal(cs800_command_restart(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs0->status.run_mode, CS800_RUN_MODE_RUN);
	assert_int_equal(cs0->status.alarm, CS800_ALARM_NONE);

	assert_int_equal(cs800_command_purge(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_true(pump(f, 4000, cs0_shut_down));
	assert_int_equal(cs0->status.alarm, CS800_ALARM_PURGE_COMPLETE);

	assert_int_equal(cs800_command_restart(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs800_command_stop(&cmd), 0);
	command_and_confirm(f, &cmd);
	assert_int_equal(cs0->status.alarm, CS800_ALARM_STOP_COMMAND);
}

/* Other programs can listen on the same port (SO_REUSEPORT); a datagram
 * that is not whole pairs is rejected with its real size (it arrives
 * whole, not cut to some buffer). */
static void test_shared_port_and_oversized_datagram(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in at = { .sin_family = AF_INET, .sin_port = htons(f->status_port) };
	uint8_t big[2002] = { 0xAA, 0xAB };
	int other, fd;

	at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	other = cryo_status_socket_open(&at);
	assert_true(other >= 0);
	close(other);
	/* An address that is not ours: the errno, not a silent failure. */
	at.sin_addr.s_addr = htonl(0xC0000201);	/* 192.0.2.1, TEST-NET-1 */
	assert_int_equal(cryo_status_socket_open(&at), -EADDRNOTAVAIL);
	at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&at, sizeof(at)),
			 (ssize_t)sizeof(big));
	close(fd);
	assert_true(pump(f, 2000, rejected_one));
	assert_int_equal(cryo_link_counters(f->link)->rejected_by_reason[CS800_REJECT_LENGTH], 1);
	assert_int_equal(f->last_rejected_size, 2002);
}

/* Exit status of the simulator run with these arguments (and no time to
 * do anything else: it must refuse before binding). */
static int sim_exit_status(const char *const *args)
{
	char path[PATH_MAX];
	const char *argv[16] = { "cryostream-sim" };
	int status, devnull;
	size_t n = 1;
	pid_t pid;

	sim_path(path, sizeof(path));
	for (; *args && n < ELEMENTSOF(argv) - 1; args++)
		argv[n++] = *args;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_simulator_refuses_bad_options(void **state)
{
	static const char *const bad[][4] = {
		{ "--rate", "0" },
		{ "--number", "0" },
		{ "--number", "65536" },
		{ "--number", "4.5" },
		{ "--bind", "300.1.1.1" },
		{ "--status-to", "127.0.0.1:0" },
		{ "--min-temperature", "400", "--max-temperature", "80" },
		{ "--speed", "fast" },
		{ "extra-argument" },
	};
	static const char *const help[] = { "--help", NULL };

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(sim_exit_status(bad[i]), 1);
	assert_int_equal(sim_exit_status(help), 0);
}

static void test_number_zero_auto_selection(void **state)
{
	struct fixture *f = *state;
	struct cryo_controller *cs0;

	assert_int_equal(cryo_link_add_controller(f->link, "CS0", 0, NULL, &cs0, NULL), 0);
	sim_start(f, &f->sims[0], 369, "127.0.0.2");
	assert_true(pump(f, 3000, cs0_selected));
	assert_int_equal(cs0->number, 369);
	assert_true(cs0->connected);

	/* A second controller on the network: a conflict, CS0 stays 369. */
	sim_start(f, &f->sims[1], 411, "127.0.0.3");
	assert_true(pump(f, 3000, conflicted));
	assert_int_equal(cs0->number, 369);
	assert_int_equal(cs0->status.controller_number, 369);
	assert_int_equal(cs0->source.sin_addr.s_addr, htonl(0x7f000002));
	assert_true(cs0->connected);
	assert_int_equal(cs0->conflicts, cryo_link_counters(f->link)->conflicts);
}

static bool rejected_five(struct fixture *f)
{
	return cryo_link_counters(f->link)->packets_rejected >= 5;
}

static void test_corrupt_packets_counted(void **state)
{
	struct fixture *f = *state;
	struct cryo_controller *cs0;
	uint64_t received;

	sim_start(f, &f->sims[0], 411, "127.0.0.2");
	assert_int_equal(cryo_link_add_controller(f->link, "CS0", 411, NULL, &cs0, NULL), 0);
	assert_true(pump(f, 3000, cs0_connected));

	sim_control(&f->sims[0], "corrupt 3\n");
	pump(f, 400, NULL);
	sim_control(&f->sims[0], "short 2\n");
	assert_true(pump(f, 3000, rejected_five));
	pump(f, 200, NULL);

	assert_int_equal(cryo_link_counters(f->link)->packets_rejected, 5);
	assert_int_equal(cryo_link_counters(f->link)->rejected_by_reason[CS800_REJECT_CHECKSUM], 3);
	assert_int_equal(cryo_link_counters(f->link)->rejected_by_reason[CS800_REJECT_LENGTH], 2);
	assert_int_equal(cs0->packets_rejected, 5);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_CHECKSUM], 3);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_LENGTH], 2);
	/* Nothing else changed: still connected, same controller, good
	 * packets still taken. */
	received = cs0->packets_received;
	pump(f, 300, NULL);
	assert_true(cs0->packets_received > received);
	assert_true(cs0->connected);
	assert_int_equal(cs0->number, 411);
	assert_int_equal(cryo_link_counters(f->link)->packets_foreign, 0);
	assert_int_equal(f->disconnected, 0);
	assert_int_equal(f->connected, 1);
}

static bool spoofed_three(struct fixture *f)
{
	return get(f, "CS0")->rejected_by_reason[CS800_REJECT_SOURCE] >= 3;
}

/* A second simulator with CS0's number on another address (and another
 * temperature): its packets are rejected by source, CS0 keeps the values
 * and the command address of the first. */
static void test_spoofed_number_rejected(void **state)
{
	struct fixture *f = *state;
	struct cryo_controller *cs0;
	struct sockaddr_in to;
	uint64_t received;

	sim_start(f, &f->sims[0], 411, "127.0.0.2");
	assert_int_equal(cryo_link_add_controller(f->link, "CS0", 411, NULL, &cs0, NULL), 0);
	assert_true(pump(f, 3000, cs0_connected));
	sim_start_at(f, &f->sims[1], 411, "127.0.0.4", "200");
	assert_true(pump(f, 3000, spoofed_three));
	received = cs0->packets_received;
	pump(f, 300, NULL);

	assert_true(cs0->packets_received > received);		/* the real one goes on */
	assert_true(fabs(cs0->status.gas_temperature_k - 294.0) < 0.5);
	assert_int_equal(cs0->source.sin_addr.s_addr, htonl(0x7f000002));
	assert_int_equal(cryo_controller_command_address(cs0, &to), 0);
	assert_int_equal(to.sin_addr.s_addr, htonl(0x7f000002));
	assert_int_equal(cs0->packets_rejected, cs0->rejected_by_reason[CS800_REJECT_SOURCE]);
	assert_int_equal(f->disconnected, 0);
	assert_int_equal(f->conflicts, 0);
}

static bool cs0_has_231_pairs(struct fixture *f)
{
	return get(f, "CS0")->status.parameter_count == 231;
}

/* The simulator leaves a parameter out and adds ids stationd does not
 * know: a 932-byte packet is taken, the missing one is stale. */
static void test_other_packet_sizes(void **state)
{
	struct fixture *f = *state;
	struct cryo_controller *cs0;

	sim_start(f, &f->sims[0], 411, "127.0.0.2");
	assert_int_equal(cryo_link_add_controller(f->link, "CS0", 411, NULL, &cs0, NULL), 0);
	assert_true(pump(f, 3000, cs0_connected));
	assert_int_equal(cs0->status.parameter_count, 230);
	sim_control(&f->sims[0], "omit 1057\n");
	sim_control(&f->sims[0], "extra 4711 7\n");
	sim_control(&f->sims[0], "extra 4712 8\n");
	assert_true(pump(f, 3000, cs0_has_231_pairs));
	pump(f, 100, NULL);
	assert_int_equal(cs0->n_pairs, 231);
	assert_false(cs800_status_has(&cs0->status, 1057));
	assert_true(cs0->missing[cs800_param_index(cs800_param_by_id(1057))] >= 1);
	assert_true(fabs(cs0->status.evaporator_temperature_k - 80.0) < 0.01);	/* kept */
	assert_int_equal(cs0->pairs[4 * 230] << 8 | cs0->pairs[4 * 230 + 1], 4712);
	assert_int_equal(cs0->pairs[4 * 230 + 3], 8);
	assert_int_equal(cryo_link_counters(f->link)->packets_rejected, 0);
}

static bool disconnected(struct fixture *f)
{
	return f->disconnected >= 1;
}

static bool reconnected(struct fixture *f)
{
	return f->connected >= 2;
}

static void test_silence_then_recovery(void **state)
{
	struct fixture *f = *state;
	struct cryo_controller *cs0;
	uint64_t received;

	sim_start(f, &f->sims[0], 411, "127.0.0.2");
	assert_int_equal(cryo_link_add_controller(f->link, "CS0", 411, NULL, &cs0, NULL), 0);
	assert_true(pump(f, 3000, cs0_connected));
	assert_int_equal(f->connected, 1);

	sim_control(&f->sims[0], "silence 1.5\n");
	assert_true(pump(f, 3000, disconnected));
	assert_false(cs0->connected);
	received = cs0->packets_received;

	assert_true(pump(f, 4000, reconnected));
	assert_true(cs0->connected);
	assert_true(cs0->packets_received > received);
	assert_int_equal(f->disconnected, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simulator_refuses_bad_options),
		cmocka_unit_test_setup_teardown(test_two_controllers_by_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simulator_follows_every_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_port_and_oversized_datagram, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_number_zero_auto_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_packets_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence_then_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spoofed_number_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_packet_sizes, setup, teardown),
	};

	/* A simulator that dies must not take us with it on a write. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("cryo-loopback", tests, NULL, NULL);
}
