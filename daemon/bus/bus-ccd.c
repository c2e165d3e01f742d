// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Ccd on sd-bus (see bus-ccd.h).
 *
 * A method call goes through bus-auth, reads its arguments, starts the
 * operation on the SCCD server and keeps a reference to the call under the
 * operation's id; the server's operation_done answers it. Refusals that
 * need no controller (bad arguments, NotInitialized, AlreadyThere, ...)
 * are answered at once, and nothing is sent on the line for them.
 */
#include "daemon/bus/bus-ccd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ccd/ccd-speed.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

struct pending_call {
	uint64_t id;
	sd_bus_message *message;
};

struct ccd_object {
	struct bus_ccds *owner;
	struct ccd_unit *unit;
	char *path;
	sd_bus_slot *slot;
	struct pending_call pending[_CCD_OP_MAX];
};

struct bus_ccds {
	sd_bus *bus;
	struct bus_auth *auth;
	struct ccd_service *service;
	struct ccd_object *objects;
	size_t n_objects;
};

const char *bus_ccd_error_name(enum ccd_error error)
{
	switch (error) {
	case CCD_ERROR_NOT_INITIALIZED:
		return BUS_CCD_ERROR_NOT_INITIALIZED;
	case CCD_ERROR_ALREADY_THERE:
		return BUS_CCD_ERROR_ALREADY_THERE;
	case CCD_ERROR_WRONG_STATE:
		return BUS_CCD_ERROR_WRONG_STATE;
	case CCD_ERROR_BUSY:
		return BUS_CCD_ERROR_BUSY;
	case CCD_ERROR_LINK_TIMEOUT:
		return BUS_CCD_ERROR_LINK_TIMEOUT;
	case CCD_ERROR_CONTROLLER_RESET:
		return BUS_CCD_ERROR_CONTROLLER_RESET;
	case CCD_ERROR_TIMEOUT:
		return BUS_CCD_ERROR_TIMEOUT;
	case CCD_ERROR_CONTROLLER_ERROR:
		return BUS_CCD_ERROR_CONTROLLER_ERROR;
	case CCD_ERROR_INVALID_ARGS:
		return SD_BUS_ERROR_INVALID_ARGS;
	case CCD_OK:
	case CCD_ERROR_FAILED:
	default:
		return SD_BUS_ERROR_FAILED;
	}
}

static struct ccd_object *object_of(struct bus_ccds *b, const struct ccd_unit *u)
{
	for (size_t i = 0; i < b->n_objects; i++)
		if (b->objects[i].unit == u)
			return &b->objects[i];
	return NULL;
}

/* ------------------------------------------------------------ methods */

/* The operation started (r >= 0, id) or was refused (result). */
static int started(struct ccd_object *o, sd_bus_message *m, int r, uint64_t id,
		   const struct ccd_result *result, sd_bus_error *error)
{
	struct pending_call *slot = NULL;

	if (r < 0)
		return sd_bus_error_set(error, bus_ccd_error_name(result->error), result->message);
	for (size_t i = 0; i < ELEMENTSOF(o->pending); i++)
		if (!o->pending[i].message) {
			slot = &o->pending[i];
			break;
		}
	/* One operation of each kind at a time: a slot is always free. */
	if (slot) {
		slot->id = id;
		slot->message = sd_bus_message_ref(m);
	}
	ccd_unit_rearm(o->unit);
	return 1;
}

