// SPDX-License-Identifier: GPL-2.0
/*
 * The one read loop: see read-full.h for why callers need it.
 */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "daemon/shared/read-full.h"

static ssize_t read_loop(int fd, void *buf, size_t size, bool positioned, off_t offset)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = positioned ?
			pread(fd, (char *)buf + done, size - done, offset + (off_t)done) :
			read(fd, (char *)buf + done, size - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

ssize_t read_full(int fd, void *buf, size_t size)
{
	return read_loop(fd, buf, size, false, 0);
}

ssize_t pread_full(int fd, void *buf, size_t size, off_t offset)
{
	return read_loop(fd, buf, size, true, offset);
}
