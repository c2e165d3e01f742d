/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One org.stationd1.Detector object per configured detector, at
 * /org/stationd1/detector/<number> (dbus/org.stationd1.Detector.xml).
 * The objects are one fallback vtable and a node enumerator: sd-bus keeps
 * nothing per object, so a 1000-detector station costs one slot. What is
 * kept per detector is the view last published, so PropertiesChanged
 * names exactly the properties whose value changed (ExhaustVolts: moved
 * past its deadband, exhaust-deadband.h).
 */
#ifndef STATIOND_BUS_BUS_DETECTOR_H
#define STATIOND_BUS_BUS_DETECTOR_H

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "daemon/autofill/engine.h"

#define BUS_DETECTOR_PREFIX "/org/stationd1/detector"
#define BUS_DETECTOR_INTERFACE "org.stationd1.Detector"

struct bus_detectors;

/* The engine must outlive the objects. */
int bus_detectors_new(sd_bus *bus, struct engine *engine, struct bus_detectors **ret);
struct bus_detectors *bus_detectors_free(struct bus_detectors *d);
static inline void bus_detectors_freep(struct bus_detectors **d)
{
	if (*d)
		bus_detectors_free(*d);
}
#define _cleanup_bus_detectors_ __attribute__((cleanup(bus_detectors_freep)))

/* The engine's view of detector `index` may have changed. */
void bus_detectors_changed(struct bus_detectors *d, uint32_t index);

/* The engine observer's events, as signals on the detector's own object
 * (index: the detector's index; a fault without a detector is ignored). */
void bus_detectors_fill_started(struct bus_detectors *d, uint32_t index, int64_t at_usec);
void bus_detectors_fill_ended(struct bus_detectors *d, uint32_t index,
			      const struct fill_record *record);
void bus_detectors_fault(struct bus_detectors *d, const struct engine_fault *fault);

#endif
