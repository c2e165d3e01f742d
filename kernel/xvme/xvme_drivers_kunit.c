// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the XVME-240, XVME-260 and XVME-560 card drivers against
 * the simulated crate.
 *
 * The drivers are exercised through the interfaces their users have: the
 * gpiolib consumer API on the card's gpiochip (as the gpio character
 * device does), the IIO device's read_raw, the card's sysfs attributes,
 * and child interrupts of the XVME-240. The plant and fault injection of
 * the simulated crate provide the world outside the card.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/iio/iio.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/sysfs.h>

#include "xvme.h"
#include "xvme-sim.h"

#define CARD_BASE	0x0400
#define IRQ_WAIT_MS	2000

/* Line offsets of the XVME-240 (see xvme240.c). */
#define X240_PORT_LINE(p, b)	((p) * 8 + (b))
#define X240_IRQ_LINE(n)	(64 + (n))
#define X240_FLAG_LINE(n)	(72 + (n))
#define X240_IPR		0x82
#define X240_IMR		0x83
#define X240_PDR		0x87

struct drv_test {
	struct xvme_sim *sim;
	struct xvme_sim_card *sc;
	struct xvme_card *card;
	struct gpio_chip *gc;
	struct gpio_desc *descs[80];
};

/* Run @fn(@data) when the test case ends, in reverse order of deferral. */
struct drv_test_deferred {
	void (*fn)(void *data);
	void *data;
};

static int drv_test_deferred_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void drv_test_deferred_free(struct kunit_resource *res)
{
	struct drv_test_deferred *d = res->data;

	d->fn(d->data);
}

static int drv_test_defer(struct kunit *test, void (*fn)(void *), void *data)
{
	struct drv_test_deferred *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	if (d) {
		d->fn = fn;
		d->data = data;
		if (kunit_alloc_resource(test, drv_test_deferred_init,
					 drv_test_deferred_free, GFP_KERNEL, d))
			return 0;
	}
	fn(data);
	return -ENOMEM;
}

static void drv_test_put_card(void *data)
{
	put_device(data);
}

static void drv_test_destroy_sim(void *data)
{
	xvme_sim_destroy(data);
}

static int gc_match_label(struct gpio_chip *gc, void *data)
{
	return !strcmp(gc->label, data);
}

/* A crate with one card at CARD_BASE, bound to its driver. */
static struct drv_test *drv_test_setup(struct kunit *test, const char *cards)
{
	struct drv_test *t;
	struct device *dev;
	char name[32];

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);

	t->sim = xvme_sim_create(cards, false);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(t->sim), "xvme_sim_create(%s): %ld",
			       cards, PTR_ERR(t->sim));
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_destroy_sim, t->sim));
	t->sc = xvme_sim_card_at(t->sim, CARD_BASE);
	KUNIT_ASSERT_NOT_NULL(test, t->sc);

	snprintf(name, sizeof(name), "xvme%d-%04x",
		 xvme_sim_crate(t->sim)->index, CARD_BASE);
	dev = bus_find_device_by_name(&xvme_bus_type, NULL, name);
	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "no card %s", name);
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_put_card, dev));
	t->card = to_xvme_card(dev);
	KUNIT_ASSERT_NOT_NULL_MSG(test, dev->driver, "%s not bound", name);

	t->gc = gpiochip_find((void *)dev_name(dev), gc_match_label);
	return t;
}

static void drv_test_free_lines(void *data)
{
	struct drv_test *t = data;
	int i;

	for (i = 0; i < ARRAY_SIZE(t->descs); i++) {
		if (!IS_ERR_OR_NULL(t->descs[i]))
			gpiochip_free_own_desc(t->descs[i]);
		t->descs[i] = NULL;
	}
}

static struct gpio_desc *drv_test_request(struct kunit *test,
					  struct drv_test *t,
					  unsigned int offset,
					  enum gpiod_flags flags)
{
	struct gpio_desc *desc;

