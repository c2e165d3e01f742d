// SPDX-License-Identifier: GPL-2.0
/*
 * The autofill engine's run state in the station's fixed-size state
 * areas: round trip, a fill interrupted by a crash or by shutdown
 * (recorded as interrupted, rescheduled, valves closed first), and
 * refusal of damaged records.
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

/* The parts of a view that persist (readings are taken afresh). */
static void persistent_view(const struct fake_plant *f, uint32_t d, struct engine_detector_view *v)
{
	engine_detector_view(f->engine, d, v);
	v->mv = 0;
	v->mv_valid = false;
	v->status &= ~DETECTOR_STATUS_UNAVAILABLE;
}

/* Restart the engine as a new daemon would: from the saved areas only,
 * with the relays as the old process left them. */
static void restart(struct fake_plant *f, bool crash)
{
	bool valve[FAKE_DETECTORS_MAX], input[FAKE_MANIFOLDS_MAX], output[FAKE_MANIFOLDS_MAX];

	memcpy(valve, f->valve, sizeof(valve));
	memcpy(input, f->input, sizeof(input));
	memcpy(output, f->output, sizeof(output));
	engine_save_state(f->engine);
	f->engine = engine_free(f->engine);
	if (crash) {
		/* Killed: nobody closed anything. */
		memcpy(f->valve, valve, sizeof(valve));
		memcpy(f->input, input, sizeof(input));
		memcpy(f->output, output, sizeof(output));
		f->dewar_inhibit = true;
	}
	f->real_usec += 30 * 1000000ll;	/* down for half a minute */
	f->mono_usec += 30 * 1000000ll;
	f->n_events = 0;
	fake_log_reset(f);
	assert_int_equal(fake_start_engine(f), 0);
}

static void test_round_trip(void **state)
{
	struct fake_plant *f = *state;
	struct engine_detector_view before[12], after[12];
	struct engine_manifold_view manifold_before[2];
	const char *times[] = { "06:30", "20:00" };
	char error[256];

	f->supply_empty[1] = true;
	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);		/* B underfull */
	assert_int_equal(engine_preset(f->engine, "1,2", times, 2, "add", NOW, ERR), 0);
	assert_int_equal(engine_delay(f->engine, "2", 30, NOW, ERR), 0);
	assert_int_equal(engine_avoid(f->engine, "3", NOW, ERR), 0);
	assert_int_equal(engine_fill(f->engine, "4", "21:15", NOW, ERR), 0);
	f->bias[4] = true;
	fake_scan(f);
	for (uint32_t d = 0; d < 12; d++)
		persistent_view(f, d, &before[d]);
	for (uint32_t m = 0; m < 2; m++)
		engine_manifold_view(f->engine, m, &manifold_before[m]);
	assert_true(manifold_before[0].valve_changed_usec > 0);

	restart(f, false);
	for (uint32_t d = 0; d < 12; d++) {
		persistent_view(f, d, &after[d]);
		assert_memory_equal(&before[d], &after[d], sizeof(before[d]));
	}
	/* Manifolds too: their last valve change is the one before the
	 * restart, not the closing at start-up (ValveChangedUSec). */
	for (uint32_t m = 0; m < 2; m++) {
		struct engine_manifold_view v;

		engine_manifold_view(f->engine, m, &v);
		assert_int_equal(v.valve_changed_usec, manifold_before[m].valve_changed_usec);
	}
	assert_true(after[6].status & DETECTOR_STATUS_UNDERFULL);
	assert_true(after[1].status & DETECTOR_STATUS_DELAYED);
	assert_true(after[2].status & DETECTOR_STATUS_AVOIDED);
	assert_true(after[4].status & DETECTOR_STATUS_BIAS_SHUTDOWN);
	struct engine_manifold_view mv;

	engine_manifold_view(f->engine, 1, &mv);
	assert_true(mv.status & MANIFOLD_STATUS_UNDERFULL);
	/* Not CLEARed before the restart: the alarm sounds again. */
	assert_true(f->alarm);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);
	/* The presets are written back into the station, as compiled records. */
	assert_int_equal(f->station->detectors[0].n_presets, 3);
	assert_int_equal(f->station->detectors[0].preset[0], 6 * 60 + 30);
	assert_int_equal(f->station->detectors[0].preset[3], PRESET_UNUSED);
	/* Nothing was running: no fill is recorded as interrupted. */
	assert_int_equal(fake_count_events(f, EV_ENDED, -1), 0);
	/* Bias still asserted: not a new shutdown edge after the restart. */
	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_BIAS_SHUTDOWN), 0);
}

