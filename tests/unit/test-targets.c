// SPDX-License-Identifier: GPL-2.0
/*
 * The targets argument parser against the example 72-detector station
 * (manifolds A-L of six): every syntax, and every error with its message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "daemon/autofill/targets.h"
#include "tests/unit/config-test-util.h"

static int setup(void **state)
{
	struct compiled *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	compile_path("daemon/examples/station.conf", c);
	if (c->result < 0)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	compiled_done(*state);
	free(*state);
	return 0;
}

/* Parse and compare with the expected detector numbers (0-terminated). */
static void expect_targets(void **state, const char *text, const uint32_t *numbers,
			   bool confirmation)
{
	const struct station *s = ((struct compiled *)*state)->station;
	struct target_set t;
	char error[256];
	size_t n = 0;
	int r;

	r = targets_parse(s, text, &t, error, sizeof(error));
	if (r < 0)
		print_message("# %s: %s\n", text, error);
	assert_int_equal(r, 0);
	assert_string_equal(error, "");
	while (numbers[n])
		n++;
	assert_int_equal(t.n_detectors, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s->detectors[t.detectors[i]].number, numbers[i]);
	assert_int_equal(t.needs_confirmation, confirmation);
	target_set_done(&t);
}

static void expect_error(void **state, const char *text, const char *message)
{
	const struct station *s = ((struct compiled *)*state)->station;
	struct target_set t = { .n_detectors = 99 };
	char error[512];

	assert_int_equal(targets_parse(s, text, &t, error, sizeof(error)), -EINVAL);
	assert_string_equal(error, message);
	assert_int_equal(t.n_detectors, 0);
	assert_null(t.detectors);
	/* No error buffer is fine too. */
	assert_int_equal(targets_parse(s, text, &t, NULL, 0), -EINVAL);
}

static void test_single_detector(void **state)
{
	expect_targets(state, "7", (const uint32_t[]){ 7, 0 }, false);
	expect_targets(state, "72", (const uint32_t[]){ 72, 0 }, false);
	expect_targets(state, " 07 ", (const uint32_t[]){ 7, 0 }, false);
}

static void test_manifold(void **state)
{
	expect_targets(state, "A", (const uint32_t[]){ 1, 2, 3, 4, 5, 6, 0 }, true);
	expect_targets(state, "l", (const uint32_t[]){ 67, 68, 69, 70, 71, 72, 0 }, true);
}

static void test_range(void **state)
{
	expect_targets(state, "1-6", (const uint32_t[]){ 1, 2, 3, 4, 5, 6, 0 }, true);
	expect_targets(state, "5-5", (const uint32_t[]){ 5, 0 }, false);
}

static void test_sets(void **state)
{
	expect_targets(state, "1,3,7-9", (const uint32_t[]){ 1, 3, 7, 8, 9, 0 }, true);
	expect_targets(state, "9, 1", (const uint32_t[]){ 1, 9, 0 }, true);
	expect_targets(state, "B,1,70-71", (const uint32_t[]){ 1, 7, 8, 9, 10, 11, 12, 70, 71, 0 },
		       true);
	expect_targets(state, "C , b", (const uint32_t[]){ 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
							  17, 18, 0 }, true);
}

static void test_all(void **state)
{
	uint32_t all[73] = {};

	for (unsigned i = 0; i < 72; i++)
		all[i] = i + 1;
	expect_targets(state, "all", all, true);
	expect_targets(state, " ALL ", all, true);
}

static void test_errors(void **state)
{
	expect_error(state, "", "\"\" at column 1: no targets given (a detector, a range, a manifold or \"all\")");
	expect_error(state, "73", "\"73\" at column 1: detector 73 is not configured");
	expect_error(state, "0", "\"0\" at column 1: detector numbers start at 1");
	expect_error(state, "100000", "\"100000\" at column 1: '100000' is beyond the largest detector number 99999");
	expect_error(state, "1-80", "\"1-80\" at column 1: detector 73 is not configured");
	expect_error(state, "6-1", "\"6-1\" at column 1: range 6-1 runs backwards");
	expect_error(state, "1,1", "\"1,1\" at column 3: detector 1 is named twice");
	expect_error(state, "1-3,2", "\"1-3,2\" at column 5: detector 2 is named twice");
	expect_error(state, "A,3", "\"A,3\" at column 3: detector 3 is named twice");
	expect_error(state, "3,A", "\"3,A\" at column 3: detector 3 (on manifold A) is named twice");
	expect_error(state, "M", "\"M\" at column 1: manifold M is not configured");
	expect_error(state, "ABC", "\"ABC\" at column 1: 'ABC' is not a manifold name (1-2 letters) or \"all\"");
	expect_error(state, "all,3", "\"all,3\" at column 1: \"all\" cannot be combined with other targets");
	expect_error(state, "3,all", "\"3,all\" at column 3: \"all\" cannot be combined with other targets");
	expect_error(state, "1,,2", "\"1,,2\" at column 3: a target is missing before ','");
	expect_error(state, ",1", "\",1\" at column 1: a target is missing before ','");
	expect_error(state, "1,", "\"1,\" at column 3: a target is missing after ','");
	expect_error(state, "x7", "\"x7\" at column 2: unexpected '7' after 'x'");
	expect_error(state, "7-x", "\"7-x\" at column 1: ranges are of detector numbers, not manifolds");
	expect_error(state, "7-?", "\"7-?\" at column 3: '?' is not a detector number");
	expect_error(state, "1-", "\"1-\" at column 3: a detector number is missing");
	expect_error(state, "A-C", "\"A-C\" at column 1: ranges are of detector numbers, not manifolds");
	expect_error(state, "1 2", "\"1 2\" at column 3: unexpected '2' (targets are separated by ',')");
	expect_error(state, "1;2", "\"1;2\" at column 2: unexpected ';' (targets are separated by ',')");
	expect_error(state, "1\n", "\"1?\" at column 2: control character 0x0a");
	expect_error(state, "7\xc3\xa9", "\"7??\" at column 2: non-ASCII byte 0xc3");
}

static void test_too_long(void **state)
{
	const struct station *s = ((struct compiled *)*state)->station;
	_cleanup_free_ char *text = malloc(TARGETS_TEXT_MAX + 2);
	struct target_set t;
	char error[256], small[32];

	assert_non_null(text);
	memset(text, '1', TARGETS_TEXT_MAX + 1);
	text[TARGETS_TEXT_MAX + 1] = '\0';
	assert_int_equal(targets_parse(s, text, &t, error, sizeof(error)), -EINVAL);
	assert_string_equal(error, "\"1111111111111111111111111111111111111111111111111111111111111...\""
			    " at column 1: longer than 4096 characters");
	assert_int_equal(t.n_detectors, 0);
	/* a short buffer truncates, never overflows */
	assert_int_equal(targets_parse(s, "73", &t, small, sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_detector),
		cmocka_unit_test(test_manifold),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests_name("targets", tests, setup, teardown);
}
