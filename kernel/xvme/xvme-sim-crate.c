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
 * back.
 *
 * Interrupts are VME's: a 240 card asserts the level its jumper selects
 * (irq1..irq7 in its card list entry, level 1 by default) while it
 * requests service; the simulated bridge, for every asserted level the
 * core enabled, runs the IACK cycle (the asserting card nearest slot 0
 * answers with its IVR) and hands level and vector to the core, which
 * runs the handler of the card with that vector. From process context,
 * when a level becomes asserted and again when it is enabled while still
 * asserted. A vector no handler has masks the level, as a bridge would.
 */
#include <linux/err.h>
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
	unsigned long __flags;						\
	int __err = -EIO;						\
									\
	if (__sc) {							\
		xvme_sim_stall_point(__sc);				\
		raw_spin_lock_irqsave(&__sc->sim->lock, __flags);	\
		if (__sc->present) {					\
			__err = call;					\
			xvme_sim_irq_update(__sc);			\
		}							\
		raw_spin_unlock_irqrestore(&__sc->sim->lock, __flags);	\
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

static int xvme_sim_card_irq_level(struct xvme_crate *crate, u16 base)
{
	struct xvme_sim_card *sc = xvme_sim_slot(crate, base);

	return sc && sc->irq_level ? sc->irq_level : -ENXIO;
}

static bool xvme_sim_level_asserted(struct xvme_sim *sim, unsigned int level)
{
	unsigned int i;

	for (i = 0; i < sim->ncards; i++)
		if (sim->cards[i].irq_level == level &&
		    xvme_sim_irq_line(&sim->cards[i]))
			return true;
	return false;
}

/* With sim->lock held: whether the bridge would interrupt for @level now. */
static bool xvme_sim_level_due(struct xvme_sim *sim, unsigned int level)
{
	return !sim->irqs_stopped && sim->level_enabled[level] &&
	       !sim->level_stuck[level] && xvme_sim_level_asserted(sim, level);
}

/* With sim->lock held: deliver the card's level if it is up and enabled. */
void xvme_sim_irq_update(struct xvme_sim_card *sc)
{
	struct xvme_sim *sim = sc->sim;

	if (sc->irq_level && xvme_sim_level_due(sim, sc->irq_level))
		schedule_work(&sim->raise_work);
}

static void xvme_sim_irq_level_enable(struct xvme_crate *crate,
				      unsigned int level)
{
	struct xvme_sim *sim = crate->backend_data;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	/*
	 * Drivers bind, and enable levels, while xvme_crate_register() still
	 * adds the cards: the crate is known here before it returns.
	 */
	WRITE_ONCE(sim->crate, crate);
	sim->level_enabled[level] = true;
	sim->level_stuck[level] = false;
	if (xvme_sim_level_due(sim, level))
		schedule_work(&sim->raise_work);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

static void xvme_sim_irq_level_disable(struct xvme_crate *crate,
				       unsigned int level)
{
	struct xvme_sim *sim = crate->backend_data;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->level_enabled[level] = false;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

/*
 * The IACK cycle of a level: the asserting card nearest the start of the
 * daisy chain (the lowest slot) answers with its vector.
 */
static struct xvme_sim_card *xvme_sim_iack(struct xvme_sim *sim,
					   unsigned int level, u8 *vector)
{
	unsigned int slot;

	for (slot = 0; slot < XVME_SLOTS; slot++) {
		struct xvme_sim_card *sc = sim->slot[slot];

		if (sc && sc->irq_level == level && xvme_sim_irq_line(sc)) {
			*vector = xvme_sim_irq_vector(sc);
			return sc;
		}
	}
	return NULL;
}

/*
 * The bridge interrupts for the highest asserted, enabled level, the core
 * runs the handler of the vector the IACK cycle returned (and masks the
 * level while it is in service). Each level once per run: unmasking it
 * again schedules the next. From process context, since card registers
 * are behind sleeping regmaps anyway.
 */
static void xvme_sim_irq_raise(struct work_struct *work)
{
	struct xvme_sim *sim = container_of(work, struct xvme_sim, raise_work);
	struct xvme_crate *crate = READ_ONCE(sim->crate);
	struct xvme_sim_card *sc;
	unsigned long flags;
	unsigned int level;
	u8 vector = 0;

	for (level = XVME_IRQ_LEVELS; level >= 1; level--) {
		raw_spin_lock_irqsave(&sim->lock, flags);
		sc = xvme_sim_level_due(sim, level) ?
		     xvme_sim_iack(sim, level, &vector) : NULL;
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		if (!sc || !xvme_crate_handle_irq(crate, level, vector))
			continue;

		/* Nothing will service it: mask the level, as a bridge would. */
		raw_spin_lock_irqsave(&sim->lock, flags);
		sim->level_stuck[level] = true;
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		pr_warn_ratelimited("xvme-sim: xvme%d-%04x interrupts on level %u with vector 0x%02x that no handler has: level masked until enabled again\n",
				    crate->index, sc->base, level, vector);
	}
}

/*
 * No more interrupts, for good: the crate goes away, or the system does
 * (then the latches are what the drivers left; the log shows them).
 */
static void xvme_sim_irqs_stop(struct xvme_sim *sim)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->irqs_stopped = true;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	cancel_work_sync(&sim->raise_work);
}

static void xvme_sim_shutdown(struct xvme_crate *crate)
{
	struct xvme_sim *sim = crate->backend_data;
	unsigned long flags;
	unsigned int i;

	xvme_sim_irqs_stop(sim);
	for (i = 0; i < sim->ncards; i++) {
		struct xvme_sim_card *sc = &sim->cards[i];
		char state[96];

		raw_spin_lock_irqsave(&sim->lock, flags);
		xvme_sim_latches_show(sc, state, sizeof(state));
		raw_spin_unlock_irqrestore(&sim->lock, flags);
		pr_info("xvme-sim: xvme%d-%04x at shutdown: %s\n",
			crate->index, sc->base, state);
	}
}

static const struct xvme_backend_ops xvme_sim_ops = {
	.name = "sim",
	.read8 = xvme_sim_read8,
	.write8 = xvme_sim_write8,
	.read16 = xvme_sim_read16,
	.write16 = xvme_sim_write16,
	.card_irq_level = xvme_sim_card_irq_level,
	.irq_level_enable = xvme_sim_irq_level_enable,
	.irq_level_disable = xvme_sim_irq_level_disable,
	.shutdown = xvme_sim_shutdown,
};

/* ---------------------------------------------------------- card list */

struct xvme_sim_card_spec {
	enum xvme_model model;
	u16 base;
	bool unipolar;
	unsigned int irq_level;
	enum xvme_sim_fault fault;
};

/*
 * "irq<level>": the interrupter level jumper of a 240, 1..7. Return the
 * level, 0 when @option is not of that form, -EINVAL when out of range.
 */
static int xvme_sim_parse_irq_level(const char *option)
{
	unsigned int level;

	if (strncmp(option, "irq", 3) || kstrtouint(option + 3, 10, &level))
		return 0;
	return level >= 1 && level <= XVME_IRQ_LEVELS ? level : -EINVAL;
}

/* "560@0x0c00:unipolar:adc-stuck", "240@0x0400:irq3", modified in place. */
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
	spec->irq_level = spec->model == XVME_MODEL_240 ?
			  XVME_SIM_IRQ_LEVEL_DEFAULT : 0;
	spec->fault = XVME_SIM_FAULT_NONE;
	while ((option = strsep(&text, ":"))) {
		int level = xvme_sim_parse_irq_level(option);

		if (!strcmp(option, "unipolar") &&
		    spec->model == XVME_MODEL_560) {
			spec->unipolar = true;
			continue;
		}
		if (level > 0 && spec->model == XVME_MODEL_240) {
			spec->irq_level = level;
			continue;
		}
		fault = level ? -EINVAL : xvme_sim_fault_parse(option);
		if (fault < 0 || !xvme_sim_fault_fits(fault, spec->model)) {
			pr_err("xvme-sim: card \"%s@%s\": option \"%s\" is not unipolar (560), irq1..irq7 (240) or a fault this model can have\n",
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
	xvme_sim_irqs_stop(sim);
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
	INIT_WORK(&sim->raise_work, xvme_sim_irq_raise);
	sim->cards = kcalloc(max(n, 1U), sizeof(*sim->cards), GFP_KERNEL);
	if (!sim->cards)
		goto err_sim;
	sim->ncards = n;
	for (i = 0; i < n; i++) {
		struct xvme_sim_card *sc = &sim->cards[i];

		sc->sim = sim;
		sc->base = specs[i].base;
		sc->model = specs[i].model;
		sc->unipolar = specs[i].unipolar;
		sc->irq_level = specs[i].irq_level;
		sc->fault = specs[i].fault;
		init_completion(&sc->stall_held);
		init_completion(&sc->stall_release);
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
	crate = xvme_crate_register(&sim->pdev->dev, &xvme_sim_ops, sim,
				    slot0_usable);
	if (IS_ERR(crate)) {
		err = PTR_ERR(crate);
		goto err_sim;
	}
	WRITE_ONCE(sim->crate, crate);

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
EXPORT_SYMBOL_NS_GPL(xvme_sim_create, XVME_KUNIT);

/*
 * The plant goes first (no more edges from outside), then the bridge stops
 * interrupting, then the crate (drivers unbind and free their interrupts).
 */
void xvme_sim_destroy(struct xvme_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->ncards; i++)
		xvme_sim_plant_remove(&sim->cards[i]);
	xvme_sim_irqs_stop(sim);
	xvme_crate_unregister(sim->crate);
	xvme_sim_free(sim);
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_destroy, XVME_KUNIT);

struct xvme_crate *xvme_sim_crate(struct xvme_sim *sim)
{
	return sim->crate;
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_crate, XVME_KUNIT);

struct xvme_sim_card *xvme_sim_card_at(struct xvme_sim *sim, u16 base)
{
	if (base % XVME_SLOT_SIZE)
		return NULL;
	return sim->slot[base / XVME_SLOT_SIZE];
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_card_at, XVME_KUNIT);

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
EXPORT_SYMBOL_NS_GPL(xvme_sim_set_present, XVME_KUNIT);

bool xvme_sim_get_present(struct xvme_sim_card *sc)
{
	return READ_ONCE(sc->present);
}
EXPORT_SYMBOL_NS_GPL(xvme_sim_get_present, XVME_KUNIT);

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
