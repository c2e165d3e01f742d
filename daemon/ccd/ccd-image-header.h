/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The header line of one image on the pixel data channel (README.md):
 *
 *   SCCDIMG1 run=<n> window=<w> naxis1=<x> naxis2=<y> bitpix=<b> bzero=<z> bytes=<n>\n
 *
 * Keys in this order, each once; run is the data source's own read-out
 * count (it does not know stationd's run numbers); window 0 (full frame)
 * to 2; naxis 1 to 65535; bitpix 8, 16 or 32; bzero a decimal number;
 * bytes = naxis1 x naxis2 x bitpix / 8. Outside input: parsed strictly,
 * with the reason of a refusal. Pure code.
 */
#ifndef STATIOND_CCD_CCD_IMAGE_HEADER_H
#define STATIOND_CCD_CCD_IMAGE_HEADER_H

#include <stddef.h>
#include <stdint.h>

#define CCD_IMAGE_HEADER_MAGIC "SCCDIMG1"
#define CCD_IMAGE_HEADER_MAX 256	/* bytes of a header line, newline included */

struct ccd_image_header {
	uint64_t run;
	unsigned window;
	uint32_t naxis1, naxis2;
	int bitpix;
	double bzero;
	uint64_t bytes;
};

/*
 * Parse one line (without its newline). 0, or -EBADMSG with why (a
 * message naming the first bad field) filled.
 */
int ccd_image_header_parse(const char *line, size_t length, struct ccd_image_header *ret,
			   char *why, size_t why_size);

#endif
