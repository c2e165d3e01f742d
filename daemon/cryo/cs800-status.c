// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder of the Cryostream 800 status packet (layout in cs800-status.h):
 * any number of pairs, only the controller number required. It decodes
 * into a scratch copy and hands it out only when the whole packet was
 * accepted.
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
	[CS800_REJECT_CHECKSUM] = "checksum",
	[CS800_REJECT_MISSING_PARAMETER] = "missing-parameter",
	[CS800_REJECT_DUPLICATE_PARAMETER] = "duplicate-parameter",
	[CS800_REJECT_SOURCE] = "source",
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
		n = snprintf(buf, size,
			     "packet is %u bytes, not markers, data length and checksum around whole 4-byte pairs",
			     error->found);
		break;
	case CS800_REJECT_START_MARKER:
		n = snprintf(buf, size, "start marker is 0x%04X, expected 0x%04X",
			     error->found, error->expected);
		break;
	case CS800_REJECT_END_MARKER:
		n = snprintf(buf, size, "end marker is 0x%04X, expected 0x%04X",
			     error->found, error->expected);
		break;
	case CS800_REJECT_CHECKSUM:
		n = snprintf(buf, size, "checksum field is 0x%04X, the pairs sum to 0x%04X",
			     error->found, error->expected);
		break;
	case CS800_REJECT_MISSING_PARAMETER:
		n = snprintf(buf, size, "required parameter %u (controller number) is missing",
			     error->parameter_id);
		break;
	case CS800_REJECT_DUPLICATE_PARAMETER:
		n = snprintf(buf, size, "parameter %u appears more than once", error->parameter_id);
		break;
	case CS800_REJECT_SOURCE:
		n = snprintf(buf, size, "controller %u's packet came from an address that is not its own",
			     error->controller_number);
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

uint16_t cs800_status_checksum(const uint8_t *packet, size_t size)
{
	uint32_t sum = 0;

	for (size_t i = CS800_STATUS_PAIRS_OFFSET; i < size - CS800_STATUS_TRAILER_SIZE; i++)
		sum += packet[i];
	return (uint16_t)sum;
}

const uint8_t *cs800_status_pairs(const uint8_t *packet, size_t size, size_t *ret_count)
{
	*ret_count = (size - CS800_STATUS_MIN_SIZE) / 4;
	return packet + CS800_STATUS_PAIRS_OFFSET;
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

/* Which ids a packet has carried so far: one bit per possible id, set as
 * the pairs are read and cleared again by walking them, so a packet costs
 * its pairs, not the 8 KiB of the map. */
struct id_map {
	uint64_t bits[65536 / 64];
};

static bool id_map_test_and_set(struct id_map *m, uint16_t id)
{
	uint64_t bit = UINT64_C(1) << (id % 64);
	bool was = m->bits[id / 64] & bit;

	m->bits[id / 64] |= bit;
	return was;
}

static void id_map_clear(struct id_map *m, const uint8_t *pairs, size_t count)
{
	for (size_t i = 0; i < count; i++)
		m->bits[get_be16(pairs + 4 * i) / 64] = 0;
}

/* The value of the first pair with this id, for a packet that failed only
 * its checksum: whose packet it claims to be. */
static bool find_value(const uint8_t *pairs, size_t count, uint16_t id, uint16_t *ret)
{
	for (size_t i = 0; i < count; i++)
		if (get_be16(pairs + 4 * i) == id) {
			*ret = get_be16(pairs + 4 * i + 2);
			return true;
		}
	return false;
}

/* A packet with an alarm code but no level: the vendor's level of the
 * code, and an error for a code the vendor table does not have (newer
 * firmware; better noticed than ignored). */
static void derive_alarm_level(struct cs800_status *s)
{
	const struct cs800_param *alarm = cs800_param_by_id(CS800_PARAMETER_ALARM);
	const struct cs800_param *level = cs800_param_by_id(CS800_PARAMETER_ALARM_LEVEL);
	int l;

	if (!cs800_param_set_has(&s->present, cs800_param_index(alarm)) ||
	    cs800_param_set_has(&s->present, cs800_param_index(level)))
		return;
	l = cs800_alarm_level(s->alarm);
	s->alarm_level = l >= 0 ? (uint16_t)l : CS800_ALARM_LEVEL_ERROR;
	cs800_param_set_add(&s->present, cs800_param_index(level));
}

int cs800_status_decode(const void *packet, size_t size, unsigned int flags,
			struct cs800_status *ret, struct cs800_decode_error *error)
{
	static _Thread_local struct id_map seen;
	const uint8_t *p = packet, *pairs;
	struct cs800_status s = {};
	const struct cs800_param *table;
	size_t count, n_pairs, next = 0;
	uint16_t v, sum, number;
	int r = 0;

	if (size < CS800_STATUS_MIN_SIZE || size % 4 != 0 || size > CS800_STATUS_MAX_SIZE)
		return reject(error, CS800_REJECT_LENGTH, 0,
			      size > UINT32_MAX ? UINT32_MAX : (uint32_t)size, 0);
	v = get_be16(p);
	if (v != CS800_STATUS_START_MARKER)
		return reject(error, CS800_REJECT_START_MARKER, CS800_STATUS_START_MARKER, v, 0);
	v = get_be16(p + size - 2);
	if (v != CS800_STATUS_END_MARKER)
		return reject(error, CS800_REJECT_END_MARKER, CS800_STATUS_END_MARKER, v, 0);
	pairs = cs800_status_pairs(p, size, &n_pairs);
	v = get_be16(p + size - CS800_STATUS_TRAILER_SIZE);
	sum = cs800_status_checksum(p, size);
	if (!(flags & CS800_DECODE_IGNORE_CHECKSUM) && v != sum) {
		reject(error, CS800_REJECT_CHECKSUM, sum, v, 0);
		if (error && find_value(pairs, n_pairs, CS800_PARAMETER_CONTROLLER_NUMBER, &number)) {
			error->has_controller_number = true;
			error->controller_number = number;
		}
		return -EBADMSG;
	}

	table = cs800_params(&count);
	s.parameter_count = (uint16_t)n_pairs;
	for (size_t i = 0; i < n_pairs; i++) {
		const uint8_t *pair = pairs + 4 * i;
		uint16_t id = get_be16(pair);
		const struct cs800_param *param;

		if (id_map_test_and_set(&seen, id)) {
			r = reject(error, CS800_REJECT_DUPLICATE_PARAMETER, 0, 0, id);
			break;
		}
		param = lookup(table, count, &next, id);
		if (!param) {
			s.unknown_parameters++;
			continue;
		}
		cs800_param_set_add(&s.present, cs800_param_index(param));
		cs800_param_store(param, &s, get_be16(pair + 2));
	}
	id_map_clear(&seen, pairs, n_pairs);
	if (r < 0)
		return r;

	if (!cs800_status_has(&s, CS800_PARAMETER_CONTROLLER_NUMBER))
		return reject(error, CS800_REJECT_MISSING_PARAMETER, 0, 0,
			      CS800_PARAMETER_CONTROLLER_NUMBER);
	derive_alarm_level(&s);
	*ret = s;
	return 0;
}
