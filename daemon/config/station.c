// SPDX-License-Identifier: GPL-2.0
/*
 * The station model: allocation, canonical order, lookups and the names
 * used in messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/station.h"
#include "daemon/shared/macro.h"

struct station *station_new(void)
{
	struct station *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	strcpy(s->globals.operator_group, "stationd-operator");
	s->globals.debounce_readings = DEBOUNCE_READINGS_DEFAULT;
	s->globals.exhaust_sample_rate_millihz = EXHAUST_SAMPLE_RATE_MILLIHZ_DEFAULT;
	s->globals.cryostream_link = (struct cryostream_link){
		.status_port = CRYOSTREAM_STATUS_PORT_DEFAULT,
		.command_port = CRYOSTREAM_COMMAND_PORT_DEFAULT,
		.silence_timeout_s = CRYOSTREAM_SILENCE_DEFAULT_S,
		.command_timeout_s = CRYOSTREAM_COMMAND_TIMEOUT_DEFAULT_S,
	};
	return s;
}

struct station *station_free(struct station *s)
{
	if (!s)
		return NULL;
	free(s->cards);
	free(s->manifolds);
	free(s->detectors);
	free(s->cryostreams);
	free(s->ccds);
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i]);
	free(s->files);
	free(s);
	return NULL;
}

/*
 * Grow an array by one zeroed element. The capacity is implied by the
 * count (8, then powers of two), so the model needs no capacity fields.
 */
static void *array_append(void **array, size_t *n, size_t size)
{
	if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
		size_t want = *n == 0 ? 8 : *n * 2;
		void *p = reallocarray(*array, want, size);

		if (!p)
			return NULL;
		*array = p;
	}
	void *item = (char *)*array + *n * size;

	memset(item, 0, size);
	(*n)++;
	return item;
}

struct card *station_add_card(struct station *s)
{
	return array_append((void **)&s->cards, &s->n_cards, sizeof(*s->cards));
}

struct manifold *station_add_manifold(struct station *s)
{
	return array_append((void **)&s->manifolds, &s->n_manifolds, sizeof(*s->manifolds));
}

struct detector *station_add_detector(struct station *s)
{
	return array_append((void **)&s->detectors, &s->n_detectors, sizeof(*s->detectors));
}

struct cryostream *station_add_cryostream(struct station *s)
{
	return array_append((void **)&s->cryostreams, &s->n_cryostreams,
			    sizeof(*s->cryostreams));
}

const char *station_intern_file(struct station *s, const char *name)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i], name) == 0)
			return s->files[i];

	_cleanup_free_ char *copy = strdup(name);
	char **files;

	if (!copy)
		return NULL;
	files = reallocarray(s->files, s->n_files + 1, sizeof(*files));
	if (!files)
		return NULL;
	s->files = files;
	s->files[s->n_files++] = copy;
	return TAKE_PTR(copy);
}

int manifold_name_compare(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

bool manifold_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > MANIFOLD_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] < 'A' || name[i] > 'Z')
			return false;
	return true;
}

struct ccd *station_add_ccd(struct station *s)
{
	struct ccd *c = array_append((void **)&s->ccds, &s->n_ccds, sizeof(*s->ccds));

	if (!c)
		return NULL;
	strcpy(c->profile_dir, CCD_PROFILE_DIR_DEFAULT);
	strcpy(c->host_name, CCD_HOST_NAME_DEFAULT);
	c->resend_limit = CCD_RESEND_LIMIT_DEFAULT;
	return c;
}

bool ccd_config_name_valid(const char *name, size_t len)
{
	/* The same rule as a cryostream's: an object path element. */
	return len <= CCD_CONFIG_NAME_MAX && cryostream_name_valid(name, len);
}

bool cryostream_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > CRYOSTREAM_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static int card_compare(const void *a, const void *b)
{
	const struct card *x = a, *y = b;

	if (x->crate != y->crate)
		return x->crate < y->crate ? -1 : 1;
	return (x->address > y->address) - (x->address < y->address);
}

static int manifold_compare(const void *a, const void *b)
{
	const struct manifold *x = a, *y = b;

	return manifold_name_compare(x->name, y->name);
}

