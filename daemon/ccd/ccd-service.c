// SPDX-License-Identifier: GPL-2.0
/*
 * The configured CCDs on the daemon's event loop (see ccd-service.h).
 */
#include "daemon/ccd/ccd-service.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ccd/ccd-data-socket.h"
#include "daemon/ccd/ccd-fits.h"
#include "daemon/ccd/ccd-run-number.h"
#include "daemon/shared/log.h"
#include "daemon/unet/unet-device.h"
#include "daemon/unet/unet-link.h"
#include "daemon/unet/unet-numbering.h"

/* How late a resend or a timeout may fire. */
#define TIMER_ACCURACY_USEC (10 * UINT64_C(1000))
/* The FITS writer runs below the data channel, far below the scan. */
#define FITS_PRIORITY (CCD_DATA_PRIORITY + 10)

struct ccd_unit {
	struct ccd_service *service;
	struct ccd config;
	struct unet_device *device;
	struct unet_link *link;
	struct ccd_server *server;
	sd_event_source *timer;
	struct ccd_data_socket *data;
	char run_number_path[PATH_MAX];
	char data_dir[PATH_MAX];
	int run_number_error;		/* the file could not be read: no numbered runs */
	enum ccd_link_state link_state;

	/* Pixels of the run in progress (or just ended), and the run
	 * waiting for them. */
	struct ccd_image *images;
	size_t n_images;
	bool awaiting_images;
	struct ccd_run ended_run;
	sd_event_source *grace_timer;
	struct ccd_fits_writer *writer;
	sd_event_source *writer_source;
	char last_file[PATH_MAX];
	uint64_t rejected_logged;
};

struct ccd_service {
	sd_event *event;
	char *state_dir;
	struct ccd_unit *units;
	size_t n_units;
	struct ccd_service_callbacks callbacks;
	void *userdata;
};

uint64_t ccd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t ccd_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

const char *ccd_link_state_to_string(enum ccd_link_state state)
{
	switch (state) {
	case CCD_LINK_UP:
		return "up";
	case CCD_LINK_RESENDING:
		return "resending";
	case CCD_LINK_DOWN:
	default:
		return "down";
	}
}

/* Counts worth a log line: 1, 2, 4, 8, ... */
static bool worth_reporting(uint64_t count)
{
	return count && (count & (count - 1)) == 0;
}

static void changed(struct ccd_unit *u, uint32_t mask)
{
	struct ccd_service *s = u->service;

	if (mask && s->callbacks.properties_changed)
		s->callbacks.properties_changed(u, mask, s->userdata);
}

static void update_link_state(struct ccd_unit *u)
{
	enum ccd_link_state state = !unet_device_is_up(u->device) ? CCD_LINK_DOWN :
				    unet_link_resending(u->link) ? CCD_LINK_RESENDING : CCD_LINK_UP;

	if (state == u->link_state)
		return;
	u->link_state = state;
	log_event(state == CCD_LINK_UP ? LOG_INFO : LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR,
		  NULL, NULL, 0, "ccd %s: link %s", u->config.name, ccd_link_state_to_string(state));
	changed(u, CCD_SERVICE_PROP_LINK);
}

/* ------------------------------------------------------------ timers */

void ccd_unit_rearm(struct ccd_unit *u)
{
	uint64_t a = unet_link_next_deadline(u->link), b = ccd_server_next_deadline(u->server);
	uint64_t next = a < b ? a : b;
	int r;

	if (next == UINT64_MAX) {
		(void)sd_event_source_set_enabled(u->timer, SD_EVENT_OFF);
		return;
	}
	r = sd_event_source_set_time(u->timer, next);
	if (r >= 0)
		r = sd_event_source_set_enabled(u->timer, SD_EVENT_ONESHOT);
	if (r < 0)
		log_error_errno(r, "ccd %s: cannot arm the timer", u->config.name);
}

static int on_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct ccd_unit *u = userdata;
	uint64_t now = ccd_now();

	unet_link_tick(u->link, now);
	ccd_server_tick(u->server, now, ccd_realtime());
	update_link_state(u);
	ccd_unit_rearm(u);
	return 0;
}

/* ------------------------------------------------------------ link */

static int link_transmit(const char *payload, size_t len, void *userdata)
{
	struct ccd_unit *u = userdata;

	return unet_device_write(u->device, payload, len);
}

