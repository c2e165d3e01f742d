// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the xvme bus core: ID PROM parsing, the slot scan over
 * the simulated crate (present, absent, slot 0 rules), the card devices'
 * attributes, the register maps the core builds from a driver's
 * description, the power-on test framework, LED and shutdown operations
 * with a test driver.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/regmap.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "xvme.h"
#include "xvme-internal.h"
#include "xvme-sim.h"

MODULE_IMPORT_NS(XVME_KUNIT);

/* ------------------------------------------------------------- ID PROM */

static void xvme_kunit_fill_id(u8 raw[XVME_ID_CHARS], const char *text)
{
	memset(raw, ' ', XVME_ID_CHARS);
	memcpy(raw, text, strlen(text));
}

static void xvme_id_good(struct kunit *test)
{
	static const struct {
		const char *text;
		enum xvme_model model;
	} cases[] = {
		{ "VMEIDXYC240A", XVME_MODEL_240 },
		{ "VMEIDXYC260B", XVME_MODEL_260 },
		{ "VMEIDXYC560Z", XVME_MODEL_560 },
	};
	char id[XVME_ID_CHARS + 1];
	u8 raw[XVME_ID_CHARS];
	enum xvme_model model;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		xvme_kunit_fill_id(raw, cases[i].text);
		KUNIT_EXPECT_EQ(test, xvme_id_parse(raw, id, &model), 0);
		KUNIT_EXPECT_EQ(test, model, cases[i].model);
		/* trailing spaces trimmed */
		KUNIT_EXPECT_STREQ(test, id, cases[i].text);
	}
}

static void xvme_id_corrupt(struct kunit *test)
{
	static const char * const bad[] = {
		"VMEIDXYD560A",		/* prefix */
		"vmeidxyc560A",		/* prefix case */
		"VMEIDXYC5x0A",		/* model not digits */
		"VMEIDXYC560a",		/* revision not an upper-case letter */
		"VMEIDXYC560 ",		/* no revision */
		"VMEIDXYC560AB",	/* junk in the padding */
		"                ",	/* blank but spaces */
	};
	char id[XVME_ID_CHARS + 1];
	u8 raw[XVME_ID_CHARS];
	enum xvme_model model;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		xvme_kunit_fill_id(raw, bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, xvme_id_parse(raw, id, &model),
				    -EBADMSG, "id \"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, model, XVME_MODEL_UNKNOWN);
	}
	/* the id attribute still shows what is there */
	xvme_kunit_fill_id(raw, "VMEIDXYD560A");
	xvme_id_parse(raw, id, &model);
	KUNIT_EXPECT_STREQ(test, id, "VMEIDXYD560A");
	KUNIT_EXPECT_STREQ(test, xvme_id_strerror(-EBADMSG),
			   "not VMEIDXYC<model><rev>");
}

static void xvme_id_short(struct kunit *test)
{
	char id[XVME_ID_CHARS + 1];
	u8 raw[XVME_ID_CHARS];
	enum xvme_model model;

	xvme_kunit_fill_id(raw, "VMEIDXYC560A");
	raw[12] = '\0';		/* the PROM ends early */
	KUNIT_EXPECT_EQ(test, xvme_id_parse(raw, id, &model), -ENODATA);
	KUNIT_EXPECT_EQ(test, model, XVME_MODEL_UNKNOWN);
	KUNIT_EXPECT_STREQ(test, id, "VMEIDXYC560A");

	memset(raw, 0, sizeof(raw));	/* blank PROM */
	KUNIT_EXPECT_EQ(test, xvme_id_parse(raw, id, &model), -ENODATA);
	KUNIT_EXPECT_STREQ(test, id, "");
}

