// SPDX-License-Identifier: GPL-2.0
/*
 * Names of a card's gpiochip lines, given to gpiolib as the
 * "gpio-line-names" property of a software node (gc->fwnode) rather than
 * through gc->names.
 *
 * Why: a card can leave a running crate while userspace holds lines of
 * its chip. gpiolib (6.1) then keeps the chip's gpio_device on its list
 * with no chip behind it, and for every later chip registered with
 * gc->names it walks that list to check for name collisions,
 * dereferencing the missing chip: putting any named card back would oops.
 * The property path names the lines without that walk.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/export.h>
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
