// SPDX-License-Identifier: GPL-2.0
/*
 * The autofill console without a terminal: its command language (the
 * seed's commands and their abbreviations, each mistake named for a
 * person, ADMIN commands only in ADMIN mode), the operator commands it
 * makes of a line (the same checks as stationctl's), HELP, and the
 * screens — the status line and the three SHOW levels — against golden
 * files on the clients' test station.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "daemon/clients/console-command.h"
#include "daemon/clients/console-help.h"
#include "daemon/clients/console-view.h"
#include "tests/unit/client-fixture.h"

static int setup(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	*state = client_fixture_model();
	return 0;
}

static int teardown(void **state)
{
	model_free(*state);
	return 0;
}

static void expect_parse(const char *line, bool admin, enum console_verb verb, size_t n_args)
{
	struct console_command c;
	char why[256] = "";

	if (console_command_parse(line, admin, &c, why, sizeof(why)) != 1)
		fail_msg("\"%s\" refused: %s", line, why);
	assert_int_equal(c.verb, verb);
	assert_int_equal(c.n_args, n_args);
}

static void expect_refused(const char *line, bool admin, const char *want)
{
	struct console_command c;
	char why[256] = "";

	assert_int_equal(console_command_parse(line, admin, &c, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, want);
}

static void test_commands(void **state)
{
	struct console_command c;
	char why[256];

	expect_parse("FILL 7", false, CONSOLE_FILL, 1);
	expect_parse("fill 7 18:30", false, CONSOLE_FILL, 2);
	expect_parse("  F\t7  ", false, CONSOLE_FILL, 1);
	expect_parse("CA B", false, CONSOLE_CANCEL, 1);
	expect_parse("cl all", false, CONSOLE_CLEAR, 1);
	expect_parse("PR 1-6 ADD 06:00 12:00 18:00 23:00", false, CONSOLE_PRESET, 6);
	expect_parse("D 7 30", false, CONSOLE_DELAY, 2);
	expect_parse("AV 7", false, CONSOLE_AVOID, 1);
	expect_parse("U 7", false, CONSOLE_UNAVOID, 1);
	expect_parse("S", false, CONSOLE_SHOW, 0);
	expect_parse("s b", false, CONSOLE_SHOW, 1);
	expect_parse("?", false, CONSOLE_HELP, 0);
	expect_parse("H FILL", false, CONSOLE_HELP, 1);
	expect_parse("AD", false, CONSOLE_ADMIN, 0);
	expect_parse("N", false, CONSOLE_NORMAL, 0);
	expect_parse("Q", false, CONSOLE_QUIT, 0);
	expect_parse("SC", true, CONSOLE_SCAN, 0);
	expect_parse("SCAN 0", true, CONSOLE_SCAN, 1);
	expect_parse("SH", true, CONSOLE_SHOW, 0);
	expect_parse("CONV xvme0-0c00 3", true, CONSOLE_CONVERT, 2);
	expect_parse("CONN 7", true, CONSOLE_CONNECTIONS, 1);
	expect_parse("test xvme0-0c00", true, CONSOLE_TEST, 1);
	assert_int_equal(console_command_parse("   ", false, &c, why, sizeof(why)), 0);

	expect_refused("C 7", false, "\"C\" is ambiguous: CANCEL or CLEAR");
	expect_refused("A 7", false, "\"A\" is ambiguous: AVOID or ADMIN");
	expect_refused("S", true, "\"S\" is ambiguous: SHOW or SCAN or SPARE");
	expect_refused("CO 1", true, "\"CO\" is ambiguous: CONVERT or CONNECTIONS");
	expect_refused("FLIL 7", false, "\"FLIL\" is not a command (type HELP)");
	expect_refused("SCAN", false, "SCAN is an ADMIN command (type ADMIN first)");
	expect_refused("SC", false, "\"SC\" is not a command (type HELP)");
	expect_refused("FILL", false, "FILL takes 1 to 2 arguments: FILL TARGETS [HH:MM]");
	expect_refused("DELAY 7", false, "DELAY takes 2 arguments: DELAY TARGETS MINUTES");
	expect_refused("QUIT now", false, "QUIT takes no arguments");
	expect_refused("PRESET 7 ADD 1:00 2:00 3:00 4:00 5:00", false,
		       "PRESET takes at most 6 arguments: PRESET TARGETS [ADD|CLEAR] [HH:MM]...");
}

static void test_abbreviations(void **state)
{
	assert_int_equal(console_verb_abbreviation(CONSOLE_FILL, false), 1);
	assert_int_equal(console_verb_abbreviation(CONSOLE_CANCEL, false), 2);
	assert_int_equal(console_verb_abbreviation(CONSOLE_CLEAR, false), 2);
	assert_int_equal(console_verb_abbreviation(CONSOLE_AVOID, false), 2);
	assert_int_equal(console_verb_abbreviation(CONSOLE_SHOW, false), 1);
	/* ADMIN mode has more commands: longer abbreviations. */
	assert_int_equal(console_verb_abbreviation(CONSOLE_SHOW, true), 2);
	assert_int_equal(console_verb_abbreviation(CONSOLE_CANCEL, true), 3);
	assert_int_equal(console_verb_abbreviation(CONSOLE_CARDS, true), 3);
	assert_int_equal(console_verb_abbreviation(CONSOLE_CONVERT, true), 4);
	assert_int_equal(console_verb_abbreviation(CONSOLE_QUIT, true), 1);
}

