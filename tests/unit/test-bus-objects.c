// SPDX-License-Identifier: GPL-2.0
/*
 * The bus objects of the autofill (daemon/bus/bus-detector.c,
 * bus-manifold.c, bus-autofill.c) over a real sd-bus peer-to-peer
 * connection (a socketpair, no bus daemon), on the fake plant's engine:
 * property values and units, object lookup and enumeration,
 * PropertiesChanged naming only what changed (nothing for an unchanged
 * view), ExhaustVolts republished only past its deadband or when its
 * validity changes (Get agreeing with the last signal), the signals'
 * arguments, and a caller the bus cannot identify refused with
 * AccessDenied and no state change.
 */
#include <errno.h>
#include <math.h>
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

#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-autofill.h"
#include "daemon/bus/bus-detector.h"
#include "daemon/bus/bus-manifold.h"
#include "daemon/bus/exhaust-deadband.h"
#include "daemon/shared/macro.h"
#include "tests/unit/engine-fake.h"

#define MAX_SIGNALS 256

struct received {
	char path[64];
	char member[32];
	char changed[256];	/* PropertiesChanged: the names, space separated */
	uint32_t detector;	/* FillStarted, FillEnded, Fault */
	uint64_t t;
	char text[64];		/* FillEnded result, Fault kind */
	char manifold[8];
	char object[64];	/* the other object a per-object signal names */
	double volts;		/* FillEnded lowest; PropertiesChanged ExhaustVolts */
};

struct fixture {
	struct fake_plant *f;
	sd_bus *server, *client;
	sd_bus_slot *object_manager;
	struct bus_auth *auth;
	struct bus_autofill *autofill;
	struct bus_detectors *detectors;
	struct bus_manifolds *manifolds;
	struct received signals[MAX_SIGNALS];
	unsigned n_signals;
};

