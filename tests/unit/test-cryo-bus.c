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
 * when a later packet confirms it (Received and the effect); the rest of
 * the command set; a refused argument answered InvalidArgs with nothing on
 * the wire; a command the controller counts as missed; the confirmation
 * timeout; Connected=false and Fault after silence, and recovery; a
 * corrupt packet counted and nothing else changed; alarms by the vendor's
 * level (Fault for errors only); History; packets of another size,
 * Parameters, the stale list and the missing counts; a spoofed packet
 * from 127.0.0.4 rejected, counted and reported.
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
	int spoofer_fd;			/* 127.0.0.4: another host, same number */
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

static void send_from(struct fixture *x, int fd, const uint8_t *packet, size_t size)
{
	assert_int_equal(sendto(fd, packet, size, 0, (struct sockaddr *)&x->status_to,
				sizeof(x->status_to)), (ssize_t)size);
}

static void send_status(struct fixture *x)
{
	uint8_t packet[CS800_STATUS_EPICS_PACKET_SIZE];

	cs800_status_build(&x->status, packet);
	send_from(x, x->controller_fd, packet, sizeof(packet));
}

/* A status packet of the given layout (ids of the table from x->status). */
static void send_layout(struct fixture *x, const struct cs800_pair *layout, size_t n)
{
	uint8_t packet[256];
	int size = cs800_status_build_layout(&x->status, layout, n, packet, sizeof(packet));

	assert_true(size > 0);
	send_from(x, x->controller_fd, packet, (size_t)size);
}

/* A command packet waiting on the controller's socket, or false. The
 * controller counts it, as parameter 1072 (Received) shows. */
static bool received_command(struct fixture *x, uint8_t out[CS800_COMMAND_PACKET_SIZE])
{
	uint8_t buf[64];
	ssize_t n = recv(x->controller_fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0)
		return false;
	assert_int_equal(n, CS800_COMMAND_PACKET_SIZE);
	memcpy(out, buf, CS800_COMMAND_PACKET_SIZE);
	x->status.commands_received++;
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
	x->spoofer_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(x->spoofer_fd >= 0);
	{
		struct sockaddr_in spoofer = { .sin_family = AF_INET };

		inet_pton(AF_INET, "127.0.0.4", &spoofer.sin_addr);
		assert_int_equal(bind(x->spoofer_fd, (struct sockaddr *)&spoofer,
				      sizeof(spoofer)), 0);
	}
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
	close(x->spoofer_fd);
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

/* The reply to Properties.Get of one of CS0's properties (the caller
 * unrefs it), positioned at the variant. */
static sd_bus_message *get_property(struct fixture *x, const char *property)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	sd_bus_message *reply = NULL;

	slot = call_async(x, &reply, "org.freedesktop.DBus.Properties", "Get", "ss",
			  BUS_CRYOSTREAM_INTERFACE, property);
	pump_until_reply(x, &reply, 2000);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	return reply;
}

/* A property of a basic type into *value (for "s": a pointer valid until
 * the next call). */
static void property(struct fixture *x, const char *name, const char *type, void *value)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get_property(x, name);
	static char text[64];

	assert_true(sd_bus_message_read(reply, "v", type, value) >= 0);
	if (strcmp(type, "s") == 0) {
		snprintf(text, sizeof(text), "%s", *(const char **)value);
		*(const char **)value = text;
	}
}

static double property_d(struct fixture *x, const char *name)
{
	double v;

	property(x, name, "d", &v);
	return v;
}

static int property_b(struct fixture *x, const char *name)
{
	int v;

	property(x, name, "b", &v);
	return v;
}

static const char *property_s(struct fixture *x, const char *name)
{
	const char *v;

	property(x, name, "s", &v);
	return v;
}

static uint64_t property_t(struct fixture *x, const char *name)
{
	uint64_t v;

	property(x, name, "t", &v);
	return v;
}

static uint16_t property_q(struct fixture *x, const char *name)
{
	uint16_t v;

	property(x, name, "q", &v);
	return v;
}

