// SPDX-License-Identifier: GPL-2.0
/*
 * cryostream-sim: an Oxford Cryostream 800 on the network, for tests and
 * for running the station without one. It broadcasts (or sends to a given
 * address) 928-byte status packets, models the gas temperature under the
 * eleven commands it accepts on its command port, and injects faults:
 * alarms, wrong checksums, short packets, silence. See cryostream-sim(1).
 *
 * The model is deliberately simple but keeps the controller's shape: the
 * set point moves by phase (ramp at the rate asked, cool at the fastest
 * rate, plateau and hold still, end and purge back to ambient), and the
 * gas follows the set point with a first-order lag (shorter in turbo),
 * or drifts to ambient when the controller is shut down.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/cryo/cs800-command.h"
#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"

#define AMBIENT_K 294.0
#define END_TEMPERATURE_K 300.0		/* where End and Purge finish */
#define FASTEST_RATE_K_PER_H 360.0	/* Cool and Purge */
#define LAG_S 20.0			/* gas behind set point */
#define TURBO_LAG_S 8.0
#define SHUTDOWN_LAG_S 300.0		/* warming up with no flow */
#define SHORT_PACKET_SIZE 100

struct options {
	uint16_t number;
	struct sockaddr_in status_to;
	struct sockaddr_in bind_address;
	double rate_hz;
	double speed;
	double min_k, max_k, start_k;
	uint16_t alarm;
};

struct model {
	double gas_k, set_point_k, target_k;
	unsigned int ramp_rate_k_per_h, end_rate_k_per_h;
	double plat_remaining_s;
	double run_time_s;
	uint16_t run_mode, phase, alarm;
	bool turbo;
	bool paused;
	uint16_t paused_phase;
};

/* Fault injection, from stdin or signals. */
struct faults {
	unsigned int corrupt;		/* packets still to send with a bad checksum */
	unsigned int shortened;		/* packets still to cut short */
	bool silent;
	double silent_until;		/* monotonic seconds; 0: until told */
	unsigned int corrupt_now;	/* to send at once, even while silent */
};

/* What went over the wire, for tests to compare with what the receiver
 * counted ("status" prints them). */
struct counters {
	unsigned long sent;		/* status packets, whatever their state */
	unsigned long valid;		/* of those, intact */
	unsigned long commands;		/* command packets carried out */
	unsigned long commands_refused;	/* rejected or ignored */
};
static struct counters counters;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fputs("Usage: cryostream-sim [OPTIONS]\n"
	      "Simulate an Oxford Cryostream 800 controller on UDP.\n\n"
	      "  -n, --number=N             controller number, parameter 1028 (default 1)\n"
	      "  -t, --status-to=ADDR[:PORT] where status packets go\n"
	      "                             (default 255.255.255.255:30304)\n"
	      "  -b, --bind=ADDR[:PORT]     command address, also the packets' source\n"
	      "                             (default 0.0.0.0:30305)\n"
	      "  -r, --rate=HZ              status packets per second (default 1)\n"
	      "  -s, --speed=FACTOR         simulated seconds per second (default 1)\n"
	      "      --min-temperature=K    device minimum, parameter 1002 (default 80)\n"
	      "      --max-temperature=K    device maximum, parameter 1003 (default 400)\n"
	      "      --start-temperature=K  gas and set point at start (default 294)\n"
	      "  -a, --alarm=CODE           start with this alarm code\n"
	      "  -h, --help                 this text\n\n"
	      "Standard input, one per line: alarm CODE | corrupt N | corrupt-now N | short N |\n"
	      "silence SECONDS (0: until 'resume-status') | resume-status | status | quit.\n"
	      "SIGUSR1 toggles silence, SIGUSR2 corrupts the next packet.\n", f);
}

static int parse_address(const char *arg, uint16_t default_port, struct sockaddr_in *ret)
{
	char host[64];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	unsigned long port = default_port;

	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, n);
	host[n] = 0;
	if (colon) {
		char *end;

		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno || *end || end == colon + 1 || port == 0 || port > 65535)
			return -EINVAL;
	}
	*ret = (struct sockaddr_in) { .sin_family = AF_INET, .sin_port = htons(port) };
	if (inet_pton(AF_INET, host, &ret->sin_addr) != 1)
		return -EINVAL;
	return 0;
}

