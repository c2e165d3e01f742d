// SPDX-License-Identifier: GPL-2.0
/*
 * XVME-240: 64 TTL lines, 8 interrupt inputs and 8 flag outputs as a
 * gpiochip with an irqchip.
 *
 * Line offsets: 0..63 are port0.0..port7.7 (port p, bit b at 8p + b),
 * 64..71 the interrupt inputs irq0..irq7, 72..79 the flags flag0..flag7.
 *
 * The card sets direction per 8-bit port (PDR), so a line's direction
 * request is refused with -EBUSY while another line of its port is in use
 * the other way. Ports are written one byte at a time (D8) from a shadow,
 * so a write never clobbers the neighbouring port of the 16-bit register.
 *
 * The interrupt inputs latch rising edges in IPR when enabled in IMR; the
 * card interrupt (from the xvme core) is served by a thread that clears
 * the latch and runs the nested handlers of the child interrupts.
 *
 * Register facts: shared/spec/xvme-cards.md (after EPICS drvXy240.c).
 */

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/regmap.h>

#include "xvme.h"

#define XVME240_IIR		0x80
#define XVME240_CSR		0x81
#define XVME240_CSR_IRQ_ENABLE	BIT(3)
#define XVME240_IPR		0x82
#define XVME240_IMR		0x83
#define XVME240_ICR		0x84
#define XVME240_FLAGS		0x86
#define XVME240_PDR		0x87
/* Port p is the byte at 0x88 + p: big-endian pairs, port 0 in the high byte. */
#define XVME240_PORT(p)		(0x88 + (p))

#define XVME240_PORTS		8
#define XVME240_PORT_LINES	(XVME240_PORTS * 8)
#define XVME240_IRQ_FIRST	XVME240_PORT_LINES		/* irq0 */
#define XVME240_FLAG_FIRST	(XVME240_IRQ_FIRST + 8)		/* flag0 */
#define XVME240_LINES		(XVME240_FLAG_FIRST + 8)

/**
 * struct xvme240 - one TTL card
 * @card:		the xvme card
 * @gc:			the gpiochip, label = card name
 * @lock:		serialises direction changes and port writes
 * @pdr:		shadow of PDR, bit p = port p is an output
 * @out:		output latch shadow per port, written whole (D8)
 * @in_use:		requested lines per port
 * @requested:		requested lines of the whole card, for ->busy
 *			(under xvme_card_lock())
 * @irq_lock:		irqchip bus lock: IMR is written when it is dropped
 * @imr:		wanted interrupt mask
 * @imr_hw:		mask last written to the card
 */
struct xvme240 {
	struct xvme_card *card;
	struct gpio_chip gc;
	struct mutex lock;
	u8 pdr;
	u8 out[XVME240_PORTS];
	u8 in_use[XVME240_PORTS];
	unsigned int requested;
	struct mutex irq_lock;
	u8 imr;
	u8 imr_hw;
};

#define XVME240_PORT_NAMES(p)						\
	"port" #p ".0", "port" #p ".1", "port" #p ".2", "port" #p ".3",	\
	"port" #p ".4", "port" #p ".5", "port" #p ".6", "port" #p ".7"

static const char *const xvme240_names[XVME240_LINES] = {
	XVME240_PORT_NAMES(0), XVME240_PORT_NAMES(1),
	XVME240_PORT_NAMES(2), XVME240_PORT_NAMES(3),
	XVME240_PORT_NAMES(4), XVME240_PORT_NAMES(5),
	XVME240_PORT_NAMES(6), XVME240_PORT_NAMES(7),
	"irq0", "irq1", "irq2", "irq3", "irq4", "irq5", "irq6", "irq7",
	"flag0", "flag1", "flag2", "flag3",
	"flag4", "flag5", "flag6", "flag7",
};

static bool xvme240_is_port_line(unsigned int offset)
{
	return offset < XVME240_IRQ_FIRST;
}

static bool xvme240_is_irq_line(unsigned int offset)
{
	return offset >= XVME240_IRQ_FIRST && offset < XVME240_FLAG_FIRST;
}

