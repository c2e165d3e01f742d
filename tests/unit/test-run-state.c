// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's persistence glue on the real engine and the example
 * station (72 detectors, compiled from text by the real compiler), over a
 * small fake plant: a command's change reaches the primary only through
 * run_state_commit() and touches only the changed records; scans that
 * change nothing dirty nothing; a "kill -9" mid-fill (no shut-down) comes
 * back as an interrupted fill, rescheduled, logged once; the fill history
 * survives restarts; a corrupt primary falls back to the secondary, both
 * corrupt to the compiled database; a configuration that does not compile
 * changes nothing in the state directory; a changed configuration keeps
 * the run state of every detector that is still configured.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/autofill/engine.h"
#include "daemon/config/database.h"
#include "daemon/persist/fill-log.h"
#include "daemon/persist/run-state.h"
#include "daemon/shared/macro.h"
#include "tests/unit/scratch-files.h"

#define EXAMPLE "daemon/examples/station.conf"
#define WARM_MV 2000
#define COLD_MV 500
/* Monday 2026-01-05 10:00:00 UTC: no example preset (06:00, 18:00) near. */
#define START_USEC 1767607200000000ll
#define SCAN_USEC 100000ll

/* The plant: manifold sensors read cold once `manifold_cold` (the purge
 * reached the output), the sensors of detectors whose valve is open once
 * `detectors_cold` (a closed detector's exhaust cold would be an overfull). */
struct plant {
	const struct station *station;
	bool manifold_cold, detectors_cold;
	int32_t detectors_mv;		/* when not 0 and not cold: what they read */
	bool cold[128];			/* this detector (index) reads cold */
	unsigned valves_open;
	bool detector_valve_open[8];
};

struct daemon_like {
	char dir[64];
	char state_dir[96];
	char config[96];
	struct plant plant;
	struct run_state *rs;
	struct station *station;
	struct engine *engine;
	int64_t real_usec, mono_usec;
	unsigned fills_ended;
	enum fill_result last_result;
	bool carried_over;		/* the last start carried run state over */
};

static bool same_channel(const struct channel_ref *a, const struct channel_ref *b)
{
	return a->crate == b->crate && a->card == b->card && a->kind == b->kind && a->index == b->index;
}

static int read_sensor(void *userdata, const struct channel_ref *sensor, int32_t *ret)
{
	struct plant *p = userdata;

	*ret = p->detectors_mv ? p->detectors_mv : WARM_MV;
	for (size_t d = 0; d < p->station->n_detectors && d < ELEMENTSOF(p->cold); d++)
		if (same_channel(sensor, &p->station->detectors[d].sensor) &&
		    (p->cold[d] || (p->detectors_cold && d < ELEMENTSOF(p->detector_valve_open) &&
				    p->detector_valve_open[d])))
			*ret = COLD_MV;
	for (size_t m = 0; m < p->station->n_manifolds; m++)
		if (same_channel(sensor, &p->station->manifolds[m].sensor))
			*ret = p->manifold_cold ? COLD_MV : WARM_MV;
	return 0;
}

static int set_valve(void *userdata, const struct channel_ref *valve, bool open)
{
	struct plant *p = userdata;

	for (size_t d = 0; d < p->station->n_detectors && d < ELEMENTSOF(p->detector_valve_open); d++)
		if (same_channel(valve, &p->station->detectors[d].valve))
			p->detector_valve_open[d] = open;
	return 0;
}

static int read_input(void *userdata, const struct channel_ref *input, bool *ret)
{
	*ret = false;
	return 0;
}

static int set_output(void *userdata, const struct channel_ref *output, bool asserted)
{
	return 0;
}

static const struct engine_hw plant_hw = {
	.read_sensor_mv = read_sensor,
	.set_valve = set_valve,
	.read_input = read_input,
	.set_output = set_output,
};

