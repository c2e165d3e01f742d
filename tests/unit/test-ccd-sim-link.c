// SPDX-License-Identifier: GPL-2.0
/*
 * The controller's end of the link, as shared/spec/utilitynet.md has it:
 * ACK of every C and S frame addressed to it (duplicates too, never an
 * ACK), the duplicate table by (source, number) with its expiry, one
 * frame in flight, resend after a second with the same number, the
 * resend limit, numbering and its wrap; what is clear to send; and what
 * each injected fault puts on the line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/shared/macro.h"
#include "daemon/unet/unet-tx-table.h"
#include "tests/sim/ccd-sim-link.h"

/* What the link did: line writes as printable text ("<SYN>" "<EOT>"),
 * mechanism messages delivered. */
struct fake {
	char line[8192];
	size_t writes;
	char delivered[2048];
};

static void fake_write(void *userdata, const uint8_t *bytes, size_t n)
{
	struct fake *f = userdata;
	size_t len = strlen(f->line);

	f->writes++;
	for (size_t i = 0; i < n; i++) {
		const char *s = bytes[i] == 0x16 ? "<SYN>" : bytes[i] == 0x04 ? "<EOT>" :
				bytes[i] < 0x20 ? "<CTL>" : NULL;

		if (s)
			len += (size_t)snprintf(f->line + len, sizeof(f->line) - len, "%s", s);
		else if (len + 1 < sizeof(f->line))
			f->line[len++] = (char)bytes[i];
		f->line[len] = '\0';
	}
}

static void fake_mech(struct fake *f, const char *kind, const struct unet_mech *m)
{
	char text[UNET_BODY_MAX + 2];
	size_t len = strlen(f->delivered);

	unet_mech_format(m, text, sizeof(text));
	snprintf(f->delivered + len, sizeof(f->delivered) - len, "%s%s:%s", len ? " " : "", kind,
		 text);
}

static void fake_command(void *userdata, const struct unet_mech *m)
{
	fake_mech(userdata, "C", m);
}

static void fake_time(void *userdata, const struct unet_mech *m)
{
	fake_mech(userdata, "T", m);
}

static const struct ccd_link_ops ops = {
	.line_write = fake_write, .command = fake_command, .time_reply = fake_time,
};

/* Take what was written and delivered since last asked. */
static const char *line(struct fake *f)
{
	static char buf[8192];

	memcpy(buf, f->line, sizeof(buf));
	f->line[0] = '\0';
	return buf;
}

static const char *delivered(struct fake *f)
{
	static char buf[2048];

	memcpy(buf, f->delivered, sizeof(buf));
	f->delivered[0] = '\0';
	return buf;
}

static struct ccd_link *link_new(struct fake *f, uint16_t first)
{
	struct ccd_link_params p;
	struct ccd_link *l = NULL;

	memset(f, 0, sizeof(*f));
	ccd_link_params_default(&p);
	assert_int_equal(ccd_link_new(&p, &ops, f, first, &l), 0);
	ccd_link_set_clear_to_send(l, 0, true);
	return l;
}

/* A payload from the host: type, dest, src, number, body. */
static void hear(struct ccd_link *l, uint64_t t, char type, const char *dest, const char *src,
		 unsigned int msgno, const char *body)
{
	char p[300];
	int n = snprintf(p, sizeof(p), "%c%-10s%-10s%04X%s", type, dest, src, msgno, body);

	ccd_link_receive(l, t, (const uint8_t *)p, (size_t)n);
}

static void say(struct ccd_link *l, uint64_t t, const char *body)
{
	struct unet_body_iter it;
	struct unet_frame_error e;
	struct unet_mech m[16];
	size_t n = 0;

	unet_body_iter_init(&it, body, strlen(body));
	while (unet_body_next(&it, &m[n], &e) > 0)
		n++;
	assert_int_equal(ccd_link_send(l, t, UNET_FRAME_STATUS, "SYS", m, n), 0);
}

#define ACK(n) "<SYN>ASYS       CCD1      " n "<EOT>"

