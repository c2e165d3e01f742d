// SPDX-License-Identifier: GPL-2.0
/*
 * What the xvme card drivers with a gpiochip (XVME-240, XVME-260) need to
 * live with gpiolib as this kernel (6.1) has it, when a card can leave a
 * running crate (or its driver be unbound) while userspace holds its lines.
 * Documentation/xvme/gpio-hotplug.rst has the whole story and the limits.
 *
 * State that outlives the binding. gpiochip_remove() does not wait for
 * holders: gpiolib-cdev keeps their line handles, and a release that read
 * the chip pointer just before it went still calls ->free() afterwards,
 * without any lock. So the chip and the driver state it reaches live in a
 * kzalloc()ed, reference-counted struct xvme_gpio (reached from the chip
 * by container_of(), never gpiochip_get_data(), which is NULL by then);
 * the binding, every requested line and whatever the driver adds hold
 * references. When the binding ends, the card is marked gone (card =
 * NULL) under the chip's lock: from then on nothing touches its
 * registers, whose regmaps the binding's devres frees.
 *
 * Module references. gpiolib pins the driver's module once per requested
 * line and drops it in gpiod_free() only if the chip is still there: lines
 * held when the card goes would pin the module for the rest of the boot.
 * The binding's end drops those (the lines are "orphaned"). A release that
 * raced the removal may still arrive at ->free() and be followed by
 * gpiolib's own module_put(); ->free() then takes that reference back
 * first, so the count never goes below what is really held.
 *
 * Line names go to gpiolib as the "gpio-line-names" property of a software
 * node (gc->fwnode) rather than through gc->names: with a chip removed
 * under a holder, gpiolib keeps its gpio_device listed with no chip behind
 * it, and for every later chip registered with gc->names it walks that
 * list to check for name collisions, dereferencing the missing chip:
 * putting any named card back would oops. The property path names the
 * lines without that walk.
 *
 * Line numbers: gpiolib still gives every line a number in one global
 * space, 0 .. ARCH_NR_GPIOS - 1 (1024 on x86-64), and refuses a chip that
 * does not fit (-ENOSPC). A big station does not fit: 1000 detectors are
 * 36 relay cards and 18 TTL cards, 2592 lines. A chip that finds the space
 * full is numbered beyond it instead, at a base fixed by its crate and
 * slot. gpiolib looks numbers up among the registered chips
 * (gpio_to_desc()), so the character device and even the legacy sysfs
 * export reach those lines; only legacy kernel code that checks
 * gpio_is_valid() refuses them. Numbers beyond the space are used only
 * once it is full, because gpiolib's search for a free range for later
 * chips gives up at a gap up there.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gpio.h>
#include <linux/gpio/driver.h>
#include <linux/module.h>
#include <linux/property.h>
#include <linux/slab.h>

#include "xvme.h"
#include "xvme-gpio.h"

static void xvme_gpio_release(struct kref *kref)
{
	struct xvme_gpio *xg = container_of(kref, struct xvme_gpio, kref);

	xg->ops->release(xg);
}

void xvme_gpio_get(struct xvme_gpio *xg)
{
	kref_get(&xg->kref);
}
EXPORT_SYMBOL_GPL(xvme_gpio_get);

void xvme_gpio_put(struct xvme_gpio *xg)
{
	kref_put(&xg->kref, xvme_gpio_release);
}
EXPORT_SYMBOL_GPL(xvme_gpio_put);

/**
 * xvme_gpio_lock - take the chip's lock
 * @xg: the chip
 *
 * Return: the card, or NULL when it is gone: its registers must not be
 * touched then. Either way the lock is held: xvme_gpio_unlock().
 */
struct xvme_card *xvme_gpio_lock(struct xvme_gpio *xg)
{
	mutex_lock(&xg->lock);
	return xg->card;
}
EXPORT_SYMBOL_GPL(xvme_gpio_lock);

void xvme_gpio_unlock(struct xvme_gpio *xg)
{
	mutex_unlock(&xg->lock);
}
EXPORT_SYMBOL_GPL(xvme_gpio_unlock);

static int xvme_gpio_request(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme_gpio *xg = to_xvme_gpio(gc);
	struct xvme_card *card;
	int err = 0;

	card = xvme_gpio_lock(xg);
	if (!card)
		err = -ENODEV;
	else if (xg->ops->request)
		err = xg->ops->request(xg, offset);
	if (!err) {
		/* ->busy reads it under the state lock: no retest now. */
		xvme_card_lock(card);
		__set_bit(offset, xg->requested);
		xvme_card_unlock(card);
		xvme_gpio_get(xg);	/* the line's reference */
	}
	xvme_gpio_unlock(xg);
	return err;
}

static void xvme_gpio_free(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme_gpio *xg = to_xvme_gpio(gc);
	struct xvme_card *card;

	card = xvme_gpio_lock(xg);
	if (card) {
		if (xg->ops->free)
			xg->ops->free(xg, offset);
		xvme_card_lock(card);
		__clear_bit(offset, xg->requested);
		xvme_card_unlock(card);
	} else if (__test_and_clear_bit(offset, xg->orphaned)) {
		/*
		 * The release read the chip before it went; gpiolib drops
		 * its module reference after this returns, and the binding's
		 * end already dropped the line's: take one back.
		 */
		__module_get(xg->owner);
	}
	xvme_gpio_unlock(xg);
	xvme_gpio_put(xg);	/* the line's reference; may free @xg */
}

/*
 * Runs when the binding ends, after the chip is removed (devm actions run
 * in reverse order) and before the regmaps go (the core created them
 * before the driver's probe).
 */
