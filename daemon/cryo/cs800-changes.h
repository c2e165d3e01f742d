/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which D-Bus properties a new status changes: the property of every
 * parameter whose typed value differs from the previous status's
 * (cs800_value_equal(): decoded values come from the wire's integers, so
 * equal packets give equal doubles), plus the name and description
 * properties of an enumeration whose number changed, plus
 * CS800_STALE_PROPERTY when the set of parameters the packet carried
 * changed and CS800_UNKNOWN_PROPERTY when the count of unknown ids did.
 * The bus layer emits PropertiesChanged for exactly these, so a
 * controller holding steady costs no signal.
 *
 * The statuses compared are the link's merged ones (cryo-link.h): a
 * parameter a packet lacks keeps its last value there, so its absence
 * changes only the stale list, never the value.
 */
#ifndef STATIOND_CRYO_CS800_CHANGES_H
#define STATIOND_CRYO_CS800_CHANGES_H

#include <stddef.h>

#include "daemon/cryo/cs800-status.h"

/* Room for every property the parameter table can produce. */
#define CS800_PROPERTIES_MAX (3 * CS800_PARAMS_MAX + 2)

/* as: the properties whose parameter the last packet did not carry. */
#define CS800_STALE_PROPERTY "StaleProperties"
/* q: how many ids of the last packet the table does not know. */
#define CS800_UNKNOWN_PROPERTY "UnknownParameters"

/*
 * Fill names[] with the changed property names, in table order, and a
 * NULL after the last. previous NULL: every property of the parameters
 * present in next, and both lists. Returns the count.
 */
size_t cs800_changed_properties(const struct cs800_status *previous,
				const struct cs800_status *next,
				const char *names[CS800_PROPERTIES_MAX + 1]);

#endif
