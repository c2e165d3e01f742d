// SPDX-License-Identifier: GPL-2.0
/*
 * Run state in the fixed-size areas of the station records, for the
 * persistence layer. Little-endian, versioned; an all-zero area is a
 * record that was never saved (the compiler writes zeros).
 *
 * Detector area, version 1:
 *   0  u8   version (1)
 *   1  u8   phase (0 idle, 1 waiting for the purge, 2 valve open)
 *   2  u16  flags (below)
 *   4  u8   number of presets
 *   5  u8   reserved (0)
 *   6  u16  presets[4], minutes after midnight, unused = 0xFFFF
 *  14  i64  next fill, epoch s (INT64_MAX = never)
 *  22  i64  undelayed next fill
 *  30  i64  start of the running fill, µs since the epoch
 *  38  i32  lowest exhaust reading of the running fill, mV
 *  42  i64  last valve change, µs since the epoch
 *  50  ..   reserved (0)
 *
 * Manifold area, version 1:
 *   0  u8   version (1)
 *   1  u8   phase (0 idle, 1 purging, 2 detectors filling)
 *   2  u16  flags: bit 0 overfull, bit 1 underfull, bit 2 overfull persists
 *   4  i64  last valve change, µs since the epoch
 *  12  ..   reserved (0)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/autofill/engine-internal.h"
#include "daemon/shared/little-endian.h"

#define STATE_VERSION 1u

enum {
	DSTATE_OVERFULL = 1u << 0,
	DSTATE_UNDERFULL = 1u << 1,
	DSTATE_MANIFOLD_ERROR = 1u << 2,
	DSTATE_AVOIDED = 1u << 3,
	DSTATE_BIAS_SHUTDOWN = 1u << 4,
	DSTATE_EXPLICIT_FILL = 1u << 5,
	DSTATE_BIAS_INPUT = 1u << 6,
	DSTATE_OVERFULL_PERSISTS = 1u << 7,
	DSTATE_ALL = (1u << 8) - 1,
};

enum {
	MSTATE_OVERFULL = 1u << 0,
	MSTATE_UNDERFULL = 1u << 1,
	MSTATE_OVERFULL_PERSISTS = 1u << 2,
	MSTATE_ALL = (1u << 3) - 1,
};

#define DSTATE_USED 50u
#define MSTATE_USED 12u

void engine_save_detector(const struct engine *e, uint32_t d, uint8_t out[static DETECTOR_STATE_SIZE])
{
	const struct detector_run *dr = &e->detectors[d];
	uint16_t flags = 0;

	flags |= dr->overfull ? DSTATE_OVERFULL : 0;
	flags |= dr->underfull ? DSTATE_UNDERFULL : 0;
	flags |= dr->manifold_error ? DSTATE_MANIFOLD_ERROR : 0;
	flags |= dr->avoided ? DSTATE_AVOIDED : 0;
	flags |= dr->bias_shutdown ? DSTATE_BIAS_SHUTDOWN : 0;
	flags |= dr->schedule.explicit_fill ? DSTATE_EXPLICIT_FILL : 0;
	flags |= dr->bias_input ? DSTATE_BIAS_INPUT : 0;
	flags |= dr->overfull_persists ? DSTATE_OVERFULL_PERSISTS : 0;

	memset(out, 0, DETECTOR_STATE_SIZE);
	out[0] = STATE_VERSION;
	out[1] = (uint8_t)dr->phase;
	put_le16(out + 2, flags);
	out[4] = dr->schedule.n_presets;
	for (unsigned i = 0; i < PRESETS_MAX; i++)
		put_le16(out + 6 + 2 * i, i < dr->schedule.n_presets ? dr->schedule.preset[i] : PRESET_UNUSED);
	put_le64(out + 14, (uint64_t)dr->schedule.next_fill);
	put_le64(out + 22, (uint64_t)dr->schedule.undelayed_fill);
	put_le64(out + 30, (uint64_t)dr->fill_start_usec);
	put_le32(out + ENGINE_DETECTOR_STATE_LOWEST_OFFSET, (uint32_t)dr->lowest_mv);
	put_le64(out + 42, (uint64_t)dr->valve.changed_usec);
}

void engine_save_manifold(const struct engine *e, uint32_t m, uint8_t out[static MANIFOLD_STATE_SIZE])
{
	const struct manifold_run *mr = &e->manifolds[m];
	uint16_t flags = 0;
	int64_t changed = mr->input.changed_usec > mr->output.changed_usec ?
			  mr->input.changed_usec : mr->output.changed_usec;

	flags |= mr->overfull ? MSTATE_OVERFULL : 0;
	flags |= mr->underfull ? MSTATE_UNDERFULL : 0;
	flags |= mr->overfull_persists ? MSTATE_OVERFULL_PERSISTS : 0;

	memset(out, 0, MANIFOLD_STATE_SIZE);
	out[0] = STATE_VERSION;
	out[1] = (uint8_t)mr->phase;
	put_le16(out + 2, flags);
	put_le64(out + 4, (uint64_t)changed);
}

void engine_save_state(const struct engine *e)
{
	struct station *s = e->station;

	for (uint32_t d = 0; d < s->n_detectors; d++) {
		const struct fill_schedule *sch = &e->detectors[d].schedule;

		engine_save_detector(e, d, s->detectors[d].state);
		/* PRESET is the one configuration change the daemon makes. */
		s->detectors[d].n_presets = sch->n_presets;
		for (unsigned i = 0; i < PRESETS_MAX; i++)
			s->detectors[d].preset[i] = i < sch->n_presets ? sch->preset[i] : PRESET_UNUSED;
	}
	for (uint32_t m = 0; m < s->n_manifolds; m++)
		engine_save_manifold(e, m, s->manifolds[m].state);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int restore_detector(struct engine *e, uint32_t d, int64_t now_usec, int64_t now_mono,
			    char *error, size_t error_size)
{
	const struct detector *conf = &e->station->detectors[d];
	const uint8_t *in = conf->state;
	struct detector_run *dr = &e->detectors[d];
	struct fill_schedule sch = {};
	const char *why = "";
	uint16_t flags;
	uint8_t phase;
	int r;

	if (all_zero(in, DETECTOR_STATE_SIZE)) {
		r = schedule_init(&dr->schedule, conf->preset, conf->n_presets, now_usec / USEC_PER_SEC, &why);
		if (r < 0) {
			snprintf(error, error_size, "detector %u: presets: %s", conf->number, why);
			return -EBADMSG;
		}
		return 0;
	}

#define BAD(...) do { \
		int _n = snprintf(error, error_size, "detector %u: state record: ", conf->number); \
		if (_n >= 0 && (size_t)_n < error_size) \
			snprintf(error + _n, error_size - (size_t)_n, __VA_ARGS__); \
		return -EBADMSG; \
	} while (0)

	if (in[0] != STATE_VERSION)
		BAD("version %u, this engine reads version %u", in[0], STATE_VERSION);
	phase = in[1];
	if (phase > DETECTOR_PHASE_FILLING)
		BAD("phase %u out of range", phase);
	flags = get_le16(in + 2);
	if (flags & ~DSTATE_ALL)
		BAD("unknown flags 0x%04x", flags & ~DSTATE_ALL);
	if (in[4] > PRESETS_MAX || in[5] != 0 || !all_zero(in + DSTATE_USED, DETECTOR_STATE_SIZE - DSTATE_USED))
		BAD("bad preset count or reserved bytes");
	sch.n_presets = in[4];
	for (unsigned i = 0; i < PRESETS_MAX; i++) {
		uint16_t p = get_le16(in + 6 + 2 * i);

		if (i < sch.n_presets) {
			if (p >= MINUTES_PER_DAY || (i > 0 && p <= sch.preset[i - 1]))
				BAD("preset %u (%u) invalid", i + 1, p);
			sch.preset[i] = p;
		} else if (p != PRESET_UNUSED) {
			BAD("unused preset %u is not empty", i + 1);
		}
	}
	sch.next_fill = (int64_t)get_le64(in + 14);
	sch.undelayed_fill = (int64_t)get_le64(in + 22);
	sch.explicit_fill = flags & DSTATE_EXPLICIT_FILL;
	if ((sch.next_fill == SCHEDULE_NEVER) != (sch.undelayed_fill == SCHEDULE_NEVER) ||
	    sch.next_fill < sch.undelayed_fill ||
	    (sch.next_fill != SCHEDULE_NEVER &&
	     sch.next_fill - sch.undelayed_fill > (int64_t)DELAY_MINUTES_MAX * 60))
		BAD("inconsistent next fill and delay");
