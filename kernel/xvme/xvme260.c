// SPDX-License-Identifier: GPL-2.0
/*
 * XVME-260: 32 relay outputs as a gpiochip.
 *
 * Energized = solenoid valve open; de-energized is the safe state. The
 * driver therefore de-energizes a line when it is released (its holder
 * closed the fd or died), at probe, at unbind/unload and when the system
 * goes down (reboot, kexec), refuses to energize anything on a card that
 * failed its power-on test, and after shutdown refuses to energize at all.
 *
 * The card may leave a running crate while its lines are held: the chip
 * and this state outlive the binding (xvme-gpio.c); once the card is gone
 * nothing touches its registers.
 *
 * Register facts: shared/spec/xvme-cards.md (project definition).
 */

#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/gpio/driver.h>
#include <linux/module.h>
#include <linux/regmap.h>
#include <linux/slab.h>

#include "xvme.h"
#include "xvme-gpio.h"

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
 * @chip:	the gpiochip and the card lock (xvme-gpio.h)
 * @regmap:	the card's D16 registers, while chip.card is set
 */
struct xvme260 {
	struct xvme_gpio chip;
	struct regmap *regmap;
};

#define to_xvme260(xg) container_of(xg, struct xvme260, chip)

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

/* Registers the card decodes; none is read behind the driver's back. */
static const struct regmap_range xvme260_regs[] = {
	regmap_reg_range(XVME260_CSR, XVME260_CSR),
	regmap_reg_range(XVME260_OUT(0), XVME260_OUT(1)),
};

static const struct regmap_access_table xvme260_access = {
	.yes_ranges = xvme260_regs,
	.n_yes_ranges = ARRAY_SIZE(xvme260_regs),
};

/* Live: the reset clears the outputs, the reset bit clears itself. */
static const struct regmap_config xvme260_regmap16 = {
	.max_register = XVME260_OUT(1),
	.rd_table = &xvme260_access,
	.wr_table = &xvme260_access,
	.volatile_table = &xvme260_access,
};

static int xvme260_deenergize_all(struct regmap *map)
{
	int ret = 0;
	int bank;

	/* Try every bank even if one fails: each closed valve counts. */
	for (bank = 0; bank < XVME260_BANKS; bank++) {
		int err = regmap_write(map, XVME260_OUT(bank), 0);

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
	struct regmap *map = card->regmap16;
	unsigned int csr, out[XVME260_BANKS];
	int ret, bank;

	ret = regmap_write(map, XVME260_CSR, XVME260_CSR_RESET);
	if (ret) {
		snprintf(reason, len, "reset: bus error (%d)", ret);
		return ret;
	}
	ret = regmap_read_poll_timeout(map, XVME260_CSR, csr,
				       !(csr & XVME260_CSR_RESET),
				       XVME260_RESET_POLL_US,
				       XVME260_RESET_TIMEOUT_US);
	if (ret) {
		snprintf(reason, len, "soft reset did not complete (%d)", ret);
		return ret;
	}
	for (bank = 0; bank < XVME260_BANKS; bank++) {
		ret = regmap_read(map, XVME260_OUT(bank), &out[bank]);
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
		xvme260_deenergize_all(map);
		return -EIO;
	}
	return 0;
}

/* A released line is driven de-energized: if its holder dies, the valve closes. */
static void xvme260_line_free(struct xvme_gpio *xg, unsigned int offset)
{
	struct xvme260 *relays = to_xvme260(xg);
	unsigned int bank = offset / XVME260_RELAYS_PER_REG;
	unsigned int bit = BIT(offset % XVME260_RELAYS_PER_REG);
	int ret;

	ret = regmap_update_bits(relays->regmap, XVME260_OUT(bank), bit, 0);
	if (ret)
		dev_err(&xg->card->dev, "relay%u released but not de-energized: %d\n",
			offset, ret);
}

static int xvme260_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	return GPIO_LINE_DIRECTION_OUT;
}

static int xvme260_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	return -EINVAL;		/* relays are outputs only */
}

static int xvme260_get_multiple(struct gpio_chip *gc, unsigned long *mask,
				unsigned long *bits)
{
	struct xvme260 *relays = to_xvme260(to_xvme_gpio(gc));
	unsigned int bank, val;
	int ret = 0;

	if (!xvme_gpio_lock(&relays->chip)) {
		ret = -ENODEV;
		goto out;
	}
	for (bank = 0; bank < XVME260_BANKS; bank++) {
		unsigned int shift = bank * XVME260_RELAYS_PER_REG;
		unsigned long want = (*mask >> shift) & 0xffff;

		if (!want)
			continue;
		ret = regmap_read(relays->regmap, XVME260_OUT(bank), &val);
		if (ret)
			break;
		*bits &= ~(want << shift);
		*bits |= (val & want) << shift;
	}
out:
	xvme_gpio_unlock(&relays->chip);
	return ret;
}

static int xvme260_get(struct gpio_chip *gc, unsigned int offset)
{
	unsigned long mask = BIT(offset), bits = 0;
	int ret;

	ret = xvme260_get_multiple(gc, &mask, &bits);
	return ret ? ret : !!(bits & mask);
}

/*
 * Energizing is refused on a card whose power-on test failed (its outputs
 * may not do what they are told, so the only command it gets is "off")
 * and once the system is going down. Called with the chip's lock held.
 */
