// SPDX-License-Identifier: GPL-2.0
/*
 * The debounce of exhaust readings on the fake plant (debounce-readings,
 * 3 by default): one noisy reading past the reference neither ends a fill
 * nor ends a purge nor raises an overfull, nor does one noisy warm reading
 * let CLEAR remove an overfull whose LN2 is still there; the confirming
 * conversions are taken in the same scan (a real crossing closes the valve
 * in the scan that saw it); a glitch among them postpones the decision to
 * the next scan; engine_sample_detector() does the same between scans.
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
#define PER_MANIFOLD 6

/* For every detector: one cold reading at 1 s of flow does not end its
 * fill; it ends full at its real crossing, in the scan that saw it, after
 * debounce-readings conversions in that scan. */
static void test_noise_does_not_end_a_fill(void **state)
{
	struct fake_plant *f = *state;

	fake_scans(f, 10 + 2);		/* purge done: valves open */
	fake_scan(f);			/* 1 s of flow */
	for (uint32_t d = 0; d < PER_MANIFOLD; d++) {
		assert_true(f->valve[d]);
		fake_glitch(f, d, COLD_MV, 1);
	}
	fake_scan(f);
	for (uint32_t d = 0; d < PER_MANIFOLD; d++) {
		assert_true(f->valve[d]);
		/* the glitch and one confirming conversion that disagreed */
		assert_int_equal(f->scan_reads[d], 2);
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), 0);
	}
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	/* Detector d crosses at 3 + d s of flow. */
	for (uint32_t d = 0; d < PER_MANIFOLD; d++) {
		while (f->flow[d] + 1 < f->fill_ticks[d]) {
			fake_scan(f);
			assert_true(f->valve[d]);
		}
		fake_scan(f);
		assert_false(f->valve[d]);
		assert_int_equal(f->scan_reads[d], DEBOUNCE_READINGS_DEFAULT);
		assert_int_equal(fill_history_last(engine_fill_history(f->engine, d))->result,
				 FILL_RESULT_FULL);
		assert_int_equal(fill_history_last(engine_fill_history(f->engine, d))->duration_usec,
				 (2 + 3 + d) * 1000000ull);
	}
	/* Warm or cold, a steady exhaust costs one conversion per scan (6's
	 * exhaust warmed after its valve closed: confirmed in this scan). */
	fake_scan(f);
	assert_int_equal(f->scan_reads[5], DEBOUNCE_READINGS_DEFAULT);
	fake_scan(f);
	for (uint32_t d = 0; d < PER_MANIFOLD; d++)
		assert_int_equal(f->scan_reads[d], 1);
}

/* A warm glitch among the confirming conversions of a real crossing: not
 * full at this scan, full at the next. */
static void test_noise_in_the_confirmation(void **state)
{
	struct fake_plant *f = *state;

	f->fill_ticks[0] = 20;
	fake_scans(f, 10 + 2 + 5);
	assert_true(f->valve[0]);
	/* LN2 arrives; the second conversion of the scan spikes warm. */
	f->sensor_stuck_mv[0] = COLD_MV;
	f->glitch_mv[0][0] = COLD_MV;
	f->glitch_mv[0][1] = WARM_MV;
	f->glitch_reads[0] = 2;
	fake_scan(f);
	assert_true(f->valve[0]);
	assert_int_equal(f->scan_reads[0], 2);
	fake_scan(f);
	assert_false(f->valve[0]);
	assert_int_equal(f->scan_reads[0], DEBOUNCE_READINGS_DEFAULT);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 1);
}

/* One cold reading of the manifold's output sensor does not end its
 * purge early. */
static void test_noise_does_not_end_a_purge(void **state)
{
	struct fake_plant *f = *state;

	f->purge_ticks = 5;
	fake_scans(f, 10 + 1);
	assert_true(f->output[0]);
	f->manifold_glitch_mv[0] = COLD_MV;
	f->manifold_glitch_reads[0] = 1;
	fake_scan(f);
	assert_true(f->output[0]);
	assert_false(f->valve[0]);
	fake_scans(f, 3);
	assert_false(f->output[0]);	/* the real crossing */
	assert_true(f->valve[0]);
}

/* Idle, every detector and both manifolds: one noisy cold reading is no
 * overfull; debounce-readings of them in a row is. */
