// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated CCD controller's mechanisms and packaged runs (see
 * ccd-controller.h). Durations are those of a 1990s CCD controller
 * driving a large chip: a settings change loads tables into the DSP in a
 * fraction of a second, a clear flushes every row, a read-out takes the
 * pixel time of its speed for every binned pixel it digitises, a reset
 * takes several seconds and an RTC synchronisation waits for the next
 * whole minute after asking the time service, up to 70 s in all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/shared/macro.h"
#include "tests/sim/ccd-controller.h"

#define NEVER UINT64_MAX
#define OUTBOX_SIZE 128

/* Simulated milliseconds. */
#define RSP_MS		500	/* load the read-out waveform tables */
#define CSP_MS		200
#define PFL_MS		50
#define EXP_MS		50
#define FORMAT_MS	200	/* BIN, WIN, WEN */
#define RGA_MS		100
#define SHUTTER_MS	300	/* blades across the aperture */
#define UNJAM_MS	1000
#define READOUT_OVERHEAD_MS 100
#define SYNC_TRIES	3

/* Per unbinned row shifted, and per binned pixel digitised, in ns. */
static const uint64_t clear_row_ns[] = {
	[CCD_CLEAR_QUICK] = 200000, [CCD_CLEAR_NORMAL] = 1000000,
};
static const uint64_t pixel_ns[] = {
	[CCD_READOUT_SLOW] = 40000, [CCD_READOUT_STANDARD] = 16000, [CCD_READOUT_FAST] = 8000,
};
#define ROW_SHIFT_NS 20000

static const char *const mech_names[CCD_MECH_COUNT] = {
	[CCD_MECH_INS] = "INS", [CCD_MECH_MON] = "MON", [CCD_MECH_CLR] = "CLR",
	[CCD_MECH_RED] = "RED", [CCD_MECH_PIC] = "PIC", [CCD_MECH_DAR] = "DAR",
	[CCD_MECH_PAU] = "PAU", [CCD_MECH_CON] = "CON", [CCD_MECH_FIN] = "FIN",
	[CCD_MECH_ABT] = "ABT", [CCD_MECH_SSH] = "SSH", [CCD_MECH_RSP] = "RSP",
	[CCD_MECH_CSP] = "CSP", [CCD_MECH_PFL] = "PFL", [CCD_MECH_EXP] = "EXP",
	[CCD_MECH_BIN] = "BIN", [CCD_MECH_WIN] = "WIN", [CCD_MECH_WEN] = "WEN",
	[CCD_MECH_RES] = "RES", [CCD_MECH_SYN] = "SYN", [CCD_MECH_RGA] = "RGA",
};

static const char *const phase_names[] = {
	[CCD_PHASE_IDLE] = "idle", [CCD_PHASE_CLEARING] = "clearing",
	[CCD_PHASE_PREFLASH] = "preflash", [CCD_PHASE_EXPOSING] = "exposing",
	[CCD_PHASE_PAUSED] = "paused", [CCD_PHASE_READING_OUT] = "reading-out",
	[CCD_PHASE_COMPLETE] = "complete", [CCD_PHASE_ABORTED] = "aborted",
};

static const char *const shutter_names[] = { "closed", "open", "jammed" };

/* The state of one mechanism's command and status requests. */
struct mech_state {
	bool busy;			/* its action is in progress */
	uint64_t done_at;
	unsigned int err;		/* the last action's result */
	bool rejected;			/* the last command was refused (err 0x02) */
	bool delayed_wanted;		/* a 201 waits for the action to end */
	unsigned int action_err;	/* the action in progress will end so */
	uint32_t arg[7];		/* what the action in progress sets */
	/* faults */
	unsigned int fail_count, fail_err;
	bool hung;
};

struct run {
	enum ccd_mech mech;		/* PIC or DAR; COUNT before the first */
	enum ccd_phase phase;
	uint64_t phase_end;		/* NEVER while not timed */
	uint64_t exposure_start;
	uint64_t segment_start;		/* exposing since (shutter open for PIC) */
	uint64_t exposed_ms;		/* exposure before this segment */
	uint64_t elapsed_final;		/* frozen at the end of exposure */
	bool elapsed_frozen;
	uint64_t next_progress;
	unsigned int err;		/* 0 complete, 0x10 aborted, 0x04 fault */
	unsigned int fail_err;		/* injected: the run fails after clearing */
	enum ccd_mech kick;		/* PAU/CON/FIN/ABT under way, or COUNT */
	uint64_t kick_end;
};

enum sync_step { SYNC_NONE, SYNC_WAIT_UTC, SYNC_WAIT_TIM, SYNC_WAIT_MINUTE };

struct ccd_controller {
	struct ccd_controller_params p;
	uint64_t now;
	unsigned int boots;

	bool resetting;
	uint64_t reset_end;

	struct ccd_settings settings;
	bool monitor;
	uint32_t last_window;		/* WIN200 reports this window */
	struct mech_state mech[CCD_MECH_COUNT];

	/* The shutter and the charge on the chip. */
	enum ccd_shutter shutter;
	bool light;			/* the blades are open */
	uint64_t light_since;
	bool jam_armed, jam_hard, jammed_hard;
	uint64_t chip_since;		/* last cleared or read out */
	uint64_t chip_light_ms;		/* before light_since */
	uint64_t chip_preflash_ms;

	struct run run;

	/* A read-out in progress (a run's or RED's). */
	bool reading;
	enum ccd_mech reading_for;
	uint64_t readout_end;
	bool readout_due;		/* for the caller to take */
	bool awaiting_delivery;
	struct ccd_readout readout;
	uint64_t readouts;

	/* RTC synchronisation with TIM. */
	enum sync_step sync;
	uint64_t sync_deadline;
	unsigned int sync_tries;
	int64_t utc_ms;			/* TIM's UTC answer */
	int64_t utc_wall_ms;		/* our wall clock when it came */
	int64_t rtc_error_ms;
	uint64_t next_auto_sync;

	struct ccd_out outbox[OUTBOX_SIZE];
	size_t out_head, out_len;
	unsigned long outbox_overflows;
};

const char *ccd_mech_name(enum ccd_mech m)
{
	return m < CCD_MECH_COUNT ? mech_names[m] : "?";
}

enum ccd_mech ccd_mech_from_name(const char *name)
{
	for (size_t i = 0; i < CCD_MECH_COUNT; i++)
		if (strcmp(name, mech_names[i]) == 0)
			return (enum ccd_mech)i;
	return CCD_MECH_COUNT;
}

const char *ccd_phase_name(enum ccd_phase p)
{
	return p < ELEMENTSOF(phase_names) ? phase_names[p] : "?";
}

void ccd_settings_power_up_default(struct ccd_settings *s)
{
	/*
	 * What the engineer last saved in the controller, deliberately not
	 * the profile's defaults: after power-up or RES the host knows
	 * nothing about the settings until it sends them (seed, 4.4).
	 */
	*s = (struct ccd_settings) {
		.readout_speed = CCD_READOUT_FAST,
		.clear_speed = CCD_CLEAR_NORMAL,
		.preflash_ms = 0,
		.exposure_ms = 1000,
		.format = { .bin_x = 2, .bin_y = 2 },
		.gain_register = 0,
	};
}

