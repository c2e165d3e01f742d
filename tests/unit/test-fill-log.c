// SPDX-License-Identifier: GPL-2.0
/*
 * The fill log: records come back as written and in order, across a
 * reopen; a torn tail is ignored and cut off so the next append is
 * aligned; a corrupt record is skipped and named while the ones after it
 * are kept; a file that is not a fill log is set aside; compaction
 * replaces the file atomically and appending continues in the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/persist/fill-log.h"
#include "daemon/shared/crc32.h"
#include "daemon/shared/little-endian.h"
#include "tests/unit/scratch-files.h"

struct fixture {
	char dir[64];
	char path[96];
};

#define COLLECT_MAX 64

struct collected {
	struct fill_log_entry entries[COLLECT_MAX];
	size_t n;
};

static int collect(void *userdata, const struct fill_log_entry *entry)
{
	struct collected *c = userdata;

	assert_true(c->n < COLLECT_MAX);
	c->entries[c->n++] = *entry;
	return 0;
}

static struct fill_log_entry entry_of(uint32_t detector, int i)
{
	return (struct fill_log_entry){
		.detector = detector,
		.record = {
			.start_usec = 1767600000000000ll + i * 3600000000ll,
			.end_usec = 1767600000000000ll + i * 3600000000ll + 90000000,
			.duration_usec = 90000000,
			.result = (enum fill_result)(i % _FILL_RESULT_MAX),
			.lowest_mv = i % 3 ? 480 + i : FILL_LOWEST_NONE,
		},
	};
}

static void assert_entry_equal(const struct fill_log_entry *a, const struct fill_log_entry *b)
{
	assert_int_equal(a->detector, b->detector);
	assert_int_equal(a->record.start_usec, b->record.start_usec);
	assert_int_equal(a->record.end_usec, b->record.end_usec);
	assert_int_equal(a->record.duration_usec, b->record.duration_usec);
	assert_int_equal(a->record.result, b->record.result);
	assert_int_equal(a->record.lowest_mv, b->record.lowest_mv);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (scratch_dir_make(f->dir, sizeof(f->dir), "test-fill-log") < 0)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/" FILL_LOG_NAME, f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (scratch_dir_remove(f->dir) < 0)
		return -1;
	free(f);
	return 0;
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Open, load into @c, and check the scan came back clean or not. */
static struct fill_log *open_log(struct fixture *f, struct collected *c, struct fill_log_scan *scan,
				 char *why, size_t why_size)
{
	struct fill_log *l = NULL;

	assert_int_equal(fill_log_new(f->dir, &l), 0);
	c->n = 0;
	assert_int_equal(fill_log_load(l, collect, c, scan, why, why_size), 0);
	return l;
}

static void append_n(struct fill_log *l, int from, int to)
{
	for (int i = from; i < to; i++) {
		struct fill_log_entry e = entry_of(1 + i % 3, i);

		assert_int_equal(fill_log_append(l, &e), 0);
	}
	assert_int_equal(fill_log_sync(l), 0);
}

static void test_new_log_is_created_empty(void **state)
{
	struct fixture *f = *state;
	_cleanup_fill_log_ struct fill_log *l = NULL;
	struct fill_log_scan scan;
	struct collected c;
	char why[128];

	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_int_equal(c.n, 0);
	assert_string_equal(why, "");
	assert_int_equal(fill_log_size(l), 0);
	assert_int_equal(file_size(f->path), FILL_LOG_HEADER_SIZE);
}

static void test_records_survive_reopen_in_order(void **state)
{
	struct fixture *f = *state;
	struct fill_log *l;
	struct fill_log_scan scan;
	struct collected c;
	char why[128];

	l = open_log(f, &c, &scan, why, sizeof(why));
	append_n(l, 0, 10);
	assert_int_equal(fill_log_size(l), 10);
	fill_log_free(l);

	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_int_equal(c.n, 10);
	assert_int_equal(scan.n_records, 10);
	assert_int_equal(scan.n_corrupt, 0);
	assert_int_equal(scan.torn_bytes, 0);
	for (int i = 0; i < 10; i++) {
		struct fill_log_entry want = entry_of(1 + i % 3, i);

		assert_entry_equal(&c.entries[i], &want);
	}
	fill_log_free(l);
}

