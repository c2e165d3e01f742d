// SPDX-License-Identifier: GPL-2.0
/* A failed call as an LSB exit status (see exit-status.h). */
#include <errno.h>

#include "daemon/clients/exit-status.h"

enum exit_status exit_status_of_error(const sd_bus_error *error, int r)
{
	if (sd_bus_error_is_set(error)) {
		if (sd_bus_error_has_names(error, SD_BUS_ERROR_ACCESS_DENIED,
					   SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
					   SD_BUS_ERROR_AUTH_FAILED))
			return EXIT_STATUS_NO_PERMISSION;
		if (sd_bus_error_has_names(error, SD_BUS_ERROR_INVALID_ARGS))
			return EXIT_STATUS_INVALID_ARGUMENT;
		if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN,
					   SD_BUS_ERROR_NAME_HAS_NO_OWNER, SD_BUS_ERROR_NO_REPLY,
					   SD_BUS_ERROR_DISCONNECTED))
			return EXIT_STATUS_NOT_RUNNING;
		if (sd_bus_error_has_names(error, SD_BUS_ERROR_UNKNOWN_OBJECT,
					   SD_BUS_ERROR_UNKNOWN_METHOD,
					   "org.stationd1.Error.NoSuchObject"))
			return EXIT_STATUS_NOT_INSTALLED;
		return EXIT_STATUS_FAILURE;
	}
	if (r == -ENOENT || r == -ECONNREFUSED || r == -ENOTCONN)
		return EXIT_STATUS_NOT_RUNNING;	/* no bus socket: nothing runs */
	if (r == -EACCES || r == -EPERM)
		return EXIT_STATUS_NO_PERMISSION;
	return EXIT_STATUS_FAILURE;
}