void ccd_controller_params_default(struct ccd_controller_params *p)
{
	*p = (struct ccd_controller_params) {
		.chip = { .size_x = 1124, .size_y = 1124, .x_under = 50, .y_under = 50,
			  .x_silicon = 1024, .y_silicon = 1024 },
		.head = 1,
		.reset_ms = 5000,
		.reply_timeout_ms = 10000,
		.progress_interval_ms = 1000,
		.auto_sync_interval_ms = 24ull * 3600 * 1000,
		.rtc_error_ms = 37250,
	};
	ccd_settings_power_up_default(&p->power_up);
}

/* ------------------------------------------------------------ output */

static struct ccd_out *out(struct ccd_controller *c, enum ccd_out_kind kind)
{
	struct ccd_out *o;

	if (c->out_len == OUTBOX_SIZE) {
		c->outbox_overflows++;
		return NULL;
	}
	o = &c->outbox[(c->out_head + c->out_len++) % OUTBOX_SIZE];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	return o;
}

static _printf_(2, 3) void note(struct ccd_controller *c, const char *fmt, ...)
{
	struct ccd_out *o = out(c, CCD_OUT_NOTE);
	va_list ap;

	if (!o)
		return;
	va_start(ap, fmt);
	vsnprintf(o->note, sizeof(o->note), fmt, ap);
	va_end(ap);
}

/* A mechanism message with numeric arguments (at most UNET_MECH_ARGS_MAX). */
static void message(struct ccd_controller *c, enum ccd_out_kind kind, const char *mnemonic,
		    unsigned int code, const int64_t *args, size_t n)
{
	struct ccd_out *o = out(c, kind);

	if (!o)
		return;
	memcpy(o->mech.mnemonic, mnemonic, UNET_MNEMONIC_LEN);
	o->mech.code = (uint16_t)code;
	o->mech.n_args = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		o->mech.args[i] = unet_arg_number(args[i]);
}

bool ccd_controller_take_output(struct ccd_controller *c, struct ccd_out *o)
{
	if (c->out_len == 0)
		return false;
	*o = c->outbox[c->out_head];
	c->out_head = (c->out_head + 1) % OUTBOX_SIZE;
	c->out_len--;
	return true;
}

/* What a reset forgets: everything not yet said but the notes. */
static void outbox_drop_messages(struct ccd_controller *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->out_len; i++) {
		struct ccd_out *o = &c->outbox[(c->out_head + i) % OUTBOX_SIZE];

		if (o->kind == CCD_OUT_NOTE)
			c->outbox[(c->out_head + kept++) % OUTBOX_SIZE] = *o;
	}
	c->out_len = kept;
}

/* ------------------------------------------------------------ chip and shutter */

static uint64_t chip_light_ms(const struct ccd_controller *c)
{
	return c->chip_light_ms + (c->light ? c->now - c->light_since : 0);
}

static void chip_clear(struct ccd_controller *c)
{
	c->chip_since = c->now;
	c->chip_light_ms = 0;
	c->chip_preflash_ms = 0;
	if (c->light)
		c->light_since = c->now;
}

static void light_set(struct ccd_controller *c, bool on)
{
	if (on == c->light)
		return;
	if (!on)
		c->chip_light_ms += c->now - c->light_since;
	else
		c->light_since = c->now;
	c->light = on;
}

static bool run_active(const struct ccd_controller *c)
{
	return c->run.phase >= CCD_PHASE_CLEARING && c->run.phase <= CCD_PHASE_READING_OUT;
}

static void monitor_report(struct ccd_controller *c, enum ccd_mech m);

/* The blades reach @pos (the caller checked the jam). */
static void shutter_arrive(struct ccd_controller *c, enum ccd_shutter pos)
{
	if (pos == c->shutter)
		return;
	c->shutter = pos;
	if (pos != CCD_SHUTTER_JAMMED)
		light_set(c, pos == CCD_SHUTTER_OPEN);
	note(c, "shutter %s", shutter_names[pos]);
	if (!c->mech[CCD_MECH_SSH].delayed_wanted)
		monitor_report(c, CCD_MECH_SSH);
}

/* A run moves the shutter itself: false if it jammed. */
static bool shutter_run_move(struct ccd_controller *c, enum ccd_shutter pos)
{
	if (c->shutter == pos)
		return true;
	if (c->shutter == CCD_SHUTTER_JAMMED || c->jam_armed) {
		if (c->jam_armed) {
			c->jam_armed = false;
			c->jammed_hard = c->jam_hard;
			shutter_arrive(c, CCD_SHUTTER_JAMMED);
		}
		return false;
	}
	shutter_arrive(c, pos);
	return true;
}

/* ------------------------------------------------------------ durations */

static uint64_t clear_duration(const struct ccd_controller *c)
{
	return (uint64_t)c->p.chip.size_y * clear_row_ns[c->settings.clear_speed] / 1000000 + 100;
}

static struct ccd_geometry chip_geometry(const struct ccd_chip *chip)
{
	return (struct ccd_geometry) { .size_x = chip->size_x, .size_y = chip->size_y,
				       .bin_max = CCD_CONTROLLER_BIN_MAX };
}

uint64_t ccd_readout_duration_ms(const struct ccd_chip *chip, const struct ccd_readout *r)
{
	struct ccd_geometry g = chip_geometry(chip);
	struct ccd_image_size images[CCD_WINDOWS];
	size_t n = ccd_format_images(&g, &r->format, images);
	uint64_t pixels = 0, ns;

	for (size_t i = 0; i < n; i++)
		pixels += (uint64_t)images[i].naxis1 * images[i].naxis2;
	/* Every row is shifted whatever the window; skipped pixels are fast. */
	ns = (uint64_t)chip->size_y * ROW_SHIFT_NS + pixels * pixel_ns[r->readout_speed];
	return ns / 1000000 + READOUT_OVERHEAD_MS;
}

/* ------------------------------------------------------------ status messages */

/* From the start of exposure, pauses included; frozen when it ends. */
static uint64_t run_elapsed(const struct ccd_controller *c)
{
	if (c->run.elapsed_frozen)
		return c->run.elapsed_final;
	if (c->run.phase == CCD_PHASE_EXPOSING || c->run.phase == CCD_PHASE_PAUSED)
		return c->now - c->run.exposure_start;
	return 0;
}

static bool mech_busy(const struct ccd_controller *c, enum ccd_mech m)
{
	switch (m) {
	case CCD_MECH_PIC:
	case CCD_MECH_DAR:
		return run_active(c) && c->run.mech == m;
	case CCD_MECH_PAU:
	case CCD_MECH_CON:
	case CCD_MECH_FIN:
	case CCD_MECH_ABT:
		return c->run.kick == m;
	case CCD_MECH_SYN:
		return c->sync != SYNC_NONE;
	case CCD_MECH_RED:
		return c->reading && c->reading_for == CCD_MECH_RED;
	default:
		return c->mech[m].busy;
	}
}

/* The err a status of @m carries now. */
static unsigned int mech_err(const struct ccd_controller *c, enum ccd_mech m)
{
	const struct mech_state *s = &c->mech[m];

	if (s->rejected)
		return CCD_ERR_BAD_ARGUMENT;
	if (mech_busy(c, m))
		return CCD_ERR_BUSY;
	if ((m == CCD_MECH_PIC || m == CCD_MECH_DAR) && c->run.mech == m)
		return c->run.err;
	return s->err;
}

