// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Autofill on sd-bus (see bus-autofill.h). Each method
 * handler only hands the call to bus_auth; the command runs once the
 * caller is authorized: all arguments are read first, then the engine
 * checks everything before it changes anything, so a refused call of any
 * kind (authorization, unpacking, the engine's checks) changes no state.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/bus/bus-autofill.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

/* Room for the engine's messages, which quote the argument they reject. */
#define COMMAND_ERROR_MAX 512

struct bus_autofill {
	sd_bus *bus;
	struct engine *engine;
	struct bus_auth *auth;
	bus_autofill_commit_t commit;
	void *commit_userdata;
	sd_bus_slot *vtable;
	struct engine_global_view published;
};

static int64_t clock_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void strv_freep(char ***strv)
{
	if (!*strv)
		return;
	for (char **s = *strv; *s; s++)
		free(*s);
	free(*strv);
}

/* The engine's verdict as the D-Bus error the interface documents. */
static const char *command_error_name(int r)
{
	switch (r) {
	case -EBUSY:
		return BUS_ERROR_MANUAL_FILL;
	case -EINVAL:
	case -ERANGE:
	case -ENOENT:
		return SD_BUS_ERROR_INVALID_ARGS;
	case -EALREADY:
		return BUS_ERROR_ALREADY_FILLING;
	case -ECANCELED:
		return BUS_ERROR_MAY_NOT_FILL;
	case -ESHUTDOWN:
		return BUS_ERROR_SHUT_DOWN;
	default:
		return NULL;
	}
}

/*
 * Finish a command: refuse it with the engine's message, or make it
 * durable and acknowledge it. Returns what a bus_auth_run_t returns.
 */
static int command_finish(struct bus_autofill *a, sd_bus_message *m, int r, const char *message,
			  sd_bus_error *error)
{
	const char *name;

	if (r < 0) {
		name = command_error_name(r);
		if (!name)
			return sd_bus_error_set_errnof(error, -r, "%s: %s",
						       sd_bus_message_get_member(m), strerror(-r));
		return sd_bus_error_set(error, name, message);
	}
	if (message && *message)
		log_info("%s: %s", sd_bus_message_get_member(m), message);
	if (a->commit) {
		r = a->commit(a->commit_userdata);
		if (r < 0) {
			log_error_errno(r, "%s accepted but not saved to disk",
					sd_bus_message_get_member(m));
			return sd_bus_error_setf(error, BUS_ERROR_NOT_DURABLE,
						 "%s took effect but could not be saved: %s",
						 sd_bus_message_get_member(m), strerror(-r));
		}
	}
	return sd_bus_reply_method_return(m, "");
}

/* The targets-only commands: AVOID, UNAVOID, CANCEL, CLEAR. */
typedef int (*targets_command_t)(struct engine *e, const char *targets, int64_t now_realtime_usec,
				 int64_t now_monotonic_usec, char *error, size_t error_size);

static int run_targets_command(sd_bus_message *m, struct bus_autofill *a, targets_command_t command,
			       sd_bus_error *error)
{
	char message[COMMAND_ERROR_MAX] = "";
	const char *targets;
	int r;

	r = sd_bus_message_read(m, "s", &targets);
	if (r < 0)
		return r;
	r = command(a->engine, targets, clock_usec(CLOCK_REALTIME), clock_usec(CLOCK_MONOTONIC),
		    message, sizeof(message));
	return command_finish(a, m, r, message, error);
}

static int run_avoid(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return run_targets_command(m, userdata, engine_avoid, error);
}

static int run_unavoid(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return run_targets_command(m, userdata, engine_unavoid, error);
}

static int run_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return run_targets_command(m, userdata, engine_cancel, error);
}

static int run_clear(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return run_targets_command(m, userdata, engine_clear, error);
}

static int run_fill(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	char message[COMMAND_ERROR_MAX] = "";
	const char *targets, *at;
	int r;

	r = sd_bus_message_read(m, "ss", &targets, &at);
	if (r < 0)
		return r;
	r = engine_fill(a->engine, targets, at, clock_usec(CLOCK_REALTIME),
			clock_usec(CLOCK_MONOTONIC), message, sizeof(message));
	return command_finish(a, m, r, message, error);
}

static int run_preset(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	_cleanup_(strv_freep) char **times = NULL;
	char message[COMMAND_ERROR_MAX] = "";
	const char *targets, *mode;
	size_t n_times = 0;
	int r;

	r = sd_bus_message_read(m, "s", &targets);
	if (r >= 0)
		r = sd_bus_message_read_strv(m, &times);
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &mode);
	if (r < 0)
		return r;
	while (times && times[n_times])
		n_times++;
	r = engine_preset(a->engine, targets, (const char *const *)times, n_times, mode,
			  clock_usec(CLOCK_REALTIME), clock_usec(CLOCK_MONOTONIC),
			  message, sizeof(message));
	return command_finish(a, m, r, message, error);
}

