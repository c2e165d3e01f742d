// SPDX-License-Identifier: GPL-2.0
/*
 * ln2-plant: the LN2 plant of a station, simulated against the simulated
 * crate (xvme-sim's debugfs plant files). Loads the station, then at the
 * tick rate reads the relay latches, advances the physics and writes the
 * exhaust sensors and TTL inputs. Faults and inputs are injected with
 * --do or at run time through a control FIFO or stdin. See ln2-plant(1).
 *
 * Exit status: 0 after SIGTERM/SIGINT or --ticks, 1 when the station or
 * the plant cannot be opened, 2 for bad usage or a refused --do command.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon/config/compile.h"
#include "daemon/config/database.h"
#include "daemon/config/diagnostics.h"
#include "tests/sim/control-source.h"
#include "tests/sim/ln2-plant-control.h"
#include "tests/sim/ln2-plant-io.h"
#include "tests/sim/sim-args.h"

#define EXIT_USAGE 2
#define DO_MAX 64

struct options {
	const char *config, *database, *root, *valve_log, *control;
	double rate_hz, time_scale;
	unsigned long ticks;		/* 0 = until a signal */
	struct ln2_params params;
	const char *commands[DO_MAX];
	size_t n_commands;
};

static void help(FILE *f)
{
	fputs("Usage: ln2-plant (--config FILE | --database FILE) [OPTIONS]\n"
	      "Simulate the LN2 plant of a station against the simulated crate.\n\n"
	      "  -c, --config FILE          station configuration (compiled on load)\n"
	      "  -d, --database FILE        compiled station database\n"
	      "  -r, --root DIR             plant root (default $" PLANT_ROOT_ENV " or "
	      PLANT_DEFAULT_ROOT ")\n"
	      "  -s, --time-scale X         simulated seconds per second (default 1)\n"
	      "      --rate HZ              ticks per second, 1-200 (default 20)\n"
	      "  -l, --valve-log FILE       valve and output events, one per line\n"
	      "      --control FIFO|-       commands from a FIFO (created) or stdin\n"
	      "      --do COMMAND           run a control command before the first tick\n"
	      "      --ticks N              stop after N ticks\n"
	      "      --seed N               noise seed (default 5000754)\n"
	      "      --noise MV             peak sensor noise, 0-1000 (default 5)\n"
	      "      --level F              detector dewar levels at start, 0-1 (default 0.6)\n"
	      "      --supply LITRES        supply dewar at start (default: full, 250)\n"
	      "      --detector-fill S      an empty dewar fills in S sim seconds (default 600)\n"
	      "      --manifold-fill S      an empty line purges full in S (default 60)\n"
	      "  -h, --help                 this text\n", f);
}

enum {
	OPT_RATE = 0x100, OPT_CONTROL, OPT_DO, OPT_TICKS, OPT_SEED, OPT_NOISE,
	OPT_LEVEL, OPT_SUPPLY, OPT_DETECTOR_FILL, OPT_MANIFOLD_FILL,
};

