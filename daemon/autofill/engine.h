/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LN2 autofill engine: schedules, the manifold purge sequence, fault
 * detection and the operator commands for a whole station, as pure C with
 * no clock and no hardware of its own. The daemon calls engine_scan() at
 * the configured scan rate with the wall clock (schedules) and the
 * monotonic clock (durations); the engine reads sensors and inputs and
 * drives valves and outputs through struct engine_hw, and reports through
 * struct engine_observer, so the D-Bus and journal layers hear about fills,
 * faults and property changes without the engine knowing them.
 *
 * Fail safe: every path that ends a fill closes the valve; a valve that
 * could not be closed is treated as open (dewar inhibit stays asserted)
 * and closing is retried at every scan; the engine never opens a valve
 * that no fill accounts for.
 *
 * Commands take the `targets` syntax of targets.h. They return 0, or a
 * negative errno with a message in `error` and leave every state unchanged:
 *   -EBUSY       a manual-fill key is on (operator intervention refused)
 *   -EINVAL      bad targets, time or mode (the message names the part)
 *   -ERANGE/-ENOENT  DELAY out of range / nothing scheduled (schedule.h)
 *   -ECANCELED   FILL where no target may fill now (avoided, bias
 *                shutdown, manifold inhibited by overfull, unavailable)
 *   -EALREADY    FILL where no target may fill now, the first one because
 *                its fill is in progress (FILL HH:MM of a filling detector
 *                is accepted for a later time, not for now)
 *   -ESHUTDOWN   after engine_shutdown()
 * FILL of several targets fills those that may and skips the others (their
 * state unchanged); it then returns 0 with a note naming the first skipped
 * detector in `error` (empty when none was skipped), for the caller's log.
 */
#ifndef STATIOND_AUTOFILL_ENGINE_H
#define STATIOND_AUTOFILL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/autofill/engine-hw.h"
#include "daemon/autofill/fill-record.h"
#include "daemon/autofill/schedule.h"
#include "daemon/config/station.h"

struct engine;

#define ENGINE_NO_INDEX UINT32_MAX

/* Overall system state, as the seed names it. */
enum engine_state {
	ENGINE_STATE_OK,
	ENGINE_STATE_CRASHED,		/* a valve could not be closed, or shut down */
	ENGINE_STATE_FILL_ERROR,	/* some detector or manifold carries an error */
	ENGINE_STATE_FILLING,
	ENGINE_STATE_MANUAL_FILL,
	_ENGINE_STATE_MAX,
};
const char *engine_state_to_string(enum engine_state s);	/* "ok", "crashed", "fill-error", ... */

/* Detector status flags (the seed's list, plus unavailable). */
enum detector_status {
	DETECTOR_STATUS_OVERFULL = 1u << 0,
	DETECTOR_STATUS_UNDERFULL = 1u << 1,
	DETECTOR_STATUS_MANIFOLD_ERROR = 1u << 2,
	DETECTOR_STATUS_FILLING = 1u << 3,
	DETECTOR_STATUS_DELAYED = 1u << 4,
	DETECTOR_STATUS_PURGING = 1u << 5,
	DETECTOR_STATUS_AVOIDED = 1u << 6,
	DETECTOR_STATUS_BIAS_SHUTDOWN = 1u << 7,
	DETECTOR_STATUS_UNAVAILABLE = 1u << 8,	/* sensor, input or valve fault */
	DETECTOR_STATUS_CARD_UNAVAILABLE = 1u << 9,	/* ... because a card of it is not in use */
};
#define DETECTOR_STATUS_BITS 10u

enum manifold_status {
	MANIFOLD_STATUS_OVERFULL = 1u << 0,
	MANIFOLD_STATUS_UNDERFULL = 1u << 1,
	MANIFOLD_STATUS_PURGING = 1u << 2,
	MANIFOLD_STATUS_UNAVAILABLE = 1u << 3,
	MANIFOLD_STATUS_MANUAL_FILL = 1u << 4,	/* its key is on */
	MANIFOLD_STATUS_CARD_UNAVAILABLE = 1u << 5,	/* unavailable: a card of it is not in use */
};
#define MANIFOLD_STATUS_BITS 6u

/* "overfull", "underfull", "manifold-error", "filling", "delayed",
 * "purging", "avoided", "bias-shutdown", "unavailable", "card-unavailable"
 * by bit number. */