static void test_torn_tail_is_ignored_and_cut(void **state)
{
	struct fixture *f = *state;
	struct fill_log *l;
	struct fill_log_scan scan;
	struct collected c;
	char why[128];
	int fd;

	l = open_log(f, &c, &scan, why, sizeof(why));
	append_n(l, 0, 4);
	fill_log_free(l);
	/* A kill in the middle of the fifth append: 20 of its 48 bytes. */
	fd = open(f->path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x07\0\0\0\x01\0\0\0xxxxxxxxxxxx", 20), 20);
	close(fd);

	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_int_equal(c.n, 4);
	assert_int_equal(scan.torn_bytes, 20);
	assert_int_equal(scan.n_corrupt, 0);
	assert_int_equal(file_size(f->path), FILL_LOG_HEADER_SIZE + 4 * FILL_LOG_RECORD_SIZE);
	/* The next append lands on a record boundary: all five read back. */
	append_n(l, 4, 5);
	fill_log_free(l);
	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_int_equal(c.n, 5);
	assert_int_equal(scan.torn_bytes, 0);
	{
		struct fill_log_entry want = entry_of(2, 4);

		assert_entry_equal(&c.entries[4], &want);
	}
	fill_log_free(l);
}

static void test_corrupt_record_is_skipped_and_named(void **state)
{
	struct fixture *f = *state;
	struct fill_log *l;
	struct fill_log_scan scan;
	struct collected c;
	char why[128];
	uint8_t byte;
	int fd;
	off_t at = FILL_LOG_HEADER_SIZE + 2 * FILL_LOG_RECORD_SIZE + 9;

	l = open_log(f, &c, &scan, why, sizeof(why));
	append_n(l, 0, 6);
	fill_log_free(l);
	/* One flipped bit in record 2's start time. */
	fd = open(f->path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, at), 1);
	byte ^= 0x10;
	assert_int_equal(pwrite(fd, &byte, 1, at), 1);
	close(fd);

	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_int_equal(scan.n_corrupt, 1);
	assert_int_equal(c.n, 5);
	assert_non_null(strstr(scan.first_corrupt, "record 2 at offset 112: checksum mismatch"));
	/* The records after it are all there, in order. */
	{
		struct fill_log_entry want1 = entry_of(2, 1), want3 = entry_of(1, 3);

		assert_entry_equal(&c.entries[1], &want1);
		assert_entry_equal(&c.entries[2], &want3);
	}
	fill_log_free(l);
}

