// SPDX-License-Identifier: GPL-2.0
/*
 * stationctl: the systemctl of the station (stationctl(1)). Reads the
 * station with one GetManagedObjects, checks every argument before
 * anything is sent (targets with the daemon's own parser, times and
 * numbers naming the bad part), asks YES/NO before acting on several
 * detectors unless --yes, calls the daemon's methods over sd-bus, and
 * exits with the LSB codes (exit-status.h).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "daemon/bus/bus-errors.h"
#include "daemon/clients/ccd-command.h"
#include "daemon/clients/exit-status.h"
#include "daemon/clients/history-plot.h"
#include "daemon/clients/json-writer.h"
#include "daemon/clients/operator-command.h"
#include "daemon/clients/station-model.h"
#include "daemon/clients/stationctl-args.h"
#include "daemon/clients/stationctl-output.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/version.h"

#define AUTOFILL_PATH "/org/stationd1/autofill"
#define AUTOFILL_INTERFACE "org.stationd1.Autofill"
#define CRYOSTREAM_INTERFACE "org.stationd1.Cryostream"
#define CALL_TIMEOUT_USEC (UINT64_C(60) * 1000000)
/* A CCD method returns when the controller has done it: SyncClock takes
 * up to 70 s (the seed, §5.6), a Setup sends every setting. */
