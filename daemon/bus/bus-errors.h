/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The D-Bus errors of org.stationd1 (org.stationd1.Error.*), each with the
 * errno it stands for, as an SD_BUS_ERROR_MAP: registered once
 * (bus_errors_register()), sd-bus turns a negative errno of a method into
 * the error's name and a client's sd_bus_error_get_errno() the name back
 * into the errno (stationctl's exit codes come from it). The meaning of
 * each is documented with the methods that return it (the interface
 * files in dbus/).
 */
#ifndef STATIOND_BUS_BUS_ERRORS_H
#define STATIOND_BUS_BUS_ERRORS_H

#include <systemd/sd-bus.h>

#define BUS_ERROR_MANUAL_FILL "org.stationd1.Error.ManualFill"		/* EBUSY */
#define BUS_ERROR_ALREADY_FILLING "org.stationd1.Error.AlreadyFilling"	/* EALREADY */
#define BUS_ERROR_MAY_NOT_FILL "org.stationd1.Error.MayNotFill"		/* ECANCELED */
#define BUS_ERROR_SHUT_DOWN "org.stationd1.Error.ShutDown"		/* ESHUTDOWN */
#define BUS_ERROR_NOT_DURABLE "org.stationd1.Error.NotDurable"		/* EIO */
#define BUS_ERROR_TIMEOUT "org.stationd1.Error.Timeout"			/* ETIMEDOUT */
#define BUS_ERROR_NOT_CONNECTED "org.stationd1.Error.NotConnected"	/* ENOTCONN */
#define BUS_ERROR_BUSY "org.stationd1.Error.Busy"			/* EAGAIN */
#define BUS_ERROR_COMMAND_MISSED "org.stationd1.Error.CommandMissed"	/* EREMOTEIO */
#define BUS_ERROR_NO_SUCH_OBJECT "org.stationd1.Error.NoSuchObject"	/* ENOENT */

extern const sd_bus_error_map bus_error_map[];

/* Make the map known to sd-bus in this process; 0 or a negative errno. */
int bus_errors_register(void);

#endif