/* A property of a container type, as busctl would print the parts. */
static bool property_has(struct fixture *x, const char *property, const char *signature,
			 const char *item)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get_property(x, property);
	const char *s;
	bool found = false;

	assert_true(sd_bus_message_enter_container(reply, 'v', signature) >= 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', signature + 1) >= 0);
	while (sd_bus_message_read(reply, "s", &s) > 0)
		found |= strcmp(s, item) == 0;
	return found;
}

/* A{qt} or a{st} entry value, or -1. */
static int64_t property_entry(struct fixture *x, const char *property, const char *signature,
			      const char *key_s, uint16_t key_q)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get_property(x, property);
	char entry[8];
	int64_t found = -1;

	snprintf(entry, sizeof(entry), "%.*s", (int)strlen(signature) - 3, signature + 2);
	assert_true(sd_bus_message_enter_container(reply, 'v', signature) >= 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', signature + 1) >= 0);
	while (sd_bus_message_enter_container(reply, 'e', entry) > 0) {
		uint64_t v;

		if (key_s) {
			const char *k;

			assert_true(sd_bus_message_read(reply, "st", &k, &v) >= 0);
			if (strcmp(k, key_s) == 0)
				found = (int64_t)v;
		} else {
			uint16_t k;

			assert_true(sd_bus_message_read(reply, "qt", &k, &v) >= 0);
			if (k == key_q)
				found = (int64_t)v;
		}
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	return found;
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
	uint8_t packet[CS800_STATUS_EPICS_PACKET_SIZE];

	/* A corrupt packet: counted, nothing else. */
	x->n_changed = 0;
	x->status.gas_temperature_k = 150;
	cs800_status_build(&x->status, packet);
	packet[924] ^= 1;	/* the checksum */
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

	/* A fatal alarm (the controller's level, 2044): a Fault. */
	x->n_changed = 0;
	x->status.alarm = CS800_ALARM_HIGH_TEMP_ERROR;
	x->status.alarm_level = CS800_ALARM_LEVEL_FATAL;
	send_status(x);
	pump(x, 100);
	assert_int_equal(x->faults, 1);
	assert_string_equal(x->fault_kind, "alarm");
	assert_true(changed(x, "Alarm") && changed(x, "AlarmName") && changed(x, "AlarmLevel"));
	assert_string_equal(property_s(x, "AlarmName"), "High temp error");
	assert_string_equal(property_s(x, "AlarmLevelName"), "fatal");
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

/* Call a command and play the controller: take the packet, check its
 * bytes, apply what it asked for (apply may be NULL), and report. */
static sd_bus_message *command(struct fixture *x, const uint8_t want[CS800_COMMAND_PACKET_SIZE],
			       void (*apply)(struct cs800_status *s), const char *member,
			       const char *types, ...)
{
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	sd_bus_message *reply = NULL;
	uint8_t packet[CS800_COMMAND_PACKET_SIZE];
	va_list ap;

	va_start(ap, types);
	slot = call_async_at(x, PATH, &reply, BUS_CRYOSTREAM_INTERFACE, member, types, ap);
	va_end(ap);
	for (int i = 0; i < 50 && !received_command(x, packet) && !reply; i++)
		pump(x, 20);
	if (want) {
		assert_memory_equal(packet, want, CS800_COMMAND_PACKET_SIZE);
		if (apply)
			apply(&x->status);
		send_status(x);
	}
	pump_until_reply(x, &reply, 1500);
	return reply;
}

static void refill_25(struct cs800_status *s)
{
	s->autofill_refill_level_percent = 25.0;
}

static void scheduled(struct cs800_status *s)
{
	s->autofill_mode = CS800_AUTOFILL_SCHEDULED;
}

static void interrupt_10s(struct cs800_status *s)
{
	s->flow_interrupt_time_s = 10.0;
}

static void regenerating(struct cs800_status *s)
{
	s->phase = CS800_PHASE_REGEN;
}

static void ramping_to_150(struct cs800_status *s)
{
	s->phase = CS800_PHASE_RAMP;
	s->ramp_rate_k_per_h = 0;
	s->target_temperature_k = 150.0;
}

/* The rest of the vendor's command set over D-Bus: bytes on the wire,
 * confirmed by what the next packet shows; the shield ones by Received
 * alone; refused arguments answered before anything is sent. */
static void test_rest_of_the_command_set(void **state)
{
	struct fixture *x = *state;
	static const uint8_t refill[] = { 0x00, 0xCB, 0x00, 0x19, 0x00, 0x00, 0xE4 };
	static const uint8_t stop_level[] = { 0x00, 0xCC, 0x00, 0x50, 0x00, 0x00, 0x1C };
	static const uint8_t mode[] = { 0x00, 0xCA, 0x00, 0x02, 0x00, 0x00, 0xCC };
	static const uint8_t interrupt_time[] = { 0x00, 0x78, 0x00, 0x64, 0x00, 0x00, 0xDC };
	static const uint8_t regen[] = { 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x15 };
	static const uint8_t shield[] = { 0x00, 0x7A, 0x00, 0x01, 0x00, 0x00, 0x7B };
	static const uint8_t idle_on[] = { 0x00, 0x7B, 0x00, 0x01, 0x00, 0x00, 0x7C };
	/* 0 K/h (the vendor's minimum) to 150.00 K = 0x3A98 */
	static const uint8_t ramp_0[] = { 0x00, 0x0B, 0x00, 0x00, 0x3A, 0x98, 0xDD };
	struct {
		const char *member, *types;
		const char *message;
	} refused[] = {
		{ "SetAutofillRefillLevel", "q", "autofill refill level 41 % is outside 20-40 %" },
		{ "SetAutofillStopLevel", "q", "autofill stop level 59 % is outside 60-80 %" },
		{ "SetFlowInterruptTime", "q", "flow interrupt time 601 ds is outside 1-600 ds" },
		{ "SetAutofillMode", "s", "autofill mode 'automatic' is not one of manual, auto, scheduled" },
		{ "SetIdleShieldFlowMode", "s", "idle shield flow mode 'On' is not one of off, on, auto" },
	};
	sd_bus_message *reply;
	uint8_t packet[CS800_COMMAND_PACKET_SIZE];

	reply = command(x, refill, refill_25, "SetAutofillRefillLevel", "q", 25);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	assert_true(property_d(x, "AutofillRefillLevel") == 25.0);
	/* Taken (Received moved) but the level did not change: not yet. */
	reply = command(x, stop_level, NULL, "SetAutofillStopLevel", "q", 80);
	assert_true(sd_bus_message_is_method_error(reply, BUS_ERROR_TIMEOUT));
	sd_bus_message_unref(reply);
	reply = command(x, mode, scheduled, "SetAutofillMode", "s", "scheduled");
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	assert_string_equal(property_s(x, "AutofillModeName"), "scheduled");
	reply = command(x, interrupt_time, interrupt_10s, "SetFlowInterruptTime", "q", 100);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	reply = command(x, regen, regenerating, "Regen", "");
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	assert_string_equal(property_s(x, "PhaseName"), "Regen");
	reply = command(x, shield, NULL, "RunShield", "b", 1);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	reply = command(x, idle_on, NULL, "SetIdleShieldFlowMode", "s", "on");
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);
	reply = command(x, ramp_0, ramping_to_150, "Ramp", "dd", 0.0, 150.0);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	sd_bus_message_unref(reply);

	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		if (refused[i].types[0] == 'q')
			reply = command(x, NULL, NULL, refused[i].member, "q",
					strstr(refused[i].message, "41") ? 41 :
					strstr(refused[i].message, "59") ? 59 : 601);
		else
			reply = command(x, NULL, NULL, refused[i].member, "s",
					strstr(refused[i].message, "automatic") ? "automatic" : "On");
		assert_true(sd_bus_message_is_method_error(reply, SD_BUS_ERROR_INVALID_ARGS));
		if (!strstr(sd_bus_message_get_error(reply)->message, refused[i].message))
			fail_msg("%s: \"%s\"", refused[i].member,
				 sd_bus_message_get_error(reply)->message);
		sd_bus_message_unref(reply);
	}
	pump(x, 100);
	assert_false(received_command(x, packet));
}

