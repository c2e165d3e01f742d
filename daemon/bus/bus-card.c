// SPDX-License-Identifier: GPL-2.0
/*
 * The card objects (see bus-card.h). One sorted array of cards, the
 * configured ones always in it, the others while the bus has them; one
 * fallback vtable and node enumerator over it (bus-object-tree.h, whose
 * object count follows the array). Each card keeps the state last
 * published, so a re-read emits PropertiesChanged for what moved only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bus/bus-card.h"
#include "daemon/bus/bus-detector.h"
#include "daemon/bus/bus-errors.h"
#include "daemon/bus/bus-manifold.h"
#include "daemon/bus/bus-object-tree.h"
#include "daemon/config/wiring.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

#define AUTOFILL_PATH "/org/stationd1/autofill"

struct card_object {
	struct bus_cards *owner;
	uint8_t crate;
	uint16_t address;
	char name[CARD_NAME_MAX];
	const struct card *config;	/* NULL: not configured */
	struct card_state state;	/* as last published */
};

struct bus_cards {
	const struct station *station;
	struct bus_auth *auth;
	const struct bus_card_source *source;
	void *source_userdata;
	struct bus_object_tree tree;
	/* The station's configured lines sorted by line, so each card's are
	 * one run (wiring_uses_of_card()): the wiring is fixed while these
	 * objects live, and GetManagedObjects asks every card for it. */
	struct wiring_use *uses_by_line;
	size_t n_uses_by_line;
	struct card_object *objects;	/* by crate, then address */
	size_t n_objects;
	bool published;			/* signals from the second re-read on */
	sd_event_source *timer;
	/* A re-read in steps on the timer: the names listed at its start,
	 * the next object to read; again: a device event came meanwhile. */
	char **round_names;
	size_t round_next;
	bool round_again;
};

char *bus_card_path(uint8_t crate, uint16_t address, char buf[static BUS_CARD_PATH_MAX])
{
	snprintf(buf, BUS_CARD_PATH_MAX, BUS_CARD_PREFIX "/%u_%04x", crate, address);
	return buf;
}

static int compare_place(uint8_t crate_a, uint16_t address_a, uint8_t crate_b, uint16_t address_b)
{
	if (crate_a != crate_b)
		return crate_a < crate_b ? -1 : 1;
	return address_a < address_b ? -1 : address_a > address_b;
}

/* The object at (crate, address), or where it would go (*found false). */
static size_t position_of(const struct bus_cards *c, uint8_t crate, uint16_t address, bool *found)
{
	size_t lo = 0, hi = c->n_objects;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int k = compare_place(c->objects[mid].crate, c->objects[mid].address, crate, address);

		if (k == 0) {
			*found = true;
			return mid;
		}
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* "/org/stationd1/card/0_0c00" -> crate 0, address 0x0c00. */
static bool parse_path(const char *path, uint8_t *crate, uint16_t *address)
{
	char name[CARD_NAME_MAX + 8];
	const char *tail, *underscore;

	if (strncmp(path, BUS_CARD_PREFIX "/", strlen(BUS_CARD_PREFIX) + 1) != 0)
		return false;
	tail = path + strlen(BUS_CARD_PREFIX) + 1;
	underscore = strchr(tail, '_');
	if (!underscore || (size_t)(underscore - tail) > 3)
		return false;
	/* The bus's own name of the card, checked by its own parser. */
	snprintf(name, sizeof(name), "xvme%.*s-%s", (int)(underscore - tail), tail, underscore + 1);
	return card_name_parse(name, crate, address);
}

static int find_card(sd_bus *bus, const char *path, const char *interface, void *userdata,
		     void **found, sd_bus_error *error)
{
	struct bus_cards *c = userdata;
	uint8_t crate;
	uint16_t address;
	bool exists;
	size_t i;

	if (!parse_path(path, &crate, &address))
		return 0;
	i = position_of(c, crate, address, &exists);
	if (!exists)
		return 0;
	*found = &c->objects[i];
	return 1;
}

static int path_of_card(const void *userdata, size_t index, char *path, size_t size)
{
	const struct bus_cards *c = userdata;
	char buf[BUS_CARD_PATH_MAX];

	return snprintf(path, size, "%s",
			bus_card_path(c->objects[index].crate, c->objects[index].address, buf));
}

#define PROPERTY_GETTER(name)								\
	static int property_##name(sd_bus *bus, const char *path, const char *interface,	\
				   const char *property, sd_bus_message *reply,		\
				   void *userdata, sd_bus_error *error)

