// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Cryostream end to end on the host: a private dbus-daemon,
 * the daemon side (cryo-service on an sd-event loop, bus-auth,
 * bus-cryostream) built from a compiled configuration, and this test
 * playing both the controller (status packets by UDP from 127.0.0.2, a
 * socket on 127.0.0.2 receiving the command packets) and the bus client.
 *
 * Covers: properties from the first packet; PropertiesChanged naming
 * exactly the changed values; a command sent byte-exact and answered only
 * when a later packet confirms it; a refused argument answered InvalidArgs
 * with nothing on the wire; the confirmation timeout; Connected=false and
 * Fault after silence, and recovery; a corrupt packet counted and nothing
 * else changed; the alarm Fault; History.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-cryostream.h"
#include "daemon/cryo/cs800-status-builder.h"
#include "daemon/shared/macro.h"
#include "tests/unit/config-test-util.h"
#include "tests/unit/private-bus.h"

#define PATH "/org/stationd1/cryostream/CS0"

struct fixture {
	pid_t bus_pid;
	sd_event *event;
	sd_bus *server, *client;
	struct station *station;
	struct bus_auth *auth;
	struct cryo_service *service;
	struct bus_cryostreams *objects;
	int controller_fd;		/* sends status from, receives commands on */
	struct sockaddr_in status_to;
	struct cs800_status status;	/* what the "controller" reports */
	char changed[64][64];		/* property names of PropertiesChanged */
	size_t n_changed;
	unsigned faults;
	char fault_kind[32];
};

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *x = userdata;
	const char *interface, *name;

	assert_true(sd_bus_message_read(m, "s", &interface) >= 0);
	assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") >= 0);
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		assert_true(sd_bus_message_read(m, "s", &name) >= 0);
		assert_true(sd_bus_message_skip(m, "v") >= 0);
		assert_true(sd_bus_message_exit_container(m) >= 0);
		if (x->n_changed < ELEMENTSOF(x->changed))
			snprintf(x->changed[x->n_changed++], sizeof(x->changed[0]), "%s", name);
	}
	return 0;
}

static int on_fault(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *x = userdata;
	const char *kind, *message;

	assert_true(sd_bus_message_read(m, "ss", &kind, &message) >= 0);
	snprintf(x->fault_kind, sizeof(x->fault_kind), "%s", kind);
	x->faults++;
	return 0;
}

/* Run the daemon's loop and the client for about ms milliseconds. */
static void pump(struct fixture *x, unsigned ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int busy;

		assert_true(sd_event_run(x->event, 1000) >= 0);
		do
			busy = sd_bus_process(x->client, NULL);
		while (busy > 0);
		assert_true(busy >= 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
		    (long)ms)
			return;
	}
}

static void send_status(struct fixture *x)
{
	uint8_t packet[CS800_STATUS_PACKET_SIZE];

	cs800_status_build(&x->status, packet);
	assert_int_equal(sendto(x->controller_fd, packet, sizeof(packet), 0,
				(struct sockaddr *)&x->status_to, sizeof(x->status_to)),
			 (ssize_t)sizeof(packet));
}

