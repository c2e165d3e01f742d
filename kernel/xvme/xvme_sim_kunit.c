// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the simulated crate's register models, of its VME
 * interrupts (levels, IACK by vector, a level shared by two cards, taken
 * by threaded oneshot handlers the way card drivers take them), and of
 * card hotplug (a card pulled out and put back, with a relay line held
 * across it). Accesses go through the crate's backend ops, as the core's
 * regmaps do; real card drivers that are built in are unbound first so
 * the test alone drives the registers.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/gpio.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/regmap.h>

#include "xvme.h"
#include "xvme-sim.h"

MODULE_IMPORT_NS(XVME_KUNIT);

#define C240	0x0400
#define C260	0x0800
#define C560	0x0c00
#define C560U	0x1000	/* unipolar */

struct xvme_sim_kunit {
	struct xvme_sim *sim;
	struct xvme_crate *crate;
};

static int xvme_sim_kunit_init(struct kunit *test)
{
	struct xvme_sim_kunit *ctx;
	unsigned int slot;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->sim = xvme_sim_create("240@0x0400,260@0x0800,560@0x0c00,560@0x1000:unipolar",
				   false);
	if (IS_ERR(ctx->sim))
		return PTR_ERR(ctx->sim);
	ctx->crate = xvme_sim_crate(ctx->sim);
	for (slot = 0; slot < XVME_SLOTS; slot++) {
		struct xvme_card *card;

		card = xvme_crate_find_card(ctx->crate, slot * XVME_SLOT_SIZE);
		if (card)
			device_release_driver(&card->dev);
	}
	test->priv = ctx;
	return 0;
}

static void xvme_sim_kunit_exit(struct kunit *test)
{
	struct xvme_sim_kunit *ctx = test->priv;

	xvme_sim_destroy(ctx->sim);
}

static u8 rd8(struct kunit *test, u16 addr)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;
	u8 val = 0;

	KUNIT_EXPECT_EQ_MSG(test, crate->ops->read8(crate, addr, &val), 0,
			    "D8 read 0x%04x", addr);
	return val;
}

static void wr8_crate(struct kunit *test, struct xvme_crate *crate, u16 addr,
		      u8 val)
{
	KUNIT_EXPECT_EQ_MSG(test, crate->ops->write8(crate, addr, val), 0,
			    "D8 write 0x%04x", addr);
}

static void wr8(struct kunit *test, u16 addr, u8 val)
{
	wr8_crate(test, ((struct xvme_sim_kunit *)test->priv)->crate, addr, val);
}

static u16 rd16(struct kunit *test, u16 addr)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;
	u16 val = 0;

	KUNIT_EXPECT_EQ_MSG(test, crate->ops->read16(crate, addr, &val), 0,
			    "D16 read 0x%04x", addr);
	return val;
}

static void wr16(struct kunit *test, u16 addr, u16 val)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;

	KUNIT_EXPECT_EQ_MSG(test, crate->ops->write16(crate, addr, val), 0,
			    "D16 write 0x%04x", addr);
}

static struct xvme_sim_card *sc_at(struct kunit *test, u16 base)
{
	struct xvme_sim_card *sc;

	sc = xvme_sim_card_at(((struct xvme_sim_kunit *)test->priv)->sim, base);
	KUNIT_ASSERT_NOT_NULL(test, sc);
	return sc;
}

/* ------------------------------------------------------- every card */

static void xvme_sim_id_prom(struct kunit *test)
{
	static const char id[] = "VMEIDXYC260A";
	unsigned int i;

	for (i = 0; i < XVME_ID_CHARS; i++) {
		u8 want = i < sizeof(id) - 1 ? id[i] : ' ';

		KUNIT_EXPECT_EQ(test, rd8(test, C260 + 1 + 2 * i), want);
		KUNIT_EXPECT_EQ(test, rd8(test, C260 + 2 * i), 0xff);
	}

	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(sc_at(test, C260),
						 XVME_SIM_FAULT_BAD_ID), 0);
	KUNIT_EXPECT_EQ(test, rd8(test, C260 + 1), 'V');
	KUNIT_EXPECT_EQ(test, rd8(test, C260 + 1 + 2 * 8), '2' | 0x80);
	KUNIT_EXPECT_EQ(test, rd8(test, C260 + 1 + 2 * 11), 'A');
}

static void xvme_sim_bus_errors(struct kunit *test)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;
	u16 v16;
	u8 v8;

	/* empty slots, slot 0 included */
	KUNIT_EXPECT_EQ(test, crate->ops->read8(crate, 0x0001, &v8), -EIO);
	KUNIT_EXPECT_EQ(test, crate->ops->read8(crate, 0x2001, &v8), -EIO);
	KUNIT_EXPECT_EQ(test, crate->ops->write16(crate, 0xfc80, 1), -EIO);

	/* a card whose slot goes absent, and comes back */
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(sc_at(test, C240),
						 XVME_SIM_FAULT_ABSENT), 0);
	KUNIT_EXPECT_EQ(test, crate->ops->read8(crate, C240 + 1, &v8), -EIO);
	KUNIT_EXPECT_EQ(test, crate->ops->read16(crate, C240 + 0x88, &v16),
			-EIO);
	KUNIT_EXPECT_EQ(test, crate->ops->write8(crate, C240 + 0x86, 1), -EIO);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(sc_at(test, C240),
						 XVME_SIM_FAULT_NONE), 0);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 1), 'V');
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x86), 0);	/* lost write */

	/* D16 at an odd address is no VME cycle */
	KUNIT_EXPECT_EQ(test, crate->ops->read16(crate, C240 + 0x89, &v16),
			-EINVAL);
}

static void xvme_sim_plant_bad_input(struct kunit *test)
{
	struct xvme_sim_card *adc = sc_at(test, C560);
	int mv;

	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain(adc, 32, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain(adc, 0, 30001), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain(adc, 0, -30001), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_get_ain(adc, 0, &mv), 0);
	KUNIT_EXPECT_EQ(test, mv, 0);	/* unchanged */
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ports(adc, 1), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain(sc_at(test, C240), 0, 1),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_fault(adc, XVME_SIM_FAULT_COUNT),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_fault(sc_at(test, C240),
						 XVME_SIM_FAULT_ADC_STUCK),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_fault(adc,
						 XVME_SIM_FAULT_NO_RESET_CLEAR),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_get_fault(adc), XVME_SIM_FAULT_NONE);
	KUNIT_EXPECT_EQ(test, xvme_sim_fault_parse("adc-stuck\n"),
			XVME_SIM_FAULT_ADC_STUCK);
	KUNIT_EXPECT_EQ(test, xvme_sim_fault_parse("stuck"), -EINVAL);
	KUNIT_EXPECT_STREQ(test,
			   xvme_sim_fault_name(XVME_SIM_FAULT_NO_RESET_CLEAR),
			   "no-reset-clear");
}

