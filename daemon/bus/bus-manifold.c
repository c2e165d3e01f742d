// SPDX-License-Identifier: GPL-2.0
/*
 * The manifold objects (see bus-manifold.h). Values are read from the
 * engine at the moment they are asked for; the published view only
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

struct manifold_object {
	struct bus_manifolds *owner;
	uint32_t index;
	/* As last published; mv and mv_valid are what ExhaustVolts reads. */
	struct engine_manifold_view published;
};

struct bus_manifolds {
	struct engine *engine;
	const struct station *station;
	struct bus_object_tree tree;
	struct manifold_object *objects;	/* by manifold index */
};

/* "/org/stationd1/manifold/A" -> the object of manifold A (exact case). */
static int find_manifold(sd_bus *bus, const char *path, const char *interface, void *userdata,
			 void **found, sd_bus_error *error)
{
	struct bus_manifolds *d = userdata;
	const char *name;

	if (strncmp(path, BUS_MANIFOLD_PREFIX "/", strlen(BUS_MANIFOLD_PREFIX) + 1) != 0)
		return 0;
	name = path + strlen(BUS_MANIFOLD_PREFIX) + 1;
	/* A few hundred at most, sorted A..Z, AA..: a scan is fine. */
	for (size_t i = 0; i < d->station->n_manifolds; i++)
		if (strcmp(d->station->manifolds[i].name, name) == 0) {
			*found = &d->objects[i];
			return 1;
		}
	return 0;
}

static int path_of_manifold(const void *userdata, size_t index, char *path, size_t size)
{
	const struct bus_manifolds *d = userdata;

	return snprintf(path, size, BUS_MANIFOLD_PREFIX "/%s", d->station->manifolds[index].name);
}

static void view_of(const struct manifold_object *o, struct engine_manifold_view *v)
{
	engine_manifold_view(o->owner->engine, o->index, v);
}

static const struct manifold *config_of(const struct manifold_object *o)
{
	return &o->owner->station->manifolds[o->index];
}

#define PROPERTY_GETTER(name)								\
	static int property_##name(sd_bus *bus, const char *path, const char *interface,	\
				   const char *property, sd_bus_message *reply,		\
				   void *userdata, sd_bus_error *error)

PROPERTY_GETTER(name)
{
	return sd_bus_message_append(reply, "s", config_of(userdata)->name);
}

PROPERTY_GETTER(detectors)
{
	const struct manifold_object *o = userdata;
	const struct station *s = o->owner->station;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "u");
	for (size_t i = 0; r >= 0 && i < s->n_detectors; i++)
		if (s->detectors[i].manifold == o->index)
			r = sd_bus_message_append(reply, "u", s->detectors[i].number);
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

PROPERTY_GETTER(exhaust_volts)
{
	const struct engine_manifold_view *p = &((const struct manifold_object *)userdata)->published;

	return sd_bus_message_append(reply, "d", p->mv_valid ? p->mv / 1000.0 : NAN);
}

PROPERTY_GETTER(reference_volts)
{
	return sd_bus_message_append(reply, "d", config_of(userdata)->reference_mv / 1000.0);
}

PROPERTY_GETTER(input_valve_open)
{
	struct engine_manifold_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "b", (int)v.input_open);
}

PROPERTY_GETTER(output_valve_open)
{
	struct engine_manifold_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "b", (int)v.output_open);
}

PROPERTY_GETTER(valve_changed)
{
	struct engine_manifold_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "t", (uint64_t)(v.valve_changed_usec > 0 ?
								v.valve_changed_usec : 0));
}

PROPERTY_GETTER(open_detector_valves)
{
	struct engine_manifold_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "u", v.open_detector_valves);
}

PROPERTY_GETTER(overfull_detectors)
{
	struct engine_manifold_view v;

	view_of(userdata, &v);
	return sd_bus_message_append(reply, "u", v.overfull_detectors);
}

