// SPDX-License-Identifier: GPL-2.0
/*
 * A method call's arguments as text (see bus-message-text.h): a walk of
 * the message by its signature, one basic value or container at a time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon/bus/bus-message-text.h"
#include "daemon/shared/macro.h"

#define ELLIPSIS "..."

struct text {
	char *buf;
	size_t size, length;
	bool truncated;
};

static void text_add(struct text *t, const char *format, ...) _printf_(2, 3);
static void text_add(struct text *t, const char *format, ...)
{
	va_list ap;
	int n;

	if (t->truncated)
		return;
	va_start(ap, format);
	n = vsnprintf(t->buf + t->length, t->size - t->length, format, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->length) {
		t->truncated = true;
		t->length = t->size - 1;
		return;
	}
	t->length += (size_t)n;
}

static void text_add_quoted(struct text *t, const char *s)
{
	text_add(t, "\"");
	for (; *s && !t->truncated; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			text_add(t, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			text_add(t, "\\x%02x", c);
		else
			text_add(t, "%c", c);
	}
	text_add(t, "\"");
}

static int add_basic(sd_bus_message *m, struct text *t, char type)
{
	union {
		uint8_t u8;
		int b;
		int16_t i16;
		uint16_t u16;
		int32_t i32;
		uint32_t u32;
		int64_t i64;
		uint64_t u64;
		double d;
		const char *s;
		int fd;
	} v;
	int r;

	r = sd_bus_message_read_basic(m, type, &v);
	if (r < 0)
		return r;
	switch (type) {
	case SD_BUS_TYPE_BYTE:
		text_add(t, "%u", v.u8);
		break;
	case SD_BUS_TYPE_BOOLEAN:
		text_add(t, "%s", v.b ? "true" : "false");
		break;
	case SD_BUS_TYPE_INT16:
		text_add(t, "%" PRIi16, v.i16);
		break;
	case SD_BUS_TYPE_UINT16:
		text_add(t, "%" PRIu16, v.u16);
		break;
	case SD_BUS_TYPE_INT32:
		text_add(t, "%" PRIi32, v.i32);
		break;
	case SD_BUS_TYPE_UINT32:
		text_add(t, "%" PRIu32, v.u32);
		break;
	case SD_BUS_TYPE_INT64:
		text_add(t, "%" PRIi64, v.i64);
		break;
	case SD_BUS_TYPE_UINT64:
		text_add(t, "%" PRIu64, v.u64);
		break;
	case SD_BUS_TYPE_DOUBLE:
		text_add(t, "%g", v.d);
		break;
	case SD_BUS_TYPE_UNIX_FD:
		text_add(t, "fd");
		break;
	default:	/* string, object path, signature */
		text_add_quoted(t, v.s);
		break;
	}
	return 0;
}

static int add_values(sd_bus_message *m, struct text *t, const char *separator);

static int add_container(sd_bus_message *m, struct text *t, char type, const char *contents)
{
	static const struct {
		char type;
		const char *open, *separator, *close;
	} shapes[] = {
		{ SD_BUS_TYPE_ARRAY, "[", ", ", "]" },
		{ SD_BUS_TYPE_STRUCT, "(", ", ", ")" },
		{ SD_BUS_TYPE_DICT_ENTRY, "", ": ", "" },
		{ SD_BUS_TYPE_VARIANT, "<", " ", ">" },
	};
	size_t i;
	int r;

	for (i = 0; i < ELEMENTSOF(shapes) && shapes[i].type != type; i++)
		;
	if (i == ELEMENTSOF(shapes))
		return -EBADMSG;
	r = sd_bus_message_enter_container(m, type, contents);
	if (r < 0)
		return r;
	text_add(t, "%s", shapes[i].open);
	if (type == SD_BUS_TYPE_VARIANT)
		text_add(t, "%s ", contents);
	r = add_values(m, t, shapes[i].separator);
	if (r < 0)
		return r;
	text_add(t, "%s", shapes[i].close);
	return sd_bus_message_exit_container(m);
}

/* Every value up to the end of the current container. */
static int add_values(sd_bus_message *m, struct text *t, const char *separator)
{
	bool first = true;
	int r;

	for (;;) {
		const char *contents;
		char type;

		r = sd_bus_message_peek_type(m, &type, &contents);
		if (r <= 0)
			return r;
		if (!first)
			text_add(t, "%s", separator);
		first = false;
		if (t->truncated)
			return 0;
		if (contents)
			r = add_container(m, t, type, contents);
		else
			r = add_basic(m, t, type);
		if (r < 0)
			return r;
	}
}

int bus_message_arguments_text(sd_bus_message *m, char *buf, size_t size)
{
	struct text t = { .buf = buf, .size = size };
	int r, k;

	if (size < sizeof(ELLIPSIS))
		return -ENOBUFS;
	buf[0] = 0;
	r = sd_bus_message_rewind(m, true);
	if (r >= 0)
		r = add_values(m, &t, ", ");
	k = sd_bus_message_rewind(m, true);
	if (t.truncated)
		memcpy(buf + size - sizeof(ELLIPSIS), ELLIPSIS, sizeof(ELLIPSIS));
	return r < 0 ? r : (k < 0 ? k : 0);
}