static void xvme_id_not_ascii(struct kunit *test)
{
	char id[XVME_ID_CHARS + 1];
	u8 raw[XVME_ID_CHARS];
	enum xvme_model model;

	xvme_kunit_fill_id(raw, "VMEIDXYC560A");
	raw[9] |= 0x80;
	KUNIT_EXPECT_EQ(test, xvme_id_parse(raw, id, &model), -EILSEQ);
	KUNIT_EXPECT_EQ(test, model, XVME_MODEL_UNKNOWN);
	KUNIT_EXPECT_STREQ(test, id, "VMEIDXYC5?0A");

	memset(raw, 0xff, sizeof(raw));	/* erased PROM, undriven bus */
	KUNIT_EXPECT_EQ(test, xvme_id_parse(raw, id, &model), -EILSEQ);

	xvme_kunit_fill_id(raw, "VMEIDXYC560A");
	raw[20] = '\t';			/* control character */
	KUNIT_EXPECT_EQ(test, xvme_id_parse(raw, id, &model), -EILSEQ);
}

static void xvme_id_unknown_model(struct kunit *test)
{
	char id[XVME_ID_CHARS + 1];
	u8 raw[XVME_ID_CHARS];
	enum xvme_model model;

	xvme_kunit_fill_id(raw, "VMEIDXYC212C");
	KUNIT_EXPECT_EQ(test, xvme_id_parse(raw, id, &model), -ENODEV);
	KUNIT_EXPECT_EQ(test, model, XVME_MODEL_UNKNOWN);
	KUNIT_EXPECT_STREQ(test, id, "VMEIDXYC212C");
}

static struct kunit_case xvme_id_cases[] = {
	KUNIT_CASE(xvme_id_good),
	KUNIT_CASE(xvme_id_corrupt),
	KUNIT_CASE(xvme_id_short),
	KUNIT_CASE(xvme_id_not_ascii),
	KUNIT_CASE(xvme_id_unknown_model),
	{}
};

static struct kunit_suite xvme_id_suite = {
	.name = "xvme_id",
	.test_cases = xvme_id_cases,
};

/* ----------------------------------------------------------- the bus */

/*
 * What a test created, undone by the suite's exit even when an assertion
 * ended the test early: crates first (that unbinds test drivers), then
 * the test drivers.
 */
struct xvme_kunit_ctx {
	struct xvme_sim *sims[4];
	unsigned int nsims;
	struct xvme_driver *drivers[2];
	unsigned int ndrivers;
};

static int xvme_kunit_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct xvme_kunit_ctx),
				   GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void xvme_kunit_exit(struct kunit *test)
{
	struct xvme_kunit_ctx *ctx = test->priv;

	while (ctx->nsims)
		xvme_sim_destroy(ctx->sims[--ctx->nsims]);
	while (ctx->ndrivers)
		xvme_driver_unregister(ctx->drivers[--ctx->ndrivers]);
}

/* A simulated crate that goes away with the test, whatever happens. */
static struct xvme_sim *xvme_kunit_sim(struct kunit *test, const char *cards,
				       bool slot0)
{
	struct xvme_kunit_ctx *ctx = test->priv;
	struct xvme_sim *sim;

	KUNIT_ASSERT_LT(test, ctx->nsims, ARRAY_SIZE(ctx->sims));
	sim = xvme_sim_create(cards, slot0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sim);
	ctx->sims[ctx->nsims++] = sim;
	return sim;
}

/* Call an attribute's show/store the way sysfs does. */
static struct device_attribute *xvme_kunit_attr(struct kunit *test,
						struct device *dev,
						const char *name)
{
	const struct attribute_group **groups = dev->type->groups;
	struct attribute **attr;

	for (; *groups; groups++)
		for (attr = (*groups)->attrs; *attr; attr++)
			if (!strcmp((*attr)->name, name))
				return container_of(*attr,
						    struct device_attribute,
						    attr);
	KUNIT_FAIL(test, "%s has no attribute %s", dev_name(dev), name);
	return NULL;
}

static char *xvme_kunit_show(struct kunit *test, struct device *dev,
			     const char *name)
{
	struct device_attribute *attr = xvme_kunit_attr(test, dev, name);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	ssize_t len;

	KUNIT_ASSERT_NOT_NULL(test, attr);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = attr->show(dev, attr, buf);
	KUNIT_ASSERT_GE_MSG(test, len, 0, "%s/%s", dev_name(dev), name);
	return buf;
}

