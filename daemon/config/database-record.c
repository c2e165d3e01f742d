// SPDX-License-Identifier: GPL-2.0
/*
 * Byte layout of the database header and records, and their validation.
 * All multi-byte fields are little-endian; unused bytes are zero and must
 * read back as zero. A channel reference is 4 bytes: line kind (u8),
 * index (u8), crate (u8), slot (u8: A16 address / 0x400).
 *
 * header (64)   0 magic[8]  8 version  12 header size  16 station size
 *               20 card size  24 manifold size  28 detector size
 *               32 n_cards (u16)  34 n_ccds (u16)  36 n_manifolds  40 n_detectors
 *               44 configuration id (see database_configuration_id())
 *               48 file size (u64)  56 n_cryostreams (u16)
 *               58 cryostream record size (u16)  60 CRC-32 of bytes 0-59
 * record        0 kind (u16)  2 zero (u16)  4 index (u32) ... size-4 CRC-32
 * station (128) 9 flags (bit 0: slot zero usable)
 *               10 debounce readings (u8; 0 = the default, 3, as in
 *               databases written before the setting existed)
 *               12 scan rate mHz  16 backup interval s
 *               20 operator group (32, NUL padded)  52 dewar-inhibit ref
 *               56 alarm ref  60 cryostream status port (u16)
 *               62 cryostream command port (u16)  64 cryostream silence
 *               timeout s  68 cryostream command timeout s
 *               72 cryostream flags (u8, bit 0: checksum ignore)
 *               76 exhaust sample rate mHz (u32; 0 = the default, 100 Hz,
 *               as in databases written before the setting existed)
 * card (32)     8 address (u16)  10 model (u16)  12 ADC range (u8)
 *               13 crate (u8)
 * manifold(128) 8 name (4, NUL padded)  12 sensor  16 input valve
 *               20 output valve  24 manual-fill key  28 reference mV (s32)
 *               32 max fill s  36 closure delay s  64-123 run state
 * detector(128) 8 number  12 manifold index  16 sensor  20 valve
 *               24 bias shutdown  28 reference mV (s32)  32 max fill s
 *               36 closure delay s  40 preset count (u8)
 *               42 presets (4 x u16 minute of day, 0xffff unused)
 *               60-123 run state
 * cryostream(64) 8 name (32, NUL padded)  40 number (u16)
 *               44 IPv4 command address (4 bytes, network order; 0 none)
 * ccd (1024)    8 name (32)  40 host name (12)  52 resend limit (u8)
 *               56 tty (32)  88 profile (32)  120 device (128)
 *               248 profile dir (256)  504 data dir (256)  760 data socket (108)
 *               (text fields NUL padded; 868-1019 zero)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/autofill/schedule.h"
#include "daemon/config/database.h"
#include "daemon/shared/crc32.h"
#include "daemon/shared/little-endian.h"
#include "daemon/shared/macro.h"

#define RECORD_DATA_START 8u
#define MANIFOLD_STATE_OFFSET 64u
#define DETECTOR_STATE_OFFSET 60u
#define DETECTOR_PRESETS_OFFSET 40u
#define STATION_CRYOSTREAM_LINK_OFFSET 60u
#define STATION_CRYOSTREAM_FLAGS_OFFSET 72u
#define STATION_EXHAUST_SAMPLE_RATE_OFFSET 76u
#define STATION_RESERVED_OFFSET 80u
#define CRYOSTREAM_FLAG_IGNORE_CHECKSUM 0x01u
#define CRYOSTREAM_RESERVED_OFFSET 48u
#define CCD_NAME_OFFSET 8u
#define CCD_HOST_NAME_OFFSET 40u
#define CCD_RESEND_LIMIT_OFFSET 52u
#define CCD_TTY_OFFSET 56u
#define CCD_PROFILE_OFFSET 88u
#define CCD_DEVICE_OFFSET 120u
#define CCD_PROFILE_DIR_OFFSET 248u
#define CCD_DATA_DIR_OFFSET 504u
#define CCD_DATA_SOCKET_OFFSET 760u
#define CCD_RESERVED_OFFSET 868u

_Static_assert(MANIFOLD_STATE_OFFSET + MANIFOLD_STATE_SIZE + 4 == DATABASE_MANIFOLD_RECORD_SIZE,
	       "manifold state fills the record up to its CRC");
_Static_assert(DETECTOR_STATE_OFFSET + DETECTOR_STATE_SIZE + 4 == DATABASE_DETECTOR_RECORD_SIZE,
	       "detector state fills the record up to its CRC");

int database_fail(struct database_error *err, int r, const char *format, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, format);
		vsnprintf(err->message, sizeof(err->message), format, ap);
		va_end(ap);
	}
	return r;
}

static void put_ref(uint8_t *p, const struct channel_ref *ref)
{
	p[0] = ref->kind;
	p[1] = ref->index;
	p[2] = ref->crate;
	p[3] = ref->card / CARD_ADDRESS_STEP;
}

static void get_ref(const uint8_t *p, struct channel_ref *ref)
{
	ref->kind = p[0];
	ref->index = p[1];
	ref->crate = p[2];
	/* A slot beyond the crate becomes an unaligned address, which
	 * ref_valid() rejects, instead of wrapping to a real one. */
	ref->card = p[3] < CARD_SLOTS ? p[3] * CARD_ADDRESS_STEP : 1;
}

