/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The read-out format of a CCD (the seed's SCCD_format_T, §4.5): binning,
 * up to two windows, and whether windows are enabled; and the rules a
 * format must follow (shared/spec/utilitynet.md, "Format rules"):
 *
 *   - at most 2 windows, numbered 1 and 2;
 *   - window corners 1-based and inclusive, inside the full frame
 *     (SCCD_SIZE, under- and overscans included), x1 < x2 and y1 < y2;
 *   - binning 1 up to the profile's limit (BIN_MAX, default 8) on each axis.
 *
 * Pure code: the daemon, the CCD controller simulator and the tests share
 * it.
 */
#ifndef STATIOND_CCD_CCD_FORMAT_H
#define STATIOND_CCD_CCD_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CCD_WINDOWS 2u
#define CCD_BIN_MAX_DEFAULT 8u
#define CCD_BIN_LIMIT 64u		/* the largest BIN_MAX a profile may set */
#define CCD_SIZE_MAX 65535u		/* pixels on one axis */

struct ccd_window {
	bool valid;
	uint32_t x1, y1, x2, y2;	/* 1-based, inclusive */
};

struct ccd_format {
	uint32_t bin_x, bin_y;
	bool windows_enabled;
	struct ccd_window window[CCD_WINDOWS];	/* window 1 is window[0] */
};

/* The full frame the format applies to, from the profile. */
struct ccd_geometry {
	uint32_t size_x, size_y;	/* SCCD_SIZE */
	uint32_t bin_max;		/* BIN_MAX */
};

/* 1x1, no valid window, windows disabled. */
void ccd_format_default(struct ccd_format *ret);

/*
 * Check one window against the frame: 0, or -EINVAL with a message
 * ("window 1: x2 5000 is outside the chip (1-2148)") in why.
 * An invalid (valid = false) window always passes: its corners mean nothing.
 */
int ccd_window_check(const struct ccd_geometry *g, unsigned number, const struct ccd_window *w,
		     char *why, size_t why_size);
/* Check a binning: 0 or -EINVAL with a message. */
int ccd_binning_check(const struct ccd_geometry *g, uint32_t bin_x, uint32_t bin_y, char *why,
		      size_t why_size);
/* Both windows and the binning. Enabling windows without a valid one is
 * allowed: the controller then reads the full frame, as with windows
 * disabled. */
int ccd_format_check(const struct ccd_geometry *g, const struct ccd_format *f, char *why,
		     size_t why_size);

bool ccd_window_equal(const struct ccd_window *a, const struct ccd_window *b);
bool ccd_format_equal(const struct ccd_format *a, const struct ccd_format *b);

/*
 * The images a read-out in format f produces: window 0 (the full frame,
 * binned) when windows are disabled or none is valid, else one per valid
 * window (numbers 1-2, each binned). Returns how many were written to
 * images (at most 2). Sizes round down: a partial bin is not read out.
 */
struct ccd_image_size {
	unsigned window;		/* 0 full frame, 1 or 2 */
	uint32_t naxis1, naxis2;
};
size_t ccd_format_images(const struct ccd_geometry *g, const struct ccd_format *f,
			 struct ccd_image_size images[static CCD_WINDOWS]);

#endif
