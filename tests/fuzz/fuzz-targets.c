// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the targets argument parser against a small station with gaps in
 * its numbering and two-letter manifolds. Checks: a success is a sorted,
 * duplicate-free list of existing detectors; a failure has a message and
 * an empty result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/autofill/targets.h"
#include "daemon/config/compile.h"
#include "daemon/shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char station_text[] =
	"card 240 @ 0x0400\ncard 260 @ 0x0800\ncard 560 @ 0x0c00\n"
	"station { scan-rate 1Hz; backup-interval 1min; dewar-inhibit 0x0400:flag1;"
	" alarm 0x0400:flag0 }\n"
	"manifold A { sensor 0x0c00:30; input-valve 0x0800:28; output-valve 0x0800:29;"
	" manual-fill-key 0x0400:irq0; reference 1V; max-fill 1min; closure-delay 1s }\n"
	"manifold AB { sensor 0x0c00:31; input-valve 0x0800:30; output-valve 0x0800:31;"
	" manual-fill-key 0x0400:irq1; reference 1V; max-fill 1min; closure-delay 1s }\n";

static struct station *station;

static struct station *make_station(void)
{
	_cleanup_free_ char *text = NULL;
	struct station *s = NULL;
	struct diagnostics d;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		abort();
	fputs(station_text, f);
	/* detectors 1-10 on A, 20-29 and 99999 on AB */
	for (unsigned i = 0; i < 21; i++) {
		unsigned n = i < 10 ? i + 1 : i < 20 ? i + 10 : 99999;

		fprintf(f, "detector %u { manifold %s; sensor 0x0c00:%u; valve 0x0800:%u;"
			" bias-shutdown 0x0400:port%u.%u; reference 1V; max-fill 1min;"
			" closure-delay 1s }\n", n, i < 10 ? "A" : "AB", i, i, i / 8, i % 8);
	}
	fclose(f);
	diagnostics_init(&d);
	if (config_compile_text("targets.conf", text, size, &config_loader_no_includes, &d, &s) < 0) {
		diagnostics_print(&d, stderr);
		abort();
	}
	diagnostics_done(&d);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = NULL;
	struct target_set t;
	char error[256];
	int r;

	if (!station)
		station = make_station();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	r = targets_parse(station, text, &t, error, sizeof(error));
	if (r < 0) {
		if (!error[0] || t.n_detectors || t.detectors)
			abort();
		/* the message goes out as a D-Bus string: printable ASCII only */
		for (const char *c = error; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				abort();
		return 0;
	}
	if (error[0] || t.n_detectors == 0 || t.n_detectors > station->n_detectors)
		abort();
	for (size_t i = 0; i < t.n_detectors; i++)
		if (t.detectors[i] >= station->n_detectors ||
		    (i > 0 && t.detectors[i] <= t.detectors[i - 1]))
			abort();
	target_set_done(&t);
	return 0;
}