/* What stationd's observer does for persistence. */
static void on_fill_ended(void *userdata, uint32_t detector, const struct fill_record *record)
{
	struct daemon_like *d = userdata;

	d->fills_ended++;
	d->last_result = record->result;
	assert_int_equal(run_state_fill_ended(d->rs, detector, record), 0);
}

static void on_property_changed(void *userdata, enum engine_object object, uint32_t index)
{
	struct daemon_like *d = userdata;

	run_state_object_changed(d->rs, object, index);
}

static const struct engine_observer observer = {
	.fill_ended = on_fill_ended,
	.property_changed = on_property_changed,
};

/* Start the "daemon": load, engine, attach; returns what was used. */
static enum backup_source start(struct daemon_like *d)
{
	struct backup_report report;
	char error[256];

	d->fills_ended = 0;
	assert_int_equal(run_state_new(d->state_dir, &d->rs), 0);
	assert_int_equal(run_state_load(d->rs, d->config, &d->station, &report), 0);
	d->carried_over = report.carried_over;
	backup_report_done(&report);
	d->plant.station = d->station;
	assert_int_equal(engine_new(d->station, &plant_hw, &d->plant, &observer, d,
				    d->real_usec, d->mono_usec, &d->engine, error, sizeof(error)), 0);
	run_state_attach(d->rs, d->engine);
	assert_int_equal(run_state_commit(d->rs), 0);
	return report.used;
}

/* kill -9: nothing more is written. */
static void kill_daemon(struct daemon_like *d)
{
	d->engine = engine_free(d->engine);
	d->rs = run_state_free(d->rs);
	d->station = station_free(d->station);
}

static void scan(struct daemon_like *d, unsigned n)
{
	while (n--) {
		d->real_usec += SCAN_USEC;
		d->mono_usec += SCAN_USEC;
		engine_scan(d->engine, d->real_usec, d->mono_usec);
		/* stationd commits at the end of a scan that changed something. */
		if (run_state_pending(d->rs))
			assert_int_equal(run_state_commit(d->rs), 0);
	}
}

static uint32_t index_of(const struct station *s, uint32_t number)
{
	for (uint32_t i = 0; i < s->n_detectors; i++)
		if (s->detectors[i].number == number)
			return i;
	fail();
	return 0;
}

static int setup(void **state)
{
	struct daemon_like *d = calloc(1, sizeof(*d));
	char cwd[256];

	if (!d || !getcwd(cwd, sizeof(cwd)))
		return -1;
	setenv("TZ", "UTC", 1);
	if (scratch_dir_make(d->dir, sizeof(d->dir), "test-run-state") < 0)
		return -1;
	snprintf(d->state_dir, sizeof(d->state_dir), "%s/state", d->dir);
	if (mkdir(d->state_dir, 0755) < 0)
		return -1;
	if (snprintf(d->config, sizeof(d->config), "%s/" EXAMPLE, cwd) >= (int)sizeof(d->config))
		return -1;
	d->real_usec = START_USEC;
	d->mono_usec = 1000000000;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct daemon_like *d = *state;

	kill_daemon(d);
	if (scratch_dir_remove(d->dir) < 0)
		return -1;
	free(d);
	return 0;
}

static char *path_in(const struct daemon_like *d, const char *name)
{
	static char path[160];

	snprintf(path, sizeof(path), "%s/%s", d->state_dir, name);
	return path;
}

static void flip_byte(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x01;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	close(fd);
}

static void test_first_start_compiles_text_into_state_dir(void **state)
{
	struct daemon_like *d = *state;
	struct station *compiled = NULL;
	struct database_error err = {};

	assert_int_equal(start(d), BACKUP_SOURCE_COMPILED);
	assert_string_equal(run_state_compiled_path(d->rs), path_in(d, RUN_STATE_COMPILED_NAME));
	assert_int_equal(database_read_file(path_in(d, RUN_STATE_COMPILED_NAME), &compiled, &err), 0);
	assert_int_equal(compiled->n_detectors, 72);
	station_free(compiled);
	assert_int_equal(access(path_in(d, BACKUP_PRIMARY_NAME), R_OK), 0);
	assert_int_equal(access(path_in(d, FILL_LOG_NAME), R_OK), 0);
	kill_daemon(d);
	/* The second start finds its primary. */
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
}