#undef BAD

	dr->schedule = sch;
	dr->overfull = flags & DSTATE_OVERFULL;
	dr->underfull = flags & DSTATE_UNDERFULL;
	dr->manifold_error = flags & DSTATE_MANIFOLD_ERROR;
	dr->avoided = flags & DSTATE_AVOIDED;
	dr->bias_shutdown = flags & DSTATE_BIAS_SHUTDOWN;
	dr->bias_input = flags & DSTATE_BIAS_INPUT;
	dr->overfull_persists = flags & DSTATE_OVERFULL_PERSISTS;
	dr->valve.changed_usec = (int64_t)get_le64(in + 42);

	if (phase != DETECTOR_PHASE_IDLE) {
		/* The daemon stopped during this fill: its valves are closed
		 * now (engine_new), record it and fill again at once. */
		struct fill_record rec = {
			.start_usec = (int64_t)get_le64(in + 30),
			.end_usec = now_usec,
			.result = FILL_RESULT_INTERRUPTED,
			.lowest_mv = (int32_t)get_le32(in + ENGINE_DETECTOR_STATE_LOWEST_OFFSET),
		};

		rec.duration_usec = now_usec > rec.start_usec ? (uint64_t)(now_usec - rec.start_usec) : 0;
		fill_history_add(&dr->history, &rec);
		if (e->observer && e->observer->fill_ended)
			e->observer->fill_ended(e->observer_userdata, d, &rec);
		r = schedule_fill(&dr->schedule, -1, now_usec / USEC_PER_SEC, &why);
		if (r < 0) {
			snprintf(error, error_size, "detector %u: rescheduling: %s", conf->number, why);
			return -EBADMSG;
		}
	}
	return 0;
}

