// SPDX-License-Identifier: GPL-2.0
/*
 * XVME-260: 32 relay outputs as a gpiochip.
 *
 * Energized = solenoid valve open; de-energized is the safe state. The
 * driver therefore de-energizes a line when it is released (its holder
 * closed the fd or died), at probe and at unbind/unload, and refuses to
 * energize anything on a card that failed its power-on test.
 *
 * Register facts: shared/spec/xvme-cards.md (project definition).
 */

#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/gpio/driver.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/regmap.h>

#include "xvme.h"

#define XVME260_CSR		0x80
#define XVME260_CSR_RESET	BIT(4)
#define XVME260_OUT(bank)	(0x88 + 2 * (bank))	/* bank 0: relays 0-15 */

#define XVME260_RELAYS		32
#define XVME260_RELAYS_PER_REG	16
#define XVME260_BANKS		(XVME260_RELAYS / XVME260_RELAYS_PER_REG)

/* Soft reset is self-clearing; the card finishes well within this. */
#define XVME260_RESET_POLL_US	10
#define XVME260_RESET_TIMEOUT_US 1000

/**
 * struct xvme260 - one relay card
 * @card:	the xvme card
 * @gc:		the gpiochip, label = card name
 * @requested:	lines currently requested, for ->busy
 */
struct xvme260 {
	struct xvme_card *card;
	struct gpio_chip gc;
	unsigned long requested;	/* protected by xvme_card_lock() */
};

static const char *const xvme260_names[XVME260_RELAYS] = {
	"relay0", "relay1", "relay2", "relay3",
	"relay4", "relay5", "relay6", "relay7",
	"relay8", "relay9", "relay10", "relay11",
	"relay12", "relay13", "relay14", "relay15",
	"relay16", "relay17", "relay18", "relay19",
	"relay20", "relay21", "relay22", "relay23",
	"relay24", "relay25", "relay26", "relay27",
	"relay28", "relay29", "relay30", "relay31",
};

static int xvme260_deenergize_all(struct xvme_card *card)
{
	int ret = 0;
	int bank;

	/* Try every bank even if one fails: each closed valve counts. */
	for (bank = 0; bank < XVME260_BANKS; bank++) {
		int err = regmap_write(card->regmap16, XVME260_OUT(bank), 0);

		if (err && !ret)
			ret = err;
	}
	return ret;
}

/*
 * Power-on test stage after the core's ID PROM check, per the card's
 * specification: after a soft reset both output registers read 0. Also
 * run at bind, so a freshly bound card starts with every relay
 * de-energized.
 *
 * The test never energizes a relay to see whether reset clears it: that
 * would open valves, however briefly, on a backend that may sleep between
 * two writes. So a broken reset shows only when a latch is set beforehand
 * (undefined latches at power-on, or a relay the reset must clear); on a
 * card whose latches already read 0 the test passes, and the explicit
 * de-energize at probe and release still keeps every valve closed.
 */
static int xvme260_selftest(struct xvme_card *card, char *reason, size_t len)
{
	unsigned int csr, out[XVME260_BANKS];
	int ret, bank;

	ret = regmap_write(card->regmap16, XVME260_CSR, XVME260_CSR_RESET);
	if (ret) {
		snprintf(reason, len, "reset: bus error (%d)", ret);
		return ret;
	}
	ret = regmap_read_poll_timeout(card->regmap16, XVME260_CSR, csr,
				       !(csr & XVME260_CSR_RESET),
				       XVME260_RESET_POLL_US,
				       XVME260_RESET_TIMEOUT_US);
	if (ret) {
		snprintf(reason, len, "soft reset did not complete (%d)", ret);
		return ret;
	}
	for (bank = 0; bank < XVME260_BANKS; bank++) {
		ret = regmap_read(card->regmap16, XVME260_OUT(bank), &out[bank]);
		if (ret) {
			snprintf(reason, len, "output register read: bus error (%d)",
				 ret);
			return ret;
		}
	}
	if (out[0] || out[1]) {
		snprintf(reason, len,
			 "outputs not cleared by reset (OUT0_15=0x%04x OUT16_31=0x%04x)",
			 out[0], out[1]);
		/* Leave the card as safe as it lets us. */
		xvme260_deenergize_all(card);
		return -EIO;
	}
	return 0;
}

static bool xvme260_busy(struct xvme_card *card)
{
	struct xvme260 *relays = dev_get_drvdata(&card->dev);

	return relays && relays->requested;
}

