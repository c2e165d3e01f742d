// SPDX-License-Identifier: GPL-2.0
/*
 * Schedule arithmetic: HH:MM and two-digit parsing, next preset across
 * midnight, clock steps, daylight-saving transitions (Europe/Paris rules
 * given as a POSIX TZ string, so no tzdata is needed and the test is the
 * same on every machine), FILL, DELAY, CANCEL and PRESET modes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "daemon/autofill/schedule.h"

#define PARIS "CET-1CEST,M3.5.0,M10.5.0/3"
#define HOUR 3600
#define HM(h, m) ((uint16_t)((h) * 60 + (m)))

static void use_zone(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

static int64_t utc(int year, int month, int day, int hour, int minute)
{
	struct tm tm = {
		.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
		.tm_hour = hour, .tm_min = minute,
	};

	return timegm(&tm);
}

static void test_parse_clock_time(void **state)
{
	const char *why = NULL;
	uint16_t t;

	assert_int_equal(schedule_parse_clock_time("00:00", &t, &why), 0);
	assert_int_equal(t, 0);
	assert_int_equal(schedule_parse_clock_time("23:59", &t, &why), 0);
	assert_int_equal(t, 1439);
	assert_int_equal(schedule_parse_clock_time("06:05", &t, &why), 0);
	assert_int_equal(t, 365);

	t = 7;
	assert_int_equal(schedule_parse_clock_time("24:00", &t, &why), -ERANGE);
	assert_string_equal(why, "has hours beyond 23");
	assert_int_equal(schedule_parse_clock_time("12:60", &t, &why), -ERANGE);
	assert_string_equal(why, "has minutes beyond 59");
	static const char *const malformed[] = {
		"6:00", "12:5", "1200", "ab:cd", "", "12:00 ", " 12:00", "12-00", "+1:00",
	};
	for (size_t i = 0; i < sizeof(malformed) / sizeof(*malformed); i++) {
		assert_int_equal(schedule_parse_clock_time(malformed[i], &t, &why), -EINVAL);
		assert_string_equal(why, "is not a time of day HH:MM (two digits each)");
	}
	assert_int_equal(t, 7);	/* untouched on error */

	char buf[6];

	assert_string_equal(schedule_format_clock_time(HM(6, 5), buf), "06:05");
	assert_string_equal(schedule_format_clock_time(HM(23, 59), buf), "23:59");
}

static void test_parse_two_digits(void **state)
{
	const char *why = NULL;
	unsigned v;

	assert_int_equal(schedule_parse_two_digits("5", &v, &why), 0);
	assert_int_equal(v, 5);
	assert_int_equal(schedule_parse_two_digits("05", &v, &why), 0);
	assert_int_equal(v, 5);
	assert_int_equal(schedule_parse_two_digits("45", &v, &why), 0);
	assert_int_equal(v, 45);
	static const char *const bad[] = { "", "123", "a", "-1", "4a", " 4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(schedule_parse_two_digits(bad[i], &v, &why), -EINVAL);
		assert_string_equal(why, "is not a one- or two-digit number");
	}
}

static void test_next_preset_utc(void **state)
{
	const uint16_t presets[] = { HM(6, 0), HM(18, 0) };

	use_zone("UTC0");
	/* later today */
	assert_int_equal(schedule_next_preset(presets, 2, utc(2026, 1, 10, 5, 0)),
			 utc(2026, 1, 10, 6, 0));
	/* exactly at a preset: the next one (strictly after) */
	assert_int_equal(schedule_next_preset(presets, 2, utc(2026, 1, 10, 6, 0)),
			 utc(2026, 1, 10, 18, 0));
	/* across midnight, and across a month and a year end */
	assert_int_equal(schedule_next_preset(presets, 2, utc(2026, 1, 31, 18, 30)),
			 utc(2026, 2, 1, 6, 0));
	assert_int_equal(schedule_next_preset(presets, 2, utc(2026, 12, 31, 23, 59)),
			 utc(2027, 1, 1, 6, 0));
	/* a preset just after midnight */
	assert_int_equal(schedule_next_preset((const uint16_t[]){ HM(0, 15) }, 1,
					      utc(2026, 2, 28, 23, 30)),
			 utc(2026, 3, 1, 0, 15));
	/* no presets: never */
	assert_true(schedule_next_preset(presets, 0, utc(2026, 1, 10, 5, 0)) == SCHEDULE_NEVER);
}

