// SPDX-License-Identifier: GPL-2.0
/*
 * The autofill engine's commands: FILL now / at HH:MM, PRESET, DELAY,
 * AVOID/UNAVOID, CANCEL, CLEAR, their refusals (which change nothing),
 * fill records and the global state.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/engine-fake.h"
#include "tests/unit/engine-fixture.h"

#define NOW f->real_usec, f->mono_usec
#define ERR error, sizeof(error)

/* Everything a command could change, to prove a refusal changed nothing. */
struct snapshot {
	uint8_t detectors[FAKE_DETECTORS_MAX][DETECTOR_STATE_SIZE];
	uint8_t manifolds[FAKE_MANIFOLDS_MAX][MANIFOLD_STATE_SIZE];
	struct engine_global_view global;
	unsigned n_log, n_events;
};

static void take_snapshot(const struct fake_plant *f, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t d = 0; d < f->station->n_detectors; d++)
		engine_save_detector(f->engine, d, s->detectors[d]);
	for (uint32_t m = 0; m < f->station->n_manifolds; m++)
		engine_save_manifold(f->engine, m, s->manifolds[m]);
	engine_global_view(f->engine, &s->global);
	s->n_log = f->n_log;
	s->n_events = f->n_events;
}

static void assert_unchanged(const struct fake_plant *f, const struct snapshot *before)
{
	struct snapshot after;

	take_snapshot(f, &after);
	assert_memory_equal(before, &after, sizeof(after));
}

static int64_t next_fill(const struct fake_plant *f, uint32_t d)
{
	struct engine_detector_view v;

	engine_detector_view(f->engine, d, &v);
	return v.next_fill;
}

static void test_fill_now_and_at(void **state)
{
	struct fake_plant *f = *state;
	int64_t now_s = f->real_usec / 1000000;
	char error[256];

	assert_int_equal(next_fill(f, 0), SCHEDULE_NEVER);
	assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), 0);
	assert_int_equal(next_fill(f, 0), now_s);
	assert_int_equal(engine_fill(f->engine, "2,8", "08:30", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 1), now_s + 10 + 30 * 60);
	assert_int_equal(next_fill(f, 7), now_s + 10 + 30 * 60);
	assert_int_equal(engine_fill(f->engine, "3", "07:00", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 2), now_s + 10 + 23 * 3600);	/* tomorrow */

	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 1);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 1);
	assert_int_equal(next_fill(f, 0), SCHEDULE_NEVER);	/* no presets: done */
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_FULL), 0);
	while (f->real_usec / 1000000 < now_s + 10 + 30 * 60)
		fake_scan(f);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_FULL), 1);
	assert_int_equal(fake_count_results(f, 7, FILL_RESULT_FULL), 1);
	assert_int_equal(fake_count_results(f, 2, FILL_RESULT_FULL), 0);
}

static void test_fill_overrides_presets(void **state)
{
	struct fake_plant *f = *state;
	int64_t now_s = f->real_usec / 1000000;
	char error[256];

	/* FILL at 09:00 skips the 08:00 preset. */
	assert_int_equal(engine_fill(f->engine, "1", "09:00", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 0), now_s + 10 + 3600);
	fake_scans(f, 20);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 0);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_FULL), 1);
}

