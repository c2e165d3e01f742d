// SPDX-License-Identifier: GPL-2.0
/*
 * stationctl without a daemon: its command line (options, verbs, argument
 * counts, numbers, Cryostream and CCD commands, each error naming the bad
 * part),
 * the station model read from a GetManagedObjects reply, the target
 * syntax checked against it with the daemon's parser, the text output
 * compared with golden files (tests/unit/golden/, TZ=UTC), and the JSON
 * output parsed back by json-c.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "daemon/autofill/targets.h"
#include "daemon/clients/ccd-command.h"
#include "daemon/clients/history-plot.h"
#include "daemon/clients/json-writer.h"
#include "daemon/clients/station-model.h"
#include "daemon/clients/stationctl-args.h"
#include "daemon/clients/stationctl-output.h"
#include "daemon/shared/macro.h"
#include "tests/unit/client-fixture.h"


static int setup(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	*state = client_fixture_model();
	return 0;
}

static int teardown(void **state)
{
	model_free(*state);
	return 0;
}

static void test_model(void **state)
{
	const struct station_model *m = *state;
	const struct model_detector *d;

	assert_int_equal(m->n_detectors, 6);
	assert_int_equal(m->n_manifolds, 2);
	assert_string_equal(m->manifolds[0].name, "A");	/* sorted */
	assert_string_equal(m->state, "filling");
	assert_string_equal(m->version, "0.2");
	assert_true(m->alarm);
	d = model_find_detector(m, 5);
	assert_non_null(d);
	assert_string_equal(d->manifold, "B");
	assert_true(model_has_status(d->status, "underfull"));
	assert_string_equal(d->presets[1], "18:00");
	assert_true(isnan(model_find_detector(m, 6)->exhaust_volts));
	assert_null(model_find_detector(m, 7));
	assert_non_null(model_find_manifold(m, "b"));
	assert_non_null(model_find_cryostream(m, "CS0"));
	assert_int_equal(m->n_cards, 2);
	assert_int_equal(m->cards[0].address, 0x800);
	assert_string_equal(m->cards[0].detectors[1], "/org/stationd1/detector/2");
	assert_true(m->cards[0].configured);
	assert_int_equal(m->cards[0].n_channels, 6);
	assert_string_equal(m->cards[0].channels[4].function, "input-valve");
	assert_string_equal(m->cards[0].channels[4].object, "/org/stationd1/manifold/A");
	assert_string_equal(m->cards[0].spare_channels[2], "8");
	assert_false(m->cards[1].configured);
	assert_int_equal(m->cards[1].conversion_timeouts, 3);
	assert_null(m->cards[1].channels);
	assert_non_null(model_find_card(m, "xvme0-1000"));
}

/* ------------------------------------------------------------ targets */

static int parse(const struct station_model *m, const char *text, struct target_set *set,
		 char *why, size_t size)
{
	struct station *s = model_station(m);
	int r;

	assert_non_null(s);
	r = targets_parse(s, text, set, why, size);
	station_free(s);
	return r;
}

static void test_targets(void **state)
{
	const struct station_model *m = *state;
	struct target_set set = {};
	char why[256];

	assert_int_equal(parse(m, "2", &set, why, sizeof(why)), 0);
	assert_int_equal(set.n_detectors, 1);
	assert_false(set.needs_confirmation);
	target_set_done(&set);
	assert_int_equal(parse(m, "b", &set, why, sizeof(why)), 0);
	assert_int_equal(set.n_detectors, 3);
	assert_true(set.needs_confirmation);	/* a manifold: YES/NO */
	target_set_done(&set);
	assert_int_equal(parse(m, "1-2,B", &set, why, sizeof(why)), 0);
	assert_int_equal(set.n_detectors, 5);
	target_set_done(&set);
	assert_int_equal(parse(m, "all", &set, why, sizeof(why)), 0);
	assert_int_equal(set.n_detectors, 6);
	assert_true(set.needs_confirmation);
	target_set_done(&set);
	assert_int_equal(parse(m, "7", &set, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "detector 7 is not configured"));
	assert_int_equal(parse(m, "1-", &set, why, sizeof(why)), -EINVAL);
	if (!strstr(why, "column 3"))
		fail_msg("%s", why);
	assert_int_equal(parse(m, "C", &set, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "manifold C is not configured"));
	assert_int_equal(parse(m, "1,A", &set, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "named twice"));
}