	desc = gpiochip_request_own_desc(t->gc, offset, "kunit",
					 GPIO_LOOKUP_FLAGS_DEFAULT, flags);
	if (!IS_ERR(desc))
		t->descs[offset] = desc;
	return desc;
}

static void drv_test_release(struct drv_test *t, unsigned int offset)
{
	gpiochip_free_own_desc(t->descs[offset]);
	t->descs[offset] = NULL;
}

/* ---------------------------------------------------------- XVME-560 */

static int match_iio(struct device *dev, void *data)
{
	return dev->bus == &iio_bus_type;
}

static struct iio_dev *adc_iio(struct kunit *test, struct drv_test *t)
{
	struct device *dev = device_find_child(&t->card->dev, NULL, match_iio);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_put_card, dev));
	return dev_to_iio_dev(dev);
}

static int adc_read(struct iio_dev *indio_dev, unsigned int ch, long mask,
		    int *val, int *val2)
{
	return indio_dev->info->read_raw(indio_dev, &indio_dev->channels[ch],
					 val, val2, mask);
}

/* The driver's own sysfs attribute of the card, read as sysfs would. */
static long card_attr(struct kunit *test, struct drv_test *t, const char *name)
{
	const struct attribute_group *const *groups;
	struct attribute **attr;
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	long val;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (groups = t->card->dev.driver->dev_groups; groups && *groups; groups++)
		for (attr = (*groups)->attrs; *attr; attr++) {
			struct device_attribute *da =
				container_of(*attr, struct device_attribute, attr);

			if (strcmp((*attr)->name, name))
				continue;
			KUNIT_ASSERT_GT(test, da->show(&t->card->dev, da, buf), 0);
			KUNIT_ASSERT_EQ(test, 0, kstrtol(strim(buf), 10, &val));
			return val;
		}
	KUNIT_FAIL(test, "no attribute %s", name);
	return -1;
}

static enum xvme_led card_led(struct kunit *test, struct drv_test *t)
{
	unsigned int csr;

	KUNIT_ASSERT_EQ(test, 0, regmap_read(t->card->regmap16, 0x80, &csr));
	if (!(csr & XVME_CSR_RED_OFF))
		return XVME_LED_RED;
	return (csr & XVME_CSR_GRN_ON) ? XVME_LED_GREEN : XVME_LED_OFF;
}

/* millivolts from raw, offset and scale as userspace computes them */
static int adc_millivolts(struct kunit *test, struct iio_dev *indio_dev,
			  unsigned int ch)
{
	int raw, offset, scale, log2, unused;

	KUNIT_ASSERT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, ch, IIO_CHAN_INFO_RAW, &raw, &unused));
	KUNIT_ASSERT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, ch, IIO_CHAN_INFO_OFFSET, &offset,
				 &unused));
	KUNIT_ASSERT_EQ(test, IIO_VAL_FRACTIONAL_LOG2,
			adc_read(indio_dev, ch, IIO_CHAN_INFO_SCALE, &scale,
				 &log2));
	return DIV_ROUND_CLOSEST((raw + offset) * scale, 1 << log2);
}

static void adc_scale_offset_bipolar(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "560@0x0400");
	struct iio_dev *indio_dev = adc_iio(test, t);
	static const int mv[] = { -10000, -5000, -1, 0, 1234, 9990 };
	int val, val2, i;

	KUNIT_EXPECT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, 0, IIO_CHAN_INFO_OFFSET, &val, &val2));
	KUNIT_EXPECT_EQ(test, val, -2048);
	KUNIT_EXPECT_EQ(test, IIO_VAL_FRACTIONAL_LOG2,
			adc_read(indio_dev, 31, IIO_CHAN_INFO_SCALE, &val, &val2));
	KUNIT_EXPECT_EQ(test, val, 20000);
	KUNIT_EXPECT_EQ(test, val2, 12);
	KUNIT_EXPECT_STREQ(test, indio_dev->label, dev_name(&t->card->dev));

	for (i = 0; i < ARRAY_SIZE(mv); i++) {
		unsigned int ch = (i * 7) % 32;
		int got;

		KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_ain(t->sc, ch, mv[i]));
		got = adc_millivolts(test, indio_dev, ch);
		/* One LSB is 20000/4096 = 4.9 mV. */
		KUNIT_EXPECT_LE_MSG(test, abs(got - mv[i]), 5,
				    "ch %u: set %d mV, read %d mV", ch, mv[i], got);
	}
}