static void test_frames_to_us_are_acked_and_delivered_once(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0x100);

	hear(l, 0, 'C', "CCD1", "SYS", 0x12, "RSP101(1,3) RSP200(1) RSP201(1)");
	assert_string_equal(line(&f), ACK("0012"));
	assert_string_equal(delivered(&f), "C:RSP101(1,3) C:RSP200(1) C:RSP201(1)");
	/* The same frame again (our ACK was lost): ACKed, not acted on. */
	hear(l, 500, 'C', "CCD1", "SYS", 0x12, "RSP101(1,3) RSP200(1) RSP201(1)");
	assert_string_equal(line(&f), ACK("0012"));
	assert_string_equal(delivered(&f), "");
	assert_int_equal(ccd_link_counters(l)->rx_duplicates, 1);
	/* The same number from someone else is another frame. */
	hear(l, 600, 'C', "CCD1", "ENG", 0x12, "MON200(1)");
	assert_string_equal(line(&f), "<SYN>AENG       CCD1      0012<EOT>");
	assert_string_equal(delivered(&f), "C:MON200(1)");
	/* After 30 s the number is forgotten: a restarted host is heard. */
	hear(l, 30000, 'C', "CCD1", "SYS", 0x12, "RSP200(1)");
	assert_string_equal(delivered(&f), "C:RSP200(1)");
	ccd_link_free(l);
}

static void test_what_is_not_a_command_to_us(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0x100);

	/* Another controller's frame: not ours to ACK. */
	hear(l, 0, 'C', "CCD2", "SYS", 1, "RSP200(1)");
	/* A bad frame: a field that is no number. */
	ccd_link_receive(l, 0, (const uint8_t *)"CCCD1      SYS       00G1RSP200(1)", 35);
	/* ACKs are never ACKed; NACKs and broadcasts are ignored. */
	hear(l, 0, 'A', "CCD1", "SYS", 2, "");
	hear(l, 0, 'N', "CCD1", "SYS", 3, "");
	hear(l, 0, 'B', "CCD1", "SYS", 4, "HELLO");
	assert_string_equal(line(&f), "");
	assert_string_equal(delivered(&f), "");
	/* Data: ACKed, not acted on; statuses only from TIM. */
	hear(l, 0, 'D', "CCD1", "SYS", 5, "12345");
	hear(l, 0, 'S', "CCD1", "SYS", 6, "UTC200(0,1,2)");
	hear(l, 0, 'S', "CCD1", "TIM", 7, "UTC200(0,1764670000,250000)");
	assert_string_equal(line(&f), ACK("0005") ACK("0006") "<SYN>ATIM       CCD1      0007<EOT>");
	assert_string_equal(delivered(&f), "T:UTC200(0,1764670000,250000)");
	assert_int_equal(ccd_link_counters(l)->rx_bad, 1);
	assert_int_equal(ccd_link_counters(l)->rx_not_ours, 1);
	assert_int_equal(ccd_link_counters(l)->rx_nacks, 1);
	ccd_link_free(l);
}

static void test_one_frame_in_flight_resent_then_dropped(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0x100);

	say(l, 0, "INS200(1)");
	say(l, 0, "RSP200(1,1,2)");
	/* Only the first goes; the second waits for its ACK. */
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0100INS200(1)<EOT>");
	assert_int_equal(ccd_link_queued(l), 2);
	/* A second without ACK: the same frame, same number. */
	ccd_link_tick(l, 999);
	assert_string_equal(line(&f), "");
	assert_int_equal(ccd_link_next_deadline(l), 1000);
	for (int i = 1; i <= 5; i++) {
		ccd_link_tick(l, 1000u * i);
		assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0100INS200(1)<EOT>");
	}
	/* After 5 resends it is dropped and the next goes. */
	ccd_link_tick(l, 6000);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0101RSP200(1,1,2)<EOT>");
	assert_int_equal(ccd_link_counters(l)->resends, 5);
	assert_int_equal(ccd_link_counters(l)->dropped, 1);
	/* An ACK for another number, or from another name, is stray. */
	hear(l, 6100, 'A', "CCD1", "SYS", 0x100, "");
	hear(l, 6100, 'A', "CCD1", "TIM", 0x101, "");
	assert_int_equal(ccd_link_queued(l), 1);
	hear(l, 6100, 'A', "CCD1", "SYS", 0x101, "");
	assert_int_equal(ccd_link_queued(l), 0);
	assert_int_equal(ccd_link_next_deadline(l), UINT64_MAX);
	ccd_link_tick(l, 20000);
	assert_string_equal(line(&f), "");
	ccd_link_free(l);
}

