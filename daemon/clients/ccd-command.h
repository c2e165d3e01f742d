/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `stationctl ccd NAME ACTION ...`: the seed's SCCD client programs
 * (sccd-server-utilitynet-design.txt §5 and §8: SETUP, SETTINGS, RUN and
 * its aliases, RUNKICK, SHUTTER, the RTC synchronisation, RESET) as one
 * verb on org.stationd1.Ccd. Parsing is pure, for the unit tests: an
 * action's arguments become the D-Bus call it makes, and a bad argument
 * is named before anything is sent.
 */
#ifndef STATIOND_CLIENTS_CCD_COMMAND_H
#define STATIOND_CLIENTS_CCD_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "daemon/clients/station-model.h"

#define CCD_INTERFACE "org.stationd1.Ccd"
#define CCD_TITLE_MAX 68		/* the FITS OBJECT card's value */
#define CCD_EXPOSURE_MAX_MS (UINT32_C(86400) * 1000)
#define CCD_PREFLASH_MAX_MS (UINT32_C(3600) * 1000)

enum ccd_action {
	CCD_ACTION_STATUS,	/* print the CCD, call nothing */
	CCD_ACTION_SETTINGS,	/* print its settings, call nothing */
	CCD_ACTION_CALL,	/* one method call */
	CCD_ACTION_RUN,		/* SetExposureTime (if given), then StartRun */
};

struct ccd_request {
	enum ccd_action action;
	const char *method;		/* CCD_ACTION_CALL's method */
	char signature[24];		/* its arguments' signature: "", "s", "u", format */
	const char *text;		/* "s": profile, speed or shutter move */
	uint32_t ms;			/* "u": milliseconds; CCD_ACTION_RUN: the exposure */
	bool has_exposure;		/* CCD_ACTION_RUN: set ms first (not BIAS) */
	struct model_ccd_format format;	/* SetFormat's */
	const char *run_type;		/* CCD_ACTION_RUN: "RUN", "ARC", "BIAS", ... */
	const char *title;		/* CCD_ACTION_RUN: "" the type */
	bool confirm;			/* Reset: asked YES/NO, as the seed's client does */
};

/*
 * argv[0] is the action (status, setup, settings, run, glance, scratch,
 * bias, dark, runkick, shutter, sync-rtc, reset), the rest its arguments.
 * current: the CCD's Format, which settings bin/window change (NULL:
 * the format settings are refused). -EINVAL with why naming the bad part.
 */
int ccd_request_parse(const struct model_ccd_format *current, int argc, char **argv,
		      struct ccd_request *ret, char *why, size_t why_size);

/* Append the call's arguments (CCD_ACTION_CALL). */
int ccd_request_append(const struct ccd_request *req, sd_bus_message *m);

/* "N", "N.N", up to 3 decimals, as the seed's exposure times: seconds
 * to ms, at most max_ms; why names the fault. */
int parse_seconds_ms(const char *text, uint32_t max_ms, uint32_t *ret, char *why,
		     size_t why_size);

/* For --help: "status, setup, settings, ...". */
const char *ccd_action_names(void);

#endif
