// SPDX-License-Identifier: GPL-2.0
/*
 * The text of a log entry (daemon/shared/log.c): an entry logged with an
 * error carries the error's text in its message, once, as systemd's
 * log_*_errno() do, in the journal's MESSAGE= and on stderr alike (issue
 * 10 item 17; the journal entry itself is checked in the VM, scenario
 * stationd-cards).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/shared/log.h"

static size_t format(char *buf, size_t size, int error, const char *fmt, ...) _printf_(4, 5);
static size_t format(char *buf, size_t size, int error, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = log_format_message(buf, size, error, fmt, ap);
	va_end(ap);
	return n;
}

static void the_error_text_follows_the_message(void **state)
{
	char buf[256];

	assert_int_equal(format(buf, sizeof(buf), -ENODEV, "card %s: not found", "xvme0-0800"),
			 strlen("card xvme0-0800: not found: No such device"));
	assert_string_equal(buf, "card xvme0-0800: not found: No such device");
	/* Positive or negative errno alike. */
	format(buf, sizeof(buf), EIO, "write failed");
	assert_string_equal(buf, "write failed: Input/output error");
}

static void no_error_no_text(void **state)
{
	char buf[64];

	format(buf, sizeof(buf), 0, "started: %d detectors", 72);
	assert_string_equal(buf, "started: 72 detectors");
}

static void a_message_that_says_it_already_is_not_repeated(void **state)
{
	char buf[256];

	format(buf, sizeof(buf), -EIO, "valve %s cannot be driven: %s", "xvme0-0800:3",
	       strerror(EIO));
	assert_string_equal(buf, "valve xvme0-0800:3 cannot be driven: Input/output error");
}

static void a_long_message_is_cut_and_terminated(void **state)
{
	char buf[16];

	assert_int_equal(format(buf, sizeof(buf), -ENOENT, "%s", "0123456789abcdefghij"), 15);
	assert_string_equal(buf, "0123456789abcde");
	/* Room for the message, not all of the text. */
	assert_int_equal(format(buf, sizeof(buf), -ENOENT, "cannot"), 15);
	assert_string_equal(buf, "cannot: No such");
}

/* log_event() to stderr (no journal here): the same text, and the return
 * value that lets `return log_error_errno(r, ...)` read naturally. */
static void log_event_writes_the_text_and_returns_the_error(void **state)
{
	char path[] = "/tmp/test-log.XXXXXX", got[256] = "";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	fflush(stderr);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_open();
	assert_int_equal(log_error_errno(ENOSPC, "cannot write %s", "primary.db"), -ENOSPC);
	assert_int_equal(log_event(LOG_WARNING, LOG_EVENT_CARD, LOG_NO_DETECTOR, NULL, "xvme0-0800",
				   -ENODEV, "card %s: gone", "xvme0-0800"), -ENODEV);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, got, sizeof(got) - 1, 0);
	close(fd);
	assert_true(n > 0);
	got[n] = '\0';
	assert_string_equal(got, "stationd: cannot write primary.db: No space left on device\n"
				 "stationd: card xvme0-0800: gone: No such device\n");
}

/* log_enabled() agrees with what log_event() writes: debug entries only
 * once the level allows them, the default (LOG_INFO) drops them. */
static void log_enabled_follows_the_max_level(void **state)
{
	assert_true(log_enabled(LOG_INFO));
	assert_true(log_enabled(LOG_ERR));
	assert_false(log_enabled(LOG_DEBUG));
	log_set_max_level(LOG_DEBUG);
	assert_true(log_enabled(LOG_DEBUG));
	log_set_max_level(LOG_WARNING);
	assert_false(log_enabled(LOG_INFO));
	assert_true(log_enabled(LOG_WARNING));
	log_set_max_level(LOG_INFO);
}

/* $SYSTEMD_LOG_LEVEL as systemd's daemons take it: a syslog name or a
 * number; anything else is refused and changes nothing. */
static void the_log_level_comes_from_the_environment(void **state)
{
	assert_int_equal(log_level_from_string("debug"), LOG_DEBUG);
	assert_int_equal(log_level_from_string("warning"), LOG_WARNING);
	assert_int_equal(log_level_from_string("0"), LOG_EMERG);
	assert_int_equal(log_level_from_string("7"), LOG_DEBUG);
	assert_int_equal(log_level_from_string("8"), -EINVAL);
	assert_int_equal(log_level_from_string("-1"), -EINVAL);
	assert_int_equal(log_level_from_string("7x"), -EINVAL);
	assert_int_equal(log_level_from_string("Debug"), -EINVAL);
	assert_int_equal(log_level_from_string(""), -EINVAL);

	unsetenv("SYSTEMD_LOG_LEVEL");
	assert_int_equal(log_parse_environment(), 0);
	assert_false(log_enabled(LOG_DEBUG));
	setenv("SYSTEMD_LOG_LEVEL", "verbose", 1);
	assert_int_equal(log_parse_environment(), -EINVAL);
	assert_false(log_enabled(LOG_DEBUG));
	setenv("SYSTEMD_LOG_LEVEL", "debug", 1);
	assert_int_equal(log_parse_environment(), 0);
	assert_true(log_enabled(LOG_DEBUG));
	unsetenv("SYSTEMD_LOG_LEVEL");
	log_set_max_level(LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_error_text_follows_the_message),
		cmocka_unit_test(no_error_no_text),
		cmocka_unit_test(a_message_that_says_it_already_is_not_repeated),
		cmocka_unit_test(a_long_message_is_cut_and_terminated),
		cmocka_unit_test(log_event_writes_the_text_and_returns_the_error),
		cmocka_unit_test(log_enabled_follows_the_max_level),
		cmocka_unit_test(the_log_level_comes_from_the_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
