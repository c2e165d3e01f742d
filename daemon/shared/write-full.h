/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing all of a buffer to a file descriptor: pwrite(2) may write less
 * than asked (a signal, a full disk met part way), so every caller that
 * means "all of it or an error" needs the same loop: it lives here.
 */
#ifndef STATIOND_SHARED_WRITE_FULL_H
#define STATIOND_SHARED_WRITE_FULL_H

#include <stddef.h>
#include <sys/types.h>

/* Write @size bytes of @buf to @fd at @offset, continuing after short
 * writes and EINTR, leaving the file position alone. Returns 0 or a
 * negative errno (what was written before the error stays written). */
int pwrite_full(int fd, const void *buf, size_t size, off_t offset);

#endif