/* The controller counts a command as missed (1073): the call fails at
 * once, not after the timeout. A shut-down controller does not hold. */
static void test_missed_command(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	uint8_t packet[CS800_COMMAND_PACKET_SIZE];

	x->status.run_mode = CS800_RUN_MODE_SHUTDOWN_OK;
	send_status(x);
	pump(x, 100);

	slot = call_async(x, &reply, BUS_CRYOSTREAM_INTERFACE, "Hold", "");
	for (int i = 0; i < 50 && !received_command(x, packet); i++)
		pump(x, 20);
	x->status.commands_missed++;
	send_status(x);
	pump_until_reply(x, &reply, 500);
	assert_true(sd_bus_message_is_method_error(reply, BUS_ERROR_COMMAND_MISSED));
	assert_non_null(strstr(sd_bus_message_get_error(reply)->message,
			       "the controller counted hold as missed (parameter 1073)"));
}

/* Alarms by the vendor's level: a warning is published with its name and
 * level, without a Fault; the level comes from the table when the packet
 * has no 2044. */
static void test_alarm_levels(void **state)
{
	struct fixture *x = *state;
	const struct cs800_pair no_level[] = { { 1028, 0 }, { 1065, 0 } };

	x->status.alarm = CS800_ALARM_AUTOFILL_FILLING;
	x->status.alarm_level = CS800_ALARM_LEVEL_WARNING;
	send_status(x);
	pump(x, 100);
	assert_string_equal(property_s(x, "AlarmName"), "Autofill filling");
	assert_int_equal(property_q(x, "AlarmLevel"), 2);
	assert_string_equal(property_s(x, "AlarmLevelName"), "warning");
	assert_int_equal(x->faults, 0);

	/* An error-level alarm in a packet without 2044: the table's level,
	 * and a Fault. */
	x->status.alarm = 15;	/* Brownout, level 3 */
	x->status.alarm_level = 0;
	send_layout(x, no_level, ELEMENTSOF(no_level));
	pump(x, 100);
	assert_string_equal(property_s(x, "AlarmName"), "Brownout");
	assert_string_equal(property_s(x, "AlarmLevelName"), "error");
	assert_int_equal(x->faults, 1);
	assert_string_equal(x->fault_kind, "alarm");
	/* Information: no Fault. */
	x->status.alarm = CS800_ALARM_TURBO_FLOW;
	send_layout(x, no_level, ELEMENTSOF(no_level));
	pump(x, 100);
	assert_string_equal(property_s(x, "AlarmName"), "Turbo flow");
	assert_string_equal(property_s(x, "AlarmLevelName"), "information");
	assert_int_equal(x->faults, 1);
	assert_string_equal(property_s(x, "RunModeDescription"), "Running");
}

