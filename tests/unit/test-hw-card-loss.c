// SPDX-License-Identifier: GPL-2.0
/*
 * What the autofill engine does when the hardware layer loses a card and
 * gets it back (daemon/hw/hw-hotplug.c makes every callback on a card that
 * left the crate fail, and check_valve() say so): the detectors and
 * manifolds wired to it become unavailable with a fault, the others keep
 * filling, a fill that relied on it ends, and when the card is back they
 * are available again and their due fills run. On the fake plant of the
 * engine tests: two manifolds A (detectors 1-6) and B (7-12), presets at
 * 08:00, one scan per second from 07:59:50.
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

static uint32_t manifold_status(const struct fake_plant *f, uint32_t m)
{
	struct engine_manifold_view v;

	engine_manifold_view(f->engine, m, &v);
	return v.status;
}

static unsigned unavailable_detectors(const struct fake_plant *f, uint32_t first, uint32_t count)
{
	unsigned n = 0;

	for (uint32_t d = first; d < first + count; d++)
		n += !!(fake_status(f, d) & DETECTOR_STATUS_UNAVAILABLE);
	return n;
}

static unsigned started_on(const struct fake_plant *f, uint32_t first, uint32_t count)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n_events; i++)
		n += f->events[i].type == EV_STARTED && f->events[i].detector >= first &&
		     f->events[i].detector < first + count;
	return n;
}

/* Out of the crate a relay card drives nothing. */
static void relay_card_pull(struct fake_plant *f, uint32_t m)
{
	f->relay_card_gone[m] = true;
	for (uint32_t d = 0; d < f->station->n_detectors; d++)
		if (f->station->detectors[d].manifold == m)
			f->valve[d] = false;
	f->input[m] = f->output[m] = false;
}

static void test_relay_card_gone_while_idle(void **state)
{
	struct fake_plant *f = *state;

	relay_card_pull(f, 0);
	fake_scan(f);
	assert_int_equal(unavailable_detectors(f, 0, 6), 6);
	assert_int_equal(unavailable_detectors(f, 6, 6), 0);
	assert_true(manifold_status(f, 0) & MANIFOLD_STATUS_UNAVAILABLE);
	assert_false(manifold_status(f, 1) & MANIFOLD_STATUS_UNAVAILABLE);
	/* one VALVE fault per detector and one for the manifold, once */
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_VALVE), 7);
	fake_scans(f, 3);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_VALVE), 7);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);

	/* 08:00: B fills to the end, A waits for its hardware */
	fake_scans(f, 10);
	assert_int_equal(started_on(f, 6, 6), 6);
	assert_int_equal(started_on(f, 0, 6), 0);
	fake_scan_until_idle(f, 200);
	for (uint32_t d = 6; d < 12; d++)
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), 1);

	/* back: available at the next scan, and the fill still due runs */
	f->relay_card_gone[0] = false;
	fake_scan(f);
	assert_int_equal(unavailable_detectors(f, 0, 6), 0);
	assert_false(manifold_status(f, 0) & MANIFOLD_STATUS_UNAVAILABLE);
	assert_int_equal(started_on(f, 0, 6), 6);
	fake_scan_until_idle(f, 200);
	for (uint32_t d = 0; d < 6; d++)
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), 1);
	/* nothing is latched by a card's absence; the alarm waits for CLEAR */
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	assert_true(f->alarm);
	assert_false(fake_any_valve_open(f));
}

/*
 * Pulled during A's fill: the fill ends at the next scan. Its relays went
 * off with the card (the kernel de-energizes the lines of a removed chip),
 * so closing them succeeds: the station is not "crashed" and the dewar is
 * not kept inhibited for valves that are closed; only A's detectors are
 * unavailable, and their Status says a card is why.
 */
