// SPDX-License-Identifier: GPL-2.0
/*
 * The overfull watch on the fake plant. The seed: "if nitrogen is
 * detected after a fill is completed (allowing for closure delay) the
 * overfull error must be indicated" — at any moment after, for every
 * detector and manifold: while neighbours fill or purge, after a cancel
 * with a warm exhaust, while avoided, idle between fills, after a purge
 * cancelled, a purge started again, a valve close retried, a manual fill.
 * Each case is one a check at the closure delay alone misses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/engine-fake.h"
#include "tests/unit/engine-fixture.h"

#define NOW f->real_usec, f->mono_usec
#define ERR error, sizeof(error)
#define PER_MANIFOLD 6

static unsigned overfull_faults(const struct fake_plant *f, uint32_t detector)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n_events; i++)
		n += f->events[i].type == EV_FAULT && f->events[i].fault == ENGINE_FAULT_OVERFULL &&
		     f->events[i].detector == detector;
	return n;
}

static uint32_t manifold_status(const struct fake_plant *f, uint32_t m)
{
	struct engine_manifold_view v;

	engine_manifold_view(f->engine, m, &v);
	return v.status;
}

/* Detector d was found overfull: manifold A is shut off, its other fills
 * ended with a manifold error, nothing is open. */
static void assert_overfull_shut_off(const struct fake_plant *f, uint32_t d)
{
	assert_int_equal(overfull_faults(f, d), 1);
	assert_true(fake_status(f, d) & DETECTOR_STATUS_OVERFULL);
	assert_false(f->input[0]);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);
}

/*
 * Issue 10's first probe, for each detector of the manifold: cancelled with
 * a warm exhaust while its neighbours fill, its valve sticks open as it
 * closes. At the closure delay the exhaust is still warm; LN2 reaches it
 * 25 s later, while the neighbours still fill: overfull then.
 */
static void test_cancelled_warm_then_cold_while_neighbours_fill(void **state)
{
	for (uint32_t d = 0; d < PER_MANIFOLD; d++) {
		struct fake_plant *f = fake_new(1, PER_MANIFOLD, true);
		char error[256];

		for (uint32_t i = 0; i < PER_MANIFOLD; i++)
			f->fill_ticks[i] = i == d ? 30 : 55;
		fake_scans(f, 10 + 2 + 5);
		assert_true(f->valve[d]);
		assert_int_equal(engine_cancel(f->engine, (const char[]){ (char)('1' + d), 0 }, NOW, ERR), 0);
		assert_false(f->valve[d]);
		f->valve_stuck_open[d] = true;
		fake_scans(f, CLOSURE_DELAY_S + 1);
		assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
		/* Flow 5 + 6 of 30 so far: cold 19 scans on. */
		fake_scans(f, 18);
		assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
		fake_scan(f);
		assert_overfull_shut_off(f, d);
		assert_true(f->alarm);
		for (uint32_t i = 0; i < PER_MANIFOLD; i++)
			if (i != d) {
				assert_int_equal(fake_count_results(f, i, FILL_RESULT_ABORTED), 1);
				assert_true(fake_status(f, i) & DETECTOR_STATUS_MANIFOLD_ERROR);
			}
		fake_free(f);
	}
}

/*
 * Issue 10's second probe, for each detector: avoided, its valve stuck
 * open; its manifold fills the others and LN2 pours through it. Overfull:
 * reported (no alarm for the avoided detector itself), the manifold shut
 * off; the neighbours' fills aborted, which does sound the alarm.
 */
static void test_avoided_stuck_open_during_manifold_fill(void **state)
{
	for (uint32_t d = 0; d < PER_MANIFOLD; d++) {
		struct fake_plant *f = fake_new(1, PER_MANIFOLD, true);
		char error[256];

		assert_int_equal(engine_avoid(f->engine, (const char[]){ (char)('1' + d), 0 }, NOW, ERR), 0);
		f->valve_stuck_open[d] = true;
		for (uint32_t i = 0; i < PER_MANIFOLD; i++)
			f->fill_ticks[i] = i == d ? 8 : 50;
		fake_scans(f, 10 + 7);
		assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
		assert_true(f->input[0]);
		fake_scan(f);
		assert_overfull_shut_off(f, d);
		assert_true(fake_status(f, d) & DETECTOR_STATUS_AVOIDED);
		assert_true(f->alarm);
		fake_free(f);
	}
}