/* A status of @m with @code: (head,err,values...), RGA (err,value), INS (head). */
static void status(struct ccd_controller *c, enum ccd_mech m, unsigned int code,
		   unsigned int err)
{
	const struct ccd_settings *s = &c->settings;
	const struct ccd_window *w;
	int64_t a[UNET_MECH_ARGS_MAX] = { c->p.head, err };
	size_t n = 2;

	switch (m) {
	case CCD_MECH_INS:
		n = 1;
		break;
	case CCD_MECH_RGA:
		a[0] = err;
		a[1] = s->gain_register;
		break;
	case CCD_MECH_PIC:
	case CCD_MECH_DAR:
	case CCD_MECH_PAU:
	case CCD_MECH_CON:
	case CCD_MECH_FIN:
	case CCD_MECH_ABT:
		a[n++] = c->run.phase;
		a[n++] = (int64_t)run_elapsed(c);
		break;
	case CCD_MECH_SSH:
		a[n++] = c->shutter;
		break;
	case CCD_MECH_RSP:
		a[n++] = s->readout_speed;
		break;
	case CCD_MECH_CSP:
		a[n++] = s->clear_speed;
		break;
	case CCD_MECH_PFL:
		a[n++] = s->preflash_ms;
		break;
	case CCD_MECH_EXP:
		a[n++] = s->exposure_ms;
		break;
	case CCD_MECH_BIN:
		a[n++] = s->format.bin_x;
		a[n++] = s->format.bin_y;
		break;
	case CCD_MECH_WIN:
		w = &s->format.window[c->last_window - 1];
		a[n++] = c->last_window;
		a[n++] = w->x1;
		a[n++] = w->y1;
		a[n++] = w->x2;
		a[n++] = w->y2;
		a[n++] = w->valid;
		break;
	case CCD_MECH_WEN:
		a[n++] = s->format.windows_enabled;
		break;
	default:	/* MON CLR RED RES SYN: no values */
		break;
	}
	message(c, CCD_OUT_STATUS, mech_names[m], code, a, n);
}

/* Answer a waiting 201 of @m, if any, with its current state. */
static bool answer_delayed(struct ccd_controller *c, enum ccd_mech m)
{
	if (!c->mech[m].delayed_wanted || c->mech[m].hung)
		return false;
	c->mech[m].delayed_wanted = false;
	status(c, m, 201, mech_err(c, m));
	return true;
}

/* Monitor mode: every change is reported, unsolicited. */
static void monitor_report(struct ccd_controller *c, enum ccd_mech m)
{
	if (c->monitor && !c->mech[m].hung)
		status(c, m, 200, mech_err(c, m));
}

/* Run phases are reported whether or not monitor mode is on. */
static void run_report(struct ccd_controller *c)
{
	enum ccd_mech m = c->run.mech;

	note(c, "%s phase %u %s elapsed %" PRIu64, mech_names[m], c->run.phase,
	     ccd_phase_name(c->run.phase), run_elapsed(c));
	if (!c->mech[m].hung)
		status(c, m, 200, mech_err(c, m));
}

/* ------------------------------------------------------------ arguments */

/* Argument @i of @m, a number from @min to @max. */
static bool arg_range(const struct unet_mech *m, unsigned int i, uint32_t min, uint32_t max,
		      uint32_t *ret)
{
	int64_t v;

	if (!unet_mech_number(m, i, &v) || v < min || v > max)
		return false;
	*ret = (uint32_t)v;
	return true;
}

static bool arg_word(const struct unet_mech *m, unsigned int i, const char *word)
{
	return i < m->n_args && m->args[i].kind == UNET_ARG_WORD &&
	       strcmp(m->args[i].word, word) == 0;
}

/* A speed by number or by name (RSP101(1,3), RSP101(1,FAST)). */
static bool arg_speed(const struct unet_mech *m, unsigned int i,
		      int (*from_string)(const char *, size_t), uint32_t max, uint32_t *ret)
{
	int v;

	if (i < m->n_args && m->args[i].kind == UNET_ARG_WORD) {
		v = from_string(m->args[i].word, strlen(m->args[i].word));
		if (v < 0)
			return false;
		*ret = (uint32_t)v;
		return true;
	}
	return arg_range(m, i, 1, max, ret);
}

/* ------------------------------------------------------------ settings */

/* Check a setting command's arguments (after the head) into @a. */
static bool setting_parse(const struct ccd_controller *c, enum ccd_mech mech,
			  const struct unet_mech *m, uint32_t *a)
{
	struct ccd_geometry g = chip_geometry(&c->p.chip);
	struct ccd_window w;
	unsigned int n = m->n_args;

	switch (mech) {
	case CCD_MECH_MON:
	case CCD_MECH_WEN:
		return n == 2 && arg_range(m, 1, 0, 1, &a[0]);
	case CCD_MECH_RSP:
		return n == 2 && arg_speed(m, 1, ccd_readout_speed_from_string,
					   CCD_READOUT_FAST, &a[0]);
	case CCD_MECH_CSP:
		return n == 2 && arg_speed(m, 1, ccd_clear_speed_from_string,
					   CCD_CLEAR_NORMAL, &a[0]);
	case CCD_MECH_PFL:
		return n == 2 && arg_range(m, 1, 0, CCD_CONTROLLER_PREFLASH_MAX_MS, &a[0]);
	case CCD_MECH_EXP:
		return n == 2 && arg_range(m, 1, 0, CCD_CONTROLLER_EXPOSURE_MAX_MS, &a[0]);
	case CCD_MECH_BIN:
		return n == 3 && arg_range(m, 1, 1, CCD_CONTROLLER_BIN_MAX, &a[0]) &&
		       arg_range(m, 2, 1, CCD_CONTROLLER_BIN_MAX, &a[1]);
	case CCD_MECH_WIN:
		/* window, x1, y1, x2, y2, valid */
		if (n != 7 || !arg_range(m, 1, 1, CCD_WINDOWS, &a[0]))
			return false;
		for (unsigned int i = 1; i < 5; i++)
			if (!arg_range(m, i + 1, 0, CCD_SIZE_MAX, &a[i]))
				return false;
		if (!arg_range(m, 6, 0, 1, &a[5]))
			return false;
		w = (struct ccd_window) { .valid = a[5], .x1 = a[1], .y1 = a[2], .x2 = a[3],
					  .y2 = a[4] };
		/* An invalid window's corners mean nothing, but lie on the chip. */
		if (!w.valid)
			return w.x1 <= g.size_x && w.x2 <= g.size_x && w.y1 <= g.size_y &&
			       w.y2 <= g.size_y;
		return ccd_window_check(&g, a[0], &w, NULL, 0) == 0;
	case CCD_MECH_RGA:
		return n == 1 && arg_range(m, 0, 0, CCD_GAIN_REGISTER_MAX, &a[0]);
	default:
		return false;
	}
}