/* A command packet waiting on the controller's socket, or false. */
static bool received_command(struct fixture *x, uint8_t out[CS800_COMMAND_PACKET_SIZE])
{
	uint8_t buf[64];
	ssize_t n = recv(x->controller_fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0)
		return false;
	assert_int_equal(n, CS800_COMMAND_PACKET_SIZE);
	memcpy(out, buf, CS800_COMMAND_PACKET_SIZE);
	return true;
}

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	struct sockaddr_in controller = { .sin_family = AF_INET };
	_cleanup_free_ char *text = NULL;
	struct compiled c;
	char address[512];
	socklen_t len = sizeof(controller);
	int port;

	assert_non_null(x);
	if (getuid() != 0) {
		free(x);
		skip();		/* bus-auth lets uid 0 command without polkit */
	}
	x->bus_pid = private_bus_start(address, sizeof(address));
	if (x->bus_pid < 0) {
		free(x);
		skip();		/* no dbus-daemon: `make deps` installs it */
	}

	/* The controller's socket first: its port is the command port. */
	x->controller_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(x->controller_fd >= 0);
	inet_pton(AF_INET, "127.0.0.2", &controller.sin_addr);
	assert_int_equal(bind(x->controller_fd, (struct sockaddr *)&controller,
			      sizeof(controller)), 0);
	assert_int_equal(getsockname(x->controller_fd, (struct sockaddr *)&controller, &len), 0);
	port = 20000 + getpid() % 20000;
	x->status_to = (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	assert_true(asprintf(&text, "%scryostream-link { status-port %d; command-port %u; "
			     "silence-timeout 1s; command-timeout 1s }\n"
			     "cryostream CS0 { number 411; address 127.0.0.2 }\n"
			     "cryostream CS1 { number 369 }\n",
			     BASE_STATION, port, ntohs(controller.sin_port)) > 0);
	compile_string(text, &c);
	assert_int_equal(c.result, 0);
	x->station = TAKE_PTR(c.station);
	compiled_done(&c);

	assert_int_equal(sd_event_new(&x->event), 0);
	x->server = private_bus_connect(address);
	x->client = private_bus_connect(address);
	assert_int_equal(sd_bus_attach_event(x->server, x->event, 0), 0);
	assert_int_equal(bus_auth_new(x->server, "", &x->auth), 0);
	assert_int_equal(cryo_service_new(x->event, x->station, &x->service), 0);
	assert_int_equal(bus_cryostreams_new(x->server, x->auth, x->service, &x->objects), 0);
	assert_true(sd_bus_match_signal(x->client, NULL, NULL, PATH,
					"org.freedesktop.DBus.Properties", "PropertiesChanged",
					on_properties_changed, x) >= 0);
	assert_true(sd_bus_match_signal(x->client, NULL, NULL, PATH, BUS_CRYOSTREAM_INTERFACE,
					"Fault", on_fault, x) >= 0);

	x->status = (struct cs800_status){
		.device_type = 800,
		.controller_number = 411,
		.device_min_temperature_k = 80,
		.device_max_temperature_k = 400,
		.set_point_k = 294,
		.gas_temperature_k = 294,
		.target_temperature_k = 294,
		.run_mode = CS800_RUN_MODE_RUN,
		.phase = CS800_PHASE_HOLD,
		.gas_flow_l_per_min = 5,
	};
	send_status(x);
	pump(x, 100);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	bus_cryostreams_free(x->objects);
	cryo_service_free(x->service);
	bus_auth_free(x->auth);
	sd_bus_flush_close_unref(x->client);
	sd_bus_flush_close_unref(x->server);
	sd_event_unref(x->event);
	station_free(x->station);
	close(x->controller_fd);
	private_bus_stop(x->bus_pid);
	free(x);
	return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	sd_bus_message **reply = userdata;

	*reply = sd_bus_message_ref(m);
	return 0;
}

/* Start a call; the loop must run for it to be answered. */
static sd_bus_slot *call_async_at(struct fixture *x, const char *path, sd_bus_message **reply,
				  const char *interface, const char *member, const char *types,
				  va_list ap)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	sd_bus_slot *slot = NULL;
	const char *daemon;

	assert_int_equal(sd_bus_get_unique_name(x->server, &daemon), 0);
	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, daemon, path, interface,
							member), 0);
	assert_true(sd_bus_message_appendv(m, types, ap) >= 0);
	assert_true(sd_bus_call_async(x->client, &slot, m, on_reply, reply, 10000000) >= 0);
	return slot;
}

static sd_bus_slot *call_async(struct fixture *x, sd_bus_message **reply, const char *interface,
			       const char *member, const char *types, ...)
{
	sd_bus_slot *slot;
	va_list ap;

	va_start(ap, types);
	slot = call_async_at(x, PATH, reply, interface, member, types, ap);
	va_end(ap);
	return slot;
}

static void pump_until_reply(struct fixture *x, sd_bus_message **reply, unsigned max_ms)
{
	for (unsigned waited = 0; !*reply && waited < max_ms; waited += 10)
		pump(x, 10);
	assert_non_null(*reply);
}

static double property_d(struct fixture *x, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	double v;

	slot = call_async(x, &reply, "org.freedesktop.DBus.Properties", "Get", "ss",
			  BUS_CRYOSTREAM_INTERFACE, property);
	pump_until_reply(x, &reply, 2000);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	assert_true(sd_bus_message_read(reply, "v", "d", &v) >= 0);
	return v;
}

static int property_b(struct fixture *x, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	int v;

	slot = call_async(x, &reply, "org.freedesktop.DBus.Properties", "Get", "ss",
			  BUS_CRYOSTREAM_INTERFACE, property);
	pump_until_reply(x, &reply, 2000);
	assert_true(sd_bus_message_read(reply, "v", "b", &v) >= 0);
	return v;
}

