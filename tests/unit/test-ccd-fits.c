// SPDX-License-Identifier: GPL-2.0
/*
 * A run's FITS file (daemon/ccd/ccd-fits.c): the full frame in the
 * primary HDU, windows as IMAGE extensions, the header alone without
 * pixels; every header value the issue lists read back with cfitsio, the
 * pixels read back as sent, fitsverify's verdict, steps of bounded size,
 * no overwriting of a numbered run, and no file under the final name
 * until it is complete.
 */
#include <errno.h>
#include <fitsio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/ccd/ccd-fits.h"
#include "tests/unit/scratch-files.h"

#define REALTIME (UINT64_C(1764685805) * 1000000 + 123456)	/* 2025-12-02T14:30:05.123 */

static void make_profile(struct ccd_profile *p)
{
	ccd_profile_defaults(p);
	strcpy(p->ccd_name, "TEK5");
	strcpy(p->ccd_type, "TEK 1024 thinned");
	strcpy(p->unet_remote, "CCD1");
	strcpy(p->transform, "FLIPX");
	p->size_x = 40;
	p->size_y = 30;
	p->gain_e_per_adu = 1.5;
	p->noise_e = 4.5;
	p->pixel_size_x_um = p->pixel_size_y_um = 24;
	p->head_number = 1;
	p->x_under = 2;
	p->x_silicon = 36;
	p->y_silicon = 28;
}

static void make_run(struct ccd_run *r, enum ccd_run_type type, uint32_t number)
{
	*r = (struct ccd_run){
		.type = type,
		.number = number,
		.requested_realtime = REALTIME - 2000000,
		.exposure_realtime = REALTIME,
		.elapsed_ms = 12345,
		.result = CCD_RUN_COMPLETE,
		.phase = CCD_PHASE_COMPLETE,
	};
	strcpy(r->title, "M31 'core'");
	r->settings.readout_speed = CCD_READOUT_FAST;
	r->settings.clear_speed = CCD_CLEAR_NORMAL;
	r->settings.preflash_ms = 250;
	r->settings.exposure_ms = 10000;
	ccd_format_default(&r->settings.format);
}

/* A big-endian 16-bit image whose pixel i is base + i. */
static void make_image(struct ccd_image *im, unsigned window, uint32_t nx, uint32_t ny, int base)
{
	im->header = (struct ccd_image_header){ .window = window, .naxis1 = nx, .naxis2 = ny,
						.bitpix = 16, .bzero = 32767,
						.bytes = (uint64_t)nx * ny * 2 };
	im->pixels = malloc(im->header.bytes);
	for (uint32_t i = 0; i < nx * ny; i++) {
		uint16_t v = (uint16_t)(base + (int)i);

		im->pixels[2 * i] = (uint8_t)(v >> 8);
		im->pixels[2 * i + 1] = (uint8_t)v;
	}
}

static int write_all(const char *path, bool replace, const struct ccd_profile *p,
		     const struct ccd_run *run, struct ccd_image *images, size_t n, size_t budget,
		     unsigned *steps, char *error)
{
	bool existed = access(path, F_OK) == 0;
	struct ccd_fits_writer *w;
	int r;

	assert_int_equal(ccd_fits_writer_new(path, replace, "CCD1", p, run, images, n, &w), 0);
	*steps = 0;
	do {
		r = ccd_fits_writer_step(w, budget);
		(*steps)++;
		/* Never under its name before it is complete. */
		if (r > 0 && !existed)
			assert_int_equal(access(path, F_OK), -1);
	} while (r > 0);
	if (error)
		snprintf(error, 256, "%s", ccd_fits_writer_error(w));
	ccd_fits_writer_free(w);
	return r;
}

static void expect_key(fitsfile *f, const char *key, const char *want)
{
	char value[FLEN_VALUE];
	int status = 0;

	fits_read_key(f, TSTRING, key, value, NULL, &status);
	if (status || strcmp(value, want) != 0)
		fail_msg("%s: '%s' (status %d), want '%s'", key, value, status, want);
}

