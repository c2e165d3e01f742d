/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may intervene: the authorization of privileged D-Bus methods, one
 * polkit action per kind of operation, as timedated and hostnamed do
 * (polkit/org.stationd1.policy documents each and maps the 1995
 * specification's privilege tiers onto them).
 *
 * Where polkitd is on the bus, polkit decides, given the action and
 * details a site rule can look at (action.lookup("targets")): "method"
 * (the member called, added here) and what the caller passes, by
 * convention "targets" (the detectors or manifolds, as the console
 * writes them) and "device" (the Cryostream or CCD by name). Where
 * polkitd is not on the bus, the caller must be uid 0 or have the
 * configured operator group among its groups, whatever the action. uid 0
 * is allowed without asking polkit (polkit allows it anyway). Every
 * question (the caller's credentials from the bus driver, polkit's
 * CheckAuthorization) is asked asynchronously: the event loop never
 * waits for an answer, so a polkit authentication dialog that takes a
 * minute stalls nothing but that one call.
 *
 * Every authorized call is logged once, after it ran (the audit trail):
 * MESSAGE_ID of LOG_EVENT_AUDIT, the caller's uid, pid and systemd unit
 * (CALLER_UID=, CALLER_PID=, CALLER_UNIT=, and OBJECT_PID= so journald
 * adds what it knows of the process), the action, the object and member,
 * the arguments as text, and the outcome (RESULT= "accepted" or the
 * D-Bus error name).
 */
#ifndef STATIOND_BUS_BUS_AUTH_H
#define STATIOND_BUS_BUS_AUTH_H

#include <systemd/sd-bus.h>

/* The polkit actions (polkit/org.stationd1.policy). */
#define BUS_AUTH_ACTION_FILL "org.stationd1.autofill.fill"
#define BUS_AUTH_ACTION_SCHEDULE "org.stationd1.autofill.schedule"	/* preset, delay, cancel */
#define BUS_AUTH_ACTION_OVERRIDE "org.stationd1.autofill.override"	/* avoid, unavoid, clear */
#define BUS_AUTH_ACTION_CCD_CONTROL "org.stationd1.ccd.control"
#define BUS_AUTH_ACTION_CRYOSTREAM_COMMAND "org.stationd1.cryostream.command"
#define BUS_AUTH_ACTION_ADMIN "org.stationd1.admin"

/* The detail keys of the convention above (polkit reserves "polkit.*"). */
#define BUS_AUTH_DETAIL_METHOD "method"
#define BUS_AUTH_DETAIL_TARGETS "targets"
#define BUS_AUTH_DETAIL_DEVICE "device"

struct bus_auth;

/* operator_group: a group name, "" for none (only uid 0, or polkit). The
 * name is resolved once, here; an unknown group is logged and allows
 * nobody. */
int bus_auth_new(sd_bus *bus, const char *operator_group, struct bus_auth **ret);

/* Drops pending questions: their method calls get no reply (the daemon is
 * going away, the callers see the connection close). */
struct bus_auth *bus_auth_free(struct bus_auth *a);
static inline void bus_auth_freep(struct bus_auth **a)
{
	if (*a)
		bus_auth_free(*a);
}
#define _cleanup_bus_auth_ __attribute__((cleanup(bus_auth_freep)))

typedef int (*bus_auth_run_t)(sd_bus_message *m, void *userdata, sd_bus_error *error);

/*
 * Method-handler helper: decide whether the caller of m may do action.
 * details: NULL, or key, value, key, value, ..., NULL (copied; "method"
 * is added). Authorized: run(m, userdata, error) is called (possibly
 * later, from the event loop) and must reply itself, or return <0 with
 * error set (then bus_auth replies with it). Refused: replies
 * org.freedesktop.DBus.Error.AccessDenied naming the action (or
 * org.freedesktop.DBus.Error.InteractiveAuthorizationRequired when polkit
 * wants an authentication the caller did not allow) and run is never
 * called. Returns what an sd-bus method handler returns: 1 when the call
 * is (or will be) answered, <0 on failure before anything was asked.
 *
 * m is rewound before run: run reads every argument from the first (the
 * handler may have read some to build the details). userdata must
 * outlive a.
 */
int bus_auth_run_privileged(struct bus_auth *a, sd_bus_message *m, const char *action,
			    const char *const *details, bus_auth_run_t run, void *userdata,
			    sd_bus_error *error);

/*
 * Method-handler helper for the question "may the caller do action?",
 * asked as the call would be but without interaction, as logind's
 * CanPowerOff() does: replies "yes" (allowed now), "challenge" (polkit
 * would allow it after an authentication) or "no"; nothing is run and
 * nothing is audited. Returns as bus_auth_run_privileged().
 */
int bus_auth_test(struct bus_auth *a, sd_bus_message *m, const char *action, sd_bus_error *error);

#endif
