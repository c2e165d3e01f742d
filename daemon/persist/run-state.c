// SPDX-License-Identifier: GPL-2.0
/* The daemon's persistence glue: start-up chain, dirty records, fill log (run-state.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config/compile.h"
#include "daemon/config/database.h"
#include "daemon/persist/fill-log.h"
#include "daemon/persist/run-state.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/read-full.h"

struct run_state {
	char *state_dir;
	char *compiled_path;
	struct backup *backup;
	struct fill_log *fills;
	struct station *station;	/* the caller's, from run_state_load() */
	struct engine *engine;		/* from run_state_attach() */

	/* Records whose state changed since the last commit, as index lists
	 * (what backup_primary_update() takes) with a flag per record so
	 * each is listed once. */
	uint32_t *dirty_detectors;
	size_t n_dirty_detectors;
	bool *detector_dirty;
	uint32_t *dirty_manifolds;
	size_t n_dirty_manifolds;
	bool *manifold_dirty;

	/* The fill log's records, per detector, between load and attach. */
	struct fill_history *loaded_history;
	bool fill_log_unsynced;
	bool compaction_due;		/* the fill log outgrew its bound */
	/* The last commit failed: log the next failure only once. */
	bool commit_failing;
	/* --config is a text, compiled into <state-dir>/compiled.db. */
	bool config_is_text;
};

int run_state_new(const char *state_dir, struct run_state **ret)
{
	_cleanup_(run_state_freep) struct run_state *rs = NULL;

	if (!state_dir || !*state_dir)
		return -EINVAL;
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	rs->state_dir = strdup(state_dir);
	if (!rs->state_dir)
		return -ENOMEM;
	*ret = TAKE_PTR(rs);
	return 0;
}

struct run_state *run_state_free(struct run_state *rs)
{
	if (!rs)
		return NULL;
	backup_free(rs->backup);
	fill_log_free(rs->fills);
	free(rs->dirty_detectors);
	free(rs->detector_dirty);
	free(rs->dirty_manifolds);
	free(rs->manifold_dirty);
	free(rs->loaded_history);
	free(rs->compiled_path);
	free(rs->state_dir);
	free(rs);
	return NULL;
}

const char *run_state_compiled_path(const struct run_state *rs)
{
	return rs->compiled_path;
}

/* ---- the compiled database */

static int is_database(const char *path)
{
	_cleanup_close_ int fd = -EBADF;
	char magic[DATABASE_MAGIC_SIZE];
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read_full(fd, magic, sizeof(magic));
	if (n < 0)
		return (int)n;
	return n == (ssize_t)sizeof(magic) && memcmp(magic, DATABASE_MAGIC, sizeof(magic)) == 0;
}

static void log_diagnostics(const struct diagnostics *diag)
{
	for (size_t i = 0; i < diag->n_items; i++) {
		_cleanup_free_ char *line = diagnostic_format(&diag->items[i]);

		log_event(diag->items[i].severity == DIAGNOSTIC_ERROR ? LOG_ERR : LOG_WARNING,
			  LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0, "%s",
			  line ? line : diag->items[i].message);
	}
}

int run_state_read_configuration(const char *config_path, struct station **ret, bool *ret_text)
{
	struct database_error err = {};
	struct diagnostics diag;
	int r;

	r = is_database(config_path);
	if (r < 0)
		return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
				 "cannot read the configuration %s", config_path);
	*ret_text = !r;
	if (r) {
		r = database_read_file(config_path, ret, &err);
		if (r < 0)
			log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
				  "%s: %s", config_path, err.message[0] ? err.message : strerror(-r));
		return r;
	}
	diagnostics_init(&diag);
	r = config_compile_file(config_path, &diag, ret);
	log_diagnostics(&diag);
	diagnostics_done(&diag);
	if (r < 0)
		/* The diagnostics above say where and what: file:line:col. */
		log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "%s: configuration does not compile", config_path);
	return r;
}

