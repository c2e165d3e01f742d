// SPDX-License-Identifier: GPL-2.0
/*
 * Packaged run types, phases and kicks (see ccd-run.h).
 */
#include "daemon/ccd/ccd-run.h"

#include <errno.h>
#include <strings.h>

static const char *const type_names[_CCD_RUN_TYPE_MAX] = {
	[CCD_RUN_RUN] = "RUN", [CCD_RUN_ARC] = "ARC", [CCD_RUN_FLAT] = "FLAT",
	[CCD_RUN_SKY] = "SKY", [CCD_RUN_FLASH] = "FLASH", [CCD_RUN_BIAS] = "BIAS",
	[CCD_RUN_DARK] = "DARK", [CCD_RUN_GLANCE] = "GLANCE", [CCD_RUN_SCRATCH] = "SCRATCH",
};

static const char *const phase_names[_CCD_PHASE_MAX] = {
	[CCD_PHASE_IDLE] = "idle", [CCD_PHASE_CLEARING] = "clearing",
	[CCD_PHASE_PREFLASH] = "preflash", [CCD_PHASE_EXPOSING] = "exposing",
	[CCD_PHASE_PAUSED] = "paused", [CCD_PHASE_READING_OUT] = "reading-out",
	[CCD_PHASE_COMPLETE] = "complete", [CCD_PHASE_ABORTED] = "aborted",
};

static const char *const kick_names[_CCD_KICK_MAX] = {
	[CCD_KICK_PAUSE] = "pause", [CCD_KICK_CONTINUE] = "continue",
	[CCD_KICK_FINISH] = "finish", [CCD_KICK_ABORT] = "abort",
};

static const char *const result_names[_CCD_RUN_RESULT_MAX] = {
	[CCD_RUN_COMPLETE] = "complete", [CCD_RUN_ABORTED] = "aborted",
	[CCD_RUN_FAILED] = "failed", [CCD_RUN_TIMED_OUT] = "timed-out",
	[CCD_RUN_RESET] = "controller-reset", [CCD_RUN_LINK_LOST] = "link-timeout",
};

const char *ccd_run_type_to_string(enum ccd_run_type t)
{
	return (unsigned)t < _CCD_RUN_TYPE_MAX ? type_names[t] : NULL;
}

int ccd_run_type_from_string(const char *name)
{
	for (int t = 0; t < _CCD_RUN_TYPE_MAX; t++)
		if (strcasecmp(type_names[t], name) == 0)
			return t;
	return -EINVAL;
}

enum ccd_mechanism ccd_run_type_mechanism(enum ccd_run_type t)
{
	return t == CCD_RUN_BIAS || t == CCD_RUN_DARK ? CCD_MECH_DAR : CCD_MECH_PIC;
}

bool ccd_run_type_numbered(enum ccd_run_type t)
{
	return t != CCD_RUN_SCRATCH && t != CCD_RUN_GLANCE;
}

bool ccd_run_type_zero_exposure(enum ccd_run_type t)
{
	return t == CCD_RUN_BIAS;
}

const char *ccd_phase_to_string(int64_t phase)
{
	return phase >= 0 && phase < _CCD_PHASE_MAX ? phase_names[phase] : "unknown";
}

bool ccd_phase_active(int64_t phase)
{
	return phase >= CCD_PHASE_CLEARING && phase <= CCD_PHASE_READING_OUT;
}

const char *ccd_kick_to_string(enum ccd_kick k)
{
	return (unsigned)k < _CCD_KICK_MAX ? kick_names[k] : "unknown";
}

enum ccd_mechanism ccd_kick_mechanism(enum ccd_kick k)
{
	switch (k) {
	case CCD_KICK_PAUSE:
		return CCD_MECH_PAU;
	case CCD_KICK_CONTINUE:
		return CCD_MECH_CON;
	case CCD_KICK_FINISH:
		return CCD_MECH_FIN;
	case CCD_KICK_ABORT:
	default:
		return CCD_MECH_ABT;
	}
}

bool ccd_kick_legal(enum ccd_kick k, int64_t phase)
{
	switch (k) {
	case CCD_KICK_PAUSE:
		return phase == CCD_PHASE_EXPOSING;
	case CCD_KICK_CONTINUE:
		return phase == CCD_PHASE_PAUSED;
	case CCD_KICK_FINISH:
		return phase == CCD_PHASE_EXPOSING || phase == CCD_PHASE_PAUSED;
	case CCD_KICK_ABORT:
		return ccd_phase_active(phase);
	default:
		return false;
	}
}

bool ccd_kick_effective(enum ccd_kick k, int64_t phase)
{
	switch (k) {
	case CCD_KICK_PAUSE:
		return phase == CCD_PHASE_PAUSED;
	case CCD_KICK_CONTINUE:
		return phase == CCD_PHASE_EXPOSING || phase == CCD_PHASE_READING_OUT ||
		       phase == CCD_PHASE_COMPLETE;
	case CCD_KICK_FINISH:
		return phase == CCD_PHASE_READING_OUT || phase == CCD_PHASE_COMPLETE;
	case CCD_KICK_ABORT:
		return phase == CCD_PHASE_ABORTED;
	default:
		return false;
	}
}

const char *ccd_run_result_to_string(enum ccd_run_result r)
{
	return (unsigned)r < _CCD_RUN_RESULT_MAX ? result_names[r] : "unknown";
}