static void link_frame(const struct unet_frame *f, bool duplicate, void *userdata)
{
	struct ccd_unit *u = userdata;
	char ccd[48], src[32], dest[32], msgno[24], type[16];
	const char *fields[] = { ccd, src, dest, msgno, type, NULL };

	/* Every frame passes here: build nothing unless it is logged. */
	if (!log_enabled(LOG_DEBUG))
		return;
	snprintf(ccd, sizeof(ccd), "CCD=%s", u->config.name);
	snprintf(src, sizeof(src), "UNET_SRC=%s", f->src);
	snprintf(dest, sizeof(dest), "UNET_DEST=%s", f->dest);
	snprintf(msgno, sizeof(msgno), "UNET_MSGNO=%04X", f->msgno);
	snprintf(type, sizeof(type), "UNET_TYPE=%c", (char)f->type);
	log_event_fields(LOG_DEBUG, LOG_EVENT_GENERIC, fields,
			 "ccd %s: received %c %s -> %s #%04X%s%s%s", u->config.name, (char)f->type,
			 f->src, f->dest, f->msgno, f->body_len ? ": " : "", f->body,
			 duplicate ? " (duplicate: acknowledged, not acted on)" : "");
}

static void link_rejected(const void *payload, size_t len, const struct unet_frame_error *error,
			  void *userdata)
{
	struct ccd_unit *u = userdata;
	const struct unet_link_counters *k = unet_link_counters(u->link);
	char why[64];

	if (!worth_reporting(k->frames_rejected))
		return;
	unet_frame_error_format(error, why, sizeof(why));
	log_warning("ccd %s: refused a frame: %s: \"%.*s\" (%" PRIu64 " refused so far)",
		    u->config.name, why, (int)(len > 80 ? 80 : len), (const char *)payload,
		    k->frames_rejected);
}

static void link_mechanism(const struct unet_frame *f, const struct unet_mech *m,
			   void *userdata)
{
	struct ccd_unit *u = userdata;

	/* The controller started afresh: what we queued for it is void.
	 * Cancelled deliveries leave the operations to the INS below, which
	 * fails them with ControllerReset. */
	if (strcmp(m->mnemonic, "INS") == 0 && strcmp(f->dest, unet_link_host_name(u->link)) == 0 &&
	    (!ccd_server_profile(u->server) ||
	     strcmp(f->src, ccd_server_profile(u->server)->unet_remote) == 0))
		unet_link_cancel_all(u->link);
	ccd_server_mechanism(u->server, f->src, f->dest, m, ccd_now(), ccd_realtime());
}

static void link_delivery(uint64_t tag, uint16_t msgno, enum unet_delivery result, void *userdata)
{
	struct ccd_unit *u = userdata;

	if (result == UNET_CANCELLED)
		return;
	if (result == UNET_DROPPED)
		log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "ccd %s: message #%04X dropped: no acknowledgement after the resend limit",
			  u->config.name, msgno);
	ccd_server_delivery(u->server, tag, result == UNET_DELIVERED, ccd_now());
}

static void link_resending(bool resending, void *userdata)
{
	update_link_state(userdata);
}

static const struct unet_link_ops link_ops = {
	.transmit = link_transmit,
	.frame = link_frame,
	.rejected = link_rejected,
	.mechanism = link_mechanism,
	.delivery = link_delivery,
	.resending_changed = link_resending,
};

static void device_payload(const void *payload, size_t len, void *userdata)
{
	struct ccd_unit *u = userdata;

	unet_link_receive(u->link, payload, len, ccd_now(), ccd_realtime());
	ccd_unit_rearm(u);
}

static void device_state(bool up, void *userdata)
{
	update_link_state(userdata);
}

static const struct unet_device_callbacks device_callbacks = {
	.payload = device_payload,
	.state = device_state,
};

/* ------------------------------------------------------------ FITS */

static void run_finished(struct ccd_unit *u, const char *file)
{
	struct ccd_service *s = u->service;
	const struct ccd_run *run = &u->ended_run;

	log_event(run->result == CCD_RUN_COMPLETE ? LOG_INFO : LOG_WARNING, LOG_EVENT_GENERIC,
		  LOG_NO_DETECTOR, NULL, NULL, 0, "ccd %s: %s run %u ended: %s, %u ms%s%s",
		  u->config.name, ccd_run_type_to_string(run->type), run->number,
		  ccd_run_result_to_string(run->result), run->elapsed_ms, file[0] ? ", " : "", file);
	if (file[0])
		snprintf(u->last_file, sizeof(u->last_file), "%s", file);
	if (s->callbacks.run_ended)
		s->callbacks.run_ended(u, run, file, s->userdata);
}

