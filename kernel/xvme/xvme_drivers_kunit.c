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
#include <linux/gpio.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/iio/iio.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kthread.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/sysfs.h>

#include "xvme.h"
#include "xvme-sim.h"

MODULE_IMPORT_NS(XVME_KUNIT);

#define CARD_BASE	0x0400
#define IRQ_WAIT_MS	2000

/* Line offsets of the XVME-240 (see xvme240.c). */
#define X240_PORT_LINE(p, b)	((p) * 8 + (b))
#define X240_IRQ_LINE(n)	(64 + (n))
#define X240_FLAG_LINE(n)	(72 + (n))
#define X240_CSR		0x81
#define X240_CSR_IRQ_ENABLE	BIT(3)
#define X240_IPR		0x82
#define X240_IMR		0x83
#define X240_IVR		0x85
#define X240_FLAGS		0x86
#define X240_PDR		0x87
/* LED bits of the family's CSR: RED=1 turns the red LED off, GRN=1 on. */
#define CSR_RED_OFF		BIT(0)
#define CSR_GRN_ON		BIT(1)

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
	return gc->label && !strcmp(gc->label, data);
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
	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_destroy_sim, t->sim));
	t->sc = xvme_sim_card_at(t->sim, CARD_BASE);
	KUNIT_ASSERT_NOT_NULL(test, t->sc);

	snprintf(name, sizeof(name), "xvme%d-%04x",
		 xvme_sim_crate(t->sim)->index, CARD_BASE);
	dev = bus_find_device_by_name(&xvme_bus_type, NULL, name);
	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "no card %s", name);
	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_put_card, dev));
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
			gpiod_put(t->descs[i]);
		t->descs[i] = NULL;
	}
}

/*
 * A line requested as a user does (gpiolib-cdev, a consumer): the request
 * holds the chip's gpio_device, so the line may be released even after
 * the card is gone.
 */
static struct gpio_desc *drv_test_request(struct kunit *test,
					  struct drv_test *t,
					  unsigned int offset,
					  enum gpiod_flags flags)
{
	unsigned int gpio = t->gc->base + offset;
	struct gpio_desc *desc;
	int ret;

	ret = gpio_request(gpio, "kunit");
	if (ret)
		return ERR_PTR(ret);
	desc = gpio_to_desc(gpio);
	if (flags & GPIOD_FLAGS_BIT_DIR_OUT)
		ret = gpiod_direction_output(desc,
					     !!(flags & GPIOD_FLAGS_BIT_DIR_VAL));
	else
		ret = gpiod_direction_input(desc);
	if (ret) {
		gpiod_put(desc);
		return ERR_PTR(ret);
	}
	t->descs[offset] = desc;
	return desc;
}

static void drv_test_release(struct drv_test *t, unsigned int offset)
{
	gpiod_put(t->descs[offset]);
	t->descs[offset] = NULL;
}

