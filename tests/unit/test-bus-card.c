// SPDX-License-Identifier: GPL-2.0
/*
 * The card objects (daemon/bus/bus-card.c) over a real sd-bus
 * peer-to-peer connection, on a fake crate (the card states a test sets):
 * which cards have objects (configured ones always, others while the bus
 * has them), their properties from sysfs and from the configuration
 * (users, channels, spare lines), InterfacesAdded and InterfacesRemoved
 * when a card that is not configured is put in and pulled out, Present
 * false and the object kept for a configured one, PropertiesChanged
 * naming exactly what changed and nothing for a re-read that found no
 * change, object paths that are not cards, and the ADMIN methods'
 * arguments and authorization (nothing runs for a refused caller). Also
 * the card name parser the bus's device names go through.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "daemon/bus/bus-card.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"
#include "tests/unit/config-test-util.h"

#define MAX_SIGNALS 32
#define MAX_CARDS 8

struct received {
	char path[64];
	char member[32];
	char text[256];		/* PropertiesChanged: names; Interfaces*: the object path */
};

struct fake_card {
	char name[CARD_NAME_MAX];
	struct card_state state;
};

struct fixture {
	struct compiled config;
	struct fake_card crate[MAX_CARDS];
	size_t n_cards;
	int list_error;
	unsigned reads;			/* fake_read() calls */
	sd_bus *server, *client;
	sd_bus_slot *object_manager;
	struct bus_auth *auth;
	struct bus_cards *cards;
	struct received signals[MAX_SIGNALS];
	unsigned n_signals;
};

static int fake_list(void *userdata, char ***ret)
{
	struct fixture *x = userdata;
	char **names;
	size_t n = 0;

	if (x->list_error)
		return x->list_error;
	names = calloc(MAX_CARDS + 1, sizeof(*names));
	assert_non_null(names);
	for (size_t i = 0; i < x->n_cards; i++)
		if (x->crate[i].state.present)
			assert_non_null(names[n++] = strdup(x->crate[i].name));
	*ret = names;
	return 0;
}

static int fake_read(void *userdata, const char *name, struct card_state *ret)
{
	struct fixture *x = userdata;

	*ret = (struct card_state){};
	x->reads++;
	for (size_t i = 0; i < x->n_cards; i++)
		if (strcmp(x->crate[i].name, name) == 0)
			*ret = x->crate[i].state;
	return 0;
}

static unsigned admin_calls;	/* the fake's self-tests and conversions */

static int fake_self_test(void *userdata, const char *name, char *result, size_t size)
{
	admin_calls++;
	snprintf(result, size, "pass");
	return 0;
}

static int fake_convert(void *userdata, const char *name, unsigned channel, int32_t *raw,
			int32_t *mv)
{
	admin_calls++;
	*raw = 2048;
	*mv = 0;
	return 0;
}

static const struct bus_card_source fake_source = {
	.list = fake_list, .read = fake_read, .self_test = fake_self_test, .convert = fake_convert,
};

static struct card_state *card(struct fixture *x, const char *name)
{
	for (size_t i = 0; i < x->n_cards; i++)
		if (strcmp(x->crate[i].name, name) == 0)
			return &x->crate[i].state;
	fail_msg("no card %s in the fake crate", name);
	return NULL;
}