static void xvme_sim_bad_card_lists(struct kunit *test)
{
	static const char * const bad[] = {
		"999@0x0400",			/* model */
		"240@0x0401",			/* not a slot base */
		"240@0x10000",			/* beyond A16 */
		"240",				/* no address */
		"240@0x0400,260@0x0400",	/* two in one slot */
		"240@0x0400:adc-stuck",		/* fault of another model */
		"260@0x0400:unipolar",		/* jumper of another model */
		"560@0x0400:sticky",		/* no such option */
		"240@0x0400:irq0",		/* no VME level 0 */
		"240@0x0400:irq8",		/* nor 8 */
		"260@0x0400:irq2",		/* the 260 does not interrupt */
		"240@0x0400,",			/* empty entry */
		",240@0x0400",
		"240@0x0400,,260@0x0800",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(xvme_sim_create(bad[i],
								  false)),
				    -EINVAL, "cards=%s", bad[i]);
}

/* ------------------------------------------------------------ XVME-240 */

static void xvme_sim_240_reset(struct kunit *test)
{
	u64 ports;

	xvme_sim_set_ports(sc_at(test, C240), 0x8877665544332211ULL);
	wr8(test, C240 + 0x87, 0xf0);		/* ports 4-7 outputs */
	wr8(test, C240 + 0x86, 0x5a);		/* FLAGS */
	wr16(test, C240 + 0x8c, 0xa55a);	/* ports 4, 5 */
	wr8(test, C240 + 0x83, 0x0f);		/* IMR */
	wr8(test, C240 + 0x81, 0x0b);		/* LEDs, IRQ enable */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x8c), 0xa5);

	wr8(test, C240 + 0x81, 0x10);		/* soft reset */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x81), 0);	/* self-clearing */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x87), 0);	/* all inputs */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x86), 0);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x83), 0);
	KUNIT_EXPECT_EQ(test, rd16(test, C240 + 0x8c), 0x5566);	/* plant */
	KUNIT_ASSERT_EQ(test, xvme_sim_get_ports(sc_at(test, C240), &ports), 0);
	KUNIT_EXPECT_EQ(test, ports, 0x8877665544332211ULL);
	/* the latches were cleared, not just hidden */
	wr8(test, C240 + 0x87, 0xf0);
	KUNIT_EXPECT_EQ(test, rd16(test, C240 + 0x8c), 0);
}

static void xvme_sim_240_no_reset_clear(struct kunit *test)
{
	u8 flags;

	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(sc_at(test, C240),
						 XVME_SIM_FAULT_NO_RESET_CLEAR),
			0);
	wr8(test, C240 + 0x87, 0x80);
	wr8(test, C240 + 0x86, 0x81);
	wr8(test, C240 + 0x8f, 0x42);
	wr8(test, C240 + 0x81, 0x10);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x87), 0x80);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x8f), 0x42);
	KUNIT_ASSERT_EQ(test, xvme_sim_get_flags(sc_at(test, C240), &flags), 0);
	KUNIT_EXPECT_EQ(test, flags, 0x81);
}

/* The EPICS driver once clobbered a port's neighbour: never here. */
static void xvme_sim_240_byte_lanes(struct kunit *test)
{
	u64 ports;

	xvme_sim_set_ports(sc_at(test, C240), 0x0000000000cc0011ULL);
	wr8(test, C240 + 0x87, 0xfa);		/* ports 0, 2 in; rest out */

	wr16(test, C240 + 0x8c, 0x1234);	/* port 4 = 0x12, 5 = 0x34 */
	wr8(test, C240 + 0x8d, 0x56);		/* port 5 only */
	KUNIT_EXPECT_EQ(test, rd16(test, C240 + 0x8c), 0x1256);
	wr8(test, C240 + 0x8c, 0x78);		/* port 4 only */
	KUNIT_EXPECT_EQ(test, rd16(test, C240 + 0x8c), 0x7856);

	/* a pair of one input and one output port */
	wr8(test, C240 + 0x89, 0x9a);		/* port 1 (output) */
	KUNIT_EXPECT_EQ(test, rd16(test, C240 + 0x88), 0x119a);
	wr8(test, C240 + 0x88, 0xee);		/* port 0 is an input */
	KUNIT_EXPECT_EQ(test, rd16(test, C240 + 0x88), 0x119a);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x8b), 0x00);	/* port 3 out */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x8a), 0xcc);	/* port 2 in */

	KUNIT_ASSERT_EQ(test, xvme_sim_get_ports(sc_at(test, C240), &ports), 0);
	KUNIT_EXPECT_EQ(test, ports, 0x0000567800cc9a11ULL);
	/* the latch written while port 0 was an input shows when it turns */
	wr8(test, C240 + 0x87, 0xfb);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x88), 0xee);
}

static void xvme_sim_240_irq_latch(struct kunit *test)
{
	struct xvme_sim_card *ttl = sc_at(test, C240);

	wr8(test, C240 + 0x83, 0x05);		/* IMR: inputs 0 and 2 */
	xvme_sim_set_irq_inputs(ttl, 0x02);	/* masked edge */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x80), 0x02);	/* IIR */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x82), 0x00);	/* IPR */
	xvme_sim_set_irq_inputs(ttl, 0x03);	/* edge on input 0 */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x82), 0x01);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x81) & 0x04, 0x04);
	/* not enabled in the CSR: the line stays low */
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_asserted(ttl));

	/* a level is no edge; a falling edge latches nothing */
	xvme_sim_set_irq_inputs(ttl, 0x03);
	xvme_sim_set_irq_inputs(ttl, 0x00);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x82), 0x01);

	wr8(test, C240 + 0x81, 0x08);		/* IRQ enable */
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_asserted(ttl));
	wr8(test, C240 + 0x83, 0x04);		/* mask it: pending, no irq */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x82), 0x01);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_asserted(ttl));
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x81) & 0x04, 0);
	wr8(test, C240 + 0x83, 0x05);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_asserted(ttl));

	xvme_sim_set_irq_inputs(ttl, 0x04);	/* edge on input 2 */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x82), 0x05);
	wr8(test, C240 + 0x84, 0x01);		/* ICR: clear input 0 */
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x82), 0x04);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_asserted(ttl));
	wr8(test, C240 + 0x84, 0x04);
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x82), 0x00);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_asserted(ttl));
	KUNIT_EXPECT_EQ(test, rd8(test, C240 + 0x81), 0x08);
}

