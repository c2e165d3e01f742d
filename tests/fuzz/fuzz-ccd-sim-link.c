// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what the simulated controller hears on its line.
 * Each input line is one payload from the host (what the framer hands
 * over between SYN and EOT), fed to the controller's end of the link with
 * the controller behind it, time moving between payloads. Checked: the
 * controller only ever says what encodes (every status and request it
 * queues is taken, or refused for a full table, never as malformed),
 * and every byte it puts on the line is a whole frame: SYN, at most 255
 * printable characters, EOT.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/ccd-sim-link.h"
#include "tests/sim/ccd-controller.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rig {
	struct ccd_controller *controller;
	struct ccd_link *link;
	uint64_t now_ms;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

static void line_write(void *userdata, const uint8_t *bytes, size_t n)
{
	check(n >= 2 + UNET_PAYLOAD_MIN && n <= 2 + UNET_PAYLOAD_MAX);
	check(bytes[0] == 0x16 && bytes[n - 1] == 0x04);
	for (size_t i = 1; i < n - 1; i++)
		check(bytes[i] >= 0x20 && bytes[i] <= 0x7e);
}

static void command(void *userdata, const struct unet_mech *m)
{
	struct rig *r = userdata;

	ccd_controller_command(r->controller, r->now_ms * 60, m);
}

static void time_reply(void *userdata, const struct unet_mech *m)
{
	struct rig *r = userdata;

	ccd_controller_time_reply(r->controller, r->now_ms * 60, 1764670000000, m);
}

static const struct ccd_link_ops ops = {
	.line_write = line_write, .command = command, .time_reply = time_reply,
};

/* What the controller has to say goes to the link, which must take it. */
static void drain(struct rig *r)
{
	struct ccd_out o;
	struct ccd_readout readout;

	while (ccd_controller_take_output(r->controller, &o)) {
		int e;

		if (o.kind == CCD_OUT_NOTE)
			continue;
		e = ccd_link_send(r->link, r->now_ms,
				  o.kind == CCD_OUT_STATUS ? UNET_FRAME_STATUS : UNET_FRAME_COMMAND,
				  o.kind == CCD_OUT_STATUS ? "SYS" : "TIM", &o.mech, 1);
		check(e == 0 || e == -ENOBUFS);
	}
	if (ccd_controller_take_readout(r->controller, &readout))
		ccd_controller_readout_delivered(r->controller, r->now_ms * 60);
	ccd_link_set_dead(r->link, ccd_controller_resetting(r->controller));
	ccd_link_set_quiet(r->link, r->now_ms, ccd_controller_quiet(r->controller));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccd_controller_params cp;
	struct ccd_link_params lp;
	struct rig r = { .now_ms = 0 };
	size_t at = 0;

	ccd_controller_params_default(&cp);
	cp.reply_timeout_ms = 600000;
	cp.progress_interval_ms = 60000;
	ccd_link_params_default(&lp);
	check(ccd_controller_new(&cp, 0, &r.controller) == 0);
	check(ccd_link_new(&lp, &ops, &r, 0, &r.link) == 0);
	ccd_link_set_clear_to_send(r.link, 0, true);
	drain(&r);
	while (at < size) {
		size_t start = at;

		while (at < size && data[at] != '\n')
			at++;
		r.now_ms += 50;
		ccd_link_receive(r.link, r.now_ms, data + start, at - start);
		ccd_controller_advance(r.controller, r.now_ms * 60);
		drain(&r);
		ccd_link_tick(r.link, r.now_ms);
		/* A frame from us is ACKed by the host now and then. */
		if (at < size && data[at] == '\n' && (at & 1)) {
			char ack[UNET_PAYLOAD_MIN + 1];
			uint16_t n = (uint16_t)(ccd_link_next_number(r.link) - 1);
			static const char hex[] = "0123456789ABCDEF";

			memcpy(ack, "ACCD1      SYS       ", 21);
			ack[21] = hex[n >> 12];
			ack[22] = hex[(n >> 8) & 15];
			ack[23] = hex[(n >> 4) & 15];
			ack[24] = hex[n & 15];
			ccd_link_receive(r.link, r.now_ms, (const uint8_t *)ack, UNET_PAYLOAD_MIN);
		}
		at++;
	}
	r.now_ms += 3600000;
	ccd_controller_advance(r.controller, r.now_ms * 60);
	drain(&r);
	ccd_link_free(r.link);
	ccd_controller_free(r.controller);
	return 0;
}