#define CCD_CALL_TIMEOUT_USEC (UINT64_C(180) * 1000000)

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int fail(int status, const char *format, ...) _printf_(2, 3);
static int fail(int status, const char *format, ...)
{
	va_list ap;

	fputs("stationctl: ", stderr);
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* A failed call: its message, and its LSB exit status. */
static int fail_call(const char *what, const sd_bus_error *error, int r)
{
	if (sd_bus_error_is_set(error))
		return fail(exit_status_of_error(error, r), "%s: %s", what,
			    error->message ? error->message : error->name);
	return fail(exit_status_of_error(error, r), "%s: %s", what, strerror(-r));
}

static int load(struct stationctl *c, struct station_model **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = model_load(c->bus, ret, &error);
	if (r < 0)
		return fail_call("cannot read the station from stationd", &error, r);
	return 0;
}

static void json_open(struct stationctl *c, struct json_writer *w)
{
	json_begin(w, stdout, c->json == JSON_PRETTY);
}

/* ---------------------------------------------------------- read verbs */

static int verb_status(struct stationctl *c, int argc, char **argv)
{
	_cleanup_model_ struct station_model *m = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = model_load(c->bus, &m, &error);
	if (r < 0) {
		/* LSB: status of a program that is not running is 3. */
		int status = exit_status_of_error(&error, r);

		fail_call("stationd", &error, r);
		return status == EXIT_STATUS_NOT_RUNNING ? EXIT_STATUS_NOT_IMPLEMENTED : status;
	}
	if (c->json) {
		struct json_writer w;

		json_open(c, &w);
		output_status_json(&w, m);
		json_end(&w);
	} else {
		output_status(stdout, m, now_usec());
	}
	return 0;
}

static int verb_list(struct stationctl *c, int argc, char **argv)
{
	_cleanup_model_ struct station_model *m = NULL;
	struct json_writer w;
	const char *what = argv[0] + strlen("list-");
	int r;

	r = load(c, &m);
	if (r)
		return r;
	if (c->json)
		json_open(c, &w);
	if (strcmp(what, "detectors") == 0) {
		if (c->json)
			output_detectors_json(&w, m);
		else
			r = output_detectors(stdout, m, c->legend);
	} else if (strcmp(what, "manifolds") == 0) {
		if (c->json)
			output_manifolds_json(&w, m);
		else
			r = output_manifolds(stdout, m, c->legend);
	} else {
		if (c->json)
			output_cards_json(&w, m);
		else
			r = output_cards(stdout, m, c->legend);
	}
	if (c->json)
		json_end(&w);
	return r < 0 ? fail(EXIT_STATUS_FAILURE, "%s", strerror(-r)) : 0;
}

static int verb_show(struct stationctl *c, int argc, char **argv)
{
	_cleanup_model_ struct station_model *m = NULL;
	const struct model_detector *d = NULL;
	const struct model_manifold *mf = NULL;
	const struct model_card *card = NULL;
	struct json_writer w;
	uint32_t number;
	int r;

	r = load(c, &m);
	if (r)
		return r;
	if (parse_detector_number(argv[1], &number) == 0)
		d = model_find_detector(m, number);
	else if (!(mf = model_find_manifold(m, argv[1])))
		card = model_find_card(m, argv[1]);
	if (!d && !mf && !card)
		return fail(EXIT_STATUS_NOT_INSTALLED,
			    "show: \"%s\" is not a configured detector, manifold or card", argv[1]);
	if (c->json) {
		json_open(c, &w);
		if (d)
			output_detector_json(&w, d);
		else if (mf)
			output_manifold_json(&w, mf);
		else
			output_card_json(&w, card);
		json_end(&w);
	} else if (d) {
		output_detector(stdout, d, now_usec());
	} else if (mf) {
		output_manifold(stdout, mf, now_usec());
	} else {
		output_card(stdout, card);
	}
	return 0;
}

/* ---------------------------------------------------------- commands */

/* YES/NO before acting on several detectors, as the seed wants; what:
 * "fill B: 6 detectors". */
static bool confirmed_what(const struct stationctl *c, const char *what)
{
	char answer[16];

	if (c->yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		fail(0, "%s: confirm with --yes", what);
		return false;
	}
	fprintf(stderr, "%s. Continue? [yes/no] ", what);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	answer[strcspn(answer, "\n")] = 0;
	return strcasecmp(answer, "yes") == 0 || strcasecmp(answer, "y") == 0;
}

static bool confirmed(const struct stationctl *c, const char *verb, const char *targets,
		      size_t n)
{
	char what[256];

	snprintf(what, sizeof(what), "%s %s names %zu detectors", verb, targets, n);
	return confirmed_what(c, what);
}

/* Check the command as the daemon will, ask YES/NO when due, then send
 * it. */
static int run_command(struct stationctl *c, const struct operator_command *cmd)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_model_ struct station_model *model = NULL;
	const char *verb = operator_verb_name(cmd->verb);
	bool needs_confirmation;
	char why[256];
	size_t n;
	int r;

	if (operator_command_check(cmd, why, sizeof(why)) < 0)
		return fail(EXIT_STATUS_INVALID_ARGUMENT, "%s: %s", verb, why);
	r = load(c, &model);
	if (r)
		return r;
	r = operator_targets_check(model, cmd->targets, &n, &needs_confirmation, why, sizeof(why));
	if (r == -ENOMEM)
		return fail(EXIT_STATUS_FAILURE, "out of memory");
	if (r < 0)
		return fail(EXIT_STATUS_INVALID_ARGUMENT, "%s: targets %s", verb, why);
	if (needs_confirmation && !confirmed(c, verb, cmd->targets, n))
		return EXIT_STATUS_FAILURE;
	r = operator_command_message(c->bus, cmd, c->ask_password, &m);
	if (r >= 0)
		r = sd_bus_call(c->bus, m, CALL_TIMEOUT_USEC, &error, &reply);
	if (r < 0)
		return fail_call(verb, &error, r);
	return 0;
}

static int verb_fill(struct stationctl *c, int argc, char **argv)
{
	return run_command(c, &(struct operator_command){
		.verb = OPERATOR_FILL, .targets = argv[1], .times = argv + 2,
		.n_times = (size_t)(argc - 2),
	});
}

static int verb_preset(struct stationctl *c, int argc, char **argv)
{
	return run_command(c, &(struct operator_command){
		.verb = OPERATOR_PRESET, .targets = argv[1], .times = argv + 2,
		.n_times = (size_t)(argc - 2), .preset_mode = c->preset_mode,
	});
}