static ssize_t xvme_kunit_store(struct kunit *test, struct device *dev,
				const char *name, const char *value)
{
	struct device_attribute *attr = xvme_kunit_attr(test, dev, name);

	KUNIT_ASSERT_NOT_NULL(test, attr);
	return attr->store(dev, attr, value, strlen(value));
}

static const char xvme_kunit_crate[] =
	"240@0x0400,260@0x0800,560@0x0c00,560@0x1000:bad-id";

static void xvme_scan_present_absent(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, xvme_kunit_crate, false);
	struct xvme_crate *crate = xvme_sim_crate(sim);
	char expect[256];
	unsigned int slot;
	int n = 0;

	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &crate->dev, "backend"),
			   "sim\n");
	snprintf(expect, sizeof(expect),
		 "0x0400 240 VMEIDXYC240A\n0x0800 260 VMEIDXYC260A\n"
		 "0x0c00 560 VMEIDXYC560A\n0x1000 unknown VMEIDXYC???A\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &crate->dev, "scan"),
			   expect);
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &crate->dev, "slots_absent"),
			   "59\n");

	for (slot = 0; slot < XVME_SLOTS; slot++)
		if (xvme_crate_find_card(crate, slot * XVME_SLOT_SIZE))
			n++;
	KUNIT_EXPECT_EQ(test, n, 4);

	/* a card pulled out (bus errors) is absent from the next scan */
	KUNIT_ASSERT_EQ(test, xvme_sim_set_fault(xvme_sim_card_at(sim, 0x0800),
						 XVME_SIM_FAULT_ABSENT), 0);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &crate->dev, "scan"),
			   "0x0400 240 VMEIDXYC240A\n0x0c00 560 VMEIDXYC560A\n"
			   "0x1000 unknown VMEIDXYC???A\n");
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &crate->dev, "slots_absent"),
			   "60\n");
}

static void xvme_scan_slot0(struct kunit *test)
{
	struct xvme_sim *sim;
	struct xvme_crate *crate;

	/* default: slot 0 is the CPU's GCSR, never probed */
	sim = xvme_kunit_sim(test, "240@0x0000,260@0xfc00", false);
	crate = xvme_sim_crate(sim);
	KUNIT_EXPECT_NULL(test, xvme_crate_find_card(crate, 0x0000));
	KUNIT_EXPECT_NOT_NULL(test, xvme_crate_find_card(crate, 0xfc00));
	KUNIT_EXPECT_EQ(test, crate->slots_absent, 62U);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &crate->dev, "scan"),
			   "0xfc00 260 VMEIDXYC260A\n");

	/* usable: probed like any other */
	sim = xvme_kunit_sim(test, "240@0x0000,260@0xfc00", true);
	crate = xvme_sim_crate(sim);
	KUNIT_EXPECT_NOT_NULL(test, xvme_crate_find_card(crate, 0x0000));
	KUNIT_EXPECT_EQ(test, crate->slots_absent, 62U);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &crate->dev, "scan"),
			   "0x0000 240 VMEIDXYC240A\n0xfc00 260 VMEIDXYC260A\n");

	/* empty and slot 0 usable: all 64 absent */
	sim = xvme_kunit_sim(test, "", true);
	KUNIT_EXPECT_EQ(test, xvme_sim_crate(sim)->slots_absent, 64U);
}

