/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's private state, shared by its files: engine.c (life cycle,
 * scan, valves and outputs, views), manifold-fill.c (the purge sequence
 * and fault checks), engine-commands.c and engine-state.c (persistence).
 */
#ifndef STATIOND_AUTOFILL_ENGINE_INTERNAL_H
#define STATIOND_AUTOFILL_ENGINE_INTERNAL_H

#include <stdarg.h>

#include "daemon/autofill/engine.h"
#include "daemon/shared/macro.h"

#define USEC_PER_SEC 1000000ll

/* One relay. `open` means open or not known to be closed: a valve whose
 * closing failed counts as open until a retry succeeds. */
struct valve {
	const struct channel_ref *ref;
	bool open;
	bool close_failed;
	int64_t changed_usec;		/* last opening or closure, wall clock */
	int64_t closed_mono;		/* last confirmed closure, monotonic */
};

/* A TTL output the engine drives (dewar inhibit, alarm): what it should
 * be, and what the line is known to carry, which is what the views say. */
struct output {
	const struct channel_ref *ref;
	const char *name;
	bool wanted;
	bool asserted;			/* as last driven successfully */
	bool failed;			/* the last write failed: retried at every scan */
};

enum detector_phase {
	DETECTOR_PHASE_IDLE,
	DETECTOR_PHASE_PURGE_WAIT,	/* fill started, manifold purging */
	DETECTOR_PHASE_FILLING,		/* detector valve open */
};

struct detector_run {
	struct fill_schedule schedule;
	enum detector_phase phase;
	struct valve valve;
	/* Latched errors, cleared by CLEAR. */
	bool overfull, underfull, manifold_error;
	bool overfull_persists;		/* LN2 still at the exhaust */
	bool avoided, bias_shutdown;
	bool bias_input;		/* last reading of the bias input */
	bool sensor_failed, input_failed;
	bool valve_failed;		/* its valve cannot be driven (check_valve) */
	bool mv_valid;
	int32_t mv;			/* the last reading */
	bool cold;			/* debounced: LN2 at the exhaust (exhaust-reading.c) */
	uint64_t read_in_scan;		/* scan_serial of the scan that last read it */
	/* The fill in progress. */
	int64_t fill_start_usec, fill_start_mono, valve_open_mono;
	int32_t lowest_mv;
	struct fill_history history;
	struct engine_detector_view published;
};

enum manifold_phase {
	MANIFOLD_PHASE_IDLE,
	MANIFOLD_PHASE_PURGING,		/* input and output open, waiting for LN2 at the output */
	MANIFOLD_PHASE_FILLING,		/* output closed, detector valves open */
};

struct manifold_run {
	enum manifold_phase phase;
	struct valve input, output;
	bool overfull, underfull, overfull_persists;
	bool manual_key;
	bool sensor_failed, input_failed;
	bool valve_failed;		/* its input or output valve cannot be driven */
	bool mv_valid;
	int32_t mv;
	bool cold;
	uint64_t read_in_scan;
	int64_t purge_start_mono;
	uint32_t *members;		/* detector indexes on this manifold */
	uint32_t n_members;
	struct engine_manifold_view published;
};

struct engine {
	struct station *station;
	const struct engine_hw *hw;
	void *hw_userdata;
	const struct engine_observer *observer;
	void *observer_userdata;

	struct detector_run *detectors;
	struct manifold_run *manifolds;

	unsigned n_open_valves;
	struct output dewar_inhibit, alarm;
	bool manual_fill;
	int64_t manual_fill_end_mono;	/* when the last manual-fill key went off */
	bool shut_down;
	bool fills_held;		/* engine_hold_fills(): no new fill starts */
	int64_t now_usec;		/* wall clock of the scan or command running */
	int64_t now_mono;		/* its monotonic clock */
	uint64_t scan_serial;		/* scans run, for reading each sensor once a scan */
	struct engine_global_view published;
};

/* engine.c */
void alarm_set(struct engine *e, bool on);
int valve_open(struct engine *e, struct valve *v, uint32_t detector, uint32_t manifold);
int valve_close(struct engine *e, struct valve *v, uint32_t detector, uint32_t manifold);
void engine_raise_fault(struct engine *e, enum engine_fault_kind kind, uint32_t detector,
			uint32_t manifold, int error, const char *format, ...) _printf_(6, 7);
bool detector_sensor_cold(const struct engine *e, uint32_t d);
bool manifold_sensor_cold(const struct engine *e, uint32_t m);
void engine_publish(struct engine *e);
bool engine_has_unclear_errors(const struct engine *e);

/* exhaust-reading.c: read a sensor and update its debounced state `cold`;
 * 0 with the last reading, or a negative errno and why. */
int exhaust_sample(struct engine *e, const struct channel_ref *sensor, int32_t reference_mv,
		   bool *cold, int32_t *ret_mv, const char **ret_why);

/* engine.c: read one exhaust; a failure ends what relies on it. */
void detector_sample(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono);
void manifold_sample(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono);
/* One object's view only: a fast sample that changed nothing but its
 * reading need not walk the whole station (engine_publish()). */
void engine_publish_detector(struct engine *e, uint32_t d);
void engine_publish_manifold(struct engine *e, uint32_t m);

/* fast-sampling.c: read a filling detector's exhaust and end its fill if
 * LN2 is confirmed there (the manifold is settled by the caller). */
bool detector_sample_filling(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono);

/* manifold-fill.c */
bool detector_fill_full(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono);
bool manifold_purge_full(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono);
bool manifold_inhibited(const struct engine *e, uint32_t m);
bool detector_may_fill(const struct engine *e, uint32_t d);
void detector_fill_end(struct engine *e, uint32_t d, enum fill_result result,
		       int64_t now_usec, int64_t now_mono);
void manifold_fill_abort(struct engine *e, uint32_t m, enum fill_result result, bool manifold_error,
			 int64_t now_usec, int64_t now_mono);
void manifold_fill_settle(struct engine *e, uint32_t m, int64_t now_usec);
void manifold_fill_step(struct engine *e, uint32_t m, int64_t now_usec, int64_t now_mono);

/* overfull-watch.c */
void overfull_watch(struct engine *e, int64_t now_usec, int64_t now_mono);

/* engine-state.c */
int engine_restore_state(struct engine *e, int64_t now_usec, int64_t now_mono,
			 char *error, size_t error_size);

#endif