static void adc_scale_offset_unipolar(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "560@0x0400:unipolar");
	struct iio_dev *indio_dev = adc_iio(test, t);
	static const int mv[] = { 0, 1, 2500, 4999, 9997 };
	int val, val2, i;

	KUNIT_EXPECT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, 3, IIO_CHAN_INFO_OFFSET, &val, &val2));
	KUNIT_EXPECT_EQ(test, val, 0);
	KUNIT_EXPECT_EQ(test, IIO_VAL_FRACTIONAL_LOG2,
			adc_read(indio_dev, 3, IIO_CHAN_INFO_SCALE, &val, &val2));
	KUNIT_EXPECT_EQ(test, val, 10000);
	KUNIT_EXPECT_EQ(test, val2, 12);

	for (i = 0; i < ARRAY_SIZE(mv); i++) {
		int got;

		KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_ain(t->sc, 17, mv[i]));
		got = adc_millivolts(test, indio_dev, 17);
		/* One LSB is 10000/4096 = 2.4 mV. */
		KUNIT_EXPECT_LE_MSG(test, abs(got - mv[i]), 3,
				    "set %d mV, read %d mV", mv[i], got);
	}

	/* The jumper is read from the card, not remembered from probe. */
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_unipolar(t->sc, false));
	KUNIT_EXPECT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, 3, IIO_CHAN_INFO_OFFSET, &val, &val2));
	KUNIT_EXPECT_EQ(test, val, -2048);
}

static void adc_conversion_timeout(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "560@0x0400");
	struct iio_dev *indio_dev = adc_iio(test, t);
	int val, val2;

	KUNIT_ASSERT_TRUE(test, xvme_card_selftest_passed(t->card));
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_GREEN);
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_timeouts"), 0);

	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_fault(t->sc, XVME_SIM_FAULT_ADC_STUCK));
	KUNIT_EXPECT_EQ(test, -ETIMEDOUT,
			adc_read(indio_dev, 9, IIO_CHAN_INFO_RAW, &val, &val2));
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_timeouts"), 1);
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_RED);
	KUNIT_EXPECT_EQ(test, -ETIMEDOUT,
			adc_read(indio_dev, 10, IIO_CHAN_INFO_RAW, &val, &val2));
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_timeouts"), 2);
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_errors"), 0);

	/* Recovery: a good conversion turns the LED green, history stays. */
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_fault(t->sc, XVME_SIM_FAULT_NONE));
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_ain(t->sc, 9, 5000));
	KUNIT_EXPECT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, 9, IIO_CHAN_INFO_RAW, &val, &val2));
	KUNIT_EXPECT_EQ(test, val, (5000 + 10000) * 4096 / 20000);
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_GREEN);
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_timeouts"), 2);
}

static void adc_conversion_error(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "560@0x0400");
	struct iio_dev *indio_dev = adc_iio(test, t);
	int val, val2;

	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_fault(t->sc, XVME_SIM_FAULT_ADC_ERROR));
	KUNIT_EXPECT_EQ(test, -EIO,
			adc_read(indio_dev, 0, IIO_CHAN_INFO_RAW, &val, &val2));
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_errors"), 1);
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_timeouts"), 0);
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_RED);

	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_fault(t->sc, XVME_SIM_FAULT_NONE));
	KUNIT_EXPECT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, 0, IIO_CHAN_INFO_RAW, &val, &val2));
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_GREEN);
	KUNIT_EXPECT_EQ(test, card_attr(test, t, "conversion_errors"), 1);
}