/* Run both ends until neither has anything left to do. */
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
	const char *member = sd_bus_message_get_member(m);

	if (x->n_signals >= MAX_SIGNALS)
		return 0;
	r = &x->signals[x->n_signals++];
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", sd_bus_message_get_path(m));
	snprintf(r->member, sizeof(r->member), "%s", member);
	if (strcmp(member, "PropertiesChanged") == 0) {
		const char *interface, *name;

		assert_int_equal(sd_bus_message_read(m, "s", &interface), 1);
		assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
		while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
			assert_int_equal(sd_bus_message_read(m, "s", &name), 1);
			strcat(r->changed, name);
			strcat(r->changed, " ");
			if (strcmp(name, "ExhaustVolts") == 0)
				assert_int_equal(sd_bus_message_read(m, "v", "d", &r->volts), 1);
			else
				assert_true(sd_bus_message_skip(m, "v") >= 0);
			assert_true(sd_bus_message_exit_container(m) >= 0);
		}
	} else if (sd_bus_message_has_signature(m, "to")) {	/* Detector.FillStarted */
		const char *o;

		assert_int_equal(sd_bus_message_read(m, "to", &r->t, &o), 1);
		snprintf(r->object, sizeof(r->object), "%s", o);
	} else if (sd_bus_message_has_signature(m, "ot")) {	/* Manifold.FillStarted */
		const char *o;

		assert_int_equal(sd_bus_message_read(m, "ot", &o, &r->t), 1);
		snprintf(r->object, sizeof(r->object), "%s", o);
	} else if (sd_bus_message_has_signature(m, "tttsd") ||
		   sd_bus_message_has_signature(m, "otttsd")) {	/* per-object FillEnded */
		uint64_t start, end;
		const char *o = "", *result;

		if (sd_bus_message_has_signature(m, "otttsd"))
			assert_int_equal(sd_bus_message_read(m, "o", &o), 1);
		assert_int_equal(sd_bus_message_read(m, "tttsd", &start, &end, &r->t, &result,
						     &r->volts), 1);
		snprintf(r->object, sizeof(r->object), "%s", o);
		snprintf(r->text, sizeof(r->text), "%s", result);
	} else if (sd_bus_message_has_signature(m, "sos")) {	/* per-object Fault */
		const char *kind, *o, *message;

		assert_int_equal(sd_bus_message_read(m, "sos", &kind, &o, &message), 1);
		snprintf(r->text, sizeof(r->text), "%s", kind);
		snprintf(r->object, sizeof(r->object), "%s", o);
	} else if (strcmp(member, "FillStarted") == 0) {
		assert_int_equal(sd_bus_message_read(m, "ut", &r->detector, &r->t), 1);
	} else if (strcmp(member, "FillEnded") == 0) {
		uint64_t start, end, duration;
		const char *result;

		assert_int_equal(sd_bus_message_read(m, "utttsd", &r->detector, &start, &end,
						     &duration, &result, &r->volts), 1);
		r->t = duration;
		snprintf(r->text, sizeof(r->text), "%s", result);
	} else if (strcmp(member, "Fault") == 0) {
		const char *kind, *manifold, *message;

		assert_int_equal(sd_bus_message_read(m, "suss", &kind, &r->detector, &manifold,
						     &message), 1);
		snprintf(r->text, sizeof(r->text), "%s", kind);
		snprintf(r->manifold, sizeof(r->manifold), "%s", manifold);
	}
	return 0;
}

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	sd_id128_t id;
	int fds[2];

	assert_non_null(x);
	x->f = fake_new(2, 6, false);
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
	assert_int_equal(bus_autofill_new(x->server, x->f->engine, x->auth, NULL, NULL,
					  &x->autofill), 0);
	assert_int_equal(bus_detectors_new(x->server, x->f->engine, &x->detectors), 0);
	assert_int_equal(bus_manifolds_new(x->server, x->f->engine, &x->manifolds), 0);
	assert_true(sd_bus_match_signal(x->client, NULL, NULL, NULL, NULL, NULL, on_signal, x) >= 0);
	pump(x);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;

	bus_manifolds_free(x->manifolds);
	bus_detectors_free(x->detectors);
	bus_autofill_free(x->autofill);
	bus_auth_free(x->auth);
	sd_bus_slot_unref(x->object_manager);
	sd_bus_flush_close_unref(x->client);
	sd_bus_flush_close_unref(x->server);
	fake_free(x->f);
	free(x);
	return 0;
}

/* What the daemon's engine observer does: tell every object to publish. */
static void publish_all(struct fixture *x)
{
	for (uint32_t d = 0; d < x->f->station->n_detectors; d++)
		bus_detectors_changed(x->detectors, d);
	for (uint32_t m = 0; m < x->f->station->n_manifolds; m++)
		bus_manifolds_changed(x->manifolds, m);
	bus_autofill_global_changed(x->autofill);
	pump(x);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	sd_bus_message **reply = userdata;

	*reply = sd_bus_message_ref(m);
	return 0;
}

/* A method call answered through the pump: the reply or error (unref it). */
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

/* Properties.Get; the reply is positioned at the variant. */
static sd_bus_message *get(struct fixture *x, const char *path, const char *interface,
			   const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;

	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, NULL, path,
							"org.freedesktop.DBus.Properties", "Get"), 0);
	assert_true(sd_bus_message_append(m, "ss", interface, property) >= 0);
	return call(x, m);
}

static uint32_t get_u(struct fixture *x, const char *path, const char *interface, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, interface, property);
	uint32_t v = 0;

	assert_int_equal(sd_bus_message_read(reply, "v", "u", &v), 1);
	return v;
}

static uint64_t get_t(struct fixture *x, const char *path, const char *interface, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, interface, property);
	uint64_t v = 0;

	assert_int_equal(sd_bus_message_read(reply, "v", "t", &v), 1);
	return v;
}

