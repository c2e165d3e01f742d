// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's pixels: the images a read-out yields (full frame or
 * windows, binned), the SCCDIMG1 header, and frames that are plausible
 * where it can be measured: the bias level and read noise, dark current
 * growing with the time on the chip and only in the silicon, stars only
 * with the shutter open and always at the same places, on-chip binning
 * summing charge, saturation, each BITPIX with BZERO, big-endian.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/sim/ccd-image.h"

/* 120 x 110 frame, silicon 100 x 100 from (11, 6). */
static const struct ccd_chip chip = { .size_x = 120, .size_y = 110, .x_under = 10, .y_under = 5,
				      .x_silicon = 100, .y_silicon = 100 };

static struct ccd_image_params params(void)
{
	struct ccd_image_params p;

	ccd_image_params_default(&p);
	p.chip = chip;
	return p;
}

static struct ccd_readout readout(uint64_t light_ms, uint64_t dark_ms)
{
	return (struct ccd_readout) { .sequence = 1, .mech = CCD_MECH_PIC, .light_ms = light_ms,
				      .dark_ms = dark_ms, .format = { .bin_x = 1, .bin_y = 1 },
				      .readout_speed = CCD_READOUT_STANDARD };
}

/* The physical value (stored * BSCALE + BZERO) of pixel i. */
static double pixel(const struct ccd_image_params *p, const uint8_t *data, size_t i)
{
	const uint8_t *b = data + i * (size_t)abs(p->bitpix) / 8;
	union { uint32_t u; float f; } f32;
	union { uint64_t u; double d; } f64;
	double v;

	switch (p->bitpix) {
	case 8:
		v = b[0];
		break;
	case 16:
		v = (int16_t)(uint16_t)(b[0] << 8 | b[1]);
		break;
	case 32:
		v = (int32_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
		break;
	case -32:
		f32.u = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		v = f32.f;
		break;
	default:
		f64.u = 0;
		for (int k = 0; k < 8; k++)
			f64.u = f64.u << 8 | b[k];
		v = f64.d;
		break;
	}
	return v * p->bscale + p->bzero;
}

struct frame {
	struct ccd_image_region region;
	uint8_t *data;
	size_t bytes;
};

static struct frame render(const struct ccd_image_params *p, const struct ccd_readout *r,
			   size_t image)
{
	struct ccd_image_region regions[CCD_WINDOWS];
	size_t n = ccd_image_regions(&p->chip, r, regions);
	struct frame f;

	assert_true(image < n);
	f.region = regions[image];
	f.bytes = ccd_image_bytes(&f.region, p->bitpix);
	f.data = malloc(f.bytes ? f.bytes : 1);
	assert_non_null(f.data);
	assert_int_equal(ccd_image_render(p, r, &f.region, f.data, f.bytes), 0);
	return f;
}

/* Mean and standard deviation of the binned pixels [x0,x1) x [y0,y1). */
static void stats(const struct ccd_image_params *p, const struct frame *f, uint32_t x0,
		  uint32_t x1, uint32_t y0, uint32_t y1, double *mean, double *sd)
{
	double sum = 0, sum2 = 0;
	size_t n = 0;

	for (uint32_t y = y0; y < y1; y++)
		for (uint32_t x = x0; x < x1; x++) {
			double v = pixel(p, f->data, (size_t)y * f->region.naxis1 + x);

			sum += v;
			sum2 += v * v;
			n++;
		}
	*mean = sum / n;
	*sd = sqrt(sum2 / n - *mean * *mean);
}

static void test_images_of_a_readout(void **state)
{
	struct ccd_readout r = readout(0, 0);
	struct ccd_image_region g[CCD_WINDOWS];

	/* Windows disabled: the full frame, binned, a partial bin not read. */
	r.format = (struct ccd_format) { .bin_x = 7, .bin_y = 2 };
	assert_int_equal(ccd_image_regions(&chip, &r, g), 1);
	assert_int_equal(g[0].window, 0);
	assert_int_equal(g[0].naxis1, 17);
	assert_int_equal(g[0].naxis2, 55);
	assert_int_equal(g[0].x2, 120);
	assert_int_equal(ccd_image_bytes(&g[0], 16), 17 * 55 * 2);
	assert_int_equal(ccd_image_bytes(&g[0], -64), 17 * 55 * 8);
	/* Enabled with none valid: the full frame too. */
	r.format.windows_enabled = true;
	r.format.window[0] = (struct ccd_window) { .valid = false, .x1 = 1, .y1 = 1, .x2 = 9, .y2 = 9 };
	assert_int_equal(ccd_image_regions(&chip, &r, g), 1);
	assert_int_equal(g[0].window, 0);
	/* Window 2 alone, then both in order. */
	r.format = (struct ccd_format) { .bin_x = 1, .bin_y = 1, .windows_enabled = true };
	r.format.window[1] = (struct ccd_window) { .valid = true, .x1 = 11, .y1 = 6, .x2 = 60, .y2 = 50 };
	assert_int_equal(ccd_image_regions(&chip, &r, g), 1);
	assert_int_equal(g[0].window, 2);
	assert_int_equal(g[0].naxis1, 50);
	assert_int_equal(g[0].naxis2, 45);
	r.format.window[0] = (struct ccd_window) { .valid = true, .x1 = 1, .y1 = 1, .x2 = 20, .y2 = 110 };
	assert_int_equal(ccd_image_regions(&chip, &r, g), 2);
	assert_int_equal(g[0].window, 1);
	assert_int_equal(g[0].naxis2, 110);
	assert_int_equal(g[1].window, 2);
	/* Disabled again: windows kept but not read. */
	r.format.windows_enabled = false;
	assert_int_equal(ccd_image_regions(&chip, &r, g), 1);
	assert_int_equal(g[0].window, 0);
}

static void test_header_line(void **state)
{
	struct ccd_image_params p = params();
	struct ccd_image_region g = { .window = 2, .naxis1 = 50, .naxis2 = 45 };
	char buf[CCD_IMAGE_HEADER_MAX];
	int n;

	n = ccd_image_header(buf, sizeof(buf), 0, &g, &p);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "SCCDIMG1 run=0 window=2 naxis1=50 naxis2=45 bitpix=16 "
				 "bzero=32767 bytes=4500\n");
	p.bitpix = 32;
	p.bzero = 2147483648.0;
	ccd_image_header(buf, sizeof(buf), 123, &g, &p);
	assert_string_equal(buf, "SCCDIMG1 run=123 window=2 naxis1=50 naxis2=45 bitpix=32 "
				 "bzero=2147483648 bytes=9000\n");
	assert_int_equal(ccd_image_header(buf, 20, 0, &g, &p), -ENOBUFS);
}