static void test_fill_refusals(void **state)
{
	struct fake_plant *f = *state;
	struct snapshot before;
	char error[256];

	take_snapshot(f, &before);
	assert_int_equal(engine_fill(f->engine, "99", NULL, NOW, ERR), -EINVAL);
	assert_non_null(strstr(error, "99"));
	assert_int_equal(engine_fill(f->engine, "1-3,x", NULL, NOW, ERR), -EINVAL);
	assert_int_equal(engine_fill(f->engine, "", NULL, NOW, ERR), -EINVAL);
	assert_int_equal(engine_fill(f->engine, "1", "8:30", NOW, ERR), -EINVAL);
	assert_non_null(strstr(error, "8:30"));
	assert_int_equal(engine_fill(f->engine, "1", "24:00", NOW, ERR), -EINVAL);
	assert_unchanged(f, &before);

	/* A detector that may not fill, alone, refuses the command. */
	assert_int_equal(engine_avoid(f->engine, "4", NOW, ERR), 0);
	take_snapshot(f, &before);
	assert_int_equal(engine_fill(f->engine, "4", NULL, NOW, ERR), -ECANCELED);
	assert_non_null(strstr(error, "detector 4"));
	assert_non_null(strstr(error, "avoided"));
	assert_unchanged(f, &before);

	/* So does a group none of whose detectors may fill. */
	assert_int_equal(engine_avoid(f->engine, "3", NOW, ERR), 0);
	take_snapshot(f, &before);
	assert_int_equal(engine_fill(f->engine, "3-4", "09:00", NOW, ERR), -ECANCELED);
	assert_non_null(strstr(error, "detector 3 may not fill: it is avoided"));
	assert_unchanged(f, &before);
	assert_int_equal(engine_unavoid(f->engine, "3", NOW, ERR), 0);

	/* Already filling: not again now (also not at the current minute). */
	assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), 0);
	fake_scans(f, 4);
	take_snapshot(f, &before);
	assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), -EALREADY);
	assert_non_null(strstr(error, "detector 1 is already filling"));
	assert_int_equal(engine_fill(f->engine, "1", "07:59", NOW, ERR), -EALREADY);
	assert_unchanged(f, &before);
}

/*
 * FILL <detector> HH:MM for a detector filling now is a fill at that later
 * time: accepted, and it happens after the running one.
 */
static void test_fill_later_while_filling(void **state)
{
	struct fake_plant *f = *state;
	int64_t now_s = f->real_usec / 1000000;
	char error[256];

	f->fill_ticks[0] = 20;
	assert_int_equal(engine_fill(f->engine, "1,7", NULL, NOW, ERR), 0);
	fake_scans(f, 4);
	assert_true(f->valve[0]);
	assert_true(f->valve[6]);
	assert_int_equal(engine_fill(f->engine, "1", "09:00", NOW, ERR), 0);
	assert_string_equal(error, "");
	assert_int_equal(next_fill(f, 0), now_s + 10 + 3600);
	/* The same for a group of filling detectors. */
	assert_int_equal(engine_fill(f->engine, "A", "10:00", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 0), now_s + 10 + 2 * 3600);
	assert_int_equal(next_fill(f, 5), now_s + 10 + 2 * 3600);
	/* The running fills go on and end full; the later one is kept. */
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 1);
	assert_int_equal(fake_count_results(f, 6, FILL_RESULT_FULL), 1);
	assert_int_equal(next_fill(f, 0), now_s + 10 + 2 * 3600);
	while (f->real_usec / 1000000 < now_s + 10 + 2 * 3600)
		fake_scan(f);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 2);
	assert_int_equal(fake_count_results(f, 5, FILL_RESULT_FULL), 1);
}

/*
 * FILL of a group skips what may not fill (avoided here) and fills the
 * rest: one avoided detector does not keep its manifold from filling.
 */
static void test_fill_group_skips(void **state)
{
	struct fake_plant *f = *state;
	int64_t now_s = f->real_usec / 1000000;
	struct engine_detector_view avoided_before, avoided_after;
	char error[256];

	assert_int_equal(engine_avoid(f->engine, "4", NOW, ERR), 0);
	engine_detector_view(f->engine, 3, &avoided_before);
	assert_int_equal(engine_fill(f->engine, "A", NULL, NOW, ERR), 0);
	assert_non_null(strstr(error, "1 of 6 detectors skipped; first: detector 4 may not fill"));
	engine_detector_view(f->engine, 3, &avoided_after);
	assert_memory_equal(&avoided_before, &avoided_after, sizeof(avoided_before));
	for (uint32_t d = 0; d < 6; d++)
		if (d != 3)
			assert_int_equal(next_fill(f, d), now_s);

	fake_scan_until_idle(f, 200);
	for (uint32_t d = 0; d < 6; d++)
		assert_int_equal(fake_count_results(f, d, FILL_RESULT_FULL), d == 3 ? 0 : 1);

	/* Nothing skipped: the note is empty. */
	assert_int_equal(engine_fill(f->engine, "1-3", NULL, NOW, ERR), 0);
	assert_string_equal(error, "");

	/* A group with a detector filling: the others are scheduled. */
	fake_scans(f, 2);
	assert_int_equal(engine_fill(f->engine, "1,5", NULL, NOW, ERR), 0);
	assert_non_null(strstr(error, "detector 1 is already filling"));
	assert_int_equal(next_fill(f, 4), f->real_usec / 1000000);
}

