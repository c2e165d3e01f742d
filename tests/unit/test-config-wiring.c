// SPDX-License-Identifier: GPL-2.0
/*
 * Station wiring: every configured line collected and described, spare
 * lines per card, and the admin views (connections of a card, a detector,
 * a manifold) as exact text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "daemon/config/wiring.h"
#include "tests/unit/config-test-util.h"

static int setup(void **state)
{
	struct compiled *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	compile_string(BASE_STATION, c);
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

static const struct station *station_of(void **state)
{
	return ((struct compiled *)*state)->station;
}

static void test_collect(void **state)
{
	const struct station *s = station_of(state);
	_cleanup_free_ struct wiring_use *uses = NULL;
	char what[WIRING_DESCRIPTION_MAX];
	size_t n;

	assert_int_equal(wiring_collect(s, &uses, &n), 0);
	/* dewar-inhibit, alarm; 4 lines of manifold A; 3 of detector 1 */
	assert_int_equal(n, 9);
	assert_string_equal(wiring_use_describe(&uses[0], what), "dewar-inhibit");
	assert_true(wiring_function_is_output(uses[0].function));
	assert_string_equal(wiring_use_describe(&uses[1], what), "alarm");
	assert_string_equal(wiring_use_describe(&uses[3], what), "input-valve of manifold A");
	assert_string_equal(wiring_use_describe(&uses[5], what), "manual-fill-key of manifold A");
	assert_false(wiring_function_is_output(uses[5].function));
	assert_string_equal(wiring_use_describe(&uses[7], what), "valve of detector 1");
	assert_int_equal(uses[7].ref.card, 0x0800);
	assert_int_equal(uses[7].at->line, 22);
	assert_int_equal(wiring_model_of_kind(LINE_IRQ), CARD_XVME240);
	assert_int_equal(wiring_model_of_kind(LINE_NONE), 0);
}

static void test_spare_lines(void **state)
{
	const struct station *s = station_of(state);
	_cleanup_free_ struct channel_ref *spare = NULL;
	size_t n;

	/* XVME-560 at 0x0c00: channels 0 and 6 in use */
	assert_int_equal(wiring_spare_lines(s, station_find_card(s, 0, 0x0c00), &spare, &n), 0);
	assert_int_equal(n, 30);
	assert_int_equal(spare[0].index, 1);
	assert_int_equal(spare[5].index, 7);
	free(spare);
	spare = NULL;

	/* XVME-240 at 0x0400: port0.0, port0.6, port7.0 and flag0 in use */
	assert_int_equal(wiring_spare_lines(s, station_find_card(s, 0, 0x0400), &spare, &n), 0);
	assert_int_equal(n, 64 + 8 + 8 - 4);
	assert_int_equal(spare[0].kind, LINE_PORT);
	assert_int_equal(spare[0].index, 1);
	assert_int_equal(spare[n - 1].kind, LINE_FLAG);
	assert_int_equal(spare[n - 1].index, 7);
}

/* Sorted by line once, each card's uses are one run, found by binary
 * search: the same lines, in the same order, as filtering the whole
 * sorted list for the card (what the bus's card objects did per Get). */
