// SPDX-License-Identifier: GPL-2.0
/*
 * Cards that leave the crate and come back while the daemon runs.
 *
 * A libudev monitor on the event loop hears the xvme bus (the cards), and
 * the iio and gpio subsystems (the devices their drivers register under
 * them). An event belongs to a configured card when the card's device name
 * (xvme0-0c00) is a component of its DEVPATH: that still works for
 * "remove", when sysfs has nothing left to ask.
 *
 *   remove/unbind  the card, its IIO device or its gpiochip went away: its
 *                  lines are released and its files closed (the kernel
 *                  de-energized its relays as it removed the chip), a
 *                  system fault is logged with CARD=, and every callback
 *                  on it fails from now on, so the engine makes the
 *                  detectors and manifolds wired to it unavailable.
 *   bind           a card's driver bound: it is there, its power-on test
 *                  has run and its gpiochip or IIO device exists. A card
 *                  that is configured and not usable (removed earlier, or
 *                  missing or failed at start) is opened again as at start:
 *                  right model, test passed, lines requested low. Its
 *                  detectors come back at the engine's next scan.
 *
 * The monitor listens to udevd's events when udevd runs (after its rules,
 * so device nodes and permissions are in place), else to the kernel's. It
 * is started before the cards are looked for (hw_open()), so that a card
 * whose driver binds while the daemon starts is not missed: its bind is
 * queued on the monitor's socket and read once the loop runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/hw/hw-internal.h"
#include "daemon/shared/log.h"

/* Where udevd keeps its control socket while it runs. */
#define UDEVD_CONTROL "/run/udev/control"
#define UEVENT_BUFFER_BYTES (4 * 1024 * 1024)

static const char *const watched_subsystems[] = { "xvme", "iio", "gpio" };

/* Is name a component of the device path ("/.../xvme0-0c00/iio:device2")? */
static bool devpath_has_component(const char *devpath, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = strstr(devpath, name); p; p = strstr(p + 1, name))
		if (p > devpath && p[-1] == '/' && (p[len] == '/' || p[len] == '\0'))
			return true;
	return false;
}

struct hw_card *hw_card_of_devpath(struct hw *hw, const char *devpath)
{
	if (!devpath)
		return NULL;
	for (size_t i = 0; i < hw->station->n_cards; i++)
		if (devpath_has_component(devpath, hw->cards[i].name))
			return &hw->cards[i];
	return NULL;
}

enum hw_hotplug_step hw_hotplug_step_of(const char *action, const char *subsystem)
{
	if (!action || !subsystem)
		return HW_HOTPLUG_NONE;
	if (strcmp(action, "remove") == 0 || strcmp(action, "unbind") == 0)
		return HW_HOTPLUG_LOST;
	/* Only the card's own bind says its driver finished probing. */
	if (strcmp(action, "bind") == 0 && strcmp(subsystem, "xvme") == 0)
		return HW_HOTPLUG_FOUND;
	return HW_HOTPLUG_NONE;
}

static void card_lost(struct hw *hw, struct hw_card *c, const char *action, const char *what)
{
	if (c->error < 0)
		return;		/* not in use: nothing to let go of */
	hw_card_close(c);
	c->removed = true;
	c->error = -ENODEV;
	snprintf(c->why, sizeof(c->why), "left the crate (%s %s)", action, what);
	hw_card_log_unusable(hw, c, LOG_ERR, LOG_EVENT_FAULT);
}

static void card_found(struct hw *hw, struct hw_card *c)
{
	if (c->error == 0)
		return;		/* in use: a rebind we already saw through */
	log_event(LOG_NOTICE, LOG_EVENT_CARD, LOG_NO_DETECTOR, NULL, c->name, 0,
		  "card %s is on the bus again: opening it", c->name);
	hw_card_close(c);
	hw_card_open(hw, c);
	if (c->error == 0)
		c->removed = false;
}

