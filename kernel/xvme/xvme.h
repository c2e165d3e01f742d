/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xvme bus: Xycom XVME I/O cards in VME A16 ("short I/O") space.
 *
 * A crate is one backend instance (simulated crate, Linux VME bridge,
 * PCI window) and a device named xvme<N>. Each responding 1 KiB slot is a
 * card device xvme<N>-<addr> on the bus. Card drivers see only the card:
 * its model, ID PROM string, two regmaps (D8 and D16) over the backend,
 * an interrupt where the backend has one, and the power-on test and LED
 * framework below. They never know which backend carries their registers.
 *
 * Register facts: shared/spec/xvme-cards.md.
 */
#ifndef _XVME_XVME_H
#define _XVME_XVME_H

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/regmap.h>
#include <linux/types.h>

#define XVME_SLOT_SIZE		0x400
#define XVME_SLOTS		64
#define XVME_ID_CHARS		32	/* one character per odd byte */
#define XVME_ID_FIRST		0x01	/* 0x01, 0x03, ... 0x3f */
#define XVME_ID_PREFIX		"VMEIDXYC"
#define XVME_SELFTEST_LEN	96

/* LED bits of the family's CSR: RED=1 turns the red LED off, GRN=1 on. */
#define XVME_CSR_RED_OFF	BIT(0)
#define XVME_CSR_GRN_ON		BIT(1)

enum xvme_model {
	XVME_MODEL_UNKNOWN = 0,
	XVME_MODEL_240 = 240,
	XVME_MODEL_260 = 260,
	XVME_MODEL_560 = 560,
};

enum xvme_led {
	XVME_LED_OFF,
	XVME_LED_GREEN,
	XVME_LED_RED,
};

struct xvme_crate;

/**
 * struct xvme_backend_ops - how a crate reaches A16 short I/O space
 * @name:	the crate's "backend" attribute ("sim", "vme", "pci")
 * @read8:	D8 read at an A16 address
 * @write8:	D8 write
 * @read16:	D16 read at an even A16 address; big-endian on the bus, the
 *		value is returned in CPU order
 * @write16:	D16 write, likewise
 * @card_irq:	optional; the Linux interrupt of the card at @base, or a
 *		negative errno when the backend has none for it. The line
 *		is level-like: asserted while the card requests service.
 *
 * Accessors return 0, or -EIO when the cycle ends in a VME bus error (an
 * empty slot). They may sleep.
 */
struct xvme_backend_ops {
	const char *name;
	int (*read8)(struct xvme_crate *crate, u16 addr, u8 *val);
	int (*write8)(struct xvme_crate *crate, u16 addr, u8 val);
	int (*read16)(struct xvme_crate *crate, u16 addr, u16 *val);
	int (*write16)(struct xvme_crate *crate, u16 addr, u16 val);
	int (*card_irq)(struct xvme_crate *crate, u16 base);
};

/**
 * struct xvme_crate - one backend instance, device "xvme<N>"
 * @dev:		the crate device (parent: the backend's device)
 * @index:		N in xvme<N>
 * @ops:		the backend
 * @backend_data:	the backend's private pointer
 * @slot0_usable:	whether slot 0x0000 may be probed (it can collide
 *			with the CPU board's GCSR; default no)
 */
struct xvme_crate {
	struct device dev;
	int index;
	const struct xvme_backend_ops *ops;
	void *backend_data;
	bool slot0_usable;
	/* private to the core */
	struct mutex lock;		/* card list, scan */
	struct mutex slots_lock;	/* card insertion and removal */
	struct list_head cards;
	unsigned int slots_absent;	/* bus errors in the last scan */
};

#define to_xvme_crate(d) container_of(d, struct xvme_crate, dev)

/**
 * struct xvme_card - a card in one slot, device "xvme<N>-<addr>"
 * @dev:	the card device, child of the crate
 * @crate:	its crate
 * @base:	A16 base address of the slot (multiple of 0x400)
 * @model:	from the ID PROM; XVME_MODEL_UNKNOWN if it does not parse
 * @id:		the ID PROM string, trailing spaces removed
 * @regmap8:	D8 accesses; register = byte offset within the card
 * @regmap16:	D16 accesses; register = even byte offset within the card
 * @irq:	the card's interrupt, or a negative errno if none
 */
