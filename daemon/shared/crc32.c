// SPDX-License-Identifier: GPL-2.0
/*
 * Table-driven CRC-32, one byte per step. The 1 KiB table is built on first
 * use (the daemon is single-threaded; building it twice would also be
 * harmless, as both builds write the same values).
 */
#include <stdbool.h>

#include "daemon/shared/crc32.h"

static uint32_t table[256];
static bool table_ready;

static void table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int bit = 0; bit < 8; bit++)
			c = (c >> 1) ^ (0xEDB88320u & -(c & 1u));
		table[i] = c;
	}
	table_ready = true;
}

uint32_t crc32_update(uint32_t crc, const void *data, size_t size)
{
	const uint8_t *p = data;

	if (!table_ready)
		table_build();
	crc = ~crc;
	while (size--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
