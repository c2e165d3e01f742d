// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's connection to the bus (daemon/bus/bus-manager.c) through a
 * private dbus-daemon: it owns org.stationd1, and when the bus daemon
 * dies under it the daemon hears of it (sd-bus's local Disconnected
 * signal), once (issue 10 item 16: stationd then exits for systemd to
 * restart it; tests/vm/scenarios/stationd-exit.sh runs that end to end);
 * and ScanTimes, the scans' timing record the scan-jitter bench reads.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "daemon/bus/bus-manager.h"
#include "daemon/scan-timing.h"
#include "tests/unit/engine-fake.h"
#include "tests/unit/private-bus.h"

static unsigned disconnections;

static void on_disconnected(void *userdata)
{
	(*(unsigned *)userdata)++;
}

static void the_lost_bus_is_noticed(void **state)
{
	struct fake_plant *f = fake_new(1, 6, false);
	struct bus_manager *m = NULL;
	sd_event *event = NULL;
	sd_bus *client;
	sd_bus_creds *owner = NULL;
	char address[512];
	pid_t pid;

	assert_non_null(f);
	pid = private_bus_start(address, sizeof(address));
	if (pid < 0) {
		fake_free(f);
		skip();		/* no dbus-daemon: `make deps` installs it */
	}
	assert_int_equal(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1), 0);
	assert_int_equal(sd_event_new(&event), 0);
	assert_int_equal(bus_manager_new(event, SD_EVENT_PRIORITY_NORMAL, f->engine,
					 on_disconnected, &disconnections, &m), 0);

	client = private_bus_connect(address);
	assert_int_equal(sd_bus_get_name_creds(client, BUS_NAME, SD_BUS_CREDS_UNIQUE_NAME, &owner), 0);
	sd_bus_creds_unref(owner);
	sd_bus_flush_close_unref(client);
	for (int i = 0; i < 20; i++)
		assert_true(sd_event_run(event, 10000) >= 0);
	assert_int_equal(disconnections, 0);

	private_bus_stop(pid);
	for (int i = 0; i < 500 && disconnections == 0; i++)
		assert_true(sd_event_run(event, 10000) >= 0);
	assert_int_equal(disconnections, 1);
	/* and only once */
	for (int i = 0; i < 20; i++)
		(void)sd_event_run(event, 1000);
	assert_int_equal(disconnections, 1);

	bus_manager_free(m);
	sd_event_unref(event);
	fake_free(f);
}

static int on_scan_times(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	sd_bus_message **reply = userdata;

	*reply = sd_bus_message_ref(m);
	return 0;
}

/* ScanTimes: every scan the ring holds, oldest first, as recorded. */
static void scan_times_reads_the_ring(void **state)
{
	struct fake_plant *f = fake_new(1, 6, false);
	static struct scan_timing timing;
	struct bus_manager *m = NULL;
	sd_bus_message *reply = NULL;
	sd_event *event = NULL;
	uint64_t scheduled, started, duration;
	sd_bus *client;
	char address[512];
	pid_t pid;

	assert_non_null(f);
	pid = private_bus_start(address, sizeof(address));
	if (pid < 0) {
		fake_free(f);
		skip();
	}
	assert_int_equal(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1), 0);
	assert_int_equal(sd_event_new(&event), 0);
	assert_int_equal(bus_manager_new(event, SD_EVENT_PRIORITY_NORMAL, f->engine, NULL, NULL,
					 &m), 0);
	for (uint64_t i = 0; i < SCAN_TIMING_CAPACITY + 2; i++)
		scan_timing_record(&timing, i * 100000, i * 100000 + i, i * 100000 + i + 7);
	bus_manager_set_scan_timing(m, &timing);

	client = private_bus_connect(address);
	assert_true(sd_bus_call_method_async(client, NULL, BUS_NAME, BUS_MANAGER_PATH,
					     "org.freedesktop.DBus.Properties", "Get", on_scan_times,
					     &reply, "ss", BUS_MANAGER_INTERFACE, "ScanTimes") >= 0);
	for (int i = 0; i < 500 && !reply; i++) {
		assert_true(sd_event_run(event, 1000) >= 0);
		while (sd_bus_process(client, NULL) > 0)
			;
	}
	assert_non_null(reply);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	assert_int_equal(sd_bus_message_enter_container(reply, 'v', "a(ttt)"), 1);
	assert_int_equal(sd_bus_message_enter_container(reply, 'a', "(ttt)"), 1);
	for (uint64_t i = 2; i < SCAN_TIMING_CAPACITY + 2; i++) {
		assert_int_equal(sd_bus_message_read(reply, "(ttt)", &scheduled, &started,
						     &duration), 1);
		assert_int_equal(scheduled, i * 100000);
		assert_int_equal(started, i * 100000 + i);
		assert_int_equal(duration, 7);
	}
	assert_int_equal(sd_bus_message_read(reply, "(ttt)", &scheduled, &started, &duration), 0);

	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(client);
	bus_manager_free(m);
	private_bus_stop(pid);
	sd_event_unref(event);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_lost_bus_is_noticed),
		cmocka_unit_test(scan_times_reads_the_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
