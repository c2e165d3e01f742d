/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hardware layer's state, shared by hw.c (finding, opening and
 * driving cards) and hw-hotplug.c (cards leaving and coming back).
 */
#ifndef STATIOND_HW_HW_INTERNAL_H
#define STATIOND_HW_HW_INTERNAL_H

#include <gpiod.h>
#include <libudev.h>
#include <systemd/sd-event.h>

#include "daemon/hw/adc-convert.h"
#include "daemon/hw/hw.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

/* XVME-240: port0.0..port7.7, irq0..7, flag0..7; XVME-260: relay0..31. */
#define CARD_LINES_MAX (TTL_PORT_LINES + TTL_IRQ_LINES + TTL_FLAG_LINES)

struct hw_card {
	const struct card *config;
	char name[CARD_NAME_MAX];
	int error;			/* 0, or why the card is unusable */
	char why[160];			/* ... in words, for its journal entry */
	bool removed;			/* it left the bus while we ran */
	struct gpiod_chip *chip;	/* XVME-240, XVME-260 */
	struct gpiod_line *line[CARD_LINES_MAX];
	int line_error[CARD_LINES_MAX];	/* request failure of a wanted line */
	bool wanted[CARD_LINES_MAX];	/* last value asked of an output line */
	int raw_fd[ADC_CHANNELS];	/* XVME-560: in_voltageN_raw, -EBADF unused */
	struct adc_calibration cal;
};

struct hw {
	const struct station *station;
	struct udev *udev;
	struct hw_card *cards;		/* parallel to station->cards */
	/* hotplug (hw-hotplug.c), once hw_attach_event() was called */
	struct udev_monitor *monitor;
	sd_event_source *monitor_source;
	void (*device_observer)(void *userdata);	/* hw_set_device_observer() */
	void *device_observer_userdata;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref)

/* hw.c: find, check and open one card and request its configured lines;
 * on failure c->error and c->why say why, logged once with what uses the
 * card (hw_card_log_unusable()). */
void hw_card_open(struct hw *hw, struct hw_card *c);
/* hw.c: the one journal entry of an unusable card, with CARD=: c->why and
 * every detector, manifold and output that depends on it (card-users.h):
 * "card xvme0-0800 (XVME-260): not found on the xvme bus: No such device;
 * unavailable: detectors 1-6; manifold A". */
void hw_card_log_unusable(const struct hw *hw, const struct hw_card *c, int priority,
			  enum log_event event);
/* hw.c: release its lines, close its chip and files; c->error is kept. */
void hw_card_close(struct hw_card *c);

/* hw-hotplug.c: start receiving device events (hw_open(), before any card
 * is looked for; they queue until hw_attach_event()), and stop (hw_free()). */
int hw_monitor_start(struct hw *hw);
void hw_detach_event(struct hw *hw);

/* What a device event means for the card it belongs to. */
enum hw_hotplug_step {
	HW_HOTPLUG_NONE,
	HW_HOTPLUG_LOST,	/* the card or a device of it went away */
	HW_HOTPLUG_FOUND,	/* the card's driver bound: open it if unused */
};
enum hw_hotplug_step hw_hotplug_step_of(const char *action, const char *subsystem);
/* The configured card whose device name is a component of devpath. */
struct hw_card *hw_card_of_devpath(struct hw *hw, const char *devpath);
/* Act on one device event (the monitor's handler, and the unit tests). */
void hw_hotplug_apply(struct hw *hw, const char *action, const char *subsystem,
		      const char *devpath);

#endif
