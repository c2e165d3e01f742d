// SPDX-License-Identifier: GPL-2.0
/*
 * The SCCD server's two latencies (issue 13), on a running stationd with
 * a ccd-sim controller on n_unet, against the Peer.Ping floor of the same
 * run:
 *
 *   startrun  StartRun called -> its PIC frame heard by the controller
 *   status    the controller's status frame "exposing" sent ->
 *             PropertiesChanged(Phase = 3) received here
 *   afterline status less the part of that frame's time on the line no
 *             host can shorten: its characters at 960 a second, all but
 *             the 16 ccd-sim's UART FIFO lets go at once (ccd-sim logs
 *             "tx" when the frame starts on the line, and stationd can
 *             only act once its last character is in)
 *   acked     status frame sent -> stationd's ACK of it heard by the
 *             controller: the line, n_unet both ways and stationd up to
 *             its ACK, which it writes just before it acts on the frame
 *   bus       that ACK heard -> PropertiesChanged received: stationd
 *             acting on the frame, the bus, the client, less the pty
 *             hop the ACK took
 *
 * The controller's side is ccd-sim's log (ccd-sim(1), LOG: one line per
 * frame, on the wall clock with millisecond resolution), so this program
 * takes its own times on CLOCK_REALTIME too. Each run is a SCRATCH (it
 * uses no run number) of the exposure time already set; the next starts
 * once RunEnded came. Ten pings are interleaved with every run, so the
 * floor sees the same load.
 *
 *   ccd-latency NAME SIM-LOG RUNS
 *
 * Talks to the bus in $DBUS_SYSTEM_BUS_ADDRESS. Prints one line per kind:
 *   <kind> samples=N median_ms=M p99_ms=P
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>

#include "daemon/shared/macro.h"
#include "daemon/unet/unet-frame.h"
#include "tests/bench/bench-stats.h"

#define DEST "org.stationd1"
#define PINGS_PER_RUN 10
/* The line as ccd-sim paces it (ccd-sim(1) --baud, default 9600 7E1). */
#define LINE_CHARS_PER_MS 0.96
#define LINE_UART_FIFO 16

struct bench {
	const char *name;
	char path[128];
	double exposing_ms;	/* PropertiesChanged(Phase 3) received, wall clock */
	bool ended, started;
	char error[256];
};

static double wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bench *b = userdata;
	double t = wall_ms();
	const char *interface, *key;
	int r;

	r = sd_bus_message_read(m, "s", &interface);
	if (r < 0 || strcmp(interface, "org.stationd1.Ccd") != 0)
		return 0;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		uint32_t phase;
		const char *phase_name;

		if (sd_bus_message_read(m, "s", &key) < 0)
			return 0;
		if (strcmp(key, "Phase") == 0 &&
		    sd_bus_message_read(m, "v", "(us)", &phase, &phase_name) >= 0) {
			if (phase == 3 && b->started && b->exposing_ms == 0)
				b->exposing_ms = t;
		} else if (sd_bus_message_skip(m, "v") < 0) {
			return 0;
		}
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	return 0;
}

static int on_run_ended(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bench *b = userdata;

	if (b->started)
		b->ended = true;
	return 0;
}

static int on_start_run(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bench *b = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	if (e)
		snprintf(b->error, sizeof(b->error), "StartRun: %s", e->message ? e->message : e->name);
	return 0;
}

/* A method call whose AlreadyThere is as good as a success. */
static int call(sd_bus *bus, const char *path, const char *method, const char *types, ...)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, DEST, path, "org.stationd1.Ccd", method);
	if (r < 0)
		return r;
	va_start(ap, types);
	r = sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	r = sd_bus_call(bus, m, 120 * 1000000ull, &error, &reply);
	if (r < 0 && !sd_bus_error_has_name(&error, "org.stationd1.Error.AlreadyThere")) {
		fprintf(stderr, "ccd-latency: %s: %s\n", method, error.message ? error.message : strerror(-r));
		return r;
	}
	return 0;
}

/*
 * The wall-clock times, in the controller's log from @offset on, of the
 * first PIC command heard and the first status it sent in phase 3
 * (exposing). Returns the log's new end.
 */
static long read_sim_log(const char *log, long offset, const char *name, double *pic_ms,
			 double *exposing_ms, size_t *exposing_chars, double *acked_ms)
{
	FILE *f = fopen(log, "re");
	char line[1024], rx[64], tx[64], ack[64] = "";
	long end = offset;

	*pic_ms = *exposing_ms = 0;
	*exposing_chars = 0;
	*acked_ms = 0;
	if (!f)
		return offset;
	snprintf(rx, sizeof(rx), " rx C SYS>%s ", name);
	snprintf(tx, sizeof(tx), " tx S %s>SYS ", name);
	fseek(f, offset, SEEK_SET);
	while (fgets(line, sizeof(line), f)) {
		double t = strtod(line, NULL) * 1e3;
		const char *status;

		end = ftell(f);
		if (*pic_ms == 0 && strstr(line, rx) && strstr(line, "PIC101("))
			*pic_ms = t;
		/* PIC200(head,err,phase,elapsed) or PIC201(...) */
		if (*exposing_ms == 0 && strstr(line, tx) &&
		    ((status = strstr(line, "PIC200(")) || (status = strstr(line, "PIC201(")))) {
			unsigned head, err, phase;

			if (sscanf(status + 7, "%u,%u,%u,", &head, &err, &phase) == 3 && phase == 3) {
				/* "tx S SRC>DEST MSGN BODY": SYN, the
				 * header, the body, EOT on the line. */
				const char *body = strstr(line, tx) + strlen(tx);

				body = strchr(body, ' ');
				*exposing_ms = t;
				*exposing_chars = body ? 2 + UNET_HEADER_LEN + strcspn(body + 1, "\n") : 0;
				/* Its ACK: " rx A SYS>NAME MSGN". */
				snprintf(ack, sizeof(ack), " rx A SYS>%s %.4s", name,
					 strstr(line, tx) + strlen(tx));
			}
		}
		if (ack[0] && *acked_ms == 0 && strstr(line, ack))
			*acked_ms = t;
	}
	fclose(f);
	return end;
}