/* ------------------------------------------------------------ arguments */

static int noop(struct stationctl *c, int argc, char **argv)
{
	return 0;
}

static const struct verb verbs[] = {
	{ "status", 0, 0, noop },
	{ "fill", 1, 2, noop },
	{ "preset", 1, 5, noop },
	{ "delay", 2, 2, noop },
	{}
};

static int args(struct stationctl *c, char *why, const struct verb **verb, int *first, ...)
{
	char *argv[16] = { (char *)"stationctl" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	*c = (struct stationctl){ .legend = true, .pager = true, .ask_password = true };
	return stationctl_parse_args(argc, argv, verbs, c, verb, first, why, 256);
}

static void test_arguments(void **state)
{
	struct stationctl c;
	const struct verb *verb;
	char why[256];
	int first;

	assert_int_equal(args(&c, why, &verb, &first, "--no-pager", "--json=pretty", "status",
			      NULL), 1);
	assert_string_equal(verb->name, "status");
	assert_false(c.pager);
	assert_int_equal(c.json, JSON_PRETTY);
	/* Options after the verb count too. */
	assert_int_equal(args(&c, why, &verb, &first, "fill", "B", "--yes", "--no-legend", NULL), 1);
	assert_true(c.yes);
	assert_false(c.legend);
	assert_int_equal(args(&c, why, &verb, &first, "preset", "7", "--add", "06:00", NULL), 1);
	assert_int_equal(c.preset_mode, OPERATOR_PRESET_ADD);
	assert_int_equal(args(&c, why, &verb, &first, NULL), -EINVAL);
	assert_string_equal(why, "no command given");
	assert_int_equal(args(&c, why, &verb, &first, "fil", "7", NULL), -EINVAL);
	assert_string_equal(why, "unknown command \"fil\"");
	assert_int_equal(args(&c, why, &verb, &first, "delay", "7", NULL), -EINVAL);
	assert_string_equal(why, "delay takes 2 arguments, 1 given");
	assert_int_equal(args(&c, why, &verb, &first, "fill", NULL), -EINVAL);
	assert_string_equal(why, "fill takes 1 to 2 arguments, 0 given");
	assert_int_equal(args(&c, why, &verb, &first, "--json=long", "status", NULL), -EINVAL);
	assert_string_equal(why, "--json=long: expected short, pretty or off");
	assert_int_equal(args(&c, why, &verb, &first, "--frobnicate", "status", NULL), -EINVAL);
	assert_string_equal(why, "unknown option '--frobnicate'");
	assert_int_equal(args(&c, why, &verb, &first, "fill", "7", "--clear", NULL), -EINVAL);
	assert_string_equal(why, "--add and --clear are options of preset only");
}

static void test_numbers(void **state)
{
	uint32_t v;
	char why[128];

	assert_int_equal(parse_detector_number("72", &v), 0);
	assert_int_equal(v, 72);
	assert_int_equal(parse_detector_number("0", &v), -EINVAL);
	assert_int_equal(parse_detector_number("07", &v), -EINVAL);
	assert_int_equal(parse_detector_number("7a", &v), -EINVAL);
	assert_int_equal(parse_detector_number("100000", &v), -EINVAL);
	assert_int_equal(parse_minutes("30", &v, why, sizeof(why)), 0);
	assert_int_equal(v, 30);
	assert_int_equal(parse_minutes("3x", &v, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'x' at column 2 is not a digit");
	assert_int_equal(parse_minutes("1441", &v, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "a delay is 1 to 1440 minutes");
	assert_int_equal(parse_minutes("0", &v, why, sizeof(why)), -EINVAL);
}

static void test_cryostream_commands(void **state)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	sd_bus *bus = client_fixture_peer_bus();
	char why[128];
	char *ok[] = { (char *)"360", (char *)"100.5" }, *bad[] = { (char *)"fast" };
	char *turbo[] = { (char *)"maybe" };

	assert_null(cryostream_command_find("freeze"));
	assert_string_equal(cryostream_command_find("ramp")->method, "Ramp");
	assert_int_equal(sd_bus_message_new_method_call(bus, &m, NULL, "/", "x.y", "Z"), 0);
	assert_int_equal(cryostream_command_append(cryostream_command_find("ramp"), m, 2, ok, why,
						   sizeof(why)), 0);
	assert_int_equal(cryostream_command_append(cryostream_command_find("ramp"), m, 1, bad, why,
						   sizeof(why)), -EINVAL);
	assert_string_equal(why, "2 arguments expected: RATE_K_PER_H TARGET_K, 1 given");
	assert_int_equal(cryostream_command_append(cryostream_command_find("cool"), m, 1, bad, why,
						   sizeof(why)), -EINVAL);
	assert_string_equal(why, "\"fast\" is not a number");
	assert_int_equal(cryostream_command_append(cryostream_command_find("turbo"), m, 1, turbo,
						   why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "\"maybe\": expected on or off");
	/* The rest of the vendor's command set, by the daemon's method names
	 * (dbus/org.stationd1.Cryostream.xml) and signatures. */
	assert_string_equal(cryostream_command_find("regen")->method, "Regen");
	assert_string_equal(cryostream_command_find("interrupt-flow")->method, "InterruptFlow");
	assert_string_equal(cryostream_command_find("shield")->method, "RunShield");
	assert_string_equal(cryostream_command_find("flow-interrupt-time")->signature, "q");
	assert_string_equal(cryostream_command_find("autofill-stop-level")->method,
			    "SetAutofillStopLevel");
	assert_int_equal(cryostream_command_append(cryostream_command_find("autofill-refill-level"),
						   m, 1, (char *[]){ (char *)"30" }, why,
						   sizeof(why)), 0);
	assert_int_equal(cryostream_command_append(cryostream_command_find("flow-interrupt-time"),
						   m, 1, (char *[]){ (char *)"65536" }, why,
						   sizeof(why)), -EINVAL);
	assert_string_equal(why, "\"65536\" is not a whole number up to 65535");
	assert_int_equal(cryostream_command_append(cryostream_command_find("autofill-mode"), m, 1,
						   (char *[]){ (char *)"scheduled" }, why,
						   sizeof(why)), 0);
	assert_int_equal(cryostream_command_append(cryostream_command_find("autofill-mode"), m, 1,
						   (char *[]){ (char *)"sched" }, why,
						   sizeof(why)), -EINVAL);
	assert_string_equal(why, "\"sched\": expected manual|auto|scheduled");
	assert_int_equal(cryostream_command_append(cryostream_command_find("idle-shield-flow"), m,
						   1, (char *[]){ (char *)"auto" }, why,
						   sizeof(why)), 0);
	assert_int_equal(cryostream_command_append(cryostream_command_find("idle-shield-flow"), m,
						   1, (char *[]){ (char *)"" }, why,
						   sizeof(why)), -EINVAL);
	sd_bus_close_unref(bus);
}

/* The CCD actions: argv after "ccd NAME" -> the call, or why not. */
#define CCD_ARGV(...) ((char *[]){ __VA_ARGS__ })
#define CCD_PARSE(format, ...)								\
	ccd_request_parse(format, (int)ELEMENTSOF(CCD_ARGV(__VA_ARGS__)), CCD_ARGV(__VA_ARGS__),	\
			  &req, why, sizeof(why))

static void expect_ccd_refused(const struct model_ccd_format *format, int argc, char **argv,
			       const char *reason)
{
	struct ccd_request req;
	char why[256] = "";

	assert_int_equal(ccd_request_parse(format, argc, argv, &req, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, reason);
}
#define EXPECT_CCD_REFUSED(format, reason, ...)						\
	expect_ccd_refused(format, (int)ELEMENTSOF(CCD_ARGV(__VA_ARGS__)), CCD_ARGV(__VA_ARGS__), \
			   reason)

static void test_ccd_seconds(void **state)
{
	char why[128];
	uint32_t ms;

	assert_int_equal(parse_seconds_ms("2", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(parse_seconds_ms("1.5", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(parse_seconds_ms("0.001", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(parse_seconds_ms("0", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(parse_seconds_ms("86400", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(parse_seconds_ms("86400.001", CCD_EXPOSURE_MAX_MS, &ms, why,
					  sizeof(why)), -EINVAL);
	assert_string_equal(why, "at most 86400 s");
	assert_int_equal(parse_seconds_ms("99999999999999999999", CCD_EXPOSURE_MAX_MS, &ms, why,
					  sizeof(why)), -EINVAL);
	assert_string_equal(why, "at most 86400 s");
	assert_int_equal(parse_seconds_ms("1.2345", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "more than 3 decimals (a millisecond is the unit)");
	assert_int_equal(parse_seconds_ms("1.2.3", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "'.' at column 4 is not a digit");
	assert_int_equal(parse_seconds_ms(".5", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "'.' at column 1 is not a digit");
	assert_int_equal(parse_seconds_ms("-1", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "'-' at column 1 is not a digit");
	assert_int_equal(parse_seconds_ms("", CCD_EXPOSURE_MAX_MS, &ms, why, sizeof(why)), -EINVAL);
	assert_int_equal(parse_seconds_ms("3601", CCD_PREFLASH_MAX_MS, &ms, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "at most 3600 s");
}

static void test_ccd_actions(void **state)
{
	const struct station_model *m = *state;
	const struct model_ccd *ccd = model_find_ccd(m, "CCD1");
	const struct model_ccd_format *f;
	struct ccd_request req;
	char why[256];

	assert_non_null(ccd);
	assert_null(model_find_ccd(m, "ccd1"));	/* names are exact */
	f = &ccd->format;
	/* The model read the structured properties. */
	assert_int_equal(f->bin_x, 2);
	assert_true(f->windows_enabled);
	assert_true(f->window[0].valid);
	assert_int_equal(f->window[0].x2, 600);
	assert_false(f->window[1].valid);
	assert_int_equal(ccd->phase, 3);
	assert_string_equal(ccd->phase_name, "exposing");
	assert_int_equal(ccd->exposure_ms, 2500);

	assert_int_equal(ccd_request_parse(f, 0, NULL, &req, why, sizeof(why)), 0);
	assert_int_equal(req.action, CCD_ACTION_STATUS);
	assert_int_equal(CCD_PARSE(f, "settings"), 0);
	assert_int_equal(req.action, CCD_ACTION_SETTINGS);

	assert_int_equal(CCD_PARSE(f, "setup"), 0);
	assert_int_equal(req.action, CCD_ACTION_CALL);
	assert_string_equal(req.method, "Setup");
	assert_string_equal(req.text, "");
	assert_int_equal(CCD_PARSE(f, "setup", "TEK5"), 0);
	assert_string_equal(req.text, "TEK5");

	/* Settings: the whole format is sent, with one part changed. */
	assert_int_equal(CCD_PARSE(f, "settings", "bin", "3"), 0);
	assert_string_equal(req.method, "SetFormat");
	assert_int_equal(req.format.bin_x, 3);
	assert_int_equal(req.format.bin_y, 3);
	assert_true(req.format.window[0].valid);
	assert_int_equal(CCD_PARSE(f, "settings", "bin", "1", "4"), 0);
	assert_int_equal(req.format.bin_x, 1);
	assert_int_equal(req.format.bin_y, 4);
	assert_int_equal(CCD_PARSE(f, "settings", "window", "2", "10", "20", "30", "40"), 0);
	assert_true(req.format.window[1].valid);
	assert_int_equal(req.format.window[1].y1, 20);
	assert_int_equal(req.format.window[1].x2, 30);
	assert_int_equal(req.format.window[0].x1, 101);	/* the other window kept */
	assert_int_equal(CCD_PARSE(f, "settings", "window", "1", "off"), 0);
	assert_false(req.format.window[0].valid);
	assert_int_equal(req.format.window[0].x1, 0);
	assert_int_equal(CCD_PARSE(f, "settings", "disable-windows"), 0);
	assert_false(req.format.windows_enabled);
	assert_int_equal(req.format.bin_x, 2);
	assert_int_equal(CCD_PARSE(f, "settings", "readout-speed", "fast"), 0);
	assert_string_equal(req.method, "SetReadoutSpeed");
	assert_string_equal(req.text, "FAST");
	assert_int_equal(CCD_PARSE(f, "settings", "clear-speed", "Quick"), 0);
	assert_string_equal(req.method, "SetClearSpeed");
	assert_string_equal(req.text, "QUICK");
	assert_int_equal(CCD_PARSE(f, "settings", "exptime", "2.5"), 0);
	assert_string_equal(req.method, "SetExposureTime");
	assert_int_equal(req.ms, 2500);
	assert_int_equal(CCD_PARSE(f, "settings", "preflash", "0.1"), 0);
	assert_string_equal(req.method, "SetPreflash");
	assert_int_equal(req.ms, 100);

	/* Runs, as the seed's RUN client and its aliases. */
	assert_int_equal(CCD_PARSE(f, "run", "1.5"), 0);
	assert_int_equal(req.action, CCD_ACTION_RUN);
	assert_string_equal(req.run_type, "RUN");
	assert_true(req.has_exposure);
	assert_int_equal(req.ms, 1500);
	assert_string_equal(req.title, "");
	assert_int_equal(CCD_PARSE(f, "run", "ARC", "10", "Cu-Ar lamp"), 0);
	assert_string_equal(req.run_type, "ARC");
	assert_string_equal(req.title, "Cu-Ar lamp");
	assert_int_equal(CCD_PARSE(f, "run", "flat", "3"), 0);
	assert_string_equal(req.run_type, "FLAT");
	assert_int_equal(CCD_PARSE(f, "glance", "1"), 0);
	assert_string_equal(req.run_type, "GLANCE");
	assert_int_equal(CCD_PARSE(f, "scratch", "1", "focus"), 0);
	assert_string_equal(req.run_type, "SCRATCH");
	assert_int_equal(CCD_PARSE(f, "dark", "60"), 0);
	assert_string_equal(req.run_type, "DARK");
	assert_int_equal(CCD_PARSE(f, "bias"), 0);
	assert_string_equal(req.run_type, "BIAS");
	assert_false(req.has_exposure);	/* a bias has none */
	assert_int_equal(CCD_PARSE(f, "bias", "evening bias"), 0);
	assert_string_equal(req.title, "evening bias");

	assert_int_equal(CCD_PARSE(f, "runkick", "finish"), 0);
	assert_string_equal(req.method, "Finish");
	assert_int_equal(CCD_PARSE(f, "runkick", "continue"), 0);
	assert_string_equal(req.method, "Continue");
	assert_int_equal(CCD_PARSE(f, "shutter", "Unjam"), 0);
	assert_string_equal(req.method, "MoveShutter");
	assert_string_equal(req.text, "unjam");
	assert_int_equal(CCD_PARSE(f, "sync-rtc"), 0);
	assert_string_equal(req.method, "SyncClock");
	assert_false(req.confirm);
	assert_int_equal(CCD_PARSE(f, "reset"), 0);
	assert_string_equal(req.method, "Reset");
	assert_true(req.confirm);	/* the seed's RESET client asks */

	/* Each mistake named. */
	EXPECT_CCD_REFUSED(f, "\"expose\" is not a CCD action (status, setup, settings, run, "
			   "glance, scratch, bias, dark, runkick, shutter, sync-rtc, reset)", "expose");
	EXPECT_CCD_REFUSED(f, "usage: setup [PROFILE]", "setup", "A", "B");
	EXPECT_CCD_REFUSED(f, "\"gain\" is not a setting (bin, window, enable-windows, "
			   "disable-windows, readout-speed, clear-speed, exptime, preflash)",
			   "settings", "gain", "2");
	EXPECT_CCD_REFUSED(NULL, "\"bin\" is not a setting", "settings", "bin", "2");
	EXPECT_CCD_REFUSED(f, "bin \"0\": 1 to 65535", "settings", "bin", "0");
	EXPECT_CCD_REFUSED(f, "bin \"2x\": 'x' at column 2 is not a digit", "settings", "bin",
			   "2x");
	EXPECT_CCD_REFUSED(f, "usage: settings bin X [Y]", "settings", "bin");
	EXPECT_CCD_REFUSED(f, "window \"3\": the windows are 1 and 2", "settings", "window", "3",
			   "off");
	EXPECT_CCD_REFUSED(f, "window 1: X1 Y1 X2 Y2 or off", "settings", "window", "1", "on");
	EXPECT_CCD_REFUSED(f, "window 1: X1 < X2 and Y1 < Y2 (corners 1-based, inclusive)",
			   "settings", "window", "1", "50", "10", "40", "20");
	EXPECT_CCD_REFUSED(f, "Y2 \"7y\": 'y' at column 2 is not a digit", "settings", "window",
			   "1", "1", "2", "3", "7y");
	EXPECT_CCD_REFUSED(f, "readout-speed \"TURBO\": expected SLOW, STANDARD or FAST",
			   "settings", "readout-speed", "TURBO");
	EXPECT_CCD_REFUSED(f, "clear-speed \"FAST\": expected QUICK or NORMAL", "settings",
			   "clear-speed", "FAST");
	EXPECT_CCD_REFUSED(f, "exptime \"1,5\": ',' at column 2 is not a digit", "settings",
			   "exptime", "1,5");
	EXPECT_CCD_REFUSED(f, "preflash \"4000\": at most 3600 s", "settings", "preflash", "4000");
	EXPECT_CCD_REFUSED(f, "usage: run [arc|flat|sky|flash] SECONDS [TITLE]", "run");
	EXPECT_CCD_REFUSED(f, "usage: run [arc|flat|sky|flash] SECONDS [TITLE]", "run", "arc");
	EXPECT_CCD_REFUSED(f, "exposure time \"M31\": 'M' at column 1 is not a digit", "run",
			   "M31");
	EXPECT_CCD_REFUSED(f, "usage: glance SECONDS [TITLE]", "glance", "1", "a", "b");
	EXPECT_CCD_REFUSED(f, "usage: bias [TITLE]", "bias", "a", "b");
	EXPECT_CCD_REFUSED(f, "the title is 69 characters, at most 68 fit FITS' OBJECT", "bias",
			   "123456789012345678901234567890123456789012345678901234567890123456789");
	EXPECT_CCD_REFUSED(f, "the title's character 4 is not printable ASCII (FITS)", "dark",
			   "1", "bad\ttab");
	EXPECT_CCD_REFUSED(f, "runkick \"stop\": expected pause, continue, finish or abort",
			   "runkick", "stop");
	EXPECT_CCD_REFUSED(f, "shutter \"half\": expected open, close or unjam", "shutter",
			   "half");
	EXPECT_CCD_REFUSED(f, "usage: sync-rtc", "sync-rtc", "now");
	EXPECT_CCD_REFUSED(f, "usage: reset", "reset", "hard");
}

static void test_ccd_append(void **state)
{
	const struct station_model *m = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
	sd_bus *bus = client_fixture_peer_bus();
	struct ccd_request req;
	uint32_t bx, by, c[8];
	int enabled, v1, v2;
	char why[256];

	assert_int_equal(CCD_PARSE(&model_find_ccd(m, "CCD1")->format, "settings", "window", "2",
				   "10", "20", "30", "40"), 0);
	assert_int_equal(sd_bus_message_new_method_call(bus, &msg, NULL, "/", "x.y", "Z"), 0);
	assert_int_equal(ccd_request_append(&req, msg), 0);
	assert_int_equal(sd_bus_message_seal(msg, 1, 0), 0);
	assert_int_equal(sd_bus_message_rewind(msg, true), 1);
	assert_string_equal(sd_bus_message_get_signature(msg, true), req.signature);
	assert_true(sd_bus_message_read(msg, "uub(buuuu)(buuuu)", &bx, &by, &enabled, &v1, &c[0],
					&c[1], &c[2], &c[3], &v2, &c[4], &c[5], &c[6], &c[7]) > 0);
	assert_int_equal(bx, 2);
	assert_true(enabled);
	assert_true(v1);
	assert_int_equal(c[0], 101);
	assert_true(v2);
	assert_int_equal(c[4], 10);
	assert_int_equal(c[7], 40);
	sd_bus_close_unref(bus);
}

/* ------------------------------------------------------------ golden files */

#define CAPTURE(buf, size, call) do {				\
		FILE *out_ = open_memstream(&(buf), &(size));	\
								\
		assert_non_null(out_);				\
		call;						\
		fclose(out_);					\
	} while (0)

static void test_golden_text(void **state)
{
	const struct station_model *m = *state;
	char *buf = NULL;
	size_t size = 0;

	CAPTURE(buf, size, output_status(out_, m, NOW_USEC));
	client_fixture_expect_golden("stationctl-status.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_detectors(out_, m, true));
	client_fixture_expect_golden("stationctl-list-detectors.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_manifolds(out_, m, true));
	client_fixture_expect_golden("stationctl-list-manifolds.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_cards(out_, m, false));
	client_fixture_expect_golden("stationctl-list-cards-no-legend.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_cards(out_, m, true));
	client_fixture_expect_golden("stationctl-list-cards.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_card(out_, model_find_card(m, "xvme0-0800")));
	client_fixture_expect_golden("stationctl-show-card.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_card(out_, model_find_card(m, "xvme0-1000")));
	client_fixture_expect_golden("stationctl-show-card-unconfigured.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_detector(out_, model_find_detector(m, 5), NOW_USEC));
	client_fixture_expect_golden("stationctl-show-5.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_manifold(out_, model_find_manifold(m, "B"), NOW_USEC));
	client_fixture_expect_golden("stationctl-show-B.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_ccd(out_, model_find_ccd(m, "CCD1")));
	client_fixture_expect_golden("stationctl-ccd-status.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_ccd_settings(out_, model_find_ccd(m, "CCD1")));
	client_fixture_expect_golden("stationctl-ccd-settings.txt", buf);
	free(buf);
}

static void test_golden_plot(void **state)
{
	struct plot_point points[8];
	char *buf = NULL;
	size_t size = 0;

	/* A creeping fill time, one underfull at the end. */
	for (int i = 0; i < 8; i++)
		points[i] = (struct plot_point){
			.time_s = 1796212800 + i * 43200, .minutes = 4.0 + i * 0.5,
			.mark = i == 7 ? 'u' : '*',
		};
	CAPTURE(buf, size, history_plot(out_, points, 8, 40, 6));
	client_fixture_expect_golden("stationctl-history-plot.txt", buf);
	free(buf);
}

/* ------------------------------------------------------------ JSON */

static json_object *parse_json(const char *text)
{
	enum json_tokener_error e;
	json_object *o = json_tokener_parse_verbose(text, &e);

	if (!o)
		fail_msg("not JSON (%s): %s", json_tokener_error_desc(e), text);
	return o;
}

static void test_json_parses_back(void **state)
{
	const struct station_model *m = *state;
	struct json_writer w;
	json_object *o, *d, *v;
	char *buf = NULL;
	size_t size = 0;

	for (int pretty = 0; pretty <= 1; pretty++) {
		CAPTURE(buf, size, (json_begin(&w, out_, pretty), output_detectors_json(&w, m),
				    json_end(&w)));
		o = parse_json(buf);
		assert_true(json_object_is_type(o, json_type_array));
		assert_int_equal(json_object_array_length(o), 6);
		d = json_object_array_get_idx(o, 4);
		assert_true(json_object_object_get_ex(d, "Number", &v));
		assert_int_equal(json_object_get_int(v), 5);
		assert_true(json_object_object_get_ex(d, "Status", &v));
		assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
				    "underfull");
		/* NaN volts are null: JSON has no NaN. */
		d = json_object_array_get_idx(o, 5);
		assert_true(json_object_object_get_ex(d, "ExhaustVolts", &v));
		assert_null(v);
		json_object_put(o);
		free(buf);
	}
	CAPTURE(buf, size, (json_begin(&w, out_, true), output_status_json(&w, m), json_end(&w)));
	o = parse_json(buf);
	assert_true(json_object_object_get_ex(o, "Faults", &v));
	assert_int_equal(json_object_array_length(v), 2);	/* manifold B, detector 5 */
	assert_true(json_object_object_get_ex(o, "Cryostreams", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_true(json_object_object_get_ex(o, "Ccds", &v));
	assert_int_equal(json_object_array_length(v), 1);
	d = json_object_array_get_idx(v, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(d, "Title")),
			    "M31 \"core\"");
	assert_int_equal(json_object_get_int(json_object_object_get(d, "RunNumber")), 12);
	assert_int_equal(json_object_get_int(json_object_object_get(
		json_object_object_get(json_object_object_get(d, "Format"), "Window1"), "X2")), 600);
	json_object_put(o);
	free(buf);
	CAPTURE(buf, size, (json_begin(&w, out_, false), output_manifolds_json(&w, m),
			    output_cards_json(&w, m), json_end(&w)));
	free(buf);	/* two values: not one document */
	CAPTURE(buf, size, (json_begin(&w, out_, false), output_cards_json(&w, m), json_end(&w)));
	o = parse_json(buf);
	assert_int_equal(json_object_array_length(o), 2);
	d = json_object_array_get_idx(o, 0);
	assert_true(json_object_object_get_ex(d, "Channels", &v));
	assert_int_equal(json_object_array_length(v), 6);
	assert_string_equal(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(v, 5), "Function")), "output-valve");
	assert_true(json_object_object_get_ex(d, "SpareChannels", &v));
	assert_int_equal(json_object_array_length(v), 3);
	d = json_object_array_get_idx(o, 1);
	assert_false(json_object_get_boolean(json_object_object_get(d, "Configured")));
	assert_int_equal(json_object_get_int(json_object_object_get(d, "ConversionTimeouts")), 3);
	json_object_put(o);
	free(buf);
}

static void test_json_strings_escaped(void **state)
{
	struct json_writer w;
	json_object *o;
	char *buf = NULL;
	size_t size = 0;
	const char *tricky = "quote \" back \\ tab \t nl \n bell \x07 end";

	CAPTURE(buf, size, (json_begin(&w, out_, false), json_object_begin(&w),
			    json_key(&w, "k\"ey"), json_string(&w, tricky), json_key(&w, "e"),
			    json_array_begin(&w), json_array_end(&w), json_key(&w, "x"),
			    json_double(&w, INFINITY), json_object_end(&w), json_end(&w)));
	o = parse_json(buf);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "k\"ey")), tricky);
	assert_int_equal(json_object_array_length(json_object_object_get(o, "e")), 0);
	json_object_put(o);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets, setup, teardown),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_cryostream_commands),
		cmocka_unit_test(test_ccd_seconds),
		cmocka_unit_test_setup_teardown(test_ccd_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ccd_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_plot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_parses_back, setup, teardown),
		cmocka_unit_test(test_json_strings_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