static int run_operation(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ccd_object *o = userdata;
	struct ccd_server *s = ccd_unit_server(o->unit);
	const char *member = sd_bus_message_get_member(m);
	struct ccd_result result = {};
	uint64_t id = 0, now = ccd_now();
	int r;

	if (strcmp(member, "Setup") == 0) {
		struct ccd_profile *profile;
		char message[512];
		const char *name;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		profile = malloc(sizeof(*profile));
		if (!profile)
			return -ENOMEM;
		r = ccd_unit_load_profile(o->unit, name, profile, message, sizeof(message));
		if (r < 0) {
			free(profile);
			return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, message);
		}
		r = ccd_server_setup(s, profile, now, &id, &result);
		free(profile);
	} else if (strcmp(member, "SetFormat") == 0) {
		struct ccd_format f = {};
		int enabled, valid[2];

		r = sd_bus_message_read(m, "uub(buuuu)(buuuu)", &f.bin_x, &f.bin_y, &enabled,
					&valid[0], &f.window[0].x1, &f.window[0].y1, &f.window[0].x2,
					&f.window[0].y2, &valid[1], &f.window[1].x1, &f.window[1].y1,
					&f.window[1].x2, &f.window[1].y2);
		if (r < 0)
			return r;
		f.windows_enabled = enabled;
		f.window[0].valid = valid[0];
		f.window[1].valid = valid[1];
		r = ccd_server_set_format(s, &f, now, &id, &result);
	} else if (strcmp(member, "SetReadoutSpeed") == 0 || strcmp(member, "SetClearSpeed") == 0) {
		bool readout = member[3] == 'R';
		const char *name;
		int speed;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		speed = readout ? ccd_readout_speed_from_string(name, strlen(name)) :
				  ccd_clear_speed_from_string(name, strlen(name));
		if (speed < 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
						 "ccd %s: '%s' is not %s", ccd_unit_name(o->unit), name,
						 readout ? "SLOW, STANDARD or FAST" : "QUICK or NORMAL");
		r = readout ? ccd_server_set_readout_speed(s, speed, now, &id, &result) :
			      ccd_server_set_clear_speed(s, speed, now, &id, &result);
	} else if (strcmp(member, "SetPreflash") == 0 || strcmp(member, "SetExposureTime") == 0) {
		uint32_t ms;

		r = sd_bus_message_read(m, "u", &ms);
		if (r < 0)
			return r;
		r = member[3] == 'P' ? ccd_server_set_preflash(s, ms, now, &id, &result) :
				       ccd_server_set_exposure(s, ms, now, &id, &result);
	} else if (strcmp(member, "Clear") == 0) {
		r = ccd_server_clear(s, now, &id, &result);
	} else if (strcmp(member, "Readout") == 0) {
		r = ccd_server_readout(s, now, &id, &result);
	} else if (strcmp(member, "StartRun") == 0) {
		const char *type, *title;
		int t;

		r = sd_bus_message_read(m, "ss", &type, &title);
		if (r < 0)
			return r;
		t = ccd_run_type_from_string(type);
		if (t < 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
						 "ccd %s: '%s' is not a run type (RUN ARC FLAT SKY FLASH BIAS DARK GLANCE SCRATCH)",
						 ccd_unit_name(o->unit), type);
		r = ccd_server_start_run(s, t, title, now, ccd_realtime(), &id, &result);
	} else if (strcmp(member, "Pause") == 0) {
		r = ccd_server_kick(s, CCD_KICK_PAUSE, now, &id, &result);
	} else if (strcmp(member, "Continue") == 0) {
		r = ccd_server_kick(s, CCD_KICK_CONTINUE, now, &id, &result);
	} else if (strcmp(member, "Finish") == 0) {
		r = ccd_server_kick(s, CCD_KICK_FINISH, now, &id, &result);
	} else if (strcmp(member, "Abort") == 0) {
		r = ccd_server_kick(s, CCD_KICK_ABORT, now, &id, &result);
	} else if (strcmp(member, "MoveShutter") == 0) {
		const char *name;
		int move;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		move = ccd_shutter_move_from_string(name);
		if (move < 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
						 "ccd %s: '%s' is not open, close or unjam",
						 ccd_unit_name(o->unit), name);
		r = ccd_server_move_shutter(s, move, now, &id, &result);
	} else if (strcmp(member, "SyncClock") == 0) {
		r = ccd_server_sync_clock(s, now, &id, &result);
	} else if (strcmp(member, "Reset") == 0) {
		r = ccd_server_reset(s, now, &id, &result);
	} else {
		return sd_bus_error_set(error, SD_BUS_ERROR_UNKNOWN_METHOD, member);
	}
	return started(o, m, r, id, &result, error);
}

static int method_operation(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ccd_object *o = userdata;

	return bus_auth_run_privileged(o->owner->auth, m, BUS_AUTH_ACTION_CCD_CONTROL,
				       (const char *const[]) {
					       BUS_AUTH_DETAIL_DEVICE, ccd_unit_name(o->unit), NULL
				       }, run_operation, o, error);
}

