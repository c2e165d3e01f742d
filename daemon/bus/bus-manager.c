// SPDX-License-Identifier: GPL-2.0
/*
 * org.stationd1.Manager on sd-bus (see bus-manager.h). State is the
 * engine's global state as the seed names it; PropertiesChanged is sent
 * only when it really changed, so a scan loop calling in at 10 Hz costs
 * nothing on the bus.
 */
#include <errno.h>
#include <stdlib.h>

#include "daemon/bus/bus-errors.h"
#include "daemon/bus/bus-manager.h"
#include "daemon/scan-timing.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/version.h"

struct bus_manager {
	sd_bus *bus;
	struct engine *engine;
	const struct scan_timing *scan_timing;	/* ScanTimes; NULL: none yet */
	sd_bus_slot *object_manager, *vtable, *disconnected;
	enum engine_state published_state;
	bus_manager_disconnected_fn on_disconnected;
	void *userdata;
};

/* sd-bus's own signal when the connection is gone (the broker died or
 * closed it): the daemon decides what to do. */
static int on_local_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_manager *manager = userdata;

	if (manager->on_disconnected)
		manager->on_disconnected(manager->userdata);
	return 0;
}

static int property_state(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply, void *userdata,
			  sd_bus_error *error)
{
	struct bus_manager *m = userdata;
	struct engine_global_view view;

	engine_global_view(m->engine, &view);
	return sd_bus_message_append(reply, "s", engine_state_to_string(view.state));
}

static int property_version(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", STATIOND_VERSION);
}

/* Oldest first; a client polls it (no PropertiesChanged at 10 Hz). */
static int property_scan_times(sd_bus *bus, const char *path, const char *interface,
			       const char *property, sd_bus_message *reply, void *userdata,
			       sd_bus_error *error)
{
	struct bus_manager *m = userdata;
	size_t n = m->scan_timing ? scan_timing_size(m->scan_timing) : 0;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(ttt)");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const struct scan_timing_entry *e = scan_timing_get(m->scan_timing, i);

		r = sd_bus_message_append(reply, "(ttt)", e->scheduled_usec, e->started_usec,
					  e->duration_usec);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r;
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("State", "s", property_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ScanTimes", "a(ttt)", property_scan_times, 0, 0),
	SD_BUS_VTABLE_END,
};

int bus_manager_new(sd_event *event, int64_t priority, struct engine *engine,
		    bus_manager_disconnected_fn on_disconnected, void *userdata,
		    struct bus_manager **ret)
{
	struct bus_manager *m;
	struct engine_global_view view;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->engine = engine;
	m->on_disconnected = on_disconnected;
	m->userdata = userdata;
	engine_global_view(engine, &view);
	/* org.stationd1.Error.* for the errnos the methods return. */
	r = bus_errors_register();
	if (r < 0)
		goto fail;
	m->published_state = view.state;

	/* sd_bus_open_system() honours $DBUS_SYSTEM_BUS_ADDRESS. */
	r = sd_bus_open_system(&m->bus);
	if (r < 0) {
		log_error_errno(r, "cannot connect to the system bus");
		goto fail;
	}
	/* A local match: sd-bus delivers it itself, nothing goes to the broker. */
	r = sd_bus_match_signal(m->bus, &m->disconnected, "org.freedesktop.DBus.Local",
				"/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
				"Disconnected", on_local_disconnected, m);
	if (r < 0)
		goto fail;
	r = sd_bus_add_object_manager(m->bus, &m->object_manager, BUS_MANAGER_PATH);
	if (r < 0)
		goto fail;
	r = sd_bus_add_object_vtable(m->bus, &m->vtable, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
				     manager_vtable, m);
	if (r < 0)
		goto fail;
	r = sd_bus_request_name(m->bus, BUS_NAME, 0);
	if (r < 0) {
		log_error_errno(r, "cannot own the bus name %s", BUS_NAME);
		goto fail;
	}
	r = sd_bus_attach_event(m->bus, event, priority);
	if (r < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	bus_manager_free(m);
	return r;
}

struct bus_manager *bus_manager_free(struct bus_manager *m)
{
	if (!m)
		return NULL;
	sd_bus_slot_unref(m->vtable);
	sd_bus_slot_unref(m->object_manager);
	sd_bus_slot_unref(m->disconnected);
	if (m->bus) {
		sd_bus_flush(m->bus);
		sd_bus_detach_event(m->bus);
		sd_bus_flush_close_unref(m->bus);
	}
	free(m);
	return NULL;
}

sd_bus *bus_manager_bus(struct bus_manager *m)
{
	return m->bus;
}

void bus_manager_set_engine(struct bus_manager *m, struct engine *engine)
{
	m->engine = engine;
	bus_manager_global_changed(m);
}

void bus_manager_set_scan_timing(struct bus_manager *m, const struct scan_timing *t)
{
	m->scan_timing = t;
}

void bus_manager_global_changed(struct bus_manager *m)
{
	struct engine_global_view view;
	int r;

	engine_global_view(m->engine, &view);
	if (view.state == m->published_state)
		return;
	m->published_state = view.state;
	r = sd_bus_emit_properties_changed(m->bus, BUS_MANAGER_PATH, BUS_MANAGER_INTERFACE,
					   "State", NULL);
	if (r < 0)
		log_error_errno(r, "cannot emit PropertiesChanged for State");
}
