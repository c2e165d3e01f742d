/* SPDX-License-Identifier: GPL-2.0 */
/*
 * org.stationd1.Cryostream: one object per configured Oxford Cryostream
 * 800 controller, /org/stationd1/cryostream/<name> (see
 * dbus/org.stationd1.Cryostream.xml).
 *
 * Properties: every parameter of the status packet (typed, unit in the
 * interface documentation), enumerations as number and name, Connected,
 * ControllerNumber, the packet counters, and what the last packet lacked
 * (StaleProperties) or had that stationd does not know
 * (UnknownParameters, Parameters()). PropertiesChanged carries only values
 * that changed. Fault(kind, message) on disconnection, on a conflict with
 * a number-0 controller, on a packet with its number from another
 * address, and on a new alarm of level error or fatal.
 *
 * Commands (the vendor's nineteen, Restart ... SetAutofillStopLevel) are
 * privileged (bus-auth.h), checked against the vendor's limits and the
 * device's range before anything is sent
 * (org.freedesktop.DBus.Error.InvalidArgs), and answered asynchronously:
 * when a later status packet shows the command carried out, with
 * org.stationd1.Error.CommandMissed when the controller counts it missed,
 * or with org.stationd1.Error.Timeout after the configured command
 * timeout. The event loop never waits for the controller.
 */
#ifndef STATIOND_BUS_BUS_CRYOSTREAM_H
#define STATIOND_BUS_BUS_CRYOSTREAM_H

#include <systemd/sd-bus.h>

#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-errors.h"
#include "daemon/cryo/cryo-service.h"

#define BUS_CRYOSTREAM_PATH_PREFIX "/org/stationd1/cryostream"
#define BUS_CRYOSTREAM_INTERFACE "org.stationd1.Cryostream"

struct bus_cryostreams;

/* Export an object per controller of the service and become its
 * listener. service and auth must outlive the objects. */
int bus_cryostreams_new(sd_bus *bus, struct bus_auth *auth, struct cryo_service *service,
			struct bus_cryostreams **ret);
/* Commands still waiting get no reply: the daemon is going away. */
struct bus_cryostreams *bus_cryostreams_free(struct bus_cryostreams *b);
static inline void bus_cryostreams_freep(struct bus_cryostreams **b)
{
	if (*b)
		bus_cryostreams_free(*b);
}

#endif
