/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When the safety scan really ran: for each of the last
 * SCAN_TIMING_CAPACITY scans, the time its timer was set for, the time
 * its callback started and how long the scan took (CLOCK_MONOTONIC, µs).
 * Jitter is started - scheduled. A fixed ring, written once per scan
 * (two clock reads and three stores), read by the bus (the Manager's
 * ScanTimes property) and by nobody on the scan's path: the daemon
 * measures its own regularity, without tracing (issue 10 item 12).
 */
#ifndef STATIOND_SCAN_TIMING_H
#define STATIOND_SCAN_TIMING_H

#include <stddef.h>
#include <stdint.h>

/* 102 s at 10 Hz, 512 s at 2 Hz: a benchmark window reads it once. */
#define SCAN_TIMING_CAPACITY 1024

struct scan_timing_entry {
	uint64_t scheduled_usec;
	uint64_t started_usec;
	uint64_t duration_usec;
};

struct scan_timing {
	struct scan_timing_entry ring[SCAN_TIMING_CAPACITY];
	uint64_t count;			/* scans recorded since the start */
};

void scan_timing_record(struct scan_timing *t, uint64_t scheduled_usec, uint64_t started_usec,
			uint64_t ended_usec);

/* How many entries are held (at most SCAN_TIMING_CAPACITY). */
size_t scan_timing_size(const struct scan_timing *t);

/* Entry @i, 0 the oldest held; @i < scan_timing_size(). */
const struct scan_timing_entry *scan_timing_get(const struct scan_timing *t, size_t i);

/*
 * When the next scan is due, after the one due at @scheduled_usec ran
 * and it is @now_usec: one period later, on the same grid (no drift);
 * after a stall longer than a period, the first point of that grid still
 * ahead, so the missed scans are skipped, not run in a burst, and a late
 * wake-up does not shift every scan after it.
 */
uint64_t scan_timing_next(uint64_t scheduled_usec, uint64_t now_usec, uint64_t period_usec);

#endif
