// SPDX-License-Identifier: GPL-2.0
/*
 * A simulator's line-based command source (see control-source.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "tests/sim/control-source.h"

int control_source_open(const char *prog, const char *path, struct control_source *src)
{
	struct stat st;
	int fd;

	*src = (struct control_source) { .fd = -EBADF };
	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		src->fd = STDIN_FILENO;
		return 0;
	}
	if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
		fprintf(stderr, "%s: mkfifo %s: %m\n", prog, path);
		return -errno;
	}
	/* Read-write: a FIFO with a writer of our own never reads EOF. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %m\n", prog, path);
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "%s: %s: exists and is not a FIFO\n", prog, path);
		close(fd);
		return -EINVAL;
	}
	src->fd = fd;
	src->owned = true;
	return 0;
}

int control_source_read(struct control_source *src,
			void (*run)(const char *line, void *userdata), void *userdata)
{
	char chunk[512];
	ssize_t n;

	n = read(src->fd, chunk, sizeof(chunk));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -EPIPE;
	for (ssize_t i = 0; i < n; i++) {
		if (chunk[i] != '\n') {
			if (src->discarding)
				continue;
			if (src->len == CONTROL_LINE_MAX) {
				printf("error: line longer than %d bytes\n", CONTROL_LINE_MAX);
				fflush(stdout);
				src->discarding = true;
				src->len = 0;
				continue;
			}
			src->buf[src->len++] = chunk[i];
			continue;
		}
		if (!src->discarding) {
			src->buf[src->len] = '\0';
			run(src->buf, userdata);
		}
		src->discarding = false;
		src->len = 0;
	}
	return 0;
}

void control_source_close(struct control_source *src)
{
	if (src->owned)
		safe_close(src->fd);
	src->fd = -EBADF;
	src->owned = false;
}