static int verb_delay(struct stationctl *c, int argc, char **argv)
{
	uint32_t minutes;
	char why[128];

	if (parse_minutes(argv[2], &minutes, why, sizeof(why)) < 0)
		return fail(EXIT_STATUS_INVALID_ARGUMENT, "delay: minutes \"%s\": %s", argv[2], why);
	return run_command(c, &(struct operator_command){
		.verb = OPERATOR_DELAY, .targets = argv[1], .minutes = minutes,
	});
}

static int verb_targets_only(struct stationctl *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		enum operator_verb verb;
	} verbs_of[] = {
		{ "avoid", OPERATOR_AVOID },
		{ "unavoid", OPERATOR_UNAVOID },
		{ "cancel", OPERATOR_CANCEL },
		{ "clear", OPERATOR_CLEAR },
	};

	for (size_t i = 0; i < ELEMENTSOF(verbs_of); i++)
		if (strcmp(argv[0], verbs_of[i].name) == 0)
			return run_command(c, &(struct operator_command){
				.verb = verbs_of[i].verb, .targets = argv[1],
			});
	return fail(EXIT_STATUS_INVALID_ARGUMENT, "unknown command \"%s\"", argv[0]);
}

/* ---------------------------------------------------------- history */

static int verb_history(struct stationctl *c, int argc, char **argv)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_free_ struct plot_point *points = NULL;
	char path[64];
	struct json_writer w;
	size_t n = 0, size = 0;
	uint32_t number = 0;
	int r;

	if (argc > 1) {
		if (parse_detector_number(argv[1], &number) < 0)
			return fail(EXIT_STATUS_INVALID_ARGUMENT,
				    "history: \"%s\" is not a detector number", argv[1]);
		snprintf(path, sizeof(path), "/org/stationd1/detector/%" PRIu32, number);
		r = sd_bus_call_method(c->bus, MODEL_BUS_NAME, path, "org.stationd1.Detector",
				       "FillHistory", &error, &reply, "u", 0);
	} else {
		r = sd_bus_call_method(c->bus, MODEL_BUS_NAME, AUTOFILL_PATH, AUTOFILL_INTERFACE,
				       "FillHistory", &error, &reply, "t", UINT64_C(0));
	}
	if (r < 0)
		return fail_call("history", &error, r);
	r = sd_bus_message_enter_container(reply, 'a', argc > 1 ? "(tttsd)" : "(otttsd)");
	if (r < 0)
		return fail(EXIT_STATUS_FAILURE, "history: unexpected reply");
	if (c->json) {
		json_open(c, &w);
		json_array_begin(&w);
	} else if (c->legend) {
		printf("%-9s  %-19s  %-12s  %-11s  %s\n", "DETECTOR", "START", "DURATION", "RESULT",
		       "LOWEST");
	}
	for (;;) {
		const char *object = path, *result;
		uint64_t start, end, duration;
		double lowest;
		char a[32], b[32];

		r = sd_bus_message_enter_container(reply, 'r', argc > 1 ? "tttsd" : "otttsd");
		if (r <= 0)
			break;
		if (argc <= 1)
			r = sd_bus_message_read(reply, "o", &object);
		if (r >= 0)
			r = sd_bus_message_read(reply, "tttsd", &start, &end, &duration, &result,
						&lowest);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r < 0)
			break;
		if (c->json) {
			json_object_begin(&w);
			json_key(&w, "Detector");
			json_uint(&w, strtoul(strrchr(object, '/') + 1, NULL, 10));
			json_key(&w, "StartTimestamp");
			json_uint(&w, start);
			json_key(&w, "EndTimestamp");
			json_uint(&w, end);
			json_key(&w, "DurationUSec");
			json_uint(&w, duration);
			json_key(&w, "Result");
			json_string(&w, result);
			json_key(&w, "LowestVolts");
			json_double(&w, lowest);
			json_object_end(&w);
		} else {
			char low[16] = "-";

			if (!isnan(lowest))
				snprintf(low, sizeof(low), "%.3f V", lowest);
			printf("%-9s  %-19s  %-12s  %-11s  %s\n", strrchr(object, '/') + 1,
			       format_timestamp(start, a), format_duration(duration, b), result,
			       low);
		}
		if (n == size) {
			struct plot_point *grown;

			size = size ? 2 * size : 64;
			grown = realloc(points, size * sizeof(*points));
			if (!grown)
				return fail(EXIT_STATUS_FAILURE, "out of memory");
			points = grown;
		}
		points[n++] = (struct plot_point){
			.time_s = (int64_t)(start / 1000000),
			.minutes = duration / 60e6,
			.mark = strcmp(result, "full") == 0 ? '*' :
				strcmp(result, "underfull") == 0 ? 'u' : 'x',
		};
	}
	if (r < 0)
		return fail(EXIT_STATUS_FAILURE, "history: unexpected reply: %s", strerror(-r));
	if (c->json) {
		json_array_end(&w);
		json_end(&w);
		return 0;
	}
	if (n == 0) {
		printf("No fills recorded.\n");
		return 0;
	}
	putchar('\n');
	history_plot(stdout, points, n, 60, 10);
	return 0;
}

