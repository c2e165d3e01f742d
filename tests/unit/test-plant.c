// SPDX-License-Identifier: GPL-2.0
/*
 * The plant library and xvme-plant's command line, over a fake plant
 * root: a temporary directory of regular files holding exactly what
 * xvme-sim's debugfs files hold. pread/pwrite are wrapped (-Wl,--wrap)
 * so a test can make them short or failing, or log every write.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/sim/plant-cli.h"
#include "tests/sim/plant.h"

/* ------------------------------------------------------- wrapped I/O */

static struct {
	size_t read_chunk;	/* if set, pread returns at most this much */
	bool write_short;	/* pwrite takes all but the last byte */
	int write_errno;	/* pwrite fails with this */
	int interrupts;		/* pwrite fails with EINTR this many times */
	bool log_writes;	/* append every pwrite's bytes to write_log */
	char write_log[1024];
} io;

ssize_t __real_pread(int fd, void *buf, size_t count, off_t offset);
ssize_t __wrap_pread(int fd, void *buf, size_t count, off_t offset);
ssize_t __real_pwrite(int fd, const void *buf, size_t count, off_t offset);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t count, off_t offset);

ssize_t __wrap_pread(int fd, void *buf, size_t count, off_t offset)
{
	if (io.read_chunk && count > io.read_chunk)
		count = io.read_chunk;
	return __real_pread(fd, buf, count, offset);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	if (io.interrupts > 0) {
		io.interrupts--;
		errno = EINTR;
		return -1;
	}
	if (io.write_errno) {
		errno = io.write_errno;
		return -1;
	}
	if (io.log_writes) {
		size_t used = strlen(io.write_log);

		assert_true(used + count + 2 < sizeof(io.write_log));
		memcpy(io.write_log + used, buf, count);
		io.write_log[used + count] = '|';
		io.write_log[used + count + 1] = '\0';
	}
	if (io.write_short && count > 0)
		count--;
	return __real_pwrite(fd, buf, count, offset);
}

/* ---------------------------------------------------------- fixture */

#define CARD_240 "xvme0-0400"
#define CARD_260 "xvme0-0800"
#define CARD_560 "xvme0-0c00"

struct fake {
	char root[PATH_MAX];
	struct plant *plant;
	struct plant_card *c240, *c260, *c560;
};

/* Replace a fake plant file's contents in place (held fds see it). */
static void put_bytes(struct fake *f, const char *card, const char *file,
		      const void *data, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s/%s", f->root, card, file);
	out = fopen(path, "we");
	assert_non_null(out);
	assert_int_equal(fwrite(data, 1, len, out), len);
	assert_int_equal(fclose(out), 0);
}

static void put(struct fake *f, const char *card, const char *file,
		const char *contents)
{
	put_bytes(f, card, file, contents, strlen(contents));
}

/* The file's whole contents, in a static buffer. */
static const char *get(struct fake *f, const char *card, const char *file)
{
	static char buf[1024];
	char path[PATH_MAX + 64];
	FILE *in;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", f->root, card, file);
	in = fopen(path, "re");
	assert_non_null(in);
	n = fread(buf, 1, sizeof(buf) - 1, in);
	assert_int_equal(ferror(in), 0);
	fclose(in);
	buf[n] = '\0';
	return buf;
}

