/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which D-Bus properties a new status packet changes: the property of
 * every parameter whose typed value differs from the previous packet's
 * (cs800_value_equal(): decoded values come from the wire's integers, so
 * equal packets give equal doubles), plus the name property of an
 * enumeration whose number changed. The bus layer emits PropertiesChanged
 * for exactly these, so a controller holding steady costs no signal.
 */
#ifndef STATIOND_CRYO_CS800_CHANGES_H
#define STATIOND_CRYO_CS800_CHANGES_H

#include <stddef.h>

#include "daemon/cryo/cs800-status.h"

/* Room for every property the parameter table can produce. */
#define CS800_PROPERTIES_MAX 128

/*
 * Fill names[] with the changed property names, in table order, and a
 * NULL after the last (names has room for CS800_PROPERTIES_MAX + 1).
 * previous NULL: every property of the parameters present in next.
 * Optional parameters absent from both packets are not changes; one that
 * appears or disappears is. Returns the count.
 */
size_t cs800_changed_properties(const struct cs800_status *previous,
				const struct cs800_status *next,
				const char *names[CS800_PROPERTIES_MAX + 1]);

#endif
