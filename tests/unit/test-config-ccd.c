// SPDX-License-Identifier: GPL-2.0
/*
 * Science CCDs in the station configuration: the ccd statement
 * (stationd.conf(5)), its errors with file:line:col, relative paths made
 * absolute, the ccd records of database version 3 (layout, round trip,
 * corruption) and the dump round trip. Texts append to BASE_STATION
 * (lines 1-28).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/config/database.h"
#include "daemon/config/dump.h"
#include "daemon/shared/crc32.h"
#include "daemon/shared/little-endian.h"
#include "tests/unit/config-test-util.h"

#define TWO_CCDS \
	"ccd CCD2 {\n"					/* 29 */ \
	"\tdevice \"/dev/unet7\"\n"			/* 30 */ \
	"\tprofile EEV12\n"				/* 31 */ \
	"\tprofile-dir \"/etc/ccd\"\n"			/* 32 */ \
	"\tdata-dir \"/srv/data/ccd2\"\n"		/* 33 */ \
	"\tdata-socket \"/run/stationd/ccd2.data\"\n"	/* 34 */ \
	"\thost-name INT\n"				/* 35 */ \
	"\tresend-limit 9\n"				/* 36 */ \
	"}\n"						/* 37 */ \
	"ccd CCD1 { tty ttyS1 }\n"			/* 38 */

static void compile_ok(const char *extra, struct compiled *out)
{
	_cleanup_free_ char *text = NULL;

	assert_true(asprintf(&text, "%s%s", BASE_STATION, extra) > 0);
	compile_string(text, out);
	for (size_t i = 0; i < out->n_lines; i++)
		print_message("# %s\n", out->lines[i]);
	assert_int_equal(out->result, 0);
	assert_int_equal(out->n_errors, 0);
}

static void compile_refused(const char *extra, const char *const *expected, size_t max)
{
	_cleanup_free_ char *text = NULL;
	struct compiled out;

	assert_true(asprintf(&text, "%s%s", BASE_STATION, extra) > 0);
	compile_string(text, &out);
	assert_compile_errors(&out, expected, max);
	compiled_done(&out);
}

static void test_statement_and_defaults(void **state)
{
	struct compiled out;
	const struct ccd *c;

	compile_ok(TWO_CCDS, &out);
	assert_int_equal(out.station->n_ccds, 2);
	/* Sorted by name. */
	c = &out.station->ccds[0];
	assert_string_equal(c->name, "CCD1");
	assert_string_equal(c->tty, "ttyS1");
	assert_string_equal(c->device, "");
	assert_string_equal(c->profile, "");
	assert_string_equal(c->profile_dir, "/etc/stationd/ccd");
	assert_string_equal(c->data_dir, "");
	assert_string_equal(c->data_socket, "");
	assert_string_equal(c->host_name, "SYS");
	assert_int_equal(c->resend_limit, 5);
	assert_int_equal(c->at.line, 38);

	c = &out.station->ccds[1];
	assert_string_equal(c->name, "CCD2");
	assert_string_equal(c->tty, "");
	assert_string_equal(c->device, "/dev/unet7");
	assert_string_equal(c->profile, "EEV12");
	assert_string_equal(c->profile_dir, "/etc/ccd");
	assert_string_equal(c->data_dir, "/srv/data/ccd2");
	assert_string_equal(c->data_socket, "/run/stationd/ccd2.data");
	assert_string_equal(c->host_name, "INT");
	assert_int_equal(c->resend_limit, 9);
	assert_ptr_equal(station_find_ccd(out.station, "CCD2"), c);
	assert_null(station_find_ccd(out.station, "CCD3"));
	compiled_done(&out);
}

