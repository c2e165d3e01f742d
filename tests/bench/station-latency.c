// SPDX-License-Identifier: GPL-2.0
/*
 * Exhaust crossing -> valve closed latency of a running stationd: issue 5
 * asked for one scan period + 10 ms at the scan; issue 16's fast path
 * (exhaust-sample-rate) for p99 <= 20 ms, max <= 30 ms, with one fill
 * running or twelve at once.
 *
 * This program is the plant for one manifold, so it knows the instant of
 * each crossing exactly: it asks stationd over D-Bus to fill detectors,
 * answers the purge (the manifold sensor goes cold once input and output
 * are open, warm again once the detector valves took over), and then, for
 * each filling detector in a random order, waits a random part of a scan
 * period (so the crossings fall at every phase of the daemon's scan and
 * of its sampling timer), writes the detector's exhaust sensor cold - the
 * crossing - and reads the relay latch every 0.5 ms until that valve's
 * relay is off. Latency = that read's time - the time just before the
 * crossing was written, on CLOCK_MONOTONIC. (Not a tight loop: every
 * latch read takes the simulated crate's lock, which the daemon's ADC
 * conversions take too; hammering it would slow the very daemon being
 * measured. The pause costs at most its length in resolution.) With
 * TOGETHER > 1 the other detectors of the round are still filling while
 * one crosses, so the daemon samples them all.
 *
 * Wiring: one manifold of DETECTORS detectors: relays 0..DETECTORS-1 the
 * detector valves 1..DETECTORS, relay DETECTORS the input, DETECTORS+1
 * the output; ADC channels 0..DETECTORS-1 their exhaust sensors, channel
 * DETECTORS the manifold's.
 *
 *   station-latency RELAY-CARD ADC-CARD DETECTORS TOGETHER FILLS SCAN-PERIOD-MS
 *
 * TOGETHER 1 fills detectors 1..DETECTORS in turn, one at a time; K > 1
 * fills 1..K at once, K crossings per round. FILLS crossings in all.
 * Talks to the bus in $DBUS_SYSTEM_BUS_ADDRESS. Prints one line:
 *   fills=N together=K scan_period_ms=P median_ms=.. p90_ms=.. p99_ms=..
 *   min_ms=.. max_ms=.. over_one_scan=K (later than one scan period + 10 ms)
 *   floor_samples=N floor_median_ms=.. floor_p99_ms=.. floor_max_ms=..
 *   elapsed_s=..
 *
 * The floor is what the machine adds to any timed wake-up (in a TCG guest
 * on a loaded host, most of the tail): how late a 10 ms sleep ends, taken
 * by a thread of this program that sleeps 10 ms over and over while the
 * rounds run, so it sees the same guest at the same moments as the
 * daemon's 100 Hz sampling timer does.
 *
 * With STATION_LATENCY_MARKERS set to ftrace's trace_marker, each crossing
 * is marked in the kernel's trace just before it is written ("cross D")
 * and just after the valve was seen closed ("closed D"), for the profile
 * of station-latency.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"
#include "tests/sim/plant.h"

#define DETECTORS_MAX		30
#define WARM_MV			2500
#define COLD_MV			500
/* A step of the purge that does not come within this is a failure. */
#define STEP_TIMEOUT_NS		(10ull * 1000000000ull)
/* The floor thread's samples: over 2.5 h of 10 ms sleeps, then it stops. */
#define FLOOR_SAMPLES_MAX	1000000

struct rig {
	sd_bus *bus;
	struct plant_card *relays;
	struct plant_card *adc;
	unsigned int detectors;		/* the input relay and the manifold's channel */
	int marker;			/* ftrace's trace_marker, or -1 */
};

static void rig_done(struct rig *r)
{
	safe_close(r->marker);
	plant_card_close(r->relays);
	plant_card_close(r->adc);
	sd_bus_flush_close_unref(r->bus);
}

static int relays_now(struct rig *r, uint32_t *ret)
{
	int k = plant_relays_get(r->relays, ret);

	if (k < 0)
		fprintf(stderr, "station-latency: reading the relay latch: %s\n", strerror(-k));
	return k;
}

/* Poll the latch until (latch & mask) == want; sleep @pause_ns between reads
 * (0: a tight loop). Returns 0, -ETIMEDOUT or a read error. */
static int wait_latch(struct rig *r, uint32_t mask, uint32_t want, uint64_t pause_ns,
		      const char *what)
{
	struct timespec pause = { 0, (long)pause_ns };
	uint64_t deadline = bench_now_ns() + STEP_TIMEOUT_NS;
	uint32_t latch;
	int k;

	for (;;) {
		k = relays_now(r, &latch);
		if (k < 0)
			return k;
		if ((latch & mask) == want)
			return 0;
		if (bench_now_ns() > deadline) {
			fprintf(stderr, "station-latency: no %s within 10 s (relays 0x%08" PRIx32 ")\n",
				what, latch);
			return -ETIMEDOUT;
		}
		if (pause_ns)
			nanosleep(&pause, NULL);
	}
}