/*
 * The database the chain falls back to: @config_path itself when it is
 * one, else the text compiled into <state-dir>/compiled.db (atomically, so
 * a configuration that does not compile leaves the previous one intact).
 */
static int prepare_compiled_database(struct run_state *rs, const char *config_path)
{
	_cleanup_station_ struct station *compiled = NULL;
	_cleanup_free_ char *path = NULL;
	int r;

	r = run_state_read_configuration(config_path, &compiled, &rs->config_is_text);
	if (r < 0)
		return r;
	if (!rs->config_is_text) {
		rs->compiled_path = strdup(config_path);
		return rs->compiled_path ? 0 : -ENOMEM;
	}
	if (asprintf(&path, "%s/" RUN_STATE_COMPILED_NAME, rs->state_dir) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	r = database_write_file(path, compiled);
	if (r < 0)
		return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
				 "cannot write the compiled database %s", path);
	rs->compiled_path = TAKE_PTR(path);
	return 0;
}

/* ---- the fill log */

static uint32_t detector_index(const struct station *s, uint32_t number)
{
	size_t lo = 0, hi = s->n_detectors;

	/* Detectors are sorted by number (database.h). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->detectors[mid].number == number)
			return (uint32_t)mid;
		if (s->detectors[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ENGINE_NO_INDEX;
}

struct history_loader {
	struct run_state *rs;
	size_t n_unknown;		/* records of detectors not configured now */
	uint32_t first_unknown;
};

static int load_fill_entry(void *userdata, const struct fill_log_entry *entry)
{
	struct history_loader *loader = userdata;
	uint32_t d = detector_index(loader->rs->station, entry->detector);

	if (d == ENGINE_NO_INDEX) {
		if (loader->n_unknown++ == 0)
			loader->first_unknown = entry->detector;
		return 0;
	}
	fill_history_add(&loader->rs->loaded_history[d], &entry->record);
	return 0;
}

static int load_fill_log(struct run_state *rs)
{
	struct history_loader loader = { .rs = rs };
	struct fill_log_scan scan;
	char why[256];
	int r;

	rs->loaded_history = calloc(rs->station->n_detectors ? rs->station->n_detectors : 1,
				    sizeof(*rs->loaded_history));
	if (!rs->loaded_history)
		return -ENOMEM;
	r = fill_log_new(rs->state_dir, &rs->fills);
	if (r < 0)
		return r;
	r = fill_log_load(rs->fills, load_fill_entry, &loader, &scan, why, sizeof(why));
	if (r < 0)
		return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
				 "cannot load the fill log %s", fill_log_path(rs->fills));
	if (why[0])
		log_event(LOG_WARNING, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "fill log %s rejected (%s): kept as %s.rejected, fill history starts empty",
			  fill_log_path(rs->fills), why, fill_log_path(rs->fills));
	if (scan.n_corrupt)
		log_event(LOG_WARNING, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "fill log %s: %zu corrupt record(s) skipped, the first: %s",
			  fill_log_path(rs->fills), scan.n_corrupt, scan.first_corrupt);
	if (scan.torn_bytes)
		log_event(LOG_WARNING, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "fill log %s: partial last record (%zu bytes, a write cut short) removed",
			  fill_log_path(rs->fills), scan.torn_bytes);
	if (loader.n_unknown)
		log_event(LOG_NOTICE, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "fill log %s: %zu record(s) of detectors not in this configuration "
			  "(the first: detector %" PRIu32 ") ignored",
			  fill_log_path(rs->fills), loader.n_unknown, loader.first_unknown);
	log_event(LOG_INFO, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "fill history: %zu record(s) from %s", scan.n_records, fill_log_path(rs->fills));
	return 0;
}

/* ---- start-up */

/* Each record whose run state is dropped, with its DETECTOR= or MANIFOLD=,
 * then what was carried over. */
