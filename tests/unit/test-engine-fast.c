// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path (engine_sample_filling(), fast-sampling.c) on the fake
 * plant, with the daemon's 100 Hz period (10 ms of fake clock between
 * calls; LN2 arrives between scans by a sensor stuck cold): every filling
 * detector's fill ends in the call that sees its LN2, after the debounce's
 * confirming conversions taken at once, whether 1 or 12 fill; a purge
 * ends in the call that sees LN2 at the manifold output; one noisy reading
 * ends nothing; only running fills and purges are read, an idle station
 * and a manual fill not at all. What stays with the scan keeps working
 * with the fast path running: the overfull watch after a fill the fast
 * path ended, a dead sensor, a valve that would not close (retried, its
 * overfull watch from the retry), the maximum fill time. The scan reads
 * the sensors of running fills first.
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
#define FAST_USEC 10000			/* 100 Hz */
#define N_DETECTORS 12			/* the no-presets fixture: 2 x 6 */
#define NEVER 100000u			/* LN2 only when a test says so */

static uint32_t fast_exhausts(const struct fake_plant *f)
{
	struct engine_global_view g;

	engine_global_view(f->engine, &g);
	return g.fast_exhausts;
}

/* FILL targets now; scan until the purges are over and every valve of
 * a target is open (LN2 never reaches a detector by itself). */
static void start_fills(struct fake_plant *f, const char *targets, unsigned expect_open)
{
	char error[256];
	unsigned open = 0;

	for (uint32_t d = 0; d < N_DETECTORS; d++)
		f->fill_ticks[d] = NEVER;
	assert_int_equal(engine_fill(f->engine, targets, NULL, NOW, ERR), 0);
	for (unsigned scans = 0; scans < 10 && open < expect_open; scans++) {
		fake_scan(f);
		open = 0;
		for (uint32_t d = 0; d < N_DETECTORS; d++)
			open += f->valve[d];
	}
	assert_int_equal(open, expect_open);
	assert_int_equal(fast_exhausts(f), expect_open);
}

/* Twelve detectors fill at once; LN2 reaches them one by one between
 * scans, in an order of its own: each valve closes in the fast call that
 * sees it, after debounce-readings conversions in that call; the others
 * are read once per call; the last of a manifold closes its input. */
static void test_twelve_fills_end_between_scans(void **state)
{
	static const uint32_t order[N_DETECTORS] = { 7, 2, 11, 0, 5, 9, 1, 6, 3, 10, 4, 8 };
	struct fake_plant *f = *state;
	int64_t opened = f->mono_usec;

	start_fills(f, "all", N_DETECTORS);
	opened = f->mono_usec;
	for (unsigned i = 0; i < N_DETECTORS; i++) {
		uint32_t d = order[i];
		const struct fill_record *rec;

		fake_sample_fast(f, FAST_USEC);	/* nothing yet */
		assert_true(f->valve[d]);
		f->sensor_stuck_mv[d] = COLD_MV;
		fake_sample_fast(f, FAST_USEC);
		assert_false(f->valve[d]);
		assert_int_equal(f->scan_reads[d], DEBOUNCE_READINGS_DEFAULT);
		for (uint32_t o = 0; o < N_DETECTORS; o++)
			if (o != d)
				assert_int_equal(f->scan_reads[o], f->valve[o] ? 1 : 0);
		rec = fill_history_last(engine_fill_history(f->engine, d));
		assert_int_equal(rec->result, FILL_RESULT_FULL);
		assert_true(rec->lowest_mv <= COLD_MV);
		assert_int_equal(fast_exhausts(f), N_DETECTORS - 1 - i);
		assert_int_equal(fake_status(f, d) & DETECTOR_STATUS_FILLING, 0);
	}
	/* Each ended 20 ms after the one before. */
	assert_int_equal(fill_history_last(engine_fill_history(f->engine, order[N_DETECTORS - 1]))->end_usec -
			 fill_history_last(engine_fill_history(f->engine, order[0]))->end_usec,
			 (N_DETECTORS - 1) * 2 * FAST_USEC);
	assert_true(f->mono_usec - opened == N_DETECTORS * 2 * FAST_USEC);
	assert_false(f->input[0]);
	assert_false(f->input[1]);
	assert_false(f->dewar_inhibit);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), N_DETECTORS);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
}

/* One detector: its fill ends at the fast call; the manifold input too. */
static void test_one_fill_ends_between_scans(void **state)
{
	struct fake_plant *f = *state;
	unsigned conversions;

	start_fills(f, "8", 1);
	f->sensor_stuck_mv[7] = COLD_MV;
	conversions = f->n_conversions;
	fake_sample_fast(f, FAST_USEC);
	assert_false(f->valve[7]);
	assert_false(f->input[1]);
	/* Only its own sensor was read: debounce-readings conversions. */
	assert_int_equal(f->n_conversions - conversions, DEBOUNCE_READINGS_DEFAULT);
	assert_int_equal(fake_count_results(f, 7, FILL_RESULT_FULL), 1);
	assert_int_equal(fast_exhausts(f), 0);
}