static void xvme_card_attributes(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, xvme_kunit_crate, false);
	struct xvme_crate *crate = xvme_sim_crate(sim);
	struct xvme_card *card;
	char name[32];

	card = xvme_crate_find_card(crate, 0x0c00);
	KUNIT_ASSERT_NOT_NULL(test, card);
	snprintf(name, sizeof(name), "xvme%d-0c00", crate->index);
	KUNIT_EXPECT_STREQ(test, dev_name(&card->dev), name);
	KUNIT_EXPECT_PTR_EQ(test, card->dev.parent, &crate->dev);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "model"),
			   "560\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "address"),
			   "0x0c00\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "id"),
			   "VMEIDXYC560A\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "modalias"),
			   "xvme:m560\n");
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &card->dev, "selftest"),
			   "pass\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "green\n");
	/* only the 240 interrupts */
	KUNIT_EXPECT_LT(test, card->irq, 0);
	KUNIT_EXPECT_GT(test, xvme_crate_find_card(crate, 0x0400)->irq, 0);

	card = xvme_crate_find_card(crate, 0x0800);
	KUNIT_ASSERT_NOT_NULL(test, card);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "off\n");
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &card->dev, "selftest"),
			   "pass\n");

	card = xvme_crate_find_card(crate, 0x1000);
	KUNIT_ASSERT_NOT_NULL(test, card);
	KUNIT_EXPECT_EQ(test, card->model, XVME_MODEL_UNKNOWN);
	KUNIT_EXPECT_NULL(test, card->dev.driver);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "model"),
			   "unknown\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "id"),
			   "VMEIDXYC???A\n");
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &card->dev, "selftest"),
			   "fail: ID PROM not ASCII\n");
	KUNIT_EXPECT_FALSE(test, xvme_card_selftest_passed(card));
	/* no driver knows its LEDs */
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "unknown\n");
	KUNIT_EXPECT_NULL(test, card->regmap8);
	KUNIT_EXPECT_NULL(test, card->regmap16);
}

/* ---------------------------------------------- the power-on framework */

struct xvme_kunit_driver {
	struct xvme_driver drv;
	int selftest_runs;
	int selftest_result;
	bool busy;
	bool probed_after_selftest;
	char selftest_at_probe[XVME_SELFTEST_LEN];
	int removed;
	int shutdowns;
	enum xvme_led led;
	int set_led_calls;
};

static struct xvme_kunit_driver *to_kunit_driver(struct xvme_card *card)
{
	return container_of(to_xvme_driver(card->dev.driver),
			    struct xvme_kunit_driver, drv);
}

static int xvme_kunit_selftest(struct xvme_card *card, char *reason,
			       size_t len)
{
	struct xvme_kunit_driver *kd = to_kunit_driver(card);

	kd->selftest_runs++;
	if (kd->selftest_result)
		snprintf(reason, len, "outputs not cleared by reset");
	return kd->selftest_result;
}

static int xvme_kunit_set_led(struct xvme_card *card, enum xvme_led led)
{
	struct xvme_kunit_driver *kd = to_kunit_driver(card);

	kd->set_led_calls++;
	kd->led = led;
	return 0;
}

static int xvme_kunit_get_led(struct xvme_card *card, enum xvme_led *led)
{
	*led = to_kunit_driver(card)->led;
	return 0;
}

static bool xvme_kunit_busy(struct xvme_card *card)
{
	return to_kunit_driver(card)->busy;
}

static int xvme_kunit_probe(struct xvme_card *card)
{
	struct xvme_kunit_driver *kd = to_kunit_driver(card);

	kd->probed_after_selftest = kd->selftest_runs > 0;
	mutex_lock(&card->state_lock);
	strscpy(kd->selftest_at_probe, card->selftest,
		sizeof(kd->selftest_at_probe));
	mutex_unlock(&card->state_lock);
	return 0;
}

static void xvme_kunit_remove(struct xvme_card *card)
{
	to_kunit_driver(card)->removed++;
}

static void xvme_kunit_shutdown(struct xvme_card *card)
{
	to_kunit_driver(card)->shutdowns++;
}

/* Every offset of the 1 KiB readable, except the D8 0x3ff "precious" one. */
static bool xvme_kunit_precious(struct device *dev, unsigned int reg)
{
	return reg == 0x3ff;
}

static const struct regmap_config xvme_kunit_regmap8 = {
	.precious_reg = xvme_kunit_precious,
};