static unsigned int history_samples(struct fixture *x)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	uint64_t t;
	double gas, set_point, flow;
	unsigned int n = 0;

	slot = call_async(x, &reply, BUS_CRYOSTREAM_INTERFACE, "History", "u", 60);
	pump_until_reply(x, &reply, 1000);
	assert_true(sd_bus_message_enter_container(reply, 'a', "(tddd)") >= 0);
	while (sd_bus_message_read(reply, "(tddd)", &t, &gas, &set_point, &flow) > 0)
		n++;
	return n;
}

/* A packet of another size and set: taken; Parameters returns it as
 * sent; what it lacks keeps its value, is listed stale, and counted. */
static void test_any_size_parameters_and_stale(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	const struct cs800_pair layout[] = { { 1028, 0 }, { 1051, 0 }, { 4711, 7 }, { 1203, 0 },
					     { 9999, 65535 } };
	const struct cs800_pair no_gas[] = { { 1028, 0 }, { 1203, 0 } };
	uint16_t id, value;
	unsigned int n = 0;

	assert_false(property_has(x, "StaleProperties", "as", "EvaporatorTemperature"));
	assert_int_equal(property_q(x, "UnknownParameters"), 230 - 62);
	x->n_changed = 0;
	x->status.gas_temperature_k = 200.0;
	x->status.evaporator_temperature_k = 77.0;	/* not in the packet */
	x->status.ln2_level_percent = 42.5;
	send_layout(x, layout, ELEMENTSOF(layout));
	pump(x, 100);
	assert_int_equal(property_t(x, "PacketsRejected"), 0);
	assert_int_equal(property_t(x, "PacketsReceived"), 2);
	assert_true(property_d(x, "GasTemperature") == 200.0);
	assert_true(property_d(x, "LN2Level") == 42.5);
	assert_true(property_d(x, "EvaporatorTemperature") == 0.0);	/* kept: never sent */
	assert_true(property_has(x, "StaleProperties", "as", "EvaporatorTemperature"));
	assert_true(property_has(x, "StaleProperties", "as", "PhaseName"));
	assert_false(property_has(x, "StaleProperties", "as", "GasTemperature"));
	assert_true(changed(x, "StaleProperties"));
	assert_true(changed(x, "UnknownParameters"));
	assert_false(changed(x, "EvaporatorTemperature"));
	assert_int_equal(property_q(x, "UnknownParameters"), 2);
	assert_int_equal(property_entry(x, "MissingParameters", "a{qt}", NULL, 1057), 1);
	assert_int_equal(property_entry(x, "MissingParameters", "a{qt}", NULL, 1051), -1);
	assert_string_equal(property_s(x, "PhaseName"), "Hold");	/* the last one */

	slot = call_async(x, &reply, BUS_CRYOSTREAM_INTERFACE, "Parameters", "");
	pump_until_reply(x, &reply, 1000);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	assert_true(sd_bus_message_enter_container(reply, 'a', "{qq}") >= 0);
	while (sd_bus_message_read(reply, "{qq}", &id, &value) > 0) {
		assert_int_equal(id, layout[n].id);
		if (id == 4711 || id == 9999)
			assert_int_equal(value, layout[n].value);
		if (id == 1203)
			assert_int_equal(value, 4250);	/* hundredths */
		n++;
	}
	assert_int_equal(n, ELEMENTSOF(layout));
	assert_int_equal(history_samples(x), 2);

	/* A packet without the gas temperature adds no History sample. */
	send_layout(x, no_gas, ELEMENTSOF(no_gas));
	pump(x, 100);
	assert_int_equal(property_t(x, "PacketsReceived"), 3);
	assert_int_equal(history_samples(x), 2);
}