static void drop_images(struct ccd_unit *u)
{
	ccd_images_free(u->images, u->n_images);
	u->images = NULL;
	u->n_images = 0;
}

static int on_writer_step(sd_event_source *source, void *userdata)
{
	struct ccd_unit *u = userdata;
	char path[PATH_MAX];
	int r;

	r = ccd_fits_writer_step(u->writer, CCD_FITS_STEP_BYTES);
	if (r > 0)
		return 0;	/* more next time round the loop */
	snprintf(path, sizeof(path), "%s", ccd_fits_writer_path(u->writer));
	if (r < 0)
		log_event(LOG_ERR, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, r,
			  "ccd %s: cannot write %s: %s", u->config.name, path,
			  ccd_fits_writer_error(u->writer));
	ccd_fits_writer_free(u->writer);
	u->writer = NULL;
	u->writer_source = sd_event_source_disable_unref(u->writer_source);
	run_finished(u, r < 0 ? "" : path);
	return 0;
}

/* Do the images fit what the run's format reads out? */
static bool images_match(struct ccd_unit *u, const struct ccd_run *run)
{
	const struct ccd_profile *p = ccd_server_profile(u->server);
	struct ccd_image_size want[CCD_WINDOWS];
	struct ccd_geometry g;
	size_t n;

	if (!p)
		return false;
	g = ccd_profile_geometry(p);
	n = ccd_format_images(&g, &run->settings.format, want);
	if (n != u->n_images)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct ccd_image_header *h = &u->images[i].header;

		if (h->window != want[i].window || h->naxis1 != want[i].naxis1 ||
		    h->naxis2 != want[i].naxis2 || h->bitpix != p->bitpix)
			return false;
	}
	return true;
}

/* mkdir -p: every missing directory of path. */
static int make_directories(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *c = buf + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*c = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void write_run_file(struct ccd_unit *u)
{
	const struct ccd_profile *p = ccd_server_profile(u->server);
	const struct ccd_run *run = &u->ended_run;
	char name[64], path[PATH_MAX];
	int r;

	u->awaiting_images = false;
	(void)sd_event_source_set_enabled(u->grace_timer, SD_EVENT_OFF);
	if (u->n_images && !images_match(u, run)) {
		log_warning("ccd %s: the pixels received do not match run %u's format; writing the header alone",
			    u->config.name, run->number);
		drop_images(u);
	}
	ccd_fits_file_name(run, name, sizeof(name));
	r = make_directories(u->data_dir);
	if (r >= 0 && snprintf(path, sizeof(path), "%s/%s", u->data_dir, name) >= (int)sizeof(path))
		r = -ENAMETOOLONG;
	if (r < 0) {
		log_event(LOG_ERR, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, r,
			  "ccd %s: cannot create the data directory %s", u->config.name, u->data_dir);
		drop_images(u);
		run_finished(u, "");
		return;
	}
	r = ccd_fits_writer_new(path, !ccd_run_type_numbered(run->type), u->config.name, p, run,
				u->images, u->n_images, &u->writer);
	u->images = NULL;
	u->n_images = 0;
	if (r >= 0)
		r = sd_event_add_defer(u->service->event, &u->writer_source, on_writer_step, u);
	if (r >= 0)
		r = sd_event_source_set_priority(u->writer_source, FITS_PRIORITY);
	/* A defer source is one-shot by default: a step every iteration. */
	if (r >= 0)
		r = sd_event_source_set_enabled(u->writer_source, SD_EVENT_ON);
	if (r < 0) {
		log_error_errno(r, "ccd %s: cannot write %s", u->config.name, path);
		ccd_fits_writer_free(u->writer);
		u->writer = NULL;
		u->writer_source = sd_event_source_disable_unref(u->writer_source);
		run_finished(u, "");
	}
}

static int on_grace(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct ccd_unit *u = userdata;

	log_warning("ccd %s: no pixels arrived for run %u on %s; writing the header alone",
		    u->config.name, u->ended_run.number, u->config.data_socket);
	write_run_file(u);
	return 0;
}

static void data_received(struct ccd_image *images, size_t n, void *userdata)
{
	struct ccd_unit *u = userdata;
	const struct ccd_run *run = ccd_server_run(u->server);

	if (!run->active && !u->awaiting_images) {
		log_warning("ccd %s: pixels arrived without a run reading out; dropped",
			    u->config.name);
		ccd_images_free(images, n);
		return;
	}
	drop_images(u);
	u->images = images;
	u->n_images = n;
	if (u->awaiting_images)
		write_run_file(u);
}

/* ------------------------------------------------------------ server */

static int server_send(void *userdata, const char *dest, const struct unet_mech *command,
		       bool head_number, bool plain, uint64_t tag)
{
	struct ccd_unit *u = userdata;
	char body[UNET_BODY_MAX + 1];
	int r;

	if (plain) {
		r = unet_mech_format(command, body, sizeof(body));
		if (r < 0)
			return r;
		r = unet_link_send(u->link, UNET_FRAME_COMMAND, dest, body, tag, ccd_now(), NULL);
	} else {
		r = unet_link_send_cmdreq(u->link, dest, command, head_number, tag, ccd_now(), NULL);
	}
	return r;
}

static int server_next_run_number(void *userdata, uint32_t *ret)
{
	struct ccd_unit *u = userdata;
	uint32_t next = ccd_server_run_number(u->server) + 1;
	int r;

	if (u->run_number_error)
		return u->run_number_error;
	r = ccd_run_number_save(u->run_number_path, next);
	if (r < 0)
		return log_error_errno(r, "ccd %s: cannot save the run number in %s", u->config.name,
				       u->run_number_path);
	*ret = next;
	return 0;
}

static void server_operation_done(void *userdata, uint64_t id, enum ccd_operation_kind kind,
				  const struct ccd_result *result)
{
	struct ccd_unit *u = userdata;
	struct ccd_service *s = u->service;

	if (result->error != CCD_OK)
		log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0, "%s: %s",
			  ccd_error_to_string(result->error), result->message);
	if (s->callbacks.operation_done)
		s->callbacks.operation_done(u, id, kind, result, s->userdata);
}