static double get_d(struct fixture *x, const char *path, const char *interface, const char *property)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, interface, property);
	double v = 0;

	assert_int_equal(sd_bus_message_read(reply, "v", "d", &v), 1);
	return v;
}

/* A string or string array property, joined with spaces into buf. */
static const char *get_s(struct fixture *x, const char *path, const char *interface,
			 const char *property, char *buf, size_t size)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = get(x, path, interface, property);
	const char *type, *s;

	buf[0] = 0;
	assert_true(sd_bus_message_peek_type(reply, NULL, &type) > 0);
	assert_true(sd_bus_message_enter_container(reply, 'v', type) > 0);
	if (strcmp(type, "s") == 0) {
		assert_int_equal(sd_bus_message_read(reply, "s", &s), 1);
		snprintf(buf, size, "%s", s);
		return buf;
	}
	assert_string_equal(type, "as");
	assert_true(sd_bus_message_enter_container(reply, 'a', "s") > 0);
	while (sd_bus_message_read(reply, "s", &s) > 0) {
		if (buf[0])
			strncat(buf, " ", size - strlen(buf) - 1);
		strncat(buf, s, size - strlen(buf) - 1);
	}
	return buf;
}

#define DETECTOR "org.stationd1.Detector"
#define MANIFOLD "org.stationd1.Manifold"
#define AUTOFILL "org.stationd1.Autofill"

static void test_detector_properties(void **state)
{
	struct fixture *x = *state;
	char buf[128];

	/* Published after the scan, as the daemon's engine observer does:
	 * ExhaustVolts reads the reading last published. */
	fake_scan(x->f);
	publish_all(x);
	assert_int_equal(get_u(x, "/org/stationd1/detector/7", DETECTOR, "Number"), 7);
	assert_string_equal(get_s(x, "/org/stationd1/detector/7", DETECTOR, "Manifold",
				  buf, sizeof(buf)), "B");
	/* Millivolts in the engine, volts on the bus. */
	assert_true(fabs(get_d(x, "/org/stationd1/detector/7", DETECTOR, "ExhaustVolts") -
			 WARM_MV / 1000.0) < 1e-9);
	assert_true(fabs(get_d(x, "/org/stationd1/detector/7", DETECTOR, "ReferenceVolts") -
			 REFERENCE_MV / 1000.0) < 1e-9);
	assert_int_equal(get_t(x, "/org/stationd1/detector/7", DETECTOR, "MaxFillUSec"),
			 DETECTOR_MAX_FILL_S * UINT64_C(1000000));
	assert_int_equal(get_t(x, "/org/stationd1/detector/7", DETECTOR, "NextFillUSec"), 0);
	assert_string_equal(get_s(x, "/org/stationd1/detector/7", DETECTOR, "Status",
				  buf, sizeof(buf)), "");
	assert_string_equal(get_s(x, "/org/stationd1/manifold/B", MANIFOLD, "Name",
				  buf, sizeof(buf)), "B");
	assert_int_equal(get_u(x, "/org/stationd1/autofill", AUTOFILL, "FillingCount"), 0);
	assert_string_equal(get_s(x, "/org/stationd1/autofill", AUTOFILL, "State",
				  buf, sizeof(buf)), "ok");
	assert_string_equal(get_s(x, "/org/stationd1/autofill", AUTOFILL, "Manifolds",
				  buf, sizeof(buf)), "A B");
}

static void test_presets_as_clock_times(void **state)
{
	struct fixture *x = *state;
	const char *times[] = { "18:30", "06:05" };
	char buf[128], error[256];
	uint64_t next;

	assert_int_equal(engine_preset(x->f->engine, "7", times, 2, "replace", x->f->real_usec,
				       x->f->mono_usec, error, sizeof(error)), 0);
	assert_string_equal(get_s(x, "/org/stationd1/detector/7", DETECTOR, "Presets",
				  buf, sizeof(buf)), "06:05 18:30");
	/* TZ=UTC (the fake plant): the next is 18:30 today, in µs. */
	next = get_t(x, "/org/stationd1/detector/7", DETECTOR, "NextFillUSec");
	assert_int_equal(next % 1000000, 0);
	assert_int_equal((next / 1000000) % 86400, 18 * 3600 + 30 * 60);
	assert_true(next > (uint64_t)x->f->real_usec);
}

