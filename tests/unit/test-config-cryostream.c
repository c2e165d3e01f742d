// SPDX-License-Identifier: GPL-2.0
/*
 * Cryostream controllers in the station configuration: the cryostream and
 * cryostream-link statements, their errors with file:line:col, the
 * cryostream records of the database (layout, round trip, corruption) and
 * the dump round trip. Texts append to BASE_STATION (lines 1-28).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/config/database.h"
#include "daemon/config/dump.h"
#include "daemon/shared/crc32.h"
#include "daemon/shared/little-endian.h"
#include "tests/unit/config-test-util.h"

#define TWO_CONTROLLERS \
	"cryostream-link {\n"			/* 29 */ \
	"\tstatus-port 40304\n"			/* 30 */ \
	"\tcommand-port 40305\n"		/* 31 */ \
	"\tsilence-timeout 3s\n"		/* 32 */ \
	"\tcommand-timeout 20s\n"		/* 33 */ \
	"\tchecksum ignore\n"			/* 34 */ \
	"}\n"					/* 35 */ \
	"cryostream CS1 {\n"			/* 36 */ \
	"\tnumber 369\n"			/* 37 */ \
	"\taddress 192.168.0.113\n"		/* 38 */ \
	"}\n"					/* 39 */ \
	"cryostream CS0 { number 411; address 192.168.0.144 }\n"	/* 40 */

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

static void test_controllers_and_link(void **state)
{
	struct compiled out;
	const struct cryostream_link *link;
	const struct cryostream *c;
	char address[INET_ADDRSTRLEN];

	compile_ok(TWO_CONTROLLERS, &out);
	link = &out.station->globals.cryostream_link;
	assert_int_equal(link->status_port, 40304);
	assert_int_equal(link->command_port, 40305);
	assert_int_equal(link->silence_timeout_s, 3);
	assert_int_equal(link->command_timeout_s, 20);
	assert_true(link->ignore_checksum);
	/* sorted by name, whatever the order written */
	assert_int_equal(out.station->n_cryostreams, 2);
	assert_string_equal(out.station->cryostreams[0].name, "CS0");
	assert_string_equal(out.station->cryostreams[1].name, "CS1");
	c = station_find_cryostream(out.station, "CS1");
	assert_non_null(c);
	assert_int_equal(c->number, 369);
	assert_string_equal(inet_ntop(AF_INET, &c->address, address, sizeof(address)),
			    "192.168.0.113");
	assert_null(station_find_cryostream(out.station, "CS2"));
	compiled_done(&out);
}

static void test_defaults_and_optional_address(void **state)
{
	struct compiled out;
	const struct cryostream_link *link;

	compile_ok("cryostream Only { number 0 }\n", &out);
	link = &out.station->globals.cryostream_link;
	assert_int_equal(link->status_port, 30304);
	assert_int_equal(link->command_port, 30305);
	assert_int_equal(link->silence_timeout_s, 5);
	assert_int_equal(link->command_timeout_s, 10);
	assert_false(link->ignore_checksum);	/* checksums are verified */
	assert_int_equal(out.station->n_cryostreams, 1);
	assert_int_equal(out.station->cryostreams[0].number, 0);
	assert_int_equal(out.station->cryostreams[0].address, 0);
	compiled_done(&out);

	/* a station without any cryostream has none and the defaults */
	compile_ok("", &out);
	assert_int_equal(out.station->n_cryostreams, 0);
	assert_int_equal(out.station->globals.cryostream_link.status_port, 30304);
	compiled_done(&out);
}

/* The example with Cryostreams keeps compiling, with the include. */
static void test_example(void **state)
{
	struct compiled out;

	compile_path("daemon/examples/station-cryostream.conf", &out);
	for (size_t i = 0; i < out.n_lines; i++)
		print_message("# %s\n", out.lines[i]);
	assert_int_equal(out.result, 0);
	assert_int_equal(out.station->n_detectors, 72);
	assert_int_equal(out.station->n_cryostreams, 2);
	assert_int_equal(station_find_cryostream(out.station, "CS0")->number, 411);
	assert_int_equal(station_find_cryostream(out.station, "CS1")->address, 0);
	compiled_done(&out);
}