static int detector_compare(const void *a, const void *b)
{
	const struct detector *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

static int cryostream_compare(const void *a, const void *b)
{
	const struct cryostream *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int ccd_compare(const void *a, const void *b)
{
	const struct ccd *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void station_sort(struct station *s)
{
	if (s->n_cards)
		qsort(s->cards, s->n_cards, sizeof(*s->cards), card_compare);
	if (s->n_manifolds)
		qsort(s->manifolds, s->n_manifolds, sizeof(*s->manifolds), manifold_compare);
	if (s->n_detectors)
		qsort(s->detectors, s->n_detectors, sizeof(*s->detectors), detector_compare);
	if (s->n_cryostreams)
		qsort(s->cryostreams, s->n_cryostreams, sizeof(*s->cryostreams),
		      cryostream_compare);
	if (s->n_ccds)
		qsort(s->ccds, s->n_ccds, sizeof(*s->ccds), ccd_compare);
}

int station_link(struct station *s)
{
	for (size_t i = 0; i < s->n_detectors; i++) {
		const struct manifold *m = station_find_manifold(s, s->detectors[i].manifold_name);

		if (!m)
			return -ENOENT;
		s->detectors[i].manifold = m - s->manifolds;
	}
	return 0;
}

const struct card *station_find_card(const struct station *s, uint8_t crate, uint16_t address)
{
	struct card key = { .crate = crate, .address = address };

	if (!s->n_cards)
		return NULL;
	return bsearch(&key, s->cards, s->n_cards, sizeof(key), card_compare);
}

const struct manifold *station_find_manifold(const struct station *s, const char *name)
{
	struct manifold key = {};

	if (!s->n_manifolds || strlen(name) > MANIFOLD_NAME_MAX)
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, s->manifolds, s->n_manifolds, sizeof(key), manifold_compare);
}

const struct detector *station_find_detector(const struct station *s, uint32_t number)
{
	struct detector key = { .number = number };

	if (!s->n_detectors)
		return NULL;
	return bsearch(&key, s->detectors, s->n_detectors, sizeof(key), detector_compare);
}

const struct cryostream *station_find_cryostream(const struct station *s, const char *name)
{
	struct cryostream key = {};

	if (!s->n_cryostreams || strlen(name) > CRYOSTREAM_NAME_MAX)
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, s->cryostreams, s->n_cryostreams, sizeof(key), cryostream_compare);
}

const struct ccd *station_find_ccd(const struct station *s, const char *name)
{
	struct ccd key = {};

	if (!s->n_ccds || strlen(name) > CCD_CONFIG_NAME_MAX)
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, s->ccds, s->n_ccds, sizeof(key), ccd_compare);
}

const char *card_model_name(uint16_t model)
{
	switch (model) {
	case CARD_XVME240:
		return "XVME-240";
	case CARD_XVME260:
		return "XVME-260";
	case CARD_XVME560:
		return "XVME-560";
	default:
		return NULL;
	}
}

const char *line_kind_name(uint8_t kind)
{
	switch (kind) {
	case LINE_ADC:
		return "ADC channel";
	case LINE_RELAY:
		return "relay";
	case LINE_PORT:
		return "port line";
	case LINE_IRQ:
		return "interrupt input";
	case LINE_FLAG:
		return "flag output";
	default:
		return "unset line";
	}
}

char *card_name_format(uint8_t crate, uint16_t address, char buf[static CARD_NAME_MAX])
{
	snprintf(buf, CARD_NAME_MAX, "xvme%u-%04x", crate, address);
	return buf;
}

char *channel_ref_format(const struct channel_ref *ref, char buf[static CHANNEL_REF_STRING_MAX])
{
	char card[CARD_NAME_MAX];

	card_name_format(ref->crate, ref->card, card);
	switch (ref->kind) {
	case LINE_PORT:
		snprintf(buf, CHANNEL_REF_STRING_MAX, "%s:port%u.%u", card, ref->index / 8u,
			 ref->index % 8u);
		break;
	case LINE_IRQ:
		snprintf(buf, CHANNEL_REF_STRING_MAX, "%s:irq%u", card, ref->index);
		break;
	case LINE_FLAG:
		snprintf(buf, CHANNEL_REF_STRING_MAX, "%s:flag%u", card, ref->index);
		break;
	case LINE_ADC:
	case LINE_RELAY:
		snprintf(buf, CHANNEL_REF_STRING_MAX, "%s:%u", card, ref->index);
		break;
	default:
		snprintf(buf, CHANNEL_REF_STRING_MAX, "(unset)");
		break;
	}
	return buf;
}