/* The D16 map of a card that decodes 0x80..0x8f only. */
static const struct regmap_range xvme_kunit_d16_range[] = {
	regmap_reg_range(0x80, 0x8e),
};

static const struct regmap_access_table xvme_kunit_d16_table = {
	.yes_ranges = xvme_kunit_d16_range,
	.n_yes_ranges = ARRAY_SIZE(xvme_kunit_d16_range),
};

static const struct regmap_config xvme_kunit_regmap16 = {
	.max_register = 0x8e,
	.rd_table = &xvme_kunit_d16_table,
	.wr_table = &xvme_kunit_d16_table,
};

/*
 * Bind a test driver to the card, in place of the real one if that is
 * built in. Destroying the crate (registered before this) unbinds it.
 */
static struct xvme_kunit_driver *xvme_kunit_bind(struct kunit *test,
						 struct xvme_card *card,
						 int selftest_result)
{
	struct xvme_kunit_ctx *ctx = test->priv;
	struct xvme_kunit_driver *kd = kunit_kzalloc(test, sizeof(*kd),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kd);
	kd->selftest_result = selftest_result;
	kd->drv.driver.name = "xvme-kunit";
	kd->drv.model = card->model;
	kd->drv.regmap8 = &xvme_kunit_regmap8;
	kd->drv.regmap16 = &xvme_kunit_regmap16;
	kd->drv.selftest = xvme_kunit_selftest;
	kd->drv.set_led = xvme_kunit_set_led;
	kd->drv.get_led = xvme_kunit_get_led;
	kd->drv.busy = xvme_kunit_busy;
	kd->drv.probe = xvme_kunit_probe;
	kd->drv.remove = xvme_kunit_remove;
	kd->drv.shutdown = xvme_kunit_shutdown;
	KUNIT_ASSERT_LT(test, ctx->ndrivers, ARRAY_SIZE(ctx->drivers));
	KUNIT_ASSERT_EQ(test, xvme_driver_register(&kd->drv), 0);
	ctx->drivers[ctx->ndrivers++] = &kd->drv;

	/* it may have bound already if no real driver is built in */
	device_release_driver(&card->dev);
	kd->selftest_runs = 0;
	kd->removed = 0;
	kd->set_led_calls = 0;
	KUNIT_ASSERT_EQ(test, device_driver_attach(&kd->drv.driver,
						   &card->dev), 0);
	return kd;
}

/*
 * The maps the core builds from the driver's description reach the card's
 * registers at base + offset, big-endian, refuse what the driver says the
 * card does not decode, and exist while the driver is bound.
 */
