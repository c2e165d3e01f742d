// SPDX-License-Identifier: GPL-2.0
/*
 * The UtilityNet link state machine (daemon/unet/unet-link.c) with its
 * numbering, transmit and duplicate tables and time service, each test
 * from a sentence of the seed (§3.2, §3.3, §6.6, §6.7) or of the spec's
 * decisions (shared/spec/utilitynet.md). The test is the line: it keeps
 * every payload the link transmits and feeds it payloads as the
 * controller would.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/unet/unet-link.h"
#include "daemon/unet/unet-numbering.h"
#include "daemon/unet/unet-time-service.h"

#define SEC 1000000ull
#define MAX_SENT 256
#define MAX_EVENTS 256

struct fixture {
	struct unet_link *link;
	char sent[MAX_SENT][UNET_PAYLOAD_MAX + 1];
	size_t n_sent;
	char mechs[MAX_EVENTS][UNET_MECH_TEXT_MAX + 16];	/* "SRC:MEC200(...)" */
	size_t n_mechs;
	struct {
		uint64_t tag;
		uint16_t msgno;
		enum unet_delivery result;
	} deliveries[MAX_EVENTS];
	size_t n_deliveries;
	size_t n_rejected;
	size_t n_frames, n_duplicate_frames;
	int resending_reports;
	bool resending;
	int transmit_result;
};

static int on_transmit(const char *payload, size_t len, void *userdata)
{
	struct fixture *fx = userdata;

	assert_true(fx->n_sent < MAX_SENT);
	memcpy(fx->sent[fx->n_sent], payload, len);
	fx->sent[fx->n_sent][len] = '\0';
	fx->n_sent++;
	return fx->transmit_result;
}

static void on_frame(const struct unet_frame *f, bool duplicate, void *userdata)
{
	struct fixture *fx = userdata;

	fx->n_frames++;
	fx->n_duplicate_frames += duplicate;
}

static void on_rejected(const void *payload, size_t len, const struct unet_frame_error *e,
			void *userdata)
{
	struct fixture *fx = userdata;

	fx->n_rejected++;
}

static void on_mechanism(const struct unet_frame *f, const struct unet_mech *m, void *userdata)
{
	struct fixture *fx = userdata;
	char text[UNET_MECH_TEXT_MAX + 1];

	assert_true(unet_mech_format(m, text, sizeof(text)) > 0);
	snprintf(fx->mechs[fx->n_mechs++], sizeof(fx->mechs[0]), "%s:%s", f->src, text);
}

static void on_delivery(uint64_t tag, uint16_t msgno, enum unet_delivery result, void *userdata)
{
	struct fixture *fx = userdata;

	fx->deliveries[fx->n_deliveries].tag = tag;
	fx->deliveries[fx->n_deliveries].msgno = msgno;
	fx->deliveries[fx->n_deliveries].result = result;
	fx->n_deliveries++;
}

static void on_resending(bool resending, void *userdata)
{
	struct fixture *fx = userdata;

	fx->resending_reports++;
	fx->resending = resending;
}

static const struct unet_link_ops ops = {
	.transmit = on_transmit,
	.frame = on_frame,
	.rejected = on_rejected,
	.mechanism = on_mechanism,
	.delivery = on_delivery,
	.resending_changed = on_resending,
};

static int setup_with(void **state, uint16_t first, unsigned resend_limit)
{
	struct fixture *fx = test_calloc(1, sizeof(*fx));
	struct unet_link_config c;

	unet_link_config_default(&c);
	c.first_msgno = first;
	c.resend_limit = resend_limit;
	assert_int_equal(unet_link_new(&c, &ops, fx, &fx->link), 0);
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0x1000, UNET_RESEND_LIMIT_DEFAULT);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unet_link_free(fx->link);
	test_free(fx);
	return 0;
}

