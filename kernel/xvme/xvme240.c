// SPDX-License-Identifier: GPL-2.0
/*
 * XVME-240: 64 TTL lines, 8 interrupt inputs and 8 flag outputs as a
 * gpiochip with interrupts.
 *
 * Line offsets: 0..63 are port0.0..port7.7 (port p, bit b at 8p + b),
 * 64..71 the interrupt inputs irq0..irq7, 72..79 the flags flag0..flag7.
 *
 * The card sets direction per 8-bit port (PDR), so a line's direction
 * request is refused with -EBUSY while another line of its port is in use
 * the other way. Ports are written one byte at a time (D8) from a shadow,
 * so a write never clobbers the neighbouring port of the 16-bit register.
 *
 * The interrupt inputs latch rising edges in IPR when enabled in IMR. The
 * card interrupts on its VME level with the vector the core gave it (IVR);
 * a thread serves it: it clears the latch and runs the nested handlers of
 * the child interrupts, one per input.
 *
 * The card may leave a running crate (or the driver be unbound) while
 * userspace holds its lines and edge-event interrupts: the chip, this
 * state and the child interrupts' domain outlive the binding
 * (xvme-gpio.c). gpiolib's own irqchip would dispose of the child
 * interrupts in gpiochip_remove() while gpiolib-cdev still has handlers on
 * them (6.1); the driver keeps its own domain instead, whose mappings go
 * only when the last user of the chip did. See
 * Documentation/xvme/gpio-hotplug.rst.
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
#include <linux/regmap.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "xvme.h"
#include "xvme-gpio.h"

#define XVME240_IIR		0x80
#define XVME240_CSR		0x81
#define XVME240_CSR_RED_OFF	BIT(0)
#define XVME240_CSR_GRN_ON	BIT(1)
#define XVME240_CSR_IRQ_ENABLE	BIT(3)
#define XVME240_IPR		0x82
#define XVME240_IMR		0x83
#define XVME240_ICR		0x84
#define XVME240_IVR		0x85
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
 * @chip:		the gpiochip and the card lock (xvme-gpio.h); also
 *			the bus lock of the child interrupts
 * @regmap:		the card's D8 registers, while chip.card is set
 * @pdr:		shadow of PDR, bit p = port p is an output
 * @out:		output latch shadow per port, written whole (D8)
 * @in_use:		requested lines per port
 * @domain:		the child interrupts, hwirq = line offset (64..71)
 * @imr:		wanted interrupt mask
 * @imr_hw:		mask last written to the card
 * @irqs_requested:	child interrupts requested now, and mappings being
 *			made
 * @irq_puts:		references of released child interrupts, dropped
 *			once the bus lock is
 * @domain_going:	the domain's teardown is queued
 * @domain_work:	the teardown: once the card is gone and no child
 *			interrupt is requested, the mappings go
 *
 * Everything is under the chip's lock; @domain is set before the chip is
 * added and cleared by the teardown.
 */
struct xvme240 {
	struct xvme_gpio chip;
	struct regmap *regmap;
	u8 pdr;
	u8 out[XVME240_PORTS];
	u8 in_use[XVME240_PORTS];
	struct irq_domain *domain;
	u8 imr;
	u8 imr_hw;
	unsigned int irqs_requested;
	unsigned int irq_puts;
	bool domain_going;
	struct work_struct domain_work;
};

#define to_xvme240(xg) container_of(xg, struct xvme240, chip)
#define gc_to_xvme240(gc) to_xvme240(to_xvme_gpio(gc))

/* Domain teardowns run here, so module unload waits for them. */
static struct workqueue_struct *xvme240_wq;

/* As gpiolib's irqchips: child interrupts get lock classes of their own. */
static struct lock_class_key xvme240_irq_lock_class;
static struct lock_class_key xvme240_irq_request_class;

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

/*
 * The registers the card decodes: the ID PROM's odd bytes, then 0x80 ..
 * 0x8f. ICR is write-only; no register clears on read, so the debugfs
 * dump may read all the readable ones.
 */
