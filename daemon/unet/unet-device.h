/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A /dev/unetN frame device on the daemon's event loop: the n_unet line
 * discipline's file side (kernel/unet/unet_chardev.c), one payload per
 * read() and write().
 *
 * - Opened O_RDWR|O_NONBLOCK; an sd-event I/O source reads at most
 *   UNET_DEVICE_READS_PER_CALLBACK payloads per wake-up, so a chattering
 *   line never holds the loop.
 * - Writes go straight to the device while its 16-frame kernel queue has
 *   room; on EAGAIN they wait in a bounded queue here and EPOLLOUT resumes
 *   them in order. A full queue refuses (-ENOBUFS): the link layer resends
 *   messages by its own timer, and a lost ACK makes the controller resend.
 * - A hang-up (the discipline detached, the tty gone: read() returns 0,
 *   EPOLLHUP, or EIO on write) closes it, and it is opened again with
 *   backoff (0.25 s doubling to 10 s). A line named by its tty is found
 *   again through /dev/unet/by-tty/<tty> (udev/60-unet.rules) or, where
 *   udev does not run, through /sys/class/unet/unetN/tty, since a
 *   re-attached discipline may get another unetN.
 * - The discipline's counters (short_frames, long_frames, ...) are read
 *   from its sysfs directory on demand.
 */
#ifndef STATIOND_UNET_UNET_DEVICE_H
#define STATIOND_UNET_UNET_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/shared/macro.h"

#define UNET_DEVICE_READS_PER_CALLBACK 16
#define UNET_DEVICE_WRITE_QUEUE 64
#define UNET_DEVICE_BACKOFF_MIN_USEC 250000ull
#define UNET_DEVICE_BACKOFF_MAX_USEC 10000000ull
#define UNET_BY_TTY_DIR "/dev/unet/by-tty"

struct unet_device;

struct unet_device_callbacks {
	/* One payload read from the device. */
	void (*payload)(const void *payload, size_t len, void *userdata);
	/* Opened (up) or lost (down). */
	void (*state)(bool up, void *userdata);
};

/*
 * Watch the line: by tty name (tty non-NULL: "ttyS1", "pts3") or by a
 * device path (path non-NULL, opened as given every time). It is opened
 * now if it can be, else retried with backoff: a missing line is not an
 * error here (the controller may be attached later). -EINVAL, -ENOMEM, or
 * an event source's error.
 */
int unet_device_new(sd_event *event, const char *tty, const char *path,
		    const struct unet_device_callbacks *callbacks, void *userdata,
		    struct unet_device **ret);
struct unet_device *unet_device_free(struct unet_device *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct unet_device *, unet_device_free);

/*
 * Send one payload. 0 (written, or queued behind others), -ENOTCONN while
 * the device is not open, -ENOBUFS when the queue is full, -EINVAL for a
 * payload the discipline refuses, or another write error (the device is
 * then treated as hung up).
 */
int unet_device_write(struct unet_device *d, const void *payload, size_t len);

bool unet_device_is_up(const struct unet_device *d);
/* "unet0" while open, else "". */
const char *unet_device_name(const struct unet_device *d);
/* What the configuration named: "tty ttyS1" or the path. */
const char *unet_device_description(const struct unet_device *d);
/* Payloads waiting in the write queue. */
size_t unet_device_queued(const struct unet_device *d);
/* Writes refused because the queue was full. */
uint64_t unet_device_queue_drops(const struct unet_device *d);

/* A counter of the discipline (sysfs attribute name): -ENOTCONN while
 * not open. */
int unet_device_counter(const struct unet_device *d, const char *attribute, uint64_t *ret);

/*
 * Find the frame device of a tty: /dev/unet/by-tty/<tty> if it exists,
 * else the /sys/class/unet/unetN whose tty attribute is tty (as
 * /dev/unetN). -ENOENT when the discipline is not attached to it.
 * sysfs_root: "/sys" (tests pass their own).
 */
int unet_device_path_for_tty(const char *sysfs_root, const char *tty, char *path, size_t size);

#endif
