// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration parser. One token of lookahead; a statement ends at a
 * newline or ';'. After an error the parser skips to the end of the
 * statement (or key), so one typo yields one message and the rest of the
 * file is still checked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/autofill/schedule.h"
#include "daemon/config/lexer.h"
#include "daemon/config/parser.h"
#include "daemon/config/symbols.h"
#include "daemon/config/values.h"
#include "daemon/shared/macro.h"

struct parser {
	struct station *station;
	const struct config_loader *loader;
	struct diagnostics *diagnostics;
	struct symbol_table symbols;
	const char *include_stack[INCLUDE_DEPTH_MAX + 1];	/* identities */
	unsigned depth;
	uint32_t *detector_by_number;	/* index + 1 of each number's detector, 0: none */
	bool have_station_block;
	struct source_location station_block_at;
	bool have_cryostream_link_block;
	struct source_location cryostream_link_block_at;
	int failure;			/* first hard failure (-ENOMEM) */

	/* per file */
	struct lexer lexer;
	struct token token;		/* current token */
	const char *file;		/* interned name of the file being parsed */
};

static void next(struct parser *p)
{
	lexer_next(&p->lexer, &p->token);
}

static bool at_end_of_statement(const struct parser *p)
{
	return p->token.type == TOKEN_NEWLINE || p->token.type == TOKEN_SEMICOLON ||
		p->token.type == TOKEN_END;
}

/* Skip the rest of a statement, including any block it opened. */
static void skip_statement(struct parser *p)
{
	int depth = 0;

	for (;;) {
		if (p->token.type == TOKEN_END)
			return;
		if (depth == 0 && (p->token.type == TOKEN_NEWLINE || p->token.type == TOKEN_SEMICOLON))
			return;
		if (p->token.type == TOKEN_LBRACE)
			depth++;
		else if (p->token.type == TOKEN_RBRACE && depth > 0)
			depth--;
		next(p);
	}
}

/* Skip the rest of a key inside a block, stopping before its '}'. */
static void skip_key(struct parser *p)
{
	while (!at_end_of_statement(p) && p->token.type != TOKEN_RBRACE)
		next(p);
}

static bool token_is(const struct token *t, const char *word)
{
	return t->type == TOKEN_WORD && strlen(word) == t->length &&
		memcmp(t->text, word, t->length) == 0;
}

static void error_unexpected(struct parser *p, const char *expected)
{
	if (p->token.type == TOKEN_WORD || p->token.type == TOKEN_STRING)
		diagnostic_error(p->diagnostics, &p->token.at, "expected %s, found '%.*s'",
				 expected, (int)p->token.length, p->token.text);
	else
		diagnostic_error(p->diagnostics, &p->token.at, "expected %s, found %s",
				 expected, token_type_name(p->token.type));
}

/*
 * Take the current token as a value: a word or string, with a symbol
 * replaced by its definition. Returns false (and reports) for anything else.
 */
static bool take_value(struct parser *p, const char *what, struct token *ret)
{
	struct token t = p->token;

	if (t.type != TOKEN_WORD && t.type != TOKEN_STRING) {
		error_unexpected(p, what);
		return false;
	}
	if (t.type == TOKEN_WORD && symbol_name_valid(t.text, t.length)) {
		const struct symbol *sym = symbol_lookup(&p->symbols, t.text, t.length);

		if (sym) {
			t.type = sym->is_string ? TOKEN_STRING : TOKEN_WORD;
			t.text = sym->value;
			t.length = strlen(sym->value);
		}
	}
	*ret = t;
	next(p);
	return true;
}

static bool take_word(struct parser *p, const char *what, struct token *ret)
{
	if (!take_value(p, what, ret))
		return false;
	if (ret->type != TOKEN_WORD) {
		diagnostic_error(p->diagnostics, &ret->at, "expected %s, found a string", what);
		return false;
	}
	return true;
}

static bool expect(struct parser *p, enum token_type type)
{
	if (p->token.type != type) {
		error_unexpected(p, token_type_name(type));
		return false;
	}
	next(p);
	return true;
}

/* A word that should be a plain number but is an unknown identifier is
 * most likely a symbol that was never defined: say so. */
static void error_bad_value(struct parser *p, const struct token *t, const char *what,
			    const char *why)
{
	if (symbol_name_valid(t->text, t->length) &&
	    !(t->text[0] >= '0' && t->text[0] <= '9'))
		diagnostic_error(p->diagnostics, &t->at, "%s '%.*s' is not defined as a symbol",
				 what, (int)t->length, t->text);
	else
		diagnostic_error(p->diagnostics, &t->at, "%s '%.*s' %s", what, (int)t->length,
				 t->text, why);
}

static bool parse_number(struct parser *p, const char *what, uint64_t min, uint64_t max,
			 uint64_t *ret)
{
	struct token t;
	const char *why = NULL;
	uint64_t v;

	if (!take_word(p, what, &t))
		return false;
	if (value_parse_integer(t.text, t.length, UINT64_MAX / 2, &v, &why) < 0) {
		error_bad_value(p, &t, what, why);
		return false;
	}
	if (v < min || v > max) {
		diagnostic_error(p->diagnostics, &t.at, "%s %.*s is out of range (%llu-%llu)",
				 what, (int)t.length, t.text, (unsigned long long)min,
				 (unsigned long long)max);
		return false;
	}
	*ret = v;
	return true;
}

/*
 * A card: "0x0c00" (an A16 address in crate xvme0) or "xvme1-0c00" (the
 * card's device name: crate and address).
 */
static bool parse_card_address(struct parser *p, uint8_t *crate, uint16_t *address,
			       struct source_location *at)
{
	const char *why = NULL;
	struct token t;
	uint64_t c = 0, v;