static const struct regmap_range xvme240_readable[] = {
	regmap_reg_range(XVME_ID_FIRST, XVME_ID_FIRST + 2 * (XVME_ID_CHARS - 1)),
	regmap_reg_range(XVME240_IIR, XVME240_IMR),
	regmap_reg_range(XVME240_IVR, XVME240_PORT(XVME240_PORTS - 1)),
};

static const struct regmap_range xvme240_writeable[] = {
	regmap_reg_range(XVME240_CSR, XVME240_CSR),
	regmap_reg_range(XVME240_IMR, XVME240_PORT(XVME240_PORTS - 1)),
};

/* Inputs and latches the card changes by itself. */
static const struct regmap_range xvme240_volatile[] = {
	regmap_reg_range(XVME240_IIR, XVME240_IPR),
	regmap_reg_range(XVME240_PORT(0), XVME240_PORT(XVME240_PORTS - 1)),
};

static bool xvme240_readable_reg(struct device *dev, unsigned int reg)
{
	/* The ID PROM is in the odd bytes only. */
	if (reg < XVME240_IIR && !(reg & 1))
		return false;
	return regmap_reg_in_ranges(reg, xvme240_readable,
				    ARRAY_SIZE(xvme240_readable));
}

static const struct regmap_access_table xvme240_wr_table = {
	.yes_ranges = xvme240_writeable,
	.n_yes_ranges = ARRAY_SIZE(xvme240_writeable),
};

static const struct regmap_access_table xvme240_volatile_table = {
	.yes_ranges = xvme240_volatile,
	.n_yes_ranges = ARRAY_SIZE(xvme240_volatile),
};

static const struct regmap_config xvme240_regmap8 = {
	.max_register = XVME240_PORT(XVME240_PORTS - 1),
	.readable_reg = xvme240_readable_reg,
	.wr_table = &xvme240_wr_table,
	.volatile_table = &xvme240_volatile_table,
};

static bool xvme240_is_port_line(unsigned int offset)
{
	return offset < XVME240_IRQ_FIRST;
}

static bool xvme240_is_irq_line(unsigned int offset)
{
	return offset >= XVME240_IRQ_FIRST && offset < XVME240_FLAG_FIRST;
}

/* ------------------------------------------------------------ LEDs */

static int xvme240_set_led(struct xvme_card *card, enum xvme_led led)
{
	unsigned int bits = XVME240_CSR_RED_OFF;

	if (led == XVME_LED_GREEN)
		bits |= XVME240_CSR_GRN_ON;
	else if (led == XVME_LED_RED)
		bits = 0;
	return regmap_update_bits(card->regmap8, XVME240_CSR,
				  XVME240_CSR_RED_OFF | XVME240_CSR_GRN_ON,
				  bits);
}

static int xvme240_get_led(struct xvme_card *card, enum xvme_led *led)
{
	unsigned int csr;
	int ret;

	ret = regmap_read(card->regmap8, XVME240_CSR, &csr);
	if (ret)
		return ret;
	if (!(csr & XVME240_CSR_RED_OFF))
		*led = XVME_LED_RED;
	else if (csr & XVME240_CSR_GRN_ON)
		*led = XVME_LED_GREEN;
	else
		*led = XVME_LED_OFF;
	return 0;
}

/* ------------------------------------------------------------ lines */

static int xvme240_line_request(struct xvme_gpio *xg, unsigned int offset)
{
	struct xvme240 *ttl = to_xvme240(xg);

	if (xvme240_is_port_line(offset))
		ttl->in_use[offset / 8] |= BIT(offset % 8);
	return 0;
}

static void xvme240_line_free(struct xvme_gpio *xg, unsigned int offset)
{
	struct xvme240 *ttl = to_xvme240(xg);

	if (xvme240_is_port_line(offset))
		ttl->in_use[offset / 8] &= ~BIT(offset % 8);
}

static int xvme240_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gc_to_xvme240(gc);
	bool out;

	if (xvme240_is_irq_line(offset))
		return GPIO_LINE_DIRECTION_IN;
	if (!xvme240_is_port_line(offset))
		return GPIO_LINE_DIRECTION_OUT;

	xvme_gpio_lock(&ttl->chip);
	out = ttl->pdr & BIT(offset / 8);
	xvme_gpio_unlock(&ttl->chip);
	return out ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

