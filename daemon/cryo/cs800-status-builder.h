/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds Cryostream 800 status packets the way a controller does: all 230
 * parameter pairs in the controller's order (the ids the daemon does not
 * use carry 0), markers, data length and checksum. Used by the simulator,
 * the benchmark and to make fuzzing seeds; the daemon only decodes.
 */
#ifndef STATIOND_CRYO_CS800_STATUS_BUILDER_H
#define STATIOND_CRYO_CS800_STATUS_BUILDER_H

#include <stdint.h>

#include "daemon/cryo/cs800-status.h"

/* The parameter id at pair position i (0..229), in the controller's order. */
uint16_t cs800_status_builder_id(unsigned int position);

void cs800_status_build(const struct cs800_status *status,
			uint8_t packet[CS800_STATUS_PACKET_SIZE]);

#endif