/* Spring forward in Paris, 2026-03-29: at 01:00 UTC the clock goes from
 * 02:00 CET to 03:00 CEST; 02:00-02:59 local does not exist. */
static void test_dst_spring_forward(void **state)
{
	const uint16_t skipped[] = { HM(2, 30) };
	const uint16_t morning[] = { HM(6, 0) };
	int64_t t;

	use_zone(PARIS);
	/* a skipped preset fills at the first instant after the gap, 03:00 CEST */
	t = schedule_next_preset(skipped, 1, utc(2026, 3, 29, 0, 30));
	assert_int_equal(t, utc(2026, 3, 29, 1, 0));
	/* the day after, 02:30 CEST exists again */
	assert_int_equal(schedule_next_preset(skipped, 1, t), utc(2026, 3, 30, 0, 30));
	/* the day before, 02:30 CET */
	assert_int_equal(schedule_next_preset(skipped, 1, utc(2026, 3, 27, 23, 0)),
			 utc(2026, 3, 28, 1, 30));
	/* a 23-hour day: 06:00 CET on the 28th to 06:00 CEST on the 29th */
	t = schedule_next_preset(morning, 1, utc(2026, 3, 28, 0, 0));
	assert_int_equal(t, utc(2026, 3, 28, 5, 0));
	assert_int_equal(schedule_next_preset(morning, 1, t) - t, 23 * HOUR);
}

/* Fall back in Paris, 2026-10-25: at 01:00 UTC the clock goes from 03:00
 * CEST back to 02:00 CET; 02:00-02:59 local happens twice. */
static void test_dst_fall_back(void **state)
{
	const uint16_t repeated[] = { HM(2, 30) };
	const uint16_t morning[] = { HM(6, 0) };
	int64_t t;

	use_zone(PARIS);
	/* the first occurrence, 02:30 CEST = 00:30 UTC */
	t = schedule_next_preset(repeated, 1, utc(2026, 10, 25, 0, 0));
	assert_int_equal(t, utc(2026, 10, 25, 0, 30));
	/* after it, the repeat at 01:30 UTC does not fill again: next day */
	assert_int_equal(schedule_next_preset(repeated, 1, t), utc(2026, 10, 26, 1, 30));
	assert_int_equal(schedule_next_preset(repeated, 1, utc(2026, 10, 25, 1, 15)),
			 utc(2026, 10, 26, 1, 30));
	/* a 25-hour day */
	t = schedule_next_preset(morning, 1, utc(2026, 10, 24, 0, 0));
	assert_int_equal(t, utc(2026, 10, 24, 4, 0));
	assert_int_equal(schedule_next_preset(morning, 1, t) - t, 25 * HOUR);
}

/* FILL HH:MM on the spring-forward day follows the same rule. */
static void test_fill_in_dst_gap(void **state)
{
	struct fill_schedule s;
	const char *why;

	use_zone(PARIS);
	assert_int_equal(schedule_init(&s, NULL, 0, utc(2026, 3, 28, 23, 0), &why), 0);
	assert_int_equal(schedule_fill(&s, HM(2, 15), utc(2026, 3, 28, 23, 0), &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 3, 29, 1, 0));
}

static void test_clock_step_backwards_never_refills(void **state)
{
	const uint16_t presets[] = { HM(6, 0), HM(18, 0) };
	struct fill_schedule s;
	const char *why;
	int64_t now = utc(2026, 5, 4, 5, 59);

	use_zone("UTC0");
	assert_int_equal(schedule_init(&s, presets, 2, now, &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 6, 0));
	now = utc(2026, 5, 4, 6, 0) + 2;
	assert_true(schedule_is_due(&s, now));
	schedule_fill_started(&s, now);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 18, 0));
	/* the clock steps back two hours: 06:00 comes round again, no fill */
	now = utc(2026, 5, 4, 4, 30);
	assert_false(schedule_is_due(&s, now));
	assert_false(schedule_is_due(&s, utc(2026, 5, 4, 6, 0)));
	assert_true(schedule_is_due(&s, utc(2026, 5, 4, 18, 0)));
}

