// SPDX-License-Identifier: GPL-2.0
/*
 * The Cryostream history ring: order, the one-hour span, the capacity
 * bound, the query window, and a clock going backwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "daemon/cryo/cryo-history.h"

#define SEC UINT64_C(1000000)

static struct cryo_sample sample(unsigned int i)
{
	return (struct cryo_sample) {
		.realtime_usec = 1700000000 * SEC + i * SEC,
		.gas_temperature_k = 100.0 + i,
		.set_point_k = 120.0,
		.gas_flow_l_per_min = 5.0,
	};
}

static void test_new_rejects_zero(void **state)
{
	struct cryo_history *h = NULL;

	assert_int_equal(cryo_history_new(0, CRYO_HISTORY_SPAN_USEC, &h), -EINVAL);
	assert_int_equal(cryo_history_new(10, 0, &h), -EINVAL);
	assert_null(h);
}

static void test_query_window_oldest_first(void **state)
{
	_cleanup_(cryo_history_freep) struct cryo_history *h = NULL;
	_cleanup_free_ struct cryo_sample *out = NULL;
	size_t n;

	assert_int_equal(cryo_history_new(100, CRYO_HISTORY_SPAN_USEC, &h), 0);
	for (unsigned int i = 0; i < 10; i++) {
		struct cryo_sample s = sample(i);

		assert_int_equal(cryo_history_append(h, (1000 + i) * SEC, &s), 0);
	}
	assert_int_equal(cryo_history_size(h), 10);

	/* At t=1009 s, the last 3 s: samples at 1006..1009. */
	assert_int_equal(cryo_history_query(h, 1009 * SEC, 3, &out, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_true(out[i].gas_temperature_k == 106.0 + i);
	assert_true(out[0].realtime_usec == sample(6).realtime_usec);
	free(TAKE_PTR(out));

	/* Nothing in the last 0 s before a later time. */
	assert_int_equal(cryo_history_query(h, 1100 * SEC, 0, &out, &n), 0);
	assert_int_equal(n, 0);
	assert_null(out);
}

static void test_span_expires_old_samples(void **state)
{
	_cleanup_(cryo_history_freep) struct cryo_history *h = NULL;
	_cleanup_free_ struct cryo_sample *out = NULL;
	struct cryo_sample s = sample(0);
	size_t n;

	assert_int_equal(cryo_history_new(10000, CRYO_HISTORY_SPAN_USEC, &h), 0);
	/* One sample a second for two hours. */
	for (unsigned int i = 0; i <= 7200; i++) {
		s = sample(i);
		assert_int_equal(cryo_history_append(h, (uint64_t)i * SEC, &s), 0);
	}
	/* Exactly the last hour is kept: 3600..7200. */
	assert_int_equal(cryo_history_size(h), 3601);
	assert_int_equal(cryo_history_query(h, 7200 * SEC, UINT32_MAX, &out, &n), 0);
	assert_int_equal(n, 3601);
	assert_true(out[0].gas_temperature_k == 100.0 + 3600);
	assert_true(out[n - 1].gas_temperature_k == 100.0 + 7200);
	free(TAKE_PTR(out));

	/* Silence: half an hour later only the last half hour is left. */
	assert_int_equal(cryo_history_query(h, (7200 + 1800) * SEC, 3600, &out, &n), 0);
	assert_int_equal(n, 1801);
	assert_true(out[0].gas_temperature_k == 100.0 + 5400);
}

static void test_capacity_drops_oldest(void **state)
{
	_cleanup_(cryo_history_freep) struct cryo_history *h = NULL;
	_cleanup_free_ struct cryo_sample *out = NULL;
	size_t n;

	assert_int_equal(cryo_history_new(5, CRYO_HISTORY_SPAN_USEC, &h), 0);
	for (unsigned int i = 0; i < 12; i++) {
		struct cryo_sample s = sample(i);

		assert_int_equal(cryo_history_append(h, i * SEC, &s), 0);
	}
	assert_int_equal(cryo_history_size(h), 5);
	assert_int_equal(cryo_history_query(h, 11 * SEC, 3600, &out, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_true(out[i].gas_temperature_k == 107.0 + i);
}

static void test_backwards_time_is_refused(void **state)
{
	_cleanup_(cryo_history_freep) struct cryo_history *h = NULL;
	struct cryo_sample s = sample(0);

	assert_int_equal(cryo_history_new(5, CRYO_HISTORY_SPAN_USEC, &h), 0);
	assert_int_equal(cryo_history_append(h, 10 * SEC, &s), 0);
	assert_int_equal(cryo_history_append(h, 10 * SEC, &s), 0);
	assert_int_equal(cryo_history_append(h, 9 * SEC, &s), -EINVAL);
	assert_int_equal(cryo_history_size(h), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_rejects_zero),
		cmocka_unit_test(test_query_window_oldest_first),
		cmocka_unit_test(test_span_expires_old_samples),
		cmocka_unit_test(test_capacity_drops_oldest),
		cmocka_unit_test(test_backwards_time_is_refused),
	};

	return cmocka_run_group_tests_name("cryo-history", tests, NULL, NULL);
}