static uint64_t setting_duration(enum ccd_mech m)
{
	switch (m) {
	case CCD_MECH_RSP: return RSP_MS;
	case CCD_MECH_CSP: return CSP_MS;
	case CCD_MECH_PFL: return PFL_MS;
	case CCD_MECH_EXP: return EXP_MS;
	case CCD_MECH_RGA: return RGA_MS;
	case CCD_MECH_MON: return 0;
	default: return FORMAT_MS;
	}
}

static void exposure_retime(struct ccd_controller *c);

/* The setting's new value takes effect; true if it changed anything. */
static bool setting_apply(struct ccd_controller *c, enum ccd_mech m, const uint32_t *a)
{
	struct ccd_settings *s = &c->settings;
	struct ccd_settings before = *s;
	struct ccd_window *w;

	switch (m) {
	case CCD_MECH_MON:
		if (c->monitor == (bool)a[0])
			return false;
		c->monitor = a[0];
		return true;
	case CCD_MECH_RSP: s->readout_speed = a[0]; break;
	case CCD_MECH_CSP: s->clear_speed = a[0]; break;
	case CCD_MECH_PFL: s->preflash_ms = a[0]; break;
	case CCD_MECH_EXP:
		s->exposure_ms = a[0];
		exposure_retime(c);	/* a new time for the exposure under way */
		break;
	case CCD_MECH_BIN: s->format.bin_x = a[0]; s->format.bin_y = a[1]; break;
	case CCD_MECH_WEN: s->format.windows_enabled = a[0]; break;
	case CCD_MECH_RGA: s->gain_register = a[0]; break;
	case CCD_MECH_WIN:
		c->last_window = a[0];
		w = &s->format.window[a[0] - 1];
		*w = (struct ccd_window) { .valid = a[5], .x1 = a[1], .y1 = a[2], .x2 = a[3],
					   .y2 = a[4] };
		return memcmp(&before.format.window[a[0] - 1], w, sizeof(*w)) != 0;
	default:
		return false;
	}
	return memcmp(&before, s, sizeof(before)) != 0;
}

/* ------------------------------------------------------------ runs */

static void readout_start(struct ccd_controller *c, enum ccd_mech for_mech);

static void run_end(struct ccd_controller *c, enum ccd_phase phase, unsigned int err)
{
	c->run.elapsed_final = run_elapsed(c);
	c->run.elapsed_frozen = true;
	c->run.phase = phase;
	c->run.err = err;
	c->run.phase_end = NEVER;
	c->run.kick = CCD_MECH_COUNT;
	run_report(c);
	answer_delayed(c, c->run.mech);
}

/* The run fails as a whole: the shutter closes, nothing is read out. */
static void run_fail(struct ccd_controller *c, unsigned int err)
{
	if (c->run.mech == CCD_MECH_PIC && c->shutter == CCD_SHUTTER_OPEN)
		shutter_arrive(c, CCD_SHUTTER_CLOSED);
	note(c, "%s failed, err 0x%02x", mech_names[c->run.mech], err);
	run_end(c, CCD_PHASE_ABORTED, err);
}

static void exposure_start(struct ccd_controller *c)
{
	struct run *r = &c->run;

	r->phase = CCD_PHASE_EXPOSING;
	r->exposure_start = c->now;
	r->segment_start = c->now;
	r->exposed_ms = 0;
	r->next_progress = c->now + c->p.progress_interval_ms;
	if (r->mech == CCD_MECH_PIC && !shutter_run_move(c, CCD_SHUTTER_OPEN)) {
		run_fail(c, CCD_ERR_HARDWARE);
		return;
	}
	r->phase_end = c->now + c->settings.exposure_ms;
	run_report(c);
}

/* EXP while exposing: the exposure under way ends at the new time. */
static void exposure_retime(struct ccd_controller *c)
{
	struct run *r = &c->run;

	if (r->phase != CCD_PHASE_EXPOSING || r->phase_end == NEVER)
		return;
	r->phase_end = r->segment_start +
		(c->settings.exposure_ms > r->exposed_ms ? c->settings.exposure_ms - r->exposed_ms : 0);
	if (r->phase_end < c->now)
		r->phase_end = c->now;
	note(c, "exposure time now %u ms", c->settings.exposure_ms);
}

/* The exposure stops integrating now (pause, finish, end). */
static void exposure_stop(struct ccd_controller *c)
{
	struct run *r = &c->run;

	if (r->phase == CCD_PHASE_EXPOSING && r->phase_end != NEVER) {
		r->exposed_ms += c->now - r->segment_start;
		r->phase_end = NEVER;
		if (r->mech == CCD_MECH_PIC)
			shutter_run_move(c, CCD_SHUTTER_CLOSED);
	}
}

static void run_to_readout(struct ccd_controller *c)
{
	struct run *r = &c->run;

	r->elapsed_final = c->now - r->exposure_start;
	r->elapsed_frozen = true;
	r->phase = CCD_PHASE_READING_OUT;
	r->kick = CCD_MECH_COUNT;
	readout_start(c, r->mech);
	r->phase_end = NEVER;	/* the read-out's own end moves it on */
	run_report(c);
}

static void run_phase_ended(struct ccd_controller *c)
{
	struct run *r = &c->run;

	r->phase_end = NEVER;
	switch (r->phase) {
	case CCD_PHASE_CLEARING:
		chip_clear(c);
		if (r->fail_err) {
			run_fail(c, r->fail_err);
			return;
		}
		if (c->settings.preflash_ms) {
			r->phase = CCD_PHASE_PREFLASH;
			r->phase_end = c->now + c->settings.preflash_ms;
			run_report(c);
			return;
		}
		exposure_start(c);
		return;
	case CCD_PHASE_PREFLASH:
		c->chip_preflash_ms += c->settings.preflash_ms;
		exposure_start(c);
		return;
	case CCD_PHASE_EXPOSING:
		r->phase_end = c->now;	/* so that exposure_stop counts it */
		exposure_stop(c);
		run_to_readout(c);
		return;
	default:
		return;
	}
}

static void run_start(struct ccd_controller *c, enum ccd_mech m)
{
	struct mech_state *s = &c->mech[m];

	c->run = (struct run) {
		.mech = m,
		.phase = CCD_PHASE_CLEARING,
		.phase_end = c->now + clear_duration(c),
		.exposure_start = NEVER,
		.kick = CCD_MECH_COUNT,
	};
	if (s->fail_count) {
		s->fail_count--;
		c->run.fail_err = s->fail_err;
	}
	note(c, "%s started: exposure %u ms, preflash %u ms", mech_names[m],
	     c->settings.exposure_ms, c->settings.preflash_ms);
	/* A jammed shutter cannot expose: PIC fails at once, DAR cannot be
	 * sure it is dark and fails too. */
	if (c->shutter == CCD_SHUTTER_JAMMED)
		run_fail(c, CCD_ERR_HARDWARE);
}

/*
 * The phases a kick is taken in: PAU while exposing, CON while paused,
 * FIN while either, ABT in any active phase; one at a time, but ABT
 * overrides one under way.
 */
