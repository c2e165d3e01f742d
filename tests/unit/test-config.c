// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration compiler on good input: the example station, symbols,
 * includes, one-line blocks, several crates, generated stations of 1000+
 * detectors, the dump -> recompile round trip, and stationd-compile's
 * promise that a configuration with errors leaves the database untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "daemon/config/database.h"
#include "daemon/config/dump.h"
#include "tests/unit/config-test-util.h"

#define EXAMPLE "daemon/examples/station.conf"
#define GENERATOR "daemon/examples/generate-station"

static const char *compiler_path(void)
{
	const char *p = getenv("STATIOND_COMPILE");

	return p ? p : "build/bin/stationd-compile";
}

static char *make_temp_dir(void)
{
	char *dir = strdup("/tmp/test-config.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void remove_tree(const char *dir)
{
	_cleanup_free_ char *cmd = NULL;

	assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	assert_int_equal(system(cmd), 0);
}

static void test_example_station(void **state)
{
	struct compiled c;
	const struct detector *d;

	compile_path(EXAMPLE, &c);
	for (size_t i = 0; i < c.n_lines; i++)
		print_message("# %s\n", c.lines[i]);
	assert_int_equal(c.result, 0);
	assert_int_equal(c.n_lines, 0);
	assert_int_equal(c.station->n_detectors, 72);
	assert_int_equal(c.station->n_manifolds, 12);
	assert_int_equal(c.station->n_cards, 8);
	for (size_t i = 0; i < 12; i++) {
		char name[2] = { (char)('A' + i), '\0' };

		assert_string_equal(c.station->manifolds[i].name, name);
	}
	for (size_t i = 0; i < 72; i++) {
		assert_int_equal(c.station->detectors[i].number, i + 1);
		assert_int_equal(c.station->detectors[i].manifold, i / 6);
	}

	d = station_find_detector(c.station, 1);
	assert_non_null(d);
	assert_int_equal(d->sensor.kind, LINE_ADC);
	assert_int_equal(d->sensor.card, 0x0c00);
	assert_int_equal(d->sensor.index, 0);
	assert_int_equal(d->valve.kind, LINE_RELAY);
	assert_int_equal(d->valve.card, 0x0800);
	assert_int_equal(d->bias_shutdown.kind, LINE_PORT);
	assert_int_equal(d->bias_shutdown.card, 0x0400);
	assert_int_equal(d->reference_mv, 1500);
	assert_int_equal(d->max_fill_s, 20 * 60);
	assert_int_equal(d->closure_delay_s, 60);
	assert_int_equal(d->n_presets, 2);
	assert_int_equal(d->preset[0], 6 * 60);
	assert_int_equal(d->preset[1], 18 * 60);

	d = station_find_detector(c.station, 72);
	assert_non_null(d);
	assert_string_equal(d->manifold_name, "L");
	assert_int_equal(c.station->globals.scan_rate_millihz, 10000);
	assert_int_equal(c.station->globals.backup_interval_s, 300);
	assert_string_equal(c.station->globals.operator_group, "stationd-operator");
	assert_int_equal(c.station->globals.alarm.kind, LINE_FLAG);
	assert_int_equal(c.station->globals.dewar_inhibit.kind, LINE_PORT);
	assert_int_equal(c.station->globals.dewar_inhibit.index, 7 * 8);
	compiled_done(&c);
}

/* Symbols stand for words or strings, may name other symbols, and work in
 * every value position; ';' separates keys of a one-line block. */
static void test_symbols_and_one_line_blocks(void **state)
{
	struct compiled c;
	const struct detector *d;

	compile_string("# a comment line\n"
		       "define TTL 0x0400   # trailing comment\n"
		       "define RELAYS xvme0-0800\n"
		       "define ADC 3072\n"
		       "define SENSORS ADC\n"
		       "define GROUP \"cryo_ops\"\n"
		       "define REF 250mV\n"
		       "define EARLY 05\n"
		       "card 240 @ TTL\ncard 260 @ RELAYS\ncard 560 @ SENSORS unipolar\n"
		       "station { scan-rate 0.5Hz; backup-interval 90s; operator-group GROUP;"
		       " dewar-inhibit TTL:flag1; alarm TTL:flag0; slot-zero no; debounce-readings 5;"
		       " exhaust-sample-rate 250Hz }\n"
		       "manifold B { sensor ADC:31; input-valve RELAYS:30; output-valve RELAYS:31;"
		       " manual-fill-key TTL:irq7; reference REF; max-fill 2min; closure-delay 0s }\n"
		       "detector 9 { manifold B; sensor ADC:4; valve RELAYS:4; bias-shutdown TTL:port3.5;"
		       " reference REF; max-fill 1h; closure-delay 45s; preset 23:59 EARLY:30 12:00 00:00 }\n",
		       &c);
	for (size_t i = 0; i < c.n_lines; i++)
		print_message("# %s\n", c.lines[i]);
	assert_int_equal(c.result, 0);
	assert_int_equal(c.station->globals.scan_rate_millihz, 500);
	assert_int_equal(c.station->globals.backup_interval_s, 90);
	assert_string_equal(c.station->globals.operator_group, "cryo_ops");
	assert_int_equal(c.station->globals.debounce_readings, 5);
	assert_int_equal(c.station->globals.exhaust_sample_rate_millihz, 250000);
	assert_int_equal(c.station->globals.dewar_inhibit.kind, LINE_FLAG);
	assert_int_equal(c.station->globals.dewar_inhibit.index, 1);
	assert_int_equal(c.station->cards[2].adc_range, ADC_RANGE_UNIPOLAR);
	assert_int_equal(c.station->manifolds[0].manual_fill_key.kind, LINE_IRQ);
	assert_int_equal(c.station->manifolds[0].manual_fill_key.index, 7);
	assert_int_equal(c.station->manifolds[0].reference_mv, 250);
	d = station_find_detector(c.station, 9);
	assert_non_null(d);
	assert_int_equal(d->bias_shutdown.index, 3 * 8 + 5);
	assert_int_equal(d->max_fill_s, 3600);
	/* presets come out sorted */
	assert_int_equal(d->n_presets, 4);
	assert_int_equal(d->preset[0], 0);
	assert_int_equal(d->preset[1], 5 * 60 + 30);
	assert_int_equal(d->preset[2], 12 * 60);
	assert_int_equal(d->preset[3], 23 * 60 + 59);
	compiled_done(&c);
}

/* Files written on other systems: a byte order mark, CRLF line ends. */
static void test_bom_and_crlf(void **state)
{
	_cleanup_free_ char *text = NULL;
	struct compiled c;
	size_t n = 0;

	text = malloc(2 * sizeof(BASE_STATION) + 3);
	assert_non_null(text);
	memcpy(text, "\xef\xbb\xbf", 3);
	n = 3;
	for (const char *p = BASE_STATION; *p; p++) {
		if (*p == '\n')
			text[n++] = '\r';
		text[n++] = *p;
	}
	text[n] = '\0';
	compile_string(text, &c);
	for (size_t i = 0; i < c.n_lines; i++)
		print_message("# %s\n", c.lines[i]);
	assert_int_equal(c.result, 0);
	assert_int_equal(c.station->n_detectors, 1);
	compiled_done(&c);
}

/* Cards in two crates, and a card at 0x0000 where the station allows it. */
static void test_two_crates_and_slot_zero(void **state)
{
	struct compiled c;

	compile_string("card 240 @ xvme1-0000\ncard 260 @ xvme1-0400\ncard 560 @ 0x0400\n"
		       "station { scan-rate 10Hz; backup-interval 5min; slot-zero yes;"
		       " dewar-inhibit xvme1-0000:port7.0; alarm xvme1-0000:flag0 }\n"
		       "manifold A { sensor 0x0400:6; input-valve xvme1-0400:6; output-valve xvme1-0400:7;"
		       " manual-fill-key xvme1-0000:port0.6; reference 1.5V; max-fill 5min; closure-delay 30s }\n"
		       "detector 1 { manifold A; sensor 0x0400:0; valve xvme1-0400:0;"
		       " bias-shutdown xvme1-0000:port0.0; reference 1.5V; max-fill 20min; closure-delay 60s }\n",
		       &c);
	for (size_t i = 0; i < c.n_lines; i++)
		print_message("# %s\n", c.lines[i]);
	assert_int_equal(c.result, 0);
	assert_int_equal(c.station->globals.debounce_readings, DEBOUNCE_READINGS_DEFAULT);
	assert_int_equal(c.station->globals.exhaust_sample_rate_millihz,
			 EXHAUST_SAMPLE_RATE_MILLIHZ_DEFAULT);
	/* cards sorted by crate, then address */
	assert_int_equal(c.station->cards[0].crate, 0);
	assert_int_equal(c.station->cards[1].crate, 1);
	assert_int_equal(c.station->cards[1].address, 0x0000);
	assert_int_equal(c.station->cards[2].address, 0x0400);
	assert_int_equal(c.station->detectors[0].valve.crate, 1);
	compiled_done(&c);
}

/* Includes are relative to the including file; errors in an included file
 * carry its name; cycles are caught where they close. */
static void test_includes(void **state)
{
	_cleanup_free_ char *dir = make_temp_dir(), *top = NULL, *sub = NULL;
	char *loop;
	struct compiled c;

	assert_true(asprintf(&sub, "%s/sub", dir) > 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_true(asprintf(&top, "%s/station.conf", dir) > 0);
	write_file(dir, "station.conf", "include \"sub/cards.conf\"\n" BASE_STATION);
	write_file(dir, "sub/cards.conf", "include \"more.conf\"   # relative to sub/\n");
	write_file(dir, "sub/more.conf", "card 560 @ 0x1000\n");
	compile_path(top, &c);
	for (size_t i = 0; i < c.n_lines; i++)
		print_message("# %s\n", c.lines[i]);
	assert_int_equal(c.result, 0);
	assert_non_null(station_find_card(c.station, 0, 0x1000));
	compiled_done(&c);

	/* an error inside an included file names that file */
	write_file(dir, "sub/more.conf", "card 560 @ 0x1000\ncard 561 @ 0x1400\n");
	compile_path(top, &c);
	assert_int_equal(c.result, -EINVAL);
	assert_int_equal(c.n_lines, 1);
	assert_true(asprintf(&loop, "%s/sub/more.conf:2:6: error: card model 561 is not one of 240, 260, 560", dir) > 0);
	assert_string_equal(c.lines[0], loop);
	free(loop);
	compiled_done(&c);

	/* a cycle: more.conf includes the top file again */
	write_file(dir, "sub/more.conf", "card 560 @ 0x1000\ninclude \"../station.conf\"\n");
	compile_path(top, &c);
	assert_int_equal(c.result, -EINVAL);
	assert_int_equal(c.n_lines, 1);
	assert_true(asprintf(&loop, "%s/sub/more.conf:2:9: error: include cycle: \"../station.conf\" is already being read", dir) > 0);
	assert_string_equal(c.lines[0], loop);
	free(loop);
	compiled_done(&c);

	/* a file that includes itself */
	write_file(dir, "sub/more.conf", "include \"more.conf\"\n");
	compile_path(top, &c);
	assert_int_equal(c.result, -EINVAL);
	assert_int_equal(c.n_lines, 1);
	assert_true(asprintf(&loop, "%s/sub/more.conf:1:9: error: include cycle: \"more.conf\" is already being read", dir) > 0);
	assert_string_equal(c.lines[0], loop);
	free(loop);
	compiled_done(&c);

	/* a missing file */
	write_file(dir, "sub/more.conf", "include \"nothere.conf\"\n");
	compile_path(top, &c);
	assert_int_equal(c.result, -EINVAL);
	assert_int_equal(c.n_lines, 1);
	assert_true(asprintf(&loop, "%s/sub/more.conf:1:9: error: cannot include \"nothere.conf\": No such file or directory", dir) > 0);
	assert_string_equal(c.lines[0], loop);
	free(loop);
	compiled_done(&c);

	remove_tree(dir);
}

/* dump -> compile gives the same database, byte for byte. */
static void assert_round_trip(const struct station *s)
{
	_cleanup_free_ uint8_t *first = NULL, *second = NULL;
	_cleanup_free_ char *text = NULL;
	size_t first_size, second_size, text_size = 0;
	FILE *f = open_memstream(&text, &text_size);
	struct compiled again;

	assert_int_equal(database_encode(s, &first, &first_size), 0);
	assert_non_null(f);
	assert_int_equal(config_dump(s, f), 0);
	fclose(f);
	compile_string(text, &again);
	for (size_t i = 0; i < again.n_lines; i++)
		print_message("# %s\n", again.lines[i]);
	assert_int_equal(again.result, 0);
	assert_int_equal(database_encode(again.station, &second, &second_size), 0);
	assert_int_equal(first_size, second_size);
	assert_memory_equal(first, second, first_size);
	compiled_done(&again);
}

static void test_round_trip_example(void **state)
{
	struct compiled c;

	compile_path(EXAMPLE, &c);
	assert_int_equal(c.result, 0);
	assert_round_trip(c.station);
	compiled_done(&c);
}

static void test_round_trip_unusual_values(void **state)
{
	struct compiled c;

	compile_string(BASE_STATION
		       "card 560 @ xvme3-fc00 unipolar\n"
		       "detector 99999 { manifold A; sensor xvme3-fc00:31; valve 0x0800:31;"
		       " bias-shutdown 0x0400:irq3; reference 9.995V; max-fill 7199s; closure-delay 1h }\n"
		       "detector 2 { manifold A; sensor 0x0c00:1; valve 0x0800:1;"
		       " bias-shutdown 0x0400:port0.1; reference -10V; max-fill 1s; closure-delay 0s;"
		       " preset 00:00 23:59 12:34 01:01 }\n", &c);
	for (size_t i = 0; i < c.n_lines; i++)
		print_message("# %s\n", c.lines[i]);
	assert_int_equal(c.result, 0);
	assert_round_trip(c.station);
	compiled_done(&c);
}

/* A debounce setting survives dump and compile; the default is written as
 * 0, the bytes of a database compiled before the setting existed. */
static void test_round_trip_debounce(void **state)
{
	_cleanup_free_ uint8_t *image = NULL;
	size_t size;
	struct compiled c;

	for (unsigned n = DEBOUNCE_READINGS_MIN; n <= DEBOUNCE_READINGS_MAX; n += 5) {
		_cleanup_free_ char *text = NULL;
		char key[64];

		const char *at = strstr(BASE_STATION, "\tscan-rate 10Hz\n");

		snprintf(key, sizeof(key), "\tdebounce-readings %u\n", n);
		assert_true(asprintf(&text, "%.*s%s%s", (int)(at - BASE_STATION), BASE_STATION, key,
				     at) > 0);
		compile_string(text, &c);
		assert_int_equal(c.result, 0);
		assert_int_equal(c.station->globals.debounce_readings, n);
		assert_round_trip(c.station);
		compiled_done(&c);
	}
	compile_string(BASE_STATION, &c);
	assert_int_equal(c.result, 0);
	assert_int_equal(database_encode(c.station, &image, &size), 0);
	assert_int_equal(image[DATABASE_HEADER_SIZE + 10], 0);
	compiled_done(&c);
}

/* The fast sampling rate survives dump and compile; the default is
 * written as 0, the bytes of a database compiled before it existed. */
static void test_round_trip_exhaust_sample_rate(void **state)
{
	static const char *const rates[] = { "1Hz", "12.5Hz", "100Hz", "1000Hz" };
	static const uint32_t millihz[] = { 1000, 12500, 100000, 1000000 };
	_cleanup_free_ uint8_t *image = NULL;
	const char *at = strstr(BASE_STATION, "\tscan-rate 10Hz\n");
	size_t size;
	struct compiled c;

	for (size_t i = 0; i < ELEMENTSOF(rates); i++) {
		_cleanup_free_ char *text = NULL;

		assert_true(asprintf(&text, "%.*s\texhaust-sample-rate %s\n%s",
				     (int)(at - BASE_STATION), BASE_STATION, rates[i], at) > 0);
		compile_string(text, &c);
		assert_int_equal(c.result, 0);
		assert_int_equal(c.station->globals.exhaust_sample_rate_millihz, millihz[i]);
		assert_round_trip(c.station);
		compiled_done(&c);
	}
	compile_string(BASE_STATION, &c);
	assert_int_equal(c.result, 0);
	assert_int_equal(database_encode(c.station, &image, &size), 0);
	for (unsigned b = 73; b < 80; b++)
		assert_int_equal(image[DATABASE_HEADER_SIZE + b], 0);
	compiled_done(&c);
}

static char *generate(unsigned n)
{
	_cleanup_free_ char *cmd = NULL;
	char *text = NULL;
	size_t size = 0, used = 0;
	FILE *p;

	assert_true(asprintf(&cmd, "python3 %s -n %u", GENERATOR, n) > 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		if (used + 4096 + 1 > size) {
			size = size ? size * 2 : 65536;
			text = realloc(text, size);
			assert_non_null(text);
		}
		size_t got = fread(text + used, 1, 4096, p);

		if (got == 0)
			break;
		used += got;
	}
	text[used] = '\0';
	assert_int_equal(pclose(p), 0);
	return text;
}

/* 1000+ detectors: the generator's station compiles, spans two crates, and
 * round-trips. */
static void test_generated_stations(void **state)
{
	static const unsigned sizes[] = { 1, 7, 72, 1000, 4212 };

	for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
		_cleanup_free_ char *text = generate(sizes[i]);
		struct compiled c;

		compile_string(text, &c);
		for (size_t j = 0; j < c.n_lines; j++)
			print_message("# %s\n", c.lines[j]);
		assert_int_equal(c.result, 0);
		assert_int_equal(c.station->n_detectors, sizes[i]);
		assert_int_equal(c.station->n_manifolds, (sizes[i] + 5) / 6);
		assert_round_trip(c.station);
		if (sizes[i] == 1000)
			assert_int_equal(c.station->cards[c.station->n_cards - 1].crate, 1);
		compiled_done(&c);
	}
}

/* The checked-in example is exactly what the generator writes. */
static void test_example_is_generated(void **state)
{
	_cleanup_free_ char *dir = make_temp_dir(), *cmd = NULL;

	assert_true(asprintf(&cmd, "python3 %s -n 72 -o %s && cmp %s/station.conf %s && "
			     "cmp %s/cards.conf daemon/examples/cards.conf",
			     GENERATOR, dir, dir, EXAMPLE, dir) > 0);
	assert_int_equal(system(cmd), 0);
	remove_tree(dir);
}

static int run_compiler(const char *verb, const char *a, const char *b, char **ret_stderr)
{
	_cleanup_free_ char *cmd = NULL;
	char buf[4096];
	size_t n;
	FILE *p;
	int status;

	assert_true(asprintf(&cmd, "%s %s %s %s 2>&1 >/dev/null", compiler_path(), verb, a,
			     b ? b : "") > 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	status = pclose(p);
	*ret_stderr = strdup(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void read_whole(const char *path, char **ret, size_t *size, ino_t *inode)
{
	struct stat st;
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	*ret = malloc(st.st_size + 1);
	assert_non_null(*ret);
	*size = fread(*ret, 1, st.st_size, f);
	*inode = st.st_ino;
	fclose(f);
}

/* Scenario 7 at the command line: every error reported with its position,
 * exit status 1, the existing database untouched (same inode, same bytes);
 * then dump -> compile reproduces the database. */
static void test_compiler_cli(void **state)
{
	_cleanup_free_ char *dir = make_temp_dir(), *good = NULL, *bad = NULL, *db = NULL;
	_cleanup_free_ char *dumped = NULL, *db2 = NULL;
	_cleanup_free_ char *before = NULL, *after = NULL, *again = NULL;
	char *out;
	size_t before_size, after_size, again_size;
	ino_t before_inode, after_inode, again_inode;

	assert_true(asprintf(&good, "%s/good.conf", dir) > 0);
	assert_true(asprintf(&bad, "%s/bad.conf", dir) > 0);
	assert_true(asprintf(&db, "%s/station.db", dir) > 0);
	assert_true(asprintf(&dumped, "%s/dumped.conf", dir) > 0);
	assert_true(asprintf(&db2, "%s/again.db", dir) > 0);
	write_file(dir, "good.conf", BASE_STATION);
	write_file(dir, "bad.conf", BASE_STATION "card 250 @ 0x1000\ndetector 1 {\n}\n");

	assert_int_equal(run_compiler("compile", good, db, &out), 0);
	free(out);
	read_whole(db, &before, &before_size, &before_inode);

	assert_int_equal(run_compiler("compile", bad, db, &out), 1);

	assert_non_null(strstr(out, "bad.conf:29:6: error: card model 250 is not one of 240, 260, 560"));
	assert_non_null(strstr(out, "bad.conf:30:10: error: detector 1 is already defined at"));
	assert_non_null(strstr(out, "bad.conf: 2 errors, 0 warnings"));
	free(out);
	read_whole(db, &after, &after_size, &after_inode);
	assert_int_equal(before_inode, after_inode);
	assert_int_equal(before_size, after_size);
	assert_memory_equal(before, after, before_size);

	assert_int_equal(run_compiler("check", bad, NULL, &out), 1);
	free(out);
	assert_int_equal(run_compiler("dump", db, dumped, &out), 0);
	free(out);
	assert_int_equal(run_compiler("compile", dumped, db2, &out), 0);
	free(out);
	read_whole(db2, &again, &again_size, &again_inode);
	assert_int_equal(again_size, before_size);
	assert_memory_equal(again, before, before_size);

	assert_int_equal(run_compiler("wiring", db, "1", &out), 0);
	free(out);
	assert_int_equal(run_compiler("wiring", db, "xvme0-0c00", &out), 0);
	free(out);
	assert_int_equal(run_compiler("wiring", db, "Q", &out), 1);
	assert_string_equal(out, "stationd-compile wiring: manifold Q is not configured\n");
	free(out);
	assert_int_equal(run_compiler("wiring", db, "-3", &out), 2);
	free(out);
	assert_int_equal(run_compiler("frobnicate", good, NULL, &out), 2);
	free(out);
	remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_station),
		cmocka_unit_test(test_symbols_and_one_line_blocks),
		cmocka_unit_test(test_bom_and_crlf),
		cmocka_unit_test(test_two_crates_and_slot_zero),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_round_trip_example),
		cmocka_unit_test(test_round_trip_unusual_values),
		cmocka_unit_test(test_round_trip_debounce),
		cmocka_unit_test(test_round_trip_exhaust_sample_rate),
		cmocka_unit_test(test_generated_stations),
		cmocka_unit_test(test_example_is_generated),
		cmocka_unit_test(test_compiler_cli),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
