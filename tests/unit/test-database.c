// SPDX-License-Identifier: GPL-2.0
/*
 * The station database: layout and offsets, encode/decode round trip,
 * atomic file replacement, in-place record rewrites, and detection (with
 * a message naming the place) of every kind of corruption.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "daemon/config/database.h"
#include "daemon/shared/crc32.h"
#include "daemon/shared/little-endian.h"
#include "tests/unit/config-test-util.h"
#include "tests/unit/scratch-files.h"

struct fixture {
	struct compiled compiled;
	uint8_t *image;
	size_t size;
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	compile_path("daemon/examples/station.conf", &f->compiled);
	if (f->compiled.result < 0)
		return -1;
	if (database_encode(f->compiled.station, &f->image, &f->size) < 0)
		return -1;
	if (scratch_dir_make(f->dir, sizeof(f->dir), "test-database") < 0)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/station.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (scratch_dir_remove(f->dir) < 0)
		return -1;
	compiled_done(&f->compiled);
	free(f->image);
	free(f);
	return 0;
}

static uint64_t offset_of(const struct station *s, enum database_record_kind kind, uint32_t i)
{
	struct database_layout l;
	uint64_t o = 0;

	database_layout_of(s, &l);
	assert_int_equal(database_record_offset(&l, kind, i, &o), 0);
	return o;
}

static void test_layout(void **state)
{
	struct fixture *f = *state;
	const struct station *s = f->compiled.station;
	struct database_layout l;
	uint64_t o;

	database_layout_of(s, &l);
	assert_int_equal(offset_of(s, DATABASE_RECORD_STATION, 0), 64);
	assert_int_equal(offset_of(s, DATABASE_RECORD_CARD, 0), 64 + 128);
	assert_int_equal(offset_of(s, DATABASE_RECORD_MANIFOLD, 0), 64 + 128 + 8 * 32);
	assert_int_equal(offset_of(s, DATABASE_RECORD_DETECTOR, 0), 64 + 128 + 8 * 32 + 12 * 128);
	assert_int_equal(offset_of(s, DATABASE_RECORD_DETECTOR, 71), 1984 + 71 * 128);
	assert_int_equal(database_file_size(&l), 1984 + 72 * 128);
	assert_int_equal(f->size, 11200);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_DETECTOR, 72, &o), -ERANGE);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_STATION, 1, &o), -ERANGE);
	assert_memory_equal(f->image, DATABASE_MAGIC, DATABASE_MAGIC_SIZE);
	/* the CRC-32 zlib and everyone else compute: the standard check value */
	assert_int_equal(crc32_of("123456789", 9), 0xcbf43926);
	assert_int_equal(crc32_update(crc32_of("1234", 4), "56789", 5), 0xcbf43926);
	/* little-endian on disk, whatever the host */
	assert_int_equal(get_le32(f->image + 8), DATABASE_VERSION);
	assert_int_equal(get_le32(f->image + 40), 72);
	assert_int_equal(get_le32(f->image + 1984 + 8), 1);	/* detector 1's number */
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_free_ uint8_t *again = NULL;
	struct database_error err = {};
	size_t size;

	assert_int_equal(database_decode(f->image, f->size, &s, &err), 0);
	assert_string_equal(err.message, "");
	assert_int_equal(s->n_detectors, 72);
	assert_string_equal(s->detectors[71].manifold_name, "L");
	assert_int_equal(s->detectors[0].preset[1], 18 * 60);
	assert_int_equal(s->globals.scan_rate_millihz, 10000);
	assert_int_equal(database_encode(s, &again, &size), 0);
	assert_int_equal(size, f->size);
	assert_memory_equal(again, f->image, size);
}

