/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's FITS file, written with cfitsio in steps so the event loop is
 * never held for long: ccd_fits_writer_step() does at most a budget of
 * pixel bytes (plus a header) per call, and the daemon calls it from a
 * low-priority event source until it is done.
 *
 * Layout: the full frame (window 0) is the primary HDU's image; windows are
 * an empty primary header (NAXIS = 0) and one IMAGE extension per window
 * (EXTNAME WINDOW1, WINDOW2); without pixels the primary header alone
 * (NAXIS = 0). The primary header carries the profile (detector,
 * geometry, gain, noise) and the run (type, OBJECT, EXPTIME, ELAPSED,
 * DATE-OBS in UTC, speeds, preflash, binning, windows, run number); each
 * image HDU its BSCALE/BZERO and CCDSEC. The pixels are written as they
 * came (big-endian integers of BITPIX bits) with scaling off.
 *
 * The file is written under a temporary name in the same directory and
 * renamed when complete, never over an existing numbered run (replace
 * false): a partly written file is never seen under a run's name.
 */
#ifndef STATIOND_CCD_CCD_FITS_H
#define STATIOND_CCD_CCD_FITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ccd/ccd-data-socket.h"
#include "daemon/ccd/ccd-profile.h"
#include "daemon/ccd/ccd-server.h"

#define CCD_FITS_STEP_BYTES (256u * 1024)

struct ccd_fits_writer;

/*
 * Prepare writing path for run (taken with profile on the CCD called
 * ccd), with images (ownership taken, may be NULL/0). replace: may an
 * existing file at path be replaced (SCRATCH, GLANCE). Nothing is written
 * before the first step. -ENOMEM, -EINVAL (images that do not fit a FITS
 * file: a window number twice).
 */
int ccd_fits_writer_new(const char *path, bool replace, const char *ccd,
			const struct ccd_profile *profile, const struct ccd_run *run,
			struct ccd_image *images, size_t n_images, struct ccd_fits_writer **ret);

/* Write on: 1 when there is more to do, 0 when the file is complete at
 * its path, <0 on failure (the temporary file is removed; the reason is
 * ccd_fits_writer_error()). budget: pixel bytes for this step. */
int ccd_fits_writer_step(struct ccd_fits_writer *w, size_t budget);

const char *ccd_fits_writer_error(const struct ccd_fits_writer *w);
const char *ccd_fits_writer_path(const struct ccd_fits_writer *w);

/* Abandons an unfinished file (removing the temporary file). */
void ccd_fits_writer_free(struct ccd_fits_writer *w);

/* The file name of a run in its data directory: "r0000042.fit",
 * "scratch.fit", "glance.fit". */
void ccd_fits_file_name(const struct ccd_run *run, char *buf, size_t size);

/* "2026-12-02T14:30:05.123": CLOCK_REALTIME µs as FITS writes dates. */
void ccd_fits_date(uint64_t realtime_usec, char *buf, size_t size);

#endif