static void seal(uint8_t *buf, uint32_t size)
{
	put_le32(buf + size - 4, crc32_of(buf, size - 4));
}

static void record_start(uint8_t *buf, uint32_t size, enum database_record_kind kind,
			 uint32_t index)
{
	memset(buf, 0, size);
	put_le16(buf, kind);
	put_le32(buf + 4, index);
}

void database_encode_header(const struct database_layout *layout, uint8_t *buf)
{
	memset(buf, 0, DATABASE_HEADER_SIZE);
	memcpy(buf, DATABASE_MAGIC, DATABASE_MAGIC_SIZE);
	put_le32(buf + 8, DATABASE_VERSION);
	put_le32(buf + 12, DATABASE_HEADER_SIZE);
	put_le32(buf + 16, DATABASE_STATION_RECORD_SIZE);
	put_le32(buf + 20, DATABASE_CARD_RECORD_SIZE);
	put_le32(buf + 24, DATABASE_MANIFOLD_RECORD_SIZE);
	put_le32(buf + 28, DATABASE_DETECTOR_RECORD_SIZE);
	put_le16(buf + 32, layout->n_cards);
	put_le16(buf + 34, layout->n_ccds);
	put_le32(buf + 36, layout->n_manifolds);
	put_le32(buf + 40, layout->n_detectors);
	put_le32(buf + 44, layout->configuration_id);
	put_le64(buf + 48, database_file_size(layout));
	put_le16(buf + 56, layout->n_cryostreams);
	put_le16(buf + 58, DATABASE_CRYOSTREAM_RECORD_SIZE);
	seal(buf, DATABASE_HEADER_SIZE);
}

void database_encode_station(const struct station_globals *g, uint8_t *buf)
{
	record_start(buf, DATABASE_STATION_RECORD_SIZE, DATABASE_RECORD_STATION, 0);
	buf[9] = g->slot_zero_usable ? 1 : 0;
	/* The default as 0: a configuration compiled before the setting
	 * existed keeps its bytes, and so its configuration id. */
	buf[10] = g->debounce_readings == DEBOUNCE_READINGS_DEFAULT ? 0 : (uint8_t)g->debounce_readings;
	put_le32(buf + 12, g->scan_rate_millihz);
	put_le32(buf + 16, g->backup_interval_s);
	memcpy(buf + 20, g->operator_group, strnlen(g->operator_group, OPERATOR_GROUP_MAX));
	put_ref(buf + 52, &g->dewar_inhibit);
	put_ref(buf + 56, &g->alarm);
	put_le16(buf + STATION_CRYOSTREAM_LINK_OFFSET, g->cryostream_link.status_port);
	put_le16(buf + STATION_CRYOSTREAM_LINK_OFFSET + 2, g->cryostream_link.command_port);
	put_le32(buf + STATION_CRYOSTREAM_LINK_OFFSET + 4, g->cryostream_link.silence_timeout_s);
	put_le32(buf + STATION_CRYOSTREAM_LINK_OFFSET + 8, g->cryostream_link.command_timeout_s);
	buf[STATION_CRYOSTREAM_FLAGS_OFFSET] =
		g->cryostream_link.ignore_checksum ? CRYOSTREAM_FLAG_IGNORE_CHECKSUM : 0;
	put_le32(buf + STATION_EXHAUST_SAMPLE_RATE_OFFSET,
		 g->exhaust_sample_rate_millihz == EXHAUST_SAMPLE_RATE_MILLIHZ_DEFAULT ? 0 :
		 g->exhaust_sample_rate_millihz);
	seal(buf, DATABASE_STATION_RECORD_SIZE);
}

void database_encode_card(const struct card *c, uint32_t index, uint8_t *buf)
{
	record_start(buf, DATABASE_CARD_RECORD_SIZE, DATABASE_RECORD_CARD, index);
	put_le16(buf + 8, c->address);
	put_le16(buf + 10, c->model);
	buf[12] = c->adc_range;
	buf[13] = c->crate;
	seal(buf, DATABASE_CARD_RECORD_SIZE);
}