struct xvme_sim_kunit_irq {
	struct completion cleared;
	struct xvme_crate *crate;
	u16 base;
	unsigned int calls;
	unsigned int leave_pending;	/* calls that do not clear IPR */
	unsigned int ipr_seen;
	struct completion *hold;	/* if set: wait for it in the handler */
	struct completion entered;
};

/* Like a card driver: threaded, reads and clears IPR over the bus. */
static irqreturn_t xvme_sim_kunit_irq_thread(int irq, void *data)
{
	struct xvme_sim_kunit_irq *h = data;
	u8 ipr;

	if (h->crate->ops->read8(h->crate, h->base + 0x82, &ipr))
		return IRQ_NONE;
	h->calls++;
	h->ipr_seen |= ipr;
	complete(&h->entered);
	if (h->hold)
		wait_for_completion(h->hold);
	if (h->leave_pending) {
		h->leave_pending--;
		return IRQ_HANDLED;
	}
	h->crate->ops->write8(h->crate, h->base + 0x84, ipr);
	complete(&h->cleared);
	return IRQ_HANDLED;
}

static void xvme_sim_kunit_irq_init(struct xvme_sim_kunit_irq *h,
				    struct xvme_card *card)
{
	*h = (struct xvme_sim_kunit_irq){ .crate = card->crate,
					  .base = card->base };
	init_completion(&h->cleared);
	init_completion(&h->entered);
}

/* Program the card as its driver does: IVR, the input mask, the enable. */
static void xvme_sim_kunit_240_arm(struct kunit *test, struct xvme_card *card,
				   u8 imr)
{
	unsigned int level;
	u8 vector;

	KUNIT_ASSERT_EQ(test, xvme_card_irq_vector(card, &level, &vector), 0);
	wr8_crate(test, card->crate, card->base + 0x85, vector);
	wr8_crate(test, card->crate, card->base + 0x83, imr);
	wr8_crate(test, card->crate, card->base + 0x81, 0x08);
}

static void xvme_sim_240_irq_threaded(struct kunit *test)
{
	struct xvme_sim_kunit *ctx = test->priv;
	struct xvme_card *card = xvme_crate_find_card(ctx->crate, C240);
	struct xvme_sim_card *ttl = sc_at(test, C240);
	struct xvme_sim_kunit_irq h;
	unsigned int level;
	u8 vector;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, card);
	KUNIT_ASSERT_GT(test, card->irq, 0);
	/* its vector is unique in the crate: 0x40 + slot */
	KUNIT_ASSERT_EQ(test, xvme_card_irq_vector(card, &level, &vector), 0);
	KUNIT_EXPECT_EQ(test, level, XVME_SIM_IRQ_LEVEL_DEFAULT);
	KUNIT_EXPECT_EQ(test, vector, 0x40 + C240 / XVME_SLOT_SIZE);
	KUNIT_EXPECT_EQ(test, xvme_card_irq_vector(xvme_crate_find_card(ctx->crate,
									C260),
						   &level, &vector), -ENXIO);

	xvme_sim_kunit_irq_init(&h, card);
	err = request_threaded_irq(card->irq, NULL, xvme_sim_kunit_irq_thread,
				   IRQF_ONESHOT, "xvme-sim-kunit", &h);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_level_enabled(ctx->sim, level));

	xvme_sim_kunit_240_arm(test, card, 0x01);
	xvme_sim_set_irq_inputs(ttl, 0x01);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&h.cleared, HZ), 0UL);
	KUNIT_EXPECT_EQ(test, h.calls, 1U);
	KUNIT_EXPECT_EQ(test, h.ipr_seen, 0x01U);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_asserted(ttl));

	/* level semantics: still asserted at unmask, so raised again */
	reinit_completion(&h.cleared);
	h.calls = 0;
	h.leave_pending = 2;
	xvme_sim_set_irq_inputs(ttl, 0x00);
	xvme_sim_set_irq_inputs(ttl, 0x01);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&h.cleared, HZ), 0UL);
	KUNIT_EXPECT_EQ(test, h.calls, 3U);

	/* masked input, disabled CSR: no interrupt */
	reinit_completion(&h.cleared);
	h.calls = 0;
	wr8(test, C240 + 0x83, 0x00);
	xvme_sim_set_irq_inputs(ttl, 0x00);
	xvme_sim_set_irq_inputs(ttl, 0x01);
	wr8(test, C240 + 0x83, 0x01);
	wr8(test, C240 + 0x81, 0x00);
	xvme_sim_set_irq_inputs(ttl, 0x00);
	xvme_sim_set_irq_inputs(ttl, 0x01);	/* latched, not enabled */
	msleep(50);
	KUNIT_EXPECT_EQ(test, h.calls, 0U);

	/* enabling with an edge pending raises it */
	wr8(test, C240 + 0x81, 0x08);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&h.cleared, HZ), 0UL);
	KUNIT_EXPECT_EQ(test, h.calls, 1U);

	/* disable_irq() holds delivery off; enable_irq() delivers */
	reinit_completion(&h.cleared);
	h.calls = 0;
	disable_irq(card->irq);
	xvme_sim_set_irq_inputs(ttl, 0x00);
	xvme_sim_set_irq_inputs(ttl, 0x01);
	msleep(50);
	KUNIT_EXPECT_EQ(test, h.calls, 0U);
	/* disabled lazily: the request that came masked the level */
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(ctx->sim, level));
	enable_irq(card->irq);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&h.cleared, HZ), 0UL);
	KUNIT_EXPECT_EQ(test, h.calls, 1U);

	free_irq(card->irq, &h);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(ctx->sim, level));
}

