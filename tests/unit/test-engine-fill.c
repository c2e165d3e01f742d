// SPDX-License-Identifier: GPL-2.0
/*
 * The autofill engine's fill sequence on a fake plant: valve order,
 * shared purge, underfull, overfull, bias shutdown, manual fill, dewar
 * inhibit, alarm, sensor and valve faults.
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

static void test_start_closes_every_valve(void **state)
{
	struct fake_plant *f = *state;

	/* engine_new already ran: its log is the start-up closing. */
	assert_string_equal(fake_log_string(f),
			    "close 1, close 2, close 3, close 4, close 5, close 6, "
			    "close A-out, close A-in, inhibit off, alarm off");
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
}

static void test_scheduled_fill_valve_order(void **state)
{
	struct fake_plant *f = *state;
	struct engine_global_view g;

	fake_log_reset(f);
	fake_scans(f, 9);	/* 07:59:59: nothing yet */
	assert_int_equal(f->n_log, 0);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);

	fake_scan(f);		/* 08:00:00: purge starts */
	assert_string_equal(fake_log_string(f), "inhibit on, open A-in, open A-out");
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 6);
	assert_int_equal(fake_status(f, 0) & DETECTOR_STATUS_PURGING, DETECTOR_STATUS_PURGING);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILLING);

	fake_scan(f);		/* manifold flow 1 of 2 */
	engine_global_view(f->engine, &g);
	assert_int_equal(g.filling_count, 0);
	fake_scan(f);		/* manifold full: detectors take over */
	engine_global_view(f->engine, &g);
	assert_int_equal(g.filling_count, 6);
	assert_true(g.dewar_inhibit);

	fake_scan_until_idle(f, 200);
	assert_string_equal(fake_log_string(f),
			    "inhibit on, open A-in, open A-out, "
			    "open 1, open 2, open 3, open 4, open 5, open 6, close A-out, "
			    "close 1, close 2, close 3, close 4, close 5, close 6, close A-in, "
			    "inhibit off");
	for (uint32_t d = 0; d < 6; d++) {
		const struct fill_record *r = fill_history_last(engine_fill_history(f->engine, d));

		assert_non_null(r);
		assert_int_equal(r->result, FILL_RESULT_FULL);
		assert_int_equal(r->lowest_mv, COLD_MV);
		assert_int_equal(r->start_usec, (FAKE_START_S + 10) * 1000000ll);
		/* purge 2 s, then 3 + d s of flow for detector d */
		assert_int_equal(r->duration_usec, (2 + 3 + d) * 1000000ull);
		assert_int_equal(fake_status(f, d), 0);
	}
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 6);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	assert_false(f->alarm);
	assert_false(f->dewar_inhibit);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	assert_true(f->n_property_changes > 0);

	/* The next fill is tomorrow's preset. */
	struct engine_detector_view v;

	engine_detector_view(f->engine, 0, &v);
	assert_int_equal(v.next_fill, FAKE_START_S + 10 + 86400);
}

static void test_shared_purge(void **state)
{
	struct fake_plant *f = *state;
	const char *times[] = { "08:30" };
	char error[256];

	/* Detectors 1 and 2 at 08:00 together, 3-6 at 08:30. */
	assert_int_equal(engine_preset(f->engine, "3-6", times, 1, "replace", f->real_usec,
				       f->mono_usec, error, sizeof(error)), 0);
	fake_log_reset(f);
	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	assert_string_equal(fake_log_string(f),
			    "inhibit on, open A-in, open A-out, open 1, open 2, close A-out, "
			    "close 1, close 2, close A-in, inhibit off");
	fake_log_reset(f);
	fake_scans(f, 30 * 60);
	fake_scan_until_idle(f, 200);
	assert_string_equal(fake_log_string(f),
			    "inhibit on, open A-in, open A-out, open 3, open 4, open 5, open 6, "
			    "close A-out, close 3, close 4, close 5, close 6, close A-in, inhibit off");
}

