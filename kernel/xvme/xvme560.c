// SPDX-License-Identifier: GPL-2.0
/*
 * XVME-560: 32 differential analogue inputs, 12 bit, as an IIO device.
 *
 * One conversion at a time per card: select the channel, START, poll for
 * BUSY to drop within 1 ms, read DATA. A conversion that stays BUSY is the
 * seed's "AD conversion timeout": the read fails with -ETIMEDOUT, the
 * card's conversion_timeouts counter grows, the kernel log names card and
 * channel and the red LED lights until a good conversion.
 *
 * Register facts: shared/spec/xvme-cards.md (project definition).
 */

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/iio/iio.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/regmap.h>
#include <linux/sysfs.h>

#include "xvme.h"

#define XVME560_CSR		0x80
#define XVME560_CSR_RED_OFF	BIT(0)
#define XVME560_CSR_GRN_ON	BIT(1)
#define XVME560_CSR_RESET	BIT(4)
#define XVME560_CSR_START	BIT(7)
#define XVME560_CSR_BUSY	BIT(8)
#define XVME560_CSR_DONE	BIT(9)
#define XVME560_CSR_ERR		BIT(10)
#define XVME560_CSR_BIPOLAR	BIT(12)
#define XVME560_CHAN		0x82
#define XVME560_DATA		0x84
#define XVME560_DATA_MASK	GENMASK(11, 0)

#define XVME560_CHANNELS	32
#define XVME560_BITS		12

/*
 * A conversion takes about 15 us; BUSY after 1 ms is a timeout. Polls
 * sleep (usleep_range, timers-howto: >= 10 us) rather than spin: reads
 * come from sysfs in process context, and a stuck card costs a sleeping
 * millisecond, not a busy one.
 */
#define XVME560_POLL_US		10
#define XVME560_TIMEOUT_US	1000
#define XVME560_RESET_TIMEOUT_US 1000

/* Full scale in millivolts: bipolar spans -10 V..+10 V, unipolar 0..10 V. */
#define XVME560_BIPOLAR_SPAN_MV	20000
#define XVME560_UNIPOLAR_SPAN_MV 10000
#define XVME560_BIPOLAR_OFFSET	(-(1 << (XVME560_BITS - 1)))

/**
 * struct xvme560 - one ADC card
 * @card:		the xvme card
 * @lock:		one conversion at a time; protects the fields below
 *			(the LED the monitoring test lights included)
 * @faulted:		the last conversion failed and lit the red LED
 * @timeouts:		conversions still BUSY after 1 ms, since bind
 * @errors:		conversions that ended with ERR, since bind
 * @running:		conversions in progress, for ->busy (under
 *			xvme_card_lock(), not @lock)
 */
struct xvme560 {
	struct xvme_card *card;
	struct mutex lock;	/* one conversion at a time, see above */
	bool faulted;
	unsigned long timeouts;
	unsigned long errors;
	unsigned int running;
};

/*
 * The card decodes CSR, CHAN and DATA. All are live; reading DATA clears
 * DONE, so it is precious: only a conversion reads it, never a dump.
 */
static const struct regmap_range xvme560_readable[] = {
	regmap_reg_range(XVME560_CSR, XVME560_DATA),
};

static const struct regmap_range xvme560_writeable[] = {
	regmap_reg_range(XVME560_CSR, XVME560_CHAN),
};

static const struct regmap_range xvme560_precious[] = {
	regmap_reg_range(XVME560_DATA, XVME560_DATA),
};

static const struct regmap_access_table xvme560_rd_table = {
	.yes_ranges = xvme560_readable,
	.n_yes_ranges = ARRAY_SIZE(xvme560_readable),
};

static const struct regmap_access_table xvme560_wr_table = {
	.yes_ranges = xvme560_writeable,
	.n_yes_ranges = ARRAY_SIZE(xvme560_writeable),
};

static const struct regmap_access_table xvme560_precious_table = {
	.yes_ranges = xvme560_precious,
	.n_yes_ranges = ARRAY_SIZE(xvme560_precious),
};

static const struct regmap_config xvme560_regmap16 = {
	.max_register = XVME560_DATA,
	.rd_table = &xvme560_rd_table,
	.wr_table = &xvme560_wr_table,
	.volatile_table = &xvme560_rd_table,
	.precious_table = &xvme560_precious_table,
};

