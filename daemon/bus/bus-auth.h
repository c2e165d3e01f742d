/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may intervene: the authorization of privileged D-Bus methods
 * (org.stationd1.Autofill's commands, org.stationd1.Cryostream's).
 *
 * Where polkitd is on the bus, the polkit action org.stationd1.manage
 * decides (polkit/org.stationd1.policy). Where it is not, the caller must
 * be uid 0 or have the configured operator group among its groups. uid 0
 * is allowed without asking polkit (polkit allows it anyway). Every
 * question (the caller's credentials from the bus driver, polkit's
 * CheckAuthorization) is asked asynchronously: the event loop never
 * waits for an answer, so a polkit authentication dialog that takes a
 * minute stalls nothing but that one call.
 */
#ifndef STATIOND_BUS_BUS_AUTH_H
#define STATIOND_BUS_BUS_AUTH_H

#include <systemd/sd-bus.h>

#define BUS_AUTH_POLKIT_ACTION "org.stationd1.manage"

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
 * Method-handler helper: decide whether the caller of m may intervene.
 * Authorized: run(m, userdata, error) is called (possibly later, from the
 * event loop) and must reply itself, or return <0 with error set (then
 * bus_auth replies with it). Refused: replies
 * org.freedesktop.DBus.Error.AccessDenied (or
 * org.freedesktop.DBus.Error.InteractiveAuthorizationRequired when polkit
 * wants an authentication the caller did not allow) and run is never
 * called. Returns what an sd-bus method handler returns: 1 when the call
 * is (or will be) answered, <0 on failure before anything was asked.
 *
 * run reads m's arguments itself, from where the handler left the read
 * position; userdata must outlive a.
 */
int bus_auth_run_privileged(struct bus_auth *a, sd_bus_message *m, bus_auth_run_t run,
			    void *userdata, sd_bus_error *error);

#endif