static void test_unknown_objects(void **state)
{
	struct fixture *x = *state;
	const char *paths[] = {
		"/org/stationd1/detector/13",	/* not configured */
		"/org/stationd1/detector/07",	/* one path per detector */
		"/org/stationd1/detector/0",
		"/org/stationd1/detector/x",
		"/org/stationd1/manifold/C",
		"/org/stationd1/manifold/a",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply =
			get(x, paths[i], strstr(paths[i], "manifold") ? MANIFOLD : DETECTOR, "Status");

		assert_true(sd_bus_message_is_method_error(reply, NULL));
		assert_string_equal(sd_bus_message_get_error(reply)->name,
				    "org.freedesktop.DBus.Error.UnknownObject");
	}
}

static void test_managed_objects(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	const char *path;
	unsigned detectors = 0, manifolds = 0, autofill = 0;

	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, NULL, "/org/stationd1",
							"org.freedesktop.DBus.ObjectManager",
							"GetManagedObjects"), 0);
	reply = call(x, m);
	assert_true(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}") > 0);
	while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
		assert_int_equal(sd_bus_message_read(reply, "o", &path), 1);
		detectors += strncmp(path, "/org/stationd1/detector/", 24) == 0;
		manifolds += strncmp(path, "/org/stationd1/manifold/", 24) == 0;
		autofill += strcmp(path, "/org/stationd1/autofill") == 0;
		assert_true(sd_bus_message_skip(reply, "a{sa{sv}}") >= 0);
		assert_true(sd_bus_message_exit_container(reply) >= 0);
	}
	assert_int_equal(detectors, 12);
	assert_int_equal(manifolds, 2);
	assert_int_equal(autofill, 1);
}

static const struct received *find_signal(const struct fixture *x, const char *path,
					  const char *member)
{
	for (unsigned i = 0; i < x->n_signals; i++)
		if (strcmp(x->signals[i].path, path) == 0 && strcmp(x->signals[i].member, member) == 0)
			return &x->signals[i];
	return NULL;
}

static void test_properties_changed_names_only_changes(void **state)
{
	struct fixture *x = *state;
	const struct received *r;
	char error[256];

	fake_scan(x->f);
	publish_all(x);
	x->n_signals = 0;
	/* Nothing changed: nothing is emitted, however often asked. */
	fake_scan(x->f);
	publish_all(x);
	publish_all(x);
	assert_int_equal(x->n_signals, 0);

	assert_int_equal(engine_avoid(x->f->engine, "3", x->f->real_usec, x->f->mono_usec,
				      error, sizeof(error)), 0);
	publish_all(x);
	assert_int_equal(x->n_signals, 1);
	r = find_signal(x, "/org/stationd1/detector/3", "PropertiesChanged");
	assert_non_null(r);
	assert_string_equal(r->changed, "Status ");
}

/* The PropertiesChanged signals of `path` since the last reset. */
static unsigned count_signals(const struct fixture *x, const char *path)
{
	unsigned n = 0;

	for (unsigned i = 0; i < x->n_signals; i++)
		n += strcmp(x->signals[i].path, path) == 0 &&
		     strcmp(x->signals[i].member, "PropertiesChanged") == 0;
	return n;
}

/* Detector 7 (index 6) reads `mv` at the next scan; the scan is published. */
static void detector_7_reads(struct fixture *x, int32_t mv)
{
	x->f->sensor_stuck_mv[6] = mv;
	x->n_signals = 0;
	fake_scan(x->f);
	publish_all(x);
}

