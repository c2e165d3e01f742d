/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryostream 800 enumerations carried in the status packet: run mode
 * (parameter 1053), phase (1054), alarm code (1065) with its level (2044),
 * autofill mode (1209). Numbers, names and levels are the vendor's
 * (Oxford Cryosystems' Cryostream.xml, as shared/spec/cryostream-cs800.md
 * quotes it); where the EPICS support has other names, the spec says
 * which ones stationd keeps. The D-Bus layer publishes numbers and names.
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
	CS800_PHASE_ERASE = 6,
	CS800_PHASE_LOAD = 7,
	CS800_PHASE_SAVE = 8,
	CS800_PHASE_SOAK = 9,		/* the vendor's file says Purge */
	CS800_PHASE_WAIT = 10,
	CS800_PHASE_REGEN = 11,		/* the vendor names 11 and 12 both Regen: */
	CS800_PHASE_REGEN_2 = 12,	/* two stages of one regeneration */
	_CS800_PHASE_MAX,
};

/* The alarms the simulator and the daemon refer to by name; every code
 * 0..62 has its name and level in cs800_alarm_to_string() and
 * cs800_alarm_level(). */
enum cs800_alarm {
	CS800_ALARM_NONE = 0,
	CS800_ALARM_STOP_PRESSED = 1,
	CS800_ALARM_STOP_COMMAND = 2,
	CS800_ALARM_END_COMPLETE = 3,
	CS800_ALARM_PURGE_COMPLETE = 4,
	CS800_ALARM_TEMP_WARNING = 5,
	CS800_ALARM_NO_NITROGEN = 23,
	CS800_ALARM_HIGH_TEMP_ERROR = 36,
	CS800_ALARM_AUTOFILL_ABOUT_TO_FILL = 46,
	CS800_ALARM_AUTOFILL_FILLING = 47,
	CS800_ALARM_COLLAR_TEMP_ERROR = 48,
	CS800_ALARM_TURBO_FLOW = 50,
	CS800_ALARM_REGEN_COMPLETE = 54,
	CS800_ALARM_SHIELD_ON = 62,
	_CS800_ALARM_MAX = 63,
};

/* How serious an alarm is (parameter 2044, and the vendor's table). */
enum cs800_alarm_level {
	CS800_ALARM_LEVEL_NONE = 0,
	CS800_ALARM_LEVEL_INFORMATION = 1,
	CS800_ALARM_LEVEL_WARNING = 2,
	CS800_ALARM_LEVEL_ERROR = 3,
	CS800_ALARM_LEVEL_FATAL = 4,
	_CS800_ALARM_LEVEL_MAX,
};

/* Autofill mode (parameter 1209, and the argument of command 202). */
enum cs800_autofill_mode {
	CS800_AUTOFILL_MANUAL = 0,
	CS800_AUTOFILL_AUTO = 1,
	CS800_AUTOFILL_SCHEDULED = 2,
	_CS800_AUTOFILL_MODE_MAX,
};

/* Shield flow when the device is idle (argument of command 123). */
enum cs800_idle_shield_mode {
	CS800_IDLE_SHIELD_OFF = 0,
	CS800_IDLE_SHIELD_ON = 1,
	CS800_IDLE_SHIELD_AUTO = 2,
	_CS800_IDLE_SHIELD_MODE_MAX,
};

/*
 * Names of the values, or NULL for a number the vendor does not define (a
 * newer firmware may send one: the decoder keeps the number and the bus
 * layer shows it, it does not reject the packet for it).
 */
/* "Run", "Shutdown OK": the EPICS support's short names. */
const char *cs800_run_mode_to_string(unsigned int run_mode);
/* "Running", "Shut down without error": the vendor's wording. */
const char *cs800_run_mode_description(unsigned int run_mode);
const char *cs800_phase_to_string(unsigned int phase);
/* "Autofill filling": the vendor's text, as the controller shows it. */
const char *cs800_alarm_to_string(unsigned int alarm);
/* The vendor's level of an alarm code (enum cs800_alarm_level), or
 * -ENOENT for a code it does not define. */
int cs800_alarm_level(unsigned int alarm);
/* "none", "information", "warning", "error", "fatal". */
const char *cs800_alarm_level_to_string(unsigned int level);
/* "manual", "auto", "scheduled". */
const char *cs800_autofill_mode_to_string(unsigned int mode);
/* "off", "on", "auto". */
const char *cs800_idle_shield_mode_to_string(unsigned int mode);

#endif
