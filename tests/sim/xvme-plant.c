// SPDX-License-Identifier: GPL-2.0
/*
 * xvme-plant: drive the simulated xvme crate's plant interface from a
 * shell: set ADC inputs and TTL levels, pulse interrupt inputs, read
 * relays and flags, inject faults. See xvme-plant(1).
 */
#include <stdio.h>

#include "tests/sim/plant-cli.h"

int main(int argc, char *argv[])
{
	struct plant_cli_command cmd;

	if (plant_cli_parse(argc, argv, &cmd, stderr) < 0)
		return PLANT_CLI_EXIT_USAGE;
	return plant_cli_run(&cmd, stdout, stderr);
}