static void test_preset_reaches_primary_only_on_commit_and_only_its_record(void **state)
{
	struct daemon_like *d = *state;
	const char *times[] = { "13:37" };
	struct station *saved = NULL;
	struct database_error err = {};
	struct database_layout layout;
	uint8_t *before, *after;
	size_t size_before, size_after;
	uint64_t offset;
	uint32_t seven;
	char error[256];

	start(d);
	seven = index_of(d->station, 7);
	before = slurp_file(path_in(d, BACKUP_PRIMARY_NAME), &size_before);
	assert_false(run_state_pending(d->rs));
	assert_int_equal(engine_preset(d->engine, "7", times, 1, "replace", d->real_usec,
				       d->mono_usec, error, sizeof(error)), 0);
	assert_true(run_state_pending(d->rs));
	/* Not yet on the disk. */
	after = slurp_file(path_in(d, BACKUP_PRIMARY_NAME), &size_after);
	assert_memory_equal(before, after, size_before);
	free(after);

	assert_int_equal(run_state_commit(d->rs), 0);
	assert_false(run_state_pending(d->rs));
	after = slurp_file(path_in(d, BACKUP_PRIMARY_NAME), &size_after);
	assert_int_equal(size_before, size_after);
	database_layout_of(d->station, &layout);
	assert_int_equal(database_record_offset(&layout, DATABASE_RECORD_DETECTOR, seven, &offset), 0);
	/* Every byte outside detector 7's record is as it was. */
	assert_memory_equal(before, after, offset);
	assert_memory_not_equal(before + offset, after + offset, DATABASE_DETECTOR_RECORD_SIZE);
	assert_memory_equal(before + offset + DATABASE_DETECTOR_RECORD_SIZE,
			    after + offset + DATABASE_DETECTOR_RECORD_SIZE,
			    size_before - offset - DATABASE_DETECTOR_RECORD_SIZE);
	free(before);
	free(after);

	assert_int_equal(database_read_file(path_in(d, BACKUP_PRIMARY_NAME), &saved, &err), 0);
	assert_int_equal(saved->detectors[seven].n_presets, 1);
	assert_int_equal(saved->detectors[seven].preset[0], 13 * 60 + 37);
	saved = station_free(saved);

	/* kill -9 right after the acknowledgement: the preset is back. */
	kill_daemon(d);
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
	{
		struct engine_detector_view v;

		engine_detector_view(d->engine, seven, &v);
		assert_int_equal(v.n_presets, 1);
		assert_int_equal(v.preset[0], 13 * 60 + 37);
	}
}

static void test_quiet_scans_dirty_nothing(void **state)
{
	struct daemon_like *d = *state;

	start(d);
	for (int i = 0; i < 50; i++) {
		d->real_usec += SCAN_USEC;
		d->mono_usec += SCAN_USEC;
		engine_scan(d->engine, d->real_usec, d->mono_usec);
		assert_false(run_state_pending(d->rs));
	}
}

/*
 * While a fill runs, its lowest exhaust reading falls at every scan: that
 * alone is no reason to flush the primary (it was an fdatasync per scan).
 * It reaches the disk with the next snapshot (every backup interval) or
 * with the fill's end; a kill -9 in between records the interrupted fill
 * with the lowest reading of the last snapshot.
 */