static bool kick_allowed(const struct ccd_controller *c, enum ccd_mech m)
{
	const struct run *r = &c->run;

	if (!run_active(c))
		return false;
	if (m != CCD_MECH_ABT && r->kick != CCD_MECH_COUNT)
		return false;
	switch (m) {
	case CCD_MECH_PAU:
		return r->phase == CCD_PHASE_EXPOSING;
	case CCD_MECH_CON:
		return r->phase == CCD_PHASE_PAUSED;
	case CCD_MECH_FIN:
		return r->phase == CCD_PHASE_EXPOSING || r->phase == CCD_PHASE_PAUSED;
	case CCD_MECH_ABT:
		return true;
	default:
		return false;
	}
}

static void kick_start(struct ccd_controller *c, enum ccd_mech m)
{
	struct run *r = &c->run;
	bool open = r->mech == CCD_MECH_PIC && c->shutter == CCD_SHUTTER_OPEN;

	switch (m) {
	case CCD_MECH_PAU:
	case CCD_MECH_FIN:
		exposure_stop(c);
		break;
	case CCD_MECH_CON:
		open = r->mech == CCD_MECH_PIC;
		break;
	case CCD_MECH_ABT:
		if (r->phase == CCD_PHASE_EXPOSING)
			exposure_stop(c);
		r->phase_end = NEVER;
		if (c->reading) {
			/* The read-out stops: no pixels. */
			c->reading = false;
			c->readout_due = false;
			c->awaiting_delivery = false;
			note(c, "read-out abandoned");
		}
		break;
	default:
		return;
	}
	r->kick = m;
	/* The shutter takes its time to close (or open, for CON). */
	r->kick_end = c->now + (open ? SHUTTER_MS : 0);
	note(c, "%s during %s", mech_names[m], ccd_phase_name(r->phase));
}

static void kick_ended(struct ccd_controller *c)
{
	struct run *r = &c->run;
	enum ccd_mech m = r->kick;

	r->kick = CCD_MECH_COUNT;
	switch (m) {
	case CCD_MECH_PAU:
		r->phase = CCD_PHASE_PAUSED;
		run_report(c);
		break;
	case CCD_MECH_CON:
		r->phase = CCD_PHASE_EXPOSING;
		if (r->mech == CCD_MECH_PIC && !shutter_run_move(c, CCD_SHUTTER_OPEN)) {
			run_fail(c, CCD_ERR_HARDWARE);
			break;
		}
		r->segment_start = c->now;
		r->phase_end = c->now + (c->settings.exposure_ms > r->exposed_ms ?
					 c->settings.exposure_ms - r->exposed_ms : 0);
		run_report(c);
		break;
	case CCD_MECH_FIN:
		run_to_readout(c);
		break;
	case CCD_MECH_ABT:
		run_end(c, CCD_PHASE_ABORTED, CCD_ERR_ABORTED);
		break;
	default:
		return;
	}
	c->mech[m].err = CCD_ERR_DONE;
	answer_delayed(c, m);
}

/* ------------------------------------------------------------ read-out */

static void readout_start(struct ccd_controller *c, enum ccd_mech for_mech)
{
	struct ccd_readout *r = &c->readout;

	*r = (struct ccd_readout) {
		.sequence = ++c->readouts,
		.mech = for_mech,
		.light_ms = chip_light_ms(c),
		.dark_ms = c->now - c->chip_since,
		.preflash_ms = c->chip_preflash_ms,
		.format = c->settings.format,
		.readout_speed = c->settings.readout_speed,
	};
	c->reading = true;
	c->reading_for = for_mech;
	c->readout_end = c->now + ccd_readout_duration_ms(&c->p.chip, r);
	note(c, "read-out %" PRIu64 " for %s: %" PRIu64 " ms", r->sequence,
	     mech_names[for_mech], c->readout_end - c->now);
}

bool ccd_controller_take_readout(struct ccd_controller *c, struct ccd_readout *r)
{
	if (!c->readout_due)
		return false;
	c->readout_due = false;
	*r = c->readout;
	return true;
}

void ccd_controller_readout_delivered(struct ccd_controller *c, uint64_t now_ms)
{
	ccd_controller_advance(c, now_ms);
	if (!c->awaiting_delivery)
		return;
	c->awaiting_delivery = false;
	c->reading = false;
	chip_clear(c);
	if (c->reading_for == CCD_MECH_RED) {
		c->mech[CCD_MECH_RED].err = CCD_ERR_DONE;
		note(c, "RED done");
		if (!answer_delayed(c, CCD_MECH_RED))
			monitor_report(c, CCD_MECH_RED);
		return;
	}
	run_end(c, CCD_PHASE_COMPLETE, CCD_ERR_DONE);
}

/* ------------------------------------------------------------ RTC synchronisation */

static void sync_request(struct ccd_controller *c)
{
	message(c, CCD_OUT_TIME_REQUEST, c->sync == SYNC_WAIT_UTC ? "UTC" : "TIM", 200, NULL, 0);
	c->sync_deadline = c->now + c->p.reply_timeout_ms;
	c->sync_tries++;
}

static void sync_end(struct ccd_controller *c, unsigned int err)
{
	c->sync = SYNC_NONE;
	c->mech[CCD_MECH_SYN].err = err;
	if (err)
		note(c, "sync failed, err 0x%02x", err);
	answer_delayed(c, CCD_MECH_SYN);
}

int ccd_controller_start_sync(struct ccd_controller *c, uint64_t now_ms)
{
	ccd_controller_advance(c, now_ms);
	if (c->resetting)
		return -EAGAIN;
	if (c->sync != SYNC_NONE)
		return -EBUSY;
	c->sync = SYNC_WAIT_UTC;
	c->sync_tries = 0;
	note(c, "sync started");
	sync_request(c);
	return 0;
}

static void sync_timeout(struct ccd_controller *c)
{
	if (c->sync == SYNC_WAIT_MINUTE) {
		/* The RTC is loaded on the minute with TIM's time. */
		int64_t error = c->rtc_error_ms;

		c->rtc_error_ms = 0;
		note(c, "sync: RTC set from TIM (it was %+" PRId64 " ms off)", error);
		sync_end(c, CCD_ERR_DONE);
		return;
	}
	if (c->sync_tries >= SYNC_TRIES) {
		note(c, "sync: no answer from TIM to %s", c->sync == SYNC_WAIT_UTC ? "UTC200" : "TIM200");
		sync_end(c, CCD_ERR_TIMEOUT);
		return;
	}
	sync_request(c);
}