static void test_underfull_supply_empty(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->supply_empty[0] = true;
	fake_scans(f, 10);
	fake_scan_until_idle(f, 500);
	assert_false(fake_any_valve_open(f));
	assert_false(f->dewar_inhibit);
	for (uint32_t d = 0; d < 6; d++) {
		const struct fill_record *r = fill_history_last(engine_fill_history(f->engine, d));

		assert_int_equal(r->result, FILL_RESULT_UNDERFULL);
		assert_int_equal(r->duration_usec, (MANIFOLD_MAX_FILL_S + DETECTOR_MAX_FILL_S) * 1000000ull);
		assert_int_equal(r->lowest_mv, WARM_MV);
		assert_true(fake_status(f, d) & DETECTOR_STATUS_UNDERFULL);
	}
	struct engine_manifold_view mv;

	engine_manifold_view(f->engine, 0, &mv);
	assert_true(mv.status & MANIFOLD_STATUS_UNDERFULL);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_UNDERFULL), 7);
	assert_true(f->alarm);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);

	/* The alarm sounds until CLEAR. */
	fake_scans(f, 100);
	assert_true(f->alarm);
	assert_int_equal(engine_clear(f->engine, "all", f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	assert_false(f->alarm);
	assert_int_equal(fake_status(f, 0), 0);
	engine_manifold_view(f->engine, 0, &mv);
	assert_int_equal(mv.status, 0);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
}

static void test_overfull_stuck_valve(void **state)
{
	struct fake_plant *f = *state;
	struct engine_manifold_view mv;
	char error[256];

	f->valve_stuck_open[2] = true;		/* detector 3 */
	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fill_history_last(engine_fill_history(f->engine, 2))->result, FILL_RESULT_FULL);
	fake_scans(f, CLOSURE_DELAY_S);
	/* Closure delay passed, LN2 still at the exhaust: overfull. The
	 * fills still running on A (4, 5, 6) were aborted and A-in closed. */
	assert_true(fake_status(f, 2) & DETECTOR_STATUS_OVERFULL);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 1);
	assert_true(f->alarm);
	assert_false(f->input[0]);
	engine_manifold_view(f->engine, 0, &mv);
	assert_int_equal(mv.overfull_detectors, 1);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);

	/* Refused while it persists: FILL, and CLEAR leaves it. */
	assert_int_equal(engine_fill(f->engine, "1", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -ECANCELED);
	assert_non_null(strstr(error, "overfull"));
	/* The whole manifold too: no detector of it may fill. */
	assert_int_equal(engine_fill(f->engine, "A", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -ECANCELED);
	assert_non_null(strstr(error, "detector 1 may not fill: its manifold is overfull"));
	assert_int_equal(engine_clear(f->engine, "A", f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	assert_true(fake_status(f, 2) & DETECTOR_STATUS_OVERFULL);
	assert_true(f->alarm);		/* what CLEAR could not clear still sounds */

	/* A scheduled fill of that manifold is aborted. */
	fake_scans(f, 86400);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_ABORTED), 1);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_MANIFOLD_ERROR);
	assert_false(fake_any_valve_open(f));

	/* The manifold drained long ago (input closed): CLEAR now clears it. */
	assert_int_equal(engine_clear(f->engine, "all", f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	assert_int_equal(fake_status(f, 2), 0);
	assert_false(f->alarm);
	f->valve_stuck_open[2] = false;
	assert_int_equal(engine_fill(f->engine, "1", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	fake_scan_until_idle(f, 200);
	assert_int_equal(fill_history_last(engine_fill_history(f->engine, 0))->result, FILL_RESULT_FULL);
}

static void test_overfull_detector_aborts_running_fills(void **state)
{
	struct fake_plant *f = *state;

	/* Detector 1's stuck valve lets LN2 in from the start of the purge:
	 * full 3 s later (scan 13), its overfull check 5 s after that. */
	f->valve_stuck_open[0] = true;
	fake_scans(f, 10 + 3);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 1);
	assert_true(f->valve[5]);
	fake_scans(f, CLOSURE_DELAY_S);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_OVERFULL);
	/* The manifold input is closed and the fills still running aborted
	 * (5 and 6, 7 and 8 s of flow); 4 ended full in that very scan. */
	assert_false(f->input[0]);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fake_count_results(f, 4, FILL_RESULT_ABORTED), 1);
	assert_int_equal(fake_count_results(f, 5, FILL_RESULT_ABORTED), 1);
	assert_true(fake_status(f, 5) & DETECTOR_STATUS_MANIFOLD_ERROR);
	assert_int_equal(fake_count_results(f, 3, FILL_RESULT_FULL), 1);
	assert_false(fake_status(f, 3) & DETECTOR_STATUS_MANIFOLD_ERROR);
}

static void test_manifold_overfull(void **state)
{
	struct fake_plant *f = *state;
	struct engine_manifold_view mv;

	f->output_stuck_open[0] = true;
	fake_scans(f, 10);
	fake_scans(f, 2 + CLOSURE_DELAY_S);	/* purge done, output "closed" 5 s ago */
	engine_manifold_view(f->engine, 0, &mv);
	assert_true(mv.status & MANIFOLD_STATUS_OVERFULL);
	assert_false(fake_any_valve_open(f));
	/* Detectors 4-6 (fill ticks 6-8) were still filling: aborted. */
	assert_int_equal(fake_count_results(f, 5, FILL_RESULT_ABORTED), 1);
	assert_true(fake_status(f, 5) & DETECTOR_STATUS_MANIFOLD_ERROR);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_OVERFULL), 1);
	assert_true(f->alarm);
}