/*
 * A detector that is not due, its valve stuck open, while its manifold
 * purges for the others: overfull during the purge, the purge ends.
 */
static void test_idle_stuck_open_mid_purge(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	assert_int_equal(engine_preset(f->engine, "4", NULL, 0, "clear", NOW, ERR), 0);
	f->valve_stuck_open[3] = true;
	f->fill_ticks[3] = 4;
	f->purge_ticks = 10;
	fake_scans(f, 10 + 3);
	assert_true(f->output[0]);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	fake_scan(f);
	assert_overfull_shut_off(f, 3);
	assert_false(f->output[0]);
	assert_false(manifold_status(f, 0) & MANIFOLD_STATUS_OVERFULL);	/* 4 is, not A */
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_ABORTED), 1);
}

/*
 * LN2 at an idle exhaust, hours after the last fill, for every detector of
 * both manifolds: overfull, only that manifold inhibited; gone and CLEARed,
 * the next detector.
 */
static void test_idle_every_detector(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	fake_scans(f, 3600);
	for (uint32_t d = 0; d < 2 * PER_MANIFOLD; d++) {
		uint32_t m = d / PER_MANIFOLD, other = 1 - m;

		f->sensor_stuck_mv[d] = COLD_MV;
		fake_scan(f);
		assert_int_equal(overfull_faults(f, d), 1);
		assert_true(fake_status(f, d) & DETECTOR_STATUS_OVERFULL);
		assert_true(f->alarm);
		/* Its manifold may not fill; the other one may. */
		assert_int_equal(engine_fill(f->engine, m ? "B" : "A", NULL, NOW, ERR), -ECANCELED);
		assert_int_equal(engine_fill(f->engine, other ? "B" : "A", NULL, NOW, ERR), 0);
		fake_scan_until_idle(f, 200);
		/* CLEAR leaves it while LN2 is there; once gone, CLEAR clears. */
		assert_int_equal(engine_clear(f->engine, "all", NOW, ERR), 0);
		assert_true(fake_status(f, d) & DETECTOR_STATUS_OVERFULL);
		f->sensor_stuck_mv[d] = 0;
		fake_scan(f);
		assert_int_equal(engine_clear(f->engine, "all", NOW, ERR), 0);
		assert_int_equal(fake_status(f, d), 0);
		assert_false(f->alarm);
	}
	/* The manifolds' output sensors, idle. */
	for (uint32_t m = 0; m < 2; m++) {
		f->manifold_sensor_stuck_mv[m] = COLD_MV;
		fake_scan(f);
		assert_true(manifold_status(f, m) & MANIFOLD_STATUS_OVERFULL);
		assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 2 * PER_MANIFOLD + m + 1);
		f->manifold_sensor_stuck_mv[m] = 0;
		fake_scan(f);
		assert_int_equal(engine_clear(f->engine, "all", NOW, ERR), 0);
		assert_int_equal(manifold_status(f, m), 0);
	}
}

/*
 * A valve that sticks open between fills. Right after a fill the line
 * still holds LN2 and it pours through: overfull 5 scans later, more than
 * the closure delay after the valve closed. Cleared; and a valve that sticks
 * once the line drained: hours later a neighbour's fill feeds the
 * manifold and LN2 pours through it: overfull then, the neighbour aborted.
 */
static void test_stuck_open_found_at_a_later_neighbour_fill(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	assert_int_equal(engine_preset(f->engine, "1", NULL, 0, "clear", NOW, ERR), 0);
	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	f->valve_stuck_open[2] = true;
	fake_scans(f, 4);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	fake_scan(f);
	assert_int_equal(overfull_faults(f, 2), 1);
	assert_non_null(strstr(f->last_fault, "detector 3: overfull, LN2 at its exhaust "));
	assert_true(atoi(strstr(f->last_fault, "exhaust ") + 8) > CLOSURE_DELAY_S);
	f->valve_stuck_open[2] = false;
	fake_scans(f, 3600);
	assert_int_equal(engine_clear(f->engine, "all", NOW, ERR), 0);
	assert_int_equal(fake_status(f, 2), 0);
	f->n_events = 0;

	f->valve_stuck_open[2] = true;
	fake_scans(f, 3600);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	f->fill_ticks[0] = 40;
	assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), 0);
	/* The purge opens the input at the first scan; from the next, LN2
	 * flows through 3's stuck valve: at its exhaust 5 scans later. */
	fake_scans(f, 5);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	fake_scan(f);
	assert_overfull_shut_off(f, 2);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_ABORTED), 1);
}

