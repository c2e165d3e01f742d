// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Error.* and their errnos (see bus-errors.h). The errnos
 * are those the engine and the Cryostream link return for the same
 * conditions, so a method may pass them on unchanged.
 */
#include <errno.h>

#include "daemon/bus/bus-errors.h"

const sd_bus_error_map bus_error_map[] = {
	SD_BUS_ERROR_MAP(BUS_ERROR_MANUAL_FILL, EBUSY),
	SD_BUS_ERROR_MAP(BUS_ERROR_ALREADY_FILLING, EALREADY),
	SD_BUS_ERROR_MAP(BUS_ERROR_MAY_NOT_FILL, ECANCELED),
	SD_BUS_ERROR_MAP(BUS_ERROR_SHUT_DOWN, ESHUTDOWN),
	SD_BUS_ERROR_MAP(BUS_ERROR_NOT_DURABLE, EIO),
	SD_BUS_ERROR_MAP(BUS_ERROR_TIMEOUT, ETIMEDOUT),
	SD_BUS_ERROR_MAP(BUS_ERROR_NOT_CONNECTED, ENOTCONN),
	SD_BUS_ERROR_MAP(BUS_ERROR_BUSY, EAGAIN),
	SD_BUS_ERROR_MAP(BUS_ERROR_COMMAND_MISSED, EREMOTEIO),
	SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_OBJECT, ENOENT),
	SD_BUS_ERROR_MAP_END
};

int bus_errors_register(void)
{
	int r = sd_bus_error_add_map(bus_error_map);

	/* Registering the same map again is not an error. */
	return r < 0 ? r : 0;
}