void database_encode_manifold(const struct manifold *m, uint32_t index, uint8_t *buf)
{
	record_start(buf, DATABASE_MANIFOLD_RECORD_SIZE, DATABASE_RECORD_MANIFOLD, index);
	memcpy(buf + 8, m->name, strnlen(m->name, MANIFOLD_NAME_MAX));
	put_ref(buf + 12, &m->sensor);
	put_ref(buf + 16, &m->input_valve);
	put_ref(buf + 20, &m->output_valve);
	put_ref(buf + 24, &m->manual_fill_key);
	put_le32(buf + 28, (uint32_t)m->reference_mv);
	put_le32(buf + 32, m->max_fill_s);
	put_le32(buf + 36, m->closure_delay_s);
	memcpy(buf + MANIFOLD_STATE_OFFSET, m->state, MANIFOLD_STATE_SIZE);
	seal(buf, DATABASE_MANIFOLD_RECORD_SIZE);
}

void database_encode_detector(const struct detector *d, uint32_t index, uint8_t *buf)
{
	record_start(buf, DATABASE_DETECTOR_RECORD_SIZE, DATABASE_RECORD_DETECTOR, index);
	put_le32(buf + 8, d->number);
	put_le32(buf + 12, d->manifold);
	put_ref(buf + 16, &d->sensor);
	put_ref(buf + 20, &d->valve);
	put_ref(buf + 24, &d->bias_shutdown);
	put_le32(buf + 28, (uint32_t)d->reference_mv);
	put_le32(buf + 32, d->max_fill_s);
	put_le32(buf + 36, d->closure_delay_s);
	buf[40] = d->n_presets;
	for (unsigned i = 0; i < PRESETS_MAX; i++)
		put_le16(buf + 42 + 2 * i, i < d->n_presets ? d->preset[i] : PRESET_UNUSED);
	memcpy(buf + DETECTOR_STATE_OFFSET, d->state, DETECTOR_STATE_SIZE);
	seal(buf, DATABASE_DETECTOR_RECORD_SIZE);
}

void database_encode_cryostream(const struct cryostream *c, uint32_t index, uint8_t *buf)
{
	record_start(buf, DATABASE_CRYOSTREAM_RECORD_SIZE, DATABASE_RECORD_CRYOSTREAM, index);
	memcpy(buf + 8, c->name, strnlen(c->name, CRYOSTREAM_NAME_MAX));
	put_le16(buf + 40, c->number);
	/* Already in network order: copied as bytes. */
	memcpy(buf + 44, &c->address, 4);
	seal(buf, DATABASE_CRYOSTREAM_RECORD_SIZE);
}

void database_encode_ccd(const struct ccd *c, uint32_t index, uint8_t *buf)
{
	record_start(buf, DATABASE_CCD_RECORD_SIZE, DATABASE_RECORD_CCD, index);
	memcpy(buf + CCD_NAME_OFFSET, c->name, strnlen(c->name, CCD_CONFIG_NAME_MAX));
	memcpy(buf + CCD_HOST_NAME_OFFSET, c->host_name, strnlen(c->host_name, CCD_HOST_NAME_MAX));
	buf[CCD_RESEND_LIMIT_OFFSET] = c->resend_limit;
	memcpy(buf + CCD_TTY_OFFSET, c->tty, strnlen(c->tty, CCD_TTY_MAX));
	memcpy(buf + CCD_PROFILE_OFFSET, c->profile, strnlen(c->profile, CCD_PROFILE_NAME_MAX));
	memcpy(buf + CCD_DEVICE_OFFSET, c->device, strnlen(c->device, CCD_DEVICE_PATH_MAX));
	memcpy(buf + CCD_PROFILE_DIR_OFFSET, c->profile_dir,
	       strnlen(c->profile_dir, CCD_DIR_PATH_MAX));
	memcpy(buf + CCD_DATA_DIR_OFFSET, c->data_dir, strnlen(c->data_dir, CCD_DIR_PATH_MAX));
	memcpy(buf + CCD_DATA_SOCKET_OFFSET, c->data_socket,
	       strnlen(c->data_socket, CCD_SOCKET_PATH_MAX));
	seal(buf, DATABASE_CCD_RECORD_SIZE);
}