static void test_clock_step_forwards_fills_once(void **state)
{
	const uint16_t presets[] = { HM(6, 0), HM(12, 0), HM(18, 0) };
	struct fill_schedule s;
	const char *why;
	int64_t now = utc(2026, 5, 4, 5, 0);

	use_zone("UTC0");
	assert_int_equal(schedule_init(&s, presets, 3, now, &why), 0);
	/* the clock jumps from 05:00 to 19:00 over three presets */
	now = utc(2026, 5, 4, 19, 0);
	assert_true(schedule_is_due(&s, now));
	schedule_fill_started(&s, now);
	/* one catch-up fill; 12:00 and 18:00 are not replayed */
	assert_int_equal(s.next_fill, utc(2026, 5, 5, 6, 0));
	assert_false(schedule_is_due(&s, now + 60));
}

static void test_preset_modes(void **state)
{
	struct fill_schedule s;
	const char *why;
	int64_t now = utc(2026, 5, 4, 10, 0);

	use_zone("UTC0");
	assert_int_equal(schedule_init(&s, (const uint16_t[]){ HM(18, 0), HM(6, 0) }, 2, now,
				       &why), 0);
	assert_int_equal(s.n_presets, 2);
	assert_int_equal(s.preset[0], HM(6, 0));	/* kept sorted */
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 18, 0));

	/* add merges (a time already there is not doubled) */
	assert_int_equal(schedule_preset(&s, PRESET_ADD, (const uint16_t[]){ HM(12, 0), HM(6, 0) },
					 2, now, &why), 0);
	assert_int_equal(s.n_presets, 3);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 12, 0));

	/* more than four in all: refused, nothing changes */
	struct fill_schedule before = s;

	assert_int_equal(schedule_preset(&s, PRESET_ADD, (const uint16_t[]){ HM(1, 0), HM(2, 0) },
					 2, now, &why), -E2BIG);
	assert_string_equal(why, "the result would have more than 4 preset times");
	assert_memory_equal(&s, &before, sizeof(s));
	assert_int_equal(schedule_preset(&s, PRESET_REPLACE,
					 (const uint16_t[]){ 1, 2, 3, 4, 5 }, 5, now, &why), -E2BIG);
	assert_int_equal(schedule_preset(&s, PRESET_REPLACE, (const uint16_t[]){ 1440 }, 1, now,
					 &why), -ERANGE);
	assert_int_equal(schedule_preset(&s, PRESET_CLEAR, (const uint16_t[]){ 60 }, 1, now, &why),
			 -EINVAL);
	assert_memory_equal(&s, &before, sizeof(s));

	/* replace drops a FILL time and a DELAY */
	assert_int_equal(schedule_fill(&s, HM(11, 0), now, &why), 0);
	assert_int_equal(schedule_delay(&s, 30, &why), 0);
	assert_int_equal(schedule_preset(&s, PRESET_REPLACE, (const uint16_t[]){ HM(20, 0) }, 1, now,
					 &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 20, 0));
	assert_false(s.explicit_fill);
	assert_false(schedule_is_delayed(&s));

	/* clear: no more fills */
	assert_int_equal(schedule_preset(&s, PRESET_CLEAR, NULL, 0, now, &why), 0);
	assert_int_equal(s.n_presets, 0);
	assert_true(s.next_fill == SCHEDULE_NEVER);

	enum preset_mode mode;

	assert_int_equal(preset_mode_from_string("add", &mode), 0);
	assert_int_equal(mode, PRESET_ADD);
	assert_int_equal(preset_mode_from_string("", &mode), 0);
	assert_int_equal(mode, PRESET_REPLACE);
	assert_int_equal(preset_mode_from_string("append", &mode), -EINVAL);
}

