// SPDX-License-Identifier: GPL-2.0
/*
 * The station read from the bus (see station-model.h): one
 * GetManagedObjects (and the Manager's own GetAll, which it does not
 * list), each interface's properties mapped onto its struct
 * by name and type, as systemd's bus_map_all_properties() does. A
 * property a newer daemon adds is skipped; one this client expects but
 * an older daemon lacks keeps its zero value.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/clients/station-model.h"
#include "daemon/shared/macro.h"

/* A property's type and where its value goes in the struct. */
struct property_map {
	const char *name;
	const char *signature;	/* "s", "u", "t", "d", "b", "as", "au", "o", "ao", "a(sso)",
				 * "(us)", CCD_FORMAT_SIGNATURE */
	size_t offset;
	size_t count_offset;	/* "au", "a(sso)": where the element count goes;
				 * "(us)": where the name goes (the code at offset) */
};

#define CCD_FORMAT_SIGNATURE "(uub(buuuu)(buuuu))"
#define P(name, sig, type, field) { name, sig, offsetof(type, field), 0 }

static const struct property_map detector_map[] = {
	P("Number", "u", struct model_detector, number),
	P("Manifold", "s", struct model_detector, manifold),
	P("ExhaustVolts", "d", struct model_detector, exhaust_volts),
	P("ReferenceVolts", "d", struct model_detector, reference_volts),
	P("ValveOpen", "b", struct model_detector, valve_open),
	P("ValveChangedTimestamp", "t", struct model_detector, valve_changed_timestamp),
	P("NextFillTimestamp", "t", struct model_detector, next_fill_timestamp),
	P("DelayUSec", "t", struct model_detector, delay_usec),
	P("MaxFillUSec", "t", struct model_detector, max_fill_usec),
	P("ClosureDelayUSec", "t", struct model_detector, closure_delay_usec),
	P("Presets", "as", struct model_detector, presets),
	P("Status", "as", struct model_detector, status),
	{}
};

static const struct property_map manifold_map[] = {
	P("Name", "s", struct model_manifold, name),
	{ "Detectors", "au", offsetof(struct model_manifold, detectors),
	  offsetof(struct model_manifold, n_detectors) },
	P("ExhaustVolts", "d", struct model_manifold, exhaust_volts),
	P("ReferenceVolts", "d", struct model_manifold, reference_volts),
	P("InputValveOpen", "b", struct model_manifold, input_valve_open),
	P("OutputValveOpen", "b", struct model_manifold, output_valve_open),
	P("ValveChangedTimestamp", "t", struct model_manifold, valve_changed_timestamp),
	P("OpenDetectorValves", "u", struct model_manifold, open_detector_valves),
	P("OverfullDetectors", "u", struct model_manifold, overfull_detectors),
	P("Status", "as", struct model_manifold, status),
	P("MaxFillUSec", "t", struct model_manifold, max_fill_usec),
	P("ClosureDelayUSec", "t", struct model_manifold, closure_delay_usec),
	{}
};

static const struct property_map autofill_map[] = {
	P("State", "s", struct station_model, state),
	P("FillingCount", "u", struct station_model, filling_count),
	P("Alarm", "b", struct station_model, alarm),
	P("Inhibited", "b", struct station_model, inhibited),
	{}
};

static const struct property_map manager_map[] = {
	P("Version", "s", struct station_model, version),
	{}
};

static const struct property_map cryostream_map[] = {
	P("Name", "s", struct model_cryostream, name),
	P("Connected", "b", struct model_cryostream, connected),
	P("SetPoint", "d", struct model_cryostream, set_point),
	P("GasTemperature", "d", struct model_cryostream, gas_temperature),
	P("TargetTemperature", "d", struct model_cryostream, target_temperature),
	P("RunModeName", "s", struct model_cryostream, run_mode),
	P("PhaseName", "s", struct model_cryostream, phase),
	P("AlarmName", "s", struct model_cryostream, alarm),
	{}
};