PROPERTY_GETTER(name)
{
	return sd_bus_message_append(reply, "s", ((const struct card_object *)userdata)->name);
}

PROPERTY_GETTER(crate)
{
	return sd_bus_message_append(reply, "u", (uint32_t)((const struct card_object *)userdata)->crate);
}

PROPERTY_GETTER(address)
{
	return sd_bus_message_append(reply, "u",
				     (uint32_t)((const struct card_object *)userdata)->address);
}

/* "XVME-560" for what sysfs says; "unknown" as it says; the configured
 * model while the card is away. */
static const char *model_of(const struct card_object *o)
{
	char *end;
	unsigned long model;

	if (!o->state.present)
		return o->config ? card_model_name(o->config->model) : "";
	model = strtoul(o->state.model, &end, 10);
	if (end != o->state.model && *end == '\0' && model <= UINT16_MAX &&
	    card_model_name((uint16_t)model))
		return card_model_name((uint16_t)model);
	return o->state.model[0] ? o->state.model : "unknown";
}

PROPERTY_GETTER(model)
{
	return sd_bus_message_append(reply, "s", model_of(userdata));
}

PROPERTY_GETTER(configured_model)
{
	const struct card_object *o = userdata;

	return sd_bus_message_append(reply, "s", o->config ? card_model_name(o->config->model) : "");
}

PROPERTY_GETTER(configured)
{
	return sd_bus_message_append(reply, "b", ((const struct card_object *)userdata)->config != NULL);
}

PROPERTY_GETTER(present)
{
	return sd_bus_message_append(reply, "b", (int)((const struct card_object *)userdata)->state.present);
}

PROPERTY_GETTER(id)
{
	return sd_bus_message_append(reply, "s", ((const struct card_object *)userdata)->state.id);
}

PROPERTY_GETTER(self_test)
{
	return sd_bus_message_append(reply, "s",
				     ((const struct card_object *)userdata)->state.selftest);
}

PROPERTY_GETTER(led)
{
	return sd_bus_message_append(reply, "s", ((const struct card_object *)userdata)->state.led);
}

PROPERTY_GETTER(conversion_timeouts)
{
	return sd_bus_message_append(reply, "t",
				     ((const struct card_object *)userdata)->state.conversion_timeouts);
}

PROPERTY_GETTER(conversion_errors)
{
	return sd_bus_message_append(reply, "t",
				     ((const struct card_object *)userdata)->state.conversion_errors);
}

/* The object a configured line serves: its detector, its manifold, or
 * the autofill for the station's own outputs. */
static void user_path(const struct wiring_use *u, char path[static BUS_OBJECT_PATH_MAX])
{
	if (u->detector)
		snprintf(path, BUS_OBJECT_PATH_MAX, BUS_DETECTOR_PREFIX "/%u", u->detector->number);
	else if (u->manifold)
		snprintf(path, BUS_OBJECT_PATH_MAX, BUS_MANIFOLD_PREFIX "/%s", u->manifold->name);
	else
		snprintf(path, BUS_OBJECT_PATH_MAX, AUTOFILL_PATH);
}

/* The configured lines of the card, in line order: a run of the
 * station's uses (none for a card not configured). */
static const struct wiring_use *uses_of(const struct card_object *o, size_t *n)
{
	const struct bus_cards *c = o->owner;
	size_t first = 0;

	*n = o->config ? wiring_uses_of_card(c->uses_by_line, c->n_uses_by_line, o->crate,
					     o->address, &first) : 0;
	return c->uses_by_line + first;
}

