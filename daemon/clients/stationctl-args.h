/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stationctl's command line: options, verbs and their argument counts,
 * and the checks of arguments that need no bus (numbers, Cryostream
 * commands), as pure functions the unit tests call.
 */
#ifndef STATIOND_CLIENTS_STATIONCTL_ARGS_H
#define STATIOND_CLIENTS_STATIONCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "daemon/clients/operator-command.h"

enum json_mode { JSON_OFF, JSON_SHORT, JSON_PRETTY };

struct stationctl {
	sd_bus *bus;
	bool legend;		/* --no-legend clears */
	bool pager;		/* --no-pager clears */
	bool ask_password;	/* --no-ask-password clears */
	bool yes;		/* --yes: no YES/NO question */
	bool no_block;		/* --no-block: a CCD run returns once started */
	enum json_mode json;
	enum operator_preset_mode preset_mode;
	pid_t pager_pid;
};

struct verb {
	const char *name;
	int min_args, max_args;	/* after the verb */
	int (*run)(struct stationctl *c, int argc, char **argv);	/* argv[0]: the verb */
};

/*
 * Parse options and find the verb (options may come before or after it,
 * as getopt permutes). Returns 1 with *verb and argv[*first] the verb; 0
 * when --help or --version printed what they print; -EINVAL with why
 * naming the bad part.
 */
int stationctl_parse_args(int argc, char **argv, const struct verb *verbs, struct stationctl *c,
			  const struct verb **verb, int *first, char *why, size_t why_size);

/* "7" -> 7: digits only, 1..99999. */
int parse_detector_number(const char *text, uint32_t *ret);
/* DELAY's minutes: digits only, 1..1440; why names the fault. */
int parse_minutes(const char *text, uint32_t *ret, char *why, size_t why_size);

/* The Cryostream commands: verb, D-Bus method, arguments. */
struct cryostream_command {
	const char *verb;	/* "cool" */
	const char *method;	/* "Cool" */
	const char *signature;	/* "d" */
	const char *usage;	/* "TARGET_K" */
};
const struct cryostream_command *cryostream_command_find(const char *verb);
const char *cryostream_command_names(void);
/* Append the command's arguments, parsed from text; -EINVAL with why. */
int cryostream_command_append(const struct cryostream_command *cmd, sd_bus_message *m, int argc,
			      char **argv, char *why, size_t why_size);

/* The pager (less) on a terminal, as systemctl: stdout goes through it. */
void pager_open(struct stationctl *c);
void pager_close(struct stationctl *c);

#endif