static void test_exhaust_noise_not_published(void **state)
{
	struct fixture *x = *state;
	const char *d7 = "/org/stationd1/detector/7";
	struct engine_detector_view v;

	fake_scan(x->f);
	publish_all(x);
	assert_true(fabs(get_d(x, d7, DETECTOR, "ExhaustVolts") - WARM_MV / 1000.0) < 1e-9);
	/* Noise up and down, always less than a step from what was published. */
	for (int32_t noise = -(EXHAUST_PUBLISH_STEP_MV - 1); noise < EXHAUST_PUBLISH_STEP_MV;
	     noise += 6) {
		detector_7_reads(x, WARM_MV + noise);
		assert_int_equal(count_signals(x, d7), 0);
		/* The engine has the raw reading; the bus keeps the published one. */
		engine_detector_view(x->f->engine, 6, &v);
		assert_true(v.mv_valid);
		assert_int_equal(v.mv, WARM_MV + noise);
		assert_true(fabs(get_d(x, d7, DETECTOR, "ExhaustVolts") - WARM_MV / 1000.0) < 1e-9);
	}
}

static void test_exhaust_step_published_once(void **state)
{
	struct fixture *x = *state;
	const char *d7 = "/org/stationd1/detector/7";
	const struct received *r;

	fake_scan(x->f);
	publish_all(x);
	/* A step: one signal, carrying the new reading, and Get agrees. */
	detector_7_reads(x, WARM_MV + EXHAUST_PUBLISH_STEP_MV);
	assert_int_equal(x->n_signals, 1);
	r = find_signal(x, d7, "PropertiesChanged");
	assert_non_null(r);
	assert_string_equal(r->changed, "ExhaustVolts ");
	assert_true(fabs(r->volts - (WARM_MV + EXHAUST_PUBLISH_STEP_MV) / 1000.0) < 1e-9);
	assert_true(fabs(get_d(x, d7, DETECTOR, "ExhaustVolts") - r->volts) < 1e-9);
	/* The same reading again, and back to within a step of it: nothing. */
	detector_7_reads(x, WARM_MV + EXHAUST_PUBLISH_STEP_MV);
	assert_int_equal(x->n_signals, 0);
	detector_7_reads(x, WARM_MV + 1);
	assert_int_equal(x->n_signals, 0);
	assert_true(fabs(get_d(x, d7, DETECTOR, "ExhaustVolts") -
			 (WARM_MV + EXHAUST_PUBLISH_STEP_MV) / 1000.0) < 1e-9);
	/* Measured from the published reading, not the previous one. */
	detector_7_reads(x, WARM_MV);
	assert_int_equal(count_signals(x, d7), 1);
	assert_true(fabs(x->signals[0].volts - WARM_MV / 1000.0) < 1e-9);
	/* A fall to LN2 in one scan is one signal with the cold reading. */
	detector_7_reads(x, COLD_MV);
	assert_int_equal(count_signals(x, d7), 1);
	assert_true(fabs(x->signals[0].volts - COLD_MV / 1000.0) < 1e-9);
	assert_true(fabs(get_d(x, d7, DETECTOR, "ExhaustVolts") - COLD_MV / 1000.0) < 1e-9);
}

static void test_exhaust_validity_published(void **state)
{
	struct fixture *x = *state;
	const char *d7 = "/org/stationd1/detector/7";
	const struct received *r;

	fake_scan(x->f);
	publish_all(x);
	/* Unreadable: NaN at once, whatever the deadband. */
	x->f->sensor_dead[6] = true;
	detector_7_reads(x, WARM_MV);
	r = find_signal(x, d7, "PropertiesChanged");
	assert_non_null(r);
	assert_non_null(strstr(r->changed, "ExhaustVolts "));
	assert_true(isnan(r->volts));
	assert_true(isnan(get_d(x, d7, DETECTOR, "ExhaustVolts")));
	/* Readable again at the very reading it had: published at once. */
	x->f->sensor_dead[6] = false;
	detector_7_reads(x, WARM_MV);
	r = find_signal(x, d7, "PropertiesChanged");
	assert_non_null(r);
	assert_non_null(strstr(r->changed, "ExhaustVolts "));
	assert_true(fabs(r->volts - WARM_MV / 1000.0) < 1e-9);
	assert_true(fabs(get_d(x, d7, DETECTOR, "ExhaustVolts") - WARM_MV / 1000.0) < 1e-9);
}