static void test_bad_values_with_good_crc_are_refused(void **state)
{
	struct fill_log_entry e = entry_of(7, 1);
	uint8_t image[FILL_LOG_HEADER_SIZE + 2 * FILL_LOG_RECORD_SIZE];
	uint8_t *rec = image + FILL_LOG_HEADER_SIZE;
	struct fill_log_scan scan;
	struct collected c = {};
	char why[128];

	fill_log_encode_header(image);
	fill_log_encode_entry(&e, rec);
	fill_log_encode_entry(&e, rec + FILL_LOG_RECORD_SIZE);
	/* Result 99 and a reserved byte set, each re-checksummed: written by
	 * something else than this daemon, so not believed. */
	rec[4] = 99;
	rec[FILL_LOG_RECORD_SIZE + 40] = 1;
	for (int i = 0; i < 2; i++) {
		uint8_t *r = rec + i * FILL_LOG_RECORD_SIZE;

		put_le32(r + FILL_LOG_RECORD_SIZE - 4, crc32_of(r, FILL_LOG_RECORD_SIZE - 4));
	}
	assert_int_equal(fill_log_parse(image, sizeof(image), collect, &c, &scan, why, sizeof(why)), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(scan.n_corrupt, 2);
	assert_non_null(strstr(scan.first_corrupt, "result 99 out of range"));
}

static void test_foreign_file_is_set_aside(void **state)
{
	struct fixture *f = *state;
	struct fill_log *l;
	struct fill_log_scan scan;
	struct collected c;
	char why[128], aside[128];
	int fd;

	fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "detector 1 full\n detector 2 full\n", 34), 34);
	close(fd);

	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_string_equal(why, "not a fill log (bad magic)");
	assert_int_equal(c.n, 0);
	snprintf(aside, sizeof(aside), "%s.rejected", f->path);
	assert_int_equal(file_size(aside), 34);
	assert_int_equal(file_size(f->path), FILL_LOG_HEADER_SIZE);
	append_n(l, 0, 1);
	fill_log_free(l);

	/* Another version is just as foreign, and says so. */
	{
		uint8_t image[FILL_LOG_HEADER_SIZE];

		fill_log_encode_header(image);
		image[8] = 2;
		assert_int_equal(fill_log_parse(image, sizeof(image), collect, &c, &scan,
						why, sizeof(why)), -EBADMSG);
		assert_non_null(strstr(why, "version 2"));
		assert_int_equal(fill_log_parse(image, 5, collect, &c, &scan, why, sizeof(why)),
				 -EBADMSG);
		assert_non_null(strstr(why, "shorter than the 16-byte header"));
	}
}

static void test_rewrite_compacts_atomically(void **state)
{
	struct fixture *f = *state;
	struct fill_log_entry kept[3] = { entry_of(5, 7), entry_of(5, 8), entry_of(9, 9) };
	struct fill_log *l;
	struct fill_log_scan scan;
	struct collected c;
	char why[128];

	l = open_log(f, &c, &scan, why, sizeof(why));
	append_n(l, 0, 20);
	assert_int_equal(fill_log_rewrite(l, kept, 3), 0);
	assert_int_equal(fill_log_size(l), 3);
	assert_int_equal(file_size(f->path), FILL_LOG_HEADER_SIZE + 3 * FILL_LOG_RECORD_SIZE);
	/* Appends go to the new file. */
	append_n(l, 20, 21);
	fill_log_free(l);

	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_int_equal(c.n, 4);
	for (int i = 0; i < 3; i++)
		assert_entry_equal(&c.entries[i], &kept[i]);
	fill_log_free(l);
}

static void test_leftover_temporary_is_removed(void **state)
{
	struct fixture *f = *state;
	struct fill_log *l;
	struct fill_log_scan scan;
	struct collected c;
	char why[128], temp[128];
	int fd;

	/* A compaction killed before its rename(). */
	snprintf(temp, sizeof(temp), "%s.AbC123", f->path);
	fd = open(temp, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	l = open_log(f, &c, &scan, why, sizeof(why));
	assert_int_equal(access(temp, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	fill_log_free(l);
}

static void test_append_refuses_bad_result(void **state)
{
	struct fixture *f = *state;
	_cleanup_fill_log_ struct fill_log *l = NULL;
	struct fill_log_entry e = entry_of(1, 0);
	struct fill_log_scan scan;
	struct collected c;
	char why[128];

	assert_int_equal(fill_log_new(f->dir, &l), 0);
	assert_int_equal(fill_log_append(l, &e), -EBADFD);	/* not loaded yet */
	assert_int_equal(fill_log_load(l, collect, &c, &scan, why, sizeof(why)), 0);
	e.record.result = _FILL_RESULT_MAX;
	assert_int_equal(fill_log_append(l, &e), -EINVAL);
	assert_int_equal(fill_log_size(l), 0);
	assert_int_equal(file_size(f->path), FILL_LOG_HEADER_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_log_is_created_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_survive_reopen_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_is_ignored_and_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record_is_skipped_and_named, setup, teardown),
		cmocka_unit_test(test_bad_values_with_good_crc_are_refused),
		cmocka_unit_test_setup_teardown(test_foreign_file_is_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_compacts_atomically, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftover_temporary_is_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_refuses_bad_result, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
