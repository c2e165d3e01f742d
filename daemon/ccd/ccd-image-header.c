// SPDX-License-Identifier: GPL-2.0
/*
 * The data channel's image header line (see ccd-image-header.h).
 */
#include "daemon/ccd/ccd-image-header.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/shared/macro.h"

static int refuse(char *why, size_t why_size, const char *format, ...) _printf_(3, 4);

static int refuse(char *why, size_t why_size, const char *format, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, format);
		vsnprintf(why, why_size, format, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* "key=" at *pos, then the value up to a space or the end. */
static int take_field(const char *line, size_t length, size_t *pos, const char *key,
		      char *value, size_t value_size)
{
	size_t key_len = strlen(key), start, n;

	if (*pos >= length || line[*pos] != ' ')
		return -1;
	(*pos)++;
	if (length - *pos < key_len + 1 || memcmp(line + *pos, key, key_len) != 0 ||
	    line[*pos + key_len] != '=')
		return -1;
	start = *pos + key_len + 1;
	n = 0;
	while (start + n < length && line[start + n] != ' ')
		n++;
	if (n == 0 || n >= value_size)
		return -1;
	memcpy(value, line + start, n);
	value[n] = '\0';
	*pos = start + n;
	return 0;
}

static int unsigned_value(const char *text, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!text[0] || strlen(text) > 19)
		return -1;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v > max)
		return -1;
	*ret = v;
	return 0;
}

int ccd_image_header_parse(const char *line, size_t length, struct ccd_image_header *ret,
			   char *why, size_t why_size)
{
	static const char *const keys[] = { "run", "window", "naxis1", "naxis2", "bitpix", "bzero",
					    "bytes" };
	struct ccd_image_header h = {};
	char value[7][32];
	size_t pos = strlen(CCD_IMAGE_HEADER_MAGIC);
	uint64_t v;
	char *end;

	if (length < pos || memcmp(line, CCD_IMAGE_HEADER_MAGIC, pos) != 0)
		return refuse(why, why_size, "not an " CCD_IMAGE_HEADER_MAGIC " header");
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (take_field(line, length, &pos, keys[i], value[i], sizeof(value[i])) < 0)
			return refuse(why, why_size, "expected %s=<value> at byte %zu", keys[i],
				      pos + 1);
	if (pos != length)
		return refuse(why, why_size, "unexpected text after bytes= at byte %zu", pos + 1);

	if (unsigned_value(value[0], UINT64_MAX / 2, &h.run) < 0)
		return refuse(why, why_size, "run=%s is not a number", value[0]);
	if (unsigned_value(value[1], 2, &v) < 0)
		return refuse(why, why_size, "window=%s is not 0, 1 or 2", value[1]);
	h.window = (unsigned)v;
	if (unsigned_value(value[2], 65535, &v) < 0 || v == 0)
		return refuse(why, why_size, "naxis1=%s is not 1-65535", value[2]);
	h.naxis1 = (uint32_t)v;
	if (unsigned_value(value[3], 65535, &v) < 0 || v == 0)
		return refuse(why, why_size, "naxis2=%s is not 1-65535", value[3]);
	h.naxis2 = (uint32_t)v;
	if (unsigned_value(value[4], 32, &v) < 0 || (v != 8 && v != 16 && v != 32))
		return refuse(why, why_size, "bitpix=%s is not 8, 16 or 32", value[4]);
	h.bitpix = (int)v;
	if (!strpbrk(value[5], "0123456789") || strpbrk(value[5], "xXpPnNiI"))
		return refuse(why, why_size, "bzero=%s is not a decimal number", value[5]);
	errno = 0;
	h.bzero = strtod(value[5], &end);
	if (*end || errno || !isfinite(h.bzero))
		return refuse(why, why_size, "bzero=%s is not a decimal number", value[5]);
	if (unsigned_value(value[6], UINT64_MAX / 2, &h.bytes) < 0)
		return refuse(why, why_size, "bytes=%s is not a number", value[6]);
	if (h.bytes != (uint64_t)h.naxis1 * h.naxis2 * (uint64_t)(h.bitpix / 8))
		return refuse(why, why_size, "bytes=%llu is not naxis1 x naxis2 x %d (%llu)",
			      (unsigned long long)h.bytes, h.bitpix / 8,
			      (unsigned long long)h.naxis1 * h.naxis2 * (uint64_t)(h.bitpix / 8));
	*ret = h;
	return 0;
}