/* ---------------------------------------------------------- monitor */

static int on_signal_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const struct stationctl *c = userdata;
	const char *path = sd_bus_message_get_path(m), *member = sd_bus_message_get_member(m);
	const char *interface = sd_bus_message_get_interface(m);
	char text[1024], stamp[32];

	/* The Autofill's signals say everything once; the per-object copies
	 * and property changes of exhaust voltages would repeat it. */
	if (strcmp(interface, "org.freedesktop.DBus.Properties") == 0) {
		const char *changed;

		if (strcmp(path, AUTOFILL_PATH) != 0 ||
		    sd_bus_message_read(m, "s", &changed) < 0)
			return 0;
	} else if (strcmp(interface, "org.stationd1.Detector") == 0 ||
		   strcmp(interface, "org.stationd1.Manifold") == 0) {
		return 0;
	}
	sd_bus_message_rewind(m, true);
	if (c->json) {
		struct json_writer w;

		json_begin(&w, stdout, false);
		json_object_begin(&w);
		json_key(&w, "Timestamp");
		json_uint(&w, now_usec());
		json_key(&w, "Path");
		json_string(&w, path);
		json_key(&w, "Member");
		json_string(&w, member);
		json_key(&w, "Arguments");
		json_string(&w, monitor_arguments_text(m, text, sizeof(text)));
		json_object_end(&w);
		json_end(&w);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		printf("%s %s\n", stamp, monitor_describe(m, text, sizeof(text)));
	}
	fflush(stdout);
	return 0;
}