static void test_preset(void **state)
{
	struct fake_plant *f = *state;
	const char *four[] = { "06:00", "12:00", "18:00", "23:30" };
	const char *two[] = { "13:00", "07:15" };
	const char *five[] = { "01:00", "02:00", "03:00", "04:00", "05:00" };
	const char *bad[] = { "12:00", "12:60" };
	int64_t now_s = f->real_usec / 1000000;
	struct engine_detector_view v;
	struct snapshot before;
	char error[256];

	assert_int_equal(engine_preset(f->engine, "1", four, 4, "replace", NOW, ERR), 0);
	engine_detector_view(f->engine, 0, &v);
	assert_int_equal(v.n_presets, 4);
	assert_int_equal(v.preset[0], 6 * 60);
	assert_int_equal(v.preset[3], 23 * 60 + 30);
	assert_int_equal(v.next_fill, now_s + 10 + 4 * 3600);	/* 12:00 */

	assert_int_equal(engine_preset(f->engine, "2", two, 2, "", NOW, ERR), 0);	/* replace */
	engine_detector_view(f->engine, 1, &v);
	assert_int_equal(v.n_presets, 2);
	assert_int_equal(v.preset[0], 7 * 60 + 15);	/* sorted */
	assert_int_equal(v.next_fill, now_s + 10 + 5 * 3600);

	assert_int_equal(engine_preset(f->engine, "3", two, 2, "add", NOW, ERR), 0);
	engine_detector_view(f->engine, 2, &v);
	assert_int_equal(v.n_presets, 3);
	assert_int_equal(v.next_fill, now_s + 10);	/* 08:00 still first */

	assert_int_equal(engine_preset(f->engine, "4", NULL, 0, "clear", NOW, ERR), 0);
	engine_detector_view(f->engine, 3, &v);
	assert_int_equal(v.n_presets, 0);
	assert_int_equal(v.next_fill, SCHEDULE_NEVER);

	/* PRESET drops an earlier FILL time. */
	assert_int_equal(engine_fill(f->engine, "5", "10:00", NOW, ERR), 0);
	assert_int_equal(engine_preset(f->engine, "5", two, 2, "replace", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 4), now_s + 10 + 5 * 3600);

	take_snapshot(f, &before);
	assert_int_equal(engine_preset(f->engine, "6", five, 5, "replace", NOW, ERR), -EINVAL);
	assert_int_equal(engine_preset(f->engine, "6", bad, 2, "replace", NOW, ERR), -EINVAL);
	assert_non_null(strstr(error, "12:60"));
	assert_int_equal(engine_preset(f->engine, "6", two, 2, "merge", NOW, ERR), -EINVAL);
	assert_non_null(strstr(error, "merge"));
	assert_int_equal(engine_preset(f->engine, "6", two, 2, "clear", NOW, ERR), -EINVAL);
	/* 1 has four: adding two more to 1-6 fails for 1, so nothing changes for 2-6 either. */
	assert_int_equal(engine_preset(f->engine, "1-6", two, 2, "add", NOW, ERR), -EINVAL);
	assert_non_null(strstr(error, "detector 1"));
	assert_unchanged(f, &before);
}

