// SPDX-License-Identifier: GPL-2.0
/*
 * The frame device on sd-event (daemon/unet/unet-device.c): a hang-up
 * closes it and it is opened again with backoff, 0.25 s doubling, back to
 * the minimum once it opened. The "line" is a pseudo-terminal's slave
 * behind a symlink the test points at a new pty, as a re-attached
 * discipline may appear as another unetN; closing the master is the
 * hang-up (EPOLLHUP, read() -> EIO) and removes the slave, so an open
 * before the new pty exists fails as a missing device does.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/shared/macro.h"
#include "daemon/unet/unet-device.h"
#include "tests/unit/scratch-files.h"

struct watch {
	unsigned ups, downs;
	double last_up, last_down;	/* seconds, CLOCK_MONOTONIC */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_state(bool up, void *userdata)
{
	struct watch *w = userdata;

	if (up) {
		w->ups++;
		w->last_up = now_s();
	} else {
		w->downs++;
		w->last_down = now_s();
	}
}

static void on_payload(const void *payload, size_t len, void *userdata)
{
}

/* A new pty; @link (re)pointed at its slave. Returns the master. */
static int pty_behind(const char *dir, const char *link)
{
	char tmp[512];
	const char *slave;
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = ptsname(master);
	assert_non_null(slave);
	snprintf(tmp, sizeof(tmp), "%s/link.new", dir);
	(void)unlink(tmp);
	assert_int_equal(symlink(slave, tmp), 0);
	assert_int_equal(rename(tmp, link), 0);
	return master;
}

/* Run the loop until @cond or @limit seconds. */
#define RUN_UNTIL(event, cond, limit)                                      \
	do {                                                               \
		double until_ = now_s() + (limit);                         \
		while (!(cond) && now_s() < until_)                        \
			assert_true(sd_event_run((event), 20000) >= 0);    \
	} while (0)

static void test_hangup_reopens_with_backoff(void **state)
{
	_cleanup_(sd_event_unrefp) sd_event *event = NULL;
	_cleanup_(unet_device_freep) struct unet_device *d = NULL;
	struct unet_device_callbacks cbs = { .payload = on_payload, .state = on_state };
	struct watch w = { 0 };
	char dir[256], link[512];
	int master;
	double down;

	assert_int_equal(scratch_dir_make(dir, sizeof(dir), "unet-device"), 0);
	snprintf(link, sizeof(link), "%s/line", dir);
	master = pty_behind(dir, link);
	assert_int_equal(sd_event_new(&event), 0);
	assert_int_equal(unet_device_new(event, NULL, link, &cbs, &w, &d), 0);
	assert_false(unet_device_is_up(d));
	RUN_UNTIL(event, w.ups == 1, 5);
	assert_int_equal(w.ups, 1);
	assert_true(unet_device_is_up(d));

	/* Hang-up: down at once; the line comes back 0.6 s later, so the
	 * retry at 0.25 s (sd-event may fire it up to 0.25 s late) fails and
	 * the one at 0.25 + 0.5 s opens it. */
	close(master);
	RUN_UNTIL(event, w.downs == 1, 5);
	assert_int_equal(w.downs, 1);
	assert_false(unet_device_is_up(d));
	assert_int_equal(unet_device_write(d, "x", 1), -ENOTCONN);
	down = w.last_down;
	RUN_UNTIL(event, false, 0.6);
	assert_int_equal(w.ups, 1);
	master = pty_behind(dir, link);
	RUN_UNTIL(event, w.ups == 2, 5);
	assert_int_equal(w.ups, 2);
	/* Lower bounds only: a loaded machine makes timers late, never early. */
	assert_true(w.last_up - down >= 0.7);

	/* Each hang-up starts from 0.25 s again: not at once, and opened. */
	close(master);
	RUN_UNTIL(event, w.downs == 2, 5);
	assert_int_equal(w.downs, 2);
	down = w.last_down;
	master = pty_behind(dir, link);
	RUN_UNTIL(event, w.ups == 3, 5);
	assert_int_equal(w.ups, 3);
	assert_true(w.last_up - down >= 0.2);

	close(master);
	d = unet_device_free(d);
	assert_int_equal(scratch_dir_remove(dir), 0);
}

/* Neither or both of tty and path: refused. */
static void test_new_wants_one_line(void **state)
{
	_cleanup_(sd_event_unrefp) sd_event *event = NULL;
	struct unet_device *d = NULL;

	assert_int_equal(sd_event_new(&event), 0);
	assert_int_equal(unet_device_new(event, NULL, NULL, NULL, NULL, &d), -EINVAL);
	assert_int_equal(unet_device_new(event, "pts0", "/dev/unet0", NULL, NULL, &d), -EINVAL);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hangup_reopens_with_backoff),
		cmocka_unit_test(test_new_wants_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