static int verb_monitor(struct stationctl *c, int argc, char **argv)
{
	_cleanup_(sd_event_unrefp) sd_event *event = NULL;
	sigset_t mask;
	int r;

	r = sd_event_default(&event);
	if (r >= 0) {
		sigemptyset(&mask);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigprocmask(SIG_BLOCK, &mask, NULL);
		r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
	}
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_bus_match_signal(c->bus, NULL, MODEL_BUS_NAME, NULL, NULL, NULL,
					on_signal_message, c);
	if (r >= 0)
		r = sd_bus_attach_event(c->bus, event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return fail(EXIT_STATUS_FAILURE, "monitor: %s", strerror(-r));
	if (!c->json && c->legend)
		printf("Monitoring stationd's signals; Ctrl-C ends.\n");
	fflush(stdout);
	r = sd_event_loop(event);
	sd_bus_detach_event(c->bus);
	return r < 0 ? fail(EXIT_STATUS_FAILURE, "monitor: %s", strerror(-r)) : 0;
}

/* ---------------------------------------------------------- cryostream */

static int verb_cryostream(struct stationctl *c, int argc, char **argv)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_model_ struct station_model *model = NULL;
	const struct model_cryostream *cs;
	const struct cryostream_command *cmd;
	const char *action = argc > 2 ? argv[2] : "status";
	char why[128];
	int r;

	r = load(c, &model);
	if (r)
		return r;
	cs = model_find_cryostream(model, argv[1]);
	if (!cs)
		return fail(EXIT_STATUS_NOT_INSTALLED, "cryostream: \"%s\" is not configured%s",
			    argv[1], model->n_cryostreams ? "" : " (none is)");
	if (strcmp(action, "status") == 0) {
		if (argc > 3)
			return fail(EXIT_STATUS_INVALID_ARGUMENT, "cryostream status takes no argument");
		if (c->json) {
			struct json_writer w;

			json_open(c, &w);
			json_object_begin(&w);
			json_key(&w, "Name");
			json_string(&w, cs->name);
			json_key(&w, "Connected");
			json_boolean(&w, cs->connected);
			json_key(&w, "GasTemperature");
			json_double(&w, cs->gas_temperature);
			json_key(&w, "SetPoint");
			json_double(&w, cs->set_point);
			json_key(&w, "TargetTemperature");
			json_double(&w, cs->target_temperature);
			json_key(&w, "RunModeName");
			json_string(&w, cs->run_mode);
			json_key(&w, "PhaseName");
			json_string(&w, cs->phase);
			json_key(&w, "AlarmName");
			json_string(&w, cs->alarm);
			json_object_end(&w);
			json_end(&w);
		} else {
			printf("Cryostream %s: %s\n", cs->name, cs->connected ? "connected" :
			       "not connected");
			printf("  Gas: %.2f K, set point %.2f K, target %.2f K\n",
			       cs->gas_temperature, cs->set_point, cs->target_temperature);
			printf("  Run mode: %s, phase: %s, alarm: %s\n", cs->run_mode ? cs->run_mode : "-",
			       cs->phase ? cs->phase : "-",
			       cs->alarm && *cs->alarm ? cs->alarm : "none");
		}
		return 0;
	}
	cmd = cryostream_command_find(action);
	if (!cmd)
		return fail(EXIT_STATUS_INVALID_ARGUMENT,
			    "cryostream: \"%s\" is not a command (status, %s)", action,
			    cryostream_command_names());
	r = sd_bus_message_new_method_call(c->bus, &m, MODEL_BUS_NAME, cs->path,
					   CRYOSTREAM_INTERFACE, cmd->method);
	if (r >= 0)
		r = sd_bus_message_set_allow_interactive_authorization(m, c->ask_password);
	if (r < 0)
		return fail(EXIT_STATUS_FAILURE, "cryostream: %s", strerror(-r));
	r = cryostream_command_append(cmd, m, argc - 3, argv + 3, why, sizeof(why));
	if (r < 0)
		return fail(EXIT_STATUS_INVALID_ARGUMENT, "cryostream %s %s: %s", argv[1], action, why);
	r = sd_bus_call(c->bus, m, CALL_TIMEOUT_USEC, &error, &reply);
	if (r < 0)
		return fail_call(action, &error, r);
	return 0;
}

/* ---------------------------------------------------------- ccd */

struct ccd_run_wait {
	bool ended, daemon_gone;
	uint32_t elapsed_ms;
	char result[32];
	char file[512];
};

static int on_run_ended(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct ccd_run_wait *wait = userdata;
	const char *result, *file;
	uint32_t elapsed_ms;

	if (sd_bus_message_read(m, "sus", &result, &elapsed_ms, &file) < 0)
		return 0;
	wait->ended = true;
	wait->elapsed_ms = elapsed_ms;
	snprintf(wait->result, sizeof(wait->result), "%s", result);
	snprintf(wait->file, sizeof(wait->file), "%s", file);
	return 0;
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct ccd_run_wait *wait = userdata;

	if (model_owner_gone(m) > 0)
		wait->daemon_gone = true;
	return 0;
}