static void test_relative_paths(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	struct compiled out;
	const struct ccd *c;

	/* "test.conf" is in the working directory: paths resolve against it. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	compile_ok("ccd C { tty pts3; profile-dir ccd; data-dir \"../fits\"; data-socket \"run/c.sock\" }\n",
		   &out);
	c = &out.station->ccds[0];
	snprintf(want, sizeof(want), "%s/ccd", cwd);
	assert_string_equal(c->profile_dir, want);
	snprintf(want, sizeof(want), "%s/../fits", cwd);
	assert_string_equal(c->data_dir, want);
	snprintf(want, sizeof(want), "%s/run/c.sock", cwd);
	assert_string_equal(c->data_socket, want);
	compiled_done(&out);
}

static void test_errors(void **state)
{
	{
		static const char *const want[] = {
			"test.conf:29:1: error: ccd CCD1: missing required key 'tty' (the serial line with the n_unet discipline) or 'device' (its frame device)",
		};
		compile_refused("ccd CCD1 { profile TEK5 }\n", want, ELEMENTSOF(want));
	}
	{
		static const char *const want[] = {
			"test.conf:29:23: error: ccd CCD1: give 'tty' or 'device', not both",
		};
		compile_refused("ccd CCD1 { tty ttyS1; device \"/dev/unet0\" }\n", want, ELEMENTSOF(want));
	}
	{
		static const char *const want[] = {
			"test.conf:30:9: error: ccd B: tty ttyS1 is already ccd A's (test.conf:29:9)",
			"test.conf:30:20: error: ccd B: data-socket /run/x is already ccd A's (test.conf:29:20)",
		};
		compile_refused("ccd A { tty ttyS1; data-socket \"/run/x\" }\n"
				"ccd B { tty ttyS1; data-socket \"/run/x\" }\n", want, ELEMENTSOF(want));
	}
	{
		static const char *const want[] = {
			"test.conf:29:5: error: ccd name 'CCD-1' is not 1-32 letters, digits or '_'",
			"test.conf:31:5: error: ccd A is already defined at test.conf:30:1",
		};
		compile_refused("ccd CCD-1 { tty ttyS1 }\nccd A { tty ttyS2 }\nccd A { tty ttyS3 }\n",
				want, ELEMENTSOF(want));
	}
	{
		static const char *const want[] = {
			"test.conf:29:30: error: host-name 'sys' is not 1-10 upper-case letters and digits",
			"test.conf:30:30: error: host-name 'ABCDEFGHIJK' is not 1-10 upper-case letters and digits",
			"test.conf:31:33: error: resend-limit 101 is out of range (0-100)",
			"test.conf:32:13: error: tty '-x' is not a tty name (ttyS1, pts3)",
			"test.conf:33:28: error: profile 'a.b' is not a profile name (the CCD's CCDNAME)",
			"test.conf:34:32: error: data-socket: path \"/run/01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" is longer than 107 bytes",
			"test.conf:35:20: error: unknown key 'port' in ccd G (expected tty, device, profile, profile-dir, data-dir, data-socket, host-name, resend-limit)",
			"test.conf:36:32: error: profile-dir: empty path",
		};
		compile_refused("ccd A { tty ttyS1; host-name sys }\n"
				"ccd B { tty ttyS2; host-name ABCDEFGHIJK }\n"
				"ccd C { tty ttyS3; resend-limit 101 }\n"
				"ccd D { tty -x }\n"
				"ccd E { tty ttyS5; profile a.b }\n"
				"ccd F { tty ttyS6; data-socket \"/run/01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" }\n"
				"ccd G { tty ttyS7; port 1 }\n"
				"ccd H { tty ttyS8; profile-dir \"\" }\n",
				want, ELEMENTSOF(want));
	}
}

/* Records after the cryostreams; version 3; n_ccds in header bytes 34-35. */
static void test_database_layout_and_round_trip(void **state)
{
	_cleanup_station_ struct station *back = NULL;
	_cleanup_free_ uint8_t *image = NULL, *again = NULL;
	struct database_error err = {};
	struct database_layout l;
	struct compiled out;
	size_t size, size_again;
	uint64_t o, base = 64 + 128 + 3 * 32 + 128 + 128;

	compile_ok("cryostream CS0 { number 0 }\n" TWO_CCDS, &out);
	database_layout_of(out.station, &l);
	assert_int_equal(l.n_ccds, 2);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_CCD, 0, &o), 0);
	assert_int_equal(o, base + 64);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_CCD, 1, &o), 0);
	assert_int_equal(o, base + 64 + 1024);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_CCD, 2, &o), -ERANGE);
	assert_int_equal(database_file_size(&l), base + 64 + 2 * 1024);

	assert_int_equal(database_encode(out.station, &image, &size), 0);
	assert_int_equal(get_le32(image + 8), 3);		/* version */
	assert_int_equal(get_le16(image + 32), 3);		/* n_cards */
	assert_int_equal(get_le16(image + 34), 2);		/* n_ccds */
	o = base + 64;
	assert_int_equal(get_le16(image + o), 6);		/* kind */
	assert_memory_equal(image + o + 8, "CCD1", 5);
	assert_memory_equal(image + o + 40, "SYS", 4);
	assert_int_equal(image[o + 52], 5);
	assert_memory_equal(image + o + 56, "ttyS1", 6);
	o += 1024;
	assert_memory_equal(image + o + 88, "EEV12", 6);
	assert_memory_equal(image + o + 120, "/dev/unet7", 11);
	assert_memory_equal(image + o + 248, "/etc/ccd", 9);
	assert_memory_equal(image + o + 504, "/srv/data/ccd2", 15);
	assert_memory_equal(image + o + 760, "/run/stationd/ccd2.data", 24);

	assert_int_equal(database_decode(image, size, &back, &err), 0);
	assert_string_equal(err.message, "");
	assert_int_equal(back->n_ccds, 2);
	assert_string_equal(back->ccds[1].data_socket, "/run/stationd/ccd2.data");
	assert_int_equal(back->ccds[1].resend_limit, 9);
	assert_int_equal(database_encode(back, &again, &size_again), 0);
	assert_int_equal(size_again, size);
	assert_memory_equal(again, image, size);
	/* The CCDs are configuration: part of the id. */
	back->ccds[0].resend_limit = 4;
	assert_int_not_equal(database_configuration_id(back),
			     database_configuration_id(out.station));
	compiled_done(&out);
}

