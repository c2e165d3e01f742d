// SPDX-License-Identifier: GPL-2.0
/*
 * Whole database images and database files: layout arithmetic, atomic
 * replacement, and in-place rewrites of single records.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/config/database.h"
#include "daemon/shared/atomic-replace.h"
#include "daemon/shared/macro.h"
#include "daemon/shared/read-full.h"

#define DATABASE_FILE_MAX (64u * 1024u * 1024u)

void database_layout_of(const struct station *s, struct database_layout *ret)
{
	*ret = (struct database_layout){
		.n_cards = s->n_cards,
		.n_manifolds = s->n_manifolds,
		.n_detectors = s->n_detectors,
		.n_cryostreams = s->n_cryostreams,
		.n_ccds = s->n_ccds,
		.configuration_id = database_configuration_id(s),
	};
}

uint32_t database_record_size(enum database_record_kind kind)
{
	switch (kind) {
	case DATABASE_RECORD_STATION:
		return DATABASE_STATION_RECORD_SIZE;
	case DATABASE_RECORD_CARD:
		return DATABASE_CARD_RECORD_SIZE;
	case DATABASE_RECORD_MANIFOLD:
		return DATABASE_MANIFOLD_RECORD_SIZE;
	case DATABASE_RECORD_DETECTOR:
		return DATABASE_DETECTOR_RECORD_SIZE;
	case DATABASE_RECORD_CRYOSTREAM:
		return DATABASE_CRYOSTREAM_RECORD_SIZE;
	case DATABASE_RECORD_CCD:
		return DATABASE_CCD_RECORD_SIZE;
	}
	return 0;
}

const char *database_record_kind_name(enum database_record_kind kind)
{
	switch (kind) {
	case DATABASE_RECORD_STATION:
		return "station";
	case DATABASE_RECORD_CARD:
		return "card";
	case DATABASE_RECORD_MANIFOLD:
		return "manifold";
	case DATABASE_RECORD_DETECTOR:
		return "detector";
	case DATABASE_RECORD_CRYOSTREAM:
		return "cryostream";
	case DATABASE_RECORD_CCD:
		return "ccd";
	}
	return "unknown";
}

uint64_t database_file_size(const struct database_layout *l)
{
	return DATABASE_HEADER_SIZE + DATABASE_STATION_RECORD_SIZE +
		(uint64_t)l->n_cards * DATABASE_CARD_RECORD_SIZE +
		(uint64_t)l->n_manifolds * DATABASE_MANIFOLD_RECORD_SIZE +
		(uint64_t)l->n_detectors * DATABASE_DETECTOR_RECORD_SIZE +
		(uint64_t)l->n_cryostreams * DATABASE_CRYOSTREAM_RECORD_SIZE +
		(uint64_t)l->n_ccds * DATABASE_CCD_RECORD_SIZE;
}

int database_record_offset(const struct database_layout *l, enum database_record_kind kind,
			   uint32_t index, uint64_t *ret)
{
	uint64_t stations = DATABASE_HEADER_SIZE;
	uint64_t cards = stations + DATABASE_STATION_RECORD_SIZE;
	uint64_t manifolds = cards + (uint64_t)l->n_cards * DATABASE_CARD_RECORD_SIZE;
	uint64_t detectors = manifolds + (uint64_t)l->n_manifolds * DATABASE_MANIFOLD_RECORD_SIZE;
	uint64_t cryostreams = detectors + (uint64_t)l->n_detectors * DATABASE_DETECTOR_RECORD_SIZE;
	uint64_t ccds = cryostreams + (uint64_t)l->n_cryostreams * DATABASE_CRYOSTREAM_RECORD_SIZE;

	switch (kind) {
	case DATABASE_RECORD_STATION:
		if (index >= 1)
			return -ERANGE;
		*ret = stations;
		return 0;
	case DATABASE_RECORD_CARD:
		if (index >= l->n_cards)
			return -ERANGE;
		*ret = cards + (uint64_t)index * DATABASE_CARD_RECORD_SIZE;
		return 0;
	case DATABASE_RECORD_MANIFOLD:
		if (index >= l->n_manifolds)
			return -ERANGE;
		*ret = manifolds + (uint64_t)index * DATABASE_MANIFOLD_RECORD_SIZE;
		return 0;
	case DATABASE_RECORD_DETECTOR:
		if (index >= l->n_detectors)
			return -ERANGE;
		*ret = detectors + (uint64_t)index * DATABASE_DETECTOR_RECORD_SIZE;
		return 0;
	case DATABASE_RECORD_CRYOSTREAM:
		if (index >= l->n_cryostreams)
			return -ERANGE;
		*ret = cryostreams + (uint64_t)index * DATABASE_CRYOSTREAM_RECORD_SIZE;
		return 0;
	case DATABASE_RECORD_CCD:
		if (index >= l->n_ccds)
			return -ERANGE;
		*ret = ccds + (uint64_t)index * DATABASE_CCD_RECORD_SIZE;
		return 0;
	}
	return -ERANGE;
}

static uint64_t offset_of(const struct database_layout *l, enum database_record_kind kind,
			  uint32_t index)
{
	uint64_t offset = 0;

	(void)database_record_offset(l, kind, index, &offset);
	return offset;
}

int database_encode(const struct station *s, uint8_t **ret, size_t *ret_size)
{
	struct database_layout l;
	uint8_t *buf;
	size_t size;

	database_layout_of(s, &l);
	size = database_file_size(&l);
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	database_encode_header(&l, buf);
	database_encode_station(&s->globals, buf + offset_of(&l, DATABASE_RECORD_STATION, 0));
	for (uint32_t i = 0; i < l.n_cards; i++)
		database_encode_card(&s->cards[i], i, buf + offset_of(&l, DATABASE_RECORD_CARD, i));
	for (uint32_t i = 0; i < l.n_manifolds; i++)
		database_encode_manifold(&s->manifolds[i], i,
					 buf + offset_of(&l, DATABASE_RECORD_MANIFOLD, i));
	for (uint32_t i = 0; i < l.n_detectors; i++)
		database_encode_detector(&s->detectors[i], i,
					 buf + offset_of(&l, DATABASE_RECORD_DETECTOR, i));
	for (uint32_t i = 0; i < l.n_cryostreams; i++)
		database_encode_cryostream(&s->cryostreams[i], i,
					   buf + offset_of(&l, DATABASE_RECORD_CRYOSTREAM, i));
	for (uint32_t i = 0; i < l.n_ccds; i++)
		database_encode_ccd(&s->ccds[i], i, buf + offset_of(&l, DATABASE_RECORD_CCD, i));
	*ret = buf;
	*ret_size = size;
	return 0;
}

/* A reference from a record names a card present in the database, of the
 * model its line kind needs. */