static void log_carry_over(const struct carry_over *c, const char *from)
{
	for (size_t i = 0; i < c->n_dropped_detectors; i++)
		log_event(LOG_NOTICE, LOG_EVENT_CONFIG, c->dropped_detectors[i], NULL, NULL, 0,
			  "detector %" PRIu32 " is not in the configuration any more: its run "
			  "state is dropped", c->dropped_detectors[i]);
	for (size_t i = 0; i < c->n_dropped_manifolds; i++)
		log_event(LOG_NOTICE, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, c->dropped_manifolds[i], NULL,
			  0, "manifold %s is not in the configuration any more: its run state is "
			  "dropped", c->dropped_manifolds[i]);
	log_event(LOG_NOTICE, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "run state of %zu detector(s) and %zu manifold(s) carried over from %s to the "
		  "configuration now in force; %zu detector(s) and %zu manifold(s) new, %zu and "
		  "%zu dropped", c->n_detectors, c->n_manifolds, from, c->n_new_detectors,
		  c->n_new_manifolds, c->n_dropped_detectors, c->n_dropped_manifolds);
}

static void log_backup_report(const struct run_state *rs, const struct backup_report *report)
{
	const char *path = report->used == BACKUP_SOURCE_PRIMARY ? backup_primary_path(rs->backup) :
			   report->used == BACKUP_SOURCE_SECONDARY ? backup_secondary_path(rs->backup) :
			   rs->compiled_path;

	for (enum backup_source s = 0; s < report->used; s++)
		log_event(LOG_WARNING, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "rejected %s", report->rejected[s][0] ? report->rejected[s] :
			  backup_source_name(s));
	log_event(report->used == BACKUP_SOURCE_PRIMARY ? LOG_INFO : LOG_WARNING,
		  LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "run state from the %s (%s)%s%s", backup_source_name(report->used), path,
		  report->carried_over ? ", written for another configuration" : "",
		  report->primary_created ? "; primary written anew from it" : "");
	if (report->carried_over)
		log_carry_over(&report->carry, path);
}

struct dirty_sets {
	uint32_t *detectors, *manifolds;
	bool *detector_dirty, *manifold_dirty;
};

static void dirty_sets_free(struct dirty_sets *d)
{
	free(d->detectors);
	free(d->manifolds);
	free(d->detector_dirty);
	free(d->manifold_dirty);
}