static void test_messages_are_packed_and_numbers_wrap(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0xffff);
	struct unet_mech m[12];
	const char *out;

	/* 12 messages of 20 characters do not fit one 230-character body. */
	for (size_t i = 0; i < 12; i++)
		m[i] = (struct unet_mech) { .mnemonic = "WIN", .code = 200, .n_args = 8,
					    .args = { unet_arg_number(1), unet_arg_number(0),
						      unet_arg_number(1), unet_arg_number(100),
						      unet_arg_number(100), unet_arg_number(900),
						      unet_arg_number(900), unet_arg_number(1) } };
	assert_int_equal(ccd_link_send(l, 0, UNET_FRAME_STATUS, "SYS", m, 12), 0);
	assert_int_equal(ccd_link_queued(l), 2);
	out = line(&f);
	assert_non_null(strstr(out, "CCD1      FFFFWIN200"));
	hear(l, 10, 'A', "CCD1", "SYS", 0xffff, "");
	/* 0xFFFF wraps to 0. */
	assert_non_null(strstr(line(&f), "CCD1      0000WIN200"));
	assert_int_equal(ccd_link_next_number(l), 1);
	/* C frames to TIM; nothing to a bad name or of another type. */
	m[0] = (struct unet_mech) { .mnemonic = "UTC", .code = 200 };
	hear(l, 20, 'A', "CCD1", "SYS", 0, "");
	assert_int_equal(ccd_link_send(l, 20, UNET_FRAME_COMMAND, "TIM", m, 1), 0);
	assert_string_equal(line(&f), "<SYN>CTIM       CCD1      0001UTC200<EOT>");
	assert_int_equal(ccd_link_send(l, 20, UNET_FRAME_COMMAND, "tim", m, 1), -EINVAL);
	assert_int_equal(ccd_link_send(l, 20, UNET_FRAME_ACK, "SYS", m, 1), -EINVAL);
	/* A message that cannot be encoded takes no number. */
	m[0].mnemonic[0] = 'u';
	assert_int_equal(ccd_link_send(l, 20, UNET_FRAME_STATUS, "SYS", m, 1), -EINVAL);
	assert_int_equal(ccd_link_next_number(l), 2);
	ccd_link_free(l);
}

static void test_the_transmit_table_has_32_frames(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0);

	ccd_link_set_clear_to_send(l, 0, false);
	for (unsigned int i = 0; i < UNET_TX_TABLE_SIZE; i++)
		say(l, 0, "PIC200(1,1,3,1000)");
	struct unet_mech m = { .mnemonic = "INS", .code = 200, .n_args = 1,
			       .args = { unet_arg_number(1) } };

	assert_int_equal(ccd_link_send(l, 0, UNET_FRAME_STATUS, "SYS", &m, 1), -ENOBUFS);
	assert_int_equal(ccd_link_counters(l)->table_full, 1);
	ccd_link_free(l);
}

/* Not clear to send: nothing goes, no resend is counted; ACKs still go. */
static void test_held_until_clear_to_send(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0x10);

	ccd_link_set_clear_to_send(l, 0, false);
	say(l, 0, "INS200(1)");
	assert_string_equal(line(&f), "");
	assert_int_equal(ccd_link_next_deadline(l), UINT64_MAX);
	ccd_link_set_clear_to_send(l, 5000, true);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0010INS200(1)<EOT>");
	/* In flight when held: the resend waits for the release. */
	ccd_link_set_clear_to_send(l, 5100, false);
	ccd_link_tick(l, 9000);
	hear(l, 9000, 'C', "CCD1", "SYS", 1, "PIC200(1)");
	assert_string_equal(line(&f), ACK("0001"));
	ccd_link_set_clear_to_send(l, 9100, true);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0010INS200(1)<EOT>");
	assert_int_equal(ccd_link_counters(l)->resends, 1);
	ccd_link_free(l);
}