static void on_operation_done(struct ccd_unit *u, uint64_t id, enum ccd_operation_kind kind,
			      const struct ccd_result *result, void *userdata)
{
	struct ccd_object *o = object_of(userdata, u);
	int r;

	if (!o)
		return;
	for (size_t i = 0; i < ELEMENTSOF(o->pending); i++) {
		struct pending_call *p = &o->pending[i];

		if (!p->message || p->id != id)
			continue;
		if (result->error != CCD_OK)
			r = sd_bus_reply_method_errorf(p->message, bus_ccd_error_name(result->error),
						       "%s", result->message);
		else if (kind == CCD_OP_START_RUN)
			r = sd_bus_reply_method_return(p->message, "u", result->run_number);
		else
			r = sd_bus_reply_method_return(p->message, NULL);
		if (r < 0)
			log_error_errno(r, "ccd %s: cannot answer %s", ccd_unit_name(u),
					ccd_operation_kind_to_string(kind));
		p->message = sd_bus_message_unref(p->message);
		break;
	}
}

/* ---------------------------------------------------------- properties */

static int append_window(sd_bus_message *reply, const struct ccd_window *w)
{
	return sd_bus_message_append(reply, "(buuuu)", (int)w->valid, w->x1, w->y1, w->x2, w->y2);
}

static int property_get(sd_bus *bus, const char *path, const char *interface,
			const char *property, sd_bus_message *reply, void *userdata,
			sd_bus_error *error)
{
	struct ccd_object *o = userdata;
	struct ccd_server *s = ccd_unit_server(o->unit);
	const struct ccd_setting_values *v = &ccd_server_settings(s)->current;
	const struct ccd_profile *profile = ccd_server_profile(s);
	const struct ccd_run *run = ccd_server_run(s);
	struct ccd_unit_counters k;
	const char *text;
	int r;

	if (strcmp(property, "Name") == 0)
		return sd_bus_message_append(reply, "s", ccd_unit_name(o->unit));
	if (strcmp(property, "Initialized") == 0)
		return sd_bus_message_append(reply, "b", (int)ccd_server_initialized(s));
	if (strcmp(property, "Profile") == 0)
		return sd_bus_message_append(reply, "s", profile ? profile->ccd_name : "");
	if (strcmp(property, "Link") == 0)
		return sd_bus_message_append(reply, "s",
					     ccd_link_state_to_string(ccd_unit_link_state(o->unit)));
	if (strcmp(property, "Format") == 0) {
		r = sd_bus_message_open_container(reply, 'r', "uub(buuuu)(buuuu)");
		if (r >= 0)
			r = sd_bus_message_append(reply, "uub", v->format.bin_x, v->format.bin_y,
						  (int)v->format.windows_enabled);
		if (r >= 0)
			r = append_window(reply, &v->format.window[0]);
		if (r >= 0)
			r = append_window(reply, &v->format.window[1]);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		return r;
	}
	if (strcmp(property, "ReadoutSpeed") == 0) {
		text = profile ? ccd_readout_speed_to_string((int)v->readout_speed) : NULL;
		return sd_bus_message_append(reply, "s", text ? text : "");
	}
	if (strcmp(property, "ClearSpeed") == 0) {
		text = profile ? ccd_clear_speed_to_string((int)v->clear_speed) : NULL;
		return sd_bus_message_append(reply, "s", text ? text : "");
	}
	if (strcmp(property, "Preflash") == 0)
		return sd_bus_message_append(reply, "u", v->preflash_ms);
	if (strcmp(property, "ExposureTime") == 0)
		return sd_bus_message_append(reply, "u", v->exposure_ms);
	if (strcmp(property, "Phase") == 0)
		return sd_bus_message_append(reply, "(us)", (uint32_t)ccd_server_phase(s),
					     ccd_phase_to_string(ccd_server_phase(s)));
	if (strcmp(property, "ElapsedTime") == 0)
		return sd_bus_message_append(reply, "u", ccd_server_elapsed_ms(s));
	if (strcmp(property, "Shutter") == 0)
		return sd_bus_message_append(reply, "s",
					     ccd_shutter_position_to_string(ccd_server_shutter(s)));
	if (strcmp(property, "ShutterOk") == 0)
		return sd_bus_message_append(reply, "b", (int)ccd_server_shutter_ok(s));
	if (strcmp(property, "RunNumber") == 0)
		return sd_bus_message_append(reply, "u", ccd_server_run_number(s));
	if (strcmp(property, "RunType") == 0)
		return sd_bus_message_append(reply, "s", run->title[0] ?
					     ccd_run_type_to_string(run->type) : "");
	if (strcmp(property, "Title") == 0)
		return sd_bus_message_append(reply, "s", run->title);
	if (strcmp(property, "LastSync") == 0)
		return sd_bus_message_append(reply, "t", ccd_server_last_sync(s));
	if (strcmp(property, "LastFile") == 0)
		return sd_bus_message_append(reply, "s", ccd_unit_last_file(o->unit));

	ccd_unit_counters(o->unit, &k);
	if (strcmp(property, "ShortMsg") == 0)
		return sd_bus_message_append(reply, "t", k.short_messages);
	if (strcmp(property, "LongMsg") == 0)
		return sd_bus_message_append(reply, "t", k.long_messages);
	if (strcmp(property, "Resend") == 0)
		return sd_bus_message_append(reply, "t", k.resend);
	if (strcmp(property, "Duplicates") == 0)
		return sd_bus_message_append(reply, "t", k.duplicates);
	if (strcmp(property, "Nacks") == 0)
		return sd_bus_message_append(reply, "t", k.nacks);
	if (strcmp(property, "UnknownMnemonics") == 0)
		return sd_bus_message_append(reply, "t", k.unknown_mnemonics);
	if (strcmp(property, "Retransmissions") == 0)
		return sd_bus_message_append(reply, "t", k.retransmissions);
	if (strcmp(property, "TimeRequests") == 0)
		return sd_bus_message_append(reply, "t", k.time_requests);
	if (strcmp(property, "RejectedFrames") == 0)
		return sd_bus_message_append(reply, "t", k.rejected_frames);
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "no property %s", property);
}