static void server_properties_changed(void *userdata, uint32_t mask)
{
	changed(userdata, mask);
}

static void server_run_started(void *userdata, const struct ccd_run *run)
{
	struct ccd_unit *u = userdata;
	struct ccd_service *s = u->service;

	log_event(LOG_INFO, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "ccd %s: %s run %u started: \"%s\", exposure %u ms", u->config.name,
		  ccd_run_type_to_string(run->type), run->number, run->title,
		  run->settings.exposure_ms);
	/* Pixels from an earlier read-out are not this run's. */
	drop_images(u);
	if (s->callbacks.run_started)
		s->callbacks.run_started(u, run, s->userdata);
}

static void server_run_ended(void *userdata, const struct ccd_run *run)
{
	struct ccd_unit *u = userdata;

	/* A file still being written for the previous run finishes first. */
	if (u->writer) {
		while (ccd_fits_writer_step(u->writer, SIZE_MAX) > 0)
			;
		on_writer_step(u->writer_source, u);
	}
	u->ended_run = *run;
	if (run->result != CCD_RUN_COMPLETE) {
		drop_images(u);
		run_finished(u, "");
		return;
	}
	if (u->n_images || !u->data) {
		write_run_file(u);
		return;
	}
	/* The pixels may still be on their way. */
	u->awaiting_images = true;
	if (sd_event_source_set_time_relative(u->grace_timer, CCD_DATA_GRACE_USEC) < 0 ||
	    sd_event_source_set_enabled(u->grace_timer, SD_EVENT_ONESHOT) < 0)
		write_run_file(u);
}

static void server_controller_reset(void *userdata)
{
	struct ccd_unit *u = userdata;
	struct ccd_service *s = u->service;

	log_event(LOG_WARNING, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "ccd %s: the controller reset (INS): Setup is needed", u->config.name);
	if (s->callbacks.controller_reset)
		s->callbacks.controller_reset(u, s->userdata);
}

static const struct ccd_server_ops server_ops = {
	.send = server_send,
	.next_run_number = server_next_run_number,
	.operation_done = server_operation_done,
	.properties_changed = server_properties_changed,
	.run_started = server_run_started,
	.run_ended = server_run_ended,
	.controller_reset = server_controller_reset,
};

