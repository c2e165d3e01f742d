/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulator's line-based command source: a control FIFO (created when
 * missing, opened read-write so it never reads EOF) or standard input.
 * Lines longer than CONTROL_LINE_MAX are refused whole, with an error on
 * standard output. ln2-plant and ccd-sim take their fault commands so.
 */
#ifndef STATIOND_TESTS_SIM_CONTROL_SOURCE_H
#define STATIOND_TESTS_SIM_CONTROL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_LINE_MAX 255

struct control_source {
	int fd;			/* -EBADF: none (or closed) */
	bool owned;		/* close it at the end (not stdin) */
	bool discarding;	/* the rest of an overlong line */
	char buf[CONTROL_LINE_MAX + 1];
	size_t len;
};

/*
 * @path a FIFO (made if missing; must be one if it exists), "-" for
 * standard input, or NULL for none. Errors are printed as "@prog: ...".
 */
int control_source_open(const char *prog, const char *path, struct control_source *src);
/* Run @run on every complete line that is there. -EPIPE at EOF. */
int control_source_read(struct control_source *src,
			void (*run)(const char *line, void *userdata), void *userdata);
void control_source_close(struct control_source *src);

#endif