static void make_card(struct fake *f, const char *card)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", f->root, card);
	assert_int_equal(mkdir(path, 0755), 0);
	put(f, card, "fault", "none\n");
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/test-plant.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->root));

	make_card(f, CARD_240);
	put(f, CARD_240, "ports", "0x00000000000000ff\n");
	put(f, CARD_240, "irq_inputs", "0x00\n");
	put(f, CARD_240, "flags", "0x00\n");
	make_card(f, CARD_260);
	put(f, CARD_260, "relays", "0x00000000\n");
	make_card(f, CARD_560);
	put(f, CARD_560, "ain",
	    "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	put(f, CARD_560, "range", "bipolar\n");

	assert_int_equal(plant_open(f->root, &f->plant), 0);
	assert_int_equal(plant_card_open(f->plant, CARD_240, &f->c240), 0);
	assert_int_equal(plant_card_open(f->plant, CARD_260, &f->c260), 0);
	assert_int_equal(plant_card_open(f->plant, CARD_560, &f->c560), 0);

	memset(&io, 0, sizeof(io));
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct fake *f = *state;

	memset(&io, 0, sizeof(io));
	plant_card_close(f->c240);
	plant_card_close(f->c260);
	plant_card_close(f->c560);
	plant_close(f->plant);
	assert_int_equal(nftw(f->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(f);
	return 0;
}

/* ------------------------------------------------------------ names */

static void test_fault_names(void **state)
{
	static const char *const expected[] = {
		"none", "absent", "bad-id", "adc-stuck", "adc-error",
		"no-reset-clear",
	};

	assert_int_equal(ELEMENTSOF(expected), _PLANT_FAULT_MAX);
	for (int i = 0; i < _PLANT_FAULT_MAX; i++) {
		assert_string_equal(plant_fault_to_string(i), expected[i]);
		assert_int_equal(plant_fault_from_string(expected[i]), i);
	}
	assert_null(plant_fault_to_string(_PLANT_FAULT_MAX));
	assert_null(plant_fault_to_string(-1));
	assert_int_equal(plant_fault_from_string("melt"), -EINVAL);
	assert_int_equal(plant_fault_from_string(""), -EINVAL);
	assert_int_equal(plant_fault_from_string("None"), -EINVAL);
	assert_int_equal(plant_fault_from_string("none\n"), -EINVAL);
	assert_int_equal(plant_fault_from_string("bad_id"), -EINVAL);
	assert_int_equal(plant_fault_from_string(NULL), -EINVAL);
}

static void test_range_names(void **state)
{
	assert_string_equal(plant_range_to_string(PLANT_RANGE_BIPOLAR), "bipolar");
	assert_string_equal(plant_range_to_string(PLANT_RANGE_UNIPOLAR), "unipolar");
	assert_null(plant_range_to_string(_PLANT_RANGE_MAX));
	assert_int_equal(plant_range_from_string("bipolar"), PLANT_RANGE_BIPOLAR);
	assert_int_equal(plant_range_from_string("unipolar"), PLANT_RANGE_UNIPOLAR);
	assert_int_equal(plant_range_from_string("tripolar"), -EINVAL);
	assert_int_equal(plant_range_from_string(""), -EINVAL);
}

/* ------------------------------------------------------ root, cards */

static void test_open_root(void **state)
{
	struct fake *f = *state;
	_cleanup_plant_ struct plant *p = NULL;
	char missing[PATH_MAX + 64];

	/* The environment names the root when the caller does not... */
	assert_int_equal(setenv(PLANT_ROOT_ENV, f->root, 1), 0);
	assert_int_equal(plant_open(NULL, &p), 0);
	assert_string_equal(plant_root(p), f->root);
	p = plant_close(p);

	/* ...and an explicit root wins over it. */
	snprintf(missing, sizeof(missing), "%s/nowhere", f->root);
	assert_int_equal(plant_open(missing, &p), -ENOENT);
	assert_null(p);
	assert_int_equal(setenv(PLANT_ROOT_ENV, missing, 1), 0);
	assert_int_equal(plant_open(NULL, &p), -ENOENT);
	assert_int_equal(plant_open(f->root, &p), 0);
	assert_string_equal(plant_root(p), f->root);
	p = plant_close(p);

	/* A root that is a file is refused. */
	snprintf(missing, sizeof(missing), "%s/%s/fault", f->root, CARD_560);
	assert_int_equal(plant_open(missing, &p), -ENOTDIR);
	assert_int_equal(unsetenv(PLANT_ROOT_ENV), 0);
}

static void test_card_list(void **state)
{
	struct fake *f = *state;
	_cleanup_card_list_ char **names = NULL;
	_cleanup_card_list_ char **none = NULL;
	_cleanup_plant_ struct plant *empty = NULL;
	char path[PATH_MAX + 16];

	/* A stray file at the root is not a card. */
	snprintf(path, sizeof(path), "%s/stray", f->root);
	fclose(fopen(path, "we"));

	assert_int_equal(plant_card_list(f->plant, &names), 0);
	assert_non_null(names[0]);
	assert_string_equal(names[0], CARD_240);
	assert_string_equal(names[1], CARD_260);
	assert_string_equal(names[2], CARD_560);
	assert_null(names[3]);

	snprintf(path, sizeof(path), "%s/%s", f->root, CARD_260);
	assert_int_equal(plant_open(path, &empty), 0);
	assert_int_equal(plant_card_list(empty, &none), 0);
	assert_null(none[0]);
}

static void test_card_open_errors(void **state)
{
	struct fake *f = *state;
	struct plant_card *card = NULL;

	assert_int_equal(plant_card_open(f->plant, "xvme0-1000", &card), -ENOENT);
	assert_int_equal(plant_card_open(f->plant, "", &card), -EINVAL);
	assert_int_equal(plant_card_open(f->plant, ".", &card), -EINVAL);
	assert_int_equal(plant_card_open(f->plant, "..", &card), -EINVAL);
	assert_int_equal(plant_card_open(f->plant, "xvme0-0c00/..", &card), -EINVAL);
	assert_int_equal(plant_card_open(f->plant, NULL, &card), -EINVAL);
	put(f, CARD_560, "../not-a-card", "");
	assert_int_equal(plant_card_open(f->plant, "not-a-card", &card), -ENOTDIR);
	assert_null(card);

	assert_int_equal(plant_card_open(f->plant, CARD_560, &card), 0);
	assert_string_equal(plant_card_name(card), CARD_560);
	plant_card_close(card);
}

/* A card without the file (a 240 has no "ain") says -ENOENT. */
static void test_missing_file(void **state)
{
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS] = {};
	uint32_t relays;
	uint64_t ports;
	uint8_t flags;

	assert_int_equal(plant_ain_get_all(f->c240, mv), -ENOENT);
	assert_int_equal(plant_ain_set(f->c240, 0, 0), -ENOENT);
	assert_int_equal(plant_relays_get(f->c560, &relays), -ENOENT);
	assert_int_equal(plant_ports_get(f->c260, &ports), -ENOENT);
	assert_int_equal(plant_flags_get(f->c560, &flags), -ENOENT);
	assert_int_equal(plant_irq_pulse(f->c260, 0), -ENOENT);
}

/* ----------------------------------------------------------- ain */

static void test_ain_get_all(void **state)
{
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS];

	put(f, CARD_560, "ain",
	    "-30000 30000 0 1 -1 2500 -2500 9995 12 13 14 15 16 17 18 19 "
	    "20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 -35\n");
	assert_int_equal(plant_ain_get_all(f->c560, mv), 0);
	assert_int_equal(mv[0], -30000);
	assert_int_equal(mv[1], 30000);
	assert_int_equal(mv[2], 0);
	assert_int_equal(mv[4], -1);
	assert_int_equal(mv[5], 2500);
	assert_int_equal(mv[6], -2500);
	assert_int_equal(mv[7], 9995);
	for (int ch = 8; ch < 31; ch++)
		assert_int_equal(mv[ch], ch + 4);
	assert_int_equal(mv[31], -35);

	/* The held-open file shows new contents on the next read. */
	put(f, CARD_560, "ain",
	    "7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7 7\n");
	assert_int_equal(plant_ain_get_all(f->c560, mv), 0);
	for (int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
		assert_int_equal(mv[ch], 7);
}

static void test_ain_get_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		/* 31 values */
		"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* 33 values */
		"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* no newline */
		"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
		/* two newlines */
		"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n\n",
		/* double space */
		"0  0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* trailing space */
		"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 \n",
		/* leading space */
		" 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* tab */
		"0\t0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* plus sign */
		"+0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* not a number */
		"0 0 0 0 0 0 0 0 x 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"0 0 0 0 0 0 0 0 5x 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"0 0 0 0 0 0 0 0 - 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		/* beyond int */
		"0 0 0 0 0 0 0 0 99999999999 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	};
	static const char nul_after_line[] =
		"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n\0junk";
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		for (int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
			mv[ch] = 4242;
		put(f, CARD_560, "ain", bad[i]);
		if (plant_ain_get_all(f->c560, mv) != -EBADMSG)
			fail_msg("ain contents #%zu \"%s\" not refused", i, bad[i]);
		/* Nothing is stored from a refused read. */
		for (int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
			assert_int_equal(mv[ch], 4242);
	}

	/* A NUL byte is never part of a plant file, even after the line. */
	put_bytes(f, CARD_560, "ain", nul_after_line, sizeof(nul_after_line) - 1);
	assert_int_equal(plant_ain_get_all(f->c560, mv), -EBADMSG);
	put_bytes(f, CARD_260, "relays", "0x00000001\n\0", 12);
	assert_int_equal(plant_relays_get(f->c260, (uint32_t *)mv), -EBADMSG);

	/* Longer than any plant file can be. */
	char huge[700];

	memset(huge, '1', sizeof(huge) - 2);
	huge[sizeof(huge) - 2] = '\n';
	huge[sizeof(huge) - 1] = '\0';
	put(f, CARD_560, "ain", huge);
	assert_int_equal(plant_ain_get_all(f->c560, mv), -EBADMSG);
}

static void test_ain_set(void **state)
{
	struct fake *f = *state;

	put(f, CARD_560, "ain", "");
	assert_int_equal(plant_ain_set(f->c560, 5, -1234), 0);
	assert_string_equal(get(f, CARD_560, "ain"), "5 -1234\n");

	put(f, CARD_560, "ain", "");
	assert_int_equal(plant_ain_set(f->c560, 31, PLANT_AIN_MV_MAX), 0);
	assert_string_equal(get(f, CARD_560, "ain"), "31 30000\n");

	put(f, CARD_560, "ain", "");
	assert_int_equal(plant_ain_set(f->c560, 0, PLANT_AIN_MV_MIN), 0);
	assert_string_equal(get(f, CARD_560, "ain"), "0 -30000\n");
}

static void test_ain_set_out_of_range(void **state)
{
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS] = {};

	put(f, CARD_560, "ain", "untouched");
	assert_int_equal(plant_ain_set(f->c560, 32, 0), -ERANGE);
	assert_int_equal(plant_ain_set(f->c560, UINT_MAX, 0), -ERANGE);
	assert_int_equal(plant_ain_set(f->c560, 0, 30001), -ERANGE);
	assert_int_equal(plant_ain_set(f->c560, 0, -30001), -ERANGE);
	assert_int_equal(plant_ain_set(f->c560, 0, INT_MIN), -ERANGE);

	mv[31] = 30001;
	assert_int_equal(plant_ain_set_all(f->c560, mv), -ERANGE);
	mv[31] = 0;
	mv[0] = -30001;
	assert_int_equal(plant_ain_set_all(f->c560, mv), -ERANGE);
	assert_string_equal(get(f, CARD_560, "ain"), "untouched");
}

