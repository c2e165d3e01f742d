// SPDX-License-Identifier: GPL-2.0
/*
 * The LN2 plant's physics: purge, fill, overflow at the exhaust with
 * thermal lag, boil-off, and each fault's effect. One manifold (index 0)
 * with two detectors unless a test says otherwise; noise off unless the
 * test is about noise, so voltages compare exactly against the station's
 * 1.5 V reference.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tests/sim/ln2-model.h"

#define REFERENCE_MV 1500

static const struct ln2_valve_id INPUT = { LN2_VALVE_MANIFOLD_INPUT, 0 };
static const struct ln2_valve_id OUTPUT = { LN2_VALVE_MANIFOLD_OUTPUT, 0 };
static const struct ln2_valve_id DET0 = { LN2_VALVE_DETECTOR, 0 };
static const struct ln2_valve_id DET1 = { LN2_VALVE_DETECTOR, 1 };

static struct ln2_model *model_new(double level)
{
	static const uint32_t on_manifold_0[2] = { 0, 0 };
	struct ln2_params p;
	struct ln2_model *m = NULL;

	ln2_params_default(&p);
	p.noise_mv = 0;
	p.detector_level = level;
	assert_int_equal(ln2_model_new(&p, 1, 2, on_manifold_0, &m), 0);
	return m;
}

static void open_valve(struct ln2_model *m, struct ln2_valve_id v, bool open)
{
	assert_int_equal(ln2_model_command_valve(m, v, open), 0);
}

static void advance(struct ln2_model *m, double s)
{
	assert_int_equal(ln2_model_advance(m, s), 0);
}

static bool detector_cold(const struct ln2_model *m, size_t d)
{
	return ln2_model_detector_sensor_mv(m, d) < REFERENCE_MV;
}

static bool manifold_cold(const struct ln2_model *m)
{
	return ln2_model_manifold_sensor_mv(m, 0) < REFERENCE_MV;
}

/* Purge the line: input and output open until liquid reaches the output. */
static void purge(struct ln2_model *m)
{
	open_valve(m, INPUT, true);
	open_valve(m, OUTPUT, true);
	advance(m, 70);
	assert_true(manifold_cold(m));
}

static void test_at_rest_everything_reads_warm(void **state)
{
	struct ln2_model *m = model_new(0.6);

	assert_int_equal(ln2_model_detector_sensor_mv(m, 0), LN2_WARM_MV);
	assert_int_equal(ln2_model_manifold_sensor_mv(m, 0), LN2_WARM_MV);
	advance(m, 600);
	assert_int_equal(ln2_model_detector_sensor_mv(m, 1), LN2_WARM_MV);
	assert_int_equal(ln2_model_manifold_sensor_mv(m, 0), LN2_WARM_MV);
	assert_true(ln2_model_line_level(m, 0) == 0.0);
	ln2_model_free(m);
}

static void test_purge_fills_the_line_then_cools_the_output_with_lag(void **state)
{
	struct ln2_model *m = model_new(0.6);
	double supply = ln2_model_supply(m);

	open_valve(m, INPUT, true);
	open_valve(m, OUTPUT, true);
	advance(m, 30);
	assert_float_equal(ln2_model_line_level(m, 0), 0.5, 1e-6);
	assert_false(manifold_cold(m));
	advance(m, 30);
	assert_float_equal(ln2_model_line_level(m, 0), 1.0, 1e-6);
	/* Liquid at the output: the sensor has not cooled yet ... */
	advance(m, 0.5);
	assert_false(manifold_cold(m));
	/* ... it takes its thermal lag, then reads near LN2. */
	advance(m, 10);
	assert_true(manifold_cold(m));
	assert_in_range(ln2_model_manifold_sensor_mv(m, 0), LN2_COLD_MV, LN2_COLD_MV + 20);
	assert_true(ln2_model_supply(m) < supply - 2.0);
	ln2_model_free(m);
}

static void test_line_without_an_outlet_does_not_purge(void **state)
{
	struct ln2_model *m = model_new(0.6);

	open_valve(m, INPUT, true);
	advance(m, 300);
	assert_true(ln2_model_line_level(m, 0) == 0.0);
	ln2_model_free(m);
}