static const struct property_map ccd_map[] = {
	P("Name", "s", struct model_ccd, name),
	P("Initialized", "b", struct model_ccd, initialized),
	P("Profile", "s", struct model_ccd, profile),
	P("Link", "s", struct model_ccd, link),
	P("Format", CCD_FORMAT_SIGNATURE, struct model_ccd, format),
	P("ReadoutSpeed", "s", struct model_ccd, readout_speed),
	P("ClearSpeed", "s", struct model_ccd, clear_speed),
	P("Preflash", "u", struct model_ccd, preflash_ms),
	P("ExposureTime", "u", struct model_ccd, exposure_ms),
	{ "Phase", "(us)", offsetof(struct model_ccd, phase),
	  offsetof(struct model_ccd, phase_name) },
	P("ElapsedTime", "u", struct model_ccd, elapsed_ms),
	P("Shutter", "s", struct model_ccd, shutter),
	P("ShutterOk", "b", struct model_ccd, shutter_ok),
	P("RunNumber", "u", struct model_ccd, run_number),
	P("RunType", "s", struct model_ccd, run_type),
	P("Title", "s", struct model_ccd, title),
	P("LastSync", "t", struct model_ccd, last_sync_timestamp),
	P("LastFile", "s", struct model_ccd, last_file),
	P("ShortMsg", "t", struct model_ccd, short_msg),
	P("LongMsg", "t", struct model_ccd, long_msg),
	P("Resend", "t", struct model_ccd, resend),
	P("Duplicates", "t", struct model_ccd, duplicates),
	P("Nacks", "t", struct model_ccd, nacks),
	P("UnknownMnemonics", "t", struct model_ccd, unknown_mnemonics),
	P("Retransmissions", "t", struct model_ccd, retransmissions),
	P("TimeRequests", "t", struct model_ccd, time_requests),
	P("RejectedFrames", "t", struct model_ccd, rejected_frames),
	{}
};

static const struct property_map card_map[] = {
	P("Name", "s", struct model_card, name),
	P("Model", "s", struct model_card, model),
	P("ConfiguredModel", "s", struct model_card, configured_model),
	P("Crate", "u", struct model_card, crate),
	P("Address", "u", struct model_card, address),
	P("Configured", "b", struct model_card, configured),
	P("Present", "b", struct model_card, present),
	P("Id", "s", struct model_card, id),
	P("SelfTest", "s", struct model_card, self_test),
	P("Led", "s", struct model_card, led),
	P("ConversionTimeouts", "t", struct model_card, conversion_timeouts),
	P("ConversionErrors", "t", struct model_card, conversion_errors),
	P("Detectors", "ao", struct model_card, detectors),
	P("Manifolds", "ao", struct model_card, manifolds),
	{ "Channels", "a(sso)", offsetof(struct model_card, channels),
	  offsetof(struct model_card, n_channels) },
	P("SpareChannels", "as", struct model_card, spare_channels),
	{}
};

static void strv_free(char **strv)
{
	for (char **s = strv; s && *s; s++)
		free(*s);
	free(strv);
}

static void channels_free(struct model_channel *channels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(channels[i].line);
		free(channels[i].function);
		free(channels[i].object);
	}
	free(channels);
}

/* An a(sso) of lines into a fresh array. */
static int read_channels(sd_bus_message *m, struct model_channel **ret, size_t *ret_n)
{
	struct model_channel *channels = NULL;
	const char *line, *function, *object;
	size_t n = 0;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "(sso)");
	while (r >= 0 && (r = sd_bus_message_read(m, "(sso)", &line, &function, &object)) > 0) {
		struct model_channel *grown = realloc(channels, (n + 1) * sizeof(*channels));

		if (!grown) {
			r = -ENOMEM;
			break;
		}
		channels = grown;
		channels[n] = (struct model_channel){ strdup(line), strdup(function), strdup(object) };
		n++;
		if (!channels[n - 1].line || !channels[n - 1].function || !channels[n - 1].object)
			r = -ENOMEM;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		channels_free(channels, n);
		return r;
	}
	*ret = channels;
	*ret_n = n;
	return 0;
}

