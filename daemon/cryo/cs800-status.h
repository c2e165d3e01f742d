/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Cryostream 800 status packet: what the controller broadcasts to UDP
 * port 30304, once a second.
 *
 *   bytes 0-1          0xAA 0xAB
 *   bytes 2-3          data length (not checked: no public peer reads it)
 *   bytes 4..n-5       (parameter id u16, value u16) pairs, big-endian
 *   bytes n-4..n-3     checksum: the sum of the pair bytes, truncated to
 *                      16 bits
 *   bytes n-2..n-1     0xAB 0xAA
 *
 * The EPICS support reads a fixed 928-byte packet of 230 pairs; the
 * vendor lists far more parameters than that holds and its own peers read
 * any number of pairs, as this decoder does. A packet is accepted when it
 * is a whole number of 4-byte units with both markers, its checksum
 * matches (unless the caller ignores checksums), no id appears twice and
 * it carries the controller number (1028): other firmware sends other
 * sets. Every other parameter is optional: cs800_status_has() tells
 * whether the packet carried it. Ids the table of cs800-params.h does not
 * know are counted (unknown_parameters), never a reason to reject. A
 * rejected packet leaves the caller's status untouched.
 *
 * Values are typed and carry their unit in the field name: temperatures
 * in kelvin (from centi-kelvin), flow in l/min, pressure in bar or mbar,
 * times in minutes or seconds, heaters and levels in percent (the LN2 and
 * autofill levels from hundredths of a percent). Enumerations keep their
 * number (an unknown number from newer firmware is kept, not rejected);
 * names come from cs800-enums.h.
 *
 * The alarm level (2044) is the controller's when it sends one; a packet
 * with an alarm code (1065) but no level gets the vendor's level of that
 * code (an error for a code the vendor table does not have), and 2044
 * counts as present.
 */
#ifndef STATIOND_CRYO_CS800_STATUS_H
#define STATIOND_CRYO_CS800_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/cryo/cs800-enums.h"

#define CS800_STATUS_PORT 30304
#define CS800_STATUS_START_MARKER 0xAAABu
#define CS800_STATUS_END_MARKER 0xABAAu
/* Offsets inside the packet; the checksum and end marker are the last
 * four bytes, whatever the size. */
#define CS800_STATUS_DATA_LENGTH_OFFSET 2
#define CS800_STATUS_PAIRS_OFFSET 4
#define CS800_STATUS_TRAILER_SIZE 4
/* Markers, data length, checksum: a packet without pairs. */
#define CS800_STATUS_MIN_SIZE (CS800_STATUS_PAIRS_OFFSET + CS800_STATUS_TRAILER_SIZE)
/* The packet the EPICS support reads (and the simulator sends by default). */
#define CS800_STATUS_EPICS_PARAMETER_COUNT 230
#define CS800_STATUS_EPICS_PACKET_SIZE (CS800_STATUS_MIN_SIZE + 4 * CS800_STATUS_EPICS_PARAMETER_COUNT)
/* The largest UDP payload over IPv4. */
#define CS800_STATUS_MAX_SIZE 65507

#define CS800_PARAMETER_CONTROLLER_NUMBER 1028
#define CS800_PARAMETER_ALARM 1065
#define CS800_PARAMETER_ALARM_LEVEL 2044

/* One bit per entry of the parameter table (cs800-params.h). */
#define CS800_PARAMS_MAX 128
struct cs800_param_set {
	uint64_t bits[CS800_PARAMS_MAX / 64];
};

struct cs800_status {
	/* The parameters of the table this packet carried. */
	struct cs800_param_set present;
	uint16_t parameter_count;		/* pairs in the packet */
	uint16_t unknown_parameters;		/* of those, ids the table lacks */

	/* Identity and limits. */
	uint16_t device_type;			/* 1000 Device */
	uint16_t device_subtype;		/* 1001 Hardware */
	double device_min_temperature_k;	/* 1002 Min temp */
	double device_max_temperature_k;	/* 1003 Max temp */
	uint16_t software_version;		/* 1004 Control firmware */
	uint16_t controller_number;		/* 1028 */
	double default_cool_temperature_k;	/* 1032 */

	/* Temperature control. */
	double set_point_k;			/* 1050 Set temp */
	double gas_temperature_k;		/* 1051 Sample temp */
	double error_k;				/* 1052, signed */
	uint16_t run_mode;			/* 1053, enum cs800_run_mode */
	uint16_t phase;				/* 1054, enum cs800_phase */
	uint16_t ramp_rate_k_per_h;		/* 1055 */
	double target_temperature_k;		/* 1056 */
	double evaporator_temperature_k;	/* 1057 */
	double suction_temperature_k;		/* 1058 */
	uint16_t time_remaining_min;		/* 1059 */
	double gas_flow_l_per_min;		/* 1060 */
	uint16_t gas_heater_percent;		/* 1061 */
	uint16_t evaporator_heater_percent;	/* 1062 */
	uint16_t average_suction_heater_percent; /* 1063 */
	double back_pressure_bar;		/* 1064 */
	uint16_t alarm;				/* 1065, enum cs800_alarm */
	uint16_t run_time_min;			/* 1066 */
	uint16_t evaporator_shift_percent;	/* 1067 */
	bool turbo_mode;			/* 1068 */
	uint16_t average_gas_heater_percent;	/* 1069 */
	uint16_t suction_heater_percent;	/* 1070 */
	bool suspended;				/* 1071 */
	uint16_t commands_received;		/* 1072, a counter */
	uint16_t commands_missed;		/* 1073, a counter */

