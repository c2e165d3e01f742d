// SPDX-License-Identifier: GPL-2.0
/*
 * The dewar-inhibit and alarm outputs on the fake plant when their writes
 * fail: the views say what the line carries (not what was wanted), one
 * Fault per failure, a retry at every scan, the state fill-error until it
 * works; a failed dewar inhibit sounds the alarm. At start, when a fill
 * starts, when it ends, when a fault sounds the alarm, when CLEAR
 * silences it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/engine-fake.h"
#include "tests/unit/engine-fixture.h"

#define NOW f->real_usec, f->mono_usec
#define ERR error, sizeof(error)
#define INHIBIT 0
#define ALARM 1

static struct engine_global_view global(const struct fake_plant *f)
{
	struct engine_global_view g;

	engine_global_view(f->engine, &g);
	return g;
}

static unsigned count_log(const struct fake_plant *f, const char *entry)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n_log; i++)
		n += strcmp(f->log[i], entry) == 0;
	return n;
}

static void test_inhibit_fails_when_a_fill_starts(void **state)
{
	struct fake_plant *f = *state;

	f->output_fails[INHIBIT] = true;
	fake_log_reset(f);
	fake_scans(f, 10);
	/* The purge opens the valves (the detectors need LN2); the inhibit
	 * is reported as it is: released. */
	assert_true(f->input[0]);
	assert_int_equal(count_log(f, "inhibit-failed on"), 1);
	assert_false(global(f).dewar_inhibit);
	assert_false(f->dewar_inhibit);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OUTPUT), 1);
	assert_non_null(strstr(f->last_fault, "could not assert the dewar inhibit output"));
	assert_true(f->alarm);
	assert_true(global(f).alarm);
	assert_int_equal(global(f).state, ENGINE_STATE_FILL_ERROR);
	/* Retried at every scan, one Fault. */
	fake_scans(f, 2);
	assert_int_equal(count_log(f, "inhibit-failed on"), 3);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OUTPUT), 1);
	/* It works again: asserted at the next scan, the view says so. */
	f->output_fails[INHIBIT] = false;
	fake_scan(f);
	assert_true(f->dewar_inhibit);
	assert_true(global(f).dewar_inhibit);
	assert_int_equal(global(f).state, ENGINE_STATE_FILLING);
	fake_scan_until_idle(f, 200);
	assert_false(f->dewar_inhibit);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 6);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OUTPUT), 1);
}

static void test_inhibit_release_fails_when_the_fill_ends(void **state)
{
	struct fake_plant *f = *state;

	fake_scans(f, 10 + 2 + 7);
	assert_true(f->dewar_inhibit);
	f->output_fails[INHIBIT] = true;
	fake_scan(f);		/* 6 full: the last valve closes */
	assert_false(fake_any_valve_open(f));
	assert_true(f->dewar_inhibit);
	assert_true(global(f).dewar_inhibit);	/* still asserted, as it is */
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OUTPUT), 1);
	assert_non_null(strstr(f->last_fault, "could not release the dewar inhibit output"));
	assert_non_null(strstr(f->last_fault, "it stays asserted"));
	f->output_fails[INHIBIT] = false;
	fake_scan(f);
	assert_false(f->dewar_inhibit);
	assert_false(global(f).dewar_inhibit);
}

static void test_alarm_fails_on_a_fault_and_on_clear(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->output_fails[ALARM] = true;
	f->supply_empty[0] = true;
	fake_scans(f, 10 + MANIFOLD_MAX_FILL_S);	/* manifold A underfull */
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_UNDERFULL), 1);
	assert_false(f->alarm);
	assert_false(global(f).alarm);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OUTPUT), 1);
	assert_non_null(strstr(f->last_fault, "could not assert the alarm output"));
	f->output_fails[ALARM] = false;
	fake_scan(f);
	assert_true(f->alarm);
	assert_true(global(f).alarm);

	/* CLEAR cannot silence it: still sounding, and the view says so. */
	fake_scan_until_idle(f, 200);
	f->output_fails[ALARM] = true;
	assert_int_equal(engine_clear(f->engine, "all", NOW, ERR), 0);
	assert_true(f->alarm);
	assert_true(global(f).alarm);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OUTPUT), 2);
	fake_scan(f);
	assert_int_equal(global(f).state, ENGINE_STATE_FILL_ERROR);
	f->output_fails[ALARM] = false;
	fake_scan(f);
	assert_false(f->alarm);
	assert_false(global(f).alarm);
	assert_int_equal(global(f).state, ENGINE_STATE_OK);
}

static void test_outputs_fail_at_start(void **state)
{
	struct fake_plant *f = *state;

	f->output_fails[INHIBIT] = f->output_fails[ALARM] = true;
	f->dewar_inhibit = f->alarm = true;	/* as a killed daemon left them */
	f->n_events = 0;
	assert_int_equal(fake_start_engine(f), 0);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OUTPUT), 2);
	assert_int_equal(global(f).state, ENGINE_STATE_FILL_ERROR);
	f->output_fails[INHIBIT] = f->output_fails[ALARM] = false;
	fake_scan(f);
	/* The inhibit's failure sounded the alarm; the inhibit is released. */
	assert_false(f->dewar_inhibit);
	assert_true(f->alarm);
	assert_false(global(f).dewar_inhibit);
	assert_true(global(f).alarm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inhibit_fails_when_a_fill_starts,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inhibit_release_fails_when_the_fill_ends,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alarm_fails_on_a_fault_and_on_clear,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_outputs_fail_at_start, engine_fixture_one_manifold,
						engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
