// SPDX-License-Identifier: GPL-2.0
/*
 * What depends on a card, as the one journal entry of a card that is
 * missing names it (daemon/hw/card-users.c, issue 10 item 14): on the
 * example station compiled by the real compiler, and on edge cases.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/config/compile.h"
#include "daemon/hw/card-users.h"

static struct station *compile(const char *text)
{
	struct diagnostics diag;
	struct station *s = NULL;

	int r;

	diagnostics_init(&diag);
	r = config_compile_text("test.conf", text, strlen(text), NULL, &diag, &s);
	for (size_t i = 0; i < diag.n_items; i++)
		print_message("%s\n", diag.items[i].message);
	diagnostics_done(&diag);
	assert_int_equal(r, 0);
	return s;
}

/* Two manifolds on one relay card; detectors 1-3, 5 and 9 on it, 4 on
 * another; the bias inputs, the alarm and the dewar inhibit on one TTL
 * card, the manual-fill keys on another. */
#define TIMES "reference 1.5V; max-fill 60s; closure-delay 3s"
#define DETECTOR(n, m, relay_card, bit) \
	"detector " #n " { manifold " m "; sensor xvme0-0c00:" #n "; valve " relay_card ":" #n \
	"; bias-shutdown xvme0-0400:port0." #bit "; " TIMES " }\n"
static const char station_text[] =
	"card 240 @ xvme0-0400\n"
	"card 260 @ xvme0-0800\n"
	"card 260 @ xvme0-1000\n"
	"card 560 @ xvme0-0c00\n"
	"card 240 @ xvme0-1400\n"
	"station { scan-rate 1Hz; backup-interval 10min; dewar-inhibit xvme0-0400:port7.0; "
	"alarm xvme0-0400:flag0 }\n"
	"manifold A { sensor xvme0-0c00:30; input-valve xvme0-0800:30; output-valve xvme0-0800:31; "
	"manual-fill-key xvme0-1400:port0.0; " TIMES " }\n"
	"manifold B { sensor xvme0-0c00:31; input-valve xvme0-0800:28; output-valve xvme0-0800:29; "
	"manual-fill-key xvme0-1400:port0.1; " TIMES " }\n"
	DETECTOR(1, "A", "xvme0-0800", 1)
	DETECTOR(2, "A", "xvme0-0800", 2)
	DETECTOR(3, "A", "xvme0-0800", 3)
	DETECTOR(4, "A", "xvme0-1000", 4)
	DETECTOR(5, "B", "xvme0-0800", 5)
	DETECTOR(9, "B", "xvme0-0800", 6);

static void runs_of_detectors_and_the_manifolds(void **state)
{
	struct station *s = compile(station_text);
	char buf[256];

	assert_int_equal(card_users_format(s, 0, 0x0800, buf, sizeof(buf)), 5 + 2);
	assert_string_equal(buf, "detectors 1-3, 5, 9; manifolds A, B");
	assert_int_equal(card_users_format(s, 0, 0x1000, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "detector 4");
	assert_int_equal(card_users_format(s, 0, 0x0c00, buf, sizeof(buf)), 6 + 2);
	assert_string_equal(buf, "detectors 1-5, 9; manifolds A, B");
	assert_int_equal(card_users_format(s, 0, 0x0400, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "detectors 1-5, 9; the dewar inhibit; the alarm");
	assert_int_equal(card_users_format(s, 0, 0x1400, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "manifolds A, B");
	/* a card nobody uses (another crate) */
	assert_int_equal(card_users_format(s, 1, 0x0800, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "nothing configured");
	station_free(s);
}

static void a_short_buffer_is_cut_visibly(void **state)
{
	struct station *s = compile(station_text);
	char buf[16];

	card_users_format(s, 0, 0x0800, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "detectors 1-...");
	assert_int_equal(card_users_format(s, 0, 0x0800, buf, 0), 0);
	station_free(s);
}

/* The generated 1000-detector station's first relay card: 30 detectors
 * in one run, one manifold. */
static void one_run_per_manifold_of_a_generated_station(void **state)
{
	struct station *s = station_new();
	char buf[128];

	assert_non_null(s);
	for (uint32_t i = 0; i < 30; i++) {
		struct detector *d = station_add_detector(s);

		d->number = 31 + i;
		d->valve = (struct channel_ref){ .crate = 1, .card = 0x2000, .kind = LINE_RELAY,
						 .index = (uint8_t)i };
	}
	assert_int_equal(card_users_format(s, 1, 0x2000, buf, sizeof(buf)), 30);
	assert_string_equal(buf, "detectors 31-60");
	station_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs_of_detectors_and_the_manifolds),
		cmocka_unit_test(a_short_buffer_is_cut_visibly),
		cmocka_unit_test(one_run_per_manifold_of_a_generated_station),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