/* A card in its slot that passed its power-on test. */
static void put_in(struct fixture *x, const char *name, const char *model, const char *id)
{
	struct fake_card *c = NULL;

	for (size_t i = 0; i < x->n_cards; i++)
		if (strcmp(x->crate[i].name, name) == 0)
			c = &x->crate[i];
	if (!c) {
		assert_true(x->n_cards < MAX_CARDS);
		c = &x->crate[x->n_cards++];
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	c->state = (struct card_state){ .present = true };
	snprintf(c->state.model, sizeof(c->state.model), "%s", model);
	snprintf(c->state.id, sizeof(c->state.id), "%s", id);
	snprintf(c->state.selftest, sizeof(c->state.selftest), "pass");
	snprintf(c->state.led, sizeof(c->state.led), "%s", strcmp(model, "260") ? "green" : "off");
}

static void pull_out(struct fixture *x, const char *name)
{
	*card(x, name) = (struct card_state){};
}

static void pump(struct fixture *x)
{
	int a, b;

	do {
		a = sd_bus_process(x->server, NULL);
		b = sd_bus_process(x->client, NULL);
		assert_true(a >= 0 && b >= 0);
	} while (a > 0 || b > 0);
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fixture *x = userdata;
	struct received *r;

	if (x->n_signals >= MAX_SIGNALS)
		return 0;
	r = &x->signals[x->n_signals++];
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", sd_bus_message_get_path(m));
	snprintf(r->member, sizeof(r->member), "%s", sd_bus_message_get_member(m));
	if (strcmp(r->member, "PropertiesChanged") == 0) {
		const char *interface, *name;

		assert_int_equal(sd_bus_message_read(m, "s", &interface), 1);
		assert_string_equal(interface, BUS_CARD_INTERFACE);
		assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
		while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
			assert_int_equal(sd_bus_message_read(m, "s", &name), 1);
			strcat(r->text, name);
			strcat(r->text, " ");
			assert_true(sd_bus_message_skip(m, "v") >= 0);
			assert_true(sd_bus_message_exit_container(m) >= 0);
		}
	} else if (strcmp(r->member, "InterfacesAdded") == 0 ||
		   strcmp(r->member, "InterfacesRemoved") == 0) {
		const char *object;

		assert_int_equal(sd_bus_message_read(m, "o", &object), 1);
		snprintf(r->text, sizeof(r->text), "%s", object);
	}
	return 0;
}

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	sd_id128_t id;
	int fds[2];

	assert_non_null(x);
	log_set_max_level(LOG_EMERG);
	compile_string(BASE_STATION
		       "detector 2 {\n"
		       "\tmanifold A\n"
		       "\tsensor 0x0c00:1\n"
		       "\tvalve 0x0800:1\n"
		       "\tbias-shutdown 0x0400:port0.1\n"
		       "\treference 1.5V\n"
		       "\tmax-fill 20min\n"
		       "\tclosure-delay 60s\n"
		       "}\n", &x->config);
	for (size_t i = 0; i < x->config.n_lines; i++)
		print_message("%s\n", x->config.lines[i]);
	assert_int_equal(x->config.result, 0);
	put_in(x, "xvme0-0400", "240", "VMEIDXYC240A");
	put_in(x, "xvme0-0800", "260", "VMEIDXYC260A");
	put_in(x, "xvme0-0c00", "560", "VMEIDXYC560A");
	put_in(x, "xvme0-1000", "260", "VMEIDXYC260A");	/* not configured */

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	assert_int_equal(sd_id128_randomize(&id), 0);
	assert_int_equal(sd_bus_new(&x->server), 0);
	assert_int_equal(sd_bus_set_fd(x->server, fds[0], fds[0]), 0);
	assert_int_equal(sd_bus_set_server(x->server, 1, id), 0);
	assert_int_equal(sd_bus_start(x->server), 0);
	assert_int_equal(sd_bus_new(&x->client), 0);
	assert_int_equal(sd_bus_set_fd(x->client, fds[1], fds[1]), 0);
	assert_int_equal(sd_bus_start(x->client), 0);
	assert_int_equal(sd_bus_add_object_manager(x->server, &x->object_manager, "/org/stationd1"), 0);
	assert_int_equal(bus_auth_new(x->server, "", &x->auth), 0);
	assert_int_equal(bus_cards_new(x->server, NULL, x->config.station, x->auth, &fake_source,
				       x, &x->cards), 0);
	assert_true(sd_bus_match_signal(x->client, NULL, NULL, NULL, NULL, NULL, on_signal, x) >= 0);
	pump(x);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	bus_cards_free(x->cards);
	bus_auth_free(x->auth);
	sd_bus_slot_unref(x->object_manager);
	sd_bus_flush_close_unref(x->client);
	sd_bus_flush_close_unref(x->server);
	compiled_done(&x->config);
	free(x);
	return 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	sd_bus_message **reply = userdata;

	*reply = sd_bus_message_ref(m);
	return 0;
}