/* A card that fails its power-on test binds, reports why, stays red. */
static void adc_selftest_failure(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "560@0x0400:adc-stuck");
	struct iio_dev *indio_dev = adc_iio(test, t);
	int val, val2;

	KUNIT_EXPECT_FALSE(test, xvme_card_selftest_passed(t->card));
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->card->selftest, "timed out"));
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_RED);

	/* Even a good conversion does not claim the card is healthy. */
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_fault(t->sc, XVME_SIM_FAULT_NONE));
	KUNIT_EXPECT_EQ(test, IIO_VAL_INT,
			adc_read(indio_dev, 0, IIO_CHAN_INFO_RAW, &val, &val2));
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_RED);

	/* A retest of the now healthy, idle card passes. */
	KUNIT_EXPECT_EQ(test, 0, xvme_card_run_selftest(t->card));
	KUNIT_EXPECT_TRUE(test, xvme_card_selftest_passed(t->card));
	KUNIT_EXPECT_EQ(test, card_led(test, t), XVME_LED_GREEN);
}

/* ---------------------------------------------------------- XVME-260 */

static u32 plant_relays(struct kunit *test, struct drv_test *t)
{
	u32 relays;

	KUNIT_ASSERT_EQ(test, 0, xvme_sim_get_relays(t->sc, &relays));
	return relays;
}

/* A line's name as gpiolib got it: the chip's "gpio-line-names". */
static const char *drv_test_line_name(struct kunit *test, struct drv_test *t,
				      unsigned int offset)
{
	const char *names[96];
	int n;

	n = fwnode_property_read_string_array(t->gc->fwnode, "gpio-line-names",
					      names, ARRAY_SIZE(names));
	KUNIT_ASSERT_EQ(test, n, (int)t->gc->ngpio);
	return names[offset];
}

static void relay_set_multiple_writes(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400");
	DECLARE_BITMAP(values, 32) = { };
	unsigned long before;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t->gc);
	KUNIT_EXPECT_EQ(test, t->gc->ngpio, 32);
	KUNIT_EXPECT_STREQ(test, drv_test_line_name(test, t, 0), "relay0");
	KUNIT_EXPECT_STREQ(test, drv_test_line_name(test, t, 31), "relay31");
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_free_lines, t));
	for (i = 0; i < 32; i++)
		KUNIT_ASSERT_FALSE(test, IS_ERR(drv_test_request(test, t, i,
								 GPIOD_OUT_LOW)));
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);

	/* Lines in both registers: exactly one write per register. */
	bitmap_from_arr32(values, (u32[]){ 0x00028008 }, 32);
	before = xvme_sim_write_cycles(t->sc);
	KUNIT_ASSERT_EQ(test, 0, gpiod_set_array_value_cansleep(32, t->descs,
								NULL, values));
	KUNIT_EXPECT_EQ(test, xvme_sim_write_cycles(t->sc) - before, 2);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0x00028008);

	/* Lines of the low register only: one write, the others untouched. */
	bitmap_from_arr32(values, (u32[]){ 0x00000021 }, 32);
	before = xvme_sim_write_cycles(t->sc);
	KUNIT_ASSERT_EQ(test, 0, gpiod_set_array_value_cansleep(16, t->descs,
								NULL, values));
	KUNIT_EXPECT_EQ(test, xvme_sim_write_cycles(t->sc) - before, 1);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0x00020021);

	/* get reads the latch */
	KUNIT_EXPECT_EQ(test, gpiod_get_value_cansleep(t->descs[17]), 1);
	KUNIT_EXPECT_EQ(test, gpiod_get_value_cansleep(t->descs[16]), 0);
	KUNIT_EXPECT_EQ(test, gpiod_get_direction(t->descs[4]), 0);
	KUNIT_EXPECT_EQ(test, gpiod_direction_input(t->descs[4]), -EINVAL);
}

