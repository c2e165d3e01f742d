/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The autofill's operator commands (PRESET, FILL, DELAY, AVOID, UNAVOID,
 * CANCEL, CLEAR) as both clients give them, stationctl from its command
 * line and stationd-console from its prompt: the checks of their
 * arguments before anything is sent (times, minutes, and the targets with
 * the daemon's own parser against the station read from the bus, with
 * the seed's confirmation rule), and the org.stationd1.Autofill method
 * call that carries them.
 */
#ifndef STATIOND_CLIENTS_OPERATOR_COMMAND_H
#define STATIOND_CLIENTS_OPERATOR_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "daemon/clients/station-model.h"

enum operator_verb {
	OPERATOR_PRESET,
	OPERATOR_FILL,
	OPERATOR_DELAY,
	OPERATOR_AVOID,
	OPERATOR_UNAVOID,
	OPERATOR_CANCEL,
	OPERATOR_CLEAR,
};

enum operator_preset_mode {
	OPERATOR_PRESET_REPLACE,
	OPERATOR_PRESET_ADD,
	OPERATOR_PRESET_CLEAR,
};

struct operator_command {
	enum operator_verb verb;
	const char *targets;
	char *const *times;		/* PRESET: up to 4 "HH:MM"; FILL: none or one */
	size_t n_times;
	enum operator_preset_mode preset_mode;
	uint32_t minutes;		/* DELAY */
};

/* "fill", "preset", ... (lower case, as stationctl's verbs). */
const char *operator_verb_name(enum operator_verb verb);

/* The times and the preset mode; -EINVAL with why naming the bad part
 * ("time \"25:00\": hour out of range"). */
int operator_command_check(const struct operator_command *c, char *why, size_t why_size);

/* The targets as the daemon will parse them, against the station the
 * clients read from the bus: how many detectors they name and whether
 * the seed's YES/NO is due. -EINVAL with why ("\"1-x\" at column 3: ..."),
 * -ENOMEM. */
int operator_targets_check(const struct station_model *m, const char *targets,
			   size_t *n_detectors, bool *needs_confirmation, char *why,
			   size_t why_size);

/* The method call (the string form the console syntax maps onto);
 * interactive: polkit may ask the user to authenticate. */
int operator_command_message(sd_bus *bus, const struct operator_command *c, bool interactive,
			     sd_bus_message **ret);

#endif
