// SPDX-License-Identifier: GPL-2.0
/*
 * Drive the autofill engine on the fake plant (tests/unit/engine-fake.c)
 * with any sequence of scans, fast-path samples between them (op 1 with
 * the high bit), plant faults and operator commands, and
 * check the safety invariants after every step:
 *
 *  - a valve is never open without the dewar inhibit, and the inhibit
 *    is never released while a valve is open or a manual-fill key is on
 *    (unless its output fails: then the view says what the line carries);
 *  - the engine never has a valve open that no fill accounts for (a
 *    valve open is one whose fill is running, or one that failed to close);
 *  - in manual fill, no valve is open except one that failed to close;
 *  - every reachable state saves and restores.
 *
 * Input bytes: low nibble the operation, high nibble its argument.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tests/unit/engine-fake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_DETECTORS 12
#define N_MANIFOLDS 2

static const char *const targets[16] = {
	"1", "2", "3", "7", "12", "A", "B", "all", "1-6", "1,7", "2-3", "x", "6", "8", "99", "",
};
static const char *const times[4] = { "08:01", "12:00", "00:00", "25:00" };

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* An output whose writes failed until the last scan may still be wrong. */
static bool inhibit_unsettled;

static void check_invariants(const struct fake_plant *f)
{
	struct engine_global_view g;
	bool any_open = false;

	CHECK(f->inhibit_violations == 0);
	engine_global_view(f->engine, &g);
	for (uint32_t d = 0; d < N_DETECTORS; d++) {
		struct engine_detector_view v;

		engine_detector_view(f->engine, d, &v);
		if (!f->valve[d])
			continue;
		any_open = true;
		/* Open in the plant: the engine knows, and it is filling or unclosable. */
		CHECK(v.valve_open);
		CHECK(v.status & (DETECTOR_STATUS_FILLING | DETECTOR_STATUS_UNAVAILABLE));
		if (g.state == ENGINE_STATE_MANUAL_FILL)
			CHECK(v.status & DETECTOR_STATUS_UNAVAILABLE);
	}
	for (uint32_t m = 0; m < N_MANIFOLDS; m++) {
		struct engine_manifold_view v;

		engine_manifold_view(f->engine, m, &v);
		if (f->input[m] || f->output[m]) {
			any_open = true;
			CHECK(g.state != ENGINE_STATE_MANUAL_FILL);
			CHECK(!(v.status & MANIFOLD_STATUS_OVERFULL) || (v.status & MANIFOLD_STATUS_UNAVAILABLE));
		}
		if (f->output[m])
			CHECK(v.status & MANIFOLD_STATUS_PURGING);
		if (f->input[m]) {
			/* The input feeds a purge or a detector fill, nothing else. */
			bool feeding = v.status & MANIFOLD_STATUS_PURGING;
			const unsigned per = N_DETECTORS / N_MANIFOLDS;

			for (uint32_t d = m * per; d < (m + 1) * per; d++) {
				struct engine_detector_view dv;

				engine_detector_view(f->engine, d, &dv);
				feeding = feeding || (dv.status & DETECTOR_STATUS_FILLING);
			}
			CHECK(feeding);
		}
	}
	/* A hand fill draws from the supply too: inhibited during manual fill. */
	if (!inhibit_unsettled)
		CHECK(f->dewar_inhibit == (any_open || g.state == ENGINE_STATE_MANUAL_FILL));
	/* The views say what the lines carry. */
	CHECK(g.dewar_inhibit == f->dewar_inhibit);
	CHECK(g.alarm == f->alarm);
}

