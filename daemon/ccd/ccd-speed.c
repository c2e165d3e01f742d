// SPDX-License-Identifier: GPL-2.0
/*
 * Readout and clear speed names (see ccd-speed.h).
 */
#include "daemon/ccd/ccd-speed.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "daemon/shared/macro.h"

static const char *const readout_names[] = {
	[CCD_READOUT_SLOW] = "SLOW",
	[CCD_READOUT_STANDARD] = "STANDARD",
	[CCD_READOUT_FAST] = "FAST",
};

static const char *const clear_names[] = {
	[CCD_CLEAR_QUICK] = "QUICK",
	[CCD_CLEAR_NORMAL] = "NORMAL",
};

static const char *name_of(const char *const *names, size_t n, int speed)
{
	return speed > 0 && (size_t)speed < n ? names[speed] : NULL;
}

static int from_name(const char *const *names, size_t n, const char *name, size_t length)
{
	for (size_t i = 1; i < n; i++)
		if (strlen(names[i]) == length && strncasecmp(names[i], name, length) == 0)
			return (int)i;
	return -EINVAL;
}

const char *ccd_readout_speed_to_string(int speed)
{
	return name_of(readout_names, ELEMENTSOF(readout_names), speed);
}

const char *ccd_clear_speed_to_string(int speed)
{
	return name_of(clear_names, ELEMENTSOF(clear_names), speed);
}

int ccd_readout_speed_from_string(const char *name, size_t length)
{
	return from_name(readout_names, ELEMENTSOF(readout_names), name, length);
}

int ccd_clear_speed_from_string(const char *name, size_t length)
{
	return from_name(clear_names, ELEMENTSOF(clear_names), name, length);
}