/* A line the case needs: the case ends if it cannot have it. */
static struct gpio_desc *drv_test_take(struct kunit *test, struct drv_test *t,
				       unsigned int offset,
				       enum gpiod_flags flags)
{
	struct gpio_desc *desc = drv_test_request(test, t, offset, flags);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(desc), "line %u: error %ld",
			       offset, PTR_ERR(desc));
	return desc;
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
	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_put_card, dev));
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
	if (!(csr & CSR_RED_OFF))
		return XVME_LED_RED;
	return (csr & CSR_GRN_ON) ? XVME_LED_GREEN : XVME_LED_OFF;
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
	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_free_lines, t));
	for (i = 0; i < 32; i++)
		drv_test_take(test, t, i, GPIOD_OUT_LOW);
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

	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_free_lines, t));
	drv_test_take(test, t, 7, GPIOD_OUT_HIGH);
	drv_test_take(test, t, 20, GPIOD_OUT_HIGH);
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
	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_free_lines, t));

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
	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_free_lines, t));

	/* port2.0 in use as input: no line of port 2 may be an output */
	drv_test_take(test, t, X240_PORT_LINE(2, 0), GPIOD_IN);
	desc = drv_test_request(test, t, X240_PORT_LINE(2, 1), GPIOD_OUT_LOW);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(desc), -EBUSY);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_PDR) & BIT(2), 0);

	/* another port is free to go the other way */
	drv_test_take(test, t, X240_PORT_LINE(3, 1), GPIOD_OUT_HIGH);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_PDR), BIT(3));
	desc = drv_test_request(test, t, X240_PORT_LINE(3, 2), GPIOD_IN);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(desc), -EBUSY);

	/* once port2.0 is released, port 2 follows the new request */
	drv_test_release(t, X240_PORT_LINE(2, 0));
	drv_test_take(test, t, X240_PORT_LINE(2, 1), GPIOD_OUT_LOW);
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
	struct gpio_desc *in56;
	u64 ports;
	int b;

	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_free_lines, t));
	/* ports 0 and 1 share the 16-bit register PORT0_1 */
	for (b = 0; b < 16; b++)
		drv_test_take(test, t, b, GPIOD_OUT_LOW);
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
	in56 = drv_test_take(test, t, X240_PORT_LINE(5, 6), GPIOD_IN);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_ports(t->sc, BIT_ULL(46)));
	KUNIT_EXPECT_EQ(test, gpiod_get_value_cansleep(in56), 1);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_ports(t->sc, 0));
	KUNIT_EXPECT_EQ(test, gpiod_get_value_cansleep(in56), 0);

	/* flags */
	drv_test_take(test, t, X240_FLAG_LINE(5), GPIOD_OUT_HIGH);
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

static bool irq_count_wait(struct irq_count *c)
{
	return wait_for_completion_timeout(&c->seen,
					   msecs_to_jiffies(IRQ_WAIT_MS)) > 0;
}

static void drv_test_free_irq(void *data)
{
	struct irq_count *c = data;

	if (c->irq > 0)
		free_irq(c->irq, c);
	c->irq = 0;
}

static struct irq_count *irq_count_alloc(struct kunit *test)
{
	struct irq_count *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	init_completion(&c->seen);
	return c;
}

/*
 * The 240's irq<n> taken as an input and its interrupt's rising edges
 * counted into @c, as gpiolib-cdev does for gpiomon; freed before the
 * lines at the end of the test (drv_test_free_lines deferred first).
 */
static int ttl_count_edges(struct kunit *test, struct drv_test *t,
			   unsigned int n, struct irq_count *c)
{
	int irq;

	drv_test_take(test, t, X240_IRQ_LINE(n), GPIOD_IN);
	irq = gpiod_to_irq(t->descs[X240_IRQ_LINE(n)]);
	KUNIT_ASSERT_GT(test, irq, 0);
	reinit_completion(&c->seen);
	KUNIT_ASSERT_EQ(test, 0, request_threaded_irq(irq, NULL, count_edge,
						      IRQF_TRIGGER_RISING |
						      IRQF_ONESHOT, "kunit", c));
	c->irq = irq;
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_irq, c));
	return irq;
}

static void ttl_interrupts(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400");
	struct irq_count *c;
	struct gpio_desc *desc;
	int irq;

	c = irq_count_alloc(test);
	KUNIT_ASSERT_EQ(test, 0,
			drv_test_defer(test, drv_test_free_lines, t));

	/* only the interrupt inputs have interrupts */
	desc = drv_test_take(test, t, X240_PORT_LINE(0, 0), GPIOD_IN);
	KUNIT_EXPECT_LT(test, gpiod_to_irq(desc), 0);

	desc = drv_test_take(test, t, X240_IRQ_LINE(3), GPIOD_IN);
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
	KUNIT_EXPECT_TRUE(test, irq_count_wait(c));
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
	KUNIT_EXPECT_TRUE(test, irq_count_wait(c));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 2);

	drv_test_free_irq(c);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), 0);
}

/* ------------------------------------------------- concurrency helpers */

/* Something done by another thread, so that the test can interleave. */
struct drv_test_thread {
	void (*fn)(struct drv_test *t, void *arg);
	struct drv_test *t;
	void *arg;
	struct completion done;
};

