/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvme-plant's command line, split from main() so the unit tests can
 * check the parsing and run commands against a fake plant root.
 */
#ifndef STATIOND_TESTS_SIM_PLANT_CLI_H
#define STATIOND_TESTS_SIM_PLANT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tests/sim/plant.h"

/* Exit codes: the command ran, it failed, or it was not understood. */
#define PLANT_CLI_EXIT_OK	0
#define PLANT_CLI_EXIT_FAILED	1
#define PLANT_CLI_EXIT_USAGE	2

enum plant_cli_verb {
	PLANT_CLI_HELP,
	PLANT_CLI_LIST,
	PLANT_CLI_AIN,
	PLANT_CLI_AIN_SET,
	PLANT_CLI_AIN_SET_ALL,
	PLANT_CLI_RANGE,
	PLANT_CLI_RELAYS,
	PLANT_CLI_PORTS,
	PLANT_CLI_IRQ_INPUTS,
	PLANT_CLI_PULSE,
	PLANT_CLI_FLAGS,
	PLANT_CLI_FAULT,
	_PLANT_CLI_VERB_MAX,
};

struct plant_cli_command {
	const char *root;	/* --root, or NULL for the library default */
	const char *card;	/* NULL for help and list */
	enum plant_cli_verb verb;
	bool set;		/* range, ports, irq-inputs, fault: a value given */
	unsigned int channel;	/* ain-set */
	unsigned int bit;	/* pulse */
	int mv[PLANT_AIN_CHANNELS]; /* ain-set: mv[0]; ain-set-all: all */
	uint64_t value;		/* ports, irq-inputs */
	int name_value;		/* range: enum plant_range; fault: enum plant_fault */
};

/*
 * Parse argv. Returns 0, or -EINVAL after printing why to @err. Nothing
 * is opened or written: a command that parses is complete and in range.
 */
int plant_cli_parse(int argc, char *argv[], struct plant_cli_command *ret,
		    FILE *err);

/* Run a parsed command; returns one of the PLANT_CLI_EXIT_* codes. */
int plant_cli_run(const struct plant_cli_command *cmd, FILE *out, FILE *err);

void plant_cli_usage(FILE *out);

#endif
