/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer for stationctl's --json=short|pretty: objects,
 * arrays, strings (escaped per RFC 8259), numbers (NaN and infinities as
 * null, JSON has no such numbers), booleans and null. The caller nests
 * begin/end calls; the writer puts the commas, colons and, in pretty
 * mode, the newlines and indentation.
 */
#ifndef STATIOND_CLIENTS_JSON_WRITER_H
#define STATIOND_CLIENTS_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

struct json_writer {
	FILE *out;
	bool pretty;
	unsigned depth;
	bool first[JSON_DEPTH_MAX];	/* no element yet at this depth */
	bool after_key;
};

void json_begin(struct json_writer *w, FILE *out, bool pretty);
/* A trailing newline after the top-level value. */
void json_end(struct json_writer *w);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s);	/* NULL: null */
void json_uint(struct json_writer *w, uint64_t v);
void json_int(struct json_writer *w, int64_t v);
void json_double(struct json_writer *w, double v);
void json_boolean(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* A NULL-terminated string list as an array. */
void json_strv(struct json_writer *w, char **strv);

#endif