/* Only the CSR's LED bits change; the monitoring test calls it too. */
static int xvme560_set_led(struct xvme_card *card, enum xvme_led led)
{
	unsigned int bits = XVME560_CSR_RED_OFF;

	if (led == XVME_LED_GREEN)
		bits |= XVME560_CSR_GRN_ON;
	else if (led == XVME_LED_RED)
		bits = 0;
	return regmap_update_bits(card->regmap16, XVME560_CSR,
				  XVME560_CSR_RED_OFF | XVME560_CSR_GRN_ON,
				  bits);
}

static int xvme560_get_led(struct xvme_card *card, enum xvme_led *led)
{
	unsigned int csr;
	int ret;

	ret = regmap_read(card->regmap16, XVME560_CSR, &csr);
	if (ret)
		return ret;
	if (!(csr & XVME560_CSR_RED_OFF))
		*led = XVME_LED_RED;
	else if (csr & XVME560_CSR_GRN_ON)
		*led = XVME_LED_GREEN;
	else
		*led = XVME_LED_OFF;
	return 0;
}

enum xvme560_result {
	XVME560_CONVERTED,
	XVME560_TIMED_OUT,	/* BUSY after 1 ms */
	XVME560_CARD_ERROR,	/* ERR set */
	XVME560_NO_RESULT,	/* neither DONE nor ERR after BUSY dropped */
};

/*
 * One conversion on @channel. Returns a negative errno only for bus errors;
 * what the card itself reported is in @result.
 */
static int xvme560_conversion(struct xvme_card *card, unsigned int channel,
			      enum xvme560_result *result, unsigned int *raw)
{
	struct regmap *map = card->regmap16;
	unsigned int csr;
	int ret;

	ret = regmap_write(map, XVME560_CHAN, channel);
	if (ret)
		return ret;
	/* Read-modify-write keeps the LED bits; forced, START reads back 0. */
	ret = regmap_write_bits(map, XVME560_CSR, XVME560_CSR_START,
				XVME560_CSR_START);
	if (ret)
		return ret;

	ret = regmap_read_poll_timeout(map, XVME560_CSR, csr,
				       !(csr & XVME560_CSR_BUSY),
				       XVME560_POLL_US, XVME560_TIMEOUT_US);
	if (ret == -ETIMEDOUT) {
		*result = XVME560_TIMED_OUT;
		return 0;
	}
	if (ret)
		return ret;

	if (csr & XVME560_CSR_ERR) {
		*result = XVME560_CARD_ERROR;
		return 0;
	}
	if (!(csr & XVME560_CSR_DONE)) {
		*result = XVME560_NO_RESULT;
		return 0;
	}
	ret = regmap_read(map, XVME560_DATA, raw);
	if (ret)
		return ret;
	*raw &= XVME560_DATA_MASK;
	*result = XVME560_CONVERTED;
	return 0;
}

/* Power-on test after the core's ID PROM check; also run on "retest". */
static int xvme560_selftest(struct xvme_card *card, char *reason, size_t len)
{
	struct regmap *map = card->regmap16;
	enum xvme560_result result;
	unsigned int csr, raw;
	int ret;

	ret = regmap_write(map, XVME560_CSR, XVME560_CSR_RESET);
	if (ret) {
		snprintf(reason, len, "soft reset: bus error (%d)", ret);
		return ret;
	}
	ret = regmap_read_poll_timeout(map, XVME560_CSR, csr,
				       !(csr & XVME560_CSR_RESET),
				       XVME560_POLL_US, XVME560_RESET_TIMEOUT_US);
	if (ret) {
		snprintf(reason, len, "soft reset did not complete (%d)", ret);
		return ret;
	}
	if (csr & ~XVME560_CSR_BIPOLAR) {
		snprintf(reason, len,
			 "CSR 0x%04x after reset, expected 0x0000 apart from BIPOLAR",
			 csr);
		return -EIO;
	}

	ret = xvme560_conversion(card, 0, &result, &raw);
	if (ret) {
		snprintf(reason, len, "test conversion: bus error (%d)", ret);
		return ret;
	}
	switch (result) {
	case XVME560_CONVERTED:
		return 0;
	case XVME560_TIMED_OUT:
		snprintf(reason, len, "test conversion timed out (BUSY after %u us)",
			 XVME560_TIMEOUT_US);
		return -ETIMEDOUT;
	case XVME560_CARD_ERROR:
		snprintf(reason, len, "test conversion ended with ERR");
		return -EIO;
	default:
		snprintf(reason, len, "test conversion ended without DONE");
		return -EIO;
	}
}

