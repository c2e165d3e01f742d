// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated XVME crate: a backend for the xvme bus whose cards are
 * register models in memory (xvme-sim-regs.c) wired to a plant that
 * simulators drive through debugfs (xvme-sim-plant.c).
 *
 *   modprobe xvme-sim cards=240@0x0400,260@0x0800,560@0x0c00:unipolar
 *   modprobe xvme-sim cards=<crate xvme0> cards1=<crate xvme1>
 *
 * cards= describes crate xvme0; cards1= .. cards3= add crates xvme1 ..
 * xvme3 (a big station: 64 slots per crate), created in that order, with
 * an empty crate for a list left out before the last one given.
 *
 * Every slot without a card answers with a bus error; so does a card
 * pulled out of its slot at run time (xvme_sim_set_present(), the plant's
 * "present" file), whose device then leaves the bus until it is put
 * back. Each card has a
 * real Linux interrupt from a small irq domain: level-like, asserted
 * while the card requests service. Card drivers request it threaded and
 * oneshot (their registers are behind a sleeping regmap); the sim
 * raises it from process context, when it becomes asserted and again on
 * unmask while it stays asserted.
 */
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/irqdomain.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "xvme.h"
#include "xvme-sim.h"
#include "xvme-sim-internal.h"

#define XVME_SIM_CARDS_MAX	XVME_SLOTS
#define XVME_SIM_PARAM_CRATES	4

static char *cards = "";
module_param(cards, charp, 0444);
MODULE_PARM_DESC(cards,
		 "cards of crate xvme0: <model>@<address>[:unipolar][:<fault>],... e.g. 240@0x0400,560@0x0c00:unipolar");
static char *cards1 = "";
module_param(cards1, charp, 0444);
MODULE_PARM_DESC(cards1, "cards of crate xvme1, as cards=");
static char *cards2 = "";
module_param(cards2, charp, 0444);
MODULE_PARM_DESC(cards2, "cards of crate xvme2, as cards=");
static char *cards3 = "";
module_param(cards3, charp, 0444);
MODULE_PARM_DESC(cards3, "cards of crate xvme3, as cards=");

static bool slot0;
module_param(slot0, bool, 0444);
MODULE_PARM_DESC(slot0, "slot 0x0000 is usable in every crate (default: no, GCSR collision)");

static struct xvme_sim *xvme_sim_param_crates[XVME_SIM_PARAM_CRATES];

/* ------------------------------------------------------------- backend */

static struct xvme_sim_card *xvme_sim_slot(struct xvme_crate *crate, u16 addr)
{
	struct xvme_sim *sim = crate->backend_data;

	return sim->slot[addr / XVME_SLOT_SIZE];
}

/*
 * One access under the crate lock; the interrupt is re-evaluated after
 * it, since reads have side effects too (DATA clears DONE).
 */
#define XVME_SIM_ACCESS(crate, addr, call)				\
({									\
	struct xvme_sim_card *__sc = xvme_sim_slot(crate, addr);	\
	struct xvme_sim *__sim = (crate)->backend_data;			\
	unsigned long __flags;						\
	int __err = -EIO;						\
									\
	if (__sc) {							\
		raw_spin_lock_irqsave(&__sim->lock, __flags);		\
		if (__sc->present) {					\
			__err = call;					\
			xvme_sim_irq_update(__sc);			\
		}							\
		raw_spin_unlock_irqrestore(&__sim->lock, __flags);	\
	}								\
	__err;								\
})

static int xvme_sim_read8(struct xvme_crate *crate, u16 addr, u8 *val)
{
	return XVME_SIM_ACCESS(crate, addr,
			       xvme_sim_reg_read8(__sc, addr % XVME_SLOT_SIZE,
						  val));
}

static int xvme_sim_write8(struct xvme_crate *crate, u16 addr, u8 val)
{
	return XVME_SIM_ACCESS(crate, addr,
			       xvme_sim_reg_write8(__sc, addr % XVME_SLOT_SIZE,
						   val));
}

static int xvme_sim_read16(struct xvme_crate *crate, u16 addr, u16 *val)
{
	return XVME_SIM_ACCESS(crate, addr,
			       xvme_sim_reg_read16(__sc, addr % XVME_SLOT_SIZE,
						   val));
}

