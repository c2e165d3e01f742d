/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds Cryostream 800 status packets the way a controller does: pairs
 * in a given order (by default the 230 of the EPICS support's 928-byte
 * packet, in the controller's order of runs of consecutive ids), markers,
 * data length and checksum. Values come from a struct cs800_status for
 * the ids of the parameter table, from the layout for the others. Used by
 * the simulator, the benchmarks and to make fuzzing seeds; the daemon only
 * decodes.
 */
#ifndef STATIOND_CRYO_CS800_STATUS_BUILDER_H
#define STATIOND_CRYO_CS800_STATUS_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/cryo/cs800-status.h"

struct cs800_pair {
	uint16_t id;
	uint16_t value;		/* used for ids the parameter table lacks */
};

/* The parameter id at pair position i (0..229) of the default layout. */
uint16_t cs800_status_builder_id(unsigned int position);

/*
 * A packet of n pairs in the order of layout, into buf: its size, or
 * -ENOBUFS if buf is smaller than CS800_STATUS_MIN_SIZE + 4 * n.
 */
int cs800_status_build_layout(const struct cs800_status *status, const struct cs800_pair *layout,
			      size_t n, uint8_t *buf, size_t size);

/* The default 928-byte packet (ids the table lacks carry 0). */
void cs800_status_build(const struct cs800_status *status,
			uint8_t packet[CS800_STATUS_EPICS_PACKET_SIZE]);

#endif