static double read_double(fitsfile *f, const char *key)
{
	double v = -1;
	int status = 0;

	fits_read_key(f, TDOUBLE, key, &v, NULL, &status);
	if (status)
		fail_msg("%s missing (status %d)", key, status);
	return v;
}

static void expect_fitsverify(const char *path)
{
	char command[600];
	int rc;

	if (system("command -v fitsverify >/dev/null 2>&1") != 0) {
		print_message("# fitsverify not installed: skipped for %s\n", path);
		return;
	}
	snprintf(command, sizeof(command), "fitsverify -q -e '%s' | grep -q 'verification OK'", path);
	rc = system(command);
	if (rc != 0) {
		snprintf(command, sizeof(command), "fitsverify '%s' >&2", path);
		(void)system(command);
		fail_msg("fitsverify refuses %s", path);
	}
}

static void test_full_frame(void **state)
{
	char dir[256], path[512], name[32];
	struct ccd_profile p;
	struct ccd_run run;
	struct ccd_image *images = calloc(1, sizeof(*images));
	fitsfile *f;
	int status = 0, naxis = 0, bitpix = 0, anynul;
	long axes[2], run_number = 0;
	short pixels[40 * 30];
	unsigned steps;

	assert_int_equal(scratch_dir_make(dir, sizeof(dir), "test-ccd-fits"), 0);
	make_profile(&p);
	make_run(&run, CCD_RUN_RUN, 42);
	ccd_fits_file_name(&run, name, sizeof(name));
	assert_string_equal(name, "r0000042.fit");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	make_image(&images[0], 0, 40, 30, -100);
	/* 100 bytes a step: the 2400 bytes of pixels take 24 steps. */
	assert_int_equal(write_all(path, false, &p, &run, images, 1, 100, &steps, NULL), 0);
	assert_true(steps >= 24);

	assert_int_equal(fits_open_file(&f, path, READONLY, &status), 0);
	fits_get_img_param(f, 2, &bitpix, &naxis, axes, &status);
	assert_int_equal(status, 0);
	assert_int_equal(bitpix, 16);
	assert_int_equal(naxis, 2);
	assert_int_equal(axes[0], 40);
	assert_int_equal(axes[1], 30);
	expect_key(f, "OBSTYPE", "RUN");
	expect_key(f, "OBJECT", "M31 'core'");
	expect_key(f, "DATE-OBS", "2025-12-02T14:30:05.123");
	expect_key(f, "READSPD", "FAST");
	expect_key(f, "CLRSPD", "NORMAL");
	expect_key(f, "CCDNAME", "TEK5");
	expect_key(f, "CCDTYPE", "TEK 1024 thinned");
	expect_key(f, "WIN1", "NONE");
	expect_key(f, "CCDSEC", "[1:40,1:30]");
	expect_key(f, "TRANSFRM", "FLIPX");
	assert_true(read_double(f, "EXPTIME") == 10.0);
	assert_true(read_double(f, "ELAPSED") == 12.345);
	assert_true(read_double(f, "PREFLASH") == 0.25);
	assert_true(read_double(f, "GAIN") == 1.5);
	assert_true(read_double(f, "READNOIS") == 4.5);
	assert_true(read_double(f, "BZERO") == 32767);
	assert_true(read_double(f, "BSCALE") == 1);
	assert_true(read_double(f, "CCDXBIN") == 1);
	assert_true(read_double(f, "XSILSIZE") == 36);
	fits_read_key(f, TLONG, "RUN", &run_number, NULL, &status);
	assert_int_equal(run_number, 42);
	/* The stored values are what was sent (scaling off). */
	fits_set_bscale(f, 1.0, 0.0, &status);
	fits_read_img(f, TSHORT, 1, 40 * 30, NULL, pixels, &anynul, &status);
	assert_int_equal(status, 0);
	assert_int_equal(pixels[0], -100);
	assert_int_equal(pixels[1199], -100 + 1199);
	fits_close_file(f, &status);
	expect_fitsverify(path);

	/* A numbered run's file is never replaced. */
	images = calloc(1, sizeof(*images));
	make_image(&images[0], 0, 40, 30, 0);
	assert_int_equal(write_all(path, false, &p, &run, images, 1, 0, &steps, NULL), -EEXIST);
	scratch_dir_remove(dir);
}

