// SPDX-License-Identifier: GPL-2.0
/*
 * Fill schedule arithmetic. Local time is handled without mktime(): its
 * answer for a skipped or repeated local time depends on tm_isdst guesses
 * and differs between C libraries. Instead we look for the instants t whose
 * local clock reading, as seconds since 1970-01-01 00:00 local, equals the
 * wanted reading; localtime_r() and tm_gmtoff are all we need.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/autofill/schedule.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int schedule_parse_clock_time(const char *text, uint16_t *minute_of_day, const char **why)
{
	unsigned hours, minutes;

	if (strlen(text) != 5 || !is_digit(text[0]) || !is_digit(text[1]) || text[2] != ':' ||
	    !is_digit(text[3]) || !is_digit(text[4])) {
		*why = "is not a time of day HH:MM (two digits each)";
		return -EINVAL;
	}
	hours = (text[0] - '0') * 10 + (text[1] - '0');
	minutes = (text[3] - '0') * 10 + (text[4] - '0');
	if (hours > 23) {
		*why = "has hours beyond 23";
		return -ERANGE;
	}
	if (minutes > 59) {
		*why = "has minutes beyond 59";
		return -ERANGE;
	}
	*minute_of_day = hours * 60 + minutes;
	return 0;
}

int schedule_parse_two_digits(const char *text, unsigned *value, const char **why)
{
	size_t n = strlen(text);

	if (n == 0 || n > 2 || !is_digit(text[0]) || (n == 2 && !is_digit(text[1]))) {
		*why = "is not a one- or two-digit number";
		return -EINVAL;
	}
	*value = n == 1 ? (unsigned)(text[0] - '0') :
		(unsigned)((text[0] - '0') * 10 + (text[1] - '0'));
	return 0;
}

char *schedule_format_clock_time(uint16_t minute_of_day, char buf[static 6])
{
	snprintf(buf, 6, "%02u:%02u", (minute_of_day / 60u) % 24u, minute_of_day % 60u);
	return buf;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* The local clock reading at t, as seconds since local 1970-01-01 00:00. */
static int64_t local_reading(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return t;
	return t + tm.tm_gmtoff;
}

/*
 * The first instant at which the local clock reads `reading`; if it never
 * does (a gap), the first instant after the gap. Assumes at most one UTC
 * offset change within 36 hours of it, which every real zone satisfies.
 */
static int64_t first_instant_of_reading(int64_t reading)
{
	const int64_t span = 36 * 3600;
	int64_t probes[3] = { reading - span, reading, reading + span };
	int64_t candidates[3];
	int64_t best = SCHEDULE_NEVER, lo = INT64_MAX, hi = INT64_MIN;

	for (int i = 0; i < 3; i++) {
		int64_t offset = local_reading(probes[i]) - probes[i];

		candidates[i] = reading - offset;
		if (local_reading(candidates[i]) == reading && candidates[i] < best)
			best = candidates[i];
		if (candidates[i] < lo)
			lo = candidates[i];
		if (candidates[i] > hi)
			hi = candidates[i];
	}
	if (best != SCHEDULE_NEVER)
		return best;

	/* In a gap: readings below it before the change, above it after. */
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (local_reading(mid) >= reading)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int64_t schedule_next_local_time(int64_t after, uint16_t minute_of_day, bool inclusive)
{
	time_t tt = (time_t)after;
	struct tm tm;
	int64_t best = SCHEDULE_NEVER, today;

	if (!localtime_r(&tt, &tm))
		return SCHEDULE_NEVER;
	today = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);

	/* Yesterday's reading can fall after `after` when a fall-back repeats it. */
	for (int64_t day = today - 1; day <= today + 2; day++) {
		int64_t t = first_instant_of_reading(day * 86400 + (int64_t)minute_of_day * 60);

		if ((inclusive ? t >= after : t > after) && t < best)
			best = t;
	}
	return best;
}

int64_t schedule_next_preset(const uint16_t *presets, unsigned n_presets, int64_t after)
{
	int64_t best = SCHEDULE_NEVER;

	for (unsigned i = 0; i < n_presets; i++) {
		int64_t t = schedule_next_local_time(after, presets[i], false);

		if (t < best)
			best = t;
	}
	return best;
}

