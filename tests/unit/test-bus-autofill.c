// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Autofill's commands end to end through a real bus: a
 * private dbus-daemon, the daemon side (bus-auth, bus-autofill) and a
 * client on two connections, the fake plant's engine behind. Covers the
 * authorization path without polkitd (the bus says polkit is absent, the
 * caller is uid 0 or in the operator group), the engine's refusals as
 * D-Bus errors with nothing changed, and the commit hook: called once per
 * accepted command before the reply, never for a refused one, and its
 * failure answered with org.stationd1.Error.NotDurable.
 */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-autofill.h"
#include "daemon/bus/bus-errors.h"
#include "daemon/shared/macro.h"
#include "tests/unit/engine-fake.h"
#include "tests/unit/private-bus.h"

struct fixture {
	struct fake_plant *f;
	pid_t bus_pid;
	sd_bus *server, *client;
	struct bus_auth *auth;
	struct bus_autofill *autofill;
	unsigned commits;
	int commit_result;
};

static int commit_hook(void *userdata)
{
	struct fixture *x = userdata;

	x->commits++;
	return x->commit_result;
}

/* The operator group for this process: its first supplementary group, or
 * "" when it has none (only uid 0 may intervene then). */
static void operator_group_of_self(char *name, size_t size)
{
	gid_t groups[64];
	int n = getgroups(64, groups);
	struct group *g;

	name[0] = 0;
	if (n > 0 && (g = getgrgid(groups[0])))
		snprintf(name, size, "%s", g->gr_name);
}

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	char address[512], group[64];

	assert_non_null(x);
	x->f = fake_new(2, 6, false);
	x->bus_pid = private_bus_start(address, sizeof(address));
	if (x->bus_pid < 0) {
		fake_free(x->f);
		free(x);
		skip();		/* no dbus-daemon: `make deps` installs it */
	}
	operator_group_of_self(group, sizeof(group));
	if (getuid() != 0 && !group[0]) {
		kill(x->bus_pid, SIGTERM);
		waitpid(x->bus_pid, NULL, 0);
		fake_free(x->f);
		free(x);
		skip();		/* this process could never be authorized */
	}
	x->server = private_bus_connect(address);
	x->client = private_bus_connect(address);
	assert_int_equal(bus_auth_new(x->server, group, &x->auth), 0);
	assert_int_equal(bus_autofill_new(x->server, x->f->engine, x->auth, commit_hook, x,
					  &x->autofill), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	bus_autofill_free(x->autofill);
	bus_auth_free(x->auth);
	sd_bus_flush_close_unref(x->client);
	sd_bus_flush_close_unref(x->server);
	private_bus_stop(x->bus_pid);
	fake_free(x->f);
	free(x);
	return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	sd_bus_message **reply = userdata;

	*reply = sd_bus_message_ref(m);
	return 0;
}

/* Call a command; both connections are served until the reply is in. */
static sd_bus_message *command(struct fixture *x, const char *member, const char *types, ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	sd_bus_message *reply = NULL;
	sd_bus_slot *slot = NULL;
	const char *daemon;
	va_list ap;
	int r;

	assert_int_equal(sd_bus_get_unique_name(x->server, &daemon), 0);
	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, daemon,
							BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE,
							member), 0);
	va_start(ap, types);
	r = sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	assert_true(r >= 0);
	assert_true(sd_bus_call_async(x->client, &slot, m, on_reply, &reply, 5000000) >= 0);
	for (int i = 0; i < 5000 && !reply; i++) {
		int a = sd_bus_process(x->server, NULL), b = sd_bus_process(x->client, NULL);

		assert_true(a >= 0 && b >= 0);
		if (a == 0 && b == 0)
			usleep(1000);
	}
	sd_bus_slot_unref(slot);
	assert_non_null(reply);
	return reply;
}

static void expect_error(sd_bus_message *reply, const char *name, const char *part)
{
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	assert_non_null(e);
	assert_string_equal(e->name, name);
	if (part && !strstr(e->message, part))
		fail_msg("\"%s\" does not name \"%s\"", e->message, part);
}

