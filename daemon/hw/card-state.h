/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One xvme card as sysfs shows it (kernel/Documentation/ABI: sysfs-bus-xvme
 * and sysfs-bus-xvme-drivers), read through libudev (the list of cards
 * from the bus's device directory): what the card objects on the bus
 * publish (bus-card.h). Every read goes to sysfs again (a fresh
 * udev_device: libudev caches attribute values per device), so the LED and
 * the conversion counters are current.
 */
#ifndef STATIOND_HW_CARD_STATE_H
#define STATIOND_HW_CARD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libudev.h>

struct card_state {
	bool present;			/* its device is on the xvme bus */
	char model[16];			/* "240", "260", "560", "unknown"; "" when absent */
	char id[40];			/* the ID PROM string */
	char selftest[128];		/* "pass", "fail: <reason>" */
	char led[8];			/* "green", "red", "off"; "" when unreadable */
	uint64_t conversion_timeouts;	/* XVME-560 only, else 0 */
	uint64_t conversion_errors;
};

/* "xvme0-0c00" -> crate 0, address 0x0c00: "xvme", 1-3 decimal digits,
 * "-", four lower-case hex digits, as the bus names its cards (a crate,
 * "xvme0", is not a card). */
bool card_name_parse(const char *name, uint8_t *crate, uint16_t *address);

/* The state of card `name` now; absent (present false, the rest empty)
 * when no such device is on the bus. -ENOMEM only. */
int card_state_read(struct udev *udev, const char *name, struct card_state *ret);

/* Where the xvme bus lists its devices (crates and cards). */
#define CARD_STATE_BUS_DEVICES "/sys/bus/xvme/devices"

/* The names of every card in directory @dir (a crate or anything else
 * that is not a card's name is left out), sorted, NULL-terminated (free
 * each and the array); none when @dir does not exist (no bus). -ENOMEM
 * or the directory's error. */
int card_state_list_dir(const char *dir, char ***ret);

/* The names of every card device on the xvme bus now, as above. */
int card_state_list(char ***ret);

/*
 * One conversion of an XVME-560's channel (0-31) through its IIO device
 * (the child of the card labelled with its name): the code and the
 * millivolts, (raw + offset) * scale. -ENODEV when the card is absent or
 * has no IIO device (another model), -ETIMEDOUT or -EIO as the read
 * fails (sysfs-bus-xvme-drivers).
 */
int card_state_convert(struct udev *udev, const char *name, unsigned channel, int32_t *ret_raw,
		       int32_t *ret_mv);

/*
 * The card's power-on test again (its sysfs "retest"), and the result
 * ("pass", "fail: ..."). -EBUSY when its lines are held (the kernel never
 * resets a card under its users), -ENODEV when absent.
 */
int card_state_retest(struct udev *udev, const char *name, char *result, size_t size);

#endif
