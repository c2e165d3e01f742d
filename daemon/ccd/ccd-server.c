// SPDX-License-Identifier: GPL-2.0
/*
 * The SCCD server's logic for one CCD (see ccd-server.h).
 *
 * Every entry point collects the properties it changed in s->changed and
 * reports them once, at its end (flush()), after the operations it
 * completed: a client that hears a method return and then reads a
 * property sees the new value.
 */
#include "daemon/ccd/ccd-server.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/ccd/ccd-mechanism.h"

#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)

/* Bits of struct operation.waiting beyond the settings'. */
#define WAIT_MONITOR (1u << 16)		/* Setup: MON201 */
#define WAIT_ACTION (1u << 17)		/* Clear, Readout, Shutter, Sync, a kick: its 201 */
#define WAIT_EXPOSURE_ZERO (1u << 18)	/* a BIAS: EXP 0 before DAR */
#define WAIT_RUN_START (1u << 19)	/* StartRun: the first status of the run */
#define WAIT_DELIVERY (1u << 20)	/* Reset: the ACK of RES */

struct operation {
	bool active;
	uint64_t id;
	uint64_t deadline;
	uint64_t timeout_usec;
	bool restart_on_busy;	/* a busy status is progress: the timeout starts again */
	uint32_t waiting;	/* settings bits and WAIT_* */
	uint32_t own;		/* settings bits this operation was asked for */
	enum ccd_mechanism mechanism;	/* Clear, Readout, Shutter, Sync, kicks, runs */
	enum ccd_kick kick;
	enum ccd_run_type run_type;
};

struct ccd_server {
	char name[64];
	char host_name[UNET_NAME_LEN + 1];
	struct ccd_server_ops ops;
	void *userdata;

	bool have_profile;
	struct ccd_profile profile;
	bool initialized;
	struct ccd_settings settings;

	int64_t phase;
	enum ccd_shutter_position shutter;
	bool shutter_ok;
	uint64_t last_sync;
	uint32_t run_number;	/* the last numbered run */
	struct ccd_run run;

	struct operation operations[_CCD_OP_MAX];
	uint64_t next_id;
	uint32_t changed;	/* property bits to report */
	struct ccd_server_counters counters;
};

static const char *const error_names[_CCD_ERROR_MAX] = {
	[CCD_OK] = "OK",
	[CCD_ERROR_NOT_INITIALIZED] = "NotInitialized",
	[CCD_ERROR_ALREADY_THERE] = "AlreadyThere",
	[CCD_ERROR_WRONG_STATE] = "WrongState",
	[CCD_ERROR_BUSY] = "Busy",
	[CCD_ERROR_LINK_TIMEOUT] = "LinkTimeout",
	[CCD_ERROR_CONTROLLER_RESET] = "ControllerReset",
	[CCD_ERROR_TIMEOUT] = "Timeout",
	[CCD_ERROR_CONTROLLER_ERROR] = "ControllerError",
	[CCD_ERROR_INVALID_ARGS] = "InvalidArgs",
	[CCD_ERROR_FAILED] = "Failed",
};

static const char *const kind_names[_CCD_OP_MAX] = {
	[CCD_OP_SETUP] = "Setup",
	[CCD_OP_FORMAT] = "SetFormat",
	[CCD_OP_READOUT_SPEED] = "SetReadoutSpeed",
	[CCD_OP_CLEAR_SPEED] = "SetClearSpeed",
	[CCD_OP_PREFLASH] = "SetPreflash",
	[CCD_OP_EXPOSURE] = "SetExposureTime",
	[CCD_OP_CLEAR] = "Clear",
	[CCD_OP_READOUT] = "Readout",
	[CCD_OP_START_RUN] = "StartRun",
	[CCD_OP_KICK] = "kick",
	[CCD_OP_SHUTTER] = "MoveShutter",
	[CCD_OP_SYNC] = "SyncClock",
	[CCD_OP_RESET] = "Reset",
};

static const char *const shutter_positions[] = {
	[CCD_SHUTTER_CLOSED] = "closed",
	[CCD_SHUTTER_OPENED] = "open",
	[CCD_SHUTTER_JAMMED] = "jammed",
	[CCD_SHUTTER_UNKNOWN] = "unknown",
};

static const char *const shutter_moves[_CCD_SHUTTER_MOVE_MAX] = {
	[CCD_SHUTTER_OPEN] = "open",
	[CCD_SHUTTER_CLOSE] = "close",
	[CCD_SHUTTER_UNJAM] = "unjam",
};

const char *ccd_error_to_string(enum ccd_error e)
{
	return (unsigned)e < _CCD_ERROR_MAX ? error_names[e] : "Failed";
}

const char *ccd_operation_kind_to_string(enum ccd_operation_kind k)
{
	return (unsigned)k < _CCD_OP_MAX ? kind_names[k] : "operation";
}

const char *ccd_shutter_position_to_string(enum ccd_shutter_position p)
{
	return (unsigned)p <= CCD_SHUTTER_UNKNOWN ? shutter_positions[p] : "unknown";
}

const char *ccd_shutter_move_to_string(enum ccd_shutter_move m)
{
	return (unsigned)m < _CCD_SHUTTER_MOVE_MAX ? shutter_moves[m] : "unknown";
}

int ccd_shutter_move_from_string(const char *name)
{
	for (int m = 0; m < _CCD_SHUTTER_MOVE_MAX; m++)
		if (strcasecmp(shutter_moves[m], name) == 0)
			return m;
	return -EINVAL;
}

/* ------------------------------------------------------------ helpers */

static int refuse(struct ccd_result *result, enum ccd_error error, const char *format, ...)
	_printf_(3, 4);

static int refuse(struct ccd_result *result, enum ccd_error error, const char *format, ...)
{
	va_list ap;

	*result = (struct ccd_result){ .error = error };
	va_start(ap, format);
	vsnprintf(result->message, sizeof(result->message), format, ap);
	va_end(ap);
	return -EINVAL;
}

static void mark(struct ccd_server *s, enum ccd_property p)
{
	s->changed |= 1u << p;
}

static void flush(struct ccd_server *s)
{
	uint32_t changed = s->changed;

	s->changed = 0;
	if (changed && s->ops.properties_changed)
		s->ops.properties_changed(s->userdata, changed);
}

