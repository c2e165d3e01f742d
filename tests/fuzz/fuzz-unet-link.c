// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the UtilityNet link state machine
 * (daemon/unet/unet-link.c) driven by a script of events, so frames from
 * the line (outside input) meet every state of the transmit and duplicate
 * tables. Script bytes, in a loop:
 *
 *   0 L bytes...   a payload of L bytes from the line
 *   1 t n b        a well-formed frame: type t, to SYS/TIM/other (n),
 *                  msgno from n, body b from a small list
 *   2 d            d x 10 ms later: tick
 *   3 b            queue a message with body b (tagged)
 *   4              cancel everything queued
 *   5              ACK the last message the link put on the line
 *
 * Checked throughout: every payload the link transmits decodes; no
 * message is transmitted more than 1 + the resend limit times; every tag
 * hears exactly one delivery (after the final cancel); the queue never
 * passes the table size and the deadline is UINT64_MAX exactly when it
 * is empty; each payload received is counted as received or rejected.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/unet/unet-link.h"

#define RESEND_LIMIT 3
#define MAX_TAGS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	uint8_t transmissions[65536];
	uint8_t delivered[MAX_TAGS];
	uint64_t next_tag;
	char last_message[UNET_PAYLOAD_MAX + 1];	/* the last C/S we sent */
	size_t receives;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

static int on_transmit(const char *payload, size_t len, void *userdata)
{
	struct state *s = userdata;
	struct unet_frame f;

	check(unet_frame_decode(payload, len, &f, NULL) == 0);
	if (f.type == UNET_FRAME_COMMAND || f.type == UNET_FRAME_STATUS) {
		check(++s->transmissions[f.msgno] <= 1 + RESEND_LIMIT);
		memcpy(s->last_message, payload, len);
		s->last_message[len] = '\0';
	} else {
		check(f.type == UNET_FRAME_ACK);
	}
	return 0;
}

static void on_delivery(uint64_t tag, uint16_t msgno, enum unet_delivery result, void *userdata)
{
	struct state *s = userdata;

	check(tag > 0 && tag < MAX_TAGS);
	check(s->delivered[tag]++ == 0);
}

static const struct unet_link_ops ops = {
	.transmit = on_transmit,
	.delivery = on_delivery,
};

static const char *const bodies[] = {
	"INS200(1)", "PIC200(1,3,1500)", "RSP201(1,0,3)", "UTC200", "TIM200",
	"UTC101(1)", "SSH200(1,0,OPEN) SSH201(1,0,1)", "CLR101(1) CLR200(1) CLR201(1)",
};

static void check_invariants(const struct unet_link *l, const struct state *s)
{
	const struct unet_link_counters *k = unet_link_counters(l);

	check(unet_link_queued(l) <= UNET_TX_TABLE_SIZE);
	check((unet_link_next_deadline(l) == UINT64_MAX) == (unet_link_queued(l) == 0));
	check(k->frames_received + k->frames_rejected == s->receives);
	check(k->acks_sent <= k->frames_received);
	check(k->resends <= k->transmissions);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state s;
	struct unet_link_config c;
	struct unet_link *l;
	uint64_t now = 0;
	size_t i = 0;

	memset(&s, 0, sizeof(s));
	s.next_tag = 1;
	unet_link_config_default(&c);
	c.resend_limit = RESEND_LIMIT;
	c.first_msgno = 0xFFF0;		/* wrap within reach */
	check(unet_link_new(&c, &ops, &s, &l) == 0);

	while (i < size) {
		uint8_t op = data[i++] % 6;

		switch (op) {
		case 0: {
			size_t len = i < size ? data[i++] : 0;

			if (len > size - i)
				len = size - i;
			s.receives++;
			unet_link_receive(l, data + i, len, now, now);
			i += len;
			break;
		}
		case 1: {
			static const char types[] = "CSDANB";
			static const char *const dests[] = { "SYS", "TIM", "OBS" };
			char payload[UNET_PAYLOAD_MAX + 1];
			uint8_t t = i < size ? data[i++] : 0, n = i < size ? data[i++] : 0;
			uint8_t b = i < size ? data[i++] : 0;
			bool no_body = types[t % 6] == 'A' || types[t % 6] == 'N';

			snprintf(payload, sizeof(payload), "%c%-10s%-10s%04X%s", types[t % 6],
				 dests[n % 3], n & 0x80 ? "CCD2" : "CCD1", (unsigned)(n & 0x7),
				 no_body ? "" : bodies[b % (sizeof(bodies) / sizeof(bodies[0]))]);
			s.receives++;
			unet_link_receive(l, payload, strlen(payload), now, now);
			break;
		}
		case 2:
			now += (i < size ? data[i++] : 0) * 10000ull;
			unet_link_tick(l, now);
			break;
		case 3: {
			uint8_t b = i < size ? data[i++] : 0;
			size_t before = unet_link_queued(l);
			int r;

			if (s.next_tag >= MAX_TAGS)
				break;
			r = unet_link_send(l, UNET_FRAME_COMMAND, "CCD1",
					   bodies[b % (sizeof(bodies) / sizeof(bodies[0]))],
					   s.next_tag, now, NULL);
			check(r == 0 || (r == -EBUSY && before == UNET_TX_TABLE_SIZE));
			if (r == 0)
				s.next_tag++;
			break;
		}
		case 4:
			unet_link_cancel_all(l);
			break;
		case 5:
			if (s.last_message[0]) {
				char ack[UNET_PAYLOAD_MAX + 1];
				struct unet_frame f, reply;
				int n;

				check(unet_frame_decode(s.last_message, strlen(s.last_message), &f,
							NULL) == 0);
				unet_frame_make_reply(&f, UNET_FRAME_ACK, &reply);
				n = unet_frame_encode(&reply, ack, sizeof(ack));
				check(n == UNET_PAYLOAD_MIN);
				s.receives++;
				unet_link_receive(l, ack, (size_t)n, now, now);
			}
			break;
		}
		check_invariants(l, &s);
	}

	/* Whatever is left: every tag hears once. */
	unet_link_cancel_all(l);
	for (uint64_t tag = 1; tag < s.next_tag; tag++)
		check(s.delivered[tag] == 1);
	unet_link_free(l);
	return 0;
}
