// SPDX-License-Identifier: GPL-2.0
/*
 * ccd-sim: a CCD controller on a UtilityNet serial line, for tests and
 * for running the station without one. It reads the CCD's profile,
 * speaks the profile of shared/spec/utilitynet.md on a pseudo-terminal
 * (the host attaches n_unet to the other end) or a real tty, carries out
 * every mechanism with a 1990s controller's timing scaled by -s, writes
 * each read-out's pixels to the CCD's data socket, and injects faults
 * from a control FIFO. Everything it hears, says and does is logged. See
 * ccd-sim(1).
 *
 * The pieces: ccd-controller (mechanisms and runs), ccd-sim-link (the
 * controller's end of the link), ccd-sim-line (bytes, framing, pace),
 * ccd-image (pixels), ccd-sim-control (the fault language); this file
 * wires them to the clock, the descriptors and the log.
 *
 * Exit status: 0 after SIGTERM/SIGINT, 1 when the profile, the line or
 * the log cannot be opened, 2 for bad usage or a refused --do command.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ccd/ccd-profile.h"
#include "daemon/config/diagnostics.h"
#include "daemon/shared/macro.h"
#include "tests/sim/ccd-controller.h"
#include "tests/sim/ccd-image.h"
#include "tests/sim/ccd-sim-control.h"
#include "tests/sim/control-source.h"
#include "tests/sim/ccd-sim-line.h"
#include "tests/sim/ccd-sim-link.h"
#include "tests/sim/sim-args.h"

#define EXIT_USAGE 2
#define DO_MAX 64
#define DATA_STALL_MS 30000	/* a data socket that takes nothing for this long is given up */
#define HOST_REPLY_TIMEOUT_MS 10000	/* real: TIM's answers come from the host */
#define PROGRESS_INTERVAL_MS 1000	/* real: elapsed-time reports in monitor mode */
#define NEVER UINT64_MAX

struct options {
	const char *profile, *tty, *pty_link, *log, *control, *data_socket;
	char name[UNET_NAME_LEN + 1];
	char host[UNET_NAME_LEN + 1];
	double time_scale;
	unsigned int baud;
	bool baud_given;
	long first_number;		/* -1: random */
	unsigned int resend_limit;
	double auto_sync_hours;
	struct ccd_image_params image;
	const char *commands[DO_MAX];
	size_t n_commands;
};

/* One read-out's pixels on their way to the data socket. */
struct data_transfer {
	int fd;
	uint8_t *buf;
	size_t len, done;
	uint64_t progress_at;
	uint64_t sequence;
};

struct sim {
	struct options o;
	struct ccd_profile profile;
	struct ccd_controller *controller;
	struct ccd_link *link;
	struct ccd_line *line;
	FILE *log;
	struct control_source control;
	struct data_transfer data;
	uint64_t start_ns;
	uint64_t now_ms;		/* real, since start */
	unsigned int boots;
	bool host_stopped;		/* XOFF */
};

/* ------------------------------------------------------------ clock and log */

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t sim_ms(const struct sim *s)
{
	return (uint64_t)((double)s->now_ms * s->o.time_scale);
}

/* The real time at which simulated @t comes. */
static uint64_t real_of_sim(const struct sim *s, uint64_t t)
{
	double real;

	if (t == NEVER)
		return NEVER;
	real = ceil((double)t / s->o.time_scale);
	return real >= 1.8e19 ? NEVER : (uint64_t)real;
}

static void clock_update(struct sim *s)
{
	s->now_ms = (monotonic_ns() - s->start_ns) / 1000000;
}

/* "<epoch>.<ms> <text>": every line of the log, flushed at once. */
static _printf_(2, 3) void logf_(struct sim *s, const char *fmt, ...)
{
	int64_t w = wall_ms();
	va_list ap;

	if (!s->log)
		return;
	fprintf(s->log, "%" PRId64 ".%03d ", w / 1000, (int)(w % 1000));
	va_start(ap, fmt);
	vfprintf(s->log, fmt, ap);
	va_end(ap);
	fputc('\n', s->log);
	fflush(s->log);
}