static void test_relay_card_gone_during_fill(void **state)
{
	struct fake_plant *f = *state;
	struct engine_global_view g;

	fake_scans(f, 13);	/* 08:00 purge, then detectors 1-6 and 7-12 filling */
	engine_global_view(f->engine, &g);
	assert_int_equal(g.filling_count, 12);

	relay_card_pull(f, 0);
	fake_scan(f);
	assert_int_equal(unavailable_detectors(f, 0, 6), 6);
	for (uint32_t d = 0; d < 6; d++) {
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_ABORTED), 1);
		assert_true(fake_status(f, d) & DETECTOR_STATUS_CARD_UNAVAILABLE);
	}
	assert_true(manifold_status(f, 0) & MANIFOLD_STATUS_CARD_UNAVAILABLE);
	engine_global_view(f->engine, &g);
	assert_int_equal(g.state, ENGINE_STATE_FILL_ERROR);	/* not crashed */
	assert_true(g.alarm);

	/* B is not disturbed; then no valve is open and nothing inhibits */
	fake_scan_until_idle(f, 200);
	for (uint32_t d = 6; d < 12; d++)
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), 1);
	engine_global_view(f->engine, &g);
	assert_int_equal(g.state, ENGINE_STATE_FILL_ERROR);
	assert_false(g.dewar_inhibit);

	f->relay_card_gone[0] = false;
	fake_scan(f);
	engine_global_view(f->engine, &g);
	assert_int_not_equal(g.state, ENGINE_STATE_CRASHED);
	assert_false(g.dewar_inhibit);
	assert_int_equal(unavailable_detectors(f, 0, 6), 0);
	for (uint32_t d = 0; d < 6; d++)
		assert_false(fake_status(f, d) & DETECTOR_STATUS_CARD_UNAVAILABLE);
}

/*
 * Missing at start: engine_new() closes every valve, and those of a card
 * that is not there close by definition: the station is not "crashed",
 * the dewar is not inhibited, the others fill.
 */
static void test_relay_card_missing_at_start(void **state)
{
	struct fake_plant *f = *state;
	struct engine_global_view g;

	relay_card_pull(f, 0);
	assert_int_equal(fake_start_engine(f), 0);
	engine_global_view(f->engine, &g);
	assert_int_not_equal(g.state, ENGINE_STATE_CRASHED);
	assert_false(g.dewar_inhibit);
	fake_scan(f);
	engine_global_view(f->engine, &g);
	assert_int_equal(g.state, ENGINE_STATE_FILL_ERROR);
	assert_int_equal(unavailable_detectors(f, 0, 6), 6);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_CARD_UNAVAILABLE);
	assert_false(fake_status(f, 6) & DETECTOR_STATUS_CARD_UNAVAILABLE);
	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	for (uint32_t d = 6; d < 12; d++)
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), 1);
	assert_false(fake_any_valve_open(f));
}

/* An ADC card gone (its conversions fail): sensors unavailable, then back. */
static void test_adc_card_gone_and_back(void **state)
{
	struct fake_plant *f = *state;

	for (uint32_t d = 0; d < 6; d++)
		f->sensor_dead[d] = true;
	f->manifold_sensor_dead[0] = true;
	fake_scan(f);
	assert_int_equal(unavailable_detectors(f, 0, 6), 6);
	assert_true(manifold_status(f, 0) & MANIFOLD_STATUS_UNAVAILABLE);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_SENSOR), 7);

	for (uint32_t d = 0; d < 6; d++)
		f->sensor_dead[d] = false;
	f->manifold_sensor_dead[0] = false;
	fake_scan(f);
	assert_int_equal(unavailable_detectors(f, 0, 6), 0);
	assert_false(manifold_status(f, 0) & MANIFOLD_STATUS_UNAVAILABLE);
	fake_scans(f, 10);
	assert_int_equal(started_on(f, 0, 6), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relay_card_gone_while_idle,
						engine_fixture_two_manifolds, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_relay_card_missing_at_start,
						engine_fixture_two_manifolds, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_relay_card_gone_during_fill,
						engine_fixture_two_manifolds, engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_adc_card_gone_and_back,
						engine_fixture_two_manifolds, engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