#define EMITS SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define OPERATION(name) \
	SD_BUS_METHOD(name, "", "", method_operation, SD_BUS_VTABLE_UNPRIVILEGED)
#define COUNTER(name) SD_BUS_PROPERTY(name, "t", property_get, 0, 0)

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_NAMES("Setup", "s", SD_BUS_PARAM(profile), "", , method_operation,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetFormat", "uub(buuuu)(buuuu)",
				 SD_BUS_PARAM(bin_x) SD_BUS_PARAM(bin_y) SD_BUS_PARAM(windows_enabled)
				 SD_BUS_PARAM(window1) SD_BUS_PARAM(window2), "", ,
				 method_operation, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetReadoutSpeed", "s", SD_BUS_PARAM(speed), "", ,
				 method_operation, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetClearSpeed", "s", SD_BUS_PARAM(speed), "", ,
				 method_operation, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetPreflash", "u", SD_BUS_PARAM(milliseconds), "", ,
				 method_operation, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetExposureTime", "u", SD_BUS_PARAM(milliseconds), "", ,
				 method_operation, SD_BUS_VTABLE_UNPRIVILEGED),
	OPERATION("Clear"),
	OPERATION("Readout"),
	SD_BUS_METHOD_WITH_NAMES("StartRun", "ss", SD_BUS_PARAM(type) SD_BUS_PARAM(title), "u",
				 SD_BUS_PARAM(run_number), method_operation,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	OPERATION("Pause"),
	OPERATION("Continue"),
	OPERATION("Finish"),
	OPERATION("Abort"),
	SD_BUS_METHOD_WITH_NAMES("MoveShutter", "s", SD_BUS_PARAM(move), "", , method_operation,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	OPERATION("SyncClock"),
	OPERATION("Reset"),
	SD_BUS_SIGNAL_WITH_NAMES("RunStarted", "uss",
				 SD_BUS_PARAM(run_number) SD_BUS_PARAM(type) SD_BUS_PARAM(title), 0),
	SD_BUS_SIGNAL_WITH_NAMES("RunEnded", "sus",
				 SD_BUS_PARAM(result) SD_BUS_PARAM(elapsed_ms) SD_BUS_PARAM(file), 0),
	SD_BUS_SIGNAL("ControllerReset", "", 0),
	SD_BUS_PROPERTY("Name", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Initialized", "b", property_get, 0, EMITS),
	SD_BUS_PROPERTY("Profile", "s", property_get, 0, EMITS),
	SD_BUS_PROPERTY("Link", "s", property_get, 0, EMITS),
	SD_BUS_PROPERTY("Format", "(uub(buuuu)(buuuu))", property_get, 0, EMITS),
	SD_BUS_PROPERTY("ReadoutSpeed", "s", property_get, 0, EMITS),
	SD_BUS_PROPERTY("ClearSpeed", "s", property_get, 0, EMITS),
	SD_BUS_PROPERTY("Preflash", "u", property_get, 0, EMITS),
	SD_BUS_PROPERTY("ExposureTime", "u", property_get, 0, EMITS),
	SD_BUS_PROPERTY("Phase", "(us)", property_get, 0, EMITS),
	SD_BUS_PROPERTY("ElapsedTime", "u", property_get, 0, EMITS),
	SD_BUS_PROPERTY("Shutter", "s", property_get, 0, EMITS),
	SD_BUS_PROPERTY("ShutterOk", "b", property_get, 0, EMITS),
	SD_BUS_PROPERTY("RunNumber", "u", property_get, 0, EMITS),
	SD_BUS_PROPERTY("RunType", "s", property_get, 0, EMITS),
	SD_BUS_PROPERTY("Title", "s", property_get, 0, EMITS),
	SD_BUS_PROPERTY("LastSync", "t", property_get, 0, EMITS),
	SD_BUS_PROPERTY("LastFile", "s", property_get, 0, EMITS),
	/* Counters move with the line's traffic: read on demand, no signal. */
	COUNTER("ShortMsg"),
	COUNTER("LongMsg"),
	COUNTER("Resend"),
	COUNTER("Duplicates"),
	COUNTER("Nacks"),
	COUNTER("UnknownMnemonics"),
	COUNTER("Retransmissions"),
	COUNTER("TimeRequests"),
	COUNTER("RejectedFrames"),
	SD_BUS_VTABLE_END,
};

/* ------------------------------------------------------ service events */

static void on_properties_changed(struct ccd_unit *u, uint32_t mask, void *userdata)
{
	static const char *const names[] = {
		[CCD_PROP_INITIALIZED] = "Initialized",
		[CCD_PROP_PROFILE] = "Profile",
		[CCD_PROP_FORMAT] = "Format",
		[CCD_PROP_READOUT_SPEED] = "ReadoutSpeed",
		[CCD_PROP_CLEAR_SPEED] = "ClearSpeed",
		[CCD_PROP_PREFLASH] = "Preflash",
		[CCD_PROP_EXPOSURE_TIME] = "ExposureTime",
		[CCD_PROP_PHASE] = "Phase",
		[CCD_PROP_ELAPSED_TIME] = "ElapsedTime",
		[CCD_PROP_SHUTTER] = "Shutter",
		[CCD_PROP_SHUTTER_OK] = "ShutterOk",
		[CCD_PROP_RUN_NUMBER] = "RunNumber",
		[CCD_PROP_RUN_TYPE] = "RunType",
		[CCD_PROP_TITLE] = "Title",
		[CCD_PROP_LAST_SYNC] = "LastSync",
	};
	struct bus_ccds *b = userdata;
	struct ccd_object *o = object_of(b, u);
	const char *changed[ELEMENTSOF(names) + 2];
	size_t n = 0;
	int r;

	if (!o)
		return;
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (mask & (1u << i))
			changed[n++] = names[i];
	if (mask & CCD_SERVICE_PROP_LINK)
		changed[n++] = "Link";
	changed[n] = NULL;
	if (!n)
		return;
	r = sd_bus_emit_properties_changed_strv(b->bus, o->path, BUS_CCD_INTERFACE,
						(char **)changed);
	if (r < 0)
		log_error_errno(r, "ccd %s: cannot emit PropertiesChanged", ccd_unit_name(u));
}

static void on_run_started(struct ccd_unit *u, const struct ccd_run *run, void *userdata)
{
	struct bus_ccds *b = userdata;
	struct ccd_object *o = object_of(b, u);
	int r;

	if (!o)
		return;
	r = sd_bus_emit_signal(b->bus, o->path, BUS_CCD_INTERFACE, "RunStarted", "uss",
			       run->number, ccd_run_type_to_string(run->type), run->title);
	if (r < 0)
		log_error_errno(r, "ccd %s: cannot emit RunStarted", ccd_unit_name(u));
}

static void on_run_ended(struct ccd_unit *u, const struct ccd_run *run, const char *file,
			 void *userdata)
{
	struct bus_ccds *b = userdata;
	struct ccd_object *o = object_of(b, u);
	int r;

	if (!o)
		return;
	if (file[0])
		(void)sd_bus_emit_properties_changed(b->bus, o->path, BUS_CCD_INTERFACE, "LastFile",
						     NULL);
	r = sd_bus_emit_signal(b->bus, o->path, BUS_CCD_INTERFACE, "RunEnded", "sus",
			       ccd_run_result_to_string(run->result), run->elapsed_ms, file);
	if (r < 0)
		log_error_errno(r, "ccd %s: cannot emit RunEnded", ccd_unit_name(u));
}

static void on_controller_reset(struct ccd_unit *u, void *userdata)
{
	struct bus_ccds *b = userdata;
	struct ccd_object *o = object_of(b, u);
	int r;

	if (!o)
		return;
	r = sd_bus_emit_signal(b->bus, o->path, BUS_CCD_INTERFACE, "ControllerReset", "");
	if (r < 0)
		log_error_errno(r, "ccd %s: cannot emit ControllerReset", ccd_unit_name(u));
}

static const struct ccd_service_callbacks service_callbacks = {
	.operation_done = on_operation_done,
	.properties_changed = on_properties_changed,
	.run_started = on_run_started,
	.run_ended = on_run_ended,
	.controller_reset = on_controller_reset,
};

/* ------------------------------------------------------------- set-up */

int bus_ccds_new(sd_bus *bus, struct bus_auth *auth, struct ccd_service *service,
		 struct bus_ccds **ret)
{
	struct bus_ccds *b;
	int r;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->bus = sd_bus_ref(bus);
	b->auth = auth;
	b->service = service;
	b->objects = calloc(ccd_service_count(service) + 1, sizeof(*b->objects));
	if (!b->objects) {
		bus_ccds_free(b);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ccd_service_count(service); i++) {
		struct ccd_object *o = &b->objects[i];

		o->owner = b;
		o->unit = ccd_service_unit(service, i);
		b->n_objects++;
		/* Names are [A-Za-z0-9_] (the configuration checks). */
		if (asprintf(&o->path, BUS_CCD_PATH_PREFIX "/%s", ccd_unit_name(o->unit)) < 0) {
			o->path = NULL;
			bus_ccds_free(b);
			return -ENOMEM;
		}
		r = sd_bus_add_object_vtable(bus, &o->slot, o->path, BUS_CCD_INTERFACE, vtable, o);
		if (r < 0) {
			log_error_errno(r, "ccd %s: cannot publish it on the bus",
					ccd_unit_name(o->unit));
			bus_ccds_free(b);
			return r;
		}
		(void)sd_bus_emit_object_added(bus, o->path);
	}
	ccd_service_set_callbacks(service, &service_callbacks, b);
	*ret = b;
	return 0;
}

struct bus_ccds *bus_ccds_free(struct bus_ccds *b)
{
	if (!b)
		return NULL;
	if (b->service)
		ccd_service_set_callbacks(b->service, NULL, NULL);
	for (size_t i = 0; i < b->n_objects; i++) {
		struct ccd_object *o = &b->objects[i];

		for (size_t k = 0; k < ELEMENTSOF(o->pending); k++)
			sd_bus_message_unref(o->pending[k].message);
		sd_bus_slot_unref(o->slot);
		free(o->path);
	}
	free(b->objects);
	sd_bus_unref(b->bus);
	free(b);
	return NULL;
}
