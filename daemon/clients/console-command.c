// SPDX-License-Identifier: GPL-2.0
/* The autofill console's command language (see console-command.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon/clients/console-command.h"
#include "daemon/clients/stationctl-args.h"
#include "daemon/shared/macro.h"

static const struct console_verb_info verbs[_CONSOLE_VERB_MAX] = {
	[CONSOLE_PRESET] = { "PRESET", "TARGETS [ADD|CLEAR] [HH:MM]...",
			     "Set up to 4 daily fill times (replace, ADD to them, CLEAR them)",
			     1, 6, true, false },
	[CONSOLE_FILL] = { "FILL", "TARGETS [HH:MM]", "Fill now, or at a time of day", 1, 2,
			   true, false },
	[CONSOLE_DELAY] = { "DELAY", "TARGETS MINUTES", "Postpone the next fill (1-1440 minutes)",
			    2, 2, true, false },
	[CONSOLE_AVOID] = { "AVOID", "TARGETS", "Stop filling the targets, no alarms for them",
			    1, 1, true, false },
	[CONSOLE_UNAVOID] = { "UNAVOID", "TARGETS",
			      "Fill them again (also after a bias shutdown)", 1, 1, true, false },
	[CONSOLE_CANCEL] = { "CANCEL", "TARGETS", "Stop running fills, cancel delayed ones",
			     1, 1, true, false },
	[CONSOLE_CLEAR] = { "CLEAR", "TARGETS", "Clear errors and warnings, silence the alarm",
			    1, 1, true, false },
	[CONSOLE_SHOW] = { "SHOW", "[MANIFOLD|DETECTOR]",
			   "Show all manifolds, one manifold or one detector", 0, 1, false, false },
	[CONSOLE_HELP] = { "HELP", "[COMMAND|TOPIC]", "Help on a command or a topic", 0, 1,
			   false, false },
	[CONSOLE_ADMIN] = { "ADMIN", "", "Switch to ADMIN mode (tests, cards, wiring)", 0, 0,
			    false, false },
	[CONSOLE_NORMAL] = { "NORMAL", "", "Back to normal autofill mode", 0, 0, false, false },
	[CONSOLE_QUIT] = { "QUIT", "", "Leave the console", 0, 0, false, false },
	[CONSOLE_SCAN] = { "SCAN", "[CRATE]", "Probe the 64 slots of the crates for cards", 0, 1,
			   false, true },
	[CONSOLE_CARDS] = { "CARDS", "", "The cards, their tests, LEDs and errors", 0, 0, false,
			    true },
	[CONSOLE_TEST] = { "TEST", "CARD", "Run a card's power-on test again", 1, 1, true, true },
	[CONSOLE_CONVERT] = { "CONVERT", "CARD CHANNEL",
			      "One conversion of an ADC channel", 2, 2, true, true },
	[CONSOLE_SPARE] = { "SPARE", "[CARD]", "The spare lines of the cards", 0, 1, false, true },
	[CONSOLE_CONNECTIONS] = { "CONNECTIONS", "DETECTOR|MANIFOLD|CARD",
				  "How a detector, manifold or card is wired", 1, 1, false, true },
};

const struct console_verb_info *console_verb_info(enum console_verb verb)
{
	return &verbs[verb];
}

static bool available(enum console_verb verb, bool admin_mode)
{
	return admin_mode || !verbs[verb].admin;
}

static bool is_prefix(const char *word, size_t len, const char *name)
{
	return len <= strlen(name) && strncasecmp(word, name, len) == 0;
}

size_t console_verb_abbreviation(enum console_verb verb, bool admin_mode)
{
	const char *name = verbs[verb].name;

	for (size_t len = 1; len < strlen(name); len++) {
		bool unique = true;

		for (int v = 0; v < _CONSOLE_VERB_MAX && unique; v++)
			if (v != (int)verb && available(v, admin_mode) &&
			    is_prefix(name, len, verbs[v].name))
				unique = false;
		if (unique)
			return len;
	}
	return strlen(name);
}

int console_verb_lookup(const char *word, bool admin_mode, enum console_verb *ret, char *why,
			size_t why_size)
{
	size_t len = strlen(word), n = 0;
	char names[128] = "";
	int found = -1;

	if (strcmp(word, "?") == 0) {
		*ret = CONSOLE_HELP;
		return 0;
	}
	for (int v = 0; v < _CONSOLE_VERB_MAX; v++)
		if (strcasecmp(word, verbs[v].name) == 0) {
			found = v;
			n = 1;
			break;
		}
	for (int v = 0; found < 0 && v < _CONSOLE_VERB_MAX; v++) {
		if (!available(v, admin_mode) || !is_prefix(word, len, verbs[v].name))
			continue;
		size_t used = strlen(names);

		snprintf(names + used, sizeof(names) - used, "%s%s", n ? " or " : "",
			 verbs[v].name);
		n++;
		if (n == 1)
			*ret = v;
	}
	if (found >= 0) {
		if (!available(found, admin_mode)) {
			snprintf(why, why_size, "%s is an ADMIN command (type ADMIN first)",
				 verbs[found].name);
			return -EINVAL;
		}
		*ret = found;
		return 0;
	}
	if (n == 1)
		return 0;
	if (n == 0)
		snprintf(why, why_size, "\"%s\" is not a command (type HELP)", word);
	else
		snprintf(why, why_size, "\"%s\" is ambiguous: %s", word, names);
	return -EINVAL;
}

int console_command_parse(const char *line, bool admin_mode, struct console_command *ret,
			  char *why, size_t why_size)
{
	const struct console_verb_info *info;
	char *word, *save = NULL, *verb_word;
	int r;

	*ret = (struct console_command){};
	if (strlen(line) >= sizeof(ret->buf)) {
		snprintf(why, why_size, "the line is too long (at most %zu characters)",
			 sizeof(ret->buf) - 1);
		return -EINVAL;
	}
	snprintf(ret->buf, sizeof(ret->buf), "%s", line);
	verb_word = strtok_r(ret->buf, " \t", &save);
	if (!verb_word)
		return 0;
	r = console_verb_lookup(verb_word, admin_mode, &ret->verb, why, why_size);
	if (r < 0)
		return r;
	info = &verbs[ret->verb];
	while ((word = strtok_r(NULL, " \t", &save))) {
		if (ret->n_args == CONSOLE_ARGS_MAX) {
			snprintf(why, why_size, "%s takes at most %d arguments: %s %s", info->name,
				 info->max_args, info->name, info->usage);
			return -EINVAL;
		}
		ret->args[ret->n_args++] = word;
	}
	if ((int)ret->n_args < info->min_args || (int)ret->n_args > info->max_args) {
		if (info->max_args == 0)
			snprintf(why, why_size, "%s takes no arguments", info->name);
		else if (info->min_args == info->max_args)
			snprintf(why, why_size, "%s takes %d argument%s: %s %s", info->name,
				 info->min_args, info->min_args == 1 ? "" : "s", info->name,
				 info->usage);
		else
			snprintf(why, why_size, "%s takes %d to %d arguments: %s %s", info->name,
				 info->min_args, info->max_args, info->name, info->usage);
		return -EINVAL;
	}
	return 1;
}

int console_operator_command(const struct console_command *c, struct operator_command *ret,
			     char *why, size_t why_size)
{
	size_t first_time = 1;

	if (c->verb > CONSOLE_CLEAR || c->n_args < 1) {
		snprintf(why, why_size, "not an autofill command");
		return -EINVAL;
	}
	*ret = (struct operator_command){
		.verb = (enum operator_verb)c->verb,	/* the same order */
		.targets = c->args[0],
	};
	switch (c->verb) {
	case CONSOLE_PRESET:
		if (c->n_args > 1 && strcasecmp(c->args[1], "ADD") == 0) {
			ret->preset_mode = OPERATOR_PRESET_ADD;
			first_time = 2;
		} else if (c->n_args > 1 && strcasecmp(c->args[1], "CLEAR") == 0) {
			ret->preset_mode = OPERATOR_PRESET_CLEAR;
			first_time = 2;
		}
		ret->times = c->args + first_time;
		ret->n_times = c->n_args - first_time;
		break;
	case CONSOLE_FILL:
		ret->times = c->args + 1;
		ret->n_times = c->n_args - 1;
		break;
	case CONSOLE_DELAY:
		if (parse_minutes(c->args[1], &ret->minutes, why, why_size) < 0) {
			char detail[128];

			snprintf(detail, sizeof(detail), "%s", why);
			snprintf(why, why_size, "minutes \"%s\": %s", c->args[1], detail);
			return -EINVAL;
		}
		break;
	default:
		break;
	}
	return operator_command_check(ret, why, why_size);
}
