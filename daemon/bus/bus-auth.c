// SPDX-License-Identifier: GPL-2.0
/*
 * Authorization of privileged methods (see bus-auth.h). One question at a
 * time per call, each an asynchronous method call whose reply continues
 * the decision:
 *
 *   GetConnectionCredentials(sender)   the bus driver: uid, groups, pid
 *     uid 0                          -> allowed
 *     else CheckAuthorization(...)     polkit: the call's action, details
 *       authorized                   -> allowed
 *       challenge                    -> InteractiveAuthorizationRequired
 *       no polkitd on the bus        -> allowed iff in the operator group
 *       otherwise                    -> AccessDenied
 *
 * The credentials come from the bus driver, not from the message, so a
 * caller cannot claim another's identity. "No polkitd" means the bus said
 * the name has no owner and cannot be activated: an installed polkitd that
 * fails to answer refuses the call rather than falling back, so a broken
 * polkit never widens access.
 *
 * An allowed call runs, then leaves its audit entry (bus-auth.h).
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <systemd/sd-login.h>

#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-message-text.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
/* CheckAuthorization flag: polkit may ask the user to authenticate. */
#define POLKIT_ALLOW_USER_INTERACTION 1u
/* An authentication dialog may take a while: polkit's own limit applies. */
#define POLKIT_TIMEOUT_USEC (UINT64_C(300) * 1000000)
/* Credentials of the last few callers, by unique name. */
#define CREDENTIALS_CACHE_SIZE 16
#define UNIQUE_NAME_MAX 64
/* The arguments in the audit entry: a Preset of 4 times to "all" fits. */
#define AUDIT_ARGUMENTS_MAX 512

/*
 * A unique name is never reused during a bus's lifetime, and a
 * connection's uid and groups are fixed when it connects, so what the bus
 * driver said about a name stays true: a client calling again is not
 * asked about twice. A small ring bounds the memory.
 */
struct cached_credentials {
	char sender[UNIQUE_NAME_MAX];	/* "" = unused */
	uid_t uid;
	pid_t pid;			/* 0: the bus driver did not say */
	gid_t *gids;
	size_t n_gids;
};

struct bus_auth {
	sd_bus *bus;
	struct cached_credentials cache[CREDENTIALS_CACHE_SIZE];
	unsigned cache_next;		/* the slot to replace next */
	char *operator_group;		/* NULL: none configured */
	bool has_operator_group;	/* ... and it exists */
	gid_t operator_gid;
	struct auth_request *requests;	/* pending, doubly linked */
};

/* One privileged call waiting for an answer. */
struct auth_request {
	struct bus_auth *auth;
	sd_bus_message *call;
	bus_auth_run_t run;
	void *userdata;
	sd_bus_slot *slot;		/* the question being asked */
	char *action;
	char **details;			/* key, value, ..., NULL; "method" first */
	uid_t uid;
	pid_t pid;
	gid_t *gids;
	size_t n_gids;
	bool test;			/* bus_auth_test(): answer, do not run */
	struct auth_request *prev, *next;
};

int bus_auth_new(sd_bus *bus, const char *operator_group, struct bus_auth **ret)
{
	struct bus_auth *a;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->bus = sd_bus_ref(bus);
	if (operator_group && *operator_group) {
		/* Resolved once: NSS lookups may block, the event loop must not. */
		struct group *g;

		a->operator_group = strdup(operator_group);
		if (!a->operator_group) {
			bus_auth_free(a);
			return -ENOMEM;
		}
		errno = 0;
		g = getgrnam(operator_group);
		if (g) {
			a->has_operator_group = true;
			a->operator_gid = g->gr_gid;
		} else {
			log_warning("operator group \"%s\" %s: only uid 0%s may intervene",
				    operator_group, errno ? strerror(errno) : "does not exist",
				    " (or polkit, where it runs)");
		}
	}
	*ret = a;
	return 0;
}

