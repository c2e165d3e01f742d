/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fill log: every completed fill of every detector, so the engine's
 * "last 100 fills per detector" survive a restart.
 *
 *   <state-dir>/fills.log
 *     offset 0   header (16 bytes): magic "STFILLS\n", version (u32),
 *                record size (u32)
 *     then       records of FILL_LOG_RECORD_SIZE bytes, appended in the
 *                order the fills ended:
 *                  +0  detector number (u32)
 *                  +4  result (u32, enum fill_result)
 *                  +8  start, wall clock µs since the epoch (i64)
 *                  +16 end (i64)
 *                  +24 duration on the monotonic clock, µs (u64)
 *                  +32 lowest exhaust reading, mV (i32; INT32_MAX = none)
 *                  +36 reserved, zero (u64)
 *                  +44 CRC-32 of bytes 0..43 (u32)
 *     all little-endian.
 *
 * Crash safety: records are only appended and never rewritten, so a crash
 * can leave at most one partial record at the end (a torn tail). Loading
 * ignores it and cuts the file back to the last whole record, so the next
 * append is aligned again. A record whose CRC or values are wrong (a bad
 * sector, a stray write) is skipped and counted; the records after it are
 * still found, because every record has the same size. The log is
 * compacted (rewritten atomically with only what the engine keeps) when it
 * has grown past a bound the caller chooses.
 */
#ifndef STATIOND_PERSIST_FILL_LOG_H
#define STATIOND_PERSIST_FILL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/autofill/fill-record.h"

#define FILL_LOG_NAME "fills.log"
#define FILL_LOG_MAGIC "STFILLS\n"
#define FILL_LOG_MAGIC_SIZE 8u
#define FILL_LOG_VERSION 1u
#define FILL_LOG_HEADER_SIZE 16u
#define FILL_LOG_RECORD_SIZE 48u

struct fill_log_entry {
	uint32_t detector;		/* detector number, as configured */
	struct fill_record record;
};

/* What parsing a log image found. */
struct fill_log_scan {
	size_t n_records;		/* valid records passed to the callback */
	size_t n_corrupt;		/* whole records skipped: bad CRC or value */
	size_t torn_bytes;		/* bytes of a partial record at the end */
	uint64_t valid_size;		/* header + whole records: where to append */
	/* The first corrupt record, for the log:
	 * "record 17 at offset 832: checksum mismatch (stored 0x..., computed 0x...)" */
	char first_corrupt[192];
};

typedef int (*fill_log_entry_fn)(void *userdata, const struct fill_log_entry *entry);

/* Encode one entry into its on-disk record, CRC included. */
void fill_log_encode_entry(const struct fill_log_entry *entry, uint8_t out[static FILL_LOG_RECORD_SIZE]);
void fill_log_encode_header(uint8_t out[static FILL_LOG_HEADER_SIZE]);

/*
 * Parse a complete log image (the file's bytes): check the header, then
 * call @fn for every valid record in file order. A callback error stops
 * the parse and is returned. -EBADMSG (with @why) when the header is not a
 * fill log of this version: nothing in such a file can be trusted.
 */
int fill_log_parse(const uint8_t *buf, size_t size, fill_log_entry_fn fn, void *userdata,
		   struct fill_log_scan *ret, char *why, size_t why_size);

struct fill_log;

/* Remember the path <state_dir>/fills.log; touches no file. */
int fill_log_new(const char *state_dir, struct fill_log **ret);
struct fill_log *fill_log_free(struct fill_log *l);
static inline void fill_log_freep(struct fill_log **l)
{
	if (*l)
		fill_log_free(*l);
}
#define _cleanup_fill_log_ __attribute__((cleanup(fill_log_freep)))

/*
 * Open the log for appending and feed every valid record to @fn. A
 * missing log is created (empty). A torn tail is cut off. A log whose
 * header is not valid is kept as fills.log.rejected and a new one is
 * started: the returned scan has n_records 0 and @why says what was wrong
 * (empty when nothing was). Returns a negative errno on I/O errors.
 */
int fill_log_load(struct fill_log *l, fill_log_entry_fn fn, void *userdata,
		  struct fill_log_scan *ret, char *why, size_t why_size);

/* Append one record (written, not yet flushed: see fill_log_sync()). */
int fill_log_append(struct fill_log *l, const struct fill_log_entry *entry);

/* Flush appended records to the disk; a no-op when there are none. */
int fill_log_sync(struct fill_log *l);

/* Records in the file now, valid or not. */
size_t fill_log_size(const struct fill_log *l);

/*
 * Compaction: replace the log atomically (temporary file, fsync, rename,
 * fsync of the directory) by @n entries, and keep appending to the new
 * one. On error the old log is still complete and still in use.
 */
int fill_log_rewrite(struct fill_log *l, const struct fill_log_entry *entries, size_t n);

const char *fill_log_path(const struct fill_log *l);

#endif
