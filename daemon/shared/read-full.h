/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a known amount from a file descriptor. read(2) and pread(2) may
 * return less than asked (a signal, a pipe, a sysfs or debugfs file that
 * hands out its text in pieces), so every caller that wants "all of it"
 * needs the same continue-after-EINTR-and-short-read loop: it lives here.
 */
#ifndef STATIOND_SHARED_READ_FULL_H
#define STATIOND_SHARED_READ_FULL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read @size bytes from @fd at its file position, continuing after short
 * reads and EINTR. Returns the number of bytes read, less than @size only
 * when the file ended first, or a negative errno.
 */
ssize_t read_full(int fd, void *buf, size_t size);

/* The same at @offset, leaving the file position alone (pread(2)). */
ssize_t pread_full(int fd, void *buf, size_t size, off_t offset);

#endif
