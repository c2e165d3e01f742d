// SPDX-License-Identifier: GPL-2.0
/*
 * Holding new fills (engine_hold_fills(), engine_idle()), what a reload
 * of the configuration and an exit after the bus was lost wait on: a held
 * engine starts no fill, lets the running ones end with every check in
 * place, and is idle exactly when no fill runs and no valve is open.
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

static void held_nothing_starts_and_the_fill_stays_due(void **state)
{
	struct fake_plant *f = *state;
	struct engine_detector_view v;

	assert_true(engine_idle(f->engine));
	engine_hold_fills(f->engine, true);
	fake_log_reset(f);
	fake_scans(f, 10 + 30);		/* 08:00 passes, held */
	assert_int_equal(f->n_log, 0);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 0);
	assert_true(engine_idle(f->engine));
	engine_detector_view(f->engine, 0, &v);
	assert_int_equal(v.next_fill, FAKE_START_S + 10);	/* still due */

	engine_hold_fills(f->engine, false);
	fake_scan(f);
	assert_string_equal(fake_log_string(f), "inhibit on, open A-in, open A-out");
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 6);
	assert_false(engine_idle(f->engine));
	fake_scan_until_idle(f, 200);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 6);
	assert_true(engine_idle(f->engine));
}

static void running_fills_end_while_held(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	/* Manifold A fills; B gets a FILL during A's fill. */
	assert_int_equal(engine_fill(f->engine, "A", NULL, f->real_usec, f->mono_usec,
				     error, sizeof(error)), 0);
	fake_scan(f);
	assert_false(engine_idle(f->engine));
	engine_hold_fills(f->engine, true);
	assert_int_equal(engine_fill(f->engine, "B", NULL, f->real_usec, f->mono_usec,
				     error, sizeof(error)), 0);
	fake_scan_until_idle(f, 200);
	/* A's six ended full, with their valves closed; B never started. */
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 1);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 6);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 6);
	assert_false(fake_any_valve_open(f));
	assert_true(engine_idle(f->engine));

	engine_hold_fills(f->engine, false);
	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 12);
}

/* A valve that could not be closed belongs to no fill: once its fill
 * ended, the engine is idle (waiting would not close it). */
static void a_valve_not_known_closed_belongs_to_no_fill(void **state)
{
	struct fake_plant *f = *state;
	struct engine_detector_view v;

	fake_scans(f, 13);		/* detector valves open */
	f->valve_close_fails[0] = true;
	engine_hold_fills(f->engine, true);
	assert_false(engine_idle(f->engine));
	fake_scan_until_idle(f, 200);
	engine_detector_view(f->engine, 0, &v);
	assert_true(v.valve_open);
	assert_true(engine_idle(f->engine));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(held_nothing_starts_and_the_fill_stays_due,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(running_fills_end_while_held,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(a_valve_not_known_closed_belongs_to_no_fill,
						engine_fixture_one_manifold, engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
