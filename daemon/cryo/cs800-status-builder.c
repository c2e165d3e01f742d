// SPDX-License-Identifier: GPL-2.0
/*
 * Status packet builder (see cs800-status-builder.h). The pair order is
 * that of a real controller: runs of consecutive ids, 230 in all.
 */
#include "daemon/cryo/cs800-status-builder.h"

#include <string.h>

#include "daemon/cryo/cs800-params.h"
#include "daemon/shared/macro.h"

static const struct {
	uint16_t first, last;
} id_runs[] = {
	{ 1000, 1006 }, { 1010, 1037 }, { 1040, 1046 }, { 1050, 1073 },
	{ 1080, 1098 }, { 1100, 1108 }, { 1200, 1212 }, { 1300, 1314 },
	{ 1400, 1433 }, { 1500, 1515 }, { 1600, 1606 }, { 1700, 1701 },
	{ 1800, 1813 }, { 1900, 1903 }, { 2000, 2002 }, { 2010, 2024 },
	{ 2030, 2042 },
};

uint16_t cs800_status_builder_id(unsigned int position)
{
	for (size_t i = 0; i < ELEMENTSOF(id_runs); i++) {
		unsigned int n = id_runs[i].last - id_runs[i].first + 1u;

		if (position < n)
			return (uint16_t)(id_runs[i].first + position);
		position -= n;
	}
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void cs800_status_build(const struct cs800_status *status,
			uint8_t packet[CS800_STATUS_PACKET_SIZE])
{
	memset(packet, 0, CS800_STATUS_PACKET_SIZE);
	put_be16(packet, CS800_STATUS_START_MARKER);
	put_be16(packet + CS800_STATUS_DATA_LENGTH_OFFSET, CS800_STATUS_DATA_LENGTH);
	for (unsigned int i = 0; i < CS800_STATUS_PARAMETER_COUNT; i++) {
		uint8_t *pair = packet + CS800_STATUS_PAIRS_OFFSET + 4 * i;
		uint16_t id = cs800_status_builder_id(i);
		const struct cs800_param *param = cs800_param_by_id(id);

		put_be16(pair, id);
		put_be16(pair + 2, param ? cs800_param_raw(param, status) : 0);
	}
	put_be16(packet + CS800_STATUS_CHECKSUM_OFFSET, cs800_status_checksum(packet));
	put_be16(packet + CS800_STATUS_END_MARKER_OFFSET, CS800_STATUS_END_MARKER);
}
