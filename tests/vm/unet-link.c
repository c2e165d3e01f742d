// SPDX-License-Identifier: GPL-2.0
/*
 * Pseudo-terminal pair + n_unet attachment for the VM tests (see
 * unet-link.h). Functions return negative errno, as in the daemon.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "tests/vm/unet-link.h"

/* UNET_LDISC in the environment overrides, for a module loaded ldisc=N. */
int unet_ldisc_number(void)
{
	const char *s = getenv("UNET_LDISC");

	return s ? atoi(s) : UNET_LDISC_DEFAULT;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	return 0;
}

/* A raw pty pair; @tty receives the slave's kernel name ("ptsN"). */
int pty_pair_open(int *master, int *slave, char *tty, size_t tty_size)
{
	_cleanup_close_ int m = -EBADF, s = -EBADF;
	char path[64];
	int r;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	if (grantpt(m) < 0 || unlockpt(m) < 0)
		return -errno;
	if (ptsname_r(m, path, sizeof(path)) != 0)
		return -errno;
	s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return -errno;
	r = make_raw(m);
	if (r < 0)
		return r;
	r = make_raw(s);
	if (r < 0)
		return r;
	/* /dev/pts/3 -> pts3, the name the kernel gives the tty. */
	if (snprintf(tty, tty_size, "pts%s", path + strlen("/dev/pts/")) >=
	    (int)tty_size)
		return -ENAMETOOLONG;
	*master = TAKE_FD(m);
	*slave = TAKE_FD(s);
	return 0;
}

/* The unet class device whose "tty" attribute names @tty. */
int unet_device_find(const char *tty, char *name, size_t size)
{
	DIR *dir = opendir("/sys/class/unet");
	struct dirent *de;
	int r = -ENOENT;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char path[300], value[64] = "";
		_cleanup_fclose_ FILE *f = NULL;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/unet/%s/tty",
			 de->d_name);
		f = fopen(path, "re");
		if (!f || !fgets(value, sizeof(value), f))
			continue;
		value[strcspn(value, "\n")] = 0;
		if (strcmp(value, tty) == 0) {
			snprintf(name, size, "%s", de->d_name);
			r = 0;
			break;
		}
	}
	closedir(dir);
	return r;
}

/*
 * Open /dev/<name>. Without devtmpfs or udev the node may be missing:
 * then make one from the class device's dev attribute in /run.
 */
int unet_device_open(const char *name, int flags)
{
	char path[128], devpath[128], dev[32] = "";
	_cleanup_fclose_ FILE *f = NULL;
	unsigned int major, minor;
	int fd, i;

	snprintf(path, sizeof(path), "/dev/%s", name);
	for (i = 0; i < 50; i++) {
		fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 || errno != ENOENT)
			return fd >= 0 ? fd : -errno;
		usleep(10000);
	}

	snprintf(devpath, sizeof(devpath), "/sys/class/unet/%s/dev", name);
	f = fopen(devpath, "re");
	if (!f || !fgets(dev, sizeof(dev), f) ||
	    sscanf(dev, "%u:%u", &major, &minor) != 2)
		return -ENODEV;
	snprintf(path, sizeof(path), "/run/unet-peer-%d-%s", getpid(), name);
	if (mknod(path, S_IFCHR | 0600, makedev(major, minor)) < 0)
		return -errno;
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
	i = errno;
	unlink(path);
	return fd >= 0 ? fd : -i;
}

int unet_link_attach(struct unet_link *link, int unet_flags)
{
	int ldisc = unet_ldisc_number();
	int r;

	if (ioctl(link->slave, TIOCSETD, &ldisc) < 0)
		return -errno;
	r = unet_device_find(link->tty, link->name, sizeof(link->name));
	if (r < 0)
		return r;
	snprintf(link->sysfs, sizeof(link->sysfs), "/sys/class/unet/%s",
		 link->name);
	if (unet_flags < 0)
		return 0;
	link->unet = unet_device_open(link->name, unet_flags);
	return link->unet < 0 ? link->unet : 0;
}

/* Back to N_TTY: the discipline and /dev/unetN go away. */
int unet_link_detach(struct unet_link *link)
{
	int n_tty = 0;

	if (ioctl(link->slave, TIOCSETD, &n_tty) < 0)
		return -errno;
	return 0;
}

/* A fresh pty pair with the discipline; @unet_flags < 0: do not open. */
int unet_link_open(struct unet_link *link, int unet_flags)
{
	int r;

	*link = (struct unet_link){ .master = -EBADF, .slave = -EBADF,
				    .unet = -EBADF };
	r = pty_pair_open(&link->master, &link->slave, link->tty,
			  sizeof(link->tty));
	if (r < 0)
		return r;
	r = unet_link_attach(link, unet_flags);
	if (r < 0)
		unet_link_close(link);
	return r;
}

void unet_link_close(struct unet_link *link)
{
	link->unet = safe_close(link->unet);
	link->slave = safe_close(link->slave);
	link->master = safe_close(link->master);
}

int unet_sysfs_read_u64(const struct unet_link *link, const char *attr,
			uint64_t *value)
{
	char path[160];
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long v;

	snprintf(path, sizeof(path), "%s/%s", link->sysfs, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%llu", &v) != 1)
		return -EIO;
	*value = v;
	return 0;
}

/* One write(2) of @value, so the attribute's own error comes back. */
int unet_sysfs_write(const struct unet_link *link, const char *attr,
		     const char *value)
{
	char path[160];
	_cleanup_close_ int fd = -EBADF;

	snprintf(path, sizeof(path), "%s/%s", link->sysfs, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		return -errno;
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				poll(&pfd, 1, 1000);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* One read after waiting at most @timeout_ms; -ETIMEDOUT if none came. */
ssize_t read_timeout(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = read(fd, buf, len);
	return n < 0 ? -errno : n;
}

/* Read everything until the line has been quiet for @quiet_ms. */
size_t drain(int fd, uint8_t *buf, size_t size, int quiet_ms)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read_timeout(fd, buf + got, size - got, quiet_ms);

		if (n <= 0)
			break;
		got += n;
	}
	return got;
}
