// SPDX-License-Identifier: GPL-2.0
/*
 * Names (and alarm levels) of the Cryostream 800 enumerations, exactly as
 * the vendor's Cryostream.xml spells them, except where the spec keeps the
 * EPICS support's name (the short run-mode names, phase 9 Soak).
 */
#include "daemon/cryo/cs800-enums.h"

#include <errno.h>

#include "daemon/shared/macro.h"

static const char *const run_mode_names[] = {
	[CS800_RUN_MODE_STARTUP] = "Startup",
	[CS800_RUN_MODE_STARTUP_FAIL] = "Startup Fail",
	[CS800_RUN_MODE_STARTUP_OK] = "Startup OK",
	[CS800_RUN_MODE_RUN] = "Run",
	[CS800_RUN_MODE_SETUP] = "Setup",
	[CS800_RUN_MODE_SHUTDOWN_OK] = "Shutdown OK",
	[CS800_RUN_MODE_SHUTDOWN_FAIL] = "Shutdown Fail",
};

static const char *const run_mode_descriptions[] = {
	[CS800_RUN_MODE_STARTUP] = "Initialising",
	[CS800_RUN_MODE_STARTUP_FAIL] = "Initialisation failed",
	[CS800_RUN_MODE_STARTUP_OK] = "Ready",
	[CS800_RUN_MODE_RUN] = "Running",
	[CS800_RUN_MODE_SETUP] = "Set up mode",
	[CS800_RUN_MODE_SHUTDOWN_OK] = "Shut down without error",
	[CS800_RUN_MODE_SHUTDOWN_FAIL] = "Shut down with error",
};

static const char *const phase_names[] = {
	[CS800_PHASE_RAMP] = "Ramp",
	[CS800_PHASE_COOL] = "Cool",
	[CS800_PHASE_PLAT] = "Plat",
	[CS800_PHASE_HOLD] = "Hold",
	[CS800_PHASE_END] = "End",
	[CS800_PHASE_PURGE] = "Purge",
	[CS800_PHASE_ERASE] = "Erase",
	[CS800_PHASE_LOAD] = "Load",
	[CS800_PHASE_SAVE] = "Save",
	/* The vendor's file says Purge, EPICS and ESRF's driver say Soak;
	 * the spec keeps Soak, which tells it apart from phase 5, and the
	 * interface description names both. */
	[CS800_PHASE_SOAK] = "Soak",
	[CS800_PHASE_WAIT] = "Wait",
	[CS800_PHASE_REGEN] = "Regen",
	[CS800_PHASE_REGEN_2] = "Regen",
};

struct alarm_info {
	const char *name;
	enum cs800_alarm_level level;
};

#define I CS800_ALARM_LEVEL_INFORMATION
#define W CS800_ALARM_LEVEL_WARNING
#define E CS800_ALARM_LEVEL_ERROR
#define F CS800_ALARM_LEVEL_FATAL

/* 30 and 31 really are the same text, at two levels. */
static const struct alarm_info alarms[] = {
	{ "No errors or warnings", CS800_ALARM_LEVEL_NONE },
	{ "Stop pressed", I }, { "Stop command", I }, { "End complete", I },
	{ "Purge complete", I }, { "Temp warning", W }, { "Pressure warning", W },
	{ "Check vacuum", W }, { "Self-check fail", F }, { "Low flow rate", F },
	{ "Temp control error", F }, { "Gas type error", F },
	{ "Temp reading error", F }, { "Suct temp error", F }, { "Sensor fail", F },
	{ "Brownout", E }, { "Sink overheat", F }, { "PSU overheat", F },
	{ "Power loss", F }, { "Coldhead too cold", F }, { "Coldhead time out", F },
	{ "Cryodrive not found", W }, { "Cryodrive error", F }, { "No nitrogen", F },
	{ "No helium", F }, { "Vac gauge fail", W }, { "Vac reading error", W },
	{ "RS232 error", W }, { "Coldhead temp warning", W },
	{ "Coldhead temp error", F }, { "Do not open cryostat", W },
	{ "Do not open cryostat", E }, { "Disconnect sample sensor", W },
	{ "Cryostat open", W }, { "Cryostat open timeout", F },
	{ "High temp warning", W }, { "High temp error", F },
	{ "Cryodrive T sensor fault", E }, { "Cryodrive P sensor fault", E },
	{ "Cryodrive low T trip", E }, { "Cryodrive high T trip", E },
	{ "Cryodrive low P trip", E }, { "Cryodrive high T warning", W },
	{ "Cryodrive low P warning", W }, { "Connect gas supply", W },
	{ "Autofill fault", E }, { "Autofill about to fill", I },
	{ "Autofill filling", W }, { "Collar temp error", F }, { "Coldhead error", F },
	{ "Turbo flow", I }, { "He selected", I }, { "Cryodrive not ready", W },
	{ "Regen required", W }, { "Regen complete", I }, { "Connect vacuum", W },
	{ "Disconnect vacuum", W }, { "Connect sample sensor", W },
	{ "Relay board error", F }, { "Dry air maintenance", I },
	{ "Service required", W }, { "Low shield flow", W }, { "Shield on", I },
};

