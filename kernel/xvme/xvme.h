/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xvme bus: Xycom XVME I/O cards in VME A16 ("short I/O") space.
 *
 * A crate is one backend instance (simulated crate, Linux VME bridge,
 * PCI window) and a device named xvme<N>. Each responding 1 KiB slot is a
 * card device xvme<N>-<addr> on the bus. Card drivers see only the card:
 * its model, ID PROM string, the register maps the core builds from the
 * driver's description of its registers (D8 and D16 cycles over the
 * backend), its VME interrupt (level and vector) where the backend has
 * one, and the power-on test framework below. They never know which
 * backend carries their registers; the core knows nothing of a model's
 * registers: LEDs, resets and tests are the drivers' operations.
 *
 * Register facts: shared/spec/xvme-cards.md.
 */
#ifndef _XVME_XVME_H
#define _XVME_XVME_H

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/regmap.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define XVME_SLOT_SIZE		0x400
#define XVME_SLOTS		64
#define XVME_ID_CHARS		32	/* one character per odd byte */
#define XVME_ID_FIRST		0x01	/* 0x01, 0x03, ... 0x3f */
#define XVME_ID_PREFIX		"VMEIDXYC"
#define XVME_SELFTEST_LEN	96
/* VME interrupter levels IRQ1* .. IRQ7* (7 has the highest priority). */
#define XVME_IRQ_LEVELS		7

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
 * @card_irq_level: optional; the VME interrupter level (1..7) the card
 *		in the slot at @base is set to, or a negative errno when it
 *		cannot interrupt. With it, @irq_level_enable and
 *		@irq_level_disable are required, and the backend delivers
 *		interrupts with xvme_crate_handle_irq().
 * @irq_level_enable: let the bridge deliver a level (unmask it)
 * @irq_level_disable: stop delivering a level (mask it). The bridge masks
 *		levels, not cards: the core keeps a level enabled only while
 *		some card on it has a handler and none of the cards on it is
 *		masked, as for a shared level-triggered line. Both are
 *		called with interrupts off and must not sleep.
 * @shutdown:	optional; the system goes down (reboot, kexec, power-off),
 *		after the drivers of all the crate's cards have shut down.
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
	int (*card_irq_level)(struct xvme_crate *crate, u16 base);
	void (*irq_level_enable)(struct xvme_crate *crate, unsigned int level);
	void (*irq_level_disable)(struct xvme_crate *crate, unsigned int level);
	void (*shutdown)(struct xvme_crate *crate);
};

struct irq_domain;
struct fwnode_handle;

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
	/* interrupts (xvme-irq.c): one Linux interrupt per card vector */
	struct irq_domain *irq_domain;
	struct fwnode_handle *irq_fwnode;
	raw_spinlock_t irq_lock;	/* the vector and level state below */
	u8 vector_level[256];		/* 0: no card has the vector */
	DECLARE_BITMAP(vector_started, 256);	/* has a handler */
	DECLARE_BITMAP(vector_masked, 256);
	unsigned int level_started[XVME_IRQ_LEVELS + 1];
	unsigned int level_masked[XVME_IRQ_LEVELS + 1];
	bool level_enabled[XVME_IRQ_LEVELS + 1];
};

#define to_xvme_crate(d) container_of(d, struct xvme_crate, dev)

/**
 * struct xvme_card - a card in one slot, device "xvme<N>-<addr>"
 * @dev:	the card device, child of the crate
 * @crate:	its crate
 * @base:	A16 base address of the slot (multiple of 0x400)
 * @model:	from the ID PROM; XVME_MODEL_UNKNOWN if it does not parse
 * @id:		the ID PROM string, trailing spaces removed
 * @regmap8:	while a driver is bound and described D8 registers
 *		(xvme_driver.regmap8): its D8 map; register = byte offset
 *		within the card. NULL otherwise.
 * @regmap16:	likewise for D16 (register = even byte offset)
 * @irq:	the card's interrupt, or a negative errno if it has none;
 *		see xvme_card_irq_vector()
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
	/* private to the core */
	unsigned int irq_level;		/* 0: cannot interrupt */
	u8 irq_vector;
	struct mutex state_lock;	/* power-on test, driver busy state */
	struct list_head node;
	bool selftest_passed;
	char selftest[XVME_SELFTEST_LEN];	/* "pass" or "fail: <reason>" */
};

#define to_xvme_card(d) container_of(d, struct xvme_card, dev)