static void test_windows_and_header_only(void **state)
{
	char dir[256], path[512];
	struct ccd_profile p;
	struct ccd_run run;
	struct ccd_image *images = calloc(2, sizeof(*images));
	fitsfile *f;
	int status = 0, naxis = -1, hdus = 0, hdutype;
	long axes[2];
	unsigned steps;

	assert_int_equal(scratch_dir_make(dir, sizeof(dir), "test-ccd-fits"), 0);
	make_profile(&p);
	make_run(&run, CCD_RUN_SCRATCH, 0);
	run.settings.format.windows_enabled = true;
	run.settings.format.bin_x = 2;
	run.settings.format.window[0] = (struct ccd_window){ true, 1, 1, 10, 10 };
	run.settings.format.window[1] = (struct ccd_window){ true, 21, 11, 40, 30 };
	snprintf(path, sizeof(path), "%s/scratch.fit", dir);
	make_image(&images[0], 1, 5, 10, 1000);
	make_image(&images[1], 2, 10, 20, 2000);
	assert_int_equal(write_all(path, true, &p, &run, images, 2, 0, &steps, NULL), 0);

	assert_int_equal(fits_open_file(&f, path, READONLY, &status), 0);
	fits_get_num_hdus(f, &hdus, &status);
	assert_int_equal(hdus, 3);
	fits_get_img_dim(f, &naxis, &status);
	assert_int_equal(naxis, 0);
	expect_key(f, "OBSTYPE", "SCRATCH");
	expect_key(f, "WIN2", "[21:40,11:30]");
	{
		long run_number;

		fits_read_key(f, TLONG, "RUN", &run_number, NULL, &status);
		assert_int_equal(status, KEY_NO_EXIST);	/* SCRATCH has no run number */
		status = 0;
	}
	fits_movabs_hdu(f, 3, &hdutype, &status);
	assert_int_equal(hdutype, IMAGE_HDU);
	expect_key(f, "EXTNAME", "WINDOW2");
	expect_key(f, "CCDSEC", "[21:40,11:30]");
	fits_get_img_size(f, 2, axes, &status);
	assert_int_equal(axes[0], 10);
	assert_int_equal(axes[1], 20);
	fits_close_file(f, &status);
	assert_int_equal(status, 0);
	expect_fitsverify(path);

	/* SCRATCH is overwritten; without pixels: the header alone. */
	make_run(&run, CCD_RUN_SCRATCH, 0);
	assert_int_equal(write_all(path, true, &p, &run, NULL, 0, 0, &steps, NULL), 0);
	assert_int_equal(fits_open_file(&f, path, READONLY, &status), 0);
	fits_get_num_hdus(f, &hdus, &status);
	assert_int_equal(hdus, 1);
	fits_get_img_dim(f, &naxis, &status);
	assert_int_equal(naxis, 0);
	expect_key(f, "OBJECT", "M31 'core'");
	fits_close_file(f, &status);
	expect_fitsverify(path);

	/* Images that cannot be one file are refused at once. */
	{
		struct ccd_fits_writer *w;
		struct ccd_image *two = calloc(2, sizeof(*two));

		make_image(&two[0], 0, 4, 4, 0);
		make_image(&two[1], 1, 4, 4, 0);
		assert_int_equal(ccd_fits_writer_new(path, true, "CCD1", &p, &run, two, 2, &w), -EINVAL);
	}
	scratch_dir_remove(dir);
}

static void test_unwritable(void **state)
{
	struct ccd_profile p;
	struct ccd_run run;
	char error[256];
	unsigned steps;

	make_profile(&p);
	make_run(&run, CCD_RUN_GLANCE, 0);
	assert_true(write_all("/nonexistent-dir/glance.fit", true, &p, &run, NULL, 0, 0, &steps,
			      error) < 0);
	assert_non_null(strstr(error, "cannot create the file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_frame),
		cmocka_unit_test(test_windows_and_header_only),
		cmocka_unit_test(test_unwritable),
	};

	return cmocka_run_group_tests_name("ccd-fits", tests, NULL, NULL);
}