struct xvme_card {
	struct device dev;
	struct xvme_crate *crate;
	u16 base;
	enum xvme_model model;
	char id[XVME_ID_CHARS + 1];
	struct regmap *regmap8;
	struct regmap *regmap16;
	int irq;
	/* private to the core: power-on test result and LED */
	struct mutex state_lock;
	struct list_head node;
	bool selftest_passed;
	char selftest[XVME_SELFTEST_LEN];	/* "pass" or "fail: <reason>" */
	enum xvme_led led;
};

#define to_xvme_card(d) container_of(d, struct xvme_card, dev)

/**
 * struct xvme_driver - a card driver
 * @driver:	the driver model's part
 * @model:	the card model this driver binds to
 * @selftest:	optional card-specific stages of the power-on test, run by
 *		the core after its own ID PROM check passed, at bind and on
 *		a write to "retest". Return 0 on pass; on failure a negative
 *		errno with a one-line reason in @reason ("outputs not
 *		cleared by reset", ...). Called with the card's state lock
 *		held: it must not call xvme_card_lock() or
 *		xvme_card_run_selftest().
 * @busy:	optional; true while a retest must be refused (lines
 *		requested, a conversion running). The core calls it under
 *		the card's state lock; a driver that can become busy takes
 *		xvme_card_lock() around the transition.
 * @probe:	bind; runs after the power-on test, whose result is in
 *		xvme_card_selftest_passed(). A card that failed still binds
 *		so diagnostics can read why; its driver keeps it safe.
 * @remove:	unbind (devm resources are released after it)
 */
struct xvme_driver {
	struct device_driver driver;
	enum xvme_model model;
	int (*selftest)(struct xvme_card *card, char *reason, size_t len);
	bool (*busy)(struct xvme_card *card);
	int (*probe)(struct xvme_card *card);
	void (*remove)(struct xvme_card *card);
};

#define to_xvme_driver(d) container_of(d, struct xvme_driver, driver)

extern struct bus_type xvme_bus_type;	/* 6.1: not yet const */

/* Backends. register returns the crate or an ERR_PTR(). */
struct xvme_crate *xvme_crate_register(struct device *parent,
				       const struct xvme_backend_ops *ops,
				       void *backend_data, bool slot0_usable);
void xvme_crate_unregister(struct xvme_crate *crate);
/* The card at @base; valid while the crate is registered. For tests. */
struct xvme_card *xvme_crate_find_card(struct xvme_crate *crate, u16 base);
/*
 * Hotplug, for backends that learn of a card put into or pulled out of a
 * slot while the crate runs: add the card device (its driver binds and
 * runs the power-on test) or remove it (its driver unbinds).
 */
int xvme_crate_card_inserted(struct xvme_crate *crate, u16 base);
int xvme_crate_card_removed(struct xvme_crate *crate, u16 base);

/* Card drivers */
int __xvme_driver_register(struct xvme_driver *drv, struct module *owner);
#define xvme_driver_register(drv) __xvme_driver_register(drv, THIS_MODULE)
void xvme_driver_unregister(struct xvme_driver *drv);
#define module_xvme_driver(__drv) \
	module_driver(__drv, xvme_driver_register, xvme_driver_unregister)

/*
 * Power-on test and LEDs. MODALIAS of a card is "xvme:m<model>" (e.g.
 * xvme:m560): a driver declares MODULE_ALIAS("xvme:m560") to be loaded
 * by udev. xvme_card_set_led() returns -EOPNOTSUPP for cards without
 * LEDs (XVME-260) and does not take the state lock.
 */
int xvme_card_run_selftest(struct xvme_card *card);
bool xvme_card_selftest_passed(struct xvme_card *card);
int xvme_card_set_led(struct xvme_card *card, enum xvme_led led);
void xvme_card_lock(struct xvme_card *card);
void xvme_card_unlock(struct xvme_card *card);

/*
 * Card drivers with a gpiochip (see xvme-gpio.c for why): its line names as
 * a software node for gc->fwnode rather than gc->names, and the chip added
 * with line numbers beyond the global GPIO number space once it is full.
 */
struct gpio_chip;
struct fwnode_handle *devm_xvme_gpio_line_names(struct xvme_card *card,
						const char *const *names,
						unsigned int count);
int devm_xvme_gpiochip_add(struct xvme_card *card, struct gpio_chip *gc,
			   void *data);

/* ID PROM: 32 raw characters (the odd bytes) -> trimmed string and model */
int xvme_id_parse(const u8 raw[XVME_ID_CHARS], char id[XVME_ID_CHARS + 1],
		  enum xvme_model *model);

#endif /* _XVME_XVME_H */