static const char *property_s(struct fixture *x, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	static char value[64];
	const char *v;

	slot = call_async(x, &reply, "org.freedesktop.DBus.Properties", "Get", "ss",
			  BUS_CRYOSTREAM_INTERFACE, property);
	pump_until_reply(x, &reply, 2000);
	assert_true(sd_bus_message_read(reply, "v", "s", &v) >= 0);
	snprintf(value, sizeof(value), "%s", v);
	return value;
}

static uint64_t property_t(struct fixture *x, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	uint64_t v;

	slot = call_async(x, &reply, "org.freedesktop.DBus.Properties", "Get", "ss",
			  BUS_CRYOSTREAM_INTERFACE, property);
	pump_until_reply(x, &reply, 2000);
	assert_true(sd_bus_message_read(reply, "v", "t", &v) >= 0);
	return v;
}

static bool changed(const struct fixture *x, const char *name)
{
	for (size_t i = 0; i < x->n_changed; i++)
		if (strcmp(x->changed[i], name) == 0)
			return true;
	return false;
}

/* A call to another object than CS0. */
static sd_bus_slot *call_async_path(struct fixture *x, const char *path, sd_bus_message **reply,
				    const char *interface, const char *member,
				    const char *types, ...)
{
	sd_bus_slot *slot;
	va_list ap;

	va_start(ap, types);
	slot = call_async_at(x, path, reply, interface, member, types, ap);
	va_end(ap);
	return slot;
}

/* A controller that never sent a packet: disconnected, no names. */
static void check_silent_controller(struct fixture *x)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *reply2 = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL, *slot2 = NULL;
	const char *phase;
	int connected;

	slot = call_async_path(x, "/org/stationd1/cryostream/CS1", &reply,
			       "org.freedesktop.DBus.Properties", "Get", "ss",
			       BUS_CRYOSTREAM_INTERFACE, "PhaseName");
	pump_until_reply(x, &reply, 2000);
	assert_true(sd_bus_message_read(reply, "v", "s", &phase) >= 0);
	assert_string_equal(phase, "");
	slot2 = call_async_path(x, "/org/stationd1/cryostream/CS1", &reply2,
				"org.freedesktop.DBus.Properties", "Get", "ss",
				BUS_CRYOSTREAM_INTERFACE, "Connected");
	pump_until_reply(x, &reply2, 2000);
	assert_true(sd_bus_message_read(reply2, "v", "b", &connected) >= 0);
	assert_false(connected);
}

static void test_properties_and_changes(void **state)
{
	struct fixture *x = *state;

	check_silent_controller(x);

	assert_true(property_b(x, "Connected"));
	assert_true(property_d(x, "GasTemperature") == 294.0);
	assert_string_equal(property_s(x, "PhaseName"), "Hold");
	assert_true(property_d(x, "DeviceMaxTemperature") == 400.0);

	/* One value moves: PropertiesChanged names it (and nothing else). */
	x->n_changed = 0;
	x->status.gas_temperature_k = 293.5;
	send_status(x);
	pump(x, 100);
	assert_int_equal(x->n_changed, 1);
	assert_string_equal(x->changed[0], "GasTemperature");
	assert_true(property_d(x, "GasTemperature") == 293.5);

	/* The same packet again: no signal at all. */
	x->n_changed = 0;
	send_status(x);
	pump(x, 100);
	assert_int_equal(x->n_changed, 0);
	assert_int_equal(property_t(x, "PacketsReceived"), 3);
}

static void test_command_answered_on_confirmation(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	static const uint8_t cool_120[] = { 0x00, 0x0E, 0x2E, 0xE0, 0x00, 0x00, 0x1C };
	uint8_t packet[CS800_COMMAND_PACKET_SIZE];

	slot = call_async(x, &reply, BUS_CRYOSTREAM_INTERFACE, "Cool", "d", 120.0);
	pump(x, 200);
	assert_true(received_command(x, packet));
	assert_memory_equal(packet, cool_120, sizeof(cool_120));
	/* Sent, but no packet confirms it yet: the call is still open. */
	assert_null(reply);
	send_status(x);		/* still the old target: not a confirmation */
	pump(x, 100);
	assert_null(reply);

	x->status.target_temperature_k = 120.0;
	x->status.phase = CS800_PHASE_COOL;
	send_status(x);
	pump_until_reply(x, &reply, 500);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
}