static void test_ain_set_all(void **state)
{
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS];

	for (int ch = 0; ch < PLANT_AIN_CHANNELS; ch++)
		mv[ch] = ch * 100 - 1600;
	mv[0] = PLANT_AIN_MV_MIN;
	mv[31] = PLANT_AIN_MV_MAX;

	put(f, CARD_560, "ain", "");
	io.log_writes = true;
	assert_int_equal(plant_ain_set_all(f->c560, mv), 0);
	assert_string_equal(get(f, CARD_560, "ain"),
			    "-30000 -1500 -1400 -1300 -1200 -1100 -1000 -900 "
			    "-800 -700 -600 -500 -400 -300 -200 -100 0 100 200 "
			    "300 400 500 600 700 800 900 1000 1100 1200 1300 "
			    "1400 30000\n");
	/* All 32 channels in one write: a 20 Hz plant depends on it. */
	assert_null(strchr(strchr(io.write_log, '|') + 1, '|'));

	/* What is written reads back through the same parser. */
	int back[PLANT_AIN_CHANNELS];

	assert_int_equal(plant_ain_get_all(f->c560, back), 0);
	assert_memory_equal(back, mv, sizeof(mv));
}

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The plant's 20 Hz loop must not open a file per update. */
static void test_files_stay_open(void **state)
{
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS] = {};
	int before;

	assert_int_equal(plant_ain_set_all(f->c560, mv), 0);
	before = count_open_fds();
	for (int i = 0; i < 100; i++) {
		mv[i % PLANT_AIN_CHANNELS] = i;
		assert_int_equal(plant_ain_set_all(f->c560, mv), 0);
		assert_int_equal(plant_ain_get_all(f->c560, mv), 0);
	}
	assert_int_equal(count_open_fds(), before);
}

