// SPDX-License-Identifier: GPL-2.0
/*
 * The scan-jitter benchmark's measuring half (tests/bench/scan-jitter.sh):
 *
 *   scan-jitter window SECONDS [FROM-ADDR STATUS-PORT NUMBER]
 *       One window of SECONDS: idle, or with the load, i.e. at once a
 *       D-Bus client that asks for the object tree (GetManagedObjects,
 *       as stationctl and the console do first) and then hammers
 *       stationd with Properties.Get (32 calls in flight, a new one sent
 *       as each reply comes, round the detectors and manifolds it
 *       listed) and a flood of Cryostream status packets of
 *       controller NUMBER from FROM-ADDR to 127.0.0.1:STATUS-PORT, as
 *       fast as the socket takes them, each with a new gas temperature.
 *       Meanwhile a thread sleeps to the next 10 ms on a grid, over and
 *       over: how late it wakes is the floor, what any timer in this
 *       guest suffers. Then stationd's own record of its scans (the
 *       Manager's ScanTimes: when each scan was due, when it started,
 *       how long it took) is read and the scans due in the window kept.
 *       Prints one line of key=value: scans, the lateness of the scans
 *       (started - due) late_p50_ms late_p99_ms late_max_ms, the scan's
 *       own duration took_p50_ms took_p99_ms took_max_ms, skipped (scan
 *       periods with no scan), the floor floor_p50_ms floor_p99_ms
 *       floor_max_ms, under load get_per_s, packets_per_s and gmo_ms
 *       (how long the GetManagedObjects call took, at the start of the
 *       window: stationd answers it in one dispatch), and the latest
 *       scans, worst=<due, s into the window>:<late ms>[(prev+<ms>)],...
 *       where (prev+N) says the scan before ended N ms after this one
 *       was due: the scans themselves overran, no other work held them.
 *
 * The bus is $DBUS_SYSTEM_BUS_ADDRESS. Nothing is traced: the daemon
 * keeps the record itself (daemon/scan-timing.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/cryo/cs800-status.h"
#include "daemon/shared/macro.h"
#include "tests/bench/bench-stats.h"

#define IN_FLIGHT 32

/* ---- the D-Bus client */

struct hammer {
	sd_bus *bus;
	char **paths;			/* objects to ask, round robin */
	size_t n_paths, next;
	unsigned long calls;
	int error;
};

static int send_get(struct hammer *h);

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct hammer *h = userdata;

	if (sd_bus_message_is_method_error(m, NULL) && !h->error) {
		fprintf(stderr, "scan-jitter: Get: %s\n", sd_bus_message_get_error(m)->message);
		h->error = -EIO;
	}
	h->calls++;
	return send_get(h);
}

static int send_get(struct hammer *h)
{
	const char *path = h->paths[h->next++ % h->n_paths];
	bool detector = strstr(path, "/detector/");

	return sd_bus_call_method_async(h->bus, NULL, "org.stationd1", path,
					"org.freedesktop.DBus.Properties", "Get", on_reply, h, "ss",
					detector ? "org.stationd1.Detector" : "org.stationd1.Manifold",
					"Status");
}

/* Every detector and manifold object, from GetManagedObjects; the time
 * the call took in *@took_ms. */
static int collect_paths(struct hammer *h, double *took_ms)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *path;
	uint64_t start = bench_now_ns();
	int r;

	r = sd_bus_call_method(h->bus, "org.stationd1", "/org/stationd1",
			       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", &error,
			       &reply, "");
	*took_ms = (bench_now_ns() - start) / 1e6;
	if (r < 0) {
		fprintf(stderr, "scan-jitter: GetManagedObjects: %s\n", error.message);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r > 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		r = sd_bus_message_read(reply, "o", &path);
		if (r >= 0 && (strstr(path, "/detector/") || strstr(path, "/manifold/"))) {
			char **p = realloc(h->paths, (h->n_paths + 1) * sizeof(*p));

			if (!p || !(p[h->n_paths] = strdup(path)))
				return -ENOMEM;
			h->paths = p;
			h->n_paths++;
		}
		if (r >= 0)
			r = sd_bus_message_skip(reply, "a{sa{sv}}");
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = 1;
	}
	if (r < 0)
		return r;
	return h->n_paths ? 0 : -ENOENT;
}

static int hammer(double seconds, double *get_per_s, double *gmo_ms)
{
	struct hammer h = {};
	uint64_t start, end;
	int r;

	r = sd_bus_open_system(&h.bus);
	if (r >= 0)
		r = collect_paths(&h, gmo_ms);
	for (unsigned i = 0; r >= 0 && i < IN_FLIGHT; i++)
		r = send_get(&h);
	start = bench_now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (r >= 0 && !h.error && bench_now_ns() < end) {
		r = sd_bus_process(h.bus, NULL);
		if (r == 0)
			r = sd_bus_wait(h.bus, 100000);
	}
	if (r < 0 || h.error) {
		fprintf(stderr, "scan-jitter: the D-Bus client failed: %s\n", strerror(-(r < 0 ? r : h.error)));
		return 1;
	}
	*get_per_s = h.calls / ((bench_now_ns() - start) / 1e9);
	sd_bus_flush_close_unref(h.bus);
	for (size_t i = 0; i < h.n_paths; i++)
		free(h.paths[i]);
	free(h.paths);
	return 0;
}