uint32_t database_configuration_id(const struct station *s)
{
	uint8_t buf[DATABASE_RECORD_SIZE_MAX];
	uint32_t crc;

	/* Bytes from 8 (after kind and index) up to the presets / run state. */
	database_encode_station(&s->globals, buf);
	crc = crc32_update(0, buf + RECORD_DATA_START,
			   DATABASE_STATION_RECORD_SIZE - 4 - RECORD_DATA_START);
	for (size_t i = 0; i < s->n_cards; i++) {
		database_encode_card(&s->cards[i], i, buf);
		crc = crc32_update(crc, buf + RECORD_DATA_START,
				   DATABASE_CARD_RECORD_SIZE - 4 - RECORD_DATA_START);
	}
	for (size_t i = 0; i < s->n_manifolds; i++) {
		database_encode_manifold(&s->manifolds[i], i, buf);
		crc = crc32_update(crc, buf + RECORD_DATA_START,
				   MANIFOLD_STATE_OFFSET - RECORD_DATA_START);
	}
	for (size_t i = 0; i < s->n_detectors; i++) {
		database_encode_detector(&s->detectors[i], i, buf);
		crc = crc32_update(crc, buf + RECORD_DATA_START,
				   DETECTOR_PRESETS_OFFSET - RECORD_DATA_START);
	}
	for (size_t i = 0; i < s->n_cryostreams; i++) {
		database_encode_cryostream(&s->cryostreams[i], i, buf);
		crc = crc32_update(crc, buf + RECORD_DATA_START,
				   DATABASE_CRYOSTREAM_RECORD_SIZE - 4 - RECORD_DATA_START);
	}
	for (size_t i = 0; i < s->n_ccds; i++) {
		database_encode_ccd(&s->ccds[i], i, buf);
		crc = crc32_update(crc, buf + RECORD_DATA_START,
				   DATABASE_CCD_RECORD_SIZE - 4 - RECORD_DATA_START);
	}
	return crc;
}

/* ---------------------------------------------------------------- decoding */

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Checksum, kind, index and the zero bytes every record has. */
static int check_frame(const uint8_t *buf, uint32_t size, enum database_record_kind kind,
		       uint32_t index, uint64_t offset, struct database_error *err)
{
	const char *name = database_record_kind_name(kind);
	uint32_t stored = get_le32(buf + size - 4), computed = crc32_of(buf, size - 4);

	if (stored != computed)
		return database_fail(err, -EBADMSG,
				     "%s record %u at offset %llu: checksum mismatch (stored 0x%08x, computed 0x%08x)",
				     name, index, (unsigned long long)offset, stored, computed);
	if (get_le16(buf) != kind || get_le16(buf + 2) != 0)
		return database_fail(err, -EBADMSG,
				     "%s record %u at offset %llu: holds a record of kind %u",
				     name, index, (unsigned long long)offset, get_le16(buf));
	if (get_le32(buf + 4) != index)
		return database_fail(err, -EBADMSG,
				     "%s record %u at offset %llu: holds record %u (misplaced)",
				     name, index, (unsigned long long)offset, get_le32(buf + 4));
	return 0;
}

static bool ref_valid(const struct channel_ref *ref, uint8_t allowed_kinds)
{
	unsigned limit;

	if (ref->card % CARD_ADDRESS_STEP || ref->card > CARD_ADDRESS_MAX)
		return false;
	switch (ref->kind) {
	case LINE_ADC:
	case LINE_RELAY:
		limit = 32;
		break;
	case LINE_PORT:
		limit = TTL_PORT_LINES;
		break;
	case LINE_IRQ:
	case LINE_FLAG:
		limit = 8;
		break;
	default:
		return false;
	}
	return (allowed_kinds & (1u << ref->kind)) && ref->index < limit;
}

#define KINDS(...) kinds_mask((const uint8_t[]){ __VA_ARGS__, 0 })
static uint8_t kinds_mask(const uint8_t *kinds)
{
	uint8_t m = 0;

	while (*kinds)
		m |= 1u << *kinds++;
	return m;
}

static int bad_value(struct database_error *err, enum database_record_kind kind,
		     uint32_t index, uint64_t offset, const char *what)
{
	return database_fail(err, -EBADMSG, "%s record %u at offset %llu: invalid %s",
			     database_record_kind_name(kind), index,
			     (unsigned long long)offset, what);
}

int database_decode_header(const uint8_t *buf, uint64_t file_size,
			   struct database_layout *ret, struct database_error *err)
{
	struct database_layout layout;
	uint32_t stored, computed, version;

