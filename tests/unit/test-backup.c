// SPDX-License-Identifier: GPL-2.0
/*
 * The backup chain on the example station: in-place record updates that
 * touch only the record's bytes, the start-up order primary, secondary,
 * compiled database with a reason for every rejection, torn writes,
 * backups of another configuration (their run state carried over by
 * detector number and manifold name, what no longer exists dropped), and
 * atomic secondary replacement.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/config/database.h"
#include "daemon/persist/backup.h"
#include "tests/unit/config-test-util.h"
#include "tests/unit/scratch-files.h"

struct fixture {
	struct compiled compiled;
	char dir[64];
	char state_dir[96];
	char compiled_path[96];
	char primary[128];
	char primary_rejected[160];
	char secondary[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	compile_path("daemon/examples/station.conf", &f->compiled);
	if (f->compiled.result < 0)
		return -1;
	if (scratch_dir_make(f->dir, sizeof(f->dir), "test-backup") < 0)
		return -1;
	snprintf(f->state_dir, sizeof(f->state_dir), "%s/state", f->dir);
	snprintf(f->compiled_path, sizeof(f->compiled_path), "%s/station.db", f->dir);
	snprintf(f->primary, sizeof(f->primary), "%s/primary.db", f->state_dir);
	snprintf(f->secondary, sizeof(f->secondary), "%s/secondary.db", f->state_dir);
	snprintf(f->primary_rejected, sizeof(f->primary_rejected), "%s.rejected", f->primary);
	if (mkdir(f->state_dir, 0755) < 0)
		return -1;
	if (database_write_file(f->compiled_path, f->compiled.station) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (scratch_dir_remove(f->dir) < 0)
		return -1;
	compiled_done(&f->compiled);
	free(f);
	return 0;
}

static void write_at(const char *path, const void *bytes, size_t size, uint64_t offset)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, size, offset), (ssize_t)size);
	close(fd);
}

static void flip_byte(const char *path, uint64_t offset)
{
	uint8_t b;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, offset), 1);
	b ^= 0x5a;
	assert_int_equal(pwrite(fd, &b, 1, offset), 1);
	close(fd);
}

static uint64_t detector_offset(const struct station *s, uint32_t index)
{
	struct database_layout l;
	uint64_t o = 0;

	database_layout_of(s, &l);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_DETECTOR, index, &o), 0);
	return o;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Open the chain and load; the station is returned, the backup freed. */
static struct station *load(struct fixture *f, struct backup_report *report)
{
	_cleanup_backup_ struct backup *b = NULL;
	struct station *s = NULL;

	assert_int_equal(backup_open(f->state_dir, f->compiled_path, &b), 0);
	assert_int_equal(backup_load(b, &s, report), 0);
	assert_non_null(s);
	return s;
}

/* A detector preset change: run data, so the configuration id stays. */
static void set_preset(struct station *s, uint32_t index, uint16_t minute)
{
	s->detectors[index].n_presets = 1;
	s->detectors[index].preset[0] = minute;
}

static void test_first_start_creates_primary(void **state)
{
	struct fixture *f = *state;
	struct backup_report r;
	_cleanup_station_ struct station *s = load(f, &r);
	_cleanup_free_ uint8_t *compiled = NULL, *primary = NULL;
	size_t cs, ps;

	assert_int_equal(r.used, BACKUP_SOURCE_COMPILED);
	assert_true(r.primary_created);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY], "primary: "));
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY], "does not exist"));
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_SECONDARY], "secondary: "));
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_SECONDARY], "does not exist"));
	assert_string_equal(r.rejected[BACKUP_SOURCE_COMPILED], "");
	assert_false(exists(f->secondary));

	compiled = slurp_file(f->compiled_path, &cs);
	primary = slurp_file(f->primary, &ps);
	assert_int_equal(cs, ps);
	assert_memory_equal(compiled, primary, cs);
	assert_int_equal(s->n_detectors, f->compiled.station->n_detectors);
}

