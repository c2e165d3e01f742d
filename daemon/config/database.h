/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The station database: the compiled configuration plus the run state that
 * must survive a restart, in fixed-size little-endian records at fixed
 * offsets, so the primary backup can rewrite one detector or manifold in
 * place.
 *
 *   offset 0        header (64 bytes): magic, version, record sizes and
 *                   counts, configuration id, file size, CRC-32 of the
 *                   header
 *   then            1 station record (128 bytes)
 *   then            n_cards card records (32 bytes each)
 *   then            n_manifolds manifold records (128 bytes each)
 *   then            n_detectors detector records (128 bytes each)
 *   then            n_cryostreams cryostream records (64 bytes each)
 *   then            n_ccds ccd records (1024 bytes each)
 *
 * Every record starts with its kind (u16) and index (u32 at +4) and ends
 * with the CRC-32 of all its other bytes, so a record that is corrupt or
 * written at the wrong position is caught and named. Records are in the
 * model's order: cards by address, manifolds by name, detectors by number.
 * The byte layout of each record is in database-record.c.
 *
 * Reading validates everything: magic, version, sizes, counts against the
 * file size, every checksum, every value's range, the order and the
 * references between records. Errors come back as a negative errno plus
 * a message naming the record and offset.
 */
#ifndef STATIOND_CONFIG_DATABASE_H
#define STATIOND_CONFIG_DATABASE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/config/station.h"
#include "daemon/shared/macro.h"

#define DATABASE_MAGIC "STNDB\r\n\032"	/* 8 bytes; \r\n\032 catch text-mode copies */
#define DATABASE_MAGIC_SIZE 8
/* 2: cryostream records and the cryostream-link settings (issue 6).
 * 3: ccd records, counted in the header's bytes 34-35 (issue 13). */
#define DATABASE_VERSION 3u
#define DATABASE_HEADER_SIZE 64u
#define DATABASE_STATION_RECORD_SIZE 128u
#define DATABASE_CARD_RECORD_SIZE 32u
#define DATABASE_MANIFOLD_RECORD_SIZE 128u
#define DATABASE_DETECTOR_RECORD_SIZE 128u
#define DATABASE_CRYOSTREAM_RECORD_SIZE 64u
#define DATABASE_CCD_RECORD_SIZE 1024u
#define DATABASE_RECORD_SIZE_MAX 1024u

enum database_record_kind {
	DATABASE_RECORD_STATION = 1,
	DATABASE_RECORD_CARD = 2,
	DATABASE_RECORD_MANIFOLD = 3,
	DATABASE_RECORD_DETECTOR = 4,
	DATABASE_RECORD_CRYOSTREAM = 5,
	DATABASE_RECORD_CCD = 6,
};

/* What the header says: enough to find every record, and which
 * configuration the records belong to. */
struct database_layout {
	uint32_t n_cards;
	uint32_t n_manifolds;
	uint32_t n_detectors;
	uint32_t n_cryostreams;
	uint32_t n_ccds;
	uint32_t configuration_id;
};

struct database_error {
	char message[256];
};

/* The error path of the database functions: format the message into @err
 * (when not NULL) and return @r, a negative errno. */
int database_fail(struct database_error *err, int r, const char *format, ...) _printf_(3, 4);

void database_layout_of(const struct station *s, struct database_layout *ret);

/*
 * CRC-32 of the configuration in the records: everything but preset times
 * and run state, the two things the daemon changes. Two databases with the
 * same id were compiled from the same configuration, so a backup whose id
 * differs from the compiled database's belongs to another configuration
 * and must not be loaded over it.
 */
uint32_t database_configuration_id(const struct station *s);
uint32_t database_record_size(enum database_record_kind kind);
uint64_t database_file_size(const struct database_layout *layout);

/* Offset of record `index` of a kind; -ERANGE if there is no such record. */
int database_record_offset(const struct database_layout *layout, enum database_record_kind kind,
			   uint32_t index, uint64_t *ret);

const char *database_record_kind_name(enum database_record_kind kind);

/* ---- records (database-record.c) */

/* Encode the header or one record into buf (its full size), CRC included. */
void database_encode_header(const struct database_layout *layout, uint8_t *buf);
void database_encode_station(const struct station_globals *g, uint8_t *buf);
void database_encode_card(const struct card *c, uint32_t index, uint8_t *buf);
void database_encode_manifold(const struct manifold *m, uint32_t index, uint8_t *buf);
void database_encode_detector(const struct detector *d, uint32_t index, uint8_t *buf);
void database_encode_cryostream(const struct cryostream *c, uint32_t index, uint8_t *buf);
void database_encode_ccd(const struct ccd *c, uint32_t index, uint8_t *buf);

/*
 * Decode and validate one record (or the header) read from `offset`.
 * Values are range-checked; references to other records are checked by
 * database_decode(). -EBADMSG (bad record) or -EPROTONOSUPPORT (header
 * of an unknown version), with err filled in.
 */
int database_decode_header(const uint8_t *buf, uint64_t file_size,
			   struct database_layout *ret, struct database_error *err);
int database_decode_station(const uint8_t *buf, uint64_t offset, struct station_globals *ret,
			    struct database_error *err);
int database_decode_card(const uint8_t *buf, uint32_t index, uint64_t offset,
			 struct card *ret, struct database_error *err);
int database_decode_manifold(const uint8_t *buf, uint32_t index, uint64_t offset,
			     struct manifold *ret, struct database_error *err);
int database_decode_detector(const uint8_t *buf, uint32_t index, uint64_t offset,
			     struct detector *ret, struct database_error *err);
int database_decode_cryostream(const uint8_t *buf, uint32_t index, uint64_t offset,
			       struct cryostream *ret, struct database_error *err);
int database_decode_ccd(const uint8_t *buf, uint32_t index, uint64_t offset, struct ccd *ret,
			struct database_error *err);

/* ---- whole databases (database-file.c) */

/* The complete database image of a station, malloc'd. */
int database_encode(const struct station *s, uint8_t **ret, size_t *ret_size);

/* Decode and validate a complete image. */
int database_decode(const uint8_t *buf, size_t size, struct station **ret,
		    struct database_error *err);

/*
 * Write a complete database atomically: a temporary file in the same
 * directory, fsync, rename over `path`, fsync of the directory. On error
 * `path` is untouched.
 */
int database_write_file(const char *path, const struct station *s);

int database_read_file(const char *path, struct station **ret, struct database_error *err);

/* ---- single records in an open database file (database-file.c) */

/* Read and validate the header of an open database file. */
int database_read_layout(int fd, struct database_layout *ret, struct database_error *err);

/*
 * Rewrite one manifold or detector record in place (pwrite at its fixed
 * offset). The caller fsyncs before acknowledging the change. The record
 * must keep its identity (same number or name) as the layout was built
 * from the same configuration.
 */
int database_write_manifold(int fd, const struct database_layout *layout, uint32_t index,
			    const struct manifold *m);
int database_write_detector(int fd, const struct database_layout *layout, uint32_t index,
			    const struct detector *d);

/* Read and validate one record. */
int database_read_manifold(int fd, const struct database_layout *layout, uint32_t index,
			   struct manifold *ret, struct database_error *err);
int database_read_detector(int fd, const struct database_layout *layout, uint32_t index,
			   struct detector *ret, struct database_error *err);

#endif
