// SPDX-License-Identifier: GPL-2.0
/*
 * CCD profile parser (see ccd-profile.h). Line by line: a key, '=', one or
 * more words; then the checks that need several keys (windows inside the
 * chip, underscans inside the frame). Every problem is recorded, so one
 * run of `Setup` or of the simulator shows all of them.
 */
#include "daemon/ccd/ccd-profile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/shared/macro.h"
#include "daemon/shared/read-full.h"

#define WORDS_MAX 8		/* the most a key takes is 4 (a window) */
#define UINT_DIGITS_MAX 9	/* below 10^9: fits u32 with room */

static const char *const key_names[_CCD_PROFILE_KEY_MAX] = {
	[CCD_KEY_SCCD_SIZE] = "SCCD_SIZE",
	[CCD_KEY_UNET_REMOTE] = "UNET_REMOTE",
	[CCD_KEY_GAIN] = "GAIN",
	[CCD_KEY_NOISE] = "NOISE",
	[CCD_KEY_DAS_CHANNEL] = "DAS_CHANNEL",
	[CCD_KEY_HEADNO] = "HEADNO",
	[CCD_KEY_HEADCODE] = "HEADCODE",
	[CCD_KEY_PIXXSIZE] = "PIXXSIZE",
	[CCD_KEY_PIXYSIZE] = "PIXYSIZE",
	[CCD_KEY_XUNDER] = "XUNDER",
	[CCD_KEY_YUNDER] = "YUNDER",
	[CCD_KEY_XSILSIZE] = "XSILSIZE",
	[CCD_KEY_YSILSIZE] = "YSILSIZE",
	[CCD_KEY_CCDTYPE] = "CCDTYPE",
	[CCD_KEY_CCDNAME] = "CCDNAME",
	[CCD_KEY_TRANSFORM] = "TRANSFORM",
	[CCD_KEY_BSCALE] = "BSCALE",
	[CCD_KEY_BZERO] = "BZERO",
	[CCD_KEY_BITPIX] = "BITPIX",
	[CCD_KEY_WIN1] = "WIN1",
	[CCD_KEY_WIN2] = "WIN2",
	[CCD_KEY_WINDOWS_ENABLED] = "WINDOWS_ENABLED",
	[CCD_KEY_BIN] = "BIN",
	[CCD_KEY_PFLASH] = "PFLASH",
	[CCD_KEY_RSPEED] = "RSPEED",
	[CCD_KEY_CSPEED] = "CSPEED",
	[CCD_KEY_DETCOUNT] = "DETCOUNT",
	[CCD_KEY_EXPTIME] = "EXPTIME",
	[CCD_KEY_READOUT_TIME] = "READOUT_TIME",
	[CCD_KEY_BIN_MAX] = "BIN_MAX",
	[CCD_KEY_STARTACTION_FAIL] = "STARTACTION_FAIL",
	[CCD_KEY_SHUTTER_FAIL] = "SHUTTER_FAIL",
	[CCD_KEY_SYNC_FAIL] = "SYNC_FAIL",
	[CCD_KEY_SETUP_FAIL] = "SETUP_FAIL",
	[CCD_KEY_SETTINGS_FAIL] = "SETTINGS_FAIL",
};

#define FIRST_OPTIONAL_KEY CCD_KEY_TRANSFORM

const char *ccd_profile_key_name(enum ccd_profile_key key)
{
	return (unsigned)key < _CCD_PROFILE_KEY_MAX ? key_names[key] : NULL;
}

void ccd_profile_defaults(struct ccd_profile *ret)
{
	*ret = (struct ccd_profile){
		.detector_count = 1,
		.bscale = 1.0,
		.bzero = CCD_BZERO_DEFAULT,
		.bitpix = CCD_BITPIX_DEFAULT,
		.readout_speed = CCD_READOUT_STANDARD,
		.clear_speed = CCD_CLEAR_QUICK,
		.bin_max = CCD_BIN_MAX_DEFAULT,
		.readout_time_s = CCD_READOUT_TIME_DEFAULT_S,
		.startaction_fail_s = CCD_STARTACTION_FAIL_DEFAULT_S,
		.shutter_fail_s = CCD_SHUTTER_FAIL_DEFAULT_S,
		.sync_fail_s = CCD_SYNC_FAIL_DEFAULT_S,
		.setup_fail_s = CCD_SETUP_FAIL_DEFAULT_S,
		.settings_fail_s = CCD_SETTINGS_FAIL_DEFAULT_S,
	};
	ccd_format_default(&ret->format);
}

