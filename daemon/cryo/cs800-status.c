// SPDX-License-Identifier: GPL-2.0
/*
 * Strict decoder of the Cryostream 800 status packet (layout in
 * cs800-status.h). It decodes into a scratch copy and hands it out only
 * when the whole packet was accepted.
 */
#include "daemon/cryo/cs800-status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/cryo/cs800-params.h"
#include "daemon/shared/macro.h"

static const char *const reject_reason_names[] = {
	[CS800_REJECT_LENGTH] = "length",
	[CS800_REJECT_START_MARKER] = "start-marker",
	[CS800_REJECT_END_MARKER] = "end-marker",
	[CS800_REJECT_DATA_LENGTH] = "data-length",
	[CS800_REJECT_CHECKSUM] = "checksum",
	[CS800_REJECT_MISSING_PARAMETER] = "missing-parameter",
	[CS800_REJECT_DUPLICATE_PARAMETER] = "duplicate-parameter",
};
_Static_assert(ELEMENTSOF(reject_reason_names) == _CS800_REJECT_MAX, "reject reasons");

const char *cs800_reject_reason_to_string(enum cs800_reject_reason reason)
{
	if ((unsigned int)reason >= ELEMENTSOF(reject_reason_names))
		return NULL;
	return reject_reason_names[reason];
}

int cs800_decode_error_format(const struct cs800_decode_error *error, char *buf, size_t size)
{
	int n;

	switch (error->reason) {
	case CS800_REJECT_LENGTH:
		n = snprintf(buf, size, "packet is %u bytes, a status packet is %u",
			     error->found, error->expected);
		break;
	case CS800_REJECT_START_MARKER:
		n = snprintf(buf, size, "start marker is 0x%04X, expected 0x%04X",
			     error->found, error->expected);
		break;
	case CS800_REJECT_END_MARKER:
		n = snprintf(buf, size, "end marker is 0x%04X, expected 0x%04X",
			     error->found, error->expected);
		break;
	case CS800_REJECT_DATA_LENGTH:
		n = snprintf(buf, size, "data length field is %u, expected %u",
			     error->found, error->expected);
		break;
	case CS800_REJECT_CHECKSUM:
		n = snprintf(buf, size, "checksum field is 0x%04X, the data sums to 0x%04X",
			     error->found, error->expected);
		break;
	case CS800_REJECT_MISSING_PARAMETER:
		n = snprintf(buf, size, "required parameter %u is missing", error->parameter_id);
		break;
	case CS800_REJECT_DUPLICATE_PARAMETER:
		n = snprintf(buf, size, "parameter %u appears more than once", error->parameter_id);
		break;
	default:
		n = snprintf(buf, size, "unknown reason %d", (int)error->reason);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	return n;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint16_t cs800_status_checksum(const uint8_t *packet)
{
	uint32_t sum = 0;

	for (size_t i = CS800_STATUS_PAIRS_OFFSET; i < CS800_STATUS_CHECKSUM_OFFSET; i++)
		sum += packet[i];
	return (uint16_t)sum;
}

static int reject(struct cs800_decode_error *error, enum cs800_reject_reason reason,
		  uint32_t expected, uint32_t found, uint16_t parameter_id)
{
	if (error)
		*error = (struct cs800_decode_error) {
			.reason = reason,
			.expected = expected,
			.found = found,
			.parameter_id = parameter_id,
		};
	return -EBADMSG;
}

/*
 * The table entry for id, or NULL. Controllers send their pairs in
 * increasing id order, so the entry after the previous match (*next) is
 * checked first: in order, each pair costs a comparison or two, not a
 * search. Out of order pairs still decode, by bisection.
 */
static const struct cs800_param *lookup(const struct cs800_param *table, size_t count,
					size_t *next, uint16_t id)
{
	const struct cs800_param *param;
	size_t j = *next;

	if (j < count && table[j].id == id) {
		*next = j + 1;
		return &table[j];
	}
	if ((j == 0 || table[j - 1].id < id) && (j == count || id < table[j].id))
		return NULL;	/* between two known ids: not one of ours */
	param = cs800_param_by_id(id);
	if (param)
		*next = cs800_param_index(param) + 1;
	return param;
}

int cs800_status_decode(const void *packet, size_t size, unsigned int flags,
			struct cs800_status *ret, struct cs800_decode_error *error)
{
	const uint8_t *p = packet;
	struct cs800_status s = {};
	const struct cs800_param *table;
	size_t count, next = 0;
	uint16_t v;

	if (size != CS800_STATUS_PACKET_SIZE)
		return reject(error, CS800_REJECT_LENGTH, CS800_STATUS_PACKET_SIZE,
			      size > UINT32_MAX ? UINT32_MAX : (uint32_t)size, 0);
	v = get_be16(p);
	if (v != CS800_STATUS_START_MARKER)
		return reject(error, CS800_REJECT_START_MARKER, CS800_STATUS_START_MARKER, v, 0);
	v = get_be16(p + CS800_STATUS_END_MARKER_OFFSET);
	if (v != CS800_STATUS_END_MARKER)
		return reject(error, CS800_REJECT_END_MARKER, CS800_STATUS_END_MARKER, v, 0);
	v = get_be16(p + CS800_STATUS_DATA_LENGTH_OFFSET);
	if (v != CS800_STATUS_DATA_LENGTH)
		return reject(error, CS800_REJECT_DATA_LENGTH, CS800_STATUS_DATA_LENGTH, v, 0);
	v = get_be16(p + CS800_STATUS_CHECKSUM_OFFSET);
	if (!(flags & CS800_DECODE_IGNORE_CHECKSUM) && v != cs800_status_checksum(p))
		return reject(error, CS800_REJECT_CHECKSUM, cs800_status_checksum(p), v, 0);

	table = cs800_params(&count);
	for (size_t i = 0; i < CS800_STATUS_PARAMETER_COUNT; i++) {
		const uint8_t *pair = p + CS800_STATUS_PAIRS_OFFSET + 4 * i;
		uint16_t id = get_be16(pair);
		const struct cs800_param *param = lookup(table, count, &next, id);
		uint64_t bit;

		/* Parameters we do not use (the packet has 230, the table
		 * fewer) are skipped. */
		if (!param)
			continue;
		bit = UINT64_C(1) << cs800_param_index(param);
		if (s.present & bit)
			return reject(error, CS800_REJECT_DUPLICATE_PARAMETER, 0, 0, id);
		s.present |= bit;
		cs800_param_store(param, &s, get_be16(pair + 2));
	}

	for (size_t i = 0; i < count; i++)
		if (!table[i].optional && !(s.present & (UINT64_C(1) << i)))
			return reject(error, CS800_REJECT_MISSING_PARAMETER, 0, 0, table[i].id);

	*ret = s;
	return 0;
}
