// SPDX-License-Identifier: GPL-2.0
/*
 * Write beside, fsync, rename over, fsync the directory (see
 * atomic-replace.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/shared/atomic-replace.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/write-full.h"

static int fsync_directory_of(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_close_ int fd = -EBADF;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

int atomic_replace_file(const char *path, const void *data, size_t size, int *ret_fd)
{
	_cleanup_free_ char *temp = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (asprintf(&temp, "%s.XXXXXX", path) < 0) {
		temp = NULL;
		return -ENOMEM;
	}
	/* mkostemp: a name no other writer has, created 0600 and opened O_RDWR. */
	fd = mkostemp(temp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = pwrite_full(fd, data, size, 0);
	if (r >= 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && rename(temp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(temp);
		return r;
	}
	r = fsync_directory_of(path);
	if (r < 0)
		return r;
	if (ret_fd)
		*ret_fd = TAKE_FD(fd);
	return 0;
}