static void test_detector_fills_only_from_a_full_line(void **state)
{
	struct ln2_model *m = model_new(0.5);

	/* Detector valve and input open, output closed: the line purges
	 * through the dewar, which gets no liquid until the line is full. */
	open_valve(m, INPUT, true);
	open_valve(m, DET0, true);
	advance(m, 50);
	assert_float_equal(ln2_model_detector_level(m, 0), 0.5, 0.001);
	advance(m, 60);
	assert_true(ln2_model_detector_level(m, 0) > 0.55);
	ln2_model_free(m);
}

static void test_fill_overflows_at_the_exhaust_and_closure_warms_it(void **state)
{
	struct ln2_model *m = model_new(0.5);

	purge(m);
	open_valve(m, DET0, true);
	open_valve(m, OUTPUT, false);
	/* Half a dewar at 600 s a dewar: 300 s. */
	advance(m, 250);
	assert_float_equal(ln2_model_detector_level(m, 0), 0.5 + 250.0 / 600.0, 0.01);
	assert_false(detector_cold(m, 0));
	assert_false(manifold_cold(m));	/* output closed: warms again */
	advance(m, 60);
	assert_float_equal(ln2_model_detector_level(m, 0), 1.0, 0.001);
	assert_true(detector_cold(m, 0));
	/* The other detector's valve stayed closed: untouched and warm. */
	assert_false(detector_cold(m, 1));
	assert_true(ln2_model_detector_level(m, 1) < 0.5);

	/* Valve closed: the exhaust warms past the reference within its
	 * lag, well inside the 60 s closure delay of the example station. */
	open_valve(m, DET0, false);
	advance(m, 2);
	assert_true(detector_cold(m, 0));
	advance(m, 20);
	assert_false(detector_cold(m, 0));
	advance(m, 60);
	assert_in_range(ln2_model_detector_sensor_mv(m, 0), LN2_WARM_MV - 10, LN2_WARM_MV);
	ln2_model_free(m);
}

static void test_boil_off_empties_a_dewar_and_refill_restores_it(void **state)
{
	struct ln2_model *m = model_new(1.0);

	/* Two days from full to dry. */
	advance(m, 86400);
	assert_float_equal(ln2_model_detector_level(m, 0), 0.5, 0.001);
	advance(m, 86400 - 1);
	advance(m, 10);
	assert_true(ln2_model_detector_level(m, 0) == 0.0);
	/* A closed line boils dry too. */
	purge(m);
	open_valve(m, INPUT, false);
	open_valve(m, OUTPUT, false);
	advance(m, 3600);
	assert_true(ln2_model_line_level(m, 0) == 0.0);
	/* An empty dewar fills in detector_fill_s once the line is full. */
	purge(m);
	open_valve(m, DET0, true);
	advance(m, 590);
	assert_false(detector_cold(m, 0));
	advance(m, 30);
	assert_true(detector_cold(m, 0));
	ln2_model_free(m);
}

static void test_valve_stuck_open_overfills_after_closure(void **state)
{
	struct ln2_model *m = model_new(0.9);

	assert_int_equal(ln2_model_set_valve_fault(m, DET0, LN2_VALVE_STUCK_OPEN), 0);
	assert_true(ln2_model_valve_is_open(m, DET0));
	purge(m);
	open_valve(m, DET0, true);
	open_valve(m, OUTPUT, false);
	advance(m, 100);
	assert_true(detector_cold(m, 0));
	/* The controller closes the detector valve, then the input: the
	 * valve does not close and the line drains into a full dewar. */
	open_valve(m, DET0, false);
	open_valve(m, INPUT, false);
	assert_true(ln2_model_valve_is_open(m, DET0));
	advance(m, 90);
	assert_true(detector_cold(m, 0));
	/* Once the line has drained, the exhaust warms: the overfull clears. */
	advance(m, 600);
	assert_true(ln2_model_line_level(m, 0) == 0.0);
	assert_false(detector_cold(m, 0));
	ln2_model_free(m);
}

static void test_working_valve_does_not_drain_the_line_into_the_exhaust(void **state)
{
	struct ln2_model *m = model_new(0.9);

	purge(m);
	open_valve(m, DET0, true);
	open_valve(m, OUTPUT, false);
	advance(m, 100);
	open_valve(m, DET0, false);
	open_valve(m, INPUT, false);
	advance(m, 90);
	assert_false(detector_cold(m, 0));
	ln2_model_free(m);
}

