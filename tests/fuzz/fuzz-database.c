// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the database reader: the daemon reads its primary and secondary
 * backups from disk at start-up, and either may be damaged. Whatever
 * decodes must encode back to the same bytes (the reader accepts nothing
 * the writer would not produce).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/database.h"
#include "daemon/shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_station_ struct station *s = NULL;
	_cleanup_free_ uint8_t *image = NULL;
	struct database_error err = {};
	size_t image_size;
	int r;

	r = database_decode(data, size, &s, &err);
	if (r < 0) {
		if (!err.message[0] || s)
			abort();
		return 0;
	}
	if (database_encode(s, &image, &image_size) < 0)
		abort();
	if (image_size != size || memcmp(image, data, size) != 0)
		abort();
	return 0;
}