static void relay_failsafe_on_free(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400");

	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_free_lines, t));
	KUNIT_ASSERT_FALSE(test, IS_ERR(drv_test_request(test, t, 7, GPIOD_OUT_HIGH)));
	KUNIT_ASSERT_FALSE(test, IS_ERR(drv_test_request(test, t, 20, GPIOD_OUT_HIGH)));
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), BIT(7) | BIT(20));

	/* Retest is refused while lines are held. */
	KUNIT_EXPECT_TRUE(test, to_xvme_driver(t->card->dev.driver)->busy(t->card));

	drv_test_release(t, 7);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), BIT(20));
	drv_test_release(t, 20);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
	KUNIT_EXPECT_FALSE(test, to_xvme_driver(t->card->dev.driver)->busy(t->card));
}

static void relay_unbind_deenergizes(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400");

	/* Whatever left the latches set, unbinding clears them. */
	KUNIT_ASSERT_EQ(test, 0, regmap_write(t->card->regmap16, 0x88, 0x0f0f));
	KUNIT_ASSERT_EQ(test, 0, regmap_write(t->card->regmap16, 0x8a, 0x8001));
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0x80010f0f);
	device_release_driver(&t->card->dev);
	KUNIT_EXPECT_NULL(test, t->card->dev.driver);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
}

/* The power-on test is a reset and a read back: it never energizes. */
static void relay_selftest_never_energizes(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400");
	unsigned long before;

	before = xvme_sim_write_cycles(t->sc);
	KUNIT_EXPECT_EQ(test, 0, xvme_card_run_selftest(t->card));
	KUNIT_EXPECT_TRUE(test, xvme_card_selftest_passed(t->card));
	/* One write cycle: CSR reset. No output register was written. */
	KUNIT_EXPECT_EQ(test, xvme_sim_write_cycles(t->sc) - before, 1);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);

	/* Latches left set (by whatever): the reset clears them, test passes. */
	KUNIT_ASSERT_EQ(test, 0, regmap_write(t->card->regmap16, 0x88, 0x0101));
	KUNIT_EXPECT_EQ(test, 0, xvme_card_run_selftest(t->card));
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
}

static void relay_no_reset_clear_refuses(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400:no-reset-clear");
	struct gpio_desc *desc;

	KUNIT_EXPECT_FALSE(test, xvme_card_selftest_passed(t->card));
	KUNIT_EXPECT_NOT_NULL(test, strstr(t->card->selftest,
					   "outputs not cleared by reset"));
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_free_lines, t));

	desc = drv_test_request(test, t, 3, GPIOD_OUT_HIGH);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(desc), -EIO);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);

	desc = drv_test_request(test, t, 4, GPIOD_OUT_LOW);
	KUNIT_ASSERT_FALSE(test, IS_ERR(desc));
	gpiod_set_value_cansleep(desc, 1);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
	KUNIT_EXPECT_EQ(test, gpiod_get_value_cansleep(desc), 0);
}

/* ---------------------------------------------------------- XVME-240 */

static unsigned int reg8(struct kunit *test, struct drv_test *t,
			 unsigned int reg)
{
	unsigned int val;

	KUNIT_ASSERT_EQ(test, 0, regmap_read(t->card->regmap8, reg, &val));
	return val;
}

