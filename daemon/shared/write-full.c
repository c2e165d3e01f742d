// SPDX-License-Identifier: GPL-2.0
/*
 * The one write loop: see write-full.h for why callers need it.
 */
#include <errno.h>
#include <unistd.h>

#include "daemon/shared/write-full.h"

int pwrite_full(int fd, const void *buf, size_t size, off_t offset)
{
	const char *p = buf;

	while (size > 0) {
		ssize_t n = pwrite(fd, p, size, offset);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		size -= (size_t)n;
		offset += n;
	}
	return 0;
}
