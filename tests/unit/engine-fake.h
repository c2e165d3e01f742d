/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake LN2 plant and clock for the autofill engine tests, simple enough
 * that every outcome is exact: one scan = one second; LN2 reaches an
 * exhaust after a fixed number of scans of flow; a manifold keeps LN2 for
 * `residual_ticks` scans after its input closed. Every valve and output
 * call is logged ("open 3", "close A-in", "inhibit on", "alarm off").
 */
#ifndef STATIOND_TESTS_UNIT_ENGINE_FAKE_H
#define STATIOND_TESTS_UNIT_ENGINE_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/autofill/engine.h"

#define FAKE_DETECTORS_MAX 64
#define FAKE_MANIFOLDS_MAX 8
#define FAKE_LOG_MAX 4096
#define FAKE_EVENTS_MAX 1024
#define FAKE_GLITCH_MAX 16
#define WARM_MV 2000
#define COLD_MV 500
#define REFERENCE_MV 1000
#define DETECTOR_MAX_FILL_S 60
#define MANIFOLD_MAX_FILL_S 30
#define CLOSURE_DELAY_S 5
/* Monday 2026-01-05 07:59:50 UTC, ten seconds before the 08:00 presets. */
#define FAKE_START_S 1767599990ll

struct fake_event {
	enum { EV_STARTED, EV_ENDED, EV_FAULT } type;
	uint32_t detector, manifold;
	enum fill_result result;
	enum engine_fault_kind fault;
	struct fill_record record;
};

struct fake_plant {
	struct station *station;
	struct engine *engine;
	int64_t real_usec, mono_usec;

	/* Physics. */
	bool valve[FAKE_DETECTORS_MAX], input[FAKE_MANIFOLDS_MAX], output[FAKE_MANIFOLDS_MAX];
	bool valve_stuck_open[FAKE_DETECTORS_MAX], output_stuck_open[FAKE_MANIFOLDS_MAX];
	bool valve_close_fails[FAKE_DETECTORS_MAX];
	/* Hotplug: manifold m's relay card left the crate (its relays drop,
	 * check_valve and set_valve fail with -ENODEV). */
	bool relay_card_gone[FAKE_MANIFOLDS_MAX];
	bool supply_empty[FAKE_MANIFOLDS_MAX];
	bool sensor_dead[FAKE_DETECTORS_MAX], manifold_sensor_dead[FAKE_MANIFOLDS_MAX];
	int32_t sensor_stuck_mv[FAKE_DETECTORS_MAX];	/* reads this, if not 0 */
	int32_t manifold_sensor_stuck_mv[FAKE_MANIFOLDS_MAX];
	/* Noise: the next glitch_reads conversions of a detector's sensor read
	 * glitch_mv[0], [1], ... in turn; a manifold's read manifold_glitch_mv. */
	int32_t glitch_mv[FAKE_DETECTORS_MAX][FAKE_GLITCH_MAX], manifold_glitch_mv[FAKE_MANIFOLDS_MAX];
	unsigned glitch_reads[FAKE_DETECTORS_MAX], manifold_glitch_reads[FAKE_MANIFOLDS_MAX];
	/* Conversions of each sensor, and of each sensor during the last scan. */
	unsigned reads[FAKE_DETECTORS_MAX], manifold_reads[FAKE_MANIFOLDS_MAX];
	unsigned scan_reads[FAKE_DETECTORS_MAX], scan_manifold_reads[FAKE_MANIFOLDS_MAX];
	/* Order of conversions: the n_conversions count at each sensor's last. */
	unsigned n_conversions, read_at[FAKE_DETECTORS_MAX], manifold_read_at[FAKE_MANIFOLDS_MAX];
	/* The dewar-inhibit (0) or alarm (1) output's writes fail (-EIO). */
	bool output_fails[2];
	unsigned fill_ticks[FAKE_DETECTORS_MAX], purge_ticks;
	unsigned flow[FAKE_DETECTORS_MAX], manifold_flow[FAKE_MANIFOLDS_MAX];
	unsigned residual[FAKE_MANIFOLDS_MAX], residual_ticks;
	bool bias[FAKE_DETECTORS_MAX], key[FAKE_MANIFOLDS_MAX];
	bool key_unreadable[FAKE_MANIFOLDS_MAX];	/* its TTL input fails (-EIO) */
	bool dewar_inhibit, alarm;
	unsigned inhibit_violations;	/* a valve open without the inhibit */

	char log[FAKE_LOG_MAX][24];
	unsigned n_log;
	struct fake_event events[FAKE_EVENTS_MAX];
	unsigned n_events;
	unsigned n_property_changes;
	char error[256];		/* of the last fake_start_engine() */
	char last_fault[256];		/* message of the last fault */
};

/* A station of n_manifolds x per_manifold detectors numbered from 1, all
 * with presets at 08:00 unless no_presets; engine started at FAKE_START_S. */
struct fake_plant *fake_new(unsigned n_manifolds, unsigned per_manifold, bool presets);
/* Start (or restart) the engine on the plant's station. */
int fake_start_engine(struct fake_plant *f);
void fake_free(struct fake_plant *f);

/* Advance one second, run the plant physics, then engine_scan(). */
void fake_scan(struct fake_plant *f);
void fake_scans(struct fake_plant *f, unsigned n);
/* Advance usec (no physics: LN2 arrives by sensor_stuck_mv), then the
 * fast path, engine_sample_filling(), as the daemon's timer runs it;
 * scan_reads count its conversions. */
void fake_sample_fast(struct fake_plant *f, int64_t usec);
/* Scan until no fill is in progress (at most max scans); returns scans run. */
unsigned fake_scan_until_idle(struct fake_plant *f, unsigned max);

/* The next n conversions of detector d's sensor read mv. */
void fake_glitch(struct fake_plant *f, uint32_t d, int32_t mv, unsigned n);

void fake_log_reset(struct fake_plant *f);
/* The log joined with ", ". */
const char *fake_log_string(struct fake_plant *f);
unsigned fake_count_events(const struct fake_plant *f, int type, int what);
unsigned fake_count_results(const struct fake_plant *f, uint32_t detector, enum fill_result r);
bool fake_any_valve_open(const struct fake_plant *f);

uint32_t fake_status(const struct fake_plant *f, uint32_t detector);
enum engine_state fake_state(const struct fake_plant *f);

#endif
