// SPDX-License-Identifier: GPL-2.0
/*
 * A run's FITS file, written in steps (see ccd-fits.h).
 */
#include "daemon/ccd/ccd-fits.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ccd/ccd-speed.h"

enum stage {
	STAGE_CREATE,		/* the file and the primary header */
	STAGE_HDU,		/* the next image's header */
	STAGE_PIXELS,		/* its pixels */
	STAGE_CLOSE,
	STAGE_DONE,
};

struct ccd_fits_writer {
	char path[PATH_MAX];
	char temporary[PATH_MAX];
	bool replace;
	char ccd[64];
	struct ccd_profile profile;
	struct ccd_run run;
	struct ccd_image *images;
	size_t n_images;

	enum stage stage;
	fitsfile *file;
	size_t image;		/* the one being written */
	uint64_t offset;	/* of its pixel bytes */
	char error[PATH_MAX * 2 + 64];
};

void ccd_fits_file_name(const struct ccd_run *run, char *buf, size_t size)
{
	if (run->type == CCD_RUN_SCRATCH)
		snprintf(buf, size, "scratch.fit");
	else if (run->type == CCD_RUN_GLANCE)
		snprintf(buf, size, "glance.fit");
	else
		snprintf(buf, size, "r%07u.fit", run->number);
}

void ccd_fits_date(uint64_t realtime_usec, char *buf, size_t size)
{
	time_t t = (time_t)(realtime_usec / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03u", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(realtime_usec % 1000000 / 1000));
}

int ccd_fits_writer_new(const char *path, bool replace, const char *ccd,
			const struct ccd_profile *profile, const struct ccd_run *run,
			struct ccd_image *images, size_t n_images, struct ccd_fits_writer **ret)
{
	struct ccd_fits_writer *w;
	const char *slash = strrchr(path, '/');

	/* The full frame alone, or distinct windows 1-2. */
	bool valid = n_images <= CCD_WINDOWS;

	for (size_t i = 0; valid && n_images > 1 && i < n_images; i++) {
		valid = images[i].header.window != 0;
		for (size_t j = 0; valid && j < i; j++)
			valid = images[i].header.window != images[j].header.window;
	}
	if (!valid) {
		ccd_images_free(images, n_images);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		ccd_images_free(images, n_images);
		return -ENOMEM;
	}
	if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path) ||
	    snprintf(w->temporary, sizeof(w->temporary), "%.*s.%s.tmp",
		     (int)(slash ? slash - path + 1 : 0), path, slash ? slash + 1 : path) >=
	    (int)sizeof(w->temporary)) {
		ccd_images_free(images, n_images);
		free(w);
		return -ENAMETOOLONG;
	}
	w->replace = replace;
	snprintf(w->ccd, sizeof(w->ccd), "%s", ccd);
	w->profile = *profile;
	w->run = *run;
	w->images = images;
	w->n_images = n_images;
	*ret = w;
	return 0;
}

static int cfitsio_failed(struct ccd_fits_writer *w, int status, const char *what)
{
	char text[FLEN_STATUS];

	fits_get_errstatus(status, text);
	snprintf(w->error, sizeof(w->error), "%s: %s (cfitsio %d)", what, text, status);
	return -EIO;
}

static void window_section(const struct ccd_window *win, char *buf, size_t size)
{
	if (win->valid)
		snprintf(buf, size, "[%u:%u,%u:%u]", win->x1, win->x2, win->y1, win->y2);
	else
		snprintf(buf, size, "NONE");
}