static void test_valve_stuck_closed_never_fills(void **state)
{
	struct ln2_model *m = model_new(0.5);

	assert_int_equal(ln2_model_set_valve_fault(m, DET1, LN2_VALVE_STUCK_CLOSED), 0);
	purge(m);
	open_valve(m, DET0, true);
	open_valve(m, DET1, true);
	advance(m, 1200);
	assert_true(detector_cold(m, 0));
	assert_false(detector_cold(m, 1));
	assert_true(ln2_model_detector_level(m, 1) < 0.5);
	/* A stuck-closed input: the line never purges. */
	ln2_model_clear_faults(m);
	assert_int_equal(ln2_model_set_valve_fault(m, INPUT, LN2_VALVE_STUCK_CLOSED), 0);
	advance(m, 1200);
	assert_false(manifold_cold(m));
	assert_false(detector_cold(m, 0));
	ln2_model_free(m);
}

static void test_empty_supply_never_purges_and_refill_recovers(void **state)
{
	struct ln2_model *m = model_new(0.5);

	assert_int_equal(ln2_model_set_supply(m, 0.0), 0);
	open_valve(m, INPUT, true);
	open_valve(m, OUTPUT, true);
	advance(m, 600);
	assert_true(ln2_model_line_level(m, 0) == 0.0);
	assert_false(manifold_cold(m));
	ln2_model_refill_supply(m);
	advance(m, 70);
	assert_true(manifold_cold(m));
	ln2_model_free(m);
}

static void test_supply_running_out_mid_fill_stops_the_fill(void **state)
{
	struct ln2_model *m = model_new(0.0);

	purge(m);
	/* Half a litre left: with what the line holds, not a dewar's 3 L. */
	assert_int_equal(ln2_model_set_supply(m, 0.5), 0);
	open_valve(m, DET0, true);
	open_valve(m, OUTPUT, false);
	advance(m, 1200);
	assert_true(ln2_model_supply(m) == 0.0);
	assert_true(ln2_model_line_level(m, 0) == 0.0);
	assert_in_range(lround(ln2_model_detector_level(m, 0) * 100), 60, 90);
	assert_false(detector_cold(m, 0));
	ln2_model_free(m);
}

static void test_dead_sensor_reads_its_value_until_revived(void **state)
{
	struct ln2_model *m = model_new(0.99);

	assert_int_equal(ln2_model_kill_detector_sensor(m, 0, LN2_DEAD_SENSOR_MV), 0);
	assert_int_equal(ln2_model_kill_manifold_sensor(m, 0, -200), 0);
	assert_int_equal(ln2_model_detector_sensor_mv(m, 0), LN2_DEAD_SENSOR_MV);
	purge(m);
	open_valve(m, DET0, true);
	advance(m, 60);
	assert_int_equal(ln2_model_detector_sensor_mv(m, 0), LN2_DEAD_SENSOR_MV);
	assert_int_equal(ln2_model_manifold_sensor_mv(m, 0), -200);
	/* The physics went on underneath: alive again, it reads LN2. */
	assert_int_equal(ln2_model_revive_detector_sensor(m, 0), 0);
	advance(m, 1);
	assert_true(detector_cold(m, 0));
	ln2_model_clear_faults(m);
	advance(m, 1);
	assert_true(ln2_model_manifold_sensor_mv(m, 0) > -200);
	ln2_model_free(m);
}

static void test_noise_is_bounded_and_reproducible(void **state)
{
	static const uint32_t on_0[2] = { 0, 0 };
	struct ln2_model *a = NULL, *b = NULL, *c = NULL;
	struct ln2_params p;
	bool differs = false, varies = false;
	int first = 0;

	ln2_params_default(&p);
	p.noise_mv = 20;
	assert_int_equal(ln2_model_new(&p, 1, 2, on_0, &a), 0);
	assert_int_equal(ln2_model_new(&p, 1, 2, on_0, &b), 0);
	p.seed = 12345;
	assert_int_equal(ln2_model_new(&p, 1, 2, on_0, &c), 0);
	for (int i = 0; i < 200; i++) {
		int mv = ln2_model_detector_sensor_mv(a, 1);

		assert_in_range(mv, LN2_WARM_MV - 20, LN2_WARM_MV + 20);
		assert_int_equal(mv, ln2_model_detector_sensor_mv(b, 1));
		if (i == 0)
			first = mv;
		varies |= mv != first;
		differs |= mv != ln2_model_detector_sensor_mv(c, 1);
		advance(a, 0.05);
		advance(b, 0.05);
		advance(c, 0.05);
	}
	assert_true(varies);
	assert_true(differs);
	ln2_model_free(a);
	ln2_model_free(b);
	ln2_model_free(c);
}

