/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What depends on one card: the detectors and manifolds wired to it and
 * the station outputs on it, as the one journal entry of a card that is
 * absent, failed or left the crate names them ("detectors 1-6, 13;
 * manifolds A, C; the alarm"), instead of a fault per detector.
 */
#ifndef STATIOND_HW_CARD_USERS_H
#define STATIOND_HW_CARD_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/config/station.h"

/*
 * Describe what uses card (crate, address) of a sorted station into buf:
 * detector numbers as ascending runs, manifold names, the dewar inhibit and
 * the alarm, separated by "; ", or "nothing configured" when nothing does.
 * Always NUL-terminated; a text cut short ends in "...". Returns the
 * number of detectors and manifolds that use it.
 */
size_t card_users_format(const struct station *s, uint8_t crate, uint16_t address, char *buf,
			 size_t size);

#endif
