// SPDX-License-Identifier: GPL-2.0
/*
 * The Cryostream link on sd-event (daemon/cryo/cryo-service.c), without
 * D-Bus: the real service built from a compiled configuration, its status
 * socket on 127.0.0.1, this test sending the datagrams.
 *
 * A flood of datagrams at the status port must not hold the event loop:
 * one dispatch of the socket reads at most CRYO_SERVICE_DATAGRAMS_PER_DISPATCH
 * of them, and another source that became due meanwhile runs before the
 * socket is empty.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-event.h>

#include "daemon/cryo/cryo-service.h"
#include "daemon/shared/macro.h"
#include "tests/unit/config-test-util.h"

#define FLOOD 100u

struct fixture {
	sd_event *event;
	struct station *station;
	struct cryo_service *service;
	struct sockaddr_in status_to;
	uint64_t received_when_timer_ran;
	bool timer_ran;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	_cleanup_free_ char *text = NULL;
	struct compiled c;
	int port = 20000 + (getpid() + 7) % 20000;

	assert_non_null(x);
	x->status_to = (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	assert_true(asprintf(&text, "%scryostream-link { status-port %d }\n"
			     "cryostream CS0 { number 411 }\n", BASE_STATION, port) > 0);
	compile_string(text, &c);
	assert_int_equal(c.result, 0);
	x->station = TAKE_PTR(c.station);
	compiled_done(&c);
	assert_int_equal(sd_event_new(&x->event), 0);
	assert_int_equal(cryo_service_new(x->event, x->station, &x->service), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	cryo_service_free(x->service);
	sd_event_unref(x->event);
	station_free(x->station);
	free(x);
	return 0;
}

static uint64_t datagrams_read(struct fixture *x)
{
	return cryo_link_counters(cryo_service_link(x->service))->packets_received;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct fixture *x = userdata;

	x->timer_ran = true;
	x->received_when_timer_ran = datagrams_read(x);
	return 0;
}

static void test_a_flood_does_not_hold_the_loop(void **state)
{
	struct fixture *x = *state;
	/* Both markers and nothing else: a datagram the decoder rejects
	 * quickly, so the flood is all the socket callback works on. */
	static const uint8_t junk[8] = { 0xAA, 0xAB, 0, 0, 0, 0, 0xAB, 0xAA };
	_cleanup_(sd_event_source_unrefp) sd_event_source *timer = NULL;
	uint64_t before;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	for (unsigned i = 0; i < FLOOD; i++)
		assert_int_equal(sendto(fd, junk, sizeof(junk), 0, (struct sockaddr *)&x->status_to,
					sizeof(x->status_to)), (ssize_t)sizeof(junk));
	close(fd);

	/* Nothing else is pending: this dispatch is the socket's, and it
	 * stops after its share although FLOOD datagrams wait. */
	assert_int_equal(sd_event_run(x->event, 1000000), 1);
	assert_int_equal(datagrams_read(x), CRYO_SERVICE_DATAGRAMS_PER_DISPATCH);

	/* A timer due now runs before the socket is empty: at most one more
	 * share of the flood is read first. */
	assert_int_equal(sd_event_add_time(x->event, &timer, CLOCK_MONOTONIC, 1, 0, on_timer, x), 0);
	for (unsigned i = 0; i < 2 * FLOOD && datagrams_read(x) < FLOOD; i++) {
		before = datagrams_read(x);
		assert_true(sd_event_run(x->event, 1000000) >= 0);
		assert_true(datagrams_read(x) - before <= CRYO_SERVICE_DATAGRAMS_PER_DISPATCH);
	}
	assert_true(x->timer_ran);
	assert_true(x->received_when_timer_ran <= 2 * CRYO_SERVICE_DATAGRAMS_PER_DISPATCH);
	/* And the flood is read in full, counted, rejected. */
	assert_int_equal(datagrams_read(x), FLOOD);
	assert_int_equal(cryo_link_counters(cryo_service_link(x->service))->packets_rejected, FLOOD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_flood_does_not_hold_the_loop, setup, teardown),
	};

	return cmocka_run_group_tests_name("cryo-service", tests, NULL, NULL);
}
