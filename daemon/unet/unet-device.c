// SPDX-License-Identifier: GPL-2.0
/*
 * A /dev/unetN frame device on sd-event (see unet-device.h).
 */
#include "daemon/unet/unet-device.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon/shared/log.h"
#include "daemon/shared/read-full.h"
#include "daemon/unet/unet-frame.h"

static inline void closedirp(DIR **dir)
{
	if (*dir)
		closedir(*dir);
}

struct queued_payload {
	char bytes[UNET_PAYLOAD_MAX];
	size_t len;
};

struct unet_device {
	sd_event *event;
	char *tty;			/* by tty name, or */
	char *path;			/* by a fixed path */
	char description[128];
	struct unet_device_callbacks callbacks;
	void *userdata;

	int fd;
	char name[32];			/* unetN */
	char sysfs[96];			/* /sys/dev/char/M:m */
	sd_event_source *io;
	sd_event_source *reopen_timer;
	uint64_t backoff_usec;
	bool open_failure_logged;

	struct queued_payload queue[UNET_DEVICE_WRITE_QUEUE];
	size_t queue_head, queue_count;
	uint64_t queue_drops;
};

static int read_attribute(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read_full(fd, buf, size - 1);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int unet_device_path_for_tty(const char *sysfs_root, const char *tty, char *path, size_t size)
{
	_cleanup_(closedirp) DIR *dir = NULL;
	char class_dir[256];
	struct stat st;
	struct dirent *de;

	if (snprintf(path, size, UNET_BY_TTY_DIR "/%s", tty) >= (int)size)
		return -ENAMETOOLONG;
	if (stat(path, &st) == 0)
		return 0;

	snprintf(class_dir, sizeof(class_dir), "%s/class/unet", sysfs_root);
	dir = opendir(class_dir);
	if (!dir)
		return -ENOENT;
	while ((de = readdir(dir))) {
		char attribute[PATH_MAX], value[64];

		if (strncmp(de->d_name, "unet", 4) != 0)
			continue;
		if (snprintf(attribute, sizeof(attribute), "%s/%s/tty", class_dir, de->d_name) >=
		    (int)sizeof(attribute))
			continue;
		if (read_attribute(attribute, value, sizeof(value)) < 0 || strcmp(value, tty) != 0)
			continue;
		if (snprintf(path, size, "/dev/%s", de->d_name) >= (int)size)
			return -ENAMETOOLONG;
		return 0;
	}
	return -ENOENT;
}

static void close_device(struct unet_device *d)
{
	d->io = sd_event_source_disable_unref(d->io);
	d->fd = safe_close(d->fd);
	d->name[0] = d->sysfs[0] = '\0';
	d->queue_head = d->queue_count = 0;
}

static int schedule_reopen(struct unet_device *d)
{
	int r;

	r = sd_event_source_set_time_relative(d->reopen_timer, d->backoff_usec);
	if (r >= 0)
		r = sd_event_source_set_enabled(d->reopen_timer, SD_EVENT_ONESHOT);
	d->backoff_usec *= 2;
	if (d->backoff_usec > UNET_DEVICE_BACKOFF_MAX_USEC)
		d->backoff_usec = UNET_DEVICE_BACKOFF_MAX_USEC;
	return r;
}

static void lose(struct unet_device *d, int error, const char *why)
{
	log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, error,
		  "unet %s: %s %s; opening it again with backoff", d->description,
		  d->name[0] ? d->name : "device", why);
	close_device(d);
	d->backoff_usec = UNET_DEVICE_BACKOFF_MIN_USEC;
	d->open_failure_logged = true;	/* the next failures are expected */
	if (schedule_reopen(d) < 0)
		log_error_errno(-ENOMEM, "unet %s: cannot arm the reopen timer", d->description);
	if (d->callbacks.state)
		d->callbacks.state(false, d->userdata);
}

static int update_events(struct unet_device *d)
{
	return sd_event_source_set_io_events(d->io, EPOLLIN | (d->queue_count ? EPOLLOUT : 0));
}

/* Write queued payloads while the device takes them. */
static int flush_queue(struct unet_device *d)
{
	while (d->queue_count) {
		struct queued_payload *q = &d->queue[d->queue_head];
		ssize_t n = write(d->fd, q->bytes, q->len);

		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		d->queue_head = (d->queue_head + 1) % UNET_DEVICE_WRITE_QUEUE;
		d->queue_count--;
		if (n < 0 && errno == EINVAL) {
			/* The discipline refused it (its limits); the rest may do. */
			log_error_errno(EINVAL, "unet %s: the discipline refused a payload",
					d->description);
			continue;
		}
		if (n < 0)
			return -errno;
	}
	return update_events(d);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct unet_device *d = userdata;
	char buf[UNET_PAYLOAD_MAX + 1];
	int r;

	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		for (int i = 0; i < UNET_DEVICE_READS_PER_CALLBACK; i++) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n > 0) {
				if (d->callbacks.payload)
					d->callbacks.payload(buf, (size_t)n, d->userdata);
				if (d->fd != fd)
					return 0;	/* the callback closed it */
				continue;
			}
			if (n == 0) {
				lose(d, 0, "hung up");
				return 0;
			}
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			lose(d, errno, "failed to read");
			return 0;
		}
	}
	if (revents & EPOLLOUT) {
		r = flush_queue(d);
		if (r < 0) {
			lose(d, r, "failed to write");
			return 0;
		}
	}
	return 0;
}