void hw_hotplug_apply(struct hw *hw, const char *action, const char *subsystem,
		      const char *devpath)
{
	struct hw_card *c = hw_card_of_devpath(hw, devpath);
	const char *what;

	if (!c)
		return;
	what = strrchr(devpath, '/');
	what = what ? what + 1 : devpath;
	switch (hw_hotplug_step_of(action, subsystem)) {
	case HW_HOTPLUG_LOST:
		card_lost(hw, c, action, what);
		break;
	case HW_HOTPLUG_FOUND:
		card_found(hw, c);
		break;
	case HW_HOTPLUG_NONE:
		break;
	}
}

/*
 * Events handled per dispatch: a crate of cards coming back is hundreds of
 * events, and the scan must not wait for all of them. The source is level
 * triggered: what is left is read at the next iteration, after a scan that
 * fell due meanwhile.
 */
#define UEVENTS_PER_DISPATCH 16

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct hw *hw = userdata;

	for (unsigned n = 0; n < UEVENTS_PER_DISPATCH; n++) {
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_monitor_receive_device(hw->monitor);

		if (!d)
			break;
		hw_hotplug_apply(hw, udev_device_get_action(d), udev_device_get_subsystem(d),
				 udev_device_get_devpath(d));
		if (hw->device_observer && udev_device_get_subsystem(d) &&
		    strcmp(udev_device_get_subsystem(d), "xvme") == 0)
			hw->device_observer(hw->device_observer_userdata);
	}
	return 0;
}

void hw_set_device_observer(struct hw *hw, void (*observer)(void *userdata), void *userdata)
{
	hw->device_observer = observer;
	hw->device_observer_userdata = userdata;
}

int hw_monitor_start(struct hw *hw)
{
	const char *source = access(UDEVD_CONTROL, F_OK) == 0 ? "udev" : "kernel";
	int r;

	if (hw->monitor)
		return -EBUSY;
	hw->monitor = udev_monitor_new_from_netlink(hw->udev, source);
	if (!hw->monitor)
		return log_error_errno(errno ? errno : ENOMEM,
				       "cannot watch %s device events", source);
	for (size_t i = 0; i < ELEMENTSOF(watched_subsystems); i++) {
		r = udev_monitor_filter_add_match_subsystem_devtype(hw->monitor,
								   watched_subsystems[i], NULL);
		if (r < 0)
			goto fail;
	}
	/* A crate of cards coming back at once is hundreds of events: keep
	 * them queued rather than lose one (a lost removal would still show
	 * as I/O errors, a lost bind would leave a card closed). */
	r = udev_monitor_set_receive_buffer_size(hw->monitor, UEVENT_BUFFER_BYTES);
	if (r < 0)
		log_event(LOG_WARNING, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, r,
			  "device events: cannot raise the receive buffer to %d bytes",
			  UEVENT_BUFFER_BYTES);
	r = udev_monitor_enable_receiving(hw->monitor);
	if (r < 0)
		goto fail;
	log_event(LOG_INFO, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "watching %s events of xvme, iio and gpio devices for card hotplug", source);
	return 0;
fail:
	hw_detach_event(hw);
	return log_error_errno(r, "cannot watch %s device events", source);
}

int hw_attach_event(struct hw *hw, sd_event *event, int64_t priority)
{
	int r;

	if (!hw->monitor)
		return -ENOTCONN;	/* hw_open() could not start it: logged */
	if (hw->monitor_source)
		return -EBUSY;
	/* What came while the cards were being opened is queued on the
	 * socket: read at the loop's first iterations. */
	r = sd_event_add_io(event, &hw->monitor_source, udev_monitor_get_fd(hw->monitor),
			    EPOLLIN, on_uevent, hw);
	if (r >= 0)
		r = sd_event_source_set_priority(hw->monitor_source, priority);
	if (r < 0) {
		hw_detach_event(hw);
		return log_error_errno(r, "cannot watch device events on the event loop");
	}
	return 0;
}

void hw_detach_event(struct hw *hw)
{
	hw->monitor_source = sd_event_source_disable_unref(hw->monitor_source);
	if (hw->monitor)
		udev_monitor_unref(hw->monitor);
	hw->monitor = NULL;
}
