// SPDX-License-Identifier: GPL-2.0
/*
 * The Cryostream link on sd-event (see cryo-service.h).
 */
#include "daemon/cryo/cryo-service.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "daemon/cryo/cryo-socket.h"
#include "daemon/shared/log.h"

/* How late the silence timer may fire: a disconnection 50 ms late does
 * not matter, and lets the kernel batch wake-ups. */
#define SILENCE_TIMER_ACCURACY_USEC (50 * 1000)
/* A status port we cannot bind (another program holds it without
 * SO_REUSEPORT) is tried again this often: the autofill must not stop
 * for it, and the link comes up by itself once the port is free. */
#define BIND_RETRY_USEC (5 * 1000000)

struct cryo_service {
	sd_event *event;
	struct cryo_link *link;
	struct cryo_link_callbacks callbacks;
	void *userdata;
	int status_fd;
	int command_fd;
	sd_event_source *status_source;
	sd_event_source *silence_timer;
	sd_event_source *bind_retry_timer;
	struct sockaddr_in status_address;
	bool bind_failure_logged;
	uint16_t command_port;
	uint64_t command_timeout_usec;
};

uint64_t cryo_service_now(const struct cryo_service *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The link calls these; they pass the events on to whoever listens. */
static void forward_status(struct cryo_controller *c, const struct cs800_status *previous,
			   void *userdata)
{
	struct cryo_service *s = userdata;

	if (s->callbacks.status)
		s->callbacks.status(c, previous, s->userdata);
}

static void forward_connection(struct cryo_controller *c, bool connected, void *userdata)
{
	struct cryo_service *s = userdata;

	if (s->callbacks.connection)
		s->callbacks.connection(c, connected, s->userdata);
}

static void forward_conflict(struct cryo_controller *c, uint16_t other_number,
			     const struct sockaddr_in *source, void *userdata)
{
	struct cryo_service *s = userdata;

	if (s->callbacks.conflict)
		s->callbacks.conflict(c, other_number, source, s->userdata);
}

static void forward_spoofed(struct cryo_controller *c, const struct sockaddr_in *source,
			    void *userdata)
{
	struct cryo_service *s = userdata;

	if (s->callbacks.spoofed)
		s->callbacks.spoofed(c, source, s->userdata);
}

static void forward_checksum_failing(struct cryo_controller *c, uint64_t failing_usec,
				     void *userdata)
{
	struct cryo_service *s = userdata;

	if (s->callbacks.checksum_failing)
		s->callbacks.checksum_failing(c, failing_usec, s->userdata);
}

static void forward_rejected(struct cryo_controller *c, const struct cs800_decode_error *error,
			     const struct sockaddr_in *source, void *userdata)
{
	struct cryo_service *s = userdata;

	if (s->callbacks.rejected)
		s->callbacks.rejected(c, error, source, s->userdata);
}

static const struct cryo_link_callbacks forwarders = {
	.status = forward_status,
	.connection = forward_connection,
	.conflict = forward_conflict,
	.spoofed = forward_spoofed,
	.rejected = forward_rejected,
	.checksum_failing = forward_checksum_failing,
};

/* Arm the silence timer for the next controller that may go silent. */
static int rearm_silence_timer(struct cryo_service *s)
{
	uint64_t deadline = cryo_link_next_deadline(s->link);
	int r;

	if (deadline == UINT64_MAX)
		return sd_event_source_set_enabled(s->silence_timer, SD_EVENT_OFF);
	r = sd_event_source_set_time(s->silence_timer, deadline);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(s->silence_timer, SD_EVENT_ONESHOT);
}

static int on_silence_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct cryo_service *s = userdata;
	int r;

	cryo_link_check_silence(s->link, cryo_service_now(s));
	r = rearm_silence_timer(s);
	if (r < 0)
		log_error_errno(r, "cryostream: cannot re-arm the silence timer");
	return 0;
}

static int on_status_packets(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct cryo_service *s = userdata;
	int r;

	/* Stamped on arrival, not with the loop's cached time: the silence
	 * check compares against it. */
	r = cryo_status_socket_drain(fd, s->link, cryo_service_now(s),
				     CRYO_SERVICE_DATAGRAMS_PER_DISPATCH);
	if (r < 0)
		log_error_errno(r, "cryostream: cannot read the status socket");
	r = rearm_silence_timer(s);
	if (r < 0)
		log_error_errno(r, "cryostream: cannot re-arm the silence timer");
	return 0;
}

/* Bind the status port and watch it; on failure, try again later. */
static int on_bind_retry(sd_event_source *source, uint64_t usec, void *userdata);

static int listen_for_status(struct cryo_service *s)
{
	int fd, r;

	fd = cryo_status_socket_open(&s->status_address);
	if (fd < 0) {
		if (!s->bind_failure_logged)
			log_event(LOG_ERR, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, fd,
				  "cryostream: cannot listen on UDP port %u; trying again every %u s",
				  ntohs(s->status_address.sin_port),
				  (unsigned)(BIND_RETRY_USEC / 1000000));
		s->bind_failure_logged = true;
		if (!s->bind_retry_timer)
			return sd_event_add_time_relative(s->event, &s->bind_retry_timer,
							  CLOCK_MONOTONIC, BIND_RETRY_USEC, 0,
							  on_bind_retry, s);
		r = sd_event_source_set_time_relative(s->bind_retry_timer, BIND_RETRY_USEC);
		if (r < 0)
			return r;
		return sd_event_source_set_enabled(s->bind_retry_timer, SD_EVENT_ONESHOT);
	}
	s->status_fd = fd;
	r = sd_event_add_io(s->event, &s->status_source, s->status_fd, EPOLLIN,
			    on_status_packets, s);
	if (r < 0)
		return r;
	if (s->bind_failure_logged)
		log_info("cryostream: listening on UDP port %u now",
			 ntohs(s->status_address.sin_port));
	return 0;
}