static void test_write_and_read_file(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	struct database_error err = {};
	struct stat before, after;
	char missing[160];

	assert_int_equal(database_write_file(f->path, f->compiled.station), 0);
	assert_int_equal(stat(f->path, &before), 0);
	assert_int_equal(before.st_size, (off_t)f->size);
	assert_int_equal(database_read_file(f->path, &s, &err), 0);
	/* replacing is atomic: a new inode, no temporary file left behind */
	assert_int_equal(database_write_file(f->path, f->compiled.station), 0);
	assert_int_equal(stat(f->path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	snprintf(missing, sizeof(missing), "ls %s | grep -qv '^station.db$'", f->dir);
	assert_int_not_equal(system(missing), 0);

	snprintf(missing, sizeof(missing), "%s/no/such/dir/station.db", f->dir);
	assert_int_equal(database_write_file(missing, f->compiled.station), -ENOENT);
	assert_int_equal(database_read_file(missing, &s, &err), -ENOENT);
	assert_string_equal(err.message, "cannot open: No such file or directory");
}

/* Decode a damaged copy of the image; expect failure with this message. */
static void expect_corrupt(struct fixture *f, void (*damage)(uint8_t *image, size_t *size),
			   int error, const char *message)
{
	_cleanup_free_ uint8_t *copy = malloc(f->size);
	struct station *s = NULL;
	struct database_error err = {};
	size_t size = f->size;

	assert_non_null(copy);
	memcpy(copy, f->image, f->size);
	damage(copy, &size);
	assert_int_equal(database_decode(copy, size, &s, &err), error);
	assert_null(s);
	assert_string_equal(err.message, message);
}

static void reseal(uint8_t *record, size_t size)
{
	put_le32(record + size - 4, crc32_of(record, size - 4));
}

static void flip_detector_17(uint8_t *image, size_t *size)
{
	image[1984 + 17 * 128 + 30] ^= 0x01;	/* a bit of its reference voltage */
}

static void flip_header_count(uint8_t *image, size_t *size)
{
	image[40] ^= 0x01;
}

static void bad_magic(uint8_t *image, size_t *size)
{
	image[0] = 'X';
}

static void newer_version(uint8_t *image, size_t *size)
{
	put_le32(image + 8, DATABASE_VERSION + 1);
	reseal(image, DATABASE_HEADER_SIZE);
}

static void truncated(uint8_t *image, size_t *size)
{
	*size -= 100;
}

static void too_short(uint8_t *image, size_t *size)
{
	*size = 10;
}

static void swap_detectors(uint8_t *image, size_t *size)
{
	uint8_t tmp[128];
	uint8_t *a = image + 1984 + 3 * 128, *b = image + 1984 + 4 * 128;

	memcpy(tmp, a, 128);
	memcpy(a, b, 128);
	memcpy(b, tmp, 128);
}

static void bad_preset_resealed(uint8_t *image, size_t *size)
{
	uint8_t *record = image + 1984 + 5 * 128;

	put_le16(record + 42, 1440);	/* 24:00 */
	reseal(record, 128);
}

static void bad_manifold_index(uint8_t *image, size_t *size)
{
	uint8_t *record = image + 1984 + 6 * 128;

	put_le32(record + 12, 12);
	reseal(record, 128);
}

static void card_of_wrong_model(uint8_t *image, size_t *size)
{
	uint8_t *record = image + 64 + 128 + 1 * 32;	/* the XVME-260 at 0x0800 */

	put_le16(record + 10, 560);
	reseal(record, 32);
}

static void record_from_another_configuration(uint8_t *image, size_t *size)
{
	uint8_t *record = image + 1984 + 9 * 128;

	put_le32(record + 28, 1600);	/* 1.6 V: valid, sealed, but not what was compiled */
	reseal(record, 128);
}

static void debounce_out_of_range(uint8_t *image, size_t *size)
{
	image[64 + 10] = DEBOUNCE_READINGS_MAX + 1;
	reseal(image + 64, 128);
}

static void sample_rate_out_of_range(uint8_t *image, size_t *size)
{
	put_le32(image + 64 + 76, EXHAUST_SAMPLE_RATE_MILLIHZ_MAX + 1);
	reseal(image + 64, 128);
}

static void station_reserved_byte_set(uint8_t *image, size_t *size)
{
	image[64 + 74] = 1;
	reseal(image + 64, 128);
}

static void station_record_damaged(uint8_t *image, size_t *size)
{
	image[64 + 12] ^= 0x80;
}

static void test_corruption_is_named(void **state)
{
	struct fixture *f = *state;
	char message[256];
	uint32_t stored = get_le32(f->image + 1984 + 17 * 128 + 124);
	uint8_t record[128];

	memcpy(record, f->image + 1984 + 17 * 128, 128);
	record[30] ^= 0x01;
	snprintf(message, sizeof(message),
		 "detector record 17 at offset %u: checksum mismatch (stored 0x%08x, computed 0x%08x)",
		 1984 + 17 * 128, stored, crc32_of(record, 124));
	expect_corrupt(f, flip_detector_17, -EBADMSG, message);

	memcpy(record, f->image, 64);
	record[40] ^= 0x01;
	snprintf(message, sizeof(message),
		 "header: checksum mismatch (stored 0x%08x, computed 0x%08x)",
		 get_le32(f->image + 60), crc32_of(record, 60));
	expect_corrupt(f, flip_header_count, -EBADMSG, message);

	expect_corrupt(f, bad_magic, -EBADMSG, "not a stationd database (bad magic)");
	snprintf(message, sizeof(message),
		 "database version %u is not supported (this build reads version %u)",
		 DATABASE_VERSION + 1, DATABASE_VERSION);
	expect_corrupt(f, newer_version, -EPROTONOSUPPORT, message);
	expect_corrupt(f, truncated, -EBADMSG,
		       "file is 11100 bytes, the header says 11200 (truncated or extended)");
	expect_corrupt(f, too_short, -EBADMSG, "file is 10 bytes, shorter than the header");
	expect_corrupt(f, swap_detectors, -EBADMSG,
		       "detector record 3 at offset 2368: holds record 4 (misplaced)");
	expect_corrupt(f, bad_preset_resealed, -EBADMSG,
		       "detector record 5 at offset 2624: invalid preset time");
	expect_corrupt(f, bad_manifold_index, -EBADMSG,
		       "detector record 6 (detector 7): manifold index 12 out of range");
	expect_corrupt(f, card_of_wrong_model, -EBADMSG,
		       "manifold record 0 (A): xvme0-0800:6 does not name a card of the right model");
	{
		/* The id those records have: the compiled station with that change. */
		_cleanup_station_ struct station *changed = NULL;
		struct database_error e = {};

		assert_int_equal(database_decode(f->image, f->size, &changed, &e), 0);
		changed->detectors[9].reference_mv = 1600;
		snprintf(message, sizeof(message),
			 "header: configuration id 0x%08x does not match the records (0x%08x)",
			 get_le32(f->image + 44), database_configuration_id(changed));
	}
	expect_corrupt(f, record_from_another_configuration, -EBADMSG, message);
	expect_corrupt(f, debounce_out_of_range, -EBADMSG, "station record 0 at offset 64: invalid debounce readings");
	expect_corrupt(f, sample_rate_out_of_range, -EBADMSG,
		       "station record 0 at offset 64: invalid exhaust sample rate");
	expect_corrupt(f, station_reserved_byte_set, -EBADMSG,
		       "station record 0 at offset 64: invalid reserved bytes");
	memcpy(record, f->image + 64, 128);
	record[12] ^= 0x80;
	snprintf(message, sizeof(message),
		 "station record 0 at offset 64: checksum mismatch (stored 0x%08x, computed 0x%08x)",
		 get_le32(f->image + 64 + 124), crc32_of(record, 124));
	expect_corrupt(f, station_record_damaged, -EBADMSG, message);
}

/* The primary backup's path: rewrite one record in place, read it back. */
static void test_record_rewrite_in_place(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct database_error err = {};
	struct database_layout l;
	struct detector d, back;
	struct manifold m;
	struct stat before, after;

	assert_int_equal(database_write_file(f->path, f->compiled.station), 0);
	assert_int_equal(stat(f->path, &before), 0);
	fd = open(f->path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(database_read_layout(fd, &l, &err), 0);
	assert_int_equal(l.n_detectors, 72);
	assert_int_equal(l.configuration_id, database_configuration_id(f->compiled.station));

	d = f->compiled.station->detectors[17];
	d.n_presets = 3;
	d.preset[0] = 60;
	d.preset[1] = 600;
	d.preset[2] = 1200;
	memset(d.state, 0xa5, sizeof(d.state));
	assert_int_equal(database_write_detector(fd, &l, 17, &d), 0);
	m = f->compiled.station->manifolds[2];
	m.state[0] = 42;
	assert_int_equal(database_write_manifold(fd, &l, 2, &m), 0);
	assert_int_equal(fsync(fd), 0);

	assert_int_equal(database_read_detector(fd, &l, 17, &back, &err), 0);
	assert_int_equal(back.n_presets, 3);
	assert_int_equal(back.preset[2], 1200);
	assert_int_equal(back.state[63], 0xa5);
	assert_int_equal(database_read_manifold(fd, &l, 2, &m, &err), 0);
	assert_int_equal(m.state[0], 42);

	/* the whole file still validates, and only those records changed */
	assert_int_equal(database_read_file(f->path, &s, &err), 0);
	assert_int_equal(s->detectors[17].preset[0], 60);
	assert_memory_equal(&s->detectors[16].preset, &f->compiled.station->detectors[16].preset,
			    sizeof(s->detectors[16].preset));
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(before.st_size, after.st_size);

	/* out of range */
	assert_int_equal(database_write_detector(fd, &l, 72, &d), -ERANGE);
	assert_int_equal(database_read_detector(fd, &l, 72, &back, &err), -ERANGE);
	assert_string_equal(err.message, "no detector record 72 (the database has 72)");

	/* a damaged record is named when read on its own */
	uint8_t byte;
	uint64_t o = offset_of(f->compiled.station, DATABASE_RECORD_DETECTOR, 40);

	assert_int_equal(pread(fd, &byte, 1, o + 33), 1);
	byte ^= 0x10;
	assert_int_equal(pwrite(fd, &byte, 1, o + 33), 1);
	assert_int_equal(database_read_detector(fd, &l, 40, &back, &err), -EBADMSG);
	assert_int_equal(strncmp(err.message, "detector record 40 at offset 7104: checksum mismatch",
				 strlen("detector record 40 at offset 7104: checksum mismatch")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_write_and_read_file),
		cmocka_unit_test(test_corruption_is_named),
		cmocka_unit_test(test_record_rewrite_in_place),
	};

	return cmocka_run_group_tests_name("database", tests, setup, teardown);
}