/* As the seed's RUN client: set the exposure, start the run (its number
 * once the controller started it), and wait for its end unless
 * --no-block. */
static int ccd_run(struct stationctl *c, const struct model_ccd *ccd,
		   const struct ccd_request *req)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *ended = NULL, *owner = NULL;
	struct ccd_run_wait wait = {};
	uint32_t run;
	int r;

	if (req->has_exposure) {
		r = sd_bus_message_new_method_call(c->bus, &m, MODEL_BUS_NAME, ccd->path,
						   CCD_INTERFACE, "SetExposureTime");
		if (r >= 0)
			r = sd_bus_message_set_allow_interactive_authorization(m, c->ask_password);
		if (r >= 0)
			r = sd_bus_message_append(m, "u", req->ms);
		if (r >= 0)
			r = sd_bus_call(c->bus, m, CCD_CALL_TIMEOUT_USEC, &error, NULL);
		/* The controller has that exposure already: nothing to send. */
		if (r < 0 && !sd_bus_error_has_name(&error, "org.stationd1.Error.AlreadyThere"))
			return fail_call("exposure time", &error, r);
		sd_bus_error_free(&error);
		m = sd_bus_message_unref(m);
	}
	r = sd_bus_match_signal(c->bus, &ended, MODEL_BUS_NAME, ccd->path, CCD_INTERFACE,
				"RunEnded", on_run_ended, &wait);
	if (r >= 0)
		r = model_watch_owner(c->bus, &owner, on_owner_changed, &wait);
	if (r >= 0)
		r = sd_bus_message_new_method_call(c->bus, &m, MODEL_BUS_NAME, ccd->path,
						   CCD_INTERFACE, "StartRun");
	if (r >= 0)
		r = sd_bus_message_set_allow_interactive_authorization(m, c->ask_password);
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", req->run_type, req->title);
	if (r < 0)
		return fail(EXIT_STATUS_FAILURE, "run: %s", strerror(-r));
	r = sd_bus_call(c->bus, m, CCD_CALL_TIMEOUT_USEC, &error, &reply);
	if (r >= 0)
		r = sd_bus_message_read(reply, "u", &run);
	if (r < 0)
		return fail_call(req->run_type, &error, r);
	if (run)
		printf("Run %" PRIu32 " started: %s \"%s\"\n", run, req->run_type,
		       *req->title ? req->title : req->run_type);
	else
		printf("%s started: \"%s\"\n", req->run_type, *req->title ? req->title : req->run_type);
	fflush(stdout);
	if (c->no_block)
		return 0;
	while (!wait.ended && !wait.daemon_gone) {
		r = sd_bus_process(c->bus, NULL);
		if (r < 0)
			return fail(EXIT_STATUS_FAILURE, "waiting for the run's end: %s", strerror(-r));
		if (r == 0 && (r = sd_bus_wait(c->bus, UINT64_MAX)) < 0)
			return fail(EXIT_STATUS_FAILURE, "waiting for the run's end: %s", strerror(-r));
	}
	if (!wait.ended)
		return fail(EXIT_STATUS_NOT_RUNNING, "stationd left the bus during the run");
	printf("%s after %" PRIu32 ".%03" PRIu32 " s%s%s\n", wait.result, wait.elapsed_ms / 1000,
	       wait.elapsed_ms % 1000, *wait.file ? ": " : "", wait.file);
	return strcmp(wait.result, "complete") == 0 ? 0 : EXIT_STATUS_FAILURE;
}

