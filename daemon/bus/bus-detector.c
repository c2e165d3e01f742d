// SPDX-License-Identifier: GPL-2.0
/*
 * The detector objects (see bus-detector.h). Values are read from the
 * engine at the moment they are asked for (Get, GetAll, GetManagedObjects,
 * and the values a PropertiesChanged carries); the published view only
 * decides which names a PropertiesChanged lists. ExhaustVolts is the
 * exception: its value is the published one, republished past a deadband
 * (exhaust-deadband.h), so a Get and the last signal always agree.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bus/bus-detector.h"
#include "daemon/bus/bus-fill-record.h"
#include "daemon/bus/bus-manifold.h"
#include "daemon/bus/bus-object-tree.h"
#include "daemon/bus/exhaust-deadband.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

#define USEC_PER_SEC UINT64_C(1000000)

struct detector_object {
	struct bus_detectors *owner;
	uint32_t index;
	/* As last published; mv and mv_valid are what ExhaustVolts reads. */
	struct engine_detector_view published;
};

struct bus_detectors {
	struct engine *engine;
	const struct station *station;
	struct bus_object_tree tree;
	struct detector_object *objects;	/* by detector index */
};

/* "/org/stationd1/detector/7" -> the object of detector number 7. */
static int find_detector(sd_bus *bus, const char *path, const char *interface, void *userdata,
			 void **found, sd_bus_error *error)
{
	struct bus_detectors *d = userdata;
	const struct station *s = d->station;
	const char *number_text;
	char *end;
	unsigned long number;
	size_t lo = 0, hi = s->n_detectors;

	if (strncmp(path, BUS_DETECTOR_PREFIX "/", strlen(BUS_DETECTOR_PREFIX) + 1) != 0)
		return 0;
	number_text = path + strlen(BUS_DETECTOR_PREFIX) + 1;
	/* Digits only, no leading zero: one path per detector. */
	if (number_text[0] < '1' || number_text[0] > '9')
		return 0;
	errno = 0;
	number = strtoul(number_text, &end, 10);
	if (errno || *end || number > UINT32_MAX)
		return 0;
	/* Detectors are sorted by number. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->detectors[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= s->n_detectors || s->detectors[lo].number != number)
		return 0;
	*found = &d->objects[lo];
	return 1;
}

static int path_of_detector(const void *userdata, size_t index, char *path, size_t size)
{
	const struct bus_detectors *d = userdata;

	return snprintf(path, size, BUS_DETECTOR_PREFIX "/%" PRIu32,
			d->station->detectors[index].number);
}

static void view_of(const struct detector_object *o, struct engine_detector_view *v)
{
	engine_detector_view(o->owner->engine, o->index, v);
}

static const struct detector *config_of(const struct detector_object *o)
{
	return &o->owner->station->detectors[o->index];
}

static double volts_of(bool valid, int32_t mv)
{
	return valid ? mv / 1000.0 : NAN;
}

static uint64_t epoch_s_to_usec(int64_t s)
{
	return s == SCHEDULE_NEVER || s <= 0 ? 0 : (uint64_t)s * USEC_PER_SEC;
}

#define PROPERTY_GETTER(name)								\
	static int property_##name(sd_bus *bus, const char *path, const char *interface,	\
				   const char *property, sd_bus_message *reply,		\
				   void *userdata, sd_bus_error *error)

PROPERTY_GETTER(number)
{
	return sd_bus_message_append(reply, "u", config_of(userdata)->number);
}

PROPERTY_GETTER(manifold)
{
	return sd_bus_message_append(reply, "s", config_of(userdata)->manifold_name);
}

PROPERTY_GETTER(exhaust_volts)
{
	const struct engine_detector_view *p = &((const struct detector_object *)userdata)->published;

	return sd_bus_message_append(reply, "d", volts_of(p->mv_valid, p->mv));
}

PROPERTY_GETTER(reference_volts)
{
	return sd_bus_message_append(reply, "d", config_of(userdata)->reference_mv / 1000.0);
}

PROPERTY_GETTER(valve_open)
{
	struct engine_detector_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "b", (int)v.valve_open);
}

PROPERTY_GETTER(valve_changed)
{
	struct engine_detector_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "t", (uint64_t)(v.valve_changed_usec > 0 ?
								v.valve_changed_usec : 0));
}

PROPERTY_GETTER(next_fill)
{
	struct engine_detector_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "t", epoch_s_to_usec(v.next_fill));
}

PROPERTY_GETTER(delay)
{
	struct engine_detector_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "t", v.delay_s > 0 ? (uint64_t)v.delay_s * USEC_PER_SEC : 0);
}

PROPERTY_GETTER(presets)
{
	struct engine_detector_view v;
	int r;

	view_of(userdata, &v);
	r = sd_bus_message_open_container(reply, 'a', "s");
	for (unsigned i = 0; r >= 0 && i < v.n_presets && i < PRESETS_MAX; i++) {
		char hhmm[6];

		r = sd_bus_message_append(reply, "s", schedule_format_clock_time(v.preset[i], hhmm));
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

PROPERTY_GETTER(status)
{
	struct engine_detector_view v;
	int r;

	view_of(userdata, &v);
	r = sd_bus_message_open_container(reply, 'a', "s");
	for (unsigned bit = 0; r >= 0 && bit < DETECTOR_STATUS_BITS; bit++)
		if (v.status & (1u << bit))
			r = sd_bus_message_append(reply, "s", detector_status_name(bit));
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

PROPERTY_GETTER(max_fill)
{
	return sd_bus_message_append(reply, "t", (uint64_t)config_of(userdata)->max_fill_s * USEC_PER_SEC);
}

PROPERTY_GETTER(closure_delay)
{
	return sd_bus_message_append(reply, "t",
				     (uint64_t)config_of(userdata)->closure_delay_s * USEC_PER_SEC);
}

/* FillHistory(u max) -> a(tttsd): the last max fills (0 = all kept),
 * oldest first, from the history the engine keeps of fills.log. */
static int method_fill_history(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const struct detector_object *o = userdata;
	const struct fill_history *h = engine_fill_history(o->owner->engine, o->index);
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	unsigned first = 0;
	uint32_t max;
	int r;

	r = sd_bus_message_read(m, "u", &max);
	if (r < 0)
		return r;
	if (h && max && h->count > max)
		first = h->count - max;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(tttsd)");
	for (unsigned i = first; r >= 0 && h && i < h->count; i++) {
		r = sd_bus_message_open_container(reply, 'r', "tttsd");
		if (r >= 0)
			r = bus_append_fill_record(reply, fill_history_get(h, i));
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable detector_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Number", "u", property_number, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Manifold", "s", property_manifold, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ExhaustVolts", "d", property_exhaust_volts, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ReferenceVolts", "d", property_reference_volts, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ValveOpen", "b", property_valve_open, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ValveChangedTimestamp", "t", property_valve_changed, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("NextFillTimestamp", "t", property_next_fill, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("DelayUSec", "t", property_delay, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Presets", "as", property_presets, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Status", "as", property_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("MaxFillUSec", "t", property_max_fill, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ClosureDelayUSec", "t", property_closure_delay, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	/* The names of API version 1, kept one release for scripts. */
	SD_BUS_PROPERTY("ValveChangedUSec", "t", property_valve_changed, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_DEPRECATED),
	SD_BUS_PROPERTY("NextFillUSec", "t", property_next_fill, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_DEPRECATED),
	SD_BUS_METHOD_WITH_NAMES("FillHistory", "u", SD_BUS_PARAM(max),
				 "a(tttsd)", SD_BUS_PARAM(fills), method_fill_history,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("FillStarted", "to",
				 SD_BUS_PARAM(timestamp) SD_BUS_PARAM(manifold), 0),
	SD_BUS_SIGNAL_WITH_NAMES("FillEnded", "tttsd",
				 SD_BUS_PARAM(start_timestamp) SD_BUS_PARAM(end_timestamp)
				 SD_BUS_PARAM(duration_usec) SD_BUS_PARAM(result)
				 SD_BUS_PARAM(lowest_volts), 0),
	SD_BUS_SIGNAL_WITH_NAMES("Fault", "sos",
				 SD_BUS_PARAM(kind) SD_BUS_PARAM(manifold) SD_BUS_PARAM(message), 0),
	SD_BUS_VTABLE_END,
};

int bus_detectors_new(sd_bus *bus, struct engine *engine, struct bus_detectors **ret)
{
	struct bus_detectors *d;
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->engine = engine;
	d->station = engine_station(engine);
	d->objects = calloc(d->station->n_detectors ? d->station->n_detectors : 1,
			    sizeof(*d->objects));
	if (!d->objects) {
		bus_detectors_free(d);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < d->station->n_detectors; i++) {
		d->objects[i].owner = d;
		d->objects[i].index = i;
		engine_detector_view(engine, i, &d->objects[i].published);
	}
	r = bus_object_tree_add(&d->tree, bus, BUS_DETECTOR_PREFIX, BUS_DETECTOR_INTERFACE,
				detector_vtable, find_detector, d, d->station->n_detectors,
				path_of_detector, d);
	if (r < 0) {
		bus_detectors_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

struct bus_detectors *bus_detectors_free(struct bus_detectors *d)
{
	if (!d)
		return NULL;
	bus_object_tree_remove(&d->tree);
	free(d->objects);
	free(d);
	return NULL;
}

void bus_detectors_changed(struct bus_detectors *d, uint32_t index)
{
	struct detector_object *o;
	struct engine_detector_view v;
	const struct engine_detector_view *p;
	struct bus_changed c = {};

	if (index >= d->station->n_detectors)
		return;
	o = &d->objects[index];
	p = &o->published;
	view_of(o, &v);
	if (exhaust_publish_or_keep(p->mv_valid, p->mv, &v.mv_valid, &v.mv))
		bus_changed_add(&c, "ExhaustVolts");
	if (v.valve_open != p->valve_open)
		bus_changed_add(&c, "ValveOpen");
	if (v.valve_changed_usec != p->valve_changed_usec) {
		bus_changed_add(&c, "ValveChangedTimestamp");
		bus_changed_add(&c, "ValveChangedUSec");
	}
	if (v.next_fill != p->next_fill) {
		bus_changed_add(&c, "NextFillTimestamp");
		bus_changed_add(&c, "NextFillUSec");
	}
	if (v.delay_s != p->delay_s)
		bus_changed_add(&c, "DelayUSec");
	if (v.n_presets != p->n_presets ||
	    memcmp(v.preset, p->preset, v.n_presets * sizeof(v.preset[0])) != 0)
		bus_changed_add(&c, "Presets");
	if (v.status != p->status)
		bus_changed_add(&c, "Status");
	o->published = v;
	bus_object_tree_emit_changed(&d->tree, index, &c);
}

static void emit_failed(int r, const char *what, uint32_t number)
{
	if (r < 0)
		log_error_errno(r, "cannot emit %s of detector %" PRIu32, what, number);
}

static void detector_path(const struct bus_detectors *d, uint32_t index, char *path, size_t size)
{
	path_of_detector(d, index, path, size);
}

void bus_detectors_fill_started(struct bus_detectors *d, uint32_t index, int64_t at_usec)
{
	char path[BUS_OBJECT_PATH_MAX], manifold[BUS_OBJECT_PATH_MAX];

	if (index >= d->station->n_detectors)
		return;
	detector_path(d, index, path, sizeof(path));
	snprintf(manifold, sizeof(manifold), BUS_MANIFOLD_PREFIX "/%s",
		 d->station->detectors[index].manifold_name);
	emit_failed(sd_bus_emit_signal(d->tree.bus, path, BUS_DETECTOR_INTERFACE, "FillStarted",
				       "to", (uint64_t)(at_usec > 0 ? at_usec : 0), manifold),
		    "FillStarted", d->station->detectors[index].number);
}

void bus_detectors_fill_ended(struct bus_detectors *d, uint32_t index,
			      const struct fill_record *record)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	char path[BUS_OBJECT_PATH_MAX];
	int r;

	if (index >= d->station->n_detectors)
		return;
	detector_path(d, index, path, sizeof(path));
	r = sd_bus_message_new_signal(d->tree.bus, &m, path, BUS_DETECTOR_INTERFACE, "FillEnded");
	if (r >= 0)
		r = bus_append_fill_record(m, record);
	if (r >= 0)
		r = sd_bus_send(d->tree.bus, m, NULL);
	emit_failed(r, "FillEnded", d->station->detectors[index].number);
}

void bus_detectors_fault(struct bus_detectors *d, const struct engine_fault *f)
{
	char path[BUS_OBJECT_PATH_MAX], manifold[BUS_OBJECT_PATH_MAX];
	uint32_t index = f->detector;

	if (index >= d->station->n_detectors)
		return;
	detector_path(d, index, path, sizeof(path));
	snprintf(manifold, sizeof(manifold), BUS_MANIFOLD_PREFIX "/%s",
		 d->station->detectors[index].manifold_name);
	emit_failed(sd_bus_emit_signal(d->tree.bus, path, BUS_DETECTOR_INTERFACE, "Fault", "sos",
				       engine_fault_kind_to_string(f->kind), manifold,
				       f->message ? f->message : ""),
		    "Fault", d->station->detectors[index].number);
}
