/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the files of the xvme core module; not for backends or
 * card drivers (their contract is xvme.h).
 */
#ifndef _XVME_INTERNAL_H
#define _XVME_INTERNAL_H

#include "xvme.h"

extern const struct device_type xvme_card_type;
extern const struct device_type xvme_crate_type;

/* Card-relative register offsets of the CSRs that carry the LEDs. */
#define XVME240_CSR		0x81	/* 8 bit */
#define XVME560_CSR		0x80	/* 16 bit */

int xvme_read_id(struct xvme_crate *crate, u16 base, u8 raw[XVME_ID_CHARS]);
const char *xvme_id_strerror(int err);

/*
 * The power-on test with card->state_lock held: the ID PROM stage, then
 * @drv's stage if @drv is not NULL. Stores the result, sets the LED.
 */
int xvme_selftest_run_locked(struct xvme_card *card, struct xvme_driver *drv);
int xvme_card_get_led(struct xvme_card *card, enum xvme_led *led);

#endif /* _XVME_INTERNAL_H */