/* 0, or -EINVAL after printing what is wrong. */
static int options_parse(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "root", required_argument, NULL, 'r' },
		{ "time-scale", required_argument, NULL, 's' },
		{ "valve-log", required_argument, NULL, 'l' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ "do", required_argument, NULL, OPT_DO },
		{ "ticks", required_argument, NULL, OPT_TICKS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "noise", required_argument, NULL, OPT_NOISE },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "supply", required_argument, NULL, OPT_SUPPLY },
		{ "detector-fill", required_argument, NULL, OPT_DETECTOR_FILL },
		{ "manifold-fill", required_argument, NULL, OPT_MANIFOLD_FILL },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long ul;
	double d;
	int c;

	*o = (struct options) { .rate_hz = 20.0, .time_scale = 1.0 };
	ln2_params_default(&o->params);

	while ((c = getopt_long(argc, argv, "c:d:r:s:l:h", longopts, NULL)) >= 0) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'd':
			o->database = optarg;
			break;
		case 'r':
			o->root = optarg;
			break;
		case 'l':
			o->valve_log = optarg;
			break;
		case OPT_CONTROL:
			o->control = optarg;
			break;
		case 's':
			if (!sim_arg_double(optarg, 1e-3, 1e5, &o->time_scale))
				goto bad;
			break;
		case OPT_RATE:
			if (!sim_arg_double(optarg, 1.0, 200.0, &o->rate_hz))
				goto bad;
			break;
		case OPT_DO:
			if (o->n_commands == DO_MAX) {
				fprintf(stderr, "ln2-plant: at most %d --do commands\n", DO_MAX);
				return -EINVAL;
			}
			o->commands[o->n_commands++] = optarg;
			break;
		case OPT_TICKS:
			if (!sim_arg_ulong(optarg, 100000000UL, &o->ticks) || o->ticks == 0)
				goto bad;
			break;
		case OPT_SEED:
			if (!sim_arg_ulong(optarg, ULONG_MAX, &ul))
				goto bad;
			o->params.seed = ul;
			break;
		case OPT_NOISE:
			if (!sim_arg_ulong(optarg, 1000, &ul))
				goto bad;
			o->params.noise_mv = (int)ul;
			break;
		case OPT_LEVEL:
			if (!sim_arg_double(optarg, 0.0, 1.0, &o->params.detector_level))
				goto bad;
			break;
		case OPT_SUPPLY:
			if (!sim_arg_double(optarg, 0.0, o->params.supply_capacity_litres, &d))
				goto bad;
			o->params.supply_litres = d;
			break;
		case OPT_DETECTOR_FILL:
			if (!sim_arg_double(optarg, 1.0, 86400.0, &o->params.detector_fill_s))
				goto bad;
			break;
		case OPT_MANIFOLD_FILL:
			if (!sim_arg_double(optarg, 1.0, 86400.0, &o->params.manifold_fill_s))
				goto bad;
			break;
		case 'h':
			help(stdout);
			exit(EXIT_SUCCESS);
		default:
			help(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ln2-plant: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->config == !o->database) {
		fprintf(stderr, "ln2-plant: give exactly one of --config and --database\n");
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "ln2-plant: invalid value '%s' for %s (see --help)\n", optarg,
		argv[optind - 1]);
	return -EINVAL;
}

static int station_load(const struct options *o, struct station **ret)
{
	struct database_error err = {};
	struct diagnostics diagnostics;
	int r;

	if (o->database) {
		r = database_read_file(o->database, ret, &err);
		if (r < 0)
			fprintf(stderr, "ln2-plant: %s: %s\n", o->database,
				err.message[0] ? err.message : strerror(-r));
		return r;
	}
	diagnostics_init(&diagnostics);
	r = config_compile_file(o->config, &diagnostics, ret);
	diagnostics_print(&diagnostics, stderr);
	diagnostics_done(&diagnostics);
	if (r < 0)
		fprintf(stderr, "ln2-plant: %s: %s\n", o->config,
			r == -EINVAL ? "configuration has errors" : strerror(-r));
	return r;
}

static void control_reply(int r, const char *line, const char *reply)
{
	if (r < 0)
		printf("error: %s: %s\n", line, reply);
	else if (reply[0])
		printf("%s\n", reply);
	fflush(stdout);
}

static void control_line(const char *line, void *userdata)
{
	char reply[256];

	control_reply(ln2_control_execute(userdata, line, reply, sizeof(reply)), line, reply);
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int timer_open(double rate_hz)
{
	long period_ns = (long)(1e9 / rate_hz);
	struct itimerspec its = {
		.it_interval = { period_ns / 1000000000L, period_ns % 1000000000L },
		.it_value = { period_ns / 1000000000L, period_ns % 1000000000L },
	};
	int fd;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		safe_close(fd);
		return -errno;
	}
	return fd;
}