/*
 * The manifold's sensor falls 10 mV a scan while it purges (the fake
 * plant): a signal every other scan, each a step from the one before,
 * and Get always the last signal's value. Unreadable: NaN at once.
 */
static void test_manifold_exhaust_deadband(void **state)
{
	struct fixture *x = *state;
	const char *a = "/org/stationd1/manifold/A";
	struct engine_manifold_view v;
	double last;
	unsigned signals = 0, scans = 0;
	char error[256];

	x->f->purge_ticks = 20;	/* 2 V down to 1.8 V, then cold */
	fake_scan(x->f);
	publish_all(x);
	last = get_d(x, a, MANIFOLD, "ExhaustVolts");
	assert_true(fabs(last - WARM_MV / 1000.0) < 1e-9);
	assert_int_equal(engine_fill(x->f->engine, "A", "", x->f->real_usec, x->f->mono_usec,
				     error, sizeof(error)), 0);
	while (scans < 12) {
		x->n_signals = 0;
		fake_scan(x->f);
		publish_all(x);
		scans++;
		for (unsigned i = 0; i < x->n_signals; i++) {
			const struct received *r = &x->signals[i];

			if (strcmp(r->path, a) != 0 || !strstr(r->changed, "ExhaustVolts "))
				continue;
			assert_true(fabs(r->volts - last) >= EXHAUST_PUBLISH_STEP_MV / 1000.0 - 1e-9);
			last = r->volts;
			signals++;
		}
		assert_true(fabs(get_d(x, a, MANIFOLD, "ExhaustVolts") - last) < 1e-9);
	}
	/* One signal per whole step the raw reading fell, nothing for the rest. */
	engine_manifold_view(x->f->engine, 0, &v);
	assert_true(v.mv_valid && v.mv <= WARM_MV - 4 * EXHAUST_PUBLISH_STEP_MV);
	assert_int_equal(signals, (WARM_MV - v.mv) / EXHAUST_PUBLISH_STEP_MV);

	x->f->manifold_sensor_dead[0] = true;
	x->n_signals = 0;
	fake_scan(x->f);
	publish_all(x);
	assert_true(isnan(get_d(x, a, MANIFOLD, "ExhaustVolts")));
	assert_true(count_signals(x, a) >= 1);
	assert_true(isnan(find_signal(x, a, "PropertiesChanged")->volts));
}

static void test_fill_emits_changes_and_signals(void **state)
{
	struct fixture *x = *state;
	char error[256];
	bool valve_seen = false, volts_seen = false, input_seen = false, count_seen = false;

	fake_scan(x->f);
	publish_all(x);
	x->n_signals = 0;
	assert_int_equal(engine_fill(x->f->engine, "1", "", x->f->real_usec, x->f->mono_usec,
				     error, sizeof(error)), 0);
	for (int i = 0; i < 30; i++) {
		fake_scan(x->f);
		publish_all(x);
	}
	for (unsigned i = 0; i < x->n_signals; i++) {
		const struct received *r = &x->signals[i];

		if (strcmp(r->path, "/org/stationd1/detector/1") == 0) {
			valve_seen |= strstr(r->changed, "ValveOpen ") != NULL;
			volts_seen |= strstr(r->changed, "ExhaustVolts ") != NULL;
		}
		if (strcmp(r->path, "/org/stationd1/manifold/A") == 0)
			input_seen |= strstr(r->changed, "InputValveOpen ") != NULL;
		if (strcmp(r->path, "/org/stationd1/autofill") == 0)
			count_seen |= strstr(r->changed, "FillingCount ") != NULL;
		/* Detectors that did not fill publish nothing. */
		assert_null(strstr(r->path, "/detector/7"));
	}
	assert_true(valve_seen);
	assert_true(volts_seen);
	assert_true(input_seen);
	assert_true(count_seen);
}

