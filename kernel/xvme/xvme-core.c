// SPDX-License-Identifier: GPL-2.0
/*
 * The xvme bus: crates (one per backend instance) and the cards found in
 * their 64 A16 slots.
 *
 * A backend registers a crate with xvme_crate_register(); the core scans
 * the slots, reads each responding card's ID PROM and adds a card device
 * (with its VME interrupt, xvme-irq.c). Card drivers bind by model; at
 * bind the core builds the register maps the driver describes (D8 and D16
 * cycles over the backend). Both crates and cards live on the bus (like
 * i2c adapters and clients), so /sys/bus/xvme/devices/ shows xvme0 and
 * xvme0-0c00 side by side; only cards match drivers.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/regmap.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "xvme.h"
#include "xvme-internal.h"

static DEFINE_IDA(xvme_crate_ida);

static const char *xvme_model_name(enum xvme_model model)
{
	switch (model) {
	case XVME_MODEL_240:
		return "240";
	case XVME_MODEL_260:
		return "260";
	case XVME_MODEL_560:
		return "560";
	default:
		return "unknown";
	}
}

static u16 xvme_slot_base(unsigned int slot)
{
	return slot * XVME_SLOT_SIZE;
}

/*
 * The ID PROM, one D8 cycle per character. -EIO (bus error) on the first
 * character means an empty slot.
 */
int xvme_read_id(struct xvme_crate *crate, u16 base, u8 raw[XVME_ID_CHARS])
{
	int i, err;

	for (i = 0; i < XVME_ID_CHARS; i++) {
		err = crate->ops->read8(crate, base + XVME_ID_FIRST + 2 * i,
					&raw[i]);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------- regmaps */

static int xvme_regmap_read8(void *context, unsigned int reg,
			     unsigned int *val)
{
	struct xvme_card *card = context;
	u8 v;
	int err;

	err = card->crate->ops->read8(card->crate, card->base + reg, &v);
	if (!err)
		*val = v;
	return err;
}

static int xvme_regmap_write8(void *context, unsigned int reg,
			      unsigned int val)
{
	struct xvme_card *card = context;

	return card->crate->ops->write8(card->crate, card->base + reg, val);
}

static int xvme_regmap_read16(void *context, unsigned int reg,
			      unsigned int *val)
{
	struct xvme_card *card = context;
	u16 v;
	int err;

	err = card->crate->ops->read16(card->crate, card->base + reg, &v);
	if (!err)
		*val = v;
	return err;
}

static int xvme_regmap_write16(void *context, unsigned int reg,
			       unsigned int val)
{
	struct xvme_card *card = context;

	return card->crate->ops->write16(card->crate, card->base + reg, val);
}

/*
 * The driver's description of its registers, completed with what the
 * bus decides: the name, the widths, the cycles. No cache: the registers
 * are live hardware (inputs, status bits that clear on read), and the
 * backend may sleep, so regmap uses a mutex.
 */
static struct regmap *xvme_card_regmap(struct xvme_card *card,
				       const struct regmap_config *driver,
				       bool d16)
{
	struct regmap_config config = *driver;

	config.name = d16 ? "d16" : "d8";
	config.reg_bits = 16;
	config.val_bits = d16 ? 16 : 8;
	config.reg_stride = d16 ? 2 : 1;
	if (!config.max_register || config.max_register >= XVME_SLOT_SIZE)
		config.max_register = XVME_SLOT_SIZE - (d16 ? 2 : 1);
	config.reg_read = d16 ? xvme_regmap_read16 : xvme_regmap_read8;
	config.reg_write = d16 ? xvme_regmap_write16 : xvme_regmap_write8;
	config.cache_type = REGCACHE_NONE;
	/* debugfs: regmap/xvme0-0c00-d16 */
	return devm_regmap_init(&card->dev, NULL, card, &config);
}

/* Runs after the maps are gone (devres releases in reverse order). */
static void xvme_card_regmaps_forget(void *data)
{
	struct xvme_card *card = data;

	card->regmap8 = NULL;
	card->regmap16 = NULL;
}

/* At bind, in probe context: devres gives the maps the binding's life. */
static int xvme_card_regmaps_init(struct xvme_card *card,
				  struct xvme_driver *drv)
{
	struct regmap *map;
	int err;

	err = devm_add_action_or_reset(&card->dev, xvme_card_regmaps_forget,
				       card);
	if (err)
		return err;
	if (drv->regmap8) {
		map = xvme_card_regmap(card, drv->regmap8, false);
		if (IS_ERR(map))
			return PTR_ERR(map);
		card->regmap8 = map;
	}
	if (drv->regmap16) {
		map = xvme_card_regmap(card, drv->regmap16, true);
		if (IS_ERR(map))
			return PTR_ERR(map);
		card->regmap16 = map;
	}
	return 0;
}

/* --------------------------------------------------------------- cards */

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", xvme_model_name(to_xvme_card(dev)->model));
}
static DEVICE_ATTR_RO(model);

static ssize_t address_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "0x%04x\n", to_xvme_card(dev)->base);
}
static DEVICE_ATTR_RO(address);