PROPERTY_GETTER(status)
{
	struct engine_manifold_view v;
	int r;

	view_of(userdata, &v);
	r = sd_bus_message_open_container(reply, 'a', "s");
	for (unsigned bit = 0; r >= 0 && bit < MANIFOLD_STATUS_BITS; bit++)
		if (v.status & (1u << bit))
			r = sd_bus_message_append(reply, "s", manifold_status_name(bit));
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

static const sd_bus_vtable manifold_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", property_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Detectors", "au", property_detectors, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ExhaustVolts", "d", property_exhaust_volts, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ReferenceVolts", "d", property_reference_volts, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("InputValveOpen", "b", property_input_valve_open, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("OutputValveOpen", "b", property_output_valve_open, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ValveChangedTimestamp", "t", property_valve_changed, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("OpenDetectorValves", "u", property_open_detector_valves, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("OverfullDetectors", "u", property_overfull_detectors, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Status", "as", property_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("MaxFillUSec", "t", property_max_fill, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ClosureDelayUSec", "t", property_closure_delay, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	/* The name of API version 1, kept one release for scripts. */
	SD_BUS_PROPERTY("ValveChangedUSec", "t", property_valve_changed, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_DEPRECATED),
	SD_BUS_SIGNAL_WITH_NAMES("FillStarted", "ot",
				 SD_BUS_PARAM(detector) SD_BUS_PARAM(timestamp), 0),
	SD_BUS_SIGNAL_WITH_NAMES("FillEnded", "otttsd",
				 SD_BUS_PARAM(detector) SD_BUS_PARAM(start_timestamp)
				 SD_BUS_PARAM(end_timestamp) SD_BUS_PARAM(duration_usec)
				 SD_BUS_PARAM(result) SD_BUS_PARAM(lowest_volts), 0),
	SD_BUS_SIGNAL_WITH_NAMES("Fault", "sos",
				 SD_BUS_PARAM(kind) SD_BUS_PARAM(detector) SD_BUS_PARAM(message), 0),
	SD_BUS_VTABLE_END,
};

int bus_manifolds_new(sd_bus *bus, struct engine *engine, struct bus_manifolds **ret)
{
	struct bus_manifolds *d;
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->engine = engine;
	d->station = engine_station(engine);
	d->objects = calloc(d->station->n_manifolds ? d->station->n_manifolds : 1,
			    sizeof(*d->objects));
	if (!d->objects) {
		bus_manifolds_free(d);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < d->station->n_manifolds; i++) {
		d->objects[i].owner = d;
		d->objects[i].index = i;
		engine_manifold_view(engine, i, &d->objects[i].published);
	}
	r = bus_object_tree_add(&d->tree, bus, BUS_MANIFOLD_PREFIX, BUS_MANIFOLD_INTERFACE,
				manifold_vtable, find_manifold, d, d->station->n_manifolds,
				path_of_manifold, d);
	if (r < 0) {
		bus_manifolds_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

struct bus_manifolds *bus_manifolds_free(struct bus_manifolds *d)
{
	if (!d)
		return NULL;
	bus_object_tree_remove(&d->tree);
	free(d->objects);
	free(d);
	return NULL;
}

void bus_manifolds_changed(struct bus_manifolds *d, uint32_t index)
{
	struct manifold_object *o;
	struct engine_manifold_view v;
	const struct engine_manifold_view *p;
	struct bus_changed c = {};

	if (index >= d->station->n_manifolds)
		return;
	o = &d->objects[index];
	p = &o->published;
	view_of(o, &v);
	if (exhaust_publish_or_keep(p->mv_valid, p->mv, &v.mv_valid, &v.mv))
		bus_changed_add(&c, "ExhaustVolts");
	if (v.input_open != p->input_open)
		bus_changed_add(&c, "InputValveOpen");
	if (v.output_open != p->output_open)
		bus_changed_add(&c, "OutputValveOpen");
	if (v.valve_changed_usec != p->valve_changed_usec) {
		bus_changed_add(&c, "ValveChangedTimestamp");
		bus_changed_add(&c, "ValveChangedUSec");
	}
	if (v.open_detector_valves != p->open_detector_valves)
		bus_changed_add(&c, "OpenDetectorValves");
	if (v.overfull_detectors != p->overfull_detectors)
		bus_changed_add(&c, "OverfullDetectors");
	if (v.status != p->status)
		bus_changed_add(&c, "Status");
	o->published = v;
	bus_object_tree_emit_changed(&d->tree, index, &c);
}

static void emit_failed(int r, const char *what, const char *name)
{
	if (r < 0)
		log_error_errno(r, "cannot emit %s of manifold %s", what, name);
}

/* The detector's object path, "/" (no object) for none. */
static void detector_path(const struct bus_manifolds *d, uint32_t detector, char *path,
			  size_t size)
{
	if (detector < d->station->n_detectors)
		snprintf(path, size, BUS_DETECTOR_PREFIX "/%" PRIu32,
			 d->station->detectors[detector].number);
	else
		snprintf(path, size, "/");
}

void bus_manifolds_fill_started(struct bus_manifolds *d, uint32_t detector, int64_t at_usec)
{
	char path[BUS_OBJECT_PATH_MAX], det[BUS_OBJECT_PATH_MAX];
	uint32_t index;

	if (detector >= d->station->n_detectors)
		return;
	index = d->station->detectors[detector].manifold;
	path_of_manifold(d, index, path, sizeof(path));
	detector_path(d, detector, det, sizeof(det));
	emit_failed(sd_bus_emit_signal(d->tree.bus, path, BUS_MANIFOLD_INTERFACE, "FillStarted",
				       "ot", det, (uint64_t)(at_usec > 0 ? at_usec : 0)),
		    "FillStarted", d->station->manifolds[index].name);
}

void bus_manifolds_fill_ended(struct bus_manifolds *d, uint32_t detector,
			      const struct fill_record *record)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	char path[BUS_OBJECT_PATH_MAX], det[BUS_OBJECT_PATH_MAX];
	uint32_t index;
	int r;

	if (detector >= d->station->n_detectors)
		return;
	index = d->station->detectors[detector].manifold;
	path_of_manifold(d, index, path, sizeof(path));
	detector_path(d, detector, det, sizeof(det));
	r = sd_bus_message_new_signal(d->tree.bus, &m, path, BUS_MANIFOLD_INTERFACE, "FillEnded");
	if (r >= 0)
		r = sd_bus_message_append(m, "o", det);
	if (r >= 0)
		r = bus_append_fill_record(m, record);
	if (r >= 0)
		r = sd_bus_send(d->tree.bus, m, NULL);
	emit_failed(r, "FillEnded", d->station->manifolds[index].name);
}

void bus_manifolds_fault(struct bus_manifolds *d, const struct engine_fault *f)
{
	char path[BUS_OBJECT_PATH_MAX], det[BUS_OBJECT_PATH_MAX];
	uint32_t index = f->manifold;

	/* A detector's fault is its manifold's too, as the journal says. */
	if (index == ENGINE_NO_INDEX && f->detector < d->station->n_detectors)
		index = d->station->detectors[f->detector].manifold;
	if (index >= d->station->n_manifolds)
		return;
	path_of_manifold(d, index, path, sizeof(path));
	detector_path(d, f->detector, det, sizeof(det));
	emit_failed(sd_bus_emit_signal(d->tree.bus, path, BUS_MANIFOLD_INTERFACE, "Fault", "sos",
				       engine_fault_kind_to_string(f->kind), det,
				       f->message ? f->message : ""),
		    "Fault", d->station->manifolds[index].name);
}