#undef I
#undef W
#undef E
#undef F

static const char *const alarm_level_names[] = {
	[CS800_ALARM_LEVEL_NONE] = "none",
	[CS800_ALARM_LEVEL_INFORMATION] = "information",
	[CS800_ALARM_LEVEL_WARNING] = "warning",
	[CS800_ALARM_LEVEL_ERROR] = "error",
	[CS800_ALARM_LEVEL_FATAL] = "fatal",
};

static const char *const autofill_mode_names[] = {
	[CS800_AUTOFILL_MANUAL] = "manual",
	[CS800_AUTOFILL_AUTO] = "auto",
	[CS800_AUTOFILL_SCHEDULED] = "scheduled",
};

static const char *const idle_shield_mode_names[] = {
	[CS800_IDLE_SHIELD_OFF] = "off",
	[CS800_IDLE_SHIELD_ON] = "on",
	[CS800_IDLE_SHIELD_AUTO] = "auto",
};

_Static_assert(ELEMENTSOF(run_mode_names) == _CS800_RUN_MODE_MAX, "run modes");
_Static_assert(ELEMENTSOF(run_mode_descriptions) == _CS800_RUN_MODE_MAX, "run modes");
_Static_assert(ELEMENTSOF(phase_names) == _CS800_PHASE_MAX, "phases");
_Static_assert(ELEMENTSOF(alarms) == _CS800_ALARM_MAX, "alarms");
_Static_assert(ELEMENTSOF(alarm_level_names) == _CS800_ALARM_LEVEL_MAX, "alarm levels");
_Static_assert(ELEMENTSOF(autofill_mode_names) == _CS800_AUTOFILL_MODE_MAX, "autofill");
_Static_assert(ELEMENTSOF(idle_shield_mode_names) == _CS800_IDLE_SHIELD_MODE_MAX, "shield");

#define NAME_OF(table, value) ((value) < ELEMENTSOF(table) ? (table)[value] : NULL)

const char *cs800_run_mode_to_string(unsigned int run_mode)
{
	return NAME_OF(run_mode_names, run_mode);
}

const char *cs800_run_mode_description(unsigned int run_mode)
{
	return NAME_OF(run_mode_descriptions, run_mode);
}

const char *cs800_phase_to_string(unsigned int phase)
{
	return NAME_OF(phase_names, phase);
}

const char *cs800_alarm_to_string(unsigned int alarm)
{
	return alarm < ELEMENTSOF(alarms) ? alarms[alarm].name : NULL;
}

int cs800_alarm_level(unsigned int alarm)
{
	return alarm < ELEMENTSOF(alarms) ? (int)alarms[alarm].level : -ENOENT;
}

const char *cs800_alarm_level_to_string(unsigned int level)
{
	return NAME_OF(alarm_level_names, level);
}

const char *cs800_autofill_mode_to_string(unsigned int mode)
{
	return NAME_OF(autofill_mode_names, mode);
}

const char *cs800_idle_shield_mode_to_string(unsigned int mode)
{
	return NAME_OF(idle_shield_mode_names, mode);
}