static void test_falling_lowest_reading_waits_for_the_snapshot(void **state)
{
	struct daemon_like *d = *state;
	struct station *saved = NULL;
	struct database_error err = {};
	const struct fill_history *h;
	uint32_t seven;
	char error[256];
	int32_t lowest;

	start(d);
	seven = index_of(d->station, 7);
	assert_int_equal(engine_fill(d->engine, "7", NULL, d->real_usec, d->mono_usec,
				     error, sizeof(error)), 0);
	assert_int_equal(run_state_commit(d->rs), 0);
	d->plant.detectors_mv = 1900;
	scan(d, 5);
	d->plant.manifold_cold = true;	/* the purge reaches the output: 7 fills */
	scan(d, 2);
	assert_false(run_state_pending(d->rs));
	for (int i = 0; i < 20; i++) {
		d->plant.detectors_mv -= 10;	/* cooling, still above the reference */
		d->real_usec += SCAN_USEC;
		d->mono_usec += SCAN_USEC;
		engine_scan(d->engine, d->real_usec, d->mono_usec);
		assert_false(run_state_pending(d->rs));
	}
	/* The snapshot writes the lowest so far into the primary too. */
	assert_int_equal(run_state_snapshot(d->rs), 0);
	assert_int_equal(database_read_file(path_in(d, BACKUP_PRIMARY_NAME), &saved, &err), 0);
	memcpy(&lowest, saved->detectors[seven].state + ENGINE_DETECTOR_STATE_LOWEST_OFFSET,
	       sizeof(lowest));
	assert_int_equal(le32toh((uint32_t)lowest), 1700);
	saved = station_free(saved);

	d->plant.detectors_mv = 1650;
	scan(d, 3);
	assert_false(run_state_pending(d->rs));
	kill_daemon(d);
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
	h = engine_fill_history(d->engine, seven);
	assert_int_equal(fill_history_last(h)->result, FILL_RESULT_INTERRUPTED);
	assert_int_equal(fill_history_last(h)->lowest_mv, 1700);
}

static void test_kill_mid_fill_is_an_interrupted_fill_rescheduled(void **state)
{
	struct daemon_like *d = *state;
	const struct fill_history *h;
	struct engine_detector_view v;
	uint32_t seven;
	char error[256];

	start(d);
	seven = index_of(d->station, 7);
	assert_int_equal(engine_fill(d->engine, "7", NULL, d->real_usec, d->mono_usec,
				     error, sizeof(error)), 0);
	assert_int_equal(run_state_commit(d->rs), 0);
	scan(d, 5);
	d->plant.manifold_cold = true;	/* the purge reaches the output */
	scan(d, 20);
	engine_detector_view(d->engine, seven, &v);
	assert_true(v.status & DETECTOR_STATUS_FILLING);
	assert_true(v.valve_open);
	kill_daemon(d);

	d->real_usec += 5 * 1000000;	/* restarted 5 s later */
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
	assert_int_equal(d->fills_ended, 1);
	assert_int_equal(d->last_result, FILL_RESULT_INTERRUPTED);
	h = engine_fill_history(d->engine, seven);
	assert_int_equal(h->count, 1);
	assert_int_equal(fill_history_last(h)->result, FILL_RESULT_INTERRUPTED);
	engine_detector_view(d->engine, seven, &v);
	assert_false(v.valve_open);
	/* Rescheduled: due now. */
	assert_true(v.next_fill != SCHEDULE_NEVER);
	assert_true(v.next_fill <= d->real_usec / 1000000);

	/* A clean restart before it ran: the interrupted record is loaded
	 * from the fill log once, not recorded again. */
	kill_daemon(d);
	start(d);
	h = engine_fill_history(d->engine, seven);
	assert_int_equal(h->count, 1);
	assert_int_equal(fill_history_last(h)->result, FILL_RESULT_INTERRUPTED);
}