int preset_mode_from_string(const char *s, enum preset_mode *ret)
{
	if (strcmp(s, "replace") == 0 || strcmp(s, "") == 0)
		*ret = PRESET_REPLACE;
	else if (strcmp(s, "add") == 0)
		*ret = PRESET_ADD;
	else if (strcmp(s, "clear") == 0)
		*ret = PRESET_CLEAR;
	else
		return -EINVAL;
	return 0;
}

/* Insert into an ascending list of distinct times; returns the new count. */
static unsigned preset_insert(uint16_t *list, unsigned n, uint16_t t)
{
	unsigned i = 0;

	while (i < n && list[i] < t)
		i++;
	if (i < n && list[i] == t)
		return n;
	memmove(list + i + 1, list + i, (n - i) * sizeof(*list));
	list[i] = t;
	return n + 1;
}

static void schedule_from_presets(struct fill_schedule *s, int64_t after)
{
	s->next_fill = schedule_next_preset(s->preset, s->n_presets, after);
	s->undelayed_fill = s->next_fill;
	s->explicit_fill = false;
}

int schedule_init(struct fill_schedule *s, const uint16_t *presets, unsigned n_presets,
		  int64_t now, const char **why)
{
	*s = (struct fill_schedule){};
	return schedule_preset(s, PRESET_REPLACE, presets, n_presets, now, why);
}

int schedule_preset(struct fill_schedule *s, enum preset_mode mode, const uint16_t *times,
		    unsigned n_times, int64_t now, const char **why)
{
	uint16_t list[PRESETS_MAX * 2];
	unsigned n = 0;

	if (mode == PRESET_CLEAR && n_times > 0) {
		*why = "clear takes no times";
		return -EINVAL;
	}
	if (n_times > PRESETS_MAX) {
		*why = "more than 4 preset times";
		return -E2BIG;
	}
	if (mode == PRESET_ADD)
		for (unsigned i = 0; i < s->n_presets; i++)
			n = preset_insert(list, n, s->preset[i]);
	for (unsigned i = 0; i < n_times; i++) {
		if (times[i] >= MINUTES_PER_DAY) {
			*why = "a preset time is not a time of day";
			return -ERANGE;
		}
		n = preset_insert(list, n, times[i]);
	}
	if (n > PRESETS_MAX) {
		*why = "the result would have more than 4 preset times";
		return -E2BIG;
	}

	s->n_presets = n;
	memcpy(s->preset, list, n * sizeof(*list));
	schedule_from_presets(s, now);
	return 0;
}

int schedule_fill(struct fill_schedule *s, int minute_of_day, int64_t now, const char **why)
{
	int64_t t;

	if (minute_of_day >= (int)MINUTES_PER_DAY) {
		*why = "the fill time is not a time of day";
		return -ERANGE;
	}
	if (minute_of_day < 0) {
		t = now;
	} else {
		/* FILL 14:00 typed at 14:00:30 means now, not tomorrow. */
		t = schedule_next_local_time(now - 59, minute_of_day, true);
		if (t < now)
			t = now;
	}
	if (t == SCHEDULE_NEVER) {
		*why = "the fill time cannot be represented";
		return -ERANGE;
	}
	s->next_fill = t;
	s->undelayed_fill = t;
	s->explicit_fill = true;
	return 0;
}

int schedule_delay(struct fill_schedule *s, unsigned minutes, const char **why)
{
	if (minutes < 1 || minutes > DELAY_MINUTES_MAX) {
		*why = "the delay must be 1 to 1440 minutes";
		return -ERANGE;
	}
	if (s->next_fill == SCHEDULE_NEVER) {
		*why = "no fill is scheduled";
		return -ENOENT;
	}
	if (s->next_fill - s->undelayed_fill + (int64_t)minutes * 60 > (int64_t)DELAY_MINUTES_MAX * 60) {
		*why = "the total delay would exceed 1440 minutes";
		return -ERANGE;
	}
	s->next_fill += (int64_t)minutes * 60;
	return 0;
}

bool schedule_cancel(struct fill_schedule *s, int64_t now)
{
	int64_t after;

	if (!schedule_is_delayed(s) && !s->explicit_fill)
		return false;
	/* A delayed preset fill is dropped: the next is the first preset
	 * after it was due. An explicit fill gives back the presets it
	 * skipped: the next is the first preset from now on. */
	after = s->explicit_fill || now > s->undelayed_fill ? now : s->undelayed_fill;
	schedule_from_presets(s, after);
	return true;
}

void schedule_fill_started(struct fill_schedule *s, int64_t now)
{
	schedule_from_presets(s, now > s->next_fill ? now : s->next_fill);
}
