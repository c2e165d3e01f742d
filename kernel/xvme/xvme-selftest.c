// SPDX-License-Identifier: GPL-2.0
/*
 * Power-on test and LEDs of xvme cards.
 *
 * The test has stages: the core's own (the ID PROM reads back and still
 * names the card's model), then the bound driver's ->selftest (reset
 * behaviour, a test conversion, ...). Its one-line result is the card's
 * "selftest" attribute and decides the front-panel LEDs: green on pass,
 * red on fail, as the EPICS drivers do after init. A card nobody tested
 * keeps the hardware's reset state, red on.
 */
#include <linux/device.h>
#include <linux/export.h>
#include <linux/mutex.h>
#include <linux/regmap.h>

#include "xvme.h"
#include "xvme-internal.h"

static int xvme_selftest_id_stage(struct xvme_card *card, char *reason,
				  size_t len)
{
	char id[XVME_ID_CHARS + 1];
	u8 raw[XVME_ID_CHARS];
	enum xvme_model model;
	int err;

	err = xvme_read_id(card->crate, card->base, raw);
	if (!err)
		err = xvme_id_parse(raw, id, &model);
	if (err) {
		snprintf(reason, len, "ID PROM %s", xvme_id_strerror(err));
		return err;
	}
	if (model != card->model) {
		snprintf(reason, len, "ID PROM now says %s, was %s", id,
			 card->id);
		return -EIO;
	}
	return 0;
}

int xvme_selftest_run_locked(struct xvme_card *card, struct xvme_driver *drv)
{
	char reason[XVME_SELFTEST_LEN - sizeof("fail: ")] = "";
	int err, led_err;

	lockdep_assert_held(&card->state_lock);

	err = xvme_selftest_id_stage(card, reason, sizeof(reason));
	if (!err && drv && drv->selftest) {
		err = drv->selftest(card, reason, sizeof(reason));
		if (err && !reason[0])
			snprintf(reason, sizeof(reason), "driver test error %d",
				 err);
	}

	led_err = xvme_card_set_led(card, err ? XVME_LED_RED : XVME_LED_GREEN);
	if (!err && led_err && led_err != -EOPNOTSUPP) {
		snprintf(reason, sizeof(reason), "CSR write failed (%d)",
			 led_err);
		err = led_err;
	}

	card->selftest_passed = !err;
	if (err)
		snprintf(card->selftest, sizeof(card->selftest), "fail: %s",
			 reason);
	else
		strscpy(card->selftest, "pass", sizeof(card->selftest));
	if (err)
		dev_warn(&card->dev, "power-on test: %s\n", card->selftest);
	return err;
}

/**
 * xvme_card_run_selftest - run the whole power-on test again
 * @card: the card; its driver must be bound (called from the driver)
 *
 * Takes the card's state lock: do not call it with xvme_card_lock() held.
 * Return: 0 when the card passed, else the failing stage's errno.
 */
int xvme_card_run_selftest(struct xvme_card *card)
{
	struct xvme_driver *drv = NULL;
	int err;

	if (card->dev.driver)
		drv = to_xvme_driver(card->dev.driver);
	mutex_lock(&card->state_lock);
	err = xvme_selftest_run_locked(card, drv);
	mutex_unlock(&card->state_lock);
	return err;
}
EXPORT_SYMBOL_GPL(xvme_card_run_selftest);

/**
 * xvme_card_selftest_passed - the result of the last power-on test
 * @card: the card
 */
bool xvme_card_selftest_passed(struct xvme_card *card)
{
	bool passed;

	mutex_lock(&card->state_lock);
	passed = card->selftest_passed;
	mutex_unlock(&card->state_lock);
	return passed;
}
EXPORT_SYMBOL_GPL(xvme_card_selftest_passed);

/**
 * xvme_card_lock - hold off a retest while the driver changes busy state
 * @card: the card
 */
void xvme_card_lock(struct xvme_card *card)
{
	mutex_lock(&card->state_lock);
}
EXPORT_SYMBOL_GPL(xvme_card_lock);

/**
 * xvme_card_unlock - counterpart of xvme_card_lock()
 * @card: the card
 */
void xvme_card_unlock(struct xvme_card *card)
{
	mutex_unlock(&card->state_lock);
}
EXPORT_SYMBOL_GPL(xvme_card_unlock);

static unsigned int xvme_led_csr_bits(enum xvme_led led)
{
	switch (led) {
	case XVME_LED_GREEN:
		return XVME_CSR_RED_OFF | XVME_CSR_GRN_ON;
	case XVME_LED_RED:
		return 0;
	case XVME_LED_OFF:
	default:
		return XVME_CSR_RED_OFF;
	}
}

/**
 * xvme_card_set_led - light the front-panel LEDs
 * @card: the card
 * @led: green (red off, green on), red (red on, green off) or off
 *
 * Only the CSR's LED bits change. Does not take the state lock, so a
 * driver may call it from any sleepable context, with or without
 * xvme_card_lock().
 * Return: 0, -EOPNOTSUPP for a card without LEDs (XVME-260, unknown
 * models), or the bus error.
 */
int xvme_card_set_led(struct xvme_card *card, enum xvme_led led)
{
	unsigned int mask = XVME_CSR_RED_OFF | XVME_CSR_GRN_ON;
	unsigned int bits = xvme_led_csr_bits(led);
	int err;

	switch (card->model) {
	case XVME_MODEL_240:
		err = regmap_update_bits(card->regmap8, XVME240_CSR, mask,
					 bits);
		break;
	case XVME_MODEL_560:
		err = regmap_update_bits(card->regmap16, XVME560_CSR, mask,
					 bits);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!err)
		WRITE_ONCE(card->led, led);
	return err;
}
EXPORT_SYMBOL_GPL(xvme_card_set_led);

/*
 * What the LEDs show. Cards with LEDs are asked (the CSR is the truth,
 * whatever wrote it); the others report what the core knows: off for the
 * LED-less XVME-260, the reset state (red) for a card of unknown model.
 */
int xvme_card_get_led(struct xvme_card *card, enum xvme_led *led)
{
	unsigned int csr;
	int err;

	switch (card->model) {
	case XVME_MODEL_240:
		err = regmap_read(card->regmap8, XVME240_CSR, &csr);
		break;
	case XVME_MODEL_560:
		err = regmap_read(card->regmap16, XVME560_CSR, &csr);
		break;
	case XVME_MODEL_260:
		*led = XVME_LED_OFF;
		return 0;
	default:
		*led = READ_ONCE(card->led);
		return 0;
	}
	if (err)
		return err;
	if (!(csr & XVME_CSR_RED_OFF))
		*led = XVME_LED_RED;
	else if (csr & XVME_CSR_GRN_ON)
		*led = XVME_LED_GREEN;
	else
		*led = XVME_LED_OFF;
	return 0;
}