/* The profile and run keywords of the primary header. */
static int write_run_keys(struct ccd_fits_writer *w, int *status)
{
	const struct ccd_profile *p = &w->profile;
	const struct ccd_run *r = &w->run;
	const struct ccd_format *f = &r->settings.format;
	char date[32], win1[48], win2[48];
	const char *rspeed = ccd_readout_speed_to_string((int)r->settings.readout_speed);
	const char *cspeed = ccd_clear_speed_to_string((int)r->settings.clear_speed);
	double exptime = r->settings.exposure_ms / 1000.0, elapsed = r->elapsed_ms / 1000.0;
	double preflash = r->settings.preflash_ms / 1000.0;
	long number = r->number;
	int windows = f->windows_enabled;
	long v;

	ccd_fits_date(r->exposure_realtime ? r->exposure_realtime : r->requested_realtime, date,
		      sizeof(date));
	window_section(&f->window[0], win1, sizeof(win1));
	window_section(&f->window[1], win2, sizeof(win2));

	fits_write_key(w->file, TSTRING, "ORIGIN", "stationd", "the SCCD server", status);
	fits_write_date(w->file, status);
	fits_write_key(w->file, TSTRING, "SCCD", w->ccd, "the CCD as stationd names it", status);
	fits_write_key(w->file, TSTRING, "OBSTYPE", (void *)ccd_run_type_to_string(r->type),
		       "run type", status);
	fits_write_key(w->file, TSTRING, "OBJECT", (void *)r->title, "title of the run", status);
	if (number)
		fits_write_key(w->file, TLONG, "RUN", &number, "run number", status);
	fits_write_key(w->file, TSTRING, "DATE-OBS", date, "start of the exposure (UTC)", status);
	fits_write_key_fixdbl(w->file, "EXPTIME", exptime, 3, "[s] exposure time requested",
			      status);
	fits_write_key_fixdbl(w->file, "ELAPSED", elapsed, 3,
			      "[s] from the start of exposure, pauses included", status);
	fits_write_key(w->file, TSTRING, "READSPD", (void *)(rspeed ? rspeed : "UNKNOWN"),
		       "readout speed", status);
	fits_write_key(w->file, TSTRING, "CLRSPD", (void *)(cspeed ? cspeed : "UNKNOWN"),
		       "clear speed", status);
	fits_write_key_fixdbl(w->file, "PREFLASH", preflash, 3, "[s] preflash time", status);
	v = f->bin_x;
	fits_write_key(w->file, TLONG, "CCDXBIN", &v, "binning in x", status);
	v = f->bin_y;
	fits_write_key(w->file, TLONG, "CCDYBIN", &v, "binning in y", status);
	fits_write_key(w->file, TLOGICAL, "WINDOWS", &windows, "windows enabled", status);
	fits_write_key(w->file, TSTRING, "WIN1", win1, "window 1 [x1:x2,y1:y2]", status);
	fits_write_key(w->file, TSTRING, "WIN2", win2, "window 2 [x1:x2,y1:y2]", status);

	fits_write_key(w->file, TSTRING, "CCDNAME", (void *)p->ccd_name, "detector", status);
	fits_write_key(w->file, TSTRING, "DETECTOR", (void *)p->ccd_name, "detector", status);
	fits_write_key(w->file, TSTRING, "CCDTYPE", (void *)p->ccd_type, "detector type", status);
	fits_write_key(w->file, TSTRING, "CCDCTRL", (void *)p->unet_remote,
		       "controller's UtilityNet name", status);
	v = p->head_number;
	fits_write_key(w->file, TLONG, "CCDHEAD", &v, "controller head number", status);
	v = p->head_code;
	fits_write_key(w->file, TLONG, "HEADCODE", &v, "head code", status);
	v = p->das_channel;
	fits_write_key(w->file, TLONG, "DASCHAN", &v, "DAS channel", status);
	v = p->detector_count;
	fits_write_key(w->file, TLONG, "DETCOUNT", &v, "number of detectors", status);
	fits_write_key_dbl(w->file, "GAIN", p->gain_e_per_adu, 6, "[e-/ADU] gain", status);
	fits_write_key_dbl(w->file, "READNOIS", p->noise_e, 6, "[e-] read noise", status);
	fits_write_key_dbl(w->file, "PIXSIZE1", p->pixel_size_x_um, 6, "[um] pixel size in x",
			   status);
	fits_write_key_dbl(w->file, "PIXSIZE2", p->pixel_size_y_um, 6, "[um] pixel size in y",
			   status);
	v = p->size_x;
	fits_write_key(w->file, TLONG, "CCDXSIZE", &v, "full frame x, over/underscans included",
		       status);
	v = p->size_y;
	fits_write_key(w->file, TLONG, "CCDYSIZE", &v, "full frame y", status);
	v = p->x_under;
	fits_write_key(w->file, TLONG, "XUNDER", &v, "underscan columns", status);
	v = p->y_under;
	fits_write_key(w->file, TLONG, "YUNDER", &v, "underscan rows", status);
	v = p->x_silicon;
	fits_write_key(w->file, TLONG, "XSILSIZE", &v, "light-sensitive pixels in x", status);
	v = p->y_silicon;
	fits_write_key(w->file, TLONG, "YSILSIZE", &v, "light-sensitive pixels in y", status);
	if (p->transform[0])
		fits_write_key(w->file, TSTRING, "TRANSFRM", (void *)p->transform,
			       "orientation transform", status);
	return *status;
}

