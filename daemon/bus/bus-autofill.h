/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /org/stationd1/autofill, org.stationd1.Autofill (dbus/org.stationd1.Autofill.xml):
 * the operator commands FILL, PRESET, DELAY, AVOID, UNAVOID, CANCEL and
 * CLEAR as privileged methods, the global properties (State,
 * FillingCount, Alarm, Inhibited) and the FillStarted, FillEnded and
 * Fault signals.
 *
 * A command is acknowledged only once it is durable: after the engine
 * accepted it, the daemon's commit hook writes the changed records to
 * disk; if that fails the caller gets org.stationd1.Error.NotDurable (the
 * command did take effect in memory).
 */
#ifndef STATIOND_BUS_BUS_AUTOFILL_H
#define STATIOND_BUS_BUS_AUTOFILL_H

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "daemon/autofill/engine.h"
#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-errors.h"

#define BUS_AUTOFILL_PATH "/org/stationd1/autofill"
#define BUS_AUTOFILL_INTERFACE "org.stationd1.Autofill"


/* Make the state changed by an accepted command durable; 0 or a negative
 * errno. NULL: no persistence (every command is acknowledged at once). */
typedef int (*bus_autofill_commit_t)(void *userdata);

struct bus_autofill;

/* engine and auth are kept by reference and must outlive the object. */
int bus_autofill_new(sd_bus *bus, struct engine *engine, struct bus_auth *auth,
		     bus_autofill_commit_t commit, void *commit_userdata,
		     struct bus_autofill **ret);
struct bus_autofill *bus_autofill_free(struct bus_autofill *a);
static inline void bus_autofill_freep(struct bus_autofill **a)
{
	if (*a)
		bus_autofill_free(*a);
}
#define _cleanup_bus_autofill_ __attribute__((cleanup(bus_autofill_freep)))

/* Forwarded from the engine observer; detector and manifold are indexes. */
void bus_autofill_fill_started(struct bus_autofill *a, uint32_t detector, int64_t at_usec);
void bus_autofill_fill_ended(struct bus_autofill *a, uint32_t detector,
			     const struct fill_record *record);
void bus_autofill_fault(struct bus_autofill *a, const struct engine_fault *fault);
/* The global view may have changed: PropertiesChanged for what did. */
void bus_autofill_global_changed(struct bus_autofill *a);

#endif