static void ttl_port_direction_conflict(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400");
	struct gpio_desc *desc;

	KUNIT_ASSERT_NOT_NULL(test, t->gc);
	KUNIT_EXPECT_EQ(test, t->gc->ngpio, 80);
	KUNIT_EXPECT_STREQ(test, drv_test_line_name(test, t, X240_PORT_LINE(7, 7)),
			   "port7.7");
	KUNIT_EXPECT_STREQ(test, drv_test_line_name(test, t, X240_IRQ_LINE(3)),
			   "irq3");
	KUNIT_EXPECT_STREQ(test, drv_test_line_name(test, t, X240_FLAG_LINE(0)),
			   "flag0");
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_free_lines, t));

	/* port2.0 in use as input: no line of port 2 may be an output */
	KUNIT_ASSERT_FALSE(test, IS_ERR(drv_test_request(test, t,
				X240_PORT_LINE(2, 0), GPIOD_IN)));
	desc = drv_test_request(test, t, X240_PORT_LINE(2, 1), GPIOD_OUT_LOW);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(desc), -EBUSY);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_PDR) & BIT(2), 0);

	/* another port is free to go the other way */
	KUNIT_EXPECT_FALSE(test, IS_ERR(drv_test_request(test, t,
				X240_PORT_LINE(3, 1), GPIOD_OUT_HIGH)));
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_PDR), BIT(3));
	desc = drv_test_request(test, t, X240_PORT_LINE(3, 2), GPIOD_IN);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(desc), -EBUSY);

	/* once port2.0 is released, port 2 follows the new request */
	drv_test_release(t, X240_PORT_LINE(2, 0));
	KUNIT_EXPECT_FALSE(test, IS_ERR(drv_test_request(test, t,
				X240_PORT_LINE(2, 1), GPIOD_OUT_LOW)));
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_PDR), BIT(2) | BIT(3));

	/* inputs only / outputs only */
	desc = drv_test_request(test, t, X240_IRQ_LINE(0), GPIOD_OUT_LOW);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(desc), -EINVAL);
	desc = drv_test_request(test, t, X240_FLAG_LINE(0), GPIOD_IN);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(desc), -EINVAL);
}

static void ttl_byte_preserving_writes(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400");
	DECLARE_BITMAP(values, 16) = { };
	u64 ports;
	int b;

	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_free_lines, t));
	/* ports 0 and 1 share the 16-bit register PORT0_1 */
	for (b = 0; b < 16; b++)
		KUNIT_ASSERT_FALSE(test, IS_ERR(drv_test_request(test, t, b,
								 GPIOD_OUT_LOW)));
	bitmap_from_arr32(values, (u32[]){ 0xa500 }, 16);
	KUNIT_ASSERT_EQ(test, 0, gpiod_set_array_value_cansleep(16, t->descs,
								NULL, values));
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_get_ports(t->sc, &ports));
	KUNIT_EXPECT_EQ(test, ports & 0xffff, 0xa500);

	/* a single line of port 0 leaves port 1 as it was, and vice versa */
	gpiod_set_value_cansleep(t->descs[X240_PORT_LINE(0, 3)], 1);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_get_ports(t->sc, &ports));
	KUNIT_EXPECT_EQ(test, ports & 0xffff, 0xa508);
	gpiod_set_value_cansleep(t->descs[X240_PORT_LINE(1, 7)], 0);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_get_ports(t->sc, &ports));
	KUNIT_EXPECT_EQ(test, ports & 0xffff, 0x2508);

	/* inputs of another port read what the plant drives */
	KUNIT_ASSERT_FALSE(test, IS_ERR(drv_test_request(test, t,
				X240_PORT_LINE(5, 6), GPIOD_IN)));
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_ports(t->sc, BIT_ULL(46)));
	KUNIT_EXPECT_EQ(test, gpiod_get_value_cansleep(
				t->descs[X240_PORT_LINE(5, 6)]), 1);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_ports(t->sc, 0));
	KUNIT_EXPECT_EQ(test, gpiod_get_value_cansleep(
				t->descs[X240_PORT_LINE(5, 6)]), 0);

	/* flags */
	KUNIT_ASSERT_FALSE(test, IS_ERR(drv_test_request(test, t,
				X240_FLAG_LINE(5), GPIOD_OUT_HIGH)));
	KUNIT_EXPECT_EQ(test, reg8(test, t, 0x86), BIT(5));
}

struct irq_count {
	int irq;	/* requested, to free at the end */
	atomic_t events;
	struct completion seen;
};

static irqreturn_t count_edge(int irq, void *data)
{
	struct irq_count *c = data;

	atomic_inc(&c->events);
	complete(&c->seen);
	return IRQ_HANDLED;
}