static void test_crash_mid_fill(void **state)
{
	struct fake_plant *f = *state;
	int64_t start;

	f->fill_ticks[2] = 40;
	fake_scans(f, 10 + 2 + 10);
	assert_true(f->valve[2]);
	assert_true(f->input[0]);
	start = fill_history_last(engine_fill_history(f->engine, 0))->start_usec;

	restart(f, true);
	/* First thing: every valve closed, then the outputs made known. */
	assert_string_equal(fake_log_string(f),
			    "close 1, close 2, close 3, close 4, close 5, close 6, "
			    "close 7, close 8, close 9, close 10, close 11, close 12, "
			    "close A-out, close A-in, close B-out, close B-in, inhibit off, alarm off");
	assert_false(fake_any_valve_open(f));
	assert_false(f->alarm);
	/* Detector 3's fill is recorded as interrupted, and is due again. */
	const struct fill_record *r = fill_history_last(engine_fill_history(f->engine, 2));

	assert_non_null(r);
	assert_int_equal(r->result, FILL_RESULT_INTERRUPTED);
	assert_int_equal(r->start_usec, start);
	assert_int_equal(r->end_usec, f->real_usec);
	assert_true(r->lowest_mv < WARM_MV);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_INTERRUPTED), 1);
	/* Detector 1's fill had ended: nothing to record. (The history
	 * itself is not in the state areas; it restarts empty.) */
	assert_int_equal(engine_fill_history(f->engine, 0)->count, 0);

	fake_scan_until_idle(f, 200);
	assert_int_equal(fake_count_results(f, 2, FILL_RESULT_FULL), 1);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 1);
}

static void test_shutdown_mid_fill(void **state)
{
	struct fake_plant *f = *state;

	fake_scans(f, 10 + 1);		/* purging */
	assert_true(f->output[0]);
	fake_log_reset(f);
	assert_int_equal(engine_shutdown(f->engine, NOW), 0);
	assert_false(fake_any_valve_open(f));
	assert_false(f->dewar_inhibit);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_INTERRUPTED), 12);
	/* Scans after shutdown do nothing. */
	fake_log_reset(f);
	fake_scans(f, 5);
	assert_int_equal(f->n_log, 0);

	restart(f, false);
	assert_int_equal(fake_count_events(f, EV_ENDED, -1), 0);	/* already recorded */
	fake_scan_until_idle(f, 200);
	for (uint32_t d = 0; d < 12; d++)
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), 1);
}

static void test_start_with_unclosable_valve(void **state)
{
	struct fake_plant *f = *state;

	/* A relay left energized that will not release: the dewar stays
	 * inhibited, the alarm sounds, state crashed, closing is retried. */
	f->valve[4] = true;
	f->valve_close_fails[4] = true;
	fake_log_reset(f);
	assert_int_equal(fake_start_engine(f), 0);
	assert_true(f->dewar_inhibit);
	assert_true(f->alarm);
	assert_int_equal(fake_state(f), ENGINE_STATE_CRASHED);
	assert_true(fake_status(f, 4) & DETECTOR_STATUS_UNAVAILABLE);
	f->valve_close_fails[4] = false;
	fake_scan(f);
	assert_false(fake_any_valve_open(f));
	assert_false(f->dewar_inhibit);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
}

static void test_damaged_records_refused(void **state)
{
	struct fake_plant *f = *state;
	uint8_t saved[DETECTOR_STATE_SIZE];
	struct {
		unsigned offset;
		uint8_t value;
		const char *says;
	} cases[] = {
		{ 0, 9, "version 9" },
		{ 1, 7, "phase 7" },
		{ 3, 0x80, "unknown flags" },
		{ 4, 5, "preset count" },
		{ 7, 0x07, "preset 1" },	/* 0x7e0 minutes is not a time of day */
		{ 60, 1, "reserved" },
	};

	engine_save_state(f->engine);
	memcpy(saved, f->station->detectors[3].state, sizeof(saved));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(f->station->detectors[3].state, saved, sizeof(saved));
		f->station->detectors[3].state[cases[i].offset] = cases[i].value;
		fake_log_reset(f);
		assert_int_equal(fake_start_engine(f), -EBADMSG);
		assert_null(f->engine);
		assert_non_null(strstr(f->error, "detector 4: state record"));
		assert_non_null(strstr(f->error, cases[i].says));
		/* Even a refused start closed every valve first. */
		assert_non_null(strstr(fake_log_string(f), "close 1, close 2"));
	}
	memcpy(f->station->detectors[3].state, saved, sizeof(saved));
	assert_int_equal(fake_start_engine(f), 0);

	engine_save_state(f->engine);
	f->station->manifolds[1].state[1] = 3;
	assert_int_equal(fake_start_engine(f), -EBADMSG);
	assert_non_null(strstr(f->error, "manifold B"));
	f->station->manifolds[1].state[1] = 0;
	assert_int_equal(fake_start_engine(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_crash_mid_fill, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_mid_fill, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_start_with_unclosable_valve, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_damaged_records_refused, engine_fixture_two_manifolds,
						engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