static int xvme260_request(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme260 *relays = gpiochip_get_data(gc);

	xvme_card_lock(relays->card);
	__set_bit(offset, &relays->requested);
	xvme_card_unlock(relays->card);
	return 0;
}

/* A released line is driven de-energized: if its holder dies, the valve closes. */
static void xvme260_free(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme260 *relays = gpiochip_get_data(gc);
	struct xvme_card *card = relays->card;
	unsigned int bank = offset / XVME260_RELAYS_PER_REG;
	unsigned int bit = BIT(offset % XVME260_RELAYS_PER_REG);
	int ret;

	ret = regmap_update_bits(card->regmap16, XVME260_OUT(bank), bit, 0);
	if (ret)
		dev_err(&card->dev, "relay%u released but not de-energized: %d\n",
			offset, ret);

	xvme_card_lock(card);
	__clear_bit(offset, &relays->requested);
	xvme_card_unlock(card);
}

/*
 * Runs after the chip is removed. Every requested line holds a reference
 * on this module (gpiolib takes one on the parent's driver, so rmmod is
 * refused while a relay is held). Lines still requested when the chip
 * goes (the card was pulled out of a running crate, userspace holds them)
 * are never released by this kernel's gpiolib (6.1): it neither calls
 * ->free nor drops that reference once the chip is gone, which would pin
 * the module for the rest of the boot. Drop them here, one per line ->free
 * did not see. (gpiolib's 6.9 rework releases them itself: this goes when
 * the driver moves to such a kernel.)
 */
static void xvme260_drop_line_refs(void *data)
{
	struct xvme260 *relays = data;
	unsigned long held;
	unsigned int line;

	xvme_card_lock(relays->card);
	held = relays->requested;
	relays->requested = 0;
	xvme_card_unlock(relays->card);
	for_each_set_bit(line, &held, XVME260_RELAYS)
		module_put(THIS_MODULE);
}

static int xvme260_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	return GPIO_LINE_DIRECTION_OUT;
}

static int xvme260_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	return -EINVAL;		/* relays are outputs only */
}

static int xvme260_get(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme260 *relays = gpiochip_get_data(gc);
	unsigned int val;
	int ret;

	ret = regmap_read(relays->card->regmap16,
			  XVME260_OUT(offset / XVME260_RELAYS_PER_REG), &val);
	if (ret)
		return ret;
	return !!(val & BIT(offset % XVME260_RELAYS_PER_REG));
}

static int xvme260_get_multiple(struct gpio_chip *gc, unsigned long *mask,
				unsigned long *bits)
{
	struct xvme260 *relays = gpiochip_get_data(gc);
	unsigned int bank, val;
	int ret;

	for (bank = 0; bank < XVME260_BANKS; bank++) {
		unsigned int shift = bank * XVME260_RELAYS_PER_REG;
		unsigned long want = (*mask >> shift) & 0xffff;

		if (!want)
			continue;
		ret = regmap_read(relays->card->regmap16, XVME260_OUT(bank), &val);
		if (ret)
			return ret;
		*bits &= ~(want << shift);
		*bits |= (val & want) << shift;
	}
	return 0;
}

/*
 * Energizing is refused on a card whose power-on test failed: its outputs
 * may not do what they are told (a latch that survives reset), so the only
 * command it gets is "off".
 */
static bool xvme260_may_energize(struct xvme260 *relays, unsigned long bits)
{
	if (!bits || xvme_card_selftest_passed(relays->card))
		return true;
	dev_err_ratelimited(&relays->card->dev,
			    "power-on test failed: refusing to energize relays 0x%08lx\n",
			    bits);
	return false;
}

/* One register write per 16 relays touched; the regmap lock makes it atomic. */
static int xvme260_write_relays(struct xvme260 *relays, unsigned long mask,
				unsigned long bits)
{
	unsigned int bank;
	int ret = 0;

	if (!xvme260_may_energize(relays, bits & mask))
		mask &= ~bits;	/* still carry out the de-energize part */

	for (bank = 0; bank < XVME260_BANKS; bank++) {
		unsigned int shift = bank * XVME260_RELAYS_PER_REG;
		unsigned int m = (mask >> shift) & 0xffff;
		unsigned int v = (bits >> shift) & 0xffff;
		int err;

		if (!m)
			continue;
		err = regmap_update_bits(relays->card->regmap16,
					 XVME260_OUT(bank), m, v);
		if (err) {
			dev_err_ratelimited(&relays->card->dev,
					    "relay write OUT%u failed: %d\n",
					    bank, err);
			if (!ret)
				ret = err;
		}
	}
	return ret;
}