static void drv_test_free_irq(void *data)
{
	struct irq_count *c = data;

	if (c->irq > 0)
		free_irq(c->irq, c);
	c->irq = 0;
}

static void ttl_interrupts(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400");
	struct irq_count *c;
	struct gpio_desc *desc;
	int irq;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	init_completion(&c->seen);
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test,
					drv_test_free_lines, t));

	/* only the interrupt inputs have interrupts */
	desc = drv_test_request(test, t, X240_PORT_LINE(0, 0), GPIOD_IN);
	KUNIT_ASSERT_FALSE(test, IS_ERR(desc));
	KUNIT_EXPECT_LT(test, gpiod_to_irq(desc), 0);

	desc = drv_test_request(test, t, X240_IRQ_LINE(3), GPIOD_IN);
	KUNIT_ASSERT_FALSE(test, IS_ERR(desc));
	irq = gpiod_to_irq(desc);
	KUNIT_ASSERT_GT(test, irq, 0);

	/* the card latches rising edges only */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			request_threaded_irq(irq, NULL, count_edge,
					     IRQF_TRIGGER_FALLING | IRQF_ONESHOT,
					     "kunit", c));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			request_threaded_irq(irq, NULL, count_edge,
					     IRQF_TRIGGER_RISING |
					     IRQF_TRIGGER_FALLING | IRQF_ONESHOT,
					     "kunit", c));
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), 0);

	KUNIT_ASSERT_EQ(test, 0,
			request_threaded_irq(irq, NULL, count_edge,
					     IRQF_TRIGGER_RISING | IRQF_ONESHOT,
					     "kunit", c));
	c->irq = irq;
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_irq, c));
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), BIT(3));

	/* edge -> latch -> card interrupt -> our handler; latch cleared */
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, BIT(3)));
	KUNIT_EXPECT_NE(test, 0, wait_for_completion_timeout(&c->seen,
				msecs_to_jiffies(IRQ_WAIT_MS)));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 1);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IPR), 0);
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_asserted(t->sc));

	/* falling edge: nothing; another input's edge: not ours */
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, 0));
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, BIT(5)));
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 1);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IPR), 0);

	/* masked: the card does not latch, unmasking brings no stale edge */
	irq_set_status_flags(irq, IRQ_DISABLE_UNLAZY);
	disable_irq(irq);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), 0);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, 0));
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, BIT(3)));
	KUNIT_EXPECT_FALSE(test, xvme_sim_irq_asserted(t->sc));
	enable_irq(irq);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), BIT(3));
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 1);

	/* unmasked again: the next edge arrives */
	reinit_completion(&c->seen);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, 0));
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, BIT(3)));
	KUNIT_EXPECT_NE(test, 0, wait_for_completion_timeout(&c->seen,
				msecs_to_jiffies(IRQ_WAIT_MS)));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 2);

	drv_test_free_irq(c);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), 0);
}

static struct kunit_case xvme_drivers_cases[] = {
	KUNIT_CASE(adc_scale_offset_bipolar),
	KUNIT_CASE(adc_scale_offset_unipolar),
	KUNIT_CASE(adc_conversion_timeout),
	KUNIT_CASE(adc_conversion_error),
	KUNIT_CASE(adc_selftest_failure),
	KUNIT_CASE(relay_set_multiple_writes),
	KUNIT_CASE(relay_failsafe_on_free),
	KUNIT_CASE(relay_unbind_deenergizes),
	KUNIT_CASE(relay_selftest_never_energizes),
	KUNIT_CASE(relay_no_reset_clear_refuses),
	KUNIT_CASE(ttl_port_direction_conflict),
	KUNIT_CASE(ttl_byte_preserving_writes),
	KUNIT_CASE(ttl_interrupts),
	{}
};

static struct kunit_suite xvme_drivers_suite = {
	.name = "xvme_drivers",
	.test_cases = xvme_drivers_cases,
};
kunit_test_suite(xvme_drivers_suite);

MODULE_LICENSE("GPL");