/* Records after the detectors: offsets of the others do not move. */
static void test_database_layout_and_round_trip(void **state)
{
	_cleanup_station_ struct station *back = NULL;
	_cleanup_free_ uint8_t *image = NULL, *again = NULL;
	struct database_error err = {};
	struct database_layout l;
	struct compiled out;
	size_t size, size_again;
	uint64_t o;

	compile_ok(TWO_CONTROLLERS, &out);
	database_layout_of(out.station, &l);
	assert_int_equal(l.n_cryostreams, 2);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_DETECTOR, 0, &o), 0);
	assert_int_equal(o, 64 + 128 + 3 * 32 + 128);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_CRYOSTREAM, 1, &o), 0);
	assert_int_equal(o, 64 + 128 + 3 * 32 + 128 + 128 + 64);
	assert_int_equal(database_record_offset(&l, DATABASE_RECORD_CRYOSTREAM, 2, &o), -ERANGE);
	assert_int_equal(database_file_size(&l), 64 + 128 + 3 * 32 + 128 + 128 + 2 * 64);

	assert_int_equal(database_encode(out.station, &image, &size), 0);
	assert_int_equal(get_le32(image + 8), DATABASE_VERSION);
	assert_int_equal(get_le16(image + 56), 2);		/* n_cryostreams */
	assert_int_equal(get_le16(image + 58), 64);		/* record size */
	assert_int_equal(get_le16(image + 64 + 60), 40304);	/* status port */
	assert_int_equal(image[64 + 72], 1);			/* checksum ignore */
	assert_int_equal(get_le16(image + 544), 5);		/* kind of record 0 */
	assert_memory_equal(image + 544 + 8, "CS0", 4);
	assert_int_equal(get_le16(image + 544 + 40), 411);
	assert_memory_equal(image + 544 + 44, "\xc0\xa8\x00\x90", 4);	/* 192.168.0.144 */

	assert_int_equal(database_decode(image, size, &back, &err), 0);
	assert_string_equal(err.message, "");
	assert_int_equal(back->n_cryostreams, 2);
	assert_string_equal(back->cryostreams[1].name, "CS1");
	assert_int_equal(back->cryostreams[1].number, 369);
	assert_int_equal(back->globals.cryostream_link.command_timeout_s, 20);
	assert_true(back->globals.cryostream_link.ignore_checksum);
	assert_int_equal(database_encode(back, &again, &size_again), 0);
	assert_int_equal(size_again, size);
	assert_memory_equal(again, image, size);
	/* the controllers are configuration: part of the id */
	back->cryostreams[0].number = 412;
	assert_int_not_equal(database_configuration_id(back),
			     database_configuration_id(out.station));
	compiled_done(&out);
}

/* Text -> database -> dump -> text -> the same database. */
static void test_dump_round_trip(void **state)
{
	static const char *const extras[] = {
		TWO_CONTROLLERS,
		"cryostream Only { number 0 }\n",
		"cryostream-link { silence-timeout 2min }\n",	/* settings alone survive */
		"cryostream-link { checksum ignore }\n",
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
		assert_int_equal(again.result, 0);
		assert_int_equal(database_encode(out.station, &first, &size1), 0);
		assert_int_equal(database_encode(again.station, &second, &size2), 0);
		assert_int_equal(size1, size2);
		assert_memory_equal(first, second, size1);
		if (i == 4)	/* no controllers, default settings: nothing dumped */
			assert_null(strstr(dumped, "cryostream"));
		compiled_done(&out);
		compiled_done(&again);
	}
}