static void test_fill_history_survives_restarts(void **state)
{
	struct daemon_like *d = *state;
	const struct fill_history *h;
	uint32_t one;
	char error[256];

	start(d);
	one = index_of(d->station, 1);
	for (int fill = 0; fill < 3; fill++) {
		d->plant.manifold_cold = d->plant.detectors_cold = false;
		if (engine_fill(d->engine, "1", NULL, d->real_usec, d->mono_usec,
				error, sizeof(error)) < 0)
			fail_msg("fill %d: %s", fill, error);
		scan(d, 5);
		d->plant.manifold_cold = true;
		scan(d, 30);
		d->plant.detectors_cold = true;
		scan(d, 30);
		assert_int_equal(engine_fill_history(d->engine, one)->count, (unsigned)fill + 1);
		assert_int_equal(fill_history_last(engine_fill_history(d->engine, one))->result,
				 FILL_RESULT_FULL);
		/* Warm again, as after a real fill; the closure delays pass. */
		d->plant.manifold_cold = d->plant.detectors_cold = false;
		scan(d, 1200);
	}
	kill_daemon(d);
	start(d);
	h = engine_fill_history(d->engine, one);
	assert_int_equal(h->count, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(fill_history_get(h, i)->result, FILL_RESULT_FULL);
		if (i)
			assert_true(fill_history_get(h, i)->start_usec >
				    fill_history_get(h, i - 1)->start_usec);
	}

	/* A fourth fill killed: the restart's interrupted record comes after
	 * the three loaded from the log, not before. */
	if (engine_fill(d->engine, "1", NULL, d->real_usec, d->mono_usec, error, sizeof(error)) < 0)
		fail_msg("fill 4: %s", error);
	scan(d, 5);
	d->plant.manifold_cold = true;
	scan(d, 30);
	kill_daemon(d);
	d->plant.manifold_cold = false;
	start(d);
	h = engine_fill_history(d->engine, one);
	assert_int_equal(h->count, 4);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(fill_history_get(h, i)->result, FILL_RESULT_FULL);
	assert_int_equal(fill_history_last(h)->result, FILL_RESULT_INTERRUPTED);
}

static void test_oversized_fill_log_is_compacted(void **state)
{
	struct daemon_like *d = *state;
	struct fill_log *log = NULL;
	struct fill_log_scan scan;
	const struct fill_history *h;
	struct stat st;
	char why[128];
	unsigned n = 2 * 72 * FILL_HISTORY_MAX + 1;

	/* More fills of detector 1 than the slack allows, written before
	 * the start; the last one marked so it can be found. */
	assert_int_equal(fill_log_new(d->state_dir, &log), 0);
	assert_int_equal(fill_log_load(log, NULL, NULL, &scan, why, sizeof(why)), 0);
	for (unsigned i = 0; i < n; i++) {
		struct fill_log_entry e = {
			.detector = 1,
			.record = {
				.start_usec = START_USEC - (int64_t)(n - i) * 3600000000ll,
				.end_usec = START_USEC - (int64_t)(n - i) * 3600000000ll + 1000000,
				.duration_usec = 1000000,
				.result = i + 1 == n ? FILL_RESULT_UNDERFULL : FILL_RESULT_FULL,
				.lowest_mv = 400,
			},
		};

		assert_int_equal(fill_log_append(log, &e), 0);
	}
	assert_int_equal(fill_log_sync(log), 0);
	fill_log_free(log);

	start(d);
	/* A commit (a command's reply, a scan's changes) does not compact:
	 * that is the snapshot's work, off their path. */
	assert_int_equal(stat(path_in(d, FILL_LOG_NAME), &st), 0);
	assert_int_equal(st.st_size, FILL_LOG_HEADER_SIZE + (off_t)n * FILL_LOG_RECORD_SIZE);
	assert_int_equal(run_state_commit(d->rs), 0);
	assert_int_equal(stat(path_in(d, FILL_LOG_NAME), &st), 0);
	assert_int_equal(st.st_size, FILL_LOG_HEADER_SIZE + (off_t)n * FILL_LOG_RECORD_SIZE);
	assert_int_equal(run_state_snapshot(d->rs), 0);	/* compacted to what the engine keeps */
	h = engine_fill_history(d->engine, index_of(d->station, 1));
	assert_int_equal(h->count, FILL_HISTORY_MAX);
	assert_int_equal(fill_history_last(h)->result, FILL_RESULT_UNDERFULL);
	assert_int_equal(stat(path_in(d, FILL_LOG_NAME), &st), 0);
	assert_int_equal(st.st_size, FILL_LOG_HEADER_SIZE + FILL_HISTORY_MAX * FILL_LOG_RECORD_SIZE);

	/* And reads back the same after another restart. */
	kill_daemon(d);
	start(d);
	h = engine_fill_history(d->engine, index_of(d->station, 1));
	assert_int_equal(h->count, FILL_HISTORY_MAX);
	assert_int_equal(fill_history_last(h)->result, FILL_RESULT_UNDERFULL);
}