/* BSCALE, BZERO, where on the chip, and scaling off for the raw pixels. */
static int write_image_keys(struct ccd_fits_writer *w, const struct ccd_image *im, int *status)
{
	const struct ccd_format *f = &w->run.settings.format;
	struct ccd_window full = { .valid = true, .x1 = 1, .y1 = 1, .x2 = w->profile.size_x,
				   .y2 = w->profile.size_y };
	const struct ccd_window *win = im->header.window ? &f->window[im->header.window - 1] : &full;
	char section[48], name[24];
	long v = im->header.window;

	fits_write_key_dbl(w->file, "BSCALE", w->profile.bscale, 12, "physical = BZERO + BSCALE x stored",
			   status);
	fits_write_key_dbl(w->file, "BZERO", im->header.bzero, 12, "", status);
	window_section(win, section, sizeof(section));
	fits_write_key(w->file, TSTRING, "CCDSEC", section, "pixels of the chip read out",
		       status);
	if (im->header.window) {
		snprintf(name, sizeof(name), "WINDOW%u", im->header.window);
		fits_write_key(w->file, TSTRING, "EXTNAME", name, "", status);
		fits_write_key(w->file, TLONG, "WINDOW", &v, "window number", status);
	}
	fits_set_bscale(w->file, 1.0, 0.0, status);
	return *status;
}

static int datatype_of(int bitpix)
{
	return bitpix == 8 ? TBYTE : bitpix == 16 ? TSHORT : TINT;
}

static int step_create(struct ccd_fits_writer *w)
{
	char name[PATH_MAX + 2];
	int status = 0;
	bool data_in_primary = w->n_images == 1 && w->images[0].header.window == 0;
	long axes[2] = { 0, 0 };
	int bitpix = 16;

	/* "!": cfitsio replaces a temporary file a crash left behind. */
	snprintf(name, sizeof(name), "!%s", w->temporary);
	if (fits_create_file(&w->file, name, &status))
		return cfitsio_failed(w, status, "cannot create the file");
	if (data_in_primary) {
		axes[0] = w->images[0].header.naxis1;
		axes[1] = w->images[0].header.naxis2;
		bitpix = w->images[0].header.bitpix;
	} else if (w->n_images) {
		bitpix = w->images[0].header.bitpix;
	} else {
		bitpix = w->profile.bitpix;
	}
	if (fits_create_img(w->file, bitpix, data_in_primary ? 2 : 0, axes, &status))
		return cfitsio_failed(w, status, "cannot write the primary header");
	if (write_run_keys(w, &status))
		return cfitsio_failed(w, status, "cannot write the header");
	if (data_in_primary) {
		if (write_image_keys(w, &w->images[0], &status))
			return cfitsio_failed(w, status, "cannot write the image keywords");
		w->stage = STAGE_PIXELS;
	} else {
		w->stage = w->n_images ? STAGE_HDU : STAGE_CLOSE;
	}
	return 1;
}

static int step_hdu(struct ccd_fits_writer *w)
{
	const struct ccd_image *im = &w->images[w->image];
	long axes[2] = { im->header.naxis1, im->header.naxis2 };
	int status = 0;

	if (fits_create_img(w->file, im->header.bitpix, 2, axes, &status) ||
	    write_image_keys(w, im, &status))
		return cfitsio_failed(w, status, "cannot write a window's header");
	w->stage = STAGE_PIXELS;
	w->offset = 0;
	return 1;
}