/*
 * The bridge runs the IACK cycle and the core delivers by vector: a card
 * whose IVR is not its vector (reset value 0, or another card's) reaches
 * no handler, and its level is masked rather than left to storm; the
 * right vector delivers again once the level is enabled anew.
 */
static void xvme_sim_240_irq_by_vector(struct kunit *test)
{
	struct xvme_sim *sim = xvme_sim_create("240@0x0400,240@0x0800", false);
	struct xvme_sim_kunit_irq a, b;
	struct completion release_a;
	struct xvme_card *ca, *cb;
	unsigned int level;
	u8 va, vb;

	KUNIT_ASSERT_FALSE(test, IS_ERR(sim));
	ca = xvme_crate_find_card(xvme_sim_crate(sim), 0x0400);
	cb = xvme_crate_find_card(xvme_sim_crate(sim), 0x0800);
	KUNIT_ASSERT_NOT_NULL(test, ca);
	KUNIT_ASSERT_NOT_NULL(test, cb);
	device_release_driver(&ca->dev);
	device_release_driver(&cb->dev);
	KUNIT_ASSERT_EQ(test, xvme_card_irq_vector(ca, &level, &va), 0);
	KUNIT_ASSERT_EQ(test, xvme_card_irq_vector(cb, &level, &vb), 0);
	KUNIT_EXPECT_NE(test, va, vb);

	xvme_sim_kunit_irq_init(&a, ca);
	xvme_sim_kunit_irq_init(&b, cb);
	KUNIT_ASSERT_EQ(test, request_threaded_irq(ca->irq, NULL,
						   xvme_sim_kunit_irq_thread,
						   IRQF_ONESHOT, "kunit-a", &a),
			0);
	KUNIT_ASSERT_EQ(test, request_threaded_irq(cb->irq, NULL,
						   xvme_sim_kunit_irq_thread,
						   IRQF_ONESHOT, "kunit-b", &b),
			0);

	/* B answers with A's vector: A's handler runs, B's does not */
	init_completion(&release_a);
	a.hold = &release_a;
	wr8_crate(test, cb->crate, 0x0800 + 0x85, va);
	wr8_crate(test, cb->crate, 0x0800 + 0x83, 0x01);
	wr8_crate(test, cb->crate, 0x0800 + 0x81, 0x08);
	xvme_sim_set_irq_inputs(xvme_sim_card_at(sim, 0x0800), 0x01);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&a.entered, HZ), 0UL);
	KUNIT_EXPECT_EQ(test, b.calls, 0U);
	KUNIT_EXPECT_EQ(test, a.ipr_seen, 0U);	/* A had nothing pending */

	/*
	 * B's vector becomes 0, which no card has: once A's handler is done
	 * and the level comes back, B still asserts, the IACK names nobody,
	 * and the level is masked instead of interrupting without end.
	 */
	wr8_crate(test, cb->crate, 0x0800 + 0x85, 0x00);
	complete_all(&release_a);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&a.cleared, HZ), 0UL);
	msleep(50);
	KUNIT_EXPECT_EQ(test, a.calls, 1U);
	KUNIT_EXPECT_EQ(test, b.calls, 0U);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_asserted(xvme_sim_card_at(sim,
								       0x0800)));
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(sim, level));

	/*
	 * Programmed right, the level enabled anew (B's interrupt masked and
	 * unmasked at once, not lazily): B's handler runs, A's does not.
	 */
	a.calls = 0;
	wr8_crate(test, cb->crate, 0x0800 + 0x85, vb);
	irq_set_status_flags(cb->irq, IRQ_DISABLE_UNLAZY);
	disable_irq(cb->irq);
	enable_irq(cb->irq);
	irq_clear_status_flags(cb->irq, IRQ_DISABLE_UNLAZY);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&b.cleared, HZ), 0UL);
	KUNIT_EXPECT_EQ(test, b.ipr_seen, 0x01U);
	KUNIT_EXPECT_EQ(test, a.calls, 0U);

	free_irq(ca->irq, &a);
	free_irq(cb->irq, &b);
	xvme_sim_destroy(sim);
}

/*
 * Two cards on one level: a bridge masks levels, so while one card's
 * handler runs (its vector masked) the level is masked for both; the
 * other card's request waits, and is served when the level comes back.
 */
static void xvme_sim_240_shared_level(struct kunit *test)
{
	struct xvme_sim *sim = xvme_sim_create("240@0x0400:irq3,240@0x0800:irq3,240@0x0c00:irq5",
					       false);
	struct xvme_sim_kunit_irq a, b;
	struct completion release_a;
	struct xvme_card *ca, *cb, *cc;
	unsigned int level;
	u8 vector;

	KUNIT_ASSERT_FALSE(test, IS_ERR(sim));
	ca = xvme_crate_find_card(xvme_sim_crate(sim), 0x0400);
	cb = xvme_crate_find_card(xvme_sim_crate(sim), 0x0800);
	cc = xvme_crate_find_card(xvme_sim_crate(sim), 0x0c00);
	KUNIT_ASSERT_NOT_NULL(test, ca);
	KUNIT_ASSERT_NOT_NULL(test, cb);
	KUNIT_ASSERT_NOT_NULL(test, cc);
	device_release_driver(&ca->dev);
	device_release_driver(&cb->dev);
	device_release_driver(&cc->dev);
	KUNIT_ASSERT_EQ(test, xvme_card_irq_vector(cc, &level, &vector), 0);
	KUNIT_EXPECT_EQ(test, level, 5U);
	KUNIT_ASSERT_EQ(test, xvme_card_irq_vector(ca, &level, &vector), 0);
	KUNIT_EXPECT_EQ(test, level, 3U);

	/* nobody handles level 3 yet: masked at the bridge */
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(sim, 3));
	xvme_sim_kunit_irq_init(&a, ca);
	xvme_sim_kunit_irq_init(&b, cb);
	init_completion(&release_a);
	a.hold = &release_a;
	KUNIT_ASSERT_EQ(test, request_threaded_irq(ca->irq, NULL,
						   xvme_sim_kunit_irq_thread,
						   IRQF_ONESHOT, "kunit-a", &a),
			0);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_level_enabled(sim, 3));
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(sim, 5));
	KUNIT_ASSERT_EQ(test, request_threaded_irq(cb->irq, NULL,
						   xvme_sim_kunit_irq_thread,
						   IRQF_ONESHOT, "kunit-b", &b),
			0);
	xvme_sim_kunit_240_arm(test, ca, 0x01);
	xvme_sim_kunit_240_arm(test, cb, 0x01);

	/* A interrupts; its handler holds: the level is masked for B too */
	xvme_sim_set_irq_inputs(xvme_sim_card_at(sim, 0x0400), 0x01);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&a.entered, HZ), 0UL);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(sim, 3));
	xvme_sim_set_irq_inputs(xvme_sim_card_at(sim, 0x0800), 0x01);
	msleep(50);
	KUNIT_EXPECT_EQ(test, b.calls, 0U);

	/* A done: the level comes back and B is served */
	complete_all(&release_a);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&a.cleared, HZ), 0UL);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&b.cleared, HZ), 0UL);
	KUNIT_EXPECT_EQ(test, a.calls, 1U);
	KUNIT_EXPECT_EQ(test, b.calls, 1U);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_level_enabled(sim, 3));

	/* one handler disabled (at once, not lazily) masks the whole level */
	irq_set_status_flags(cb->irq, IRQ_DISABLE_UNLAZY);
	disable_irq(cb->irq);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(sim, 3));
	enable_irq(cb->irq);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_level_enabled(sim, 3));
	irq_clear_status_flags(cb->irq, IRQ_DISABLE_UNLAZY);
	free_irq(cb->irq, &b);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_level_enabled(sim, 3));
	free_irq(ca->irq, &a);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(sim, 3));
	xvme_sim_destroy(sim);
}

