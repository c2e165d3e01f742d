/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line values of the simulators: whole strings, in range, or
 * refused (the caller says which option).
 */
#ifndef STATIOND_TESTS_SIM_SIM_ARGS_H
#define STATIOND_TESTS_SIM_SIM_ARGS_H

#include <stdbool.h>

/* A finite number from @min to @max. */
bool sim_arg_double(const char *s, double min, double max, double *ret);
/* Decimal digits, or hexadecimal after 0x; at most @max. */
bool sim_arg_ulong(const char *s, unsigned long max, unsigned long *ret);

#endif