	*at = p->token.at;
	if (!take_word(p, "a card address", &t))
		return false;
	if (t.length > 4 && memcmp(t.text, "xvme", 4) == 0) {
		const char *dash = memchr(t.text, '-', t.length);
		size_t digits = dash ? (size_t)(t.text + t.length - dash - 1) : 0;

		if (!dash || digits == 0 || digits > 4 ||
		    value_parse_integer(t.text + 4, dash - t.text - 4, CRATE_MAX, &c, &why) < 0) {
			diagnostic_error(p->diagnostics, &t.at,
					 "card '%.*s' is not a card name xvme<crate>-<address>, e.g. xvme0-0c00",
					 (int)t.length, t.text);
			return false;
		}
		v = 0;
		for (const char *h = dash + 1; h < t.text + t.length; h++) {
			int d = (*h >= '0' && *h <= '9') ? *h - '0' :
				(*h >= 'a' && *h <= 'f') ? *h - 'a' + 10 :
				(*h >= 'A' && *h <= 'F') ? *h - 'A' + 10 : -1;

			if (d < 0) {
				diagnostic_error(p->diagnostics, &t.at,
						 "card '%.*s' is not a card name xvme<crate>-<address>, e.g. xvme0-0c00",
						 (int)t.length, t.text);
				return false;
			}
			v = v * 16 + d;
		}
	} else if (value_parse_integer(t.text, t.length, UINT64_MAX / 2, &v, &why) < 0) {
		error_bad_value(p, &t, "card address", why);
		return false;
	}
	if (v > CARD_ADDRESS_MAX || v % CARD_ADDRESS_STEP) {
		diagnostic_error(p->diagnostics, &t.at,
				 "card address 0x%04llx is not an A16 card address (0x0000, 0x0400, ... 0xfc00)",
				 (unsigned long long)v);
		return false;
	}
	*crate = c;
	*address = v;
	return true;
}

/* What a key expects after "address:". */
enum line_class {
	CLASS_ADC,		/* N: XVME-560 channel */
	CLASS_RELAY,		/* N: XVME-260 relay */
	CLASS_TTL_INPUT,	/* portP.B or irqN */
	CLASS_TTL_OUTPUT,	/* portP.B or flagN */
	CLASS_TTL_FLAG,		/* flagN */
};

static bool parse_prefixed_index(const struct token *t, const char *prefix, unsigned max,
				 unsigned *ret)
{
	size_t n = strlen(prefix);
	uint64_t v;
	const char *why;

	if (t->length <= n || memcmp(t->text, prefix, n) != 0)
		return false;
	if (value_parse_integer(t->text + n, t->length - n, 255, &v, &why) < 0 || v > max)
		return false;
	*ret = v;
	return true;
}

static bool parse_port_line(const struct token *t, unsigned *ret)
{
	/* "portP.B" */
	if (t->length != 7 || memcmp(t->text, "port", 4) != 0 || t->text[5] != '.' ||
	    t->text[4] < '0' || t->text[4] > '7' || t->text[6] < '0' || t->text[6] > '7')
		return false;
	*ret = (t->text[4] - '0') * 8 + (t->text[6] - '0');
	return true;
}

static bool parse_channel_ref(struct parser *p, const char *key, enum line_class class,
			      struct channel_ref *ref)
{
	struct source_location at;
	struct token t;
	unsigned index;
	uint64_t v;
	const char *why;

	if (!parse_card_address(p, &ref->crate, &ref->card, &at))
		return false;
	if (p->token.type != TOKEN_COLON) {
		error_unexpected(p, "':' and a channel after the card address");
		return false;
	}
	next(p);
	if (!take_word(p, "channel", &t))
		return false;

	switch (class) {
	case CLASS_ADC:
	case CLASS_RELAY:
		if (value_parse_integer(t.text, t.length, 255, &v, &why) < 0 || v > 31) {
			diagnostic_error(p->diagnostics, &t.at,
					 "%s: '%.*s' is not a %s number 0-31", key, (int)t.length,
					 t.text, class == CLASS_ADC ? "XVME-560 channel" : "XVME-260 relay");
			return false;
		}
		ref->kind = class == CLASS_ADC ? LINE_ADC : LINE_RELAY;
		ref->index = v;
		return true;
	case CLASS_TTL_INPUT:
		if (parse_port_line(&t, &index)) {
			ref->kind = LINE_PORT;
		} else if (parse_prefixed_index(&t, "irq", 7, &index)) {
			ref->kind = LINE_IRQ;
		} else {
			diagnostic_error(p->diagnostics, &t.at,
					 "%s: '%.*s' is not a XVME-240 input (port0.0-port7.7 or irq0-irq7)",
					 key, (int)t.length, t.text);
			return false;
		}
		break;
	case CLASS_TTL_OUTPUT:
		if (parse_port_line(&t, &index)) {
			ref->kind = LINE_PORT;
		} else if (parse_prefixed_index(&t, "flag", 7, &index)) {
			ref->kind = LINE_FLAG;
		} else {
			diagnostic_error(p->diagnostics, &t.at,
					 "%s: '%.*s' is not a XVME-240 output (port0.0-port7.7 or flag0-flag7)",
					 key, (int)t.length, t.text);
			return false;
		}
		break;
	case CLASS_TTL_FLAG:
		if (!parse_prefixed_index(&t, "flag", 7, &index)) {
			diagnostic_error(p->diagnostics, &t.at,
					 "%s: '%.*s' is not a XVME-240 flag output (flag0-flag7)",
					 key, (int)t.length, t.text);
			return false;
		}
		ref->kind = LINE_FLAG;
		break;
	}
	ref->index = index;
	return true;
}

static bool parse_voltage(struct parser *p, const char *key, int32_t *ret)
{
	struct token t;
	const char *why;

	if (!take_word(p, "a voltage", &t))
		return false;
	if (value_parse_voltage(t.text, t.length, ret, &why) < 0) {
		error_bad_value(p, &t, key, why);
		return false;
	}
	/* The card's own range is checked once cards are known. */
	if (*ret < ADC_MILLIVOLTS_MIN_BIPOLAR || *ret > ADC_MILLIVOLTS_MAX) {
		diagnostic_error(p->diagnostics, &t.at,
				 "%s %.*s is outside every XVME-560 range (-10V to +9.995V)",
				 key, (int)t.length, t.text);
		return false;
	}
	return true;
}

static bool parse_duration(struct parser *p, const char *key, uint32_t min, uint32_t max,
			   uint32_t *ret)
{
	char lo[VALUE_STRING_MAX], hi[VALUE_STRING_MAX];
	struct token t;
	const char *why;

	if (!take_word(p, "a duration", &t))
		return false;
	if (value_parse_duration(t.text, t.length, ret, &why) < 0) {
		error_bad_value(p, &t, key, why);
		return false;
	}
	if (*ret < min || *ret > max) {
		diagnostic_error(p->diagnostics, &t.at, "%s %.*s is out of range (%s-%s)", key,
				 (int)t.length, t.text, value_format_duration(min, lo),
				 value_format_duration(max, hi));
		return false;
	}
	return true;
}

static bool parse_rate(struct parser *p, const char *key, uint32_t min, uint32_t max,
		       const char *range, uint32_t *ret)
{
	struct token t;
	const char *why;

	if (!take_word(p, "a frequency", &t))
		return false;
	if (value_parse_frequency(t.text, t.length, ret, &why) < 0) {
		error_bad_value(p, &t, key, why);
		return false;
	}
	if (*ret < min || *ret > max) {
		diagnostic_error(p->diagnostics, &t.at, "%s %.*s is out of range (%s)", key,
				 (int)t.length, t.text, range);
		return false;
	}
	return true;
}