static void test_corrupt_primary_uses_secondary_then_compiled(void **state)
{
	struct daemon_like *d = *state;
	const char *snap[] = { "11:11" }, *later[] = { "22:22" };
	struct database_layout layout;
	struct engine_detector_view v;
	uint64_t offset;
	uint32_t seven;
	char error[256];

	start(d);
	seven = index_of(d->station, 7);
	assert_int_equal(engine_preset(d->engine, "7", snap, 1, "replace", d->real_usec,
				       d->mono_usec, error, sizeof(error)), 0);
	assert_int_equal(run_state_snapshot(d->rs), 0);
	assert_int_equal(engine_preset(d->engine, "7", later, 1, "replace", d->real_usec,
				       d->mono_usec, error, sizeof(error)), 0);
	assert_int_equal(run_state_commit(d->rs), 0);
	database_layout_of(d->station, &layout);
	assert_int_equal(database_record_offset(&layout, DATABASE_RECORD_DETECTOR, seven, &offset), 0);
	kill_daemon(d);

	/* A flipped byte in detector 7's record of the primary. */
	flip_byte(path_in(d, BACKUP_PRIMARY_NAME), (off_t)offset + 20);
	assert_int_equal(start(d), BACKUP_SOURCE_SECONDARY);
	engine_detector_view(d->engine, seven, &v);
	assert_int_equal(v.preset[0], 11 * 60 + 11);
	assert_int_equal(access(path_in(d, BACKUP_PRIMARY_NAME ".rejected"), R_OK), 0);
	kill_daemon(d);

	/* Both corrupt: the compiled database, with the example's presets. */
	flip_byte(path_in(d, BACKUP_PRIMARY_NAME), (off_t)offset + 20);
	flip_byte(path_in(d, BACKUP_SECONDARY_NAME), (off_t)offset + 20);
	assert_int_equal(start(d), BACKUP_SOURCE_COMPILED);
	engine_detector_view(d->engine, seven, &v);
	assert_int_equal(v.n_presets, 2);
	assert_int_equal(v.preset[0], 6 * 60 + 5);	/* "preset 06:05 18:05" */
}

static void test_bad_configuration_changes_nothing(void **state)
{
	struct daemon_like *d = *state;
	struct station *s = NULL;
	struct backup_report report;
	uint8_t *before, *after;
	size_t size_before, size_after;
	FILE *f;

	start(d);
	kill_daemon(d);
	before = slurp_file(path_in(d, RUN_STATE_COMPILED_NAME), &size_before);
	snprintf(d->config, sizeof(d->config), "%s/bad.conf", d->dir);
	f = fopen(d->config, "w");
	assert_non_null(f);
	fputs("station {\n\tscan-rate 10Hz\n\tno-such-key 1\n}\n", f);
	fclose(f);

	assert_int_equal(run_state_new(d->state_dir, &d->rs), 0);
	memset(&report, 0xa5, sizeof(report));	/* stack garbage, as in a caller */
	assert_true(run_state_load(d->rs, d->config, &s, &report) < 0);
	assert_null(s);
	backup_report_done(&report);	/* what stationd does: nothing to free */
	after = slurp_file(path_in(d, RUN_STATE_COMPILED_NAME), &size_after);
	assert_int_equal(size_before, size_after);
	assert_memory_equal(before, after, size_before);
	free(before);
	free(after);
}

