/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's run state on disk: which station to start from, what must
 * be written before a command is acknowledged, and the fill history.
 *
 * Start (run_state_load): the configuration given with --config is made a
 * compiled database first (a text configuration is compiled into
 * <state-dir>/compiled.db, atomically; a compiled database is used where
 * it is), then the backup chain picks primary, secondary or that database
 * (backup.h), and the fill log (fill-log.h) is read. Every choice and
 * every rejection is logged with MESSAGE_ID of the config event class.
 *
 * Running: the engine observer reports each object whose view changed
 * (run_state_object_changed); its encoded state area is compared with the
 * bytes in the station record and, when different, copied there and the
 * record marked dirty (a change of the running fill's lowest reading alone
 * waits for the next snapshot). run_state_commit() writes the dirty
 * records into the primary in place and flushes them, and flushes the fill
 * log: the daemon calls it before acknowledging a D-Bus command and right
 * after every scan that changed something (a fill's start and end are on
 * disk before the next scan, so a kill -9 in the middle of a fill is seen
 * as an interrupted fill at the next start). run_state_snapshot() writes
 * the secondary and compacts an oversized fill log, at the configured
 * backup interval and at shut-down.
 */
#ifndef STATIOND_PERSIST_RUN_STATE_H
#define STATIOND_PERSIST_RUN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/autofill/engine.h"
#include "daemon/config/station.h"
#include "daemon/persist/backup.h"

#define RUN_STATE_COMPILED_NAME "compiled.db"

/* The fill log is compacted when it holds more than this many times the
 * records the engine keeps (detectors x FILL_HISTORY_MAX). */
#define RUN_STATE_FILL_LOG_SLACK 2u

struct run_state;

/* Remember the state directory (it must exist); touches no file. */
int run_state_new(const char *state_dir, struct run_state **ret);
struct run_state *run_state_free(struct run_state *rs);
static inline void run_state_freep(struct run_state **rs)
{
	if (*rs)
		run_state_free(*rs);
}
#define _cleanup_run_state_ __attribute__((cleanup(run_state_freep)))

/*
 * The start-up chain for the configuration at @config_path (text or
 * compiled database). On success *ret is the station to run (the caller
 * owns it and must keep it alive as long as @rs; @rs keeps a reference),
 * the primary is open for updates, the fill log for appending, and
 * @report says which backup was used (release it with backup_report_done(),
 * whether this succeeded or not). Fails, with every error logged,
 * when the configuration does not compile or the compiled database cannot
 * be read; then no file in the state directory has been changed.
 */
int run_state_load(struct run_state *rs, const char *config_path, struct station **ret,
		   struct backup_report *report);

/*
 * A configuration as a station: a compiled database read as it is, a text
 * compiled with every diagnostic logged (file:line:col). *ret_text says
 * which. Nothing is written.
 */
int run_state_read_configuration(const char *config_path, struct station **ret, bool *ret_text);

/*
 * A reload: the running engine's run state into its records, carried over
 * to @next (a station of the new configuration, from
 * run_state_read_configuration()) by detector number and manifold name,
 * each dropped record logged with its DETECTOR= or MANIFOLD=; the
 * compiled database (of a text configuration) and the primary written
 * anew for it. Then @next is the station tracked, and the engine built on
 * it must be given with run_state_attach(); the caller keeps the old
 * station until the old engine is gone. On failure (logged) nothing but
 * maybe the compiled database has changed and the old station and engine
 * are still tracked. Call it when no fill runs (engine_idle()).
 */
int run_state_reload(struct run_state *rs, struct station *next);

/* Where the compiled database in use is (after run_state_load()). */
const char *run_state_compiled_path(const struct run_state *rs);

/*
 * The engine built on the loaded station: give it back its fill history,
 * and compare every object with its record (engine_new() restored and
 * rescheduled interrupted fills: their records are dirty now).
 */
void run_state_attach(struct run_state *rs, struct engine *e);

/* The observer's property_changed: ignored before run_state_attach(). */
void run_state_object_changed(struct run_state *rs, enum engine_object object, uint32_t index);

/* The observer's fill_ended: append to the fill log (flushed by the next
 * commit). Works from run_state_load() on, so the interrupted fills that
 * engine_new() records are logged. */
int run_state_fill_ended(struct run_state *rs, uint32_t detector, const struct fill_record *record);

/* Records or fill-log entries are waiting for run_state_commit(). */
bool run_state_pending(const struct run_state *rs);

/*
 * Make every pending change durable: dirty records into the primary
 * (fdatasync), the fill log flushed (never compacted here). 0 when all of
 * it is on the disk; a negative errno when it is not, and then it stays
 * pending.
 */
int run_state_commit(struct run_state *rs);

/* Compare every object (the lowest reading of a running fill too), commit,
 * compact the fill log when it outgrew its bound, write the secondary. */
int run_state_snapshot(struct run_state *rs);

#endif