/* ------------------------------------------------------------ options */

static void help(FILE *f)
{
	fputs("Usage: ccd-sim --profile FILE [OPTIONS]\n"
	      "Simulate a CCD controller on a UtilityNet serial line.\n\n"
	      "  -p, --profile FILE         the CCD's profile (geometry, head, name, data format)\n"
	      "  -t, --tty DEVICE           a real serial line (default: a pseudo-terminal)\n"
	      "  -L, --pty-link PATH        a symlink to the pseudo-terminal's slave\n"
	      "  -n, --name NAME            the controller's network name (default UNET_REMOTE)\n"
	      "      --host NAME            where statuses go (default SYS)\n"
	      "  -s, --time-scale X         simulated seconds per second (default 1)\n"
	      "  -b, --baud RATE            pace the line at RATE (default 9600; 0: no pace)\n"
	      "  -l, --log FILE             frames, mechanisms, faults and pixels, one per line\n"
	      "      --control FIFO|-       fault commands from a FIFO (created) or stdin\n"
	      "      --do COMMAND           a fault command before the line opens\n"
	      "  -d, --data-socket PATH     where read-outs' pixels go (stationd listens)\n"
	      "      --first-number N       first message number (default: random)\n"
	      "      --resends N            resend limit (default 5)\n"
	      "      --auto-sync HOURS      RTC synchronisation by itself every HOURS\n"
	      "                             simulated (default 24; 0: never)\n"
	      "      --seed N               pixel noise seed\n"
	      "      --sky-seed N           where the stars are\n"
	      "      --dark E               dark current, electrons/pixel/hour (default 10)\n"
	      "      --sky E                sky, electrons/pixel/second (default 2)\n"
	      "      --bias ADU             bias level (default 1000)\n"
	      "  -h, --help                 this text\n", f);
}

enum {
	OPT_HOST = 0x100, OPT_CONTROL, OPT_DO, OPT_FIRST_NUMBER, OPT_RESENDS, OPT_AUTO_SYNC,
	OPT_SEED, OPT_SKY_SEED, OPT_DARK, OPT_SKY, OPT_BIAS,
};

