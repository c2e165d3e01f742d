// SPDX-License-Identifier: GPL-2.0
/*
 * UtilityNet frame codec (daemon/unet/unet-frame.c), from the profile in
 * shared/spec/utilitynet.md: the payload layout type, dest[10], src[10],
 * msgno[4], body; every field checked with its column; ACK/NACK bodies;
 * mechanism messages with and without arguments; the seed's CMDREQ
 * grouping "RSP101(1,3) RSP200(1) RSP201(1)" and "RGA101(102000) RGA200
 * RGA201".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/unet/unet-frame.h"

#define ACK_FROM_CCD1 "ASYS       CCD1      00A1"

static int decode(const char *payload, struct unet_frame *f, struct unet_frame_error *e)
{
	return unet_frame_decode(payload, strlen(payload), f, e);
}

static void expect_problem(const char *payload, enum unet_frame_problem problem, size_t column)
{
	struct unet_frame f, untouched;
	struct unet_frame_error e = {};

	memset(&f, 0x5A, sizeof(f));
	untouched = f;
	assert_int_equal(decode(payload, &f, &e), -EBADMSG);
	if (e.problem != problem || e.column != column)
		fail_msg("\"%s\": got %s at %zu, want %s at %zu", payload,
			 unet_frame_problem_to_string(e.problem), e.column,
			 unet_frame_problem_to_string(problem), column);
	assert_memory_equal(&f, &untouched, sizeof(f));
}

static void test_decode_command(void **state)
{
	const char *p = "CCCD1      SYS       1A2FRSP101(1,3) RSP200(1) RSP201(1)";
	struct unet_frame f;

	assert_int_equal(decode(p, &f, NULL), 0);
	assert_int_equal(f.type, UNET_FRAME_COMMAND);
	assert_string_equal(f.dest, "CCD1");
	assert_string_equal(f.src, "SYS");
	assert_int_equal(f.msgno, 0x1A2F);
	assert_string_equal(f.body, "RSP101(1,3) RSP200(1) RSP201(1)");
	assert_int_equal(f.body_len, strlen("RSP101(1,3) RSP200(1) RSP201(1)"));
}

static void test_decode_ack_and_names(void **state)
{
	struct unet_frame f;

	/* The shortest frame: an ACK, exactly 25 characters. */
	assert_int_equal(strlen(ACK_FROM_CCD1), UNET_PAYLOAD_MIN);
	assert_int_equal(decode(ACK_FROM_CCD1, &f, NULL), 0);
	assert_int_equal(f.type, UNET_FRAME_ACK);
	assert_string_equal(f.dest, "SYS");
	assert_string_equal(f.src, "CCD1");
	assert_int_equal(f.msgno, 0x00A1);
	assert_int_equal(f.body_len, 0);

	/* Ten-character names use the whole field. */
	assert_int_equal(decode("NABCDEFGHIJ0123456789FFFF", &f, NULL), 0);
	assert_int_equal(f.type, UNET_FRAME_NACK);
	assert_string_equal(f.dest, "ABCDEFGHIJ");
	assert_string_equal(f.src, "0123456789");
	assert_int_equal(f.msgno, 0xFFFF);
}

static void test_decode_all_types(void **state)
{
	struct unet_frame f;

	assert_int_equal(decode("SSYS       CCD1      0001INS200(1)", &f, NULL), 0);
	assert_int_equal(f.type, UNET_FRAME_STATUS);
	/* D and B bodies are not interpreted, only printable and non-empty. */
	assert_int_equal(decode("DSYS       CCD1      0002some data, (not a message)", &f, NULL), 0);
	assert_int_equal(f.type, UNET_FRAME_DATA);
	assert_int_equal(decode("BSYS       CCD1      0003anything at all", &f, NULL), 0);
	assert_int_equal(f.type, UNET_FRAME_BROADCAST);
}