static int xvme240_request(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gpiochip_get_data(gc);

	if (xvme240_is_port_line(offset)) {
		mutex_lock(&ttl->lock);
		ttl->in_use[offset / 8] |= BIT(offset % 8);
		mutex_unlock(&ttl->lock);
	}
	xvme_card_lock(ttl->card);
	ttl->requested++;
	xvme_card_unlock(ttl->card);
	return 0;
}

static void xvme240_free(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gpiochip_get_data(gc);

	if (xvme240_is_port_line(offset)) {
		mutex_lock(&ttl->lock);
		ttl->in_use[offset / 8] &= ~BIT(offset % 8);
		mutex_unlock(&ttl->lock);
	}
	xvme_card_lock(ttl->card);
	ttl->requested--;
	xvme_card_unlock(ttl->card);
}

static bool xvme240_busy(struct xvme_card *card)
{
	struct xvme240 *ttl = dev_get_drvdata(&card->dev);

	return ttl && ttl->requested;
}

static int xvme240_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gpiochip_get_data(gc);
	bool out;

	if (xvme240_is_irq_line(offset))
		return GPIO_LINE_DIRECTION_IN;
	if (!xvme240_is_port_line(offset))
		return GPIO_LINE_DIRECTION_OUT;

	mutex_lock(&ttl->lock);
	out = ttl->pdr & BIT(offset / 8);
	mutex_unlock(&ttl->lock);
	return out ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

/*
 * Give the port of @offset the direction @output unless another line of
 * that port is in use the other way. Called with ttl->lock held.
 */
static int xvme240_port_direction(struct xvme240 *ttl, unsigned int offset,
				  bool output)
{
	unsigned int port = offset / 8;
	u8 others = ttl->in_use[port] & ~BIT(offset % 8);
	bool is_output = ttl->pdr & BIT(port);
	u8 pdr;
	int ret;

	if (is_output == output)
		return 0;
	if (others) {
		dev_info_ratelimited(&ttl->card->dev,
				     "port%u.%u cannot be an %s: port%u is an %s for lines in use (mask 0x%02x); direction is per port\n",
				     port, offset % 8, output ? "output" : "input",
				     port, is_output ? "output" : "input", others);
		return -EBUSY;
	}

	if (output) {
		/* Latch the port's outputs before the drivers turn on. */
		ret = regmap_write(ttl->card->regmap8, XVME240_PORT(port),
				   ttl->out[port]);
		if (ret)
			return ret;
	}
	pdr = output ? ttl->pdr | BIT(port) : ttl->pdr & ~BIT(port);
	ret = regmap_write(ttl->card->regmap8, XVME240_PDR, pdr);
	if (ret)
		return ret;
	ttl->pdr = pdr;
	return 0;
}

static int xvme240_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gpiochip_get_data(gc);
	int ret;

	if (xvme240_is_irq_line(offset))
		return 0;
	if (!xvme240_is_port_line(offset))
		return -EINVAL;		/* flags are outputs only */

	mutex_lock(&ttl->lock);
	ret = xvme240_port_direction(ttl, offset, false);
	mutex_unlock(&ttl->lock);
	return ret;
}

static int xvme240_get(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gpiochip_get_data(gc);
	unsigned int reg, val;
	int ret;

	if (xvme240_is_port_line(offset))
		reg = XVME240_PORT(offset / 8);
	else if (xvme240_is_irq_line(offset))
		reg = XVME240_IIR;
	else
		reg = XVME240_FLAGS;

	ret = regmap_read(ttl->card->regmap8, reg, &val);
	if (ret)
		return ret;
	return !!(val & BIT(offset % 8));
}

