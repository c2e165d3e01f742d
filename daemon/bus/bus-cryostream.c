// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Cryostream on sd-bus (see bus-cryostream.h).
 *
 * The vtable is built at start from the parameter table of
 * daemon/cryo/cs800-params.c, so a parameter added there is a property
 * here without a second list to keep in step. One generic getter serves
 * them all by name. Commands go through bus-auth, then the encoder's range
 * checks, then the wire; the call stays open in a cryo_pending list until
 * a status packet confirms it or its deadline passes.
 */
#include "daemon/bus/bus-cryostream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/cryo/cryo-history.h"
#include "daemon/cryo/cryo-pending.h"
#include "daemon/cryo/cs800-changes.h"
#include "daemon/cryo/cs800-params.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

/* How late a command may time out: it is a human-scale wait. */
#define COMMAND_TIMER_ACCURACY_USEC (10 * 1000)

struct cryostream_object {
	struct bus_cryostreams *owner;
	struct cryo_controller *controller;
	char *path;
	sd_bus_slot *slot;
	struct cryo_pending *pending;
	struct cryo_history *history;
	sd_event_source *command_timer;
};

struct bus_cryostreams {
	sd_bus *bus;
	struct bus_auth *auth;
	struct cryo_service *service;
	sd_bus_vtable *vtable;
	struct cryostream_object *objects;
	size_t n_objects;
};

static uint64_t realtime_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Counts worth a log line or a signal: 1, 2, 4, 8, ... A controller that
 * keeps misbehaving at 1 Hz stays visible without flooding the journal. */
static bool worth_reporting(uint64_t count)
{
	return count && (count & (count - 1)) == 0;
}

static struct cryostream_object *object_of(struct bus_cryostreams *b,
					   const struct cryo_controller *c)
{
	for (size_t i = 0; i < b->n_objects; i++)
		if (b->objects[i].controller == c)
			return &b->objects[i];
	return NULL;
}

/* "cool to 120.00 K", "turbo on": what a command asked for, for messages. */
static void describe_command(const struct cs800_command *command, char *buf, size_t size)
{
	const struct cs800_command_info *info = cs800_command_info(command->code);
	const char *name = info ? info->name : "command";

	switch (command->code) {
	case CS800_COMMAND_RAMP:
		snprintf(buf, size, "%s at %u K/h to %.2f K", name, command->p1, command->p2 / 100.0);
		break;
	case CS800_COMMAND_PLAT:
		snprintf(buf, size, "%s for %u min", name, command->p1);
		break;
	case CS800_COMMAND_COOL:
		snprintf(buf, size, "%s to %.2f K", name, command->p1 / 100.0);
		break;
	case CS800_COMMAND_END:
		snprintf(buf, size, "%s at %u K/h", name, command->p1);
		break;
	case CS800_COMMAND_TURBO:
	case CS800_COMMAND_RUN_SHIELD:
		snprintf(buf, size, "%s %s", name, command->p1 ? "on" : "off");
		break;
	case CS800_COMMAND_FLOW_INTERRUPT_TIME:
		snprintf(buf, size, "%s %.1f s", name, command->p1 / 10.0);
		break;
	case CS800_COMMAND_IDLE_SHIELD_MODE:
		snprintf(buf, size, "%s %s", name,
			 cs800_idle_shield_mode_to_string(command->p1) ?: "?");
		break;
	case CS800_COMMAND_AUTOFILL_MODE:
		snprintf(buf, size, "%s %s", name, cs800_autofill_mode_to_string(command->p1) ?: "?");
		break;
	case CS800_COMMAND_AUTOFILL_REFILL_LEVEL:
	case CS800_COMMAND_AUTOFILL_STOP_LEVEL:
		snprintf(buf, size, "%s %u %%", name, command->p1);
		break;
	default:
		snprintf(buf, size, "%s", name);
		break;
	}
}

/* ------------------------------------------------------------ commands */

static int rearm_command_timer(struct cryostream_object *o)
{
	uint64_t deadline = cryo_pending_next_deadline(o->pending);
	int r;

	if (deadline == UINT64_MAX)
		return sd_event_source_set_enabled(o->command_timer, SD_EVENT_OFF);
	r = sd_event_source_set_time(o->command_timer, deadline);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(o->command_timer, SD_EVENT_ONESHOT);
}

/* A command's end: reply to the call that is still open. */
static void on_command_done(void *userdata, const struct cs800_command *command,
			    enum cryo_pending_outcome outcome, void *context)
{
	sd_bus_message *m = userdata;
	struct cryostream_object *o = context;
	char what[64];
	int r = 0;