static sd_bus_message *call(struct fixture *x, sd_bus_message *m)
{
	sd_bus_message *reply = NULL;
	sd_bus_slot *slot = NULL;

	assert_true(sd_bus_call_async(x->client, &slot, m, on_reply, &reply, 0) >= 0);
	for (int i = 0; i < 1000 && !reply; i++)
		pump(x);
	sd_bus_slot_unref(slot);
	assert_non_null(reply);
	return reply;
}

/* Properties.Get of a card: the reply, at the variant (unref it). */
static sd_bus_message *get(struct fixture *x, const char *path, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;

	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, NULL, path,
							"org.freedesktop.DBus.Properties", "Get"), 0);
	assert_true(sd_bus_message_append(m, "ss", BUS_CARD_INTERFACE, property) >= 0);
	return call(x, m);
}

static void assert_get_s(struct fixture *x, const char *path, const char *property,
			 const char *want)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, property);
	const char *s = NULL;

	assert_false(sd_bus_message_is_method_error(reply, NULL));
	assert_int_equal(sd_bus_message_read(reply, "v", "s", &s), 1);
	assert_string_equal(s, want);
}

static void assert_get_b(struct fixture *x, const char *path, const char *property, int want)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, property);
	int b = -1;

	assert_int_equal(sd_bus_message_read(reply, "v", "b", &b), 1);
	assert_int_equal(b, want);
}

static uint64_t get_number(struct fixture *x, const char *path, const char *property,
			   const char *type)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, property);
	uint64_t t = 0;
	uint32_t u = 0;

	if (strcmp(type, "t") == 0) {
		assert_int_equal(sd_bus_message_read(reply, "v", "t", &t), 1);
		return t;
	}
	assert_int_equal(sd_bus_message_read(reply, "v", "u", &u), 1);
	return u;
}

/* An "ao" or "as" property as one space-separated string. */
static void get_list(struct fixture *x, const char *path, const char *property, char *buf,
		     size_t size)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, property);
	const char *contents;
	char type;
	const char *s;

	buf[0] = '\0';
	assert_true(sd_bus_message_peek_type(reply, &type, &contents) > 0);
	assert_true(sd_bus_message_enter_container(reply, 'v', contents) > 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', contents + 1) > 0);
	while (sd_bus_message_read_basic(reply, contents[1], &s) > 0) {
		assert_true(strlen(buf) + strlen(s) + 2 < size);
		strcat(buf, buf[0] ? " " : "");
		strcat(buf, s);
	}
}

/* Channels a(sso) as "line function object;..." */
static void get_channels(struct fixture *x, const char *path, char *buf, size_t size)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, "Channels");
	const char *line, *function, *object;

	buf[0] = '\0';
	assert_true(sd_bus_message_enter_container(reply, 'v', "a(sso)") > 0);
	assert_true(sd_bus_message_enter_container(reply, 'a', "(sso)") > 0);
	while (sd_bus_message_read(reply, "(sso)", &line, &function, &object) > 0) {
		size_t used = strlen(buf);

		snprintf(buf + used, size - used, "%s %s %s;", line, function, object);
	}
}

static bool is_unknown_object(struct fixture *x, const char *path)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, "Name");

	return sd_bus_message_is_method_error(reply, NULL);
}

static void assert_signals(struct fixture *x, const char *want)
{
	char got[1024] = "";

	pump(x);
	for (unsigned i = 0; i < x->n_signals; i++) {
		size_t used = strlen(got);

		snprintf(got + used, sizeof(got) - used, "%s %s %s|", x->signals[i].path,
			 x->signals[i].member, x->signals[i].text);
	}
	assert_string_equal(got, want);
	x->n_signals = 0;
}

#define C0C00 "/org/stationd1/card/0_0c00"
#define C0400 "/org/stationd1/card/0_0400"
#define C1000 "/org/stationd1/card/0_1000"