	if (memcmp(buf, DATABASE_MAGIC, DATABASE_MAGIC_SIZE) != 0)
		return database_fail(err, -EBADMSG, "not a stationd database (bad magic)");
	version = get_le32(buf + 8);
	if (version != DATABASE_VERSION)
		return database_fail(err, -EPROTONOSUPPORT,
				     "database version %u is not supported (this build reads version %u)",
				     version, DATABASE_VERSION);
	stored = get_le32(buf + 60);
	computed = crc32_of(buf, 60);
	if (stored != computed)
		return database_fail(err, -EBADMSG,
				     "header: checksum mismatch (stored 0x%08x, computed 0x%08x)",
				     stored, computed);
	if (get_le32(buf + 12) != DATABASE_HEADER_SIZE ||
	    get_le32(buf + 16) != DATABASE_STATION_RECORD_SIZE ||
	    get_le32(buf + 20) != DATABASE_CARD_RECORD_SIZE ||
	    get_le32(buf + 24) != DATABASE_MANIFOLD_RECORD_SIZE ||
	    get_le32(buf + 28) != DATABASE_DETECTOR_RECORD_SIZE)
		return database_fail(err, -EBADMSG, "header: record sizes do not match version %u",
				     DATABASE_VERSION);
	if (get_le16(buf + 58) != DATABASE_CRYOSTREAM_RECORD_SIZE)
		return database_fail(err, -EBADMSG, "header: record sizes do not match version %u",
				     DATABASE_VERSION);
	layout.n_cryostreams = get_le16(buf + 56);
	layout.n_cards = get_le16(buf + 32);
	layout.n_ccds = get_le16(buf + 34);
	layout.n_manifolds = get_le32(buf + 36);
	layout.n_detectors = get_le32(buf + 40);
	layout.configuration_id = get_le32(buf + 44);
	if (layout.n_cards > CARD_SLOTS * (CRATE_MAX + 1))
		return database_fail(err, -EBADMSG,
				     "header: %u cards (at most %u crates of %u slots)",
				     layout.n_cards, CRATE_MAX + 1, CARD_SLOTS);
	if (layout.n_manifolds > 26 * 27)
		return database_fail(err, -EBADMSG, "header: %u manifolds (at most %u)",
				     layout.n_manifolds, 26 * 27);
	if (layout.n_detectors > DETECTOR_NUMBER_MAX)
		return database_fail(err, -EBADMSG, "header: %u detectors (at most %u)",
				     layout.n_detectors, DETECTOR_NUMBER_MAX);
	if (layout.n_cryostreams > CRYOSTREAMS_MAX)
		return database_fail(err, -EBADMSG, "header: %u cryostreams (at most %u)",
				     layout.n_cryostreams, CRYOSTREAMS_MAX);
	if (layout.n_ccds > CCDS_MAX)
		return database_fail(err, -EBADMSG, "header: %u ccds (at most %u)",
				     layout.n_ccds, CCDS_MAX);
	if (get_le64(buf + 48) != database_file_size(&layout))
		return database_fail(err, -EBADMSG,
				     "header: file size %llu does not match the record counts (%llu)",
				     (unsigned long long)get_le64(buf + 48),
				     (unsigned long long)database_file_size(&layout));
	if (file_size != database_file_size(&layout))
		return database_fail(err, -EBADMSG,
				     "file is %llu bytes, the header says %llu (truncated or extended)",
				     (unsigned long long)file_size,
				     (unsigned long long)database_file_size(&layout));
	*ret = layout;
	return 0;
}

int database_decode_station(const uint8_t *buf, uint64_t offset, struct station_globals *ret,
			    struct database_error *err)
{
	const enum database_record_kind k = DATABASE_RECORD_STATION;
	struct station_globals g = {};
	int r;