static bool xvme560_busy(struct xvme_card *card)
{
	struct xvme560 *adc = dev_get_drvdata(&card->dev);

	return adc && adc->running;
}

/* Monitoring test on every conversion: count, log and show faults. */
static int xvme560_read_channel(struct xvme560 *adc, unsigned int channel,
				int *val)
{
	struct xvme_card *card = adc->card;
	enum xvme560_result result;
	unsigned int raw;
	int ret;

	/* Visible to ->busy, so "retest" cannot reset the card under us. */
	xvme_card_lock(card);
	adc->running++;
	xvme_card_unlock(card);

	mutex_lock(&adc->lock);
	ret = xvme560_conversion(card, channel, &result, &raw);
	if (ret) {
		dev_err_ratelimited(&card->dev,
				    "channel %u: bus error during conversion: %d\n",
				    channel, ret);
		goto out;
	}

	switch (result) {
	case XVME560_CONVERTED:
		*val = raw;
		if (adc->faulted && xvme_card_selftest_passed(card)) {
			xvme560_set_led(card, XVME_LED_GREEN);
			dev_info(&card->dev, "conversions good again on channel %u\n",
				 channel);
		}
		adc->faulted = false;
		ret = IIO_VAL_INT;
		goto out;
	case XVME560_TIMED_OUT:
		adc->timeouts++;
		dev_err_ratelimited(&card->dev,
				    "AD conversion timeout on channel %u: BUSY after %u us\n",
				    channel, XVME560_TIMEOUT_US);
		ret = -ETIMEDOUT;
		break;
	case XVME560_CARD_ERROR:
		adc->errors++;
		dev_err_ratelimited(&card->dev,
				    "AD conversion error on channel %u: ERR set\n",
				    channel);
		ret = -EIO;
		break;
	default:
		adc->errors++;
		dev_err_ratelimited(&card->dev,
				    "AD conversion on channel %u ended without DONE\n",
				    channel);
		ret = -EIO;
		break;
	}
	if (!adc->faulted)
		xvme560_set_led(card, XVME_LED_RED);
	adc->faulted = true;
out:
	mutex_unlock(&adc->lock);

	xvme_card_lock(card);
	adc->running--;
	xvme_card_unlock(card);
	return ret;
}

static int xvme560_read_raw(struct iio_dev *indio_dev,
			    struct iio_chan_spec const *chan,
			    int *val, int *val2, long mask)
{
	struct xvme560 *adc = iio_priv(indio_dev);
	unsigned int csr;
	int ret;

	switch (mask) {
	case IIO_CHAN_INFO_RAW:
		return xvme560_read_channel(adc, chan->channel, val);
	case IIO_CHAN_INFO_SCALE:
	case IIO_CHAN_INFO_OFFSET:
		/* The range is a jumper on the card: ask it every time. */
		ret = regmap_read(adc->card->regmap16, XVME560_CSR, &csr);
		if (ret)
			return ret;
		if (mask == IIO_CHAN_INFO_OFFSET) {
			*val = (csr & XVME560_CSR_BIPOLAR) ?
				XVME560_BIPOLAR_OFFSET : 0;
			return IIO_VAL_INT;
		}
		*val = (csr & XVME560_CSR_BIPOLAR) ?
			XVME560_BIPOLAR_SPAN_MV : XVME560_UNIPOLAR_SPAN_MV;
		*val2 = XVME560_BITS;
		return IIO_VAL_FRACTIONAL_LOG2;
	default:
		return -EINVAL;
	}
}

static const struct iio_info xvme560_iio_info = {
	.read_raw = xvme560_read_raw,
};

#define XVME560_CHANNEL(n) {						\
	.type = IIO_VOLTAGE,						\
	.indexed = 1,							\
	.channel = (n),							\
	.info_mask_separate = BIT(IIO_CHAN_INFO_RAW),			\
	.info_mask_shared_by_type = BIT(IIO_CHAN_INFO_SCALE) |		\
				    BIT(IIO_CHAN_INFO_OFFSET),		\
}

