// SPDX-License-Identifier: GPL-2.0
/*
 * UtilityNet message numbers (see unet-numbering.h).
 */
#include "daemon/unet/unet-numbering.h"

uint16_t unet_numbering_first(uint32_t pid, uint16_t random)
{
	/* The seed's (100 * (uint)pid) % 0xFFFF, in 64 bits so no pid overflows. */
	uint16_t seed = (uint16_t)((100ull * pid) % 0xFFFFu);

	return seed ^ random;
}

void unet_numbering_init(struct unet_numbering *n, uint16_t first)
{
	n->next = first;
}

uint16_t unet_numbering_take(struct unet_numbering *n)
{
	/* uint16_t arithmetic: 0xFFFF + 1 is 0. */
	return n->next++;
}