	r = check_frame(buf, DATABASE_STATION_RECORD_SIZE, k, 0, offset, err);
	if (r < 0)
		return r;
	if (buf[8] || buf[11] || !all_zero(buf + STATION_CRYOSTREAM_FLAGS_OFFSET + 1, 3) ||
	    !all_zero(buf + STATION_RESERVED_OFFSET,
		      DATABASE_STATION_RECORD_SIZE - 4 - STATION_RESERVED_OFFSET) || buf[9] > 1 ||
	    (buf[STATION_CRYOSTREAM_FLAGS_OFFSET] & ~CRYOSTREAM_FLAG_IGNORE_CHECKSUM))
		return bad_value(err, k, 0, offset, "reserved bytes");
	g.slot_zero_usable = buf[9];
	g.debounce_readings = buf[10] ? buf[10] : DEBOUNCE_READINGS_DEFAULT;
	if (g.debounce_readings > DEBOUNCE_READINGS_MAX)
		return bad_value(err, k, 0, offset, "debounce readings");
	g.exhaust_sample_rate_millihz = get_le32(buf + STATION_EXHAUST_SAMPLE_RATE_OFFSET);
	if (!g.exhaust_sample_rate_millihz)
		g.exhaust_sample_rate_millihz = EXHAUST_SAMPLE_RATE_MILLIHZ_DEFAULT;
	if (g.exhaust_sample_rate_millihz < EXHAUST_SAMPLE_RATE_MILLIHZ_MIN ||
	    g.exhaust_sample_rate_millihz > EXHAUST_SAMPLE_RATE_MILLIHZ_MAX)
		return bad_value(err, k, 0, offset, "exhaust sample rate");
	g.scan_rate_millihz = get_le32(buf + 12);
	g.backup_interval_s = get_le32(buf + 16);
	if (g.scan_rate_millihz < SCAN_RATE_MILLIHZ_MIN || g.scan_rate_millihz > SCAN_RATE_MILLIHZ_MAX)
		return bad_value(err, k, 0, offset, "scan rate");
	if (g.backup_interval_s < BACKUP_INTERVAL_MIN_S || g.backup_interval_s > BACKUP_INTERVAL_MAX_S)
		return bad_value(err, k, 0, offset, "backup interval");
	memcpy(g.operator_group, buf + 20, OPERATOR_GROUP_MAX);
	if (buf[20 + OPERATOR_GROUP_MAX] || !g.operator_group[0])
		return bad_value(err, k, 0, offset, "operator group");
	get_ref(buf + 52, &g.dewar_inhibit);
	get_ref(buf + 56, &g.alarm);
	if (!ref_valid(&g.dewar_inhibit, KINDS(LINE_PORT, LINE_FLAG)))
		return bad_value(err, k, 0, offset, "dewar-inhibit line");
	if (!ref_valid(&g.alarm, KINDS(LINE_FLAG)))
		return bad_value(err, k, 0, offset, "alarm line");
	g.cryostream_link.status_port = get_le16(buf + STATION_CRYOSTREAM_LINK_OFFSET);
	g.cryostream_link.command_port = get_le16(buf + STATION_CRYOSTREAM_LINK_OFFSET + 2);
	g.cryostream_link.silence_timeout_s = get_le32(buf + STATION_CRYOSTREAM_LINK_OFFSET + 4);
	g.cryostream_link.command_timeout_s = get_le32(buf + STATION_CRYOSTREAM_LINK_OFFSET + 8);
	g.cryostream_link.ignore_checksum =
		buf[STATION_CRYOSTREAM_FLAGS_OFFSET] & CRYOSTREAM_FLAG_IGNORE_CHECKSUM;
	if (!g.cryostream_link.status_port || !g.cryostream_link.command_port)
		return bad_value(err, k, 0, offset, "cryostream UDP port");
	if (g.cryostream_link.silence_timeout_s < CRYOSTREAM_SILENCE_MIN_S ||
	    g.cryostream_link.silence_timeout_s > CRYOSTREAM_SILENCE_MAX_S)
		return bad_value(err, k, 0, offset, "cryostream silence timeout");
	if (g.cryostream_link.command_timeout_s < CRYOSTREAM_COMMAND_TIMEOUT_MIN_S ||
	    g.cryostream_link.command_timeout_s > CRYOSTREAM_COMMAND_TIMEOUT_MAX_S)
		return bad_value(err, k, 0, offset, "cryostream command timeout");
	*ret = g;
	return 0;
}

int database_decode_card(const uint8_t *buf, uint32_t index, uint64_t offset,
			 struct card *ret, struct database_error *err)
{
	const enum database_record_kind k = DATABASE_RECORD_CARD;
	struct card c = {};
	int r;

	r = check_frame(buf, DATABASE_CARD_RECORD_SIZE, k, index, offset, err);
	if (r < 0)
		return r;
	if (!all_zero(buf + 14, 14))
		return bad_value(err, k, index, offset, "reserved bytes");
	c.crate = buf[13];
	c.address = get_le16(buf + 8);
	c.model = get_le16(buf + 10);
	c.adc_range = buf[12];
	if (c.address % CARD_ADDRESS_STEP || c.address > CARD_ADDRESS_MAX)
		return bad_value(err, k, index, offset, "card address");
	if (!card_model_name(c.model))
		return bad_value(err, k, index, offset, "card model");
	if (c.adc_range > ADC_RANGE_UNIPOLAR || (c.model != CARD_XVME560 && c.adc_range))
		return bad_value(err, k, index, offset, "ADC range");
	*ret = c;
	return 0;
}

static bool reference_valid(int32_t mv)
{
	return mv >= ADC_MILLIVOLTS_MIN_BIPOLAR && mv <= ADC_MILLIVOLTS_MAX;
}

int database_decode_manifold(const uint8_t *buf, uint32_t index, uint64_t offset,
			     struct manifold *ret, struct database_error *err)
{
	const enum database_record_kind k = DATABASE_RECORD_MANIFOLD;
	struct manifold m = {};
	int r;