/* ---- the UDP flood */

static int flood(double seconds, const char *from, unsigned port, unsigned number, int out)
{
	double rate;
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint8_t packet[CS800_STATUS_EPICS_PACKET_SIZE];
	unsigned long packets = 0;
	uint64_t start, end;
	int fd;

	if (inet_pton(AF_INET, from, &src.sin_addr) != 1) {
		fprintf(stderr, "scan-jitter: FROM-ADDR '%s' is not an IPv4 address\n", from);
		return 2;
	}
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		perror("scan-jitter: status socket");
		return 1;
	}
	start = bench_now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (bench_now_ns() < end) {
		struct cs800_status s = {
			.device_type = 800,
			.controller_number = number,
			.device_min_temperature_k = 80,
			.device_max_temperature_k = 400,
			.set_point_k = 120,
			.gas_temperature_k = 100 + (packets % 1000) * 0.1,
			.target_temperature_k = 120,
			.run_mode = CS800_RUN_MODE_RUN,
			.phase = CS800_PHASE_HOLD,
			.gas_flow_l_per_min = 5,
		};

		cs800_status_build(&s, packet);
		/* A full receive queue drops, as a real flood does. */
		if (sendto(fd, packet, sizeof(packet), 0, (struct sockaddr *)&dst, sizeof(dst)) >= 0)
			packets++;
	}
	/* To the parent, which prints one line. */
	rate = packets / ((bench_now_ns() - start) / 1e9);
	close(fd);
	return write(out, &rate, sizeof(rate)) == sizeof(rate) ? 0 : 1;
}

/* The load: the flood in a child, the D-Bus client here. */
static int load(double seconds, char **argv, double *get_per_s, double *packets_per_s,
		double *gmo_ms)
{
	int status, fds[2], r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(fds[0]);
		_exit(flood(seconds, argv[0], (unsigned)atoi(argv[1]), (unsigned)atoi(argv[2]),
			    fds[1]));
	}
	close(fds[1]);
	r = hammer(seconds, get_per_s, gmo_ms);
	if (read(fds[0], packets_per_s, sizeof(*packets_per_s)) != sizeof(*packets_per_s))
		r = 1;
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		r = 1;
	return r;
}

/* ---- the floor: a 10 ms sleeper on a grid, how late it wakes */

#define FLOOR_PERIOD_NS 10000000ull
#define FLOOR_MAX_SAMPLES 100000

struct floor {
	pthread_t thread;
	atomic_bool stop;
	double *late_ms;
	size_t n;
};

static void *floor_run(void *userdata)
{
	struct floor *f = userdata;
	uint64_t due = bench_now_ns();

	while (!atomic_load(&f->stop) && f->n < FLOOR_MAX_SAMPLES) {
		struct timespec ts;
		uint64_t now;

		due += FLOOR_PERIOD_NS;
		ts.tv_sec = due / 1000000000ull;
		ts.tv_nsec = due % 1000000000ull;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = bench_now_ns();
		f->late_ms[f->n++] = (now - due) / 1e6;
		/* The same rule as the scan timer: after a stall, no burst. */
		if (now >= due + FLOOR_PERIOD_NS)
			due += (now - due) / FLOOR_PERIOD_NS * FLOOR_PERIOD_NS;
	}
	return NULL;
}

/* ---- stationd's record of its scans */

#define WORST 5

struct late_scan {
	double at_s, late_ms;			/* due, s into the window */
	double prev_overrun_ms;			/* the scan before still ran */
};

struct scans {
	double *late_ms, *took_ms;
	size_t n;
	unsigned long skipped;
	struct late_scan worst[WORST];		/* the latest first */
};

static void note_worst(struct scans *s, double at_s, double late_ms, double prev_overrun_ms)
{
	size_t i = WORST;

	while (i > 0 && s->worst[i - 1].late_ms < late_ms)
		i--;
	if (i == WORST)
		return;
	memmove(&s->worst[i + 1], &s->worst[i], (WORST - 1 - i) * sizeof(s->worst[0]));
	s->worst[i] = (struct late_scan){ at_s, late_ms, prev_overrun_ms };
}