static void finish(struct ccd_server *s, enum ccd_operation_kind kind,
		   const struct ccd_result *result)
{
	struct operation *op = &s->operations[kind];
	uint64_t id = op->id;

	if (!op->active)
		return;
	*op = (struct operation){};
	if (s->ops.operation_done)
		s->ops.operation_done(s->userdata, id, kind, result);
}

static void succeed(struct ccd_server *s, enum ccd_operation_kind kind, uint32_t run_number)
{
	struct ccd_result r = { .error = CCD_OK, .run_number = run_number };

	finish(s, kind, &r);
}

static void fail(struct ccd_server *s, enum ccd_operation_kind kind, enum ccd_error error,
		 int64_t mech_error, const char *format, ...) _printf_(5, 6);

static void fail(struct ccd_server *s, enum ccd_operation_kind kind, enum ccd_error error,
		 int64_t mech_error, const char *format, ...)
{
	struct ccd_result r = { .error = error, .mech_error = mech_error };
	va_list ap;

	if (!s->operations[kind].active)
		return;
	va_start(ap, format);
	vsnprintf(r.message, sizeof(r.message), format, ap);
	va_end(ap);
	finish(s, kind, &r);
}

/* A controller error for the caller: "EXP: bad-argument (0x02)". */
static void fail_controller(struct ccd_server *s, enum ccd_operation_kind kind,
			    enum ccd_mechanism mechanism, int64_t err)
{
	char bits[96];

	fail(s, kind, CCD_ERROR_CONTROLLER_ERROR, err, "ccd %s: %s: the controller reports %s (0x%02" PRIx64 ")",
	     s->name, ccd_mechanism_mnemonic(mechanism), ccd_mech_error_format(err, bits, sizeof(bits)),
	     (uint64_t)err);
}

static uint64_t new_id(struct ccd_server *s)
{
	return ++s->next_id;
}

/* Claim the slot of kind: Busy when taken. */
static int claim(struct ccd_server *s, enum ccd_operation_kind kind, uint64_t now,
		 uint64_t timeout_usec, bool restart_on_busy, struct ccd_result *result)
{
	struct operation *op = &s->operations[kind];

	if (op->active)
		return refuse(result, CCD_ERROR_BUSY, "ccd %s: %s is already in progress", s->name,
			      kind_names[kind]);
	*op = (struct operation){
		.active = true,
		.id = new_id(s),
		.deadline = now + timeout_usec,
		.timeout_usec = timeout_usec,
		.restart_on_busy = restart_on_busy,
	};
	return 0;
}

static void release(struct ccd_server *s, enum ccd_operation_kind kind)
{
	s->operations[kind] = (struct operation){};
}

static int require_initialized(struct ccd_server *s, enum ccd_operation_kind kind,
			       struct ccd_result *result)
{
	if (!s->initialized)
		return refuse(result, CCD_ERROR_NOT_INITIALIZED,
			      "ccd %s: %s needs a successful Setup first%s", s->name,
			      kind_names[kind],
			      s->have_profile ? " (since the controller's last reset)" : "");
	return 0;
}

static int refuse_during_run(struct ccd_server *s, enum ccd_operation_kind kind,
			     struct ccd_result *result)
{
	if (s->run.active || s->operations[CCD_OP_START_RUN].active)
		return refuse(result, CCD_ERROR_WRONG_STATE, "ccd %s: %s while a run is %s",
			      s->name, kind_names[kind],
			      s->run.active ? ccd_phase_to_string(s->run.phase) : "starting");
	return 0;
}

/* Queue one command to the controller, tagged with the operation's id. */
static int send_command(struct ccd_server *s, const struct unet_mech *command, bool plain,
			uint64_t tag)
{
	if (!s->ops.send)
		return -ENOTCONN;
	return s->ops.send(s->userdata, s->profile.unet_remote, command,
			   ccd_mechanism_has_head(ccd_mechanism_from_mnemonic(command->mnemonic)),
			   plain, tag);
}

static void head_command(const struct ccd_server *s, enum ccd_mechanism mechanism,
			 struct unet_mech *ret)
{
	*ret = (struct unet_mech){ .code = UNET_CODE_COMMAND, .n_args = 1 };
	memcpy(ret->mnemonic, ccd_mechanism_mnemonic(mechanism), UNET_MNEMONIC_LEN);
	ret->args[0] = unet_arg_number(s->profile.head_number);
}

static int send_refused(struct ccd_server *s, enum ccd_operation_kind kind, int r,
			struct ccd_result *result)
{
	release(s, kind);
	if (r == -EBUSY)
		return refuse(result, CCD_ERROR_BUSY,
			      "ccd %s: %s: the transmit table is full (the controller is not acknowledging)",
			      s->name, kind_names[kind]);
	return refuse(result, CCD_ERROR_FAILED, "ccd %s: %s: cannot queue the command: %s",
		      s->name, kind_names[kind], strerror(-r));
}