static void test_decode_problems(void **state)
{
	char longest[UNET_PAYLOAD_MAX + 2];

	expect_problem("ASYS       CCD1      00A", UNET_FRAME_TOO_SHORT, 0);
	memset(longest, 'X', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	expect_problem(longest, UNET_FRAME_TOO_LONG, 256);
	expect_problem("XSYS       CCD1      00A1", UNET_FRAME_BAD_TYPE, 1);
	expect_problem("cSYS       CCD1      00A1", UNET_FRAME_BAD_TYPE, 1);
	/* Names: upper-case letters and digits, then only spaces. */
	expect_problem("A SYS      CCD1      00A1", UNET_FRAME_BAD_DEST, 2);
	expect_problem("Asys       CCD1      00A1", UNET_FRAME_BAD_DEST, 2);
	expect_problem("ASYS X     CCD1      00A1", UNET_FRAME_BAD_DEST, 6);
	expect_problem("ASYS       CCD-1     00A1", UNET_FRAME_BAD_SRC, 15);
	expect_problem("ASYS                 00A1", UNET_FRAME_BAD_SRC, 12);
	/* Message numbers: four upper-case hex digits. */
	expect_problem("ASYS       CCD1      00a1", UNET_FRAME_BAD_MSGNO, 24);
	expect_problem("ASYS       CCD1      G0A1", UNET_FRAME_BAD_MSGNO, 22);
	expect_problem("ASYS       CCD1       0A1", UNET_FRAME_BAD_MSGNO, 22);
	/* ACK and NACK carry no body; the others must. */
	expect_problem("ASYS       CCD1      00A1X", UNET_FRAME_UNEXPECTED_BODY, 26);
	expect_problem("NSYS       CCD1      00A1 ", UNET_FRAME_UNEXPECTED_BODY, 26);
	expect_problem("DSYS       CCD1      00A1", UNET_FRAME_EMPTY_BODY, 26);
	/* Printable ASCII only, anywhere. */
	expect_problem("SSYS       CCD1      00A1INS200(1)\x7f", UNET_FRAME_NOT_PRINTABLE, 35);
	expect_problem("SSYS\t      CCD1      00A1INS200(1)", UNET_FRAME_NOT_PRINTABLE, 5);
}

static void test_decode_body_problems(void **state)
{
	/* Columns count in the payload: the body starts at column 26. */
	expect_problem("SSYS       CCD1      0001IN200(1)", UNET_FRAME_BAD_MNEMONIC, 28);
	expect_problem("SSYS       CCD1      0001ins200(1)", UNET_FRAME_BAD_MNEMONIC, 26);
	expect_problem("SSYS       CCD1      0001INS20(1)", UNET_FRAME_BAD_CODE, 31);
	expect_problem("SSYS       CCD1      0001INS2000", UNET_FRAME_BAD_SEPARATOR, 32);
	expect_problem("SSYS       CCD1      0001INS200()", UNET_FRAME_BAD_ARGUMENT, 33);
	expect_problem("SSYS       CCD1      0001INS200(1,)", UNET_FRAME_BAD_ARGUMENT, 35);
	expect_problem("SSYS       CCD1      0001INS200(1", UNET_FRAME_UNTERMINATED_ARGUMENTS, 34);
	expect_problem("SSYS       CCD1      0001SSH101(1,open)", UNET_FRAME_BAD_ARGUMENT, 35);
	expect_problem("SSYS       CCD1      0001SSH101(1,1OPEN)", UNET_FRAME_BAD_ARGUMENT, 36);
	expect_problem("SSYS       CCD1      0001INS200(1) ", UNET_FRAME_BAD_SEPARATOR, 36);
	expect_problem("SSYS       CCD1      0001INS200(1)  MON200", UNET_FRAME_BAD_SEPARATOR, 36);
	expect_problem("SSYS       CCD1      0001INS200(1)MON200", UNET_FRAME_BAD_SEPARATOR, 35);
	expect_problem("SSYS       CCD1      0001INS200(1)(2)", UNET_FRAME_BAD_ARGUMENT, 35);
	expect_problem("SSYS       CCD1      0001WIN200(1,0,1,1,1,2,2,1,3,4,5,6,7)",
		       UNET_FRAME_TOO_MANY_ARGUMENTS, 57);
	/* 19 digits do not fit the decoder's range. */
	expect_problem("SSYS       CCD1      0001UTC200(0,1234567890123456789)",
		       UNET_FRAME_BAD_ARGUMENT, 35);
}

static void test_encode_round_trip(void **state)
{
	struct unet_frame f = {
		.type = UNET_FRAME_COMMAND,
		.dest = "CCD1",
		.src = "SYS",
		.msgno = 0xBEEF,
	}, back;
	char buf[UNET_PAYLOAD_MAX];
	int n;

	strcpy(f.body, "PIC101(1) PIC200(1) PIC201(1)");
	f.body_len = strlen(f.body);
	n = unet_frame_encode(&f, buf, sizeof(buf));
	assert_int_equal(n, 25 + (int)f.body_len);
	assert_memory_equal(buf, "CCCD1      SYS       BEEFPIC101(1) PIC200(1) PIC201(1)", n);
	assert_int_equal(unet_frame_decode(buf, n, &back, NULL), 0);
	assert_int_equal(back.type, f.type);
	assert_string_equal(back.dest, f.dest);
	assert_string_equal(back.src, f.src);
	assert_int_equal(back.msgno, f.msgno);
	assert_string_equal(back.body, f.body);

	/* Too small a buffer: nothing but the error. */
	assert_int_equal(unet_frame_encode(&f, buf, 30), -ENOBUFS);
}

static void test_encode_refuses_what_decode_would(void **state)
{
	struct unet_frame f = { .type = UNET_FRAME_ACK, .dest = "CCD1", .src = "SYS" };
	char buf[UNET_PAYLOAD_MAX];

	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), UNET_PAYLOAD_MIN);
	f.type = 'Q';
	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), -EINVAL);
	f.type = UNET_FRAME_ACK;
	strcpy(f.dest, "ccd1");
	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), -EINVAL);
	strcpy(f.dest, "");
	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), -EINVAL);
	strcpy(f.dest, "CCD1");
	strcpy(f.body, "X");
	f.body_len = 1;
	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), -EINVAL);	/* ACK with a body */
	f.type = UNET_FRAME_STATUS;
	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), -EINVAL);	/* not a message */
	f.body_len = 0;
	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), -EINVAL);	/* S without one */
	f.body_len = UNET_BODY_MAX + 1;
	assert_int_equal(unet_frame_encode(&f, buf, sizeof(buf)), -EINVAL);
}

