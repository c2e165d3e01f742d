/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the configuration unit tests: a small valid station
 * text, and compiling text in memory while keeping the diagnostics as
 * printed lines.
 */
#ifndef STATIOND_TESTS_CONFIG_TEST_UTIL_H
#define STATIOND_TESTS_CONFIG_TEST_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/config/compile.h"

/*
 * Lines 1-28. Tests append text from line 29 on, so the positions in their
 * expected messages are easy to read.
 */
#define BASE_STATION \
	"card 240 @ 0x0400\n"			/*  1 */ \
	"card 260 @ 0x0800\n"			/*  2 */ \
	"card 560 @ 0x0c00\n"			/*  3 */ \
	"station {\n"				/*  4 */ \
	"\tscan-rate 10Hz\n"			/*  5 */ \
	"\tbackup-interval 5min\n"		/*  6 */ \
	"\tdewar-inhibit 0x0400:port7.0\n"	/*  7 */ \
	"\talarm 0x0400:flag0\n"		/*  8 */ \
	"}\n"					/*  9 */ \
	"manifold A {\n"			/* 10 */ \
	"\tsensor 0x0c00:6\n"			/* 11 */ \
	"\tinput-valve 0x0800:6\n"		/* 12 */ \
	"\toutput-valve 0x0800:7\n"		/* 13 */ \
	"\tmanual-fill-key 0x0400:port0.6\n"	/* 14 */ \
	"\treference 1.5V\n"			/* 15 */ \
	"\tmax-fill 5min\n"			/* 16 */ \
	"\tclosure-delay 30s\n"			/* 17 */ \
	"}\n"					/* 18 */ \
	"detector 1 {\n"			/* 19 */ \
	"\tmanifold A\n"			/* 20 */ \
	"\tsensor 0x0c00:0\n"			/* 21 */ \
	"\tvalve 0x0800:0\n"			/* 22 */ \
	"\tbias-shutdown 0x0400:port0.0\n"	/* 23 */ \
	"\treference 1.5V\n"			/* 24 */ \
	"\tmax-fill 20min\n"			/* 25 */ \
	"\tclosure-delay 60s\n"			/* 26 */ \
	"\tpreset 18:00 06:00\n"		/* 27 */ \
	"}\n"					/* 28 */

struct compiled {
	int result;
	struct station *station;
	char **lines;		/* diagnostics as printed */
	size_t n_lines;
	unsigned n_errors, n_warnings;
};

static inline void compiled_done(struct compiled *c)
{
	station_free(c->station);
	for (size_t i = 0; i < c->n_lines; i++)
		free(c->lines[i]);
	free(c->lines);
	*c = (struct compiled){};
}

static inline void compiled_take_diagnostics(struct compiled *c, struct diagnostics *d)
{
	c->lines = calloc(d->n_items + 1, sizeof(*c->lines));
	for (size_t i = 0; i < d->n_items; i++)
		c->lines[i] = diagnostic_format(&d->items[i]);
	c->n_lines = d->n_items;
	c->n_errors = d->n_errors;
	c->n_warnings = d->n_warnings;
	diagnostics_done(d);
}

static inline void compile_string(const char *text, struct compiled *c)
{
	struct diagnostics d;

	*c = (struct compiled){};
	diagnostics_init(&d);
	c->result = config_compile_text("test.conf", text, strlen(text),
					&config_loader_no_includes, &d, &c->station);
	compiled_take_diagnostics(c, &d);
}

static inline void compile_path(const char *path, struct compiled *c)
{
	struct diagnostics d;

	*c = (struct compiled){};
	diagnostics_init(&d);
	c->result = config_compile_file(path, &d, &c->station);
	compiled_take_diagnostics(c, &d);
}

/*
 * The compile in out must have been refused with exactly the error lines
 * of expected (up to max, NULL-terminated when fewer), in order. On a
 * mismatch every line reported is printed first, so the test log shows
 * what came instead.
 */
static inline void assert_compile_errors(const struct compiled *out, const char *const *expected,
					 size_t max)
{
	size_t n_expected = 0;
	bool same;

	while (n_expected < max && expected[n_expected])
		n_expected++;
	same = out->n_lines == n_expected;
	for (size_t i = 0; same && i < n_expected; i++)
		same = strcmp(out->lines[i], expected[i]) == 0;
	for (size_t i = 0; !same && i < out->n_lines; i++)
		print_message("# got: %s\n", out->lines[i]);
	assert_int_equal(out->result, -EINVAL);
	assert_null(out->station);
	assert_int_equal(out->n_lines, n_expected);
	assert_int_equal(out->n_errors, n_expected);
	for (size_t i = 0; i < n_expected; i++)
		assert_string_equal(out->lines[i], expected[i]);
}

#endif
