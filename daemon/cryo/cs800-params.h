/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every status parameter the daemon understands, in one table: its id in
 * the packet, the vendor's name, the D-Bus property name, the unit, how
 * the 16-bit raw value becomes a typed value, and where it lives in struct
 * cs800_status. The decoder is driven by this table, and so is the bus
 * layer: a property per entry (signature from cs800_value_type), plus for
 * enumerations a string property with the name (name_property) and for
 * some a second one with the vendor's longer wording
 * (description_property).
 */
#ifndef STATIOND_CRYO_CS800_PARAMS_H
#define STATIOND_CRYO_CS800_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/cryo/cs800-status.h"

/* How the raw u16 is interpreted. */
enum cs800_param_kind {
	CS800_KIND_SCALED,		/* u16 / divisor -> double */
	CS800_KIND_SIGNED_SCALED,	/* s16 / divisor -> double */
	CS800_KIND_INTEGER,		/* u16 in the unit of the table */
	CS800_KIND_ENUM,		/* u16 number, name from to_string */
	CS800_KIND_BOOLEAN,		/* non-zero -> true */
};

/* The C (and D-Bus) type of the decoded value. */
enum cs800_value_type {
	CS800_VALUE_DOUBLE,	/* D-Bus "d" */
	CS800_VALUE_UINT16,	/* D-Bus "q" */
	CS800_VALUE_BOOLEAN,	/* D-Bus "b" */
};

struct cs800_param {
	uint16_t id;
	const char *name;		/* the vendor's: "Sample temp" */
	const char *property;		/* "GasTemperature" */
	const char *unit;		/* "K", "K/h", "min", "s", "%", "bar", "mbar", "mV", "l/min" or "" */
	enum cs800_param_kind kind;
	uint16_t divisor;		/* SCALED: 10 or 100 */
	size_t offset;			/* of the field in struct cs800_status */
	/* Enumerations only: the name of a value (NULL if unknown), and the
	 * D-Bus property carrying that name ("RunModeName"); optionally a
	 * longer description of the value and its property. */
	const char *(*to_string)(unsigned int value);
	const char *name_property;
	const char *(*to_description)(unsigned int value);
	const char *description_property;
};

struct cs800_value {
	enum cs800_value_type type;
	union {
		double d;
		uint16_t q;
		bool b;
	};
};

/* The whole table, sorted by id; *count receives its length. */
const struct cs800_param *cs800_params(size_t *count);

/* Index of a parameter in the table (its bit in a cs800_param_set). */
size_t cs800_param_index(const struct cs800_param *param);

/* NULL if the id or property is not in the table. */
const struct cs800_param *cs800_param_by_id(uint16_t id);
const struct cs800_param *cs800_param_by_property(const char *property);

/* Whether the status packet carried parameter id (false for an id the
 * table does not know). */
bool cs800_status_has(const struct cs800_status *status, uint16_t id);

enum cs800_value_type cs800_param_value_type(const struct cs800_param *param);

/* Store a raw packet value into the status, converted per the table. */
void cs800_param_store(const struct cs800_param *param, struct cs800_status *status, uint16_t raw);

/* Copy the value of one parameter from one status to another. */
void cs800_param_copy(const struct cs800_param *param, struct cs800_status *to,
		      const struct cs800_status *from);

/* The inverse of store: the raw packet value of a parameter of a status,
 * rounded to the wire's resolution and clamped to its range (used to
 * build packets). */
uint16_t cs800_param_raw(const struct cs800_param *param, const struct cs800_status *status);

/* Read the typed value of a parameter out of a status. */
void cs800_param_get(const struct cs800_param *param, const struct cs800_status *status,
		     struct cs800_value *ret);

bool cs800_value_equal(const struct cs800_value *a, const struct cs800_value *b);

/*
 * The value with its unit, for logs and tools: "120.00 K", "5.0 l/min",
 * "Cool (1)", "unknown (77)". Returns the snprintf() length or -ENOBUFS.
 */
int cs800_param_format(const struct cs800_param *param, const struct cs800_status *status,
		       char *buf, size_t size);

#endif
