/* SPDX-License-Identifier: GPL-2.0 */
/*
 * org.stationd1.Ccd: one object per configured CCD,
 * /org/stationd1/ccd/<name> (dbus/org.stationd1.Ccd.xml documents the
 * interface). Every method is privileged (polkit action
 * org.stationd1.ccd.control, detail device=<name>) and answers when the
 * controller has done what was asked, asynchronously: the call stays open
 * while the event loop goes on, and ends with a method return or one of
 * the named errors below.
 */
#ifndef STATIOND_BUS_BUS_CCD_H
#define STATIOND_BUS_BUS_CCD_H

#include <systemd/sd-bus.h>

#include "daemon/bus/bus-auth.h"
#include "daemon/ccd/ccd-service.h"

#define BUS_CCD_PATH_PREFIX "/org/stationd1/ccd"
#define BUS_CCD_INTERFACE "org.stationd1.Ccd"

#define BUS_CCD_ERROR_NOT_INITIALIZED "org.stationd1.Error.NotInitialized"
#define BUS_CCD_ERROR_ALREADY_THERE "org.stationd1.Error.AlreadyThere"
#define BUS_CCD_ERROR_WRONG_STATE "org.stationd1.Error.WrongState"
#define BUS_CCD_ERROR_BUSY "org.stationd1.Error.Busy"
#define BUS_CCD_ERROR_LINK_TIMEOUT "org.stationd1.Error.LinkTimeout"
#define BUS_CCD_ERROR_CONTROLLER_RESET "org.stationd1.Error.ControllerReset"
#define BUS_CCD_ERROR_TIMEOUT "org.stationd1.Error.Timeout"
#define BUS_CCD_ERROR_CONTROLLER_ERROR "org.stationd1.Error.ControllerError"

struct bus_ccds;

int bus_ccds_new(sd_bus *bus, struct bus_auth *auth, struct ccd_service *service,
		 struct bus_ccds **ret);
/* Open calls get no reply: the daemon is going away. */
struct bus_ccds *bus_ccds_free(struct bus_ccds *b);

/* The D-Bus error name of a server error. */
const char *bus_ccd_error_name(enum ccd_error error);

#endif
