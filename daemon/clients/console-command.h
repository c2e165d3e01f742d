/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The autofill console's command language (the seed's section 4): one
 * command per line, "<COMMAND> {arg1} ... {arg6}", words separated by
 * blanks, in any case; a command may be abbreviated to any prefix that
 * names one command of the current mode ("F" is FILL, "CA" CANCEL, "C"
 * alone is ambiguous). Pure functions, for the unit tests.
 */
#ifndef STATIOND_CLIENTS_CONSOLE_COMMAND_H
#define STATIOND_CLIENTS_CONSOLE_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/clients/operator-command.h"

#define CONSOLE_LINE_MAX 256
#define CONSOLE_ARGS_MAX 6	/* PRESET targets ADD t1 t2 t3 t4 */

enum console_verb {
	/* The autofill's privileged commands, in operator_verb's order. */
	CONSOLE_PRESET,
	CONSOLE_FILL,
	CONSOLE_DELAY,
	CONSOLE_AVOID,
	CONSOLE_UNAVOID,
	CONSOLE_CANCEL,
	CONSOLE_CLEAR,
	/* Everyone's. */
	CONSOLE_SHOW,
	CONSOLE_HELP,
	CONSOLE_ADMIN,
	CONSOLE_NORMAL,
	CONSOLE_QUIT,
	/* ADMIN mode only. */
	CONSOLE_SCAN,
	CONSOLE_CARDS,
	CONSOLE_TEST,
	CONSOLE_CONVERT,
	CONSOLE_SPARE,
	CONSOLE_CONNECTIONS,
	_CONSOLE_VERB_MAX,
};

struct console_verb_info {
	const char *name;		/* "PRESET" */
	const char *usage;		/* "TARGETS [ADD|CLEAR] [HH:MM]..." */
	const char *summary;		/* one line for HELP */
	int min_args, max_args;
	bool privileged;		/* an intervention: refused when view-only */
	bool admin;			/* ADMIN mode only */
};

const struct console_verb_info *console_verb_info(enum console_verb verb);

/* The shortest abbreviation of verb in a mode ("CA" for CANCEL). */
size_t console_verb_abbreviation(enum console_verb verb, bool admin_mode);

/* The verb a word names, exactly or abbreviated; -EINVAL with why (not
 * a command, ambiguous, an ADMIN command outside ADMIN mode). */
int console_verb_lookup(const char *word, bool admin_mode, enum console_verb *ret, char *why,
			size_t why_size);

struct console_command {
	enum console_verb verb;
	char *args[CONSOLE_ARGS_MAX];	/* into buf */
	size_t n_args;
	char buf[CONSOLE_LINE_MAX];
};

/*
 * Split and look up a line. Returns 1 with *ret filled, 0 for a blank
 * line, -EINVAL with why for a person ("\"C\" is ambiguous: CANCEL or
 * CLEAR", "FILL takes 1 or 2 arguments: TARGETS [HH:MM]", "SCAN is an
 * ADMIN command (type ADMIN first)").
 */
int console_command_parse(const char *line, bool admin_mode, struct console_command *ret,
			  char *why, size_t why_size);

/* A privileged command as the autofill's operator command (its words
 * point into c): PRESET TARGETS [ADD|CLEAR] [HH:MM]..., FILL TARGETS
 * [HH:MM], DELAY TARGETS MINUTES, the others TARGETS. -EINVAL with why. */
int console_operator_command(const struct console_command *c, struct operator_command *ret,
			     char *why, size_t why_size);

#endif