static ssize_t id_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%s\n", to_xvme_card(dev)->id);
}
static DEVICE_ATTR_RO(id);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "xvme:m%s\n",
			  xvme_model_name(to_xvme_card(dev)->model));
}
static DEVICE_ATTR_RO(modalias);

static ssize_t selftest_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct xvme_card *card = to_xvme_card(dev);
	ssize_t len;

	mutex_lock(&card->state_lock);
	len = sysfs_emit(buf, "%s\n", card->selftest);
	mutex_unlock(&card->state_lock);
	return len;
}
static DEVICE_ATTR_RO(selftest);

static ssize_t led_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	static const char * const names[] = {
		[XVME_LED_OFF] = "off",
		[XVME_LED_GREEN] = "green",
		[XVME_LED_RED] = "red",
	};
	struct xvme_driver *drv;
	enum xvme_led led = XVME_LED_OFF;
	const char *shown;
	int err = 0;

	/* The driver knows the card's LEDs: keep it bound while it looks. */
	device_lock(dev);
	drv = dev->driver ? to_xvme_driver(dev->driver) : NULL;
	if (!drv)
		shown = "unknown";
	else if (drv->get_led)
		err = drv->get_led(to_xvme_card(dev), &led);
	device_unlock(dev);
	if (err)
		return err;
	if (drv)
		shown = names[led];	/* a card without LEDs: "off" */
	return sysfs_emit(buf, "%s\n", shown);
}
static DEVICE_ATTR_RO(led);

/* Writing 1 re-runs the whole power-on test: xvme_card_run_selftest(). */
static ssize_t retest_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	bool run;
	int err;

	err = kstrtobool(buf, &run);
	if (err)
		return err;
	if (!run)
		return -EINVAL;
	err = xvme_card_run_selftest(to_xvme_card(dev));
	/* A failed test is a result (in "selftest"), not a failed write. */
	return err == -EBUSY ? err : count;
}
static DEVICE_ATTR_WO(retest);

static struct attribute *xvme_card_attrs[] = {
	&dev_attr_model.attr,
	&dev_attr_address.attr,
	&dev_attr_id.attr,
	&dev_attr_modalias.attr,
	&dev_attr_selftest.attr,
	&dev_attr_led.attr,
	&dev_attr_retest.attr,
	NULL
};
ATTRIBUTE_GROUPS(xvme_card);

static int xvme_card_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct xvme_card *card = to_xvme_card(dev);
	const char *model = xvme_model_name(card->model);

	return add_uevent_var(env, "MODALIAS=xvme:m%s", model) ?:
	       add_uevent_var(env, "XVME_MODEL=%s", model) ?:
	       add_uevent_var(env, "XVME_ADDRESS=0x%04x", card->base);
}

