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
