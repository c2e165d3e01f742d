/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replacing a state file so that a crash or power cut at any moment leaves
 * either the old file or the new one at its path, never a mix or a
 * truncated file: the new contents go to a temporary file beside it, are
 * fsync'd, renamed over the path, and the directory is fsync'd so the
 * rename itself is durable. The compiled database and the fill log are
 * written this way.
 */
#ifndef STATIOND_SHARED_ATOMIC_REPLACE_H
#define STATIOND_SHARED_ATOMIC_REPLACE_H

#include <stddef.h>

/*
 * Makes @path a regular file (mode 0644) holding the @size bytes of @data.
 * When @ret_fd is not NULL it receives a read-write descriptor of the new
 * file (for a caller that appends to it next). Returns 0 or a negative
 * errno; on failure before the rename the old file is untouched and no
 * temporary file is left behind.
 */
int atomic_replace_file(const char *path, const void *data, size_t size, int *ret_fd);

#endif
