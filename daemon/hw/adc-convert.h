/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XVME-560 codes to millivolts, as the IIO ABI defines it:
 * mV = (raw + offset) * scale, with scale in millivolts per code given as
 * a decimal ("4.882812500"). Integer arithmetic in nano-millivolts, so
 * the conversion is exact to the last printed digit and rounds to the
 * nearest millivolt.
 */
#ifndef STATIOND_HW_ADC_CONVERT_H
#define STATIOND_HW_ADC_CONVERT_H

#include <stdint.h>

#define ADC_RAW_MAX 4095	/* 12-bit converter */

struct adc_calibration {
	int32_t offset;			/* codes */
	int64_t scale_nano_mv;		/* nano-millivolts per code */
};

/* Parse the text of in_voltage_scale / in_voltage_offset / in_voltageN_raw
 * (one number, optional trailing newline). -EINVAL on anything else,
 * -ERANGE when out of range. */
int adc_parse_scale(const char *text, int64_t *ret_scale_nano_mv);
int adc_parse_integer(const char *text, int32_t *ret);

/* Convert a code: -ERANGE if raw is not 0..ADC_RAW_MAX. */
int adc_raw_to_mv(const struct adc_calibration *cal, int32_t raw, int32_t *ret_mv);

#endif
