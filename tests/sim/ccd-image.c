// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic CCD frames (see ccd-image.h). The sky is fixed by sky_seed:
 * the same stars, at the same places and brightness, in every exposure,
 * as on a telescope that tracks; the noise differs per read-out.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/shared/macro.h"
#include "tests/sim/ccd-image.h"

#define STAR_SIGMA_PX 1.3		/* a 3-pixel FWHM seeing disc */
#define STAR_RADIUS_PX 6		/* beyond this a star adds nothing */
#define STAR_FLUX_MIN 300.0		/* electrons per second, whole star */
#define STAR_FLUX_MAX 60000.0
#define STARS_MIN 3
#define STARS_MAX 2000

struct star {
	double x, y;		/* chip pixels, 1-based */
	double flux;		/* electrons per second */
};

struct rng {
	uint64_t state;
};

/* splitmix64: small, fast and good enough for noise. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double rng_uniform(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

/*
 * Standard normal deviates by table: the normal quantile at the middle of
 * each of 2^16 equal slices of probability (tails cut at 4.3 sigma). One
 * random number and a load per deviate: a megapixel frame costs little
 * even in an emulated guest, where libm's log and cos per pixel would
 * take seconds.
 */
#define GAUSS_BITS 16
static float gauss_table[1u << GAUSS_BITS];

/* Acklam's rational approximation of the normal quantile (rel. error 1e-9). */
static double normal_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
				    -2.759285104469687e+02, 1.383577518672690e+02,
				    -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
				    -1.556989798598866e+02, 6.680131188771972e+01,
				    -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
				    -2.400758277161838e+00, -2.549732539343734e+00,
				    4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
				    2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r;

	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - 0.02425)
		return -normal_quantile(1 - p);
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

static void gauss_table_fill(void)
{
	if (gauss_table[0] != 0)
		return;
	for (size_t i = 0; i < ELEMENTSOF(gauss_table); i++)
		gauss_table[i] = (float)normal_quantile((i + 0.5) / ELEMENTSOF(gauss_table));
}

static double rng_gauss(struct rng *r)
{
	return gauss_table[rng_next(r) >> (64 - GAUSS_BITS)];
}

/*
 * Electrons read out of a pixel holding @mean on average, with @read_noise:
 * Poisson counts, exact for small means (exp() kept from the last call:
 * most pixels of a frame share their mean), normal from 10 electrons on.
 */
static double pixel_electrons(struct rng *r, double mean, double read_noise, double *last_mean,
			      double *last_limit)
{
	double product;
	unsigned int k = 0;

	if (mean > 10)
		return fmax(0.0, mean + sqrt(mean + read_noise * read_noise) * rng_gauss(r));
	if (mean > 0) {
		if (mean != *last_mean) {
			*last_mean = mean;
			*last_limit = exp(-mean);
		}
		product = rng_uniform(r);
		while (product > *last_limit) {
			k++;
			product *= rng_uniform(r);
		}
	}
	return k + read_noise * rng_gauss(r);
}

void ccd_image_params_default(struct ccd_image_params *p)
{
	*p = (struct ccd_image_params) {
		.gain = 1.5,
		.read_noise = 4.0,
		.bias_adu = 1000.0,
		.dark_e_per_s = 10.0 / 3600.0,	/* a cooled chip, 10 e-/pixel/hour */
		.sky_e_per_s = 2.0,
		.preflash_e_per_s = 500.0,
		.bitpix = 16,
		.bzero = 32767.0,		/* the seed's default */
		.bscale = 1.0,
		.seed = 5000754,
		.sky_seed = 1996,
		.stars_per_megapixel = 15,
	};
}

int ccd_image_params_check(const struct ccd_image_params *p)
{
	if (!(p->gain > 0) || !(p->read_noise >= 0) || !(p->bias_adu >= 0) ||
	    !(p->dark_e_per_s >= 0) || !(p->sky_e_per_s >= 0) || !(p->preflash_e_per_s >= 0) ||
	    !(p->bscale != 0) || !isfinite(p->bscale) || !isfinite(p->bzero) ||
	    !isfinite(p->gain) || !isfinite(p->read_noise) || !isfinite(p->bias_adu))
		return -EINVAL;
	switch (p->bitpix) {
	case 8: case 16: case 32: case -32: case -64:
		return 0;
	default:
		return -EINVAL;
	}
}