static void test_bias_shutdown(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->bias[1] = true;		/* detector 2 switched off by HV control */
	fake_scan(f);
	assert_true(fake_status(f, 1) & DETECTOR_STATUS_BIAS_SHUTDOWN);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_BIAS_SHUTDOWN), 1);
	fake_log_reset(f);
	fake_scans(f, 9);
	fake_scan_until_idle(f, 200);
	assert_null(strstr(fake_log_string(f), "open 2,"));
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 5);
	assert_int_equal(engine_fill(f->engine, "2", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -ECANCELED);

	/* FILL of its manifold skips it too; the five others fill again. */
	fake_log_reset(f);
	assert_int_equal(engine_fill(f->engine, "A", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	assert_non_null(strstr(error, "detector 2 may not fill: bias shutdown"));
	fake_scan_until_idle(f, 200);
	assert_null(strstr(fake_log_string(f), "open 2,"));
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 10);
	assert_true(fake_status(f, 1) & DETECTOR_STATUS_BIAS_SHUTDOWN);

	/* UNAVOID re-enables it, though the input is still asserted. */
	assert_int_equal(engine_unavoid(f->engine, "2", f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	assert_false(fake_status(f, 1) & DETECTOR_STATUS_BIAS_SHUTDOWN);
	assert_int_equal(engine_fill(f->engine, "2", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	fake_scan_until_idle(f, 200);
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_FULL), 1);

	/* Bias shutdown during a fill stops it. */
	f->bias[1] = false;
	fake_scan(f);
	assert_int_equal(engine_fill(f->engine, "2", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	f->fill_ticks[1] = 50;
	fake_scans(f, 4);
	assert_true(f->valve[1]);
	f->bias[1] = true;
	fake_scan(f);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_CANCELLED), 1);
}

static void test_manual_fill_key(void **state)
{
	struct fake_plant *f = *state;
	struct engine_detector_view before, after;
	char error[256];

	f->fill_ticks[5] = 50;
	fake_scans(f, 10 + 2 + 4);
	assert_true(f->valve[5]);
	f->key[1] = true;		/* manifold B's key stops everything */
	f->valve_stuck_open[0] = true;	/* the operator fills 1 by hand */
	fake_log_reset(f);
	fake_scan(f);
	assert_false(fake_any_valve_open(f));
	/* The operator fills from the supply by hand: the dewar inhibit is
	 * on before the valves close, and stays on. */
	assert_true(f->dewar_inhibit);
	assert_null(strstr(fake_log_string(f), "inhibit off"));
	assert_int_equal(fake_state(f), ENGINE_STATE_MANUAL_FILL);
	assert_int_equal(fake_count_results(f, 5, FILL_RESULT_MANUAL_FILL), 1);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);

	/* Interventions refused, nothing changed. */
	engine_detector_view(f->engine, 0, &before);
	assert_int_equal(engine_fill(f->engine, "1", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -EBUSY);
	assert_non_null(strstr(error, "manual fill"));
	assert_int_equal(engine_delay(f->engine, "1", 10, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -EBUSY);
	assert_int_equal(engine_avoid(f->engine, "1", f->real_usec, f->mono_usec, error, sizeof(error)), -EBUSY);
	assert_int_equal(engine_clear(f->engine, "1", f->real_usec, f->mono_usec, error, sizeof(error)), -EBUSY);
	engine_detector_view(f->engine, 0, &after);
	assert_memory_equal(&before, &after, sizeof(before));

	/* No fill starts while the key is on. */
	fake_log_reset(f);
	fake_scans(f, 100);
	assert_int_equal(f->n_log, 0);
	assert_true(f->dewar_inhibit);
	struct engine_global_view g;

	engine_global_view(f->engine, &g);
	assert_true(g.dewar_inhibit);
	/* LN2 at 1's exhaust after its fill: the hand fill, not an overfull. */
	assert_int_equal(fake_status(f, 0), 0);

	f->valve_stuck_open[0] = false;
	f->key[1] = false;
	fake_scan(f);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	assert_false(f->dewar_inhibit);
	assert_string_equal(fake_log_string(f), "inhibit off");
	assert_int_equal(engine_fill(f->engine, "B", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	fake_scan_until_idle(f, 200);
	/* 7 was full before the key; FILL B filled it again. */
	assert_int_equal(fake_count_results(f, 6, FILL_RESULT_FULL), 2);
}

/*
 * A manual-fill key that cannot be read counts as it was last seen: on,
 * the station stays in manual fill (the operator may be filling by hand);
 * off, only its manifold is unavailable.
 */
static void test_manual_fill_key_unreadable(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->key[1] = true;
	fake_scan(f);
	assert_int_equal(fake_state(f), ENGINE_STATE_MANUAL_FILL);
	f->key_unreadable[1] = true;
	f->key[1] = false;		/* not seen: the input fails */
	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_INPUT), 1);
	assert_int_equal(fake_state(f), ENGINE_STATE_MANUAL_FILL);
	assert_true(f->dewar_inhibit);
	assert_int_equal(engine_fill(f->engine, "1", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -EBUSY);
	fake_scans(f, 30);		/* past the 08:00 presets */
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 0);

	/* Readable again, and off: the due fills start. */
	f->key_unreadable[1] = false;
	fake_scan(f);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILLING);
	fake_scan_until_idle(f, 300);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 12);

	/* Unreadable while off: manifold B is unavailable, A fills. */
	f->key_unreadable[1] = true;
	fake_scan(f);
	assert_int_not_equal(fake_state(f), ENGINE_STATE_MANUAL_FILL);
	assert_false(f->dewar_inhibit);
	assert_int_equal(engine_fill(f->engine, "A", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	assert_int_equal(engine_fill(f->engine, "B", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -ECANCELED);
	fake_scan_until_idle(f, 300);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 18);
}

static void test_sensor_failure_during_fill(void **state)
{
	struct fake_plant *f = *state;

	fake_scans(f, 10 + 2 + 1);
	assert_true(f->valve[1]);
	f->sensor_dead[1] = true;
	fake_scan(f);
	assert_false(f->valve[1]);
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_ABORTED), 1);
	assert_true(fake_status(f, 1) & DETECTOR_STATUS_UNAVAILABLE);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_SENSOR), 1);
	assert_true(f->alarm);
	/* The others go on; the two manifolds are independent. */
	fake_scan_until_idle(f, 200);
	for (uint32_t d = 0; d < 12; d++)
		if (d != 1)
			assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), 1);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);
	/* Only one fault for a sensor that stays dead. */
	fake_scans(f, 10);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_SENSOR), 1);
}