/* The scans due in [@from_us, @to_us] from the Manager's ScanTimes. */
static int read_scans(uint64_t from_us, uint64_t to_us, uint64_t period_us, struct scans *s)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	uint64_t due, started, took, last = 0, prev_end = 0;
	size_t size = 0;
	int r;

	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_get_property(bus, "org.stationd1", "/org/stationd1",
					"org.stationd1.Manager", "ScanTimes", &error, &reply,
					"a(ttt)");
	if (r < 0) {
		fprintf(stderr, "scan-jitter: ScanTimes: %s\n",
			error.message ? error.message : strerror(-r));
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "(ttt)");
	while (r > 0 && (r = sd_bus_message_read(reply, "(ttt)", &due, &started, &took)) > 0) {
		/* How long after this scan was due the one before it ended:
		 * the scan itself overran its period, nothing else held it. */
		double prev_overrun_ms = prev_end > due ? (prev_end - due) / 1e3 : 0;

		prev_end = started + took;
		if (due < from_us || due > to_us)
			continue;
		if (s->n == size) {
			size = size ? 2 * size : 256;
			s->late_ms = realloc(s->late_ms, size * sizeof(double));
			s->took_ms = realloc(s->took_ms, size * sizeof(double));
			if (!s->late_ms || !s->took_ms)
				return -ENOMEM;
		}
		s->late_ms[s->n] = started >= due ? (started - due) / 1e3 : 0;
		s->took_ms[s->n] = took / 1e3;
		note_worst(s, (due - from_us) / 1e6, s->late_ms[s->n], prev_overrun_ms);
		s->n++;
		/* Periods in which no scan was due: a stall skipped them. */
		if (last && due - last > period_us)
			s->skipped += (due - last) / period_us - 1;
		last = due;
	}
	return r;
}

static int window(int argc, char **argv)
{
	double seconds = argc >= 4 ? strtod(argv[2], NULL) : 0;
	uint64_t period_us = argc >= 4 ? strtoull(argv[3], NULL, 10) : 0;
	double get_per_s = 0, packets_per_s = 0, gmo_ms = 0;
	struct floor f = {};
	struct scans s = {};
	uint64_t from_us, to_us;
	int r = 0;

	if ((argc != 4 && argc != 7) || !(seconds > 0) || period_us == 0) {
		fprintf(stderr, "usage: scan-jitter window SECONDS PERIOD-US [FROM-ADDR STATUS-PORT NUMBER]\n");
		return 2;
	}
	f.late_ms = calloc(FLOOR_MAX_SAMPLES, sizeof(double));
	if (!f.late_ms || pthread_create(&f.thread, NULL, floor_run, &f) != 0)
		return 1;
	from_us = bench_now_ns() / 1000;
	if (argc == 7) {
		r = load(seconds, argv + 4, &get_per_s, &packets_per_s, &gmo_ms);
	} else {
		struct timespec ts = { .tv_sec = (time_t)seconds,
				       .tv_nsec = (long)((seconds - (time_t)seconds) * 1e9) };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	to_us = bench_now_ns() / 1000;
	atomic_store(&f.stop, true);
	pthread_join(f.thread, NULL);
	if (r == 0 && read_scans(from_us, to_us, period_us, &s) < 0)
		r = 1;
	if (r == 0 && (s.n == 0 || f.n == 0)) {
		fprintf(stderr, "scan-jitter: no scan (%zu) or no floor sample (%zu) in the window\n",
			s.n, f.n);
		r = 1;
	}
	if (r == 0) {
		bench_sort(s.late_ms, s.n);
		bench_sort(s.took_ms, s.n);
		bench_sort(f.late_ms, f.n);
		printf("scans=%zu late_p50_ms=%.2f late_p99_ms=%.2f late_max_ms=%.2f "
		       "took_p50_ms=%.2f took_p99_ms=%.2f took_max_ms=%.2f skipped=%lu "
		       "floor_p50_ms=%.2f floor_p99_ms=%.2f floor_max_ms=%.2f",
		       s.n, bench_median_sorted(s.late_ms, s.n), bench_p99_sorted(s.late_ms, s.n),
		       s.late_ms[s.n - 1], bench_median_sorted(s.took_ms, s.n),
		       bench_p99_sorted(s.took_ms, s.n), s.took_ms[s.n - 1], s.skipped,
		       bench_median_sorted(f.late_ms, f.n), bench_p99_sorted(f.late_ms, f.n),
		       f.late_ms[f.n - 1]);
		if (argc == 7)
			printf(" get_per_s=%.0f packets_per_s=%.0f gmo_ms=%.1f", get_per_s,
			       packets_per_s, gmo_ms);
		/* When the worst ones were due: what else ran then? */
		printf(" worst=");
		for (size_t i = 0; i < WORST && s.worst[i].late_ms > 0; i++) {
			printf("%s%.1fs:%.0fms", i ? "," : "", s.worst[i].at_s, s.worst[i].late_ms);
			if (s.worst[i].prev_overrun_ms > 0)
				printf("(prev+%.0f)", s.worst[i].prev_overrun_ms);
		}
		printf("\n");
	}
	free(s.late_ms);
	free(s.took_ms);
	free(f.late_ms);
	return r;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "window") == 0)
		return window(argc, argv);
	fprintf(stderr, "usage: scan-jitter window SECONDS PERIOD-US [FROM-ADDR STATUS-PORT NUMBER]\n");
	return 2;
}