static int verb_ccd(struct stationctl *c, int argc, char **argv)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_model_ struct station_model *model = NULL;
	const struct model_ccd *ccd;
	struct ccd_request req;
	char why[256];
	int r;

	r = load(c, &model);
	if (r)
		return r;
	ccd = model_find_ccd(model, argv[1]);
	if (!ccd)
		return fail(EXIT_STATUS_NOT_INSTALLED, "ccd: \"%s\" is not configured%s", argv[1],
			    model->n_ccds ? "" : " (none is)");
	if (ccd_request_parse(&ccd->format, argc - 2, argv + 2, &req, why, sizeof(why)) < 0)
		return fail(EXIT_STATUS_INVALID_ARGUMENT, "ccd %s: %s", argv[1], why);
	switch (req.action) {
	case CCD_ACTION_STATUS:
	case CCD_ACTION_SETTINGS:
		if (c->json) {
			struct json_writer w;

			json_open(c, &w);
			output_ccd_json(&w, ccd);
			json_end(&w);
		} else if (req.action == CCD_ACTION_STATUS) {
			output_ccd(stdout, ccd);
		} else {
			output_ccd_settings(stdout, ccd);
		}
		return 0;
	case CCD_ACTION_RUN:
		return ccd_run(c, ccd, &req);
	case CCD_ACTION_CALL:
		break;
	}
	if (req.confirm) {
		char what[128];

		snprintf(what, sizeof(what), "reset the controller of CCD %s (setup is needed after)",
			 ccd->name);
		if (!confirmed_what(c, what))
			return EXIT_STATUS_FAILURE;
	}
	r = sd_bus_message_new_method_call(c->bus, &m, MODEL_BUS_NAME, ccd->path, CCD_INTERFACE,
					   req.method);
	if (r >= 0)
		r = sd_bus_message_set_allow_interactive_authorization(m, c->ask_password);
	if (r >= 0)
		r = ccd_request_append(&req, m);
	if (r >= 0)
		r = sd_bus_call(c->bus, m, CCD_CALL_TIMEOUT_USEC, &error, NULL);
	if (r < 0)
		return fail_call(argv[2], &error, r);
	return 0;
}

/* ---------------------------------------------------------- main */

static const struct verb verbs[] = {
	{ "status", 0, 0, verb_status },
	{ "list-detectors", 0, 0, verb_list },
	{ "list-manifolds", 0, 0, verb_list },
	{ "list-cards", 0, 0, verb_list },
	{ "show", 1, 1, verb_show },
	{ "fill", 1, 2, verb_fill },
	{ "preset", 1, 1 + PRESETS_MAX, verb_preset },
	{ "delay", 2, 2, verb_delay },
	{ "avoid", 1, 1, verb_targets_only },
	{ "unavoid", 1, 1, verb_targets_only },
	{ "cancel", 1, 1, verb_targets_only },
	{ "clear", 1, 1, verb_targets_only },
	{ "history", 0, 1, verb_history },
	{ "monitor", 0, 0, verb_monitor },
	{ "cryostream", 1, 4, verb_cryostream },
	{ "ccd", 1, 8, verb_ccd },
	{}
};

int main(int argc, char **argv)
{
	struct stationctl c = { .legend = true, .ask_password = true, .pager = true };
	const struct verb *verb = NULL;
	char why[256];
	int r, first;

	r = stationctl_parse_args(argc, argv, verbs, &c, &verb, &first, why, sizeof(why));
	if (r < 0)
		return fail(EXIT_STATUS_INVALID_ARGUMENT, "%s (see --help)", why);
	if (r == 0)
		return EXIT_STATUS_OK;	/* --help, --version */
	if (!isatty(STDIN_FILENO))
		c.ask_password = false;
	bus_errors_register();
	/* $DBUS_SYSTEM_BUS_ADDRESS is honoured. */
	r = sd_bus_open_system(&c.bus);
	if (r < 0) {
		int status = exit_status_of_error(NULL, r);

		fail(status, "cannot connect to the system bus: %s", strerror(-r));
		/* LSB: status of a program that is not running is 3. */
		return verb->run == verb_status && status == EXIT_STATUS_NOT_RUNNING ?
			EXIT_STATUS_NOT_IMPLEMENTED : status;
	}
	if (c.pager)
		pager_open(&c);
	r = verb->run(&c, argc - first, argv + first);
	fflush(stdout);
	pager_close(&c);
	sd_bus_flush_close_unref(c.bus);
	return r;
}