/*
 * Item 2: CANCEL during the purge with the output valve stuck open. The
 * settled purge closed the output: its closure delay later, LN2 at the
 * output is overfull. Then again with a new purge started (and cancelled)
 * before the first closure delay was over: the watch is not dropped.
 */
static void test_manifold_cancelled_purge_output_stuck(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->output_stuck_open[0] = true;
	f->purge_ticks = 10;
	fake_scans(f, 10 + 1);
	assert_true(f->output[0]);
	assert_int_equal(engine_cancel(f->engine, "A", NOW, ERR), 0);
	assert_false(f->output[0]);
	assert_false(f->input[0]);
	/* The line still holds LN2 (20 scans) and it flows out of the
	 * stuck output: cold at 10 scans of flow. */
	fake_scans(f, 10);
	assert_true(manifold_status(f, 0) & MANIFOLD_STATUS_OVERFULL);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 1);
	assert_true(f->alarm);
}

static void test_manifold_new_purge_keeps_the_watch(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	/* A purge ends normally (output closed); 1 fills 1 s and is done. */
	assert_int_equal(engine_preset(f->engine, "all", NULL, 0, "clear", NOW, ERR), 0);
	f->fill_ticks[0] = 1;
	f->purge_ticks = 2;
	assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), 0);
	fake_scans(f, 3);
	assert_false(f->output[0]);
	f->output_stuck_open[0] = true;	/* ... but it stuck */
	f->purge_ticks = 30;		/* the stuck output keeps the line from filling */
	fake_scans(f, 1);
	/* Within its closure delay, a new purge for 2, cancelled at once. */
	assert_int_equal(engine_fill(f->engine, "2", NULL, NOW, ERR), 0);
	fake_scan(f);
	assert_true(f->output[0]);
	assert_int_equal(engine_cancel(f->engine, "2", NOW, ERR), 0);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	f->purge_ticks = 12;
	fake_scans(f, CLOSURE_DELAY_S + 10);
	assert_true(manifold_status(f, 0) & MANIFOLD_STATUS_OVERFULL);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 1);
}

/*
 * Item 2: a detector valve whose close failed is retried; once the retry
 * works its exhaust is watched (a closure delay later), and LN2 there —
 * the valve stuck open behind its released relay — is overfull.
 */
static void test_close_retried_then_watched(void **state)
{
	struct fake_plant *f = *state;

	for (uint32_t i = 1; i < PER_MANIFOLD; i++)
		f->fill_ticks[i] = 50;
	f->valve_close_fails[0] = true;
	fake_scans(f, 10 + 2 + 3);
	assert_true(f->valve[0]);		/* full, but the close failed */
	assert_int_equal(fake_state(f), ENGINE_STATE_CRASHED);
	fake_scans(f, 5);
	f->valve_close_fails[0] = false;
	f->valve_stuck_open[0] = true;
	fake_scan(f);
	assert_false(f->valve[0]);
	fake_scans(f, CLOSURE_DELAY_S - 1);
	assert_int_equal(overfull_faults(f, 0), 0);
	fake_scan(f);
	assert_overfull_shut_off(f, 0);
}

/*
 * Manual fill: LN2 at an exhaust is the operator's; the watch rests, and
 * resumes a closure delay after the key went off. Still there then: an
 * overfull.
 */
static void test_after_manual_fill(void **state)
{
	struct fake_plant *f = *state;

	f->key[0] = true;
	fake_scan(f);
	f->sensor_stuck_mv[4] = COLD_MV;
	fake_scans(f, 100);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	f->key[0] = false;
	fake_scan(f);		/* the key is seen off */
	fake_scans(f, CLOSURE_DELAY_S - 1);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	fake_scan(f);
	assert_int_equal(overfull_faults(f, 4), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cancelled_warm_then_cold_while_neighbours_fill),
		cmocka_unit_test(test_avoided_stuck_open_during_manifold_fill),
		cmocka_unit_test_setup_teardown(test_idle_stuck_open_mid_purge, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_idle_every_detector, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stuck_open_found_at_a_later_neighbour_fill,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_manifold_cancelled_purge_output_stuck,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_manifold_new_purge_keeps_the_watch,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_close_retried_then_watched, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_after_manual_fill, engine_fixture_no_presets,
						engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