/* --------------------------------------------------------- range */

static void test_range(void **state)
{
	static const char *const bad[] = {
		"", "\n", "bipolar", "Bipolar\n", "bipolar \n", "bipolar\n\n",
		"tripolar\n",
	};
	struct fake *f = *state;
	enum plant_range range = 99;

	put(f, CARD_560, "range", "unipolar\n");
	assert_int_equal(plant_range_get(f->c560, &range), 0);
	assert_int_equal(range, PLANT_RANGE_UNIPOLAR);
	put(f, CARD_560, "range", "bipolar\n");
	assert_int_equal(plant_range_get(f->c560, &range), 0);
	assert_int_equal(range, PLANT_RANGE_BIPOLAR);

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		put(f, CARD_560, "range", bad[i]);
		if (plant_range_get(f->c560, &range) != -EBADMSG)
			fail_msg("range contents \"%s\" not refused", bad[i]);
		assert_int_equal(range, PLANT_RANGE_BIPOLAR);
	}

	put(f, CARD_560, "range", "");
	assert_int_equal(plant_range_set(f->c560, PLANT_RANGE_UNIPOLAR), 0);
	assert_string_equal(get(f, CARD_560, "range"), "unipolar\n");
	put(f, CARD_560, "range", "");
	assert_int_equal(plant_range_set(f->c560, PLANT_RANGE_BIPOLAR), 0);
	assert_string_equal(get(f, CARD_560, "range"), "bipolar\n");
	assert_int_equal(plant_range_set(f->c560, _PLANT_RANGE_MAX), -EINVAL);
	assert_string_equal(get(f, CARD_560, "range"), "bipolar\n");
}

/* ------------------------------------------------- hex registers */

static void test_relays(void **state)
{
	static const char *const bad[] = {
		"", "\n", "deadbeef\n", "0x\n", "0X00000001\n",
		"0x123456789\n", "0xdeadbeeg\n", "0xdeadbeef",
		"0xdeadbeef\n\n", "0xdeadbeef \n", " 0xdeadbeef\n", "0x-1\n",
	};
	struct fake *f = *state;
	uint32_t relays = 0;

	put(f, CARD_260, "relays", "0xdeadbeef\n");
	assert_int_equal(plant_relays_get(f->c260, &relays), 0);
	assert_int_equal(relays, 0xdeadbeef);
	put(f, CARD_260, "relays", "0x80000001\n");
	assert_int_equal(plant_relays_get(f->c260, &relays), 0);
	assert_int_equal(relays, 0x80000001);
	put(f, CARD_260, "relays", "0xFFFFFFFF\n");
	assert_int_equal(plant_relays_get(f->c260, &relays), 0);
	assert_int_equal(relays, 0xffffffff);
	put(f, CARD_260, "relays", "0x00000000\n");
	assert_int_equal(plant_relays_get(f->c260, &relays), 0);
	assert_int_equal(relays, 0);

	relays = 0x5555;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		put(f, CARD_260, "relays", bad[i]);
		if (plant_relays_get(f->c260, &relays) != -EBADMSG)
			fail_msg("relays contents \"%s\" not refused", bad[i]);
		assert_int_equal(relays, 0x5555);
	}
}

static void test_ports(void **state)
{
	static const char *const bad[] = {
		"", "0x\n", "0x0123456789abcdef0\n", "0x0123456789abcdef",
		"81985529216486895\n", "0x01234567 89abcdef\n",
	};
	struct fake *f = *state;
	uint64_t ports = 0;

	put(f, CARD_240, "ports", "0x0123456789abcdef\n");
	assert_int_equal(plant_ports_get(f->c240, &ports), 0);
	assert_true(ports == 0x0123456789abcdefULL);
	/* Port 0 is the least significant byte. */
	assert_int_equal(ports & 0xff, 0xef);

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		put(f, CARD_240, "ports", bad[i]);
		if (plant_ports_get(f->c240, &ports) != -EBADMSG)
			fail_msg("ports contents \"%s\" not refused", bad[i]);
		assert_true(ports == 0x0123456789abcdefULL);
	}

	put(f, CARD_240, "ports", "");
	assert_int_equal(plant_ports_set(f->c240, 0xffffffff00000001ULL), 0);
	assert_string_equal(get(f, CARD_240, "ports"), "0xffffffff00000001\n");
	put(f, CARD_240, "ports", "");
	assert_int_equal(plant_ports_set(f->c240, 0), 0);
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000000\n");
}

static void test_irq_inputs(void **state)
{
	static const char *const bad[] = {
		"", "0x\n", "0x100\n", "0x5a", "5a\n", "0x5z\n",
	};
	struct fake *f = *state;
	uint8_t levels = 0;

	put(f, CARD_240, "irq_inputs", "0x5a\n");
	assert_int_equal(plant_irq_inputs_get(f->c240, &levels), 0);
	assert_int_equal(levels, 0x5a);

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		put(f, CARD_240, "irq_inputs", bad[i]);
		if (plant_irq_inputs_get(f->c240, &levels) != -EBADMSG)
			fail_msg("irq_inputs contents \"%s\" not refused", bad[i]);
		assert_int_equal(levels, 0x5a);
	}

	put(f, CARD_240, "irq_inputs", "");
	assert_int_equal(plant_irq_inputs_set(f->c240, 0x81), 0);
	assert_string_equal(get(f, CARD_240, "irq_inputs"), "0x81\n");
	put(f, CARD_240, "irq_inputs", "");
	assert_int_equal(plant_irq_inputs_set(f->c240, 0), 0);
	assert_string_equal(get(f, CARD_240, "irq_inputs"), "0x00\n");
}

