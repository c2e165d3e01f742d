// SPDX-License-Identifier: GPL-2.0
/*
 * stationctl without a daemon: its command line (options, verbs, argument
 * counts, numbers, Cryostream commands, each error naming the bad part),
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
#include "daemon/clients/history-plot.h"
#include "daemon/clients/json-writer.h"
#include "daemon/clients/station-model.h"
#include "daemon/clients/stationctl-args.h"
#include "daemon/clients/stationctl-output.h"
#include "daemon/shared/macro.h"

#ifndef GOLDEN_DIR
#define GOLDEN_DIR "tests/unit/golden"
#endif
/* 2026-12-02 12:00:00 UTC */
#define NOW_USEC (UINT64_C(1796212800) * 1000000)

/* ------------------------------------------------------------ the model */

static sd_bus *peer_bus(void)
{
	sd_bus *bus = NULL;
	int fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	assert_int_equal(sd_bus_new(&bus), 0);
	assert_int_equal(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
	assert_int_equal(sd_bus_start(bus), 0);
	close(fds[1]);
	return bus;
}

static void append_detector(sd_bus_message *m, uint32_t number, const char *manifold,
			    double volts, bool open, uint64_t next, const char *status)
{
	char path[64];

	snprintf(path, sizeof(path), "/org/stationd1/detector/%u", number);
	assert_true(sd_bus_message_open_container(m, 'e', "oa{sa{sv}}") >= 0);
	assert_true(sd_bus_message_append(m, "o", path) >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sa{sv}}") >= 0);
	assert_true(sd_bus_message_append(m, "{sa{sv}}", "org.freedesktop.DBus.Peer", 0) >= 0);
	assert_true(sd_bus_message_open_container(m, 'e', "sa{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "s", "org.stationd1.Detector") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
		"Number", "u", number,
		"Manifold", "s", manifold,
		"ExhaustVolts", "d", volts,
		"ReferenceVolts", "d", 1.5,
		"ValveOpen", "b", open,
		"NextFillTimestamp", "t", next,
		"DelayUSec", "t", UINT64_C(0),
		"Presets", "as", 2, "06:00", "18:00",
		"MaxFillUSec", "t", UINT64_C(1200000000),
		/* A property this client does not know is skipped. */
		"FutureProperty", "s", "ignored") >= 0);
	if (status)
		assert_true(sd_bus_message_append(m, "{sv}", "Status", "as", 1, status) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
}

static void append_manifold(sd_bus_message *m, const char *name, uint32_t first,
			    const char *status)
{
	char path[64];

	snprintf(path, sizeof(path), "/org/stationd1/manifold/%s", name);
	assert_true(sd_bus_message_open_container(m, 'e', "oa{sa{sv}}") >= 0);
	assert_true(sd_bus_message_append(m, "o", path) >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sa{sv}}") >= 0);
	assert_true(sd_bus_message_open_container(m, 'e', "sa{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "s", "org.stationd1.Manifold") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}{sv}{sv}{sv}",
		"Name", "s", name,
		"Detectors", "au", 3, first, first + 1, first + 2,
		"ExhaustVolts", "d", 2.5,
		"InputValveOpen", "b", 0) >= 0);
	if (status)
		assert_true(sd_bus_message_append(m, "{sv}", "Status", "as", 1, status) >= 0);
	for (int i = 0; i < 4; i++)
		assert_true(sd_bus_message_close_container(m) >= 0);
}

/* The station of the tests: manifolds A (1-3) and B (4-6), detector 5
 * underfull and 2 filling, a Cryostream, a card. */
static struct station_model *model_new(void)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	sd_bus *bus = peer_bus();
	struct station_model *model = NULL;
	uint64_t t = NOW_USEC + UINT64_C(3600) * 1000000;

	assert_int_equal(sd_bus_message_new_method_call(bus, &m, NULL, "/", "x.y", "Z"), 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{oa{sa{sv}}}") >= 0);
	append_manifold(m, "B", 4, "underfull");
	append_manifold(m, "A", 1, NULL);
	for (uint32_t d = 1; d <= 6; d++)
		append_detector(m, d, d <= 3 ? "A" : "B", d == 6 ? NAN : 2.5, d == 2,
				d == 4 ? 0 : t + d * UINT64_C(60000000),
				d == 5 ? "underfull" : d == 2 ? "filling" : NULL);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/autofill", 1,
		"org.stationd1.Autofill", 4, "State", "s", "filling", "FillingCount", "u", 1,
		"Alarm", "b", 1, "Inhibited", "b", 1) >= 0);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1", 1,
		"org.stationd1.Manager", 1, "Version", "s", "0.2") >= 0);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/cryostream/CS0", 1,
		"org.stationd1.Cryostream", 6, "Name", "s", "CS0", "Connected", "b", 1,
		"GasTemperature", "d", 100.25, "SetPoint", "d", 100.0,
		"RunModeName", "s", "Run", "PhaseName", "s", "Hold") >= 0);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/card/0_0800", 1,
		"org.stationd1.Card", 16, "Name", "s", "xvme0-0800", "Model", "s", "XVME-260",
		"ConfiguredModel", "s", "XVME-260", "Crate", "u", 0, "Address", "u", 0x800,
		"Configured", "b", 1, "Present", "b", 1, "Id", "s", "VMEIDXYC260A",
		"SelfTest", "s", "pass", "Led", "s", "off",
		"ConversionTimeouts", "t", UINT64_C(0), "ConversionErrors", "t", UINT64_C(0),
		"Detectors", "ao", 4, "/org/stationd1/detector/1", "/org/stationd1/detector/2",
		"/org/stationd1/detector/3", "/org/stationd1/detector/5",
		"Manifolds", "ao", 1, "/org/stationd1/manifold/A",
		"Channels", "a(sso)", 6, "0", "valve", "/org/stationd1/detector/1",
		"1", "valve", "/org/stationd1/detector/2", "2", "valve", "/org/stationd1/detector/3",
		"4", "valve", "/org/stationd1/detector/5", "6", "input-valve",
		"/org/stationd1/manifold/A", "7", "output-valve", "/org/stationd1/manifold/A",
		"SpareChannels", "as", 3, "3", "5", "8") >= 0);
	/* Not configured, and its ADC says something is wrong. */
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/card/0_1000", 1,
		"org.stationd1.Card", 11, "Name", "s", "xvme0-1000", "Model", "s", "XVME-560",
		"ConfiguredModel", "s", "", "Crate", "u", 0, "Address", "u", 0x1000,
		"Configured", "b", 0, "Present", "b", 1, "SelfTest", "s", "fail: test conversion timed out",
		"Led", "s", "red", "ConversionTimeouts", "t", UINT64_C(3),
		"ConversionErrors", "t", UINT64_C(1)) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
	assert_int_equal(model_from_managed_objects(m, &model), 0);
	sd_bus_close_unref(bus);
	return model;
}