static void test_delay_and_cancel(void **state)
{
	struct fake_plant *f = *state;
	int64_t now_s = f->real_usec / 1000000;
	struct snapshot before;
	char error[256];

	assert_int_equal(engine_delay(f->engine, "1", 15, NOW, ERR), 0);
	assert_int_equal(next_fill(f, 0), now_s + 10 + 15 * 60);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_DELAYED);
	assert_int_equal(engine_delay(f->engine, "1", 5, NOW, ERR), 0);
	assert_int_equal(next_fill(f, 0), now_s + 10 + 20 * 60);

	take_snapshot(f, &before);
	assert_int_equal(engine_delay(f->engine, "1", 0, NOW, ERR), -ERANGE);
	assert_int_equal(engine_delay(f->engine, "1", 1441, NOW, ERR), -ERANGE);
	assert_int_equal(engine_delay(f->engine, "1", 1430, NOW, ERR), -ERANGE);	/* total > a day */
	assert_int_equal(engine_delay(f->engine, "x", 5, NOW, ERR), -EINVAL);
	assert_unchanged(f, &before);

	/* The 08:00 fill of 1 is delayed; the others fill. */
	fake_scans(f, 10);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 0);
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_FULL), 1);

	/* CANCEL cancels the delayed fill: the next is tomorrow's preset. */
	assert_int_equal(engine_cancel(f->engine, "1", NOW, ERR), 0);
	assert_false(fake_status(f, 0) & DETECTOR_STATUS_DELAYED);
	assert_int_equal(next_fill(f, 0), now_s + 10 + 86400);
	fake_scans(f, 30 * 60);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 0);
}

/*
 * CANCEL drops an explicit FILL HH:MM (Autofill.Cancel, stationd(8)): the
 * preset it overrode is the next fill again, and the explicit time passes
 * without a fill. Also a FILL now that could not start yet.
 */
static void test_cancel_drops_explicit_fill(void **state)
{
	struct fake_plant *f = *state;
	int64_t now_s = f->real_usec / 1000000;
	char error[256];

	/* FILL 09:00 skips the 08:00 preset; CANCEL gives it back. */
	assert_int_equal(engine_fill(f->engine, "1-2", "09:00", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 0), now_s + 10 + 3600);
	assert_int_equal(engine_cancel(f->engine, "1", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 0), now_s + 10);
	assert_int_equal(next_fill(f, 1), now_s + 10 + 3600);	/* 2 keeps its FILL */
	fake_scans(f, 10);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_FULL), 1);
	assert_int_equal(fake_count_results(f, 1, FILL_RESULT_FULL), 0);
	/* After its 08:00 fill, 1's next is tomorrow's preset; 2's is 09:00.
	 * CANCEL of 2 at 08:30: its 09:00 passes without a fill. */
	assert_int_equal(next_fill(f, 0), now_s + 10 + 86400);
	while (f->real_usec / 1000000 < now_s + 10 + 1800)
		fake_scan(f);
	assert_int_equal(engine_cancel(f->engine, "2", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 1), now_s + 10 + 86400);
	fake_scans(f, 3600);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 11);

	/* A FILL now that cannot start (manifold B's sensor is dead) is
	 * dropped too: it does not start once the sensor is back. */
	f->manifold_sensor_dead[1] = true;
	fake_scan(f);
	assert_int_equal(engine_fill(f->engine, "7", NULL, NOW, ERR), -ECANCELED);
	f->manifold_sensor_dead[1] = false;
	fake_scan(f);
	assert_int_equal(engine_fill(f->engine, "7", "23:59", NOW, ERR), 0);
	assert_int_equal(engine_cancel(f->engine, "7", NOW, ERR), 0);
	assert_int_equal(next_fill(f, 6), now_s + 10 + 86400);
	fake_scans(f, 16 * 3600);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 11);
}

static void test_delay_nothing_scheduled(void **state)
{
	struct fake_plant *f = *state;
	struct snapshot before;
	char error[256];

	assert_int_equal(engine_fill(f->engine, "1", "09:00", NOW, ERR), 0);
	take_snapshot(f, &before);
	assert_int_equal(engine_delay(f->engine, "1-2", 10, NOW, ERR), -ENOENT);
	assert_non_null(strstr(error, "detector 2"));
	assert_unchanged(f, &before);
}

