/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated CCD controller's mechanisms and packaged runs, as the
 * profile of shared/spec/utilitynet.md describes them: settings, shutter,
 * clear, read-out, the packaged runs PIC and DAR with their kicks, reset,
 * monitor mode and the real-time clock synchronisation with the time
 * service TIM. Pure code: no I/O, no clock of its own. The caller feeds it
 * the mechanism messages of the frames addressed to the controller and
 * the simulated time (milliseconds), and drains what it wants to say:
 * status messages for the host, requests for TIM, notes for the log and
 * read-outs whose pixels are due.
 *
 * A command (code 101) starts an action that takes the mechanism's time
 * (scaled by the caller's clock); an immediate status request (200) is
 * answered at once with (head, err, values...), err 1 while the action
 * runs; a delayed status request (201) is answered when the action
 * completes. A command the controller cannot carry out (bad argument,
 * wrong head, wrong state) is answered with err 0x02 at once and changes
 * nothing. The controller sends nothing while it reads out.
 */
#ifndef STATIOND_TESTS_SIM_CCD_CONTROLLER_H
#define STATIOND_TESTS_SIM_CCD_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ccd/ccd-format.h"
#include "daemon/ccd/ccd-speed.h"
#include "daemon/unet/unet-frame.h"

/* Mechanism error bits of the profile. */
#define CCD_ERR_DONE		0x00
#define CCD_ERR_BUSY		0x01
#define CCD_ERR_BAD_ARGUMENT	0x02
#define CCD_ERR_HARDWARE	0x04
#define CCD_ERR_TIMEOUT		0x08
#define CCD_ERR_ABORTED		0x10
#define CCD_ERR_NOT_INITIALISED	0x20

enum ccd_mech {
	CCD_MECH_INS, CCD_MECH_MON, CCD_MECH_CLR, CCD_MECH_RED, CCD_MECH_PIC,
	CCD_MECH_DAR, CCD_MECH_PAU, CCD_MECH_CON, CCD_MECH_FIN, CCD_MECH_ABT,
	CCD_MECH_SSH, CCD_MECH_RSP, CCD_MECH_CSP, CCD_MECH_PFL, CCD_MECH_EXP,
	CCD_MECH_BIN, CCD_MECH_WIN, CCD_MECH_WEN, CCD_MECH_RES, CCD_MECH_SYN,
	CCD_MECH_RGA,
	CCD_MECH_COUNT
};

enum ccd_phase {
	CCD_PHASE_IDLE, CCD_PHASE_CLEARING, CCD_PHASE_PREFLASH,
	CCD_PHASE_EXPOSING, CCD_PHASE_PAUSED, CCD_PHASE_READING_OUT,
	CCD_PHASE_COMPLETE, CCD_PHASE_ABORTED,
};

enum ccd_shutter { CCD_SHUTTER_CLOSED, CCD_SHUTTER_OPEN, CCD_SHUTTER_JAMMED };

/* Limits of the controller itself (a host's profile may be stricter). */
#define CCD_CONTROLLER_BIN_MAX	16
#define CCD_CONTROLLER_PREFLASH_MAX_MS	(3600u * 1000)	/* an hour */
#define CCD_CONTROLLER_EXPOSURE_MAX_MS	(86400u * 1000)	/* a day */
#define CCD_GAIN_REGISTER_MAX	999999u

/* The chip, as the profile gives it (SCCD_SIZE, XUNDER, XSILSIZE, ...). */
struct ccd_chip {
	uint32_t size_x, size_y;		/* read-out frame, with under/overscans */
	uint32_t x_under, y_under;		/* columns/rows before the silicon */
	uint32_t x_silicon, y_silicon;		/* the light-sensitive area */
};

struct ccd_settings {
	enum ccd_readout_speed readout_speed;
	enum ccd_clear_speed clear_speed;
	uint32_t preflash_ms, exposure_ms;
	struct ccd_format format;		/* binning, windows */
	uint32_t gain_register;
};

struct ccd_controller_params {
	struct ccd_chip chip;
	uint32_t head;				/* HEADNO */
	/* Simulated milliseconds. */
	uint64_t reset_ms;			/* dead after RES or a power glitch */
	uint64_t reply_timeout_ms;		/* waiting for TIM's answer */
	uint64_t progress_interval_ms;		/* elapsed-time reports, monitor mode */
	uint64_t auto_sync_interval_ms;		/* RTC sync by itself; 0: never */
	int64_t rtc_error_ms;			/* the RTC's error at power-up */
	struct ccd_settings power_up;		/* the controller's saved settings */
};

enum ccd_out_kind {
	CCD_OUT_STATUS,		/* an S frame's message for the host */
	CCD_OUT_TIME_REQUEST,	/* a C frame's message for TIM */
	CCD_OUT_NOTE,		/* what happened, for the log */
};

struct ccd_out {
	enum ccd_out_kind kind;
	struct unet_mech mech;		/* STATUS, TIME_REQUEST */
	char note[160];			/* NOTE */
};

/* A read-out whose pixels the caller sends (see ccd-image.h). */
struct ccd_readout {
	uint64_t sequence;		/* 1, 2, ... since the simulator started */
	enum ccd_mech mech;		/* PIC, DAR or RED */
	uint64_t light_ms;		/* shutter open since the last clear */
	uint64_t dark_ms;		/* since the last clear */
	uint64_t preflash_ms;
	struct ccd_format format;	/* binning and windows as read out */
	enum ccd_readout_speed readout_speed;
};

/* How a mechanism message from the host was taken. */
enum ccd_command_result {
	CCD_COMMAND_TAKEN,		/* acted on (answered or not) */
	CCD_COMMAND_UNKNOWN_MECHANISM,	/* no such mnemonic: ignored */
	CCD_COMMAND_UNKNOWN_CODE,	/* not 101, 200 or 201: ignored */
	CCD_COMMAND_IGNORED,		/* resetting, or a hung mechanism */
};

struct ccd_controller;

void ccd_controller_params_default(struct ccd_controller_params *p);
void ccd_settings_power_up_default(struct ccd_settings *s);
/* -EINVAL for an impossible geometry or head. Powers up: INS is queued. */
int ccd_controller_new(const struct ccd_controller_params *p, uint64_t now_ms,
		       struct ccd_controller **ret);
void ccd_controller_free(struct ccd_controller *c);

/* One mechanism message of a C frame addressed to the controller. */
enum ccd_command_result ccd_controller_command(struct ccd_controller *c, uint64_t now_ms,
					       const struct unet_mech *m);
/*
 * One mechanism message of an S frame from TIM: UTC200(err,<unix
 * seconds>,<microseconds>) or TIM200(err,<seconds of the UTC day>,
 * <microseconds>), with our wall clock (ms since the epoch) as it came.
 */
enum ccd_command_result ccd_controller_time_reply(struct ccd_controller *c, uint64_t now_ms,
						  int64_t wall_ms, const struct unet_mech *m);
/* Carry out everything due up to @now_ms (never backwards). */
void ccd_controller_advance(struct ccd_controller *c, uint64_t now_ms);
/* When something is next due, UINT64_MAX if nothing is. */
uint64_t ccd_controller_next_event(const struct ccd_controller *c);

/* The next thing to say, oldest first; false when there is none. */
bool ccd_controller_take_output(struct ccd_controller *c, struct ccd_out *out);
/* A read-out has finished on the chip: its pixels are due. */
bool ccd_controller_take_readout(struct ccd_controller *c, struct ccd_readout *r);
/* The caller has sent (or given up sending) the pixels: the action completes. */
void ccd_controller_readout_delivered(struct ccd_controller *c, uint64_t now_ms);

/* Reading out: no status frames go out (ACKs do). */
bool ccd_controller_quiet(const struct ccd_controller *c);
/* Resetting: the controller hears and says nothing, not even ACKs. */
bool ccd_controller_resetting(const struct ccd_controller *c);
/* Power-ups so far (1 after new); the link restarts with each. */
unsigned int ccd_controller_boots(const struct ccd_controller *c);

/* State, for status lines and tests. */
enum ccd_phase ccd_controller_phase(const struct ccd_controller *c);
enum ccd_mech ccd_controller_run_mech(const struct ccd_controller *c);
uint64_t ccd_controller_elapsed_ms(const struct ccd_controller *c);
enum ccd_shutter ccd_controller_shutter(const struct ccd_controller *c);
const struct ccd_settings *ccd_controller_settings(const struct ccd_controller *c);
bool ccd_controller_monitor(const struct ccd_controller *c);
bool ccd_controller_syncing(const struct ccd_controller *c);
/* The RTC's error against the wall clock, as last known. */
int64_t ccd_controller_rtc_error_ms(const struct ccd_controller *c);
int ccd_controller_describe(const struct ccd_controller *c, char *buf, size_t size);

/* Faults (the control FIFO). */
/* Reset by itself, as after a power glitch: run lost, INS after reset_ms. */
void ccd_controller_power_glitch(struct ccd_controller *c, uint64_t now_ms);
/* The next @count commands of @mech run their time and then fail with @err. */
int ccd_controller_fail_next(struct ccd_controller *c, enum ccd_mech mech,
			     unsigned int err, unsigned int count);
/* A hung mechanism takes commands and requests and never answers. */
int ccd_controller_hang(struct ccd_controller *c, enum ccd_mech mech, bool hung);
/* The shutter jams at its next move; @hard: UNJAM does not free it. */
void ccd_controller_jam(struct ccd_controller *c, bool hard);
/* Start an RTC synchronisation by itself, as every auto_sync_interval. */
int ccd_controller_start_sync(struct ccd_controller *c, uint64_t now_ms);
/* Every fault above cleared (a jammed shutter stays jammed until UNJAM). */
void ccd_controller_clear_faults(struct ccd_controller *c);

const char *ccd_mech_name(enum ccd_mech m);
/* CCD_MECH_COUNT for a name that is no mechanism. */
enum ccd_mech ccd_mech_from_name(const char *name);
const char *ccd_phase_name(enum ccd_phase p);
/* How long the chip takes to read @r out, simulated ms. */
uint64_t ccd_readout_duration_ms(const struct ccd_chip *chip, const struct ccd_readout *r);

#endif