enum ccd_command_result ccd_controller_time_reply(struct ccd_controller *c, uint64_t now_ms,
						  int64_t wall_ms, const struct unet_mech *m)
{
	const char *mnemonic = m->mnemonic;
	uint32_t err, seconds, us;
	int64_t time_ms;

	ccd_controller_advance(c, now_ms);
	if (c->resetting)
		return CCD_COMMAND_IGNORED;
	if (strcmp(mnemonic, "UTC") != 0 && strcmp(mnemonic, "TIM") != 0)
		return CCD_COMMAND_UNKNOWN_MECHANISM;
	if (m->code != UNET_CODE_STATUS)
		return CCD_COMMAND_UNKNOWN_CODE;
	if ((c->sync != SYNC_WAIT_UTC || mnemonic[0] != 'U') &&
	    (c->sync != SYNC_WAIT_TIM || mnemonic[0] != 'T')) {
		note(c, "sync: %s200 not asked for, ignored", mnemonic);
		return CCD_COMMAND_IGNORED;
	}
	if (m->n_args != 3 || !arg_range(m, 0, 0, UINT32_MAX, &err) ||
	    !arg_range(m, 1, 0, mnemonic[0] == 'T' ? 86399 : UINT32_MAX, &seconds) ||
	    !arg_range(m, 2, 0, 999999, &us)) {
		note(c, "sync: malformed %s200, ignored", mnemonic);
		return CCD_COMMAND_IGNORED;
	}
	if (err) {
		note(c, "sync: TIM answers err 0x%02x", err);
		sync_end(c, CCD_ERR_HARDWARE);
		return CCD_COMMAND_TAKEN;
	}
	time_ms = (int64_t)seconds * 1000 + us / 1000;
	if (c->sync == SYNC_WAIT_UTC) {
		c->utc_ms = time_ms;
		c->utc_wall_ms = wall_ms;
		c->rtc_error_ms = wall_ms + c->rtc_error_ms - time_ms;
		c->sync = SYNC_WAIT_TIM;
		c->sync_tries = 0;
		sync_request(c);
		return CCD_COMMAND_TAKEN;
	}
	/* The time of day must be UTC's, give or take the time between. */
	{
		int64_t expect = (c->utc_ms + (wall_ms - c->utc_wall_ms)) % 86400000;
		int64_t diff = time_ms - expect;

		if (diff > 43200000)
			diff -= 86400000;
		if (diff < -43200000)
			diff += 86400000;
		if (diff > 2000 || diff < -2000) {
			note(c, "sync: TIM's time of day %u.%06u is not UTC's (%+" PRId64 " ms)",
			     seconds, us, diff);
			sync_end(c, CCD_ERR_BAD_ARGUMENT);
			return CCD_COMMAND_TAKEN;
		}
	}
	c->sync = SYNC_WAIT_MINUTE;
	c->sync_deadline = c->now + (uint64_t)(60000 - ((c->utc_ms % 60000 + 60000) % 60000));
	return CCD_COMMAND_TAKEN;
}

/* ------------------------------------------------------------ reset */

static void power_up(struct ccd_controller *c)
{
	struct mech_state faults[CCD_MECH_COUNT];

	for (size_t i = 0; i < CCD_MECH_COUNT; i++)
		faults[i] = c->mech[i];
	memset(c->mech, 0, sizeof(c->mech));
	for (size_t i = 0; i < CCD_MECH_COUNT; i++) {
		c->mech[i].fail_count = faults[i].fail_count;
		c->mech[i].fail_err = faults[i].fail_err;
		c->mech[i].hung = faults[i].hung;
	}
	c->resetting = false;
	c->settings = c->p.power_up;
	c->monitor = false;
	c->last_window = 1;
	c->run = (struct run) { .mech = CCD_MECH_COUNT, .phase = CCD_PHASE_IDLE,
				.phase_end = NEVER, .kick = CCD_MECH_COUNT };
	c->reading = c->readout_due = c->awaiting_delivery = false;
	c->sync = SYNC_NONE;
	/* A mechanical jam survives a reset; otherwise the blades close. */
	if (c->shutter != CCD_SHUTTER_JAMMED)
		c->shutter = CCD_SHUTTER_CLOSED;
	c->light = false;
	chip_clear(c);
	c->next_auto_sync = c->p.auto_sync_interval_ms ? c->now + c->p.auto_sync_interval_ms : NEVER;
	c->boots++;
	note(c, "power-up %u: saved settings", c->boots);
	status(c, CCD_MECH_INS, 200, 0);
}

static void reset_begin(struct ccd_controller *c, const char *why)
{
	c->resetting = true;
	c->reset_end = c->now + c->p.reset_ms;
	outbox_drop_messages(c);
	c->reading = c->readout_due = c->awaiting_delivery = false;
	note(c, "reset (%s): silent for %" PRIu64 " ms", why, c->p.reset_ms);
}

void ccd_controller_power_glitch(struct ccd_controller *c, uint64_t now_ms)
{
	ccd_controller_advance(c, now_ms);
	if (!c->resetting)
		reset_begin(c, "power glitch");
}

/* ------------------------------------------------------------ commands */

static void reject(struct ccd_controller *c, enum ccd_mech m, const char *why)
{
	c->mech[m].rejected = true;
	note(c, "%s101 refused: %s", mech_names[m], why);
}

/* A command (101) to @m: start its action, or refuse it. */
static void command(struct ccd_controller *c, enum ccd_mech m, const struct unet_mech *msg)
{
	struct mech_state *s = &c->mech[m];
	bool chip_busy = run_active(c) || c->reading || c->mech[CCD_MECH_CLR].busy;
	uint32_t head, a[7] = { 0 };
	size_t n = msg->n_args;	/* after the head */

	if (m != CCD_MECH_RGA) {
		if (!arg_range(msg, 0, 0, UINT32_MAX, &head) || head != c->p.head) {
			reject(c, m, "not this head");
			return;
		}
		n--;
	}
	switch (m) {
	case CCD_MECH_INS:
		reject(c, m, "INS is the controller's");
		return;
	case CCD_MECH_RES:
		if (n) {
			reject(c, m, "arguments");
			return;
		}
		reset_begin(c, "RES");
		return;
	case CCD_MECH_CLR:
	case CCD_MECH_RED:
	case CCD_MECH_PIC:
	case CCD_MECH_DAR:
		if (n) {
			reject(c, m, "arguments");
			return;
		}
		if (chip_busy) {
			reject(c, m, "the chip is busy");
			return;
		}
		s->rejected = false;
		s->err = CCD_ERR_DONE;
		if (m == CCD_MECH_PIC || m == CCD_MECH_DAR) {
			run_start(c, m);
		} else if (m == CCD_MECH_CLR) {
			s->busy = true;
			s->done_at = c->now + clear_duration(c);
			s->action_err = 0;
			if (s->fail_count) {
				s->fail_count--;
				s->action_err = s->fail_err;
			}
		} else if (s->fail_count) {
			s->fail_count--;
			s->err = s->fail_err;
			note(c, "RED failed, err 0x%02x", s->fail_err);
		} else {
			readout_start(c, CCD_MECH_RED);
		}
		return;
	case CCD_MECH_PAU:
	case CCD_MECH_CON:
	case CCD_MECH_FIN:
	case CCD_MECH_ABT:
		if (n || !kick_allowed(c, m)) {
			reject(c, m, n ? "arguments" : "not in this phase");
			return;
		}
		s->rejected = false;
		if (s->fail_count) {
			/* The kick does not take: the run goes on. */
			s->fail_count--;
			s->err = s->fail_err;
			note(c, "%s failed, err 0x%02x", mech_names[m], s->fail_err);
			return;
		}
		kick_start(c, m);
		return;
	case CCD_MECH_SSH:
		if (n != 1 || (!arg_word(msg, 1, "OPEN") && !arg_word(msg, 1, "CLOSE") &&
			       !arg_word(msg, 1, "UNJAM"))) {
			reject(c, m, "not OPEN, CLOSE or UNJAM");
			return;
		}
		if (run_active(c) || s->busy) {
			reject(c, m, run_active(c) ? "a run has the shutter" : "moving");
			return;
		}
		s->rejected = false;
		s->busy = true;
		s->action_err = 0;
		if (s->fail_count) {
			s->fail_count--;
			s->action_err = s->fail_err;
		}
		if (arg_word(msg, 1, "UNJAM")) {
			s->arg[0] = CCD_SHUTTER_CLOSED;
			s->arg[1] = 1;	/* unjam */
			s->done_at = c->now + UNJAM_MS;
		} else {
			s->arg[0] = arg_word(msg, 1, "OPEN") ? CCD_SHUTTER_OPEN : CCD_SHUTTER_CLOSED;
			s->arg[1] = 0;
			/* Jammed blades do not move: the command fails at once. */
			s->done_at = c->now + (c->shutter == CCD_SHUTTER_JAMMED ? 0 : SHUTTER_MS);
		}
		return;
	case CCD_MECH_SYN:
		if (n) {
			reject(c, m, "arguments");
			return;
		}
		s->rejected = false;
		if (c->sync != SYNC_NONE)
			return;		/* joins the synchronisation under way */
		if (s->fail_count) {
			s->fail_count--;
			s->err = s->fail_err;
			note(c, "SYN failed, err 0x%02x", s->fail_err);
			return;
		}
		c->sync = SYNC_WAIT_UTC;
		c->sync_tries = 0;
		note(c, "sync started");
		sync_request(c);
		return;
	default:
		break;
	}

	/* The settings, MON and RGA. */
	if (!setting_parse(c, m, msg, a)) {
		reject(c, m, "bad argument");
		return;
	}
	if (m != CCD_MECH_MON && m != CCD_MECH_EXP && (run_active(c) || c->reading)) {
		reject(c, m, "a run or read-out is under way");
		return;
	}
	s->rejected = false;
	s->busy = true;
	s->done_at = c->now + setting_duration(m);
	memcpy(s->arg, a, sizeof(s->arg));
	s->action_err = 0;
	if (s->fail_count) {
		s->fail_count--;
		s->action_err = s->fail_err;
	}
	if (m == CCD_MECH_WIN)
		c->last_window = a[0];
}