/* Where to open now: the fixed path, or the tty's frame device. */
static int current_path(const struct unet_device *d, char *path, size_t size)
{
	if (d->path) {
		if (snprintf(path, size, "%s", d->path) >= (int)size)
			return -ENAMETOOLONG;
		return 0;
	}
	return unet_device_path_for_tty("/sys", d->tty, path, size);
}

static int try_open(struct unet_device *d)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, r;

	r = current_path(d, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
		safe_close(fd);
		return -ENODEV;
	}
	r = sd_event_add_io(d->event, &d->io, fd, EPOLLIN, on_io, d);
	if (r < 0) {
		safe_close(fd);
		return r;
	}
	d->fd = fd;
	snprintf(d->sysfs, sizeof(d->sysfs), "/sys/dev/char/%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	{
		char link[PATH_MAX];
		ssize_t n = readlink(d->sysfs, link, sizeof(link) - 1);
		const char *base;

		link[n > 0 ? n : 0] = '\0';
		base = strrchr(link, '/');
		snprintf(d->name, sizeof(d->name), "%.31s", base ? base + 1 : path);
	}
	log_info("unet %s: opened %s (%s)", d->description, path, d->name);
	return 0;
}

static int on_reopen(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct unet_device *d = userdata;
	int r;

	r = try_open(d);
	if (r < 0) {
		if (!d->open_failure_logged)
			log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, r,
				  "unet %s: cannot open the frame device; trying again with backoff",
				  d->description);
		d->open_failure_logged = true;
		if (schedule_reopen(d) < 0)
			log_error_errno(-ENOMEM, "unet %s: cannot arm the reopen timer",
					d->description);
		return 0;
	}
	d->backoff_usec = UNET_DEVICE_BACKOFF_MIN_USEC;
	d->open_failure_logged = false;
	if (d->callbacks.state)
		d->callbacks.state(true, d->userdata);
	return 0;
}

int unet_device_new(sd_event *event, const char *tty, const char *path,
		    const struct unet_device_callbacks *callbacks, void *userdata,
		    struct unet_device **ret)
{
	_cleanup_(unet_device_freep) struct unet_device *d = NULL;
	int r;

	if (!tty == !path)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = -EBADF;
	d->event = sd_event_ref(event);
	d->tty = tty ? strdup(tty) : NULL;
	d->path = path ? strdup(path) : NULL;
	if (!d->tty && !d->path)
		return -ENOMEM;
	snprintf(d->description, sizeof(d->description), "%s%s", tty ? "tty " : "",
		 tty ? tty : path);
	if (callbacks)
		d->callbacks = *callbacks;
	d->userdata = userdata;
	d->backoff_usec = UNET_DEVICE_BACKOFF_MIN_USEC;
	/* Opened from the loop, so the state callback runs once the caller
	 * has finished setting up. */
	r = sd_event_add_time_relative(event, &d->reopen_timer, CLOCK_MONOTONIC, 0, 0, on_reopen,
				       d);
	if (r < 0)
		return r;
	r = sd_event_source_set_enabled(d->reopen_timer, SD_EVENT_ONESHOT);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(d);
	return 0;
}

struct unet_device *unet_device_free(struct unet_device *d)
{
	if (!d)
		return NULL;
	close_device(d);
	sd_event_source_disable_unref(d->reopen_timer);
	sd_event_unref(d->event);
	free(d->tty);
	free(d->path);
	free(d);
	return NULL;
}

int unet_device_write(struct unet_device *d, const void *payload, size_t len)
{
	struct queued_payload *q;
	ssize_t n;
	int r;

	if (d->fd < 0)
		return -ENOTCONN;
	if (len > UNET_PAYLOAD_MAX)
		return -EINVAL;
	if (d->queue_count == 0) {
		do
			n = write(d->fd, payload, len);
		while (n < 0 && errno == EINTR);
		if (n >= 0)
			return 0;
		if (errno == EINVAL)
			return -EINVAL;
		if (errno != EAGAIN) {
			r = -errno;
			lose(d, r, "failed to write");
			return r;
		}
	}
	if (d->queue_count == UNET_DEVICE_WRITE_QUEUE) {
		d->queue_drops++;
		return -ENOBUFS;
	}
	q = &d->queue[(d->queue_head + d->queue_count) % UNET_DEVICE_WRITE_QUEUE];
	memcpy(q->bytes, payload, len);
	q->len = len;
	d->queue_count++;
	return update_events(d);
}

bool unet_device_is_up(const struct unet_device *d)
{
	return d->fd >= 0;
}

const char *unet_device_name(const struct unet_device *d)
{
	return d->name;
}

const char *unet_device_description(const struct unet_device *d)
{
	return d->description;
}

size_t unet_device_queued(const struct unet_device *d)
{
	return d->queue_count;
}

uint64_t unet_device_queue_drops(const struct unet_device *d)
{
	return d->queue_drops;
}

int unet_device_counter(const struct unet_device *d, const char *attribute, uint64_t *ret)
{
	char path[256], value[32], *end;
	unsigned long long v;
	int r;

	if (d->fd < 0 || !d->sysfs[0])
		return -ENOTCONN;
	snprintf(path, sizeof(path), "%s/%s", d->sysfs, attribute);
	r = read_attribute(path, value, sizeof(value));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno || end == value || *end)
		return -EBADMSG;
	*ret = v;
	return 0;
}
