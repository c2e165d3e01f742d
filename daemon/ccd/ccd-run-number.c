// SPDX-License-Identifier: GPL-2.0
/*
 * The persisted run number (see ccd-run-number.h).
 */
#include "daemon/ccd/ccd-run-number.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/shared/atomic-replace.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/read-full.h"

int ccd_run_number_load(const char *path, uint32_t *ret)
{
	_cleanup_close_ int fd = -EBADF;
	char text[16];
	uint64_t v = 0;
	ssize_t n;
	size_t i = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return -errno;
		*ret = 0;
		return 0;
	}
	n = read_full(fd, text, sizeof(text));
	if (n < 0)
		return (int)n;
	/* Digits, one newline, nothing else. */
	for (; i < (size_t)n && text[i] >= '0' && text[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(text[i] - '0');
		if (v > CCD_RUN_NUMBER_MAX)
			return -EBADMSG;
	}
	if (i == 0 || i + 1 != (size_t)n || text[i] != '\n')
		return -EBADMSG;
	*ret = (uint32_t)v;
	return 0;
}

int ccd_run_number_save(const char *path, uint32_t number)
{
	char text[16];
	int n;

	if (number > CCD_RUN_NUMBER_MAX)
		return -ERANGE;
	n = snprintf(text, sizeof(text), "%u\n", number);
	return atomic_replace_file(path, text, (size_t)n, NULL);
}