/* "HH:MM" arrives as three tokens: word ':' word. */
static bool parse_clock_time(struct parser *p, uint16_t *ret, struct source_location *at)
{
	struct token hours, minutes = { .text = "", .length = 0 };
	bool have_minutes = false;
	char text[16];
	const char *why;

	*at = p->token.at;
	if (!take_word(p, "a time HH:MM", &hours))
		return false;
	if (p->token.type == TOKEN_COLON) {
		next(p);
		if (!take_word(p, "minutes", &minutes))
			return false;
		have_minutes = true;
	}
	if (!have_minutes || hours.length != 2 || minutes.length != 2) {
		diagnostic_error(p->diagnostics, at,
				 "preset '%.*s%s%.*s' is not a time of day HH:MM (two digits each)",
				 (int)hours.length, hours.text, have_minutes ? ":" : "",
				 (int)minutes.length, minutes.text);
		return false;
	}
	snprintf(text, sizeof(text), "%.2s:%.2s", hours.text, minutes.text);
	if (schedule_parse_clock_time(text, ret, &why) < 0) {
		diagnostic_error(p->diagnostics, at, "preset %s %s", text, why);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ blocks */

enum key_type {
	KEY_ADC,
	KEY_RELAY,
	KEY_TTL_INPUT,
	KEY_TTL_OUTPUT,
	KEY_TTL_FLAG,
	KEY_VOLTAGE,
	KEY_MAX_FILL,
	KEY_CLOSURE_DELAY,
	KEY_SCAN_RATE,
	KEY_BACKUP_INTERVAL,
	KEY_YES_NO,
	KEY_GROUP,
	KEY_MANIFOLD_NAME,
	KEY_PRESETS,
	KEY_UDP_PORT,
	KEY_SILENCE_TIMEOUT,
	KEY_COMMAND_TIMEOUT,
	KEY_CRYOSTREAM_NUMBER,
	KEY_DEBOUNCE_READINGS,
	KEY_EXHAUST_SAMPLE_RATE,
	KEY_IPV4_ADDRESS,
	KEY_CHECKSUM,
	KEY_CCD_TTY,
	KEY_CCD_PROFILE,
	KEY_UNET_NAME,
	KEY_DEVICE_PATH,
	KEY_DIR_PATH,
	KEY_SOCKET_PATH,
	KEY_RESEND_LIMIT,
};

struct key {
	const char *name;
	enum key_type type;
	unsigned field;
	size_t offset;		/* of the value in the block's struct */
};

#define KEY(n, t, f, s, m) { n, t, f, offsetof(s, m) }

static const struct key station_keys[] = {
	KEY("slot-zero", KEY_YES_NO, STATION_SLOT_ZERO, struct station_globals, slot_zero_usable),
	KEY("scan-rate", KEY_SCAN_RATE, STATION_SCAN_RATE, struct station_globals, scan_rate_millihz),
	KEY("backup-interval", KEY_BACKUP_INTERVAL, STATION_BACKUP_INTERVAL,
	    struct station_globals, backup_interval_s),
	KEY("operator-group", KEY_GROUP, STATION_OPERATOR_GROUP, struct station_globals,
	    operator_group),
	KEY("dewar-inhibit", KEY_TTL_OUTPUT, STATION_DEWAR_INHIBIT, struct station_globals,
	    dewar_inhibit),
	KEY("alarm", KEY_TTL_FLAG, STATION_ALARM, struct station_globals, alarm),
	KEY("debounce-readings", KEY_DEBOUNCE_READINGS, STATION_DEBOUNCE_READINGS,
	    struct station_globals, debounce_readings),
	KEY("exhaust-sample-rate", KEY_EXHAUST_SAMPLE_RATE, STATION_EXHAUST_SAMPLE_RATE,
	    struct station_globals, exhaust_sample_rate_millihz),
};

static const struct key manifold_keys[] = {
	KEY("sensor", KEY_ADC, MANIFOLD_SENSOR, struct manifold, sensor),
	KEY("input-valve", KEY_RELAY, MANIFOLD_INPUT_VALVE, struct manifold, input_valve),
	KEY("output-valve", KEY_RELAY, MANIFOLD_OUTPUT_VALVE, struct manifold, output_valve),
	KEY("manual-fill-key", KEY_TTL_INPUT, MANIFOLD_MANUAL_FILL_KEY, struct manifold,
	    manual_fill_key),
	KEY("reference", KEY_VOLTAGE, MANIFOLD_REFERENCE, struct manifold, reference_mv),
	KEY("max-fill", KEY_MAX_FILL, MANIFOLD_MAX_FILL, struct manifold, max_fill_s),
	KEY("closure-delay", KEY_CLOSURE_DELAY, MANIFOLD_CLOSURE_DELAY, struct manifold,
	    closure_delay_s),
};

static const struct key detector_keys[] = {
	KEY("manifold", KEY_MANIFOLD_NAME, DETECTOR_MANIFOLD, struct detector, manifold_name),
	KEY("sensor", KEY_ADC, DETECTOR_SENSOR, struct detector, sensor),
	KEY("valve", KEY_RELAY, DETECTOR_VALVE, struct detector, valve),
	KEY("bias-shutdown", KEY_TTL_INPUT, DETECTOR_BIAS_SHUTDOWN, struct detector,
	    bias_shutdown),
	KEY("reference", KEY_VOLTAGE, DETECTOR_REFERENCE, struct detector, reference_mv),
	KEY("max-fill", KEY_MAX_FILL, DETECTOR_MAX_FILL, struct detector, max_fill_s),
	KEY("closure-delay", KEY_CLOSURE_DELAY, DETECTOR_CLOSURE_DELAY, struct detector,
	    closure_delay_s),
	KEY("preset", KEY_PRESETS, DETECTOR_PRESET, struct detector, preset),
};

static const struct key cryostream_link_keys[] = {
	KEY("status-port", KEY_UDP_PORT, CRYOSTREAM_LINK_STATUS_PORT, struct cryostream_link,
	    status_port),
	KEY("command-port", KEY_UDP_PORT, CRYOSTREAM_LINK_COMMAND_PORT, struct cryostream_link,
	    command_port),
	KEY("silence-timeout", KEY_SILENCE_TIMEOUT, CRYOSTREAM_LINK_SILENCE_TIMEOUT,
	    struct cryostream_link, silence_timeout_s),
	KEY("command-timeout", KEY_COMMAND_TIMEOUT, CRYOSTREAM_LINK_COMMAND_TIMEOUT,
	    struct cryostream_link, command_timeout_s),
	KEY("checksum", KEY_CHECKSUM, CRYOSTREAM_LINK_CHECKSUM, struct cryostream_link,
	    ignore_checksum),
};

static const struct key cryostream_keys[] = {
	KEY("number", KEY_CRYOSTREAM_NUMBER, CRYOSTREAM_NUMBER, struct cryostream, number),
	KEY("address", KEY_IPV4_ADDRESS, CRYOSTREAM_ADDRESS, struct cryostream, address),
};

static const struct key ccd_keys[] = {
	KEY("tty", KEY_CCD_TTY, CCD_TTY, struct ccd, tty),
	KEY("device", KEY_DEVICE_PATH, CCD_DEVICE, struct ccd, device),
	KEY("profile", KEY_CCD_PROFILE, CCD_PROFILE, struct ccd, profile),
	KEY("profile-dir", KEY_DIR_PATH, CCD_PROFILE_DIR, struct ccd, profile_dir),
	KEY("data-dir", KEY_DIR_PATH, CCD_DATA_DIR, struct ccd, data_dir),
	KEY("data-socket", KEY_SOCKET_PATH, CCD_DATA_SOCKET, struct ccd, data_socket),
	KEY("host-name", KEY_UNET_NAME, CCD_HOST_NAME, struct ccd, host_name),
	KEY("resend-limit", KEY_RESEND_LIMIT, CCD_RESEND_LIMIT, struct ccd, resend_limit),
};

/*
 * A path: a string (or a word without '/'). A relative one is made
 * absolute against the directory of the file it is written in, so the
 * compiled database means the same wherever the daemon runs.
 */
static bool parse_path(struct parser *p, const char *key, char *out, size_t max)
{
	_cleanup_free_ char *text = NULL, *dir = NULL, *absolute = NULL;
	char *slash, real[PATH_MAX];
	struct token t;

	if (!take_value(p, "a path", &t))
		return false;
	text = t.type == TOKEN_STRING ? token_string_value(&t) : strndup(t.text, t.length);
	if (!text) {
		p->failure = -ENOMEM;
		return false;
	}
	if (!text[0]) {
		diagnostic_error(p->diagnostics, &t.at, "%s: empty path", key);
		return false;
	}
	if (text[0] != '/') {
		dir = strdup(p->file);
		if (!dir) {
			p->failure = -ENOMEM;
			return false;
		}
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
		if (!realpath(slash ? dir : ".", real)) {
			diagnostic_error(p->diagnostics, &t.at,
					 "%s: cannot make \"%s\" absolute: the directory of %s: %s",
					 key, text, p->file, strerror(errno));
			return false;
		}
		if (asprintf(&absolute, "%s%s%s", real, strcmp(real, "/") ? "/" : "", text) < 0) {
			absolute = NULL;
			p->failure = -ENOMEM;
			return false;
		}
	}
	if (strlen(absolute ? absolute : text) > max) {
		diagnostic_error(p->diagnostics, &t.at, "%s: path \"%s\" is longer than %zu bytes",
				 key, absolute ? absolute : text, max);
		return false;
	}
	strcpy(out, absolute ? absolute : text);
	return true;
}

/* A word of letters and digits, then also '_', '-' and (allow_dot) '.':
 * a tty or profile name. */
static bool parse_name_word(struct parser *p, const char *key, const char *what, size_t max,
			    bool allow_dot, char *out)
{
	struct token t;

	if (!take_word(p, what, &t))
		return false;
	for (size_t i = 0; i < t.length; i++) {
		char c = t.text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '_' || c == '-' || (allow_dot && c == '.'))))) {
			diagnostic_error(p->diagnostics, &t.at, "%s '%.*s' is not %s", key,
					 (int)t.length, t.text, what);
			return false;
		}
	}
	if (t.length > max) {
		diagnostic_error(p->diagnostics, &t.at, "%s '%.*s' is longer than %zu characters",
				 key, (int)t.length, t.text, max);
		return false;
	}
	memcpy(out, t.text, t.length);
	out[t.length] = '\0';
	return true;
}