static int ain(struct rig *r, unsigned int channel, int mv)
{
	int k = plant_ain_set(r->adc, channel, mv);

	if (k < 0)
		fprintf(stderr, "station-latency: writing ADC channel %u: %s\n", channel, strerror(-k));
	return k;
}

/* A line in the kernel's trace (STATION_LATENCY_MARKERS), outside the
 * timed span: the profile places the daemon's steps between them. */
static void mark(struct rig *r, const char *what, unsigned int detector)
{
	char text[64];
	int n;

	if (r->marker < 0)
		return;
	n = snprintf(text, sizeof(text), "station-latency %s %u\n", what, detector);
	if (write(r->marker, text, (size_t)n) < 0)
		fprintf(stderr, "station-latency: trace marker: %s\n", strerror(errno));
}

static int fill_now(struct rig *r, unsigned int first, unsigned int n)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	char target[32];
	int k;

	if (n == 1)
		snprintf(target, sizeof(target), "%u", first);
	else
		snprintf(target, sizeof(target), "%u-%u", first, first + n - 1);
	k = sd_bus_call_method(r->bus, "org.stationd1", "/org/stationd1/autofill",
			       "org.stationd1.Autofill", "Fill", &error, NULL, "ss", target, "");
	if (k < 0)
		fprintf(stderr, "station-latency: Fill %s: %s\n", target,
			error.message ? error.message : strerror(-k));
	return k;
}

/* One round: detectors first..first+n-1 fill at once, then cross one by
 * one in a random order; their latencies in ms in ret[0..n-1]. */
