/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Cryostream 800 status packet: what the controller broadcasts to UDP
 * port 30304, once a second.
 *
 *   bytes 0-1     0xAA 0xAB
 *   bytes 2-3     data length, big-endian: 920, the size of the pair block
 *   bytes 4-923   230 pairs of (parameter id u16, value u16), big-endian
 *   bytes 924-925 checksum: the sum of bytes 4-923, truncated to 16 bits
 *   bytes 926-927 0xAB 0xAA
 *
 * Decoding is strict: a packet of another size, with a wrong marker, data
 * length or checksum, without one of the required parameters or carrying
 * one of the parameters we know twice is rejected with the reason. A
 * rejected packet leaves the caller's status untouched.
 *
 * The data-length value is our reading of the layout (the seed's EPICS
 * support skips the field): 920 is the length of the pair block the
 * field precedes. It is one constant, CS800_STATUS_DATA_LENGTH.
 *
 * Values are typed and carry their unit in the field name: temperatures in
 * kelvin (from centi-kelvin), flow in l/min (from 0.1 l/min), pressure in
 * bar (from 0.01 bar), times in minutes, heaters and level in percent.
 * Enumerations keep their number (an unknown number from newer firmware is
 * kept, not rejected); names come from cs800-enums.h. The table of every
 * parameter with its D-Bus property name is in cs800-params.h.
 */
#ifndef STATIOND_CRYO_CS800_STATUS_H
#define STATIOND_CRYO_CS800_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/cryo/cs800-enums.h"

#define CS800_STATUS_PORT 30304
#define CS800_STATUS_PACKET_SIZE 928
#define CS800_STATUS_PARAMETER_COUNT 230
#define CS800_STATUS_DATA_LENGTH (CS800_STATUS_PARAMETER_COUNT * 4)
#define CS800_STATUS_START_MARKER 0xAAABu
#define CS800_STATUS_END_MARKER 0xABAAu
/* Offsets inside the packet. */
#define CS800_STATUS_DATA_LENGTH_OFFSET 2
#define CS800_STATUS_PAIRS_OFFSET 4
#define CS800_STATUS_CHECKSUM_OFFSET 924
#define CS800_STATUS_END_MARKER_OFFSET 926

struct cs800_status {
	/* Bit i set: parameter i of the cs800_params() table was in the
	 * packet. Required parameters are always set after a decode. */
	uint64_t present;

	/* Identity and limits. */
	uint16_t device_type;			/* 1000 */
	uint16_t device_subtype;		/* 1001 */
	double device_min_temperature_k;	/* 1002 */
	double device_max_temperature_k;	/* 1003 */
	uint16_t software_version;		/* 1004 */
	uint16_t controller_number;		/* 1028 */

	/* Temperature control. */
	double set_point_k;			/* 1050 */
	double gas_temperature_k;		/* 1051 */
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
	uint16_t suction_heater_percent;	/* 1063 */
	double back_pressure_bar;		/* 1064 */
	uint16_t alarm;				/* 1065, enum cs800_alarm */
	uint16_t run_time_min;			/* 1066 */
	uint16_t evaporator_adjust;		/* 1067 */
	bool turbo_mode;			/* 1068 */
	uint16_t ln2_level_percent;		/* 1203 */

	/* Cobra and Plus models; zero on a plain Cryostream 800. */
	double coldhead_temperature_k;		/* 2010 */
	double shield_temperature_k;		/* 2011 */
	uint16_t vacuum_gauge;			/* 2012, raw reading */
	double nozzle_temperature_k;		/* 2013 */
	uint16_t sample_heater_percent;		/* 2014 */
	uint16_t coldhead_heater_percent;	/* 2015 */
	uint16_t shield_heater_percent;		/* 2016 */
	uint16_t nozzle_heater_percent;		/* 2017 */
	uint16_t average_sample_heater_percent;	/* 2019 */
	uint16_t average_nozzle_heater_percent;	/* 2020 */
	double sample_holder_temperature_k;	/* 2030 */
	double cryostat_temperature_k;		/* 2031 */
	double suction_set_temperature_k;	/* 2035 */
	double nozzle_set_temperature_k;	/* 2036 */
	double collar_temperature_k;		/* 2041 */
	uint16_t vacuum_sensor;			/* 2042, raw reading */
};

enum cs800_reject_reason {
	CS800_REJECT_LENGTH,
	CS800_REJECT_START_MARKER,
	CS800_REJECT_END_MARKER,
	CS800_REJECT_DATA_LENGTH,
	CS800_REJECT_CHECKSUM,
	CS800_REJECT_MISSING_PARAMETER,
	CS800_REJECT_DUPLICATE_PARAMETER,
	_CS800_REJECT_MAX,
};

/* "length", "start-marker", ...: stable names for counters and logs. */
const char *cs800_reject_reason_to_string(enum cs800_reject_reason reason);

/* Why a packet was rejected, with what the decoder expected and found. */
struct cs800_decode_error {
	enum cs800_reject_reason reason;
	uint32_t expected;	/* size, marker, data length or checksum */
	uint32_t found;
	uint16_t parameter_id;	/* for the parameter reasons */
};

/* "checksum 0x1234 does not match the packet's 0x1235" and the like. */
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

/* The checksum the packet layout defines, over bytes 4-923 of a packet. */
uint16_t cs800_status_checksum(const uint8_t *packet);

#endif