static int options_parse(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "tty", required_argument, NULL, 't' },
		{ "pty-link", required_argument, NULL, 'L' },
		{ "name", required_argument, NULL, 'n' },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "time-scale", required_argument, NULL, 's' },
		{ "baud", required_argument, NULL, 'b' },
		{ "log", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ "do", required_argument, NULL, OPT_DO },
		{ "data-socket", required_argument, NULL, 'd' },
		{ "first-number", required_argument, NULL, OPT_FIRST_NUMBER },
		{ "resends", required_argument, NULL, OPT_RESENDS },
		{ "auto-sync", required_argument, NULL, OPT_AUTO_SYNC },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "sky-seed", required_argument, NULL, OPT_SKY_SEED },
		{ "dark", required_argument, NULL, OPT_DARK },
		{ "sky", required_argument, NULL, OPT_SKY },
		{ "bias", required_argument, NULL, OPT_BIAS },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long ul;
	int c;

	*o = (struct options) { .time_scale = 1.0, .baud = 9600, .first_number = -1,
				.resend_limit = CCD_LINK_RESEND_LIMIT, .auto_sync_hours = 24 };
	ccd_image_params_default(&o->image);

	while ((c = getopt_long(argc, argv, "p:t:L:n:s:b:l:d:h", longopts, NULL)) >= 0) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 't':
			o->tty = optarg;
			break;
		case 'L':
			o->pty_link = optarg;
			break;
		case 'n':
		case OPT_HOST:
			if (!unet_name_valid(optarg))
				goto bad;
			snprintf(c == 'n' ? o->name : o->host, sizeof(o->name), "%s", optarg);
			break;
		case 's':
			if (!sim_arg_double(optarg, 1e-3, 1e5, &o->time_scale))
				goto bad;
			break;
		case 'b':
			if (!sim_arg_ulong(optarg, 115200, &ul))
				goto bad;
			o->baud = (unsigned int)ul;
			o->baud_given = true;
			break;
		case 'l':
			o->log = optarg;
			break;
		case OPT_CONTROL:
			o->control = optarg;
			break;
		case OPT_DO:
			if (o->n_commands == DO_MAX) {
				fprintf(stderr, "ccd-sim: at most %d --do commands\n", DO_MAX);
				return -EINVAL;
			}
			o->commands[o->n_commands++] = optarg;
			break;
		case 'd':
			o->data_socket = optarg;
			break;
		case OPT_FIRST_NUMBER:
			if (!sim_arg_ulong(optarg, 0xffff, &ul))
				goto bad;
			o->first_number = (long)ul;
			break;
		case OPT_RESENDS:
			if (!sim_arg_ulong(optarg, 100, &ul))
				goto bad;
			o->resend_limit = (unsigned int)ul;
			break;
		case OPT_AUTO_SYNC:
			if (!sim_arg_double(optarg, 0, 8760, &o->auto_sync_hours))
				goto bad;
			break;
		case OPT_SEED:
		case OPT_SKY_SEED:
			if (!sim_arg_ulong(optarg, ULONG_MAX, &ul))
				goto bad;
			*(c == OPT_SEED ? &o->image.seed : &o->image.sky_seed) = ul;
			break;
		case OPT_DARK:
			if (!sim_arg_double(optarg, 0, 1e7, &o->image.dark_e_per_s))
				goto bad;
			o->image.dark_e_per_s /= 3600.0;
			break;
		case OPT_SKY:
			if (!sim_arg_double(optarg, 0, 1e6, &o->image.sky_e_per_s))
				goto bad;
			break;
		case OPT_BIAS:
			if (!sim_arg_double(optarg, 0, CCD_ADC_MAX, &o->image.bias_adu))
				goto bad;
			break;
		case 'h':
			help(stdout);
			exit(EXIT_SUCCESS);
		default:
			help(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ccd-sim: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->profile) {
		fprintf(stderr, "ccd-sim: --profile is required\n");
		return -EINVAL;
	}
	if (o->tty && o->pty_link) {
		fprintf(stderr, "ccd-sim: --pty-link is for the pseudo-terminal, not --tty\n");
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "ccd-sim: invalid value '%s' for %s (see --help)\n", optarg,
		argv[optind - 1]);
	return -EINVAL;
}

/* ------------------------------------------------------------ the link's ends */

static void on_line_write(void *userdata, const uint8_t *bytes, size_t n)
{
	struct sim *s = userdata;

	if (ccd_line_queue(s->line, bytes, n) < 0)
		logf_(s, "line output full: %zu bytes lost", n);
}

static void on_command(void *userdata, const struct unet_mech *m)
{
	struct sim *s = userdata;
	char text[UNET_BODY_MAX + 2];

	switch (ccd_controller_command(s->controller, sim_ms(s), m)) {
	case CCD_COMMAND_UNKNOWN_MECHANISM:
	case CCD_COMMAND_UNKNOWN_CODE:
		unet_mech_format(m, text, sizeof(text));
		logf_(s, "mech %s: no such mechanism or code, ignored", text);
		break;
	default:
		break;
	}
}

static void on_time_reply(void *userdata, const struct unet_mech *m)
{
	struct sim *s = userdata;

	ccd_controller_time_reply(s->controller, sim_ms(s), wall_ms(), m);
}

static void on_link_log(void *userdata, const char *line)
{
	logf_(userdata, "%s", line);
}

static const struct ccd_link_ops link_ops = {
	.line_write = on_line_write,
	.command = on_command,
	.time_reply = on_time_reply,
	.log = on_link_log,
};

static void on_payload(void *userdata, const uint8_t *payload, size_t len)
{
	struct sim *s = userdata;

	ccd_link_receive(s->link, s->now_ms, payload, len);
}

static void on_flow(void *userdata, bool stopped)
{
	struct sim *s = userdata;

	s->host_stopped = stopped;
	logf_(s, "line %s from the host", stopped ? "XOFF" : "XON after XOFF");
}