static int xvme_sim_write16(struct xvme_crate *crate, u16 addr, u16 val)
{
	return XVME_SIM_ACCESS(crate, addr,
			       xvme_sim_reg_write16(__sc,
						    addr % XVME_SLOT_SIZE,
						    val));
}

static int xvme_sim_card_irq(struct xvme_crate *crate, u16 base)
{
	struct xvme_sim_card *sc = xvme_sim_slot(crate, base);

	return sc && sc->virq > 0 ? sc->virq : -ENXIO;
}

static const struct xvme_backend_ops xvme_sim_ops = {
	.name = "sim",
	.read8 = xvme_sim_read8,
	.write8 = xvme_sim_write8,
	.read16 = xvme_sim_read16,
	.write16 = xvme_sim_write16,
	.card_irq = xvme_sim_card_irq,
};

/* ----------------------------------------------------------- interrupts */

/* With sim->lock held: deliver the level if it is up and not masked. */
void xvme_sim_irq_update(struct xvme_sim_card *sc)
{
	if (sc->virq > 0 && !sc->irq_masked && xvme_sim_irq_line(sc))
		schedule_work(&sc->raise_work);
}

static void xvme_sim_irq_raise(struct work_struct *work)
{
	struct xvme_sim_card *sc = container_of(work, struct xvme_sim_card,
						raise_work);
	struct xvme_sim *sim = sc->sim;
	unsigned long flags;
	bool due;

	raw_spin_lock_irqsave(&sim->lock, flags);
	due = !sc->irq_masked && xvme_sim_irq_line(sc);
	raw_spin_unlock_irqrestore(&sim->lock, flags);

	if (due)
		generic_handle_domain_irq_safe(sim->domain, sc->hwirq);
}

static void xvme_sim_irq_mask(struct irq_data *d)
{
	struct xvme_sim_card *sc = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&sc->sim->lock, flags);
	sc->irq_masked = true;
	raw_spin_unlock_irqrestore(&sc->sim->lock, flags);
}

static void xvme_sim_irq_unmask(struct irq_data *d)
{
	struct xvme_sim_card *sc = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&sc->sim->lock, flags);
	sc->irq_masked = false;
	xvme_sim_irq_update(sc);	/* still asserted: deliver again */
	raw_spin_unlock_irqrestore(&sc->sim->lock, flags);
}

