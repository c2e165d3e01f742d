// SPDX-License-Identifier: GPL-2.0
/*
 * Power-on test of xvme cards.
 *
 * The test has stages: the core's own (the ID PROM reads back and still
 * names the card's model), then the bound driver's ->selftest (reset
 * behaviour, a test conversion, ...). Its one-line result is the card's
 * "selftest" attribute and decides the front-panel LEDs, which the
 * driver lights (->set_led): green on pass, red on fail, as the EPICS
 * drivers do after init. A card no driver tested keeps the hardware's
 * reset state.
 */
#include <linux/device.h>
#include <linux/export.h>
#include <linux/mutex.h>

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
	int err, led_err = 0;

	lockdep_assert_held(&card->state_lock);

	err = xvme_selftest_id_stage(card, reason, sizeof(reason));
	if (!err && drv && drv->selftest) {
		err = drv->selftest(card, reason, sizeof(reason));
		if (err && !reason[0])
			snprintf(reason, sizeof(reason), "driver test error %d",
				 err);
	}

	if (drv && drv->set_led)
		led_err = drv->set_led(card, err ? XVME_LED_RED : XVME_LED_GREEN);
	if (!err && led_err) {
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
 * @card: the card
 *
 * What a write to "retest" does. The device lock keeps the driver bound
 * (or unbound) while its ->busy and ->selftest run; the state lock makes
 * the busy check and the test one step that a driver going busy (under
 * xvme_card_lock()) cannot split. Takes both: not for driver callbacks.
 * Return: 0 when the card passed, -EBUSY when its driver is busy (lines
 * requested, a conversion running) and nothing was done, else the failing
 * stage's errno.
 */
int xvme_card_run_selftest(struct xvme_card *card)
{
	struct xvme_driver *drv = NULL;
	int err;

	device_lock(&card->dev);
	if (card->dev.driver)
		drv = to_xvme_driver(card->dev.driver);
	mutex_lock(&card->state_lock);
	if (drv && drv->busy && drv->busy(card))
		err = -EBUSY;
	else
		err = xvme_selftest_run_locked(card, drv);
	mutex_unlock(&card->state_lock);
	device_unlock(&card->dev);
	return err;
}
EXPORT_SYMBOL_NS_GPL(xvme_card_run_selftest, XVME_KUNIT);

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
