/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SCCD server's logic for one CCD (seed §4 and §7; the spec's
 * "Decisions for the daemon's link layer and CCD server"): the actions
 * Setup, the settings, Clear, Readout, a packaged run and its kicks, the
 * shutter, clock synchronisation and Reset; what the controller's status
 * messages change; INS; timeouts.
 *
 * Every action is an operation with an id. Starting one either fails at
 * once (NotInitialized, AlreadyThere, WrongState, Busy, InvalidArgs: nothing
 * is sent) or sends its messages and stays pending until the controller's
 * statuses complete it, or an error status, a message never acknowledged
 * (LinkTimeout), an INS (ControllerReset) or its timeout ends it; then the
 * operation_done callback tells the result. One operation of each kind at
 * a time (a second is Busy); while a run is active, only kicks and Reset.
 *
 * Pure code: messages go out through a callback, time comes in as
 * arguments (CLOCK_MONOTONIC µs for timeouts, CLOCK_REALTIME µs for what
 * is recorded), so the unit tests drive it without a line or a loop.
 */
#ifndef STATIOND_CCD_CCD_SERVER_H
#define STATIOND_CCD_CCD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ccd/ccd-profile.h"
#include "daemon/ccd/ccd-run.h"
#include "daemon/ccd/ccd-settings.h"
#include "daemon/shared/macro.h"
#include "daemon/unet/unet-frame.h"

enum ccd_operation_kind {
	CCD_OP_SETUP,
	CCD_OP_FORMAT,
	CCD_OP_READOUT_SPEED,
	CCD_OP_CLEAR_SPEED,
	CCD_OP_PREFLASH,
	CCD_OP_EXPOSURE,
	CCD_OP_CLEAR,
	CCD_OP_READOUT,
	CCD_OP_START_RUN,
	CCD_OP_KICK,
	CCD_OP_SHUTTER,
	CCD_OP_SYNC,
	CCD_OP_RESET,
	_CCD_OP_MAX,
};

/* The named errors of org.stationd1.Ccd. */
enum ccd_error {
	CCD_OK,
	CCD_ERROR_NOT_INITIALIZED,
	CCD_ERROR_ALREADY_THERE,
	CCD_ERROR_WRONG_STATE,
	CCD_ERROR_BUSY,
	CCD_ERROR_LINK_TIMEOUT,
	CCD_ERROR_CONTROLLER_RESET,
	CCD_ERROR_TIMEOUT,
	CCD_ERROR_CONTROLLER_ERROR,
	CCD_ERROR_INVALID_ARGS,
	CCD_ERROR_FAILED,		/* anything else (e.g. the run number not saved) */
	_CCD_ERROR_MAX,
};

struct ccd_result {
	enum ccd_error error;
	int64_t mech_error;		/* CONTROLLER_ERROR: the status's err */
	uint32_t run_number;		/* START_RUN: 0 for SCRATCH and GLANCE */
	char message[256];		/* what happened, for the caller and the log */
};

/* Shutter moves, as MoveShutter and SSH take them. */
enum ccd_shutter_move {
	CCD_SHUTTER_OPEN,
	CCD_SHUTTER_CLOSE,
	CCD_SHUTTER_UNJAM,
	_CCD_SHUTTER_MOVE_MAX,
};

enum ccd_shutter_position {
	CCD_SHUTTER_CLOSED = 0,
	CCD_SHUTTER_OPENED = 1,
	CCD_SHUTTER_JAMMED = 2,
	CCD_SHUTTER_UNKNOWN = 3,
};

/* Property bits for properties_changed(). */
enum ccd_property {
	CCD_PROP_INITIALIZED,
	CCD_PROP_PROFILE,
	CCD_PROP_FORMAT,
	CCD_PROP_READOUT_SPEED,
	CCD_PROP_CLEAR_SPEED,
	CCD_PROP_PREFLASH,
	CCD_PROP_EXPOSURE_TIME,
	CCD_PROP_PHASE,
	CCD_PROP_ELAPSED_TIME,
	CCD_PROP_SHUTTER,
	CCD_PROP_SHUTTER_OK,
	CCD_PROP_RUN_NUMBER,
	CCD_PROP_RUN_TYPE,
	CCD_PROP_TITLE,
	CCD_PROP_LAST_SYNC,
	_CCD_PROP_MAX,
};