static void test_cancel_ongoing_keeps_errors(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->fill_ticks[0] = f->fill_ticks[1] = 1000;	/* never full: underfull at 60 s */
	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_UNDERFULL);
	assert_int_equal(engine_fill(f->engine, "1,2", NULL, NOW, ERR), 0);
	fake_scans(f, 2 + 5);
	assert_true(f->valve[0]);
	assert_true(f->valve[1]);

	fake_log_reset(f);
	assert_int_equal(engine_cancel(f->engine, "1", NOW, ERR), 0);
	assert_string_equal(fake_log_string(f), "close 1");
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_CANCELLED), 1);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_UNDERFULL);	/* errors kept */
	assert_int_equal(engine_cancel(f->engine, "2", NOW, ERR), 0);
	assert_string_equal(fake_log_string(f), "close 1, close 2, close A-in, inhibit off");
	assert_false(fake_any_valve_open(f));

	/* Cancel during the purge closes both manifold valves. */
	assert_int_equal(engine_fill(f->engine, "3", NULL, NOW, ERR), 0);
	fake_scan(f);
	assert_true(f->output[0]);
	fake_log_reset(f);
	assert_int_equal(engine_cancel(f->engine, "A", NOW, ERR), 0);
	assert_string_equal(fake_log_string(f), "close A-out, close A-in, inhibit off");
	assert_int_equal(fake_count_results(f, 2, FILL_RESULT_CANCELLED), 1);
}

static void test_avoid_unavoid(void **state)
{
	struct fake_plant *f = *state;
	char error[256];

	f->fill_ticks[0] = 50;
	fake_scans(f, 10 + 2 + 1);
	assert_true(f->valve[0]);
	assert_int_equal(engine_avoid(f->engine, "1", NOW, ERR), 0);
	assert_false(f->valve[0]);
	assert_int_equal(fake_count_results(f, 0, FILL_RESULT_CANCELLED), 1);
	assert_true(fake_status(f, 0) & DETECTOR_STATUS_AVOIDED);

	/* An avoided detector raises no alarm, and its preset passes by. */
	fake_scan_until_idle(f, 100);
	f->sensor_dead[0] = true;
	fake_scan(f);
	assert_int_equal(fake_count_events(f, EV_FAULT, ENGINE_FAULT_SENSOR), 1);
	assert_false(f->alarm);
	f->sensor_dead[0] = false;
	fake_scans(f, 86400);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_count_events(f, EV_STARTED, -1), 12 + 11);

	assert_int_equal(engine_unavoid(f->engine, "1", NOW, ERR), 0);
	assert_false(fake_status(f, 0) & DETECTOR_STATUS_AVOIDED);
	assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), 0);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fill_history_last(engine_fill_history(f->engine, 0))->result, FILL_RESULT_FULL);
}

static void test_clear(void **state)
{
	struct fake_plant *f = *state;
	struct engine_manifold_view mv;
	char error[256];

	f->supply_empty[1] = true;
	fake_scans(f, 10);
	fake_scan_until_idle(f, 200);
	assert_true(f->alarm);
	assert_true(fake_status(f, 6) & DETECTOR_STATUS_UNDERFULL);
	assert_int_equal(fake_status(f, 0), 0);

	/* CLEAR of some detectors clears them; their manifold keeps its
	 * error while a detector of it has one (10-12); the alarm sounds on
	 * for the errors left, as it would after a restart. */
	assert_int_equal(engine_clear(f->engine, "7-9", NOW, ERR), 0);
	assert_true(f->alarm);
	assert_int_equal(fake_status(f, 6), 0);
	assert_true(fake_status(f, 9) & DETECTOR_STATUS_UNDERFULL);
	engine_manifold_view(f->engine, 1, &mv);
	assert_int_equal(mv.status, MANIFOLD_STATUS_UNDERFULL);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);
	/* One at a time: the last one's CLEAR clears the manifold too. */
	assert_int_equal(engine_clear(f->engine, "10-11", NOW, ERR), 0);
	engine_manifold_view(f->engine, 1, &mv);
	assert_int_equal(mv.status, MANIFOLD_STATUS_UNDERFULL);
	engine_save_state(f->engine);
	assert_int_equal(fake_start_engine(f), 0);
	assert_true(f->alarm);
	assert_int_equal(engine_clear(f->engine, "12", NOW, ERR), 0);
	engine_manifold_view(f->engine, 1, &mv);
	assert_int_equal(mv.status, 0);
	assert_false(f->alarm);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);

	/* Again, and CLEAR of the manifold's detectors at once, after a restart. */
	fake_scans(f, 86400);
	fake_scan_until_idle(f, 200);
	assert_true(fake_status(f, 6) & DETECTOR_STATUS_UNDERFULL);
	engine_save_state(f->engine);
	assert_int_equal(fake_start_engine(f), 0);
	assert_true(f->alarm);
	assert_int_equal(engine_clear(f->engine, "B", NOW, ERR), 0);
	assert_false(f->alarm);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);

	/* An avoided detector's error does not keep it sounding. */
	fake_scans(f, 86400);
	assert_true(f->alarm);
	assert_int_equal(engine_avoid(f->engine, "B", NOW, ERR), 0);
	assert_int_equal(engine_clear(f->engine, "7", NOW, ERR), 0);
	assert_false(f->alarm);
}