static void test_refused_argument_sends_nothing(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *reply2 = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL, *slot2 = NULL;
	uint8_t packet[CS800_COMMAND_PACKET_SIZE];

	slot = call_async(x, &reply, BUS_CRYOSTREAM_INTERFACE, "Cool", "d", 79.99);
	pump_until_reply(x, &reply, 1000);
	assert_true(sd_bus_message_is_method_error(reply, SD_BUS_ERROR_INVALID_ARGS));
	assert_non_null(strstr(sd_bus_message_get_error(reply)->message,
			       "below the device minimum 80.00 K"));
	slot2 = call_async(x, &reply2, BUS_CRYOSTREAM_INTERFACE, "Ramp", "dd", 361.0, 150.0);
	pump_until_reply(x, &reply2, 1000);
	assert_true(sd_bus_message_is_method_error(reply2, SD_BUS_ERROR_INVALID_ARGS));
	pump(x, 100);
	assert_false(received_command(x, packet));
}

static void test_unconfirmed_command_times_out(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	uint8_t packet[CS800_COMMAND_PACKET_SIZE];

	slot = call_async(x, &reply, BUS_CRYOSTREAM_INTERFACE, "Turbo", "b", 1);
	for (int i = 0; i < 6 && !reply; i++) {	/* packets keep coming, turbo stays off */
		send_status(x);
		pump(x, 250);
	}
	pump_until_reply(x, &reply, 1000);
	assert_true(received_command(x, packet));
	assert_int_equal(packet[1], 0x14);
	assert_true(sd_bus_message_is_method_error(reply, BUS_ERROR_TIMEOUT));
	assert_non_null(strstr(sd_bus_message_get_error(reply)->message,
			       "no status packet confirmed turbo on within 1 s"));
}

static void test_silence_and_corruption(void **state)
{
	struct fixture *x = *state;
	uint8_t packet[CS800_STATUS_PACKET_SIZE];

	/* A corrupt packet: counted, nothing else. */
	x->n_changed = 0;
	x->status.gas_temperature_k = 150;
	cs800_status_build(&x->status, packet);
	packet[CS800_STATUS_CHECKSUM_OFFSET] ^= 1;
	assert_int_equal(sendto(x->controller_fd, packet, sizeof(packet), 0,
				(struct sockaddr *)&x->status_to, sizeof(x->status_to)),
			 (ssize_t)sizeof(packet));
	pump(x, 100);
	assert_int_equal(x->n_changed, 0);
	assert_int_equal(property_t(x, "PacketsRejected"), 1);
	assert_int_equal(property_t(x, "PacketsReceived"), 1);
	assert_true(property_d(x, "GasTemperature") == 294.0);

	/* Silence for longer than the 1 s timeout. */
	pump(x, 1300);
	assert_false(property_b(x, "Connected"));
	assert_true(changed(x, "Connected"));
	assert_int_equal(x->faults, 1);
	assert_string_equal(x->fault_kind, "disconnected");

	/* Packets again: connected, and the new value published. */
	x->n_changed = 0;
	send_status(x);
	pump(x, 100);
	assert_true(property_b(x, "Connected"));
	assert_true(changed(x, "Connected"));
	assert_true(changed(x, "GasTemperature"));
	assert_true(property_d(x, "GasTemperature") == 150.0);
}

static void test_alarm_fault_and_history(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	uint64_t t, previous_t = 0;
	double gas, set_point, flow;
	unsigned n = 0;

	x->status.alarm = CS800_ALARM_TEMP_WARNING;
	send_status(x);
	pump(x, 100);
	assert_int_equal(x->faults, 1);
	assert_string_equal(x->fault_kind, "alarm");
	assert_true(changed(x, "Alarm") && changed(x, "AlarmName"));
	send_status(x);		/* the same alarm again: no second Fault */
	x->status.gas_temperature_k = 250;
	send_status(x);
	pump(x, 100);
	assert_int_equal(x->faults, 1);

	/* One sample per valid packet, oldest first: 294, 294, 294, 250. */
	slot = call_async(x, &reply, BUS_CRYOSTREAM_INTERFACE, "History", "u", 60);
	pump_until_reply(x, &reply, 1000);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	assert_true(sd_bus_message_enter_container(reply, 'a', "(tddd)") >= 0);
	while (sd_bus_message_read(reply, "(tddd)", &t, &gas, &set_point, &flow) > 0) {
		assert_true(t >= previous_t);
		previous_t = t;
		assert_true(set_point == 294.0 && flow == 5.0);
		n++;
	}
	assert_int_equal(n, 4);
	assert_true(gas == 250.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_properties_and_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_answered_on_confirmation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused_argument_sends_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unconfirmed_command_times_out, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_silence_and_corruption, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_fault_and_history, setup, teardown),
	};

	return cmocka_run_group_tests_name("cryo-bus", tests, NULL, NULL);
}