static int drv_test_thread_fn(void *data)
{
	struct drv_test_thread *th = data;

	th->fn(th->t, th->arg);
	complete(&th->done);
	return 0;
}

static struct drv_test_thread *drv_test_start(struct kunit *test,
					      struct drv_test *t,
					      void (*fn)(struct drv_test *t,
							 void *arg),
					      void *arg)
{
	struct drv_test_thread *th = kunit_kzalloc(test, sizeof(*th),
						   GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, th);
	th->fn = fn;
	th->t = t;
	th->arg = arg;
	init_completion(&th->done);
	task = kthread_run(drv_test_thread_fn, th, "xvme-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	return th;
}

static bool drv_test_finished(struct drv_test_thread *th, unsigned int ms)
{
	return wait_for_completion_timeout(&th->done, msecs_to_jiffies(ms)) > 0;
}

/* Wait (a bounded while) until the card's chip has left gpiolib. */
static bool drv_test_chip_gone(struct drv_test *t, const char *label)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (!gpiochip_find((void *)label, gc_match_label))
			return true;
		msleep(20);
	}
	return false;
}

static void drv_test_pull_card(struct drv_test *t, void *arg)
{
	xvme_sim_set_present(t->sc, false);
}

static void drv_test_release_line(struct drv_test *t, void *arg)
{
	unsigned int offset = (uintptr_t)arg;

	drv_test_release(t, offset);
}

/* Call the bus's shutdown on the card the way device_shutdown() does. */
static void drv_test_shutdown(struct drv_test *t)
{
	device_lock(&t->card->dev);
	xvme_bus_type.shutdown(&t->card->dev);
	device_unlock(&t->card->dev);
}

/* ------------------------------------------------ XVME-260: fail-safe */

/*
 * Reboot or kexec with the crate powered: the bus's shutdown path leaves
 * every relay de-energized although their holders still hold them, and
 * nothing energizes one again.
 */
static void relay_shutdown_deenergizes(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400");

	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_lines, t));
	drv_test_take(test, t, 2, GPIOD_OUT_HIGH);
	drv_test_take(test, t, 30, GPIOD_OUT_HIGH);
	drv_test_take(test, t, 31, GPIOD_OUT_LOW);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), BIT(2) | BIT(30));

	drv_test_shutdown(t);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);

	gpiod_set_value_cansleep(t->descs[31], 1);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
	KUNIT_EXPECT_EQ(test, gpiod_direction_output(t->descs[2], 1), -EIO);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
	/* off stays possible */
	gpiod_set_value_cansleep(t->descs[30], 0);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
}

/*
 * A held relay released (the holder SIGKILLed) while its card is being
 * pulled: the release has begun (it is in the driver, its bus cycle held
 * by a slow bridge) when the chip goes. The removal must wait for it, the
 * release must find its state alive, and the relay ends de-energized.
 */
static void relay_release_races_removal(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400");
	struct drv_test_thread *release, *pull;
	char label[32];

	strscpy(label, dev_name(&t->card->dev), sizeof(label));
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_lines, t));
	drv_test_take(test, t, 5, GPIOD_OUT_HIGH);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), BIT(5));

	xvme_sim_stall_arm(t->sc);
	release = drv_test_start(test, t, drv_test_release_line,
				 (void *)(uintptr_t)5);
	KUNIT_ASSERT_TRUE(test, xvme_sim_stall_wait(t->sc, 2000));

	pull = drv_test_start(test, t, drv_test_pull_card, NULL);
	KUNIT_EXPECT_TRUE(test, drv_test_chip_gone(t, label));
	/* the unbinding cannot finish while the release is in the driver */
	KUNIT_EXPECT_FALSE(test, drv_test_finished(pull, 50));
	xvme_sim_stall_release(t->sc);
	KUNIT_EXPECT_TRUE(test, drv_test_finished(release, 2000));
	KUNIT_EXPECT_TRUE(test, drv_test_finished(pull, 2000));
	KUNIT_EXPECT_FALSE(test, xvme_sim_get_present(t->sc));

	/* put back: a new chip, every relay off, usable again */
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_present(t->sc, true));
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);
	t->gc = gpiochip_find(label, gc_match_label);
	KUNIT_ASSERT_NOT_NULL(test, t->gc);
	drv_test_take(test, t, 5, GPIOD_OUT_HIGH);
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), BIT(5));
}

