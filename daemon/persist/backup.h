/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backup chain: where the station's run state lives between runs.
 *
 *   <state-dir>/primary.db    the compiled database image, kept current
 *                             record by record: every change rewrites only
 *                             the changed detector and manifold records in
 *                             place and is fsynced before the daemon
 *                             acknowledges the command that caused it.
 *   <state-dir>/secondary.db  a full snapshot, replaced atomically at the
 *                             configured backup interval.
 *   compiled database         what stationd-compile wrote: the last resort,
 *                             and the authority on which configuration is
 *                             being run.
 *
 * Start-up (backup_load()) takes the first of primary, secondary, compiled
 * that is whole (header valid, every record's checksum valid, references
 * consistent), and reports why each one before it was rejected. A backup
 * of another configuration (its configuration id differs from the
 * compiled database's) is not rejected: the compiled station is run, with
 * the backup's run state carried over by detector number and manifold
 * name (carry-over.h), and the primary is written anew from it.
 *
 * Crash safety. Both backups use the database format, where every record
 * carries its own CRC-32 and the header carries the file size and the
 * configuration id:
 *  - killed in the middle of backup_primary_update(): the records written
 *    completely are valid and hold the new state; a record written in part
 *    (a torn write: some sectors new, some old) fails its checksum, so the
 *    whole primary is rejected, never half-loaded, and the secondary (at
 *    most one backup interval old) is used instead. Records are never
 *    moved and the file never changes size, so nothing else can tear.
 *  - killed in the middle of backup_secondary_write(): the new snapshot is
 *    still a temporary file (secondary.db.XXXXXX) that nothing loads, and
 *    secondary.db is the previous complete snapshot; rename() replaces it
 *    in one step. backup_load() removes such leftovers.
 *  - the primary and the secondary are never being written at the same
 *    moment by this library, so one of them is whole after any crash
 *    short of the disk losing fsynced data.
 */
#ifndef STATIOND_PERSIST_BACKUP_H
#define STATIOND_PERSIST_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config/database.h"
#include "daemon/config/station.h"
#include "daemon/persist/carry-over.h"

#define BACKUP_PRIMARY_NAME "primary.db"
#define BACKUP_SECONDARY_NAME "secondary.db"

enum backup_source {
	BACKUP_SOURCE_PRIMARY,
	BACKUP_SOURCE_SECONDARY,
	BACKUP_SOURCE_COMPILED,
	_BACKUP_SOURCE_MAX,
};

/* What backup_load() found. A reason is empty when that source was not
 * tried (an earlier one was used) or was used. */
struct backup_report {
	enum backup_source used;
	/* "primary: detector record 17 at offset 4160: checksum mismatch ..." */
	char rejected[_BACKUP_SOURCE_MAX][320];
	/* The backup used was written for another configuration (id
	 * carried_from_id): its run state was carried over into the compiled
	 * station, and carry says what was carried and dropped. */
	bool carried_over;
	uint32_t carried_from_id;
	struct carry_over carry;
	/* The primary was missing, rejected or of another configuration and
	 * has been written anew from the station loaded (a rejected one is
	 * kept as primary.db.rejected). */
	bool primary_created;
};

/* Free what a report of backup_load() holds (the carry-over lists). */
void backup_report_done(struct backup_report *report);

struct backup;

/*
 * Remember where the backups and the compiled database are; touches no
 * file. The state directory must exist. -ENOMEM, or -EINVAL for an empty
 * path.
 */
int backup_open(const char *state_dir, const char *compiled_path, struct backup **ret);

struct backup *backup_free(struct backup *b);
static inline void backup_freep(struct backup **b)
{
	if (*b)
		backup_free(*b);
}
#define _cleanup_backup_ __attribute__((cleanup(backup_freep)))

/*
 * The start-up chain. On success *ret is the station to run (caller frees),
 * the primary is open for updates (written anew when it was missing,
 * rejected or of another configuration) and @report must be released with
 * backup_report_done(). Fails when the compiled database itself cannot be
 * read (report->rejected[BACKUP_SOURCE_COMPILED] says why): it is the
 * configuration to run.
 */
int backup_load(struct backup *b, struct station **ret, struct backup_report *report);

const char *backup_source_name(enum backup_source source);

/*
 * Rewrite the listed detector and manifold records of the primary from @s
 * (indexes into s->detectors and s->manifolds, as loaded) in place and
 * flush them to the disk before returning. Bad input (an index out of
 * range, a station of another shape, no backup_load() yet) is refused
 * before any byte is written: -ERANGE, -EINVAL, -EBADFD. An I/O error
 * (-EIO, -ENOSPC from the flush) means the change is not durable: the
 * caller must not acknowledge it. Records already written are each whole
 * or, if torn, reject the primary at the next start; a later successful
 * update of the same records makes the primary current again.
 */
int backup_primary_update(struct backup *b, const struct station *s,
			  const uint32_t *detectors, size_t n_detectors,
			  const uint32_t *manifolds, size_t n_manifolds);

/* A reload: the primary written anew from @s (another configuration,
 * atomically) and open for updates of its records. */
int backup_replace_primary(struct backup *b, const struct station *s);

/* Replace the secondary with a full snapshot of @s, atomically. */
int backup_secondary_write(struct backup *b, const struct station *s);

/* Paths, for log messages. */
const char *backup_primary_path(const struct backup *b);
const char *backup_secondary_path(const struct backup *b);

#endif