static void command(struct fake_plant *f, unsigned op, unsigned arg)
{
	const char *t = targets[arg];
	char error[256];

	switch (op) {
	case 12:
		engine_fill(f->engine, t, arg & 1 ? NULL : "08:01", f->real_usec, f->mono_usec,
			    error, sizeof(error));
		break;
	case 13:
		if (arg & 8)
			engine_avoid(f->engine, t, f->real_usec, f->mono_usec, error, sizeof(error));
		else
			engine_cancel(f->engine, t, f->real_usec, f->mono_usec, error, sizeof(error));
		break;
	case 14:
		if (arg & 8)
			engine_unavoid(f->engine, t, f->real_usec, f->mono_usec, error, sizeof(error));
		else
			engine_clear(f->engine, t, f->real_usec, f->mono_usec, error, sizeof(error));
		break;
	case 15:
		if (arg & 8)
			engine_delay(f->engine, t, arg, f->real_usec, f->mono_usec, error, sizeof(error));
		else
			engine_preset(f->engine, t, times, arg & 3, arg & 4 ? "add" : "replace",
				      f->real_usec, f->mono_usec, error, sizeof(error));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_plant *f = fake_new(N_MANIFOLDS, N_DETECTORS / N_MANIFOLDS, true);

	inhibit_unsettled = false;

	for (size_t i = 0; i < size && i < 4096; i++) {
		unsigned op = data[i] & 0x0f, arg = data[i] >> 4;
		unsigned d = arg % N_DETECTORS, m = arg % N_MANIFOLDS;

		switch (op) {
		case 3:
			if (arg & 8) {	/* a dewar-inhibit or alarm output fails, or works again */
				f->output_fails[arg & 1] = !f->output_fails[arg & 1];
				inhibit_unsettled = inhibit_unsettled || f->output_fails[0];
				break;
			}
			/* fall through */
		case 2:
			if (op == 2 && (arg & 8))	/* a noisy reading or two, then a scan */
				fake_glitch(f, d, arg & 4 ? WARM_MV : COLD_MV, 1 + (arg & 1));
			/* fall through */
		case 0: case 1:
			if (op == 1 && (arg & 8)) {	/* the fast path between scans */
				for (unsigned n = 0; n <= (arg & 7); n++)
					fake_sample_fast(f, 10000);
				break;
			}
			fake_scan(f);
			if (!f->output_fails[0])
				inhibit_unsettled = false;
			break;
		case 4:
			fake_scans(f, 10 * (arg + 1));
			if (!f->output_fails[0])
				inhibit_unsettled = false;
			break;
		case 5:
			f->valve_stuck_open[d] = !f->valve_stuck_open[d];
			break;
		case 6:
			if (arg & 8)	/* an open circuit: the converter's full scale */
				f->sensor_stuck_mv[d] = f->sensor_stuck_mv[d] ? 0 : ADC_MILLIVOLTS_MAX;
			else
				f->sensor_dead[d] = !f->sensor_dead[d];
			break;
		case 7:
			f->supply_empty[m] = !f->supply_empty[m];
			break;
		case 8:
			if (arg & 8)
				f->key_unreadable[m] = !f->key_unreadable[m];
			else
				f->key[m] = !f->key[m];
			break;
		case 9:
			f->bias[d] = !f->bias[d];
			break;
		case 10:
			f->valve_close_fails[d] = !f->valve_close_fails[d];
			break;
		case 11:
			if (arg & 8)
				f->manifold_sensor_dead[m] = !f->manifold_sensor_dead[m];
			else
				f->output_stuck_open[m] = !f->output_stuck_open[m];
			break;
		default:
			command(f, op, arg);
			break;
		}
		check_invariants(f);
	}

	/* Shut down: every valve that can close is closed; the state restarts. */
	engine_shutdown(f->engine, f->real_usec, f->mono_usec);
	for (uint32_t d = 0; d < N_DETECTORS; d++)
		CHECK(!f->valve[d] || f->valve_close_fails[d]);
	for (uint32_t m = 0; m < N_MANIFOLDS; m++)
		CHECK(!f->input[m] && !f->output[m]);
	engine_save_state(f->engine);
	for (uint32_t d = 0; d < N_DETECTORS; d++)
		f->valve_close_fails[d] = false;
	CHECK(fake_start_engine(f) == 0);
	CHECK(!fake_any_valve_open(f));
	fake_free(f);
	return 0;
}