static struct irq_chip xvme_sim_irq_chip = {
	.name = "xvme-sim",
	.irq_mask = xvme_sim_irq_mask,
	.irq_unmask = xvme_sim_irq_unmask,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

static int xvme_sim_irq_map(struct irq_domain *domain, unsigned int virq,
			    irq_hw_number_t hwirq)
{
	struct xvme_sim *sim = domain->host_data;

	irq_set_chip_data(virq, &sim->cards[hwirq]);
	irq_set_chip_and_handler(virq, &xvme_sim_irq_chip, handle_level_irq);
	irq_set_status_flags(virq, IRQ_LEVEL);
	irq_set_noprobe(virq);
	return 0;
}

static void xvme_sim_irq_unmap(struct irq_domain *domain, unsigned int virq)
{
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

static const struct irq_domain_ops xvme_sim_irq_domain_ops = {
	.map = xvme_sim_irq_map,
	.unmap = xvme_sim_irq_unmap,
};

/*
 * User-mode Linux hands interrupt numbers 1..63 to its host-signal
 * drivers without reserving them in the generic allocator, and takes
 * dynamic ones from the bottom up; start high there so KUnit's crates
 * do not collide with the console's.
 */
#ifdef CONFIG_UML
#define XVME_SIM_IRQ_FROM	(NR_IRQS / 2)
#else
#define XVME_SIM_IRQ_FROM	1
#endif

static void xvme_sim_irqs_remove(struct xvme_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->ncards; i++) {
		struct xvme_sim_card *sc = &sim->cards[i];

		cancel_work_sync(&sc->raise_work);
		if (sc->virq > 0)
			irq_dispose_mapping(sc->virq);	/* frees the desc */
		sc->virq = 0;
	}
	if (sim->domain)
		irq_domain_remove(sim->domain);
	if (sim->fwnode)
		irq_domain_free_fwnode(sim->fwnode);
	sim->domain = NULL;
	sim->fwnode = NULL;
}

static int xvme_sim_irqs_add(struct xvme_sim *sim)
{
	unsigned int i;
	int err;

	if (!sim->ncards)
		return 0;
	sim->fwnode = irq_domain_alloc_named_fwnode(dev_name(&sim->pdev->dev));
	if (!sim->fwnode)
		return -ENOMEM;
	sim->domain = irq_domain_create_linear(sim->fwnode, sim->ncards,
					       &xvme_sim_irq_domain_ops, sim);
	if (!sim->domain) {
		err = -ENOMEM;
		goto err;
	}

	for (i = 0; i < sim->ncards; i++) {
		struct xvme_sim_card *sc = &sim->cards[i];
		int virq = irq_alloc_desc_from(XVME_SIM_IRQ_FROM,
					       NUMA_NO_NODE);

		if (virq < 0) {
			err = virq;
			goto err;
		}
		err = irq_domain_associate(sim->domain, virq, sc->hwirq);
		if (err) {
			irq_free_desc(virq);
			goto err;
		}
		sc->virq = virq;
	}
	return 0;
err:
	xvme_sim_irqs_remove(sim);
	return err;
}

/* ---------------------------------------------------------- card list */

struct xvme_sim_card_spec {
	enum xvme_model model;
	u16 base;
	bool unipolar;
	enum xvme_sim_fault fault;
};

/* "560@0x0c00:unipolar:adc-stuck", modified in place. */
static int xvme_sim_parse_card(char *text, struct xvme_sim_card_spec *spec)
{
	char *model = strsep(&text, "@");
	char *address = strsep(&text, ":");
	char *option;
	int fault;

	if (!address || !*address) {
		pr_err("xvme-sim: card \"%s\": expected <model>@<address>\n",
		       model);
		return -EINVAL;
	}
	if (!strcmp(model, "240")) {
		spec->model = XVME_MODEL_240;
	} else if (!strcmp(model, "260")) {
		spec->model = XVME_MODEL_260;
	} else if (!strcmp(model, "560")) {
		spec->model = XVME_MODEL_560;
	} else {
		pr_err("xvme-sim: card \"%s@%s\": model must be 240, 260 or 560\n",
		       model, address);
		return -EINVAL;
	}
	if (kstrtou16(address, 0, &spec->base) ||
	    spec->base % XVME_SLOT_SIZE) {
		pr_err("xvme-sim: card \"%s@%s\": address must be a multiple of 0x%x in 0x0000..0x%04x\n",
		       model, address, XVME_SLOT_SIZE,
		       (XVME_SLOTS - 1) * XVME_SLOT_SIZE);
		return -EINVAL;
	}

	spec->unipolar = false;
	spec->fault = XVME_SIM_FAULT_NONE;
	while ((option = strsep(&text, ":"))) {
		if (!strcmp(option, "unipolar") &&
		    spec->model == XVME_MODEL_560) {
			spec->unipolar = true;
			continue;
		}
		fault = xvme_sim_fault_parse(option);
		if (fault < 0 || !xvme_sim_fault_fits(fault, spec->model)) {
			pr_err("xvme-sim: card \"%s@%s\": option \"%s\" is not unipolar (560) or a fault this model can have\n",
			       model, address, option);
			return -EINVAL;
		}
		spec->fault = fault;
	}
	return 0;
}

static int xvme_sim_parse_cards(const char *cards_text,
				struct xvme_sim_card_spec *specs,
				unsigned int *count)
{
	char *copy, *cursor, *text;
	unsigned long used[BITS_TO_LONGS(XVME_SLOTS)] = { 0 };
	unsigned int n = 0, slot;
	int err = 0;

	copy = kstrdup(cards_text, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cursor = strim(copy);
	if (!*cursor)
		cursor = NULL;		/* an empty crate */
	while ((text = strsep(&cursor, ","))) {
		if (!*text) {
			pr_err("xvme-sim: empty entry in card list \"%s\"\n",
			       cards_text);
			err = -EINVAL;
			break;
		}
		if (n == XVME_SIM_CARDS_MAX) {
			pr_err("xvme-sim: more than %d cards\n", XVME_SLOTS);
			err = -EINVAL;
			break;
		}
		err = xvme_sim_parse_card(text, &specs[n]);
		if (err)
			break;
		slot = specs[n].base / XVME_SLOT_SIZE;
		if (test_and_set_bit(slot, used)) {
			pr_err("xvme-sim: two cards at 0x%04x\n",
			       specs[n].base);
			err = -EINVAL;
			break;
		}
		n++;
	}
	kfree(copy);
	*count = n;
	return err;
}

/* -------------------------------------------------------------- crates */

static void xvme_sim_free(struct xvme_sim *sim)
{
	xvme_sim_irqs_remove(sim);
	if (sim->pdev)
		platform_device_unregister(sim->pdev);
	kfree(sim->cards);
	kfree(sim);
}

struct xvme_sim *xvme_sim_create(const char *cards_text, bool slot0_usable)
{
	struct xvme_sim_card_spec *specs;
	struct xvme_sim *sim;
	struct xvme_crate *crate;
	unsigned int i, n;
	char name[32];
	int err;

	specs = kcalloc(XVME_SIM_CARDS_MAX, sizeof(*specs), GFP_KERNEL);
	if (!specs)
		return ERR_PTR(-ENOMEM);
	err = xvme_sim_parse_cards(cards_text, specs, &n);
	if (err)
		goto err_specs;

	err = -ENOMEM;
	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		goto err_specs;
	raw_spin_lock_init(&sim->lock);
	mutex_init(&sim->hotplug_lock);
	sim->cards = kcalloc(max(n, 1U), sizeof(*sim->cards), GFP_KERNEL);
	if (!sim->cards)
		goto err_sim;
	sim->ncards = n;
	for (i = 0; i < n; i++) {
		struct xvme_sim_card *sc = &sim->cards[i];

		sc->sim = sim;
		sc->hwirq = i;
		sc->base = specs[i].base;
		sc->model = specs[i].model;
		sc->unipolar = specs[i].unipolar;
		sc->irq_masked = true;
		INIT_WORK(&sc->raise_work, xvme_sim_irq_raise);
		sc->fault = specs[i].fault;
		sc->present = true;
		xvme_sim_power_on(sc);
		sim->slot[sc->base / XVME_SLOT_SIZE] = sc;
	}

	sim->pdev = platform_device_register_simple("xvme-sim",
						    PLATFORM_DEVID_AUTO,
						    NULL, 0);
	if (IS_ERR(sim->pdev)) {
		err = PTR_ERR(sim->pdev);
		sim->pdev = NULL;
		goto err_sim;
	}
	err = xvme_sim_irqs_add(sim);
	if (err)
		goto err_sim;

	crate = xvme_crate_register(&sim->pdev->dev, &xvme_sim_ops, sim,
				    slot0_usable);
	if (IS_ERR(crate)) {
		err = PTR_ERR(crate);
		goto err_sim;
	}
	sim->crate = crate;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "xvme%d-%04x", crate->index,
			 sim->cards[i].base);
		xvme_sim_plant_add(&sim->cards[i], name);
	}
	kfree(specs);
	return sim;

err_sim:
	xvme_sim_free(sim);
err_specs:
	kfree(specs);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(xvme_sim_create);

/*
 * The plant goes first (no more edges from outside), then the crate
 * (drivers unbind and free their interrupts), then the interrupts.
 */
void xvme_sim_destroy(struct xvme_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->ncards; i++)
		xvme_sim_plant_remove(&sim->cards[i]);
	xvme_crate_unregister(sim->crate);
	xvme_sim_free(sim);
}
EXPORT_SYMBOL_GPL(xvme_sim_destroy);