/*
 * gpiolib read the chip before it went and calls ->free() after the card
 * is gone (a release racing the removal): the chip's state is still there
 * (the line holds it), nothing touches the gone card, and the module
 * reference the removal dropped for the line is taken back for gpiolib's.
 */
static void relay_free_after_removal(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "260@0x0400");
	struct gpio_chip *gc = t->gc;

	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_lines, t));
	drv_test_take(test, t, 9, GPIOD_OUT_HIGH);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_present(t->sc, false));
	KUNIT_EXPECT_EQ(test, plant_relays(test, t), 0);

	gc->free(gc, 9);		/* as gpiolib's late release would */
	/* gpiolib itself, seeing no chip, calls no ->free() for it */
	drv_test_release(t, 9);
}

/* ------------------------------------------------ XVME-240: fail-safe */

/*
 * A direction change that fails must undo only its own latch change: a
 * set of another line of the port that ran while it waited for the lock
 * stays. The set below holds the lock across a slow bus cycle (port 0),
 * the direction change of port2.1 starts meanwhile, the set then writes
 * port2.5 and the direction change fails (port2.0 is an input in use).
 */
static void ttl_set_array(struct drv_test *t, void *arg)
{
	struct gpio_desc *descs[2] = { t->descs[X240_PORT_LINE(0, 0)],
				       t->descs[X240_PORT_LINE(2, 5)] };
	DECLARE_BITMAP(values, 2) = { 0x3 };

	gpiod_set_array_value_cansleep(2, descs, NULL, values);
}

static void ttl_direction_output(struct drv_test *t, void *arg)
{
	*(int *)arg = gpiod_direction_output(t->descs[X240_PORT_LINE(2, 1)], 1);
}

static void ttl_failed_direction_keeps_concurrent_set(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400");
	struct drv_test_thread *set, *dir;
	int dir_ret = 0;
	u64 ports;

	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_lines, t));
	drv_test_take(test, t, X240_PORT_LINE(0, 0), GPIOD_OUT_LOW);
	drv_test_take(test, t, X240_PORT_LINE(2, 0), GPIOD_IN);
	drv_test_take(test, t, X240_PORT_LINE(2, 1), GPIOD_IN);
	drv_test_take(test, t, X240_PORT_LINE(2, 5), GPIOD_IN);

	xvme_sim_stall_arm(t->sc);
	set = drv_test_start(test, t, ttl_set_array, NULL);
	KUNIT_ASSERT_TRUE(test, xvme_sim_stall_wait(t->sc, 2000));
	dir = drv_test_start(test, t, ttl_direction_output, &dir_ret);
	msleep(50);		/* let it read what it reads, and wait */
	xvme_sim_stall_release(t->sc);
	KUNIT_EXPECT_TRUE(test, drv_test_finished(set, 2000));
	KUNIT_EXPECT_TRUE(test, drv_test_finished(dir, 2000));
	KUNIT_EXPECT_EQ(test, dir_ret, -EBUSY);

	/* port 2 free now: it turns output with the latch the set left */
	drv_test_release(t, X240_PORT_LINE(2, 0));
	drv_test_release(t, X240_PORT_LINE(2, 5));
	KUNIT_EXPECT_EQ(test, 0, gpiod_direction_output(t->descs[X240_PORT_LINE(2, 1)],
							0));
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_get_ports(t->sc, &ports));
	KUNIT_EXPECT_EQ(test, (ports >> 16) & 0xff, 0x20ULL);
}

/*
 * The card's vector goes into IVR at bind, so its IACK cycle names it;
 * the edge events below (ttl_interrupts) only arrive because of that.
 */
static void ttl_vector_programmed(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400:irq4");
	unsigned int level;
	u8 vector;

	KUNIT_ASSERT_EQ(test, 0, xvme_card_irq_vector(t->card, &level, &vector));
	KUNIT_EXPECT_EQ(test, level, 4U);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IVR), vector);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_CSR) & X240_CSR_IRQ_ENABLE,
			X240_CSR_IRQ_ENABLE);
}