/* Everything a command could change. */
static void snapshot(const struct fixture *x, uint8_t out[][DETECTOR_STATE_SIZE])
{
	for (uint32_t d = 0; d < x->f->station->n_detectors; d++)
		engine_save_detector(x->f->engine, d, out[d]);
}

static void test_accepted_command_is_committed_then_acknowledged(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	struct engine_detector_view v;

	reply = command(x, "Preset", "sass", "7", 2, "18:30", "06:05", "replace");
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	assert_int_equal(x->commits, 1);
	engine_detector_view(x->f->engine, 6, &v);
	assert_int_equal(v.n_presets, 2);
	assert_int_equal(v.preset[0], 6 * 60 + 5);
	assert_int_equal(v.preset[1], 18 * 60 + 30);
}

static void test_commit_failure_is_not_durable(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	struct engine_detector_view v;

	x->commit_result = -EIO;
	reply = command(x, "Avoid", "s", "3");
	expect_error(reply, BUS_ERROR_NOT_DURABLE, "Input/output error");
	assert_int_equal(x->commits, 1);
	/* It did take effect: only its saving failed. */
	engine_detector_view(x->f->engine, 2, &v);
	assert_true(v.status & DETECTOR_STATUS_AVOIDED);
}

static void test_refusals_change_nothing_and_commit_nothing(void **state)
{
	struct fixture *x = *state;
	uint8_t before[FAKE_DETECTORS_MAX][DETECTOR_STATE_SIZE] = {};
	uint8_t after[FAKE_DETECTORS_MAX][DETECTOR_STATE_SIZE] = {};
	const char *const times[] = { "08:00" };
	char error[256];
	sd_bus_message *reply;

	assert_int_equal(engine_preset(x->f->engine, "all", times, 1, "replace", x->f->real_usec,
				       x->f->mono_usec, error, sizeof(error)), 0);
	assert_int_equal(engine_avoid(x->f->engine, "2", x->f->real_usec, x->f->mono_usec,
				      error, sizeof(error)), 0);
	snapshot(x, before);

	reply = command(x, "Avoid", "s", "13");
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "detector 13");
	sd_bus_message_unref(reply);
	reply = command(x, "Unavoid", "s", "1-");
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "\"1-\" at column 3");
	sd_bus_message_unref(reply);
	reply = command(x, "Preset", "sass", "7", 1, "25:00", "replace");
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "25:00");
	sd_bus_message_unref(reply);
	reply = command(x, "Preset", "sass", "7", 1, "12:00", "sideways");
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "sideways");
	sd_bus_message_unref(reply);
	reply = command(x, "Delay", "su", "7", 1441);
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "1440");
	sd_bus_message_unref(reply);
	reply = command(x, "Fill", "ss", "2", "");
	expect_error(reply, BUS_ERROR_MAY_NOT_FILL, "detector 2");
	sd_bus_message_unref(reply);
	/* The wrong argument types: sd-bus refuses before anything runs. */
	reply = command(x, "Delay", "ss", "7", "30");
	assert_true(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);

	x->f->key[1] = true;	/* manual-fill key of manifold B */
	fake_scan(x->f);
	snapshot(x, before);
	reply = command(x, "Avoid", "s", "1");
	expect_error(reply, BUS_ERROR_MANUAL_FILL, "manual fill");
	sd_bus_message_unref(reply);

	snapshot(x, after);
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(x->commits, 0);
}

static void test_fill_twice_already_filling(void **state)
{
	struct fixture *x = *state;
	sd_bus_message *reply;

	struct timespec ts;

	/* The bus layer stamps commands with the real clock: the fake plant's
	 * clock steps to it, so FILL now is due at the next scan. */
	clock_gettime(CLOCK_REALTIME, &ts);
	x->f->real_usec = (int64_t)ts.tv_sec * 1000000;
	fake_scan(x->f);
	reply = command(x, "Fill", "ss", "4", "");
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	fake_scans(x->f, 2);
	assert_int_equal(fake_count_events(x->f, EV_STARTED, -1), 1);
	reply = command(x, "Fill", "ss", "4", "");
	expect_error(reply, BUS_ERROR_ALREADY_FILLING, "detector 4");
	sd_bus_message_unref(reply);
	reply = command(x, "Cancel", "s", "4");
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	assert_int_equal(x->commits, 2);
}

