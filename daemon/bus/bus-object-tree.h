/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tree of same-kind bus objects below one path prefix (the detectors,
 * the manifolds): one fallback vtable and one node enumerator, however
 * many objects there are, and the PropertiesChanged that names what moved
 * since the last publish. What each kind owns stays in its own file: its
 * properties, how a path finds an object, and which of its values changed.
 */
#ifndef STATIOND_BUS_BUS_OBJECT_TREE_H
#define STATIOND_BUS_BUS_OBJECT_TREE_H

#include <stddef.h>
#include <systemd/sd-bus.h>

/* Long enough for every object path of the kinds that use the tree:
 * "/org/stationd1/detector/4294967295" is the longest. */
#define BUS_OBJECT_PATH_MAX 64

/* Writes the object path of object `index` into path (snprintf-like:
 * returns the length it needed, or a negative errno). */
typedef int (*bus_object_path_fn)(const void *userdata, size_t index, char *path,
				  size_t size);

struct bus_object_tree {
	sd_bus *bus;
	const char *prefix;
	const char *interface;
	size_t n_objects;
	bus_object_path_fn path_of;
	const void *userdata;	/* for path_of */
	sd_bus_slot *vtable, *enumerator;
};

/*
 * Publishes n_objects objects under prefix: vtable with find (given
 * find_userdata) resolves a path, path_of names each one for the
 * enumerator and for signals. The tree must not move once added (the
 * enumerator keeps a pointer to it). On failure nothing stays registered.
 */
int bus_object_tree_add(struct bus_object_tree *t, sd_bus *bus, const char *prefix,
			const char *interface, const sd_bus_vtable *vtable,
			sd_bus_object_find_t find, void *find_userdata, size_t n_objects,
			bus_object_path_fn path_of, const void *userdata);
/* Unregisters; safe on a tree that was zeroed and never (or partly) added. */
void bus_object_tree_remove(struct bus_object_tree *t);

/* The names of the properties of one object that changed since its last
 * publish, NULL-terminated as sd_bus_emit_properties_changed_strv wants. */
#define BUS_CHANGED_MAX 12
struct bus_changed {
	const char *names[BUS_CHANGED_MAX + 1];
	size_t n;
};

static inline void bus_changed_add(struct bus_changed *c, const char *name)
{
	/* A kind has fewer emitting properties than BUS_CHANGED_MAX. */
	if (c->n < BUS_CHANGED_MAX)
		c->names[c->n++] = name;
}

/* Emits PropertiesChanged for object `index` naming c's properties; no
 * signal when none changed. A failure is logged, not retried: the caller
 * has already taken the new values as published, so a later signal names
 * a property only when it moves again. */
void bus_object_tree_emit_changed(const struct bus_object_tree *t, size_t index,
				  struct bus_changed *c);

#endif
