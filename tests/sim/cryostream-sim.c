// SPDX-License-Identifier: GPL-2.0
/*
 * cryostream-sim: an Oxford Cryostream 800 on the network, for tests and
 * for running the station without one. It broadcasts (or sends to a given
 * address) status packets (by default the 928-byte packet of 230 pairs
 * the EPICS support reads; parameters can be left out and others added,
 * so any size), models the gas temperature, autofill, flow interruption
 * and shield under the nineteen commands it accepts on its command port,
 * counts them as the controller does (Received, Missed), and injects
 * faults: alarms, wrong checksums, short packets, silence. See
 * cryostream-sim(1).
 *
 * The model is deliberately simple but keeps the controller's shape: the
 * set point moves by phase (ramp at the rate asked, cool at the fastest
 * rate, plateau and hold still, end and purge back to ambient, regen in
 * two stages then hold), and the gas follows the set point with a
 * first-order lag (shorter in turbo), or drifts to ambient when the
 * controller is shut down. The dewar's LN2 level drops at a configured
 * rate; in auto mode the autofill refills it from the refill level to the
 * stop level with alarm 47 (Autofill filling) meanwhile.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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
#include "daemon/cryo/cs800-enums.h"
#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"

#define AMBIENT_K 294.0
#define END_TEMPERATURE_K 300.0		/* where End and Purge finish */
#define FASTEST_RATE_K_PER_H 360.0	/* Cool and Purge */
#define LAG_S 20.0			/* gas behind set point */
#define TURBO_LAG_S 8.0
#define SHUTDOWN_LAG_S 300.0		/* warming up with no flow */
#define SHORT_PACKET_SIZE 102		/* not whole 4-byte pairs */
#define REGEN_STAGE_S (30 * 60.0)	/* each of phases 11 and 12 */
#define FILL_RATE_PERCENT_PER_H 120.0	/* LN2 level while the autofill fills */
#define SHIELD_FLOW_L_PER_MIN 2.0
#define LAYOUT_MAX 4096			/* pairs: a 16 KiB packet */

struct options {
	uint16_t number;
	struct sockaddr_in status_to;
	struct sockaddr_in bind_address;
	double rate_hz;
	double speed;
	double min_k, max_k, start_k;
	uint16_t alarm;
	double ln2_use_percent_per_h;
};

struct model {
	double gas_k, set_point_k, target_k;
	unsigned int ramp_rate_k_per_h, end_rate_k_per_h;
	double plat_remaining_s;
	double regen_remaining_s;
	double run_time_s;
	double phase_elapsed_s;
	uint16_t run_mode, phase, alarm;
	bool turbo;
	bool paused;
	uint16_t paused_phase;
	/* Commands as the controller counts them (1072, 1073). */
	uint16_t received, missed;
	/* Flow interruption (1115-1117). */
	uint16_t interrupt_ds;
	double interrupt_remaining_s;
	uint16_t interrupt_count;
	/* Shield (122, 123; 2519, 2520). */
	bool shield;
	uint16_t idle_shield_mode;
	/* Autofill (1203, 1207-1209). */
	double ln2_level_percent;
	uint16_t autofill_mode;
	unsigned int refill_percent, stop_percent;
	bool filling;
};

/* The pairs of a status packet, in order; ids of the table take the
 * model's values, the others the value given here. */