static void on_dropped(void *userdata, const char *why)
{
	logf_(userdata, "rx %s frame dropped by the framer", why);
}

static const struct ccd_line_ops line_ops = {
	.payload = on_payload,
	.flow = on_flow,
	.dropped = on_dropped,
};

/* ------------------------------------------------------------ pixels */

static void data_done(struct sim *s, const char *how)
{
	logf_(s, "data read-out %" PRIu64 ": %s", s->data.sequence, how);
	s->data.fd = safe_close(s->data.fd);
	free(s->data.buf);
	s->data.buf = NULL;
	ccd_controller_readout_delivered(s->controller, sim_ms(s));
}

/* Every image of the read-out, headers and pixels, into one buffer. */
static int data_render(struct sim *s, const struct ccd_readout *r)
{
	struct ccd_image_region regions[CCD_WINDOWS];
	size_t n = ccd_image_regions(&s->o.image.chip, r, regions), len = 0, at = 0;
	char header[CCD_IMAGE_HEADER_MAX];

	for (size_t i = 0; i < n; i++)
		len += CCD_IMAGE_HEADER_MAX + ccd_image_bytes(&regions[i], s->o.image.bitpix);
	s->data.buf = malloc(len);
	if (!s->data.buf)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t bytes = ccd_image_bytes(&regions[i], s->o.image.bitpix);
		/*
		 * run= is the controller's own read-out count: stationd's run
		 * numbers never reach it (daemon/ccd/README.md).
		 */
		int h = ccd_image_header(header, sizeof(header), r->sequence, &regions[i],
					 &s->o.image);
		int r2;

		if (h < 0)
			return h;
		memcpy(s->data.buf + at, header, (size_t)h);
		at += (size_t)h;
		r2 = ccd_image_render(&s->o.image, r, &regions[i], s->data.buf + at, bytes);
		if (r2 < 0)
			return r2;
		at += bytes;
		header[h - 1] = '\0';
		logf_(s, "data read-out %" PRIu64 " %s light %" PRIu64 " ms dark %" PRIu64
		      " ms preflash %" PRIu64 " ms: %s", r->sequence, ccd_mech_name(r->mech),
		      r->light_ms, r->dark_ms, r->preflash_ms, header);
	}
	s->data.len = at;
	s->data.done = 0;
	return 0;
}

static void data_start(struct sim *s, const struct ccd_readout *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r2;

	s->data.sequence = r->sequence;
	if (!s->o.data_socket) {
		data_done(s, "no data socket, pixels not sent");
		return;
	}
	r2 = data_render(s, r);
	if (r2 < 0) {
		logf_(s, "data: %s", strerror(-r2));
		data_done(s, "pixels not made");
		return;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->o.data_socket);
	s->data.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->data.fd < 0 || connect(s->data.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		logf_(s, "data: connect %s: %m", s->o.data_socket);
		data_done(s, "pixels not sent");
		return;
	}
	s->data.progress_at = s->now_ms;
	logf_(s, "data read-out %" PRIu64 ": connected to %s, %zu bytes", r->sequence,
	      s->o.data_socket, s->data.len);
}

static void data_write(struct sim *s)
{
	ssize_t n;

	if (s->data.fd < 0)
		return;
	while (s->data.done < s->data.len) {
		n = send(s->data.fd, s->data.buf + s->data.done, s->data.len - s->data.done,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			logf_(s, "data: send: %m after %zu of %zu bytes", s->data.done, s->data.len);
			data_done(s, "pixels cut short");
			return;
		}
		s->data.done += (size_t)n;
		s->data.progress_at = s->now_ms;
	}
	if (s->data.done == s->data.len) {
		data_done(s, "sent");
		return;
	}
	if (s->now_ms - s->data.progress_at > DATA_STALL_MS)
		data_done(s, "the data socket took nothing for 30 s, given up");
}

/* ------------------------------------------------------------ control */

