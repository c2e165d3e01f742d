// SPDX-License-Identifier: GPL-2.0
/*
 * Status packet builder (see cs800-status-builder.h). The default pair
 * order is that of a real controller: runs of consecutive ids, 230 in
 * all, covering every parameter of the table.
 */
#include "daemon/cryo/cs800-status-builder.h"

#include <errno.h>
#include <string.h>

#include "daemon/cryo/cs800-params.h"
#include "daemon/shared/macro.h"

static const struct {
	uint16_t first, last;
} id_runs[] = {
	{ 1000, 1006 }, { 1010, 1037 }, { 1040, 1046 }, { 1050, 1073 },
	{ 1080, 1098 }, { 1100, 1117 }, { 1200, 1212 }, { 1300, 1314 },
	{ 1400, 1420 }, { 1500, 1515 }, { 1600, 1606 }, { 1700, 1701 },
	{ 1800, 1813 }, { 1900, 1903 }, { 2000, 2002 }, { 2010, 2024 },
	{ 2030, 2044 }, { 2519, 2520 },
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

int cs800_status_build_layout(const struct cs800_status *status, const struct cs800_pair *layout,
			      size_t n, uint8_t *buf, size_t size)
{
	size_t total = CS800_STATUS_MIN_SIZE + 4 * n;

	if (size < total || total > UINT16_MAX)
		return -ENOBUFS;
	put_be16(buf, CS800_STATUS_START_MARKER);
	/* The data length: the bytes of the pairs (the EPICS packet's 920). */
	put_be16(buf + CS800_STATUS_DATA_LENGTH_OFFSET, (uint16_t)(4 * n));
	for (size_t i = 0; i < n; i++) {
		uint8_t *pair = buf + CS800_STATUS_PAIRS_OFFSET + 4 * i;
		const struct cs800_param *param = cs800_param_by_id(layout[i].id);

		put_be16(pair, layout[i].id);
		put_be16(pair + 2, param ? cs800_param_raw(param, status) : layout[i].value);
	}
	put_be16(buf + total - CS800_STATUS_TRAILER_SIZE, cs800_status_checksum(buf, total));
	put_be16(buf + total - 2, CS800_STATUS_END_MARKER);
	return (int)total;
}

void cs800_status_build(const struct cs800_status *status,
			uint8_t packet[CS800_STATUS_EPICS_PACKET_SIZE])
{
	struct cs800_pair layout[CS800_STATUS_EPICS_PARAMETER_COUNT];

	for (unsigned int i = 0; i < ELEMENTSOF(layout); i++)
		layout[i] = (struct cs800_pair){ .id = cs800_status_builder_id(i) };
	(void)cs800_status_build_layout(status, layout, ELEMENTSOF(layout), packet,
					CS800_STATUS_EPICS_PACKET_SIZE);
}