static void xvme_card_release(struct device *dev)
{
	kfree(to_xvme_card(dev));
}

const struct device_type xvme_card_type = {
	.name = "xvme_card",
	.groups = xvme_card_groups,
	.uevent = xvme_card_uevent,
	.release = xvme_card_release,
};

static int xvme_card_add(struct xvme_crate *crate, u16 base,
			 const u8 raw[XVME_ID_CHARS])
{
	struct xvme_card *card;
	int id_err, err;

	card = kzalloc(sizeof(*card), GFP_KERNEL);
	if (!card)
		return -ENOMEM;
	card->crate = crate;
	card->base = base;
	card->irq = -ENXIO;
	mutex_init(&card->state_lock);
	INIT_LIST_HEAD(&card->node);
	id_err = xvme_id_parse(raw, card->id, &card->model);

	device_initialize(&card->dev);
	card->dev.parent = &crate->dev;
	card->dev.bus = &xvme_bus_type;
	card->dev.type = &xvme_card_type;
	err = dev_set_name(&card->dev, "xvme%d-%04x", crate->index, base);
	if (err)
		goto err_put;

	/* The core's stage now, so the card shows its state before a driver. */
	mutex_lock(&card->state_lock);
	if (id_err) {
		card->selftest_passed = false;
		snprintf(card->selftest, sizeof(card->selftest),
			 "fail: ID PROM %s", xvme_id_strerror(id_err));
		dev_warn(&crate->dev, "card at 0x%04x: %s (id \"%s\")\n",
			 base, card->selftest, card->id);
	} else {
		xvme_selftest_run_locked(card, NULL);
	}
	mutex_unlock(&card->state_lock);

	xvme_card_irq_init(card);
	err = device_add(&card->dev);
	if (err)
		goto err_irq;

	mutex_lock(&crate->lock);
	list_add_tail(&card->node, &crate->cards);
	mutex_unlock(&crate->lock);
	return 0;

err_irq:
	xvme_card_irq_exit(card);
err_put:
	dev_err(&crate->dev, "card at 0x%04x: cannot add: %d\n", base, err);
	put_device(&card->dev);
	return err;
}

/*
 * Drivers are unbound by device_del() (and free the card's interrupt);
 * the interrupt mapping goes before the last reference, so that nothing
 * of the card is left in the crate's vector domain.
 */
static void xvme_card_remove(struct xvme_card *card)
{
	device_del(&card->dev);
	xvme_card_irq_exit(card);
	put_device(&card->dev);
}

/* -------------------------------------------------------------- crates */

static unsigned int xvme_first_slot(struct xvme_crate *crate)
{
	return crate->slot0_usable ? 0 : 1;
}

/*
 * One line per responding slot, "0x0c00 560 VMEIDXYC560A"; bus errors
 * are counted in slots_absent. Reading probes the hardware every time:
 * 63 slots of 32 D8 cycles, most ending in bus errors on a real bridge,
 * so it is root's (0400), not any user's to repeat.
 */
static ssize_t scan_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct xvme_crate *crate = to_xvme_crate(dev);
	char id[XVME_ID_CHARS + 1];
	unsigned int slot, absent = 0;
	u8 raw[XVME_ID_CHARS];
	enum xvme_model model;
	ssize_t len = 0;
	int err = 0;

	mutex_lock(&crate->lock);
	for (slot = xvme_first_slot(crate); slot < XVME_SLOTS; slot++) {
		u16 base = xvme_slot_base(slot);

		err = xvme_read_id(crate, base, raw);
		if (err == -EIO) {
			absent++;
			continue;
		}
		if (err)
			break;
		xvme_id_parse(raw, id, &model);
		len += sysfs_emit_at(buf, len, "0x%04x %s %s\n", base,
				     xvme_model_name(model), id);
	}
	if (!err || err == -EIO)
		crate->slots_absent = absent;
	mutex_unlock(&crate->lock);

	return (err && err != -EIO) ? err : len;
}
static DEVICE_ATTR_ADMIN_RO(scan);