static void control_reply(struct sim *s, int r, const char *line, const char *reply)
{
	if (r < 0) {
		printf("error: %s: %s\n", line, reply);
		logf_(s, "control %s: error: %s", line, reply);
	} else if (reply[0]) {
		printf("%s\n", reply);
		logf_(s, "control %s: %s", line, reply);
	}
	fflush(stdout);
}

static int control_run(struct sim *s, const char *line)
{
	struct ccd_control_target t = {
		.controller = s->controller, .link = s->link,
		.now_ms = s->now_ms, .sim_ms = sim_ms(s),
	};
	char reply[1024];
	int r = ccd_control_execute(&t, line, reply, sizeof(reply));

	control_reply(s, r, line, reply);
	return r;
}

static void control_line(const char *line, void *userdata)
{
	control_run(userdata, line);
}

/* ------------------------------------------------------------ the loop */

static uint16_t first_number(const struct sim *s)
{
	uint16_t n;

	/* A fixed first number moves on by a quarter of the range per boot,
	 * so a run repeats exactly; otherwise each boot starts anywhere. */
	if (s->o.first_number >= 0)
		return (uint16_t)(s->o.first_number + 0x4000 * (s->boots ? s->boots - 1 : 0));
	if (getrandom(&n, sizeof(n), 0) != sizeof(n))
		n = (uint16_t)(100u * (unsigned int)getpid());
	return n;
}

/* What the controller has to say goes to the link, to the log. */
static void controller_drain(struct sim *s)
{
	struct unet_mech batch[16];
	enum ccd_out_kind kind = CCD_OUT_STATUS;
	struct ccd_out out;
	size_t n = 0;

	for (;;) {
		bool more = ccd_controller_take_output(s->controller, &out);

		/* A batch of one kind goes as frames of that kind; notes
		 * between its messages do not split it. */
		if (n && (!more || (out.kind != CCD_OUT_NOTE && out.kind != kind) ||
			  n == ELEMENTSOF(batch))) {
			if (kind == CCD_OUT_STATUS)
				ccd_link_send(s->link, s->now_ms, UNET_FRAME_STATUS, s->o.host, batch, n);
			else
				ccd_link_send(s->link, s->now_ms, UNET_FRAME_COMMAND,
					      UNET_TIME_SERVICE_NAME, batch, n);
			n = 0;
		}
		if (!more)
			break;
		if (out.kind == CCD_OUT_NOTE) {
			logf_(s, "mech %s", out.note);
			continue;
		}
		kind = out.kind;
		batch[n++] = out.mech;
	}
}

/* Bring the link in line with the controller after anything happened. */
static void settle(struct sim *s)
{
	struct ccd_readout r;

	ccd_controller_advance(s->controller, sim_ms(s));
	if (ccd_controller_boots(s->controller) != s->boots) {
		s->boots = ccd_controller_boots(s->controller);
		ccd_link_restart(s->link, first_number(s));
		logf_(s, "link restarted: numbering from %04X", ccd_link_next_number(s->link));
	}
	ccd_link_set_dead(s->link, ccd_controller_resetting(s->controller));
	if (ccd_controller_resetting(s->controller) && s->data.fd >= 0) {
		/* The controller died under the transfer: the DAS sees it cut. */
		logf_(s, "data read-out %" PRIu64 ": reset after %zu of %zu bytes",
		      s->data.sequence, s->data.done, s->data.len);
		s->data.fd = safe_close(s->data.fd);
		free(s->data.buf);
		s->data.buf = NULL;
	}
	controller_drain(s);
	if (s->data.fd < 0 && !s->data.buf && ccd_controller_take_readout(s->controller, &r)) {
		data_start(s, &r);
		data_write(s);
		controller_drain(s);
	}
	ccd_link_set_clear_to_send(s->link, s->now_ms,
				   ccd_line_bytes_heard(s->line) && !s->host_stopped);
	ccd_link_set_quiet(s->link, s->now_ms, ccd_controller_quiet(s->controller));
	ccd_link_tick(s->link, s->now_ms);
	ccd_line_flush(s->line, s->now_ms);
}