	/* Flow controller. */
	uint16_t fc_back_pressure_mbar;		/* 1101 */
	uint16_t fc_valve_opening_percent;	/* 1103 */
	double flow_interrupt_time_s;		/* 1115, from deciseconds */
	uint16_t flow_interrupt_state;		/* 1116 */
	uint16_t flow_interrupt_count;		/* 1117 */

	/* Autofill. */
	double ln2_level_percent;		/* 1203, from hundredths */
	double autofill_refill_level_percent;	/* 1207, from hundredths */
	double autofill_stop_level_percent;	/* 1208, from hundredths */
	uint16_t autofill_mode;			/* 1209, enum cs800_autofill_mode */
	uint16_t autofill_status;		/* 1211 */

	/* Cobra and Plus models. */
	double coldhead_temperature_k;		/* 2010 */
	double shield_temperature_k;		/* 2011 */
	uint16_t vacuum_gauge_mv;		/* 2012 */
	double nozzle_temperature_k;		/* 2013 */
	uint16_t sample_heater_percent;		/* 2014 */
	uint16_t coldhead_heater_percent;	/* 2015 */
	uint16_t shield_heater_percent;		/* 2016 */
	uint16_t nozzle_heater_percent;		/* 2017 */
	uint16_t average_sample_heater_percent;	/* 2019 */
	uint16_t average_nozzle_heater_percent;	/* 2020 */
	double sample_holder_temperature_k;	/* 2030 */
	double cryostat_temperature_k;		/* 2031 */
	bool sample_holder_present;		/* 2032 */
	uint16_t phase_time_elapsed_min;	/* 2034 */
	double suction_set_temperature_k;	/* 2035 */
	double nozzle_set_temperature_k;	/* 2036 */
	double collar_temperature_k;		/* 2041 */
	uint16_t vacuum_sensor_mbar;		/* 2042 */
	uint16_t alarm_level;			/* 2044, enum cs800_alarm_level */
	uint16_t shield_flow_mode;		/* 2519 */
	double shield_flow_requested_l_per_min;	/* 2520, from cl/min */
};

/*
 * Why a packet was rejected. The decoder gives all but SOURCE, which the
 * link gives to a valid packet with a controller's number from an
 * address that is not that controller's (cryo-link.h).
 */
enum cs800_reject_reason {
	CS800_REJECT_LENGTH,
	CS800_REJECT_START_MARKER,
	CS800_REJECT_END_MARKER,
	CS800_REJECT_CHECKSUM,
	CS800_REJECT_MISSING_PARAMETER,
	CS800_REJECT_DUPLICATE_PARAMETER,
	CS800_REJECT_SOURCE,
	_CS800_REJECT_MAX,
};

/* "length", "start-marker", ..., "source": stable names for counters and
 * logs (the keys of PacketsRejectedByReason on D-Bus). */
const char *cs800_reject_reason_to_string(enum cs800_reject_reason reason);

/* Why a packet was rejected, with what the decoder expected and found. */
struct cs800_decode_error {
	enum cs800_reject_reason reason;
	uint32_t expected;	/* marker or checksum */
	uint32_t found;		/* size, marker or checksum */
	uint16_t parameter_id;	/* for the parameter reasons */
	/* A packet that failed only its checksum still says whose it is:
	 * the value of its (first) 1028 pair, when it has one. */
	bool has_controller_number;
	uint16_t controller_number;
};

/* "checksum field is 0x1234, the pairs sum to 0x1235" and the like. */
int cs800_decode_error_format(const struct cs800_decode_error *error, char *buf, size_t size);

/* Decoding flags. */
enum {
	/* Accept a packet whatever its checksum field says (the link setting
	 * "checksum ignore": no public peer verifies it). */
	CS800_DECODE_IGNORE_CHECKSUM = 1u << 0,
};

/*
 * Decode one datagram. Returns 0 and fills *ret, or -EBADMSG and fills
 * *error (if not NULL), leaving *ret untouched. flags: CS800_DECODE_*.
 */
int cs800_status_decode(const void *packet, size_t size, unsigned int flags,
			struct cs800_status *ret, struct cs800_decode_error *error);

/* The checksum the layout defines: the sum of the pair bytes of a packet
 * of size bytes (at least CS800_STATUS_MIN_SIZE), truncated to 16 bits. */
uint16_t cs800_status_checksum(const uint8_t *packet, size_t size);

/* The pairs of a packet the decoder accepted: where they start and how
 * many there are (big-endian id, value). */
const uint8_t *cs800_status_pairs(const uint8_t *packet, size_t size, size_t *ret_count);

/* Membership of table entry index (cs800_param_index()) in a set. */
static inline bool cs800_param_set_has(const struct cs800_param_set *set, size_t index)
{
	return set->bits[index / 64] & (UINT64_C(1) << (index % 64));
}

static inline void cs800_param_set_add(struct cs800_param_set *set, size_t index)
{
	set->bits[index / 64] |= UINT64_C(1) << (index % 64);
}

static inline bool cs800_param_set_equal(const struct cs800_param_set *a,
					 const struct cs800_param_set *b)
{
	for (size_t i = 0; i < CS800_PARAMS_MAX / 64; i++)
		if (a->bits[i] != b->bits[i])
			return false;
	return true;
}

#endif