	describe_command(command, what, sizeof(what));
	switch (outcome) {
	case CRYO_PENDING_CONFIRMED:
		log_info("cryostream %s: %s confirmed by a status packet", o->controller->name, what);
		r = sd_bus_reply_method_return(m, NULL);
		break;
	case CRYO_PENDING_TIMED_OUT:
		log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "cryostream %s: %s not confirmed within %" PRIu64 " s",
			  o->controller->name, what,
			  cryo_service_command_timeout_usec(o->owner->service) / 1000000);
		r = sd_bus_reply_method_errorf(m, BUS_ERROR_TIMEOUT,
					       "cryostream %s: no status packet confirmed %s within %" PRIu64 " s",
					       o->controller->name, what,
					       cryo_service_command_timeout_usec(o->owner->service) / 1000000);
		break;
	case CRYO_PENDING_MISSED:
		log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "cryostream %s: %s missed: the controller counted a missed command (parameter 1073)",
			  o->controller->name, what);
		r = sd_bus_reply_method_errorf(m, BUS_ERROR_COMMAND_MISSED,
					       "cryostream %s: the controller counted %s as missed (parameter 1073)",
					       o->controller->name, what);
		break;
	case CRYO_PENDING_CANCELLED:
		break;		/* shutting down: the caller sees the connection go */
	}
	if (r < 0)
		log_error_errno(r, "cryostream %s: cannot answer %s", o->controller->name, what);
	sd_bus_message_unref(m);
}

static int on_command_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct cryostream_object *o = userdata;
	int r;

	cryo_pending_expire(o->pending, cryo_service_now(o->owner->service));
	r = rearm_command_timer(o);
	if (r < 0)
		log_error_errno(r, "cryostream %s: cannot re-arm the command timer",
				o->controller->name);
	return 0;
}

static const struct cs800_command_info *command_by_method(const char *method)
{
	const struct cs800_command_info *commands;
	size_t n;

	commands = cs800_commands(&n);
	for (size_t i = 0; method && i < n; i++)
		if (strcmp(commands[i].method, method) == 0)
			return &commands[i];
	return NULL;
}

/* The wire carries rates as whole K/h: 2.5 is refused, not rounded. */
static int rate_from_double(double rate, unsigned int *ret, struct cs800_command_error *error)
{
	if (!isfinite(rate)) {
		snprintf(error->message, sizeof(error->message), "rate is not a number");
		return -EINVAL;
	}
	if (rate != floor(rate) || rate < 0 || rate > UINT16_MAX) {
		snprintf(error->message, sizeof(error->message),
			 "rate %g K/h is not a whole number of K/h up to %u",
			 rate, CS800_RATE_MAX_K_PER_H);
		return -ERANGE;
	}
	*ret = (unsigned int)rate;
	return 0;
}

/* A mode argument by its name ("auto"), as the interface documents it. */
static int mode_from_name(const char *word, const char *what,
			  const char *(*to_string)(unsigned int), unsigned int *ret,
			  struct cs800_command_error *error)
{
	char names[64] = "";
	size_t used = 0;

	for (unsigned int i = 0; to_string(i); i++) {
		if (strcmp(word, to_string(i)) == 0) {
			*ret = i;
			return 0;
		}
		used += snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
				 to_string(i));
		if (used >= sizeof(names))
			break;
	}
	snprintf(error->message, sizeof(error->message), "%s '%.32s' is not one of %s", what,
		 word, names);
	return -EINVAL;
}

/* The limits for a command with a target: the device's own range, known
 * from a status packet only. */
static int limits_of(const struct cryo_controller *c, struct cs800_limits *ret,
		     sd_bus_error *error)
{
	struct cs800_command_error cerr = {};
	int r;

	const struct cs800_param *min = cs800_param_by_id(1002), *max = cs800_param_by_id(1003);

	if (!c->has_status)
		return sd_bus_error_setf(error, BUS_ERROR_NOT_CONNECTED,
					 "cryostream %s: no status packet received yet, its temperature range is unknown",
					 c->name);
	if (!cs800_param_set_has(&c->received, cs800_param_index(min)) ||
	    !cs800_param_set_has(&c->received, cs800_param_index(max)))
		return sd_bus_error_setf(error, BUS_ERROR_NOT_CONNECTED,
					 "cryostream %s: its status packets have not said its temperature range (parameters 1002 and 1003) yet",
					 c->name);
	r = cs800_limits_from_status(&c->status, ret, &cerr);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "cryostream %s: %s",
					 c->name, cerr.message);
	return 0;
}

/* The arguments of a command method, read by its signature (the vtable's:
 * "", "b", "d", "dd", "q", "s" or "u"). */
struct command_arguments {
	double a, b;
	uint32_t u;
	uint16_t q;
	int on;
	const char *word;
};

static int read_arguments(sd_bus_message *m, struct command_arguments *ret)
{
	const char *signature = sd_bus_message_get_signature(m, true);

	if (!signature || !*signature)
		return 0;
	if (strcmp(signature, "b") == 0)
		return sd_bus_message_read(m, "b", &ret->on);
	if (strcmp(signature, "d") == 0)
		return sd_bus_message_read(m, "d", &ret->a);
	if (strcmp(signature, "dd") == 0)
		return sd_bus_message_read(m, "dd", &ret->a, &ret->b);
	if (strcmp(signature, "q") == 0)
		return sd_bus_message_read(m, "q", &ret->q);
	if (strcmp(signature, "s") == 0)
		return sd_bus_message_read(m, "s", &ret->word);
	if (strcmp(signature, "u") == 0)
		return sd_bus_message_read(m, "u", &ret->u);
	return -EINVAL;
}