/*
 * An open-circuit exhaust sensor reads the converter's full scale: as warm
 * as that looks, it is a sensor fault (the fill ends, the detector is
 * unavailable) and not a fill that runs to its maximum time.
 */
static void test_sensor_open_circuit(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->sensor_stuck_mv[2] = ADC_MILLIVOLTS_MAX - 5;	/* warm, however odd: a reading */
	fake_scans(f, 10 + 2 + 1);
	assert_true(f->valve[2]);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	f->sensor_stuck_mv[2] = ADC_MILLIVOLTS_MAX;
	fake_scan(f);
	assert_false(f->valve[2]);
	assert_int_equal(fake_count_results(f, 2, FILL_RESULT_ABORTED), 1);
	assert_true(fake_status(f, 2) & DETECTOR_STATUS_UNAVAILABLE);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_SENSOR), 1);
	assert_non_null(strstr(f->last_fault, "detector 3: exhaust sensor"));
	assert_non_null(strstr(f->last_fault, "full scale (open circuit)"));
	assert_true(f->alarm);
	assert_int_equal(engine_fill(f->engine, "3", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -ECANCELED);

	/* The others fill on; once the sensor reads a temperature again, 3 fills. */
	fake_scan_until_idle(f, 200);
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 11);
	f->sensor_stuck_mv[2] = 0;
	fake_scan(f);
	assert_false(fake_status(f, 2) & DETECTOR_STATUS_UNAVAILABLE);
	assert_int_equal(engine_fill(f->engine, "3", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	fake_scan_until_idle(f, 200);
	assert_int_equal(fake_count_results(f, 2, FILL_RESULT_FULL), 1);
}

static void test_sensor_failure_during_purge(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	/* Only detector 2 fills; its sensor dies while the manifold purges. */
	assert_int_equal(engine_preset(f->engine, "all", NULL, 0, "clear", f->real_usec, f->mono_usec,
				       error, sizeof(error)), 0);
	f->purge_ticks = 10;
	assert_int_equal(engine_fill(f->engine, "2", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	fake_scans(f, 2);
	assert_true(f->output[0]);
	fake_log_reset(f);
	f->sensor_dead[1] = true;
	fake_scan(f);
	/* Nobody waits for the purge any more: both manifold valves closed. */
	assert_string_equal(fake_log_string(f), "alarm on, close A-out, close A-in, inhibit off");
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_ABORTED), 1);

	/* A dead manifold sensor aborts a purge; fills wait until it is back. */
	f->sensor_dead[1] = false;
	f->manifold_sensor_dead[0] = true;
	fake_scan(f);
	assert_int_equal(engine_fill(f->engine, "1", NULL, f->real_usec, f->mono_usec, error, sizeof(error)),
			 -ECANCELED);
	assert_non_null(strstr(error, "unavailable"));
	f->manifold_sensor_dead[0] = false;
	fake_scan(f);
	assert_int_equal(engine_fill(f->engine, "1", NULL, f->real_usec, f->mono_usec, error, sizeof(error)), 0);
	fake_scan(f);
	assert_true(f->output[0]);
	f->manifold_sensor_dead[0] = true;
	fake_scan(f);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_ABORTED), 1);
	struct engine_manifold_view mv;

	engine_manifold_view(f->engine, 0, &mv);
	assert_true(mv.status & MANIFOLD_STATUS_UNAVAILABLE);
}

