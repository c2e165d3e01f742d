/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stationctl's exit codes, those of the LSB for init scripts as systemctl
 * uses them, and the mapping of a failed call onto them.
 */
#ifndef STATIOND_CLIENTS_EXIT_STATUS_H
#define STATIOND_CLIENTS_EXIT_STATUS_H

#include <systemd/sd-bus.h>

enum exit_status {
	EXIT_STATUS_OK = 0,
	EXIT_STATUS_FAILURE = 1,		/* refused by the daemon, or failed */
	EXIT_STATUS_INVALID_ARGUMENT = 2,	/* bad or missing arguments */
	EXIT_STATUS_NOT_IMPLEMENTED = 3,	/* `status`: stationd is not running */
	EXIT_STATUS_NO_PERMISSION = 4,		/* polkit or the operator group said no */
	EXIT_STATUS_NOT_INSTALLED = 5,		/* no such detector, card, Cryostream */
	EXIT_STATUS_NOT_RUNNING = 7,		/* stationd is not on the bus */
};

/* The exit status for a call that failed with error (or errno r). */
enum exit_status exit_status_of_error(const sd_bus_error *error, int r);

#endif
