// SPDX-License-Identifier: GPL-2.0
/*
 * Packet arrival -> PropertiesChanged latency of stationd's Cryostream
 * link, as a bus client sees it: this program plays the controller (a
 * status packet sent by UDP, from a fixed address, to stationd's status
 * port) and the client (subscribed to PropertiesChanged of the
 * controller's object). Each packet carries a new gas temperature, so each
 * must produce one signal; the time from sendto() to that signal's
 * arrival is one sample (CLOCK_MONOTONIC, both ends in this process).
 * The floor in the same run: Peer.Ping round trips to stationd (the bus
 * daemon and stationd's loop, no work).
 *
 * Usage: cryo-latency FROM-ADDR STATUS-PORT NUMBER OBJECT-PATH [SAMPLES]
 *   e.g. cryo-latency 127.0.0.2 41304 411 /org/stationd1/cryostream/CS0 2000
 * Prints "samples=N median_us=M p99_us=P ping_median_us=F ping_p99_us=G".
 * The bus is $DBUS_SYSTEM_BUS_ADDRESS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"

/* A signal that does not come within this is a lost sample: reported. */
#define SIGNAL_TIMEOUT_USEC (2 * 1000000)

struct waiter {
	bool seen;
};

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct waiter *w = userdata;
	const char *interface;

	if (sd_bus_message_read(m, "s", &interface) >= 0 &&
	    strcmp(interface, "org.stationd1.Cryostream") == 0)
		w->seen = true;
	return 0;
}

static struct cs800_status status_at(uint16_t number, double gas_k)
{
	return (struct cs800_status){
		.device_type = 800,
		.controller_number = number,
		.device_min_temperature_k = 80,
		.device_max_temperature_k = 400,
		.set_point_k = gas_k,
		.gas_temperature_k = gas_k,
		.target_temperature_k = 120,
		.run_mode = CS800_RUN_MODE_RUN,
		.phase = CS800_PHASE_HOLD,
		.gas_flow_l_per_min = 5,
	};
}

/* Send one packet and wait for its PropertiesChanged: the latency in µs,
 * or a negative errno. */
static double one_sample(sd_bus *bus, int fd, const struct sockaddr_in *to, uint16_t number,
			 double gas_k, struct waiter *w)
{
	uint8_t packet[CS800_STATUS_EPICS_PACKET_SIZE];
	struct cs800_status s = status_at(number, gas_k);
	uint64_t start, deadline;
	int r;

	cs800_status_build(&s, packet);
	/* Anything already queued (a late signal) is not this sample's. */
	while (sd_bus_process(bus, NULL) > 0)
		;
	w->seen = false;
	start = bench_now_ns();
	if (sendto(fd, packet, sizeof(packet), 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		return -errno;
	deadline = start + SIGNAL_TIMEOUT_USEC * 1000ull;
	while (!w->seen) {
		uint64_t now = bench_now_ns();

		if (now >= deadline)
			return -ETIMEDOUT;
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return r;
		if (r == 0) {
			r = sd_bus_wait(bus, (deadline - now) / 1000);
			if (r < 0)
				return r;
		}
	}
	return (bench_now_ns() - start) / 1e3;
}

static int ping(sd_bus *bus, double *ret_us)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	uint64_t start = bench_now_ns();
	int r;

	r = sd_bus_call_method(bus, "org.stationd1", "/org/stationd1", "org.freedesktop.DBus.Peer",
			       "Ping", &error, &reply, "");
	*ret_us = (bench_now_ns() - start) / 1e3;
	return r;
}

int main(int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ double *lat = NULL, *pings = NULL;
	struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	struct waiter w = {};
	unsigned long samples, lost = 0;
	uint16_t number;
	char match[256];
	int r;

	if (argc < 5) {
		fprintf(stderr, "usage: %s FROM-ADDR STATUS-PORT NUMBER OBJECT-PATH [SAMPLES]\n",
			argv[0]);
		return EXIT_FAILURE;
	}
	samples = argc > 5 ? strtoul(argv[5], NULL, 10) : 2000;
	number = (uint16_t)strtoul(argv[3], NULL, 10);
	if (samples == 0 || inet_pton(AF_INET, argv[1], &from.sin_addr) != 1) {
		fprintf(stderr, "cryo-latency: bad arguments\n");
		return EXIT_FAILURE;
	}
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)strtoul(argv[2], NULL, 10));
	lat = calloc(samples, sizeof(*lat));
	pings = calloc(samples, sizeof(*pings));
	if (!lat || !pings)
		return EXIT_FAILURE;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (const struct sockaddr *)&from, sizeof(from)) < 0) {
		fprintf(stderr, "cryo-latency: socket on %s: %m\n", argv[1]);
		return EXIT_FAILURE;
	}
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "cryo-latency: bus: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	snprintf(match, sizeof(match),
		 "type='signal',sender='org.stationd1',path='%s',"
		 "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'",
		 argv[4]);
	r = sd_bus_add_match(bus, &slot, match, on_properties_changed, &w);
	if (r < 0) {
		fprintf(stderr, "cryo-latency: match: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}

	/* Warm-up: the first packet connects the controller (more signals). */
	for (int i = 0; i < 20; i++)
		(void)one_sample(bus, fd, &to, number, 200 + i, &w);
	for (unsigned long i = 0; i < samples; i++) {
		/* 100.00 K .. 299.99 K: each packet differs from the last. */
		double v = one_sample(bus, fd, &to, number, 100 + (i % 20000) / 100.0, &w);

		if (v < 0) {
			lost++;
			lat[i] = SIGNAL_TIMEOUT_USEC;
		} else {
			lat[i] = v;
		}
		r = ping(bus, &pings[i]);
		if (r < 0) {
			fprintf(stderr, "cryo-latency: Ping: %s\n", strerror(-r));
			return EXIT_FAILURE;
		}
	}
	bench_sort(lat, samples);
	bench_sort(pings, samples);
	printf("samples=%lu median_us=%.1f p99_us=%.1f ping_median_us=%.1f ping_p99_us=%.1f lost=%lu\n",
	       samples, bench_median_sorted(lat, samples), bench_p99_sorted(lat, samples),
	       bench_median_sorted(pings, samples), bench_p99_sorted(pings, samples), lost);
	return lost ? EXIT_FAILURE : EXIT_SUCCESS;
}