bool ccd_name_valid(const char *name, size_t length)
{
	if (length == 0 || length > CCD_NAME_MAX)
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = name[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '-')))
			return false;
	}
	return true;
}

/* One word of a value: where, how long, whether it was quoted. */
struct word {
	const char *text;
	size_t length;
	bool quoted;
	struct source_location at;
};

struct parser {
	struct ccd_profile *profile;
	struct diagnostics *diagnostics;
	unsigned errors;
};

static void error_at(struct parser *p, const struct source_location *at, const char *format, ...)
	_printf_(3, 4);

static void error_at(struct parser *p, const struct source_location *at, const char *format, ...)
{
	char message[256];
	va_list ap;

	va_start(ap, format);
	vsnprintf(message, sizeof(message), format, ap);
	va_end(ap);
	diagnostic_error(p->diagnostics, at, "%s", message);
	p->errors++;
}

static bool expect_words(struct parser *p, enum ccd_profile_key key, const struct word *w,
			 size_t n, size_t want, const char *what)
{
	if (n == want)
		return true;
	error_at(p, &w[n < want ? 0 : want].at, "%s takes %zu value%s (%s), not %zu",
		 key_names[key], want, want == 1 ? "" : "s", what, n);
	return false;
}

static bool parse_uint(struct parser *p, enum ccd_profile_key key, const struct word *w,
		       uint32_t min, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;

	if (w->quoted || w->length == 0 || w->length > UINT_DIGITS_MAX)
		goto bad;
	for (size_t i = 0; i < w->length; i++) {
		if (w->text[i] < '0' || w->text[i] > '9')
			goto bad;
		v = v * 10 + (uint64_t)(w->text[i] - '0');
	}
	if (v < min || v > max) {
		error_at(p, &w->at, "%s %.*s is out of range (%u-%u)", key_names[key],
			 (int)w->length, w->text, min, max);
		return false;
	}
	*ret = (uint32_t)v;
	return true;
bad:
	error_at(p, &w->at, "%s: '%.*s' is not a whole number", key_names[key], (int)w->length,
		 w->text);
	return false;
}

/* A decimal number: [-]digits[.digits][e[+-]digits]. */
static bool parse_real(struct parser *p, enum ccd_profile_key key, const struct word *w,
		       double *ret)
{
	char buf[64], *end;
	size_t i = 0;
	double v;

	if (w->quoted || w->length == 0 || w->length >= sizeof(buf))
		goto bad;
	memcpy(buf, w->text, w->length);
	buf[w->length] = '\0';
	/* strtod also takes hex, inf and nan, which a profile should not. */
	if (buf[i] == '-' || buf[i] == '+')
		i++;
	if (!(buf[i] >= '0' && buf[i] <= '9') && !(buf[i] == '.' && buf[i + 1] >= '0' &&
						   buf[i + 1] <= '9'))
		goto bad;
	for (; buf[i]; i++)
		if (!strchr("0123456789.eE+-", buf[i]))
			goto bad;
	errno = 0;
	v = strtod(buf, &end);
	if (*end || errno || !isfinite(v))
		goto bad;
	*ret = v;
	return true;
bad:
	error_at(p, &w->at, "%s: '%.*s' is not a number", key_names[key], (int)w->length, w->text);
	return false;
}

static bool parse_positive(struct parser *p, enum ccd_profile_key key, const struct word *w,
			   double *ret)
{
	double v;

	if (!parse_real(p, key, w, &v))
		return false;
	if (v <= 0) {
		error_at(p, &w->at, "%s must be more than 0", key_names[key]);
		return false;
	}
	*ret = v;
	return true;
}