static ssize_t slots_absent_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct xvme_crate *crate = to_xvme_crate(dev);
	unsigned int absent;

	mutex_lock(&crate->lock);
	absent = crate->slots_absent;
	mutex_unlock(&crate->lock);
	return sysfs_emit(buf, "%u\n", absent);
}
static DEVICE_ATTR_RO(slots_absent);

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_xvme_crate(dev)->ops->name);
}
static DEVICE_ATTR_RO(backend);

static struct attribute *xvme_crate_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_scan.attr,
	&dev_attr_slots_absent.attr,
	NULL
};
ATTRIBUTE_GROUPS(xvme_crate);

static void xvme_crate_release(struct device *dev)
{
	struct xvme_crate *crate = to_xvme_crate(dev);

	ida_free(&xvme_crate_ida, crate->index);
	kfree(crate);
}

const struct device_type xvme_crate_type = {
	.name = "xvme_crate",
	.groups = xvme_crate_groups,
	.release = xvme_crate_release,
};

static void xvme_crate_remove_cards(struct xvme_crate *crate)
{
	struct xvme_card *card, *tmp;
	LIST_HEAD(cards);

	mutex_lock(&crate->slots_lock);
	mutex_lock(&crate->lock);
	list_splice_init(&crate->cards, &cards);
	mutex_unlock(&crate->lock);

	list_for_each_entry_safe_reverse(card, tmp, &cards, node) {
		list_del_init(&card->node);
		xvme_card_remove(card);
	}
	mutex_unlock(&crate->slots_lock);
}

/* The registration scan: a card device for every responding slot. */
static int xvme_crate_add_cards(struct xvme_crate *crate)
{
	unsigned int slot, absent = 0;
	u8 raw[XVME_ID_CHARS];
	int err = 0;

	mutex_lock(&crate->slots_lock);
	for (slot = xvme_first_slot(crate); slot < XVME_SLOTS; slot++) {
		u16 base = xvme_slot_base(slot);

		err = xvme_read_id(crate, base, raw);
		if (err == -EIO) {
			err = 0;
			absent++;
			continue;
		}
		if (!err)
			err = xvme_card_add(crate, base, raw);
		if (err)
			break;
	}
	mutex_unlock(&crate->slots_lock);
	if (err)
		return err;
	mutex_lock(&crate->lock);
	crate->slots_absent = absent;
	mutex_unlock(&crate->lock);
	return 0;
}

/**
 * xvme_crate_register - add a crate and the cards in its slots
 * @parent:		the backend's device
 * @ops:		how to reach the crate's A16 space; must outlive the crate
 * @backend_data:	the backend's pointer, crate->backend_data
 * @slot0_usable:	probe slot 0x0000 too
 *
 * The backend must answer accesses (and ->card_irq_level) from the start
 * of this call until xvme_crate_unregister() returns; with interrupts, it
 * must not call xvme_crate_handle_irq() after that.
 * Return: the crate, or an ERR_PTR().
 */