	r = check_frame(buf, DATABASE_MANIFOLD_RECORD_SIZE, k, index, offset, err);
	if (r < 0)
		return r;
	if (!all_zero(buf + 40, MANIFOLD_STATE_OFFSET - 40) || buf[10] || buf[11])
		return bad_value(err, k, index, offset, "reserved bytes");
	memcpy(m.name, buf + 8, MANIFOLD_NAME_MAX);
	if (!manifold_name_valid(m.name, strlen(m.name)))
		return bad_value(err, k, index, offset, "manifold name");
	get_ref(buf + 12, &m.sensor);
	get_ref(buf + 16, &m.input_valve);
	get_ref(buf + 20, &m.output_valve);
	get_ref(buf + 24, &m.manual_fill_key);
	if (!ref_valid(&m.sensor, KINDS(LINE_ADC)) ||
	    !ref_valid(&m.input_valve, KINDS(LINE_RELAY)) ||
	    !ref_valid(&m.output_valve, KINDS(LINE_RELAY)) ||
	    !ref_valid(&m.manual_fill_key, KINDS(LINE_PORT, LINE_IRQ)))
		return bad_value(err, k, index, offset, "channel reference");
	m.reference_mv = (int32_t)get_le32(buf + 28);
	m.max_fill_s = get_le32(buf + 32);
	m.closure_delay_s = get_le32(buf + 36);
	if (!reference_valid(m.reference_mv))
		return bad_value(err, k, index, offset, "reference voltage");
	if (m.max_fill_s < MAX_FILL_MIN_S || m.max_fill_s > MAX_FILL_MAX_S)
		return bad_value(err, k, index, offset, "maximum fill time");
	if (m.closure_delay_s > CLOSURE_DELAY_MAX_S)
		return bad_value(err, k, index, offset, "closure delay");
	memcpy(m.state, buf + MANIFOLD_STATE_OFFSET, MANIFOLD_STATE_SIZE);
	*ret = m;
	return 0;
}

int database_decode_detector(const uint8_t *buf, uint32_t index, uint64_t offset,
			     struct detector *ret, struct database_error *err)
{
	const enum database_record_kind k = DATABASE_RECORD_DETECTOR;
	struct detector d = {};
	int r;

	r = check_frame(buf, DATABASE_DETECTOR_RECORD_SIZE, k, index, offset, err);
	if (r < 0)
		return r;
	if (buf[41] || !all_zero(buf + 50, DETECTOR_STATE_OFFSET - 50))
		return bad_value(err, k, index, offset, "reserved bytes");
	d.number = get_le32(buf + 8);
	if (d.number < DETECTOR_NUMBER_MIN || d.number > DETECTOR_NUMBER_MAX)
		return bad_value(err, k, index, offset, "detector number");
	d.manifold = get_le32(buf + 12);
	get_ref(buf + 16, &d.sensor);
	get_ref(buf + 20, &d.valve);
	get_ref(buf + 24, &d.bias_shutdown);
	if (!ref_valid(&d.sensor, KINDS(LINE_ADC)) || !ref_valid(&d.valve, KINDS(LINE_RELAY)) ||
	    !ref_valid(&d.bias_shutdown, KINDS(LINE_PORT, LINE_IRQ)))
		return bad_value(err, k, index, offset, "channel reference");
	d.reference_mv = (int32_t)get_le32(buf + 28);
	d.max_fill_s = get_le32(buf + 32);
	d.closure_delay_s = get_le32(buf + 36);
	if (!reference_valid(d.reference_mv))
		return bad_value(err, k, index, offset, "reference voltage");
	if (d.max_fill_s < MAX_FILL_MIN_S || d.max_fill_s > MAX_FILL_MAX_S)
		return bad_value(err, k, index, offset, "maximum fill time");
	if (d.closure_delay_s > CLOSURE_DELAY_MAX_S)
		return bad_value(err, k, index, offset, "closure delay");
	d.n_presets = buf[40];
	if (d.n_presets > PRESETS_MAX)
		return bad_value(err, k, index, offset, "preset count");
	for (unsigned i = 0; i < PRESETS_MAX; i++) {
		uint16_t t = get_le16(buf + 42 + 2 * i);

		if (i >= d.n_presets) {
			if (t != PRESET_UNUSED)
				return bad_value(err, k, index, offset, "unused preset slot");
			continue;
		}
		if (t >= MINUTES_PER_DAY || (i > 0 && t <= d.preset[i - 1]))
			return bad_value(err, k, index, offset, "preset time");
		d.preset[i] = t;
	}
	memcpy(d.state, buf + DETECTOR_STATE_OFFSET, DETECTOR_STATE_SIZE);
	*ret = d;
	return 0;
}

