// SPDX-License-Identifier: GPL-2.0
/*
 * Round trips to stationd over D-Bus, from a C client (sd-bus), as a
 * control client sees them:
 *
 *   bus-latency ping N     org.freedesktop.DBus.Peer.Ping to stationd: the
 *                          floor (bus daemon + stationd's loop, no work)
 *   bus-latency get N      Properties.Get of detector 7's ExhaustVolts
 *   bus-latency managed N  ObjectManager.GetManagedObjects (every object)
 *   bus-latency preset N   Autofill.Preset("7", [time], "replace"): an
 *                          acknowledged command, authorization and the
 *                          daemon's commit (primary backup + fdatasync)
 *                          included; the time alternates so every call
 *                          changes state
 *
 * Prints one line: "<mode> samples=N median_us=M p99_us=P". The bus is
 * $DBUS_SYSTEM_BUS_ADDRESS (or the system bus).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"

#define DEST "org.stationd1"

static int one_call(sd_bus *bus, const char *mode, unsigned i, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

	if (strcmp(mode, "ping") == 0)
		return sd_bus_call_method(bus, DEST, "/org/stationd1", "org.freedesktop.DBus.Peer",
					  "Ping", error, &reply, "");
	if (strcmp(mode, "get") == 0)
		return sd_bus_call_method(bus, DEST, "/org/stationd1/detector/7",
					  "org.freedesktop.DBus.Properties", "Get", error, &reply,
					  "ss", "org.stationd1.Detector", "ExhaustVolts");
	if (strcmp(mode, "managed") == 0)
		return sd_bus_call_method(bus, DEST, "/org/stationd1",
					  "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
					  error, &reply, "");
	if (strcmp(mode, "preset") == 0)
		return sd_bus_call_method(bus, DEST, "/org/stationd1/autofill",
					  "org.stationd1.Autofill", "Preset", error, &reply, "sass",
					  "7", 1, i % 2 ? "03:17" : "03:18", "replace");
	return -EINVAL;
}

int main(int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	const char *mode;
	double *samples;
	unsigned n;
	int r;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bus-latency ping|get|managed|preset SAMPLES\n");
		return 2;
	}
	mode = argv[1];
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "bus-latency: cannot connect to the bus: %s\n", strerror(-r));
		return 1;
	}
	samples = calloc(n, sizeof(*samples));
	if (!samples)
		return 1;
	/* Warm up: the first call resolves the name and pages things in. */
	for (unsigned i = 0; i < 10 + n; i++) {
		_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
		double t0 = bench_now_us();

		r = one_call(bus, mode, i, &error);
		if (r < 0) {
			fprintf(stderr, "bus-latency %s: %s\n", mode,
				error.message ? error.message : strerror(-r));
			free(samples);
			return 1;
		}
		if (i >= 10)
			samples[i - 10] = bench_now_us() - t0;
	}
	bench_sort(samples, n);
	printf("%s samples=%u median_us=%.1f p99_us=%.1f\n", mode, n,
	       bench_median_sorted(samples, n), bench_p99_sorted(samples, n));
	free(samples);
	return 0;
}
