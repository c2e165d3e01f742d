// SPDX-License-Identifier: GPL-2.0
/*
 * The registration, enumeration and change signals shared by the object
 * kinds published as one fallback vtable (see bus-object-tree.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bus/bus-object-tree.h"
#include "daemon/shared/log.h"

static int format_path(const struct bus_object_tree *t, size_t index,
		       char path[static BUS_OBJECT_PATH_MAX])
{
	int r = t->path_of(t->userdata, index, path, BUS_OBJECT_PATH_MAX);

	if (r < 0)
		return r;
	if (r >= BUS_OBJECT_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int enumerate_objects(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
			     sd_bus_error *error)
{
	const struct bus_object_tree *t = userdata;
	char **paths;
	int r = 0;

	paths = calloc(t->n_objects + 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_objects; i++) {
		char path[BUS_OBJECT_PATH_MAX];

		r = format_path(t, i, path);
		if (r >= 0 && !(paths[i] = strdup(path)))
			r = -ENOMEM;
		if (r < 0) {
			for (size_t j = 0; j < i; j++)
				free(paths[j]);
			free(paths);
			return r;
		}
	}
	*nodes = paths;
	return 0;
}

int bus_object_tree_add(struct bus_object_tree *t, sd_bus *bus, const char *prefix,
			const char *interface, const sd_bus_vtable *vtable,
			sd_bus_object_find_t find, void *find_userdata, size_t n_objects,
			bus_object_path_fn path_of, const void *userdata)
{
	int r;

	*t = (struct bus_object_tree) {
		.bus = sd_bus_ref(bus),
		.prefix = prefix,
		.interface = interface,
		.n_objects = n_objects,
		.path_of = path_of,
		.userdata = userdata,
	};
	r = sd_bus_add_fallback_vtable(bus, &t->vtable, prefix, interface, vtable, find,
				       find_userdata);
	if (r >= 0)
		r = sd_bus_add_node_enumerator(bus, &t->enumerator, prefix, enumerate_objects, t);
	if (r < 0)
		bus_object_tree_remove(t);
	return r;
}

void bus_object_tree_remove(struct bus_object_tree *t)
{
	t->enumerator = sd_bus_slot_unref(t->enumerator);
	t->vtable = sd_bus_slot_unref(t->vtable);
	t->bus = sd_bus_unref(t->bus);
}

void bus_object_tree_emit_changed(const struct bus_object_tree *t, size_t index,
				  struct bus_changed *c)
{
	char path[BUS_OBJECT_PATH_MAX];
	int r;

	if (c->n == 0)
		return;
	c->names[c->n] = NULL;
	r = format_path(t, index, path);
	if (r < 0) {
		log_error_errno(r, "cannot name %s object %zu", t->prefix, index);
		return;
	}
	r = sd_bus_emit_properties_changed_strv(t->bus, path, t->interface, (char **)c->names);
	if (r < 0)
		log_error_errno(r, "cannot emit PropertiesChanged for %s", path);
}