#define CCD_TITLE_MAX 68u	/* a FITS string value (OBJECT) */

/* A run, current or last. */
struct ccd_run {
	bool active;			/* started and not ended */
	enum ccd_run_type type;
	char title[CCD_TITLE_MAX + 1];
	uint32_t number;		/* 0: SCRATCH, GLANCE */
	/* The settings it was taken with (the FITS header). */
	struct ccd_setting_values settings;
	uint64_t requested_realtime;	/* StartRun */
	uint64_t exposure_realtime;	/* the first status in phase exposing; 0: none */
	uint64_t ended_realtime;
	int64_t phase;
	uint32_t elapsed_ms;		/* the controller's: since exposure started, pauses included */
	enum ccd_run_result result;	/* when ended */
	int64_t mech_error;		/* FAILED: the controller's error */
	/* The limit: exposure + preflash + READOUT_TIME from the start, plus
	 * every pause. */
	uint64_t deadline;
	uint64_t paused_since;		/* 0: not paused */
};

struct ccd_server_ops {
	/*
	 * Queue a command request (unet_cmdreq_body()) to the controller,
	 * or with plain, the command alone. tag: the operation's id (its
	 * delivery is reported through ccd_server_delivery()). 0, or -EBUSY
	 * (the transmit table is full), -errno.
	 */
	int (*send)(void *userdata, const char *dest, const struct unet_mech *command,
		    bool head_number, bool plain, uint64_t tag);
	/* Take the next run number and have it on disk before it is used:
	 * 0 with *ret, or -errno (StartRun then fails). */
	int (*next_run_number)(void *userdata, uint32_t *ret);
	void (*operation_done)(void *userdata, uint64_t id, enum ccd_operation_kind kind,
			       const struct ccd_result *result);
	void (*properties_changed)(void *userdata, uint32_t mask);	/* 1 << enum ccd_property */
	void (*run_started)(void *userdata, const struct ccd_run *run);
	void (*run_ended)(void *userdata, const struct ccd_run *run);
	/* An unsolicited INS: the controller (re)initialised. */
	void (*controller_reset)(void *userdata);
};

/* Counters of what the server refused from the line. */
struct ccd_server_counters {
	uint64_t unknown_mnemonics;	/* not a mechanism of the profile */
	uint64_t foreign;		/* not from the profile's controller, or not to us */
	uint64_t other_head;		/* for another head of the controller */
	uint64_t malformed;		/* a known mechanism without (head, err) */
};

struct ccd_server;

/* host_name: ours on the line ("SYS"). */
int ccd_server_new(const char *name, const char *host_name, const struct ccd_server_ops *ops,
		   void *userdata, struct ccd_server **ret);
/* Pending operations are dropped without a callback: their callers are
 * going away too. */
struct ccd_server *ccd_server_free(struct ccd_server *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ccd_server *, ccd_server_free);

/* ---- starting operations: 0 with *id (pending), or <0 with *result
 * filled (nothing was sent). */
int ccd_server_setup(struct ccd_server *s, const struct ccd_profile *profile, uint64_t now,
		     uint64_t *id, struct ccd_result *result);
/* The full format wanted (checked against the profile's chip). */
int ccd_server_set_format(struct ccd_server *s, const struct ccd_format *format, uint64_t now,
			  uint64_t *id, struct ccd_result *result);
int ccd_server_set_readout_speed(struct ccd_server *s, enum ccd_readout_speed speed, uint64_t now,
				 uint64_t *id, struct ccd_result *result);
int ccd_server_set_clear_speed(struct ccd_server *s, enum ccd_clear_speed speed, uint64_t now,
			       uint64_t *id, struct ccd_result *result);