/* ------------------------------------------------------------ XVME-260 */

static void xvme_sim_260_relays(struct kunit *test)
{
	struct xvme_sim_card *relay = sc_at(test, C260);
	u32 relays;

	wr16(test, C260 + 0x88, 0x8001);
	wr16(test, C260 + 0x8a, 0x0003);
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relay, &relays), 0);
	KUNIT_EXPECT_EQ(test, relays, 0x00038001U);
	KUNIT_EXPECT_EQ(test, rd16(test, C260 + 0x88), 0x8001);

	wr8(test, C260 + 0x89, 0xf0);		/* low byte lane only */
	KUNIT_EXPECT_EQ(test, rd16(test, C260 + 0x88), 0x80f0);
	wr8(test, C260 + 0x8a, 0x40);		/* high byte of OUT16_31 */
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relay, &relays), 0);
	KUNIT_EXPECT_EQ(test, relays, 0x400380f0U);

	wr16(test, C260 + 0x80, 0x0010);	/* reset: all relays off */
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relay, &relays), 0);
	KUNIT_EXPECT_EQ(test, relays, 0U);
	KUNIT_EXPECT_EQ(test, rd16(test, C260 + 0x88), 0);
	KUNIT_EXPECT_EQ(test, rd16(test, C260 + 0x8a), 0);
	KUNIT_EXPECT_EQ(test, rd16(test, C260 + 0x80), 0);

	KUNIT_ASSERT_EQ(test,
			xvme_sim_set_fault(relay, XVME_SIM_FAULT_NO_RESET_CLEAR),
			0);
	wr16(test, C260 + 0x8a, 0x0100);
	wr8(test, C260 + 0x81, 0x10);		/* reset through the low lane */
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relay, &relays), 0);
	KUNIT_EXPECT_EQ(test, relays, 0x01000000U);
}

/* ------------------------------------------------------------ XVME-560 */

#define X560_BUSY	BIT(8)
#define X560_DONE	BIT(9)
#define X560_ERR	BIT(10)
#define X560_BIPOLAR	BIT(12)

/*
 * True if less than one conversion time has passed since @start, taken
 * before a START: then the conversion must still be running. A test
 * preempted for longer (UML on a loaded host is descheduled for
 * milliseconds) can only look at a finished conversion.
 */
static bool xvme_sim_kunit_in_conversion(ktime_t start)
{
	return ktime_to_ns(ktime_sub(ktime_get(), start)) <
	       XVME_SIM_560_CONVERSION_NS;
}

/* One conversion as a driver does it; returns DATA, CSR in *csr. */
static u16 xvme_sim_kunit_convert(struct kunit *test, u16 base,
				  unsigned int ch, u16 *csr)
{
	ktime_t start;

	wr16(test, base + 0x82, ch);
	start = ktime_get();
	wr16(test, base + 0x80, 0x0080 | 0x0003);	/* START, LEDs kept */
	*csr = rd16(test, base + 0x80);
	if (xvme_sim_kunit_in_conversion(start)) {
		KUNIT_EXPECT_TRUE(test, *csr & X560_BUSY);
		KUNIT_EXPECT_FALSE(test, *csr & X560_DONE);
	} else {
		/* busy or done, never neither nor both */
		KUNIT_EXPECT_TRUE(test, !(*csr & X560_BUSY) != !(*csr & X560_DONE));
	}
	KUNIT_EXPECT_FALSE(test, *csr & 0x0080);	/* START reads 0 */
	usleep_range(30, 60);
	*csr = rd16(test, base + 0x80);
	return rd16(test, base + 0x84);
}

