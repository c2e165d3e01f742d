/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ExhaustVolts on the bus is a display value with a deadband: the value a
 * Get (or GetAll, GetManagedObjects) returns is the reading last
 * published, and it is republished, with PropertiesChanged, only when the
 * reading has moved by at least EXHAUST_PUBLISH_STEP_MV from it, or when
 * it becomes readable or unreadable. So sensor noise is not broadcast to
 * every client at every scan (1000 detectors at 2 Hz would be ~2000
 * signals a second), while a fill's swing (about 2 V between warm and
 * LN2) is still followed within the step. The engine is not affected: it
 * compares every raw reading with the reference.
 *
 * 20 mV: four LSBs of the 12-bit ±10 V converter (4.9 mV), above the
 * exhaust sensors' noise (the simulated plant's is ±5 mV before
 * quantisation), and 1 % of the warm-to-LN2 swing.
 */
#ifndef STATIOND_BUS_EXHAUST_DEADBAND_H
#define STATIOND_BUS_EXHAUST_DEADBAND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define EXHAUST_PUBLISH_STEP_MV 20

/* Whether a reading (valid, mv) is to be published over (published_valid,
 * published_mv), the value clients hold. */
static inline bool exhaust_needs_publish(bool published_valid, int32_t published_mv,
					 bool valid, int32_t mv)
{
	if (valid != published_valid)
		return true;
	/* Readings are within ±ADC_MILLIVOLTS_MAX: no overflow. */
	return valid && abs(mv - published_mv) >= EXHAUST_PUBLISH_STEP_MV;
}

/* Whether a fresh reading (*valid, *mv) is to be published; when it is
 * not, it is set back to the published one: within the deadband, clients
 * keep the reading they have. */
static inline bool exhaust_publish_or_keep(bool published_valid, int32_t published_mv,
					   bool *valid, int32_t *mv)
{
	if (exhaust_needs_publish(published_valid, published_mv, *valid, *mv))
		return true;
	*valid = published_valid;
	*mv = published_mv;
	return false;
}

#endif