static int restore_manifold(struct engine *e, uint32_t m, char *error, size_t error_size)
{
	const struct manifold *conf = &e->station->manifolds[m];
	const uint8_t *in = conf->state;
	struct manifold_run *mr = &e->manifolds[m];
	uint16_t flags;

	if (all_zero(in, MANIFOLD_STATE_SIZE))
		return 0;
	flags = get_le16(in + 2);
	if (in[0] != STATE_VERSION || in[1] > MANIFOLD_PHASE_FILLING || (flags & ~MSTATE_ALL) ||
	    !all_zero(in + MSTATE_USED, MANIFOLD_STATE_SIZE - MSTATE_USED)) {
		snprintf(error, error_size, "manifold %s: state record: bad version, phase, flags or "
			 "reserved bytes", conf->name);
		return -EBADMSG;
	}
	/* Its phase is not resumed: its detectors' fills are rescheduled. */
	mr->input.changed_usec = mr->output.changed_usec = (int64_t)get_le64(in + 4);
	mr->overfull = flags & MSTATE_OVERFULL;
	mr->underfull = flags & MSTATE_UNDERFULL;
	mr->overfull_persists = flags & MSTATE_OVERFULL_PERSISTS;
	return 0;
}

int engine_restore_state(struct engine *e, int64_t now_usec, int64_t now_mono,
			 char *error, size_t error_size)
{
	int r;

	/* Manifolds first: their flags decide nothing of the detectors. */
	for (uint32_t m = 0; m < e->station->n_manifolds; m++) {
		r = restore_manifold(e, m, error, error_size);
		if (r < 0)
			return r;
	}
	for (uint32_t d = 0; d < e->station->n_detectors; d++) {
		r = restore_detector(e, d, now_usec, now_mono, error, error_size);
		if (r < 0)
			return r;
	}
	return 0;
}