static int signals_open(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static int run(struct ln2_plant *p, const struct options *o, struct control_source *control)
{
	_cleanup_close_ int timer = -EBADF, signals = -EBADF;
	unsigned long ticks = 0;
	double last;

	signals = signals_open();
	if (signals < 0) {
		fprintf(stderr, "ln2-plant: signalfd: %s\n", strerror(-signals));
		return signals;
	}
	timer = timer_open(o->rate_hz);
	if (timer < 0) {
		fprintf(stderr, "ln2-plant: timerfd: %s\n", strerror(-timer));
		return timer;
	}
	/* Sensors warm and inputs set before anyone reads them: an ADC at
	 * 0 V would read as LN2 at every exhaust. */
	ln2_plant_tick(p, 1e-3);
	last = monotonic_s();

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = signals, .events = POLLIN },
			{ .fd = timer, .events = POLLIN },
			{ .fd = control->fd, .events = POLLIN },
		};

		if (poll(fds, control->fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ln2-plant: poll: %m\n");
			return -errno;
		}
		if (fds[0].revents) {
			struct signalfd_siginfo si;

			if (read(signals, &si, sizeof(si)) == sizeof(si))
				fprintf(stderr, "ln2-plant: %s, exiting\n", strsignal(si.ssi_signo));
			return 0;
		}
		if (fds[1].revents) {
			uint64_t expirations;
			double now = monotonic_s();

			if (read(timer, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
				return -errno;
			/* Real elapsed time, so a late tick still keeps the scale. */
			if (now > last)
				ln2_plant_tick(p, (now - last) * o->time_scale);
			last = now;
			if (o->ticks && ++ticks == o->ticks)
				return 0;
		}
		if (control->fd >= 0 && fds[2].revents) {
			int r = control_source_read(control, control_line, p);

			if (r == -EPIPE) {
				/* stdin closed: keep simulating, stop listening */
				control->fd = -EBADF;
			} else if (r < 0) {
				fprintf(stderr, "ln2-plant: control: %s\n", strerror(-r));
				return r;
			}
		}
	}
}

static void fclose_checked(FILE **f)
{
	if (*f && fclose(*f) != 0)
		fprintf(stderr, "ln2-plant: closing the valve log: %m\n");
}

int main(int argc, char *argv[])
{
	_cleanup_station_ struct station *station = NULL;
	_cleanup_plant_ struct plant *plant = NULL;
	_cleanup_ln2_plant_ struct ln2_plant *ln2 = NULL;
	_cleanup_(fclose_checked) FILE *valve_log = NULL;
	struct control_source control = { .fd = -EBADF };
	struct options o;
	char reply[256];
	int r;

	if (options_parse(argc, argv, &o) < 0)
		return EXIT_USAGE;
	/* A closed reader of our stdout must not kill the plant. */
	signal(SIGPIPE, SIG_IGN);

	if (station_load(&o, &station) < 0)
		return EXIT_FAILURE;
	r = plant_open(o.root, &plant);
	if (r < 0) {
		fprintf(stderr, "ln2-plant: plant root %s: %s\n",
			o.root ? o.root : getenv(PLANT_ROOT_ENV) ? getenv(PLANT_ROOT_ENV) :
			PLANT_DEFAULT_ROOT, strerror(-r));
		return EXIT_FAILURE;
	}
	if (o.valve_log) {
		valve_log = fopen(o.valve_log, "we");
		if (!valve_log) {
			fprintf(stderr, "ln2-plant: %s: %m\n", o.valve_log);
			return EXIT_FAILURE;
		}
	}
	r = ln2_plant_new(station, plant, &o.params, valve_log, &ln2);
	if (r < 0) {
		if (r != -ENOENT)
			fprintf(stderr, "ln2-plant: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < o.n_commands; i++) {
		r = ln2_control_execute(ln2, o.commands[i], reply, sizeof(reply));
		if (r < 0) {
			fprintf(stderr, "ln2-plant: --do '%s': %s\n", o.commands[i], reply);
			return EXIT_USAGE;
		}
		control_reply(r, o.commands[i], reply);
	}
	if (control_source_open("ln2-plant", o.control, &control) < 0)
		return EXIT_FAILURE;

	fprintf(stderr, "ln2-plant: %zu detectors, %zu manifolds, %zu cards under %s; "
		"%.0f Hz, time scale %g\n", station->n_detectors, station->n_manifolds,
		station->n_cards, plant_root(plant), o.rate_hz, o.time_scale);
	r = run(ln2, &o, &control);
	control_source_close(&control);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
