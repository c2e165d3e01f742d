/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Library of the xvme card drivers that offer a gpiochip (XVME-240,
 * XVME-260): what a card that can leave a running crate while userspace
 * holds its lines needs from gpiolib as this kernel (6.1) has it. See
 * xvme-gpio.c and Documentation/xvme/gpio-hotplug.rst.
 */
#ifndef _XVME_XVME_GPIO_H
#define _XVME_XVME_GPIO_H

#include <linux/bitmap.h>
#include <linux/gpio/driver.h>
#include <linux/kref.h>
#include <linux/mutex.h>

#include "xvme.h"

/* Lines per card at most: the XVME-240's 64 ports, 8 interrupts, 8 flags. */
#define XVME_GPIO_LINES_MAX	80

struct xvme_gpio;

/**
 * struct xvme_gpio_ops - what the card driver does at the library's events
 * @request:	optional; a line is being requested (card present; the
 *		chip's lock held). A negative errno refuses it.
 * @free:	optional; a line was released by its holder (fd closed,
 *		process killed) while the card is present, the chip's lock
 *		held: leave the output safe.
 * @gone:	optional; the card is unbound (pulled, driver unbound or
 *		unloaded), after its chip was removed, the chip's lock held:
 *		the last moment its registers may be touched.
 * @release:	the last reference went: free the driver's state (which
 *		embeds the struct xvme_gpio). Any context that may sleep,
 *		but possibly inside a callback of gpiolib or the irq core.
 */
struct xvme_gpio_ops {
	int (*request)(struct xvme_gpio *xg, unsigned int offset);
	void (*free)(struct xvme_gpio *xg, unsigned int offset);
	void (*gone)(struct xvme_gpio *xg);
	void (*release)(struct xvme_gpio *xg);
};

/**
 * struct xvme_gpio - a card's gpiochip and the state that must outlive the
 * driver's binding (embedded in the driver's own state, which is allocated
 * with kzalloc(), not devm: gpiolib and userspace may still reach the chip
 * after the binding's devres is gone)
 * @gc:		the chip; gc->ngpio and the driver's line operations are
 *		set by the driver, the rest by devm_xvme_gpiochip_add()
 * @kref:	one reference for the binding, one per requested line, and
 *		what the driver takes (xvme_gpio_get())
 * @lock:	the card's lock: @card, @shut_down, the request bitmaps and
 *		whatever the driver keeps of the card's registers. Taken
 *		before the card's state lock (xvme_card_lock()).
 * @card:	the card while the driver is bound; NULL once it is gone
 *		(then its registers must not be touched)
 * @shut_down:	the system is going down and the driver made the card
 *		safe: it must stay so
 * @requested:	lines requested now; also under the card's state lock, so
 *		->busy may read it
 * @orphaned:	lines still requested when the card went, whose release
 *		gpiolib may or may not still report
 * @owner:	the driver's module, which gpiolib pins per requested line
 * @ops:	the driver's hooks
 */
struct xvme_gpio {
	struct gpio_chip gc;
	struct kref kref;
	struct mutex lock;		/* the card's lock, see above */
	struct xvme_card *card;
	bool shut_down;
	DECLARE_BITMAP(requested, XVME_GPIO_LINES_MAX);
	DECLARE_BITMAP(orphaned, XVME_GPIO_LINES_MAX);
	struct module *owner;
	const struct xvme_gpio_ops *ops;
};

#define to_xvme_gpio(chip) container_of(chip, struct xvme_gpio, gc)

int devm_xvme_gpio_init(struct xvme_card *card, struct xvme_gpio *xg,
			const struct xvme_gpio_ops *ops);
int devm_xvme_gpiochip_add(struct xvme_gpio *xg, const char *const *names);

/* The card while it is present (NULL once gone), with the lock held. */
struct xvme_card *xvme_gpio_lock(struct xvme_gpio *xg);
void xvme_gpio_unlock(struct xvme_gpio *xg);
void xvme_gpio_get(struct xvme_gpio *xg);
void xvme_gpio_put(struct xvme_gpio *xg);

/* For xvme_driver: ->busy while any line is requested. */
bool xvme_gpio_busy(struct xvme_card *card);
/* The driver's state of a bound card (drvdata), for ->shutdown. */
struct xvme_gpio *xvme_gpio_of_card(struct xvme_card *card);

#endif /* _XVME_XVME_GPIO_H */
