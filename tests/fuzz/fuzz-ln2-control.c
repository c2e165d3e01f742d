// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz ln2-plant's control language (what arrives on its FIFO or stdin)
 * against a two-manifold station over a fake plant root. The input is
 * split into lines, each run as a command. Checks: an accepted command
 * replies "ok..." (or nothing for a blank line or comment); a refused one
 * has a reason and changed nothing in the plant's state.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config/compile.h"
#include "tests/sim/ln2-plant-control.h"
#include "tests/sim/ln2-plant-io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_DETECTORS 4
#define N_MANIFOLDS 2

static const char station_text[] =
	"card 240 @ 0x0400\ncard 260 @ 0x0800\ncard 560 @ 0x0c00\n"
	"station { scan-rate 1Hz; backup-interval 1min; dewar-inhibit 0x0400:port7.0;"
	" alarm 0x0400:flag0 }\n"
	"manifold A { sensor 0x0c00:30; input-valve 0x0800:28; output-valve 0x0800:29;"
	" manual-fill-key 0x0400:irq0; reference 1.5V; max-fill 1min; closure-delay 1s }\n"
	"manifold AB { sensor 0x0c00:31; input-valve 0x0800:30; output-valve 0x0800:31;"
	" manual-fill-key 0x0400:port1.0; reference 1.5V; max-fill 1min; closure-delay 1s }\n"
	"detector 1 { manifold A; sensor 0x0c00:0; valve 0x0800:0; bias-shutdown 0x0400:port0.0;"
	" reference 1.5V; max-fill 1min; closure-delay 1s }\n"
	"detector 2 { manifold A; sensor 0x0c00:1; valve 0x0800:1; bias-shutdown 0x0400:irq2;"
	" reference 1.5V; max-fill 1min; closure-delay 1s }\n"
	"detector 30 { manifold AB; sensor 0x0c00:2; valve 0x0800:2; bias-shutdown 0x0400:port0.2;"
	" reference 1.5V; max-fill 1min; closure-delay 1s }\n"
	"detector 99999 { manifold AB; sensor 0x0c00:3; valve 0x0800:3;"
	" bias-shutdown 0x0400:port0.3; reference 1.5V; max-fill 1min; closure-delay 1s }\n";

static const char *const card_files[][2] = {
	{ "xvme0-0400/ports", "0x0000000000000000\n" },
	{ "xvme0-0400/irq_inputs", "0x00\n" },
	{ "xvme0-0400/flags", "0x00\n" },
	{ "xvme0-0400/fault", "none\n" },
	{ "xvme0-0800/relays", "0x00000000\n" },
	{ "xvme0-0800/fault", "none\n" },
	{ "xvme0-0c00/ain", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" },
	{ "xvme0-0c00/range", "bipolar\n" },
	{ "xvme0-0c00/fault", "none\n" },
};

static struct station *station;
static struct plant *plant;
static char root[] = "/tmp/fuzz-ln2-control.XXXXXX";

/* Everything a command may change, to compare around a refused one. */
struct snapshot {
	double supply, level[N_DETECTORS];
	int detector_mv[N_DETECTORS], manifold_mv[N_MANIFOLDS];
	enum ln2_valve_fault detector_valve[N_DETECTORS];
	enum ln2_valve_fault input[N_MANIFOLDS], output[N_MANIFOLDS];
	bool bias[N_DETECTORS], key[N_MANIFOLDS];
};

static void snapshot_take(struct ln2_plant *p, struct snapshot *s)
{
	struct ln2_model *m = ln2_plant_model(p);

	memset(s, 0, sizeof(*s));
	s->supply = ln2_model_supply(m);
	for (size_t i = 0; i < N_DETECTORS; i++) {
		s->level[i] = ln2_model_detector_level(m, i);
		s->detector_mv[i] = ln2_model_detector_sensor_mv(m, i);
		s->detector_valve[i] = ln2_model_valve_fault(m,
			(struct ln2_valve_id) { LN2_VALVE_DETECTOR, i });
		s->bias[i] = ln2_plant_bias_shutdown(p, i);
	}
	for (size_t i = 0; i < N_MANIFOLDS; i++) {
		s->manifold_mv[i] = ln2_model_manifold_sensor_mv(m, i);
		s->input[i] = ln2_model_valve_fault(m,
			(struct ln2_valve_id) { LN2_VALVE_MANIFOLD_INPUT, i });
		s->output[i] = ln2_model_valve_fault(m,
			(struct ln2_valve_id) { LN2_VALVE_MANIFOLD_OUTPUT, i });
		s->key[i] = ln2_plant_manual_fill_key(p, i);
	}
}

/* The fake root goes when the fuzzer exits. */
static void cleanup(void)
{
	char path[PATH_MAX];

	plant_close(plant);
	station_free(station);
	for (size_t i = 0; i < ELEMENTSOF(card_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, card_files[i][0]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%.10s", root, card_files[i][0]);
		rmdir(path);
	}
	rmdir(root);
}

static void setup(void)
{
	struct diagnostics d;
	char path[PATH_MAX];

	if (!mkdtemp(root))
		abort();
	atexit(cleanup);
	for (size_t i = 0; i < ELEMENTSOF(card_files); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%.10s", root, card_files[i][0]);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/%s", root, card_files[i][0]);
		f = fopen(path, "we");
		if (!f || fputs(card_files[i][1], f) < 0 || fclose(f) != 0)
			abort();
	}
	diagnostics_init(&d);
	if (config_compile_text("fuzz.conf", station_text, strlen(station_text),
				&config_loader_no_includes, &d, &station) < 0) {
		diagnostics_print(&d, stderr);
		abort();
	}
	diagnostics_done(&d);
	if (station->n_detectors != N_DETECTORS || station->n_manifolds != N_MANIFOLDS)
		abort();
	if (plant_open(root, &plant) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_ln2_plant_ struct ln2_plant *p = NULL;
	_cleanup_free_ char *text = NULL;
	struct ln2_params params;
	char *save = NULL, *line;
	int lines = 0;

	if (!station)
		setup();
	ln2_params_default(&params);
	if (ln2_plant_new(station, plant, &params, NULL, &p) < 0)
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	for (line = strtok_r(text, "\n", &save); line && lines < 32;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		struct snapshot before, after;
		char reply[256];
		int r;

		snapshot_take(p, &before);
		memset(reply, 'x', sizeof(reply));
		r = ln2_control_execute(p, line, reply, sizeof(reply));
		if (!memchr(reply, '\0', sizeof(reply)))
			abort();
		if (r == 0) {
			if (reply[0] && strncmp(reply, "ok", 2) != 0)
				abort();
			continue;
		}
		if (r > 0 || !reply[0])
			abort();
		snapshot_take(p, &after);
		if (memcmp(&before, &after, sizeof(before)) != 0)
			abort();
	}
	/* Whatever the commands did, a tick still works on it. */
	if (ln2_plant_tick(p, 0.5) < 0)
		abort();
	return 0;
}