/* Seconds with at most millisecond resolution, as milliseconds. */
static bool parse_milliseconds(struct parser *p, enum ccd_profile_key key, const struct word *w,
			       uint32_t max_ms, uint32_t *ret)
{
	double s, ms;

	if (!parse_real(p, key, w, &s))
		return false;
	ms = s * 1000.0;
	if (s < 0 || ms > max_ms) {
		error_at(p, &w->at, "%s %.*s s is out of range (0-%u s)", key_names[key],
			 (int)w->length, w->text, max_ms / 1000);
		return false;
	}
	if (fabs(ms - round(ms)) > 1e-6) {
		error_at(p, &w->at, "%s %.*s s is finer than the controller's 1 ms",
			 key_names[key], (int)w->length, w->text);
		return false;
	}
	*ret = (uint32_t)round(ms);
	return true;
}

static bool parse_text(struct parser *p, enum ccd_profile_key key, const struct word *w,
		       size_t n, char *out, size_t max)
{
	if (n > 1 && !w[0].quoted) {
		error_at(p, &w[1].at, "%s is one word; quote a value with blanks",
			 key_names[key]);
		return false;
	}
	if (!expect_words(p, key, w, n, 1, "text"))
		return false;
	if (w->length > max) {
		error_at(p, &w->at, "%s is longer than %zu characters", key_names[key], max);
		return false;
	}
	for (size_t i = 0; i < w->length; i++)
		if ((unsigned char)w->text[i] < 0x20 || (unsigned char)w->text[i] > 0x7e) {
			error_at(p, &w->at, "%s has a character that is not printable ASCII",
				 key_names[key]);
			return false;
		}
	memcpy(out, w->text, w->length);
	out[w->length] = '\0';
	return true;
}

static bool parse_boolean(struct parser *p, enum ccd_profile_key key, const struct word *w,
			  bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strlen(yes[i]) == w->length && strncasecmp(yes[i], w->text, w->length) == 0) {
			*ret = true;
			return true;
		}
		if (strlen(no[i]) == w->length && strncasecmp(no[i], w->text, w->length) == 0) {
			*ret = false;
			return true;
		}
	}
	error_at(p, &w->at, "%s: '%.*s' is not yes or no", key_names[key], (int)w->length,
		 w->text);
	return false;
}

static bool parse_window(struct parser *p, enum ccd_profile_key key, const struct word *w,
			 size_t n, struct ccd_window *ret)
{
	struct ccd_window win = { .valid = true };

	if (!expect_words(p, key, w, n, 4, "x1 y1 x2 y2"))
		return false;
	if (!parse_uint(p, key, &w[0], 1, CCD_SIZE_MAX, &win.x1) ||
	    !parse_uint(p, key, &w[1], 1, CCD_SIZE_MAX, &win.y1) ||
	    !parse_uint(p, key, &w[2], 1, CCD_SIZE_MAX, &win.x2) ||
	    !parse_uint(p, key, &w[3], 1, CCD_SIZE_MAX, &win.y2))
		return false;
	*ret = win;
	return true;
}

static bool parse_pair(struct parser *p, enum ccd_profile_key key, const struct word *w,
		       size_t n, uint32_t min, uint32_t max, const char *what, uint32_t *x,
		       uint32_t *y)
{
	return expect_words(p, key, w, n, 2, what) && parse_uint(p, key, &w[0], min, max, x) &&
	       parse_uint(p, key, &w[1], min, max, y);
}

static bool parse_one_uint(struct parser *p, enum ccd_profile_key key, const struct word *w,
			   size_t n, uint32_t min, uint32_t max, uint32_t *ret)
{
	return expect_words(p, key, w, n, 1, "a whole number") &&
	       parse_uint(p, key, w, min, max, ret);
}

static bool parse_one_real(struct parser *p, enum ccd_profile_key key, const struct word *w,
			   size_t n, bool positive, double *ret)
{
	if (!expect_words(p, key, w, n, 1, "a number"))
		return false;
	return positive ? parse_positive(p, key, w, ret) : parse_real(p, key, w, ret);
}