struct error_case {
	const char *name;
	const char *text;		/* appended to BASE_STATION */
	const char *expected[3];
};

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct error_case cases[] = {
	{ "two controllers with number 0",
	  "cryostream A { number 0 }\ncryostream B { number 0 }\n",
	  { "test.conf:30:16: error: cryostream B: number 0 (the only controller on the network) cannot be used with another cryostream (A at test.conf:29:16); name each by its factory number" } },
	{ "number 0 next to a numbered controller",
	  "cryostream A { number 411 }\ncryostream B { number 0 }\n",
	  { "test.conf:30:16: error: cryostream B: number 0 (the only controller on the network) cannot be used with another cryostream (A at test.conf:29:16); name each by its factory number" } },
	{ "numbered controller after number 0",
	  "cryostream A { number 0 }\ncryostream B { number 411 }\n",
	  { "test.conf:30:16: error: cryostream B: number 0 (the only controller on the network) cannot be used with another cryostream (A at test.conf:29:16); name each by its factory number" } },
	{ "duplicate number",
	  "cryostream Z { number 411 }\ncryostream A { number 411 }\n",
	  { "test.conf:30:16: error: cryostream A: number 411 is already cryostream Z's (test.conf:29:16)" } },
	{ "duplicate name",
	  "cryostream CS0 { number 1 }\ncryostream CS0 { number 2 }\n",
	  { "test.conf:30:12: error: cryostream CS0 is already defined at test.conf:29:1" } },
	{ "bad name",
	  "cryostream CS-0 { number 1 }\n",
	  { "test.conf:29:12: error: cryostream name 'CS-0' is not 1-32 letters, digits or '_'" } },
	{ "name too long",
	  "cryostream A23456789012345678901234567890123 { number 1 }\n",
	  { "test.conf:29:12: error: cryostream name 'A23456789012345678901234567890123' is not 1-32 letters, digits or '_'" } },
	{ "number out of range",
	  "cryostream CS0 { number 65536 }\n",
	  { "test.conf:29:25: error: cryostream number 65536 is out of range (0-65535)" } },
	{ "missing number",
	  "cryostream CS0 {\n\taddress 10.0.0.1\n}\n",
	  { "test.conf:29:1: error: cryostream CS0: missing required key 'number' (the controller's factory number, or 0 for the only one)" } },
	{ "bad address",
	  "cryostream CS0 {\n\tnumber 1\n\taddress 192.168.1.500\n}\n",
	  { "test.conf:31:10: error: address '192.168.1.500' is not an IPv4 address (a.b.c.d)" } },
	{ "host name for an address",
	  "cryostream CS0 {\n\tnumber 1\n\taddress cryo.example.org\n}\n",
	  { "test.conf:31:10: error: address 'cryo.example.org' is not an IPv4 address (a.b.c.d)" } },
	{ "any address",
	  "cryostream CS0 {\n\tnumber 1\n\taddress 0.0.0.0\n}\n",
	  { "test.conf:31:10: error: address 0.0.0.0 is not the address of one controller" } },
	{ "broadcast address",
	  "cryostream CS0 {\n\tnumber 1\n\taddress 255.255.255.255\n}\n",
	  { "test.conf:31:10: error: address 255.255.255.255 is not the address of one controller" } },
	{ "unknown key",
	  "cryostream CS0 {\n\tnumber 1\n\tport 30305\n}\n",
	  { "test.conf:31:2: error: unknown key 'port' in cryostream CS0 (expected number, address)" } },
	{ "status port 0",
	  "cryostream-link {\n\tstatus-port 0\n}\n",
	  { "test.conf:30:14: error: status-port 0 is out of range (1-65535)" } },
	{ "command port too large",
	  "cryostream-link { command-port 70000 }\n",
	  { "test.conf:29:32: error: command-port 70000 is out of range (1-65535)" } },
	{ "silence timeout range",
	  "cryostream-link {\n\tsilence-timeout 2h\n}\n",
	  { "test.conf:30:18: error: silence-timeout 2h is out of range (1s-1h)" } },
	{ "command timeout range",
	  "cryostream-link {\n\tcommand-timeout 0s\n}\n",
	  { "test.conf:30:18: error: command-timeout 0s is out of range (1s-10min)" } },
	{ "checksum neither verify nor ignore",
	  "cryostream-link {\n\tchecksum off\n}\n",
	  { "test.conf:30:11: error: checksum: expected verify or ignore, found 'off'" } },
	{ "checksum given twice",
	  "cryostream-link { checksum verify; checksum ignore }\n",
	  { "test.conf:29:36: error: duplicate key 'checksum' in cryostream-link (first given at test.conf:29:19)" } },
	{ "duplicate link block",
	  "cryostream-link {\n}\ncryostream-link {\n}\n",
	  { "test.conf:31:1: error: duplicate cryostream-link block (first at test.conf:29:1)" } },
};
#pragma GCC diagnostic pop

static void run_case(void **state)
{
	const struct error_case *c = *state;
	_cleanup_free_ char *text = NULL;
	struct compiled out;

	assert_true(asprintf(&text, "%s%s", BASE_STATION, c->text) > 0);
	compile_string(text, &out);
	assert_compile_errors(&out, c->expected, ELEMENTSOF(c->expected));
	compiled_done(&out);
}