struct xvme_crate *xvme_crate_register(struct device *parent,
				       const struct xvme_backend_ops *ops,
				       void *backend_data, bool slot0_usable)
{
	struct xvme_crate *crate;
	int index, err;

	if (!ops || !ops->name || !ops->read8 || !ops->write8 ||
	    !ops->read16 || !ops->write16)
		return ERR_PTR(-EINVAL);
	if (ops->card_irq_level &&
	    (!ops->irq_level_enable || !ops->irq_level_disable))
		return ERR_PTR(-EINVAL);

	crate = kzalloc(sizeof(*crate), GFP_KERNEL);
	if (!crate)
		return ERR_PTR(-ENOMEM);
	index = ida_alloc(&xvme_crate_ida, GFP_KERNEL);
	if (index < 0) {
		kfree(crate);
		return ERR_PTR(index);
	}
	crate->index = index;
	crate->ops = ops;
	crate->backend_data = backend_data;
	crate->slot0_usable = slot0_usable;
	mutex_init(&crate->lock);
	mutex_init(&crate->slots_lock);
	INIT_LIST_HEAD(&crate->cards);

	device_initialize(&crate->dev);
	crate->dev.parent = parent;
	crate->dev.bus = &xvme_bus_type;
	crate->dev.type = &xvme_crate_type;
	err = dev_set_name(&crate->dev, "xvme%d", index);
	if (!err)
		err = xvme_crate_irq_init(crate);
	if (err) {
		put_device(&crate->dev);
		return ERR_PTR(err);
	}
	err = device_add(&crate->dev);
	if (err) {
		xvme_crate_irq_exit(crate);
		put_device(&crate->dev);
		return ERR_PTR(err);
	}

	err = xvme_crate_add_cards(crate);
	if (err) {
		xvme_crate_unregister(crate);
		return ERR_PTR(err);
	}
	return crate;
}
EXPORT_SYMBOL_GPL(xvme_crate_register);

/**
 * xvme_crate_unregister - remove a crate's cards (unbinding their
 * drivers), then the crate
 * @crate: from xvme_crate_register()
 *
 * When it returns, the core no longer calls the backend for this crate.
 */
void xvme_crate_unregister(struct xvme_crate *crate)
{
	xvme_crate_remove_cards(crate);
	xvme_crate_irq_exit(crate);
	device_unregister(&crate->dev);
}
EXPORT_SYMBOL_GPL(xvme_crate_unregister);

/**
 * xvme_crate_find_card - the card device at an address
 * @crate: the crate
 * @base: the slot's A16 base address
 *
 * Return: the card, or NULL when there is no card device in that slot.
 * No reference is taken: the card lives until xvme_crate_unregister() or
 * xvme_crate_card_removed().
 */
struct xvme_card *xvme_crate_find_card(struct xvme_crate *crate, u16 base)
{
	struct xvme_card *card, *found = NULL;

	mutex_lock(&crate->lock);
	list_for_each_entry(card, &crate->cards, node) {
		if (card->base == base) {
			found = card;
			break;
		}
	}
	mutex_unlock(&crate->lock);
	return found;
}
EXPORT_SYMBOL_NS_GPL(xvme_crate_find_card, XVME_KUNIT);

/**
 * xvme_crate_card_inserted - a card was put into a slot of a running crate
 * @crate: the crate
 * @base: the slot's A16 base address
 *
 * Reads the card's ID PROM and adds its device, as the registration scan
 * does: udev hears "add", the driver of its model binds and runs the
 * power-on test. Serialised with removal and with the crate's own
 * registration and unregistration.
 * Return: 0; -EINVAL for an address that is not a usable slot; -EEXIST
 * when the slot has a card device already; -EIO when the slot answers with
 * a bus error (no card there after all); or the error of adding the device.
 */
int xvme_crate_card_inserted(struct xvme_crate *crate, u16 base)
{
	u8 raw[XVME_ID_CHARS];
	int err;

	if (base % XVME_SLOT_SIZE ||
	    base / XVME_SLOT_SIZE < xvme_first_slot(crate))
		return -EINVAL;

	mutex_lock(&crate->slots_lock);
	if (xvme_crate_find_card(crate, base))
		err = -EEXIST;
	else
		err = xvme_read_id(crate, base, raw) ?:
		      xvme_card_add(crate, base, raw);
	mutex_unlock(&crate->slots_lock);
	return err;
}
EXPORT_SYMBOL_GPL(xvme_crate_card_inserted);

/**
 * xvme_crate_card_removed - a card was pulled out of a running crate
 * @crate: the crate
 * @base: the slot's A16 base address
 *
 * Removes the card device: its driver unbinds (whatever it still writes
 * to a card that is gone ends in bus errors), udev hears "remove" for the
 * card and the devices its driver had registered.
 * Return: 0, or -ENODEV when there is no card device in that slot.
 */