static void xvme_sim_560_conversion(struct kunit *test)
{
	static const struct {
		int mv;
		u16 code;
	} bipolar[] = {
		{ -10000, 0x000 }, { -12000, 0x000 }, { 0, 0x800 },
		{ 5000, 0xc00 }, { -5000, 0x400 }, { 9998, 0xfff },
		{ 10000, 0xfff }, { 25000, 0xfff }, { 5, 0x801 },
	}, unipolar[] = {
		{ 0, 0x000 }, { -100, 0x000 }, { 5000, 0x800 },
		{ 2500, 0x400 }, { 10000, 0xfff }, { 12000, 0xfff },
	};
	struct xvme_sim_card *adc = sc_at(test, C560);
	unsigned int i;
	ktime_t start;
	u16 csr, data;

	KUNIT_EXPECT_TRUE(test, rd16(test, C560 + 0x80) & X560_BIPOLAR);
	KUNIT_EXPECT_FALSE(test, rd16(test, C560U + 0x80) & X560_BIPOLAR);

	for (i = 0; i < ARRAY_SIZE(bipolar); i++) {
		KUNIT_ASSERT_EQ(test, xvme_sim_set_ain(adc, 7, bipolar[i].mv),
				0);
		data = xvme_sim_kunit_convert(test, C560, 7, &csr);
		KUNIT_EXPECT_EQ_MSG(test, data, bipolar[i].code, "%d mV",
				    bipolar[i].mv);
		KUNIT_EXPECT_EQ(test, csr & (X560_BUSY | X560_DONE | X560_ERR),
				X560_DONE);
		/* reading DATA cleared DONE */
		KUNIT_EXPECT_FALSE(test, rd16(test, C560 + 0x80) & X560_DONE);
	}
	for (i = 0; i < ARRAY_SIZE(unipolar); i++) {
		KUNIT_ASSERT_EQ(test, xvme_sim_set_ain(sc_at(test, C560U), 31,
						       unipolar[i].mv), 0);
		data = xvme_sim_kunit_convert(test, C560U, 31, &csr);
		KUNIT_EXPECT_EQ_MSG(test, data, unipolar[i].code,
				    "unipolar %d mV", unipolar[i].mv);
	}

	/* the jumper moved: same input, the other code */
	xvme_sim_set_ain(adc, 0, 5000);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_unipolar(adc, true), 0);
	KUNIT_EXPECT_FALSE(test, rd16(test, C560 + 0x80) & X560_BIPOLAR);
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 0, &csr),
			0x800);

	/* the channel is sampled at START */
	xvme_sim_set_ain(adc, 1, 2500);
	wr16(test, C560 + 0x82, 1);
	wr16(test, C560 + 0x80, 0x0080);
	xvme_sim_set_ain(adc, 1, 7500);
	usleep_range(30, 60);
	KUNIT_EXPECT_EQ(test, rd16(test, C560 + 0x84), 0x400);

	/* START clears DONE (until the new conversion ends) */
	wr16(test, C560 + 0x80, 0x0080);
	usleep_range(30, 60);
	KUNIT_EXPECT_TRUE(test, rd16(test, C560 + 0x80) & X560_DONE);
	start = ktime_get();
	wr16(test, C560 + 0x80, 0x0080);
	csr = rd16(test, C560 + 0x80);
	if (xvme_sim_kunit_in_conversion(start))
		KUNIT_EXPECT_EQ(test, csr & X560_DONE, 0);
	KUNIT_EXPECT_EQ(test, rd16(test, C560 + 0x82), 1);
}

/* Noise: the next conversions of one channel read it, then the plant. */
static void xvme_sim_560_noise(struct kunit *test)
{
	struct xvme_sim_card *adc = sc_at(test, C560);
	u16 csr;

	KUNIT_ASSERT_EQ(test, xvme_sim_set_ain(adc, 2, 2500), 0);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_ain_noise(adc, 2, 500, 2), 0);
	/* bipolar: 500 mV is 0x866, 2500 mV 0xa00, 0 mV 0x800 */
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 2, &csr), 0x866);
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 1, &csr), 0x800);
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 2, &csr), 0x866);
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 2, &csr), 0xa00);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain_noise(adc, 2, 500, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain_noise(adc, 2, 500, 1001), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain_noise(adc, 32, 500, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain_noise(adc, 2, 30001, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_ain_noise(sc_at(test, C240), 0, 500, 1),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 2, &csr), 0xa00);
}

static void xvme_sim_560_stuck(struct kunit *test)
{
	struct xvme_sim_card *adc = sc_at(test, C560);
	u16 csr;

	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(adc, XVME_SIM_FAULT_ADC_STUCK),
			0);
	wr16(test, C560 + 0x80, 0x0080);
	usleep_range(2000, 3000);	/* twice the drivers' 1 ms timeout */
	csr = rd16(test, C560 + 0x80);
	KUNIT_EXPECT_TRUE(test, csr & X560_BUSY);
	KUNIT_EXPECT_FALSE(test, csr & X560_DONE);

	/* repaired: the pending conversion completes */
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(adc, XVME_SIM_FAULT_NONE), 0);
	csr = rd16(test, C560 + 0x80);
	KUNIT_EXPECT_EQ(test, csr & (X560_BUSY | X560_DONE), X560_DONE);
}

static void xvme_sim_560_error(struct kunit *test)
{
	struct xvme_sim_card *adc = sc_at(test, C560);
	u16 csr;

	xvme_sim_set_ain(adc, 4, 1000);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(adc, XVME_SIM_FAULT_ADC_ERROR),
			0);
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 4, &csr), 0);
	KUNIT_EXPECT_EQ(test, csr & (X560_BUSY | X560_DONE | X560_ERR),
			X560_DONE | X560_ERR);

	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(adc, XVME_SIM_FAULT_NONE), 0);
	KUNIT_EXPECT_EQ(test, xvme_sim_kunit_convert(test, C560, 4, &csr),
			(11000 * 4096 / 20000));
	KUNIT_EXPECT_FALSE(test, csr & X560_ERR);	/* START cleared it */
}

static void xvme_sim_560_reset(struct kunit *test)
{
	wr16(test, C560 + 0x82, 9);
	wr16(test, C560 + 0x80, 0x0083);
	KUNIT_EXPECT_EQ(test, rd16(test, C560 + 0x80) & 0x3, 0x3);
	wr16(test, C560 + 0x80, 0x0010);
	KUNIT_EXPECT_EQ(test, rd16(test, C560 + 0x80), X560_BIPOLAR);
	KUNIT_EXPECT_EQ(test, rd16(test, C560 + 0x82), 0);
	/* unipolar: no BIPOLAR bit (the LEDs are the core's green) */
	KUNIT_EXPECT_EQ(test, rd16(test, C560U + 0x80) & ~0x3, 0);

	/* LED bits through the low byte lane leave the rest alone */
	wr8(test, C560 + 0x81, 0x03);
	KUNIT_EXPECT_EQ(test, rd16(test, C560 + 0x80), X560_BIPOLAR | 0x3);
}

/* -------------------------------------------------------------- hotplug */