/* A database is checked as strictly as a text. */
static void test_database_corruption(void **state)
{
	struct compiled out;
	_cleanup_free_ uint8_t *image = NULL;
	struct database_error err = {};
	struct station *s = NULL;
	size_t size;
	uint8_t *record;

	compile_ok(TWO_CONTROLLERS, &out);
	assert_int_equal(database_encode(out.station, &image, &size), 0);
	record = image + 544 + 64;	/* CS1 */

	/* CS1 given CS0's number, resealed: a conflict the compiler refuses */
	put_le16(record + 40, 411);
	put_le32(record + 60, crc32_of(record, 60));
	assert_int_equal(database_decode(image, size, &s, &err), -EBADMSG);
	assert_string_equal(err.message,
			    "cryostream record 1 (CS1): number 411 conflicts with cryostream CS0 (number 411)");
	assert_null(s);

	/* a reserved byte set, resealed */
	put_le16(record + 40, 369);
	record[50] = 1;
	put_le32(record + 60, crc32_of(record, 60));
	assert_int_equal(database_decode(image, size, &s, &err), -EBADMSG);
	assert_string_equal(err.message, "cryostream record 1 at offset 608: invalid reserved bytes");

	/* a name that is not an object path element */
	record[50] = 0;
	record[8 + 2] = '-';
	put_le32(record + 60, crc32_of(record, 60));
	assert_int_equal(database_decode(image, size, &s, &err), -EBADMSG);
	assert_string_equal(err.message, "cryostream record 1 at offset 608: invalid cryostream name");

	/* a flipped bit without resealing */
	record[8 + 2] = '1';
	record[45] ^= 1;
	assert_int_equal(database_decode(image, size, &s, &err), -EBADMSG);
	assert_int_equal(strncmp(err.message, "cryostream record 1 at offset 608: checksum mismatch",
				 strlen("cryostream record 1 at offset 608: checksum mismatch")), 0);

	/* a cryostream link flag this build does not know, resealed */
	record[45] ^= 1;
	image[64 + 72] = 0x03;
	put_le32(image + 64 + 124, crc32_of(image + 64, 124));
	assert_int_equal(database_decode(image, size, &s, &err), -EBADMSG);
	assert_string_equal(err.message, "station record 0 at offset 64: invalid reserved bytes");
	image[64 + 72] = 0x01;

	/* a silence timeout out of range in the station record, resealed */
	put_le32(image + 64 + 64, 0);
	put_le32(image + 64 + 124, crc32_of(image + 64, 124));
	assert_int_equal(database_decode(image, size, &s, &err), -EBADMSG);
	assert_string_equal(err.message,
			    "station record 0 at offset 64: invalid cryostream silence timeout");
	compiled_done(&out);
}

/* The same through the program users run: stationd-compile check, compile
 * and dump (STATIOND_COMPILE, else build/bin/stationd-compile). */
static char *run(const char *cmd, int *status)
{
	char buf[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	*status = pclose(p);
	return strdup(buf);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void test_stationd_compile(void **state)
{
	const char *env = getenv("STATIOND_COMPILE");
	_cleanup_free_ char *compiler = NULL, *cmd = NULL, *out = NULL, *cwd = getcwd(NULL, 0);
	char dir[] = "/tmp/test-config-cryostream.XXXXXX";
	int status;

	assert_non_null(cwd);
	/* Absolute: the check runs in the directory of the file. */
	if (env && env[0] == '/')
		compiler = strdup(env);
	else
		assert_true(asprintf(&compiler, "%s/%s", cwd,
				     env ? env : "build/bin/stationd-compile") > 0);
	assert_non_null(compiler);
	assert_non_null(mkdtemp(dir));

	write_text(dir, "bad.conf",
		   BASE_STATION "cryostream A { number 0 }\ncryostream B { number 0 }\n");
	assert_true(asprintf(&cmd, "cd %s && %s check bad.conf 2>&1", dir, compiler) > 0);
	out = run(cmd, &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	assert_non_null(strstr(out, "bad.conf:30:16: error: cryostream B: number 0"));
	free(TAKE_PTR(out));
	free(TAKE_PTR(cmd));

	write_text(dir, "good.conf", BASE_STATION TWO_CONTROLLERS);
	assert_true(asprintf(&cmd, "cd %s && %s compile good.conf good.db >/dev/null 2>&1 && "
			     "%s dump good.db", dir, compiler, compiler) > 0);
	out = run(cmd, &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(strstr(out, "cryostream-link {\n\tstatus-port 40304\n"));
	assert_non_null(strstr(out, "\tcommand-timeout 20s\n\tchecksum ignore\n}\n"));
	assert_non_null(strstr(out, "\ncryostream CS0 {\n\tnumber 411\n\taddress 192.168.0.144\n}\n"));
	assert_non_null(strstr(out, "\ncryostream CS1 {\n\tnumber 369\n\taddress 192.168.0.113\n}\n"));
	free(TAKE_PTR(cmd));
	assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	struct CMUnitTest tests[7 + ELEMENTSOF(cases)] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_stationd_compile),
		cmocka_unit_test(test_controllers_and_link),
		cmocka_unit_test(test_defaults_and_optional_address),
		cmocka_unit_test(test_database_layout_and_round_trip),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_database_corruption),
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		tests[7 + i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = run_case,
			.initial_state = (void *)&cases[i],
		};
	return cmocka_run_group_tests_name("config-cryostream", tests, NULL, NULL);
}
