// SPDX-License-Identifier: GPL-2.0
/*
 * Read-out formats and their rules (see ccd-format.h).
 */
#include "daemon/ccd/ccd-format.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "daemon/shared/macro.h"

void ccd_format_default(struct ccd_format *ret)
{
	*ret = (struct ccd_format){ .bin_x = 1, .bin_y = 1 };
}

static int refuse(char *why, size_t why_size, const char *format, ...) _printf_(3, 4);
static int refuse(char *why, size_t why_size, const char *format, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, format);
		vsnprintf(why, why_size, format, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int ccd_window_check(const struct ccd_geometry *g, unsigned number, const struct ccd_window *w,
		     char *why, size_t why_size)
{
	if (number < 1 || number > CCD_WINDOWS)
		return refuse(why, why_size, "window %u: windows are numbered 1 to %u", number,
			      CCD_WINDOWS);
	if (!w->valid)
		return 0;
	if (w->x1 < 1 || w->x2 > g->size_x)
		return refuse(why, why_size, "window %u: x %u-%u is outside the chip (1-%u)",
			      number, w->x1, w->x2, g->size_x);
	if (w->y1 < 1 || w->y2 > g->size_y)
		return refuse(why, why_size, "window %u: y %u-%u is outside the chip (1-%u)",
			      number, w->y1, w->y2, g->size_y);
	if (w->x1 >= w->x2)
		return refuse(why, why_size, "window %u: x1 %u is not less than x2 %u", number,
			      w->x1, w->x2);
	if (w->y1 >= w->y2)
		return refuse(why, why_size, "window %u: y1 %u is not less than y2 %u", number,
			      w->y1, w->y2);
	return 0;
}

int ccd_binning_check(const struct ccd_geometry *g, uint32_t bin_x, uint32_t bin_y, char *why,
		      size_t why_size)
{
	if (bin_x < 1 || bin_x > g->bin_max || bin_y < 1 || bin_y > g->bin_max)
		return refuse(why, why_size, "binning %ux%u is not 1 to %u on each axis", bin_x,
			      bin_y, g->bin_max);
	return 0;
}

int ccd_format_check(const struct ccd_geometry *g, const struct ccd_format *f, char *why,
		     size_t why_size)
{
	int r;

	r = ccd_binning_check(g, f->bin_x, f->bin_y, why, why_size);
	for (unsigned i = 0; r >= 0 && i < CCD_WINDOWS; i++)
		r = ccd_window_check(g, i + 1, &f->window[i], why, why_size);
	return r;
}

bool ccd_window_equal(const struct ccd_window *a, const struct ccd_window *b)
{
	if (a->valid != b->valid)
		return false;
	/* Two invalid windows are the same whatever their corners say. */
	return !a->valid ||
	       (a->x1 == b->x1 && a->y1 == b->y1 && a->x2 == b->x2 && a->y2 == b->y2);
}

bool ccd_format_equal(const struct ccd_format *a, const struct ccd_format *b)
{
	if (a->bin_x != b->bin_x || a->bin_y != b->bin_y ||
	    a->windows_enabled != b->windows_enabled)
		return false;
	for (unsigned i = 0; i < CCD_WINDOWS; i++)
		if (!ccd_window_equal(&a->window[i], &b->window[i]))
			return false;
	return true;
}

size_t ccd_format_images(const struct ccd_geometry *g, const struct ccd_format *f,
			 struct ccd_image_size images[static CCD_WINDOWS])
{
	uint32_t bx = f->bin_x ? f->bin_x : 1, by = f->bin_y ? f->bin_y : 1;
	size_t n = 0;

	if (f->windows_enabled)
		for (unsigned i = 0; i < CCD_WINDOWS; i++) {
			const struct ccd_window *w = &f->window[i];

			if (!w->valid)
				continue;
			images[n++] = (struct ccd_image_size){
				.window = i + 1,
				.naxis1 = (w->x2 - w->x1 + 1) / bx,
				.naxis2 = (w->y2 - w->y1 + 1) / by,
			};
		}
	if (n == 0)
		images[n++] = (struct ccd_image_size){
			.window = 0,
			.naxis1 = g->size_x / bx,
			.naxis2 = g->size_y / by,
		};
	return n;
}
