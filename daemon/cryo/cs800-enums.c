// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the Cryostream 800 enumerations, exactly as the spec (and the
 * controller's own display) spells them.
 */
#include "daemon/cryo/cs800-enums.h"

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

static const char *const phase_names[] = {
	[CS800_PHASE_RAMP] = "Ramp",
	[CS800_PHASE_COOL] = "Cool",
	[CS800_PHASE_PLAT] = "Plat",
	[CS800_PHASE_HOLD] = "Hold",
	[CS800_PHASE_END] = "End",
	[CS800_PHASE_PURGE] = "Purge",
	[CS800_PHASE_DELETE_PHASE] = "Delete Phase",
	[CS800_PHASE_LOAD_PROGRAM] = "Load Program",
	[CS800_PHASE_SAVE_PROGRAM] = "Save Program",
	[CS800_PHASE_SOAK] = "Soak",
	[CS800_PHASE_WAIT] = "Wait",
};

/* 30 and 31 really are the same text on the controller. */
static const char *const alarm_names[] = {
	"No error", "Stop Pressed", "Stop Command", "End Complete",
	"Purge Complete", "Temp Warning", "Pressure Warning", "Check Vacuum",
	"Self-check Fail", "Flow Rate Fail", "Temp Control Error",
	"Gas Type Error", "Temp Reading Error", "Suct Temp Error",
	"Sensor Fail", "Brownout", "Sink Overheat", "PSU Overheat",
	"Power Loss", "Coldhead Too Cold", "Coldhead Timeout",
	"Cryodrive Not Found", "Cryodrive Error", "No Nitrogen", "No Helium",
	"Vac Gauge Fail", "Vac Reading Error", "RS232 Error",
	"Coldhead Temp Warning", "Coldhead Temp Error",
	"Do Not Open Cryostat", "Do Not Open Cryostat", "Unplug Xtal Sensor",
	"Cryostat Open", "High Temp Warning", "High Temp Error",
	"Cryodrive T Sensor Fault", "Cryodrive P Sensor Fault",
	"Cryodrive Low T Trip", "Cryodrive High T Trip",
	"Cryodrive Low P Trip", "Cryodrive High T Warning",
	"Cryodrive Low P Warning", "Connect Gas Supply", "Autofill Fault",
	"Autofill About To Fill", "Autofill Filling", "Collar Temp Error",
	"Coldhead Error", "Turbo Flow", "He Selected", "Cryodrive Not Ready",
	"Regen Required", "Regen Complete", "Connect Vacuum",
	"Disconnect Vacuum",
};

_Static_assert(ELEMENTSOF(run_mode_names) == _CS800_RUN_MODE_MAX, "run modes");
_Static_assert(ELEMENTSOF(phase_names) == _CS800_PHASE_MAX, "phases");
_Static_assert(ELEMENTSOF(alarm_names) == _CS800_ALARM_MAX, "alarms");

const char *cs800_run_mode_to_string(unsigned int run_mode)
{
	return run_mode < ELEMENTSOF(run_mode_names) ? run_mode_names[run_mode] : NULL;
}

const char *cs800_phase_to_string(unsigned int phase)
{
	return phase < ELEMENTSOF(phase_names) ? phase_names[phase] : NULL;
}

const char *cs800_alarm_to_string(unsigned int alarm)
{
	return alarm < ELEMENTSOF(alarm_names) ? alarm_names[alarm] : NULL;
}