static int parse_double(const char *arg, double min, double max, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || *end || end == arg || !(v >= min && v <= max))
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_MIN = 256, OPT_MAX, OPT_START };
	static const struct option longopts[] = {
		{ "number", required_argument, NULL, 'n' },
		{ "status-to", required_argument, NULL, 't' },
		{ "bind", required_argument, NULL, 'b' },
		{ "rate", required_argument, NULL, 'r' },
		{ "speed", required_argument, NULL, 's' },
		{ "min-temperature", required_argument, NULL, OPT_MIN },
		{ "max-temperature", required_argument, NULL, OPT_MAX },
		{ "start-temperature", required_argument, NULL, OPT_START },
		{ "alarm", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	double v;
	int c;

	*o = (struct options) {
		.number = 1,
		.rate_hz = 1,
		.speed = 1,
		.min_k = 80,
		.max_k = 400,
		.start_k = AMBIENT_K,
	};
	parse_address("255.255.255.255", CS800_STATUS_PORT, &o->status_to);
	parse_address("0.0.0.0", CS800_COMMAND_PORT, &o->bind_address);

	while ((c = getopt_long(argc, argv, "n:t:b:r:s:a:h", longopts, NULL)) >= 0) {
		switch (c) {
		case 'n':
			if (parse_double(optarg, 1, 65535, &v) < 0 || v != floor(v))
				goto bad;
			o->number = (uint16_t)v;
			break;
		case 't':
			if (parse_address(optarg, CS800_STATUS_PORT, &o->status_to) < 0)
				goto bad;
			break;
		case 'b':
			if (parse_address(optarg, CS800_COMMAND_PORT, &o->bind_address) < 0)
				goto bad;
			break;
		case 'r':
			if (parse_double(optarg, 0.01, 1000, &o->rate_hz) < 0)
				goto bad;
			break;
		case 's':
			if (parse_double(optarg, 0.001, 100000, &o->speed) < 0)
				goto bad;
			break;
		case OPT_MIN:
			if (parse_double(optarg, 0, 655.35, &o->min_k) < 0)
				goto bad;
			break;
		case OPT_MAX:
			if (parse_double(optarg, 0, 655.35, &o->max_k) < 0)
				goto bad;
			break;
		case OPT_START:
			if (parse_double(optarg, 0, 655.35, &o->start_k) < 0)
				goto bad;
			break;
		case 'a':
			if (parse_double(optarg, 0, 65535, &v) < 0 || v != floor(v))
				goto bad;
			o->alarm = (uint16_t)v;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cryostream-sim: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->min_k >= o->max_k) {
		fprintf(stderr, "cryostream-sim: minimum temperature must be below the maximum\n");
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "cryostream-sim: invalid value '%s' for option %s\n", optarg,
		argv[optind - 1]);
	return -EINVAL;
}

/* Move x toward goal by at most step; true when it got there. */
static bool approach(double *x, double goal, double step)
{
	if (fabs(goal - *x) <= step) {
		*x = goal;
		return true;
	}
	*x += goal > *x ? step : -step;
	return false;
}

static bool shut_down(const struct model *m)
{
	return m->run_mode == CS800_RUN_MODE_SHUTDOWN_OK;
}

static void shut_down_with(struct model *m, uint16_t alarm)
{
	m->run_mode = CS800_RUN_MODE_SHUTDOWN_OK;
	m->alarm = alarm;
	m->turbo = false;
	m->paused = false;
}

static void model_advance(struct model *m, double dt)
{
	double lag;

	if (!shut_down(m)) {
		m->run_time_s += dt;
		switch (m->phase) {
		case CS800_PHASE_RAMP:
			if (approach(&m->set_point_k, m->target_k, m->ramp_rate_k_per_h * dt / 3600))
				m->phase = CS800_PHASE_HOLD;
			break;
		case CS800_PHASE_COOL:
			if (approach(&m->set_point_k, m->target_k, FASTEST_RATE_K_PER_H * dt / 3600))
				m->phase = CS800_PHASE_HOLD;
			break;
		case CS800_PHASE_PLAT:
			m->plat_remaining_s -= dt;
			if (m->plat_remaining_s <= 0) {
				m->plat_remaining_s = 0;
				m->phase = CS800_PHASE_HOLD;
			}
			break;
		case CS800_PHASE_END:
			if (approach(&m->set_point_k, END_TEMPERATURE_K,
				     m->end_rate_k_per_h * dt / 3600))
				shut_down_with(m, CS800_ALARM_END_COMPLETE);
			break;
		case CS800_PHASE_PURGE:
			if (approach(&m->set_point_k, END_TEMPERATURE_K,
				     FASTEST_RATE_K_PER_H * dt / 3600))
				shut_down_with(m, CS800_ALARM_PURGE_COMPLETE);
			break;
		default:
			break;
		}
	}
	if (shut_down(m)) {
		m->gas_k += (AMBIENT_K - m->gas_k) * (1 - exp(-dt / SHUTDOWN_LAG_S));
		return;
	}
	lag = m->turbo ? TURBO_LAG_S : LAG_S;
	m->gas_k += (m->set_point_k - m->gas_k) * (1 - exp(-dt / lag));
}

static void model_status(const struct model *m, const struct options *o, struct cs800_status *s)
{
	bool running = !shut_down(m);
	double remaining_s = 0, heater;

	if (m->phase == CS800_PHASE_RAMP && m->ramp_rate_k_per_h)
		remaining_s = fabs(m->target_k - m->set_point_k) * 3600 / m->ramp_rate_k_per_h;
	else if (m->phase == CS800_PHASE_PLAT)
		remaining_s = m->plat_remaining_s;
	heater = running ? fmin(100, fmax(0, 40 + 5 * (m->set_point_k - m->gas_k))) : 0;

	*s = (struct cs800_status) {
		.device_type = 800,
		.device_subtype = 1,
		.device_min_temperature_k = o->min_k,
		.device_max_temperature_k = o->max_k,
		.software_version = 142,
		.controller_number = o->number,
		.set_point_k = m->set_point_k,
		.gas_temperature_k = m->gas_k,
		.error_k = m->gas_k - m->set_point_k,
		.run_mode = m->run_mode,
		.phase = m->phase,
		.ramp_rate_k_per_h = m->ramp_rate_k_per_h,
		.target_temperature_k = m->target_k,
		.evaporator_temperature_k = running ? 80.0 : m->gas_k,
		.suction_temperature_k = running ? m->gas_k - 5 : m->gas_k,
		.time_remaining_min = (uint16_t)ceil(remaining_s / 60),
		.gas_flow_l_per_min = running ? (m->turbo ? 10.0 : 5.0) : 0,
		.gas_heater_percent = (uint16_t)heater,
		.evaporator_heater_percent = running ? 20 : 0,
		.suction_heater_percent = running ? 10 : 0,
		.back_pressure_bar = running ? 0.80 : 0,
		.alarm = m->alarm,
		.run_time_min = (uint16_t)fmin(65535, m->run_time_s / 60),
		.evaporator_adjust = 0,
		.turbo_mode = m->turbo,
		.ln2_level_percent = 85,
	};
}

static void apply_command(struct model *m, const struct options *o, const struct cs800_command *c)
{
	const char *name = cs800_command_info(c->code)->name;
	double target_k = c->code == CS800_COMMAND_RAMP ? c->p2 / 100.0 : c->p1 / 100.0;

	/* Like the controller, ignore what it cannot do. */
	if ((c->code == CS800_COMMAND_RAMP || c->code == CS800_COMMAND_COOL) &&
	    (target_k < o->min_k || target_k > o->max_k)) {
		printf("ignored %s: target %.2f K outside %.2f-%.2f K\n", name, target_k,
		       o->min_k, o->max_k);
		counters.commands_refused++;
		return;
	}
	if (shut_down(m) && c->code != CS800_COMMAND_RESTART && c->code != CS800_COMMAND_STOP) {
		printf("ignored %s: controller is shut down, restart first\n", name);
		counters.commands_refused++;
		return;
	}
	printf("command %s p1=%u p2=%u\n", name, c->p1, c->p2);
	counters.commands++;

	switch (c->code) {
	case CS800_COMMAND_RESTART:
		m->run_mode = CS800_RUN_MODE_RUN;
		m->alarm = CS800_ALARM_NONE;
		m->phase = CS800_PHASE_HOLD;
		m->set_point_k = m->target_k = m->gas_k;
		break;
	case CS800_COMMAND_RAMP:
		m->phase = CS800_PHASE_RAMP;
		m->ramp_rate_k_per_h = c->p1;
		m->target_k = target_k;
		break;
	case CS800_COMMAND_PLAT:
		m->phase = CS800_PHASE_PLAT;
		m->plat_remaining_s = c->p1 * 60.0;
		break;
	case CS800_COMMAND_HOLD:
		m->phase = CS800_PHASE_HOLD;
		break;
	case CS800_COMMAND_COOL:
		m->phase = CS800_PHASE_COOL;
		m->target_k = target_k;
		break;
	case CS800_COMMAND_END:
		m->phase = CS800_PHASE_END;
		m->end_rate_k_per_h = c->p1;
		m->target_k = END_TEMPERATURE_K;
		break;
	case CS800_COMMAND_PURGE:
		m->phase = CS800_PHASE_PURGE;
		m->target_k = END_TEMPERATURE_K;
		break;
	case CS800_COMMAND_PAUSE:
		if (!m->paused) {
			m->paused = true;
			m->paused_phase = m->phase;
			m->phase = CS800_PHASE_HOLD;
		}
		break;
	case CS800_COMMAND_RESUME:
		if (m->paused) {
			m->paused = false;
			m->phase = m->paused_phase;
		}
		break;
	case CS800_COMMAND_STOP:
		shut_down_with(m, CS800_ALARM_STOP_COMMAND);
		break;
	case CS800_COMMAND_TURBO:
		m->turbo = c->p1 != 0;
		break;
	}
}

static void receive_commands(int fd, struct model *m, const struct options *o)
{
	for (;;) {
		uint8_t buf[512];
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		struct cs800_command c;
		struct cs800_command_error e;
		char ip[INET_ADDRSTRLEN];
		ssize_t n;

		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				fprintf(stderr, "cryostream-sim: receiving a command: %m\n");
			return;
		}
		if (cs800_command_parse(buf, (size_t)n, &c, &e) < 0) {
			inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
			printf("rejected command from %s:%u: %s\n", ip, ntohs(from.sin_port),
			       e.message);
			counters.commands_refused++;
			continue;
		}
		apply_command(m, o, &c);
	}
}

static void print_state(const struct model *m)
{
	printf("state run-mode=%s phase=%s gas=%.2f set-point=%.2f target=%.2f alarm=%u turbo=%d"
	       " sent=%lu valid=%lu commands=%lu refused=%lu\n",
	       cs800_run_mode_to_string(m->run_mode), cs800_phase_to_string(m->phase),
	       m->gas_k, m->set_point_k, m->target_k, m->alarm, m->turbo,
	       counters.sent, counters.valid, counters.commands, counters.commands_refused);
}

/* One line of the stdin control; false for "quit". */
static bool control_line(char *line, struct model *m, struct faults *f)
{
	char word[32];
	double v = 0;
	int n;

	n = sscanf(line, "%31s %lf", word, &v);
	if (n < 1)
		return true;
	if (strcmp(word, "quit") == 0)
		return false;
	if (strcmp(word, "status") == 0) {
		print_state(m);
	} else if (strcmp(word, "resume-status") == 0) {
		f->silent = false;
		printf("status packets resumed\n");
	} else if (n == 2 && v >= 0 && v <= 65535 && v == floor(v) && strcmp(word, "alarm") == 0) {
		m->alarm = (uint16_t)v;
		printf("alarm %u\n", m->alarm);
	} else if (n == 2 && v >= 0 && v <= 1e6 && strcmp(word, "corrupt") == 0) {
		f->corrupt = (unsigned int)v;
		printf("corrupting %u packets\n", f->corrupt);
	} else if (n == 2 && v >= 1 && v <= 1000 && strcmp(word, "corrupt-now") == 0) {
		f->corrupt_now = (unsigned int)v;
		printf("sending %u corrupt packets now\n", f->corrupt_now);
	} else if (n == 2 && v >= 0 && v <= 1e6 && strcmp(word, "short") == 0) {
		f->shortened = (unsigned int)v;
		printf("shortening %u packets\n", f->shortened);
	} else if (n == 2 && v >= 0 && strcmp(word, "silence") == 0) {
		f->silent = true;
		f->silent_until = v > 0 ? now_s() + v : 0;
		printf("silent for %g s\n", v);
	} else {
		printf("error: unknown control '%s'\n", line);
	}
	return true;
}

static void send_status(int fd, const struct options *o, const struct model *m, struct faults *f)
{
	uint8_t pkt[CS800_STATUS_PACKET_SIZE];
	struct cs800_status s;
	size_t size = sizeof(pkt);

	bool intact = true;

	if (f->silent && f->silent_until > 0 && now_s() >= f->silent_until) {
		f->silent = false;
		printf("status packets resumed\n");
	}
	if (f->silent)
		return;
	model_status(m, o, &s);
	cs800_status_build(&s, pkt);
	if (f->corrupt > 0) {
		f->corrupt--;
		pkt[CS800_STATUS_CHECKSUM_OFFSET + 1] ^= 0x5A;
		intact = false;
	}
	if (f->shortened > 0) {
		f->shortened--;
		size = SHORT_PACKET_SIZE;
		intact = false;
	}
	if (sendto(fd, pkt, size, 0, (const struct sockaddr *)&o->status_to,
		   sizeof(o->status_to)) < 0) {
		fprintf(stderr, "cryostream-sim: sending status: %m\n");
		return;
	}
	counters.sent++;
	counters.valid += intact;
}

/* "corrupt-now N": packets with a wrong checksum right away, silent or
 * not, so a test can show that they change nothing on the receiver. */
static void send_corrupt_now(int fd, const struct options *o, const struct model *m,
			     struct faults *f)
{
	uint8_t pkt[CS800_STATUS_PACKET_SIZE];
	struct cs800_status s;

	model_status(m, o, &s);
	for (; f->corrupt_now > 0; f->corrupt_now--) {
		cs800_status_build(&s, pkt);
		pkt[CS800_STATUS_CHECKSUM_OFFSET + 1] ^= 0x5A;
		if (sendto(fd, pkt, sizeof(pkt), 0, (const struct sockaddr *)&o->status_to,
			   sizeof(o->status_to)) < 0) {
			fprintf(stderr, "cryostream-sim: sending status: %m\n");
			continue;
		}
		counters.sent++;
	}
}

static int open_socket(const struct options *o)
{
	_cleanup_close_ int fd = -EBADF;
	int one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)&o->bind_address, sizeof(o->bind_address)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

static int open_signalfd(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int main(int argc, char **argv)
{
	_cleanup_close_ int fd = -EBADF, sfd = -EBADF;
	struct options o;
	struct model m;
	struct faults f = {};
	char to[INET_ADDRSTRLEN], at[INET_ADDRSTRLEN];
	double period, last, next;
	bool stdin_open = true;
	char input[1024];
	size_t input_len = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_options(argc, argv, &o) < 0)
		return EXIT_FAILURE;

	fd = open_socket(&o);
	if (fd < 0) {
		inet_ntop(AF_INET, &o.bind_address.sin_addr, at, sizeof(at));
		fprintf(stderr, "cryostream-sim: binding %s:%u: %s\n", at,
			ntohs(o.bind_address.sin_port), strerror(-fd));
		return EXIT_FAILURE;
	}
	sfd = open_signalfd();
	if (sfd < 0) {
		fprintf(stderr, "cryostream-sim: signalfd: %s\n", strerror(-sfd));
		return EXIT_FAILURE;
	}

	m = (struct model) {
		.gas_k = o.start_k,
		.set_point_k = o.start_k,
		.target_k = o.start_k,
		.ramp_rate_k_per_h = 360,
		.end_rate_k_per_h = 360,
		.run_mode = CS800_RUN_MODE_RUN,
		.phase = CS800_PHASE_HOLD,
		.alarm = o.alarm,
	};
	inet_ntop(AF_INET, &o.status_to.sin_addr, to, sizeof(to));
	inet_ntop(AF_INET, &o.bind_address.sin_addr, at, sizeof(at));
	printf("ready number=%u command=%s:%u status-to=%s:%u\n", o.number, at,
	       ntohs(o.bind_address.sin_port), to, ntohs(o.status_to.sin_port));

	period = 1.0 / o.rate_hz;
	last = now_s();
	next = last;
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		double t = now_s();
		int timeout_ms = next > t ? (int)ceil((next - t) * 1000) : 0;

		if (poll(p, ELEMENTSOF(p), timeout_ms) < 0 && errno != EINTR) {
			fprintf(stderr, "cryostream-sim: poll: %m\n");
			return EXIT_FAILURE;
		}
		if (p[0].revents & POLLIN)
			receive_commands(fd, &m, &o);
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGUSR1) {
					f.silent = !f.silent;
					f.silent_until = 0;
					printf("status packets %s\n", f.silent ? "silenced" : "resumed");
				} else if (si.ssi_signo == SIGUSR2) {
					f.corrupt++;
				} else {
					return EXIT_SUCCESS;
				}
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(STDIN_FILENO, input + input_len,
					 sizeof(input) - 1 - input_len);
			char *nl;

			if (n <= 0) {
				/* No controlling input (CI, a service): keep running. */
				stdin_open = false;
			} else {
				input_len += (size_t)n;
				input[input_len] = 0;
				while ((nl = strchr(input, '\n'))) {
					*nl = 0;
					if (!control_line(input, &m, &f))
						return EXIT_SUCCESS;
					input_len -= (size_t)(nl + 1 - input);
					memmove(input, nl + 1, input_len + 1);
				}
				if (input_len == sizeof(input) - 1)
					input_len = 0;	/* an endless line: drop it */
			}
		}
		if (f.corrupt_now)
			send_corrupt_now(fd, &o, &m, &f);

		t = now_s();
		if (t >= next) {
			model_advance(&m, (t - last) * o.speed);
			last = t;
			send_status(fd, &o, &m, &f);
			next += period;
			if (next < t)	/* fell behind (stopped, slow host): no burst */
				next = t + period;
		}
	}
}