static void test_valve_close_failure(void **state)
{
	struct fake_plant *f = *state;

	f->valve_close_fails[0] = true;
	fake_scans(f, 10 + 2 + 3);
	/* Detector 1 full but its valve will not close: counted open, the
	 * inhibit stays on, the alarm sounds, closing is retried. */
	assert_true(f->valve[0]);
	assert_true(f->dewar_inhibit);
	assert_int_equal(fake_state(f), ENGINE_STATE_CRASHED);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_UNAVAILABLE);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_VALVE), 1);
	assert_true(f->alarm);
	fake_scan_until_idle(f, 20);
	/* The others finished: the manifold input, its shut-off, is closed. */
	assert_false(f->input[0]);
	assert_true(f->valve[0]);
	assert_true(f->dewar_inhibit);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_VALVE), 1);

	f->valve_close_fails[0] = false;
	fake_scan(f);
	assert_false(f->valve[0]);
	assert_false(f->dewar_inhibit);
	assert_false(fake_status(f, 0) & DETECTOR_STATUS_UNAVAILABLE);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	assert_true(f->alarm);		/* until CLEAR */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_closes_every_valve, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_scheduled_fill_valve_order, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_shared_purge, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_underfull_supply_empty, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_overfull_stuck_valve, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_overfull_detector_aborts_running_fills, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_manifold_overfull, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_bias_shutdown, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_manual_fill_key, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_manual_fill_key_unreadable, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sensor_failure_during_fill, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sensor_open_circuit, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sensor_failure_during_purge, engine_fixture_one_manifold,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_valve_close_failure, engine_fixture_one_manifold,
						engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