static void test_bad_input_is_refused_and_changes_nothing(void **state)
{
	static const uint32_t bad_manifold[1] = { 1 };
	struct ln2_model *m = model_new(0.6), *n = NULL;
	struct ln2_params p;

	ln2_params_default(&p);
	assert_int_equal(ln2_model_new(&p, 1, 1, bad_manifold, &n), -EINVAL);
	p.detector_fill_s = 0;
	assert_int_equal(ln2_model_new(&p, 1, 1, bad_manifold + 0, &n), -EINVAL);
	ln2_params_default(&p);
	p.detector_level = 1.5;
	assert_int_equal(ln2_model_new(&p, 0, 0, NULL, &n), -EINVAL);
	p.detector_level = NAN;
	assert_int_equal(ln2_model_new(&p, 0, 0, NULL, &n), -EINVAL);
	assert_null(n);

	assert_int_equal(ln2_model_set_detector_level(m, 0, 1.01), -EINVAL);
	assert_int_equal(ln2_model_set_detector_level(m, 2, 0.5), -ERANGE);
	assert_float_equal(ln2_model_detector_level(m, 0), 0.6, 1e-9);
	assert_int_equal(ln2_model_set_supply(m, -1), -EINVAL);
	assert_int_equal(ln2_model_set_supply(m, 1e9), -EINVAL);
	assert_float_equal(ln2_model_supply(m), 250.0, 1e-9);
	assert_int_equal(ln2_model_command_valve(m, (struct ln2_valve_id) { LN2_VALVE_DETECTOR, 2 },
						 true), -ERANGE);
	assert_int_equal(ln2_model_command_valve(m, (struct ln2_valve_id) { _LN2_VALVE_KIND_MAX, 0 },
						 true), -ERANGE);
	assert_int_equal(ln2_model_set_valve_fault(m, DET0, _LN2_VALVE_FAULT_MAX), -EINVAL);
	assert_int_equal(ln2_model_valve_fault(m, DET0), LN2_VALVE_WORKING);
	assert_int_equal(ln2_model_kill_detector_sensor(m, 0, 30001), -EINVAL);
	assert_int_equal(ln2_model_kill_manifold_sensor(m, 1, 0), -ERANGE);
	assert_int_equal(ln2_model_detector_sensor_mv(m, 0), LN2_WARM_MV);
	assert_int_equal(ln2_model_advance(m, 0), -EINVAL);
	assert_int_equal(ln2_model_advance(m, -1), -EINVAL);
	assert_int_equal(ln2_model_advance(m, NAN), -EINVAL);
	ln2_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_at_rest_everything_reads_warm),
		cmocka_unit_test(test_purge_fills_the_line_then_cools_the_output_with_lag),
		cmocka_unit_test(test_line_without_an_outlet_does_not_purge),
		cmocka_unit_test(test_detector_fills_only_from_a_full_line),
		cmocka_unit_test(test_fill_overflows_at_the_exhaust_and_closure_warms_it),
		cmocka_unit_test(test_boil_off_empties_a_dewar_and_refill_restores_it),
		cmocka_unit_test(test_valve_stuck_open_overfills_after_closure),
		cmocka_unit_test(test_working_valve_does_not_drain_the_line_into_the_exhaust),
		cmocka_unit_test(test_valve_stuck_closed_never_fills),
		cmocka_unit_test(test_empty_supply_never_purges_and_refill_recovers),
		cmocka_unit_test(test_supply_running_out_mid_fill_stops_the_fill),
		cmocka_unit_test(test_dead_sensor_reads_its_value_until_revived),
		cmocka_unit_test(test_noise_is_bounded_and_reproducible),
		cmocka_unit_test(test_bad_input_is_refused_and_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