static void xvme_card_regmaps(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, "240@0x0400", false);
	struct xvme_card *card = xvme_crate_find_card(xvme_sim_crate(sim),
						      0x0400);
	unsigned int val;

	KUNIT_ASSERT_NOT_NULL(test, card);
	xvme_kunit_bind(test, card, 0);
	KUNIT_ASSERT_NOT_NULL(test, card->regmap8);
	KUNIT_ASSERT_NOT_NULL(test, card->regmap16);
	KUNIT_EXPECT_PTR_EQ(test, dev_get_regmap(&card->dev, "d8"),
			    card->regmap8);
	KUNIT_EXPECT_PTR_EQ(test, dev_get_regmap(&card->dev, "d16"),
			    card->regmap16);

	KUNIT_EXPECT_EQ(test, regmap_read(card->regmap8, 0x01, &val), 0);
	KUNIT_EXPECT_EQ(test, val, (unsigned int)'V');
	KUNIT_EXPECT_EQ(test, regmap_write(card->regmap8, 0x87, 0x03), 0);
	KUNIT_EXPECT_EQ(test, regmap_write(card->regmap16, 0x88, 0x1234), 0);
	KUNIT_EXPECT_EQ(test, regmap_read(card->regmap8, 0x88, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0x12U);
	KUNIT_EXPECT_EQ(test, regmap_read(card->regmap8, 0x89, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0x34U);
	KUNIT_EXPECT_EQ(test, regmap_read(card->regmap16, 0x88, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0x1234U);

	/* what the driver says is not there, or odd for D16: refused */
	KUNIT_EXPECT_NE(test, regmap_read(card->regmap16, 0x00, &val), 0);
	KUNIT_EXPECT_NE(test, regmap_read(card->regmap16, 0x90, &val), 0);
	KUNIT_EXPECT_NE(test, regmap_read(card->regmap16, 0x89, &val), 0);
	KUNIT_EXPECT_NE(test, regmap_read(card->regmap8, 0x400, &val), 0);

	/* a bus error reaches the caller */
	xvme_sim_set_fault(xvme_sim_card_at(sim, 0x0400),
			   XVME_SIM_FAULT_ABSENT);
	KUNIT_EXPECT_EQ(test, regmap_read(card->regmap8, 0x80, &val), -EIO);
	xvme_sim_set_fault(xvme_sim_card_at(sim, 0x0400), XVME_SIM_FAULT_NONE);

	/* unbound: gone with the binding */
	device_release_driver(&card->dev);
	KUNIT_EXPECT_NULL(test, card->regmap8);
	KUNIT_EXPECT_NULL(test, card->regmap16);
	KUNIT_EXPECT_NULL(test, dev_get_regmap(&card->dev, "d8"));
}

static void xvme_selftest_bind_order(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, "240@0x0400", false);
	struct xvme_card *card = xvme_crate_find_card(xvme_sim_crate(sim),
						      0x0400);
	struct xvme_kunit_driver *kd;

	KUNIT_ASSERT_NOT_NULL(test, card);
	kd = xvme_kunit_bind(test, card, 0);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 1);
	KUNIT_EXPECT_TRUE(test, kd->probed_after_selftest);
	KUNIT_EXPECT_STREQ(test, kd->selftest_at_probe, "pass");
	KUNIT_EXPECT_TRUE(test, xvme_card_selftest_passed(card));
	/* the driver lit its LEDs after the test */
	KUNIT_EXPECT_EQ(test, kd->set_led_calls, 1);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "green\n");

	device_release_driver(&card->dev);
	KUNIT_EXPECT_EQ(test, kd->removed, 1);
}

static void xvme_selftest_driver_fails(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, "240@0x0400", false);
	struct xvme_card *card = xvme_crate_find_card(xvme_sim_crate(sim),
						      0x0400);
	struct xvme_kunit_driver *kd;

	KUNIT_ASSERT_NOT_NULL(test, card);
	kd = xvme_kunit_bind(test, card, -EIO);
	/* a card that failed still binds, so diagnostics can read why */
	KUNIT_EXPECT_PTR_EQ(test, card->dev.driver, &kd->drv.driver);
	KUNIT_EXPECT_STREQ(test, kd->selftest_at_probe,
			   "fail: outputs not cleared by reset");
	KUNIT_EXPECT_FALSE(test, xvme_card_selftest_passed(card));
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "red\n");
	KUNIT_EXPECT_EQ(test, kd->led, XVME_LED_RED);

	/* fixed: a retest passes and turns the LED green */
	kd->selftest_result = 0;
	KUNIT_EXPECT_EQ(test, xvme_kunit_store(test, &card->dev, "retest",
					       "1"), 1);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 2);
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &card->dev, "selftest"),
			   "pass\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "green\n");
}