static void test_signals_carry_numbers_and_names(void **state)
{
	struct fixture *x = *state;
	struct fill_record rec = {
		.start_usec = 1000000, .end_usec = 4000000, .duration_usec = 3000000,
		.result = FILL_RESULT_UNDERFULL, .lowest_mv = FILL_LOWEST_NONE,
	};
	struct engine_fault fault = {
		.kind = ENGINE_FAULT_OVERFULL, .detector = 8, .manifold = ENGINE_NO_INDEX,
		.message = "detector 9: overfull",
	};
	const struct received *r;

	x->n_signals = 0;
	bus_autofill_fill_started(x->autofill, 6, 123456789);	/* index 6 = detector 7 */
	bus_autofill_fill_ended(x->autofill, 6, &rec);
	bus_autofill_fault(x->autofill, &fault);
	pump(x);
	r = find_signal(x, "/org/stationd1/autofill", "FillStarted");
	assert_non_null(r);
	assert_int_equal(r->detector, 7);
	assert_int_equal(r->t, 123456789);
	r = find_signal(x, "/org/stationd1/autofill", "FillEnded");
	assert_non_null(r);
	assert_int_equal(r->detector, 7);
	assert_int_equal(r->t, 3000000);
	assert_string_equal(r->text, "underfull");
	assert_true(isnan(r->volts));	/* no reading during the fill */
	r = find_signal(x, "/org/stationd1/autofill", "Fault");
	assert_non_null(r);
	assert_int_equal(r->detector, 9);
	assert_string_equal(r->text, "overfull");
	assert_string_equal(r->manifold, "B");	/* the detector's manifold */
}

/* A client watching one detector or manifold sees its fills and faults,
 * with the object paths of the other. */
static void test_per_object_signals(void **state)
{
	struct fixture *x = *state;
	struct fill_record rec = {
		.start_usec = 1000000, .end_usec = 4000000, .duration_usec = 3000000,
		.result = FILL_RESULT_FULL, .lowest_mv = 450,
	};
	struct engine_fault fault = {
		.kind = ENGINE_FAULT_UNDERFULL, .detector = 6, .manifold = ENGINE_NO_INDEX,
		.message = "detector 7: underfull",
	};
	const struct received *r;

	x->n_signals = 0;
	bus_detectors_fill_started(x->detectors, 6, 123456789);
	bus_manifolds_fill_started(x->manifolds, 6, 123456789);
	bus_detectors_fill_ended(x->detectors, 6, &rec);
	bus_manifolds_fill_ended(x->manifolds, 6, &rec);
	bus_detectors_fault(x->detectors, &fault);
	bus_manifolds_fault(x->manifolds, &fault);
	pump(x);
	r = find_signal(x, "/org/stationd1/detector/7", "FillStarted");
	assert_non_null(r);
	assert_int_equal(r->t, 123456789);
	assert_string_equal(r->object, "/org/stationd1/manifold/B");
	r = find_signal(x, "/org/stationd1/manifold/B", "FillStarted");
	assert_non_null(r);
	assert_string_equal(r->object, "/org/stationd1/detector/7");
	r = find_signal(x, "/org/stationd1/detector/7", "FillEnded");
	assert_non_null(r);
	assert_int_equal(r->t, 3000000);
	assert_string_equal(r->text, "full");
	assert_true(fabs(r->volts - 0.45) < 1e-9);
	r = find_signal(x, "/org/stationd1/manifold/B", "FillEnded");
	assert_non_null(r);
	assert_string_equal(r->object, "/org/stationd1/detector/7");
	r = find_signal(x, "/org/stationd1/detector/7", "Fault");
	assert_non_null(r);
	assert_string_equal(r->text, "underfull");
	assert_string_equal(r->object, "/org/stationd1/manifold/B");
	r = find_signal(x, "/org/stationd1/manifold/B", "Fault");
	assert_non_null(r);
	assert_string_equal(r->object, "/org/stationd1/detector/7");
	/* Nothing on the neighbours. */
	assert_null(find_signal(x, "/org/stationd1/detector/8", "FillStarted"));
	assert_null(find_signal(x, "/org/stationd1/manifold/A", "Fault"));
}