static void test_update_rewrites_only_the_record(void **state)
{
	struct fixture *f = *state;
	_cleanup_backup_ struct backup *b = NULL;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_station_ struct station *again = NULL;
	_cleanup_free_ uint8_t *before = NULL, *after = NULL;
	struct backup_report r;
	struct stat st0, st1;
	size_t n0, n1, changed = 0;
	uint32_t which = 17;
	uint64_t off;

	assert_int_equal(backup_open(f->state_dir, f->compiled_path, &b), 0);
	assert_int_equal(backup_load(b, &s, &r), 0);
	assert_int_equal(stat(f->primary, &st0), 0);
	before = slurp_file(f->primary, &n0);

	set_preset(s, which, 600);
	assert_int_equal(backup_primary_update(b, s, &which, 1, NULL, 0), 0);

	assert_int_equal(stat(f->primary, &st1), 0);
	after = slurp_file(f->primary, &n1);
	assert_int_equal(n0, n1);
	assert_int_equal(st0.st_ino, st1.st_ino);
	assert_int_equal(st0.st_size, st1.st_size);
	off = detector_offset(s, which);
	for (size_t i = 0; i < n0; i++) {
		if (before[i] == after[i])
			continue;
		changed++;
		assert_true(i >= off && i < off + DATABASE_DETECTOR_RECORD_SIZE);
	}
	assert_true(changed > 0);

	/* A manifold record rewritten with its unchanged content: no byte
	 * differs, and the file stays valid. */
	uint32_t m = 3;

	assert_int_equal(backup_primary_update(b, s, NULL, 0, &m, 1), 0);
	free(before);
	before = slurp_file(f->primary, &n0);
	assert_memory_equal(before, after, n0);

	again = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_PRIMARY);
	assert_false(r.primary_created);
	assert_string_equal(r.rejected[BACKUP_SOURCE_PRIMARY], "");
	assert_int_equal(again->detectors[which].n_presets, 1);
	assert_int_equal(again->detectors[which].preset[0], 600);
	assert_int_equal(again->detectors[which].number, s->detectors[which].number);
}

/* Load once, give the secondary detector 17 at 07:00 and the primary
 * detector 17 at 10:00, and return the detector's record offset. */
static uint64_t two_backups(struct fixture *f)
{
	_cleanup_backup_ struct backup *b = NULL;
	_cleanup_station_ struct station *s = NULL;
	struct backup_report r;
	uint32_t which = 17;

	assert_int_equal(backup_open(f->state_dir, f->compiled_path, &b), 0);
	assert_int_equal(backup_load(b, &s, &r), 0);
	set_preset(s, which, 420);
	assert_int_equal(backup_secondary_write(b, s), 0);
	set_preset(s, which, 600);
	assert_int_equal(backup_primary_update(b, s, &which, 1, NULL, 0), 0);
	return detector_offset(s, which);
}

static void test_corrupt_primary_uses_secondary(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_station_ struct station *third = NULL;
	struct backup_report r;
	char expected[128], rejected[160];
	uint64_t off = two_backups(f);

	flip_byte(f->primary, off + 50);
	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_SECONDARY);
	snprintf(expected, sizeof(expected),
		 "primary: detector record 17 at offset %llu: checksum mismatch",
		 (unsigned long long)off);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY], expected));
	assert_string_equal(r.rejected[BACKUP_SOURCE_SECONDARY], "");
	assert_int_equal(s->detectors[17].preset[0], 420);

	/* The rejected primary is kept aside and a good one written. */
	assert_true(r.primary_created);
	snprintf(rejected, sizeof(rejected), "%s.rejected", f->primary);
	assert_true(exists(rejected));
	third = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_PRIMARY);
	assert_int_equal(third->detectors[17].preset[0], 420);
}

static void test_corrupt_both_uses_compiled(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	struct backup_report r;
	uint64_t off = two_backups(f);
	uint64_t header_crc = 60;

	flip_byte(f->primary, off + 50);
	flip_byte(f->secondary, header_crc);
	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_COMPILED);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY],
			       "primary: detector record 17 at offset"));
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_SECONDARY], "secondary: header"));
	assert_int_equal(s->detectors[17].n_presets, f->compiled.station->detectors[17].n_presets);
	if (s->detectors[17].n_presets > 0)
		assert_int_equal(s->detectors[17].preset[0],
				 f->compiled.station->detectors[17].preset[0]);
}