static void test_objects(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	char paths[512] = "";
	const char *path;

	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, NULL, "/org/stationd1",
							"org.freedesktop.DBus.ObjectManager",
							"GetManagedObjects"), 0);
	reply = call(x, m);
	assert_true(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") > 0);
	while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
		assert_int_equal(sd_bus_message_read(reply, "o", &path), 1);
		strcat(paths, path);
		strcat(paths, " ");
		assert_true(sd_bus_message_skip(reply, "a{sa{sv}}") >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	assert_string_equal(paths, "/org/stationd1/card/0_0400 /org/stationd1/card/0_0800 "
			    "/org/stationd1/card/0_0c00 /org/stationd1/card/0_1000 ");
	/* Nothing was signalled for what was there from the start. */
	assert_signals(x, "");
}

static void test_properties_of_a_configured_card(void **state)
{
	struct fixture *x = *state;
	char buf[1024];

	assert_get_s(x, C0C00, "Name", "xvme0-0c00");
	assert_int_equal(get_number(x, C0C00, "Crate", "u"), 0);
	assert_int_equal(get_number(x, C0C00, "Address", "u"), 0x0c00);
	assert_get_b(x, C0C00, "Configured", 1);
	assert_get_s(x, C0C00, "ConfiguredModel", "XVME-560");
	assert_get_b(x, C0C00, "Present", 1);
	assert_get_s(x, C0C00, "Model", "XVME-560");
	assert_get_s(x, C0C00, "Id", "VMEIDXYC560A");
	assert_get_s(x, C0C00, "SelfTest", "pass");
	assert_get_s(x, C0C00, "Led", "green");
	assert_int_equal(get_number(x, C0C00, "ConversionErrors", "t"), 0);
	get_list(x, C0C00, "Detectors", buf, sizeof(buf));
	assert_string_equal(buf, "/org/stationd1/detector/1 /org/stationd1/detector/2");
	get_list(x, C0C00, "Manifolds", buf, sizeof(buf));
	assert_string_equal(buf, "/org/stationd1/manifold/A");
	get_channels(x, C0C00, buf, sizeof(buf));
	assert_string_equal(buf, "0 sensor /org/stationd1/detector/1;"
			    "1 sensor /org/stationd1/detector/2;"
			    "6 sensor /org/stationd1/manifold/A;");
	get_list(x, C0C00, "SpareChannels", buf, sizeof(buf));
	assert_string_equal(buf, "2 3 4 5 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 "
			    "25 26 27 28 29 30 31");

	/* The TTL card: inputs, the key, and the station's own outputs. */
	get_channels(x, C0400, buf, sizeof(buf));
	assert_string_equal(buf, "port0.0 bias-shutdown /org/stationd1/detector/1;"
			    "port0.1 bias-shutdown /org/stationd1/detector/2;"
			    "port0.6 manual-fill-key /org/stationd1/manifold/A;"
			    "port7.0 dewar-inhibit /org/stationd1/autofill;"
			    "flag0 alarm /org/stationd1/autofill;");
	get_list(x, C0400, "Detectors", buf, sizeof(buf));
	assert_string_equal(buf, "/org/stationd1/detector/1 /org/stationd1/detector/2");
	get_list(x, C0400, "Manifolds", buf, sizeof(buf));
	assert_string_equal(buf, "/org/stationd1/manifold/A");
	assert_get_s(x, C0400, "Led", "green");
}

static void test_properties_of_another_card(void **state)
{
	struct fixture *x = *state;
	char buf[1024];

	assert_get_b(x, C1000, "Configured", 0);
	assert_get_s(x, C1000, "ConfiguredModel", "");
	assert_get_s(x, C1000, "Model", "XVME-260");
	assert_get_s(x, C1000, "Led", "off");
	get_list(x, C1000, "Detectors", buf, sizeof(buf));
	assert_string_equal(buf, "");
	get_channels(x, C1000, buf, sizeof(buf));
	assert_string_equal(buf, "");
	get_list(x, C1000, "SpareChannels", buf, sizeof(buf));
	assert_int_equal(strlen(buf), strlen("0 1 2 3 4 5 6 7 8 9") + 22 * 3);	/* 0..31 */
}

static void test_unconfigured_card_comes_and_goes(void **state)
{
	struct fixture *x = *state;

	pull_out(x, "xvme0-1000");
	bus_cards_device_event(x->cards);
	assert_signals(x, "/org/stationd1 InterfacesRemoved " C1000 "|");
	assert_true(is_unknown_object(x, C1000));

	put_in(x, "xvme0-1000", "240", "VMEIDXYC240A");
	bus_cards_device_event(x->cards);
	assert_signals(x, "/org/stationd1 InterfacesAdded " C1000 "|");
	assert_get_s(x, C1000, "Model", "XVME-240");
	assert_get_b(x, C1000, "Present", 1);
}

static void test_configured_card_stays_absent(void **state)
{
	struct fixture *x = *state;

	pull_out(x, "xvme0-0c00");
	bus_cards_device_event(x->cards);
	/* The model while away is the configured one: no change. */
	assert_signals(x, C0C00 " PropertiesChanged Present Id SelfTest Led |");
	assert_get_b(x, C0C00, "Present", 0);
	assert_get_s(x, C0C00, "Model", "XVME-560");
	assert_get_s(x, C0C00, "SelfTest", "");

	/* Back, and an XVME-240 in its slot: the model says so. */
	put_in(x, "xvme0-0c00", "240", "VMEIDXYC240A");
	bus_cards_device_event(x->cards);
	assert_signals(x, C0C00 " PropertiesChanged Present Id SelfTest Led Model |");
	assert_get_s(x, C0C00, "Model", "XVME-240");
	assert_get_s(x, C0C00, "ConfiguredModel", "XVME-560");
}

static void test_changes_name_what_moved(void **state)
{
	struct fixture *x = *state;

	bus_cards_refresh(x->cards);
	assert_signals(x, "");

	snprintf(card(x, "xvme0-0c00")->led, sizeof(card(x, "xvme0-0c00")->led), "red");
	card(x, "xvme0-0c00")->conversion_timeouts = 3;
	bus_cards_refresh(x->cards);
	assert_signals(x, C0C00 " PropertiesChanged Led ConversionTimeouts |");
	assert_int_equal(get_number(x, C0C00, "ConversionTimeouts", "t"), 3);

	snprintf(card(x, "xvme0-0400")->selftest, sizeof(card(x, "xvme0-0400")->selftest),
		 "fail: ID PROM bus error");
	bus_cards_refresh(x->cards);
	assert_signals(x, C0400 " PropertiesChanged SelfTest |");
	assert_get_s(x, C0400, "SelfTest", "fail: ID PROM bus error");
}

static void test_list_failure_changes_nothing(void **state)
{
	struct fixture *x = *state;

	x->list_error = -EIO;
	assert_int_equal(bus_cards_refresh(x->cards), -EIO);
	assert_signals(x, "");
	assert_get_b(x, C1000, "Present", 1);
	x->list_error = 0;
}

/*
 * On the event loop, a re-read is one card per dispatch of the timer
 * (BUS_CARD_REFRESH_BATCH), so the safety scan, due meanwhile, waits for
 * one card's sysfs reads at most, not for the crate's; the round still
 * sees every change and every card that arrived.
 */
static void test_timer_reads_a_card_per_dispatch(void **state)
{
	struct fixture *x = *state;
	sd_event *event = NULL;
	unsigned dispatches = 0, start;

	assert_int_equal(BUS_CARD_REFRESH_BATCH, 1);
	assert_int_equal(sd_event_new(&event), 0);
	x->cards = bus_cards_free(x->cards);
	assert_int_equal(bus_cards_new(x->server, event, x->config.station, x->auth, &fake_source,
				       x, &x->cards), 0);
	pump(x);
	x->n_signals = 0;

	snprintf(card(x, "xvme0-1000")->led, sizeof(card(x, "xvme0-1000")->led), "red");
	put_in(x, "xvme0-1400", "240", "VMEIDXYC240A");
	bus_cards_device_event(x->cards);
	start = x->reads;
	/* the listing, 4 known cards, the one that arrived */
	while (x->reads - start < 5 && dispatches < 20) {
		unsigned before = x->reads;

		assert_true(sd_event_run(event, 1000000) > 0);
		dispatches++;
		assert_in_range(x->reads - before, 0, BUS_CARD_REFRESH_BATCH);
	}
	assert_int_equal(x->reads - start, 5);
	assert_true(dispatches >= 6);
	assert_signals(x, C1000 " PropertiesChanged Led |"
		       "/org/stationd1 InterfacesAdded /org/stationd1/card/0_1400|");

	/* A device event in the middle of a round: another round after it. */
	bus_cards_device_event(x->cards);
	assert_true(sd_event_run(event, 1000000) > 0);		/* the listing */
	assert_true(sd_event_run(event, 1000000) > 0);		/* 0400 */
	pull_out(x, "xvme0-1400");
	bus_cards_device_event(x->cards);
	for (unsigned i = 0; i < 20 && x->n_signals == 0; i++) {
		assert_true(sd_event_run(event, 1000000) > 0);
		pump(x);
	}
	assert_signals(x, "/org/stationd1 InterfacesRemoved /org/stationd1/card/0_1400|");

	x->cards = bus_cards_free(x->cards);
	sd_event_unref(event);
}

static void test_paths_that_are_not_cards(void **state)
{
	struct fixture *x = *state;

	assert_true(is_unknown_object(x, "/org/stationd1/card/0_0C00"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/0_0c0"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/0_0c000"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/00_0c00"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/1_0c00"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/0_2000"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/xvme0_0c00"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/0_0c00_1"));
	assert_true(is_unknown_object(x, "/org/stationd1/card/_0c00"));
	assert_true(is_unknown_object(x, "/org/stationd1/card"));
}

/* A method call's error name, "" for a reply. */
static void call_error(struct fixture *x, const char *path, const char *member,
		       const char *types, uint32_t channel, char *name, size_t size)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;

	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, NULL, path,
							BUS_CARD_INTERFACE, member), 0);
	if (*types)
		assert_true(sd_bus_message_append(m, types, channel) >= 0);
	reply = call(x, m);
	snprintf(name, size, "%s", sd_bus_message_is_method_error(reply, NULL) ?
		 sd_bus_message_get_error(reply)->name : "");
}