/* FillHistory of a detector after fills, and of the autofill since a time. */
static void test_fill_history(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *all = NULL, *all_reply = NULL;
	char error[256];
	uint64_t start, end, duration, first_start = 0;
	const char *result, *path;
	double lowest;
	unsigned n = 0;

	for (int fill = 0; fill < 3; fill++) {
		assert_int_equal(engine_fill(x->f->engine, "2", "", x->f->real_usec,
					     x->f->mono_usec, error, sizeof(error)), 0);
		for (int i = 0; i < 40; i++)
			fake_scan(x->f);
	}
	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, NULL,
							"/org/stationd1/detector/2", DETECTOR,
							"FillHistory"), 0);
	assert_true(sd_bus_message_append(m, "u", 2) >= 0);
	reply = call(x, m);
	assert_false(sd_bus_message_is_method_error(reply, NULL));
	assert_true(sd_bus_message_enter_container(reply, 'a', "(tttsd)") > 0);
	while (sd_bus_message_read(reply, "(tttsd)", &start, &end, &duration, &result, &lowest) > 0) {
		assert_string_equal(result, "full");
		assert_true(end > start && duration > 0);
		if (!n)
			first_start = start;
		n++;
	}
	assert_int_equal(n, 2);		/* the last 2 of 3 */
	assert_int_equal(sd_bus_message_new_method_call(x->client, &all, NULL,
							"/org/stationd1/autofill", AUTOFILL,
							"FillHistory"), 0);
	assert_true(sd_bus_message_append(all, "t", first_start) >= 0);
	all_reply = call(x, all);
	assert_false(sd_bus_message_is_method_error(all_reply, NULL));
	assert_true(sd_bus_message_enter_container(all_reply, 'a', "(otttsd)") > 0);
	n = 0;
	while (sd_bus_message_read(all_reply, "(otttsd)", &path, &start, &end, &duration, &result,
				   &lowest) > 0) {
		assert_string_equal(path, "/org/stationd1/detector/2");
		assert_true(start >= first_start);
		n++;
	}
	assert_int_equal(n, 2);
}

static void test_unidentified_caller_refused(void **state)
{
	struct fixture *x = *state;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	char buf[128];

	/* A peer-to-peer caller has no unique name the bus vouches for. */
	assert_int_equal(sd_bus_message_new_method_call(x->client, &m, NULL, "/org/stationd1/autofill",
							AUTOFILL, "Preset"), 0);
	assert_true(sd_bus_message_append(m, "sass", "7", 1, "12:00", "replace") >= 0);
	reply = call(x, m);
	assert_true(sd_bus_message_is_method_error(reply, "org.freedesktop.DBus.Error.AccessDenied"));
	assert_string_equal(get_s(x, "/org/stationd1/detector/7", DETECTOR, "Presets",
				  buf, sizeof(buf)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_detector_properties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_presets_as_clock_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_managed_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_object_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_properties_changed_names_only_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_noise_not_published, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_step_published_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_validity_published, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifold_exhaust_deadband, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_emits_changes_and_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_carry_numbers_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unidentified_caller_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
