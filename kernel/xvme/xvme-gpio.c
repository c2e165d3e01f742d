// SPDX-License-Identifier: GPL-2.0
/*
 * What the card drivers with a gpiochip (XVME-240, XVME-260) need from the
 * bus to live with gpiolib as this kernel (6.1) has it.
 *
 * Line names go to gpiolib as the "gpio-line-names" property of a software
 * node (gc->fwnode) rather than through gc->names. A card can leave a
 * running crate while userspace holds lines of its chip; gpiolib then
 * keeps the chip's gpio_device on its list with no chip behind it, and for
 * every later chip registered with gc->names it walks that list to check
 * for name collisions, dereferencing the missing chip: putting any named
 * card back would oops. The property path names the lines without that
 * walk.
 *
 * Line numbers: gpiolib still gives every line a number in one global
 * space, 0 .. ARCH_NR_GPIOS - 1 (1024 on x86-64), and refuses a chip that
 * does not fit (-ENOSPC). A big station does not fit: 1000 detectors are
 * 36 relay cards and 18 TTL cards, 2592 lines. A chip that finds the space
 * full is numbered beyond it instead, at a base fixed by its crate and
 * slot. Only userspace's character device is used on these lines, which
 * does not care about the numbers; the legacy number-based interfaces
 * (sysfs export) cannot reach them. Numbers beyond the space are used only
 * once it is full, because gpiolib's search for a free range for later
 * chips gives up at a gap up there.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gpio.h>
#include <linux/gpio/driver.h>
#include <linux/property.h>

#include "xvme.h"

static void xvme_line_names_remove(void *fwnode)
{
	fwnode_remove_software_node(fwnode);
}

/**
 * devm_xvme_gpio_line_names - a software node naming a card's lines
 * @card: the card being probed
 * @names: one name per line
 * @count: number of lines
 *
 * Call before the gpiochip is added, so that at unbind the node goes after
 * the chip. The names are copied.
 * Return: the node for gc->fwnode, or an ERR_PTR().
 */
struct fwnode_handle *devm_xvme_gpio_line_names(struct xvme_card *card,
						const char *const *names,
						unsigned int count)
{
	const struct property_entry props[] = {
		PROPERTY_ENTRY_STRING_ARRAY_LEN("gpio-line-names", names,
						count),
		{}
	};
	struct fwnode_handle *fwnode;
	int err;

	fwnode = fwnode_create_software_node(props, NULL);
	if (IS_ERR(fwnode))
		return fwnode;
	err = devm_add_action_or_reset(&card->dev, xvme_line_names_remove,
				       fwnode);
	return err ? ERR_PTR(err) : fwnode;
}
EXPORT_SYMBOL_GPL(devm_xvme_gpio_line_names);

/* Lines per card at most: the XVME-240's 64 ports, 8 interrupts, 8 flags. */
#define XVME_GPIO_LINES_MAX	80

/**
 * devm_xvme_gpiochip_add - add a card's gpiochip, numbered beyond the
 * global GPIO number space when that is full
 * @card: the card being probed; gc->parent must be its device
 * @gc: the chip, gc->base -1 and at most 80 lines
 * @data: driver data for gpiochip_get_data()
 *
 * Return: 0 or the error of gpiolib.
 */
int devm_xvme_gpiochip_add(struct xvme_card *card, struct gpio_chip *gc,
			   void *data)
{
	int err;

	if (gc->ngpio > XVME_GPIO_LINES_MAX || gc->base >= 0)
		return -EINVAL;
	err = devm_gpiochip_add_data(&card->dev, gc, data);
	if (err != -ENOSPC)
		return err;

	gc->base = ARCH_NR_GPIOS + (card->crate->index * XVME_SLOTS +
				    card->base / XVME_SLOT_SIZE) *
				   XVME_GPIO_LINES_MAX;
	dev_info(&card->dev,
		 "GPIO numbers 0..%d are used up: lines numbered from %d\n",
		 ARCH_NR_GPIOS - 1, gc->base);
	err = devm_gpiochip_add_data(&card->dev, gc, data);
	if (err)
		gc->base = -1;
	return err;
}
EXPORT_SYMBOL_GPL(devm_xvme_gpiochip_add);