static const struct iio_chan_spec xvme560_channels[XVME560_CHANNELS] = {
	XVME560_CHANNEL(0), XVME560_CHANNEL(1), XVME560_CHANNEL(2),
	XVME560_CHANNEL(3), XVME560_CHANNEL(4), XVME560_CHANNEL(5),
	XVME560_CHANNEL(6), XVME560_CHANNEL(7), XVME560_CHANNEL(8),
	XVME560_CHANNEL(9), XVME560_CHANNEL(10), XVME560_CHANNEL(11),
	XVME560_CHANNEL(12), XVME560_CHANNEL(13), XVME560_CHANNEL(14),
	XVME560_CHANNEL(15), XVME560_CHANNEL(16), XVME560_CHANNEL(17),
	XVME560_CHANNEL(18), XVME560_CHANNEL(19), XVME560_CHANNEL(20),
	XVME560_CHANNEL(21), XVME560_CHANNEL(22), XVME560_CHANNEL(23),
	XVME560_CHANNEL(24), XVME560_CHANNEL(25), XVME560_CHANNEL(26),
	XVME560_CHANNEL(27), XVME560_CHANNEL(28), XVME560_CHANNEL(29),
	XVME560_CHANNEL(30), XVME560_CHANNEL(31),
};

static ssize_t conversion_timeouts_show(struct device *dev,
					struct device_attribute *attr, char *buf)
{
	struct xvme560 *adc = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lu\n", READ_ONCE(adc->timeouts));
}
static DEVICE_ATTR_RO(conversion_timeouts);

static ssize_t conversion_errors_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct xvme560 *adc = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lu\n", READ_ONCE(adc->errors));
}
static DEVICE_ATTR_RO(conversion_errors);

static struct attribute *xvme560_attrs[] = {
	&dev_attr_conversion_timeouts.attr,
	&dev_attr_conversion_errors.attr,
	NULL
};
ATTRIBUTE_GROUPS(xvme560);

/* Runs last at unbind: ->busy must not see the driver data once it is freed. */
static void xvme560_forget_action(void *data)
{
	struct xvme_card *card = data;

	xvme_card_lock(card);
	dev_set_drvdata(&card->dev, NULL);
	xvme_card_unlock(card);
}

static int xvme560_probe(struct xvme_card *card)
{
	struct device *dev = &card->dev;
	struct iio_dev *indio_dev;
	struct xvme560 *adc;
	int ret;

	indio_dev = devm_iio_device_alloc(dev, sizeof(*adc));
	if (!indio_dev)
		return -ENOMEM;
	adc = iio_priv(indio_dev);
	adc->card = card;
	mutex_init(&adc->lock);
	/* A card that failed its power-on test shows red until it converts. */
	adc->faulted = !xvme_card_selftest_passed(card);

	ret = devm_add_action(dev, xvme560_forget_action, card);
	if (ret)
		return ret;
	xvme_card_lock(card);
	dev_set_drvdata(dev, adc);
	xvme_card_unlock(card);

	if (!xvme_card_selftest_passed(card))
		dev_err(dev, "power-on test failed: reads may fail, see selftest\n");

	indio_dev->name = "xvme560";
	indio_dev->label = dev_name(dev);
	indio_dev->info = &xvme560_iio_info;
	indio_dev->modes = INDIO_DIRECT_MODE;
	indio_dev->channels = xvme560_channels;
	indio_dev->num_channels = ARRAY_SIZE(xvme560_channels);

	ret = devm_iio_device_register(dev, indio_dev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register IIO device\n");
	return 0;
}

static struct xvme_driver xvme560_driver = {
	.driver = {
		.name = "xvme560",
		.dev_groups = xvme560_groups,
	},
	.model = XVME_MODEL_560,
	.regmap16 = &xvme560_regmap16,
	.selftest = xvme560_selftest,
	.set_led = xvme560_set_led,
	.get_led = xvme560_get_led,
	.busy = xvme560_busy,
	.probe = xvme560_probe,
};
module_xvme_driver(xvme560_driver);

MODULE_DESCRIPTION("Xycom XVME-560 analogue input card");
MODULE_LICENSE("GPL");
/* The card's uevent MODALIAS, so udev loads this driver for it. */
MODULE_ALIAS("xvme:m560");