/*
 * Give the port of @offset the direction @output unless another line of
 * that port is in use the other way. Called with the chip's lock held and
 * the card present.
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
		dev_info_ratelimited(&ttl->chip.card->dev,
				     "port%u.%u cannot be an %s: port%u is an %s for lines in use (mask 0x%02x); direction is per port\n",
				     port, offset % 8, output ? "output" : "input",
				     port, is_output ? "output" : "input", others);
		return -EBUSY;
	}

	if (output) {
		/* Latch the port's outputs before the drivers turn on. */
		ret = regmap_write(ttl->regmap, XVME240_PORT(port),
				   ttl->out[port]);
		if (ret)
			return ret;
	}
	pdr = output ? ttl->pdr | BIT(port) : ttl->pdr & ~BIT(port);
	ret = regmap_write(ttl->regmap, XVME240_PDR, pdr);
	if (ret)
		return ret;
	ttl->pdr = pdr;
	return 0;
}

static int xvme240_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gc_to_xvme240(gc);
	int ret;

	if (xvme240_is_irq_line(offset))
		return 0;
	if (!xvme240_is_port_line(offset))
		return -EINVAL;		/* flags are outputs only */

	if (!xvme_gpio_lock(&ttl->chip))
		ret = -ENODEV;
	else
		ret = xvme240_port_direction(ttl, offset, false);
	xvme_gpio_unlock(&ttl->chip);
	return ret;
}

static int xvme240_get(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gc_to_xvme240(gc);
	unsigned int reg, val;
	int ret;

	if (xvme240_is_port_line(offset))
		reg = XVME240_PORT(offset / 8);
	else if (xvme240_is_irq_line(offset))
		reg = XVME240_IIR;
	else
		reg = XVME240_FLAGS;

	if (!xvme_gpio_lock(&ttl->chip))
		ret = -ENODEV;
	else
		ret = regmap_read(ttl->regmap, reg, &val);
	xvme_gpio_unlock(&ttl->chip);
	if (ret)
		return ret;
	return !!(val & BIT(offset % 8));
}

/*
 * Set the output lines in @mask to @bits: one D8 write per byte touched.
 * Called with the chip's lock held and the card present.
 */
static int xvme240_write_outputs_locked(struct xvme240 *ttl,
					const unsigned long *mask,
					const unsigned long *bits)
{
	struct regmap *map = ttl->regmap;
	unsigned long m, v;
	unsigned int byte;
	int ret = 0, err;

	if (ttl->chip.shut_down)
		return -EIO;
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
			dev_err_ratelimited(&ttl->chip.card->dev,
					    "output write (byte %u) failed: %d\n",
					    byte, err);
			if (!ret)
				ret = err;
		}
	}
	return ret;
}

static void xvme240_write_outputs(struct xvme240 *ttl, const unsigned long *mask,
				  const unsigned long *bits)
{
	if (xvme_gpio_lock(&ttl->chip))
		xvme240_write_outputs_locked(ttl, mask, bits);
	xvme_gpio_unlock(&ttl->chip);
}

static void xvme240_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	DECLARE_BITMAP(mask, XVME240_LINES) = { };
	DECLARE_BITMAP(bits, XVME240_LINES) = { };

	__set_bit(offset, mask);
	__assign_bit(offset, bits, value);
	xvme240_write_outputs(gc_to_xvme240(gc), mask, bits);
}

static void xvme240_set_multiple(struct gpio_chip *gc, unsigned long *mask,
				 unsigned long *bits)
{
	xvme240_write_outputs(gc_to_xvme240(gc), mask, bits);
}

/*
 * The port turns output with this line already at @value. All under the
 * chip's lock, the latch saved for undoing a refused change included: a
 * set of another line of the port meanwhile must not be undone with it.
 */