static void xvme260_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	xvme260_write_relays(gpiochip_get_data(gc), BIT(offset),
			     value ? BIT(offset) : 0);
}

static void xvme260_set_multiple(struct gpio_chip *gc, unsigned long *mask,
				 unsigned long *bits)
{
	xvme260_write_relays(gpiochip_get_data(gc), *mask, *bits);
}

static int xvme260_direction_output(struct gpio_chip *gc, unsigned int offset,
				    int value)
{
	struct xvme260 *relays = gpiochip_get_data(gc);

	if (value && !xvme260_may_energize(relays, BIT(offset)))
		return -EIO;
	return xvme260_write_relays(relays, BIT(offset), value ? BIT(offset) : 0);
}

/*
 * Registered before the gpiochip, so devres runs it after the chip is gone:
 * no line can be set again once every relay has been switched off.
 */
static void xvme260_deenergize_action(void *data)
{
	struct xvme_card *card = data;

	if (xvme260_deenergize_all(card))
		dev_err(&card->dev, "could not de-energize all relays at unbind\n");
}

/* Runs last at unbind: ->busy must not see the driver data once it is freed. */
static void xvme260_forget_action(void *data)
{
	struct xvme_card *card = data;

	xvme_card_lock(card);
	dev_set_drvdata(&card->dev, NULL);
	xvme_card_unlock(card);
}

static int xvme260_probe(struct xvme_card *card)
{
	struct device *dev = &card->dev;
	struct xvme260 *relays;
	struct fwnode_handle *fwnode;
	struct gpio_chip *gc;
	int ret;

	relays = devm_kzalloc(dev, sizeof(*relays), GFP_KERNEL);
	if (!relays)
		return -ENOMEM;
	relays->card = card;
	ret = devm_add_action(dev, xvme260_forget_action, card);
	if (ret)
		return ret;

	/* The power-on test reset the card; make sure, whatever its result. */
	ret = xvme260_deenergize_all(card);
	if (ret)
		return dev_err_probe(dev, ret, "cannot de-energize relays\n");
	ret = devm_add_action_or_reset(dev, xvme260_deenergize_action, card);
	if (ret)
		return ret;

	if (!xvme_card_selftest_passed(card))
		dev_err(dev, "power-on test failed: relays stay de-energized\n");

	/* Named through a software node: see xvme-gpio.c. */
	fwnode = devm_xvme_gpio_line_names(card, xvme260_names, XVME260_RELAYS);
	if (IS_ERR(fwnode))
		return dev_err_probe(dev, PTR_ERR(fwnode), "cannot name the lines\n");

	ret = devm_add_action(dev, xvme260_drop_line_refs, relays);
	if (ret)
		return ret;

	gc = &relays->gc;
	gc->label = dev_name(dev);
	gc->parent = dev;
	gc->fwnode = fwnode;
	gc->owner = THIS_MODULE;
	gc->base = -1;
	gc->ngpio = XVME260_RELAYS;
	gc->can_sleep = true;
	gc->request = xvme260_request;
	gc->free = xvme260_free;
	gc->get_direction = xvme260_get_direction;
	gc->direction_input = xvme260_direction_input;
	gc->direction_output = xvme260_direction_output;
	gc->get = xvme260_get;
	gc->get_multiple = xvme260_get_multiple;
	gc->set = xvme260_set;
	gc->set_multiple = xvme260_set_multiple;

	xvme_card_lock(card);
	dev_set_drvdata(dev, relays);
	xvme_card_unlock(card);
	ret = devm_xvme_gpiochip_add(card, gc, relays);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add gpiochip\n");
	return 0;
}

static struct xvme_driver xvme260_driver = {
	.driver = {
		.name = "xvme260",
	},
	.model = XVME_MODEL_260,
	.selftest = xvme260_selftest,
	.busy = xvme260_busy,
	.probe = xvme260_probe,
};
module_xvme_driver(xvme260_driver);

MODULE_DESCRIPTION("Xycom XVME-260 relay output card");
MODULE_LICENSE("GPL");
/* The card's uevent MODALIAS, so udev loads this driver for it. */
MODULE_ALIAS("xvme:m260");