/*
 * Reboot or kexec: interrupts masked and disabled, flags off, ports back
 * to inputs (the card's reset state), whatever the holders still do.
 */
static void ttl_shutdown_safe(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400");
	struct irq_count *c;
	u8 flags;
	int irq;

	c = irq_count_alloc(test);
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_lines, t));
	drv_test_take(test, t, X240_FLAG_LINE(1), GPIOD_OUT_HIGH);
	drv_test_take(test, t, X240_PORT_LINE(6, 2), GPIOD_OUT_HIGH);
	irq = ttl_count_edges(test, t, 2, c);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), BIT(2));

	drv_test_shutdown(t);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), 0);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_CSR) & X240_CSR_IRQ_ENABLE, 0);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_PDR), 0);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_get_flags(t->sc, &flags));
	KUNIT_EXPECT_EQ(test, flags, 0);

	/* no edge gets through, no output comes back */
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, BIT(2)));
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 0);
	gpiod_set_value_cansleep(t->descs[X240_FLAG_LINE(1)], 1);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_get_flags(t->sc, &flags));
	KUNIT_EXPECT_EQ(test, flags, 0);
	KUNIT_EXPECT_EQ(test, gpiod_direction_output(t->descs[X240_PORT_LINE(6, 2)],
						     1), -EIO);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_PDR), 0);
	disable_irq(irq);
	enable_irq(irq);
	KUNIT_EXPECT_EQ(test, reg8(test, t, X240_IMR), 0);
}

/*
 * An edge-event interrupt held (as gpiolib-cdev holds it for gpiomon)
 * while the card is pulled: its mapping stays until it is freed, so the
 * holder's later free_irq() is of a live interrupt (no stale number, no
 * proc entry left behind); the card put back interrupts again.
 */
static void ttl_irq_held_across_removal(struct kunit *test)
{
	struct drv_test *t = drv_test_setup(test, "240@0x0400");
	struct irq_count *c;
	char label[32];
	int irq;

	strscpy(label, dev_name(&t->card->dev), sizeof(label));
	c = irq_count_alloc(test);
	KUNIT_ASSERT_EQ(test, 0, drv_test_defer(test, drv_test_free_lines, t));
	irq = ttl_count_edges(test, t, 6, c);

	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_present(t->sc, false));
	KUNIT_EXPECT_NULL(test, gpiochip_find(label, gc_match_label));
	/* still the holder's interrupt */
	KUNIT_EXPECT_NOT_NULL(test, irq_get_irq_data(irq));
	KUNIT_EXPECT_TRUE(test, irq_has_action(irq));
	drv_test_free_irq(c);
	drv_test_free_lines(t);

	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_present(t->sc, true));
	t->gc = gpiochip_find(label, gc_match_label);
	KUNIT_ASSERT_NOT_NULL(test, t->gc);
	ttl_count_edges(test, t, 6, c);
	KUNIT_ASSERT_EQ(test, 0, xvme_sim_set_irq_inputs(t->sc, BIT(6)));
	KUNIT_EXPECT_TRUE(test, irq_count_wait(c));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->events), 1);
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
	KUNIT_CASE(relay_shutdown_deenergizes),
	KUNIT_CASE(relay_release_races_removal),
	KUNIT_CASE(relay_free_after_removal),
	KUNIT_CASE(ttl_port_direction_conflict),
	KUNIT_CASE(ttl_byte_preserving_writes),
	KUNIT_CASE(ttl_interrupts),
	KUNIT_CASE(ttl_failed_direction_keeps_concurrent_set),
	KUNIT_CASE(ttl_vector_programmed),
	KUNIT_CASE(ttl_shutdown_safe),
	KUNIT_CASE(ttl_irq_held_across_removal),
	{}
};

static struct kunit_suite xvme_drivers_suite = {
	.name = "xvme_drivers",
	.test_cases = xvme_drivers_cases,
};

kunit_test_suite(xvme_drivers_suite);

MODULE_LICENSE("GPL");
