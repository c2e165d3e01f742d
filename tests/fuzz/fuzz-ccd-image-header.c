// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the header line of the pixel data channel
 * (daemon/ccd/ccd-image-header.c). Whatever the bytes: no crash, the
 * output untouched and a reason given on refusal, and an accepted header
 * is consistent (window 0-2, naxis 1-65535, bitpix 8/16/32, a finite
 * bzero, bytes = naxis1 x naxis2 x bitpix / 8) and formats back to a line
 * that parses to the same values.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ccd/ccd-image-header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccd_image_header h, untouched, back;
	char why[160] = "", line[CCD_IMAGE_HEADER_MAX * 2];
	int n;

	memset(&h, 0x5A, sizeof(h));
	untouched = h;
	if (ccd_image_header_parse((const char *)data, size, &h, why, sizeof(why)) < 0) {
		check(memcmp(&h, &untouched, sizeof(h)) == 0);
		check(why[0] != '\0');
		return 0;
	}
	check(h.window <= 2 && h.naxis1 >= 1 && h.naxis1 <= 65535 && h.naxis2 >= 1 &&
	      h.naxis2 <= 65535);
	check(h.bitpix == 8 || h.bitpix == 16 || h.bitpix == 32);
	check(isfinite(h.bzero));
	check(h.bytes == (uint64_t)h.naxis1 * h.naxis2 * (uint64_t)(h.bitpix / 8));
	n = snprintf(line, sizeof(line),
		     "SCCDIMG1 run=%llu window=%u naxis1=%u naxis2=%u bitpix=%d bzero=%.17g bytes=%llu",
		     (unsigned long long)h.run, h.window, h.naxis1, h.naxis2, h.bitpix, h.bzero,
		     (unsigned long long)h.bytes);
	check(n > 0 && (size_t)n < sizeof(line));
	check(ccd_image_header_parse(line, (size_t)n, &back, NULL, 0) == 0);
	check(back.run == h.run && back.window == h.window && back.naxis1 == h.naxis1 &&
	      back.naxis2 == h.naxis2 && back.bitpix == h.bitpix && back.bzero == h.bzero &&
	      back.bytes == h.bytes);
	return 0;
}
