/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryostream 800 enumerations carried in the status packet: run mode
 * (parameter 1053), phase (1054) and alarm code (1065). Numbers and names
 * are those of the spec (shared/spec/cryostream-cs800.md); the D-Bus
 * layer publishes both.
 */
#ifndef STATIOND_CRYO_CS800_ENUMS_H
#define STATIOND_CRYO_CS800_ENUMS_H

enum cs800_run_mode {
	CS800_RUN_MODE_STARTUP = 0,
	CS800_RUN_MODE_STARTUP_FAIL = 1,
	CS800_RUN_MODE_STARTUP_OK = 2,
	CS800_RUN_MODE_RUN = 3,
	CS800_RUN_MODE_SETUP = 4,
	CS800_RUN_MODE_SHUTDOWN_OK = 5,
	CS800_RUN_MODE_SHUTDOWN_FAIL = 6,
	_CS800_RUN_MODE_MAX,
};

enum cs800_phase {
	CS800_PHASE_RAMP = 0,
	CS800_PHASE_COOL = 1,
	CS800_PHASE_PLAT = 2,
	CS800_PHASE_HOLD = 3,
	CS800_PHASE_END = 4,
	CS800_PHASE_PURGE = 5,
	CS800_PHASE_DELETE_PHASE = 6,
	CS800_PHASE_LOAD_PROGRAM = 7,
	CS800_PHASE_SAVE_PROGRAM = 8,
	CS800_PHASE_SOAK = 9,
	CS800_PHASE_WAIT = 10,
	_CS800_PHASE_MAX,
};

/* Only the alarms the simulator and the daemon refer to by name; the full
 * list of names (0..55) is in cs800_alarm_to_string(). */
enum cs800_alarm {
	CS800_ALARM_NONE = 0,
	CS800_ALARM_STOP_PRESSED = 1,
	CS800_ALARM_STOP_COMMAND = 2,
	CS800_ALARM_END_COMPLETE = 3,
	CS800_ALARM_PURGE_COMPLETE = 4,
	CS800_ALARM_TEMP_WARNING = 5,
	CS800_ALARM_NO_NITROGEN = 23,
	CS800_ALARM_TURBO_FLOW = 49,
	_CS800_ALARM_MAX = 56,
};

/*
 * Names of the values, or NULL for a number the spec does not define (a
 * newer firmware may send one: the decoder keeps the number and the bus
 * layer shows it, it does not reject the packet for it).
 */
const char *cs800_run_mode_to_string(unsigned int run_mode);
const char *cs800_phase_to_string(unsigned int phase);
const char *cs800_alarm_to_string(unsigned int alarm);

#endif