static void receive(struct fixture *fx, const char *payload, uint64_t now)
{
	unet_link_receive(fx->link, payload, strlen(payload), now, 1764670000ull * SEC + 250000);
}

/* A frame from the controller CCD1 to the host. */
static void from_ccd1(struct fixture *fx, char type, uint16_t msgno, const char *body,
		      uint64_t now)
{
	char payload[UNET_PAYLOAD_MAX + 1];

	snprintf(payload, sizeof(payload), "%cSYS       CCD1      %04X%s", type, msgno, body);
	receive(fx, payload, now);
}

static void ack_from_ccd1(struct fixture *fx, uint16_t msgno, uint64_t now)
{
	from_ccd1(fx, 'A', msgno, "", now);
}

static void send_c(struct fixture *fx, const char *body, uint64_t tag, uint64_t now,
		   uint16_t *msgno)
{
	assert_int_equal(unet_link_send(fx->link, UNET_FRAME_COMMAND, "CCD1", body, tag, now, msgno),
			 0);
}

static void test_one_in_flight(void **state)
{
	struct fixture *fx = *state;
	uint16_t a, b, c;

	/* "If the table was previously empty" the new message goes at once. */
	send_c(fx, "CLR101(1) CLR200(1) CLR201(1)", 1, 0, &a);
	assert_int_equal(a, 0x1000);
	assert_int_equal(fx->n_sent, 1);
	assert_string_equal(fx->sent[0], "CCCD1      SYS       1000CLR101(1) CLR200(1) CLR201(1)");
	/* "a new message will not get written immediately if there is
	 * already one pending". */
	send_c(fx, "RED101(1) RED200(1) RED201(1)", 2, 10, &b);
	send_c(fx, "SSH101(1,OPEN) SSH200(1) SSH201(1)", 3, 20, &c);
	assert_int_equal(b, 0x1001);
	assert_int_equal(c, 0x1002);
	assert_int_equal(fx->n_sent, 1);
	assert_int_equal(unet_link_queued(fx->link), 3);

	/* The ACK removes it and the next is sent. */
	ack_from_ccd1(fx, a, 100);
	assert_int_equal(fx->n_deliveries, 1);
	assert_int_equal(fx->deliveries[0].tag, 1);
	assert_int_equal(fx->deliveries[0].result, UNET_DELIVERED);
	assert_int_equal(fx->n_sent, 2);
	assert_string_equal(fx->sent[1], "CCCD1      SYS       1001RED101(1) RED200(1) RED201(1)");
	/* We never acknowledge an ACK. */
	ack_from_ccd1(fx, b, 200);
	assert_int_equal(fx->n_sent, 3);
	assert_string_equal(fx->sent[2], "CCCD1      SYS       1002SSH101(1,OPEN) SSH200(1) SSH201(1)");
	ack_from_ccd1(fx, c, 300);
	assert_int_equal(fx->n_sent, 3);
	assert_int_equal(unet_link_queued(fx->link), 0);
	assert_int_equal(unet_link_counters(fx->link)->acks_received, 3);
	assert_int_equal(unet_link_counters(fx->link)->acks_sent, 0);
	assert_int_equal(unet_link_next_deadline(fx->link), UINT64_MAX);
}

