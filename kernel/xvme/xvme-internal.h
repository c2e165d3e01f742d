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

int xvme_read_id(struct xvme_crate *crate, u16 base, u8 raw[XVME_ID_CHARS]);
const char *xvme_id_strerror(int err);

/*
 * The power-on test with card->state_lock held: the ID PROM stage, then
 * @drv's stage if @drv is not NULL. Stores the result and has @drv light
 * the LEDs.
 */
int xvme_selftest_run_locked(struct xvme_card *card, struct xvme_driver *drv);

/* xvme-irq.c: the crate's vector domain and the cards' interrupts. */
int xvme_crate_irq_init(struct xvme_crate *crate);
void xvme_crate_irq_exit(struct xvme_crate *crate);
void xvme_card_irq_init(struct xvme_card *card);
void xvme_card_irq_exit(struct xvme_card *card);

#endif /* _XVME_INTERNAL_H */
