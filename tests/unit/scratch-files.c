// SPDX-License-Identifier: GPL-2.0
/*
 * Scratch directories and whole-file reads for the unit tests (see
 * scratch-files.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/scratch-files.h"

int scratch_dir_make(char *dir, size_t size, const char *name)
{
	int n = snprintf(dir, size, "/tmp/%s.XXXXXX", name);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (!mkdtemp(dir))
		return -errno;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) < 0 ? -errno : 0;
}

int scratch_dir_remove(const char *dir)
{
	/* Depth first (contents before their directory), not following links. */
	int r = nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	if (r < 0)
		return errno ? -errno : -EIO;
	return r;
}

uint8_t *slurp_file(const char *path, size_t *ret_size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, st.st_size, 0), st.st_size);
	close(fd);
	*ret_size = st.st_size;
	return buf;
}
