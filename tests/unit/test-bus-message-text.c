// SPDX-License-Identifier: GPL-2.0
/*
 * bus_message_arguments_text(): every D-Bus type the daemon's methods
 * take renders as the audit trail documents it (strings quoted and
 * escaped, arrays, structures, dictionaries, variants), a long text is
 * cut with "...", and the message is left rewound for the method.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "daemon/bus/bus-message-text.h"
#include "daemon/shared/macro.h"

/* A method call built by types and the arguments, sealed as if sent. */
static sd_bus_message *call_new(sd_bus *bus, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	assert_int_equal(sd_bus_message_new_method_call(bus, &m, NULL, "/org/stationd1/autofill",
							"org.stationd1.Autofill", "Test"), 0);
	va_start(ap, types);
	r = sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	assert_true(r >= 0);
	assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
	return m;
}

static int setup(void **state)
{
	sd_bus *bus = NULL;
	int fds[2];

	/* A started peer connection: sd-bus builds messages only for one. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	assert_int_equal(sd_bus_new(&bus), 0);
	assert_int_equal(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
	assert_int_equal(sd_bus_start(bus), 0);
	close(fds[1]);
	*state = bus;
	return 0;
}

static int teardown(void **state)
{
	sd_bus_close_unref(*state);
	return 0;
}

static void expect_text(sd_bus_message *m, const char *want)
{
	char text[256];

	assert_int_equal(bus_message_arguments_text(m, text, sizeof(text)), 0);
	assert_string_equal(text, want);
	sd_bus_message_unref(m);
}

static void test_commands(void **state)
{
	sd_bus *bus = *state;

	expect_text(call_new(bus, "ss", "7", ""), "\"7\", \"\"");
	expect_text(call_new(bus, "sass", "1-6,B", 2, "13:37", "14:00", "replace"),
		    "\"1-6,B\", [\"13:37\", \"14:00\"], \"replace\"");
	expect_text(call_new(bus, "su", "all", 30), "\"all\", 30");
	expect_text(call_new(bus, "autt", 3, 1, 7, 72, UINT64_C(0), UINT64_MAX),
		    "[1, 7, 72], 0, 18446744073709551615");
	expect_text(call_new(bus, "as", 0), "[]");
	expect_text(call_new(bus, ""), "");
}

static void test_every_basic_type(void **state)
{
	sd_bus *bus = *state;

	expect_text(call_new(bus, "ybnqixdbo", 255, 1, -2, 3, -4, INT64_C(-5), 2.5, 0,
			     "/org/stationd1/detector/7"),
		    "255, true, -2, 3, -4, -5, 2.5, false, \"/org/stationd1/detector/7\"");
	expect_text(call_new(bus, "g", "a{sv}"), "\"a{sv}\"");
}

static void test_containers(void **state)
{
	sd_bus *bus = *state;

	expect_text(call_new(bus, "(sa{sv})", "system-bus-name", 1, "name", "s", ":1.42"),
		    "(\"system-bus-name\", [\"name\": <s \":1.42\">])");
	expect_text(call_new(bus, "a{su}", 2, "A", 1, "B", 2), "[\"A\": 1, \"B\": 2]");
	expect_text(call_new(bus, "aau", 2, 1, 5, 0), "[[5], []]");
	expect_text(call_new(bus, "v", "d", 77.5), "<d 77.5>");
}

/* A caller's string cannot forge the line: quotes, backslashes and
 * control characters are escaped. */
static void test_strings_escaped(void **state)
{
	sd_bus *bus = *state;

	expect_text(call_new(bus, "s", "7\" RESULT=accepted\n\\\x1b"),
		    "\"7\\\" RESULT=accepted\\x0a\\\\\\x1b\"");
}

static void test_truncated(void **state)
{
	sd_bus *bus = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	char long_targets[300], text[32];
	const char *first;

	memset(long_targets, '7', sizeof(long_targets) - 1);
	long_targets[sizeof(long_targets) - 1] = 0;
	m = call_new(bus, "su", long_targets, 5);
	assert_int_equal(bus_message_arguments_text(m, text, sizeof(text)), 0);
	assert_int_equal(strlen(text), sizeof(text) - 1);
	assert_string_equal(text + sizeof(text) - 4, "...");
	assert_memory_equal(text, "\"7777", 5);
	/* Rewound: the method reads its arguments from the first. */
	assert_int_equal(sd_bus_message_read(m, "s", &first), 1);
	assert_string_equal(first, long_targets);
	assert_int_equal(bus_message_arguments_text(m, text, 3), -ENOBUFS);
}

/* Half read by the handler (the details), rendered whole, rewound. */
static void test_rewound_after_partial_read(void **state)
{
	sd_bus *bus = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	const char *targets, *at;
	char text[64];

	m = call_new(bus, "ss", "B", "12:00");
	assert_int_equal(sd_bus_message_read(m, "s", &targets), 1);
	assert_int_equal(bus_message_arguments_text(m, text, sizeof(text)), 0);
	assert_string_equal(text, "\"B\", \"12:00\"");
	assert_int_equal(sd_bus_message_read(m, "ss", &targets, &at), 1);
	assert_string_equal(at, "12:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_basic_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_containers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewound_after_partial_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