static int check_ref(const struct station *s, const struct channel_ref *ref, const char *owner,
		     struct database_error *err)
{
	static const uint16_t model_of_kind[] = {
		[LINE_ADC] = CARD_XVME560, [LINE_RELAY] = CARD_XVME260,
		[LINE_PORT] = CARD_XVME240, [LINE_IRQ] = CARD_XVME240,
		[LINE_FLAG] = CARD_XVME240,
	};
	const struct card *c = station_find_card(s, ref->crate, ref->card);
	char name[CHANNEL_REF_STRING_MAX];

	if (!c || ref->kind >= ELEMENTSOF(model_of_kind) || c->model != model_of_kind[ref->kind])
		return database_fail(err, -EBADMSG,
				     "%s: %s does not name a card of the right model",
				     owner, channel_ref_format(ref, name));
	return 0;
}

/* Order and cross-references of a decoded station. */
static int check_relations(struct station *s, struct database_error *err)
{
	char owner[64];
	int r;

	for (size_t i = 1; i < s->n_cards; i++)
		if (s->cards[i - 1].crate > s->cards[i].crate ||
		    (s->cards[i - 1].crate == s->cards[i].crate &&
		     s->cards[i - 1].address >= s->cards[i].address))
			return database_fail(err, -EBADMSG,
					     "card record %zu: cards out of order", i);
	for (size_t i = 1; i < s->n_manifolds; i++)
		if (manifold_name_compare(s->manifolds[i - 1].name, s->manifolds[i].name) >= 0)
			return database_fail(err, -EBADMSG,
					     "manifold record %zu: manifolds out of order", i);
	for (size_t i = 1; i < s->n_detectors; i++)
		if (s->detectors[i - 1].number >= s->detectors[i].number)
			return database_fail(err, -EBADMSG,
					     "detector record %zu: detectors out of order", i);
	for (size_t i = 1; i < s->n_cryostreams; i++)
		if (strcmp(s->cryostreams[i - 1].name, s->cryostreams[i].name) >= 0)
			return database_fail(err, -EBADMSG,
					     "cryostream record %zu: cryostreams out of order", i);
	for (size_t i = 1; i < s->n_ccds; i++)
		if (strcmp(s->ccds[i - 1].name, s->ccds[i].name) >= 0)
			return database_fail(err, -EBADMSG, "ccd record %zu: ccds out of order", i);
	/* The compiler's rules, again: a database is not trusted more than
	 * a text. */
	for (size_t i = 0; i < s->n_cryostreams; i++)
		for (size_t j = 0; j < i; j++) {
			const struct cryostream *a = &s->cryostreams[j], *b = &s->cryostreams[i];

			if (a->number == 0 || b->number == 0 || a->number == b->number)
				return database_fail(err, -EBADMSG,
						     "cryostream record %zu (%s): number %u conflicts with cryostream %s (number %u)",
						     i, b->name, b->number, a->name, a->number);
		}

	r = check_ref(s, &s->globals.dewar_inhibit, "station dewar-inhibit", err);
	if (r < 0)
		return r;
	r = check_ref(s, &s->globals.alarm, "station alarm", err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_manifolds; i++) {
		const struct manifold *m = &s->manifolds[i];

		snprintf(owner, sizeof(owner), "manifold record %zu (%s)", i, m->name);
		if ((r = check_ref(s, &m->sensor, owner, err)) < 0 ||
		    (r = check_ref(s, &m->input_valve, owner, err)) < 0 ||
		    (r = check_ref(s, &m->output_valve, owner, err)) < 0 ||
		    (r = check_ref(s, &m->manual_fill_key, owner, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < s->n_detectors; i++) {
		struct detector *d = &s->detectors[i];

		snprintf(owner, sizeof(owner), "detector record %zu (detector %u)", i, d->number);
		if (d->manifold >= s->n_manifolds)
			return database_fail(err, -EBADMSG,
					     "%s: manifold index %u out of range", owner,
					     d->manifold);
		strcpy(d->manifold_name, s->manifolds[d->manifold].name);
		if ((r = check_ref(s, &d->sensor, owner, err)) < 0 ||
		    (r = check_ref(s, &d->valve, owner, err)) < 0 ||
		    (r = check_ref(s, &d->bias_shutdown, owner, err)) < 0)
			return r;
	}
	return 0;
}

int database_decode(const uint8_t *buf, size_t size, struct station **ret,
		    struct database_error *err)
{
	_cleanup_station_ struct station *s = NULL;
	struct database_layout l;
	int r;

	if (size < DATABASE_HEADER_SIZE)
		return database_fail(err, -EBADMSG,
				     "file is %zu bytes, shorter than the header", size);
	r = database_decode_header(buf, size, &l, err);
	if (r < 0)
		return r;
	s = station_new();
	if (!s)
		return -ENOMEM;
	/* Grow through station_add_*() so the arrays keep the capacity rule
	 * the model relies on. */
	for (uint32_t i = 0; i < l.n_cards; i++)
		if (!station_add_card(s))
			return -ENOMEM;
	for (uint32_t i = 0; i < l.n_manifolds; i++)
		if (!station_add_manifold(s))
			return -ENOMEM;
	for (uint32_t i = 0; i < l.n_detectors; i++)
		if (!station_add_detector(s))
			return -ENOMEM;
	for (uint32_t i = 0; i < l.n_cryostreams; i++)
		if (!station_add_cryostream(s))
			return -ENOMEM;
	for (uint32_t i = 0; i < l.n_ccds; i++)
		if (!station_add_ccd(s))
			return -ENOMEM;

	uint64_t o = offset_of(&l, DATABASE_RECORD_STATION, 0);

	r = database_decode_station(buf + o, o, &s->globals, err);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < l.n_cards; i++) {
		o = offset_of(&l, DATABASE_RECORD_CARD, i);
		r = database_decode_card(buf + o, i, o, &s->cards[i], err);
		if (r < 0)
			return r;
	}
	for (uint32_t i = 0; i < l.n_manifolds; i++) {
		o = offset_of(&l, DATABASE_RECORD_MANIFOLD, i);
		r = database_decode_manifold(buf + o, i, o, &s->manifolds[i], err);
		if (r < 0)
			return r;
	}
	for (uint32_t i = 0; i < l.n_detectors; i++) {
		o = offset_of(&l, DATABASE_RECORD_DETECTOR, i);
		r = database_decode_detector(buf + o, i, o, &s->detectors[i], err);
		if (r < 0)
			return r;
	}
	for (uint32_t i = 0; i < l.n_cryostreams; i++) {
		o = offset_of(&l, DATABASE_RECORD_CRYOSTREAM, i);
		r = database_decode_cryostream(buf + o, i, o, &s->cryostreams[i], err);
		if (r < 0)
			return r;
	}
	for (uint32_t i = 0; i < l.n_ccds; i++) {
		o = offset_of(&l, DATABASE_RECORD_CCD, i);
		r = database_decode_ccd(buf + o, i, o, &s->ccds[i], err);
		if (r < 0)
			return r;
	}
	r = check_relations(s, err);
	if (r < 0)
		return r;
	uint32_t id = database_configuration_id(s);

	if (id != l.configuration_id)
		return database_fail(err, -EBADMSG,
				     "header: configuration id 0x%08x does not match the records (0x%08x)",
				     l.configuration_id, id);
	*ret = TAKE_PTR(s);
	return 0;
}

int database_write_file(const char *path, const struct station *s)
{
	_cleanup_free_ uint8_t *image = NULL;
	size_t size;
	int r;

	r = database_encode(s, &image, &size);
	if (r < 0)
		return r;
	return atomic_replace_file(path, image, size, NULL);
}

static int read_all(int fd, uint8_t **ret, size_t *ret_size, struct database_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return database_fail(err, -EBADMSG, "not a regular file");
	if ((uint64_t)st.st_size > DATABASE_FILE_MAX)
		return database_fail(err, -EFBIG,
				     "file is %lld bytes, larger than any station database",
				     (long long)st.st_size);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		return -ENOMEM;
	n = pread_full(fd, buf, st.st_size, 0);
	if (n < 0)
		return n;
	*ret = TAKE_PTR(buf);
	*ret_size = n;
	return 0;
}

int database_read_file(const char *path, struct station **ret, struct database_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ uint8_t *buf = NULL;
	size_t size = 0;
	int r;

	if (fd < 0)
		return database_fail(err, -errno, "cannot open: %s", strerror(errno));
	r = read_all(fd, &buf, &size, err);
	if (r < 0) {
		if (err && !err->message[0])
			database_fail(err, r, "cannot read: %s", strerror(-r));
		return r;
	}
	return database_decode(buf, size, ret, err);
}

/* ---------------------------------------------------------- single records */

static int pread_exact(int fd, uint8_t *buf, size_t size, uint64_t offset,
		       struct database_error *err)
{
	ssize_t n = pread_full(fd, buf, size, offset);

	if (n < 0)
		return database_fail(err, n, "read at offset %llu: %s",
				     (unsigned long long)offset, strerror(-n));
	if ((size_t)n < size)
		return database_fail(err, -EBADMSG, "file ends inside the record at offset %llu",
				     (unsigned long long)offset);
	return 0;
}

static int pwrite_exact(int fd, const uint8_t *buf, size_t size, uint64_t offset)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = pwrite(fd, buf + done, size - done, offset + done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += n;
	}
	return 0;
}

int database_read_layout(int fd, struct database_layout *ret, struct database_error *err)
{
	uint8_t header[DATABASE_HEADER_SIZE];
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return database_fail(err, -errno, "cannot stat: %s", strerror(errno));
	if ((uint64_t)st.st_size < DATABASE_HEADER_SIZE)
		return database_fail(err, -EBADMSG, "file is %lld bytes, shorter than the header",
				     (long long)st.st_size);
	r = pread_exact(fd, header, sizeof(header), 0, err);
	if (r < 0)
		return r;
	return database_decode_header(header, st.st_size, ret, err);
}

int database_write_manifold(int fd, const struct database_layout *layout, uint32_t index,
			    const struct manifold *m)
{
	uint8_t buf[DATABASE_MANIFOLD_RECORD_SIZE];
	uint64_t offset;
	int r;

	r = database_record_offset(layout, DATABASE_RECORD_MANIFOLD, index, &offset);
	if (r < 0)
		return r;
	database_encode_manifold(m, index, buf);
	return pwrite_exact(fd, buf, sizeof(buf), offset);
}

int database_write_detector(int fd, const struct database_layout *layout, uint32_t index,
			    const struct detector *d)
{
	uint8_t buf[DATABASE_DETECTOR_RECORD_SIZE];
	uint64_t offset;
	int r;

	if (d->manifold >= layout->n_manifolds)
		return -EINVAL;
	r = database_record_offset(layout, DATABASE_RECORD_DETECTOR, index, &offset);
	if (r < 0)
		return r;
	database_encode_detector(d, index, buf);
	return pwrite_exact(fd, buf, sizeof(buf), offset);
}

int database_read_manifold(int fd, const struct database_layout *layout, uint32_t index,
			   struct manifold *ret, struct database_error *err)
{
	uint8_t buf[DATABASE_MANIFOLD_RECORD_SIZE];
	uint64_t offset;
	int r;

	r = database_record_offset(layout, DATABASE_RECORD_MANIFOLD, index, &offset);
	if (r < 0)
		return database_fail(err, r, "no manifold record %u (the database has %u)", index,
				     layout->n_manifolds);
	r = pread_exact(fd, buf, sizeof(buf), offset, err);
	if (r < 0)
		return r;
	return database_decode_manifold(buf, index, offset, ret, err);
}

int database_read_detector(int fd, const struct database_layout *layout, uint32_t index,
			   struct detector *ret, struct database_error *err)
{
	uint8_t buf[DATABASE_DETECTOR_RECORD_SIZE];
	struct detector d;
	uint64_t offset;
	int r;

	r = database_record_offset(layout, DATABASE_RECORD_DETECTOR, index, &offset);
	if (r < 0)
		return database_fail(err, r, "no detector record %u (the database has %u)", index,
				     layout->n_detectors);
	r = pread_exact(fd, buf, sizeof(buf), offset, err);
	if (r < 0)
		return r;
	r = database_decode_detector(buf, index, offset, &d, err);
	if (r < 0)
		return r;
	if (d.manifold >= layout->n_manifolds)
		return database_fail(err, -EBADMSG,
				     "detector record %u at offset %llu: manifold index %u out of range",
				     index, (unsigned long long)offset, d.manifold);
	*ret = d;
	return 0;
}
