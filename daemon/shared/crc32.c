// SPDX-License-Identifier: GPL-2.0
/*
 * Bitwise CRC-32. Records are a few hundred bytes and are checksummed only
 * when written or loaded, so a table is not worth its 1 KiB.
 */
#include "daemon/shared/crc32.h"

uint32_t crc32_update(uint32_t crc, const void *data, size_t size)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (size--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
	}
	return ~crc;
}
