// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the configuration lexer, parser and checker from memory. Beyond
 * "no crash, no leak": whatever compiles must survive the database round
 * trip (encode -> decode -> encode is the identity) and the text round
 * trip (dump -> compile gives the same database bytes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/compile.h"
#include "daemon/config/database.h"
#include "daemon/config/dump.h"
#include "daemon/shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct station *compile(const char *text, size_t size)
{
	struct station *s = NULL;
	struct diagnostics d;
	int r;

	diagnostics_init(&d);
	r = config_compile_text("fuzz.conf", text, size, &config_loader_no_includes, &d, &s);
	/* An error must be reported; success must leave no error behind. */
	if ((r == -EINVAL) != (d.n_errors > 0) || (r == 0) != (s != NULL))
		abort();
	for (size_t i = 0; i < d.n_items; i++) {
		_cleanup_free_ char *line = diagnostic_format(&d.items[i]);

		if (!line || !d.items[i].message[0])
			abort();
		for (const char *c = d.items[i].message; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				abort();
	}
	diagnostics_done(&d);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_station_ struct station *s = NULL, *decoded = NULL, *again = NULL;
	_cleanup_free_ uint8_t *image = NULL, *image2 = NULL, *image3 = NULL;
	_cleanup_free_ char *text = NULL;
	struct database_error err = {};
	size_t image_size, image2_size, image3_size, text_size = 0;
	FILE *f;

	if (size > 64 * 1024)
		return 0;
	s = compile((const char *)data, size);
	if (!s)
		return 0;

	if (database_encode(s, &image, &image_size) < 0)
		abort();
	if (database_decode(image, image_size, &decoded, &err) < 0) {
		fprintf(stderr, "compiled station does not decode: %s\n", err.message);
		abort();
	}
	if (database_encode(decoded, &image2, &image2_size) < 0 || image2_size != image_size ||
	    memcmp(image, image2, image_size) != 0)
		abort();

	f = open_memstream(&text, &text_size);
	if (!f || config_dump(s, f) < 0)
		abort();
	fclose(f);
	again = compile(text, text_size);
	if (!again) {
		fprintf(stderr, "dump does not compile:\n%s", text);
		abort();
	}
	if (database_encode(again, &image3, &image3_size) < 0 || image3_size != image_size ||
	    memcmp(image, image3, image_size) != 0)
		abort();
	return 0;
}
