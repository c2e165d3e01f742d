/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packaged runs (seed §4.7, §5.3, §7.8): their types, the controller's run
 * phases, which kick is legal in which phase, and how a run ends.
 *
 * Types are the seed's user commands. BIAS (exposure 0) and DARK use the
 * controller's DAR; RUN, ARC, FLAT, SKY, FLASH, GLANCE and SCRATCH use PIC.
 * SCRATCH and GLANCE do not consume a run number.
 *
 * Phases: 0 idle, 1 clearing, 2 preflash, 3 exposing, 4 paused,
 * 5 reading out, 6 complete, 7 aborted.
 *
 * Kicks: PAUSE while exposing; CONTINUE while paused; FINISH while
 * exposing or paused; ABORT in any active phase (1-5).
 */
#ifndef STATIOND_CCD_CCD_RUN_H
#define STATIOND_CCD_CCD_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ccd/ccd-mechanism.h"

enum ccd_run_type {
	CCD_RUN_RUN,
	CCD_RUN_ARC,
	CCD_RUN_FLAT,
	CCD_RUN_SKY,
	CCD_RUN_FLASH,
	CCD_RUN_BIAS,
	CCD_RUN_DARK,
	CCD_RUN_GLANCE,
	CCD_RUN_SCRATCH,
	_CCD_RUN_TYPE_MAX,
};

enum ccd_phase {
	CCD_PHASE_IDLE = 0,
	CCD_PHASE_CLEARING = 1,
	CCD_PHASE_PREFLASH = 2,
	CCD_PHASE_EXPOSING = 3,
	CCD_PHASE_PAUSED = 4,
	CCD_PHASE_READING_OUT = 5,
	CCD_PHASE_COMPLETE = 6,
	CCD_PHASE_ABORTED = 7,
	_CCD_PHASE_MAX,
};

enum ccd_kick {
	CCD_KICK_PAUSE,
	CCD_KICK_CONTINUE,
	CCD_KICK_FINISH,
	CCD_KICK_ABORT,
	_CCD_KICK_MAX,
};

/* How a run ended (RunEnded's result). */
enum ccd_run_result {
	CCD_RUN_COMPLETE,	/* read out: the FITS file has the pixels */
	CCD_RUN_ABORTED,	/* ABORT, or the controller aborted it */
	CCD_RUN_FAILED,		/* the controller reported an error */
	CCD_RUN_TIMED_OUT,	/* past exposure + pauses + READOUT_TIME */
	CCD_RUN_RESET,		/* the controller reset (INS) */
	CCD_RUN_LINK_LOST,	/* a message of the run was never acknowledged */
	_CCD_RUN_RESULT_MAX,
};

/* "RUN", ...; NULL out of range. */
const char *ccd_run_type_to_string(enum ccd_run_type t);
/* Case-insensitive; -EINVAL for an unknown type. */
int ccd_run_type_from_string(const char *name);
/* The controller mechanism that carries it: DAR or PIC. */
enum ccd_mechanism ccd_run_type_mechanism(enum ccd_run_type t);
/* Does it consume a run number? (Not SCRATCH and GLANCE.) */
bool ccd_run_type_numbered(enum ccd_run_type t);
/* Is its exposure always 0? (BIAS.) */
bool ccd_run_type_zero_exposure(enum ccd_run_type t);

/* "exposing", ...; "unknown" out of range. */
const char *ccd_phase_to_string(int64_t phase);
/* Phases 1-5: a run is under way. */
bool ccd_phase_active(int64_t phase);

const char *ccd_kick_to_string(enum ccd_kick k);	/* "pause", ... */
enum ccd_mechanism ccd_kick_mechanism(enum ccd_kick k);	/* PAU, CON, FIN, ABT */
/* May k be sent in phase? */
bool ccd_kick_legal(enum ccd_kick k, int64_t phase);
/* The phase that shows k took effect: paused, exposing (continue),
 * reading out or complete (finish), aborted. */
bool ccd_kick_effective(enum ccd_kick k, int64_t phase);

const char *ccd_run_result_to_string(enum ccd_run_result r);	/* "complete", ... */

#endif