static void request_free(struct auth_request *r)
{
	struct bus_auth *a = r->auth;

	if (r->prev)
		r->prev->next = r->next;
	else
		a->requests = r->next;
	if (r->next)
		r->next->prev = r->prev;
	sd_bus_slot_unref(r->slot);
	sd_bus_message_unref(r->call);
	for (char **d = r->details; d && *d; d++)
		free(*d);
	free(r->details);
	free(r->action);
	free(r->gids);
	free(r);
}

struct bus_auth *bus_auth_free(struct bus_auth *a)
{
	if (!a)
		return NULL;
	while (a->requests)
		request_free(a->requests);
	for (unsigned i = 0; i < CREDENTIALS_CACHE_SIZE; i++)
		free(a->cache[i].gids);
	sd_bus_unref(a->bus);
	free(a->operator_group);
	free(a);
	return NULL;
}

/*
 * The audit entry of an allowed call that ran: who (uid, pid, unit),
 * what (action, object, member, arguments) and how it ended. The unit is
 * read from /proc now, for the pid the bus driver gave when the caller
 * connected.
 */
static void audit(const struct auth_request *r, const char *arguments, const char *result)
{
	_cleanup_free_ char *unit = NULL;
	char f_uid[32], f_pid[32], f_object_pid[32], f_unit[256], f_action[128], f_path[256],
	     f_method[128], f_args[AUDIT_ARGUMENTS_MAX + 16], f_result[128];
	const char *member = sd_bus_message_get_member(r->call);
	const char *path = sd_bus_message_get_path(r->call);
	const char *fields[LOG_EXTRA_FIELDS_MAX + 1];
	size_t n = 0;

	if (r->pid > 0 && sd_pid_get_unit(r->pid, &unit) < 0)
		unit = NULL;
#define FIELD(buf, ...) do {					\
		snprintf(buf, sizeof(buf), __VA_ARGS__);	\
		fields[n++] = buf;				\
	} while (0)
	FIELD(f_uid, "CALLER_UID=%u", (unsigned)r->uid);
	if (r->pid > 0) {
		FIELD(f_pid, "CALLER_PID=%d", (int)r->pid);
		FIELD(f_object_pid, "OBJECT_PID=%d", (int)r->pid);
	}
	if (unit)
		FIELD(f_unit, "CALLER_UNIT=%s", unit);
	FIELD(f_action, "ACTION=%s", r->action);
	FIELD(f_path, "OBJECT_PATH=%s", path ? path : "");
	FIELD(f_method, "METHOD=%s", member ? member : "");
	FIELD(f_args, "ARGUMENTS=%s", arguments);
	FIELD(f_result, "RESULT=%s", result);
#undef FIELD
	fields[n] = NULL;
	log_event_fields(LOG_NOTICE, LOG_EVENT_AUDIT, fields,
			 "audit: uid %u (pid %d, unit %s) %s %s(%s) under %s: %s",
			 (unsigned)r->uid, (int)r->pid, unit ? unit : "-", path ? path : "",
			 member ? member : "", arguments, r->action, result);
}

/* The decision is made: answer the call (or let run answer it). */
static void request_finish(struct auth_request *r, bool allowed, const char *error_name,
			   const char *message)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int k;

	if (r->test) {
		/* A question, not an intervention: no audit entry. */
		bool challenge = error_name &&
			strcmp(error_name, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED) == 0;

		k = sd_bus_reply_method_return(r->call, "s", allowed ? "yes" :
					       challenge ? "challenge" : "no");
	} else if (allowed) {
		char arguments[AUDIT_ARGUMENTS_MAX];

		/* Also rewinds r->call for run. */
		k = bus_message_arguments_text(r->call, arguments, sizeof(arguments));
		if (k < 0)
			snprintf(arguments, sizeof(arguments), "unreadable: %s", strerror(-k));
		k = r->run(r->call, r->userdata, &error);
		if (k >= 0) {
			audit(r, arguments, "accepted");
		} else if (sd_bus_error_is_set(&error)) {
			audit(r, arguments, error.name);
			k = sd_bus_reply_method_error(r->call, &error);
		} else {
			audit(r, arguments, strerror(-k));
			k = sd_bus_reply_method_errno(r->call, k, NULL);
		}
	} else {
		k = sd_bus_reply_method_errorf(r->call, error_name, "%s", message);
	}
	if (k < 0)
		log_error_errno(k, "cannot reply to %s.%s",
				sd_bus_message_get_interface(r->call),
				sd_bus_message_get_member(r->call));
	request_free(r);
}