/* Read the arguments of the method m names and encode its packet. */
static int encode_from_message(sd_bus_message *m, const struct cryo_controller *c,
			       enum cs800_command_code code, struct cs800_command *ret,
			       sd_bus_error *error)
{
	struct cs800_command_error cerr = {};
	struct command_arguments arg = {};
	struct cs800_limits limits;
	unsigned int rate, mode;
	int r;

	r = read_arguments(m, &arg);
	if (r < 0)
		return r;
	/* A target needs the device's range, known from its packets only. */
	if (code == CS800_COMMAND_RAMP || code == CS800_COMMAND_COOL) {
		r = limits_of(c, &limits, error);
		if (r < 0)
			return r;
	}

	switch (code) {
	case CS800_COMMAND_RAMP:
		r = rate_from_double(arg.a, &rate, &cerr);
		if (r >= 0)
			r = cs800_command_ramp(&limits, rate, arg.b, ret, &cerr);
		break;
	case CS800_COMMAND_PLAT:
		r = cs800_command_plat(arg.u, ret, &cerr);
		break;
	case CS800_COMMAND_COOL:
		r = cs800_command_cool(&limits, arg.a, ret, &cerr);
		break;
	case CS800_COMMAND_END:
		r = rate_from_double(arg.a, &rate, &cerr);
		if (r >= 0)
			r = cs800_command_end(rate, ret, &cerr);
		break;
	case CS800_COMMAND_TURBO:
		r = cs800_command_turbo(arg.on, ret);
		break;
	case CS800_COMMAND_REGEN:
		r = cs800_command_regen(ret);
		break;
	case CS800_COMMAND_FLOW_INTERRUPT_TIME:
		r = cs800_command_flow_interrupt_time(arg.q, ret, &cerr);
		break;
	case CS800_COMMAND_INTERRUPT_FLOW:
		r = cs800_command_interrupt_flow(ret);
		break;
	case CS800_COMMAND_RUN_SHIELD:
		r = cs800_command_run_shield(arg.on, ret);
		break;
	case CS800_COMMAND_IDLE_SHIELD_MODE:
		r = mode_from_name(arg.word, "idle shield flow mode",
				   cs800_idle_shield_mode_to_string, &mode, &cerr);
		if (r >= 0)
			r = cs800_command_idle_shield_mode(mode, ret, &cerr);
		break;
	case CS800_COMMAND_AUTOFILL_MODE:
		r = mode_from_name(arg.word, "autofill mode", cs800_autofill_mode_to_string, &mode,
				   &cerr);
		if (r >= 0)
			r = cs800_command_autofill_mode(mode, ret, &cerr);
		break;
	case CS800_COMMAND_AUTOFILL_REFILL_LEVEL:
		r = cs800_command_autofill_refill_level(arg.q, ret, &cerr);
		break;
	case CS800_COMMAND_AUTOFILL_STOP_LEVEL:
		r = cs800_command_autofill_stop_level(arg.q, ret, &cerr);
		break;
	case CS800_COMMAND_RESTART:
		r = cs800_command_restart(ret);
		break;
	case CS800_COMMAND_HOLD:
		r = cs800_command_hold(ret);
		break;
	case CS800_COMMAND_PURGE:
		r = cs800_command_purge(ret);
		break;
	case CS800_COMMAND_PAUSE:
		r = cs800_command_pause(ret);
		break;
	case CS800_COMMAND_RESUME:
		r = cs800_command_resume(ret);
		break;
	case CS800_COMMAND_STOP:
		r = cs800_command_stop(ret);
		break;
	default:
		r = -EINVAL;
		snprintf(cerr.message, sizeof(cerr.message), "unknown command");
		break;
	}
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "cryostream %s: %s",
					 c->name, cerr.message);
	return 0;
}

/* The caller is authorized: check, send, and wait for the confirmation. */
static int run_command(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct cryostream_object *o = userdata;
	const struct cryo_controller *c = o->controller;
	const struct cs800_command_info *info;
	struct cs800_command command;
	struct sockaddr_in to;
	char what[64], address[INET_ADDRSTRLEN];
	int r;

	info = command_by_method(sd_bus_message_get_member(m));
	if (!info)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_METHOD, "not a command");
	r = encode_from_message(m, c, info->code, &command, error);
	if (r < 0)
		return r;
	if (cryo_pending_count(o->pending) >= CRYO_PENDING_MAX)
		return sd_bus_error_setf(error, BUS_ERROR_BUSY,
					 "cryostream %s: %d commands already wait for confirmation",
					 c->name, CRYO_PENDING_MAX);
	r = cryo_service_command_address(o->owner->service, c, &to);
	if (r == -ENODATA)
		return sd_bus_error_setf(error, BUS_ERROR_NOT_CONNECTED,
					 "cryostream %s: no address configured and no status packet received yet",
					 c->name);
	describe_command(&command, what, sizeof(what));
	r = cryo_service_send(o->owner->service, c, &command);
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "cryostream %s: cannot send %s: %s",
					       c->name, what, strerror(-r));
	log_info("cryostream %s: %s sent to %s:%u for %s", c->name, what,
		 inet_ntop(AF_INET, &to.sin_addr, address, sizeof(address)), ntohs(to.sin_port),
		 sd_bus_message_get_sender(m) ? sd_bus_message_get_sender(m) : "?");

	r = cryo_pending_add(o->pending, &command, &c->status,
			     cryo_service_now(o->owner->service) +
			     cryo_service_command_timeout_usec(o->owner->service),
			     sd_bus_message_ref(m));
	if (r < 0) {
		sd_bus_message_unref(m);
		return sd_bus_error_set_errnof(error, r, "cryostream %s: %s sent, but cannot wait for its confirmation",
					       c->name, what);
	}
	r = rearm_command_timer(o);
	if (r < 0)
		log_error_errno(r, "cryostream %s: cannot arm the command timer", c->name);
	return 1;	/* answered when confirmed or timed out */
}