static void test_corrupt_primary_no_secondary(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	struct backup_report r;
	uint64_t off = two_backups(f);

	flip_byte(f->primary, off + DATABASE_DETECTOR_RECORD_SIZE - 1);
	assert_int_equal(unlink(f->secondary), 0);
	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_COMPILED);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY],
			       "primary: detector record 17 at offset"));
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_SECONDARY], "does not exist"));
	assert_true(r.primary_created);
}

static void test_torn_write_detected(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	struct detector d;
	struct backup_report r;
	uint8_t rec[DATABASE_DETECTOR_RECORD_SIZE];
	uint64_t off = two_backups(f);

	/* The record at 12:00, of which only the first half reached the disk. */
	d = f->compiled.station->detectors[17];
	set_preset(f->compiled.station, 17, 720);
	database_encode_detector(&f->compiled.station->detectors[17], 17, rec);
	f->compiled.station->detectors[17] = d;
	write_at(f->primary, rec, sizeof(rec) / 2, off);

	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_SECONDARY);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY],
			       "primary: detector record 17 at offset"));
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY], "checksum mismatch"));
	assert_int_equal(s->detectors[17].preset[0], 420);
}

static void test_truncated_primary_rejected(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	struct backup_report r;
	struct stat st;

	two_backups(f);
	assert_int_equal(stat(f->primary, &st), 0);
	assert_int_equal(truncate(f->primary, st.st_size - DATABASE_DETECTOR_RECORD_SIZE / 2), 0);
	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_SECONDARY);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY], "primary: "));
	assert_int_equal(s->detectors[17].preset[0], 420);
}

/* Run state in the records of a station: a state area by its first and
 * last byte (the engine's layout does not matter here), presets. */
static void mark_run_state(struct station *s)
{
	s->detectors[2].state[0] = 1;		/* detector 3 */
	s->detectors[2].state[DETECTOR_STATE_SIZE - 1] = 0x33;
	s->detectors[4].state[0] = 1;		/* detector 5 */
	s->detectors[4].state[1] = 0x55;
	set_preset(s, 6, 13 * 60 + 37);		/* detector 7 */
	s->manifolds[0].state[0] = 1;		/* A */
	s->manifolds[0].state[MANIFOLD_STATE_SIZE - 1] = 0xaa;
	s->manifolds[11].state[0] = 1;		/* L */
}

static void expect_run_state(const struct station *s)
{
	assert_int_equal(s->detectors[2].state[DETECTOR_STATE_SIZE - 1], 0x33);
	assert_int_equal(s->detectors[4].state[1], 0x55);
	assert_int_equal(s->detectors[6].n_presets, 1);
	assert_int_equal(s->detectors[6].preset[0], 13 * 60 + 37);
	assert_int_equal(s->manifolds[0].state[MANIFOLD_STATE_SIZE - 1], 0xaa);
}

/*
 * A backup of another configuration (here detector 1's maximum fill time
 * changed) is not rejected: the compiled configuration runs, with the run
 * state of every detector and manifold, and the primary is rewritten for
 * the new configuration (the next start uses it as it is).
 */