static int xvme240_direction_output(struct gpio_chip *gc, unsigned int offset,
				    int value)
{
	struct xvme240 *ttl = gc_to_xvme240(gc);
	DECLARE_BITMAP(mask, XVME240_LINES) = { };
	DECLARE_BITMAP(bits, XVME240_LINES) = { };
	int ret;

	if (xvme240_is_irq_line(offset))
		return -EINVAL;		/* interrupt inputs are inputs only */

	if (!xvme_gpio_lock(&ttl->chip)) {
		ret = -ENODEV;
		goto out;
	}
	if (ttl->chip.shut_down) {
		ret = -EIO;
		goto out;
	}
	if (xvme240_is_port_line(offset)) {
		unsigned int port = offset / 8;
		u8 latch = ttl->out[port];

		if (value)
			ttl->out[port] |= BIT(offset % 8);
		else
			ttl->out[port] &= ~BIT(offset % 8);
		ret = xvme240_port_direction(ttl, offset, true);
		if (ret) {
			ttl->out[port] = latch;
			goto out;
		}
	}
	__set_bit(offset, mask);
	__assign_bit(offset, bits, value);
	ret = xvme240_write_outputs_locked(ttl, mask, bits);
out:
	xvme_gpio_unlock(&ttl->chip);
	return ret;
}

/* ------------------------------------------ child interrupts: irq0..irq7 */

static void xvme240_irq_mask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gc_to_xvme240(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);

	ttl->imr &= ~BIT(hwirq - XVME240_IRQ_FIRST);
	gpiochip_disable_irq(gc, hwirq);
}

static void xvme240_irq_unmask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gc_to_xvme240(gc);
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

/* The irq core's bus lock is the chip's lock: the card's one lock. */
static void xvme240_irq_bus_lock(struct irq_data *d)
{
	struct xvme240 *ttl = gc_to_xvme240(irq_data_get_irq_chip_data(d));

	xvme_gpio_lock(&ttl->chip);
}

static void xvme240_domain_teardown_locked(struct xvme240 *ttl);

/*
 * Registers can only be reached where sleeping is allowed: here, and only
 * while the card is there and not shut down. The references of released
 * interrupts go after the unlock: the last one frees the lock's memory.
 */
static void xvme240_irq_bus_sync_unlock(struct irq_data *d)
{
	struct xvme240 *ttl = gc_to_xvme240(irq_data_get_irq_chip_data(d));
	u8 enabled = ttl->imr & ~ttl->imr_hw;
	struct regmap *map = ttl->regmap;
	unsigned int puts;
	int ret = 0;

	if (ttl->chip.card && !ttl->chip.shut_down && ttl->imr != ttl->imr_hw) {
		/* An edge latched before enabling is not news: drop it. */
		if (enabled)
			ret = regmap_write(map, XVME240_ICR, enabled);
		if (!ret)
			ret = regmap_write(map, XVME240_IMR, ttl->imr);
		if (ret)
			dev_err_ratelimited(&ttl->chip.card->dev,
					    "cannot write interrupt mask: %d\n", ret);
		else
			ttl->imr_hw = ttl->imr;
	}
	if (!ttl->chip.card)
		xvme240_domain_teardown_locked(ttl);
	puts = ttl->irq_puts;
	ttl->irq_puts = 0;
	xvme_gpio_unlock(&ttl->chip);
	while (puts--)
		xvme_gpio_put(&ttl->chip);
}

/* Under the bus lock: a child interrupt holds the chip's state. */
static int xvme240_irq_request_resources(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gc_to_xvme240(gc);
	int ret;

	if (!ttl->chip.card)
		return -ENODEV;
	ret = gpiochip_reqres_irq(gc, irqd_to_hwirq(d));
	if (!ret) {
		ttl->irqs_requested++;
		xvme_gpio_get(&ttl->chip);
	}
	return ret;
}

static void xvme240_irq_release_resources(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct xvme240 *ttl = gc_to_xvme240(gc);

	gpiochip_relres_irq(gc, irqd_to_hwirq(d));
	ttl->irqs_requested--;
	ttl->irq_puts++;
}

static const struct irq_chip xvme240_irq_chip = {
	.name = "xvme240",
	.irq_mask = xvme240_irq_mask,
	.irq_unmask = xvme240_irq_unmask,
	.irq_set_type = xvme240_irq_set_type,
	.irq_bus_lock = xvme240_irq_bus_lock,
	.irq_bus_sync_unlock = xvme240_irq_bus_sync_unlock,
	.irq_request_resources = xvme240_irq_request_resources,
	.irq_release_resources = xvme240_irq_release_resources,
	.flags = IRQCHIP_IMMUTABLE | IRQCHIP_SKIP_SET_WAKE,
};