/* A command address: a dotted-quad IPv4 address of one host (no names:
 * the daemon must not depend on a resolver to stop a cryostream). */
static bool parse_ipv4_address(struct parser *p, const char *key, uint32_t *ret)
{
	char text[INET_ADDRSTRLEN];
	struct in_addr a;
	struct token t;

	if (!take_word(p, "an IPv4 address", &t))
		return false;
	if (t.length >= sizeof(text)) {
		diagnostic_error(p->diagnostics, &t.at,
				 "%s '%.*s' is not an IPv4 address (a.b.c.d)", key,
				 (int)t.length, t.text);
		return false;
	}
	memcpy(text, t.text, t.length);
	text[t.length] = '\0';
	if (inet_pton(AF_INET, text, &a) != 1) {
		diagnostic_error(p->diagnostics, &t.at,
				 "%s '%s' is not an IPv4 address (a.b.c.d)", key, text);
		return false;
	}
	if (a.s_addr == htonl(INADDR_ANY) || a.s_addr == htonl(INADDR_BROADCAST) ||
	    IN_MULTICAST(ntohl(a.s_addr))) {
		diagnostic_error(p->diagnostics, &t.at,
				 "%s %s is not the address of one controller", key, text);
		return false;
	}
	*ret = a.s_addr;
	return true;
}

static bool parse_group_name(struct parser *p, char *group)
{
	struct token t;

	if (!take_value(p, "a group name", &t))
		return false;
	if (t.length == 0 || t.length > OPERATOR_GROUP_MAX) {
		diagnostic_error(p->diagnostics, &t.at,
				 "operator-group must be 1 to %u characters", OPERATOR_GROUP_MAX);
		return false;
	}
	for (size_t i = 0; i < t.length; i++) {
		char c = t.text[i];

		if (!((c >= 'a' && c <= 'z') || c == '_' ||
		      (i > 0 && ((c >= '0' && c <= '9') || c == '-')))) {
			diagnostic_error(p->diagnostics, &t.at,
					 "operator-group '%.*s' is not a valid group name ([a-z_][a-z0-9_-]*)",
					 (int)t.length, t.text);
			return false;
		}
	}
	memcpy(group, t.text, t.length);
	group[t.length] = '\0';
	return true;
}