/* The variant's value into base + map->offset, if its type is the map's. */
static int read_mapped(sd_bus_message *m, const struct property_map *map, void *base)
{
	char *field = (char *)base + map->offset;
	const char *contents = NULL;
	char type;
	int r;

	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r < 0)
		return r;
	if (!contents || strcmp(contents, map->signature) != 0)
		return sd_bus_message_skip(m, "v");	/* another type: not ours */
	r = sd_bus_message_enter_container(m, 'v', contents);
	if (r < 0)
		return r;
	if (strcmp(map->signature, "as") == 0 || strcmp(map->signature, "ao") == 0) {
		char **strv = NULL;

		r = sd_bus_message_read_strv(m, &strv);
		if (r >= 0) {
			strv_free(*(char ***)field);
			*(char ***)field = strv;
		}
	} else if (strcmp(map->signature, "a(sso)") == 0) {
		struct model_channel *channels;
		size_t *count = (size_t *)((char *)base + map->count_offset), n;

		r = read_channels(m, &channels, &n);
		if (r >= 0) {
			channels_free(*(struct model_channel **)field, *count);
			*(struct model_channel **)field = channels;
			*count = n;
		}
	} else if (strcmp(map->signature, "(us)") == 0) {
		const char *name;
		uint32_t code;
		char *copy;

		r = sd_bus_message_read(m, "(us)", &code, &name);
		if (r >= 0) {
			copy = strdup(name);
			if (!copy)
				return -ENOMEM;
			*(uint32_t *)field = code;
			free(*(char **)((char *)base + map->count_offset));
			*(char **)((char *)base + map->count_offset) = copy;
		}
	} else if (strcmp(map->signature, CCD_FORMAT_SIGNATURE) == 0) {
		struct model_ccd_format *f = (struct model_ccd_format *)field;
		struct model_ccd_window w[2];
		uint32_t bx, by;
		int enabled, valid[2];

		r = sd_bus_message_read(m, CCD_FORMAT_SIGNATURE, &bx, &by, &enabled, &valid[0],
					&w[0].x1, &w[0].y1, &w[0].x2, &w[0].y2, &valid[1], &w[1].x1,
					&w[1].y1, &w[1].x2, &w[1].y2);
		if (r >= 0) {
			w[0].valid = valid[0];
			w[1].valid = valid[1];
			*f = (struct model_ccd_format){ bx, by, enabled, { w[0], w[1] } };
		}
	} else if (strcmp(map->signature, "au") == 0) {
		const void *array;
		size_t size;
		uint32_t *copy;

		r = sd_bus_message_read_array(m, 'u', &array, &size);
		if (r >= 0) {
			copy = malloc(size ? size : 1);
			if (!copy)
				return -ENOMEM;
			memcpy(copy, array, size);
			free(*(uint32_t **)field);
			*(uint32_t **)field = copy;
			*(size_t *)((char *)base + map->count_offset) = size / sizeof(uint32_t);
		}
	} else if (map->signature[0] == 's' || map->signature[0] == 'o') {
		const char *s;
		char *copy;

		r = sd_bus_message_read_basic(m, map->signature[0], &s);
		if (r >= 0) {
			copy = strdup(s);
			if (!copy)
				return -ENOMEM;
			free(*(char **)field);
			*(char **)field = copy;
		}
	} else if (map->signature[0] == 'b') {
		int b;

		r = sd_bus_message_read_basic(m, 'b', &b);
		if (r >= 0)
			*(bool *)field = b;
	} else {
		r = sd_bus_message_read_basic(m, map->signature[0], field);
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* a{sv} of one interface into base by map. */
static int read_properties(sd_bus_message *m, const struct property_map *map, void *base)
{
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const struct property_map *p;
		const char *name;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		for (p = map; p->name && strcmp(p->name, name) != 0; p++)
			;
		r = p->name ? read_mapped(m, p, base) : sd_bus_message_skip(m, "v");
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* Room for one more element of an array of structs. */
static void *grow(void **array, size_t *n, size_t size)
{
	void *p = realloc(*array, (*n + 1) * size);

	if (!p)
		return NULL;
	*array = p;
	memset((char *)p + *n * size, 0, size);
	return (char *)p + (*n)++ * size;
}

/* One object's interfaces: a{sa{sv}}. */
static int read_object(sd_bus_message *reply, const char *path, struct station_model *model)
{
	int r;

	r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
		const struct property_map *map = NULL;
		const char *interface;
		char **path_field = NULL;
		void *base = NULL;

		r = sd_bus_message_read(reply, "s", &interface);
		if (r < 0)
			return r;
		if (strcmp(interface, "org.stationd1.Detector") == 0) {
			struct model_detector *d = grow((void **)&model->detectors,
							&model->n_detectors, sizeof(*d));

			if (!d)
				return -ENOMEM;
			d->exhaust_volts = d->reference_volts = NAN;
			map = detector_map, base = d, path_field = &d->path;
		} else if (strcmp(interface, "org.stationd1.Manifold") == 0) {
			struct model_manifold *mf = grow((void **)&model->manifolds,
							 &model->n_manifolds, sizeof(*mf));

			if (!mf)
				return -ENOMEM;
			mf->exhaust_volts = mf->reference_volts = NAN;
			map = manifold_map, base = mf, path_field = &mf->path;
		} else if (strcmp(interface, "org.stationd1.Cryostream") == 0) {
			struct model_cryostream *c = grow((void **)&model->cryostreams,
							  &model->n_cryostreams, sizeof(*c));

			if (!c)
				return -ENOMEM;
			map = cryostream_map, base = c, path_field = &c->path;
		} else if (strcmp(interface, "org.stationd1.Ccd") == 0) {
			struct model_ccd *c = grow((void **)&model->ccds, &model->n_ccds,
						   sizeof(*c));

			if (!c)
				return -ENOMEM;
			map = ccd_map, base = c, path_field = &c->path;
		} else if (strcmp(interface, "org.stationd1.Card") == 0) {
			struct model_card *c = grow((void **)&model->cards, &model->n_cards,
						    sizeof(*c));

			if (!c)
				return -ENOMEM;
			map = card_map, base = c, path_field = &c->path;
		} else if (strcmp(interface, "org.stationd1.Autofill") == 0) {
			map = autofill_map, base = model;
		} else if (strcmp(interface, "org.stationd1.Manager") == 0) {
			map = manager_map, base = model;
		}
		if (path_field) {
			*path_field = strdup(path);
			if (!*path_field)
				return -ENOMEM;
		}
		r = map ? read_properties(reply, map, base) : sd_bus_message_skip(reply, "a{sv}");
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(reply);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(reply);
}

static int compare_detectors(const void *a, const void *b)
{
	const struct model_detector *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static int compare_cryostreams(const void *a, const void *b)
{
	const struct model_cryostream *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static int compare_ccds(const void *a, const void *b)
{
	const struct model_ccd *x = a, *y = b;

	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static int compare_cards(const void *a, const void *b)
{
	const struct model_card *x = a, *y = b;

	if (x->crate != y->crate)
		return x->crate < y->crate ? -1 : 1;
	return x->address < y->address ? -1 : x->address > y->address;
}

/* Manifolds as the daemon orders them: A..Z, then AA..ZZ. */
static int compare_manifolds(const void *a, const void *b)
{
	const struct model_manifold *x = a, *y = b;
	size_t lx = x->name ? strlen(x->name) : 0, ly = y->name ? strlen(y->name) : 0;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

int model_from_managed_objects(sd_bus_message *reply, struct station_model **ret)
{
	_cleanup_model_ struct station_model *model = calloc(1, sizeof(*model));
	int r;

	if (!model)
		return -ENOMEM;
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		const char *path;

		r = sd_bus_message_read(reply, "o", &path);
		if (r >= 0)
			r = read_object(reply, path, model);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(reply);
	if (r < 0)
		return r;
	if (model->n_detectors)
		qsort(model->detectors, model->n_detectors, sizeof(*model->detectors),
		      compare_detectors);
	if (model->n_manifolds)
		qsort(model->manifolds, model->n_manifolds, sizeof(*model->manifolds),
		      compare_manifolds);
	if (model->n_cryostreams)
		qsort(model->cryostreams, model->n_cryostreams, sizeof(*model->cryostreams),
		      compare_cryostreams);
	if (model->n_ccds)
		qsort(model->ccds, model->n_ccds, sizeof(*model->ccds), compare_ccds);
	if (model->n_cards)
		qsort(model->cards, model->n_cards, sizeof(*model->cards), compare_cards);
	*ret = TAKE_PTR(model);
	return 0;
}

int model_load(sd_bus *bus, struct station_model **ret, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *manager = NULL;
	_cleanup_model_ struct station_model *m = NULL;
	int r;

	r = sd_bus_call_method(bus, MODEL_BUS_NAME, MODEL_ROOT_PATH,
			       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", error,
			       &reply, "");
	if (r < 0)
		return r;
	r = model_from_managed_objects(reply, &m);
	if (r < 0)
		return r;
	/* GetManagedObjects lists the objects below the manager, never the
	 * manager's own: the Manager interface (Version) lives on it. */
	if (!m->version) {
		r = sd_bus_call_method(bus, MODEL_BUS_NAME, MODEL_ROOT_PATH,
				       "org.freedesktop.DBus.Properties", "GetAll", error,
				       &manager, "s", "org.stationd1.Manager");
		if (r < 0)
			return r;
		r = read_properties(manager, manager_map, m);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(m);
	return 0;
}

/* The object at path and the map of its interface; NULL when the model
 * has no such object (or interface). */
static void *object_at(struct station_model *m, const char *path, const char *interface,
		       const struct property_map **map)
{
	if (strcmp(interface, "org.stationd1.Detector") == 0) {
		*map = detector_map;
		for (size_t i = 0; i < m->n_detectors; i++)
			if (strcmp(m->detectors[i].path, path) == 0)
				return &m->detectors[i];
	} else if (strcmp(interface, "org.stationd1.Manifold") == 0) {
		*map = manifold_map;
		for (size_t i = 0; i < m->n_manifolds; i++)
			if (strcmp(m->manifolds[i].path, path) == 0)
				return &m->manifolds[i];
	} else if (strcmp(interface, "org.stationd1.Cryostream") == 0) {
		*map = cryostream_map;
		for (size_t i = 0; i < m->n_cryostreams; i++)
			if (strcmp(m->cryostreams[i].path, path) == 0)
				return &m->cryostreams[i];
	} else if (strcmp(interface, "org.stationd1.Ccd") == 0) {
		*map = ccd_map;
		for (size_t i = 0; i < m->n_ccds; i++)
			if (strcmp(m->ccds[i].path, path) == 0)
				return &m->ccds[i];
	} else if (strcmp(interface, "org.stationd1.Card") == 0) {
		*map = card_map;
		for (size_t i = 0; i < m->n_cards; i++)
			if (strcmp(m->cards[i].path, path) == 0)
				return &m->cards[i];
	} else if (strcmp(interface, "org.stationd1.Autofill") == 0) {
		*map = autofill_map;
		return m;
	} else if (strcmp(interface, "org.stationd1.Manager") == 0) {
		*map = manager_map;
		return m;
	}
	return NULL;
}

int model_apply_properties_changed(struct station_model *m, sd_bus_message *signal)
{
	const struct property_map *map = NULL;
	const char *interface, *path = sd_bus_message_get_path(signal);
	void *base;
	int r;

	if (!path || !sd_bus_message_is_signal(signal, "org.freedesktop.DBus.Properties",
					       "PropertiesChanged"))
		return 0;
	r = sd_bus_message_read(signal, "s", &interface);
	if (r < 0)
		return r;
	base = object_at(m, path, interface, &map);
	if (!base)
		return 0;
	/* The changed values; the invalidated names (stationd sends none)
	 * would need a Get, and are left as they were. */
	r = read_properties(signal, map, base);
	return r < 0 ? r : 1;
}

struct station_model *model_free(struct station_model *m)
{
	if (!m)
		return NULL;
	for (size_t i = 0; i < m->n_detectors; i++) {
		struct model_detector *d = &m->detectors[i];

		free(d->path);
		free(d->manifold);
		strv_free(d->presets);
		strv_free(d->status);
	}
	for (size_t i = 0; i < m->n_manifolds; i++) {
		struct model_manifold *mf = &m->manifolds[i];

		free(mf->path);
		free(mf->name);
		free(mf->detectors);
		strv_free(mf->status);
	}
	for (size_t i = 0; i < m->n_cryostreams; i++) {
		struct model_cryostream *c = &m->cryostreams[i];

		free(c->path);
		free(c->name);
		free(c->run_mode);
		free(c->phase);
		free(c->alarm);
	}
	for (size_t i = 0; i < m->n_cards; i++) {
		struct model_card *c = &m->cards[i];

		free(c->path);
		free(c->name);
		free(c->model);
		free(c->configured_model);
		free(c->id);
		free(c->self_test);
		free(c->led);
		strv_free(c->detectors);
		strv_free(c->manifolds);
		channels_free(c->channels, c->n_channels);
		strv_free(c->spare_channels);
	}
	for (size_t i = 0; i < m->n_ccds; i++) {
		struct model_ccd *c = &m->ccds[i];

		free(c->path);
		free(c->name);
		free(c->profile);
		free(c->link);
		free(c->readout_speed);
		free(c->clear_speed);
		free(c->phase_name);
		free(c->shutter);
		free(c->run_type);
		free(c->title);
		free(c->last_file);
	}
	free(m->ccds);
	free(m->detectors);
	free(m->manifolds);
	free(m->cryostreams);
	free(m->cards);
	free(m->version);
	free(m->state);
	free(m);
	return NULL;
}

const struct model_detector *model_find_detector(const struct station_model *m, uint32_t number)
{
	struct model_detector key = { .number = number };

	if (!m->n_detectors)
		return NULL;
	return bsearch(&key, m->detectors, m->n_detectors, sizeof(key), compare_detectors);
}

const struct model_manifold *model_find_manifold(const struct station_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_manifolds; i++)
		if (m->manifolds[i].name && strcasecmp(m->manifolds[i].name, name) == 0)
			return &m->manifolds[i];
	return NULL;
}

const struct model_cryostream *model_find_cryostream(const struct station_model *m,
						     const char *name)
{
	for (size_t i = 0; i < m->n_cryostreams; i++)
		if (m->cryostreams[i].name && strcmp(m->cryostreams[i].name, name) == 0)
			return &m->cryostreams[i];
	return NULL;
}

const struct model_ccd *model_find_ccd(const struct station_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_ccds; i++)
		if (m->ccds[i].name && strcmp(m->ccds[i].name, name) == 0)
			return &m->ccds[i];
	return NULL;
}

const struct model_card *model_find_card(const struct station_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_cards; i++)
		if (m->cards[i].name && strcmp(m->cards[i].name, name) == 0)
			return &m->cards[i];
	return NULL;
}

bool model_has_status(char **status, const char *flag)
{
	for (char **s = status; s && *s; s++)
		if (strcmp(*s, flag) == 0)
			return true;
	return false;
}

struct station *model_station(const struct station_model *m)
{
	struct station *s = station_new();

	if (!s)
		return NULL;
	s->manifolds = calloc(m->n_manifolds ? m->n_manifolds : 1, sizeof(*s->manifolds));
	s->detectors = calloc(m->n_detectors ? m->n_detectors : 1, sizeof(*s->detectors));
	if (!s->manifolds || !s->detectors)
		return station_free(s);
	for (size_t i = 0; i < m->n_manifolds; i++)
		snprintf(s->manifolds[s->n_manifolds++].name, sizeof(s->manifolds[0].name), "%s",
			 m->manifolds[i].name ? m->manifolds[i].name : "");
	for (size_t i = 0; i < m->n_detectors; i++) {
		struct detector *d = &s->detectors[s->n_detectors++];

		d->number = m->detectors[i].number;
		snprintf(d->manifold_name, sizeof(d->manifold_name), "%s",
			 m->detectors[i].manifold ? m->detectors[i].manifold : "");
	}
	station_sort(s);
	if (station_link(s) < 0)
		return station_free(s);
	return s;
}

int model_watch_owner(sd_bus *bus, sd_bus_slot **slot, sd_bus_message_handler_t handler,
		      void *userdata)
{
	return sd_bus_add_match(bus, slot,
				"type='signal',sender='org.freedesktop.DBus',"
				"interface='org.freedesktop.DBus',member='NameOwnerChanged',"
				"arg0='" MODEL_BUS_NAME "'", handler, userdata);
}

int model_owner_gone(sd_bus_message *m)
{
	const char *name, *old_owner, *new_owner;
	int r;

	r = sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner);
	if (r < 0)
		return r;
	if (strcmp(name, MODEL_BUS_NAME) != 0)
		return -ENOENT;
	return !*new_owner;
}