static void reseal(uint8_t *record, size_t size)
{
	put_le32(record + size - 4, crc32_of(record, size - 4));
}

/* A database is not trusted more than a text: each bad field is named. */
static void test_database_corruption(void **state)
{
	static const struct {
		size_t offset;
		const char *bytes;
		size_t n;
		const char *message;
	} cases[] = {
		{ 8, "CCD 1", 5, "invalid ccd name" },
		{ 40, "sys", 3, "invalid host name" },
		{ 52, "\x65", 1, "invalid resend limit" },
		{ 53, "\x01", 1, "invalid reserved bytes" },
		{ 900, "\x01", 1, "invalid reserved bytes" },
		{ 56, "\0\0\0\0\0", 5, "invalid line or path" },	/* neither tty nor device */
		{ 120, "/dev/x", 6, "invalid line or path" },		/* both */
		{ 248, "relative\0\0\0\0\0\0\0\0\0\0", 18, "invalid line or path" },
		{ 61, "\0X", 2, "invalid text field" },			/* garbage after the NUL */
		{ 88, "a/b", 3, "invalid text field" },
	};
	struct compiled out;
	_cleanup_free_ uint8_t *image = NULL;
	struct database_layout l;
	size_t size;
	uint64_t o;

	compile_ok("ccd CCD1 { tty ttyS1 }\n", &out);
	assert_int_equal(database_encode(out.station, &image, &size), 0);
	database_layout_of(out.station, &l);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_CCD, 0, &o), 0);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ uint8_t *bad = malloc(size);
		struct station *s = NULL;
		struct database_error err = {};

		memcpy(bad, image, size);
		memcpy(bad + o + cases[i].offset, cases[i].bytes, cases[i].n);
		reseal(bad + o, DATABASE_CCD_RECORD_SIZE);
		assert_int_equal(database_decode(bad, size, &s, &err), -EBADMSG);
		assert_null(s);
		if (!strstr(err.message, cases[i].message))
			fail_msg("case %zu: %s", i, err.message);
	}
	/* More CCDs than a station may have. */
	{
		_cleanup_free_ uint8_t *bad = malloc(size);
		struct station *s = NULL;
		struct database_error err = {};

		memcpy(bad, image, size);
		put_le16(bad + 34, CCDS_MAX + 1);
		reseal(bad, 64);
		assert_int_equal(database_decode(bad, size, &s, &err), -EBADMSG);
		assert_non_null(strstr(err.message, "ccds (at most 16)"));
	}
	compiled_done(&out);
}

/* Text -> database -> dump -> text -> the same database. */
static void test_dump_round_trip(void **state)
{
	static const char *const extras[] = {
		TWO_CCDS,
		"ccd Q { device \"/dev/odd \\\"name\\\\\" }\n",
		"",
	};

	for (size_t i = 0; i < ELEMENTSOF(extras); i++) {
		_cleanup_free_ uint8_t *first = NULL, *second = NULL;
		_cleanup_free_ char *dumped = NULL;
		size_t size1, size2, dumped_size = 0;
		struct compiled out, again;
		FILE *f;

		compile_ok(extras[i], &out);
		f = open_memstream(&dumped, &dumped_size);
		assert_non_null(f);
		assert_int_equal(config_dump(out.station, f), 0);
		assert_int_equal(fclose(f), 0);
		compile_string(dumped, &again);
		for (size_t j = 0; j < again.n_lines; j++)
			print_message("# %s\n", again.lines[j]);
		assert_int_equal(again.result, 0);
		assert_int_equal(database_encode(out.station, &first, &size1), 0);
		assert_int_equal(database_encode(again.station, &second, &size2), 0);
		assert_int_equal(size1, size2);
		assert_memory_equal(first, second, size1);
		if (i == 1)
			assert_string_equal(again.station->ccds[0].device, "/dev/odd \"name\\");
		if (i == 2)
			assert_null(strstr(dumped, "ccd"));
		compiled_done(&out);
		compiled_done(&again);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statement_and_defaults),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_database_layout_and_round_trip),
		cmocka_unit_test(test_database_corruption),
		cmocka_unit_test(test_dump_round_trip),
	};

	return cmocka_run_group_tests_name("config-ccd", tests, NULL, NULL);
}