static void request_refuse(struct auth_request *r, const char *why)
{
	request_finish(r, false, SD_BUS_ERROR_ACCESS_DENIED, why);
}

static void request_refusef(struct auth_request *r, const char *format, ...) _printf_(2, 3);
static void request_refusef(struct auth_request *r, const char *format, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, format);
	vsnprintf(why, sizeof(why), format, ap);
	va_end(ap);
	request_refuse(r, why);
}

static bool in_operator_group(const struct auth_request *r)
{
	if (!r->auth->has_operator_group)
		return false;
	for (size_t i = 0; i < r->n_gids; i++)
		if (r->gids[i] == r->auth->operator_gid)
			return true;
	return false;
}

static void decide_without_polkit(struct auth_request *r)
{
	const struct bus_auth *a = r->auth;

	if (in_operator_group(r)) {
		request_finish(r, true, NULL, NULL);
		return;
	}
	if (!a->operator_group)
		request_refusef(r, "operator interventions need uid 0 (no operator group is configured, no polkit): %s",
				r->action);
	else
		request_refusef(r, "operator interventions need uid 0 or group \"%s\"%s (no polkit): %s",
				a->operator_group,
				a->has_operator_group ? "" : " (which does not exist)", r->action);
}

/* The bus said polkit is not there (neither running nor activatable). */
static bool polkit_absent(const sd_bus_error *e)
{
	return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	       sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct auth_request *r = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int authorized, challenge, k;

	r->slot = sd_bus_slot_unref(r->slot);
	if (e) {
		if (polkit_absent(e)) {
			decide_without_polkit(r);
		} else {
			log_warning("polkit CheckAuthorization failed: %s: %s", e->name,
				    e->message ? e->message : "");
			request_refuse(r, "polkit did not answer the authorization request");
		}
		return 0;
	}
	k = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
	if (k >= 0)
		k = sd_bus_message_read(reply, "bb", &authorized, &challenge);
	if (k < 0) {
		log_error_errno(k, "polkit CheckAuthorization: unexpected reply");
		request_refuse(r, "polkit's answer could not be read");
		return 0;
	}
	if (authorized)
		request_finish(r, true, NULL, NULL);
	else if (challenge) {
		char why[256];

		snprintf(why, sizeof(why),
			 "authentication is needed for %s (call with interactive authorization allowed)",
			 r->action);
		request_finish(r, false, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, why);
	} else {
		request_refusef(r, "not authorized for %s", r->action);
	}
	return 0;
}

static int ask_polkit(struct auth_request *r)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *q = NULL;
	const char *sender = sd_bus_message_get_sender(r->call);
	uint32_t flags = 0;
	int k;

	if (!r->test && sd_bus_message_get_allow_interactive_authorization(r->call) > 0)
		flags |= POLKIT_ALLOW_USER_INTERACTION;
	k = sd_bus_message_new_method_call(r->auth->bus, &q, POLKIT_NAME, POLKIT_PATH,
					   POLKIT_INTERFACE, "CheckAuthorization");
	/* subject (sa{sv}), action, details a{ss}, flags, cancellation id */
	if (k >= 0)
		k = sd_bus_message_append(q, "(sa{sv})s", "system-bus-name", 1, "name", "s",
					  sender, r->action);
	if (k >= 0)
		k = sd_bus_message_open_container(q, 'a', "{ss}");
	for (char **d = r->details; k >= 0 && d[0] && d[1]; d += 2)
		k = sd_bus_message_append(q, "{ss}", d[0], d[1]);
	if (k >= 0)
		k = sd_bus_message_close_container(q);
	if (k >= 0)
		k = sd_bus_message_append(q, "us", flags, "");
	if (k >= 0)
		k = sd_bus_call_async(r->auth->bus, &r->slot, q, on_polkit_reply, r,
				      POLKIT_TIMEOUT_USEC);
	return k;
}

