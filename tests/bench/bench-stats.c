// SPDX-License-Identifier: GPL-2.0
/* Timing and order statistics of the benchmarks: see bench-stats.h. */
#include <stdlib.h>
#include <time.h>

#include "tests/bench/bench-stats.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_sort(double *samples, size_t n)
{
	qsort(samples, n, sizeof(*samples), compare_double);
}

double bench_median_sorted(const double *samples, size_t n)
{
	return samples[n / 2];
}

double bench_p99_sorted(const double *samples, size_t n)
{
	return samples[n * 99 / 100];
}

double bench_median(double *samples, size_t n)
{
	bench_sort(samples, n);
	return bench_median_sorted(samples, n);
}
