/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UtilityNet message numbers. The instrument ignores a number it has seen
 * before, so a host must not start where its last run did: the seed starts
 * at (100 x pid) mod 0xFFFF (§6.6); pids repeat under systemd, so the
 * project mixes in a random number (shared/spec/utilitynet.md). Each new
 * message takes the next number, a resend keeps its own, and 0xFFFF wraps
 * to 0.
 */
#ifndef STATIOND_UNET_UNET_NUMBERING_H
#define STATIOND_UNET_UNET_NUMBERING_H

#include <stdint.h>

struct unet_numbering {
	uint16_t next;
};

/* The seed's formula on pid, XORed with random (e.g. from getrandom()). */
uint16_t unet_numbering_first(uint32_t pid, uint16_t random);

void unet_numbering_init(struct unet_numbering *n, uint16_t first);

/* The number of a new message; the one after 0xFFFF is 0. */
uint16_t unet_numbering_take(struct unet_numbering *n);

#endif