/* A purge: the manifold output is read fast, its detectors are not; the
 * call that confirms LN2 there opens the detector valves and closes the
 * output; from the next call the detectors are read. */
static void test_purge_ends_between_scans(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->purge_ticks = NEVER;
	assert_int_equal(engine_fill(f->engine, "1-6", NULL, NOW, ERR), 0);
	fake_scan(f);
	assert_true(f->input[0] && f->output[0]);
	assert_int_equal(fast_exhausts(f), 1);
	fake_sample_fast(f, FAST_USEC);
	assert_int_equal(f->scan_manifold_reads[0], 1);
	assert_int_equal(f->scan_manifold_reads[1], 0);
	for (uint32_t d = 0; d < N_DETECTORS; d++)
		assert_int_equal(f->scan_reads[d], 0);
	f->manifold_sensor_stuck_mv[0] = COLD_MV;
	fake_sample_fast(f, FAST_USEC);
	assert_int_equal(f->scan_manifold_reads[0], DEBOUNCE_READINGS_DEFAULT);
	assert_false(f->output[0]);
	assert_true(f->input[0]);
	for (uint32_t d = 0; d < 6; d++) {
		assert_true(f->valve[d]);
		assert_int_equal(f->scan_reads[d], 0);
	}
	assert_int_equal(fast_exhausts(f), 6);
	fake_sample_fast(f, FAST_USEC);
	for (uint32_t d = 0; d < 6; d++)
		assert_int_equal(f->scan_reads[d], 1);
	assert_int_equal(f->scan_manifold_reads[0], 0);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
}

/* One noisy reading, of a filling detector or a purging manifold, ends
 * nothing and raises nothing. */
static void test_noise_ends_nothing(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	start_fills(f, "1-6", 6);
	for (uint32_t d = 0; d < 6; d++)
		fake_glitch(f, d, COLD_MV, 1);
	fake_sample_fast(f, FAST_USEC);
	for (uint32_t d = 0; d < 6; d++) {
		assert_true(f->valve[d]);
		assert_int_equal(f->scan_reads[d], 2);
	}
	f->purge_ticks = NEVER;
	assert_int_equal(engine_fill(f->engine, "7-12", NULL, NOW, ERR), 0);
	fake_scan(f);
	assert_true(f->output[1]);
	f->manifold_glitch_mv[1] = COLD_MV;
	f->manifold_glitch_reads[1] = 1;
	fake_sample_fast(f, FAST_USEC);
	assert_true(f->output[1]);
	assert_int_equal(f->scan_manifold_reads[1], 2);
	assert_int_equal(fake_count_events(f, EV_ENDED, -1), 0);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
}

/* Nothing fills: nothing to sample, and a call reads nothing and
 * publishes nothing. A manual fill stops the fast path as it stops fills. */
static void test_idle_and_manual_fill_read_nothing(void **state)
{
	struct fake_plant *f = *state;
	unsigned conversions = f->n_conversions, changes = f->n_property_changes;

	assert_int_equal(fast_exhausts(f), 0);
	fake_sample_fast(f, FAST_USEC);
	assert_int_equal(f->n_conversions, conversions);
	assert_int_equal(f->n_property_changes, changes);

	start_fills(f, "1-12", N_DETECTORS);
	f->key[1] = true;
	fake_scan(f);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fast_exhausts(f), 0);
	conversions = f->n_conversions;
	fake_sample_fast(f, FAST_USEC);
	assert_int_equal(f->n_conversions, conversions);
}

/* A sensor that dies during the fast path: that fill ends (valve closed,
 * aborted), one sensor fault, the detector unavailable, the alarm on; the
 * other fills go on; the scan reports nothing twice. */
static void test_dead_sensor_in_the_fast_path(void **state)
{
	struct fake_plant *f = *state;

	start_fills(f, "1-6", 6);
	f->sensor_dead[2] = true;
	fake_sample_fast(f, FAST_USEC);
	assert_false(f->valve[2]);
	assert_int_equal(fake_count_results(f, 2, FILL_RESULT_ABORTED), 1);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_SENSOR), 1);
	assert_true(fake_status(f, 2) & DETECTOR_STATUS_UNAVAILABLE);
	assert_true(f->alarm);
	for (uint32_t d = 0; d < 6; d++)
		if (d != 2)
			assert_true(f->valve[d]);
	assert_int_equal(fast_exhausts(f), 5);
	fake_scan(f);
	fake_sample_fast(f, FAST_USEC);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_SENSOR), 1);
	assert_int_equal(f->scan_reads[2], 0);
}

