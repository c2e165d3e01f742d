// SPDX-License-Identifier: GPL-2.0
/* The clients' unit tests' station and golden files (client-fixture.h). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/shared/macro.h"
#include "tests/unit/client-fixture.h"

sd_bus *client_fixture_peer_bus(void)
{
	sd_bus *bus = NULL;
	int fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	assert_int_equal(sd_bus_new(&bus), 0);
	assert_int_equal(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
	assert_int_equal(sd_bus_start(bus), 0);
	close(fds[1]);
	return bus;
}

static void append_detector(sd_bus_message *m, uint32_t number, const char *manifold,
			    double volts, bool open, uint64_t next, const char *status)
{
	char path[64];

	snprintf(path, sizeof(path), "/org/stationd1/detector/%u", number);
	assert_true(sd_bus_message_open_container(m, 'e', "oa{sa{sv}}") >= 0);
	assert_true(sd_bus_message_append(m, "o", path) >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sa{sv}}") >= 0);
	assert_true(sd_bus_message_append(m, "{sa{sv}}", "org.freedesktop.DBus.Peer", 0) >= 0);
	assert_true(sd_bus_message_open_container(m, 'e', "sa{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "s", "org.stationd1.Detector") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
		"Number", "u", number,
		"Manifold", "s", manifold,
		"ExhaustVolts", "d", volts,
		"ReferenceVolts", "d", 1.5,
		"ValveOpen", "b", open,
		"NextFillTimestamp", "t", next,
		"DelayUSec", "t", UINT64_C(0),
		"Presets", "as", 2, "06:00", "18:00",
		"MaxFillUSec", "t", UINT64_C(1200000000),
		/* A property this client does not know is skipped. */
		"FutureProperty", "s", "ignored") >= 0);
	if (status)
		assert_true(sd_bus_message_append(m, "{sv}", "Status", "as", 1, status) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
}

static void append_manifold(sd_bus_message *m, const char *name, uint32_t first,
			    const char *status)
{
	char path[64];

	snprintf(path, sizeof(path), "/org/stationd1/manifold/%s", name);
	assert_true(sd_bus_message_open_container(m, 'e', "oa{sa{sv}}") >= 0);
	assert_true(sd_bus_message_append(m, "o", path) >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sa{sv}}") >= 0);
	assert_true(sd_bus_message_open_container(m, 'e', "sa{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "s", "org.stationd1.Manifold") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}{sv}{sv}{sv}",
		"Name", "s", name,
		"Detectors", "au", 3, first, first + 1, first + 2,
		"ExhaustVolts", "d", 2.5,
		"InputValveOpen", "b", 0) >= 0);
	if (status)
		assert_true(sd_bus_message_append(m, "{sv}", "Status", "as", 1, status) >= 0);
	for (int i = 0; i < 4; i++)
		assert_true(sd_bus_message_close_container(m) >= 0);
}

/* A CCD exposing run 12 with window 1 of a 2x2 binned format. */
static void append_ccd(sd_bus_message *m)
{
	assert_true(sd_bus_message_open_container(m, 'e', "oa{sa{sv}}") >= 0);
	assert_true(sd_bus_message_append(m, "o", "/org/stationd1/ccd/CCD1") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sa{sv}}") >= 0);
	assert_true(sd_bus_message_open_container(m, 'e', "sa{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "s", "org.stationd1.Ccd") >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
		"Name", "s", "CCD1", "Initialized", "b", 1, "Profile", "s", "TEK5",
		"Link", "s", "up",
		"Format", "(uub(buuuu)(buuuu))", 2, 2, 1, 1, 101, 101, 600, 500, 0, 0, 0, 0, 0,
		"ReadoutSpeed", "s", "FAST", "ClearSpeed", "s", "QUICK",
		"Preflash", "u", 100, "ExposureTime", "u", 2500,
		"Phase", "(us)", 3, "exposing") >= 0);
	assert_true(sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
		"ElapsedTime", "u", 1250, "Shutter", "s", "open", "ShutterOk", "b", 1,
		"RunNumber", "u", 12, "RunType", "s", "RUN", "Title", "s", "M31 \"core\"",
		"LastSync", "t", NOW_USEC - UINT64_C(7200) * 1000000,
		"LastFile", "s", "/var/lib/stationd/ccd/CCD1/r0000011.fit",
		"ShortMsg", "t", UINT64_C(40), "LongMsg", "t", UINT64_C(2)) >= 0);
	assert_true(sd_bus_message_append(m, "{sv}{sv}{sv}{sv}",
		"Retransmissions", "t", UINT64_C(3), "Resend", "t", UINT64_C(0),
		"Nacks", "t", UINT64_C(1), "RejectedFrames", "t", UINT64_C(0)) >= 0);
	for (int i = 0; i < 4; i++)
		assert_true(sd_bus_message_close_container(m) >= 0);
}