static int one_round(struct rig *r, unsigned int first, unsigned int n, unsigned int period_ms,
		     double *ret)
{
	uint32_t input = UINT32_C(1) << r->detectors, output = UINT32_C(1) << (r->detectors + 1);
	unsigned int order[DETECTORS_MAX];
	uint32_t valves = 0;
	int k;

	for (unsigned int i = 0; i < n; i++) {
		valves |= UINT32_C(1) << (first - 1 + i);
		order[i] = first + i;
	}
	for (unsigned int i = n; i > 1; i--) {
		unsigned int j = (unsigned int)(random() % i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	k = fill_now(r, first, n);
	if (k < 0)
		return k;
	/* The purge: input and output open, the line fills. */
	k = wait_latch(r, input | output, input | output, 1000000, "purge (input and output open)");
	if (k < 0)
		return k;
	k = ain(r, r->detectors, COLD_MV);
	if (k < 0)
		return k;
	/* Detector valves open, output closed: the line's end is warm again. */
	k = wait_latch(r, valves | output, valves, 1000000,
		       "detector valves open with the output closed");
	if (k < 0)
		return k;
	k = ain(r, r->detectors, WARM_MV);
	if (k < 0)
		return k;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int d = order[i];
		uint32_t valve = UINT32_C(1) << (d - 1);
		struct timespec phase;
		uint64_t t0, t1;

		/* A uniformly random phase of the scan (and of the sampling). */
		phase.tv_sec = 0;
		phase.tv_nsec = (long)(random() % (period_ms * 1000)) * 1000;
		nanosleep(&phase, NULL);

		mark(r, "cross", d);
		t0 = bench_now_ns();
		k = ain(r, d - 1, COLD_MV);
		if (k < 0)
			return k;
		k = wait_latch(r, valve, 0, 500000, "valve closing after the crossing");
		t1 = bench_now_ns();
		if (k < 0)
			return k;
		mark(r, "closed", d);
		ret[i] = (double)(t1 - t0) / 1e6;
		k = ain(r, d - 1, WARM_MV);
		if (k < 0)
			return k;
	}
	return wait_latch(r, input, 0, 1000000, "input closing");
}

/* How late 10 ms sleeps end, taken until told to stop. */
struct floor {
	pthread_t thread;
	bool running;
	atomic_bool stop;
	double *late;
	size_t n;
};

static void *floor_run(void *userdata)
{
	const struct timespec ten_ms = { 0, 10000000 };
	struct floor *f = userdata;

	while (!atomic_load(&f->stop) && f->n < FLOOR_SAMPLES_MAX) {
		uint64_t t0 = bench_now_ns();

		nanosleep(&ten_ms, NULL);
		f->late[f->n++] = (double)(bench_now_ns() - t0) / 1e6 - 10.0;
	}
	return NULL;
}

static int floor_start(struct floor *f)
{
	f->late = calloc(FLOOR_SAMPLES_MAX, sizeof(*f->late));
	if (!f->late)
		return -ENOMEM;
	atomic_init(&f->stop, false);
	f->running = pthread_create(&f->thread, NULL, floor_run, f) == 0;
	return f->running ? 0 : -EAGAIN;
}

/* Stops the thread; false if it took no sample. */
static bool floor_stop(struct floor *f)
{
	if (f->running) {
		atomic_store(&f->stop, true);
		pthread_join(f->thread, NULL);
		f->running = false;
	}
	bench_sort(f->late, f->n);
	return f->n > 0;
}

static void floor_done(struct floor *f)
{
	floor_stop(f);
	free(f->late);
}

static bool parse_ulong(const char *arg, const char *what, unsigned long max, unsigned long *ret)
{
	char *end;

	*ret = strtoul(arg, &end, 10);
	if (*end || *ret < 1 || *ret > max) {
		fprintf(stderr, "station-latency: %s '%s' is not 1-%lu\n", what, arg, max);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	_cleanup_(rig_done) struct rig r = { .marker = -1 };
	const char *markers = getenv("STATION_LATENCY_MARKERS");
	_cleanup_plant_ struct plant *plant = NULL;
	_cleanup_free_ double *latency = NULL;
	_cleanup_(floor_done) struct floor floor = {};
	uint64_t started;
	unsigned long detectors, together, fills, period_ms, over = 0, done = 0, next = 1;
	int k;

	if (argc != 7) {
		fprintf(stderr, "usage: station-latency RELAY-CARD ADC-CARD DETECTORS TOGETHER FILLS "
				"SCAN-PERIOD-MS\n");
		return 2;
	}
	if (!parse_ulong(argv[3], "DETECTORS", DETECTORS_MAX, &detectors) ||
	    !parse_ulong(argv[4], "TOGETHER", detectors, &together) ||
	    !parse_ulong(argv[5], "FILLS", 100000, &fills) ||
	    !parse_ulong(argv[6], "SCAN-PERIOD-MS", 10000, &period_ms))
		return 2;
	r.detectors = (unsigned int)detectors;
	if (markers && *markers) {
		r.marker = open(markers, O_WRONLY | O_CLOEXEC);
		if (r.marker < 0) {
			fprintf(stderr, "station-latency: %s: %s\n", markers, strerror(errno));
			return 1;
		}
	}
	/* Whole rounds: at least FILLS crossings. */
	fills = (fills + together - 1) / together * together;
	latency = calloc(fills, sizeof(*latency));
	if (!latency)
		return 1;

	k = plant_open(NULL, &plant);
	if (k >= 0)
		k = plant_card_open(plant, argv[1], &r.relays);
	if (k >= 0)
		k = plant_card_open(plant, argv[2], &r.adc);
	if (k < 0) {
		fprintf(stderr, "station-latency: the plant files of %s and %s: %s\n",
			argv[1], argv[2], strerror(-k));
		return 1;
	}
	k = sd_bus_open_system(&r.bus);
	if (k < 0) {
		fprintf(stderr, "station-latency: the system bus: %s\n", strerror(-k));
		return 1;
	}
	for (unsigned int ch = 0; ch <= r.detectors; ch++)
		if (ain(&r, ch, WARM_MV) < 0)
			return 1;

	k = floor_start(&floor);
	if (k < 0) {
		fprintf(stderr, "station-latency: the floor thread: %s\n", strerror(-k));
		return 1;
	}
	started = bench_now_ns();
	srandom(5000754);
	while (done < fills) {
		unsigned int first = together > 1 ? 1 : (unsigned int)next;

		k = one_round(&r, first, (unsigned int)together, (unsigned int)period_ms,
			      latency + done);
		if (k < 0) {
			fprintf(stderr, "station-latency: round at fill %lu of %lu failed\n", done + 1,
				fills);
			return 1;
		}
		done += together;
		next = next % detectors + 1;
	}
	if (!floor_stop(&floor)) {
		fprintf(stderr, "station-latency: the floor thread took no sample\n");
		return 1;
	}
	bench_sort(latency, fills);
	for (unsigned long i = 0; i < fills; i++)
		over += latency[i] > (double)period_ms + 10.0;
	printf("fills=%lu together=%lu scan_period_ms=%lu median_ms=%.2f p90_ms=%.2f p99_ms=%.2f "
	       "min_ms=%.2f max_ms=%.2f over_one_scan=%lu floor_samples=%zu floor_median_ms=%.2f "
	       "floor_p99_ms=%.2f floor_max_ms=%.2f elapsed_s=%.0f\n",
	       fills, together, period_ms, bench_median_sorted(latency, fills),
	       latency[(fills * 9) / 10 < fills ? (fills * 9) / 10 : fills - 1],
	       bench_p99_sorted(latency, fills), latency[0], latency[fills - 1], over, floor.n,
	       bench_median_sorted(floor.late, floor.n), bench_p99_sorted(floor.late, floor.n),
	       floor.late[floor.n - 1], (double)(bench_now_ns() - started) / 1e9);
	return 0;
}
