// SPDX-License-Identifier: GPL-2.0
/* The autofill's operator commands, checked and sent (operator-command.h). */
#include <errno.h>
#include <stdio.h>

#include "daemon/autofill/schedule.h"
#include "daemon/autofill/targets.h"
#include "daemon/clients/operator-command.h"
#include "daemon/shared/macro.h"

#define AUTOFILL_PATH "/org/stationd1/autofill"
#define AUTOFILL_INTERFACE "org.stationd1.Autofill"

static const char *const verb_names[] = {
	[OPERATOR_PRESET] = "preset",
	[OPERATOR_FILL] = "fill",
	[OPERATOR_DELAY] = "delay",
	[OPERATOR_AVOID] = "avoid",
	[OPERATOR_UNAVOID] = "unavoid",
	[OPERATOR_CANCEL] = "cancel",
	[OPERATOR_CLEAR] = "clear",
};

/* The methods of org.stationd1.Autofill, by verb. */
static const char *const methods[] = {
	[OPERATOR_PRESET] = "Preset",
	[OPERATOR_FILL] = "Fill",
	[OPERATOR_DELAY] = "Delay",
	[OPERATOR_AVOID] = "Avoid",
	[OPERATOR_UNAVOID] = "Unavoid",
	[OPERATOR_CANCEL] = "Cancel",
	[OPERATOR_CLEAR] = "Clear",
};

const char *operator_verb_name(enum operator_verb verb)
{
	return verb_names[verb];
}

int operator_command_check(const struct operator_command *c, char *why, size_t why_size)
{
	size_t max = c->verb == OPERATOR_PRESET ? PRESETS_MAX : c->verb == OPERATOR_FILL ? 1 : 0;

	if (c->n_times > max) {
		snprintf(why, why_size, "%zu times, at most %zu", c->n_times, max);
		return -EINVAL;
	}
	if (c->verb == OPERATOR_PRESET) {
		if (c->preset_mode == OPERATOR_PRESET_CLEAR && c->n_times) {
			snprintf(why, why_size, "clearing the presets takes no times");
			return -EINVAL;
		}
		if (c->preset_mode != OPERATOR_PRESET_CLEAR && !c->n_times) {
			snprintf(why, why_size, "no time given (HH:MM, or clear)");
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < c->n_times; i++) {
		const char *what;
		uint16_t minute;

		if (schedule_parse_clock_time(c->times[i], &minute, &what) < 0) {
			snprintf(why, why_size, "time \"%s\": %s", c->times[i], what);
			return -EINVAL;
		}
	}
	if (c->verb == OPERATOR_DELAY && (c->minutes < 1 || c->minutes > 1440)) {
		snprintf(why, why_size, "a delay is 1 to 1440 minutes");
		return -EINVAL;
	}
	return 0;
}

int operator_targets_check(const struct station_model *m, const char *targets,
			   size_t *n_detectors, bool *needs_confirmation, char *why,
			   size_t why_size)
{
	struct target_set set = {};
	struct station *s = model_station(m);
	int r;

	if (!s)
		return -ENOMEM;
	r = targets_parse(s, targets, &set, why, why_size);
	station_free(s);
	if (r < 0)
		return r;
	*n_detectors = set.n_detectors;
	*needs_confirmation = set.needs_confirmation;
	target_set_done(&set);
	return 0;
}

int operator_command_message(sd_bus *bus, const struct operator_command *c, bool interactive,
			     sd_bus_message **ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, MODEL_BUS_NAME, AUTOFILL_PATH,
					   AUTOFILL_INTERFACE, methods[c->verb]);
	if (r >= 0)
		r = sd_bus_message_set_allow_interactive_authorization(m, interactive);
	if (r >= 0)
		r = sd_bus_message_append(m, "s", c->targets);
	if (r < 0)
		return r;
	switch (c->verb) {
	case OPERATOR_PRESET:
		r = sd_bus_message_open_container(m, 'a', "s");
		for (size_t i = 0; r >= 0 && i < c->n_times; i++)
			r = sd_bus_message_append(m, "s", c->times[i]);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
		if (r >= 0)
			r = sd_bus_message_append(m, "s",
						  c->preset_mode == OPERATOR_PRESET_ADD ? "add" :
						  c->preset_mode == OPERATOR_PRESET_CLEAR ? "clear" :
						  "replace");
		break;
	case OPERATOR_FILL:
		r = sd_bus_message_append(m, "s", c->n_times ? c->times[0] : "");
		break;
	case OPERATOR_DELAY:
		r = sd_bus_message_append(m, "u", c->minutes);
		break;
	default:
		break;
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(m);
	return 0;
}