int xvme_crate_card_removed(struct xvme_crate *crate, u16 base)
{
	struct xvme_card *card;

	mutex_lock(&crate->slots_lock);
	card = xvme_crate_find_card(crate, base);
	if (card) {
		mutex_lock(&crate->lock);
		list_del_init(&card->node);
		mutex_unlock(&crate->lock);
		xvme_card_remove(card);
	}
	mutex_unlock(&crate->slots_lock);
	return card ? 0 : -ENODEV;
}
EXPORT_SYMBOL_GPL(xvme_crate_card_removed);

/* ----------------------------------------------------------------- bus */

static int xvme_bus_match(struct device *dev, struct device_driver *drv)
{
	struct xvme_card *card;

	if (dev->type != &xvme_card_type)
		return 0;
	card = to_xvme_card(dev);
	return card->model != XVME_MODEL_UNKNOWN &&
	       card->model == to_xvme_driver(drv)->model;
}

/*
 * The register maps the driver described, then the whole power-on test,
 * so ->probe finds its result.
 */
static int xvme_bus_probe(struct device *dev)
{
	struct xvme_driver *drv = to_xvme_driver(dev->driver);
	struct xvme_card *card = to_xvme_card(dev);
	int err;

	err = xvme_card_regmaps_init(card, drv);
	if (err)
		return dev_err_probe(dev, err, "cannot create register maps\n");

	mutex_lock(&card->state_lock);
	xvme_selftest_run_locked(card, drv);
	mutex_unlock(&card->state_lock);

	return drv->probe ? drv->probe(card) : 0;
}

static void xvme_bus_remove(struct device *dev)
{
	struct xvme_driver *drv = to_xvme_driver(dev->driver);

	if (drv->remove)
		drv->remove(to_xvme_card(dev));
}

/*
 * Reboot, kexec, power-off: the cards stay powered in their crates, so
 * each driver leaves its card safe (relays de-energized, interrupts off).
 * The driver core shuts children down before their parent: every card of
 * a crate before the crate, whose backend then stops for good.
 */
static void xvme_bus_shutdown(struct device *dev)
{
	struct xvme_driver *drv;

	if (dev->type == &xvme_crate_type) {
		struct xvme_crate *crate = to_xvme_crate(dev);

		if (crate->ops->shutdown)
			crate->ops->shutdown(crate);
		return;
	}
	if (!dev->driver)
		return;
	drv = to_xvme_driver(dev->driver);
	if (drv->shutdown)
		drv->shutdown(to_xvme_card(dev));
}

struct bus_type xvme_bus_type = {
	.name = "xvme",
	.match = xvme_bus_match,
	.probe = xvme_bus_probe,
	.remove = xvme_bus_remove,
	.shutdown = xvme_bus_shutdown,
};
EXPORT_SYMBOL_NS_GPL(xvme_bus_type, XVME_KUNIT);

/**
 * __xvme_driver_register - register a card driver
 * @drv: the driver; drv->model selects its cards
 * @owner: the driver's module
 */
int __xvme_driver_register(struct xvme_driver *drv, struct module *owner)
{
	drv->driver.bus = &xvme_bus_type;
	drv->driver.owner = owner;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__xvme_driver_register);

/**
 * xvme_driver_unregister - unregister a card driver
 * @drv: the driver
 */
void xvme_driver_unregister(struct xvme_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(xvme_driver_unregister);

static int __init xvme_init(void)
{
	return bus_register(&xvme_bus_type);
}

static void __exit xvme_exit(void)
{
	bus_unregister(&xvme_bus_type);
	ida_destroy(&xvme_crate_ida);
}

subsys_initcall(xvme_init);
module_exit(xvme_exit);

MODULE_DESCRIPTION("Xycom XVME I/O card bus");
MODULE_LICENSE("GPL");