static void xvme_selftest_retest(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, "560@0x0c00", false);
	struct xvme_card *card = xvme_crate_find_card(xvme_sim_crate(sim),
						      0x0c00);
	struct xvme_kunit_driver *kd;

	KUNIT_ASSERT_NOT_NULL(test, card);
	kd = xvme_kunit_bind(test, card, 0);

	kd->busy = true;
	KUNIT_EXPECT_EQ(test, xvme_kunit_store(test, &card->dev, "retest",
					       "1"), -EBUSY);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 1);
	kd->busy = false;

	KUNIT_EXPECT_EQ(test, xvme_kunit_store(test, &card->dev, "retest",
					       "0"), -EINVAL);
	KUNIT_EXPECT_EQ(test, xvme_kunit_store(test, &card->dev, "retest",
					       "banana"), -EINVAL);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 1);

	/* the ID PROM goes bad: the core's stage fails, the driver's is
	 * not run, the LED turns red
	 */
	xvme_sim_set_fault(xvme_sim_card_at(sim, 0x0c00),
			   XVME_SIM_FAULT_BAD_ID);
	KUNIT_EXPECT_EQ(test, xvme_kunit_store(test, &card->dev, "retest",
					       "1\n"), 2);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 1);
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &card->dev, "selftest"),
			   "fail: ID PROM not ASCII\n");
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "red\n");

	xvme_sim_set_fault(xvme_sim_card_at(sim, 0x0c00),
			   XVME_SIM_FAULT_NONE);
	KUNIT_EXPECT_EQ(test, xvme_card_run_selftest(card), 0);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 2);
	KUNIT_EXPECT_STREQ(test, xvme_kunit_show(test, &card->dev, "led"),
			   "green\n");

	/* a bus error during the test is a failure with its reason */
	xvme_sim_set_fault(xvme_sim_card_at(sim, 0x0c00),
			   XVME_SIM_FAULT_ABSENT);
	KUNIT_EXPECT_EQ(test, xvme_card_run_selftest(card), -EIO);
	KUNIT_EXPECT_STREQ(test,
			   xvme_kunit_show(test, &card->dev, "selftest"),
			   "fail: ID PROM bus error\n");
	xvme_sim_set_fault(xvme_sim_card_at(sim, 0x0c00),
			   XVME_SIM_FAULT_NONE);
}

struct xvme_kunit_selftest_thread {
	struct xvme_card *card;
	struct completion done;
	int result;
};

static int xvme_kunit_selftest_thread(void *data)
{
	struct xvme_kunit_selftest_thread *t = data;

	t->result = xvme_card_run_selftest(t->card);
	complete(&t->done);
	return 0;
}

/*
 * xvme_card_run_selftest() takes the device lock: it cannot run the
 * driver's stage while the driver core binds or unbinds it.
 */
static void xvme_selftest_takes_device_lock(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, "560@0x0c00", false);
	struct xvme_card *card = xvme_crate_find_card(xvme_sim_crate(sim),
						      0x0c00);
	struct xvme_kunit_selftest_thread *t;
	struct xvme_kunit_driver *kd;
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, card);
	kd = xvme_kunit_bind(test, card, 0);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->card = card;
	init_completion(&t->done);

	device_lock(&card->dev);
	task = kthread_run(xvme_kunit_selftest_thread, t, "xvme-kunit-test");
	if (IS_ERR(task)) {
		device_unlock(&card->dev);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&t->done,
							  msecs_to_jiffies(100)),
			0UL);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 1);
	device_unlock(&card->dev);
	wait_for_completion(&t->done);
	KUNIT_EXPECT_EQ(test, t->result, 0);
	KUNIT_EXPECT_EQ(test, kd->selftest_runs, 2);
}

static irqreturn_t xvme_kunit_no_thread(int irq, void *data)
{
	return IRQ_HANDLED;
}

/* Call the bus's shutdown on a device the way device_shutdown() does. */
static void xvme_kunit_shutdown_device(struct device *dev)
{
	device_lock(dev);
	xvme_bus_type.shutdown(dev);
	device_unlock(dev);
}

/*
 * The system goes down: the bus runs the bound driver's ->shutdown for
 * every card (none for an unbound one), then the crate's backend stops.
 */