/* Set the output lines in @mask to @bits: one D8 write per byte touched. */
static int xvme240_write_outputs(struct xvme240 *ttl, const unsigned long *mask,
				 const unsigned long *bits)
{
	struct regmap *map = ttl->card->regmap8;
	unsigned long m, v;
	unsigned int byte;
	int ret = 0, err;

	mutex_lock(&ttl->lock);
	for (byte = 0; byte < XVME240_LINES / 8; byte++) {
		m = bitmap_get_value8(mask, byte * 8);
		v = bitmap_get_value8(bits, byte * 8);
		if (!m)
			continue;
		if (byte < XVME240_PORTS) {
			ttl->out[byte] = (ttl->out[byte] & ~m) | (v & m);
			err = regmap_write(map, XVME240_PORT(byte), ttl->out[byte]);
		} else if (byte == XVME240_FLAG_FIRST / 8) {
			err = regmap_update_bits(map, XVME240_FLAGS, m, v);
		} else {
			continue;	/* interrupt inputs have no output */
		}
		if (err) {
			dev_err_ratelimited(&ttl->card->dev,
					    "output write (byte %u) failed: %d\n",
					    byte, err);
			if (!ret)
				ret = err;
		}
	}
	mutex_unlock(&ttl->lock);
	return ret;
}

static void xvme240_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	DECLARE_BITMAP(mask, XVME240_LINES) = { };
	DECLARE_BITMAP(bits, XVME240_LINES) = { };

	__set_bit(offset, mask);
	__assign_bit(offset, bits, value);
	xvme240_write_outputs(gpiochip_get_data(gc), mask, bits);
}

static void xvme240_set_multiple(struct gpio_chip *gc, unsigned long *mask,
				 unsigned long *bits)
{
	xvme240_write_outputs(gpiochip_get_data(gc), mask, bits);
}

static int xvme240_direction_output(struct gpio_chip *gc, unsigned int offset,
				    int value)
{
	struct xvme240 *ttl = gpiochip_get_data(gc);
	int ret = 0;

	if (xvme240_is_irq_line(offset))
		return -EINVAL;		/* interrupt inputs are inputs only */

	if (xvme240_is_port_line(offset)) {
		unsigned int port = offset / 8;
		u8 latch = ttl->out[port];

		mutex_lock(&ttl->lock);
		/* The port turns output with this line already at @value. */
		if (value)
			ttl->out[port] |= BIT(offset % 8);
		else
			ttl->out[port] &= ~BIT(offset % 8);
		ret = xvme240_port_direction(ttl, offset, true);
		if (ret)
			ttl->out[port] = latch;
		mutex_unlock(&ttl->lock);
		if (ret)
			return ret;
	}
	xvme240_set(gc, offset, value);
	return 0;
}

/* ---- irqchip: hwirq = gpio offset, valid for irq0..irq7 only ---- */

static void xvme240_irq_mask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gpiochip_get_data(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);

	ttl->imr &= ~BIT(hwirq - XVME240_IRQ_FIRST);
	gpiochip_disable_irq(gc, hwirq);
}

static void xvme240_irq_unmask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gpiochip_get_data(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);

	gpiochip_enable_irq(gc, hwirq);
	ttl->imr |= BIT(hwirq - XVME240_IRQ_FIRST);
}

/* The card latches rising edges only. */
static int xvme240_irq_set_type(struct irq_data *d, unsigned int type)
{
	if ((type & IRQ_TYPE_SENSE_MASK) != IRQ_TYPE_EDGE_RISING)
		return -EINVAL;
	return 0;
}

static void xvme240_irq_bus_lock(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gpiochip_get_data(gc);

	mutex_lock(&ttl->irq_lock);
}

/* Registers can only be reached where sleeping is allowed: here. */
static void xvme240_irq_bus_sync_unlock(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gpiochip_get_data(gc);
	struct regmap *map = ttl->card->regmap8;
	u8 enabled = ttl->imr & ~ttl->imr_hw;
	int ret = 0;

	if (ttl->imr != ttl->imr_hw) {
		/* An edge latched before enabling is not news: drop it. */
		if (enabled)
			ret = regmap_write(map, XVME240_ICR, enabled);
		if (!ret)
			ret = regmap_write(map, XVME240_IMR, ttl->imr);
		if (ret)
			dev_err_ratelimited(&ttl->card->dev,
					    "cannot write interrupt mask: %d\n", ret);
		else
			ttl->imr_hw = ttl->imr;
	}
	mutex_unlock(&ttl->irq_lock);
}