/* ------------------------------------------------------------ set-up */

static int unit_init(struct ccd_service *s, struct ccd_unit *u, const struct ccd *config)
{
	struct unet_link_config link_config;
	uint16_t random = 0;
	uint32_t last = 0;
	int r;

	u->service = s;
	u->config = *config;
	u->link_state = CCD_LINK_DOWN;

	unet_link_config_default(&link_config);
	snprintf(link_config.host_name, sizeof(link_config.host_name), "%s", config->host_name);
	link_config.resend_limit = config->resend_limit;
	/* Numbers the instrument has not seen: pids repeat under systemd. */
	if (getrandom(&random, sizeof(random), GRND_NONBLOCK) != sizeof(random))
		random = (uint16_t)ccd_now();
	link_config.first_msgno = unet_numbering_first((uint32_t)getpid(), random);
	r = unet_link_new(&link_config, &link_ops, u, &u->link);
	if (r < 0)
		return r;
	r = ccd_server_new(config->name, config->host_name, &server_ops, u, &u->server);
	if (r < 0)
		return r;

	if (snprintf(u->run_number_path, sizeof(u->run_number_path), "%s/ccd-%s.run",
		     s->state_dir, config->name) >= (int)sizeof(u->run_number_path))
		return -ENAMETOOLONG;
	r = ccd_run_number_load(u->run_number_path, &last);
	if (r < 0) {
		/* Numbered runs wait until someone fixes it: a number might
		 * otherwise be used twice. */
		u->run_number_error = r;
		log_event(LOG_ERR, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, r,
			  "ccd %s: cannot read the run number from %s: numbered runs are refused until it is repaired",
			  config->name, u->run_number_path);
	}
	ccd_server_set_run_number(u->server, last);
	if (config->data_dir[0])
		snprintf(u->data_dir, sizeof(u->data_dir), "%s", config->data_dir);
	else if (snprintf(u->data_dir, sizeof(u->data_dir), "%s/ccd/%s", s->state_dir,
			  config->name) >= (int)sizeof(u->data_dir))
		return -ENAMETOOLONG;

	r = sd_event_add_time(s->event, &u->timer, CLOCK_MONOTONIC, 0, TIMER_ACCURACY_USEC,
			      on_timer, u);
	if (r >= 0)
		r = sd_event_source_set_enabled(u->timer, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_add_time(s->event, &u->grace_timer, CLOCK_MONOTONIC, 0,
				      TIMER_ACCURACY_USEC, on_grace, u);
	if (r >= 0)
		r = sd_event_source_set_enabled(u->grace_timer, SD_EVENT_OFF);
	if (r < 0)
		return r;
	r = unet_device_new(s->event, config->tty[0] ? config->tty : NULL,
			    config->device[0] ? config->device : NULL, &device_callbacks, u,
			    &u->device);
	if (r < 0)
		return r;
	if (config->data_socket[0]) {
		/* Until a profile says otherwise: the largest frame a profile
		 * may describe is far too much to hold; 64 MiB is a 4k x 4k
		 * 32-bit frame. */
		r = ccd_data_socket_new(s->event, config->data_socket, 64 * 1024 * 1024,
					data_received, u, &u->data);
		if (r < 0)
			return log_error_errno(r, "ccd %s: cannot listen on %s", config->name,
					       config->data_socket);
	}
	log_info("ccd %s: line %s, host name %s, data %s%s%s", config->name,
		 unet_device_description(u->device), config->host_name, u->data_dir,
		 config->data_socket[0] ? ", pixels from " : "", config->data_socket);
	return 0;
}

static void unit_done(struct ccd_unit *u)
{
	ccd_fits_writer_free(u->writer);
	sd_event_source_disable_unref(u->writer_source);
	sd_event_source_disable_unref(u->timer);
	sd_event_source_disable_unref(u->grace_timer);
	ccd_data_socket_free(u->data);
	drop_images(u);
	unet_device_free(u->device);
	ccd_server_free(u->server);
	unet_link_free(u->link);
}

int ccd_service_new(sd_event *event, const struct station *station, const char *state_dir,
		    struct ccd_service **ret)
{
	_cleanup_(ccd_service_freep) struct ccd_service *s = NULL;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->event = sd_event_ref(event);
	s->state_dir = strdup(state_dir);
	if (!s->state_dir)
		return -ENOMEM;
	s->units = calloc(station->n_ccds ? station->n_ccds : 1, sizeof(*s->units));
	if (!s->units)
		return -ENOMEM;
	for (size_t i = 0; i < station->n_ccds; i++) {
		r = unit_init(s, &s->units[i], &station->ccds[i]);
		s->n_units++;
		if (r < 0)
			return log_error_errno(r, "ccd %s: cannot set it up", station->ccds[i].name);
	}
	*ret = TAKE_PTR(s);
	return 0;
}

struct ccd_service *ccd_service_free(struct ccd_service *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_units; i++)
		unit_done(&s->units[i]);
	free(s->units);
	free(s->state_dir);
	sd_event_unref(s->event);
	free(s);
	return NULL;
}