/* a{sv} from GetConnectionCredentials: UnixUserID (u), UnixGroupIDs (au). */
static int read_credentials(sd_bus_message *reply, struct auth_request *r, bool *have_uid)
{
	int k;

	k = sd_bus_message_enter_container(reply, 'a', "{sv}");
	if (k < 0)
		return k;
	while ((k = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		const char *key;

		k = sd_bus_message_read(reply, "s", &key);
		if (k < 0)
			return k;
		if (strcmp(key, "UnixUserID") == 0) {
			uint32_t uid;

			k = sd_bus_message_read(reply, "v", "u", &uid);
			if (k < 0)
				return k;
			r->uid = uid;
			*have_uid = true;
		} else if (strcmp(key, "ProcessID") == 0) {
			uint32_t pid;

			k = sd_bus_message_read(reply, "v", "u", &pid);
			if (k < 0)
				return k;
			r->pid = (pid_t)pid;
		} else if (strcmp(key, "UnixGroupIDs") == 0) {
			const void *gids;
			size_t size;

			k = sd_bus_message_enter_container(reply, 'v', "au");
			if (k >= 0)
				k = sd_bus_message_read_array(reply, 'u', &gids, &size);
			if (k >= 0)
				k = sd_bus_message_exit_container(reply);
			if (k < 0)
				return k;
			free(r->gids);
			r->gids = malloc(size ? size : 1);
			if (!r->gids)
				return -ENOMEM;
			memcpy(r->gids, gids, size);
			r->n_gids = size / sizeof(uint32_t);
		} else {
			k = sd_bus_message_skip(reply, "v");
			if (k < 0)
				return k;
		}
		k = sd_bus_message_exit_container(reply);
		if (k < 0)
			return k;
	}
	if (k < 0)
		return k;
	return sd_bus_message_exit_container(reply);
}

/* The caller's uid and groups are known: decide, or ask polkit. */
static void decide_with_credentials(struct auth_request *r)
{
	int k;

	if (r->uid == 0) {
		request_finish(r, true, NULL, NULL);
		return;
	}
	k = ask_polkit(r);
	if (k < 0) {
		log_error_errno(k, "cannot ask polkit");
		request_refuse(r, "the authorization request could not be sent");
	}
}

static const struct cached_credentials *cache_find(const struct bus_auth *a, const char *sender)
{
	for (unsigned i = 0; i < CREDENTIALS_CACHE_SIZE; i++)
		if (strcmp(a->cache[i].sender, sender) == 0)
			return &a->cache[i];
	return NULL;
}

/* Remember r's credentials; a failure only costs a question next time. */
static void cache_store(struct bus_auth *a, const char *sender, const struct auth_request *r)
{
	struct cached_credentials *c = &a->cache[a->cache_next];
	gid_t *gids;

	if (strlen(sender) >= UNIQUE_NAME_MAX)
		return;
	gids = malloc(r->n_gids ? r->n_gids * sizeof(gid_t) : 1);
	if (!gids)
		return;
	memcpy(gids, r->gids, r->n_gids * sizeof(gid_t));
	free(c->gids);
	snprintf(c->sender, sizeof(c->sender), "%s", sender);
	c->uid = r->uid;
	c->pid = r->pid;
	c->gids = gids;
	c->n_gids = r->n_gids;
	a->cache_next = (a->cache_next + 1) % CREDENTIALS_CACHE_SIZE;
}

static int on_credentials_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct auth_request *r = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	bool have_uid = false;
	int k;

	r->slot = sd_bus_slot_unref(r->slot);
	if (e) {
		log_warning("cannot get the credentials of %s: %s",
			    sd_bus_message_get_sender(r->call), e->message ? e->message : e->name);
		request_refuse(r, "the caller's credentials are not known");
		return 0;
	}
	k = read_credentials(reply, r, &have_uid);
	if (k < 0 || !have_uid) {
		log_error_errno(k < 0 ? k : -EBADMSG, "credentials of %s unreadable",
				sd_bus_message_get_sender(r->call));
		request_refuse(r, "the caller's credentials are not known");
		return 0;
	}
	cache_store(r->auth, sd_bus_message_get_sender(r->call), r);
	decide_with_credentials(r);
	return 0;
}

