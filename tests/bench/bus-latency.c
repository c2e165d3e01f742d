// SPDX-License-Identifier: GPL-2.0
/*
 * Round trips to stationd over D-Bus, from a C client (sd-bus), as a
 * control client sees them:
 *
 *   ping     org.freedesktop.DBus.Peer.Ping to stationd: the floor (bus
 *            daemon + stationd's loop, no work)
 *   get      Properties.Get of detector 7's ExhaustVolts
 *   managed  ObjectManager.GetManagedObjects (every object)
 *   preset   Autofill.Preset("7", [time], "replace"): an acknowledged
 *            command, authorization and the daemon's commit (primary
 *            backup + fdatasync) included; the time alternates so every
 *            call changes state
 *
 * `bus-latency all ROUNDS` interleaves them (ping and get every round,
 * managed and preset every tenth); `bus-latency <mode> N` runs one alone.
 * Prints one line per kind: "<mode> samples=N median_us=M p99_us=P". The
 * bus is $DBUS_SYSTEM_BUS_ADDRESS (or the system bus).
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

struct series {
	const char *mode;
	unsigned every;		/* measured at every n-th round */
	double *samples;
	unsigned n;
};

int main(int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	struct series all[] = {
		{ "ping", 1, NULL, 0 }, { "get", 1, NULL, 0 },
		{ "managed", 10, NULL, 0 }, { "preset", 10, NULL, 0 },
	};
	struct series *series = all;
	size_t n_series = ELEMENTSOF(all);
	unsigned rounds;
	int r;

	if (argc != 3 || (rounds = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bus-latency all|ping|get|managed|preset ROUNDS\n");
		return 2;
	}
	if (strcmp(argv[1], "all") != 0) {
		for (series = NULL, n_series = 0; n_series < ELEMENTSOF(all); n_series++)
			if (strcmp(all[n_series].mode, argv[1]) == 0)
				series = &all[n_series];
		if (!series) {
			fprintf(stderr, "bus-latency: unknown mode '%s'\n", argv[1]);
			return 2;
		}
		series->every = 1;
		n_series = 1;
	}
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "bus-latency: cannot connect to the bus: %s\n", strerror(-r));
		return 1;
	}
	for (size_t k = 0; k < n_series; k++) {
		series[k].samples = calloc(rounds / series[k].every + 1, sizeof(double));
		if (!series[k].samples)
			return 1;
	}
	/*
	 * Interleaved: every kind of call sees the same machine load over the
	 * run, so their ratios to the floor hold even on a busy host. Ten
	 * rounds of warm-up first (name resolution, page faults).
	 */
	for (unsigned i = 0; i < 10 + rounds; i++) {
		for (size_t k = 0; k < n_series; k++) {
			_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
			struct series *s = &series[k];
			double t0;

			if (i % s->every)
				continue;
			t0 = bench_now_us();
			r = one_call(bus, s->mode, i, &error);
			if (r < 0) {
				fprintf(stderr, "bus-latency %s: %s\n", s->mode,
					error.message ? error.message : strerror(-r));
				return 1;
			}
			if (i >= 10)
				s->samples[s->n++] = bench_now_us() - t0;
		}
	}
	for (size_t k = 0; k < n_series; k++) {
		bench_sort(series[k].samples, series[k].n);
		printf("%s samples=%u median_us=%.1f p99_us=%.1f\n", series[k].mode, series[k].n,
		       bench_median_sorted(series[k].samples, series[k].n),
		       bench_p99_sorted(series[k].samples, series[k].n));
		free(series[k].samples);
	}
	return 0;
}
