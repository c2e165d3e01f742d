// SPDX-License-Identifier: GPL-2.0
/*
 * The scan's timing record (daemon/scan-timing.c): the ring keeps the
 * last SCAN_TIMING_CAPACITY scans, oldest first, across wrap-around; and
 * the next deadline stays on the scan's grid, skipping (not bursting)
 * the scans a stall missed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "daemon/scan-timing.h"

static void empty_ring_holds_nothing(void **state)
{
	static struct scan_timing t;

	assert_int_equal(scan_timing_size(&t), 0);
}

static void ring_keeps_the_last_scans_oldest_first(void **state)
{
	static struct scan_timing t;
	const struct scan_timing_entry *e;
	const uint64_t n = 3 * SCAN_TIMING_CAPACITY + 7;

	scan_timing_record(&t, 100, 150, 180);
	assert_int_equal(scan_timing_size(&t), 1);
	e = scan_timing_get(&t, 0);
	assert_int_equal(e->scheduled_usec, 100);
	assert_int_equal(e->started_usec, 150);
	assert_int_equal(e->duration_usec, 30);

	for (uint64_t i = 1; i < n; i++)
		scan_timing_record(&t, 100 + i * 1000, 150 + i * 1000, 150 + i * 1000 + i);
	assert_int_equal(scan_timing_size(&t), SCAN_TIMING_CAPACITY);
	for (size_t i = 0; i < SCAN_TIMING_CAPACITY; i++) {
		uint64_t k = n - SCAN_TIMING_CAPACITY + i;

		e = scan_timing_get(&t, i);
		assert_int_equal(e->scheduled_usec, 100 + k * 1000);
		assert_int_equal(e->started_usec, 150 + k * 1000);
		assert_int_equal(e->duration_usec, k);
	}
}

static void a_clock_going_nowhere_gives_duration_zero(void **state)
{
	static struct scan_timing t;

	scan_timing_record(&t, 100, 150, 149);
	assert_int_equal(scan_timing_get(&t, 0)->duration_usec, 0);
}

static void next_deadline_stays_on_the_grid(void **state)
{
	/* on time, late by less than a period: one period after the last */
	assert_int_equal(scan_timing_next(1000, 1000, 100), 1100);
	assert_int_equal(scan_timing_next(1000, 1099, 100), 1100);
	/* late by a whole period or more: the next grid point still ahead */
	assert_int_equal(scan_timing_next(1000, 1100, 100), 1200);
	assert_int_equal(scan_timing_next(1000, 1101, 100), 1200);
	assert_int_equal(scan_timing_next(1000, 1350, 100), 1400);
	assert_int_equal(scan_timing_next(1000, 1400, 100), 1500);
	/* a 2 Hz scan stalled 10 s */
	assert_int_equal(scan_timing_next(5000000, 15200000, 500000), 15500000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_ring_holds_nothing),
		cmocka_unit_test(ring_keeps_the_last_scans_oldest_first),
		cmocka_unit_test(a_clock_going_nowhere_gives_duration_zero),
		cmocka_unit_test(next_deadline_stays_on_the_grid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