static bool parse_presets(struct parser *p, struct detector *d)
{
	struct source_location first_at[PRESETS_MAX];
	bool ok = true;

	d->n_presets = 0;
	while (!at_end_of_statement(p) && p->token.type != TOKEN_RBRACE) {
		struct source_location at;
		uint16_t t;
		unsigned i;

		if (!parse_clock_time(p, &t, &at))
			return false;
		for (i = 0; i < d->n_presets; i++)
			if (d->preset[i] == t)
				break;
		if (i < d->n_presets) {
			char buf[6];

			diagnostic_error(p->diagnostics, &at,
					 "preset time %s given twice (first at column %u)",
					 schedule_format_clock_time(t, buf), first_at[i].column);
			ok = false;
			continue;
		}
		if (d->n_presets == PRESETS_MAX) {
			diagnostic_error(p->diagnostics, &at,
					 "more than %u preset times for detector %u",
					 PRESETS_MAX, d->number);
			return false;
		}
		first_at[d->n_presets] = at;
		d->preset[d->n_presets++] = t;
	}
	/* Keep them ascending: the database order and the display order. */
	for (unsigned i = 1; i < d->n_presets; i++)
		for (unsigned j = i; j > 0 && d->preset[j - 1] > d->preset[j]; j--) {
			uint16_t tmp = d->preset[j];

			d->preset[j] = d->preset[j - 1];
			d->preset[j - 1] = tmp;
		}
	return ok;
}

static bool parse_key_value(struct parser *p, const struct key *key, void *block)
{
	void *value = (char *)block + key->offset;
	struct token t;

	switch (key->type) {
	case KEY_ADC:
		return parse_channel_ref(p, key->name, CLASS_ADC, value);
	case KEY_RELAY:
		return parse_channel_ref(p, key->name, CLASS_RELAY, value);
	case KEY_TTL_INPUT:
		return parse_channel_ref(p, key->name, CLASS_TTL_INPUT, value);
	case KEY_TTL_OUTPUT:
		return parse_channel_ref(p, key->name, CLASS_TTL_OUTPUT, value);
	case KEY_TTL_FLAG:
		return parse_channel_ref(p, key->name, CLASS_TTL_FLAG, value);
	case KEY_VOLTAGE:
		return parse_voltage(p, key->name, value);
	case KEY_MAX_FILL:
		return parse_duration(p, key->name, MAX_FILL_MIN_S, MAX_FILL_MAX_S, value);
	case KEY_CLOSURE_DELAY:
		return parse_duration(p, key->name, 0, CLOSURE_DELAY_MAX_S, value);
	case KEY_BACKUP_INTERVAL:
		return parse_duration(p, key->name, BACKUP_INTERVAL_MIN_S, BACKUP_INTERVAL_MAX_S,
				      value);
	case KEY_SCAN_RATE:
		return parse_rate(p, key->name, SCAN_RATE_MILLIHZ_MIN, SCAN_RATE_MILLIHZ_MAX,
				  "0.1Hz-100Hz", value);
	case KEY_EXHAUST_SAMPLE_RATE:
		return parse_rate(p, key->name, EXHAUST_SAMPLE_RATE_MILLIHZ_MIN,
				  EXHAUST_SAMPLE_RATE_MILLIHZ_MAX, "1Hz-1000Hz", value);
	case KEY_YES_NO:
		if (!take_word(p, "yes or no", &t))
			return false;
		if (token_is(&t, "yes") || token_is(&t, "no")) {
			*(bool *)value = token_is(&t, "yes");
			return true;
		}
		diagnostic_error(p->diagnostics, &t.at, "%s: expected yes or no, found '%.*s'",
				 key->name, (int)t.length, t.text);
		return false;
	case KEY_GROUP:
		return parse_group_name(p, value);
	case KEY_MANIFOLD_NAME:
		if (!take_word(p, "a manifold name", &t))
			return false;
		if (!manifold_name_valid(t.text, t.length)) {
			diagnostic_error(p->diagnostics, &t.at,
					 "manifold name '%.*s' is not 1-2 capital letters (A-Z, AA-ZZ)",
					 (int)t.length, t.text);
			return false;
		}
		memcpy(value, t.text, t.length);
		((char *)value)[t.length] = '\0';
		return true;
	case KEY_PRESETS:
		return parse_presets(p, block);
	case KEY_UDP_PORT: {
		uint64_t port;

		if (!parse_number(p, key->name, 1, 65535, &port))
			return false;
		*(uint16_t *)value = port;
		return true;
	}
	case KEY_SILENCE_TIMEOUT:
		return parse_duration(p, key->name, CRYOSTREAM_SILENCE_MIN_S,
				      CRYOSTREAM_SILENCE_MAX_S, value);
	case KEY_COMMAND_TIMEOUT:
		return parse_duration(p, key->name, CRYOSTREAM_COMMAND_TIMEOUT_MIN_S,
				      CRYOSTREAM_COMMAND_TIMEOUT_MAX_S, value);
	case KEY_CRYOSTREAM_NUMBER: {
		uint64_t number;

		if (!parse_number(p, "cryostream number", 0, CRYOSTREAM_NUMBER_MAX, &number))
			return false;
		*(uint16_t *)value = number;
		return true;
	}
	case KEY_DEBOUNCE_READINGS: {
		uint64_t n;

		if (!parse_number(p, key->name, DEBOUNCE_READINGS_MIN, DEBOUNCE_READINGS_MAX, &n))
			return false;
		*(uint32_t *)value = n;
		return true;
	}
	case KEY_IPV4_ADDRESS:
		return parse_ipv4_address(p, key->name, value);
	case KEY_CHECKSUM:
		if (!take_word(p, "verify or ignore", &t))
			return false;
		if (token_is(&t, "verify") || token_is(&t, "ignore")) {
			*(bool *)value = token_is(&t, "ignore");
			return true;
		}
		diagnostic_error(p->diagnostics, &t.at, "%s: expected verify or ignore, found '%.*s'",
				 key->name, (int)t.length, t.text);
		return false;
	case KEY_CCD_TTY:
		return parse_name_word(p, key->name, "a tty name (ttyS1, pts3)", CCD_TTY_MAX, true,
				       value);
	case KEY_CCD_PROFILE:
		return parse_name_word(p, key->name, "a profile name (the CCD's CCDNAME)",
				       CCD_PROFILE_NAME_MAX, false, value);
	case KEY_UNET_NAME: {
		char *name = value;
		bool valid;

		if (!take_word(p, "a UtilityNet name", &t))
			return false;
		valid = t.length <= CCD_HOST_NAME_MAX;
		for (size_t i = 0; i < t.length; i++)
			if (!((t.text[i] >= 'A' && t.text[i] <= 'Z') ||
			      (t.text[i] >= '0' && t.text[i] <= '9')))
				valid = false;
		if (!valid) {
			diagnostic_error(p->diagnostics, &t.at,
					 "%s '%.*s' is not 1-%u upper-case letters and digits",
					 key->name, (int)t.length, t.text, CCD_HOST_NAME_MAX);
			return false;
		}
		memcpy(name, t.text, t.length);
		name[t.length] = '\0';
		return true;
	}
	case KEY_DEVICE_PATH:
		return parse_path(p, key->name, value, CCD_DEVICE_PATH_MAX);
	case KEY_DIR_PATH:
		return parse_path(p, key->name, value, CCD_DIR_PATH_MAX);
	case KEY_SOCKET_PATH:
		return parse_path(p, key->name, value, CCD_SOCKET_PATH_MAX);
	case KEY_RESEND_LIMIT: {
		uint64_t limit;

		if (!parse_number(p, key->name, 0, CCD_RESEND_LIMIT_MAX, &limit))
			return false;
		*(uint8_t *)value = limit;
		return true;
	}
	}
	return false;
}