static void mech_action_ended(struct ccd_controller *c, enum ccd_mech m)
{
	struct mech_state *s = &c->mech[m];
	bool changed = false;

	s->busy = false;
	s->err = s->action_err;
	switch (m) {
	case CCD_MECH_CLR:
		if (!s->err)
			chip_clear(c);
		break;
	case CCD_MECH_SSH:
		if (s->err)
			break;
		if (c->shutter == CCD_SHUTTER_JAMMED && (!s->arg[1] || c->jammed_hard)) {
			s->err = CCD_ERR_HARDWARE;
			break;
		}
		if (c->jam_armed) {
			c->jam_armed = false;
			c->jammed_hard = c->jam_hard;
			s->err = CCD_ERR_HARDWARE;
			shutter_arrive(c, CCD_SHUTTER_JAMMED);
			break;
		}
		if (c->shutter == CCD_SHUTTER_JAMMED)
			note(c, "shutter unjammed");
		shutter_arrive(c, s->arg[0]);
		break;
	default:
		if (!s->err)
			changed = setting_apply(c, m, s->arg);
		break;
	}
	if (s->err)
		note(c, "%s failed, err 0x%02x", mech_names[m], s->err);
	else if (changed)
		note(c, "%s set", mech_names[m]);
	if (!answer_delayed(c, m) && changed && m != CCD_MECH_MON)
		monitor_report(c, m);
}

enum ccd_command_result ccd_controller_command(struct ccd_controller *c, uint64_t now_ms,
					       const struct unet_mech *msg)
{
	enum ccd_mech m = ccd_mech_from_name(msg->mnemonic);
	unsigned int code = msg->code;
	struct mech_state *s;
	uint32_t head;

	ccd_controller_advance(c, now_ms);
	if (c->resetting)
		return CCD_COMMAND_IGNORED;
	if (m == CCD_MECH_COUNT)
		return CCD_COMMAND_UNKNOWN_MECHANISM;
	if (code != UNET_CODE_COMMAND && code != UNET_CODE_STATUS && code != UNET_CODE_DELAYED)
		return CCD_COMMAND_UNKNOWN_CODE;
	s = &c->mech[m];
	if (s->hung) {
		note(c, "%s%03u: the mechanism is hung", msg->mnemonic, code);
		return CCD_COMMAND_IGNORED;
	}
	if (code == UNET_CODE_COMMAND) {
		command(c, m, msg);
		/* An action of no duration (MON) ends at once. */
		ccd_controller_advance(c, now_ms);
		return CCD_COMMAND_TAKEN;
	}
	/* A status request names the head, but RGA's. */
	if (m != CCD_MECH_RGA &&
	    (msg->n_args != 1 || !arg_range(msg, 0, 0, UINT32_MAX, &head) || head != c->p.head)) {
		status(c, m, code, CCD_ERR_BAD_ARGUMENT);
		return CCD_COMMAND_TAKEN;
	}
	if (m == CCD_MECH_RGA && msg->n_args) {
		status(c, m, code, CCD_ERR_BAD_ARGUMENT);
		return CCD_COMMAND_TAKEN;
	}
	if (code == UNET_CODE_STATUS || s->rejected || !mech_busy(c, m)) {
		status(c, m, code, mech_err(c, m));
		return CCD_COMMAND_TAKEN;
	}
	s->delayed_wanted = true;
	return CCD_COMMAND_TAKEN;
}

/* ------------------------------------------------------------ time */

uint64_t ccd_controller_next_event(const struct ccd_controller *c)
{
	uint64_t t = NEVER;

#define EARLIER(x) do { if ((x) < t) t = (x); } while (0)
	if (c->resetting)
		return c->reset_end;
	for (size_t i = 0; i < CCD_MECH_COUNT; i++)
		if (c->mech[i].busy)
			EARLIER(c->mech[i].done_at);
	if (run_active(c)) {
		EARLIER(c->run.phase_end);
		if (c->run.kick != CCD_MECH_COUNT)
			EARLIER(c->run.kick_end);
		if (c->monitor && (c->run.phase == CCD_PHASE_EXPOSING ||
				   c->run.phase == CCD_PHASE_PAUSED))
			EARLIER(c->run.next_progress);
	}
	if (c->reading && !c->readout_due && !c->awaiting_delivery)
		EARLIER(c->readout_end);
	if (c->sync != SYNC_NONE)
		EARLIER(c->sync_deadline);
	EARLIER(c->next_auto_sync);
#undef EARLIER
	return t;
}