static void xvme_bus_shutdown_path(struct kunit *test)
{
	struct xvme_sim *sim = xvme_kunit_sim(test, "240@0x0400,560@0x0c00",
					      false);
	struct xvme_crate *crate = xvme_sim_crate(sim);
	struct xvme_card *card = xvme_crate_find_card(crate, 0x0c00);
	struct xvme_card *ttl = xvme_crate_find_card(crate, 0x0400);
	struct xvme_kunit_driver *kd;

	KUNIT_ASSERT_NOT_NULL(test, card);
	KUNIT_ASSERT_NOT_NULL(test, ttl);
	KUNIT_ASSERT_NOT_NULL(test, xvme_bus_type.shutdown);
	kd = xvme_kunit_bind(test, card, 0);
	xvme_kunit_shutdown_device(&card->dev);
	KUNIT_EXPECT_EQ(test, kd->shutdowns, 1);

	device_release_driver(&card->dev);
	xvme_kunit_shutdown_device(&card->dev);
	KUNIT_EXPECT_EQ(test, kd->shutdowns, 1);

	/* the 240's interrupt level works until the crate shuts down */
	device_release_driver(&ttl->dev);
	KUNIT_ASSERT_EQ(test, request_threaded_irq(ttl->irq, NULL,
						   xvme_kunit_no_thread,
						   IRQF_ONESHOT, "kunit", kd),
			0);
	KUNIT_EXPECT_TRUE(test, xvme_sim_irq_level_enabled(sim,
							   XVME_SIM_IRQ_LEVEL_DEFAULT));
	xvme_kunit_shutdown_device(&crate->dev);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_level_enabled(sim,
							    XVME_SIM_IRQ_LEVEL_DEFAULT));
	free_irq(ttl->irq, kd);
}

/* A backend whose slots are all empty. */
static int xvme_kunit_read8_absent(struct xvme_crate *crate, u16 addr, u8 *val)
{
	return -EIO;
}

static int xvme_kunit_write8_absent(struct xvme_crate *crate, u16 addr, u8 val)
{
	return -EIO;
}

static int xvme_kunit_read16_absent(struct xvme_crate *crate, u16 addr,
				    u16 *val)
{
	return -EIO;
}

static int xvme_kunit_write16_absent(struct xvme_crate *crate, u16 addr,
				     u16 val)
{
	return -EIO;
}

static int xvme_kunit_no_level(struct xvme_crate *crate, u16 base)
{
	return -ENXIO;
}

static void xvme_crate_register_invalid(struct kunit *test)
{
	static const struct xvme_backend_ops no_accessors = { .name = "x" };
	static const struct xvme_backend_ops half_irqs = {
		.name = "x",
		.read8 = xvme_kunit_read8_absent,
		.write8 = xvme_kunit_write8_absent,
		.read16 = xvme_kunit_read16_absent,
		.write16 = xvme_kunit_write16_absent,
		.card_irq_level = xvme_kunit_no_level,
	};

	/* levels without the bridge's level mask */
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(xvme_crate_register(NULL, &half_irqs,
						    NULL, false)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(xvme_crate_register(NULL, &no_accessors,
						    NULL, false)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			PTR_ERR(xvme_crate_register(NULL, NULL, NULL, false)),
			-EINVAL);
}

static struct kunit_case xvme_bus_cases[] = {
	KUNIT_CASE(xvme_scan_present_absent),
	KUNIT_CASE(xvme_scan_slot0),
	KUNIT_CASE(xvme_card_attributes),
	KUNIT_CASE(xvme_card_regmaps),
	KUNIT_CASE(xvme_selftest_bind_order),
	KUNIT_CASE(xvme_selftest_driver_fails),
	KUNIT_CASE(xvme_selftest_retest),
	KUNIT_CASE(xvme_selftest_takes_device_lock),
	KUNIT_CASE(xvme_bus_shutdown_path),
	KUNIT_CASE(xvme_crate_register_invalid),
	{}
};

static struct kunit_suite xvme_bus_suite = {
	.name = "xvme_bus",
	.init = xvme_kunit_init,
	.exit = xvme_kunit_exit,
	.test_cases = xvme_bus_cases,
};

kunit_test_suites(&xvme_id_suite, &xvme_bus_suite);

MODULE_LICENSE("GPL");