static int run_delay(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	char message[COMMAND_ERROR_MAX] = "";
	const char *targets;
	uint32_t minutes;
	int r;

	r = sd_bus_message_read(m, "su", &targets, &minutes);
	if (r < 0)
		return r;
	r = engine_delay(a->engine, targets, minutes, clock_usec(CLOCK_REALTIME),
			 clock_usec(CLOCK_MONOTONIC), message, sizeof(message));
	return command_finish(a, m, r, message, error);
}

/*
 * Every method is privileged: bus_auth decides whether the caller may do
 * the operation's polkit action, given the targets (the first argument of
 * every command) as a detail a site rule can scope, then runs the command.
 */
#define PRIVILEGED_METHOD(name, action, run)						\
	static int method_##name(sd_bus_message *m, void *userdata, sd_bus_error *error) \
	{										\
		struct bus_autofill *a = userdata;					\
		const char *targets;							\
		int r;									\
											\
		r = sd_bus_message_read(m, "s", &targets);				\
		if (r < 0)								\
			return r;							\
		return bus_auth_run_privileged(a->auth, m, action,			\
					       (const char *const[]) {			\
						       BUS_AUTH_DETAIL_TARGETS, targets, NULL \
					       }, run, a, error);			\
	}

PRIVILEGED_METHOD(fill, BUS_AUTH_ACTION_FILL, run_fill)
PRIVILEGED_METHOD(preset, BUS_AUTH_ACTION_SCHEDULE, run_preset)
PRIVILEGED_METHOD(delay, BUS_AUTH_ACTION_SCHEDULE, run_delay)
PRIVILEGED_METHOD(cancel, BUS_AUTH_ACTION_SCHEDULE, run_cancel)
PRIVILEGED_METHOD(avoid, BUS_AUTH_ACTION_OVERRIDE, run_avoid)
PRIVILEGED_METHOD(unavoid, BUS_AUTH_ACTION_OVERRIDE, run_unavoid)
PRIVILEGED_METHOD(clear, BUS_AUTH_ACTION_OVERRIDE, run_clear)

static int property_global(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply, void *userdata,
			   sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	struct engine_global_view v;

	engine_global_view(a->engine, &v);
	if (strcmp(property, "State") == 0)
		return sd_bus_message_append(reply, "s", engine_state_to_string(v.state));
	if (strcmp(property, "FillingCount") == 0)
		return sd_bus_message_append(reply, "u", v.filling_count);
	if (strcmp(property, "Alarm") == 0)
		return sd_bus_message_append(reply, "b", (int)v.alarm);
	if (strcmp(property, "Inhibited") == 0)
		return sd_bus_message_append(reply, "b", (int)v.dewar_inhibit);
	return -ENOENT;
}