static int operator(const char *line, struct operator_command *op, char *why, size_t size)
{
	static struct console_command c;	/* op's words point into it */
	char parse_why[256];

	assert_int_equal(console_command_parse(line, false, &c, parse_why, sizeof(parse_why)), 1);
	return console_operator_command(&c, op, why, size);
}

static void test_operator_commands(void **state)
{
	struct operator_command op;
	char why[256] = "";

	assert_int_equal(operator("PRESET 7 06:00 18:00", &op, why, sizeof(why)), 0);
	assert_int_equal(op.verb, OPERATOR_PRESET);
	assert_string_equal(op.targets, "7");
	assert_int_equal(op.preset_mode, OPERATOR_PRESET_REPLACE);
	assert_int_equal(op.n_times, 2);
	assert_string_equal(op.times[1], "18:00");
	assert_int_equal(operator("PR 1-6 add 12:00", &op, why, sizeof(why)), 0);
	assert_int_equal(op.preset_mode, OPERATOR_PRESET_ADD);
	assert_int_equal(op.n_times, 1);
	assert_int_equal(operator("PR B CLEAR", &op, why, sizeof(why)), 0);
	assert_int_equal(op.preset_mode, OPERATOR_PRESET_CLEAR);
	assert_int_equal(op.n_times, 0);
	assert_int_equal(operator("PR B CLEAR 12:00", &op, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "clearing the presets takes no times");
	assert_int_equal(operator("PRESET 7", &op, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "no time given (HH:MM, or clear)");
	assert_int_equal(operator("FILL 7 18:30", &op, why, sizeof(why)), 0);
	assert_int_equal(op.verb, OPERATOR_FILL);
	assert_int_equal(op.n_times, 1);
	assert_int_equal(operator("FILL 7 25:00", &op, why, sizeof(why)), -EINVAL);
	assert_true(strncmp(why, "time \"25:00\": ", 14) == 0);
	assert_int_equal(operator("DELAY B 30", &op, why, sizeof(why)), 0);
	assert_int_equal(op.minutes, 30);
	assert_int_equal(operator("DELAY B 3O", &op, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "minutes \"3O\": 'O' at column 2 is not a digit");
	assert_int_equal(operator("DELAY B 1441", &op, why, sizeof(why)), -EINVAL);
	assert_int_equal(operator("CANCEL 1,3,7-9", &op, why, sizeof(why)), 0);
	assert_int_equal(op.verb, OPERATOR_CANCEL);
}

static void test_targets_as_the_daemon(void **state)
{
	const struct station_model *m = *state;
	bool confirm;
	char why[256];
	size_t n;

	assert_int_equal(operator_targets_check(m, "2", &n, &confirm, why, sizeof(why)), 0);
	assert_int_equal(n, 1);
	assert_false(confirm);
	assert_int_equal(operator_targets_check(m, "b", &n, &confirm, why, sizeof(why)), 0);
	assert_int_equal(n, 3);
	assert_true(confirm);
	assert_int_equal(operator_targets_check(m, "all", &n, &confirm, why, sizeof(why)), 0);
	assert_int_equal(n, 6);
	assert_int_equal(operator_targets_check(m, "7", &n, &confirm, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "7"));
}

static void expect_lines(const struct text_lines *t, const char *golden)
{
	char *text = text_lines_join(t);

	assert_non_null(text);
	client_fixture_expect_golden(golden, text);
	free(text);
}

static void test_screens(void **state)
{
	const struct station_model *m = *state;
	struct view_status status = { .connected = true };
	struct text_lines t = {};
	char line[256];

	/* The state on the left, the clock at the right edge. */
	view_status_line(m, &status, NOW_USEC, 80, line, sizeof(line));
	assert_int_equal(strlen(line), 80);
	assert_true(strncmp(line, " AUTOFILL  FILLING  filling 1  alarm ON  ", 41) == 0);
	assert_string_equal(line + 60, "2026-12-02 12:00:00 ");
	status.view_only = true;
	status.mode = VIEW_ADMIN;
	assert_string_equal(view_status_line(m, &status, NOW_USEC, 80, line, sizeof(line)),
			    " AUTOFILL  FILLING  filling 1  alarm ON  ADMIN  VIEW ONLY   2026-12-02 12:00:00 ");
	status.connected = false;
	assert_non_null(strstr(view_status_line(m, &status, NOW_USEC, 80, line, sizeof(line)),
			       "stationd NOT RUNNING"));

	assert_int_equal(view_top(&t, m, 1), 0);
	expect_lines(&t, "console-show-top.txt");
	assert_int_equal(t.lines[2].attr, LINE_SELECTED);	/* manifold B */
	text_lines_clear(&t);
	assert_int_equal(view_manifold(&t, m, 1, 5, NOW_USEC), 0);
	expect_lines(&t, "console-show-manifold-B.txt");
	text_lines_clear(&t);
	assert_int_equal(view_detector(&t, m, 4, NOW_USEC), 0);	/* detector 5 */
	expect_lines(&t, "console-show-detector-5.txt");
	assert_int_equal(t.lines[0].attr, LINE_ALERT);		/* underfull */
	text_lines_clear(&t);
	assert_int_equal(view_manifold(&t, m, 9, 0, NOW_USEC), -EINVAL);
	text_lines_clear(&t);
}

static void test_detector_codes(void **state)
{
	const struct station_model *m = *state;

	assert_string_equal(view_detector_code(model_find_detector(m, 1)), "ok");
	assert_string_equal(view_detector_code(model_find_detector(m, 2)), "FIL");
	assert_string_equal(view_detector_code(model_find_detector(m, 5)), "UND");
}

static void test_help(void **state)
{
	struct text_lines t = {};
	char why[256] = "";

	assert_int_equal(console_help(&t, NULL, false, why, sizeof(why)), 0);
	expect_lines(&t, "console-help.txt");
	text_lines_clear(&t);
	assert_int_equal(console_help(&t, NULL, true, why, sizeof(why)), 0);
	expect_lines(&t, "console-help-admin.txt");
	text_lines_clear(&t);
	assert_int_equal(console_help(&t, "pr", false, why, sizeof(why)), 0);
	expect_lines(&t, "console-help-preset.txt");
	text_lines_clear(&t);
	assert_int_equal(console_help(&t, "syntax", false, why, sizeof(why)), 0);
	assert_string_equal(t.lines[0].text, "SYNTAX: the input line");
	text_lines_clear(&t);
	assert_int_equal(console_help(&t, "DISP", false, why, sizeof(why)), 0);
	assert_string_equal(t.lines[0].text, "DISPLAY: a guide to the screen");
	text_lines_clear(&t);
	/* An ADMIN command is explained in normal mode too. */
	assert_int_equal(console_help(&t, "SCAN", false, why, sizeof(why)), 0);
	assert_string_equal(t.lines[0].text, "SCAN [CRATE]");
	text_lines_clear(&t);
	assert_int_equal(console_help(&t, "nonsense", false, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "HELP: no command or topic \"nonsense\" (SYNTAX, MODES, DISPLAY)");
	assert_int_equal(t.n, 0);
}

static sd_bus_message *name_owner_changed(sd_bus *bus, const char *name, const char *old_owner,
					   const char *new_owner)
{
	sd_bus_message *m = NULL;

	assert_true(sd_bus_message_new_signal(bus, &m, "/org/freedesktop/DBus",
					      "org.freedesktop.DBus", "NameOwnerChanged") >= 0);
	assert_true(sd_bus_message_append(m, "sss", name, old_owner, new_owner) >= 0);
	assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
	return m;
}

/* Only stationd's own name leaving is stationd leaving: a console that
 * quits (its unique name gone) once made every other console show
 * "stationd NOT RUNNING" and refuse every command. */
static void test_owner_gone(void **state)
{
	sd_bus *bus = client_fixture_peer_bus();
	sd_bus_message *m;

	m = name_owner_changed(bus, ":1.17", ":1.17", "");
	assert_int_equal(model_owner_gone(m), -ENOENT);
	sd_bus_message_unref(m);
	m = name_owner_changed(bus, "org.stationd1", ":1.3", "");
	assert_int_equal(model_owner_gone(m), 1);
	sd_bus_message_unref(m);
	m = name_owner_changed(bus, "org.stationd1", "", ":1.20");
	assert_int_equal(model_owner_gone(m), 0);
	sd_bus_message_unref(m);
	sd_bus_close_unref(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_abbreviations),
		cmocka_unit_test(test_operator_commands),
		cmocka_unit_test_setup_teardown(test_targets_as_the_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_screens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detector_codes, setup, teardown),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_owner_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