static void xvme_gpio_unbind(void *data)
{
	struct xvme_gpio *xg = data;
	struct xvme_card *card;
	unsigned int held;

	card = xvme_gpio_lock(xg);
	if (xg->ops->gone)
		xg->ops->gone(xg);
	xvme_card_lock(card);
	bitmap_copy(xg->orphaned, xg->requested, XVME_GPIO_LINES_MAX);
	bitmap_zero(xg->requested, XVME_GPIO_LINES_MAX);
	dev_set_drvdata(&card->dev, NULL);
	xvme_card_unlock(card);
	xg->card = NULL;
	held = bitmap_weight(xg->orphaned, XVME_GPIO_LINES_MAX);
	xvme_gpio_unlock(xg);

	/* gpiolib 6.1 will not drop these (see the top of this file). */
	while (held--)
		module_put(xg->owner);
	xvme_gpio_put(xg);	/* the binding's reference */
}

/**
 * devm_xvme_gpio_init - start the chip's state for a card being probed
 * @card: the card, its driver probing
 * @xg: embedded in the driver's kzalloc()ed state
 * @ops: the driver's hooks; ->release frees the state
 *
 * Call early in probe, before the chip is added: the binding's end (after
 * the chip's removal) marks the card gone and drops the binding's
 * reference. Sets the card's drvdata to @xg for the binding. On failure
 * ->release has run.
 * Return: 0 or a negative errno.
 */
int devm_xvme_gpio_init(struct xvme_card *card, struct xvme_gpio *xg,
			const struct xvme_gpio_ops *ops)
{
	kref_init(&xg->kref);
	mutex_init(&xg->lock);
	xg->ops = ops;
	xg->card = card;
	xg->owner = card->dev.driver->owner;

	xvme_card_lock(card);
	dev_set_drvdata(&card->dev, xg);
	xvme_card_unlock(card);
	return devm_add_action_or_reset(&card->dev, xvme_gpio_unbind, xg);
}
EXPORT_SYMBOL_GPL(devm_xvme_gpio_init);

static void xvme_line_names_remove(void *fwnode)
{
	fwnode_remove_software_node(fwnode);
}

/* A software node naming the lines, removed after the chip at unbind. */
static struct fwnode_handle *devm_xvme_gpio_line_names(struct xvme_card *card,
						       const char *const *names,
						       unsigned int count)
{
	const struct property_entry props[] = {
		PROPERTY_ENTRY_STRING_ARRAY_LEN("gpio-line-names", names,
						count),
		{}
	};
	struct fwnode_handle *fwnode;
	int err;

	fwnode = fwnode_create_software_node(props, NULL);
	if (IS_ERR(fwnode))
		return fwnode;
	err = devm_add_action_or_reset(&card->dev, xvme_line_names_remove,
				       fwnode);
	return err ? ERR_PTR(err) : fwnode;
}

/**
 * devm_xvme_gpiochip_add - name the lines and add the chip, numbered
 * beyond the global GPIO number space when that is full
 * @xg: from devm_xvme_gpio_init(); gc->ngpio (at most 80) and the
 *	driver's line operations set
 * @names: gc->ngpio line names, copied
 *
 * Sets the chip's label (the card's name), parent, owner, request and
 * free (the library's, which call the driver's @ops).
 * Return: 0 or the error of gpiolib.
 */
int devm_xvme_gpiochip_add(struct xvme_gpio *xg, const char *const *names)
{
	struct xvme_card *card = xg->card;
	struct gpio_chip *gc = &xg->gc;
	struct fwnode_handle *fwnode;
	int err;

	if (gc->ngpio > XVME_GPIO_LINES_MAX)
		return -EINVAL;
	fwnode = devm_xvme_gpio_line_names(card, names, gc->ngpio);
	if (IS_ERR(fwnode))
		return PTR_ERR(fwnode);

	gc->label = dev_name(&card->dev);
	gc->parent = &card->dev;
	gc->fwnode = fwnode;
	gc->owner = xg->owner;
	gc->base = -1;
	gc->can_sleep = true;
	gc->request = xvme_gpio_request;
	gc->free = xvme_gpio_free;

	err = devm_gpiochip_add_data(&card->dev, gc, xg);
	if (err != -ENOSPC)
		return err;

	gc->base = ARCH_NR_GPIOS + (card->crate->index * XVME_SLOTS +
				    card->base / XVME_SLOT_SIZE) *
				   XVME_GPIO_LINES_MAX;
	dev_info(&card->dev,
		 "GPIO numbers 0..%d are used up: lines numbered from %d\n",
		 ARCH_NR_GPIOS - 1, gc->base);
	err = devm_gpiochip_add_data(&card->dev, gc, xg);
	if (err)
		gc->base = -1;
	return err;
}
EXPORT_SYMBOL_GPL(devm_xvme_gpiochip_add);

/**
 * xvme_gpio_of_card - the chip state of a card whose driver is bound
 * @card: the card; its device lock held or the driver calling
 */
struct xvme_gpio *xvme_gpio_of_card(struct xvme_card *card)
{
	return dev_get_drvdata(&card->dev);
}
EXPORT_SYMBOL_GPL(xvme_gpio_of_card);

/**
 * xvme_gpio_busy - for xvme_driver.busy: any line requested
 * @card: the card; called by the core under its state lock
 */
bool xvme_gpio_busy(struct xvme_card *card)
{
	struct xvme_gpio *xg = dev_get_drvdata(&card->dev);

	return xg && !bitmap_empty(xg->requested, XVME_GPIO_LINES_MAX);
}
EXPORT_SYMBOL_GPL(xvme_gpio_busy);

MODULE_DESCRIPTION("Library of the xvme card drivers with a gpiochip");
MODULE_LICENSE("GPL");