size_t ccd_image_regions(const struct ccd_chip *chip, const struct ccd_readout *r,
			 struct ccd_image_region out[static CCD_WINDOWS])
{
	struct ccd_geometry g = { .size_x = chip->size_x, .size_y = chip->size_y };
	struct ccd_image_size sizes[CCD_WINDOWS];
	size_t n = ccd_format_images(&g, &r->format, sizes);

	for (size_t i = 0; i < n; i++) {
		const struct ccd_window *w = &r->format.window[sizes[i].window ? sizes[i].window - 1 : 0];

		out[i] = (struct ccd_image_region) {
			.window = sizes[i].window,
			.naxis1 = sizes[i].naxis1,
			.naxis2 = sizes[i].naxis2,
		};
		if (sizes[i].window) {
			out[i].x1 = w->x1;
			out[i].y1 = w->y1;
			out[i].x2 = w->x2;
			out[i].y2 = w->y2;
		} else {
			out[i].x1 = out[i].y1 = 1;
			out[i].x2 = chip->size_x;
			out[i].y2 = chip->size_y;
		}
	}
	return n;
}

static size_t bytes_per_pixel(int bitpix)
{
	return (size_t)abs(bitpix) / 8;
}

size_t ccd_image_bytes(const struct ccd_image_region *region, int bitpix)
{
	return (size_t)region->naxis1 * region->naxis2 * bytes_per_pixel(bitpix);
}

int ccd_image_header(char *buf, size_t size, uint64_t run, const struct ccd_image_region *region,
		     const struct ccd_image_params *p)
{
	int n = snprintf(buf, size,
			 "SCCDIMG1 run=%llu window=%u naxis1=%u naxis2=%u bitpix=%d bzero=%.17g bytes=%zu\n",
			 (unsigned long long)run, region->window, region->naxis1, region->naxis2,
			 p->bitpix, p->bzero, ccd_image_bytes(region, p->bitpix));

	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}

static size_t stars_make(const struct ccd_image_params *p, struct star **ret)
{
	const struct ccd_chip *g = &p->chip;
	double area = (double)g->x_silicon * g->y_silicon;
	size_t n = (size_t)(area * p->stars_per_megapixel / 1e6);
	struct rng rng = { .state = p->sky_seed };
	struct star *stars;

	if (n < STARS_MIN)
		n = STARS_MIN;
	if (n > STARS_MAX)
		n = STARS_MAX;
	stars = calloc(n, sizeof(*stars));
	if (!stars)
		return 0;
	for (size_t i = 0; i < n; i++) {
		stars[i].x = g->x_under + 0.5 + rng_uniform(&rng) * g->x_silicon;
		stars[i].y = g->y_under + 0.5 + rng_uniform(&rng) * g->y_silicon;
		/* Many faint stars, few bright ones. */
		stars[i].flux = STAR_FLUX_MIN * pow(STAR_FLUX_MAX / STAR_FLUX_MIN, rng_uniform(&rng));
	}
	*ret = stars;
	return n;
}

static bool in_silicon(const struct ccd_chip *g, uint32_t x, uint32_t y)
{
	return x > g->x_under && x <= g->x_under + g->x_silicon &&
	       y > g->y_under && y <= g->y_under + g->y_silicon;
}