static int method_command(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct cryostream_object *o = userdata;

	return bus_auth_run_privileged(o->owner->auth, m, BUS_AUTH_ACTION_CRYOSTREAM_COMMAND,
				       (const char *const[]) {
					       BUS_AUTH_DETAIL_DEVICE, o->controller->name, NULL
				       }, run_command, o, error);
}

/* History(u seconds) -> a(tddd): readable by anyone, like the properties. */
static int method_history(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct cryostream_object *o = userdata;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ struct cryo_sample *samples = NULL;
	size_t n = 0;
	uint32_t seconds;
	int r;

	r = sd_bus_message_read(m, "u", &seconds);
	if (r < 0)
		return r;
	r = cryo_history_query(o->history, cryo_service_now(o->owner->service), seconds,
			       &samples, &n);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "(tddd)");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sd_bus_message_append(reply, "(tddd)", samples[i].realtime_usec,
					  samples[i].gas_temperature_k, samples[i].set_point_k,
					  samples[i].gas_flow_l_per_min);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	r = sd_bus_send(NULL, reply, NULL);
	return r < 0 ? r : 1;	/* answered */
}

/* Parameters() -> a{qq}: every (id, value) of the last packet as sent,
 * the ids stationd does not know included. Readable by anyone. */
static int method_parameters(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct cryostream_object *o = userdata;
	const struct cryo_controller *c = o->controller;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(m, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "{qq}");
	for (size_t i = 0; r >= 0 && i < c->n_pairs; i++) {
		const uint8_t *pair = c->pairs + 4 * i;

		r = sd_bus_message_append(reply, "{qq}", (uint16_t)(pair[0] << 8 | pair[1]),
					  (uint16_t)(pair[2] << 8 | pair[3]));
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	r = sd_bus_send(NULL, reply, NULL);
	return r < 0 ? r : 1;	/* answered */
}

/* ---------------------------------------------------------- properties */

/* The enumeration whose name (or, description true, description)
 * property this is. */
static const struct cs800_param *param_by_name_property(const char *property, bool *description)
{
	const struct cs800_param *params;
	size_t n;

	params = cs800_params(&n);
	for (size_t i = 0; i < n; i++) {
		if (params[i].name_property && strcmp(params[i].name_property, property) == 0) {
			*description = false;
			return &params[i];
		}
		if (params[i].description_property &&
		    strcmp(params[i].description_property, property) == 0) {
			*description = true;
			return &params[i];
		}
	}
	return NULL;
}

/* as: the properties of the parameters the last packet did not carry
 * (their values are the last ones received, or 0 if none ever came). */
static int append_stale_properties(sd_bus_message *reply, const struct cryo_controller *c)
{
	const struct cs800_param *params;
	size_t n;
	int r;

	params = cs800_params(&n);
	r = sd_bus_message_open_container(reply, 'a', "s");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (cs800_param_set_has(&c->status.present, i))
			continue;
		r = sd_bus_message_append(reply, "s", params[i].property);
		if (r >= 0 && params[i].name_property)
			r = sd_bus_message_append(reply, "s", params[i].name_property);
		if (r >= 0 && params[i].description_property)
			r = sd_bus_message_append(reply, "s", params[i].description_property);
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

/* a{qt}: per parameter id, the valid packets that lacked it (ids never
 * missed are left out). */
static int append_missing_parameters(sd_bus_message *reply, const struct cryo_controller *c)
{
	const struct cs800_param *params;
	size_t n;
	int r;

	params = cs800_params(&n);
	r = sd_bus_message_open_container(reply, 'a', "{qt}");
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (c->missing[i])
			r = sd_bus_message_append(reply, "{qt}", params[i].id, c->missing[i]);
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static int append_rejected_by_reason(sd_bus_message *reply, const struct cryo_controller *c)
{
	int r;

	r = sd_bus_message_open_container(reply, 'a', "{st}");
	for (int i = 0; r >= 0 && i < _CS800_REJECT_MAX; i++)
		r = sd_bus_message_append(reply, "{st}", cs800_reject_reason_to_string(i),
					  c->rejected_by_reason[i]);
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static int property_get(sd_bus *bus, const char *path, const char *interface,
			const char *property, sd_bus_message *reply, void *userdata,
			sd_bus_error *error)
{
	struct cryostream_object *o = userdata;
	const struct cryo_controller *c = o->controller;
	const struct cs800_param *param;
	struct cs800_value v;
	bool description;

	if (strcmp(property, "Name") == 0)
		return sd_bus_message_append(reply, "s", c->name);
	if (strcmp(property, "Connected") == 0)
		return sd_bus_message_append(reply, "b", (int)c->connected);
	if (strcmp(property, "ControllerNumber") == 0)
		return sd_bus_message_append(reply, "q", c->number);
	if (strcmp(property, "ConfiguredNumber") == 0)
		return sd_bus_message_append(reply, "q", c->configured_number);
	if (strcmp(property, "PacketsReceived") == 0)
		return sd_bus_message_append(reply, "t", c->packets_received);
	if (strcmp(property, "PacketsRejected") == 0)
		return sd_bus_message_append(reply, "t", c->packets_rejected);
	if (strcmp(property, "PacketsRejectedByReason") == 0)
		return append_rejected_by_reason(reply, c);
	if (strcmp(property, "Conflicts") == 0)
		return sd_bus_message_append(reply, "t", c->conflicts);
	if (strcmp(property, CS800_STALE_PROPERTY) == 0)
		return append_stale_properties(reply, c);
	if (strcmp(property, CS800_UNKNOWN_PROPERTY) == 0)
		return sd_bus_message_append(reply, "q", c->status.unknown_parameters);
	if (strcmp(property, "MissingParameters") == 0)
		return append_missing_parameters(reply, c);
	if (strcmp(property, "CommandAddress") == 0) {
		char address[INET_ADDRSTRLEN + 8] = "", host[INET_ADDRSTRLEN];
		struct sockaddr_in to;

		if (cryo_service_command_address(o->owner->service, c, &to) >= 0)
			snprintf(address, sizeof(address), "%s:%u",
				 inet_ntop(AF_INET, &to.sin_addr, host, sizeof(host)),
				 ntohs(to.sin_port));
		return sd_bus_message_append(reply, "s", address);
	}

	param = param_by_name_property(property, &description);
	if (param) {
		const char *name;

		/* Until a packet carried the number, it reads 0, which names
		 * a real state (Ramp, Startup): say nothing rather than that. */
		if (!cs800_param_set_has(&c->received, cs800_param_index(param)))
			return sd_bus_message_append(reply, "s", "");
		cs800_param_get(param, &c->status, &v);
		name = description ? param->to_description(v.q) : param->to_string(v.q);
		return sd_bus_message_append(reply, "s", name ? name : "unknown");
	}
	param = cs800_param_by_property(property);
	if (!param)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
					 "no property %s", property);
	cs800_param_get(param, &c->status, &v);
	switch (v.type) {
	case CS800_VALUE_DOUBLE:
		return sd_bus_message_append(reply, "d", v.d);
	case CS800_VALUE_UINT16:
		return sd_bus_message_append(reply, "q", v.q);
	case CS800_VALUE_BOOLEAN:
		return sd_bus_message_append(reply, "b", (int)v.b);
	}
	return -EINVAL;
}

#define EMITS SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define COMMAND(name) \
	SD_BUS_METHOD(name, "", "", method_command, SD_BUS_VTABLE_UNPRIVILEGED)

/* The fixed part; the parameters' properties follow, then the end. */
static const sd_bus_vtable vtable_head[] = {
	SD_BUS_VTABLE_START(0),
	COMMAND("Restart"),
	SD_BUS_METHOD_WITH_NAMES("Ramp", "dd", SD_BUS_PARAM(rate_k_per_h) SD_BUS_PARAM(target_k),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Plat", "u", SD_BUS_PARAM(minutes),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	COMMAND("Hold"),
	SD_BUS_METHOD_WITH_NAMES("Cool", "d", SD_BUS_PARAM(target_k),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("End", "d", SD_BUS_PARAM(rate_k_per_h),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	COMMAND("Purge"),
	COMMAND("Pause"),
	COMMAND("Resume"),
	COMMAND("Stop"),
	SD_BUS_METHOD_WITH_NAMES("Turbo", "b", SD_BUS_PARAM(on),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	COMMAND("Regen"),
	SD_BUS_METHOD_WITH_NAMES("SetFlowInterruptTime", "q", SD_BUS_PARAM(deciseconds),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	COMMAND("InterruptFlow"),
	SD_BUS_METHOD_WITH_NAMES("RunShield", "b", SD_BUS_PARAM(on),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetIdleShieldFlowMode", "s", SD_BUS_PARAM(mode),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetAutofillMode", "s", SD_BUS_PARAM(mode),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetAutofillRefillLevel", "q", SD_BUS_PARAM(percent),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetAutofillStopLevel", "q", SD_BUS_PARAM(percent),
				 "", , method_command, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Parameters", "", , "a{qq}", SD_BUS_PARAM(parameters),
				 method_parameters, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("History", "u", SD_BUS_PARAM(seconds),
				 "a(tddd)", SD_BUS_PARAM(samples), method_history,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("Fault", "ss", SD_BUS_PARAM(kind) SD_BUS_PARAM(message), 0),
	SD_BUS_PROPERTY("Name", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Connected", "b", property_get, 0, EMITS),
	SD_BUS_PROPERTY("ControllerNumber", "q", property_get, 0, EMITS),
	SD_BUS_PROPERTY("ConfiguredNumber", "q", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	/* Counters move with every packet: read on demand, no signal. */
	SD_BUS_PROPERTY("PacketsReceived", "t", property_get, 0, 0),
	SD_BUS_PROPERTY("PacketsRejected", "t", property_get, 0, 0),
	SD_BUS_PROPERTY("PacketsRejectedByReason", "a{st}", property_get, 0, 0),
	SD_BUS_PROPERTY("Conflicts", "t", property_get, 0, 0),
	SD_BUS_PROPERTY("CommandAddress", "s", property_get, 0, 0),
	SD_BUS_PROPERTY(CS800_STALE_PROPERTY, "as", property_get, 0, EMITS),
	SD_BUS_PROPERTY(CS800_UNKNOWN_PROPERTY, "q", property_get, 0, EMITS),
	SD_BUS_PROPERTY("MissingParameters", "a{qt}", property_get, 0, 0),
};

static const char *signature_of(enum cs800_value_type type)
{
	switch (type) {
	case CS800_VALUE_DOUBLE:
		return "d";
	case CS800_VALUE_UINT16:
		return "q";
	case CS800_VALUE_BOOLEAN:
		return "b";
	}
	return NULL;
}

static int build_vtable(sd_bus_vtable **ret)
{
	const struct cs800_param *params;
	size_t n_params, n = ELEMENTSOF(vtable_head);
	sd_bus_vtable *v;

	params = cs800_params(&n_params);
	v = calloc(ELEMENTSOF(vtable_head) + 3 * n_params + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, vtable_head, sizeof(vtable_head));
	for (size_t i = 0; i < n_params; i++) {
		const struct cs800_param *p = &params[i];

		/* Parameter 1028 is ControllerNumber above: the number in use,
		 * known before the first packet when configured. */
		if (strcmp(p->property, "ControllerNumber") == 0)
			continue;
		v[n++] = (sd_bus_vtable)SD_BUS_PROPERTY(p->property,
							signature_of(cs800_param_value_type(p)),
							property_get, 0, EMITS);
		if (p->name_property)
			v[n++] = (sd_bus_vtable)SD_BUS_PROPERTY(p->name_property, "s",
								property_get, 0, EMITS);
		if (p->description_property)
			v[n++] = (sd_bus_vtable)SD_BUS_PROPERTY(p->description_property, "s",
								property_get, 0, EMITS);
	}
	v[n] = (sd_bus_vtable)SD_BUS_VTABLE_END;
	*ret = v;
	return 0;
}

/* ------------------------------------------------------ link events */

static void emit_fault(struct cryostream_object *o, const char *kind, const char *message)
{
	int r;

	r = sd_bus_emit_signal(o->owner->bus, o->path, BUS_CRYOSTREAM_INTERFACE, "Fault", "ss",
			       kind, message);
	if (r < 0)
		log_error_errno(r, "cryostream %s: cannot emit Fault", o->controller->name);
}

/* The journal priority of each alarm level: information is a notice of
 * normal operation, warnings want attention, errors and fatal alarms
 * stopped or threaten the sample. */
static const int alarm_priority[_CS800_ALARM_LEVEL_MAX] = {
	[CS800_ALARM_LEVEL_NONE] = LOG_INFO,
	[CS800_ALARM_LEVEL_INFORMATION] = LOG_INFO,
	[CS800_ALARM_LEVEL_WARNING] = LOG_WARNING,
	[CS800_ALARM_LEVEL_ERROR] = LOG_ERR,
	[CS800_ALARM_LEVEL_FATAL] = LOG_CRIT,
};

/* A new alarm (code or level): in the journal at the priority of its
 * level, and a Fault signal for errors and fatal alarms. A level the
 * vendor does not define counts as an error. */
static void report_alarm(struct cryostream_object *o, const struct cs800_status *previous)
{
	const struct cryo_controller *c = o->controller;
	const struct cs800_status *s = &c->status;
	unsigned int level = s->alarm_level < _CS800_ALARM_LEVEL_MAX ? s->alarm_level :
			     CS800_ALARM_LEVEL_ERROR;
	const char *name = cs800_alarm_to_string(s->alarm);
	char message[128];

	if (previous ? previous->alarm == s->alarm && previous->alarm_level == s->alarm_level :
	    s->alarm == CS800_ALARM_NONE)
		return;
	if (s->alarm == CS800_ALARM_NONE) {
		if (previous->alarm != CS800_ALARM_NONE)
			log_info("cryostream %s: alarm %u cleared", c->name, previous->alarm);
		return;
	}
	snprintf(message, sizeof(message), "alarm %u (%s): %s", s->alarm,
		 cs800_alarm_level_to_string(s->alarm_level) ?: "unknown level",
		 name ?: "unknown to stationd");
	log_event(alarm_priority[level], level >= CS800_ALARM_LEVEL_ERROR ? LOG_EVENT_FAULT :
		  LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, 0, "cryostream %s: %s",
		  c->name, message);
	if (level >= CS800_ALARM_LEVEL_ERROR)
		emit_fault(o, "alarm", message);
}

static void on_status(struct cryo_controller *c, const struct cs800_status *previous,
		      void *userdata)
{
	struct bus_cryostreams *b = userdata;
	struct cryostream_object *o = object_of(b, c);
	const char *names[CS800_PROPERTIES_MAX + 1];
	struct cryo_sample sample = {
		.realtime_usec = realtime_usec(),
		.gas_temperature_k = c->status.gas_temperature_k,
		.set_point_k = c->status.set_point_k,
		.gas_flow_l_per_min = c->status.gas_flow_l_per_min,
	};
	int r;

	if (!o)
		return;
	if (cs800_changed_properties(previous, &c->status, names) > 0) {
		r = sd_bus_emit_properties_changed_strv(b->bus, o->path, BUS_CRYOSTREAM_INTERFACE,
							(char **)names);
		if (r < 0)
			log_error_errno(r, "cryostream %s: cannot emit PropertiesChanged", c->name);
	}
	report_alarm(o, previous);
	/* The hour plot shows measurements: a packet without the gas
	 * temperature adds no sample (its stale value is no reading). */
	if (cs800_status_has(&c->status, 1051)) {
		r = cryo_history_append(o->history, c->last_packet_usec, &sample);
		if (r < 0)
			log_error_errno(r, "cryostream %s: cannot record the history", c->name);
	}
	if (cryo_pending_status(o->pending, previous, &c->status) > 0) {
		r = rearm_command_timer(o);
		if (r < 0)
			log_error_errno(r, "cryostream %s: cannot re-arm the command timer", c->name);
	}
}

static void on_connection(struct cryo_controller *c, bool connected, void *userdata)
{
	struct bus_cryostreams *b = userdata;
	struct cryostream_object *o = object_of(b, c);
	char message[128], address[INET_ADDRSTRLEN];
	int r;

	if (!o)
		return;
	r = sd_bus_emit_properties_changed(b->bus, o->path, BUS_CRYOSTREAM_INTERFACE,
					   "Connected", NULL);
	if (r < 0)
		log_error_errno(r, "cryostream %s: cannot emit PropertiesChanged", c->name);
	if (connected) {
		log_event(LOG_INFO, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "cryostream %s: connected, controller %u at %s", c->name, c->number,
			  inet_ntop(AF_INET, &c->source.sin_addr, address, sizeof(address)));
		return;
	}
	snprintf(message, sizeof(message), "no status packet for %" PRIu64 " s",
		 (cryo_service_now(b->service) - c->last_packet_usec) / 1000000);
	log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "cryostream %s: disconnected: %s", c->name, message);
	emit_fault(o, "disconnected", message);
}

static void on_conflict(struct cryo_controller *c, uint16_t other_number,
			const struct sockaddr_in *source, void *userdata)
{
	struct bus_cryostreams *b = userdata;
	struct cryostream_object *o = object_of(b, c);
	char message[256], address[INET_ADDRSTRLEN];

	if (!o || !worth_reporting(c->conflicts))
		return;
	snprintf(message, sizeof(message),
		 "controller %u at %s broadcasts too, but %s is configured as the only controller (number 0) and took controller %u; name each by its number (%" PRIu64 " packets so far)",
		 other_number, inet_ntop(AF_INET, &source->sin_addr, address, sizeof(address)),
		 c->name, c->number, c->conflicts);
	log_event(LOG_ERR, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0, "cryostream %s: %s",
		  c->name, message);
	emit_fault(o, "conflict", message);
}

static void on_rejected(struct cryo_controller *c, const struct cs800_decode_error *error,
			const struct sockaddr_in *source, void *userdata)
{
	struct bus_cryostreams *b = userdata;
	const struct cryo_link_counters *counters = cryo_link_counters(cryo_service_link(b->service));
	char why[128], address[INET_ADDRSTRLEN];

	if (!worth_reporting(counters->packets_rejected))
		return;
	cs800_decode_error_format(error, why, sizeof(why));
	log_warning("cryostream%s%s: rejected a packet from %s:%u: %s (%" PRIu64 " rejected so far)",
		    c ? " " : "", c ? c->name : "",
		    inet_ntop(AF_INET, &source->sin_addr, address, sizeof(address)),
		    ntohs(source->sin_port), why, counters->packets_rejected);
}

/* Somebody else sent a packet with c's number: rejected by the link; the
 * 1st, 2nd, 4th ... in the journal and as a Fault. */
static void on_spoofed(struct cryo_controller *c, const struct sockaddr_in *source,
		       void *userdata)
{
	struct bus_cryostreams *b = userdata;
	struct cryostream_object *o = object_of(b, c);
	uint64_t count = c->rejected_by_reason[CS800_REJECT_SOURCE];
	char message[256], from[INET_ADDRSTRLEN], own[INET_ADDRSTRLEN];
	struct in_addr a = c->has_command_address ? c->command_address.sin_addr : c->locked_source;

	if (!o || !worth_reporting(count))
		return;
	inet_ntop(AF_INET, &source->sin_addr, from, sizeof(from));
	inet_ntop(AF_INET, &a, own, sizeof(own));
	snprintf(message, sizeof(message),
		 "a status packet with its number %u came from %s:%u, not from its %s address %s; rejected, not followed (%" PRIu64 " so far)",
		 c->number, from, ntohs(source->sin_port),
		 c->has_command_address ? "configured" : "first", own, count);
	log_event(LOG_ERR, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0, "cryostream %s: %s",
		  c->name, message);
	emit_fault(o, "source", message);
}

/* Every packet of c fails the checksum: perhaps its firmware computes it
 * another way. Once, naming the setting that helps. */
static void on_checksum_failing(struct cryo_controller *c, uint64_t failing_usec, void *userdata)
{
	log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "cryostream %s: every status packet for %" PRIu64 " s failed its checksum (the 16-bit sum of its parameter bytes); if this controller computes it differently, set 'checksum ignore' in the cryostream-link block of stationd.conf(5)",
		  c->name, failing_usec / 1000000);
}

static const struct cryo_link_callbacks link_callbacks = {
	.status = on_status,
	.connection = on_connection,
	.conflict = on_conflict,
	.spoofed = on_spoofed,
	.rejected = on_rejected,
	.checksum_failing = on_checksum_failing,
};

/* ------------------------------------------------------------- set-up */

static int object_init(struct bus_cryostreams *b, struct cryostream_object *o,
		       struct cryo_controller *c)
{
	int r;

	o->owner = b;
	o->controller = c;
	/* Names are [A-Za-z0-9_] (the configuration checks): a path element
	 * as written, not escaped. */
	if (asprintf(&o->path, BUS_CRYOSTREAM_PATH_PREFIX "/%s", c->name) < 0) {
		o->path = NULL;
		return -ENOMEM;
	}
	r = cryo_pending_new(on_command_done, o, &o->pending);
	if (r < 0)
		return r;
	r = cryo_history_new(CRYO_HISTORY_DEFAULT_CAPACITY, CRYO_HISTORY_SPAN_USEC, &o->history);
	if (r < 0)
		return r;
	r = sd_event_add_time(sd_bus_get_event(b->bus), &o->command_timer, CLOCK_MONOTONIC, 0,
			      COMMAND_TIMER_ACCURACY_USEC, on_command_timer, o);
	if (r < 0)
		return r;
	r = sd_event_source_set_enabled(o->command_timer, SD_EVENT_OFF);
	if (r < 0)
		return r;
	r = sd_bus_add_object_vtable(b->bus, &o->slot, o->path, BUS_CRYOSTREAM_INTERFACE,
				     b->vtable, o);
	if (r < 0)
		return r;
	/* The name may be owned already: tell ObjectManager clients. */
	(void)sd_bus_emit_object_added(b->bus, o->path);
	return 0;
}

static void object_done(struct cryostream_object *o)
{
	sd_bus_slot_unref(o->slot);
	sd_event_source_disable_unref(o->command_timer);
	cryo_pending_free(o->pending);
	cryo_history_free(o->history);
	free(o->path);
}

int bus_cryostreams_new(sd_bus *bus, struct bus_auth *auth, struct cryo_service *service,
			struct bus_cryostreams **ret)
{
	struct cryo_link *link = cryo_service_link(service);
	struct bus_cryostreams *b;
	int r;

	if (!sd_bus_get_event(bus))
		return -EINVAL;		/* commands time out on the bus's loop */
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->bus = sd_bus_ref(bus);
	b->auth = auth;
	b->service = service;
	r = build_vtable(&b->vtable);
	if (r < 0)
		goto fail;
	b->objects = calloc(cryo_link_controller_count(link) + 1, sizeof(*b->objects));
	if (!b->objects) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < cryo_link_controller_count(link); i++) {
		r = object_init(b, &b->objects[i], cryo_link_controller(link, i));
		b->n_objects++;
		if (r < 0) {
			log_error_errno(r, "cryostream %s: cannot publish it on the bus",
					cryo_link_controller(link, i)->name);
			goto fail;
		}
	}
	cryo_service_set_callbacks(service, &link_callbacks, b);
	*ret = b;
	return 0;
fail:
	bus_cryostreams_free(b);
	return r;
}

struct bus_cryostreams *bus_cryostreams_free(struct bus_cryostreams *b)
{
	if (!b)
		return NULL;
	if (b->service)
		cryo_service_set_callbacks(b->service, &(struct cryo_link_callbacks){}, NULL);
	for (size_t i = 0; i < b->n_objects; i++)
		object_done(&b->objects[i]);
	free(b->objects);
	free(b->vtable);
	sd_bus_unref(b->bus);
	free(b);
	return NULL;
}
