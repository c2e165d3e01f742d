/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every benchmark program needs to time and summarize repeated runs:
 * the monotonic clock, and the median and 99th percentile of the samples.
 */
#ifndef STATIOND_TESTS_BENCH_BENCH_STATS_H
#define STATIOND_TESTS_BENCH_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC: immune to clock steps while a benchmark runs. */
uint64_t bench_now_ns(void);

static inline double bench_now_us(void)
{
	return bench_now_ns() / 1e3;
}

static inline double bench_now_ms(void)
{
	return bench_now_ns() / 1e6;
}

/* Sort @n samples in ascending order. */
void bench_sort(double *samples, size_t n);

/* Of @n >= 1 samples sorted by bench_sort(): the middle one (the upper
 * middle for even @n) and the one 99% of the way up. */
double bench_median_sorted(const double *samples, size_t n);
double bench_p99_sorted(const double *samples, size_t n);

/* Sort @n >= 1 samples and return their median. */
double bench_median(double *samples, size_t n);

#endif