static int xvme240_irq_map(struct irq_domain *domain, unsigned int virq,
			   irq_hw_number_t hwirq)
{
	struct xvme240 *ttl = domain->host_data;

	irq_set_lockdep_class(virq, &xvme240_irq_lock_class,
			      &xvme240_irq_request_class);
	irq_set_chip_data(virq, &ttl->chip.gc);
	irq_set_chip_and_handler(virq, &xvme240_irq_chip, handle_simple_irq);
	irq_set_nested_thread(virq, true);
	irq_set_noprobe(virq);
	return 0;
}

static void xvme240_irq_unmap(struct irq_domain *domain, unsigned int virq)
{
	irq_set_nested_thread(virq, false);
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

static const struct irq_domain_ops xvme240_irq_domain_ops = {
	.map = xvme240_irq_map,
	.unmap = xvme240_irq_unmap,
};

/*
 * gc->to_irq: a child interrupt for irq0..irq7, while the card is there.
 * The mapping is made without the chip's lock (the irq core takes it as
 * the bus lock while it sets the new interrupt up); counting it as a
 * request meanwhile keeps the domain from being torn down under it.
 */
static int xvme240_to_irq(struct gpio_chip *gc, unsigned int offset)
{
	struct xvme240 *ttl = gc_to_xvme240(gc);
	unsigned int virq = 0;
	bool mapping;

	if (!xvme240_is_irq_line(offset))
		return -ENXIO;
	mapping = xvme_gpio_lock(&ttl->chip) && ttl->domain;
	if (mapping)
		ttl->irqs_requested++;
	xvme_gpio_unlock(&ttl->chip);
	if (!mapping)
		return -ENXIO;

	virq = irq_create_mapping(ttl->domain, offset);

	xvme_gpio_lock(&ttl->chip);
	ttl->irqs_requested--;
	if (!ttl->chip.card)
		xvme240_domain_teardown_locked(ttl);
	xvme_gpio_unlock(&ttl->chip);
	return virq ? virq : -ENXIO;
}

/*
 * The card's interrupt: asserted while an enabled input has latched an
 * edge. Clear what we saw first, so an edge arriving during dispatch
 * latches anew; dispatch without the lock (a child handler may use the
 * chip).
 */
static irqreturn_t xvme240_irq_thread(int irq, void *data)
{
	struct xvme240 *ttl = data;
	struct xvme_card *card;
	unsigned int ipr = 0, n;
	unsigned long pending;
	int ret = -ENODEV;

	card = xvme_gpio_lock(&ttl->chip);
	if (card) {
		ret = regmap_read(ttl->regmap, XVME240_IPR, &ipr);
		if (ret)
			dev_err_ratelimited(&card->dev,
					    "cannot read interrupt latch: %d\n", ret);
		else if (ipr & 0xff && regmap_write(ttl->regmap, XVME240_ICR, ipr))
			dev_err_ratelimited(&card->dev,
					    "cannot clear interrupt latch\n");
	}
	xvme_gpio_unlock(&ttl->chip);
	pending = ipr & 0xff;
	if (ret || !pending)
		return IRQ_NONE;

	for_each_set_bit(n, &pending, 8) {
		unsigned int virq = irq_find_mapping(ttl->domain,
						     XVME240_IRQ_FIRST + n);

		if (virq)
			handle_nested_irq(virq);
	}
	return IRQ_HANDLED;
}

/*
 * Registered after the card interrupt is requested, so devres runs it
 * first: the card stops asserting its level before its handler goes.
 */
static void xvme240_irq_disable_action(void *data)
{
	struct xvme240 *ttl = data;

	if (xvme_gpio_lock(&ttl->chip))
		regmap_update_bits(ttl->regmap, XVME240_CSR,
				   XVME240_CSR_IRQ_ENABLE, 0);
	xvme_gpio_unlock(&ttl->chip);
}

/* ------------------------------------------------------------ lifetime */

/* Interrupt sources off, latches clear: the card left as found. */
static void xvme240_quiesce(struct xvme240 *ttl)
{
	regmap_update_bits(ttl->regmap, XVME240_CSR, XVME240_CSR_IRQ_ENABLE, 0);
	regmap_write(ttl->regmap, XVME240_IMR, 0);
	regmap_write(ttl->regmap, XVME240_ICR, 0xff);
	ttl->imr_hw = 0;
}

/*
 * The child interrupts' mappings go once nobody can use them: the card is
 * gone (no new mapping) and no child interrupt is requested (the last
 * holder freed its own, gpiolib-cdev included, so no number goes stale).
 * Possibly inside free_irq() of a child (bus_sync_unlock): deferred.
 */
static void xvme240_domain_work(struct work_struct *work)
{
	struct xvme240 *ttl = container_of(work, struct xvme240, domain_work);
	struct irq_domain *domain = ttl->domain;
	struct fwnode_handle *fwnode = domain->fwnode;
	unsigned int offset;

	for (offset = XVME240_IRQ_FIRST; offset < XVME240_FLAG_FIRST; offset++)
		irq_dispose_mapping(irq_find_mapping(domain, offset));
	irq_domain_remove(domain);
	irq_domain_free_fwnode(fwnode);
	xvme_gpio_lock(&ttl->chip);
	ttl->domain = NULL;
	xvme_gpio_unlock(&ttl->chip);
	xvme_gpio_put(&ttl->chip);	/* the teardown's reference */
}

static void xvme240_domain_teardown_locked(struct xvme240 *ttl)
{
	lockdep_assert_held(&ttl->chip.lock);
	if (!ttl->domain || ttl->domain_going || ttl->irqs_requested)
		return;
	ttl->domain_going = true;
	xvme_gpio_get(&ttl->chip);
	INIT_WORK(&ttl->domain_work, xvme240_domain_work);
	queue_work(xvme240_wq, &ttl->domain_work);
}

static void xvme240_gone(struct xvme_gpio *xg)
{
	struct xvme240 *ttl = to_xvme240(xg);

	xvme240_quiesce(ttl);
	xvme240_domain_teardown_locked(ttl);
}

static void xvme240_release(struct xvme_gpio *xg)
{
	kfree(to_xvme240(xg));
}

static const struct xvme_gpio_ops xvme240_gpio_ops = {
	.request = xvme240_line_request,
	.free = xvme240_line_free,
	.gone = xvme240_gone,
	.release = xvme240_release,
};

/*
 * The system goes down with the crate powered (reboot, kexec): no more
 * interrupts, every output at the card's reset level (flags off, ports
 * inputs), and so it stays whatever the holders of lines still ask.
 */
static void xvme240_shutdown(struct xvme_card *card)
{
	struct xvme240 *ttl = to_xvme240(xvme_gpio_of_card(card));
	unsigned int port;
	int ret;

	if (!xvme_gpio_lock(&ttl->chip))
		goto out;
	ttl->chip.shut_down = true;
	xvme240_quiesce(ttl);
	ret = regmap_write(ttl->regmap, XVME240_FLAGS, 0);
	for (port = 0; port < XVME240_PORTS; port++) {
		ttl->out[port] = 0;
		ret = regmap_write(ttl->regmap, XVME240_PORT(port), 0) ?: ret;
	}
	ttl->pdr = 0;
	ret = regmap_write(ttl->regmap, XVME240_PDR, 0) ?: ret;
	if (ret)
		dev_err(&card->dev, "outputs not all safe at shutdown: %d\n", ret);
out:
	xvme_gpio_unlock(&ttl->chip);
}

/* Start from what the card holds: binding must not flip outputs. */
static int xvme240_read_state(struct xvme240 *ttl)
{
	struct regmap *map = ttl->regmap;
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

/*
 * The child interrupts' domain, owned by the state (not devres), and the
 * card's VME interrupt: the vector the core gave the card goes into IVR
 * before the card may interrupt, so its IACK cycle names it.
 */
static int xvme240_irq_init(struct xvme240 *ttl)
{
	struct xvme_card *card = ttl->chip.card;
	struct device *dev = &card->dev;
	struct fwnode_handle *fwnode;
	unsigned int level;
	u8 vector;
	int ret;

	ret = xvme_card_irq_vector(card, &level, &vector);
	if (ret || card->irq <= 0) {
		dev_info(dev, "no card interrupt: irq0..irq7 without edge events\n");
		return 0;
	}

	fwnode = irq_domain_alloc_named_fwnode(dev_name(dev));
	if (!fwnode)
		return -ENOMEM;
	ttl->domain = irq_domain_create_linear(fwnode, XVME240_LINES,
					       &xvme240_irq_domain_ops, ttl);
	if (!ttl->domain) {
		irq_domain_free_fwnode(fwnode);
		return -ENOMEM;
	}
	ttl->chip.gc.to_irq = xvme240_to_irq;

	ret = regmap_write(ttl->regmap, XVME240_IVR, vector);
	if (ret)
		return dev_err_probe(dev, ret, "cannot program the vector\n");
	dev_dbg(dev, "VME interrupt level %u, vector 0x%02x\n", level, vector);
	return 0;
}

static int xvme240_probe(struct xvme_card *card)
{
	struct device *dev = &card->dev;
	struct xvme240 *ttl;
	struct gpio_chip *gc;
	int ret;

	ttl = kzalloc(sizeof(*ttl), GFP_KERNEL);
	if (!ttl)
		return -ENOMEM;
	ttl->regmap = card->regmap8;
	ret = devm_xvme_gpio_init(card, &ttl->chip, &xvme240_gpio_ops);
	if (ret)
		return ret;

	ret = xvme240_read_state(ttl);
	if (ret)
		return dev_err_probe(dev, ret, "cannot read card state\n");
	ret = xvme240_irq_init(ttl);
	if (ret)
		return ret;

	gc = &ttl->chip.gc;
	gc->ngpio = XVME240_LINES;
	gc->get_direction = xvme240_get_direction;
	gc->direction_input = xvme240_direction_input;
	gc->direction_output = xvme240_direction_output;
	gc->get = xvme240_get;
	gc->set = xvme240_set;
	gc->set_multiple = xvme240_set_multiple;
	ret = devm_xvme_gpiochip_add(&ttl->chip, xvme240_names);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add gpiochip\n");

	if (!ttl->domain)
		return 0;
	ret = devm_request_threaded_irq(dev, card->irq, NULL, xvme240_irq_thread,
					IRQF_ONESHOT, dev_name(dev), ttl);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request irq %d\n", card->irq);
	ret = devm_add_action_or_reset(dev, xvme240_irq_disable_action, ttl);
	if (ret)
		return ret;
	ret = regmap_update_bits(ttl->regmap, XVME240_CSR, XVME240_CSR_IRQ_ENABLE,
				 XVME240_CSR_IRQ_ENABLE);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable card interrupt\n");
	return 0;
}

static struct xvme_driver xvme240_driver = {
	.driver = {
		.name = "xvme240",
	},
	.model = XVME_MODEL_240,
	.regmap8 = &xvme240_regmap8,
	.set_led = xvme240_set_led,
	.get_led = xvme240_get_led,
	.busy = xvme_gpio_busy,
	.probe = xvme240_probe,
	.shutdown = xvme240_shutdown,
};

static int __init xvme240_init(void)
{
	int ret;

	xvme240_wq = alloc_workqueue("xvme240", 0, 0);
	if (!xvme240_wq)
		return -ENOMEM;
	ret = xvme_driver_register(&xvme240_driver);
	if (ret)
		destroy_workqueue(xvme240_wq);
	return ret;
}

/* Every card unbound; their domains' teardowns finish before the code goes. */
static void __exit xvme240_exit(void)
{
	xvme_driver_unregister(&xvme240_driver);
	destroy_workqueue(xvme240_wq);
}

module_init(xvme240_init);
module_exit(xvme240_exit);

MODULE_DESCRIPTION("Xycom XVME-240 TTL I/O card");
MODULE_LICENSE("GPL");
/* The card's uevent MODALIAS, so udev loads this driver for it. */
MODULE_ALIAS("xvme:m240");