/* "method", m's member, then a copy of details. */
static char **details_new(sd_bus_message *m, const char *const *details)
{
	const char *member = sd_bus_message_get_member(m);
	size_t n = 0, i = 0;
	char **d;

	while (details && details[n] && details[n + 1])
		n += 2;
	d = calloc(n + 3, sizeof(*d));
	if (!d)
		return NULL;
	d[i++] = strdup(BUS_AUTH_DETAIL_METHOD);
	d[i++] = strdup(member ? member : "");
	for (size_t j = 0; j < n; j++)
		d[i++] = strdup(details[j]);
	for (size_t j = 0; j < i; j++)
		if (!d[j]) {
			for (j = 0; j < i; j++)
				free(d[j]);
			free(d);
			return NULL;
		}
	return d;
}

static int request_start(struct bus_auth *a, sd_bus_message *m, const char *action,
			 const char *const *details, bus_auth_run_t run, void *userdata,
			 bool test, sd_bus_error *error);

int bus_auth_run_privileged(struct bus_auth *a, sd_bus_message *m, const char *action,
			    const char *const *details, bus_auth_run_t run, void *userdata,
			    sd_bus_error *error)
{
	return request_start(a, m, action, details, run, userdata, false, error);
}

int bus_auth_test(struct bus_auth *a, sd_bus_message *m, const char *action, sd_bus_error *error)
{
	return request_start(a, m, action, NULL, NULL, NULL, true, error);
}

static int request_start(struct bus_auth *a, sd_bus_message *m, const char *action,
			 const char *const *details, bus_auth_run_t run, void *userdata,
			 bool test, sd_bus_error *error)
{
	const char *sender = sd_bus_message_get_sender(m);
	const struct cached_credentials *cached;
	struct auth_request *r;
	int k;

	if (!sender)
		return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
					"the caller is not identified by the bus");
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->auth = a;
	r->call = sd_bus_message_ref(m);
	r->test = test;
	r->run = run;
	r->userdata = userdata;
	r->next = a->requests;
	if (a->requests)
		a->requests->prev = r;
	a->requests = r;
	r->action = strdup(action);
	r->details = details_new(m, details);
	if (!r->action || !r->details) {
		request_free(r);
		return -ENOMEM;
	}

	cached = cache_find(a, sender);
	if (cached) {
		r->gids = malloc(cached->n_gids ? cached->n_gids * sizeof(gid_t) : 1);
		if (!r->gids) {
			request_free(r);
			return -ENOMEM;
		}
		memcpy(r->gids, cached->gids, cached->n_gids * sizeof(gid_t));
		r->n_gids = cached->n_gids;
		r->uid = cached->uid;
		r->pid = cached->pid;
		decide_with_credentials(r);
		return 1;
	}

	k = sd_bus_call_method_async(a->bus, &r->slot, "org.freedesktop.DBus",
				     "/org/freedesktop/DBus", "org.freedesktop.DBus",
				     "GetConnectionCredentials", on_credentials_reply, r, "s", sender);
	if (k < 0) {
		request_free(r);
		return k;
	}
	return 1;
}
