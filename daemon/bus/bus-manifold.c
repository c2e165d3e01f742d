// SPDX-License-Identifier: GPL-2.0
/*
 * The manifold objects (see bus-manifold.h). Values are read from the
 * engine at the moment they are asked for; the published view only
 * decides which names a PropertiesChanged lists. ExhaustVolts is the
 * exception: its value is the published one, republished past a deadband
 * (exhaust-deadband.h), so a Get and the last signal always agree.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bus/bus-manifold.h"
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
	sd_bus *bus;
	struct engine *engine;
	const struct station *station;
	sd_bus_slot *vtable, *enumerator;
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

static int enumerate_manifolds(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
			       sd_bus_error *error)
{
	struct bus_manifolds *d = userdata;
	const struct station *s = d->station;
	char **paths;

	paths = calloc(s->n_manifolds + 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_manifolds; i++) {
		if (asprintf(&paths[i], BUS_MANIFOLD_PREFIX "/%s", s->manifolds[i].name) < 0) {
			paths[i] = NULL;
			for (size_t j = 0; j < i; j++)
				free(paths[j]);
			free(paths);
			return -ENOMEM;
		}
	}
	*nodes = paths;
	return 0;
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
	SD_BUS_PROPERTY("ValveChangedUSec", "t", property_valve_changed, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("OpenDetectorValves", "u", property_open_detector_valves, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("OverfullDetectors", "u", property_overfull_detectors, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Status", "as", property_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("MaxFillUSec", "t", property_max_fill, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ClosureDelayUSec", "t", property_closure_delay, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

int bus_manifolds_new(sd_bus *bus, struct engine *engine, struct bus_manifolds **ret)
{
	struct bus_manifolds *d;
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->bus = sd_bus_ref(bus);
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
	r = sd_bus_add_fallback_vtable(bus, &d->vtable, BUS_MANIFOLD_PREFIX, BUS_MANIFOLD_INTERFACE,
				       manifold_vtable, find_manifold, d);
	if (r >= 0)
		r = sd_bus_add_node_enumerator(bus, &d->enumerator, BUS_MANIFOLD_PREFIX,
					       enumerate_manifolds, d);
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
	sd_bus_slot_unref(d->enumerator);
	sd_bus_slot_unref(d->vtable);
	sd_bus_unref(d->bus);
	free(d->objects);
	free(d);
	return NULL;
}

void bus_manifolds_changed(struct bus_manifolds *d, uint32_t index)
{
	struct manifold_object *o;
	struct engine_manifold_view v;
	const struct engine_manifold_view *p;
	const char *changed[8];
	char path[sizeof(BUS_MANIFOLD_PREFIX "/") + MANIFOLD_NAME_MAX];
	size_t n = 0;
	int r;

	if (index >= d->station->n_manifolds)
		return;
	o = &d->objects[index];
	p = &o->published;
	view_of(o, &v);
	if (exhaust_needs_publish(p->mv_valid, p->mv, v.mv_valid, v.mv)) {
		changed[n++] = "ExhaustVolts";
	} else {
		/* Within the deadband: clients keep the reading they have. */
		v.mv_valid = p->mv_valid;
		v.mv = p->mv;
	}
	if (v.input_open != p->input_open)
		changed[n++] = "InputValveOpen";
	if (v.output_open != p->output_open)
		changed[n++] = "OutputValveOpen";
	if (v.valve_changed_usec != p->valve_changed_usec)
		changed[n++] = "ValveChangedUSec";
	if (v.open_detector_valves != p->open_detector_valves)
		changed[n++] = "OpenDetectorValves";
	if (v.overfull_detectors != p->overfull_detectors)
		changed[n++] = "OverfullDetectors";
	if (v.status != p->status)
		changed[n++] = "Status";
	changed[n] = NULL;
	o->published = v;
	if (n == 0)
		return;
	snprintf(path, sizeof(path), BUS_MANIFOLD_PREFIX "/%s", config_of(o)->name);
	r = sd_bus_emit_properties_changed_strv(d->bus, path, BUS_MANIFOLD_INTERFACE,
						(char **)changed);
	if (r < 0)
		log_error_errno(r, "cannot emit PropertiesChanged for %s", path);
}