static void test_resend_then_drop(void **state)
{
	struct fixture *fx = *state;
	const struct unet_link_counters *k = unet_link_counters(fx->link);
	uint16_t a, b;

	send_c(fx, "PIC101(1) PIC200(1) PIC201(1)", 7, 0, &a);
	send_c(fx, "EXP101(1,1000) EXP200(1) EXP201(1)", 8, 0, &b);
	assert_int_equal(unet_link_next_deadline(fx->link), 1 * SEC);
	/* Not before a second: nothing happens. */
	unet_link_tick(fx->link, SEC - 1);
	assert_int_equal(fx->n_sent, 1);
	assert_false(unet_link_resending(fx->link));

	/* Each second without an ACK: the same frame, the same number. */
	for (unsigned i = 1; i <= UNET_RESEND_LIMIT_DEFAULT; i++) {
		unet_link_tick(fx->link, i * SEC);
		assert_int_equal(fx->n_sent, 1 + i);
		assert_string_equal(fx->sent[i], fx->sent[0]);
		assert_int_equal(unet_link_next_deadline(fx->link), (i + 1) * SEC);
		assert_true(unet_link_resending(fx->link));
	}
	assert_int_equal(k->resends, 5);
	assert_int_equal(k->resend_drops, 0);
	assert_int_equal(fx->n_deliveries, 0);
	assert_true(fx->resending);
	assert_int_equal(fx->resending_reports, 1);

	/* Resent too often: dropped, RESEND counted, its waiter told at once,
	 * and the next message goes out. */
	unet_link_tick(fx->link, 6 * SEC);
	assert_int_equal(k->resend_drops, 1);
	assert_int_equal(fx->n_deliveries, 1);
	assert_int_equal(fx->deliveries[0].tag, 7);
	assert_int_equal(fx->deliveries[0].msgno, a);
	assert_int_equal(fx->deliveries[0].result, UNET_DROPPED);
	assert_int_equal(fx->n_sent, 7);
	assert_string_equal(fx->sent[6], "CCCD1      SYS       1001EXP101(1,1000) EXP200(1) EXP201(1)");
	/* Still resending: the line has said nothing since. */
	assert_true(unet_link_resending(fx->link));

	/* A late ACK of the dropped message is stray. */
	ack_from_ccd1(fx, a, 6 * SEC + 1);
	assert_int_equal(k->stray_acks, 1);
	/* Hearing from the line ends "resending". */
	assert_false(unet_link_resending(fx->link));
	assert_false(fx->resending);
	ack_from_ccd1(fx, b, 6 * SEC + 2);
	assert_int_equal(fx->n_deliveries, 2);
	assert_int_equal(fx->deliveries[1].result, UNET_DELIVERED);
	assert_int_equal(k->transmissions, 7);
}

static void test_resend_limit_configurable(void **state)
{
	struct fixture *fx = *state;
	uint16_t a;

	/* Limit 0: the first ACK-less second drops it. */
	send_c(fx, "RES101(1)", 9, 0, &a);
	unet_link_tick(fx->link, SEC);
	assert_int_equal(fx->n_sent, 1);
	assert_int_equal(unet_link_counters(fx->link)->resend_drops, 1);
	assert_int_equal(fx->deliveries[0].result, UNET_DROPPED);
}

static int setup_limit_zero(void **state)
{
	return setup_with(state, 7, 0);
}

static void test_stray_acks(void **state)
{
	struct fixture *fx = *state;
	const struct unet_link_counters *k = unet_link_counters(fx->link);
	uint16_t a;

	send_c(fx, "CLR101(1) CLR200(1) CLR201(1)", 1, 0, &a);
	ack_from_ccd1(fx, a + 1, 1);				/* wrong number */
	receive(fx, "ASYS       CCD2      1000", 2);		/* wrong source */
	receive(fx, "ACCD2      CCD1      1000", 3);		/* not to us */
	assert_int_equal(k->stray_acks, 2);
	assert_int_equal(k->misaddressed, 1);
	assert_int_equal(unet_link_queued(fx->link), 1);
	assert_int_equal(fx->n_deliveries, 0);
	ack_from_ccd1(fx, a, 4);
	assert_int_equal(fx->n_deliveries, 1);
	/* An ACK when nothing is in flight. */
	ack_from_ccd1(fx, a, 5);
	assert_int_equal(k->stray_acks, 3);
	assert_int_equal(fx->n_sent, 1);
}

