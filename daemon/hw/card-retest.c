// SPDX-License-Identifier: GPL-2.0
/*
 * An operator's explicit power-on test of a card (hw_card_retest(), see
 * hw.h). The kernel refuses to reset a card whose lines are held, so a
 * card stationd uses is let go first (its lines released: the kernel
 * leaves its relays de-energized) and opened again after the test, as at
 * start: a card that passes is used from the next scan on, whether it was
 * in use before or had failed.
 */
#include <errno.h>
#include <string.h>

#include "daemon/hw/card-state.h"
#include "daemon/hw/hw-internal.h"
#include "daemon/shared/log.h"

int hw_card_retest(struct hw *hw, const char *name, char *result, size_t size)
{
	struct hw_card *c = NULL;
	int r;

	for (size_t i = 0; i < hw->station->n_cards; i++)
		if (strcmp(hw->cards[i].name, name) == 0)
			c = &hw->cards[i];
	if (c && c->error == 0)
		hw_card_close(c);
	r = card_state_retest(hw->udev, name, result, size);
	if (c) {
		hw_card_close(c);
		hw_card_open(hw, c);
		if (c->error == 0)
			c->removed = false;
	}
	if (r >= 0)
		log_event(LOG_NOTICE, LOG_EVENT_CARD, LOG_NO_DETECTOR, NULL, name, 0,
			  "card %s: power-on test run again: %s", name, result);
	return r;
}
