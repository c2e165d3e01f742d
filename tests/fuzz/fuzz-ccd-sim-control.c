// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ccd-sim's control language (what arrives on its
 * FIFO or stdin), against a controller and its link. The input is split
 * into lines, each run as a command, with simulated time moving between
 * them. Checked: an accepted command replies "ok..." (or nothing for a
 * blank line or comment); a refused one has a reason and changed nothing
 * the "status" command shows.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/ccd-sim-control.h"
#include "tests/sim/control-source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void discard(void *userdata, const uint8_t *bytes, size_t n)
{
}

static const struct ccd_link_ops ops = { .line_write = discard };

static void status(const struct ccd_control_target *t, char *buf, size_t size)
{
	check(ccd_control_execute(t, "status", buf, size) == 0);
	check(strncmp(buf, "ok ", 3) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccd_controller_params cp;
	struct ccd_link_params lp;
	struct ccd_control_target t = { .now_ms = 0, .sim_ms = 0 };
	char line[CONTROL_LINE_MAX + 64], reply[1024], before[1024], after[1024];
	size_t at = 0;

	ccd_controller_params_default(&cp);
	ccd_link_params_default(&lp);
	check(ccd_controller_new(&cp, 0, &t.controller) == 0);
	check(ccd_link_new(&lp, &ops, NULL, 0, &t.link) == 0);
	while (at < size) {
		size_t n = 0;
		int r;

		while (at < size && data[at] != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = data[at] ? (char)data[at] : ' ';
			at++;
		}
		at++;
		line[n] = '\0';
		t.now_ms += 100;
		t.sim_ms += 6000;
		ccd_controller_advance(t.controller, t.sim_ms);
		ccd_link_tick(t.link, t.now_ms);
		status(&t, before, sizeof(before));
		r = ccd_control_execute(&t, line, reply, sizeof(reply));
		if (r < 0) {
			check(r == -EINVAL || r == -EBUSY);
			check(reply[0] != '\0');
			status(&t, after, sizeof(after));
			check(strcmp(before, after) == 0);
		} else {
			check(r == 0);
			check(reply[0] == '\0' || strncmp(reply, "ok", 2) == 0);
		}
	}
	ccd_link_free(t.link);
	ccd_controller_free(t.controller);
	return 0;
}
