/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Values with units, as written in a configuration. Each parser takes a
 * word (pointer and length, not NUL-terminated) and returns 0, or a
 * negative errno with *why set to a message fragment for the diagnostic:
 * -EINVAL for a malformed value, -ERANGE for one out of its range.
 *
 *   integer      42, 0x0c00
 *   duration     90s, 20min, 2h            (whole seconds)
 *   voltage      1.5V, -0.25V, 1500mV      (whole millivolts)
 *   frequency    10Hz, 0.5Hz               (whole millihertz)
 */
#ifndef STATIOND_CONFIG_VALUES_H
#define STATIOND_CONFIG_VALUES_H

#include <stddef.h>
#include <stdint.h>

int value_parse_integer(const char *text, size_t length, uint64_t max, uint64_t *ret,
			const char **why);
int value_parse_duration(const char *text, size_t length, uint32_t *seconds, const char **why);
int value_parse_voltage(const char *text, size_t length, int32_t *millivolts, const char **why);
int value_parse_frequency(const char *text, size_t length, uint32_t *millihertz,
			  const char **why);

/* Text forms that parse back to the same value: "1.500V", "20min", "10Hz". */
#define VALUE_STRING_MAX 32
char *value_format_voltage(int32_t millivolts, char buf[static VALUE_STRING_MAX]);
char *value_format_duration(uint32_t seconds, char buf[static VALUE_STRING_MAX]);
char *value_format_frequency(uint32_t millihertz, char buf[static VALUE_STRING_MAX]);

#endif