/* Reading out: what was queued before still goes, what comes after waits. */
static void test_quiet_lets_earlier_frames_go(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0x10);

	say(l, 0, "SSH200(1,0,0)");
	say(l, 0, "PIC200(1,1,5,3000)");
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0010SSH200(1,0,0)<EOT>");
	ccd_link_set_quiet(l, 0, true);
	say(l, 10, "RSP200(1,0,2)");
	/* The frame in flight is resent while quiet; then the next old one. */
	ccd_link_tick(l, 1000);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0010SSH200(1,0,0)<EOT>");
	hear(l, 1100, 'A', "CCD1", "SYS", 0x10, "");
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0011PIC200(1,1,5,3000)<EOT>");
	hear(l, 1200, 'A', "CCD1", "SYS", 0x11, "");
	/* The one queued since waits, and its ACK-free time is not counted. */
	ccd_link_tick(l, 9000);
	assert_string_equal(line(&f), "");
	hear(l, 9000, 'C', "CCD1", "SYS", 1, "RSP200(1)");
	assert_string_equal(line(&f), ACK("0001"));
	ccd_link_set_quiet(l, 9500, false);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0012RSP200(1,0,2)<EOT>");
	assert_int_equal(ccd_link_counters(l)->resends, 1);
	ccd_link_free(l);
}

static void test_dead_and_restart(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0x10);

	say(l, 0, "INS200(1)");
	line(&f);
	hear(l, 10, 'C', "CCD1", "SYS", 1, "RES101(1)");
	line(&f);
	delivered(&f);
	/* Resetting: deaf and dumb. */
	ccd_link_set_dead(l, true);
	hear(l, 20, 'C', "CCD1", "SYS", 2, "RSP200(1)");
	ccd_link_tick(l, 5000);
	assert_string_equal(line(&f), "");
	assert_string_equal(delivered(&f), "");
	/* Rebooted: empty tables, a new numbering. */
	ccd_link_set_dead(l, false);
	ccd_link_restart(l, 0x8000);
	assert_int_equal(ccd_link_queued(l), 0);
	say(l, 6000, "INS200(1)");
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      8000INS200(1)<EOT>");
	hear(l, 6010, 'C', "CCD1", "SYS", 1, "RSP200(1)");
	assert_string_equal(delivered(&f), "C:RSP200(1)");
	ccd_link_free(l);
}

/* ------------------------------------------------------------ faults */

static void test_drop_acks_and_ignore_acks(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0x20);

	ccd_link_faults(l)->drop_acks = 2;
	hear(l, 0, 'C', "CCD1", "SYS", 1, "CSP101(1,1)");
	hear(l, 1000, 'C', "CCD1", "SYS", 1, "CSP101(1,1)");
	/* Not ACKed, but acted on once. */
	assert_string_equal(line(&f), "");
	assert_string_equal(delivered(&f), "C:CSP101(1,1)");
	hear(l, 2000, 'C', "CCD1", "SYS", 1, "CSP101(1,1)");
	assert_string_equal(line(&f), ACK("0001"));
	assert_string_equal(delivered(&f), "");
	/* The host's ACK not heard: ours is resent with its number. */
	ccd_link_faults(l)->ignore_acks = 1;
	say(l, 3000, "CSP200(1,1,2)");
	line(&f);
	hear(l, 3100, 'A', "CCD1", "SYS", 0x20, "");
	assert_int_equal(ccd_link_queued(l), 1);
	ccd_link_tick(l, 4000);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0020CSP200(1,1,2)<EOT>");
	hear(l, 4100, 'A', "CCD1", "SYS", 0x20, "");
	assert_int_equal(ccd_link_queued(l), 0);
	ccd_link_free(l);
}

static void test_duplicate_and_corrupt_frames_on_the_line(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0);
	const char *out;

	ccd_link_faults(l)->duplicate = 1;
	say(l, 0, "INS200(1)");
	/* Twice, byte for byte, in two writes; once only. */
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0000INS200(1)<EOT>"
				      "<SYN>SSYS       CCD1      0000INS200(1)<EOT>");
	assert_int_equal(f.writes, 2);
	ccd_link_tick(l, 1000);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0000INS200(1)<EOT>");
	ccd_link_free(l);

	/* Each way of spoiling, on a fresh frame. */
	for (size_t i = 0; i <= CCD_CORRUPT_CUT; i++) {
		l = link_new(&f, i == CCD_CORRUPT_FIELD ? 1 : 0);
		ccd_link_faults(l)->corrupt = 1;
		ccd_link_faults(l)->corruption = (enum ccd_corruption)i;
		say(l, 0, "INS200(1)");
		out = line(&f);
		switch (i) {
		case CCD_CORRUPT_NOISE:
			/* The middle character of the payload. */
			assert_string_equal(out, "<SYN>SSYS       CCD1  <CTL>   0000INS200(1)<EOT>");
			break;
		case CCD_CORRUPT_FIELD:
			assert_string_equal(out, "<SYN>SSYS       CCD1      G001INS200(1)<EOT>");
			break;
		case CCD_CORRUPT_SHORT:
			/* Ten characters: fewer than an ACK has. */
			assert_string_equal(out, "<SYN>SSYS      <EOT>");
			break;
		case CCD_CORRUPT_LONG:
			assert_true(strlen(out) > 5 + 255 + 5);
			assert_non_null(strstr(out, "INS200(1)####"));
			assert_non_null(strstr(out, "#<EOT>"));
			break;
		case CCD_CORRUPT_CUT:
			assert_string_equal(out, "<SYN>SSYS       CCD1      0000INS200(1)");
			break;
		}
		/* The resend is whole. */
		ccd_link_tick(l, 1000);
		assert_non_null(strstr(line(&f), "INS200(1)<EOT>"));
		ccd_link_free(l);
	}
}