/* The ADMIN methods check their arguments, then ask bus_auth: a caller
 * the peer-to-peer bus cannot identify is refused, and nothing runs. */
static void test_admin_methods_refused(void **state)
{
	struct fixture *x = *state;
	char name[128];

	admin_calls = 0;
	call_error(x, C0C00, "SelfTest", "", 0, name, sizeof(name));
	assert_string_equal(name, "org.freedesktop.DBus.Error.AccessDenied");
	call_error(x, C0C00, "Convert", "u", 3, name, sizeof(name));
	assert_string_equal(name, "org.freedesktop.DBus.Error.AccessDenied");
	call_error(x, C0C00, "Convert", "u", 32, name, sizeof(name));
	assert_string_equal(name, "org.freedesktop.DBus.Error.InvalidArgs");
	call_error(x, C0400, "Convert", "u", 0, name, sizeof(name));
	assert_string_equal(name, "org.freedesktop.DBus.Error.NotSupported");
	assert_int_equal(admin_calls, 0);
}

static void test_card_name_parse(void **state)
{
	uint8_t crate = 9;
	uint16_t address = 9;

	assert_true(card_name_parse("xvme0-0c00", &crate, &address));
	assert_int_equal(crate, 0);
	assert_int_equal(address, 0x0c00);
	assert_true(card_name_parse("xvme255-fc00", &crate, &address));
	assert_int_equal(crate, 255);
	assert_int_equal(address, 0xfc00);
	assert_false(card_name_parse("xvme0", &crate, &address));	/* a crate */
	assert_false(card_name_parse("xvme256-0000", &crate, &address));
	assert_false(card_name_parse("xvme01-0000", &crate, &address));
	assert_false(card_name_parse("xvme1000-0000", &crate, &address));
	assert_false(card_name_parse("xvme-0c00", &crate, &address));
	assert_false(card_name_parse("xvme0-0C00", &crate, &address));
	assert_false(card_name_parse("xvme0-c00", &crate, &address));
	assert_false(card_name_parse("xvme0-0c001", &crate, &address));
	assert_false(card_name_parse("xvme0_0c00", &crate, &address));
	assert_false(card_name_parse("", &crate, &address));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_properties_of_a_configured_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_properties_of_another_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unconfigured_card_comes_and_goes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_card_stays_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_name_what_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_failure_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_reads_a_card_per_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_that_are_not_cards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_methods_refused, setup, teardown),
		cmocka_unit_test(test_card_name_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