/* Everything due at c->now, once. */
static void process_due(struct ccd_controller *c)
{
	uint64_t t = c->now;

	if (c->resetting) {
		if (c->reset_end <= t)
			power_up(c);
		return;
	}
	for (size_t i = 0; i < CCD_MECH_COUNT; i++)
		if (c->mech[i].busy && c->mech[i].done_at <= t)
			mech_action_ended(c, (enum ccd_mech)i);
	if (c->reading && !c->readout_due && !c->awaiting_delivery && c->readout_end <= t) {
		c->readout_due = true;
		c->awaiting_delivery = true;
		note(c, "read-out %" PRIu64 " done on the chip", c->readout.sequence);
	}
	if (run_active(c) && c->run.kick != CCD_MECH_COUNT && c->run.kick_end <= t)
		kick_ended(c);
	if (run_active(c) && c->run.phase_end <= t)
		run_phase_ended(c);
	if (run_active(c) && c->monitor &&
	    (c->run.phase == CCD_PHASE_EXPOSING || c->run.phase == CCD_PHASE_PAUSED) &&
	    c->run.next_progress <= t) {
		c->run.next_progress = t + c->p.progress_interval_ms;
		if (!c->mech[c->run.mech].hung)
			status(c, c->run.mech, 200, CCD_ERR_BUSY);
	}
	if (c->sync != SYNC_NONE && c->sync_deadline <= t)
		sync_timeout(c);
	if (c->next_auto_sync <= t) {
		c->next_auto_sync = t + c->p.auto_sync_interval_ms;
		if (c->sync == SYNC_NONE) {
			note(c, "automatic sync");
			c->sync = SYNC_WAIT_UTC;
			c->sync_tries = 0;
			sync_request(c);
		}
	}
}

void ccd_controller_advance(struct ccd_controller *c, uint64_t now_ms)
{
	for (;;) {
		uint64_t t = ccd_controller_next_event(c);

		if (t > now_ms)
			break;
		if (t > c->now)
			c->now = t;
		process_due(c);
	}
	if (now_ms > c->now)
		c->now = now_ms;
}

/* ------------------------------------------------------------ life */

int ccd_controller_new(const struct ccd_controller_params *p, uint64_t now_ms,
		       struct ccd_controller **ret)
{
	const struct ccd_chip *chip = &p->chip;
	const struct ccd_settings *s = &p->power_up;
	struct ccd_geometry g = chip_geometry(chip);
	struct ccd_controller *c;

	if (!chip->size_x || !chip->size_y || chip->size_x > CCD_SIZE_MAX ||
	    chip->size_y > CCD_SIZE_MAX || !chip->x_silicon || !chip->y_silicon ||
	    (uint64_t)chip->x_under + chip->x_silicon > chip->size_x ||
	    (uint64_t)chip->y_under + chip->y_silicon > chip->size_y)
		return -EINVAL;
	if (p->head > 999999 || !p->progress_interval_ms || !p->reply_timeout_ms)
		return -EINVAL;
	if (s->readout_speed < CCD_READOUT_SLOW || s->readout_speed > CCD_READOUT_FAST ||
	    s->clear_speed < CCD_CLEAR_QUICK || s->clear_speed > CCD_CLEAR_NORMAL ||
	    ccd_format_check(&g, &s->format, NULL, 0) < 0 ||
	    s->preflash_ms > CCD_CONTROLLER_PREFLASH_MAX_MS ||
	    s->exposure_ms > CCD_CONTROLLER_EXPOSURE_MAX_MS ||
	    s->gain_register > CCD_GAIN_REGISTER_MAX)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = *p;
	c->now = now_ms;
	c->rtc_error_ms = p->rtc_error_ms;
	c->shutter = CCD_SHUTTER_CLOSED;
	power_up(c);
	*ret = c;
	return 0;
}

void ccd_controller_free(struct ccd_controller *c)
{
	free(c);
}

/* ------------------------------------------------------------ faults */

int ccd_controller_fail_next(struct ccd_controller *c, enum ccd_mech mech, unsigned int err,
			     unsigned int count)
{
	if (mech >= CCD_MECH_COUNT || mech == CCD_MECH_INS || mech == CCD_MECH_RES)
		return -EINVAL;
	if (err < 2 || err > 0xff || (count && err == CCD_ERR_BUSY))
		return -EINVAL;
	c->mech[mech].fail_count = count;
	c->mech[mech].fail_err = err;
	return 0;
}

int ccd_controller_hang(struct ccd_controller *c, enum ccd_mech mech, bool hung)
{
	if (mech >= CCD_MECH_COUNT || mech == CCD_MECH_INS)
		return -EINVAL;
	c->mech[mech].hung = hung;
	if (!hung)
		c->mech[mech].delayed_wanted = false;
	return 0;
}

void ccd_controller_jam(struct ccd_controller *c, bool hard)
{
	c->jam_armed = true;
	c->jam_hard = hard;
}

void ccd_controller_clear_faults(struct ccd_controller *c)
{
	for (size_t i = 0; i < CCD_MECH_COUNT; i++) {
		c->mech[i].fail_count = 0;
		c->mech[i].hung = false;
	}
	c->jam_armed = false;
	c->jammed_hard = false;
}

/* ------------------------------------------------------------ state */

bool ccd_controller_quiet(const struct ccd_controller *c)
{
	return c->reading;
}

bool ccd_controller_resetting(const struct ccd_controller *c)
{
	return c->resetting;
}

unsigned int ccd_controller_boots(const struct ccd_controller *c)
{
	return c->boots;
}

enum ccd_phase ccd_controller_phase(const struct ccd_controller *c)
{
	return c->run.phase;
}

enum ccd_mech ccd_controller_run_mech(const struct ccd_controller *c)
{
	return c->run.mech;
}

uint64_t ccd_controller_elapsed_ms(const struct ccd_controller *c)
{
	return run_elapsed(c);
}

enum ccd_shutter ccd_controller_shutter(const struct ccd_controller *c)
{
	return c->shutter;
}

const struct ccd_settings *ccd_controller_settings(const struct ccd_controller *c)
{
	return &c->settings;
}

bool ccd_controller_monitor(const struct ccd_controller *c)
{
	return c->monitor;
}

bool ccd_controller_syncing(const struct ccd_controller *c)
{
	return c->sync != SYNC_NONE;
}

int64_t ccd_controller_rtc_error_ms(const struct ccd_controller *c)
{
	return c->rtc_error_ms;
}

int ccd_controller_describe(const struct ccd_controller *c, char *buf, size_t size)
{
	const struct ccd_settings *s = &c->settings;
	const struct ccd_window *w = s->format.window;
	int n;

	n = snprintf(buf, size,
		     "%s phase %u %s run %s elapsed %" PRIu64 " shutter %s monitor %s "
		     "rsp %u csp %u pfl %u exp %u bin %ux%u win1 %u,%u,%u,%u,%u "
		     "win2 %u,%u,%u,%u,%u wen %u rga %u sync %s rtc %+" PRId64 " ms "
		     "readouts %" PRIu64 " boots %u",
		     c->resetting ? "resetting" : c->reading ? "reading" : "ready",
		     c->run.phase, ccd_phase_name(c->run.phase),
		     c->run.mech < CCD_MECH_COUNT ? mech_names[c->run.mech] : "-",
		     run_elapsed(c), shutter_names[c->shutter], c->monitor ? "on" : "off",
		     s->readout_speed, s->clear_speed, s->preflash_ms, s->exposure_ms,
		     s->format.bin_x, s->format.bin_y, w[0].x1, w[0].y1, w[0].x2, w[0].y2,
		     w[0].valid, w[1].x1, w[1].y1, w[1].x2, w[1].y2, w[1].valid,
		     s->format.windows_enabled,
		     s->gain_register, c->sync == SYNC_NONE ? "no" : "yes", c->rtc_error_ms,
		     c->readouts, c->boots);
	return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}
