/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic but plausible CCD frames for the controller simulator: bias
 * level, read noise, dark current for the time the charge sat on the
 * chip, sky and a few stars for the time the shutter was open, preflash,
 * photon noise, on-chip binning and read-out windows, digitised by a
 * 16-bit ADC and stored as the profile's BITPIX/BZERO/BSCALE say, big
 * endian, in FITS order (first row first, x fastest). Under- and
 * overscan pixels carry bias and read noise only. Pure code.
 *
 * What goes on the data socket per image: one ASCII line
 *   SCCDIMG1 run=<n> window=<w> naxis1=<x> naxis2=<y> bitpix=<b> bzero=<z> bytes=<n>\n
 * then exactly <n> bytes of pixels.
 */
#ifndef STATIOND_TESTS_SIM_CCD_IMAGE_H
#define STATIOND_TESTS_SIM_CCD_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "tests/sim/ccd-controller.h"

#define CCD_IMAGE_HEADER_MAX 160
#define CCD_ADC_MAX 65535.0

struct ccd_image_params {
	struct ccd_chip chip;
	double gain;			/* electrons per ADU (GAIN) */
	double read_noise;		/* electrons rms (NOISE) */
	double bias_adu;
	double dark_e_per_s;		/* per pixel */
	double sky_e_per_s;		/* per pixel, shutter open */
	double preflash_e_per_s;	/* per pixel, preflash lamp on */
	int bitpix;			/* 8, 16, 32, -32 or -64 */
	double bzero, bscale;
	uint64_t seed;			/* noise; mixed with the read-out's sequence */
	uint64_t sky_seed;		/* where the stars are and how bright */
	unsigned int stars_per_megapixel;
};

/* One image of a read-out: the whole frame (window 0) or window 1 or 2. */
struct ccd_image_region {
	uint32_t window;
	uint32_t x1, y1, x2, y2;	/* unbinned, 1-based inclusive */
	uint32_t naxis1, naxis2;	/* binned; a partial bin is not read */
};

void ccd_image_params_default(struct ccd_image_params *p);
/* -EINVAL for parameters no frame can be made with. */
int ccd_image_params_check(const struct ccd_image_params *p);

/*
 * The images a read-out yields, as ccd_format_images() says (each
 * enabled valid window in turn, or the full frame), with their corners.
 * Returns how many (1 or 2).
 */
size_t ccd_image_regions(const struct ccd_chip *chip, const struct ccd_readout *r,
			 struct ccd_image_region out[static CCD_WINDOWS]);
size_t ccd_image_bytes(const struct ccd_image_region *region, int bitpix);
/* The header line, with its newline; its length, or -ENOBUFS. */
int ccd_image_header(char *buf, size_t size, uint64_t run, const struct ccd_image_region *region,
		     const struct ccd_image_params *p);
/* The pixels of @region into @out (ccd_image_bytes() of them). */
int ccd_image_render(const struct ccd_image_params *p, const struct ccd_readout *r,
		     const struct ccd_image_region *region, uint8_t *out, size_t size);

#endif
