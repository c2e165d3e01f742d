/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum of
 * the station database header and of each of its records. The same
 * function as zlib's crc32(), so `python3 -c 'import zlib'` can check a
 * record by hand.
 */
#ifndef STATIOND_SHARED_CRC32_H
#define STATIOND_SHARED_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC over more bytes; start with crc = 0. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t size);

static inline uint32_t crc32_of(const void *data, size_t size)
{
	return crc32_update(0, data, size);
}

#endif