/**
 * struct xvme_driver - a card driver
 * @driver:	the driver model's part
 * @model:	the card model this driver binds to
 * @regmap8:	optional; the card's D8 registers: max_register and the
 *		readable, writeable, volatile and precious tables (a
 *		precious register is never read behind the driver's back,
 *		e.g. by the regmap debugfs dump). The core supplies name,
 *		register and value widths and the bus cycles, and creates
 *		card->regmap8 at bind, before the power-on test; it goes
 *		after every devm resource of the driver at unbind.
 * @regmap16:	likewise for D16 registers (card->regmap16)
 * @selftest:	optional card-specific stages of the power-on test, run by
 *		the core after its own ID PROM check passed, at bind and on
 *		a write to "retest". Return 0 on pass; on failure a negative
 *		errno with a one-line reason in @reason ("outputs not
 *		cleared by reset", ...). Called with the card's state lock
 *		held: it must not call xvme_card_lock() or
 *		xvme_card_run_selftest().
 * @set_led:	optional; light the front-panel LEDs (cards without LEDs
 *		leave it out). The core calls it after every power-on test:
 *		green on pass, red on fail.
 * @get_led:	optional; what the LEDs show now, for the "led" attribute
 * @busy:	optional; true while a retest must be refused (lines
 *		requested, a conversion running). The core calls it under
 *		the card's state lock; a driver that can become busy takes
 *		xvme_card_lock() around the transition.
 * @probe:	bind; runs after the power-on test, whose result is in
 *		xvme_card_selftest_passed(). A card that failed still binds
 *		so diagnostics can read why; its driver keeps it safe.
 * @remove:	unbind (devm resources are released after it)
 * @shutdown:	optional; the system goes down (reboot, kexec, power-off)
 *		and the card stays powered in its crate: leave it safe and
 *		quiet (outputs at their safe level, no interrupts) and keep
 *		it so until the end, whatever users still hold.
 */
struct xvme_driver {
	struct device_driver driver;
	enum xvme_model model;
	const struct regmap_config *regmap8;
	const struct regmap_config *regmap16;
	int (*selftest)(struct xvme_card *card, char *reason, size_t len);
	int (*set_led)(struct xvme_card *card, enum xvme_led led);
	int (*get_led)(struct xvme_card *card, enum xvme_led *led);
	bool (*busy)(struct xvme_card *card);
	int (*probe)(struct xvme_card *card);
	void (*remove)(struct xvme_card *card);
	void (*shutdown)(struct xvme_card *card);
};

#define to_xvme_driver(d) container_of(d, struct xvme_driver, driver)

/* For tests (symbol namespace XVME_KUNIT). */
extern struct bus_type xvme_bus_type;	/* 6.1: not yet const */

/* Backends. register returns the crate or an ERR_PTR(). */
struct xvme_crate *xvme_crate_register(struct device *parent,
				       const struct xvme_backend_ops *ops,
				       void *backend_data, bool slot0_usable);
void xvme_crate_unregister(struct xvme_crate *crate);
/*
 * Hotplug, for backends that learn of a card put into or pulled out of a
 * slot while the crate runs: add the card device (its driver binds and
 * runs the power-on test) or remove it (its driver unbinds).
 */
int xvme_crate_card_inserted(struct xvme_crate *crate, u16 base);
int xvme_crate_card_removed(struct xvme_crate *crate, u16 base);
/*
 * An interrupt on @level whose IACK cycle returned @vector: runs the
 * handler of the card with that vector. Any context. Return: 0, or
 * -ENOENT when no card of the crate has the vector on that level (the
 * backend should mask the level: nothing will clear it).
 */
int xvme_crate_handle_irq(struct xvme_crate *crate, unsigned int level,
			  u8 vector);

/* Card drivers */
int __xvme_driver_register(struct xvme_driver *drv, struct module *owner);
#define xvme_driver_register(drv) __xvme_driver_register(drv, THIS_MODULE)
void xvme_driver_unregister(struct xvme_driver *drv);
#define module_xvme_driver(__drv) \
	module_driver(__drv, xvme_driver_register, xvme_driver_unregister)

/*
 * The card's VME interrupt: the level it is set to and the vector the
 * core gave it, which the driver programs into the card so that the IACK
 * cycle returns it. card->irq is the Linux interrupt of that vector.
 * Return: 0, or -ENXIO when the card cannot interrupt in this crate.
 */
int xvme_card_irq_vector(struct xvme_card *card, unsigned int *level,
			 u8 *vector);

/*
 * Power-on test. MODALIAS of a card is "xvme:m<model>" (e.g. xvme:m560):
 * a driver declares MODULE_ALIAS("xvme:m560") to be loaded by udev.
 */
bool xvme_card_selftest_passed(struct xvme_card *card);
void xvme_card_lock(struct xvme_card *card);
void xvme_card_unlock(struct xvme_card *card);

/* For tests (symbol namespace XVME_KUNIT). */
struct xvme_card *xvme_crate_find_card(struct xvme_crate *crate, u16 base);
int xvme_card_run_selftest(struct xvme_card *card);
int xvme_id_parse(const u8 raw[XVME_ID_CHARS], char id[XVME_ID_CHARS + 1],
		  enum xvme_model *model);

#endif /* _XVME_XVME_H */