/* A pulse is exactly one rising edge and leaves the levels as they were. */
static void test_irq_pulse(void **state)
{
	struct fake *f = *state;

	put(f, CARD_240, "irq_inputs", "0x04\n");
	io.log_writes = true;
	assert_int_equal(plant_irq_pulse(f->c240, 0), 0);
	assert_string_equal(io.write_log, "0x05\n|0x04\n|");
	assert_string_equal(get(f, CARD_240, "irq_inputs"), "0x04\n");

	/* An input already high goes low first; the edge is its return. */
	io.write_log[0] = '\0';
	assert_int_equal(plant_irq_pulse(f->c240, 2), 0);
	assert_string_equal(io.write_log, "0x00\n|0x04\n|");

	io.write_log[0] = '\0';
	put(f, CARD_240, "irq_inputs", "0x7f\n");
	assert_int_equal(plant_irq_pulse(f->c240, 7), 0);
	assert_string_equal(io.write_log, "0xff\n|0x7f\n|");

	io.write_log[0] = '\0';
	assert_int_equal(plant_irq_pulse(f->c240, PLANT_IRQ_INPUTS), -ERANGE);
	assert_int_equal(plant_irq_pulse(f->c240, UINT_MAX), -ERANGE);
	assert_string_equal(io.write_log, "");

	/* Unreadable levels: no pulse at all. */
	put(f, CARD_240, "irq_inputs", "garbage\n");
	assert_int_equal(plant_irq_pulse(f->c240, 1), -EBADMSG);
	assert_string_equal(io.write_log, "");
}

static void test_flags(void **state)
{
	struct fake *f = *state;
	uint8_t flags = 0;

	put(f, CARD_240, "flags", "0xa5\n");
	assert_int_equal(plant_flags_get(f->c240, &flags), 0);
	assert_int_equal(flags, 0xa5);
	put(f, CARD_240, "flags", "0xa5a\n");
	assert_int_equal(plant_flags_get(f->c240, &flags), -EBADMSG);
	put(f, CARD_240, "flags", "a5\n");
	assert_int_equal(plant_flags_get(f->c240, &flags), -EBADMSG);
	assert_int_equal(flags, 0xa5);
}

/* --------------------------------------------------------- faults */

static void test_fault(void **state)
{
	static const char *const bad[] = {
		"", "\n", "none", "melt\n", "adc_stuck\n", "NONE\n", "none \n",
	};
	struct fake *f = *state;
	enum plant_fault fault = PLANT_FAULT_NONE;
	char expected[32];

	for (int i = 0; i < _PLANT_FAULT_MAX; i++) {
		put(f, CARD_260, "fault", "");
		assert_int_equal(plant_fault_set(f->c260, i), 0);
		snprintf(expected, sizeof(expected), "%s\n", plant_fault_to_string(i));
		assert_string_equal(get(f, CARD_260, "fault"), expected);
		assert_int_equal(plant_fault_get(f->c260, &fault), 0);
		assert_int_equal(fault, i);
	}

	put(f, CARD_560, "fault", "adc-stuck\n");
	assert_int_equal(plant_fault_get(f->c560, &fault), 0);
	assert_int_equal(fault, PLANT_FAULT_ADC_STUCK);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		put(f, CARD_560, "fault", bad[i]);
		if (plant_fault_get(f->c560, &fault) != -EBADMSG)
			fail_msg("fault contents \"%s\" not refused", bad[i]);
		assert_int_equal(fault, PLANT_FAULT_ADC_STUCK);
	}

	put(f, CARD_560, "fault", "untouched");
	assert_int_equal(plant_fault_set(f->c560, _PLANT_FAULT_MAX), -EINVAL);
	assert_int_equal(plant_fault_set(f->c560, -1), -EINVAL);
	assert_string_equal(get(f, CARD_560, "fault"), "untouched");
}

/* ------------------------------------------------ short and failing I/O */

static void test_short_reads(void **state)
{
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS];
	uint64_t ports;
	enum plant_fault fault;

	put(f, CARD_560, "ain",
	    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 "
	    "25 26 27 28 29 30 31 -32\n");
	put(f, CARD_240, "ports", "0x0123456789abcdef\n");
	put(f, CARD_240, "fault", "no-reset-clear\n");

	for (size_t chunk = 1; chunk <= 7; chunk++) {
		io.read_chunk = chunk;
		assert_int_equal(plant_ain_get_all(f->c560, mv), 0);
		for (int ch = 0; ch < 31; ch++)
			assert_int_equal(mv[ch], ch + 1);
		assert_int_equal(mv[31], -32);
		assert_int_equal(plant_ports_get(f->c240, &ports), 0);
		assert_true(ports == 0x0123456789abcdefULL);
		assert_int_equal(plant_fault_get(f->c240, &fault), 0);
		assert_int_equal(fault, PLANT_FAULT_NO_RESET_CLEAR);
	}
}

static void test_short_write(void **state)
{
	struct fake *f = *state;
	int mv[PLANT_AIN_CHANNELS] = {};

	io.write_short = true;
	assert_int_equal(plant_ain_set_all(f->c560, mv), -EIO);
	assert_int_equal(plant_ain_set(f->c560, 1, 1), -EIO);
	assert_int_equal(plant_ports_set(f->c240, 1), -EIO);
	assert_int_equal(plant_fault_set(f->c260, PLANT_FAULT_ABSENT), -EIO);
}