static int dirty_sets_new(const struct station *s, struct dirty_sets *ret)
{
	size_t nd = s->n_detectors ? s->n_detectors : 1, nm = s->n_manifolds ? s->n_manifolds : 1;
	struct dirty_sets d = {
		.detectors = calloc(nd, sizeof(*d.detectors)),
		.detector_dirty = calloc(nd, sizeof(*d.detector_dirty)),
		.manifolds = calloc(nm, sizeof(*d.manifolds)),
		.manifold_dirty = calloc(nm, sizeof(*d.manifold_dirty)),
	};

	if (!d.detectors || !d.detector_dirty || !d.manifolds || !d.manifold_dirty) {
		dirty_sets_free(&d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

/* Track the records of the station in rs->station from now on (nothing
 * dirty); the previous sets are freed. */
static void use_dirty_sets(struct run_state *rs, struct dirty_sets *d)
{
	free(rs->dirty_detectors);
	free(rs->detector_dirty);
	free(rs->dirty_manifolds);
	free(rs->manifold_dirty);
	rs->dirty_detectors = d->detectors;
	rs->detector_dirty = d->detector_dirty;
	rs->dirty_manifolds = d->manifolds;
	rs->manifold_dirty = d->manifold_dirty;
	rs->n_dirty_detectors = rs->n_dirty_manifolds = 0;
}

static int allocate_dirty_sets(struct run_state *rs)
{
	struct dirty_sets d;
	int r;

	r = dirty_sets_new(rs->station, &d);
	if (r < 0)
		return r;
	use_dirty_sets(rs, &d);
	return 0;
}

int run_state_load(struct run_state *rs, const char *config_path, struct station **ret,
		   struct backup_report *report)
{
	_cleanup_station_ struct station *s = NULL;
	int r;

	*report = (struct backup_report){};	/* backup_report_done() works whatever fails */
	if (rs->backup)
		return -EALREADY;
	r = prepare_compiled_database(rs, config_path);
	if (r < 0)
		return r;
	r = backup_open(rs->state_dir, rs->compiled_path, &rs->backup);
	if (r < 0)
		return log_error_errno(r, "cannot set up the backups in %s", rs->state_dir);
	r = backup_load(rs->backup, &s, report);
	if (r < 0) {
		for (enum backup_source k = 0; k < _BACKUP_SOURCE_MAX; k++)
			if (report->rejected[k][0])
				log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
					  "%s", report->rejected[k]);
		return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
				 "no run state could be loaded from %s", rs->state_dir);
	}
	log_backup_report(rs, report);
	rs->station = s;
	r = allocate_dirty_sets(rs);
	if (r >= 0)
		r = load_fill_log(rs);
	if (r < 0) {
		rs->station = NULL;
		return r;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

/* ---- dirty tracking */

static void mark_detector(struct run_state *rs, uint32_t d)
{
	if (!rs->detector_dirty[d]) {
		rs->detector_dirty[d] = true;
		rs->dirty_detectors[rs->n_dirty_detectors++] = d;
	}
}

static void mark_manifold(struct run_state *rs, uint32_t m)
{
	if (!rs->manifold_dirty[m]) {
		rs->manifold_dirty[m] = true;
		rs->dirty_manifolds[rs->n_dirty_manifolds++] = m;
	}
}

/* Equal but for the lowest reading of the running fill? */
static bool equal_but_lowest(const uint8_t *a, const uint8_t *b)
{
	const size_t lo = ENGINE_DETECTOR_STATE_LOWEST_OFFSET;
	const size_t hi = lo + ENGINE_DETECTOR_STATE_LOWEST_SIZE;

	return memcmp(a, b, lo) == 0 && memcmp(a + hi, b + hi, DETECTOR_STATE_SIZE - hi) == 0;
}

/*
 * Bring one detector record up to the engine's state; dirty if it moved.
 * Not @strict, a change of the running fill's lowest reading alone (at
 * every scan while the exhaust cools) is left for the next real change,
 * the fill's end or the next snapshot: no flush per reading.
 */
static void compare_detector(struct run_state *rs, uint32_t d, bool strict)
{
	struct detector *rec = &rs->station->detectors[d];
	struct engine_detector_view view;
	uint8_t area[DETECTOR_STATE_SIZE];

	engine_save_detector(rs->engine, d, area);
	engine_detector_view(rs->engine, d, &view);
	/* PRESET is the one configuration change the daemon makes: the
	 * record carries the current preset times (slots past n_presets mean
	 * nothing: the database writes them as unused). */
	if (rec->n_presets == view.n_presets &&
	    memcmp(rec->preset, view.preset, view.n_presets * sizeof(view.preset[0])) == 0 &&
	    (strict ? memcmp(rec->state, area, sizeof(area)) == 0 : equal_but_lowest(rec->state, area)))
		return;
	memcpy(rec->state, area, sizeof(area));
	rec->n_presets = view.n_presets;
	for (unsigned i = 0; i < PRESETS_MAX; i++)
		rec->preset[i] = i < view.n_presets ? view.preset[i] : PRESET_UNUSED;
	mark_detector(rs, d);
}

static void compare_manifold(struct run_state *rs, uint32_t m)
{
	struct manifold *rec = &rs->station->manifolds[m];
	uint8_t area[MANIFOLD_STATE_SIZE];

	engine_save_manifold(rs->engine, m, area);
	if (memcmp(rec->state, area, sizeof(area)) == 0)
		return;
	memcpy(rec->state, area, sizeof(area));
	mark_manifold(rs, m);
}

static void compare_all(struct run_state *rs, bool strict)
{
	for (uint32_t m = 0; m < rs->station->n_manifolds; m++)
		compare_manifold(rs, m);
	for (uint32_t d = 0; d < rs->station->n_detectors; d++)
		compare_detector(rs, d, strict);
}

void run_state_object_changed(struct run_state *rs, enum engine_object object, uint32_t index)
{
	if (!rs->engine)
		return;		/* inside engine_new(): run_state_attach() compares all */
	switch (object) {
	case ENGINE_OBJECT_DETECTOR:
		if (index < rs->station->n_detectors)
			compare_detector(rs, index, false);
		break;
	case ENGINE_OBJECT_MANIFOLD:
		if (index < rs->station->n_manifolds)
			compare_manifold(rs, index);
		break;
	case ENGINE_OBJECT_AUTOFILL:
		break;		/* derived from the others: nothing of its own to keep */
	}
}

void run_state_attach(struct run_state *rs, struct engine *e)
{
	rs->engine = e;
	if (rs->loaded_history) {
		for (uint32_t d = 0; d < rs->station->n_detectors; d++)
			engine_restore_fill_history(e, d, &rs->loaded_history[d]);
		free(rs->loaded_history);
		rs->loaded_history = NULL;
	}
	compare_all(rs, true);
}

/* ---- fill log */

int run_state_fill_ended(struct run_state *rs, uint32_t detector, const struct fill_record *record)
{
	struct fill_log_entry entry;
	int r;

	if (!rs->fills || detector >= rs->station->n_detectors)
		return -EINVAL;
	entry = (struct fill_log_entry){
		.detector = rs->station->detectors[detector].number,
		.record = *record,
	};
	r = fill_log_append(rs->fills, &entry);
	if (r < 0)
		return log_event(LOG_ERR, LOG_EVENT_FILL_ENDED, entry.detector, NULL, NULL, r,
				 "cannot append to the fill log %s", fill_log_path(rs->fills));
	rs->fill_log_unsynced = true;
	return 0;
}

/* Rewrite the log with what the engine keeps: per detector, oldest first. */
static int compact_fill_log(struct run_state *rs)
{
	_cleanup_free_ struct fill_log_entry *entries = NULL;
	size_t n = 0;

	entries = calloc(rs->station->n_detectors * (size_t)FILL_HISTORY_MAX + 1, sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	for (uint32_t d = 0; d < rs->station->n_detectors; d++) {
		const struct fill_history *h = engine_fill_history(rs->engine, d);

		for (unsigned i = 0; i < h->count; i++)
			entries[n++] = (struct fill_log_entry){
				.detector = rs->station->detectors[d].number,
				.record = *fill_history_get(h, i),
			};
	}
	return fill_log_rewrite(rs->fills, entries, n);
}

static bool fill_log_oversized(const struct run_state *rs)
{
	return fill_log_size(rs->fills) >
		(size_t)RUN_STATE_FILL_LOG_SLACK * FILL_HISTORY_MAX *
		(rs->station->n_detectors ? rs->station->n_detectors : 1);
}

/* ---- commit and snapshot */

bool run_state_pending(const struct run_state *rs)
{
	return rs->n_dirty_detectors || rs->n_dirty_manifolds || rs->fill_log_unsynced;
}

/* Flush the appended fill records. A log grown past its bound is only
 * marked for compaction: rewriting it is the snapshot's work, off the
 * path of a command's reply and of a scan. */
static int sync_fill_log(struct run_state *rs)
{
	int r;

	if (rs->engine && fill_log_oversized(rs))
		rs->compaction_due = true;
	if (!rs->fill_log_unsynced)
		return 0;
	r = fill_log_sync(rs->fills);
	if (r < 0)
		return r;
	rs->fill_log_unsynced = false;
	return 0;
}

/* Rewrite the log with only what the engine keeps, when it has grown past
 * its bound; the rewrite is written and flushed whole. */
static int compact_fill_log_if_due(struct run_state *rs)
{
	size_t before = fill_log_size(rs->fills);
	int r;

	if (!rs->compaction_due)
		return 0;
	r = compact_fill_log(rs);
	if (r < 0)
		return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
				 "cannot compact the fill log %s (it keeps growing; retried at the "
				 "next snapshot)", fill_log_path(rs->fills));
	rs->compaction_due = false;
	rs->fill_log_unsynced = false;
	log_event(LOG_INFO, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "fill log %s compacted from %zu to %zu records",
		  fill_log_path(rs->fills), before, fill_log_size(rs->fills));
	return 0;
}

int run_state_commit(struct run_state *rs)
{
	int r;

	if (!rs->backup || !rs->station)
		return -EBADFD;
	if (rs->n_dirty_detectors || rs->n_dirty_manifolds) {
		r = backup_primary_update(rs->backup, rs->station,
					  rs->dirty_detectors, rs->n_dirty_detectors,
					  rs->dirty_manifolds, rs->n_dirty_manifolds);
		if (r < 0)
			goto failed;
		for (size_t i = 0; i < rs->n_dirty_detectors; i++)
			rs->detector_dirty[rs->dirty_detectors[i]] = false;
		for (size_t i = 0; i < rs->n_dirty_manifolds; i++)
			rs->manifold_dirty[rs->dirty_manifolds[i]] = false;
		rs->n_dirty_detectors = rs->n_dirty_manifolds = 0;
	}
	r = sync_fill_log(rs);
	if (r < 0)
		goto failed;
	if (rs->commit_failing)
		log_event(LOG_NOTICE, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "run state is written to %s again", backup_primary_path(rs->backup));
	rs->commit_failing = false;
	return 0;

failed:
	/* Stays pending; retried by the next commit. Said once per streak. */
	if (!rs->commit_failing)
		log_event(LOG_CRIT, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
			  "run state not durable: cannot write %s or %s",
			  backup_primary_path(rs->backup), fill_log_path(rs->fills));
	rs->commit_failing = true;
	return r;
}

int run_state_snapshot(struct run_state *rs)
{
	int r;

	if (!rs->engine)
		return -EBADFD;
	compare_all(rs, true);
	r = run_state_commit(rs);
	if (r < 0)
		return r;
	(void)compact_fill_log_if_due(rs);
	r = backup_secondary_write(rs->backup, rs->station);
	if (r < 0)
		return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
				 "cannot write the secondary backup %s",
				 backup_secondary_path(rs->backup));
	return 0;
}

/* ---- reload */

int run_state_reload(struct run_state *rs, struct station *next)
{
	struct carry_over carry;
	struct dirty_sets sets;
	int r;

	if (!rs->engine || !rs->backup)
		return -EBADFD;
	r = dirty_sets_new(next, &sets);
	if (r < 0)
		return r;
	/* The configuration as compiled, before it gets any run state. */
	if (rs->config_is_text) {
		r = database_write_file(rs->compiled_path, next);
		if (r < 0) {
			dirty_sets_free(&sets);
			return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
					 "cannot write the compiled database %s", rs->compiled_path);
		}
	}
	/* The running state into the running records, then over to the new
	 * ones by number and name. */
	engine_save_state(rs->engine);
	r = carry_over_run_state(next, rs->station, &carry);
	if (r < 0) {
		dirty_sets_free(&sets);
		return r;
	}
	r = backup_replace_primary(rs->backup, next);
	if (r < 0) {
		carry_over_done(&carry);
		dirty_sets_free(&sets);
		return log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
				 "cannot write the primary backup %s for the new configuration",
				 backup_primary_path(rs->backup));
	}
	log_carry_over(&carry, "the running configuration");
	carry_over_done(&carry);
	use_dirty_sets(rs, &sets);
	rs->station = next;
	rs->engine = NULL;
	return 0;
}
