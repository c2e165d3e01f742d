/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small language helpers shared by the daemon, its clients and the
 * simulators: cleanup attributes (systemd style) and array sizes.
 */
#ifndef STATIOND_SHARED_MACRO_H
#define STATIOND_SHARED_MACRO_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Define a cleanup function for a pointer type with its own free function. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)			\
	static inline void func##p(type *p)			\
	{							\
		if (*p)						\
			func(*p);				\
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Close an fd, keeping errno: used by _cleanup_close_. */
static inline int safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return -EBADF;
}

static inline void closep(int *fd)
{
	safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand a resource out of a _cleanup_ variable. */
#define TAKE_PTR(p)					\
	({						\
		__typeof__(p) _ptr_ = (p);		\
		(p) = NULL;				\
		_ptr_;					\
	})
#define TAKE_FD(fd)					\
	({						\
		int _fd_ = (fd);			\
		(fd) = -EBADF;				\
		_fd_;					\
	})

#endif