/* Electrons collected in the chip pixels of one binned row, into @row. */
static void row_electrons(const struct ccd_image_params *p, const struct ccd_readout *r,
			  const struct ccd_image_region *region, uint32_t binned_y,
			  const struct star *stars, size_t n_stars, double *row)
{
	const struct ccd_chip *g = &p->chip;
	double light_s = r->light_ms / 1000.0, dark_s = r->dark_ms / 1000.0;
	double flat = p->dark_e_per_s * dark_s + p->preflash_e_per_s * r->preflash_ms / 1000.0 +
		      p->sky_e_per_s * light_s;
	double norm = 1.0 / (2.0 * M_PI * STAR_SIGMA_PX * STAR_SIGMA_PX);
	uint32_t y0 = region->y1 + binned_y * r->format.bin_y;
	uint32_t x_end = region->x1 + region->naxis1 * r->format.bin_x;	/* exclusive */

	memset(row, 0, region->naxis1 * sizeof(*row));
	for (uint32_t y = y0; y < y0 + r->format.bin_y; y++) {
		for (uint32_t i = 0; i < region->naxis1; i++)
			for (uint32_t x = region->x1 + i * r->format.bin_x;
			     x < region->x1 + (i + 1) * r->format.bin_x; x++)
				if (in_silicon(g, x, y))
					row[i] += flat;
		if (light_s <= 0)
			continue;
		for (size_t s = 0; s < n_stars; s++) {
			double dy = y - stars[s].y;
			double amp, fy;
			long xa, xb;

			if (fabs(dy) > STAR_RADIUS_PX)
				continue;
			amp = stars[s].flux * light_s * norm;
			fy = exp(-dy * dy / (2 * STAR_SIGMA_PX * STAR_SIGMA_PX));
			xa = (long)floor(stars[s].x - STAR_RADIUS_PX);
			xb = (long)ceil(stars[s].x + STAR_RADIUS_PX);
			if (xa < (long)region->x1)
				xa = region->x1;
			if (xb >= (long)x_end)
				xb = (long)x_end - 1;
			for (long x = xa; x <= xb; x++) {
				double dx = x - stars[s].x;

				if (!in_silicon(g, (uint32_t)x, y))
					continue;
				row[(x - region->x1) / r->format.bin_x] +=
					amp * fy * exp(-dx * dx / (2 * STAR_SIGMA_PX * STAR_SIGMA_PX));
			}
		}
	}
}

static void store_be(uint8_t *out, int bitpix, double adu, const struct ccd_image_params *p)
{
	double v = (adu - p->bzero) / p->bscale;
	uint64_t bits;
	union { float f; uint32_t u; } f32;
	union { double d; uint64_t u; } f64;
	long long i;

	switch (bitpix) {
	case 8:
		out[0] = (uint8_t)fmin(255.0, fmax(0.0, round(v)));
		return;
	case 16:
		i = llround(fmin(32767.0, fmax(-32768.0, round(v))));
		out[0] = (uint8_t)((uint16_t)i >> 8);
		out[1] = (uint8_t)i;
		return;
	case 32:
		i = llround(fmin(2147483647.0, fmax(-2147483648.0, round(v))));
		bits = (uint32_t)i;
		break;
	case -32:
		f32.f = (float)v;
		bits = f32.u;
		break;
	default:
		f64.d = v;
		for (int b = 0; b < 8; b++)
			out[b] = (uint8_t)(f64.u >> (56 - 8 * b));
		return;
	}
	for (int b = 0; b < 4; b++)
		out[b] = (uint8_t)(bits >> (24 - 8 * b));
}

int ccd_image_render(const struct ccd_image_params *p, const struct ccd_readout *r,
		     const struct ccd_image_region *region, uint8_t *out, size_t size)
{
	size_t bpp = bytes_per_pixel(p->bitpix), n_stars;
	_cleanup_free_ struct star *stars = NULL;
	_cleanup_free_ double *row = NULL;
	struct rng rng = {
		.state = p->seed ^ (r->sequence * 0xd1b54a32d192ed03ull) ^ region->window,
	};
	double last_mean = -1, last_limit = 1;

	if (ccd_image_params_check(p) < 0 || !r->format.bin_x || !r->format.bin_y)
		return -EINVAL;
	if (size != ccd_image_bytes(region, p->bitpix))
		return -EINVAL;
	if (region->naxis1 == 0 || region->naxis2 == 0)
		return 0;
	n_stars = stars_make(p, &stars);
	row = calloc(region->naxis1, sizeof(*row));
	if (!n_stars || !row)
		return -ENOMEM;
	gauss_table_fill();
	for (uint32_t j = 0; j < region->naxis2; j++) {
		row_electrons(p, r, region, j, stars, n_stars, row);
		for (uint32_t i = 0; i < region->naxis1; i++) {
			double e = pixel_electrons(&rng, row[i], p->read_noise, &last_mean,
						   &last_limit);
			double adu = fmin(CCD_ADC_MAX, fmax(0.0, round(p->bias_adu + e / p->gain)));

			store_be(out + ((size_t)j * region->naxis1 + i) * bpp, p->bitpix, adu, p);
		}
	}
	return 0;
}