static void test_noise_is_no_overfull(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	fake_scans(f, 60);
	for (uint32_t d = 0; d < 2 * PER_MANIFOLD; d++) {
		fake_glitch(f, d, COLD_MV, DEBOUNCE_READINGS_DEFAULT - 1);
		fake_scan(f);
		assert_int_equal(f->scan_reads[d], DEBOUNCE_READINGS_DEFAULT);
	}
	for (uint32_t m = 0; m < 2; m++) {
		f->manifold_glitch_mv[m] = COLD_MV;
		f->manifold_glitch_reads[m] = DEBOUNCE_READINGS_DEFAULT - 1;
		fake_scan(f);
	}
	fake_scans(f, 3);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	assert_false(f->alarm);

	fake_glitch(f, 4, COLD_MV, DEBOUNCE_READINGS_DEFAULT);
	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 1);
	assert_true(fake_status(f, 4) & DETECTOR_STATUS_OVERFULL);
	/* Gone at once (a burst, not LN2): CLEAR removes it. */
	fake_scan(f);
	assert_int_equal(engine_clear(f->engine, "5", NOW, ERR), 0);
	assert_int_equal(fake_status(f, 4), 0);
}

/* An overfull whose LN2 is still there: one noisy warm reading does not
 * make CLEAR remove it. */
static void test_noise_does_not_clear_an_overfull(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	fake_scans(f, CLOSURE_DELAY_S);
	f->sensor_stuck_mv[2] = COLD_MV;
	fake_scan(f);
	assert_true(fake_status(f, 2) & DETECTOR_STATUS_OVERFULL);
	fake_glitch(f, 2, WARM_MV, 1);
	fake_scan(f);
	assert_int_equal(engine_clear(f->engine, "3", NOW, ERR), 0);
	assert_true(fake_status(f, 2) & DETECTOR_STATUS_OVERFULL);
	f->sensor_stuck_mv[2] = 0;
	fake_scan(f);
	assert_int_equal(engine_clear(f->engine, "3", NOW, ERR), 0);
	assert_int_equal(fake_status(f, 2), 0);
}

/* debounce-readings 1: every reading counts; 5: four in a row do not. */
static void test_debounce_setting(void **state)
{
	struct fake_plant *f = *state;

	f->station->globals.debounce_readings = 1;
	fake_scans(f, 10 + 2 + 1);
	fake_glitch(f, 5, COLD_MV, 1);
	fake_scan(f);
	assert_false(f->valve[5]);
	assert_int_equal(f->scan_reads[5], 1);
	assert_int_equal(fake_count_results(f, 5, FILL_RESULT_FULL), 1);

	f->station->globals.debounce_readings = 5;
	fake_glitch(f, 4, COLD_MV, 4);
	fake_scan(f);
	assert_true(f->valve[4]);
	assert_int_equal(f->scan_reads[4], 5);
	fake_glitch(f, 4, COLD_MV, 5);
	fake_scan(f);
	assert_false(f->valve[4]);
}

/* engine_sample_detector(): between scans, a confirmed crossing ends the
 * fill at once (the last one closes the manifold input); a glitch does
 * not; an idle detector is only read. */
static void test_sample_between_scans(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	assert_int_equal(engine_fill(f->engine, "2", NULL, NOW, ERR), 0);
	fake_scans(f, 1 + 2 + 1);
	assert_true(f->valve[1]);
	fake_glitch(f, 1, COLD_MV, 1);
	engine_sample_detector(f->engine, 1, NOW);
	assert_true(f->valve[1]);
	f->sensor_stuck_mv[1] = COLD_MV;
	f->scan_reads[1] = 0;
	engine_sample_detector(f->engine, 1, NOW);
	assert_int_equal(f->scan_reads[1], DEBOUNCE_READINGS_DEFAULT);
	assert_false(f->valve[1]);
	assert_false(f->input[0]);
	assert_false(f->dewar_inhibit);
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_FULL), 1);
	/* Idle: read, nothing else (its closure delay has not passed). */
	engine_sample_detector(f->engine, 1, NOW);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	engine_sample_detector(f->engine, 99, NOW);	/* no such index: nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_noise_does_not_end_a_fill, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_noise_in_the_confirmation, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_noise_does_not_end_a_purge, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_noise_is_no_overfull, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_noise_does_not_clear_an_overfull,
						engine_fixture_one_manifold, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_debounce_setting, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sample_between_scans, engine_fixture_no_presets,
						engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