static void report(const char *kind, double *samples, size_t n)
{
	bench_sort(samples, n);
	printf("%s samples=%zu median_ms=%.3f p99_ms=%.3f\n", kind, n, bench_median_sorted(samples, n),
	       bench_p99_sorted(samples, n));
}

int main(int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	struct bench b = { 0 };
	double *start = NULL, *status = NULL, *after_line = NULL, *acked = NULL, *on_bus = NULL;
	double *ping = NULL;
	size_t n_start = 0, n_status = 0, n_acked = 0, n_ping = 0, chars;
	unsigned runs;
	long offset = 0;
	int r;

	if (argc != 4 || (runs = strtoul(argv[3], NULL, 10)) == 0) {
		fprintf(stderr, "usage: ccd-latency NAME SIM-LOG RUNS\n");
		return 2;
	}
	b.name = argv[1];
	snprintf(b.path, sizeof(b.path), "/org/stationd1/ccd/%s", b.name);
	start = calloc(runs, sizeof(double));
	status = calloc(runs, sizeof(double));
	after_line = calloc(runs, sizeof(double));
	acked = calloc(runs, sizeof(double));
	on_bus = calloc(runs, sizeof(double));
	ping = calloc((size_t)runs * PINGS_PER_RUN, sizeof(double));
	if (!start || !status || !after_line || !acked || !on_bus || !ping)
		return 1;
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "ccd-latency: cannot connect to the bus: %s\n", strerror(-r));
		return 1;
	}
	r = sd_bus_match_signal(bus, NULL, DEST, b.path, "org.freedesktop.DBus.Properties",
				"PropertiesChanged", on_properties_changed, &b);
	if (r >= 0)
		r = sd_bus_match_signal(bus, NULL, DEST, b.path, "org.stationd1.Ccd", "RunEnded",
					on_run_ended, &b);
	if (r < 0) {
		fprintf(stderr, "ccd-latency: cannot subscribe: %s\n", strerror(-r));
		return 1;
	}
	if (call(bus, b.path, "Setup", "s", "") < 0 || call(bus, b.path, "SetExposureTime", "u", 1000) < 0)
		return 1;

	for (unsigned i = 0; i < runs; i++) {
		_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
		double called, pic, exposing, ack, deadline;

		for (unsigned k = 0; k < PINGS_PER_RUN; k++) {
			_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
			_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
			double t0 = bench_now_us();

			r = sd_bus_call_method(bus, DEST, "/org/stationd1", "org.freedesktop.DBus.Peer",
					       "Ping", &error, &reply, "");
			if (r < 0) {
				fprintf(stderr, "ccd-latency: Ping: %s\n", strerror(-r));
				return 1;
			}
			ping[n_ping++] = (bench_now_us() - t0) / 1e3;
		}

		/* Whatever the controller logged before this run is not ours. */
		offset = read_sim_log(argv[2], offset, b.name, &pic, &exposing, &chars, &ack);
		b.exposing_ms = 0;
		b.ended = false;
		b.started = true;
		r = sd_bus_message_new_method_call(bus, &m, DEST, b.path, "org.stationd1.Ccd", "StartRun");
		if (r >= 0)
			r = sd_bus_message_append(m, "ss", "SCRATCH", "latency");
		called = wall_ms();
		if (r >= 0)
			r = sd_bus_call_async(bus, NULL, m, on_start_run, &b, 120 * 1000000ull);
		if (r < 0) {
			fprintf(stderr, "ccd-latency: StartRun: %s\n", strerror(-r));
			return 1;
		}
		deadline = wall_ms() + 120e3;
		while (!b.ended && !b.error[0] && wall_ms() < deadline) {
			r = sd_bus_process(bus, NULL);
			if (r < 0)
				return 1;
			if (r == 0)
				sd_bus_wait(bus, 100000);
		}
		if (b.error[0] || !b.ended) {
			fprintf(stderr, "ccd-latency: run %u: %s\n", i + 1,
				b.error[0] ? b.error : "no RunEnded in 120 s");
			return 1;
		}
		b.started = false;
		offset = read_sim_log(argv[2], offset, b.name, &pic, &exposing, &chars, &ack);
		if (pic > 0)
			start[n_start++] = pic - called;
		if (exposing > 0 && b.exposing_ms > 0) {
			double line_ms = chars > LINE_UART_FIFO ?
					 (chars - LINE_UART_FIFO) / LINE_CHARS_PER_MS : 0;

			after_line[n_status] = b.exposing_ms - exposing - line_ms;
			status[n_status++] = b.exposing_ms - exposing;
			if (ack > 0) {
				acked[n_acked] = ack - exposing;
				on_bus[n_acked++] = b.exposing_ms - ack;
			}
		}
	}
	if (n_start == 0 || n_status == 0) {
		fprintf(stderr, "ccd-latency: the controller's log has no PIC frames (%zu) or exposing statuses (%zu)\n",
			n_start, n_status);
		return 1;
	}
	report("ping", ping, n_ping);
	report("startrun", start, n_start);
	report("status", status, n_status);
	report("afterline", after_line, n_status);
	if (n_acked) {
		report("acked", acked, n_acked);
		report("bus", on_bus, n_acked);
	}
	free(start);
	free(status);
	free(after_line);
	free(acked);
	free(on_bus);
	free(ping);
	return 0;
}
