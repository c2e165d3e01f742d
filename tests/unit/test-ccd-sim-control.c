// SPDX-License-Identifier: GPL-2.0
/*
 * ccd-sim's control language: each command does what ccd-sim(1) says
 * to the link's faults or the controller, and every malformed line is
 * refused with a reason and changes nothing.
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
#include "tests/sim/ccd-sim-control.h"

struct rig {
	struct ccd_controller *controller;
	struct ccd_link *link;
	struct ccd_control_target target;
	char reply[1024];
	size_t writes;
};

static void count_write(void *userdata, const uint8_t *bytes, size_t n)
{
	((struct rig *)userdata)->writes++;
}

static const struct ccd_link_ops ops = { .line_write = count_write };

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct ccd_controller_params cp;
	struct ccd_link_params lp;

	assert_non_null(r);
	ccd_controller_params_default(&cp);
	assert_int_equal(ccd_controller_new(&cp, 0, &r->controller), 0);
	ccd_link_params_default(&lp);
	assert_int_equal(ccd_link_new(&lp, &ops, r, 0x100, &r->link), 0);
	r->target = (struct ccd_control_target) { .controller = r->controller, .link = r->link,
						  .now_ms = 1000, .sim_ms = 60000 };
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	ccd_link_free(r->link);
	ccd_controller_free(r->controller);
	free(r);
	return 0;
}

static int run(struct rig *r, const char *line)
{
	return ccd_control_execute(&r->target, line, r->reply, sizeof(r->reply));
}

static void ok(struct rig *r, const char *line, const char *reply)
{
	assert_int_equal(run(r, line), 0);
	assert_string_equal(r->reply, reply);
}

static void test_link_faults(void **state)
{
	struct rig *r = *state;
	struct ccd_link_faults *f = ccd_link_faults(r->link);

	ok(r, "drop-acks 3", "ok drop-acks 3");
	assert_int_equal(f->drop_acks, 3);
	ok(r, "ignore-acks 0x10", "ok ignore-acks 16");
	assert_int_equal(f->ignore_acks, 16);
	ok(r, "duplicate", "ok duplicate 1");
	ok(r, "duplicate 2", "ok duplicate 2");
	assert_int_equal(f->duplicate, 2);
	ok(r, "nack", "ok nack 1");
	assert_int_equal(f->nack, 1);
	ok(r, "corrupt", "ok corrupt 1 noise");
	ok(r, "corrupt 4", "ok corrupt 4 noise");
	ok(r, "corrupt cut", "ok corrupt 1 cut");
	ok(r, "\tcorrupt  2   long ", "ok corrupt 2 long");
	assert_int_equal(f->corrupt, 2);
	assert_int_equal(f->corruption, CCD_CORRUPT_LONG);
	ok(r, "silent 5", "ok silent for 5 s");
	assert_true(f->silent);
	assert_int_equal(f->silent_until, 6000);
	ok(r, "respond", "ok respond");
	assert_false(f->silent);
	ok(r, "silent", "ok silent until respond");
	assert_int_equal(f->silent_until, 0);
	ok(r, "number 0xfffe", "ok number FFFE");
	assert_int_equal(ccd_link_next_number(r->link), 0xfffe);
	ok(r, "clear", "ok clear");
	assert_false(f->silent);
	assert_int_equal(f->drop_acks + f->ignore_acks + f->duplicate + f->corrupt + f->nack, 0);
}

static void test_controller_faults(void **state)
{
	struct rig *r = *state;

	ok(r, "jam", "ok jam at the next move");
	ok(r, "jam hard", "ok jam hard at the next move");
	ok(r, "hang SSH", "ok hang SSH");
	ok(r, "unhang SSH", "ok unhang SSH");
	ok(r, "error RSP 4", "ok error RSP 0x04 1");
	ok(r, "error PIC 0x08 3", "ok error PIC 0x08 3");
	ok(r, "sync", "ok sync started");
	assert_true(ccd_controller_syncing(r->controller));
	assert_int_equal(run(r, "sync"), -EBUSY);
	assert_string_equal(r->reply, "a synchronisation is under way");
	ok(r, "ins", "ok ins: resetting");
	assert_true(ccd_controller_resetting(r->controller));
	assert_int_equal(run(r, "sync"), -EBUSY);
	assert_int_equal(run(r, "status"), 0);
	assert_true(strncmp(r->reply, "ok resetting phase 0 idle", 25) == 0);
	assert_non_null(strstr(r->reply, "link next 0100"));
}

static void test_blank_and_comment(void **state)
{
	struct rig *r = *state;

	ok(r, "", "");
	ok(r, "   \t", "");
	ok(r, "# drop-acks 3", "");
	ok(r, "  # anything", "");
	assert_int_equal(ccd_link_faults(r->link)->drop_acks, 0);
}

/* A refused line has a reason and changes nothing. */
static void test_refused_lines_change_nothing(void **state)
{
	static const char *const bad[] = {
		"frobnicate", "DROP-ACKS 1", "drop-acks", "drop-acks 0", "drop-acks -1",
		"drop-acks 1000001", "drop-acks 1x", "drop-acks 1 2", "ignore-acks",
		"duplicate 0", "duplicate a", "nack 1 2", "corrupt 0", "corrupt 1 2",
		"corrupt spray", "corrupt 1 noise cut", "corrupt noise 1", "silent 86401",
		"silent -1", "silent 1.5", "respond now", "ins now", "hang", "hang FOO",
		"hang INS", "unhang ssh", "error RSP", "error RSP 1", "error RSP 256",
		"error RSP 0x100", "error RES 4", "error RSP 4 0", "error XXX 4", "jam soft",
		"jam hard now", "sync now", "number", "number 65536", "number 0x10000",
		"number 0x", "clear all", "status now", "a b c d e",
	};
	struct rig *r = *state;
	char before[1024], after[1024], longline[400];

	run(r, "status");
	snprintf(before, sizeof(before), "%s", r->reply);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		assert_int_equal(run(r, bad[i]), -EINVAL);
		assert_true(strlen(r->reply) > 0);
		run(r, "status");
		snprintf(after, sizeof(after), "%s", r->reply);
		if (strcmp(before, after) != 0)
			fail_msg("'%s' changed the state:\n%s\n%s", bad[i], before, after);
	}
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(run(r, longline), -EINVAL);
	assert_int_equal(r->writes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_controller_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blank_and_comment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_lines_change_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
