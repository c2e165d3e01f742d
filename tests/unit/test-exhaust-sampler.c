// SPDX-License-Identifier: GPL-2.0
/*
 * The exhaust sampler (daemon/exhaust-sampler.c) on a real sd-event loop
 * over the engine on the fake plant: no timer while nothing fills; once
 * fills run, the timer runs engine_sample_filling() at its rate, between
 * scans (no scan runs here), and each fill ends at its own crossing; the
 * timer stops when the last one ended; a rate no faster than the scan
 * never starts it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/exhaust-sampler.h"
#include "tests/unit/engine-fake.h"

#define NOW f->real_usec, f->mono_usec
#define ERR error, sizeof(error)

struct fixture {
	struct fake_plant *plant;
	sd_event *event;
	struct exhaust_sampler *sampler;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->plant = fake_new(2, 6, false);
	assert_int_equal(sd_event_new(&x->event), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	exhaust_sampler_free(x->sampler);
	sd_event_unref(x->event);
	fake_free(x->plant);
	free(x);
	return 0;
}

/* FILL 1-6 and scan until their valves are open (LN2 never comes by itself). */
static void fill_six(struct fake_plant *f)
{
	char error[256];

	for (uint32_t d = 0; d < 12; d++)
		f->fill_ticks[d] = 100000;
	assert_int_equal(engine_fill(f->engine, "1-6", NULL, NOW, ERR), 0);
	for (unsigned i = 0; i < 10 && !f->valve[5]; i++)
		fake_scan(f);
	for (uint32_t d = 0; d < 6; d++)
		assert_true(f->valve[d]);
}

/* Run the loop (what the daemon's observer does: update after each
 * change) until @done or about 2 s. */
static void run_loop(struct fixture *x, bool (*done)(struct fake_plant *f))
{
	for (unsigned i = 0; i < 200 && !done(x->plant); i++) {
		assert_true(sd_event_run(x->event, 10000) >= 0);
		assert_int_equal(exhaust_sampler_update(x->sampler), 0);
	}
}

static bool all_closed(struct fake_plant *f)
{
	return !fake_any_valve_open(f);
}

static bool first_closed(struct fake_plant *f)
{
	return !f->valve[2];
}

static void test_runs_while_fills_run(void **state)
{
	struct fixture *x = *state;
	struct fake_plant *f = x->plant;
	unsigned conversions;

	assert_int_equal(exhaust_sampler_new(x->event, f->engine, 100000, 10000, &x->sampler), 0);
	assert_false(exhaust_sampler_running(x->sampler));
	/* Idle: nothing to run, no conversion. */
	conversions = f->n_conversions;
	assert_true(sd_event_run(x->event, 50000) >= 0);
	assert_int_equal(f->n_conversions, conversions);

	fill_six(f);
	assert_int_equal(exhaust_sampler_update(x->sampler), 0);
	assert_true(exhaust_sampler_running(x->sampler));
	/* LN2 at 3's exhaust: the timer, not a scan, closes its valve. */
	f->sensor_stuck_mv[2] = COLD_MV;
	run_loop(x, first_closed);
	assert_false(f->valve[2]);
	assert_int_equal(fake_count_results(f, 2, FILL_RESULT_FULL), 1);
	assert_true(f->valve[0]);
	assert_true(exhaust_sampler_running(x->sampler));
	for (uint32_t d = 0; d < 6; d++)
		f->sensor_stuck_mv[d] = COLD_MV;
	run_loop(x, all_closed);
	assert_false(fake_any_valve_open(f));
	assert_int_equal(fake_count_events(f, EV_ENDED, FILL_RESULT_FULL), 6);
	assert_int_equal(fake_count_events(f, EV_FAULT, -1), 0);
	assert_false(f->input[0]);
	/* The last fill ended: the timer is off, the loop reads nothing. */
	assert_false(exhaust_sampler_running(x->sampler));
	conversions = f->n_conversions;
	assert_true(sd_event_run(x->event, 50000) >= 0);
	assert_int_equal(f->n_conversions, conversions);
}

/* exhaust-sample-rate no faster than the scan: no timer, ever. */
static void test_no_faster_than_the_scan(void **state)
{
	struct fixture *x = *state;
	struct fake_plant *f = x->plant;
	unsigned conversions;

	assert_int_equal(exhaust_sampler_new(x->event, f->engine, 10000, 10000, &x->sampler), 0);
	fill_six(f);
	assert_int_equal(exhaust_sampler_update(x->sampler), 0);
	assert_false(exhaust_sampler_running(x->sampler));
	conversions = f->n_conversions;
	assert_true(sd_event_run(x->event, 50000) >= 0);
	assert_int_equal(f->n_conversions, conversions);
	assert_int_equal(exhaust_sampler_new(x->event, f->engine, 0, 10000, &(struct exhaust_sampler *){ NULL }),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs_while_fills_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_faster_than_the_scan, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