const char *detector_status_name(unsigned bit);
const char *manifold_status_name(unsigned bit);

struct engine_detector_view {
	uint32_t status;		/* enum detector_status bits */
	bool valve_open;		/* open, or not known to be closed */
	bool mv_valid;
	int32_t mv;			/* most recent exhaust reading */
	int64_t valve_changed_usec;	/* last valve opening or closure, 0 = never */
	int64_t next_fill;		/* epoch s, SCHEDULE_NEVER if none */
	int64_t delay_s;		/* next_fill - undelayed fill */
	uint8_t n_presets;
	uint16_t preset[PRESETS_MAX];
};

struct engine_manifold_view {
	uint32_t status;		/* enum manifold_status bits */
	bool input_open, output_open;
	bool mv_valid;
	int32_t mv;
	int64_t valve_changed_usec;
	uint32_t open_detector_valves;
	uint32_t overfull_detectors;
};

struct engine_global_view {
	enum engine_state state;
	uint32_t filling_count;		/* detectors with their valve open for a fill */
	/* Exhausts to sample between scans (engine_sample_filling()): those
	 * of filling detectors and of purging manifolds; 0 = none. */
	uint32_t fast_exhausts;
	bool alarm;
	bool dewar_inhibit;		/* the supply dewar is told not to refill */
};

enum engine_fault_kind {
	ENGINE_FAULT_UNDERFULL,
	ENGINE_FAULT_OVERFULL,
	ENGINE_FAULT_MANIFOLD_INHIBITED,	/* a due fill aborted: manifold overfull */
	ENGINE_FAULT_SENSOR,		/* exhaust sensor could not be read */
	ENGINE_FAULT_INPUT,		/* bias or key input could not be read */
	ENGINE_FAULT_VALVE,		/* a valve could not be driven */
	ENGINE_FAULT_OUTPUT,		/* dewar inhibit or alarm could not be driven */
	ENGINE_FAULT_BIAS_SHUTDOWN,
	_ENGINE_FAULT_MAX,
};
const char *engine_fault_kind_to_string(enum engine_fault_kind k);

struct engine_fault {
	enum engine_fault_kind kind;
	uint32_t detector;		/* index, or ENGINE_NO_INDEX */
	uint32_t manifold;		/* index, or ENGINE_NO_INDEX */
	int error;			/* negative errno of a hardware failure, else 0 */
	const char *message;		/* valid during the callback only */
};

enum engine_object {
	ENGINE_OBJECT_AUTOFILL,		/* the global view; index 0 */
	ENGINE_OBJECT_DETECTOR,
	ENGINE_OBJECT_MANIFOLD,
};

/* Every callback is optional. Callbacks must not call back into the engine. */
struct engine_observer {
	void (*fill_started)(void *userdata, uint32_t detector, int64_t at_usec);
	void (*fill_ended)(void *userdata, uint32_t detector, const struct fill_record *record);
	void (*fault)(void *userdata, const struct engine_fault *fault);
	/* The view of an object changed: publish it, and persist its state. */
	void (*property_changed)(void *userdata, enum engine_object object, uint32_t index);
};

/*
 * Build the engine for a sorted, linked station (kept by reference; its
 * detector and manifold state areas and presets are written by
 * engine_save_state()). Every valve is closed first. Run state is restored
 * from the state areas: all-zero areas mean a fresh start; a fill that was
 * running is recorded as interrupted and is due again at once. Returns
 * -EBADMSG naming the record if a state area is not valid.
 */
int engine_new(struct station *station, const struct engine_hw *hw, void *hw_userdata,
	       const struct engine_observer *observer, void *observer_userdata,
	       int64_t now_realtime_usec, int64_t now_monotonic_usec,
	       struct engine **ret, char *error, size_t error_size);

/* Frees; closes every valve first if engine_shutdown() was not called. */
struct engine *engine_free(struct engine *e);
static inline void engine_freep(struct engine **e)
{
	if (*e)
		engine_free(*e);
}
#define _cleanup_engine_ __attribute__((cleanup(engine_freep)))

/* One scan: inputs, sensors, fill sequences, fault checks, outputs. */
void engine_scan(struct engine *e, int64_t now_realtime_usec, int64_t now_monotonic_usec);

