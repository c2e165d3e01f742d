// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line values of the simulators (see sim-args.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "tests/sim/sim-args.h"

bool sim_arg_double(const char *s, double min, double max, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

bool sim_arg_ulong(const char *s, unsigned long max, unsigned long *ret)
{
	int base = 10;
	char *end;
	unsigned long v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!((*s >= '0' && *s <= '9') || (base == 16 && ((*s >= 'a' && *s <= 'f') ||
							   (*s >= 'A' && *s <= 'F')))))
		return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*ret = v;
	return true;
}
