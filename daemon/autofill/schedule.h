/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fill schedule arithmetic: preset times of day, FILL, DELAY and CANCEL,
 * computed on wall-clock epoch seconds in the process's local time zone
 * (TZ / tzset(); the daemon runs in the station's zone). Pure functions
 * of their arguments and the zone: no clocks are read here, "now" is
 * always passed in, so tests are deterministic.
 *
 * Local-time rules (the local clock is not a straight line):
 *
 *  - A preset fires when the local clock reads HH:MM:00.
 *  - Skipped local time (spring forward, e.g. 02:30 on the last Sunday
 *    of March in Europe/Paris): the fill happens at the first instant
 *    after the gap (03:00 local). A detector must not miss a fill
 *    because the clock jumped.
 *  - Repeated local time (fall back, 02:30 happens twice): the fill
 *    happens once, at the first occurrence.
 *  - Clock steps: next-fill times are absolute epoch seconds, so a step
 *    backwards delays a fill (it happens when the clock reads that instant
 *    again) and never repeats one: after a fill starts, the next one is
 *    the first preset strictly after max(now, the time it was due). A step
 *    forwards over several presets makes one fill due, not several.
 */
#ifndef STATIOND_AUTOFILL_SCHEDULE_H
#define STATIOND_AUTOFILL_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config/station.h"

#define SCHEDULE_NEVER INT64_MAX
#define MINUTES_PER_DAY 1440u
#define DELAY_MINUTES_MAX 1440u	/* DELAY postpones by at most a day */

/* "HH:MM", exactly two digits each, 00:00-23:59 -> minutes after midnight. */
int schedule_parse_clock_time(const char *text, uint16_t *minute_of_day, const char **why);

/* A one- or two-digit count of seconds, minutes or hours: "5", "05", "45". */
int schedule_parse_two_digits(const char *text, unsigned *value, const char **why);

/* "HH:MM" for a minute of day; buf holds at least 6 bytes. */
char *schedule_format_clock_time(uint16_t minute_of_day, char buf[static 6]);

/*
 * The first instant at or after (inclusive) or strictly after `after` at
 * which the local clock reads minute_of_day, by the rules above.
 */
int64_t schedule_next_local_time(int64_t after, uint16_t minute_of_day, bool inclusive);

/* The earliest of the presets strictly after `after`; SCHEDULE_NEVER if none. */
int64_t schedule_next_preset(const uint16_t *presets, unsigned n_presets, int64_t after);

enum preset_mode {
	PRESET_REPLACE,		/* the new list replaces the old (the default) */
	PRESET_ADD,		/* merge the new times into the old */
	PRESET_CLEAR,		/* remove all times (no times may be given) */
};

/* Parse "replace", "add", "clear"; -EINVAL otherwise. */
int preset_mode_from_string(const char *s, enum preset_mode *ret);

/* The schedule of one detector. */
struct fill_schedule {
	uint8_t n_presets;
	uint16_t preset[PRESETS_MAX];	/* ascending, distinct */
	int64_t next_fill;		/* epoch s when the next fill is due, or SCHEDULE_NEVER */
	int64_t undelayed_fill;		/* next_fill before any DELAY */
	bool explicit_fill;		/* next_fill was set by FILL, not by a preset */
};

/* A schedule with the given presets (as compiled), next fill from now. */
int schedule_init(struct fill_schedule *s, const uint16_t *presets, unsigned n_presets,
		  int64_t now, const char **why);

/*
 * PRESET: change the times, then the next fill is the first preset after
 * now; a FILL time or a DELAY is dropped. On error nothing changes.
 */
int schedule_preset(struct fill_schedule *s, enum preset_mode mode, const uint16_t *times,
		    unsigned n_times, int64_t now, const char **why);

/*
 * FILL: the next fill is at minute_of_day (today, or tomorrow if that time
 * has passed; during that very minute, now), or now if minute_of_day < 0;
 * presets before it are skipped.
 */
int schedule_fill(struct fill_schedule *s, int minute_of_day, int64_t now, const char **why);

/* DELAY: postpone the next fill by 1..DELAY_MINUTES_MAX minutes. */
int schedule_delay(struct fill_schedule *s, unsigned minutes, const char **why);

/*
 * CANCEL: drop a delayed fill (the next is the first preset after it was
 * due) or an explicit FILL time (the next is the first preset after now,
 * the presets it skipped included). Returns true if the schedule changed.
 */
bool schedule_cancel(struct fill_schedule *s, int64_t now);

static inline bool schedule_is_due(const struct fill_schedule *s, int64_t now)
{
	return s->next_fill != SCHEDULE_NEVER && now >= s->next_fill;
}

static inline bool schedule_is_delayed(const struct fill_schedule *s)
{
	return s->next_fill != s->undelayed_fill;
}

/* A due fill has started: schedule the next one from the presets. */
void schedule_fill_started(struct fill_schedule *s, int64_t now);

#endif