static void test_reply(void **state)
{
	struct unet_frame f, ack;
	char buf[UNET_PAYLOAD_MAX];
	int n;

	assert_int_equal(decode("SSYS       CCD1      4321RSP200(1,1,2)", &f, NULL), 0);
	unet_frame_make_reply(&f, UNET_FRAME_ACK, &ack);
	n = unet_frame_encode(&ack, buf, sizeof(buf));
	assert_int_equal(n, 25);
	assert_memory_equal(buf, "ACCD1      SYS       4321", 25);
}

static void test_body_iteration(void **state)
{
	const char *body = "RSP201(1,0,3) SSH200(1,0,OPEN) RGA200 UTC200(0,1764670000,250000)";
	struct unet_body_iter it;
	struct unet_mech m;
	int64_t v;

	unet_body_iter_init(&it, body, strlen(body));
	assert_int_equal(unet_body_next(&it, &m, NULL), 1);
	assert_string_equal(m.mnemonic, "RSP");
	assert_int_equal(m.code, 201);
	assert_int_equal(m.n_args, 3);
	assert_true(unet_mech_number(&m, 2, &v));
	assert_int_equal(v, 3);
	assert_false(unet_mech_number(&m, 3, &v));

	assert_int_equal(unet_body_next(&it, &m, NULL), 1);
	assert_string_equal(m.mnemonic, "SSH");
	assert_int_equal(m.args[2].kind, UNET_ARG_WORD);
	assert_string_equal(m.args[2].word, "OPEN");
	assert_false(unet_mech_number(&m, 2, &v));

	assert_int_equal(unet_body_next(&it, &m, NULL), 1);
	assert_string_equal(m.mnemonic, "RGA");
	assert_int_equal(m.code, 200);
	assert_int_equal(m.n_args, 0);

	assert_int_equal(unet_body_next(&it, &m, NULL), 1);
	assert_true(unet_mech_number(&m, 1, &v));
	assert_int_equal(v, 1764670000);
	assert_int_equal(unet_body_next(&it, &m, NULL), 0);
	assert_int_equal(unet_body_next(&it, &m, NULL), 0);
}