/* The fast path ended the fill, but LN2 stays at the exhaust (a valve
 * stuck open): overfull from the closure delay on, raised by the scan's
 * watch, not before. */
static void test_overfull_after_a_fast_end(void **state)
{
	struct fake_plant *f = *state;

	start_fills(f, "1-2", 2);
	f->valve_stuck_open[0] = true;
	f->sensor_stuck_mv[0] = COLD_MV;
	fake_sample_fast(f, FAST_USEC);
	assert_false(f->valve[0]);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 1);
	for (unsigned s = 0; s < CLOSURE_DELAY_S - 1; s++) {
		fake_scan(f);
		fake_sample_fast(f, FAST_USEC);
	}
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 0);
	assert_true(f->valve[1]);
	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 1);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_OVERFULL);
	/* The manifold is shut off: 2's fill aborted with a manifold error. */
	assert_false(f->input[0]);
	assert_false(f->valve[1]);
	assert_true(fake_status(f, 1) & DETECTOR_STATUS_MANIFOLD_ERROR);
	assert_int_equal(fast_exhausts(f), 0);
}

/* A valve that will not close when the fast path ends its fill: counted
 * open (crashed, inhibit on), retried by the scan; once closed, its
 * exhaust is watched a closure delay from that retry. */
static void test_valve_that_will_not_close(void **state)
{
	struct fake_plant *f = *state;

	start_fills(f, "3", 1);
	f->valve_close_fails[2] = true;
	f->sensor_stuck_mv[2] = COLD_MV;
	fake_sample_fast(f, FAST_USEC);
	assert_true(f->valve[2]);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_VALVE), 1);
	assert_int_equal(fake_state(f), ENGINE_STATE_CRASHED);
	assert_true(f->dewar_inhibit);
	assert_false(f->input[0]);	/* the manifold's shut-off closes instead */
	fake_scan(f);
	assert_true(f->valve[2]);
	f->valve_close_fails[2] = false;
	fake_scan(f);			/* retried: closed */
	assert_false(f->valve[2]);
	assert_false(f->dewar_inhibit);
	for (unsigned s = 0; s < CLOSURE_DELAY_S - 1; s++)
		fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 0);
	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 1);
}

/* No LN2 at all: the fast path runs at every period and the scan still
 * ends the fill underfull at its maximum fill time, once. */
static void test_underfull_with_the_fast_path(void **state)
{
	struct fake_plant *f = *state;
	unsigned scans = 0;
	int64_t opened;

	start_fills(f, "5", 1);
	opened = f->mono_usec;
	while (f->valve[4] && scans++ < 2 * DETECTOR_MAX_FILL_S) {
		for (unsigned i = 0; i < 9; i++)
			fake_sample_fast(f, FAST_USEC);
		f->real_usec -= 9 * FAST_USEC;	/* the scans keep their 1 s */
		f->mono_usec -= 9 * FAST_USEC;
		fake_scan(f);
	}
	assert_false(f->valve[4]);
	assert_int_equal(f->mono_usec - opened, DETECTOR_MAX_FILL_S * 1000000ll);
	assert_int_equal(fake_count_results(f, 4, FILL_RESULT_UNDERFULL), 1);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_UNDERFULL), 1);
}

/* The scan reads the sensors of running fills first, and ends a fill
 * whose LN2 it confirms before the other conversions. */
static void test_scan_reads_filling_detectors_first(void **state)
{
	struct fake_plant *f = *state;

	start_fills(f, "4,9", 2);
	fake_scan(f);
	for (uint32_t d = 0; d < N_DETECTORS; d++)
		if (d != 3 && d != 8) {
			assert_true(f->read_at[d] > f->read_at[3]);
			assert_true(f->read_at[d] > f->read_at[8]);
		}
	assert_true(f->manifold_read_at[0] > f->read_at[8]);
	f->sensor_stuck_mv[3] = COLD_MV;
	fake_log_reset(f);
	fake_scan(f);
	assert_false(f->valve[3]);
	assert_true(f->valve[8]);
	assert_int_equal(fake_count_results(f, 3, FILL_RESULT_FULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_twelve_fills_end_between_scans,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_one_fill_ends_between_scans,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_purge_ends_between_scans,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_noise_ends_nothing,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_idle_and_manual_fill_read_nothing,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_dead_sensor_in_the_fast_path,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_overfull_after_a_fast_end,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_valve_that_will_not_close,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_underfull_with_the_fast_path,
						engine_fixture_no_presets, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_scan_reads_filling_detectors_first,
						engine_fixture_no_presets, engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