static void list_keys(char *buf, size_t size, const struct key *keys, size_t n_keys)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n_keys && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%s", i ? ", " : "", keys[i].name);
}

/*
 * "{" keys "}". A key is "name value..." ended by a newline, ';' or the
 * closing brace. field_at[] records where each key was given: duplicates
 * are errors, and the checker names missing required keys.
 */
static void parse_block(struct parser *p, const char *what, const struct key *keys,
			size_t n_keys, void *block, struct source_location *field_at)
{
	struct source_location open_at = p->token.at;

	if (!expect(p, TOKEN_LBRACE)) {
		skip_statement(p);
		return;
	}
	for (;;) {
		const struct key *key = NULL;
		struct token name = p->token;

		if (p->token.type == TOKEN_NEWLINE || p->token.type == TOKEN_SEMICOLON) {
			next(p);
			continue;
		}
		if (p->token.type == TOKEN_RBRACE) {
			next(p);
			break;
		}
		if (p->token.type == TOKEN_END) {
			diagnostic_error(p->diagnostics, &open_at,
					 "%s: '{' is never closed", what);
			return;
		}
		if (p->token.type != TOKEN_WORD) {
			error_unexpected(p, "a key");
			next(p);
			skip_key(p);
			continue;
		}
		for (size_t i = 0; i < n_keys; i++)
			if (token_is(&name, keys[i].name))
				key = &keys[i];
		next(p);
		if (!key) {
			char expected[256];

			list_keys(expected, sizeof(expected), keys, n_keys);
			diagnostic_error(p->diagnostics, &name.at,
					 "unknown key '%.*s' in %s (expected %s)",
					 (int)name.length, name.text, what, expected);
			skip_key(p);
			continue;
		}
		if (source_location_is_set(&field_at[key->field])) {
			const struct source_location *first = &field_at[key->field];

			diagnostic_error(p->diagnostics, &name.at,
					 "duplicate key '%s' in %s (first given at %s:%u:%u)",
					 key->name, what, first->file, first->line, first->column);
			skip_key(p);
			continue;
		}
		field_at[key->field] = name.at;
		if (!parse_key_value(p, key, block)) {
			/* Reported; remember the key was given so it is not
			 * also reported missing. */
			skip_key(p);
			continue;
		}
		if (!at_end_of_statement(p) && p->token.type != TOKEN_RBRACE) {
			error_unexpected(p, "end of line after the value");
			skip_key(p);
		}
	}
	if (!at_end_of_statement(p)) {
		error_unexpected(p, "end of line after '}'");
		skip_statement(p);
	}
}

/* ------------------------------------------------------------ statements */

static void parse_define(struct parser *p, const struct token *keyword)
{
	struct token name = p->token, value;
	const struct symbol *previous;
	int r;

	if (name.type != TOKEN_WORD || !symbol_name_valid(name.text, name.length)) {
		error_unexpected(p, "a symbol name (letters, digits and '_')");
		skip_statement(p);
		return;
	}
	next(p);
	previous = symbol_lookup(&p->symbols, name.text, name.length);
	if (previous) {
		diagnostic_error(p->diagnostics, &name.at,
				 "symbol '%.*s' is already defined at %s:%u:%u",
				 (int)name.length, name.text, previous->defined_at.file,
				 previous->defined_at.line, previous->defined_at.column);
		skip_statement(p);
		return;
	}
	if (at_end_of_statement(p)) {
		diagnostic_error(p->diagnostics, &name.at, "symbol '%.*s' has no value",
				 (int)name.length, name.text);
		skip_statement(p);
		return;
	}
	/* take_value() expands a symbol used in the definition. */
	if (!take_value(p, "a value (one word or string)", &value)) {
		skip_statement(p);
		return;
	}
	if (!at_end_of_statement(p)) {
		error_unexpected(p, "end of line (a symbol's value is one word or string)");
		skip_statement(p);
		return;
	}
	r = symbol_define(&p->symbols, name.text, name.length, value.text, value.length,
			  value.type == TOKEN_STRING, &name.at);
	if (r < 0 && !p->failure)
		p->failure = r;
}

static void parse_card(struct parser *p, const struct token *keyword)
{
	struct source_location address_at;
	uint64_t model;
	uint16_t address;
	uint8_t crate;
	struct card *card;
	struct token t;
	uint8_t range = ADC_RANGE_BIPOLAR;
	struct source_location model_at = p->token.at;

	if (!parse_number(p, "card model", 0, 999, &model)) {
		skip_statement(p);
		return;
	}
	if (!card_model_name(model)) {
		diagnostic_error(p->diagnostics, &model_at,
				 "card model %llu is not one of 240, 260, 560",
				 (unsigned long long)model);
		skip_statement(p);
		return;
	}
	if (!expect(p, TOKEN_AT) || !parse_card_address(p, &crate, &address, &address_at)) {
		skip_statement(p);
		return;
	}
	if (!at_end_of_statement(p)) {
		if (!take_word(p, "bipolar or unipolar", &t)) {
			skip_statement(p);
			return;
		}
		if (model != CARD_XVME560) {
			diagnostic_error(p->diagnostics, &t.at,
					 "only a XVME-560 has an input range, not a XVME-%u",
					 (unsigned)model);
			skip_statement(p);
			return;
		}
		if (token_is(&t, "unipolar")) {
			range = ADC_RANGE_UNIPOLAR;
		} else if (!token_is(&t, "bipolar")) {
			diagnostic_error(p->diagnostics, &t.at,
					 "expected bipolar or unipolar, found '%.*s'",
					 (int)t.length, t.text);
			skip_statement(p);
			return;
		}
		if (!at_end_of_statement(p)) {
			error_unexpected(p, "end of line");
			skip_statement(p);
			return;
		}
	}
	for (size_t i = 0; i < p->station->n_cards; i++) {
		const struct card *other = &p->station->cards[i];

		if (other->crate == crate && other->address == address) {
			char name[CARD_NAME_MAX];

			diagnostic_error(p->diagnostics, &address_at,
					 "card %s is already declared at %s:%u:%u",
					 card_name_format(crate, address, name), other->at.file,
					 other->at.line, other->at.column);
			return;
		}
	}
	card = station_add_card(p->station);
	if (!card) {
		p->failure = -ENOMEM;
		return;
	}
	card->crate = crate;
	card->address = address;
	card->model = model;
	card->adc_range = range;
	card->at = keyword->at;
}

