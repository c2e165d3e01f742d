/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon on D-Bus: the system bus (or $DBUS_SYSTEM_BUS_ADDRESS), the
 * name org.stationd1, an ObjectManager at /org/stationd1 and the
 * org.stationd1.Manager interface there (Version, State, ScanTimes; see
 * dbus/org.stationd1.Manager.xml).
 */
#ifndef STATIOND_BUS_BUS_MANAGER_H
#define STATIOND_BUS_BUS_MANAGER_H

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "daemon/autofill/engine.h"

#define BUS_NAME "org.stationd1"
#define BUS_MANAGER_PATH "/org/stationd1"
#define BUS_MANAGER_INTERFACE "org.stationd1.Manager"

struct bus_manager;

/* The connection to the bus is gone (sd-bus's local Disconnected signal):
 * nothing sent or received on it any more. */
typedef void (*bus_manager_disconnected_fn)(void *userdata);

/* Connect, export the objects and take the name; the connection's event
 * sources at @priority. The engine is read for the properties and must
 * outlive the manager (or be replaced first, see bus_manager_set_engine()).
 * @on_disconnected (optional) hears when the connection is lost. */
int bus_manager_new(sd_event *event, int64_t priority, struct engine *engine,
		    bus_manager_disconnected_fn on_disconnected, void *userdata,
		    struct bus_manager **ret);
struct bus_manager *bus_manager_free(struct bus_manager *m);
static inline void bus_manager_freep(struct bus_manager **m)
{
	if (*m)
		bus_manager_free(*m);
}
#define _cleanup_bus_manager_ __attribute__((cleanup(bus_manager_freep)))

/* The connection, for the other objects of the daemon (the autofill,
 * detectors, manifolds, cryostreams). */
sd_bus *bus_manager_bus(struct bus_manager *m);

/* A reload built a new engine: read the State from it from now on
 * (PropertiesChanged if it differs). */
void bus_manager_set_engine(struct bus_manager *m, struct engine *engine);

struct scan_timing;

/* ScanTimes reads @t (the daemon's, it outlives the manager) from now on. */
void bus_manager_set_scan_timing(struct bus_manager *m, const struct scan_timing *t);

/* The engine's global view may have changed: emit PropertiesChanged for
 * State if it did. */
void bus_manager_global_changed(struct bus_manager *m);

#endif