/* Another host sends CS0's number: rejected, counted by reason "source",
 * a Fault; CS0 keeps its values and its command address. */
static void test_spoofed_packet(void **state)
{
	struct fixture *x = *state;
	struct cs800_status real = x->status;
	uint8_t packet[CS800_STATUS_EPICS_PACKET_SIZE];

	x->status.gas_temperature_k = 100.0;
	cs800_status_build(&x->status, packet);
	x->status = real;
	x->n_changed = 0;
	send_from(x, x->spoofer_fd, packet, sizeof(packet));
	pump(x, 100);
	assert_int_equal(x->n_changed, 0);
	assert_true(property_d(x, "GasTemperature") == 294.0);
	assert_int_equal(property_t(x, "PacketsRejected"), 1);
	assert_int_equal(property_entry(x, "PacketsRejectedByReason", "a{st}", "source", 0), 1);
	assert_int_equal(property_t(x, "PacketsReceived"), 1);
	assert_int_equal(x->faults, 1);
	assert_string_equal(x->fault_kind, "source");
	assert_non_null(strstr(property_s(x, "CommandAddress"), "127.0.0.2:"));
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
		cmocka_unit_test_setup_teardown(test_rest_of_the_command_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missed_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_size_parameters_and_stale, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_spoofed_packet, setup, teardown),
	};

	return cmocka_run_group_tests_name("cryo-bus", tests, NULL, NULL);
}