/* Send the commands for the settings in mask, tagged with the operation. */
static int send_settings(struct ccd_server *s, uint32_t mask, uint64_t tag)
{
	for (int i = 0; i < _CCD_SETTING_MAX; i++) {
		struct unet_mech command;
		int r;

		if (!(mask & CCD_SETTING_BIT(i)))
			continue;
		ccd_settings_command(&s->settings, i, s->profile.head_number, &command);
		r = send_command(s, &command, false, tag);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Settings other pending operations are waiting for (not sent twice). */
static uint32_t settings_in_flight(const struct ccd_server *s)
{
	uint32_t bits = 0;

	for (int k = 0; k < _CCD_OP_MAX; k++)
		if (s->operations[k].active)
			bits |= s->operations[k].waiting & CCD_SETTINGS_ALL_BITS;
	return bits;
}

static void mark_settings(struct ccd_server *s, uint32_t settings)
{
	if (settings & CCD_SETTING_BIT(CCD_SETTING_READOUT_SPEED))
		mark(s, CCD_PROP_READOUT_SPEED);
	if (settings & CCD_SETTING_BIT(CCD_SETTING_CLEAR_SPEED))
		mark(s, CCD_PROP_CLEAR_SPEED);
	if (settings & CCD_SETTING_BIT(CCD_SETTING_PREFLASH))
		mark(s, CCD_PROP_PREFLASH);
	if (settings & CCD_SETTING_BIT(CCD_SETTING_EXPOSURE))
		mark(s, CCD_PROP_EXPOSURE_TIME);
	if (settings & CCD_SETTINGS_FORMAT_BITS)
		mark(s, CCD_PROP_FORMAT);
}

/* ------------------------------------------------------------ lifetime */

int ccd_server_new(const char *name, const char *host_name, const struct ccd_server_ops *ops,
		   void *userdata, struct ccd_server **ret)
{
	struct ccd_server *s;

	if (!unet_name_valid(host_name) || strlen(name) >= sizeof(s->name))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	strcpy(s->name, name);
	strcpy(s->host_name, host_name);
	if (ops)
		s->ops = *ops;
	s->userdata = userdata;
	s->shutter = CCD_SHUTTER_UNKNOWN;
	s->shutter_ok = true;
	s->run.result = CCD_RUN_COMPLETE;
	*ret = s;
	return 0;
}

struct ccd_server *ccd_server_free(struct ccd_server *s)
{
	/* Silently: whoever waits is going away with us. */
	free(s);
	return NULL;
}

/* ------------------------------------------------------------ actions */

int ccd_server_setup(struct ccd_server *s, const struct ccd_profile *profile, uint64_t now,
		     uint64_t *id, struct ccd_result *result)
{
	struct ccd_setting_values required = {
		.readout_speed = profile->readout_speed,
		.clear_speed = profile->clear_speed,
		.preflash_ms = profile->preflash_ms,
		.exposure_ms = profile->exposure_ms,
		.format = profile->format,
	};
	struct operation *op;
	struct unet_mech monitor;
	int r;

	if (refuse_during_run(s, CCD_OP_SETUP, result) < 0)
		return -EINVAL;
	for (int k = 0; k < _CCD_OP_MAX; k++)
		if (k != CCD_OP_SETUP && s->operations[k].active)
			return refuse(result, CCD_ERROR_BUSY, "ccd %s: Setup while %s is in progress",
				      s->name, kind_names[k]);
	r = claim(s, CCD_OP_SETUP, now, (uint64_t)profile->setup_fail_s * USEC_PER_SEC, false,
		  result);
	if (r < 0)
		return r;
	op = &s->operations[CCD_OP_SETUP];

	/* The new profile is the server's from here: its network name and
	 * head number, even if the controller then refuses a setting. */
	if (!s->have_profile || strcmp(s->profile.ccd_name, profile->ccd_name) != 0 ||
	    strcmp(s->profile.path, profile->path) != 0)
		mark(s, CCD_PROP_PROFILE);
	s->profile = *profile;
	s->have_profile = true;
	if (s->initialized) {
		s->initialized = false;
		mark(s, CCD_PROP_INITIALIZED);
	}
	ccd_settings_reset(&s->settings, &required);
	mark_settings(s, CCD_SETTINGS_ALL_BITS);

	op->waiting = CCD_SETTINGS_ALL_BITS | WAIT_MONITOR;
	op->own = CCD_SETTINGS_ALL_BITS;
	r = send_settings(s, CCD_SETTINGS_ALL_BITS, op->id);
	if (r >= 0) {
		head_command(s, CCD_MECH_MON, &monitor);
		monitor.args[monitor.n_args++] = unet_arg_number(1);
		r = send_command(s, &monitor, false, op->id);
	}
	if (r < 0) {
		r = send_refused(s, CCD_OP_SETUP, r, result);
		flush(s);
		return r;
	}
	*id = op->id;
	flush(s);
	return 0;
}

/* Start a settings operation for the settings in mask, with values. */
static int change_settings(struct ccd_server *s, enum ccd_operation_kind kind,
			   const struct ccd_setting_values *values, uint32_t mask, uint64_t now,
			   uint64_t *id, struct ccd_result *result)
{
	struct ccd_settings before = s->settings;
	uint32_t own, to_send;
	struct operation *op;
	int r;

	if (require_initialized(s, kind, result) < 0 || refuse_during_run(s, kind, result) < 0)
		return -EINVAL;
	if (s->operations[kind].active)
		return refuse(result, CCD_ERROR_BUSY, "ccd %s: %s is already in progress", s->name,
			      kind_names[kind]);
	ccd_settings_require(&s->settings, values, mask);
	own = ccd_settings_drift(&s->settings) & mask;
	if (!own)
		return refuse(result, CCD_ERROR_ALREADY_THERE,
			      "ccd %s: %s: the controller is there already", s->name,
			      kind_names[kind]);
	r = claim(s, kind, now, (uint64_t)s->profile.settings_fail_s * USEC_PER_SEC, true, result);
	if (r < 0)
		return r;
	op = &s->operations[kind];
	/* What drifts and nobody is bringing back already: this operation's
	 * settings, and any other (the seed converges them all). */
	to_send = ccd_settings_drift(&s->settings) & ~settings_in_flight(s);
	op->waiting = to_send | own;
	op->own = own;
	r = send_settings(s, to_send, op->id);
	if (r < 0) {
		s->settings = before;
		return send_refused(s, kind, r, result);
	}
	*id = op->id;
	return 0;
}

int ccd_server_set_format(struct ccd_server *s, const struct ccd_format *format, uint64_t now,
			  uint64_t *id, struct ccd_result *result)
{
	struct ccd_setting_values v = { .format = *format };
	struct ccd_geometry g;
	char why[160];

	if (require_initialized(s, CCD_OP_FORMAT, result) < 0)
		return -EINVAL;
	g = ccd_profile_geometry(&s->profile);
	if (ccd_format_check(&g, format, why, sizeof(why)) < 0)
		return refuse(result, CCD_ERROR_INVALID_ARGS, "ccd %s: %s (chip %ux%u, BIN_MAX %u)",
			      s->name, why, g.size_x, g.size_y, g.bin_max);
	return change_settings(s, CCD_OP_FORMAT, &v, CCD_SETTINGS_FORMAT_BITS, now, id, result);
}

int ccd_server_set_readout_speed(struct ccd_server *s, enum ccd_readout_speed speed, uint64_t now,
				 uint64_t *id, struct ccd_result *result)
{
	struct ccd_setting_values v = { .readout_speed = speed };

	if (!ccd_readout_speed_to_string(speed))
		return refuse(result, CCD_ERROR_INVALID_ARGS, "ccd %s: no readout speed %d", s->name,
			      (int)speed);
	return change_settings(s, CCD_OP_READOUT_SPEED, &v,
			       CCD_SETTING_BIT(CCD_SETTING_READOUT_SPEED), now, id, result);
}

int ccd_server_set_clear_speed(struct ccd_server *s, enum ccd_clear_speed speed, uint64_t now,
			       uint64_t *id, struct ccd_result *result)
{
	struct ccd_setting_values v = { .clear_speed = speed };

	if (!ccd_clear_speed_to_string(speed))
		return refuse(result, CCD_ERROR_INVALID_ARGS, "ccd %s: no clear speed %d", s->name,
			      (int)speed);
	return change_settings(s, CCD_OP_CLEAR_SPEED, &v, CCD_SETTING_BIT(CCD_SETTING_CLEAR_SPEED),
			       now, id, result);
}

int ccd_server_set_preflash(struct ccd_server *s, uint32_t ms, uint64_t now, uint64_t *id,
			    struct ccd_result *result)
{
	struct ccd_setting_values v = { .preflash_ms = ms };

	if (ms > CCD_PFLASH_MAX_MS)
		return refuse(result, CCD_ERROR_INVALID_ARGS,
			      "ccd %s: preflash %u ms is longer than %u ms", s->name, ms,
			      CCD_PFLASH_MAX_MS);
	return change_settings(s, CCD_OP_PREFLASH, &v, CCD_SETTING_BIT(CCD_SETTING_PREFLASH), now,
			       id, result);
}

int ccd_server_set_exposure(struct ccd_server *s, uint32_t ms, uint64_t now, uint64_t *id,
			    struct ccd_result *result)
{
	struct ccd_setting_values v = { .exposure_ms = ms };

	if (ms > CCD_EXPTIME_MAX_MS)
		return refuse(result, CCD_ERROR_INVALID_ARGS,
			      "ccd %s: exposure %u ms is longer than %u ms", s->name, ms,
			      CCD_EXPTIME_MAX_MS);
	return change_settings(s, CCD_OP_EXPOSURE, &v, CCD_SETTING_BIT(CCD_SETTING_EXPOSURE), now,
			       id, result);
}

/* Clear, Readout, MoveShutter, SyncClock: one command request, completed
 * by its delayed status. */
static int simple_action(struct ccd_server *s, enum ccd_operation_kind kind,
			 enum ccd_mechanism mechanism, const struct unet_arg *extra,
			 uint32_t timeout_s, bool restart_on_busy, uint64_t now, uint64_t *id,
			 struct ccd_result *result)
{
	struct unet_mech command;
	struct operation *op;
	int r;

	if (require_initialized(s, kind, result) < 0 || refuse_during_run(s, kind, result) < 0)
		return -EINVAL;
	r = claim(s, kind, now, (uint64_t)timeout_s * USEC_PER_SEC, restart_on_busy, result);
	if (r < 0)
		return r;
	op = &s->operations[kind];
	op->waiting = WAIT_ACTION;
	op->mechanism = mechanism;
	head_command(s, mechanism, &command);
	if (extra)
		command.args[command.n_args++] = *extra;
	r = send_command(s, &command, false, op->id);
	if (r < 0)
		return send_refused(s, kind, r, result);
	*id = op->id;
	return 0;
}

int ccd_server_clear(struct ccd_server *s, uint64_t now, uint64_t *id, struct ccd_result *result)
{
	return simple_action(s, CCD_OP_CLEAR, CCD_MECH_CLR, NULL, s->profile.startaction_fail_s,
			     true, now, id, result);
}

int ccd_server_readout(struct ccd_server *s, uint64_t now, uint64_t *id,
		       struct ccd_result *result)
{
	return simple_action(s, CCD_OP_READOUT, CCD_MECH_RED, NULL, s->profile.startaction_fail_s,
			     true, now, id, result);
}

int ccd_server_move_shutter(struct ccd_server *s, enum ccd_shutter_move move, uint64_t now,
			    uint64_t *id, struct ccd_result *result)
{
	static const char *const words[_CCD_SHUTTER_MOVE_MAX] = {
		[CCD_SHUTTER_OPEN] = "OPEN", [CCD_SHUTTER_CLOSE] = "CLOSE",
		[CCD_SHUTTER_UNJAM] = "UNJAM",
	};
	struct unet_arg word;

	if ((unsigned)move >= _CCD_SHUTTER_MOVE_MAX)
		return refuse(result, CCD_ERROR_INVALID_ARGS, "ccd %s: no shutter move %d", s->name,
			      (int)move);
	word = unet_arg_word(words[move]);
	return simple_action(s, CCD_OP_SHUTTER, CCD_MECH_SSH, &word, s->profile.shutter_fail_s,
			     true, now, id, result);
}

int ccd_server_sync_clock(struct ccd_server *s, uint64_t now, uint64_t *id,
			  struct ccd_result *result)
{
	/* Up to 70 s by the seed: one overall limit, not restarted. */
	return simple_action(s, CCD_OP_SYNC, CCD_MECH_SYN, NULL, s->profile.sync_fail_s, false, now,
			     id, result);
}

int ccd_server_reset(struct ccd_server *s, uint64_t now, uint64_t *id, struct ccd_result *result)
{
	struct unet_mech command;
	struct operation *op;
	int r;

	/* A loaded profile (the controller's name), not INIT: Reset is how a
	 * controller that refuses Setup is brought back. */
	if (!s->have_profile)
		return refuse(result, CCD_ERROR_NOT_INITIALIZED,
			      "ccd %s: Reset needs a profile loaded by Setup (the controller's network name)",
			      s->name);
	r = claim(s, CCD_OP_RESET, now, (uint64_t)s->profile.startaction_fail_s * USEC_PER_SEC,
		  false, result);
	if (r < 0)
		return r;
	op = &s->operations[CCD_OP_RESET];
	op->waiting = WAIT_DELIVERY;
	op->mechanism = CCD_MECH_RES;
	head_command(s, CCD_MECH_RES, &command);
	r = send_command(s, &command, true, op->id);
	if (r < 0)
		return send_refused(s, CCD_OP_RESET, r, result);
	/* The controller reverts to settings we may not know: Setup again
	 * (seed §4.4). */
	if (s->initialized) {
		s->initialized = false;
		mark(s, CCD_PROP_INITIALIZED);
	}
	*id = op->id;
	flush(s);
	return 0;
}

static bool title_valid(const char *title)
{
	size_t n = strlen(title);

	if (n > CCD_TITLE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)title[i] < 0x20 || (unsigned char)title[i] > 0x7e)
			return false;
	return true;
}

static int send_run_command(struct ccd_server *s, struct operation *op)
{
	struct unet_mech command;

	head_command(s, ccd_run_type_mechanism(op->run_type), &command);
	return send_command(s, &command, false, op->id);
}

int ccd_server_start_run(struct ccd_server *s, enum ccd_run_type type, const char *title,
			 uint64_t now, uint64_t realtime, uint64_t *id, struct ccd_result *result)
{
	const struct ccd_settings *st = &s->settings;
	uint32_t number = 0, exposure_ms;
	struct operation *op;
	int r;

	if (!ccd_run_type_to_string(type))
		return refuse(result, CCD_ERROR_INVALID_ARGS, "ccd %s: no run type %d", s->name,
			      (int)type);
	if (!title_valid(title))
		return refuse(result, CCD_ERROR_INVALID_ARGS,
			      "ccd %s: a title is at most %u printable ASCII characters", s->name,
			      CCD_TITLE_MAX);
	if (require_initialized(s, CCD_OP_START_RUN, result) < 0)
		return -EINVAL;
	if (s->run.active)
		return refuse(result, CCD_ERROR_WRONG_STATE, "ccd %s: run %u is still %s", s->name,
			      s->run.number, ccd_phase_to_string(s->run.phase));
	/* A run is taken with settled settings, as the seed's RUN client
	 * waited for SETEXPTIME before DORUN. */
	for (int k = 0; k < _CCD_OP_MAX; k++)
		if (k != CCD_OP_START_RUN && k != CCD_OP_RESET && s->operations[k].active)
			return refuse(result, CCD_ERROR_BUSY, "ccd %s: StartRun while %s is in progress",
				      s->name, kind_names[k]);
	r = claim(s, CCD_OP_START_RUN, now, (uint64_t)s->profile.startaction_fail_s * USEC_PER_SEC,
		  true, result);
	if (r < 0)
		return r;
	op = &s->operations[CCD_OP_START_RUN];
	op->run_type = type;
	op->mechanism = ccd_run_type_mechanism(type);

	/* On the disk before anything is sent, so no run number is used
	 * twice whatever happens next. */
	if (ccd_run_type_numbered(type)) {
		r = s->ops.next_run_number ? s->ops.next_run_number(s->userdata, &number) : -ENOSYS;
		if (r < 0) {
			release(s, CCD_OP_START_RUN);
			return refuse(result, CCD_ERROR_FAILED,
				      "ccd %s: cannot save the next run number: %s", s->name,
				      strerror(-r));
		}
		s->run_number = number;
		mark(s, CCD_PROP_RUN_NUMBER);
	}

	exposure_ms = ccd_run_type_zero_exposure(type) ? 0 : st->current.exposure_ms;
	s->run = (struct ccd_run){
		.type = type,
		.number = number,
		.settings = st->current,
		.requested_realtime = realtime,
		.phase = CCD_PHASE_IDLE,
		.result = CCD_RUN_COMPLETE,
	};
	s->run.settings.exposure_ms = exposure_ms;
	snprintf(s->run.title, sizeof(s->run.title), "%s",
		 title[0] ? title : ccd_run_type_to_string(type));
	mark(s, CCD_PROP_RUN_TYPE);
	mark(s, CCD_PROP_TITLE);

	if (ccd_run_type_zero_exposure(type) && st->current.exposure_ms != 0) {
		/* A BIAS: the exposure time to 0 first (the seed's RUN client
		 * did this), then DAR. */
		struct ccd_setting_values zero = { .exposure_ms = 0 };

		ccd_settings_require(&s->settings, &zero, CCD_SETTING_BIT(CCD_SETTING_EXPOSURE));
		op->waiting = WAIT_EXPOSURE_ZERO | CCD_SETTING_BIT(CCD_SETTING_EXPOSURE);
		r = send_settings(s, CCD_SETTING_BIT(CCD_SETTING_EXPOSURE), op->id);
	} else {
		op->waiting = WAIT_RUN_START;
		r = send_run_command(s, op);
	}
	if (r < 0) {
		r = send_refused(s, CCD_OP_START_RUN, r, result);
		flush(s);
		return r;
	}
	*id = op->id;
	flush(s);
	return 0;
}

int ccd_server_kick(struct ccd_server *s, enum ccd_kick kick, uint64_t now, uint64_t *id,
		    struct ccd_result *result)
{
	struct unet_mech command;
	struct operation *op;
	int r;

	if ((unsigned)kick >= _CCD_KICK_MAX)
		return refuse(result, CCD_ERROR_INVALID_ARGS, "ccd %s: no kick %d", s->name,
			      (int)kick);
	if (!s->run.active || !ccd_kick_legal(kick, s->run.phase))
		return refuse(result, CCD_ERROR_WRONG_STATE, "ccd %s: cannot %s %s", s->name,
			      ccd_kick_to_string(kick),
			      s->run.active ? ccd_phase_to_string(s->run.phase) : "without a run");
	r = claim(s, CCD_OP_KICK, now, (uint64_t)s->profile.startaction_fail_s * USEC_PER_SEC,
		  true, result);
	if (r < 0)
		return r;
	op = &s->operations[CCD_OP_KICK];
	op->kick = kick;
	op->mechanism = ccd_kick_mechanism(kick);
	op->waiting = WAIT_ACTION;
	head_command(s, op->mechanism, &command);
	r = send_command(s, &command, false, op->id);
	if (r < 0)
		return send_refused(s, CCD_OP_KICK, r, result);
	*id = op->id;
	return 0;
}

/* ------------------------------------------------------------ runs */

static void run_end(struct ccd_server *s, enum ccd_run_result result, int64_t mech_error,
		    uint64_t realtime)
{
	struct operation *kick = &s->operations[CCD_OP_KICK];

	if (!s->run.active)
		return;
	s->run.active = false;
	s->run.result = result;
	s->run.mech_error = mech_error;
	s->run.ended_realtime = realtime;
	s->run.paused_since = 0;
	/* A kick waiting for this: FINISH and ABORT got what they asked for. */
	if (kick->active) {
		if ((kick->kick == CCD_KICK_FINISH && result == CCD_RUN_COMPLETE) ||
		    (kick->kick == CCD_KICK_ABORT && result == CCD_RUN_ABORTED))
			succeed(s, CCD_OP_KICK, 0);
		else
			fail(s, CCD_OP_KICK, CCD_ERROR_WRONG_STATE, 0, "ccd %s: the run ended (%s)",
			     s->name, ccd_run_result_to_string(result));
	}
	if (s->ops.run_ended)
		s->ops.run_ended(s->userdata, &s->run);
}

static void run_started(struct ccd_server *s, uint64_t now)
{
	const struct ccd_profile *p = &s->profile;

	s->run.active = true;
	s->run.deadline = now + ((uint64_t)s->run.settings.exposure_ms +
				 s->run.settings.preflash_ms) * USEC_PER_MSEC +
			  (uint64_t)p->readout_time_s * USEC_PER_SEC;
	succeed(s, CCD_OP_START_RUN, s->run.number);
	if (s->ops.run_started)
		s->ops.run_started(s->userdata, &s->run);
}

/* A run phase and elapsed time reported by the controller. */
static void run_progress(struct ccd_server *s, int64_t phase, const struct unet_mech *m,
			 uint64_t now, uint64_t realtime)
{
	int64_t elapsed;

	if (phase < 0 || phase >= _CCD_PHASE_MAX)
		return;
	if (phase != s->phase) {
		s->phase = phase;
		mark(s, CCD_PROP_PHASE);
	}
	if (unet_mech_number(m, 3, &elapsed) && elapsed >= 0 && elapsed <= UINT32_MAX &&
	    (uint32_t)elapsed != s->run.elapsed_ms) {
		s->run.elapsed_ms = (uint32_t)elapsed;
		mark(s, CCD_PROP_ELAPSED_TIME);
	}
	if (!s->run.active)
		return;
	if (phase == CCD_PHASE_EXPOSING && !s->run.exposure_realtime)
		s->run.exposure_realtime = realtime;
	/* Pauses extend the run's limit by their length. */
	if (phase == CCD_PHASE_PAUSED && !s->run.paused_since)
		s->run.paused_since = now ? now : 1;
	else if (phase != CCD_PHASE_PAUSED && s->run.paused_since) {
		s->run.deadline += now - s->run.paused_since;
		s->run.paused_since = 0;
	}
	s->run.phase = phase;
}

/* PIC or DAR status: (head, err, phase, elapsed). */
static void run_status(struct ccd_server *s, enum ccd_mechanism mechanism,
		       const struct unet_mech *m, int64_t err, uint64_t now, uint64_t realtime)
{
	struct operation *op = &s->operations[CCD_OP_START_RUN];
	int64_t phase = -1;

	(void)unet_mech_number(m, 2, &phase);
	if (op->active && (op->waiting & WAIT_RUN_START) && mechanism == op->mechanism) {
		if (ccd_mech_error_failed(err)) {
			fail_controller(s, CCD_OP_START_RUN, mechanism, err);
			return;
		}
		if (ccd_phase_active(phase) || phase == CCD_PHASE_COMPLETE) {
			s->run.phase = CCD_PHASE_IDLE;
			run_started(s, now);
		} else if (err == CCD_MECH_ERROR_BUSY) {
			op->deadline = now + op->timeout_usec;
		}
	}
	if (!s->run.active) {
		run_progress(s, phase, m, now, realtime);
		return;
	}
	if (ccd_run_type_mechanism(s->run.type) != mechanism)
		return;
	run_progress(s, phase, m, now, realtime);
	if (err == CCD_MECH_ERROR_ABORTED || (ccd_mech_error_failed(err) &&
					      (err & CCD_MECH_ERROR_ABORTED)) ||
	    phase == CCD_PHASE_ABORTED)
		run_end(s, CCD_RUN_ABORTED, err, realtime);
	else if (ccd_mech_error_failed(err))
		run_end(s, CCD_RUN_FAILED, err, realtime);
	else if (phase == CCD_PHASE_COMPLETE ||
		 (m->code == UNET_CODE_DELAYED && err == CCD_MECH_ERROR_DONE))
		run_end(s, CCD_RUN_COMPLETE, err, realtime);
}

/* PAU, CON, FIN, ABT status: (head, err, phase, elapsed). */
static void kick_status(struct ccd_server *s, enum ccd_mechanism mechanism,
			const struct unet_mech *m, int64_t err, uint64_t now, uint64_t realtime)
{
	struct operation *op = &s->operations[CCD_OP_KICK];
	int64_t phase = -1;

	if (unet_mech_number(m, 2, &phase))
		run_progress(s, phase, m, now, realtime);
	if (!op->active || op->mechanism != mechanism)
		return;
	if (ccd_mech_error_failed(err)) {
		fail_controller(s, CCD_OP_KICK, mechanism, err);
		return;
	}
	if (err == CCD_MECH_ERROR_BUSY)
		op->deadline = now + op->timeout_usec;
	if ((m->code == UNET_CODE_DELAYED && err == CCD_MECH_ERROR_DONE) ||
	    ccd_kick_effective(op->kick, phase))
		succeed(s, CCD_OP_KICK, 0);
}

/* ------------------------------------------------------------ statuses */

/* The operations waiting on a settings status. */
static void settings_status(struct ccd_server *s, const struct ccd_settings_update *u,
			    const struct unet_mech *m, uint64_t now)
{
	uint32_t bit = CCD_SETTING_BIT(u->setting);
	enum ccd_mechanism mechanism = ccd_mechanism_from_mnemonic(m->mnemonic);

	for (int k = 0; k < _CCD_OP_MAX; k++) {
		struct operation *op = &s->operations[k];

		if (!op->active || !(op->waiting & bit))
			continue;
		if (ccd_mech_error_failed(u->err)) {
			/* For StartRun: a BIAS whose exposure could not be 0. */
			fail_controller(s, k, mechanism, u->err);
			continue;
		}
		if (u->err == CCD_MECH_ERROR_BUSY) {
			if (op->restart_on_busy)
				op->deadline = now + op->timeout_usec;
			continue;
		}
		if (m->code != UNET_CODE_DELAYED)
			continue;
		op->waiting &= ~bit;
		if (k == CCD_OP_START_RUN && (op->waiting & WAIT_EXPOSURE_ZERO)) {
			int r;

			op->waiting = WAIT_RUN_START;
			op->deadline = now + op->timeout_usec;
			r = send_run_command(s, op);
			if (r < 0)
				fail(s, k, r == -EBUSY ? CCD_ERROR_BUSY : CCD_ERROR_FAILED, 0,
				     "ccd %s: StartRun: cannot queue %s: %s", s->name,
				     ccd_mechanism_mnemonic(op->mechanism), strerror(-r));
			continue;
		}
		if (op->waiting)
			continue;
		if (k == CCD_OP_SETUP)
			continue;	/* completed with MON, below */
		/* All answered: did they arrive where asked? */
		if (ccd_settings_drift(&s->settings) & op->own)
			fail(s, k, CCD_ERROR_CONTROLLER_ERROR, 0,
			     "ccd %s: %s: the controller completed, but reports other values than asked",
			     s->name, kind_names[k]);
		else
			succeed(s, k, 0);
	}
}

static void setup_progress(struct ccd_server *s)
{
	struct operation *op = &s->operations[CCD_OP_SETUP];

	if (!op->active || op->waiting)
		return;
	if (ccd_settings_drift(&s->settings)) {
		fail(s, CCD_OP_SETUP, CCD_ERROR_CONTROLLER_ERROR, 0,
		     "ccd %s: Setup: the controller completed, but reports other settings than the profile's",
		     s->name);
		return;
	}
	s->initialized = true;
	mark(s, CCD_PROP_INITIALIZED);
	succeed(s, CCD_OP_SETUP, 0);
}

/* CLR, RED, SSH, SYN: the simple actions. */
static void action_status(struct ccd_server *s, enum ccd_operation_kind kind,
			  enum ccd_mechanism mechanism, const struct unet_mech *m, int64_t err,
			  uint64_t now, uint64_t realtime)
{
	struct operation *op = &s->operations[kind];

	if (kind == CCD_OP_SYNC && m->code == UNET_CODE_DELAYED && err == CCD_MECH_ERROR_DONE) {
		s->last_sync = realtime;
		mark(s, CCD_PROP_LAST_SYNC);
	}
	if (!op->active || op->mechanism != mechanism)
		return;
	if (ccd_mech_error_failed(err)) {
		fail_controller(s, kind, mechanism, err);
		return;
	}
	if (err == CCD_MECH_ERROR_BUSY) {
		if (op->restart_on_busy)
			op->deadline = now + op->timeout_usec;
		return;
	}
	if (m->code == UNET_CODE_DELAYED)
		succeed(s, kind, 0);
}

static void shutter_status(struct ccd_server *s, const struct unet_mech *m, int64_t err)
{
	int64_t position;
	bool ok = !ccd_mech_error_failed(err);

	if (unet_mech_number(m, 2, &position) && position >= CCD_SHUTTER_CLOSED &&
	    position <= CCD_SHUTTER_JAMMED && position != s->shutter) {
		s->shutter = position;
		mark(s, CCD_PROP_SHUTTER);
	}
	if (ok != s->shutter_ok) {
		s->shutter_ok = ok;
		mark(s, CCD_PROP_SHUTTER_OK);
	}
}

/* The controller started afresh: everything pending ends. */
static void controller_reset(struct ccd_server *s, uint64_t realtime)
{
	for (int k = 0; k < _CCD_OP_MAX; k++) {
		/* Reset itself succeeded once its RES was acknowledged; an INS
		 * before that ACK still means the reset happened. */
		if (k == CCD_OP_RESET)
			succeed(s, k, 0);
		else
			fail(s, k, CCD_ERROR_CONTROLLER_RESET, 0,
			     "ccd %s: the controller reset (INS)", s->name);
	}
	run_end(s, CCD_RUN_RESET, 0, realtime);
	if (s->initialized) {
		s->initialized = false;
		mark(s, CCD_PROP_INITIALIZED);
	}
	/* It came back with its saved settings: unknown until reported. */
	s->settings.known = 0;
	if (s->ops.controller_reset)
		s->ops.controller_reset(s->userdata);
}

void ccd_server_mechanism(struct ccd_server *s, const char *src, const char *dest,
			  const struct unet_mech *m, uint64_t now, uint64_t realtime)
{
	struct ccd_settings_update update;
	int mechanism = ccd_mechanism_from_mnemonic(m->mnemonic);
	int64_t head, err = 0;

	if (mechanism < 0) {
		s->counters.unknown_mnemonics++;
		return;
	}
	/* From the profile's controller to us; before any profile, the
	 * line's only other end (only its INS means anything then). */
	if (strcmp(dest, s->host_name) != 0 ||
	    (s->have_profile && strcmp(src, s->profile.unet_remote) != 0)) {
		s->counters.foreign++;
		return;
	}
	if (m->code != UNET_CODE_STATUS && m->code != UNET_CODE_DELAYED)
		return;		/* a controller's command to us: none is defined */
	if (ccd_mechanism_has_head(mechanism)) {
		if (!unet_mech_number(m, 0, &head)) {
			s->counters.malformed++;
			return;
		}
		if (s->have_profile && head != s->profile.head_number) {
			s->counters.other_head++;
			return;
		}
	}
	if (mechanism == CCD_MECH_INS) {
		controller_reset(s, realtime);
		flush(s);
		return;
	}
	if (!s->have_profile || mechanism == CCD_MECH_RGA || mechanism == CCD_MECH_RES)
		return;
	if (!unet_mech_number(m, 1, &err) || err < 0) {
		s->counters.malformed++;
		return;
	}

	switch (mechanism) {
	case CCD_MECH_MON: {
		struct operation *op = &s->operations[CCD_OP_SETUP];

		if (op->active && (op->waiting & WAIT_MONITOR)) {
			if (ccd_mech_error_failed(err))
				fail_controller(s, CCD_OP_SETUP, CCD_MECH_MON, err);
			else if (m->code == UNET_CODE_DELAYED)
				op->waiting &= ~WAIT_MONITOR;
		}
		break;
	}
	case CCD_MECH_RSP:
	case CCD_MECH_CSP:
	case CCD_MECH_PFL:
	case CCD_MECH_EXP:
	case CCD_MECH_BIN:
	case CCD_MECH_WIN:
	case CCD_MECH_WEN:
		if (!ccd_settings_apply(&s->settings, mechanism, m, &update)) {
			s->counters.malformed++;
			break;
		}
		if (update.changed || ccd_mech_error_failed(update.err))
			mark_settings(s, CCD_SETTING_BIT(update.setting));
		if (s->operations[CCD_OP_SETUP].active &&
		    (s->operations[CCD_OP_SETUP].waiting & CCD_SETTING_BIT(update.setting)) &&
		    ccd_mech_error_failed(update.err)) {
			char bits[96];

			fail(s, CCD_OP_SETUP, CCD_ERROR_CONTROLLER_ERROR, update.err,
			     "ccd %s: Setup: the controller refuses the profile's %s: %s (0x%02" PRIx64 ")",
			     s->name, ccd_setting_to_string(update.setting),
			     ccd_mech_error_format(update.err, bits, sizeof(bits)),
			     (uint64_t)update.err);
			break;
		}
		settings_status(s, &update, m, now);
		break;
	case CCD_MECH_CLR:
		action_status(s, CCD_OP_CLEAR, mechanism, m, err, now, realtime);
		break;
	case CCD_MECH_RED:
		action_status(s, CCD_OP_READOUT, mechanism, m, err, now, realtime);
		break;
	case CCD_MECH_SSH:
		shutter_status(s, m, err);
		action_status(s, CCD_OP_SHUTTER, mechanism, m, err, now, realtime);
		break;
	case CCD_MECH_SYN:
		action_status(s, CCD_OP_SYNC, mechanism, m, err, now, realtime);
		break;
	case CCD_MECH_PIC:
	case CCD_MECH_DAR:
		run_status(s, mechanism, m, err, now, realtime);
		break;
	case CCD_MECH_PAU:
	case CCD_MECH_CON:
	case CCD_MECH_FIN:
	case CCD_MECH_ABT:
		kick_status(s, mechanism, m, err, now, realtime);
		break;
	default:
		break;
	}
	setup_progress(s);
	flush(s);
}

void ccd_server_delivery(struct ccd_server *s, uint64_t tag, bool delivered, uint64_t now)
{
	for (int k = 0; k < _CCD_OP_MAX; k++) {
		struct operation *op = &s->operations[k];

		if (!op->active || op->id != tag)
			continue;
		if (!delivered) {
			if (k == CCD_OP_START_RUN)
				s->run.result = CCD_RUN_LINK_LOST;
			fail(s, k, CCD_ERROR_LINK_TIMEOUT, 0,
			     "ccd %s: %s: the controller did not acknowledge a message (resend limit reached)",
			     s->name, kind_names[k]);
		} else if (op->waiting & WAIT_DELIVERY) {
			succeed(s, k, 0);
		}
		break;
	}
	flush(s);
}

void ccd_server_tick(struct ccd_server *s, uint64_t now, uint64_t realtime)
{
	for (int k = 0; k < _CCD_OP_MAX; k++) {
		struct operation *op = &s->operations[k];

		if (op->active && now >= op->deadline)
			fail(s, k, CCD_ERROR_TIMEOUT, 0, "ccd %s: %s: no answer from the controller within %" PRIu64 " s",
			     s->name, kind_names[k], op->timeout_usec / USEC_PER_SEC);
	}
	if (s->run.active && !s->run.paused_since && now >= s->run.deadline)
		run_end(s, CCD_RUN_TIMED_OUT, 0, realtime);
	flush(s);
}

uint64_t ccd_server_next_deadline(const struct ccd_server *s)
{
	uint64_t next = UINT64_MAX;

	for (int k = 0; k < _CCD_OP_MAX; k++)
		if (s->operations[k].active && s->operations[k].deadline < next)
			next = s->operations[k].deadline;
	/* A paused run has no deadline until it continues. */
	if (s->run.active && !s->run.paused_since && s->run.deadline < next)
		next = s->run.deadline;
	return next;
}

/* ------------------------------------------------------------ state */

const char *ccd_server_name(const struct ccd_server *s)
{
	return s->name;
}

bool ccd_server_initialized(const struct ccd_server *s)
{
	return s->initialized;
}

const struct ccd_profile *ccd_server_profile(const struct ccd_server *s)
{
	return s->have_profile ? &s->profile : NULL;
}

const struct ccd_settings *ccd_server_settings(const struct ccd_server *s)
{
	return &s->settings;
}

const struct ccd_run *ccd_server_run(const struct ccd_server *s)
{
	return &s->run;
}

int64_t ccd_server_phase(const struct ccd_server *s)
{
	return s->phase;
}

uint32_t ccd_server_elapsed_ms(const struct ccd_server *s)
{
	return s->run.elapsed_ms;
}

enum ccd_shutter_position ccd_server_shutter(const struct ccd_server *s)
{
	return s->shutter;
}

bool ccd_server_shutter_ok(const struct ccd_server *s)
{
	return s->shutter_ok;
}

uint64_t ccd_server_last_sync(const struct ccd_server *s)
{
	return s->last_sync;
}

uint32_t ccd_server_run_number(const struct ccd_server *s)
{
	return s->run_number;
}

void ccd_server_set_run_number(struct ccd_server *s, uint32_t last)
{
	s->run_number = last;
}

const struct ccd_server_counters *ccd_server_counters(const struct ccd_server *s)
{
	return &s->counters;
}

bool ccd_server_pending(const struct ccd_server *s, enum ccd_operation_kind kind)
{
	return (unsigned)kind < _CCD_OP_MAX && s->operations[kind].active;
}