static void test_uses_of_card(void **state)
{
	const struct station *s = station_of(state);
	_cleanup_free_ struct wiring_use *by_line = NULL;
	_cleanup_free_ struct channel_ref *spare = NULL, *spare_whole = NULL;
	size_t n, first, run, n_spare, n_spare_whole;

	assert_int_equal(wiring_collect_by_line(s, &by_line, &n), 0);
	assert_int_equal(n, 9);
	for (size_t i = 1; i < n; i++)
		assert_true(wiring_compare_lines(&by_line[i - 1].ref, &by_line[i].ref) < 0);
	for (size_t c = 0; c < s->n_cards; c++) {
		const struct card *card = &s->cards[c];
		size_t expected = 0, expected_first = SIZE_MAX;

		for (size_t i = 0; i < n; i++)
			if (by_line[i].ref.crate == card->crate && by_line[i].ref.card == card->address) {
				if (expected_first == SIZE_MAX)
					expected_first = i;
				expected++;
			}
		run = wiring_uses_of_card(by_line, n, card->crate, card->address, &first);
		assert_int_equal(run, expected);
		if (expected)
			assert_int_equal(first, expected_first);
		/* The spare lines from the run: as from the whole station. */
		assert_int_equal(wiring_spare_lines_of(card, by_line + first, run, &spare,
						       &n_spare), 0);
		assert_int_equal(wiring_spare_lines(s, card, &spare_whole, &n_spare_whole), 0);
		assert_int_equal(n_spare, n_spare_whole);
		for (size_t i = 0; i < n_spare; i++)
			assert_int_equal(wiring_compare_lines(&spare[i], &spare_whole[i]), 0);
		free(spare);
		free(spare_whole);
		spare = spare_whole = NULL;
	}
	/* The XVME-560 at 0x0c00: channels 0 and 6, in line order. */
	run = wiring_uses_of_card(by_line, n, 0, 0x0c00, &first);
	assert_int_equal(run, 2);
	assert_int_equal(by_line[first].ref.index, 0);
	assert_int_equal(by_line[first + 1].ref.index, 6);
	/* A card with nothing wired, before, between and after the others. */
	assert_int_equal(wiring_uses_of_card(by_line, n, 0, 0x0000, &first), 0);
	assert_int_equal(wiring_uses_of_card(by_line, n, 0, 0x0a00, &first), 0);
	assert_int_equal(wiring_uses_of_card(by_line, n, 7, 0xfc00, &first), 0);
	assert_int_equal(first, n);
	assert_int_equal(wiring_uses_of_card(NULL, 0, 0, 0x0400, &first), 0);
	/* Every line of a card nothing uses is spare. */
	assert_int_equal(wiring_spare_lines_of(&(struct card){ .crate = 0, .address = 0x0a00,
							       .model = CARD_XVME260 },
					       NULL, 0, &spare, &n_spare), 0);
	assert_int_equal(n_spare, RELAY_CHANNELS);
}

/* Run one of the wiring_print_*() views into a string. */
#define PRINT_TO_STRING(print, s, what)						\
	({									\
		char *_text = NULL;						\
		size_t _size = 0;						\
		FILE *_f = open_memstream(&_text, &_size);			\
										\
		assert_non_null(_f);						\
		assert_int_equal(print(_f, s, what), 0);			\
		fclose(_f);							\
		_text;								\
	})

static void test_views(void **state)
{
	const struct station *s = station_of(state);
	_cleanup_free_ char *card = NULL, *detector = NULL, *manifold = NULL;

	card = PRINT_TO_STRING(wiring_print_card, s, station_find_card(s, 0, 0x0800));
	assert_string_equal(card,
			    "xvme0-0800 XVME-260\n"
			    "  0        valve of detector 1\n"
			    "  6        input-valve of manifold A\n"
			    "  7        output-valve of manifold A\n"
			    "  spare (29): 1 2 3 4 5 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24"
			    " 25 26 27 28 29 30 31\n");
	detector = PRINT_TO_STRING(wiring_print_detector, s, station_find_detector(s, 1));
	assert_string_equal(detector,
			    "detector 1 on manifold A\n"
			    "  sensor           xvme0-0c00:0\n"
			    "  valve            xvme0-0800:0\n"
			    "  bias-shutdown    xvme0-0400:port0.0\n");
	manifold = PRINT_TO_STRING(wiring_print_manifold, s, station_find_manifold(s, "A"));
	assert_string_equal(manifold,
			    "manifold A\n"
			    "  sensor           xvme0-0c00:6\n"
			    "  input-valve      xvme0-0800:6\n"
			    "  output-valve     xvme0-0800:7\n"
			    "  manual-fill-key  xvme0-0400:port0.6\n"
			    "detector 1 on manifold A\n"
			    "  sensor           xvme0-0c00:0\n"
			    "  valve            xvme0-0800:0\n"
			    "  bias-shutdown    xvme0-0400:port0.0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect),
		cmocka_unit_test(test_spare_lines),
		cmocka_unit_test(test_uses_of_card),
		cmocka_unit_test(test_views),
	};

	return cmocka_run_group_tests_name("config-wiring", tests, setup, teardown);
}