struct layout {
	struct cs800_pair pairs[LAYOUT_MAX];
	size_t n;
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
	      "      --ln2-use=PERCENT      LN2 level used per hour (default 0)\n"
	      "  -h, --help                 this text\n\n"
	      "Standard input, one per line: alarm CODE | corrupt N | corrupt-now N | short N |\n"
	      "silence SECONDS (0: until 'resume-status') | resume-status | omit ID |\n"
	      "include ID | extra ID VALUE | ln2 PERCENT | status | quit.\n"
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
	enum { OPT_MIN = 256, OPT_MAX, OPT_START, OPT_LN2_USE };
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
		{ "ln2-use", required_argument, NULL, OPT_LN2_USE },
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
		case OPT_LN2_USE:
			if (parse_double(optarg, 0, 1000, &o->ln2_use_percent_per_h) < 0)
				goto bad;
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

static void set_phase(struct model *m, uint16_t phase)
{
	m->phase = phase;
	m->phase_elapsed_s = 0;
}

static void shut_down_with(struct model *m, uint16_t alarm)
{
	m->run_mode = CS800_RUN_MODE_SHUTDOWN_OK;
	m->alarm = alarm;
	m->turbo = false;
	m->paused = false;
	m->filling = false;
}

/* The dewar: used at the configured rate; in auto mode refilled from the
 * refill level to the stop level, with alarm 47 meanwhile (unless another
 * alarm is showing). */
static void autofill_advance(struct model *m, const struct options *o, double dt)
{
	m->ln2_level_percent = fmax(0, m->ln2_level_percent - o->ln2_use_percent_per_h * dt / 3600);
	if (!m->filling && m->autofill_mode == CS800_AUTOFILL_AUTO && o->ln2_use_percent_per_h > 0 &&
	    m->ln2_level_percent <= m->refill_percent && !shut_down(m)) {
		m->filling = true;
		if (m->alarm == CS800_ALARM_NONE)
			m->alarm = CS800_ALARM_AUTOFILL_FILLING;
		printf("autofill filling from %.2f %%\n", m->ln2_level_percent);
	}
	if (!m->filling)
		return;
	m->ln2_level_percent += FILL_RATE_PERCENT_PER_H * dt / 3600;
	if (m->ln2_level_percent >= m->stop_percent || m->autofill_mode != CS800_AUTOFILL_AUTO) {
		m->ln2_level_percent = fmin(m->ln2_level_percent, m->stop_percent);
		m->filling = false;
		if (m->alarm == CS800_ALARM_AUTOFILL_FILLING)
			m->alarm = CS800_ALARM_NONE;
		printf("autofill stopped at %.2f %%\n", m->ln2_level_percent);
	}
}

static void model_advance(struct model *m, const struct options *o, double dt)
{
	double lag;

	m->interrupt_remaining_s = fmax(0, m->interrupt_remaining_s - dt);
	autofill_advance(m, o, dt);
	if (!shut_down(m)) {
		m->run_time_s += dt;
		m->phase_elapsed_s += dt;
		switch (m->phase) {
		case CS800_PHASE_RAMP:
			if (approach(&m->set_point_k, m->target_k, m->ramp_rate_k_per_h * dt / 3600))
				set_phase(m, CS800_PHASE_HOLD);
			break;
		case CS800_PHASE_COOL:
			if (approach(&m->set_point_k, m->target_k, FASTEST_RATE_K_PER_H * dt / 3600))
				set_phase(m, CS800_PHASE_HOLD);
			break;
		case CS800_PHASE_PLAT:
			m->plat_remaining_s -= dt;
			if (m->plat_remaining_s <= 0) {
				m->plat_remaining_s = 0;
				set_phase(m, CS800_PHASE_HOLD);
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
		case CS800_PHASE_REGEN:
		case CS800_PHASE_REGEN_2:
			m->regen_remaining_s -= dt;
			if (m->regen_remaining_s > 0)
				break;
			if (m->phase == CS800_PHASE_REGEN) {
				set_phase(m, CS800_PHASE_REGEN_2);
				m->regen_remaining_s = REGEN_STAGE_S;
			} else {
				set_phase(m, CS800_PHASE_HOLD);
				m->alarm = CS800_ALARM_REGEN_COMPLETE;
			}
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
	bool running = !shut_down(m), flowing = running && m->interrupt_remaining_s <= 0;
	double remaining_s = 0, heater;
	int level = cs800_alarm_level(m->alarm);

	if (m->phase == CS800_PHASE_RAMP && m->ramp_rate_k_per_h)
		remaining_s = fabs(m->target_k - m->set_point_k) * 3600 / m->ramp_rate_k_per_h;
	else if (m->phase == CS800_PHASE_PLAT)
		remaining_s = m->plat_remaining_s;
	else if (m->phase == CS800_PHASE_REGEN || m->phase == CS800_PHASE_REGEN_2)
		remaining_s = m->regen_remaining_s;
	heater = running ? fmin(100, fmax(0, 40 + 5 * (m->set_point_k - m->gas_k))) : 0;

	*s = (struct cs800_status) {
		.device_type = 800,
		.device_subtype = 1,
		.device_min_temperature_k = o->min_k,
		.device_max_temperature_k = o->max_k,
		.software_version = 142,
		.controller_number = o->number,
		.default_cool_temperature_k = 100,
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
		.gas_flow_l_per_min = flowing ? (m->turbo ? 10.0 : 5.0) : 0,
		.gas_heater_percent = (uint16_t)heater,
		.evaporator_heater_percent = running ? 20 : 0,
		.average_suction_heater_percent = running ? 10 : 0,
		.back_pressure_bar = flowing ? 0.80 : 0,
		.alarm = m->alarm,
		.run_time_min = (uint16_t)fmin(65535, m->run_time_s / 60),
		.evaporator_shift_percent = 0,
		.turbo_mode = m->turbo,
		.average_gas_heater_percent = (uint16_t)heater,
		.suction_heater_percent = running ? 10 : 0,
		.suspended = m->paused,
		.commands_received = m->received,
		.commands_missed = m->missed,
		.fc_back_pressure_mbar = flowing ? 800 : 0,
		.fc_valve_opening_percent = flowing ? 35 : 0,
		.flow_interrupt_time_s = m->interrupt_ds / 10.0,
		.flow_interrupt_state = m->interrupt_remaining_s > 0,
		.flow_interrupt_count = m->interrupt_count,
		.ln2_level_percent = m->ln2_level_percent,
		.autofill_refill_level_percent = m->refill_percent,
		.autofill_stop_level_percent = m->stop_percent,
		.autofill_mode = m->autofill_mode,
		.autofill_status = m->filling,
		.phase_time_elapsed_min = (uint16_t)fmin(65535, m->phase_elapsed_s / 60),
		/* The vendor's level; an alarm the table lacks is an error. */
		.alarm_level = level >= 0 ? (uint16_t)level : CS800_ALARM_LEVEL_ERROR,
		.shield_flow_mode = m->idle_shield_mode,
		.shield_flow_requested_l_per_min = m->shield && running ? SHIELD_FLOW_L_PER_MIN : 0,
	};
}

/* A command the controller does not carry out: counted as missed. */
static void refuse(struct model *m, const char *why_format, ...) _printf_(2, 3);
static void refuse(struct model *m, const char *why_format, ...)
{
	va_list ap;

	va_start(ap, why_format);
	vprintf(why_format, ap);
	va_end(ap);
	putchar('\n');
	m->missed++;
	counters.commands_refused++;
}

static void apply_command(struct model *m, const struct options *o, const struct cs800_command *c)
{
	const char *name = cs800_command_info(c->code)->name;
	double target_k = c->code == CS800_COMMAND_RAMP ? c->p2 / 100.0 : c->p1 / 100.0;
	struct cs800_command_error e;
	struct cs800_command check;
	int r = 0;

	/* Like the controller, ignore what it cannot do. */
	if ((c->code == CS800_COMMAND_RAMP || c->code == CS800_COMMAND_COOL) &&
	    (target_k < o->min_k || target_k > o->max_k)) {
		refuse(m, "ignored %s: target %.2f K outside %.2f-%.2f K", name, target_k,
		       o->min_k, o->max_k);
		return;
	}
	/* The vendor's ranges, with the encoders that enforce them. */
	switch (c->code) {
	case CS800_COMMAND_RAMP:
		r = cs800_check_rate(c->p1, CS800_RAMP_RATE_MIN_K_PER_H, &e);
		break;
	case CS800_COMMAND_END:
		r = cs800_command_end(c->p1, &check, &e);
		break;
	case CS800_COMMAND_PLAT:
		r = cs800_command_plat(c->p1, &check, &e);
		break;
	case CS800_COMMAND_FLOW_INTERRUPT_TIME:
		r = cs800_command_flow_interrupt_time(c->p1, &check, &e);
		break;
	case CS800_COMMAND_IDLE_SHIELD_MODE:
		r = cs800_command_idle_shield_mode(c->p1, &check, &e);
		break;
	case CS800_COMMAND_AUTOFILL_MODE:
		r = cs800_command_autofill_mode(c->p1, &check, &e);
		break;
	case CS800_COMMAND_AUTOFILL_REFILL_LEVEL:
		r = cs800_command_autofill_refill_level(c->p1, &check, &e);
		break;
	case CS800_COMMAND_AUTOFILL_STOP_LEVEL:
		r = cs800_command_autofill_stop_level(c->p1, &check, &e);
		break;
	default:
		break;
	}
	if (r < 0) {
		refuse(m, "ignored %s: %s", name, e.message);
		return;
	}
	if (shut_down(m) && c->code != CS800_COMMAND_RESTART && c->code != CS800_COMMAND_STOP) {
		refuse(m, "ignored %s: controller is shut down, restart first", name);
		return;
	}
	printf("command %s p1=%u p2=%u\n", name, c->p1, c->p2);
	counters.commands++;

	switch (c->code) {
	case CS800_COMMAND_RESTART:
		m->run_mode = CS800_RUN_MODE_RUN;
		m->alarm = CS800_ALARM_NONE;
		set_phase(m, CS800_PHASE_HOLD);
		m->set_point_k = m->target_k = m->gas_k;
		break;
	case CS800_COMMAND_RAMP:
		set_phase(m, CS800_PHASE_RAMP);
		m->ramp_rate_k_per_h = c->p1;
		m->target_k = target_k;
		break;
	case CS800_COMMAND_PLAT:
		set_phase(m, CS800_PHASE_PLAT);
		m->plat_remaining_s = c->p1 * 60.0;
		break;
	case CS800_COMMAND_HOLD:
		set_phase(m, CS800_PHASE_HOLD);
		break;
	case CS800_COMMAND_COOL:
		set_phase(m, CS800_PHASE_COOL);
		m->target_k = target_k;
		break;
	case CS800_COMMAND_END:
		set_phase(m, CS800_PHASE_END);
		m->end_rate_k_per_h = c->p1;
		m->target_k = END_TEMPERATURE_K;
		break;
	case CS800_COMMAND_PURGE:
		set_phase(m, CS800_PHASE_PURGE);
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
	case CS800_COMMAND_REGEN:
		set_phase(m, CS800_PHASE_REGEN);
		m->regen_remaining_s = REGEN_STAGE_S;
		break;
	case CS800_COMMAND_FLOW_INTERRUPT_TIME:
		m->interrupt_ds = c->p1;
		break;
	case CS800_COMMAND_INTERRUPT_FLOW:
		m->interrupt_remaining_s = m->interrupt_ds / 10.0;
		m->interrupt_count++;
		break;
	case CS800_COMMAND_RUN_SHIELD:
		m->shield = c->p1 != 0;
		break;
	case CS800_COMMAND_IDLE_SHIELD_MODE:
		m->idle_shield_mode = c->p1;
		break;
	case CS800_COMMAND_AUTOFILL_MODE:
		m->autofill_mode = c->p1;
		break;
	case CS800_COMMAND_AUTOFILL_REFILL_LEVEL:
		m->refill_percent = c->p1;
		break;
	case CS800_COMMAND_AUTOFILL_STOP_LEVEL:
		m->stop_percent = c->p1;
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
		m->received++;
		if (cs800_command_parse(buf, (size_t)n, &c, &e) < 0) {
			inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
			refuse(m, "rejected command from %s:%u: %s", ip, ntohs(from.sin_port),
			       e.message);
			continue;
		}
		apply_command(m, o, &c);
	}
}

static void print_state(const struct model *m, const struct layout *l)
{
	printf("state run-mode=%s phase=%s gas=%.2f set-point=%.2f target=%.2f alarm=%u turbo=%d"
	       " ln2=%.2f pairs=%zu sent=%lu valid=%lu commands=%lu refused=%lu"
	       " received=%u missed=%u\n",
	       cs800_run_mode_to_string(m->run_mode), cs800_phase_to_string(m->phase),
	       m->gas_k, m->set_point_k, m->target_k, m->alarm, m->turbo, m->ln2_level_percent,
	       l->n, counters.sent, counters.valid, counters.commands, counters.commands_refused,
	       m->received, m->missed);
}

/* The default layout: the 230 pairs of the EPICS support's packet. */
static void layout_init(struct layout *l)
{
	l->n = CS800_STATUS_EPICS_PARAMETER_COUNT;
	for (size_t i = 0; i < l->n; i++)
		l->pairs[i] = (struct cs800_pair){ .id = cs800_status_builder_id(i) };
}

static struct cs800_pair *layout_find(struct layout *l, uint16_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->pairs[i].id == id)
			return &l->pairs[i];
	return NULL;
}

/* Leave id out of the packets (true), or it was not in them. */
static bool layout_omit(struct layout *l, uint16_t id)
{
	struct cs800_pair *p = layout_find(l, id);

	if (!p)
		return false;
	memmove(p, p + 1, (size_t)(l->pairs + l->n - (p + 1)) * sizeof(*p));
	l->n--;
	return true;
}

/* Send id (with value, for ids outside the table) from now on, at the
 * end of the packet if it was not in it; false when the layout is full. */
static bool layout_set(struct layout *l, uint16_t id, uint16_t value)
{
	struct cs800_pair *p = layout_find(l, id);

	if (!p) {
		if (l->n == LAYOUT_MAX)
			return false;
		p = &l->pairs[l->n++];
		p->id = id;
	}
	p->value = value;
	return true;
}

static bool whole_u16(double v)
{
	return v >= 0 && v <= 65535 && v == floor(v);
}

/* One line of the stdin control; false for "quit". */
static bool control_line(char *line, struct model *m, struct faults *f, struct layout *l)
{
	char word[32];
	double v = 0, w = 0;
	int n;

	n = sscanf(line, "%31s %lf %lf", word, &v, &w);
	if (n < 1)
		return true;
	if (strcmp(word, "quit") == 0)
		return false;
	if (strcmp(word, "status") == 0) {
		print_state(m, l);
	} else if (strcmp(word, "resume-status") == 0) {
		f->silent = false;
		printf("status packets resumed\n");
	} else if (n == 2 && whole_u16(v) && strcmp(word, "alarm") == 0) {
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
	} else if (n == 2 && whole_u16(v) && strcmp(word, "omit") == 0) {
		if (layout_omit(l, (uint16_t)v))
			printf("omitting parameter %u: %zu pairs\n", (unsigned int)v, l->n);
		else
			printf("error: parameter %u is not in the packet\n", (unsigned int)v);
	} else if (n == 2 && whole_u16(v) && strcmp(word, "include") == 0) {
		if (layout_set(l, (uint16_t)v, 0))
			printf("including parameter %u: %zu pairs\n", (unsigned int)v, l->n);
		else
			printf("error: the packet is full (%d pairs)\n", LAYOUT_MAX);
	} else if (n == 3 && whole_u16(v) && whole_u16(w) && strcmp(word, "extra") == 0) {
		if (layout_set(l, (uint16_t)v, (uint16_t)w))
			printf("parameter %u = %u: %zu pairs\n", (unsigned int)v, (unsigned int)w,
			       l->n);
		else
			printf("error: the packet is full (%d pairs)\n", LAYOUT_MAX);
	} else if (n == 2 && v >= 0 && v <= 100 && strcmp(word, "ln2") == 0) {
		m->ln2_level_percent = v;
		printf("ln2 %.2f %%\n", v);
	} else {
		printf("error: unknown control '%s'\n", line);
	}
	return true;
}

/* The packet of the model's present state in the current layout. */
static size_t build_packet(const struct options *o, const struct model *m,
			   const struct layout *l, uint8_t *pkt, size_t size)
{
	struct cs800_status s;
	int n;

	model_status(m, o, &s);
	n = cs800_status_build_layout(&s, l->pairs, l->n, pkt, size);
	assert(n > 0);	/* the buffer holds LAYOUT_MAX pairs */
	return (size_t)n;
}

/* Break the checksum, whatever the size. */
static void corrupt_checksum(uint8_t *pkt, size_t size)
{
	pkt[size - CS800_STATUS_TRAILER_SIZE + 1] ^= 0x5A;
}

static void send_status(int fd, const struct options *o, const struct model *m,
			const struct layout *l, struct faults *f)
{
	static uint8_t pkt[CS800_STATUS_MIN_SIZE + 4 * LAYOUT_MAX];
	size_t size;
	bool intact = true;

	if (f->silent && f->silent_until > 0 && now_s() >= f->silent_until) {
		f->silent = false;
		printf("status packets resumed\n");
	}
	if (f->silent)
		return;
	size = build_packet(o, m, l, pkt, sizeof(pkt));
	if (f->corrupt > 0) {
		f->corrupt--;
		corrupt_checksum(pkt, size);
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
			     const struct layout *l, struct faults *f)
{
	static uint8_t pkt[CS800_STATUS_MIN_SIZE + 4 * LAYOUT_MAX];
	size_t size = build_packet(o, m, l, pkt, sizeof(pkt));

	corrupt_checksum(pkt, size);
	for (; f->corrupt_now > 0; f->corrupt_now--) {
		if (sendto(fd, pkt, size, 0, (const struct sockaddr *)&o->status_to,
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
	static struct layout layout;
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
		.interrupt_ds = 100,
		.idle_shield_mode = CS800_IDLE_SHIELD_AUTO,
		.ln2_level_percent = 88,
		.autofill_mode = CS800_AUTOFILL_AUTO,
		.refill_percent = 30,
		.stop_percent = 70,
	};
	layout_init(&layout);
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
					if (!control_line(input, &m, &f, &layout))
						return EXIT_SUCCESS;
					input_len -= (size_t)(nl + 1 - input);
					memmove(input, nl + 1, input_len + 1);
				}
				if (input_len == sizeof(input) - 1)
					input_len = 0;	/* an endless line: drop it */
			}
		}
		if (f.corrupt_now)
			send_corrupt_now(fd, &o, &m, &layout, &f);

		t = now_s();
		if (t >= next) {
			model_advance(&m, &o, (t - last) * o.speed);
			last = t;
			send_status(fd, &o, &m, &layout, &f);
			next += period;
			if (next < t)	/* fell behind (stopped, slow host): no burst */
				next = t + period;
		}
	}
}