/* The value of one key into the profile. */
static bool parse_value(struct parser *p, enum ccd_profile_key key, const struct word *w,
			size_t n)
{
	struct ccd_profile *pr = p->profile;
	uint32_t v;
	int speed;

	switch (key) {
	case CCD_KEY_SCCD_SIZE:
		return parse_pair(p, key, w, n, 1, CCD_SIZE_MAX, "x y", &pr->size_x, &pr->size_y);
	case CCD_KEY_UNET_REMOTE:
		if (!expect_words(p, key, w, n, 1, "a network name"))
			return false;
		if (w->quoted || w->length > UNET_NAME_LEN) {
			error_at(p, &w->at, "UNET_REMOTE '%.*s' is not 1-%u upper-case letters and digits",
				 (int)w->length, w->text, UNET_NAME_LEN);
			return false;
		}
		memcpy(pr->unet_remote, w->text, w->length);
		pr->unet_remote[w->length] = '\0';
		if (!unet_name_valid(pr->unet_remote)) {
			error_at(p, &w->at, "UNET_REMOTE '%.*s' is not 1-%u upper-case letters and digits",
				 (int)w->length, w->text, UNET_NAME_LEN);
			return false;
		}
		return true;
	case CCD_KEY_GAIN:
		return parse_one_real(p, key, w, n, true, &pr->gain_e_per_adu);
	case CCD_KEY_NOISE:
		if (!parse_one_real(p, key, w, n, false, &pr->noise_e))
			return false;
		if (pr->noise_e < 0) {
			error_at(p, &w->at, "NOISE cannot be negative");
			return false;
		}
		return true;
	case CCD_KEY_DAS_CHANNEL:
		return parse_one_uint(p, key, w, n, 0, 255, &pr->das_channel);
	case CCD_KEY_HEADNO:
		return parse_one_uint(p, key, w, n, 0, 255, &pr->head_number);
	case CCD_KEY_HEADCODE:
		return parse_one_uint(p, key, w, n, 0, 65535, &pr->head_code);
	case CCD_KEY_PIXXSIZE:
		return parse_one_real(p, key, w, n, true, &pr->pixel_size_x_um);
	case CCD_KEY_PIXYSIZE:
		return parse_one_real(p, key, w, n, true, &pr->pixel_size_y_um);
	case CCD_KEY_XUNDER:
		return parse_one_uint(p, key, w, n, 0, CCD_SIZE_MAX, &pr->x_under);
	case CCD_KEY_YUNDER:
		return parse_one_uint(p, key, w, n, 0, CCD_SIZE_MAX, &pr->y_under);
	case CCD_KEY_XSILSIZE:
		return parse_one_uint(p, key, w, n, 1, CCD_SIZE_MAX, &pr->x_silicon);
	case CCD_KEY_YSILSIZE:
		return parse_one_uint(p, key, w, n, 1, CCD_SIZE_MAX, &pr->y_silicon);
	case CCD_KEY_CCDTYPE:
		return parse_text(p, key, w, n, pr->ccd_type, CCD_TEXT_MAX);
	case CCD_KEY_CCDNAME:
		if (!expect_words(p, key, w, n, 1, "a name"))
			return false;
		if (!ccd_name_valid(w->text, w->length)) {
			error_at(p, &w->at, "CCDNAME '%.*s' is not 1-%u letters, digits, '_' or '-'",
				 (int)w->length, w->text, CCD_NAME_MAX);
			return false;
		}
		memcpy(pr->ccd_name, w->text, w->length);
		pr->ccd_name[w->length] = '\0';
		return true;
	case CCD_KEY_TRANSFORM:
		return parse_text(p, key, w, n, pr->transform, CCD_TEXT_MAX);
	case CCD_KEY_BSCALE:
		if (!parse_one_real(p, key, w, n, false, &pr->bscale))
			return false;
		if (pr->bscale == 0) {
			error_at(p, &w->at, "BSCALE cannot be 0");
			return false;
		}
		return true;
	case CCD_KEY_BZERO:
		return parse_one_real(p, key, w, n, false, &pr->bzero);
	case CCD_KEY_BITPIX:
		if (!parse_one_uint(p, key, w, n, 8, 32, &v))
			return false;
		if (v != 8 && v != 16 && v != 32) {
			error_at(p, &w->at, "BITPIX %u is not 8, 16 or 32 (integer pixels)", v);
			return false;
		}
		pr->bitpix = (int)v;
		return true;
	case CCD_KEY_WIN1:
	case CCD_KEY_WIN2:
		return parse_window(p, key, w, n, &pr->format.window[key - CCD_KEY_WIN1]);
	case CCD_KEY_WINDOWS_ENABLED:
		return expect_words(p, key, w, n, 1, "yes or no") &&
		       parse_boolean(p, key, w, &pr->format.windows_enabled);
	case CCD_KEY_BIN:
		return parse_pair(p, key, w, n, 1, CCD_BIN_LIMIT, "x y", &pr->format.bin_x,
				  &pr->format.bin_y);
	case CCD_KEY_PFLASH:
		return expect_words(p, key, w, n, 1, "seconds") &&
		       parse_milliseconds(p, key, w, CCD_PFLASH_MAX_MS, &pr->preflash_ms);
	case CCD_KEY_EXPTIME:
		return expect_words(p, key, w, n, 1, "seconds") &&
		       parse_milliseconds(p, key, w, CCD_EXPTIME_MAX_MS, &pr->exposure_ms);
	case CCD_KEY_RSPEED:
		if (!expect_words(p, key, w, n, 1, "SLOW, STANDARD or FAST"))
			return false;
		speed = ccd_readout_speed_from_string(w->text, w->length);
		if (speed < 0) {
			error_at(p, &w->at, "RSPEED '%.*s' is not SLOW, STANDARD or FAST",
				 (int)w->length, w->text);
			return false;
		}
		pr->readout_speed = speed;
		return true;
	case CCD_KEY_CSPEED:
		if (!expect_words(p, key, w, n, 1, "QUICK or NORMAL"))
			return false;
		speed = ccd_clear_speed_from_string(w->text, w->length);
		if (speed < 0) {
			error_at(p, &w->at, "CSPEED '%.*s' is not QUICK or NORMAL", (int)w->length,
				 w->text);
			return false;
		}
		pr->clear_speed = speed;
		return true;
	case CCD_KEY_DETCOUNT:
		return parse_one_uint(p, key, w, n, 1, 64, &pr->detector_count);
	case CCD_KEY_READOUT_TIME:
		return parse_one_uint(p, key, w, n, 1, 86400, &pr->readout_time_s);
	case CCD_KEY_BIN_MAX:
		return parse_one_uint(p, key, w, n, 1, CCD_BIN_LIMIT, &pr->bin_max);
	case CCD_KEY_STARTACTION_FAIL:
		return parse_one_uint(p, key, w, n, 1, CCD_TIMEOUT_MAX_S, &pr->startaction_fail_s);
	case CCD_KEY_SHUTTER_FAIL:
		return parse_one_uint(p, key, w, n, 1, CCD_TIMEOUT_MAX_S, &pr->shutter_fail_s);
	case CCD_KEY_SYNC_FAIL:
		return parse_one_uint(p, key, w, n, 1, CCD_TIMEOUT_MAX_S, &pr->sync_fail_s);
	case CCD_KEY_SETUP_FAIL:
		return parse_one_uint(p, key, w, n, 1, CCD_TIMEOUT_MAX_S, &pr->setup_fail_s);
	case CCD_KEY_SETTINGS_FAIL:
		return parse_one_uint(p, key, w, n, 1, CCD_TIMEOUT_MAX_S, &pr->settings_fail_s);
	case _CCD_PROFILE_KEY_MAX:
		break;
	}
	return false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int key_lookup(const char *text, size_t length, bool ignore_case)
{
	for (int k = 0; k < _CCD_PROFILE_KEY_MAX; k++)
		if (strlen(key_names[k]) == length &&
		    (ignore_case ? strncasecmp(key_names[k], text, length) :
				   strncmp(key_names[k], text, length)) == 0)
			return k;
	return -1;
}

/* One line (without its newline); line is 1-based. */
static void parse_line(struct parser *p, const char *file, unsigned line, const char *text,
		       size_t length)
{
	struct source_location at = { .file = file, .line = line };
	struct word words[WORDS_MAX];
	size_t i = 0, n = 0, key_start, key_length;
	int key;

#define AT(pos) (at.column = (unsigned)(pos) + 1, &at)
	while (i < length && is_blank(text[i]))
		i++;
	if (i == length || text[i] == '#')
		return;
	key_start = i;
	while (i < length && is_key_char(text[i]))
		i++;
	key_length = i - key_start;
	if (key_length == 0) {
		error_at(p, AT(key_start), "expected a key, not '%c'", text[key_start]);
		return;
	}
	key = key_lookup(text + key_start, key_length, false);
	if (key < 0) {
		int other = key_lookup(text + key_start, key_length, true);

		if (other >= 0)
			error_at(p, AT(key_start), "unknown key '%.*s' (keys are upper-case: %s)",
				 (int)key_length, text + key_start, key_names[other]);
		else
			error_at(p, AT(key_start), "unknown key '%.*s'", (int)key_length,
				 text + key_start);
		return;
	}
	if (source_location_is_set(&p->profile->key_at[key])) {
		error_at(p, AT(key_start), "%s is already set at line %u", key_names[key],
			 p->profile->key_at[key].line);
		return;
	}

	while (i < length && is_blank(text[i]))
		i++;
	if (i == length || text[i] != '=') {
		error_at(p, AT(i), "expected '=' after %s", key_names[key]);
		return;
	}
	i++;

	for (;;) {
		struct word *w = &words[n];

		while (i < length && is_blank(text[i]))
			i++;
		if (i == length || text[i] == '#')
			break;
		if (n == WORDS_MAX) {
			error_at(p, AT(i), "%s: too many values", key_names[key]);
			return;
		}
		*w = (struct word){ .at = { .file = file, .line = line, .column = (unsigned)i + 1 } };
		if (text[i] == '"') {
			const char *close = memchr(text + i + 1, '"', length - i - 1);

			if (!close) {
				error_at(p, AT(i), "%s: unterminated quoted value", key_names[key]);
				return;
			}
			w->quoted = true;
			w->text = text + i + 1;
			w->length = (size_t)(close - w->text);
			i = (size_t)(close - text) + 1;
			if (i < length && !is_blank(text[i]) && text[i] != '#') {
				error_at(p, AT(i), "%s: expected a blank after the quoted value",
					 key_names[key]);
				return;
			}
		} else {
			w->text = text + i;
			while (i < length && !is_blank(text[i]) && text[i] != '#' && text[i] != '"')
				i++;
			w->length = (size_t)(text + i - w->text);
			if (i < length && text[i] == '"') {
				error_at(p, AT(i), "%s: a quote inside a word", key_names[key]);
				return;
			}
		}
		n++;
	}
	if (n == 0) {
		error_at(p, AT(i), "%s has no value", key_names[key]);
		return;
	}
	/* Marked as set even when the value is bad, so a missing-key error
	 * does not follow the bad-value one. */
	p->profile->key_at[key] = (struct source_location){ .file = file, .line = line,
							    .column = (unsigned)key_start + 1 };
	(void)parse_value(p, key, words, n);
#undef AT
}

static void check_key_at(struct parser *p, enum ccd_profile_key key, const char *message)
{
	error_at(p, &p->profile->key_at[key], "%s", message);
}

/* What needs several keys. */
static void check_whole(struct parser *p, const struct source_location *end)
{
	struct ccd_profile *pr = p->profile;
	struct ccd_geometry g = ccd_profile_geometry(pr);
	char why[160];
	bool missing = false;

	for (int k = 0; k < FIRST_OPTIONAL_KEY; k++)
		if (!source_location_is_set(&pr->key_at[k])) {
			error_at(p, end, "required key %s is missing", key_names[k]);
			missing = true;
		}
	if (missing || p->errors)
		return;

	if (pr->x_under >= pr->size_x)
		check_key_at(p, CCD_KEY_XUNDER, "XUNDER leaves no pixel of SCCD_SIZE's x");
	if (pr->y_under >= pr->size_y)
		check_key_at(p, CCD_KEY_YUNDER, "YUNDER leaves no pixel of SCCD_SIZE's y");
	if (pr->x_silicon > pr->size_x)
		check_key_at(p, CCD_KEY_XSILSIZE, "XSILSIZE is larger than SCCD_SIZE's x");
	if (pr->y_silicon > pr->size_y)
		check_key_at(p, CCD_KEY_YSILSIZE, "YSILSIZE is larger than SCCD_SIZE's y");
	if (ccd_binning_check(&g, pr->format.bin_x, pr->format.bin_y, why, sizeof(why)) < 0)
		error_at(p, &pr->key_at[CCD_KEY_BIN], "BIN: %s (BIN_MAX %u)", why, pr->bin_max);
	for (unsigned i = 0; i < CCD_WINDOWS; i++)
		if (ccd_window_check(&g, i + 1, &pr->format.window[i], why, sizeof(why)) < 0)
			error_at(p, &pr->key_at[CCD_KEY_WIN1 + i], "WIN%u: %s", i + 1, why);
}

int ccd_profile_parse_text(const char *file, const char *text, size_t size,
			   struct ccd_profile *ret, struct diagnostics *d)
{
	_cleanup_free_ struct ccd_profile *profile = NULL;
	struct parser p = { .diagnostics = d };
	struct source_location end = { .column = 1 };
	unsigned errors_before = d->n_errors;
	size_t start = 0;
	unsigned line = 1;

	profile = malloc(sizeof(*profile));
	if (!profile)
		return -ENOMEM;
	ccd_profile_defaults(profile);
	if (snprintf(profile->path, sizeof(profile->path), "%s", file) >= (int)sizeof(profile->path))
		return -ENAMETOOLONG;
	p.profile = profile;

	/* Locations point into profile->path, which travels with it. */
	while (start < size) {
		const char *nl = memchr(text + start, '\n', size - start);
		size_t length = nl ? (size_t)(nl - (text + start)) : size - start;

		if (memchr(text + start, '\0', length)) {
			error_at(&p, &(struct source_location){ profile->path, line, 1 },
				 "a NUL byte: this is not a text file");
			break;
		}
		parse_line(&p, profile->path, line, text + start, length);
		start += length + (nl ? 1 : 0);
		if (nl)
			line++;
	}
	end.file = profile->path;
	end.line = line;
	check_whole(&p, &end);

	if (p.errors || d->n_errors != errors_before)
		return -EINVAL;
	*ret = *profile;
	/* The copy's locations must point into its own path. */
	for (int k = 0; k < _CCD_PROFILE_KEY_MAX; k++)
		if (ret->key_at[k].file)
			ret->key_at[k].file = ret->path;
	return 0;
}

int ccd_profile_load(const char *path, struct ccd_profile *ret, struct diagnostics *d)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *text = NULL;
	struct stat st;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int r = -errno;

		diagnostic_error(d, NULL, "cannot read the CCD profile %s: %s", path, strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		diagnostic_error(d, NULL, "the CCD profile %s is not a regular file", path);
		return -EINVAL;
	}
	if (st.st_size > CCD_PROFILE_SIZE_MAX) {
		diagnostic_error(d, NULL, "the CCD profile %s is larger than %u bytes", path,
				 CCD_PROFILE_SIZE_MAX);
		return -EFBIG;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return -ENOMEM;
	n = read_full(fd, text, (size_t)st.st_size);
	if (n < 0) {
		diagnostic_error(d, NULL, "cannot read the CCD profile %s: %s", path, strerror((int)-n));
		return (int)n;
	}
	return ccd_profile_parse_text(path, text, (size_t)n, ret, d);
}