static int property_detectors(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	const struct station *s = engine_station(a->engine);
	int r;

	r = sd_bus_message_open_container(reply, 'a', "u");
	for (size_t i = 0; r >= 0 && i < s->n_detectors; i++)
		r = sd_bus_message_append(reply, "u", s->detectors[i].number);
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static int property_manifolds(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	struct bus_autofill *a = userdata;
	const struct station *s = engine_station(a->engine);
	int r;

	r = sd_bus_message_open_container(reply, 'a', "s");
	for (size_t i = 0; r >= 0 && i < s->n_manifolds; i++)
		r = sd_bus_message_append(reply, "s", s->manifolds[i].name);
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable autofill_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_NAMES("Fill", "ss", SD_BUS_PARAM(targets) SD_BUS_PARAM(at),
				 "", , method_fill, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Preset", "sass",
				 SD_BUS_PARAM(targets) SD_BUS_PARAM(times) SD_BUS_PARAM(mode),
				 "", , method_preset, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Delay", "su", SD_BUS_PARAM(targets) SD_BUS_PARAM(minutes),
				 "", , method_delay, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Avoid", "s", SD_BUS_PARAM(targets),
				 "", , method_avoid, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Unavoid", "s", SD_BUS_PARAM(targets),
				 "", , method_unavoid, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Cancel", "s", SD_BUS_PARAM(targets),
				 "", , method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Clear", "s", SD_BUS_PARAM(targets),
				 "", , method_clear, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("FillStarted", "ut",
				 SD_BUS_PARAM(detector) SD_BUS_PARAM(at_usec), 0),
	SD_BUS_SIGNAL_WITH_NAMES("FillEnded", "utttsd",
				 SD_BUS_PARAM(detector) SD_BUS_PARAM(start_usec)
				 SD_BUS_PARAM(end_usec) SD_BUS_PARAM(duration_usec)
				 SD_BUS_PARAM(result) SD_BUS_PARAM(lowest_volts), 0),
	SD_BUS_SIGNAL_WITH_NAMES("Fault", "suss",
				 SD_BUS_PARAM(kind) SD_BUS_PARAM(detector)
				 SD_BUS_PARAM(manifold) SD_BUS_PARAM(message), 0),
	SD_BUS_PROPERTY("State", "s", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("FillingCount", "u", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Alarm", "b", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Inhibited", "b", property_global, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Detectors", "au", property_detectors, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Manifolds", "as", property_manifolds, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

int bus_autofill_new(sd_bus *bus, struct engine *engine, struct bus_auth *auth,
		     bus_autofill_commit_t commit, void *commit_userdata,
		     struct bus_autofill **ret)
{
	struct bus_autofill *a;
	int r;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->bus = sd_bus_ref(bus);
	a->engine = engine;
	a->auth = auth;
	a->commit = commit;
	a->commit_userdata = commit_userdata;
	engine_global_view(engine, &a->published);
	r = sd_bus_add_object_vtable(bus, &a->vtable, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE,
				     autofill_vtable, a);
	if (r < 0) {
		bus_autofill_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

struct bus_autofill *bus_autofill_free(struct bus_autofill *a)
{
	if (!a)
		return NULL;
	sd_bus_slot_unref(a->vtable);
	sd_bus_unref(a->bus);
	free(a);
	return NULL;
}

static uint32_t detector_number(const struct bus_autofill *a, uint32_t detector)
{
	const struct station *s = engine_station(a->engine);

	return detector < s->n_detectors ? s->detectors[detector].number : 0;
}

static void emit_failed(int r, const char *what)
{
	if (r < 0)
		log_error_errno(r, "cannot emit %s", what);
}

void bus_autofill_fill_started(struct bus_autofill *a, uint32_t detector, int64_t at_usec)
{
	emit_failed(sd_bus_emit_signal(a->bus, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE,
				       "FillStarted", "ut", detector_number(a, detector),
				       (uint64_t)at_usec),
		    "FillStarted");
}

void bus_autofill_fill_ended(struct bus_autofill *a, uint32_t detector,
			     const struct fill_record *record)
{
	double lowest = record->lowest_mv == FILL_LOWEST_NONE ? NAN : record->lowest_mv / 1000.0;

	emit_failed(sd_bus_emit_signal(a->bus, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE,
				       "FillEnded", "utttsd", detector_number(a, detector),
				       (uint64_t)record->start_usec, (uint64_t)record->end_usec,
				       record->duration_usec, fill_result_to_string(record->result),
				       lowest),
		    "FillEnded");
}

void bus_autofill_fault(struct bus_autofill *a, const struct engine_fault *f)
{
	const struct station *s = engine_station(a->engine);
	uint32_t manifold = f->manifold;
	const char *manifold_name = "";

	/* A detector's fault names its manifold too, as the journal does. */
	if (manifold == ENGINE_NO_INDEX && f->detector < s->n_detectors)
		manifold = s->detectors[f->detector].manifold;
	if (manifold < s->n_manifolds)
		manifold_name = s->manifolds[manifold].name;
	emit_failed(sd_bus_emit_signal(a->bus, BUS_AUTOFILL_PATH, BUS_AUTOFILL_INTERFACE, "Fault",
				       "suss", engine_fault_kind_to_string(f->kind),
				       f->detector == ENGINE_NO_INDEX ? 0 :
				       detector_number(a, f->detector),
				       manifold_name, f->message ? f->message : ""),
		    "Fault");
}

void bus_autofill_global_changed(struct bus_autofill *a)
{
	struct engine_global_view v;
	const char *changed[5];
	size_t n = 0;

	engine_global_view(a->engine, &v);
	if (v.state != a->published.state)
		changed[n++] = "State";
	if (v.filling_count != a->published.filling_count)
		changed[n++] = "FillingCount";
	if (v.alarm != a->published.alarm)
		changed[n++] = "Alarm";
	if (v.dewar_inhibit != a->published.dewar_inhibit)
		changed[n++] = "Inhibited";
	changed[n] = NULL;
	a->published = v;
	if (n > 0)
		emit_failed(sd_bus_emit_properties_changed_strv(a->bus, BUS_AUTOFILL_PATH,
								BUS_AUTOFILL_INTERFACE,
								(char **)changed),
			    "PropertiesChanged of the autofill");
}