static void xvme_sim_hotplug_cycle(struct kunit *test)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;
	struct xvme_sim_card *adc = sc_at(test, C560);
	struct xvme_card *card;
	u8 v8;

	KUNIT_ASSERT_NOT_NULL(test, xvme_crate_find_card(crate, C560));
	KUNIT_EXPECT_TRUE(test, xvme_sim_get_present(adc));

	/* pulled out: no device, bus errors, the neighbours untouched */
	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(adc, false), 0);
	KUNIT_EXPECT_FALSE(test, xvme_sim_get_present(adc));
	KUNIT_EXPECT_NULL(test, xvme_crate_find_card(crate, C560));
	KUNIT_EXPECT_EQ(test, crate->ops->read8(crate, C560 + 1, &v8), -EIO);
	KUNIT_EXPECT_EQ(test, crate->ops->write16(crate, C560 + 0x80, 0x80),
			-EIO);
	KUNIT_EXPECT_NOT_NULL(test, xvme_crate_find_card(crate, C560U));
	KUNIT_EXPECT_EQ(test, rd8(test, C560U + 1), 'V');
	/* pulling an empty slot again is no error and changes nothing */
	KUNIT_EXPECT_EQ(test, xvme_sim_set_present(adc, false), 0);

	/* put back: power-on reset, a new device that passed its test */
	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(adc, true), 0);
	KUNIT_EXPECT_TRUE(test, xvme_sim_get_present(adc));
	card = xvme_crate_find_card(crate, C560);
	KUNIT_ASSERT_NOT_NULL(test, card);
	KUNIT_EXPECT_EQ(test, card->model, XVME_MODEL_560);
	KUNIT_EXPECT_STREQ(test, card->id, "VMEIDXYC560A");
	KUNIT_EXPECT_TRUE(test, xvme_card_selftest_passed(card));
	KUNIT_EXPECT_EQ(test, rd8(test, C560 + 1), 'V');
	KUNIT_EXPECT_EQ(test, xvme_sim_set_present(adc, true), 0);
	KUNIT_EXPECT_PTR_EQ(test, xvme_crate_find_card(crate, C560), card);

	/* the core refuses what is no slot of this crate */
	KUNIT_EXPECT_EQ(test, xvme_crate_card_inserted(crate, C560 + 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_crate_card_inserted(crate, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_crate_card_inserted(crate, 0x2000), -EIO);
	KUNIT_EXPECT_EQ(test, xvme_crate_card_inserted(crate, C560), -EEXIST);
	KUNIT_EXPECT_EQ(test, xvme_crate_card_removed(crate, 0x2000),
			-ENODEV);
}

/* Out of its slot a card has no power: every relay drops. */
static void xvme_sim_hotplug_outputs_drop(struct kunit *test)
{
	struct xvme_sim_card *relays = sc_at(test, C260);
	u32 out;

	wr16(test, C260 + 0x88, 0x0005);
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relays, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0x5u);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(relays, false), 0);
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relays, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0u);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(relays, true), 0);
	KUNIT_EXPECT_EQ(test, rd16(test, C260 + 0x88), 0);
}

/*
 * A card that answers with bus errors has no device; putting it in again
 * reports that, and once it answers the same write adds it.
 */
static void xvme_sim_hotplug_dead_card(struct kunit *test)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;
	struct xvme_sim_card *ttl = sc_at(test, C240);

	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(ttl, false), 0);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(ttl, XVME_SIM_FAULT_ABSENT), 0);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_present(ttl, true), -EIO);
	KUNIT_EXPECT_TRUE(test, xvme_sim_get_present(ttl));
	KUNIT_EXPECT_NULL(test, xvme_crate_find_card(crate, C240));
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(ttl, XVME_SIM_FAULT_NONE), 0);
	KUNIT_EXPECT_EQ(test, xvme_sim_set_present(ttl, true), 0);
	KUNIT_EXPECT_NOT_NULL(test, xvme_crate_find_card(crate, C240));

	/* a card put back with a corrupt ID PROM is there, and failed */
	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(ttl, false), 0);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(ttl, XVME_SIM_FAULT_BAD_ID), 0);
	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(ttl, true), 0);
	KUNIT_ASSERT_NOT_NULL(test, xvme_crate_find_card(crate, C240));
	KUNIT_EXPECT_FALSE(test,
			   xvme_card_selftest_passed(xvme_crate_find_card(crate,
									  C240)));
}

/* Two crates: their cards have names of their own. */
static void xvme_sim_second_crate(struct kunit *test)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;
	struct xvme_sim *second;
	struct xvme_card *a, *b;

	second = xvme_sim_create("560@0x0c00", false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(second));
	a = xvme_crate_find_card(crate, C560);
	b = xvme_crate_find_card(xvme_sim_crate(second), C560);
	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_NOT_NULL(test, b);
	if (a && b) {
		KUNIT_EXPECT_NE(test, crate->index,
				xvme_sim_crate(second)->index);
		KUNIT_EXPECT_STRNEQ(test, dev_name(&a->dev), dev_name(&b->dev));
	}
	/* pulling a card of one crate leaves the other's alone */
	KUNIT_EXPECT_EQ(test, xvme_sim_set_present(xvme_sim_card_at(second,
								    C560),
						   false), 0);
	KUNIT_EXPECT_PTR_EQ(test, xvme_crate_find_card(crate, C560), a);
	xvme_sim_destroy(second);
}

#if IS_BUILTIN(CONFIG_XVME_240) || IS_BUILTIN(CONFIG_XVME_260)
static int xvme_sim_kunit_gc_match(struct gpio_chip *gc, void *data)
{
	return gc->label && !strcmp(gc->label, data);
}
#endif

#if IS_BUILTIN(CONFIG_XVME_260) && IS_ENABLED(CONFIG_GPIOLIB)

/*
 * A relay line held energized (as the daemon's are, through the character
 * device) while its card is pulled: gpiolib removes the chip under the
 * holder, whose later set and release must reach nothing that is gone;
 * the card put back is a new chip whose lines can be taken again.
 */