int ccd_server_set_preflash(struct ccd_server *s, uint32_t ms, uint64_t now, uint64_t *id,
			    struct ccd_result *result);
int ccd_server_set_exposure(struct ccd_server *s, uint32_t ms, uint64_t now, uint64_t *id,
			    struct ccd_result *result);
int ccd_server_clear(struct ccd_server *s, uint64_t now, uint64_t *id, struct ccd_result *result);
int ccd_server_readout(struct ccd_server *s, uint64_t now, uint64_t *id,
		       struct ccd_result *result);
/* A title longer than CCD_TITLE_MAX, or not printable, is InvalidArgs;
 * "" is the type's name (the seed's default OBJECT). */
int ccd_server_start_run(struct ccd_server *s, enum ccd_run_type type, const char *title,
			 uint64_t now, uint64_t realtime, uint64_t *id, struct ccd_result *result);
int ccd_server_kick(struct ccd_server *s, enum ccd_kick kick, uint64_t now, uint64_t *id,
		    struct ccd_result *result);
int ccd_server_move_shutter(struct ccd_server *s, enum ccd_shutter_move move, uint64_t now,
			    uint64_t *id, struct ccd_result *result);
int ccd_server_sync_clock(struct ccd_server *s, uint64_t now, uint64_t *id,
			  struct ccd_result *result);
int ccd_server_reset(struct ccd_server *s, uint64_t now, uint64_t *id, struct ccd_result *result);

/* ---- from the link */

/* One mechanism message of a C or S frame (from src to dest). */
void ccd_server_mechanism(struct ccd_server *s, const char *src, const char *dest,
			  const struct unet_mech *m, uint64_t now, uint64_t realtime);
/* What became of a message sent with tag (an operation id):
 * delivered = false when it was dropped after the resend limit or
 * cancelled. */
void ccd_server_delivery(struct ccd_server *s, uint64_t tag, bool delivered, uint64_t now);

/* Time out what is due; then ccd_server_next_deadline(). */
void ccd_server_tick(struct ccd_server *s, uint64_t now, uint64_t realtime);
uint64_t ccd_server_next_deadline(const struct ccd_server *s);

/* ---- state, for the bus */
const char *ccd_server_name(const struct ccd_server *s);
bool ccd_server_initialized(const struct ccd_server *s);
/* The loaded profile, or NULL before the first Setup. */
const struct ccd_profile *ccd_server_profile(const struct ccd_server *s);
const struct ccd_settings *ccd_server_settings(const struct ccd_server *s);
const struct ccd_run *ccd_server_run(const struct ccd_server *s);	/* current or last */
int64_t ccd_server_phase(const struct ccd_server *s);
uint32_t ccd_server_elapsed_ms(const struct ccd_server *s);
enum ccd_shutter_position ccd_server_shutter(const struct ccd_server *s);
bool ccd_server_shutter_ok(const struct ccd_server *s);
uint64_t ccd_server_last_sync(const struct ccd_server *s);	/* CLOCK_REALTIME µs; 0 never */
uint32_t ccd_server_run_number(const struct ccd_server *s);	/* the last numbered run */
void ccd_server_set_run_number(struct ccd_server *s, uint32_t last);	/* from the disk */
const struct ccd_server_counters *ccd_server_counters(const struct ccd_server *s);
bool ccd_server_pending(const struct ccd_server *s, enum ccd_operation_kind kind);

const char *ccd_error_to_string(enum ccd_error e);		/* "NotInitialized", ... */
const char *ccd_operation_kind_to_string(enum ccd_operation_kind k);	/* "Setup", ... */
const char *ccd_shutter_position_to_string(enum ccd_shutter_position p);	/* "closed", ... */
const char *ccd_shutter_move_to_string(enum ccd_shutter_move m);	/* "open", ... */
int ccd_shutter_move_from_string(const char *name);			/* case-insensitive */

#endif