static void parse_station(struct parser *p, const struct token *keyword)
{
	struct station_globals *g = &p->station->globals;

	if (p->have_station_block) {
		diagnostic_error(p->diagnostics, &keyword->at,
				 "duplicate station block (first at %s:%u:%u)",
				 p->station_block_at.file, p->station_block_at.line,
				 p->station_block_at.column);
		skip_statement(p);
		return;
	}
	p->have_station_block = true;
	p->station_block_at = keyword->at;
	g->at = keyword->at;
	parse_block(p, "station", station_keys, ELEMENTSOF(station_keys), g, g->field_at);
}

static void parse_manifold(struct parser *p, const struct token *keyword)
{
	struct token name;
	struct manifold *m;
	char what[32];

	if (!take_word(p, "a manifold name", &name)) {
		skip_statement(p);
		return;
	}
	if (!manifold_name_valid(name.text, name.length)) {
		diagnostic_error(p->diagnostics, &name.at,
				 "manifold name '%.*s' is not 1-2 capital letters (A-Z, AA-ZZ)",
				 (int)name.length, name.text);
		skip_statement(p);
		return;
	}
	for (size_t i = 0; i < p->station->n_manifolds; i++) {
		const struct manifold *other = &p->station->manifolds[i];

		if (strlen(other->name) == name.length &&
		    memcmp(other->name, name.text, name.length) == 0) {
			diagnostic_error(p->diagnostics, &name.at,
					 "manifold %s is already defined at %s:%u:%u",
					 other->name, other->at.file, other->at.line,
					 other->at.column);
			skip_statement(p);
			return;
		}
	}
	m = station_add_manifold(p->station);
	if (!m) {
		p->failure = -ENOMEM;
		return;
	}
	memcpy(m->name, name.text, name.length);
	m->at = keyword->at;
	snprintf(what, sizeof(what), "manifold %s", m->name);
	parse_block(p, what, manifold_keys, ELEMENTSOF(manifold_keys), m, m->field_at);
}

static void parse_detector(struct parser *p, const struct token *keyword)
{
	struct source_location number_at = p->token.at;
	struct detector *d;
	uint64_t number;
	char what[32];

	if (!parse_number(p, "detector number", DETECTOR_NUMBER_MIN, DETECTOR_NUMBER_MAX,
			  &number)) {
		skip_statement(p);
		return;
	}
	if (!p->detector_by_number) {
		p->detector_by_number = calloc(DETECTOR_NUMBER_MAX + 1,
					       sizeof(*p->detector_by_number));
		if (!p->detector_by_number) {
			p->failure = -ENOMEM;
			return;
		}
	}
	if (p->detector_by_number[number]) {
		const struct detector *other =
			&p->station->detectors[p->detector_by_number[number] - 1];

		diagnostic_error(p->diagnostics, &number_at,
				 "detector %u is already defined at %s:%u:%u",
				 other->number, other->at.file, other->at.line, other->at.column);
		skip_statement(p);
		return;
	}
	d = station_add_detector(p->station);
	if (!d) {
		p->failure = -ENOMEM;
		return;
	}
	d->number = number;
	d->at = keyword->at;
	p->detector_by_number[number] = p->station->n_detectors;
	snprintf(what, sizeof(what), "detector %u", d->number);
	parse_block(p, what, detector_keys, ELEMENTSOF(detector_keys), d, d->field_at);
}

static void parse_cryostream_link(struct parser *p, const struct token *keyword)
{
	struct cryostream_link *link = &p->station->globals.cryostream_link;

	if (p->have_cryostream_link_block) {
		diagnostic_error(p->diagnostics, &keyword->at,
				 "duplicate cryostream-link block (first at %s:%u:%u)",
				 p->cryostream_link_block_at.file, p->cryostream_link_block_at.line,
				 p->cryostream_link_block_at.column);
		skip_statement(p);
		return;
	}
	p->have_cryostream_link_block = true;
	p->cryostream_link_block_at = keyword->at;
	link->at = keyword->at;
	parse_block(p, "cryostream-link", cryostream_link_keys,
		    ELEMENTSOF(cryostream_link_keys), link, link->field_at);
}

static void parse_cryostream(struct parser *p, const struct token *keyword)
{
	struct cryostream *c;
	struct token name;
	char what[16 + CRYOSTREAM_NAME_MAX];

	if (!take_word(p, "a cryostream name", &name)) {
		skip_statement(p);
		return;
	}
	if (!cryostream_name_valid(name.text, name.length)) {
		diagnostic_error(p->diagnostics, &name.at,
				 "cryostream name '%.*s' is not 1-%u letters, digits or '_'",
				 (int)name.length, name.text, CRYOSTREAM_NAME_MAX);
		skip_statement(p);
		return;
	}
	for (size_t i = 0; i < p->station->n_cryostreams; i++) {
		const struct cryostream *other = &p->station->cryostreams[i];

		if (strlen(other->name) == name.length &&
		    memcmp(other->name, name.text, name.length) == 0) {
			diagnostic_error(p->diagnostics, &name.at,
					 "cryostream %s is already defined at %s:%u:%u",
					 other->name, other->at.file, other->at.line,
					 other->at.column);
			skip_statement(p);
			return;
		}
	}
	if (p->station->n_cryostreams == CRYOSTREAMS_MAX) {
		diagnostic_error(p->diagnostics, &name.at, "more than %u cryostreams",
				 CRYOSTREAMS_MAX);
		skip_statement(p);
		return;
	}
	c = station_add_cryostream(p->station);
	if (!c) {
		p->failure = -ENOMEM;
		return;
	}
	memcpy(c->name, name.text, name.length);
	c->at = keyword->at;
	snprintf(what, sizeof(what), "cryostream %s", c->name);
	parse_block(p, what, cryostream_keys, ELEMENTSOF(cryostream_keys), c, c->field_at);
}