/* Copy a file of daemon/examples into the test's directory, with one
 * string replaced (when not NULL). */
static void copy_example(const struct daemon_like *d, const char *name, const char *from,
			 const char *to)
{
	char src[160], dst[160];
	size_t size;
	uint8_t *text;
	char *at;
	FILE *f;

	snprintf(src, sizeof(src), "daemon/examples/%s", name);
	snprintf(dst, sizeof(dst), "%s/%s", d->dir, name);
	text = slurp_file(src, &size);
	f = fopen(dst, "w");
	assert_non_null(f);
	at = from ? strstr((char *)text, from) : NULL;
	if (from)
		assert_non_null(at);
	if (at) {
		fwrite(text, 1, (size_t)(at - (char *)text), f);
		fputs(to, f);
		fputs(at + strlen(from), f);
	} else {
		fwrite(text, 1, size, f);
	}
	fclose(f);
	free(text);
}

/*
 * Issue 10 item 8: AVOID 3, an overfull latched on 5, a PRESET of 7; an
 * unrelated setting of the configuration changed (the backup interval),
 * so its configuration id is another; restart: all three are still there
 * (the run state is carried over by number), not lost with the backups.
 */
static void test_run_state_survives_a_configuration_change(void **state)
{
	struct daemon_like *d = *state;
	const char *times[] = { "13:37" };
	struct engine_detector_view v;
	uint32_t three, five, seven;
	char error[256];

	copy_example(d, "cards.conf", NULL, NULL);
	copy_example(d, "station.conf", NULL, NULL);
	snprintf(d->config, sizeof(d->config), "%s/station.conf", d->dir);
	start(d);
	three = index_of(d->station, 3);
	five = index_of(d->station, 5);
	seven = index_of(d->station, 7);
	assert_int_equal(engine_avoid(d->engine, "3", d->real_usec, d->mono_usec, error,
				      sizeof(error)), 0);
	assert_int_equal(engine_preset(d->engine, "7", times, 1, "replace", d->real_usec,
				       d->mono_usec, error, sizeof(error)), 0);
	/* 5 fills, and LN2 stays at its exhaust after its closure delay. */
	assert_int_equal(engine_fill(d->engine, "5", NULL, d->real_usec, d->mono_usec,
				     error, sizeof(error)), 0);
	assert_int_equal(run_state_commit(d->rs), 0);
	d->plant.manifold_cold = true;
	d->plant.cold[five] = true;
	scan(d, 61 * 10);
	engine_detector_view(d->engine, five, &v);
	assert_true(v.status & DETECTOR_STATUS_OVERFULL);
	assert_false(run_state_pending(d->rs));
	kill_daemon(d);

	copy_example(d, "station.conf", "backup-interval 5min", "backup-interval 7min");
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
	assert_int_equal(d->station->globals.backup_interval_s, 7 * 60);
	engine_detector_view(d->engine, three, &v);
	assert_true(v.status & DETECTOR_STATUS_AVOIDED);
	engine_detector_view(d->engine, five, &v);
	assert_true(v.status & DETECTOR_STATUS_OVERFULL);
	engine_detector_view(d->engine, seven, &v);
	assert_int_equal(v.n_presets, 1);
	assert_int_equal(v.preset[0], 13 * 60 + 37);
	/* and the primary is the new configuration's now: */
	kill_daemon(d);
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
	assert_false(d->carried_over);
	engine_detector_view(d->engine, three, &v);
	assert_true(v.status & DETECTOR_STATUS_AVOIDED);
}

static void test_compiled_database_is_used_where_it_is(void **state)
{
	struct daemon_like *d = *state;
	char db[128];

	/* Compile once through a first start, then point --config at a copy. */
	start(d);
	snprintf(db, sizeof(db), "%s/station.db", d->dir);
	assert_int_equal(database_write_file(db, d->station), 0);
	kill_daemon(d);
	unlink(path_in(d, RUN_STATE_COMPILED_NAME));
	strcpy(d->config, db);
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
	assert_string_equal(run_state_compiled_path(d->rs), db);
	assert_int_equal(access(path_in(d, RUN_STATE_COMPILED_NAME), F_OK), -1);
}