static void test_mech_format(void **state)
{
	struct unet_mech m = { .mnemonic = "WIN", .code = 101, .n_args = 7 };
	char buf[64];
	int64_t args[] = { 1, 2, 10, 20, 300, 400, 1 };

	for (size_t i = 0; i < 7; i++)
		m.args[i] = unet_arg_number(args[i]);
	assert_int_equal(unet_mech_format(&m, buf, sizeof(buf)), 27);
	assert_string_equal(buf, "WIN101(1,2,10,20,300,400,1)");
	assert_int_equal(unet_mech_format(&m, buf, 27), -ENOBUFS);

	m = (struct unet_mech){ .mnemonic = "SSH", .code = 101, .n_args = 2 };
	m.args[0] = unet_arg_number(1);
	m.args[1] = unet_arg_word("UNJAM");
	assert_int_equal(unet_mech_format(&m, buf, sizeof(buf)), 15);
	assert_string_equal(buf, "SSH101(1,UNJAM)");

	m.args[1] = unet_arg_word("unjam");
	assert_int_equal(unet_mech_format(&m, buf, sizeof(buf)), -EINVAL);
	m = (struct unet_mech){ .mnemonic = "Ssh", .code = 200 };
	assert_int_equal(unet_mech_format(&m, buf, sizeof(buf)), -EINVAL);
	m = (struct unet_mech){ .mnemonic = "SSH", .code = 1000 };
	assert_int_equal(unet_mech_format(&m, buf, sizeof(buf)), -EINVAL);
	m = (struct unet_mech){ .mnemonic = "RGA", .code = 7 };
	assert_int_equal(unet_mech_format(&m, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "RGA007");
}

static void test_cmdreq(void **state)
{
	struct unet_mech rsp = { .mnemonic = "RSP", .n_args = 2 };
	struct unet_mech rga = { .mnemonic = "RGA", .n_args = 1 };
	char buf[UNET_BODY_MAX + 1];

	rsp.args[0] = unet_arg_number(1);
	rsp.args[1] = unet_arg_number(3);
	assert_int_equal(unet_cmdreq_body(&rsp, true, buf, sizeof(buf)),
			 (int)strlen("RSP101(1,3) RSP200(1) RSP201(1)"));
	assert_string_equal(buf, "RSP101(1,3) RSP200(1) RSP201(1)");

	rga.args[0] = unet_arg_number(102000);
	assert_int_equal(unet_cmdreq_body(&rga, false, buf, sizeof(buf)),
			 (int)strlen("RGA101(102000) RGA200 RGA201"));
	assert_string_equal(buf, "RGA101(102000) RGA200 RGA201");

	/* A head-numbered request needs its head number. */
	rga.n_args = 0;
	assert_int_equal(unet_cmdreq_body(&rga, true, buf, sizeof(buf)), -EINVAL);
	/* Without arguments at all: "CLR101 CLR200 CLR201". */
	assert_int_equal(unet_cmdreq_body(&rga, false, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "RGA101 RGA200 RGA201");
	assert_int_equal(unet_body_check(buf, strlen(buf), NULL), 0);
}

static void test_body_append_limit(void **state)
{
	struct unet_mech m = { .mnemonic = "ABC", .code = 100 };
	char body[UNET_BODY_MAX + 1];
	size_t len = 0;
	int appended = 0;

	/* 6 characters + a space each: 33 fill 230 exactly. */
	while (unet_body_append(body, sizeof(body), &len, &m) == 0)
		appended++;
	assert_int_equal(appended, 33);
	assert_int_equal(len, UNET_BODY_MAX);
	assert_int_equal(strlen(body), UNET_BODY_MAX);
	assert_int_equal(unet_body_check(body, len, NULL), 0);
}

static void test_name_valid(void **state)
{
	assert_true(unet_name_valid("SYS"));
	assert_true(unet_name_valid("TIM"));
	assert_true(unet_name_valid("CCD1"));
	assert_true(unet_name_valid("0123456789"));
	assert_false(unet_name_valid(""));
	assert_false(unet_name_valid("01234567890"));
	assert_false(unet_name_valid("ccd1"));
	assert_false(unet_name_valid("CCD 1"));
	assert_false(unet_name_valid("CCD_1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_command),
		cmocka_unit_test(test_decode_ack_and_names),
		cmocka_unit_test(test_decode_all_types),
		cmocka_unit_test(test_decode_problems),
		cmocka_unit_test(test_decode_body_problems),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_encode_refuses_what_decode_would),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_body_iteration),
		cmocka_unit_test(test_mech_format),
		cmocka_unit_test(test_cmdreq),
		cmocka_unit_test(test_body_append_limit),
		cmocka_unit_test(test_name_valid),
	};

	return cmocka_run_group_tests_name("unet-frame", tests, NULL, NULL);
}