static void parse_ccd(struct parser *p, const struct token *keyword)
{
	struct ccd *c;
	struct token name;
	char what[8 + CCD_CONFIG_NAME_MAX];

	if (!take_word(p, "a CCD name", &name)) {
		skip_statement(p);
		return;
	}
	if (!ccd_config_name_valid(name.text, name.length)) {
		diagnostic_error(p->diagnostics, &name.at,
				 "ccd name '%.*s' is not 1-%u letters, digits or '_'",
				 (int)name.length, name.text, CCD_CONFIG_NAME_MAX);
		skip_statement(p);
		return;
	}
	for (size_t i = 0; i < p->station->n_ccds; i++) {
		const struct ccd *other = &p->station->ccds[i];

		if (strlen(other->name) == name.length &&
		    memcmp(other->name, name.text, name.length) == 0) {
			diagnostic_error(p->diagnostics, &name.at, "ccd %s is already defined at %s:%u:%u",
					 other->name, other->at.file, other->at.line,
					 other->at.column);
			skip_statement(p);
			return;
		}
	}
	if (p->station->n_ccds == CCDS_MAX) {
		diagnostic_error(p->diagnostics, &name.at, "more than %u ccds", CCDS_MAX);
		skip_statement(p);
		return;
	}
	c = station_add_ccd(p->station);
	if (!c) {
		p->failure = -ENOMEM;
		return;
	}
	memcpy(c->name, name.text, name.length);
	c->at = keyword->at;
	snprintf(what, sizeof(what), "ccd %s", c->name);
	parse_block(p, what, ccd_keys, ELEMENTSOF(ccd_keys), c, c->field_at);
}

static int parse_source(struct parser *p, struct loaded_source *source);

static void parse_include(struct parser *p, const struct token *keyword)
{
	struct token path = p->token;
	_cleanup_free_ char *file = NULL;
	struct loaded_source source = {};
	const char *why = NULL;
	int r;

	if (path.type != TOKEN_STRING) {
		error_unexpected(p, "a file name in double quotes");
		skip_statement(p);
		return;
	}
	next(p);
	if (!at_end_of_statement(p)) {
		error_unexpected(p, "end of line after the include file name");
		skip_statement(p);
		return;
	}
	file = token_string_value(&path);
	if (!file) {
		p->failure = -ENOMEM;
		return;
	}
	if (p->depth >= INCLUDE_DEPTH_MAX) {
		diagnostic_error(p->diagnostics, &path.at,
				 "includes nested deeper than %u", INCLUDE_DEPTH_MAX);
		return;
	}
	r = p->loader->load(p->loader, p->file, file, &source, &why);
	if (r < 0) {
		if (r == -ENOMEM) {
			p->failure = r;
			return;
		}
		diagnostic_error(p->diagnostics, &path.at, "cannot include \"%s\": %s", file,
				 why ? why : strerror(-r));
		return;
	}
	for (unsigned i = 0; i < p->depth; i++) {
		if (strcmp(p->include_stack[i], source.identity) == 0) {
			diagnostic_error(p->diagnostics, &path.at,
					 "include cycle: \"%s\" is already being read", file);
			loaded_source_done(&source);
			return;
		}
	}

	/* Parse the included file with its own lexer state, then resume. */
	struct lexer saved_lexer = p->lexer;
	struct token saved_token = p->token;
	const char *saved_file = p->file;

	r = parse_source(p, &source);
	if (r < 0 && !p->failure)
		p->failure = r;
	p->lexer = saved_lexer;
	p->token = saved_token;
	p->file = saved_file;
	loaded_source_done(&source);
}

static void parse_statement(struct parser *p)
{
	static const struct {
		const char *keyword;
		void (*parse)(struct parser *p, const struct token *keyword);
	} statements[] = {
		{ "define", parse_define },
		{ "include", parse_include },
		{ "card", parse_card },
		{ "station", parse_station },
		{ "manifold", parse_manifold },
		{ "detector", parse_detector },
		{ "cryostream-link", parse_cryostream_link },
		{ "cryostream", parse_cryostream },
		{ "ccd", parse_ccd },
	};
	struct token keyword = p->token;

	if (keyword.type != TOKEN_WORD) {
		error_unexpected(p, "a statement");
		next(p);
		skip_statement(p);
		return;
	}
	next(p);
	for (size_t i = 0; i < ELEMENTSOF(statements); i++) {
		if (token_is(&keyword, statements[i].keyword)) {
			statements[i].parse(p, &keyword);
			return;
		}
	}
	diagnostic_error(p->diagnostics, &keyword.at,
			 "unknown statement '%.*s' (expected define, include, card, station, manifold, detector, cryostream-link, cryostream or ccd)",
			 (int)keyword.length, keyword.text);
	skip_statement(p);
}

static int parse_source(struct parser *p, struct loaded_source *source)
{
	p->file = station_intern_file(p->station, source->name);
	if (!p->file)
		return -ENOMEM;
	p->include_stack[p->depth++] = source->identity;
	lexer_init(&p->lexer, p->file, source->text, source->size, p->diagnostics);
	next(p);
	while (p->token.type != TOKEN_END && !p->failure) {
		if (p->token.type == TOKEN_NEWLINE || p->token.type == TOKEN_SEMICOLON) {
			next(p);
			continue;
		}
		parse_statement(p);
	}
	p->depth--;
	return p->failure;
}

static int parse_loaded(struct station *station, const struct config_loader *loader,
			struct loaded_source *source, struct diagnostics *diagnostics)
{
	struct parser p = {
		.station = station,
		.loader = loader,
		.diagnostics = diagnostics,
	};
	int r;

	symbol_table_init(&p.symbols);
	r = parse_source(&p, source);
	symbol_table_done(&p.symbols);
	free(p.detector_by_number);
	if (r < 0)
		return r;
	return diagnostics->out_of_memory ? -ENOMEM : 0;
}

int config_parse(struct station *station, const struct config_loader *loader, const char *path,
		 struct diagnostics *diagnostics)
{
	struct loaded_source source = {};
	const char *why = NULL;
	int r;

	r = loader->load(loader, NULL, path, &source, &why);
	if (r < 0) {
		if (r == -ENOMEM)
			return r;
		diagnostic_error(diagnostics, NULL, "cannot read %s: %s", path,
				 why ? why : strerror(-r));
		return 0;
	}
	r = parse_loaded(station, loader, &source, diagnostics);
	loaded_source_done(&source);
	return r;
}

int config_parse_text(struct station *station, const struct config_loader *loader,
		      const char *name, const char *text, size_t size,
		      struct diagnostics *diagnostics)
{
	struct loaded_source source = {
		.name = (char *)name,
		.identity = (char *)name,
		.text = (char *)text,
		.size = size,
	};

	return parse_loaded(station, loader, &source, diagnostics);
}