/*
 * A reload (SIGHUP) at an idle moment: the running run state (AVOID 3, a
 * preset of 7) goes over to the new configuration's station by number,
 * the primary is written for it, and an engine built on it has them; a
 * detector dropped by the new configuration is gone. What stationd's
 * apply_reload() does around it (hardware, bus objects) runs in the VM
 * (tests/vm/scenarios/stationd-reload.sh).
 */
static void test_reload_carries_the_running_state(void **state)
{
	struct daemon_like *d = *state;
	const char *times[] = { "13:37" };
	struct station *next = NULL, *saved = NULL;
	struct database_error err = {};
	struct engine_detector_view v;
	char error[256];
	bool text = false;

	copy_example(d, "cards.conf", NULL, NULL);
	copy_example(d, "station.conf", NULL, NULL);
	snprintf(d->config, sizeof(d->config), "%s/station.conf", d->dir);
	start(d);
	assert_int_equal(engine_avoid(d->engine, "3", d->real_usec, d->mono_usec, error,
				      sizeof(error)), 0);
	assert_int_equal(engine_preset(d->engine, "7", times, 1, "replace", d->real_usec,
				       d->mono_usec, error, sizeof(error)), 0);
	assert_int_equal(run_state_commit(d->rs), 0);
	assert_true(engine_idle(d->engine));

	/* Detector 1 renumbered 100, the scan rate changed. */
	copy_example(d, "station.conf", "detector 1 {", "detector 100 {");
	assert_int_equal(run_state_read_configuration(d->config, &next, &text), 0);
	assert_true(text);
	assert_int_equal(run_state_reload(d->rs, next), 0);
	/* The old engine goes, the new one is built on next. */
	d->engine = engine_free(d->engine);
	station_free(d->station);
	d->station = next;
	d->plant.station = next;
	assert_int_equal(engine_new(next, &plant_hw, &d->plant, &observer, d, d->real_usec,
				    d->mono_usec, &d->engine, error, sizeof(error)), 0);
	run_state_attach(d->rs, d->engine);
	assert_int_equal(run_state_commit(d->rs), 0);
	engine_detector_view(d->engine, index_of(next, 3), &v);
	assert_true(v.status & DETECTOR_STATUS_AVOIDED);
	engine_detector_view(d->engine, index_of(next, 7), &v);
	assert_int_equal(v.n_presets, 1);
	assert_int_equal(v.preset[0], 13 * 60 + 37);

	/* On the disk: the compiled database and the primary are the new
	 * configuration's, the primary with the run state. */
	assert_int_equal(database_read_file(path_in(d, BACKUP_PRIMARY_NAME), &saved, &err), 0);
	assert_non_null(station_find_detector(saved, 100));
	assert_null(station_find_detector(saved, 1));
	assert_int_equal(database_configuration_id(saved), database_configuration_id(next));
	saved = station_free(saved);
	kill_daemon(d);
	assert_int_equal(start(d), BACKUP_SOURCE_PRIMARY);
	assert_false(d->carried_over);
	engine_detector_view(d->engine, index_of(d->station, 3), &v);
	assert_true(v.status & DETECTOR_STATUS_AVOIDED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_start_compiles_text_into_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preset_reaches_primary_only_on_commit_and_only_its_record,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_scans_dirty_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_mid_fill_is_an_interrupted_fill_rescheduled,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_falling_lowest_reading_waits_for_the_snapshot,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_history_survives_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_fill_log_is_compacted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_primary_uses_secondary_then_compiled,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_configuration_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compiled_database_is_used_where_it_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_state_survives_a_configuration_change,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_carries_the_running_state, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