static int compare_index(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* The detectors or the manifolds wired to the card, each once, in the
 * station's order. */
static int append_users(sd_bus_message *reply, const struct card_object *o, bool detectors)
{
	const struct station *s = o->owner->station;
	size_t n_uses, n = 0;
	const struct wiring_use *uses = uses_of(o, &n_uses);
	_cleanup_free_ size_t *users = NULL;
	int r;

	users = calloc(n_uses ? n_uses : 1, sizeof(*users));
	if (!users)
		return -ENOMEM;
	for (size_t u = 0; u < n_uses; u++) {
		if (detectors && uses[u].detector)
			users[n++] = uses[u].detector - s->detectors;
		else if (!detectors && !uses[u].detector && uses[u].manifold)
			users[n++] = uses[u].manifold - s->manifolds;
	}
	if (n)
		qsort(users, n, sizeof(*users), compare_index);
	r = sd_bus_message_open_container(reply, 'a', "o");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char path[BUS_OBJECT_PATH_MAX];

		if (i > 0 && users[i] == users[i - 1])
			continue;
		if (detectors)
			snprintf(path, sizeof(path), BUS_DETECTOR_PREFIX "/%u",
				 s->detectors[users[i]].number);
		else
			snprintf(path, sizeof(path), BUS_MANIFOLD_PREFIX "/%s",
				 s->manifolds[users[i]].name);
		r = sd_bus_message_append(reply, "o", path);
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

PROPERTY_GETTER(detectors)
{
	return append_users(reply, userdata, true);
}

PROPERTY_GETTER(manifolds)
{
	return append_users(reply, userdata, false);
}

PROPERTY_GETTER(channels)
{
	size_t n_uses;
	const struct wiring_use *uses = uses_of(userdata, &n_uses);
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(sso)");
	for (size_t u = 0; r >= 0 && u < n_uses; u++) {
		char line[WIRING_LINE_NAME_MAX], user[BUS_OBJECT_PATH_MAX];

		user_path(&uses[u], user);
		r = sd_bus_message_append(reply, "(sso)", wiring_line_name(&uses[u].ref, line),
					  wiring_function_key(uses[u].function), user);
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

/* The model whose lines are counted: the configured one, else what the
 * card says (a card of unknown model has none). */
static uint16_t line_model_of(const struct card_object *o)
{
	unsigned long model;
	char *end;

	if (o->config)
		return o->config->model;
	model = strtoul(o->state.model, &end, 10);
	return end != o->state.model && *end == '\0' && model <= UINT16_MAX &&
		card_model_name((uint16_t)model) ? (uint16_t)model : 0;
}

PROPERTY_GETTER(spare_channels)
{
	const struct card_object *o = userdata;
	const struct card card = { .crate = o->crate, .address = o->address,
				   .model = line_model_of(o) };
	_cleanup_free_ struct channel_ref *spare = NULL;
	size_t n_uses, n = 0;
	const struct wiring_use *uses = uses_of(o, &n_uses);
	int r;

	r = wiring_spare_lines_of(&card, uses, n_uses, &spare, &n);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "s");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char line[WIRING_LINE_NAME_MAX];

		r = sd_bus_message_append(reply, "s", wiring_line_name(&spare[i], line));
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

/* The card a method was called on, found again after the authorization
 * (the array may have moved meanwhile); NULL with error set. */
static struct card_object *card_of_call(struct bus_cards *c, sd_bus_message *m,
					sd_bus_error *error)
{
	uint8_t crate;
	uint16_t address;
	bool exists;
	size_t i;

	if (parse_path(sd_bus_message_get_path(m), &crate, &address)) {
		i = position_of(c, crate, address, &exists);
		if (exists)
			return &c->objects[i];
	}
	sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_OBJECT, "the card %s is gone",
			  sd_bus_message_get_path(m));
	return NULL;
}

/* An ADMIN operation's errno as the bus's error, naming the card. */
static int admin_error(sd_bus_error *error, int r, const char *what, const char *name)
{
	switch (r) {
	case -EBUSY:
	case -EAGAIN:
		return sd_bus_error_setf(error, BUS_ERROR_BUSY,
					 "%s of %s refused: a fill is running or its lines are held",
					 what, name);
	case -ENODEV:
	case -ENOENT:
		return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_OBJECT,
					 "%s of %s: the card is not in its slot", what, name);
	case -ETIMEDOUT:
		return sd_bus_error_setf(error, BUS_ERROR_TIMEOUT,
					 "%s of %s: the conversion timed out", what, name);
	default:
		return sd_bus_error_setf(error, SD_BUS_ERROR_IO_ERROR, "%s of %s: %s", what, name,
					 strerror(-r));
	}
}

static int run_self_test(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_cards *c = userdata;
	struct card_object *o = card_of_call(c, m, error);
	char name[CARD_NAME_MAX], result[128];
	int r;

	if (!o)
		return -ENOENT;
	snprintf(name, sizeof(name), "%s", o->name);
	r = c->source->self_test(c->source_userdata, name, result, sizeof(result));
	(void)bus_cards_refresh(c);	/* the new SelfTest and Led, signalled */
	if (r < 0)
		return admin_error(error, r, "the power-on test", name);
	return sd_bus_reply_method_return(m, "s", result);
}

static int method_self_test(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct card_object *o = userdata;	/* found by the fallback vtable */
	struct bus_cards *c = o->owner;

	if (!c->auth || !c->source->self_test)
		return sd_bus_error_set(error, SD_BUS_ERROR_NOT_SUPPORTED, "not offered here");
	return bus_auth_run_privileged(c->auth, m, BUS_AUTH_ACTION_ADMIN,
				       (const char *const[]){ BUS_AUTH_DETAIL_DEVICE, o->name, NULL },
				       run_self_test, c, error);
}

static int run_convert(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_cards *c = userdata;
	struct card_object *o = card_of_call(c, m, error);
	char name[CARD_NAME_MAX];
	uint32_t channel;
	int32_t raw, mv;
	int r;

	if (!o)
		return -ENOENT;
	r = sd_bus_message_read(m, "u", &channel);
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "%s", o->name);
	r = c->source->convert(c->source_userdata, name, channel, &raw, &mv);
	if (r < 0)
		return admin_error(error, r, "a conversion", name);
	return sd_bus_reply_method_return(m, "ud", (uint32_t)raw, mv / 1000.0);
}

static int method_convert(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct card_object *o = userdata;	/* found by the fallback vtable */
	struct bus_cards *c = o->owner;
	uint32_t channel;
	int r;

	r = sd_bus_message_read(m, "u", &channel);
	if (r < 0)
		return r;
	if (strcmp(model_of(o), "XVME-560") != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
					 "%s is an %s: only an XVME-560 converts", o->name,
					 model_of(o));
	if (channel >= ADC_CHANNELS)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "channel %" PRIu32 ": an XVME-560 has channels 0-%u", channel,
					 ADC_CHANNELS - 1);
	if (!c->auth || !c->source->convert)
		return sd_bus_error_set(error, SD_BUS_ERROR_NOT_SUPPORTED, "not offered here");
	return bus_auth_run_privileged(c->auth, m, BUS_AUTH_ACTION_ADMIN,
				       (const char *const[]){ BUS_AUTH_DETAIL_DEVICE, o->name, NULL },
				       run_convert, c, error);
}