static void test_ack_and_forward(void **state)
{
	struct fixture *fx = *state;

	/* A status frame with two mechanism messages: ACKed (dest and src
	 * swapped, same number), then each forwarded by itself, in order. */
	from_ccd1(fx, 'S', 0x0042, "RSP200(1,1,2) CSP201(1,0,2)", 0);
	assert_int_equal(fx->n_sent, 1);
	assert_string_equal(fx->sent[0], "ACCD1      SYS       0042");
	assert_int_equal(fx->n_mechs, 2);
	assert_string_equal(fx->mechs[0], "CCD1:RSP200(1,1,2)");
	assert_string_equal(fx->mechs[1], "CCD1:CSP201(1,0,2)");

	/* A command frame too. */
	from_ccd1(fx, 'C', 0x0043, "ABC101(1)", 1);
	assert_string_equal(fx->sent[1], "ACCD1      SYS       0043");
	assert_int_equal(fx->n_mechs, 3);
	assert_int_equal(unet_link_counters(fx->link)->acks_sent, 2);
	assert_int_equal(unet_link_counters(fx->link)->frames_received, 2);
	assert_int_equal(fx->n_frames, 2);
}

static void test_duplicates(void **state)
{
	struct fixture *fx = *state;
	const struct unet_link_counters *k = unet_link_counters(fx->link);

	/* The controller did not get our ACK and sends the frame again: ACK
	 * it again, act on it once. */
	from_ccd1(fx, 'S', 0x0100, "INS200(1)", 0);
	from_ccd1(fx, 'S', 0x0100, "INS200(1)", SEC);
	from_ccd1(fx, 'S', 0x0100, "INS200(1)", 2 * SEC);
	assert_int_equal(fx->n_sent, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(fx->sent[i], "ACCD1      SYS       0100");
	assert_int_equal(fx->n_mechs, 1);
	assert_int_equal(k->duplicates, 2);
	assert_int_equal(fx->n_duplicate_frames, 2);

	/* The same number from another source is another frame. */
	receive(fx, "SSYS       CCD2      0100INS200(2)", 3 * SEC);
	assert_int_equal(fx->n_mechs, 2);
	assert_string_equal(fx->mechs[1], "CCD2:INS200(2)");

	/* After 30 s the entry expires: a controller that restarted its
	 * numbering is heard. */
	from_ccd1(fx, 'S', 0x0100, "INS200(1)", 30 * SEC - 1);
	assert_int_equal(fx->n_mechs, 2);
	assert_int_equal(k->duplicates, 3);
	from_ccd1(fx, 'S', 0x0100, "INS200(1)", 30 * SEC);
	assert_int_equal(fx->n_mechs, 3);
	assert_int_equal(k->duplicates, 3);
}

static void test_duplicate_table_size(void **state)
{
	struct fixture *fx = *state;

	/* 32 entries: the 33rd number pushes out the oldest. */
	for (uint16_t n = 0; n < 33; n++)
		from_ccd1(fx, 'S', n, "MON200(1)", n);
	assert_int_equal(fx->n_mechs, 33);
	from_ccd1(fx, 'S', 32, "MON200(1)", 100);	/* still there */
	assert_int_equal(fx->n_mechs, 33);
	from_ccd1(fx, 'S', 0, "MON200(1)", 101);	/* the oldest, gone */
	assert_int_equal(fx->n_mechs, 34);
}

static void test_nack_broadcast_data(void **state)
{
	struct fixture *fx = *state;
	const struct unet_link_counters *k = unet_link_counters(fx->link);
	uint16_t a;

	send_c(fx, "CLR101(1) CLR200(1) CLR201(1)", 1, 0, &a);
	/* A NACK is counted; the message is resent by its timer, not before. */
	from_ccd1(fx, 'N', a, "", 10);
	assert_int_equal(k->nacks, 1);
	assert_int_equal(fx->n_sent, 1);
	assert_int_equal(unet_link_queued(fx->link), 1);
	/* A broadcast is ignored: not ACKed, not forwarded. */
	receive(fx, "BALL       CCD1      0007anything", 20);
	assert_int_equal(k->broadcasts, 1);
	assert_int_equal(fx->n_sent, 1);
	/* A data frame is logged and ACKed, not acted on. */
	from_ccd1(fx, 'D', 0x0008, "PIC200(1,6,1000)", 30);
	assert_int_equal(k->data_frames, 1);
	assert_int_equal(fx->n_sent, 2);
	assert_string_equal(fx->sent[1], "ACCD1      SYS       0008");
	assert_int_equal(fx->n_mechs, 0);
}

static void test_misaddressed_and_bad(void **state)
{
	struct fixture *fx = *state;
	const struct unet_link_counters *k = unet_link_counters(fx->link);

	/* For another host: not ours to ACK or act on. */
	receive(fx, "SOBS       CCD1      0001INS200(1)", 0);
	receive(fx, "COBS       CCD1      0002UTC200", 0);
	assert_int_equal(k->misaddressed, 2);
	assert_int_equal(fx->n_sent, 0);
	assert_int_equal(fx->n_mechs, 0);
	assert_int_equal(k->time_requests, 0);

	/* Malformed: counted by problem, never ACKed. */
	receive(fx, "SSYS       CCD1      00x1INS200(1)", 0);
	receive(fx, "SSYS       CCD1      0001INS200(", 0);
	receive(fx, "QSYS       CCD1      0001INS200(1)", 0);
	receive(fx, "short", 0);
	assert_int_equal(k->frames_rejected, 4);
	assert_int_equal(k->rejected_by_problem[UNET_FRAME_BAD_MSGNO], 1);
	assert_int_equal(k->rejected_by_problem[UNET_FRAME_BAD_ARGUMENT], 1);
	assert_int_equal(k->rejected_by_problem[UNET_FRAME_BAD_TYPE], 1);
	assert_int_equal(k->rejected_by_problem[UNET_FRAME_TOO_SHORT], 1);
	assert_int_equal(fx->n_rejected, 4);
	assert_int_equal(fx->n_sent, 0);
	assert_int_equal(k->frames_received, 2);
}

static void test_time_service(void **state)
{
	struct fixture *fx = *state;
	const struct unet_link_counters *k = unet_link_counters(fx->link);

	/* The controller asks TIM for the time: ACK from TIM, then the
	 * answer as an S frame from TIM with the next number. */
	receive(fx, "CTIM       CCD1      0200UTC200", 0);
	assert_int_equal(fx->n_sent, 2);
	assert_string_equal(fx->sent[0], "ACCD1      TIM       0200");
	assert_string_equal(fx->sent[1], "SCCD1      TIM       1000UTC200(0,1764670000,250000)");
	assert_int_equal(k->time_requests, 1);
	assert_int_equal(fx->n_mechs, 0);
	/* It waits for its ACK like any message, from the requester to TIM. */
	assert_int_equal(unet_link_queued(fx->link), 1);
	receive(fx, "ATIM       CCD1      1000", 1);
	assert_int_equal(unet_link_queued(fx->link), 0);
	assert_int_equal(k->acks_received, 1);

	/* Addressed to the host instead: still answered as TIM; TIM200 is
	 * the time of day (1764670000 % 86400 = 36400). */
	from_ccd1(fx, 'C', 0x0201, "TIM200", 2);
	assert_string_equal(fx->sent[3], "SCCD1      TIM       1001TIM200(0,36400,250000)");
	receive(fx, "ATIM       CCD1      1001", 3);
	/* Any source. */
	receive(fx, "CTIM       CCD7      0001UTC201", 4);
	assert_string_equal(fx->sent[5], "SCCD7      TIM       1002UTC200(2)");
	assert_int_equal(k->time_requests, 3);
	/* Other messages in the same frame go on to the server. */
	receive(fx, "ATIM       CCD7      1002", 5);
	from_ccd1(fx, 'C', 0x0202, "SYN200(1,1) UTC200", 6);
	assert_int_equal(fx->n_mechs, 1);
	assert_string_equal(fx->mechs[0], "CCD1:SYN200(1,1)");
}

static void test_table_full(void **state)
{
	struct fixture *fx = *state;
	uint16_t n;

	for (unsigned i = 0; i < UNET_TX_TABLE_SIZE; i++)
		send_c(fx, "CLR101(1) CLR200(1) CLR201(1)", i + 1, 0, &n);
	assert_int_equal(n, 0x1000 + UNET_TX_TABLE_SIZE - 1);
	/* Full: refused, and no number spent. */
	assert_int_equal(unet_link_send(fx->link, UNET_FRAME_COMMAND, "CCD1", "CLR101(1)", 99, 0, &n),
			 -EBUSY);
	ack_from_ccd1(fx, 0x1000, 1);
	send_c(fx, "CLR101(1)", 99, 1, &n);
	assert_int_equal(n, 0x1000 + UNET_TX_TABLE_SIZE);
	/* Bad arguments queue nothing. */
	assert_int_equal(unet_link_send(fx->link, UNET_FRAME_COMMAND, "ccd1", "CLR101(1)", 0, 0, NULL),
			 -EINVAL);
	assert_int_equal(unet_link_send(fx->link, UNET_FRAME_ACK, "CCD1", "", 0, 0, NULL), -EINVAL);
	assert_int_equal(unet_link_send(fx->link, UNET_FRAME_COMMAND, "CCD1", "CLR101(", 0, 0, NULL),
			 -EINVAL);
	assert_int_equal(unet_link_queued(fx->link), UNET_TX_TABLE_SIZE);
}

static int setup_wrap(void **state)
{
	return setup_with(state, 0xFFFE, UNET_RESEND_LIMIT_DEFAULT);
}

static void test_numbering_wraps(void **state)
{
	struct fixture *fx = *state;
	uint16_t a, b, c;

	send_c(fx, "CLR101(1)", 1, 0, &a);
	send_c(fx, "CLR101(1)", 2, 0, &b);
	send_c(fx, "CLR101(1)", 3, 0, &c);
	assert_int_equal(a, 0xFFFE);
	assert_int_equal(b, 0xFFFF);
	assert_int_equal(c, 0x0000);
	ack_from_ccd1(fx, a, 1);
	ack_from_ccd1(fx, b, 2);
	assert_string_equal(fx->sent[2], "CCCD1      SYS       0000CLR101(1)");
}

static void test_first_number(void **state)
{
	/* The seed's (100 * pid) % 0xFFFF, mixed with a random number. */
	assert_int_equal(unet_numbering_first(1234, 0), (100 * 1234) % 0xFFFF);
	assert_int_equal(unet_numbering_first(4194304, 0), (uint16_t)((100ull * 4194304) % 0xFFFF));
	assert_int_equal(unet_numbering_first(1234, 0x00FF), ((100 * 1234) % 0xFFFF) ^ 0x00FF);
	/* The same pid in two runs starts elsewhere when the random differs. */
	assert_int_not_equal(unet_numbering_first(77, 1), unet_numbering_first(77, 2));
}

static void test_cmdreq_on_the_wire(void **state)
{
	struct fixture *fx = *state;
	struct unet_mech rsp = { .mnemonic = "RSP", .n_args = 2 };
	struct unet_mech rga = { .mnemonic = "RGA", .n_args = 1 };

	rsp.args[0] = unet_arg_number(1);
	rsp.args[1] = unet_arg_number(3);
	rga.args[0] = unet_arg_number(102000);
	assert_int_equal(unet_link_send_cmdreq(fx->link, "CCD1", &rsp, true, 1, 0, NULL), 0);
	assert_int_equal(unet_link_send_cmdreq(fx->link, "CCD1", &rga, false, 2, 0, NULL), 0);
	ack_from_ccd1(fx, 0x1000, 1);
	assert_string_equal(fx->sent[0], "CCCD1      SYS       1000RSP101(1,3) RSP200(1) RSP201(1)");
	assert_string_equal(fx->sent[1], "CCCD1      SYS       1001RGA101(102000) RGA200 RGA201");
}

static void test_cancel_all(void **state)
{
	struct fixture *fx = *state;

	send_c(fx, "CLR101(1)", 1, 0, NULL);
	send_c(fx, "RED101(1)", 0, 0, NULL);	/* nobody waits */
	send_c(fx, "PIC101(1)", 3, 0, NULL);
	unet_link_tick(fx->link, SEC);
	assert_true(fx->resending);
	unet_link_cancel_all(fx->link);
	assert_int_equal(unet_link_queued(fx->link), 0);
	assert_int_equal(fx->n_deliveries, 2);
	assert_int_equal(fx->deliveries[0].tag, 1);
	assert_int_equal(fx->deliveries[0].result, UNET_CANCELLED);
	assert_int_equal(fx->deliveries[1].tag, 3);
	assert_false(fx->resending);
	assert_int_equal(unet_link_next_deadline(fx->link), UINT64_MAX);
	/* Nothing was dropped at the limit: RESEND stays 0. */
	assert_int_equal(unet_link_counters(fx->link)->resend_drops, 0);
}

static void test_transmit_failure_is_resent(void **state)
{
	struct fixture *fx = *state;

	/* The device is gone for a moment: the timer tries again. */
	fx->transmit_result = -EIO;
	send_c(fx, "CLR101(1)", 1, 0, NULL);
	assert_int_equal(unet_link_counters(fx->link)->transmit_errors, 1);
	fx->transmit_result = 0;
	unet_link_tick(fx->link, SEC);
	assert_int_equal(fx->n_sent, 2);
	ack_from_ccd1(fx, 0x1000, SEC + 1);
	assert_int_equal(fx->deliveries[0].result, UNET_DELIVERED);
}

static void test_config_checked(void **state)
{
	struct unet_link_config c;
	struct unet_link *l = NULL;

	unet_link_config_default(&c);
	assert_string_equal(c.host_name, "SYS");
	assert_int_equal(c.resend_limit, 5);
	assert_int_equal(c.resend_interval_usec, SEC);
	assert_int_equal(c.duplicate_expiry_usec, 30 * SEC);
	strcpy(c.host_name, "sys");
	assert_int_equal(unet_link_new(&c, NULL, NULL, &l), -EINVAL);
	strcpy(c.host_name, "HOST2");
	c.resend_limit = UNET_RESEND_LIMIT_MAX + 1;
	assert_int_equal(unet_link_new(&c, NULL, NULL, &l), -EINVAL);
	c.resend_limit = 3;
	assert_int_equal(unet_link_new(&c, NULL, NULL, &l), 0);
	assert_string_equal(unet_link_host_name(l), "HOST2");
	/* No callbacks: still a working link (transmissions counted as errors). */
	assert_int_equal(unet_link_send(l, UNET_FRAME_COMMAND, "CCD1", "CLR101(1)", 1, 0, NULL), 0);
	unet_link_receive(l, "CHOST2     CCD1      0001UTC200", 31, 0, 0);
	assert_int_equal(unet_link_counters(l)->time_requests, 1);
	unet_link_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_then_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_limit_configurable, setup_limit_zero,
						teardown),
		cmocka_unit_test_setup_teardown(test_stray_acks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_and_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_table_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nack_broadcast_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misaddressed_and_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbering_wraps, setup_wrap, teardown),
		cmocka_unit_test(test_first_number),
		cmocka_unit_test_setup_teardown(test_cmdreq_on_the_wire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transmit_failure_is_resent, setup, teardown),
		cmocka_unit_test(test_config_checked),
	};

	return cmocka_run_group_tests_name("unet-link", tests, NULL, NULL);
}