static int on_bind_retry(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct cryo_service *s = userdata;
	int r;

	r = listen_for_status(s);
	if (r < 0)
		log_error_errno(r, "cryostream: cannot set up the status socket");
	return 0;
}

static int add_controllers(struct cryo_service *s, const struct station *station)
{
	for (size_t i = 0; i < station->n_cryostreams; i++) {
		const struct cryostream *cs = &station->cryostreams[i];
		struct cryo_link_error error = {};
		struct sockaddr_in address = {
			.sin_family = AF_INET,
			.sin_port = htons(s->command_port),
			.sin_addr.s_addr = cs->address,
		};
		int r;

		r = cryo_link_add_controller(s->link, cs->name, cs->number,
					     cs->address ? &address : NULL, NULL, &error);
		if (r < 0)
			return log_error_errno(r, "cryostream %s: %s", cs->name, error.message);
	}
	return 0;
}

int cryo_service_new(sd_event *event, const struct station *station, struct cryo_service **ret)
{
	const struct cryostream_link *config = &station->globals.cryostream_link;
	_cleanup_(cryo_service_freep) struct cryo_service *s = NULL;
	struct sockaddr_in bind_address = {
		.sin_family = AF_INET,
		.sin_port = htons(config->status_port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->status_fd = s->command_fd = -EBADF;
	s->event = sd_event_ref(event);
	s->command_port = config->command_port;
	s->command_timeout_usec = (uint64_t)config->command_timeout_s * 1000000;
	r = cryo_link_new((uint64_t)config->silence_timeout_s * 1000000, &forwarders, s, &s->link);
	if (r < 0)
		return r;
	cryo_link_set_verify_checksum(s->link, !config->ignore_checksum);
	r = add_controllers(s, station);
	if (r < 0)
		return r;
	if (station->n_cryostreams == 0) {
		*ret = TAKE_PTR(s);
		return 0;
	}

	s->command_fd = cryo_command_socket_open();
	if (s->command_fd < 0)
		return log_error_errno(s->command_fd, "cryostream: cannot open the command socket");
	s->status_address = bind_address;
	r = listen_for_status(s);
	if (r < 0)
		return log_error_errno(r, "cryostream: cannot watch the status socket");
	r = sd_event_add_time(event, &s->silence_timer, CLOCK_MONOTONIC, 0,
			      SILENCE_TIMER_ACCURACY_USEC, on_silence_timer, s);
	if (r < 0)
		return log_error_errno(r, "cryostream: cannot create the silence timer");
	r = sd_event_source_set_enabled(s->silence_timer, SD_EVENT_OFF);
	if (r < 0)
		return r;
	log_info("cryostream: %zu controller(s), status port %u, command port %u, checksum %s",
		 station->n_cryostreams, config->status_port, config->command_port,
		 config->ignore_checksum ? "ignored" : "verified");
	*ret = TAKE_PTR(s);
	return 0;
}

struct cryo_service *cryo_service_free(struct cryo_service *s)
{
	if (!s)
		return NULL;
	sd_event_source_disable_unref(s->status_source);
	sd_event_source_disable_unref(s->silence_timer);
	sd_event_source_disable_unref(s->bind_retry_timer);
	if (s->status_fd >= 0)
		close(s->status_fd);
	if (s->command_fd >= 0)
		close(s->command_fd);
	cryo_link_free(s->link);
	sd_event_unref(s->event);
	free(s);
	return NULL;
}

void cryo_service_set_callbacks(struct cryo_service *s, const struct cryo_link_callbacks *callbacks,
				void *userdata)
{
	s->callbacks = *callbacks;
	s->userdata = userdata;
}

struct cryo_link *cryo_service_link(struct cryo_service *s)
{
	return s->link;
}

uint64_t cryo_service_command_timeout_usec(const struct cryo_service *s)
{
	return s->command_timeout_usec;
}

int cryo_service_command_address(const struct cryo_service *s, const struct cryo_controller *c,
				 struct sockaddr_in *ret)
{
	int r;

	r = cryo_controller_command_address(c, ret);
	if (r < 0)
		return r;
	/* The link's default for a source-derived address is the standard
	 * port; the configuration may have moved it. */
	ret->sin_port = htons(s->command_port);
	return 0;
}

int cryo_service_send(struct cryo_service *s, const struct cryo_controller *c,
		      const struct cs800_command *command)
{
	struct sockaddr_in to;
	int r;

	if (s->command_fd < 0)
		return -ENOTCONN;
	r = cryo_service_command_address(s, c, &to);
	if (r < 0)
		return r;
	return cryo_command_send(s->command_fd, &to, command);
}
