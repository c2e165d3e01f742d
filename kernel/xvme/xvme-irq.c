// SPDX-License-Identifier: GPL-2.0
/*
 * VME interrupts of an xvme crate.
 *
 * A VME card interrupts on one of seven levels (IRQ1* .. IRQ7*, set by a
 * jumper on the card) and answers the bridge's interrupt acknowledge
 * (IACK) cycle for that level with an 8-bit vector that its driver
 * programmed. Several cards may share a level; the vector says which one
 * asked. The core gives every card that can interrupt a vector unique in
 * its crate, 0x40 + slot (the low vectors are the CPU's own exception
 * vectors on the 68k boards these cards were made for), and a Linux
 * interrupt: hwirq = vector in an irq domain of the crate. The backend,
 * told of a level by its bridge, runs the IACK cycle and calls
 * xvme_crate_handle_irq() with the level and the vector it read.
 *
 * A bridge masks levels, not vectors. A card's request is level-like (it
 * stays asserted until the card is serviced), so a level is enabled at the
 * bridge only while some card on it has a handler and none of those is
 * masked (in service by a threaded handler, or disabled): otherwise a card
 * whose handler cannot run now would interrupt without end. This is how a
 * shared level-triggered line behaves, and the backend ops
 * irq_level_enable/irq_level_disable are the bridge's level mask.
 */
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/irqdomain.h>
#include <linux/module.h>

#include "xvme.h"
#include "xvme-internal.h"

#define XVME_IRQ_VECTORS	256
#define XVME_IRQ_VECTOR_BASE	0x40

/*
 * User-mode Linux hands interrupt numbers 1..63 to its host-signal
 * drivers without reserving them in the generic allocator, and takes
 * dynamic ones from the bottom up; start high there so KUnit's crates do
 * not collide with the console's.
 */
#ifdef CONFIG_UML
#define XVME_IRQ_FROM		(NR_IRQS / 2)
#else
#define XVME_IRQ_FROM		1
#endif

/* With crate->irq_lock held: tell the bridge what the level may do now. */
static void xvme_irq_level_update(struct xvme_crate *crate, unsigned int level)
{
	bool enable = crate->level_started[level] &&
		      !crate->level_masked[level];

	lockdep_assert_held(&crate->irq_lock);
	if (enable == crate->level_enabled[level])
		return;
	crate->level_enabled[level] = enable;
	if (enable)
		crate->ops->irq_level_enable(crate, level);
	else
		crate->ops->irq_level_disable(crate, level);
}

/*
 * The four callbacks keep, per vector, whether it has a handler (started)
 * and whether it is masked, and per level how many vectors are each.
 */
static unsigned int xvme_irq_startup(struct irq_data *d)
{
	struct xvme_crate *crate = irq_data_get_irq_chip_data(d);
	irq_hw_number_t vector = irqd_to_hwirq(d);
	unsigned int level = crate->vector_level[vector];
	unsigned long flags;

	raw_spin_lock_irqsave(&crate->irq_lock, flags);
	if (!__test_and_set_bit(vector, crate->vector_started)) {
		crate->level_started[level]++;
		if (__test_and_clear_bit(vector, crate->vector_masked))
			crate->level_masked[level]--;
		xvme_irq_level_update(crate, level);
	}
	raw_spin_unlock_irqrestore(&crate->irq_lock, flags);
	return 0;
}

static void xvme_irq_shutdown(struct irq_data *d)
{
	struct xvme_crate *crate = irq_data_get_irq_chip_data(d);
	irq_hw_number_t vector = irqd_to_hwirq(d);
	unsigned int level = crate->vector_level[vector];
	unsigned long flags;

	raw_spin_lock_irqsave(&crate->irq_lock, flags);
	if (__test_and_clear_bit(vector, crate->vector_started)) {
		crate->level_started[level]--;
		if (__test_and_clear_bit(vector, crate->vector_masked))
			crate->level_masked[level]--;
		xvme_irq_level_update(crate, level);
	}
	raw_spin_unlock_irqrestore(&crate->irq_lock, flags);
}

static void xvme_irq_mask(struct irq_data *d)
{
	struct xvme_crate *crate = irq_data_get_irq_chip_data(d);
	irq_hw_number_t vector = irqd_to_hwirq(d);
	unsigned int level = crate->vector_level[vector];
	unsigned long flags;

	raw_spin_lock_irqsave(&crate->irq_lock, flags);
	if (test_bit(vector, crate->vector_started) &&
	    !__test_and_set_bit(vector, crate->vector_masked)) {
		crate->level_masked[level]++;
		xvme_irq_level_update(crate, level);
	}
	raw_spin_unlock_irqrestore(&crate->irq_lock, flags);
}

static void xvme_irq_unmask(struct irq_data *d)
{
	struct xvme_crate *crate = irq_data_get_irq_chip_data(d);
	irq_hw_number_t vector = irqd_to_hwirq(d);
	unsigned int level = crate->vector_level[vector];
	unsigned long flags;

	raw_spin_lock_irqsave(&crate->irq_lock, flags);
	if (test_bit(vector, crate->vector_started) &&
	    __test_and_clear_bit(vector, crate->vector_masked)) {
		crate->level_masked[level]--;
		xvme_irq_level_update(crate, level);
	}
	raw_spin_unlock_irqrestore(&crate->irq_lock, flags);
}