static int setup(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	*state = model_new();
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
	sd_bus *bus = peer_bus();
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

/* ------------------------------------------------------------ golden files */

static void expect_golden(const char *name, const char *got)
{
	char path[256], *want = NULL;
	size_t size = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "r");
	if (!f && getenv("STATIONCTL_GOLDEN_WRITE")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	if (!f)
		fail_msg("golden file %s: %s", path, strerror(errno));
	assert_int_equal(getdelim(&want, &size, '\0', f) >= 0, 1);
	fclose(f);
	if (strcmp(want, got) != 0)
		fail_msg("%s differs; got:\n%s", path, got);
	free(want);
}

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
	expect_golden("stationctl-status.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_detectors(out_, m, true));
	expect_golden("stationctl-list-detectors.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_manifolds(out_, m, true));
	expect_golden("stationctl-list-manifolds.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_cards(out_, m, false));
	expect_golden("stationctl-list-cards-no-legend.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_cards(out_, m, true));
	expect_golden("stationctl-list-cards.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_card(out_, model_find_card(m, "xvme0-0800")));
	expect_golden("stationctl-show-card.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_card(out_, model_find_card(m, "xvme0-1000")));
	expect_golden("stationctl-show-card-unconfigured.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_detector(out_, model_find_detector(m, 5), NOW_USEC));
	expect_golden("stationctl-show-5.txt", buf);
	free(buf);
	CAPTURE(buf, size, output_manifold(out_, model_find_manifold(m, "B"), NOW_USEC));
	expect_golden("stationctl-show-B.txt", buf);
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
	expect_golden("stationctl-history-plot.txt", buf);
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
		cmocka_unit_test_setup_teardown(test_golden_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_plot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_parses_back, setup, teardown),
		cmocka_unit_test(test_json_strings_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
