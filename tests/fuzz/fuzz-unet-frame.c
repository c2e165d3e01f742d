// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the UtilityNet frame codec (daemon/unet/unet-frame.c),
 * the parser of every payload read from /dev/unetN. Checked on every
 * input:
 *   - a refused payload leaves the output untouched and names a problem;
 *   - an accepted payload encodes back to exactly the same bytes (the
 *     layout has one spelling per frame);
 *   - every mechanism message of an accepted C or S body formats, and the
 *     formatted text parses back to the same message;
 *   - the ACK built for it encodes to a 25-character payload that decodes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/unet/unet-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_mech_round_trip(const struct unet_mech *m)
{
	char text[UNET_MECH_TEXT_MAX + 1];
	struct unet_body_iter it;
	struct unet_mech back;
	int n;

	n = unet_mech_format(m, text, sizeof(text));
	check(n > 0);
	unet_body_iter_init(&it, text, (size_t)n);
	check(unet_body_next(&it, &back, NULL) == 1);
	{
		struct unet_mech after;

		/* The text is that one message and nothing more. */
		check(unet_body_next(&it, &after, NULL) == 0);
	}
	check(strcmp(back.mnemonic, m->mnemonic) == 0 && back.code == m->code &&
	      back.n_args == m->n_args);
	for (unsigned i = 0; i < m->n_args; i++) {
		check(back.args[i].kind == m->args[i].kind);
		if (m->args[i].kind == UNET_ARG_NUMBER)
			check(back.args[i].number == m->args[i].number);
		else
			check(strcmp(back.args[i].word, m->args[i].word) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unet_frame f, untouched, ack, ack_back;
	struct unet_frame_error e = { .problem = UNET_FRAME_OK };
	char buf[UNET_PAYLOAD_MAX], msg[64];
	struct unet_body_iter it;
	struct unet_mech m;
	int n, r;

	memset(&f, 0xA5, sizeof(f));
	untouched = f;
	r = unet_frame_decode(data, size, &f, &e);
	if (r < 0) {
		check(memcmp(&f, &untouched, sizeof(f)) == 0);
		check(e.problem != UNET_FRAME_OK && e.problem < _UNET_FRAME_PROBLEM_MAX);
		check(unet_frame_error_format(&e, msg, sizeof(msg)) > 0);
		return 0;
	}

	n = unet_frame_encode(&f, buf, sizeof(buf));
	check(n == (int)size && memcmp(buf, data, size) == 0);

	if (f.type == UNET_FRAME_COMMAND || f.type == UNET_FRAME_STATUS) {
		unet_body_iter_init_frame(&it, &f);
		while ((r = unet_body_next(&it, &m, &e)) > 0)
			check_mech_round_trip(&m);
		check(r == 0);
	}

	unet_frame_make_reply(&f, UNET_FRAME_ACK, &ack);
	n = unet_frame_encode(&ack, buf, sizeof(buf));
	check(n == UNET_PAYLOAD_MIN);
	check(unet_frame_decode(buf, (size_t)n, &ack_back, NULL) == 0);
	check(ack_back.msgno == f.msgno && strcmp(ack_back.dest, f.src) == 0 &&
	      strcmp(ack_back.src, f.dest) == 0);
	return 0;
}