struct xvme_crate *xvme_sim_crate(struct xvme_sim *sim)
{
	return sim->crate;
}
EXPORT_SYMBOL_GPL(xvme_sim_crate);

struct xvme_sim_card *xvme_sim_card_at(struct xvme_sim *sim, u16 base)
{
	if (base % XVME_SLOT_SIZE)
		return NULL;
	return sim->slot[base / XVME_SLOT_SIZE];
}
EXPORT_SYMBOL_GPL(xvme_sim_card_at);

/**
 * xvme_sim_set_present - put a card into its slot or pull it out, at run time
 * @sc: the card
 * @present: true: power it on (reset) in its slot and tell the crate, which
 *	adds its device (driver bind, power-on test, udev "add"); false: it
 *	leaves the slot without warning, its outputs go dead, every access is
 *	a bus error, and the crate removes its device (udev "remove" of the
 *	card and of its gpiochip or IIO device)
 *
 * Setting the state the card is in again re-syncs the crate's view: a card
 * whose device is missing (a bus error at the registration scan, the
 * "absent" fault) is looked for again.
 * Return: 0; for @present, -EIO when the card answers with bus errors (it is
 * in the slot, but the crate cannot add it), or another error of adding it.
 */
int xvme_sim_set_present(struct xvme_sim_card *sc, bool present)
{
	struct xvme_sim *sim = sc->sim;
	unsigned long flags;
	int err;

	mutex_lock(&sim->hotplug_lock);
	raw_spin_lock_irqsave(&sim->lock, flags);
	if (present && !sc->present)
		xvme_sim_power_on(sc);
	else if (!present && sc->present)
		xvme_sim_power_off(sc);
	sc->present = present;
	raw_spin_unlock_irqrestore(&sim->lock, flags);

	if (present) {
		err = xvme_crate_card_inserted(sim->crate, sc->base);
		if (err == -EEXIST)
			err = 0;
	} else {
		err = xvme_crate_card_removed(sim->crate, sc->base);
		if (err == -ENODEV)
			err = 0;
	}
	mutex_unlock(&sim->hotplug_lock);
	return err;
}
EXPORT_SYMBOL_GPL(xvme_sim_set_present);