/* A bias: the bias level with the read noise in ADU, everywhere. */
static void test_bias_frame_level_and_read_noise(void **state)
{
	struct ccd_image_params p = params();
	struct ccd_readout r = readout(0, 0);
	struct frame f = render(&p, &r, 0);
	double mean, sd;

	stats(&p, &f, 0, 120, 0, 110, &mean, &sd);
	assert_true(fabs(mean - p.bias_adu) < 0.1);
	assert_true(fabs(sd - p.read_noise / p.gain) < 0.1);
	free(f.data);
}

/* Dark current: in proportion to the time on the chip, in the silicon only. */
static void test_dark_current_scales_with_time_in_the_silicon(void **state)
{
	struct ccd_image_params p = params();
	double excess[2], overscan, sd;

	p.dark_e_per_s = 1.0;
	for (int i = 0; i < 2; i++) {
		struct ccd_readout r = readout(0, (uint64_t)(i + 1) * 100000);
		struct frame f = render(&p, &r, 0);
		double mean;

		/* Silicon: columns 11-110, rows 6-105 (0-based 10..109, 5..104). */
		stats(&p, &f, 10, 110, 5, 105, &mean, &sd);
		excess[i] = mean - p.bias_adu;
		/* Underscan columns: bias only. */
		stats(&p, &f, 0, 10, 0, 110, &overscan, &sd);
		assert_true(fabs(overscan - p.bias_adu) < 0.3);
		stats(&p, &f, 110, 120, 0, 110, &overscan, &sd);
		assert_true(fabs(overscan - p.bias_adu) < 0.3);
		free(f.data);
	}
	assert_true(fabs(excess[0] - 100 / p.gain) < 0.5);
	assert_true(fabs(excess[1] - 200 / p.gain) < 0.5);
}

/* The brightest pixel of a frame, 0-based. */
static size_t brightest(const struct ccd_image_params *p, const struct frame *f)
{
	size_t best = 0, n = (size_t)f->region.naxis1 * f->region.naxis2;

	for (size_t i = 1; i < n; i++)
		if (pixel(p, f->data, i) > pixel(p, f->data, best))
			best = i;
	return best;
}

