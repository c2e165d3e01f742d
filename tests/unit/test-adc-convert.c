// SPDX-License-Identifier: GPL-2.0
/*
 * XVME-560 IIO attribute parsing and code-to-millivolt conversion
 * (daemon/hw/adc-convert.c), against the values the driver's ABI
 * documents for both jumper settings.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/hw/adc-convert.h"

static const struct adc_calibration bipolar = { .offset = -2048, .scale_nano_mv = 4882812500 };
static const struct adc_calibration unipolar = { .offset = 0, .scale_nano_mv = 2441406250 };

static int32_t mv(const struct adc_calibration *cal, int32_t raw)
{
	int32_t v = INT32_MIN;

	assert_int_equal(adc_raw_to_mv(cal, raw, &v), 0);
	return v;
}

static void scale_parses_as_the_driver_prints_it(void **state)
{
	int64_t s = 0;

	assert_int_equal(adc_parse_scale("4.882812500\n", &s), 0);
	assert_int_equal(s, 4882812500);
	assert_int_equal(adc_parse_scale("2.44140625", &s), 0);
	assert_int_equal(s, 2441406250);
	assert_int_equal(adc_parse_scale("5", &s), 0);
	assert_int_equal(s, 5000000000);
	/* Digits beyond nano are dropped, not rounded into garbage. */
	assert_int_equal(adc_parse_scale("0.0000000019", &s), 0);
	assert_int_equal(s, 1);
}

static void bad_scale_is_refused_and_leaves_the_result(void **state)
{
	static const char *const bad[] = { "", "\n", "-4.88", "4.", ".5", "4.88x", "4.88\n\n",
					   "4 ", "abc", "4.8.8" };
	int64_t s = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(adc_parse_scale(bad[i], &s), -EINVAL);
	assert_int_equal(adc_parse_scale("0.000", &s), -ERANGE);
	assert_int_equal(adc_parse_scale("99999999", &s), -ERANGE);
	assert_int_equal(s, 42);
}

static void integers_parse_with_sign_and_newline(void **state)
{
	int32_t v = 0;

	assert_int_equal(adc_parse_integer("-2048\n", &v), 0);
	assert_int_equal(v, -2048);
	assert_int_equal(adc_parse_integer("4095", &v), 0);
	assert_int_equal(v, 4095);
	assert_int_equal(adc_parse_integer("", &v), -EINVAL);
	assert_int_equal(adc_parse_integer(" 12", &v), -EINVAL);
	assert_int_equal(adc_parse_integer("12a", &v), -EINVAL);
	assert_int_equal(adc_parse_integer("-", &v), -EINVAL);
	assert_int_equal(adc_parse_integer("99999999999", &v), -ERANGE);
	assert_int_equal(v, 4095);
}

static void bipolar_spans_minus_to_plus_ten_volts(void **state)
{
	assert_int_equal(mv(&bipolar, 0), -10000);
	assert_int_equal(mv(&bipolar, 2048), 0);
	assert_int_equal(mv(&bipolar, 4095), 9995);	/* 2047 * 4.8828125 = 9995.1 */
	/* The plant's warm exhaust (+2.5 V) and LN2 (+0.5 V). */
	assert_int_equal(mv(&bipolar, 2560), 2500);
	assert_int_equal(mv(&bipolar, 2150), 498);	/* 102 * 4.8828125 = 498.05 */
	/* Rounding is symmetric about zero: +-0.5 code rounds away. */
	assert_int_equal(mv(&bipolar, 2047), -5);	/* -4.88 */
	assert_int_equal(mv(&bipolar, 2049), 5);
}

static void unipolar_spans_zero_to_ten_volts(void **state)
{
	assert_int_equal(mv(&unipolar, 0), 0);
	assert_int_equal(mv(&unipolar, 1), 2);		/* 2.44 */
	assert_int_equal(mv(&unipolar, 1024), 2500);
	assert_int_equal(mv(&unipolar, 4095), 9998);	/* 9997.56 */
}

static void codes_outside_twelve_bits_are_refused(void **state)
{
	int32_t v = 7;

	assert_int_equal(adc_raw_to_mv(&bipolar, -1, &v), -ERANGE);
	assert_int_equal(adc_raw_to_mv(&bipolar, 4096, &v), -ERANGE);
	assert_int_equal(v, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scale_parses_as_the_driver_prints_it),
		cmocka_unit_test(bad_scale_is_refused_and_leaves_the_result),
		cmocka_unit_test(integers_parse_with_sign_and_newline),
		cmocka_unit_test(bipolar_spans_minus_to_plus_ten_volts),
		cmocka_unit_test(unipolar_spans_zero_to_ten_volts),
		cmocka_unit_test(codes_outside_twelve_bits_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