/* The simulator's refusal (EINVAL from write) reaches the caller. */
static void test_write_refused(void **state)
{
	struct fake *f = *state;

	io.write_errno = EINVAL;
	assert_int_equal(plant_fault_set(f->c560, PLANT_FAULT_ADC_ERROR), -EINVAL);
	assert_int_equal(plant_range_set(f->c560, PLANT_RANGE_UNIPOLAR), -EINVAL);
	io.write_errno = ENODEV;
	assert_int_equal(plant_ports_set(f->c240, 1), -ENODEV);
	io.write_errno = 0;

	/* EINTR is retried, not reported. */
	put(f, CARD_240, "ports", "");
	io.interrupts = 2;
	assert_int_equal(plant_ports_set(f->c240, 0x10), 0);
	assert_int_equal(io.interrupts, 0);
	assert_string_equal(get(f, CARD_240, "ports"), "0x0000000000000010\n");
}

/* ------------------------------------------------- command line */

static int parse(struct plant_cli_command *cmd, char *err_text, size_t size, ...)
{
	char *argv[64] = { "xvme-plant" };
	int argc = 1, r;
	va_list ap;
	FILE *err;

	va_start(ap, size);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);

	err = fmemopen(err_text, size, "w");
	assert_non_null(err);
	setbuf(err, NULL);
	memset(cmd, 0x5a, sizeof(*cmd));
	r = plant_cli_parse(argc, argv, cmd, err);
	fclose(err);
	return r;
}

#define PARSE(cmd, ...) parse(cmd, err_text, sizeof(err_text), __VA_ARGS__, NULL)