static const sd_bus_vtable card_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", property_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Crate", "u", property_crate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Address", "u", property_address, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Configured", "b", property_configured, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ConfiguredModel", "s", property_configured_model, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Present", "b", property_present, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Model", "s", property_model, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Id", "s", property_id, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("SelfTest", "s", property_self_test, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Led", "s", property_led, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ConversionTimeouts", "t", property_conversion_timeouts, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ConversionErrors", "t", property_conversion_errors, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Detectors", "ao", property_detectors, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Manifolds", "ao", property_manifolds, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Channels", "a(sso)", property_channels, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("SpareChannels", "as", property_spare_channels, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_METHOD_WITH_NAMES("SelfTest", "", , "s", SD_BUS_PARAM(result), method_self_test,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Convert", "u", SD_BUS_PARAM(channel), "ud",
				 SD_BUS_PARAM(raw) SD_BUS_PARAM(volts), method_convert,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* Room at position i for a card not in the array yet. */
static struct card_object *insert_at(struct bus_cards *c, size_t i)
{
	struct card_object *grown = reallocarray(c->objects, c->n_objects + 1, sizeof(*grown));

	if (!grown)
		return NULL;
	c->objects = grown;
	memmove(&grown[i + 1], &grown[i], (c->n_objects - i) * sizeof(*grown));
	memset(&grown[i], 0, sizeof(*grown));
	c->n_objects++;
	c->tree.n_objects = c->n_objects;
	return &grown[i];
}

static void remove_at(struct bus_cards *c, size_t i)
{
	memmove(&c->objects[i], &c->objects[i + 1], (c->n_objects - i - 1) * sizeof(*c->objects));
	c->n_objects--;
	c->tree.n_objects = c->n_objects;
}

static void emit_interfaces(struct bus_cards *c, const struct card_object *o, bool added)
{
	char path[BUS_CARD_PATH_MAX];
	int r;

	if (!c->published)
		return;		/* the first look: nobody has seen anything yet */
	bus_card_path(o->crate, o->address, path);
	r = added ? sd_bus_emit_interfaces_added(c->tree.bus, path, BUS_CARD_INTERFACE, NULL) :
		sd_bus_emit_interfaces_removed(c->tree.bus, path, BUS_CARD_INTERFACE, NULL);
	if (r < 0)
		log_error_errno(r, "cannot emit %s for %s",
				added ? "InterfacesAdded" : "InterfacesRemoved", path);
}

/* Publish one card's new state: PropertiesChanged naming what moved. */
static void publish(struct bus_cards *c, size_t i, const struct card_state *now)
{
	struct card_object *o = &c->objects[i];
	const char *model_before = model_of(o);
	struct bus_changed changed = {};
	char model[16];

	snprintf(model, sizeof(model), "%s", model_before);
	if (now->present != o->state.present)
		bus_changed_add(&changed, "Present");
	if (strcmp(now->id, o->state.id) != 0)
		bus_changed_add(&changed, "Id");
	if (strcmp(now->selftest, o->state.selftest) != 0)
		bus_changed_add(&changed, "SelfTest");
	if (strcmp(now->led, o->state.led) != 0)
		bus_changed_add(&changed, "Led");
	if (now->conversion_timeouts != o->state.conversion_timeouts)
		bus_changed_add(&changed, "ConversionTimeouts");
	if (now->conversion_errors != o->state.conversion_errors)
		bus_changed_add(&changed, "ConversionErrors");
	o->state = *now;
	if (strcmp(model, model_of(o)) != 0)
		bus_changed_add(&changed, "Model");
	if (c->published)
		bus_object_tree_emit_changed(&c->tree, i, &changed);
}

static void free_strv(char **strv)
{
	for (char **s = strv; s && *s; s++)
		free(*s);
	free(strv);
}

static bool strv_has(char **strv, const char *name)
{
	for (char **s = strv; s && *s; s++)
		if (strcmp(*s, name) == 0)
			return true;
	return false;
}

/* Start a re-read: which cards the bus has now. */
static int refresh_begin(struct bus_cards *c)
{
	int r;

	free_strv(c->round_names);
	c->round_names = NULL;
	c->round_next = 0;
	r = c->source->list(c->source_userdata, &c->round_names);
	if (r < 0)
		return log_error_errno(r, "cannot list the cards on the xvme bus");
	return 0;
}

static void refresh_end(struct bus_cards *c)
{
	free_strv(c->round_names);
	c->round_names = NULL;
	c->published = true;
}

/*
 * Re-read at most @max of the known cards (each a few sysfs reads); once
 * all are, add the cards that arrived and end the round. Returns 1 while
 * cards are left, 0 when the round is over, or a negative errno (the
 * round is over too).
 */
static int refresh_step(struct bus_cards *c, size_t max)
{
	char **names = c->round_names;
	int r = 0;

	/* Cards that left: configured ones stay (absent), others go. */
	while (c->round_next < c->n_objects) {
		struct card_object *o = &c->objects[c->round_next];
		struct card_state now = {};

		if (max-- == 0)
			return 1;
		if (strv_has(names, o->name)) {
			r = c->source->read(c->source_userdata, o->name, &now);
			if (r < 0)
				break;
		}
		if (!now.present && !o->config) {
			emit_interfaces(c, o, false);
			remove_at(c, c->round_next);
			continue;
		}
		publish(c, c->round_next, &now);
		c->round_next++;
	}
	if (r >= 0 && max == 0)
		return 1;
	/* Cards that arrived and are not configured: all in this step (a
	 * crate coming back is rare; its cards are published together). */
	for (char **n = names; r >= 0 && n && *n; n++) {
		struct card_object *o;
		uint8_t crate;
		uint16_t address;
		bool exists;
		size_t i;

		if (!card_name_parse(*n, &crate, &address))
			continue;
		i = position_of(c, crate, address, &exists);
		if (exists)
			continue;
		o = insert_at(c, i);
		if (!o) {
			r = -ENOMEM;
			break;
		}
		o->owner = c;
		o->crate = crate;
		o->address = address;
		card_name_format(crate, address, o->name);
		r = c->source->read(c->source_userdata, o->name, &o->state);
		if (r < 0) {
			remove_at(c, i);
			break;
		}
		emit_interfaces(c, o, true);
	}
	refresh_end(c);
	if (r < 0)
		return log_error_errno(r, "cannot read the cards' state");
	return 0;
}

int bus_cards_refresh(struct bus_cards *c)
{
	int r;

	r = refresh_begin(c);
	if (r >= 0)
		r = refresh_step(c, SIZE_MAX);
	return r;
}

/*
 * The timer re-reads the cards in steps, one dispatch each: the listing,
 * then BUS_CARD_REFRESH_BATCH cards at a time, then the arrivals. At idle
 * priority, between two steps the scan (and everything else) goes first:
 * on a 1000-detector station of 105 cards a whole re-read in one
 * callback made the scan wait for it (hundreds of ms in a TCG guest;
 * tests/bench/scan-jitter.sh showed the late scans 5 s apart).
 */
static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bus_cards *c = userdata;
	uint64_t delay = BUS_CARD_REFRESH_USEC;
	int r;

	if (!c->round_names) {
		c->round_again = false;
		r = refresh_begin(c);
		delay = r >= 0 ? 0 : BUS_CARD_REFRESH_USEC;
	} else if (refresh_step(c, BUS_CARD_REFRESH_BATCH) > 0) {
		delay = 0;
	} else if (c->round_again) {
		/* A device event during the round: its cards may be past. */
		delay = BUS_CARD_EVENT_DELAY_USEC;
	}
	r = sd_event_source_set_time_relative(s, delay);
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (r < 0)
		log_error_errno(r, "cannot re-arm the card refresh timer");
	return 0;
}

void bus_cards_device_event(struct bus_cards *c)
{
	uint64_t next, soon;
	int r;

	if (!c->timer) {
		(void)bus_cards_refresh(c);
		return;
	}
	if (c->round_names) {
		c->round_again = true;
		return;
	}
	/* Sooner than the periodic re-read; never later than it was. */
	r = sd_event_now(sd_event_source_get_event(c->timer), CLOCK_MONOTONIC, &soon);
	if (r >= 0)
		r = sd_event_source_get_time(c->timer, &next);
	soon += BUS_CARD_EVENT_DELAY_USEC;
	if (r >= 0 && next > soon)
		r = sd_event_source_set_time(c->timer, soon);
	if (r < 0)
		log_error_errno(r, "cannot schedule a card re-read");
}

int bus_cards_new(sd_bus *bus, sd_event *event, const struct station *station,
		  struct bus_auth *auth, const struct bus_card_source *source,
		  void *source_userdata, struct bus_cards **ret)
{
	_cleanup_bus_cards_ struct bus_cards *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->station = station;
	c->auth = auth;
	c->source = source;
	c->source_userdata = source_userdata;
	r = wiring_collect_by_line(station, &c->uses_by_line, &c->n_uses_by_line);
	if (r < 0)
		return r;
	c->objects = calloc(station->n_cards ? station->n_cards : 1, sizeof(*c->objects));
	if (!c->objects)
		return -ENOMEM;
	/* station->cards is sorted by crate and address, as the array is. */
	for (size_t i = 0; i < station->n_cards; i++) {
		struct card_object *o = &c->objects[c->n_objects++];

		o->owner = c;
		o->config = &station->cards[i];
		o->crate = o->config->crate;
		o->address = o->config->address;
		card_name_format(o->crate, o->address, o->name);
	}
	r = bus_object_tree_add(&c->tree, bus, BUS_CARD_PREFIX, BUS_CARD_INTERFACE, card_vtable,
				find_card, c, c->n_objects, path_of_card, c);
	if (r < 0)
		return r;
	(void)bus_cards_refresh(c);
	if (event) {
		r = sd_event_add_time_relative(event, &c->timer, CLOCK_MONOTONIC,
					       BUS_CARD_REFRESH_USEC, BUS_CARD_EVENT_DELAY_USEC / 2,
					       on_timer, c);
		if (r >= 0)
			r = sd_event_source_set_priority(c->timer, SD_EVENT_PRIORITY_IDLE);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(c);
	return 0;
}

struct bus_cards *bus_cards_free(struct bus_cards *c)
{
	if (!c)
		return NULL;
	sd_event_source_disable_unref(c->timer);
	free_strv(c->round_names);
	bus_object_tree_remove(&c->tree);
	free(c->uses_by_line);
	free(c->objects);
	free(c);
	return NULL;
}
