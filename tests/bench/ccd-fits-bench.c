// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark: how long the event loop is held by a run's FITS file. The
 * writer (daemon/ccd/ccd-fits.c) works in steps of CCD_FITS_STEP_BYTES of
 * pixels; each step is one turn of the loop at low priority, between the
 * autofill scans. Prints, for a full frame of the given size written to a
 * directory (default /tmp), the number of steps, the median, p99 and
 * longest step, and the time of writing the whole file in one go: the
 * stall a single write would cause, the floor the steps are measured
 * against. The scan period at 10 Hz is 100 ms.
 *
 * Usage: ccd-fits-bench [naxis1] [naxis2] [directory]  (default 4096 4096 /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ccd/ccd-fits.h"
#include "tests/bench/bench-stats.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct ccd_image *frame(uint32_t nx, uint32_t ny)
{
	struct ccd_image *im = calloc(1, sizeof(*im));

	im->header = (struct ccd_image_header){ .naxis1 = nx, .naxis2 = ny, .bitpix = 16,
						.bzero = 32767, .bytes = (uint64_t)nx * ny * 2 };
	im->pixels = malloc(im->header.bytes);
	for (uint64_t i = 0; i < im->header.bytes; i++)
		im->pixels[i] = (uint8_t)(i * 2654435761u >> 13);
	return im;
}

int main(int argc, char **argv)
{
	uint32_t nx = argc > 1 ? (uint32_t)atoi(argv[1]) : 4096, ny = argc > 2 ? (uint32_t)atoi(argv[2]) : 4096;
	const char *dir = argc > 3 ? argv[3] : "/tmp";
	struct ccd_profile p;
	struct ccd_run run = { .type = CCD_RUN_SCRATCH, .result = CCD_RUN_COMPLETE };
	struct ccd_fits_writer *w;
	char path[512];
	double *steps = NULL, t, whole;
	size_t longest_at;
	size_t n = 0, cap = 0, longest = 0;
	int r;

	ccd_profile_defaults(&p);
	strcpy(p.ccd_name, "BENCH");
	p.size_x = nx;
	p.size_y = ny;
	ccd_format_default(&run.settings.format);
	snprintf(path, sizeof(path), "%s/ccd-fits-bench.%d.fit", dir, (int)getpid());

	/* In steps, as the daemon does. */
	if (ccd_fits_writer_new(path, true, "BENCH", &p, &run, frame(nx, ny), 1, &w) < 0)
		return 1;
	do {
		t = now_ms();
		r = ccd_fits_writer_step(w, CCD_FITS_STEP_BYTES);
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			steps = realloc(steps, cap * sizeof(*steps));
		}
		steps[n] = now_ms() - t;
		if (steps[n] > steps[longest])
			longest = n;
		n++;
	} while (r > 0);
	if (r < 0) {
		fprintf(stderr, "ccd-fits-bench: %s\n", ccd_fits_writer_error(w));
		return 1;
	}
	ccd_fits_writer_free(w);
	unlink(path);

	/* In one go: the floor, the stall without steps. */
	if (ccd_fits_writer_new(path, true, "BENCH", &p, &run, frame(nx, ny), 1, &w) < 0)
		return 1;
	t = now_ms();
	while ((r = ccd_fits_writer_step(w, SIZE_MAX)) > 0)
		;
	whole = now_ms() - t;
	ccd_fits_writer_free(w);
	unlink(path);

	longest_at = longest;
	bench_sort(steps, n);
	printf("ccd-fits: %ux%u 16-bit frame (%.1f MB) to %s\n", nx, ny, nx * (double)ny * 2 / 1e6, dir);
	printf("ccd-fits: %zu steps of %u KiB: median %.3f ms, p99 %.3f ms, longest %.3f ms (step %zu)\n", n,
	       CCD_FITS_STEP_BYTES / 1024, bench_median_sorted(steps, n), bench_p99_sorted(steps, n), steps[n - 1],
	       longest_at + 1);
	printf("ccd-fits: the whole file in one go: %.3f ms (longest step / whole = %.3f)\n", whole,
	       steps[n - 1] / whole);
	free(steps);
	return 0;
}
