/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One org.stationd1.Manifold object per configured manifold, at
 * /org/stationd1/manifold/<name> (dbus/org.stationd1.Manifold.xml).
 * The objects are one fallback vtable and a node enumerator: sd-bus keeps
 * nothing per object, so a large station costs one slot. What is
 * kept per manifold is the view last published, so PropertiesChanged
 * names exactly the properties whose value changed (ExhaustVolts: moved
 * past its deadband, exhaust-deadband.h).
 */
#ifndef STATIOND_BUS_BUS_MANIFOLD_H
#define STATIOND_BUS_BUS_MANIFOLD_H

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "daemon/autofill/engine.h"

#define BUS_MANIFOLD_PREFIX "/org/stationd1/manifold"
#define BUS_MANIFOLD_INTERFACE "org.stationd1.Manifold"

struct bus_manifolds;

/* The engine must outlive the objects. */
int bus_manifolds_new(sd_bus *bus, struct engine *engine, struct bus_manifolds **ret);
struct bus_manifolds *bus_manifolds_free(struct bus_manifolds *d);
static inline void bus_manifolds_freep(struct bus_manifolds **d)
{
	if (*d)
		bus_manifolds_free(*d);
}
#define _cleanup_bus_manifolds_ __attribute__((cleanup(bus_manifolds_freep)))

/* The engine's view of manifold `index` may have changed. */
void bus_manifolds_changed(struct bus_manifolds *d, uint32_t index);

/* The engine observer's events, as signals on the manifold's own object:
 * a fill of `detector` (an index) on it, and its faults, a detector's
 * included (the detector "/" when none). */
void bus_manifolds_fill_started(struct bus_manifolds *d, uint32_t detector, int64_t at_usec);
void bus_manifolds_fill_ended(struct bus_manifolds *d, uint32_t detector,
			      const struct fill_record *record);
void bus_manifolds_fault(struct bus_manifolds *d, const struct engine_fault *fault);

#endif