/* The station of the tests: manifolds A (1-3) and B (4-6), detector 5
 * underfull and 2 filling, a Cryostream, a CCD, a card. */
struct station_model *client_fixture_model(void)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	sd_bus *bus = client_fixture_peer_bus();
	struct station_model *model = NULL;
	uint64_t t = NOW_USEC + UINT64_C(3600) * 1000000;

	assert_int_equal(sd_bus_message_new_method_call(bus, &m, NULL, "/", "x.y", "Z"), 0);
	assert_true(sd_bus_message_open_container(m, 'a', "{oa{sa{sv}}}") >= 0);
	append_manifold(m, "B", 4, "underfull");
	append_manifold(m, "A", 1, NULL);
	for (uint32_t d = 1; d <= 6; d++)
		append_detector(m, d, d <= 3 ? "A" : "B", d == 6 ? NAN : 2.5, d == 2,
				d == 4 ? 0 : t + d * UINT64_C(60000000),
				d == 5 ? "underfull" : d == 2 ? "filling" : NULL);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/autofill", 1,
		"org.stationd1.Autofill", 4, "State", "s", "filling", "FillingCount", "u", 1,
		"Alarm", "b", 1, "Inhibited", "b", 1) >= 0);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1", 1,
		"org.stationd1.Manager", 1, "Version", "s", "0.2") >= 0);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/cryostream/CS0", 1,
		"org.stationd1.Cryostream", 6, "Name", "s", "CS0", "Connected", "b", 1,
		"GasTemperature", "d", 100.25, "SetPoint", "d", 100.0,
		"RunModeName", "s", "Run", "PhaseName", "s", "Hold") >= 0);
	append_ccd(m);
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/card/0_0800", 1,
		"org.stationd1.Card", 16, "Name", "s", "xvme0-0800", "Model", "s", "XVME-260",
		"ConfiguredModel", "s", "XVME-260", "Crate", "u", 0, "Address", "u", 0x800,
		"Configured", "b", 1, "Present", "b", 1, "Id", "s", "VMEIDXYC260A",
		"SelfTest", "s", "pass", "Led", "s", "off",
		"ConversionTimeouts", "t", UINT64_C(0), "ConversionErrors", "t", UINT64_C(0),
		"Detectors", "ao", 4, "/org/stationd1/detector/1", "/org/stationd1/detector/2",
		"/org/stationd1/detector/3", "/org/stationd1/detector/5",
		"Manifolds", "ao", 1, "/org/stationd1/manifold/A",
		"Channels", "a(sso)", 6, "0", "valve", "/org/stationd1/detector/1",
		"1", "valve", "/org/stationd1/detector/2", "2", "valve", "/org/stationd1/detector/3",
		"4", "valve", "/org/stationd1/detector/5", "6", "input-valve",
		"/org/stationd1/manifold/A", "7", "output-valve", "/org/stationd1/manifold/A",
		"SpareChannels", "as", 3, "3", "5", "8") >= 0);
	/* Not configured, and its ADC says something is wrong. */
	assert_true(sd_bus_message_append(m, "{oa{sa{sv}}}", "/org/stationd1/card/0_1000", 1,
		"org.stationd1.Card", 11, "Name", "s", "xvme0-1000", "Model", "s", "XVME-560",
		"ConfiguredModel", "s", "", "Crate", "u", 0, "Address", "u", 0x1000,
		"Configured", "b", 0, "Present", "b", 1, "SelfTest", "s", "fail: test conversion timed out",
		"Led", "s", "red", "ConversionTimeouts", "t", UINT64_C(3),
		"ConversionErrors", "t", UINT64_C(1)) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
	assert_int_equal(model_from_managed_objects(m, &model), 0);
	sd_bus_close_unref(bus);
	return model;
}

void client_fixture_expect_golden(const char *name, const char *got)
{
	char path[256], *want = NULL;
	size_t size = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "r");
	if (!f && getenv("STATIONCTL_GOLDEN_WRITE")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	if (!f)
		fail_msg("golden file %s: %s", path, strerror(errno));
	assert_int_equal(getdelim(&want, &size, '\0', f) >= 0, 1);
	fclose(f);
	if (strcmp(want, got) != 0)
		fail_msg("%s differs; got:\n%s", path, got);
	free(want);
}