static const struct irq_chip xvme240_irq_chip = {
	.name = "xvme240",
	.irq_mask = xvme240_irq_mask,
	.irq_unmask = xvme240_irq_unmask,
	.irq_set_type = xvme240_irq_set_type,
	.irq_bus_lock = xvme240_irq_bus_lock,
	.irq_bus_sync_unlock = xvme240_irq_bus_sync_unlock,
	.flags = IRQCHIP_IMMUTABLE | IRQCHIP_SKIP_SET_WAKE,
	GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

static void xvme240_irq_init_valid_mask(struct gpio_chip *gc,
					unsigned long *valid_mask,
					unsigned int ngpios)
{
	bitmap_clear(valid_mask, 0, ngpios);
	bitmap_set(valid_mask, XVME240_IRQ_FIRST, 8);
}

/*
 * The card interrupt: asserted while an enabled input has latched an edge.
 * Clear what we saw first, so an edge arriving during dispatch latches anew.
 */
static irqreturn_t xvme240_irq_thread(int irq, void *data)
{
	struct xvme240 *ttl = data;
	struct regmap *map = ttl->card->regmap8;
	unsigned int ipr, n;
	unsigned long pending;
	int ret;

	ret = regmap_read(map, XVME240_IPR, &ipr);
	if (ret) {
		dev_err_ratelimited(&ttl->card->dev,
				    "cannot read interrupt latch: %d\n", ret);
		return IRQ_NONE;
	}
	pending = ipr & 0xff;
	if (!pending)
		return IRQ_NONE;

	ret = regmap_write(map, XVME240_ICR, pending);
	if (ret)
		dev_err_ratelimited(&ttl->card->dev,
				    "cannot clear interrupt latch: %d\n", ret);

	for_each_set_bit(n, &pending, 8) {
		unsigned int virq = irq_find_mapping(ttl->gc.irq.domain,
						     XVME240_IRQ_FIRST + n);

		if (virq)
			handle_nested_irq(virq);
	}
	return IRQ_HANDLED;
}

/*
 * Registered before the gpiochip and the interrupt, so devres runs it
 * last: the card stops interrupting once nobody handles it.
 */
static void xvme240_quiesce_action(void *data)
{
	struct xvme_card *card = data;

	regmap_update_bits(card->regmap8, XVME240_CSR,
			   XVME240_CSR_IRQ_ENABLE, 0);
	regmap_write(card->regmap8, XVME240_IMR, 0);
	regmap_write(card->regmap8, XVME240_ICR, 0xff);
}

/*
 * Runs after the chip is removed. Every requested line holds a reference
 * on this module (gpiolib takes one on the parent's driver). Lines still
 * requested when the chip goes (the card was pulled out of a running
 * crate, userspace holds them) are never released by this kernel's
 * gpiolib (6.1): it neither calls ->free nor drops that reference once the
 * chip is gone, which would pin the module for the rest of the boot. Drop
 * them here, one per line ->free did not see. (gpiolib's 6.9 rework
 * releases them itself: this goes when the driver moves to such a kernel.)
 */
static void xvme240_drop_line_refs(void *data)
{
	struct xvme240 *ttl = data;
	unsigned int held;

	xvme_card_lock(ttl->card);
	held = ttl->requested;
	ttl->requested = 0;
	xvme_card_unlock(ttl->card);
	while (held--)
		module_put(THIS_MODULE);
}

/* Runs last at unbind: ->busy must not see the driver data once it is freed. */
static void xvme240_forget_action(void *data)
{
	struct xvme_card *card = data;

	xvme_card_lock(card);
	dev_set_drvdata(&card->dev, NULL);
	xvme_card_unlock(card);
}

/* Start from what the card holds: binding must not flip outputs. */
static int xvme240_read_state(struct xvme240 *ttl)
{
	struct regmap *map = ttl->card->regmap8;
	unsigned int val;
	int ret, port;

	ret = regmap_read(map, XVME240_PDR, &val);
	if (ret)
		return ret;
	ttl->pdr = val;
	for (port = 0; port < XVME240_PORTS; port++) {
		if (!(ttl->pdr & BIT(port)))
			continue;
		ret = regmap_read(map, XVME240_PORT(port), &val);
		if (ret)
			return ret;
		ttl->out[port] = val;
	}
	/* No interrupt source enabled until a child interrupt is requested. */
	ret = regmap_write(map, XVME240_IMR, 0);
	if (!ret)
		ret = regmap_write(map, XVME240_ICR, 0xff);
	return ret;
}

static int xvme240_probe(struct xvme_card *card)
{
	struct device *dev = &card->dev;
	struct gpio_irq_chip *girq;
	struct xvme240 *ttl;
	struct fwnode_handle *fwnode;
	struct gpio_chip *gc;
	int ret;

	ttl = devm_kzalloc(dev, sizeof(*ttl), GFP_KERNEL);
	if (!ttl)
		return -ENOMEM;
	ttl->card = card;
	mutex_init(&ttl->lock);
	mutex_init(&ttl->irq_lock);

	ret = devm_add_action(dev, xvme240_forget_action, card);
	if (ret)
		return ret;

	ret = xvme240_read_state(ttl);
	if (ret)
		return dev_err_probe(dev, ret, "cannot read card state\n");
	ret = devm_add_action_or_reset(dev, xvme240_quiesce_action, card);
	if (ret)
		return ret;

	/* Named through a software node: see xvme-gpio.c. */
	fwnode = devm_xvme_gpio_line_names(card, xvme240_names, XVME240_LINES);
	if (IS_ERR(fwnode))
		return dev_err_probe(dev, PTR_ERR(fwnode), "cannot name the lines\n");

	gc = &ttl->gc;
	gc->label = dev_name(dev);
	gc->parent = dev;
	gc->fwnode = fwnode;
	gc->owner = THIS_MODULE;
	gc->base = -1;
	gc->ngpio = XVME240_LINES;
	gc->can_sleep = true;
	gc->request = xvme240_request;
	gc->free = xvme240_free;
	gc->get_direction = xvme240_get_direction;
	gc->direction_input = xvme240_direction_input;
	gc->direction_output = xvme240_direction_output;
	gc->get = xvme240_get;
	gc->set = xvme240_set;
	gc->set_multiple = xvme240_set_multiple;

	if (card->irq > 0) {
		girq = &gc->irq;
		gpio_irq_chip_set_chip(girq, &xvme240_irq_chip);
		girq->handler = handle_simple_irq;
		girq->default_type = IRQ_TYPE_NONE;
		girq->threaded = true;
		girq->init_valid_mask = xvme240_irq_init_valid_mask;
	} else {
		dev_info(dev, "no card interrupt: irq0..irq7 without edge events\n");
	}

	xvme_card_lock(card);
	dev_set_drvdata(dev, ttl);
	xvme_card_unlock(card);

	ret = devm_add_action(dev, xvme240_drop_line_refs, ttl);
	if (ret)
		return ret;
	ret = devm_xvme_gpiochip_add(card, gc, ttl);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add gpiochip\n");

	if (card->irq > 0) {
		ret = devm_request_threaded_irq(dev, card->irq, NULL,
						xvme240_irq_thread, IRQF_ONESHOT,
						dev_name(dev), ttl);
		if (ret)
			return dev_err_probe(dev, ret, "cannot request irq %d\n",
					     card->irq);
		ret = regmap_update_bits(card->regmap8, XVME240_CSR,
					 XVME240_CSR_IRQ_ENABLE,
					 XVME240_CSR_IRQ_ENABLE);
		if (ret)
			return dev_err_probe(dev, ret, "cannot enable card interrupt\n");
	}
	return 0;
}

static struct xvme_driver xvme240_driver = {
	.driver = {
		.name = "xvme240",
	},
	.model = XVME_MODEL_240,
	.busy = xvme240_busy,
	.probe = xvme240_probe,
};
module_xvme_driver(xvme240_driver);

MODULE_DESCRIPTION("Xycom XVME-240 TTL I/O card");
MODULE_LICENSE("GPL");
/* The card's uevent MODALIAS, so udev loads this driver for it. */
MODULE_ALIAS("xvme:m240");