/*
 * The fast path (fast-sampling.c): read the exhausts of the running fills
 * between scans, at a rate of their own (the global view's fast_exhausts
 * says whether there are any). engine_sample_filling() reads every
 * filling detector's and every purging manifold's exhaust, debounced as
 * at a scan (the confirming conversions taken at once); a fill whose LN2
 * is confirmed ends "full" in this call, its valve closed (the last one
 * of its manifold closes the input), and a purge whose LN2 is confirmed
 * ends in this call (detector valves open, output closed).
 * engine_sample_detector() does the same for one detector (an idle one is
 * only read). Timeouts (underfull), inputs, the overfull watch and the
 * outputs stay with engine_scan(). Both do nothing in manual fill or
 * after engine_shutdown().
 */
void engine_sample_filling(struct engine *e, int64_t now_realtime_usec, int64_t now_monotonic_usec);
void engine_sample_detector(struct engine *e, uint32_t detector,
			    int64_t now_realtime_usec, int64_t now_monotonic_usec);

/*
 * Close every valve and stop. Running fills are recorded as interrupted
 * and due again at once, so the saved state refills after a restart.
 * Returns 0 or the first valve error (closing is still tried on all).
 */
int engine_shutdown(struct engine *e, int64_t now_realtime_usec, int64_t now_monotonic_usec);

/* Commands. `at` NULL or "" = now, else "HH:MM". */
int engine_fill(struct engine *e, const char *targets, const char *at,
		int64_t now_realtime_usec, int64_t now_monotonic_usec, char *error, size_t error_size);
int engine_preset(struct engine *e, const char *targets, const char *const *times, size_t n_times,
		  const char *mode, int64_t now_realtime_usec, int64_t now_monotonic_usec,
		  char *error, size_t error_size);
int engine_delay(struct engine *e, const char *targets, unsigned minutes,
		 int64_t now_realtime_usec, int64_t now_monotonic_usec, char *error, size_t error_size);
int engine_avoid(struct engine *e, const char *targets,
		 int64_t now_realtime_usec, int64_t now_monotonic_usec, char *error, size_t error_size);
int engine_unavoid(struct engine *e, const char *targets,
		   int64_t now_realtime_usec, int64_t now_monotonic_usec, char *error, size_t error_size);
int engine_cancel(struct engine *e, const char *targets,
		  int64_t now_realtime_usec, int64_t now_monotonic_usec, char *error, size_t error_size);
int engine_clear(struct engine *e, const char *targets,
		 int64_t now_realtime_usec, int64_t now_monotonic_usec, char *error, size_t error_size);

/*
 * Hold new fills (engine-hold.c): while held, no fill starts (those that
 * fall due stay due); running fills go on to their end. For a reload or an
 * exit that waits until engine_idle(): no fill runs, so no valve is
 * legitimately open (one that could not be closed belongs to no fill).
 */
void engine_hold_fills(struct engine *e, bool hold);
bool engine_idle(const struct engine *e);

/* Views for the bus layer and the console. */
const struct station *engine_station(const struct engine *e);
void engine_detector_view(const struct engine *e, uint32_t detector, struct engine_detector_view *ret);
void engine_manifold_view(const struct engine *e, uint32_t manifold, struct engine_manifold_view *ret);
void engine_global_view(const struct engine *e, struct engine_global_view *ret);
const struct fill_history *engine_fill_history(const struct engine *e, uint32_t detector);

/*
 * Give a detector back the fills it recorded before this start (its
 * persisted history, oldest first), in front of any recorded since
 * engine_new() (an interrupted fill). The last FILL_HISTORY_MAX are kept.
 */
void engine_restore_fill_history(struct engine *e, uint32_t detector,
				 const struct fill_history *earlier);

/*
 * Persistence: encode one object's run state into its fixed-size area
 * (versioned, little-endian). engine_save_state() writes every detector's
 * and manifold's area and current presets into the station.
 */
void engine_save_detector(const struct engine *e, uint32_t detector, uint8_t out[static DETECTOR_STATE_SIZE]);
/* Where a detector's area keeps the lowest exhaust reading of its running
 * fill: it moves with the readings while the fill runs, so persistence
 * writes it with the other changes and at most once per backup interval,
 * not at every reading (the fill's record keeps it at the end). */
#define ENGINE_DETECTOR_STATE_LOWEST_OFFSET 38u
#define ENGINE_DETECTOR_STATE_LOWEST_SIZE 4u
void engine_save_manifold(const struct engine *e, uint32_t manifold, uint8_t out[static MANIFOLD_STATE_SIZE]);
void engine_save_state(const struct engine *e);

#endif