bool xvme_sim_get_present(struct xvme_sim_card *sc)
{
	return READ_ONCE(sc->present);
}
EXPORT_SYMBOL_GPL(xvme_sim_get_present);

static void xvme_sim_destroy_param_crates(void)
{
	int i;

	for (i = XVME_SIM_PARAM_CRATES - 1; i >= 0; i--) {
		if (xvme_sim_param_crates[i])
			xvme_sim_destroy(xvme_sim_param_crates[i]);
		xvme_sim_param_crates[i] = NULL;
	}
}

/*
 * One crate per cards= parameter up to the last one given, in order, so
 * that with no other crate registered cardsN= becomes xvmeN.
 */
static int xvme_sim_create_param_crates(void)
{
	const char *lists[XVME_SIM_PARAM_CRATES] = {
		cards, cards1, cards2, cards3,
	};
	int i, last = -1;

	for (i = 0; i < XVME_SIM_PARAM_CRATES; i++)
		if (lists[i] && *lists[i])
			last = i;

	for (i = 0; i <= last; i++) {
		struct xvme_sim *sim = xvme_sim_create(lists[i] ?: "", slot0);

		if (IS_ERR(sim)) {
			pr_err("xvme-sim: crate %d of the module parameters not created: %ld\n",
			       i, PTR_ERR(sim));
			xvme_sim_destroy_param_crates();
			return PTR_ERR(sim);
		}
		xvme_sim_param_crates[i] = sim;
		if (sim->crate->index != i)
			pr_warn("xvme-sim: crate %d of the module parameters is xvme%d (another crate took xvme%d)\n",
				i, sim->crate->index, i);
	}
	return 0;
}

static int __init xvme_sim_init(void)
{
	int err;

	err = xvme_sim_plant_init();
	if (err)
		return err;
	err = xvme_sim_create_param_crates();
	if (err)
		xvme_sim_plant_exit();
	return err;
}

static void __exit xvme_sim_exit(void)
{
	xvme_sim_destroy_param_crates();
	xvme_sim_plant_exit();
}

module_init(xvme_sim_init);
module_exit(xvme_sim_exit);

MODULE_DESCRIPTION("Simulated crate of Xycom XVME cards");
MODULE_LICENSE("GPL");