static void test_fill_records(void **state)
{
	struct fake_plant *f = *state;
	const struct fill_history *h = engine_fill_history(f->engine, 0);
	char error[256];

	for (unsigned i = 0; i < FILL_HISTORY_MAX + 5; i++) {
		assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), 0);
		fake_scan_until_idle(f, 100);
		fake_scans(f, CLOSURE_DELAY_S);
	}
	assert_int_equal(h->count, FILL_HISTORY_MAX);
	/* The five oldest went: the first kept is the sixth fill. */
	int64_t first = fill_history_get(h, 0)->start_usec;
	int64_t step = fill_history_get(h, 1)->start_usec - first;

	assert_true(step > 0);
	assert_int_equal(fill_history_last(h)->start_usec, first + 99 * step);
	assert_int_equal(first, (FAKE_START_S + 1) * 1000000ll + 5 * step);
	for (unsigned i = 0; i < FILL_HISTORY_MAX; i++) {
		const struct fill_record *r = fill_history_get(h, i);

		assert_int_equal(r->result, FILL_RESULT_FULL);
		assert_int_equal(r->lowest_mv, COLD_MV);
		assert_int_equal(r->end_usec - r->start_usec, (int64_t)r->duration_usec);
	}
	assert_null(fill_history_get(h, FILL_HISTORY_MAX));
	assert_string_equal(fill_result_to_string(FILL_RESULT_INTERRUPTED), "interrupted");
}

static void test_global_state(void **state)
{
	struct fake_plant *f = *state;
	struct engine_global_view g;
	char error[256];

	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	fake_scans(f, 10);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILLING);
	fake_scans(f, 2);
	engine_global_view(f->engine, &g);
	assert_int_equal(g.filling_count, 12);
	fake_scan_until_idle(f, 100);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	f->manifold_sensor_dead[0] = true;
	fake_scan(f);
	assert_int_equal(fake_state(f), ENGINE_STATE_FILL_ERROR);
	f->manifold_sensor_dead[0] = false;
	fake_scan(f);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	f->key[0] = true;
	fake_scan(f);
	assert_int_equal(fake_state(f), ENGINE_STATE_MANUAL_FILL);
	f->key[0] = false;
	fake_scan(f);
	assert_int_equal(fake_state(f), ENGINE_STATE_OK);
	assert_string_equal(engine_state_to_string(ENGINE_STATE_FILL_ERROR), "fill-error");
	assert_string_equal(engine_state_to_string(ENGINE_STATE_MANUAL_FILL), "manual-fill");

	assert_int_equal(engine_shutdown(f->engine, NOW), 0);
	assert_int_equal(fake_state(f), ENGINE_STATE_CRASHED);
	assert_int_equal(engine_fill(f->engine, "1", NULL, NOW, ERR), -ESHUTDOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fill_now_and_at, engine_fixture_no_presets,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fill_overrides_presets, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fill_refusals, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fill_later_while_filling, engine_fixture_no_presets,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fill_group_skips, engine_fixture_no_presets,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_preset, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_delay_and_cancel, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_delay_nothing_scheduled, engine_fixture_no_presets,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_drops_explicit_fill, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cancel_ongoing_keeps_errors, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_avoid_unavoid, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_clear, engine_fixture_two_manifolds,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fill_records, engine_fixture_no_presets,
						engine_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_global_state, engine_fixture_two_manifolds,
						engine_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