static int signals_open(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static int run(struct sim *s)
{
	_cleanup_close_ int signals = -EBADF;

	signals = signals_open();
	if (signals < 0) {
		fprintf(stderr, "ccd-sim: signalfd: %s\n", strerror(-signals));
		return signals;
	}
	for (;;) {
		struct pollfd fds[4];
		uint64_t next, t;
		int timeout, r;

		clock_update(s);
		settle(s);
		/* After settle(): it may have opened the data socket. */
		fds[0] = (struct pollfd) { .fd = signals, .events = POLLIN };
		fds[1] = (struct pollfd) { .fd = ccd_line_fd(s->line), .events = POLLIN };
		fds[2] = (struct pollfd) { .fd = s->control.fd, .events = POLLIN };
		fds[3] = (struct pollfd) { .fd = s->data.fd, .events = POLLOUT };
		next = real_of_sim(s, ccd_controller_next_event(s->controller));
		t = ccd_link_next_deadline(s->link);
		next = t < next ? t : next;
		t = ccd_line_next_write(s->line, s->now_ms);
		next = t < next ? t : next;
		if (s->data.fd >= 0) {
			t = s->data.progress_at + DATA_STALL_MS + 1;
			next = t < next ? t : next;
		}
		if (ccd_line_wants_pollout(s->line))
			fds[1].events |= POLLOUT;
		timeout = next == NEVER ? -1 : next <= s->now_ms ? 0 :
			  (int)(next - s->now_ms > 60000 ? 60000 : next - s->now_ms);

		if (poll(fds, ELEMENTSOF(fds), timeout) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ccd-sim: poll: %m\n");
			return -errno;
		}
		clock_update(s);
		if (fds[0].revents) {
			struct signalfd_siginfo si;

			if (read(signals, &si, sizeof(si)) == sizeof(si))
				logf_(s, "%s, exiting", strsignal((int)si.ssi_signo));
			return 0;
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = ccd_line_read(s->line);
			if (r < 0) {
				fprintf(stderr, "ccd-sim: %s: %s\n", ccd_line_tty(s->line), strerror(-r));
				logf_(s, "line %s: %s, exiting", ccd_line_tty(s->line), strerror(-r));
				return r;
			}
		}
		if (fds[2].revents) {
			r = control_source_read(&s->control, control_line, s);
			if (r == -EPIPE) {
				s->control.fd = -EBADF;	/* stdin closed: go on, deaf to it */
			} else if (r < 0) {
				fprintf(stderr, "ccd-sim: control: %s\n", strerror(-r));
				return r;
			}
		}
		if (s->data.fd >= 0)
			data_write(s);
	}
}

/* ------------------------------------------------------------ set-up */

static int profile_load(struct sim *s)
{
	struct diagnostics d;
	int r;

	diagnostics_init(&d);
	r = ccd_profile_load(s->o.profile, &s->profile, &d);
	diagnostics_print(&d, stderr);
	diagnostics_done(&d);
	if (r < 0)
		fprintf(stderr, "ccd-sim: %s: %s\n", s->o.profile,
			r == -EINVAL ? "profile has errors" : strerror(-r));
	return r;
}

static int controller_make(struct sim *s)
{
	const struct ccd_profile *p = &s->profile;
	struct ccd_controller_params cp;
	struct ccd_link_params lp;
	struct ccd_chip chip = {
		.size_x = p->size_x, .size_y = p->size_y,
		.x_under = p->x_under, .y_under = p->y_under,
		.x_silicon = p->x_silicon, .y_silicon = p->y_silicon,
	};
	int r;

	ccd_controller_params_default(&cp);
	cp.chip = chip;
	cp.head = p->head_number;
	cp.reply_timeout_ms = (uint64_t)(HOST_REPLY_TIMEOUT_MS * s->o.time_scale);
	cp.progress_interval_ms = (uint64_t)fmax(1000.0, PROGRESS_INTERVAL_MS * s->o.time_scale);
	cp.auto_sync_interval_ms = (uint64_t)(s->o.auto_sync_hours * 3600e3);
	r = ccd_controller_new(&cp, 0, &s->controller);
	if (r < 0) {
		fprintf(stderr, "ccd-sim: %s: no controller for this chip: %s\n", s->o.profile,
			strerror(-r));
		return r;
	}
	s->boots = ccd_controller_boots(s->controller);

	s->o.image.chip = chip;
	s->o.image.gain = p->gain_e_per_adu;
	s->o.image.read_noise = p->noise_e;
	s->o.image.bitpix = p->bitpix;
	s->o.image.bzero = p->bzero;
	s->o.image.bscale = p->bscale;
	if (ccd_image_params_check(&s->o.image) < 0) {
		fprintf(stderr, "ccd-sim: %s: no pixels can be made with GAIN %g NOISE %g BITPIX %d\n",
			s->o.profile, p->gain_e_per_adu, p->noise_e, p->bitpix);
		return -EINVAL;
	}

	ccd_link_params_default(&lp);
	snprintf(lp.name, sizeof(lp.name), "%s", s->o.name[0] ? s->o.name : p->unet_remote);
	snprintf(lp.host, sizeof(lp.host), "%s", s->o.host[0] ? s->o.host : UNET_HOST_NAME_DEFAULT);
	lp.resend_limit = s->o.resend_limit;
	r = ccd_link_new(&lp, &link_ops, s, first_number(s), &s->link);
	if (r < 0) {
		fprintf(stderr, "ccd-sim: the link: %s\n", strerror(-r));
		return r;
	}
	snprintf(s->o.name, sizeof(s->o.name), "%s", lp.name);
	snprintf(s->o.host, sizeof(s->o.host), "%s", lp.host);
	return 0;
}

static void sim_free(struct sim *s)
{
	control_source_close(&s->control);
	safe_close(s->data.fd);
	free(s->data.buf);
	ccd_line_free(s->line);
	ccd_link_free(s->link);
	ccd_controller_free(s->controller);
	if (s->log)
		fclose(s->log);
}

int main(int argc, char *argv[])
{
	struct sim s = { .control = { .fd = -EBADF }, .data = { .fd = -EBADF } };
	int r;

	if (options_parse(argc, argv, &s.o) < 0)
		return EXIT_USAGE;
	/* A closed reader of our stdout or of the data socket must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	s.start_ns = monotonic_ns();

	if (profile_load(&s) < 0 || controller_make(&s) < 0) {
		sim_free(&s);
		return EXIT_FAILURE;
	}
	if (s.o.log) {
		s.log = fopen(s.o.log, "we");
		if (!s.log) {
			fprintf(stderr, "ccd-sim: %s: %m\n", s.o.log);
			sim_free(&s);
			return EXIT_FAILURE;
		}
	}
	for (size_t i = 0; i < s.o.n_commands; i++) {
		if (control_run(&s, s.o.commands[i]) < 0) {
			fprintf(stderr, "ccd-sim: --do '%s' refused\n", s.o.commands[i]);
			sim_free(&s);
			return EXIT_USAGE;
		}
	}
	r = s.o.tty ? ccd_line_open_tty(s.o.tty, s.o.baud_given ? s.o.baud : 9600, &s.line) :
		      ccd_line_open_pty(s.o.pty_link, s.o.baud, &s.line);
	if (r < 0) {
		fprintf(stderr, "ccd-sim: %s: %s\n", s.o.tty ? s.o.tty : "pseudo-terminal",
			strerror(-r));
		sim_free(&s);
		return EXIT_FAILURE;
	}
	ccd_line_set_ops(s.line, &line_ops, &s);
	if (control_source_open("ccd-sim", s.o.control, &s.control) < 0) {
		sim_free(&s);
		return EXIT_FAILURE;
	}
	logf_(&s, "start %s head %u on %s, host %s, time scale %g, profile %s", s.o.name,
	      s.profile.head_number, ccd_line_tty(s.line), s.o.host, s.o.time_scale, s.o.profile);
	printf("ready tty=%s name=%s head=%u\n", ccd_line_tty(s.line), s.o.name,
	       s.profile.head_number);
	fflush(stdout);
	r = run(&s);
	sim_free(&s);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