int database_decode_cryostream(const uint8_t *buf, uint32_t index, uint64_t offset,
			       struct cryostream *ret, struct database_error *err)
{
	const enum database_record_kind k = DATABASE_RECORD_CRYOSTREAM;
	struct cryostream c = {};
	uint32_t host;
	int r;

	r = check_frame(buf, DATABASE_CRYOSTREAM_RECORD_SIZE, k, index, offset, err);
	if (r < 0)
		return r;
	if (get_le16(buf + 42) ||
	    !all_zero(buf + CRYOSTREAM_RESERVED_OFFSET,
		      DATABASE_CRYOSTREAM_RECORD_SIZE - 4 - CRYOSTREAM_RESERVED_OFFSET))
		return bad_value(err, k, index, offset, "reserved bytes");
	memcpy(c.name, buf + 8, CRYOSTREAM_NAME_MAX);
	if (!cryostream_name_valid(c.name, strlen(c.name)))
		return bad_value(err, k, index, offset, "cryostream name");
	c.number = get_le16(buf + 40);
	memcpy(&c.address, buf + 44, 4);
	host = ntohl(c.address);
	if (host == INADDR_BROADCAST || IN_MULTICAST(host))
		return bad_value(err, k, index, offset, "command address");
	*ret = c;
	return 0;
}

/* A NUL-padded text field: at most max characters, the rest zero. */
static bool get_text(const uint8_t *field, size_t size, size_t max, char *out)
{
	size_t n = strnlen((const char *)field, size);

	if (n > max || !all_zero(field + n, size - n))
		return false;
	memcpy(out, field, n);
	out[n] = '\0';
	return true;
}

static bool text_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

int database_decode_ccd(const uint8_t *buf, uint32_t index, uint64_t offset, struct ccd *ret,
			struct database_error *err)
{
	const enum database_record_kind k = DATABASE_RECORD_CCD;
	struct ccd c = {};
	int r;

	r = check_frame(buf, DATABASE_CCD_RECORD_SIZE, k, index, offset, err);
	if (r < 0)
		return r;
	if (buf[53] || get_le16(buf + 54) ||
	    !all_zero(buf + CCD_RESERVED_OFFSET, DATABASE_CCD_RECORD_SIZE - 4 - CCD_RESERVED_OFFSET))
		return bad_value(err, k, index, offset, "reserved bytes");
	if (!get_text(buf + CCD_NAME_OFFSET, 32, CCD_CONFIG_NAME_MAX, c.name) ||
	    !ccd_config_name_valid(c.name, strlen(c.name)))
		return bad_value(err, k, index, offset, "ccd name");
	if (!get_text(buf + CCD_HOST_NAME_OFFSET, 12, CCD_HOST_NAME_MAX, c.host_name) ||
	    !c.host_name[0] || strspn(c.host_name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") !=
	    strlen(c.host_name))
		return bad_value(err, k, index, offset, "host name");
	c.resend_limit = buf[CCD_RESEND_LIMIT_OFFSET];
	if (c.resend_limit > CCD_RESEND_LIMIT_MAX)
		return bad_value(err, k, index, offset, "resend limit");
	if (!get_text(buf + CCD_TTY_OFFSET, 32, CCD_TTY_MAX, c.tty) || strchr(c.tty, '/') ||
	    !get_text(buf + CCD_PROFILE_OFFSET, 32, CCD_PROFILE_NAME_MAX, c.profile) ||
	    strchr(c.profile, '/') ||
	    !get_text(buf + CCD_DEVICE_OFFSET, 128, CCD_DEVICE_PATH_MAX, c.device) ||
	    !get_text(buf + CCD_PROFILE_DIR_OFFSET, 256, CCD_DIR_PATH_MAX, c.profile_dir) ||
	    !get_text(buf + CCD_DATA_DIR_OFFSET, 256, CCD_DIR_PATH_MAX, c.data_dir) ||
	    !get_text(buf + CCD_DATA_SOCKET_OFFSET, 108, CCD_SOCKET_PATH_MAX, c.data_socket) ||
	    !text_printable(c.tty) || !text_printable(c.profile) || !text_printable(c.device) ||
	    !text_printable(c.profile_dir) || !text_printable(c.data_dir) ||
	    !text_printable(c.data_socket))
		return bad_value(err, k, index, offset, "text field");
	/* The line: by tty or by device, not both; paths absolute. */
	if (!c.tty[0] == !c.device[0] || (c.device[0] && c.device[0] != '/') ||
	    c.profile_dir[0] != '/' || (c.data_dir[0] && c.data_dir[0] != '/') ||
	    (c.data_socket[0] && c.data_socket[0] != '/'))
		return bad_value(err, k, index, offset, "line or path");
	*ret = c;
	return 0;
}