static void test_fill(void **state)
{
	struct fill_schedule s;
	const char *why;
	int64_t now = utc(2026, 5, 4, 5, 0);

	use_zone("UTC0");
	assert_int_equal(schedule_init(&s, (const uint16_t[]){ HM(6, 0), HM(18, 0) }, 2, now,
				       &why), 0);
	/* FILL 08:00 today: the 06:00 preset before it is skipped */
	assert_int_equal(schedule_fill(&s, HM(8, 0), now, &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 8, 0));
	assert_true(s.explicit_fill);
	assert_false(schedule_is_due(&s, utc(2026, 5, 4, 6, 0)));
	schedule_fill_started(&s, utc(2026, 5, 4, 8, 0));
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 18, 0));
	assert_false(s.explicit_fill);

	/* a time already past today means tomorrow; the current minute is now */
	assert_int_equal(schedule_fill(&s, HM(4, 0), now, &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 5, 5, 4, 0));
	assert_int_equal(schedule_fill(&s, HM(5, 0), now, &why), 0);
	assert_int_equal(s.next_fill, now);
	assert_int_equal(schedule_fill(&s, HM(5, 0), now + 59, &why), 0);
	assert_int_equal(s.next_fill, now + 59);
	assert_int_equal(schedule_fill(&s, HM(5, 0), now + 60, &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 5, 5, 5, 0));

	/* FILL without a time: due now */
	assert_int_equal(schedule_fill(&s, -1, now + 17, &why), 0);
	assert_int_equal(s.next_fill, now + 17);
	assert_true(schedule_is_due(&s, now + 17));
	assert_int_equal(schedule_fill(&s, 1440, now, &why), -ERANGE);
}

static void test_delay_and_cancel(void **state)
{
	struct fill_schedule s;
	const char *why;
	int64_t now = utc(2026, 5, 4, 5, 0);

	use_zone("UTC0");
	assert_int_equal(schedule_init(&s, (const uint16_t[]){ HM(6, 0), HM(18, 0) }, 2, now,
				       &why), 0);
	assert_int_equal(schedule_delay(&s, 0, &why), -ERANGE);
	assert_int_equal(schedule_delay(&s, 1441, &why), -ERANGE);
	assert_string_equal(why, "the delay must be 1 to 1440 minutes");
	assert_int_equal(schedule_delay(&s, 45, &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 6, 45));
	assert_true(schedule_is_delayed(&s));
	assert_int_equal(schedule_delay(&s, 15, &why), 0);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 7, 0));
	/* the delays add up to at most a day */
	assert_int_equal(schedule_delay(&s, 1400, &why), -ERANGE);
	assert_string_equal(why, "the total delay would exceed 1440 minutes");
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 7, 0));

	/* CANCEL drops the delayed 06:00 fill: next is 18:00 */
	assert_true(schedule_cancel(&s, utc(2026, 5, 4, 6, 30)));
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 18, 0));
	assert_false(schedule_is_delayed(&s));
	/* nothing delayed: nothing to cancel */
	assert_false(schedule_cancel(&s, utc(2026, 5, 4, 6, 30)));
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 18, 0));

	/* CANCEL drops an explicit FILL time: the 06:00 preset it skipped is back */
	assert_int_equal(schedule_fill(&s, HM(8, 0), now, &why), 0);
	assert_true(schedule_cancel(&s, now));
	assert_false(s.explicit_fill);
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 6, 0));
	/* ... and a delayed one; a FILL now (not started yet) too */
	assert_int_equal(schedule_fill(&s, HM(20, 0), now, &why), 0);
	assert_int_equal(schedule_delay(&s, 30, &why), 0);
	assert_true(schedule_cancel(&s, now + 1800));
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 6, 0));
	assert_false(schedule_is_delayed(&s));
	assert_int_equal(schedule_fill(&s, -1, now, &why), 0);
	assert_true(schedule_cancel(&s, now));
	assert_int_equal(s.next_fill, utc(2026, 5, 4, 6, 0));

	/* nothing scheduled: nothing to delay */
	assert_int_equal(schedule_init(&s, NULL, 0, now, &why), 0);
	assert_int_equal(schedule_delay(&s, 10, &why), -ENOENT);
	assert_string_equal(why, "no fill is scheduled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_clock_time),
		cmocka_unit_test(test_parse_two_digits),
		cmocka_unit_test(test_next_preset_utc),
		cmocka_unit_test(test_dst_spring_forward),
		cmocka_unit_test(test_dst_fall_back),
		cmocka_unit_test(test_fill_in_dst_gap),
		cmocka_unit_test(test_clock_step_backwards_never_refills),
		cmocka_unit_test(test_clock_step_forwards_fills_once),
		cmocka_unit_test(test_preset_modes),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_delay_and_cancel),
	};

	return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