static void test_cli_parse(void **state)
{
	struct plant_cli_command cmd;
	char err_text[512] = "";

	assert_int_equal(PARSE(&cmd, "list"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_LIST);
	assert_null(cmd.root);
	assert_null(cmd.card);

	assert_int_equal(PARSE(&cmd, "--root", "/x", "list"), 0);
	assert_string_equal(cmd.root, "/x");
	assert_int_equal(PARSE(&cmd, "-r", "/y", "list"), 0);
	assert_string_equal(cmd.root, "/y");
	assert_int_equal(PARSE(&cmd, "--root=/z", CARD_560, "ain"), 0);
	assert_string_equal(cmd.root, "/z");
	assert_string_equal(cmd.card, CARD_560);
	assert_int_equal(cmd.verb, PLANT_CLI_AIN);

	assert_int_equal(PARSE(&cmd, "--help"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_HELP);

	/* Negative millivolts are not options. */
	assert_int_equal(PARSE(&cmd, CARD_560, "ain-set", "3", "-500"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_AIN_SET);
	assert_int_equal(cmd.channel, 3);
	assert_int_equal(cmd.mv[0], -500);
	assert_int_equal(PARSE(&cmd, CARD_560, "ain-set", "31", "30000"), 0);
	assert_int_equal(cmd.channel, 31);
	assert_int_equal(cmd.mv[0], 30000);

	assert_int_equal(PARSE(&cmd, CARD_560, "ain-set-all",
			       "-30000", "1", "2", "3", "4", "5", "6", "7", "8",
			       "9", "10", "11", "12", "13", "14", "15", "16",
			       "17", "18", "19", "20", "21", "22", "23", "24",
			       "25", "26", "27", "28", "29", "30", "30000"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_AIN_SET_ALL);
	assert_int_equal(cmd.mv[0], -30000);
	for (int ch = 1; ch < 31; ch++)
		assert_int_equal(cmd.mv[ch], ch);
	assert_int_equal(cmd.mv[31], 30000);

	assert_int_equal(PARSE(&cmd, CARD_240, "ports"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_PORTS);
	assert_false(cmd.set);
	assert_int_equal(PARSE(&cmd, CARD_240, "ports", "0xffffffffffffffff"), 0);
	assert_true(cmd.set);
	assert_true(cmd.value == UINT64_MAX);
	assert_int_equal(PARSE(&cmd, CARD_240, "ports", "18"), 0);
	assert_true(cmd.value == 18);
	/* A leading zero is not octal. */
	assert_int_equal(PARSE(&cmd, CARD_240, "ports", "010"), 0);
	assert_true(cmd.value == 10);
	assert_int_equal(PARSE(&cmd, CARD_240, "ports", "0XfF"), 0);
	assert_true(cmd.value == 0xff);

	assert_int_equal(PARSE(&cmd, CARD_240, "irq-inputs", "0xff"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_IRQ_INPUTS);
	assert_true(cmd.set);
	assert_true(cmd.value == 0xff);
	assert_int_equal(PARSE(&cmd, CARD_240, "irq-inputs"), 0);
	assert_false(cmd.set);

	assert_int_equal(PARSE(&cmd, CARD_240, "pulse", "7"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_PULSE);
	assert_int_equal(cmd.bit, 7);

	assert_int_equal(PARSE(&cmd, CARD_240, "fault", "no-reset-clear"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_FAULT);
	assert_true(cmd.set);
	assert_int_equal(cmd.name_value, PLANT_FAULT_NO_RESET_CLEAR);
	assert_int_equal(PARSE(&cmd, CARD_240, "fault"), 0);
	assert_false(cmd.set);

	assert_int_equal(PARSE(&cmd, CARD_560, "range", "unipolar"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_RANGE);
	assert_int_equal(cmd.name_value, PLANT_RANGE_UNIPOLAR);

	assert_int_equal(PARSE(&cmd, CARD_260, "relays"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_RELAYS);
	assert_int_equal(PARSE(&cmd, CARD_240, "flags"), 0);
	assert_int_equal(cmd.verb, PLANT_CLI_FLAGS);
}

static void test_cli_parse_errors(void **state)
{
	static const struct {
		const char *args[5];
		const char *message;
	} bad[] = {
		{ { NULL }, "no card or command given" },
		{ { CARD_560 }, "xvme0-0c00: no command given" },
		{ { CARD_560, "bogus" }, "unknown command 'bogus'" },
		{ { CARD_560, "list" }, "unknown command 'list'" },
		{ { "-x", "list" }, "unknown option '-x'" },
		{ { "--bogus", "list" }, "unknown option '--bogus'" },
		{ { "--root" }, "option '--root' needs an argument" },
		{ { "--root", "", "list" }, "--root needs a directory" },
		{ { "list", "extra" }, "list: takes 0 arguments, got 1" },
		{ { "../x", "ain" }, "'../x' is not a card name" },
		{ { "a/b", "ain" }, "'a/b' is not a card name" },
		{ { CARD_560, "ain", "1" }, "ain: takes 0 arguments, got 1" },
		{ { CARD_560, "ain-set", "1" }, "ain-set: takes 2 arguments, got 1" },
		{ { CARD_560, "ain-set", "32", "0" }, "channel '32' is not a number 0..31" },
		{ { CARD_560, "ain-set", "-1", "0" }, "channel '-1' is not a number 0..31" },
		{ { CARD_560, "ain-set", "x", "0" }, "channel 'x' is not a number 0..31" },
		{ { CARD_560, "ain-set", "1", "30001" }, "'30001' is outside the simulator's input range -30000..30000 mV" },
		{ { CARD_560, "ain-set", "1", "-30001" }, "'-30001' is outside the simulator's input range" },
		{ { CARD_560, "ain-set", "1", "1.5" }, "'1.5' is not a whole number of millivolts" },
		{ { CARD_560, "ain-set", "1", "" }, "'' is not a whole number of millivolts" },
		{ { CARD_560, "ain-set", "1", "99999999999999999999" }, "is outside the simulator's input range" },
		{ { CARD_560, "ain-set-all", "1", "2" }, "ain-set-all: takes 32 arguments, got 2" },
		{ { CARD_560, "range", "tripolar" }, "unknown range 'tripolar'" },
		{ { CARD_560, "range", "bipolar", "x" }, "range: takes at most 1 argument, got 2" },
		{ { CARD_260, "relays", "1" }, "relays: takes 0 arguments, got 1" },
		{ { CARD_240, "ports", "0x10000000000000000" }, "'0x10000000000000000' is not a 64-bit value" },
		{ { CARD_240, "ports", "-1" }, "'-1' is not a 64-bit value" },
		{ { CARD_240, "ports", "0xg" }, "'0xg' is not a 64-bit value" },
		{ { CARD_240, "ports", "0x" }, "'0x' is not a 64-bit value" },
		{ { CARD_240, "ports", "0x-1" }, "'0x-1' is not a 64-bit value" },
		{ { CARD_240, "ports", " 1" }, "' 1' is not a 64-bit value" },
		{ { CARD_240, "ports", "ff" }, "'ff' is not a 64-bit value" },
		{ { CARD_240, "ports", "1 " }, "'1 ' is not a 64-bit value" },
		{ { CARD_240, "irq-inputs", "256" }, "'256' is not a 8-bit value" },
		{ { CARD_240, "pulse", "8" }, "interrupt input '8' is not a number 0..7" },
		{ { CARD_240, "pulse" }, "pulse: takes 1 argument, got 0" },
		{ { CARD_240, "flags", "1" }, "flags: takes 0 arguments, got 1" },
		{ { CARD_240, "fault", "melt" }, "unknown fault 'melt'; one of: none absent bad-id adc-stuck adc-error no-reset-clear" },
	};
	struct plant_cli_command cmd;
	char err_text[512];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		const char *const *a = bad[i].args;
		int r;

		memset(err_text, 0, sizeof(err_text));
		r = parse(&cmd, err_text, sizeof(err_text), a[0], a[1], a[2],
			  a[3], a[4], NULL);
		if (r != -EINVAL)
			fail_msg("case %zu (%s) parsed", i, bad[i].message);
		if (!strstr(err_text, bad[i].message))
			fail_msg("case %zu: expected \"%s\", got \"%s\"", i,
				 bad[i].message, err_text);
	}
}

/* Run a command line against the fake root; output in @out_text. */
static int cli(struct fake *f, char *out_text, char *err_text, ...)
{
	char *argv[64] = { "xvme-plant", "--root", f->root };
	struct plant_cli_command cmd;
	int argc = 3, r;
	va_list ap;
	FILE *out, *err;

	va_start(ap, err_text);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);

	memset(out_text, 0, 512);
	memset(err_text, 0, 512);
	out = fmemopen(out_text, 512, "w");
	err = fmemopen(err_text, 512, "w");
	assert_non_null(out);
	assert_non_null(err);
	r = plant_cli_parse(argc, argv, &cmd, err);
	if (r == 0)
		r = plant_cli_run(&cmd, out, err);
	else
		r = PLANT_CLI_EXIT_USAGE;
	fclose(out);
	fclose(err);
	return r;
}

#define CLI(...) cli(f, out_text, err_text, __VA_ARGS__, NULL)

static void test_cli_run(void **state)
{
	struct fake *f = *state;
	char out_text[512], err_text[512];

	assert_int_equal(CLI("list"), PLANT_CLI_EXIT_OK);
	assert_string_equal(out_text, CARD_240 "\n" CARD_260 "\n" CARD_560 "\n");

	put(f, CARD_560, "ain", "");
	assert_int_equal(CLI(CARD_560, "ain-set", "4", "-250"), PLANT_CLI_EXIT_OK);
	assert_string_equal(get(f, CARD_560, "ain"), "4 -250\n");
	assert_string_equal(out_text, "");
	assert_string_equal(err_text, "");

	put(f, CARD_560, "ain",
	    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 "
	    "25 26 27 28 29 30 31 -32\n");
	assert_int_equal(CLI(CARD_560, "ain"), PLANT_CLI_EXIT_OK);
	assert_string_equal(out_text,
			    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 "
			    "21 22 23 24 25 26 27 28 29 30 31 -32\n");

	put(f, CARD_260, "relays", "0x00000101\n");
	assert_int_equal(CLI(CARD_260, "relays"), PLANT_CLI_EXIT_OK);
	assert_string_equal(out_text, "0x00000101\n");

	put(f, CARD_240, "ports", "");
	assert_int_equal(CLI(CARD_240, "ports", "255"), PLANT_CLI_EXIT_OK);
	assert_string_equal(get(f, CARD_240, "ports"), "0x00000000000000ff\n");
	assert_int_equal(CLI(CARD_240, "ports"), PLANT_CLI_EXIT_OK);
	assert_string_equal(out_text, "0x00000000000000ff\n");

	put(f, CARD_240, "irq_inputs", "0x00\n");
	io.log_writes = true;
	assert_int_equal(CLI(CARD_240, "pulse", "3"), PLANT_CLI_EXIT_OK);
	assert_string_equal(io.write_log, "0x08\n|0x00\n|");
	io.log_writes = false;

	put(f, CARD_240, "flags", "0x80\n");
	assert_int_equal(CLI(CARD_240, "flags"), PLANT_CLI_EXIT_OK);
	assert_string_equal(out_text, "0x80\n");

	put(f, CARD_560, "fault", "");
	assert_int_equal(CLI(CARD_560, "fault", "adc-error"), PLANT_CLI_EXIT_OK);
	assert_string_equal(get(f, CARD_560, "fault"), "adc-error\n");
	assert_int_equal(CLI(CARD_560, "fault"), PLANT_CLI_EXIT_OK);
	assert_string_equal(out_text, "adc-error\n");

	assert_int_equal(CLI(CARD_560, "range"), PLANT_CLI_EXIT_OK);
	assert_string_equal(out_text, "bipolar\n");

	assert_int_equal(CLI("--help"), PLANT_CLI_EXIT_OK);
	assert_non_null(strstr(out_text, "Usage: xvme-plant"));
}

static void test_cli_run_errors(void **state)
{
	struct fake *f = *state;
	char out_text[512], err_text[512];
	char expected[PATH_MAX + 128];

	assert_int_equal(CLI("xvme0-1000", "ain"), PLANT_CLI_EXIT_FAILED);
	snprintf(expected, sizeof(expected),
		 "xvme-plant: xvme0-1000: no such card under %s (see xvme-plant list)\n",
		 f->root);
	assert_string_equal(err_text, expected);

	assert_int_equal(CLI(CARD_240, "ain"), PLANT_CLI_EXIT_FAILED);
	assert_string_equal(err_text,
			    "xvme-plant: xvme0-0400: ain: the card has no 'ain' plant file (not an XVME-560?)\n");
	assert_string_equal(out_text, "");

	put(f, CARD_260, "relays", "garbage\n");
	assert_int_equal(CLI(CARD_260, "relays"), PLANT_CLI_EXIT_FAILED);
	assert_string_equal(err_text,
			    "xvme-plant: xvme0-0800: relays: plant file 'relays' does not hold what the simulator writes\n");
	assert_string_equal(out_text, "");

	io.write_errno = EINVAL;
	assert_int_equal(CLI(CARD_560, "fault", "absent"), PLANT_CLI_EXIT_FAILED);
	assert_string_equal(err_text,
			    "xvme-plant: xvme0-0c00: fault: the simulator refused the value\n");
	io.write_errno = 0;

	/* A usage error opens nothing and writes nothing. */
	put(f, CARD_560, "ain", "untouched");
	assert_int_equal(CLI(CARD_560, "ain-set", "40", "0"), PLANT_CLI_EXIT_USAGE);
	assert_string_equal(get(f, CARD_560, "ain"), "untouched");

	char *saved = strdup(f->root);

	assert_non_null(saved);
	strcat(f->root, "/nowhere");
	assert_int_equal(CLI("list"), PLANT_CLI_EXIT_FAILED);
	snprintf(expected, sizeof(expected),
		 "xvme-plant: cannot open plant root %s: No such file or directory (is xvme-sim loaded and debugfs mounted?)\n",
		 f->root);
	assert_string_equal(err_text, expected);
	strcpy(f->root, saved);
	free(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_names),
		cmocka_unit_test(test_range_names),
		cmocka_unit_test_setup_teardown(test_open_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ain_get_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ain_get_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ain_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ain_set_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ain_set_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_stay_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_pulse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_refused, setup, teardown),
		cmocka_unit_test(test_cli_parse),
		cmocka_unit_test(test_cli_parse_errors),
		cmocka_unit_test_setup_teardown(test_cli_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_run_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("plant", tests, NULL, NULL);
}