static int step_pixels(struct ccd_fits_writer *w, size_t budget)
{
	const struct ccd_image *im = &w->images[w->image];
	size_t pixel_size = (size_t)im->header.bitpix / 8, n, bytes;
	const uint8_t *src = im->pixels + w->offset;
	uint8_t *values;
	int status = 0;

	bytes = (size_t)(im->header.bytes - w->offset);
	if (bytes > budget)
		bytes = budget - budget % pixel_size;
	if (bytes == 0)
		bytes = pixel_size;
	n = bytes / pixel_size;
	values = malloc(bytes);
	if (!values) {
		snprintf(w->error, sizeof(w->error), "out of memory");
		return -ENOMEM;
	}
	/* Big-endian on the channel; cfitsio takes native values. */
	for (size_t i = 0; i < n; i++) {
		if (pixel_size == 1) {
			values[i] = src[i];
		} else if (pixel_size == 2) {
			uint16_t be;

			memcpy(&be, src + 2 * i, 2);
			be = be16toh(be);
			memcpy(values + 2 * i, &be, 2);
		} else {
			uint32_t be;

			memcpy(&be, src + 4 * i, 4);
			be = be32toh(be);
			memcpy(values + 4 * i, &be, 4);
		}
	}
	fits_write_img(w->file, datatype_of(im->header.bitpix),
		       (LONGLONG)(w->offset / pixel_size) + 1, (LONGLONG)n, values, &status);
	free(values);
	if (status)
		return cfitsio_failed(w, status, "cannot write pixels");
	w->offset += bytes;
	if (w->offset < im->header.bytes)
		return 1;
	/* This image is complete: free its pixels now, not at the end. */
	free(w->images[w->image].pixels);
	w->images[w->image].pixels = NULL;
	w->image++;
	w->stage = w->image < w->n_images ? STAGE_HDU : STAGE_CLOSE;
	return 1;
}

static int step_close(struct ccd_fits_writer *w)
{
	int status = 0;

	/* No CHECKSUM/DATASUM: computing them reads the whole file back in
	 * one step, the stall the steps are there to avoid. */
	fits_close_file(w->file, &status);
	w->file = NULL;
	if (status)
		return cfitsio_failed(w, status, "cannot close the file");
	/* A numbered run's file is never replaced. */
	if (w->replace ? rename(w->temporary, w->path) < 0 :
			 renameat2(AT_FDCWD, w->temporary, AT_FDCWD, w->path, RENAME_NOREPLACE) < 0) {
		int r = -errno;

		snprintf(w->error, sizeof(w->error), "cannot rename %s to %s: %s", w->temporary,
			 w->path, strerror(-r));
		(void)unlink(w->temporary);
		w->stage = STAGE_DONE;
		return r;
	}
	w->stage = STAGE_DONE;
	return 0;
}

static void abandon(struct ccd_fits_writer *w)
{
	int status = 0;

	if (w->file) {
		fits_close_file(w->file, &status);
		w->file = NULL;
	}
	if (w->stage != STAGE_DONE)
		(void)unlink(w->temporary);
	w->stage = STAGE_DONE;
}

int ccd_fits_writer_step(struct ccd_fits_writer *w, size_t budget)
{
	int r;

	switch (w->stage) {
	case STAGE_CREATE:
		r = step_create(w);
		break;
	case STAGE_HDU:
		r = step_hdu(w);
		break;
	case STAGE_PIXELS:
		r = step_pixels(w, budget ? budget : CCD_FITS_STEP_BYTES);
		break;
	case STAGE_CLOSE:
		return step_close(w);
	case STAGE_DONE:
	default:
		return 0;
	}
	if (r < 0)
		abandon(w);
	return r;
}

const char *ccd_fits_writer_error(const struct ccd_fits_writer *w)
{
	return w->error;
}

const char *ccd_fits_writer_path(const struct ccd_fits_writer *w)
{
	return w->path;
}

void ccd_fits_writer_free(struct ccd_fits_writer *w)
{
	if (!w)
		return;
	abandon(w);
	ccd_images_free(w->images, w->n_images);
	free(w);
}
