/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readout and clear speeds: their numbers on the wire (RSP, CSP) and their
 * names in profiles, on the bus and in FITS headers.
 *
 *   readout  1 SLOW, 2 STANDARD, 3 FAST
 *   clear    1 QUICK, 2 NORMAL
 */
#ifndef STATIOND_CCD_CCD_SPEED_H
#define STATIOND_CCD_CCD_SPEED_H

#include <stddef.h>

enum ccd_readout_speed {
	CCD_READOUT_SLOW = 1,
	CCD_READOUT_STANDARD = 2,
	CCD_READOUT_FAST = 3,
};

enum ccd_clear_speed {
	CCD_CLEAR_QUICK = 1,
	CCD_CLEAR_NORMAL = 2,
};

/* "SLOW", ...; NULL for a number that is no speed. */
const char *ccd_readout_speed_to_string(int speed);
const char *ccd_clear_speed_to_string(int speed);

/* From a name, case-insensitively ("standard" is STANDARD); -EINVAL when
 * it names no speed. length: of name (not NUL-terminated). */
int ccd_readout_speed_from_string(const char *name, size_t length);
int ccd_clear_speed_from_string(const char *name, size_t length);

#endif