static void xvme_sim_hotplug_held_line(struct kunit *test)
{
	struct xvme_crate *crate = ((struct xvme_sim_kunit *)test->priv)->crate;
	struct xvme_sim_card *relays = sc_at(test, C260);
	struct xvme_card *card = xvme_crate_find_card(crate, C260);
	struct gpio_desc *desc;
	struct gpio_chip *gc;
	char label[32];
	u32 out;

	KUNIT_ASSERT_NOT_NULL(test, card);
	KUNIT_ASSERT_GE(test, device_attach(&card->dev), 0);
	strscpy(label, dev_name(&card->dev), sizeof(label));
	gc = gpiochip_find(label, xvme_sim_kunit_gc_match);
	KUNIT_ASSERT_NOT_NULL_MSG(test, gc, "no gpiochip %s", label);
	KUNIT_ASSERT_EQ(test, gpio_request(gc->base + 3, "kunit"), 0);
	desc = gpio_to_desc(gc->base + 3);
	KUNIT_ASSERT_NOT_NULL(test, desc);
	KUNIT_ASSERT_EQ(test, gpiod_direction_output(desc, 1), 0);
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relays, &out), 0);
	KUNIT_EXPECT_EQ(test, out, BIT(3));

	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(relays, false), 0);
	KUNIT_EXPECT_NULL(test, gpiochip_find(label, xvme_sim_kunit_gc_match));
	gpiod_set_value_cansleep(desc, 1);	/* "backing chip is gone" */
	KUNIT_EXPECT_LT(test, gpiod_get_value_cansleep(desc), 1);
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relays, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0u);
	gpiod_put(desc);			/* the holder lets go */

	KUNIT_ASSERT_EQ(test, xvme_sim_set_present(relays, true), 0);
	gc = gpiochip_find(label, xvme_sim_kunit_gc_match);
	KUNIT_ASSERT_NOT_NULL_MSG(test, gc, "no gpiochip %s after re-insertion",
				  label);
	KUNIT_ASSERT_EQ(test, gpio_request(gc->base + 3, "kunit"), 0);
	desc = gpio_to_desc(gc->base + 3);
	KUNIT_ASSERT_NOT_NULL(test, desc);
	KUNIT_EXPECT_EQ(test, gpiod_direction_output(desc, 1), 0);
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relays, &out), 0);
	KUNIT_EXPECT_EQ(test, out, BIT(3));
	gpiod_put(desc);	/* released: de-energized by the driver */
	KUNIT_ASSERT_EQ(test, xvme_sim_get_relays(relays, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0u);
}
#endif

#if IS_BUILTIN(CONFIG_XVME_240)
/*
 * More TTL lines than the global GPIO number space holds (80 per card):
 * every card still gets its chip, the last ones numbered beyond it, and
 * their lines work.
 */
static void xvme_sim_gpio_numbers_beyond(struct kunit *test)
{
	unsigned int n = ARCH_NR_GPIOS / 80 + 2, i, beyond = 0;
	struct gpio_chip *gc = NULL;
	struct xvme_sim *big;
	char *cards, label[32];
	u8 flags;

	cards = kunit_kzalloc(test, n * 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cards);
	for (i = 0; i < n; i++)
		sprintf(cards + strlen(cards), "%s240@0x%04x", i ? "," : "",
			(i + 1) * XVME_SLOT_SIZE);
	big = xvme_sim_create(cards, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(big));

	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "xvme%d-%04x",
			 xvme_sim_crate(big)->index, (i + 1) * XVME_SLOT_SIZE);
		gc = gpiochip_find(label, xvme_sim_kunit_gc_match);
		KUNIT_EXPECT_NOT_NULL_MSG(test, gc, "no gpiochip %s", label);
		if (gc && gc->base >= ARCH_NR_GPIOS)
			beyond++;
	}
	KUNIT_EXPECT_GT(test, beyond, 0u);
	/* the last chip: flag0 (line 72) driven through its number */
	if (gc && gc->base >= ARCH_NR_GPIOS) {
		KUNIT_EXPECT_EQ(test, gpio_request(gc->base + 72, "kunit"), 0);
		KUNIT_EXPECT_EQ(test,
				gpiod_direction_output(gpio_to_desc(gc->base + 72),
						       1), 0);
		KUNIT_EXPECT_EQ(test,
				xvme_sim_get_flags(xvme_sim_card_at(big,
								    n * XVME_SLOT_SIZE),
						   &flags), 0);
		KUNIT_EXPECT_EQ(test, flags, 1);
		gpio_free(gc->base + 72);
	}
	xvme_sim_destroy(big);
}
#endif

static struct kunit_case xvme_sim_cases[] = {
	KUNIT_CASE(xvme_sim_id_prom),
	KUNIT_CASE(xvme_sim_bus_errors),
	KUNIT_CASE(xvme_sim_plant_bad_input),
	KUNIT_CASE(xvme_sim_bad_card_lists),
	KUNIT_CASE(xvme_sim_240_reset),
	KUNIT_CASE(xvme_sim_240_no_reset_clear),
	KUNIT_CASE(xvme_sim_240_byte_lanes),
	KUNIT_CASE(xvme_sim_240_irq_latch),
	KUNIT_CASE(xvme_sim_240_irq_threaded),
	KUNIT_CASE(xvme_sim_240_irq_by_vector),
	KUNIT_CASE(xvme_sim_240_shared_level),
	KUNIT_CASE(xvme_sim_260_relays),
	KUNIT_CASE(xvme_sim_560_conversion),
	KUNIT_CASE(xvme_sim_560_noise),
	KUNIT_CASE(xvme_sim_560_stuck),
	KUNIT_CASE(xvme_sim_560_error),
	KUNIT_CASE(xvme_sim_560_reset),
	KUNIT_CASE(xvme_sim_hotplug_cycle),
	KUNIT_CASE(xvme_sim_hotplug_outputs_drop),
	KUNIT_CASE(xvme_sim_hotplug_dead_card),
	KUNIT_CASE(xvme_sim_second_crate),
#if IS_BUILTIN(CONFIG_XVME_260) && IS_ENABLED(CONFIG_GPIOLIB)
	KUNIT_CASE(xvme_sim_hotplug_held_line),
#endif
#if IS_BUILTIN(CONFIG_XVME_240)
	KUNIT_CASE(xvme_sim_gpio_numbers_beyond),
#endif
	{}
};

static struct kunit_suite xvme_sim_suite = {
	.name = "xvme_sim",
	.init = xvme_sim_kunit_init,
	.exit = xvme_sim_kunit_exit,
	.test_cases = xvme_sim_cases,
};

kunit_test_suite(xvme_sim_suite);

MODULE_LICENSE("GPL");