static void test_nack_refuses_a_frame_and_its_resend_is_taken(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0);

	ccd_link_faults(l)->nack = 1;
	hear(l, 0, 'C', "CCD1", "SYS", 7, "EXP101(1,5000)");
	assert_string_equal(line(&f), "<SYN>NSYS       CCD1      0007<EOT>");
	assert_string_equal(delivered(&f), "");
	hear(l, 1000, 'C', "CCD1", "SYS", 7, "EXP101(1,5000)");
	assert_string_equal(line(&f), ACK("0007"));
	assert_string_equal(delivered(&f), "C:EXP101(1,5000)");
	assert_int_equal(ccd_link_counters(l)->tx_nacks, 1);
	ccd_link_free(l);
}

static void test_silent_for_a_while(void **state)
{
	struct fake f;
	struct ccd_link *l = link_new(&f, 0);

	ccd_link_faults(l)->silent = true;
	ccd_link_faults(l)->silent_until = 3000;
	say(l, 0, "INS200(1)");
	hear(l, 100, 'C', "CCD1", "SYS", 1, "RSP200(1)");
	ccd_link_tick(l, 2999);
	assert_string_equal(line(&f), "");
	assert_string_equal(delivered(&f), "");
	assert_int_equal(ccd_link_next_deadline(l), 3000);
	/* Over: what waited goes out. */
	ccd_link_tick(l, 3000);
	assert_false(ccd_link_faults(l)->silent);
	assert_string_equal(line(&f), "<SYN>SSYS       CCD1      0000INS200(1)<EOT>");
	hear(l, 3100, 'C', "CCD1", "SYS", 1, "RSP200(1)");
	assert_string_equal(delivered(&f), "C:RSP200(1)");
	ccd_link_free(l);
}

static void test_bad_parameters(void **state)
{
	struct ccd_link_params p;
	struct ccd_link *l = NULL;
	struct fake f;

	ccd_link_params_default(&p);
	snprintf(p.name, sizeof(p.name), "ccd1");
	assert_int_equal(ccd_link_new(&p, &ops, &f, 0, &l), -EINVAL);
	ccd_link_params_default(&p);
	p.resend_ms = 0;
	assert_int_equal(ccd_link_new(&p, &ops, &f, 0, &l), -EINVAL);
	assert_int_equal(ccd_corruption_from_name("cut"), CCD_CORRUPT_CUT);
	assert_int_equal(ccd_corruption_from_name("nope"), _CCD_CORRUPT_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_to_us_are_acked_and_delivered_once),
		cmocka_unit_test(test_what_is_not_a_command_to_us),
		cmocka_unit_test(test_one_frame_in_flight_resent_then_dropped),
		cmocka_unit_test(test_messages_are_packed_and_numbers_wrap),
		cmocka_unit_test(test_the_transmit_table_has_32_frames),
		cmocka_unit_test(test_held_until_clear_to_send),
		cmocka_unit_test(test_quiet_lets_earlier_frames_go),
		cmocka_unit_test(test_dead_and_restart),
		cmocka_unit_test(test_drop_acks_and_ignore_acks),
		cmocka_unit_test(test_duplicate_and_corrupt_frames_on_the_line),
		cmocka_unit_test(test_nack_refuses_a_frame_and_its_resend_is_taken),
		cmocka_unit_test(test_silent_for_a_while),
		cmocka_unit_test(test_bad_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
