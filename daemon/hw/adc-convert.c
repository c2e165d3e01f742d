// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and conversion of the XVME-560 IIO attributes (see
 * adc-convert.h). Kept apart from the file handling so the arithmetic is
 * unit-tested without a kernel.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hw/adc-convert.h"

/* A value may end in one newline, as sysfs prints it. */
static bool at_end(const char *p)
{
	return *p == '\0' || (p[0] == '\n' && p[1] == '\0');
}

int adc_parse_integer(const char *text, int32_t *ret)
{
	char *end;
	long v;

	if (!text || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || !at_end(end))
		return -EINVAL;
	if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
		return -ERANGE;
	*ret = (int32_t)v;
	return 0;
}

int adc_parse_scale(const char *text, int64_t *ret_scale_nano_mv)
{
	int64_t whole = 0, frac = 0;
	const char *p = text;
	int digits = 0;

	if (!p || *p < '0' || *p > '9')
		return -EINVAL;		/* a scale is positive, no sign */
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 1000000)	/* no card has a volt per code */
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			/* Digits past nano are below any card's resolution. */
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		}
	}
	if (!at_end(p))
		return -EINVAL;
	for (; digits < 9; digits++)
		frac *= 10;
	if (whole == 0 && frac == 0)
		return -ERANGE;
	*ret_scale_nano_mv = whole * 1000000000 + frac;
	return 0;
}

int adc_raw_to_mv(const struct adc_calibration *cal, int32_t raw, int32_t *ret_mv)
{
	int64_t nano, half = 500000000;

	if (raw < 0 || raw > ADC_RAW_MAX)
		return -ERANGE;
	nano = ((int64_t)raw + cal->offset) * cal->scale_nano_mv;
	/* Round half away from zero: -0.5 mV and +0.5 mV are symmetric. */
	*ret_mv = (int32_t)(nano >= 0 ? (nano + half) / 1000000000 : (nano - half) / 1000000000);
	return 0;
}