static void test_stars_only_with_light_and_always_at_the_same_place(void **state)
{
	struct ccd_image_params p = params();
	struct ccd_readout lit = readout(1000, 1000), dark = readout(0, 1000);
	struct frame a, b, d;
	double mean, sd;
	size_t star;

	p.sky_e_per_s = 0;
	a = render(&p, &lit, 0);
	star = brightest(&p, &a);
	/* A star stands far above the noise, in the silicon. */
	assert_true(pixel(&p, a.data, star) > p.bias_adu + 100);
	assert_true(star % 120 >= 10 && star % 120 < 110);
	/* Another read-out, other noise: the star has not moved (its peak
	 * within a pixel). */
	lit.sequence = 2;
	b = render(&p, &lit, 0);
	assert_memory_not_equal(a.data, b.data, a.bytes);
	assert_true(labs((long)(brightest(&p, &b) % 120) - (long)(star % 120)) <= 1);
	assert_true(labs((long)(brightest(&p, &b) / 120) - (long)(star / 120)) <= 1);
	/* Shutter closed: no stars. */
	d = render(&p, &dark, 0);
	stats(&p, &d, 0, 120, 0, 110, &mean, &sd);
	assert_true(pixel(&p, d.data, brightest(&p, &d)) < p.bias_adu + 8 * sd);
	/* The same read-out again: the same bytes. */
	lit.sequence = 1;
	free(b.data);
	b = render(&p, &lit, 0);
	assert_memory_equal(a.data, b.data, a.bytes);
	free(a.data);
	free(b.data);
	free(d.data);
}

/* On-chip binning sums the charge of the pixels, read noise once. */
static void test_binning_sums_charge(void **state)
{
	struct ccd_image_params p = params();
	struct ccd_readout r = readout(0, 100000);
	struct frame one, two;
	double m1, m2, sd1, sd2;

	p.dark_e_per_s = 1.0;
	one = render(&p, &r, 0);
	r.format.bin_x = r.format.bin_y = 2;
	two = render(&p, &r, 0);
	assert_int_equal(two.region.naxis1, 60);
	assert_int_equal(two.region.naxis2, 55);
	stats(&p, &one, 10, 110, 5, 105, &m1, &sd1);
	/* Binned columns 5-54 and rows 3-51 (0-based) are all silicon. */
	stats(&p, &two, 5, 55, 3, 52, &m2, &sd2);
	assert_true(fabs((m2 - p.bias_adu) - 4 * (m1 - p.bias_adu)) < 1.0);
	free(one.data);
	free(two.data);
}

static void test_saturation_and_every_bitpix(void **state)
{
	static const int bitpix[] = { 8, 16, 32, -32, -64 };
	static const double bzero[] = { 0, 32767, 0, 0, 0 };
	struct ccd_readout bias = readout(0, 0), flood = readout(0, 0);

	flood.preflash_ms = 1000000;	/* far beyond full well */
	for (size_t i = 0; i < sizeof(bitpix) / sizeof(bitpix[0]); i++) {
		struct ccd_image_params p = params();
		struct frame f;
		double mean, sd;

		p.bitpix = bitpix[i];
		p.bzero = bzero[i];
		if (bitpix[i] == 8)
			p.bias_adu = 100;
		f = render(&p, &bias, 0);
		stats(&p, &f, 0, 120, 0, 110, &mean, &sd);
		assert_true(fabs(mean - p.bias_adu) < 0.2);
		free(f.data);
		f = render(&p, &flood, 0);
		stats(&p, &f, 10, 110, 5, 105, &mean, &sd);
		/* The ADC tops out; BITPIX may clip below it (8, 16 with BZERO 32767). */
		assert_true(mean == (bitpix[i] == 8 ? 255 : bitpix[i] == 16 ? 65534 : CCD_ADC_MAX));
		free(f.data);
	}
}

static void test_bad_parameters_are_refused(void **state)
{
	struct ccd_image_params p = params();
	struct ccd_readout r = readout(0, 0);
	struct ccd_image_region g[CCD_WINDOWS];
	uint8_t buf[16];

	ccd_image_regions(&chip, &r, g);
	/* A buffer that is not the image's size. */
	assert_int_equal(ccd_image_render(&p, &r, &g[0], buf, sizeof(buf)), -EINVAL);
	p.bitpix = 24;
	assert_int_equal(ccd_image_params_check(&p), -EINVAL);
	p = params();
	p.gain = 0;
	assert_int_equal(ccd_image_params_check(&p), -EINVAL);
	p = params();
	p.bscale = 0;
	assert_int_equal(ccd_image_params_check(&p), -EINVAL);
	p = params();
	p.read_noise = NAN;
	assert_int_equal(ccd_image_params_check(&p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_images_of_a_readout),
		cmocka_unit_test(test_header_line),
		cmocka_unit_test(test_bias_frame_level_and_read_noise),
		cmocka_unit_test(test_dark_current_scales_with_time_in_the_silicon),
		cmocka_unit_test(test_stars_only_with_light_and_always_at_the_same_place),
		cmocka_unit_test(test_binning_sums_charge),
		cmocka_unit_test(test_saturation_and_every_bitpix),
		cmocka_unit_test(test_bad_parameters_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