/* The typed forms run the same engine commands as the string ones. */
static void test_typed_methods(void **state)
{
	struct fixture *x = *state;
	struct engine_detector_view v;
	sd_bus_message *reply;

	/* PresetDetectors: minutes of the day; flags 0 = replace. */
	reply = command(x, "PresetDetectors", "auaqt", 2, 8, 7, 2, 18 * 60 + 30, 6 * 60 + 5,
			UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	engine_detector_view(x->f->engine, 6, &v);
	assert_int_equal(v.n_presets, 2);
	assert_int_equal(v.preset[0], 6 * 60 + 5);
	assert_int_equal(v.preset[1], 18 * 60 + 30);
	engine_detector_view(x->f->engine, 7, &v);
	assert_int_equal(v.n_presets, 2);
	/* flags 0x1 = add. */
	reply = command(x, "PresetManifolds", "asaqt", 1, "b", 1, 12 * 60, UINT64_C(1));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	engine_detector_view(x->f->engine, 6, &v);
	assert_int_equal(v.n_presets, 3);
	engine_detector_view(x->f->engine, 11, &v);
	assert_int_equal(v.n_presets, 1);
	/* DelayDetectors: whole minutes as µs. */
	reply = command(x, "DelayDetectors", "autt", 1, 7, UINT64_C(30) * 60000000, UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	engine_detector_view(x->f->engine, 6, &v);
	assert_int_equal(v.delay_s, 30 * 60);
	reply = command(x, "CancelDetectors", "aut", 1, 7, UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	engine_detector_view(x->f->engine, 6, &v);
	assert_int_equal(v.delay_s, 0);
	/* Avoid and Unavoid of a manifold, and consecutive detectors. */
	reply = command(x, "AvoidManifolds", "ast", 1, "A", UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	for (uint32_t d = 0; d < 6; d++) {
		engine_detector_view(x->f->engine, d, &v);
		assert_true(v.status & DETECTOR_STATUS_AVOIDED);
	}
	reply = command(x, "UnavoidDetectors", "aut", 6, 6, 1, 2, 3, 4, 5, UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	for (uint32_t d = 0; d < 6; d++) {
		engine_detector_view(x->f->engine, d, &v);
		assert_false(v.status & DETECTOR_STATUS_AVOIDED);
	}
	reply = command(x, "ClearManifolds", "ast", 2, "A", "B", UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	assert_int_equal(x->commits, 7);
}

static void test_typed_fill_now_and_at(void **state)
{
	struct fixture *x = *state;
	struct engine_detector_view v;
	struct timespec ts;
	sd_bus_message *reply;
	uint64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000;
	x->f->real_usec = (int64_t)now;
	fake_scan(x->f);
	/* Two hours ahead: the fill is scheduled to that minute. */
	reply = command(x, "FillDetectors", "autt", 1, 3, now + UINT64_C(7200) * 1000000,
			UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	engine_detector_view(x->f->engine, 2, &v);
	assert_true(v.next_fill > (int64_t)(now / 1000000) + 7200 - 60);
	assert_true(v.next_fill <= (int64_t)(now / 1000000) + 7200);
	/* 0 = now. */
	reply = command(x, "FillManifolds", "astt", 1, "A", UINT64_C(0), UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	fake_scans(x->f, 2);
	assert_true(fake_count_events(x->f, EV_STARTED, -1) >= 1);
}

/* Typed arguments a string could not express wrongly are still checked:
 * each refusal names the bad part and changes nothing. */
static void test_typed_refusals(void **state)
{
	struct fixture *x = *state;
	uint8_t before[FAKE_DETECTORS_MAX][DETECTOR_STATE_SIZE] = {};
	uint8_t after[FAKE_DETECTORS_MAX][DETECTOR_STATE_SIZE] = {};
	struct timespec ts;
	sd_bus_message *reply;
	uint64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000;
	snapshot(x, before);
	reply = command(x, "AvoidDetectors", "aut", 0, UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "detectors: none given");
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidDetectors", "aut", 2, 3, 3, UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "detector 3 is named twice");
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidDetectors", "aut", 1, 0, UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "start at 1");
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidDetectors", "aut", 2, 1, 13, UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "detector 13 is not configured");
	sd_bus_message_unref(reply);
	/* No list, range or "all" slipped in as a manifold name. */
	reply = command(x, "AvoidManifolds", "ast", 1, "all", UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "\"all\" is not a manifold name");
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidManifolds", "ast", 1, "A,B", UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "\"A,B\" is not a manifold name");
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidManifolds", "ast", 2, "A", "a", UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "a is named twice");
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidManifolds", "ast", 1, "Q", UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "manifold Q is not configured");
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidDetectors", "aut", 1, 1, UINT64_C(4));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "flags 0x4");
	sd_bus_message_unref(reply);
	reply = command(x, "FillDetectors", "autt", 1, 1, now - UINT64_C(3600) * 1000000,
			UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "in the past");
	sd_bus_message_unref(reply);
	reply = command(x, "FillDetectors", "autt", 1, 1, now + UINT64_C(90000) * 1000000,
			UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "more than 24 hours ahead");
	sd_bus_message_unref(reply);
	reply = command(x, "PresetDetectors", "auaqt", 1, 1, 1, 1440, UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "1440 is not a minute of the day");
	sd_bus_message_unref(reply);
	reply = command(x, "PresetDetectors", "auaqt", 1, 1, 5, 1, 2, 3, 4, 5, UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "5 given, at most 4");
	sd_bus_message_unref(reply);
	reply = command(x, "PresetDetectors", "auaqt", 1, 1, 1, 60, UINT64_C(3));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "exclude each other");
	sd_bus_message_unref(reply);
	reply = command(x, "DelayDetectors", "autt", 1, 1, UINT64_C(90) * 1000000, UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "not a whole number of minutes");
	sd_bus_message_unref(reply);
	reply = command(x, "DelayDetectors", "autt", 1, 1, UINT64_C(1441) * 60000000,
			UINT64_C(0));
	expect_error(reply, SD_BUS_ERROR_INVALID_ARGS, "1440");
	sd_bus_message_unref(reply);
	snapshot(x, after);
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(x->commits, 0);
}

/* SD_BUS_ERROR_MAP: a client gets the errno of org.stationd1.Error.*. */
static void test_error_map(void **state)
{
	struct fixture *x = *state;
	sd_bus_message *reply;

	assert_int_equal(bus_errors_register(), 0);
	x->f->key[1] = true;
	fake_scan(x->f);
	reply = command(x, "Avoid", "s", "1");
	expect_error(reply, BUS_ERROR_MANUAL_FILL, "manual fill");
	assert_int_equal(sd_bus_error_get_errno(sd_bus_message_get_error(reply)), EBUSY);
	sd_bus_message_unref(reply);
	x->f->key[1] = false;
	fake_scan(x->f);
	reply = command(x, "Fill", "ss", "2", "");
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	reply = command(x, "AvoidDetectors", "aut", 1, 3, UINT64_C(0));
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	reply = command(x, "FillDetectors", "autt", 1, 3, UINT64_C(0), UINT64_C(0));
	expect_error(reply, BUS_ERROR_MAY_NOT_FILL, "detector 3");
	assert_int_equal(sd_bus_error_get_errno(sd_bus_message_get_error(reply)), ECANCELED);
	sd_bus_message_unref(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_accepted_command_is_committed_then_acknowledged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_failure_is_not_durable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing_and_commit_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_twice_already_filling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_methods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_fill_now_and_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_map, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