static struct irq_chip xvme_irq_chip = {
	.name = "xvme",
	.irq_startup = xvme_irq_startup,
	.irq_shutdown = xvme_irq_shutdown,
	.irq_mask = xvme_irq_mask,
	.irq_unmask = xvme_irq_unmask,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

static int xvme_irq_map(struct irq_domain *domain, unsigned int virq,
			irq_hw_number_t vector)
{
	irq_set_chip_data(virq, domain->host_data);
	irq_set_chip_and_handler(virq, &xvme_irq_chip, handle_level_irq);
	irq_set_status_flags(virq, IRQ_LEVEL);
	irq_set_noprobe(virq);
	return 0;
}

static void xvme_irq_unmap(struct irq_domain *domain, unsigned int virq)
{
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

static const struct irq_domain_ops xvme_irq_domain_ops = {
	.map = xvme_irq_map,
	.unmap = xvme_irq_unmap,
};

/* A vector domain for a crate whose backend has interrupts. */
int xvme_crate_irq_init(struct xvme_crate *crate)
{
	raw_spin_lock_init(&crate->irq_lock);
	if (!crate->ops->card_irq_level)
		return 0;

	crate->irq_fwnode = irq_domain_alloc_named_fwnode(dev_name(&crate->dev));
	if (!crate->irq_fwnode)
		return -ENOMEM;
	crate->irq_domain = irq_domain_create_linear(crate->irq_fwnode,
						     XVME_IRQ_VECTORS,
						     &xvme_irq_domain_ops, crate);
	if (!crate->irq_domain) {
		irq_domain_free_fwnode(crate->irq_fwnode);
		crate->irq_fwnode = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* After every card's interrupt went (xvme_card_irq_exit()). */
void xvme_crate_irq_exit(struct xvme_crate *crate)
{
	if (crate->irq_domain)
		irq_domain_remove(crate->irq_domain);
	if (crate->irq_fwnode)
		irq_domain_free_fwnode(crate->irq_fwnode);
	crate->irq_domain = NULL;
	crate->irq_fwnode = NULL;
}

/*
 * Give a card being added its vector and interrupt, if the backend says
 * it can interrupt. Without, card->irq is a negative errno: the card
 * works without edge events.
 */
void xvme_card_irq_init(struct xvme_card *card)
{
	struct xvme_crate *crate = card->crate;
	u8 vector = XVME_IRQ_VECTOR_BASE + card->base / XVME_SLOT_SIZE;
	unsigned long flags;
	int level, virq, err;

	card->irq = -ENXIO;
	if (!crate->irq_domain)
		return;
	level = crate->ops->card_irq_level(crate, card->base);
	if (level < 0)
		return;
	if (level < 1 || level > XVME_IRQ_LEVELS) {
		dev_warn(&crate->dev, "card at 0x%04x: no VME interrupt level %d\n",
			 card->base, level);
		return;
	}

	virq = irq_alloc_desc_from(XVME_IRQ_FROM, NUMA_NO_NODE);
	if (virq < 0) {
		card->irq = virq;
		return;
	}
	raw_spin_lock_irqsave(&crate->irq_lock, flags);
	crate->vector_level[vector] = level;
	raw_spin_unlock_irqrestore(&crate->irq_lock, flags);
	err = irq_domain_associate(crate->irq_domain, virq, vector);
	if (err) {
		irq_free_desc(virq);
		raw_spin_lock_irqsave(&crate->irq_lock, flags);
		crate->vector_level[vector] = 0;
		raw_spin_unlock_irqrestore(&crate->irq_lock, flags);
		card->irq = err;
		return;
	}
	card->irq = virq;
	card->irq_level = level;
	card->irq_vector = vector;
}

/* The card leaves its crate: its driver (which freed the interrupt) went. */
void xvme_card_irq_exit(struct xvme_card *card)
{
	struct xvme_crate *crate = card->crate;
	unsigned long flags;

	if (card->irq <= 0)
		return;
	irq_dispose_mapping(card->irq);	/* frees the descriptor */
	raw_spin_lock_irqsave(&crate->irq_lock, flags);
	crate->vector_level[card->irq_vector] = 0;
	raw_spin_unlock_irqrestore(&crate->irq_lock, flags);
	card->irq = -ENXIO;
	card->irq_level = 0;
}

/**
 * xvme_card_irq_vector - a card's VME interrupt
 * @card: the card
 * @level: out: the interrupter level it is set to, 1..7
 * @vector: out: the vector its IACK cycle must return; the driver
 *	programs it into the card before enabling the card's interrupt
 *
 * card->irq is the Linux interrupt of that vector.
 * Return: 0, or -ENXIO when the card cannot interrupt in this crate.
 */
int xvme_card_irq_vector(struct xvme_card *card, unsigned int *level,
			 u8 *vector)
{
	if (!card->irq_level)
		return -ENXIO;
	*level = card->irq_level;
	*vector = card->irq_vector;
	return 0;
}
EXPORT_SYMBOL_GPL(xvme_card_irq_vector);

/**
 * xvme_crate_handle_irq - an interrupt from the crate's bridge
 * @crate: the crate
 * @level: the level that interrupted
 * @vector: what the IACK cycle for that level returned
 *
 * Runs the interrupt of the card that has @vector on @level. Any context.
 * Return: 0, or -ENOENT when no card of the crate has that vector on that
 * level (a card programmed with a wrong vector, or none): nothing will
 * service the request, so the backend should keep the level masked.
 */
int xvme_crate_handle_irq(struct xvme_crate *crate, unsigned int level,
			  u8 vector)
{
	if (!crate->irq_domain || level < 1 || level > XVME_IRQ_LEVELS ||
	    READ_ONCE(crate->vector_level[vector]) != level) {
		dev_warn_ratelimited(&crate->dev,
				     "level %u: IACK vector 0x%02x is no card's on that level\n",
				     level, vector);
		return -ENOENT;
	}
	return generic_handle_domain_irq_safe(crate->irq_domain, vector) ?
	       -ENOENT : 0;
}
EXPORT_SYMBOL_GPL(xvme_crate_handle_irq);
