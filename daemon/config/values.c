// SPDX-License-Identifier: GPL-2.0
/*
 * Value parsers. Fixed point throughout: a configuration that says 1.5V
 * means exactly 1500 mV, and the database stores exactly that.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config/values.h"

#define DECIMAL_LIMIT 1000000000000LL	/* far above any value we accept */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int value_parse_integer(const char *text, size_t length, uint64_t max, uint64_t *ret,
			const char **why)
{
	uint64_t v = 0;
	size_t i = 0;

	if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		for (i = 2; i < length; i++) {
			int d = hex_digit(text[i]);

			if (d < 0) {
				*why = "is not a hexadecimal number";
				return -EINVAL;
			}
			if (v > (max - d) / 16) {
				*why = "is too large";
				return -ERANGE;
			}
			v = v * 16 + d;
		}
	} else {
		if (length == 0) {
			*why = "is empty";
			return -EINVAL;
		}
		for (i = 0; i < length; i++) {
			if (!is_digit(text[i])) {
				*why = "is not a number";
				return -EINVAL;
			}
			if (v > (max - (text[i] - '0')) / 10) {
				*why = "is too large";
				return -ERANGE;
			}
			v = v * 10 + (text[i] - '0');
		}
	}
	*ret = v;
	return 0;
}

/*
 * Parse "[-]digits[.digits]" at the start of *textp into thousandths and
 * advance *textp and *lengthp past it, leaving them on the unit.
 * Returns 0 or a negative errno.
 */
static int parse_milli(const char **textp, size_t *lengthp, int64_t *milli, const char **why)
{
	const char *text = *textp;
	size_t length = *lengthp;
	size_t i = 0;
	int64_t whole = 0, fraction = 0;
	int fraction_digits = 0;
	bool negative = false;

	if (i < length && (text[i] == '-' || text[i] == '+'))
		negative = text[i++] == '-';
	if (i >= length || !is_digit(text[i])) {
		*why = "does not start with a number";
		return -EINVAL;
	}
	for (; i < length && is_digit(text[i]); i++) {
		whole = whole * 10 + (text[i] - '0');
		if (whole > DECIMAL_LIMIT) {
			*why = "is too large";
			return -ERANGE;
		}
	}
	if (i < length && text[i] == '.') {
		i++;
		if (i >= length || !is_digit(text[i])) {
			*why = "has no digits after the decimal point";
			return -EINVAL;
		}
		for (; i < length && is_digit(text[i]); i++) {
			if (fraction_digits == 3) {
				if (text[i] != '0') {
					*why = "has more precision than 0.001 of its unit";
					return -EINVAL;
				}
				continue;
			}
			fraction = fraction * 10 + (text[i] - '0');
			fraction_digits++;
		}
	}
	while (fraction_digits++ < 3)
		fraction *= 10;
	*milli = (whole * 1000 + fraction) * (negative ? -1 : 1);
	*textp = text + i;
	*lengthp = length - i;
	return 0;
}

static bool unit_is(const char *text, size_t length, const char *unit)
{
	return strlen(unit) == length && memcmp(text, unit, length) == 0;
}

int value_parse_duration(const char *text, size_t length, uint32_t *seconds, const char **why)
{
	int64_t milli;
	int64_t scale;
	int r = parse_milli(&text, &length, &milli, why);

	if (r < 0)
		return r;
	if (unit_is(text, length, "s"))
		scale = 1;
	else if (unit_is(text, length, "min"))
		scale = 60;
	else if (unit_is(text, length, "h"))
		scale = 3600;
	else {
		*why = length ? "has an unknown unit (use s, min or h)" :
			"needs a unit (s, min or h)";
		return -EINVAL;
	}
	if (milli < 0) {
		*why = "is negative";
		return -ERANGE;
	}
	milli *= scale;
	if (milli % 1000) {
		*why = "is not a whole number of seconds";
		return -EINVAL;
	}
	if (milli / 1000 > UINT32_MAX) {
		*why = "is too large";
		return -ERANGE;
	}
	*seconds = milli / 1000;
	return 0;
}

int value_parse_voltage(const char *text, size_t length, int32_t *millivolts, const char **why)
{
	int64_t milli;
	int r = parse_milli(&text, &length, &milli, why);

	if (r < 0)
		return r;
	if (unit_is(text, length, "mV")) {
		if (milli % 1000) {
			*why = "is not a whole number of millivolts";
			return -EINVAL;
		}
		milli /= 1000;
	} else if (!unit_is(text, length, "V")) {
		*why = length ? "has an unknown unit (use V or mV)" : "needs a unit (V or mV)";
		return -EINVAL;
	}
	if (milli > INT32_MAX || milli < INT32_MIN) {
		*why = "is too large";
		return -ERANGE;
	}
	*millivolts = milli;
	return 0;
}

int value_parse_frequency(const char *text, size_t length, uint32_t *millihertz,
			  const char **why)
{
	int64_t milli;
	int r = parse_milli(&text, &length, &milli, why);

	if (r < 0)
		return r;
	if (!unit_is(text, length, "Hz")) {
		*why = length ? "has an unknown unit (use Hz)" : "needs a unit (Hz)";
		return -EINVAL;
	}
	if (milli < 0 || milli > UINT32_MAX) {
		*why = milli < 0 ? "is negative" : "is too large";
		return -ERANGE;
	}
	*millihertz = milli;
	return 0;
}

char *value_format_voltage(int32_t millivolts, char buf[static VALUE_STRING_MAX])
{
	int64_t mv = millivolts;
	int64_t magnitude = mv < 0 ? -mv : mv;

	snprintf(buf, VALUE_STRING_MAX, "%s%lld.%03lldV", mv < 0 ? "-" : "",
		 (long long)(magnitude / 1000), (long long)(magnitude % 1000));
	return buf;
}

char *value_format_duration(uint32_t seconds, char buf[static VALUE_STRING_MAX])
{
	if (seconds && seconds % 3600 == 0)
		snprintf(buf, VALUE_STRING_MAX, "%uh", seconds / 3600);
	else if (seconds && seconds % 60 == 0)
		snprintf(buf, VALUE_STRING_MAX, "%umin", seconds / 60);
	else
		snprintf(buf, VALUE_STRING_MAX, "%us", seconds);
	return buf;
}

char *value_format_frequency(uint32_t millihertz, char buf[static VALUE_STRING_MAX])
{
	if (millihertz % 1000 == 0)
		snprintf(buf, VALUE_STRING_MAX, "%uHz", millihertz / 1000);
	else
		snprintf(buf, VALUE_STRING_MAX, "%u.%03uHz", millihertz / 1000, millihertz % 1000);
	return buf;
}