static void test_other_configuration_carried_over(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_station_ struct station *again = NULL;
	struct backup_report r;
	struct detector d = f->compiled.station->detectors[0];

	f->compiled.station->detectors[0].max_fill_s += 60;
	mark_run_state(f->compiled.station);
	assert_int_equal(database_write_file(f->primary, f->compiled.station), 0);
	assert_int_equal(database_write_file(f->secondary, f->compiled.station), 0);
	compiled_done(&f->compiled);
	compile_path("daemon/examples/station.conf", &f->compiled);

	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_PRIMARY);
	assert_true(r.carried_over);
	assert_int_not_equal(r.carried_from_id, database_configuration_id(f->compiled.station));
	assert_int_equal(r.carry.n_detectors, 72);
	assert_int_equal(r.carry.n_manifolds, 12);
	assert_int_equal(r.carry.n_dropped_detectors + r.carry.n_dropped_manifolds, 0);
	assert_int_equal(r.carry.n_new_detectors + r.carry.n_new_manifolds, 0);
	assert_true(r.primary_created);
	assert_false(exists(f->primary_rejected));
	backup_report_done(&r);
	/* the configuration is the compiled one, the run state the backup's */
	assert_int_equal(s->detectors[0].max_fill_s, d.max_fill_s);
	assert_int_equal(database_configuration_id(s), database_configuration_id(f->compiled.station));
	expect_run_state(s);

	again = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_PRIMARY);
	assert_false(r.carried_over);
	expect_run_state(again);
}

/* The primary corrupt, the secondary of another configuration: the
 * secondary's run state is carried over, the primary kept aside. */
static void test_other_configuration_secondary_carried_over(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	struct backup_report r;

	f->compiled.station->globals.backup_interval_s += 60;
	mark_run_state(f->compiled.station);
	assert_int_equal(database_write_file(f->primary, f->compiled.station), 0);
	assert_int_equal(database_write_file(f->secondary, f->compiled.station), 0);
	flip_byte(f->primary, detector_offset(f->compiled.station, 5) + 20);
	compiled_done(&f->compiled);
	compile_path("daemon/examples/station.conf", &f->compiled);

	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_SECONDARY);
	assert_true(r.carried_over);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_PRIMARY], "checksum mismatch"));
	assert_true(exists(f->primary_rejected));
	backup_report_done(&r);
	expect_run_state(s);
}

/*
 * The new configuration lacks manifold L and its detectors 67-72, and has
 * a detector the backup does not know: those of the backup that still
 * exist keep their run state, L's and 67-72's are dropped (and listed),
 * the new one starts fresh.
 */
static void test_removed_records_are_dropped(void **state)
{
	struct fixture *f = *state;
	_cleanup_station_ struct station *s = NULL;
	struct station *c = f->compiled.station;
	struct backup_report r;

	mark_run_state(c);
	c->detectors[70].state[0] = 1;
	assert_int_equal(database_write_file(f->primary, c), 0);

	/* Compile the smaller station: 66 detectors, manifolds A-K, and
	 * detector 66 renumbered 99 (new). */
	memset(c->detectors[2].state, 0, DETECTOR_STATE_SIZE);
	memset(c->detectors[4].state, 0, DETECTOR_STATE_SIZE);
	memset(c->manifolds[0].state, 0, MANIFOLD_STATE_SIZE);
	c->detectors[6].n_presets = 0;
	c->n_detectors = 66;
	c->n_manifolds = 11;
	c->detectors[65].number = 99;
	assert_int_equal(database_write_file(f->compiled_path, c), 0);

	s = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_PRIMARY);
	assert_true(r.carried_over);
	assert_int_equal(s->n_detectors, 66);
	assert_int_equal(r.carry.n_detectors, 65);
	assert_int_equal(r.carry.n_new_detectors, 1);
	assert_int_equal(r.carry.n_manifolds, 11);
	assert_int_equal(r.carry.n_dropped_detectors, 7);
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(r.carry.dropped_detectors[i], 66 + i);
	assert_int_equal(r.carry.dropped_detectors[6], 72);
	/* dropped in number order: 66 (renumbered away), 67..72 */
	assert_int_equal(r.carry.n_dropped_manifolds, 1);
	assert_string_equal(r.carry.dropped_manifolds[0], "L");
	backup_report_done(&r);
	expect_run_state(s);
	assert_int_equal(s->detectors[65].state[0], 0);	/* 99: fresh */
}