void ccd_service_set_callbacks(struct ccd_service *s, const struct ccd_service_callbacks *callbacks,
			       void *userdata)
{
	s->callbacks = callbacks ? *callbacks : (struct ccd_service_callbacks){};
	s->userdata = userdata;
}

size_t ccd_service_count(const struct ccd_service *s)
{
	return s->n_units;
}

struct ccd_unit *ccd_service_unit(struct ccd_service *s, size_t i)
{
	return i < s->n_units ? &s->units[i] : NULL;
}

const char *ccd_unit_name(const struct ccd_unit *u)
{
	return u->config.name;
}

struct ccd_server *ccd_unit_server(struct ccd_unit *u)
{
	return u->server;
}

enum ccd_link_state ccd_unit_link_state(const struct ccd_unit *u)
{
	return u->link_state;
}

const char *ccd_unit_last_file(const struct ccd_unit *u)
{
	return u->last_file;
}

int ccd_unit_load_profile(struct ccd_unit *u, const char *name, struct ccd_profile *ret,
			  char *message, size_t size)
{
	struct diagnostics d;
	char path[PATH_MAX];
	int r;

	if (!name[0])
		name = u->config.profile;
	if (!name[0]) {
		snprintf(message, size, "ccd %s: no profile named, and none configured",
			 u->config.name);
		return -EINVAL;
	}
	if (!ccd_name_valid(name, strlen(name))) {
		snprintf(message, size,
			 "ccd %s: profile name '%s' is not 1-%u letters, digits, '_' or '-'",
			 u->config.name, name, CCD_NAME_MAX);
		return -EINVAL;
	}
	if (snprintf(path, sizeof(path), "%s/%s", u->config.profile_dir, name) >= (int)sizeof(path)) {
		snprintf(message, size, "ccd %s: profile path too long", u->config.name);
		return -ENAMETOOLONG;
	}
	diagnostics_init(&d);
	r = ccd_profile_load(path, ret, &d);
	if (r >= 0 && strcmp(ret->ccd_name, name) != 0) {
		diagnostic_error(&d, &ret->key_at[CCD_KEY_CCDNAME],
				 "CCDNAME %s is not the profile's file name %s", ret->ccd_name, name);
		r = -EINVAL;
	}
	if (r < 0) {
		char *first = d.n_items ? diagnostic_format(&d.items[0]) : NULL;

		snprintf(message, size, "ccd %s: %s%s", u->config.name, first ? first : strerror(-r),
			 d.n_errors > 1 ? " (and more)" : "");
		free(first);
		diagnostics_print(&d, stderr);
		diagnostics_done(&d);
		return r;
	}
	diagnostics_done(&d);
	/* The data channel holds at most two full frames of this chip. */
	if (u->data)
		ccd_data_socket_set_max_bytes(u->data, 2ull * ret->size_x * ret->size_y *
						       (uint64_t)(ret->bitpix / 8));
	return 0;
}

void ccd_unit_counters(const struct ccd_unit *u, struct ccd_unit_counters *ret)
{
	const struct unet_link_counters *k = unet_link_counters(u->link);

	*ret = (struct ccd_unit_counters){
		.resend = k->resend_drops,
		.duplicates = k->duplicates,
		.nacks = k->nacks,
		.unknown_mnemonics = ccd_server_counters(u->server)->unknown_mnemonics,
		.retransmissions = k->resends,
		.time_requests = k->time_requests,
		.rejected_frames = k->frames_rejected,
	};
	(void)unet_device_counter(u->device, "short_frames", &ret->short_messages);
	(void)unet_device_counter(u->device, "long_frames", &ret->long_messages);
}