static bool xvme260_may_energize(struct xvme260 *relays, unsigned long bits)
{
	struct xvme_card *card = relays->chip.card;

	if (!bits)
		return true;
	if (relays->chip.shut_down) {
		dev_err_ratelimited(&card->dev,
				    "shut down: refusing to energize relays 0x%08lx\n",
				    bits);
		return false;
	}
	if (xvme_card_selftest_passed(card))
		return true;
	dev_err_ratelimited(&card->dev,
			    "power-on test failed: refusing to energize relays 0x%08lx\n",
			    bits);
	return false;
}

/*
 * One register write per 16 relays touched; the chip's lock makes it
 * atomic with release, removal and shutdown. A card that is gone takes
 * nothing: -ENODEV.
 */
static int xvme260_write_relays(struct xvme260 *relays, unsigned long mask,
				unsigned long bits, bool refuse)
{
	struct xvme_card *card;
	unsigned int bank;
	int ret = 0;

	card = xvme_gpio_lock(&relays->chip);
	if (!card) {
		ret = -ENODEV;
		goto out;
	}
	if (!xvme260_may_energize(relays, bits & mask)) {
		if (refuse) {
			ret = -EIO;
			goto out;
		}
		mask &= ~bits;	/* still carry out the de-energize part */
	}

	for (bank = 0; bank < XVME260_BANKS; bank++) {
		unsigned int shift = bank * XVME260_RELAYS_PER_REG;
		unsigned int m = (mask >> shift) & 0xffff;
		unsigned int v = (bits >> shift) & 0xffff;
		int err;

		if (!m)
			continue;
		err = regmap_update_bits(relays->regmap, XVME260_OUT(bank), m, v);
		if (err) {
			dev_err_ratelimited(&card->dev,
					    "relay write OUT%u failed: %d\n",
					    bank, err);
			if (!ret)
				ret = err;
		}
	}
out:
	xvme_gpio_unlock(&relays->chip);
	return ret;
}

static void xvme260_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	xvme260_write_relays(to_xvme260(to_xvme_gpio(gc)), BIT(offset),
			     value ? BIT(offset) : 0, false);
}

static void xvme260_set_multiple(struct gpio_chip *gc, unsigned long *mask,
				 unsigned long *bits)
{
	xvme260_write_relays(to_xvme260(to_xvme_gpio(gc)), *mask, *bits, false);
}

static int xvme260_direction_output(struct gpio_chip *gc, unsigned int offset,
				    int value)
{
	return xvme260_write_relays(to_xvme260(to_xvme_gpio(gc)), BIT(offset),
				    value ? BIT(offset) : 0, true);
}

/* The card leaves the driver: no line can be set again, every relay off. */
static void xvme260_gone(struct xvme_gpio *xg)
{
	struct xvme260 *relays = to_xvme260(xg);

	if (xvme260_deenergize_all(relays->regmap))
		dev_err(&xg->card->dev, "could not de-energize all relays at unbind\n");
}

static void xvme260_release(struct xvme_gpio *xg)
{
	kfree(to_xvme260(xg));
}

static const struct xvme_gpio_ops xvme260_gpio_ops = {
	.free = xvme260_line_free,
	.gone = xvme260_gone,
	.release = xvme260_release,
};

/*
 * The system goes down with the crate powered (reboot, kexec): every valve
 * closes, and stays closed whatever the holders of lines still ask.
 */
static void xvme260_shutdown(struct xvme_card *card)
{
	struct xvme260 *relays = to_xvme260(xvme_gpio_of_card(card));

	if (!xvme_gpio_lock(&relays->chip))
		goto out;
	relays->chip.shut_down = true;
	if (xvme260_deenergize_all(relays->regmap))
		dev_err(&card->dev, "could not de-energize all relays at shutdown\n");
out:
	xvme_gpio_unlock(&relays->chip);
}

static int xvme260_probe(struct xvme_card *card)
{
	struct device *dev = &card->dev;
	struct xvme260 *relays;
	struct gpio_chip *gc;
	int ret;

	/* The power-on test reset the card; make sure, whatever its result. */
	ret = xvme260_deenergize_all(card->regmap16);
	if (ret)
		return dev_err_probe(dev, ret, "cannot de-energize relays\n");
	if (!xvme_card_selftest_passed(card))
		dev_err(dev, "power-on test failed: relays stay de-energized\n");

	relays = kzalloc(sizeof(*relays), GFP_KERNEL);
	if (!relays)
		return -ENOMEM;
	relays->regmap = card->regmap16;
	ret = devm_xvme_gpio_init(card, &relays->chip, &xvme260_gpio_ops);
	if (ret)
		return ret;

	gc = &relays->chip.gc;
	gc->ngpio = XVME260_RELAYS;
	gc->get_direction = xvme260_get_direction;
	gc->direction_input = xvme260_direction_input;
	gc->direction_output = xvme260_direction_output;
	gc->get = xvme260_get;
	gc->get_multiple = xvme260_get_multiple;
	gc->set = xvme260_set;
	gc->set_multiple = xvme260_set_multiple;
	ret = devm_xvme_gpiochip_add(&relays->chip, xvme260_names);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add gpiochip\n");
	return 0;
}

static struct xvme_driver xvme260_driver = {
	.driver = {
		.name = "xvme260",
	},
	.model = XVME_MODEL_260,
	.regmap16 = &xvme260_regmap16,
	.selftest = xvme260_selftest,
	.busy = xvme_gpio_busy,
	.probe = xvme260_probe,
	.shutdown = xvme260_shutdown,
};
module_xvme_driver(xvme260_driver);

MODULE_DESCRIPTION("Xycom XVME-260 relay output card");
MODULE_LICENSE("GPL");
/* The card's uevent MODALIAS, so udev loads this driver for it. */
MODULE_ALIAS("xvme:m260");