static size_t count_entries_starting(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void test_secondary_replacement_atomic(void **state)
{
	struct fixture *f = *state;
	_cleanup_backup_ struct backup *b = NULL;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_station_ struct station *t = NULL;
	struct backup_report r;
	struct stat st0, st1;
	char leftover[160];

	assert_int_equal(backup_open(f->state_dir, f->compiled_path, &b), 0);
	assert_int_equal(backup_load(b, &s, &r), 0);
	set_preset(s, 5, 100);
	assert_int_equal(backup_secondary_write(b, s), 0);
	assert_int_equal(stat(f->secondary, &st0), 0);
	set_preset(s, 5, 200);
	assert_int_equal(backup_secondary_write(b, s), 0);
	assert_int_equal(stat(f->secondary, &st1), 0);
	/* Replaced by rename(), not rewritten: a new inode, no temp left. */
	assert_int_not_equal(st0.st_ino, st1.st_ino);
	assert_int_equal(count_entries_starting(f->state_dir, "secondary.db"), 1);

	/* A snapshot killed before its rename(): half a file under the
	 * temporary name. It is never loaded, and is cleaned up. */
	snprintf(leftover, sizeof(leftover), "%s.Ab3xYz", f->secondary);
	{
		int fd = open(leftover, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "STNDB\r\n\032garbage", 15), 15);
		close(fd);
	}
	assert_int_equal(unlink(f->primary), 0);
	t = load(f, &r);
	assert_int_equal(r.used, BACKUP_SOURCE_SECONDARY);
	assert_int_equal(t->detectors[5].preset[0], 200);
	assert_false(exists(leftover));
	assert_true(r.primary_created);
	assert_true(exists(f->primary));
}

static void test_bad_input_changes_nothing(void **state)
{
	struct fixture *f = *state;
	_cleanup_backup_ struct backup *b = NULL;
	_cleanup_station_ struct station *s = NULL;
	_cleanup_free_ uint8_t *before = NULL, *after = NULL;
	struct backup_report r;
	size_t n0, n1;
	uint32_t good = 2, out_of_range[] = { 2, 72 }, bad_manifold = 12;
	uint32_t saved_manifold;

	assert_int_equal(backup_open(f->state_dir, f->compiled_path, &b), 0);
	assert_int_equal(backup_primary_update(b, f->compiled.station, &good, 1, NULL, 0),
			 -EBADFD);
	assert_int_equal(backup_load(b, &s, &r), 0);
	before = slurp_file(f->primary, &n0);

	set_preset(s, 2, 300);
	/* Detector 2 is valid but 72 is not: nothing at all is written. */
	assert_int_equal(backup_primary_update(b, s, out_of_range, 2, NULL, 0), -ERANGE);
	assert_int_equal(backup_primary_update(b, s, NULL, 0, &bad_manifold, 1), -ERANGE);
	saved_manifold = s->detectors[2].manifold;
	s->detectors[2].manifold = 99;
	assert_int_equal(backup_primary_update(b, s, &good, 1, NULL, 0), -EINVAL);
	s->detectors[2].manifold = saved_manifold;
	s->n_detectors--;
	assert_int_equal(backup_primary_update(b, s, &good, 1, NULL, 0), -EINVAL);
	s->n_detectors++;

	after = slurp_file(f->primary, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);

	struct backup *unused;

	assert_int_equal(backup_open("", f->compiled_path, &unused), -EINVAL);
}

static void test_compiled_missing_fails(void **state)
{
	struct fixture *f = *state;
	_cleanup_backup_ struct backup *b = NULL;
	struct station *s = NULL;
	struct backup_report r;

	assert_int_equal(unlink(f->compiled_path), 0);
	assert_int_equal(backup_open(f->state_dir, f->compiled_path, &b), 0);
	assert_int_equal(backup_load(b, &s, &r), -ENOENT);
	assert_null(s);
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_COMPILED], "compiled database: "));
	assert_non_null(strstr(r.rejected[BACKUP_SOURCE_COMPILED], "cannot open"));
	assert_false(exists(f->primary));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_start_creates_primary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_rewrites_only_the_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_primary_uses_secondary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_both_uses_compiled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_primary_no_secondary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_torn_write_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_primary_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_configuration_carried_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_configuration_secondary_carried_over,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_records_are_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secondary_replacement_atomic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compiled_missing_fails, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
