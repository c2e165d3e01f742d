// SPDX-License-Identifier: GPL-2.0
/*
 * Settings convergence (see ccd-settings.h).
 */
#include "daemon/ccd/ccd-settings.h"

#include <string.h>

#include "daemon/ccd/ccd-speed.h"
#include "daemon/shared/macro.h"

static const char *const setting_names[_CCD_SETTING_MAX] = {
	[CCD_SETTING_READOUT_SPEED] = "readout speed",
	[CCD_SETTING_CLEAR_SPEED] = "clear speed",
	[CCD_SETTING_PREFLASH] = "preflash",
	[CCD_SETTING_EXPOSURE] = "exposure time",
	[CCD_SETTING_BINNING] = "binning",
	[CCD_SETTING_WINDOW1] = "window 1",
	[CCD_SETTING_WINDOW2] = "window 2",
	[CCD_SETTING_WINDOWS_ENABLED] = "windows enabled",
};

const char *ccd_setting_to_string(enum ccd_setting s)
{
	return (unsigned)s < _CCD_SETTING_MAX ? setting_names[s] : "unknown";
}

void ccd_settings_reset(struct ccd_settings *s, const struct ccd_setting_values *required)
{
	*s = (struct ccd_settings){ .required = *required, .current = *required };
}

/* Copy setting i from one set of values to another. */
static void copy_setting(struct ccd_setting_values *to, const struct ccd_setting_values *from,
			 enum ccd_setting i)
{
	switch (i) {
	case CCD_SETTING_READOUT_SPEED:
		to->readout_speed = from->readout_speed;
		break;
	case CCD_SETTING_CLEAR_SPEED:
		to->clear_speed = from->clear_speed;
		break;
	case CCD_SETTING_PREFLASH:
		to->preflash_ms = from->preflash_ms;
		break;
	case CCD_SETTING_EXPOSURE:
		to->exposure_ms = from->exposure_ms;
		break;
	case CCD_SETTING_BINNING:
		to->format.bin_x = from->format.bin_x;
		to->format.bin_y = from->format.bin_y;
		break;
	case CCD_SETTING_WINDOW1:
	case CCD_SETTING_WINDOW2:
		to->format.window[i - CCD_SETTING_WINDOW1] = from->format.window[i - CCD_SETTING_WINDOW1];
		break;
	case CCD_SETTING_WINDOWS_ENABLED:
		to->format.windows_enabled = from->format.windows_enabled;
		break;
	case _CCD_SETTING_MAX:
		break;
	}
}

static bool setting_equal(const struct ccd_setting_values *a, const struct ccd_setting_values *b,
			  enum ccd_setting i)
{
	switch (i) {
	case CCD_SETTING_READOUT_SPEED:
		return a->readout_speed == b->readout_speed;
	case CCD_SETTING_CLEAR_SPEED:
		return a->clear_speed == b->clear_speed;
	case CCD_SETTING_PREFLASH:
		return a->preflash_ms == b->preflash_ms;
	case CCD_SETTING_EXPOSURE:
		return a->exposure_ms == b->exposure_ms;
	case CCD_SETTING_BINNING:
		return a->format.bin_x == b->format.bin_x && a->format.bin_y == b->format.bin_y;
	case CCD_SETTING_WINDOW1:
	case CCD_SETTING_WINDOW2:
		return ccd_window_equal(&a->format.window[i - CCD_SETTING_WINDOW1],
					&b->format.window[i - CCD_SETTING_WINDOW1]);
	case CCD_SETTING_WINDOWS_ENABLED:
		return a->format.windows_enabled == b->format.windows_enabled;
	case _CCD_SETTING_MAX:
		break;
	}
	return true;
}

void ccd_settings_require(struct ccd_settings *s, const struct ccd_setting_values *values,
			  uint32_t mask)
{
	for (int i = 0; i < _CCD_SETTING_MAX; i++)
		if (mask & CCD_SETTING_BIT(i)) {
			copy_setting(&s->required, values, i);
			s->abandoned &= ~CCD_SETTING_BIT(i);
		}
}

uint32_t ccd_settings_drift(const struct ccd_settings *s)
{
	uint32_t drift = 0;

	for (int i = 0; i < _CCD_SETTING_MAX; i++) {
		uint32_t bit = CCD_SETTING_BIT(i);

		if (s->abandoned & bit)
			continue;
		if (!(s->known & bit) || !setting_equal(&s->required, &s->current, i))
			drift |= bit;
	}
	return drift;
}

static enum ccd_mechanism mechanism_of(enum ccd_setting setting)
{
	switch (setting) {
	case CCD_SETTING_READOUT_SPEED:
		return CCD_MECH_RSP;
	case CCD_SETTING_CLEAR_SPEED:
		return CCD_MECH_CSP;
	case CCD_SETTING_PREFLASH:
		return CCD_MECH_PFL;
	case CCD_SETTING_EXPOSURE:
		return CCD_MECH_EXP;
	case CCD_SETTING_BINNING:
		return CCD_MECH_BIN;
	case CCD_SETTING_WINDOW1:
	case CCD_SETTING_WINDOW2:
		return CCD_MECH_WIN;
	case CCD_SETTING_WINDOWS_ENABLED:
	default:
		return CCD_MECH_WEN;
	}
}

void ccd_settings_command(const struct ccd_settings *s, enum ccd_setting setting,
			  uint32_t head, struct unet_mech *ret)
{
	const struct ccd_setting_values *r = &s->required;
	const struct ccd_window *w;
	unsigned n = 0;

	*ret = (struct unet_mech){ .code = UNET_CODE_COMMAND };
	memcpy(ret->mnemonic, ccd_mechanism_mnemonic(mechanism_of(setting)), UNET_MNEMONIC_LEN);
	ret->args[n++] = unet_arg_number(head);
	switch (setting) {
	case CCD_SETTING_READOUT_SPEED:
		ret->args[n++] = unet_arg_number(r->readout_speed);
		break;
	case CCD_SETTING_CLEAR_SPEED:
		ret->args[n++] = unet_arg_number(r->clear_speed);
		break;
	case CCD_SETTING_PREFLASH:
		ret->args[n++] = unet_arg_number(r->preflash_ms);
		break;
	case CCD_SETTING_EXPOSURE:
		ret->args[n++] = unet_arg_number(r->exposure_ms);
		break;
	case CCD_SETTING_BINNING:
		ret->args[n++] = unet_arg_number(r->format.bin_x);
		ret->args[n++] = unet_arg_number(r->format.bin_y);
		break;
	case CCD_SETTING_WINDOW1:
	case CCD_SETTING_WINDOW2:
		w = &r->format.window[setting - CCD_SETTING_WINDOW1];
		ret->args[n++] = unet_arg_number(setting - CCD_SETTING_WINDOW1 + 1);
		/* An invalid window's corners mean nothing: send them as 0. */
		ret->args[n++] = unet_arg_number(w->valid ? w->x1 : 0);
		ret->args[n++] = unet_arg_number(w->valid ? w->y1 : 0);
		ret->args[n++] = unet_arg_number(w->valid ? w->x2 : 0);
		ret->args[n++] = unet_arg_number(w->valid ? w->y2 : 0);
		ret->args[n++] = unet_arg_number(w->valid ? 1 : 0);
		break;
	case CCD_SETTING_WINDOWS_ENABLED:
		ret->args[n++] = unet_arg_number(r->format.windows_enabled ? 1 : 0);
		break;
	case _CCD_SETTING_MAX:
		break;
	}
	ret->n_args = (uint8_t)n;
}

static bool number_in(const struct unet_mech *m, unsigned i, int64_t min, int64_t max,
		      int64_t *ret)
{
	return unet_mech_number(m, i, ret) && *ret >= min && *ret <= max;
}

/* The values of a status (after head and err) into v; false when absent
 * or out of range. */
static bool read_values(enum ccd_setting setting, const struct unet_mech *m,
			struct ccd_setting_values *v)
{
	int64_t a, b, c, d, valid;

	switch (setting) {
	case CCD_SETTING_READOUT_SPEED:
		if (!number_in(m, 2, CCD_READOUT_SLOW, CCD_READOUT_FAST, &a))
			return false;
		v->readout_speed = (uint32_t)a;
		return true;
	case CCD_SETTING_CLEAR_SPEED:
		if (!number_in(m, 2, CCD_CLEAR_QUICK, CCD_CLEAR_NORMAL, &a))
			return false;
		v->clear_speed = (uint32_t)a;
		return true;
	case CCD_SETTING_PREFLASH:
	case CCD_SETTING_EXPOSURE:
		if (!number_in(m, 2, 0, UINT32_MAX, &a))
			return false;
		if (setting == CCD_SETTING_PREFLASH)
			v->preflash_ms = (uint32_t)a;
		else
			v->exposure_ms = (uint32_t)a;
		return true;
	case CCD_SETTING_BINNING:
		if (!number_in(m, 2, 1, CCD_BIN_LIMIT, &a) || !number_in(m, 3, 1, CCD_BIN_LIMIT, &b))
			return false;
		v->format.bin_x = (uint32_t)a;
		v->format.bin_y = (uint32_t)b;
		return true;
	case CCD_SETTING_WINDOW1:
	case CCD_SETTING_WINDOW2:
		if (!number_in(m, 3, 0, CCD_SIZE_MAX, &a) || !number_in(m, 4, 0, CCD_SIZE_MAX, &b) ||
		    !number_in(m, 5, 0, CCD_SIZE_MAX, &c) || !number_in(m, 6, 0, CCD_SIZE_MAX, &d) ||
		    !number_in(m, 7, 0, 1, &valid))
			return false;
		v->format.window[setting - CCD_SETTING_WINDOW1] = (struct ccd_window){
			.valid = valid, .x1 = (uint32_t)a, .y1 = (uint32_t)b,
			.x2 = (uint32_t)c, .y2 = (uint32_t)d,
		};
		return true;
	case CCD_SETTING_WINDOWS_ENABLED:
		if (!number_in(m, 2, 0, 1, &a))
			return false;
		v->format.windows_enabled = a;
		return true;
	case _CCD_SETTING_MAX:
		break;
	}
	return false;
}

bool ccd_settings_apply(struct ccd_settings *s, enum ccd_mechanism mechanism,
			const struct unet_mech *m, struct ccd_settings_update *ret)
{
	struct ccd_setting_values v = s->current;
	int64_t err, window;
	int setting;
	uint32_t bit;

	switch (mechanism) {
	case CCD_MECH_RSP:
		setting = CCD_SETTING_READOUT_SPEED;
		break;
	case CCD_MECH_CSP:
		setting = CCD_SETTING_CLEAR_SPEED;
		break;
	case CCD_MECH_PFL:
		setting = CCD_SETTING_PREFLASH;
		break;
	case CCD_MECH_EXP:
		setting = CCD_SETTING_EXPOSURE;
		break;
	case CCD_MECH_BIN:
		setting = CCD_SETTING_BINNING;
		break;
	case CCD_MECH_WIN:
		/* Which window: the first value. */
		if (!number_in(m, 2, 1, CCD_WINDOWS, &window))
			return false;
		setting = CCD_SETTING_WINDOW1 + (int)window - 1;
		break;
	case CCD_MECH_WEN:
		setting = CCD_SETTING_WINDOWS_ENABLED;
		break;
	default:
		return false;
	}
	if ((m->code != UNET_CODE_STATUS && m->code != UNET_CODE_DELAYED) ||
	    !unet_mech_number(m, 1, &err) || err < 0)
		return false;
	bit = CCD_SETTING_BIT(setting);
	*ret = (struct ccd_settings_update){ .setting = setting, .err = err };

	if (read_values(setting, m, &v)) {
		ret->changed = !(s->known & bit) || !setting_equal(&v, &s->current, setting);
		copy_setting(&s->current, &v, setting);
		s->known |= bit;
	}
	if (ccd_mech_error_failed(err)) {
		/* Not retried with every later change: required := current. */
		if (s->known & bit)
			copy_setting(&s->required, &s->current, setting);
		else
			s->abandoned |= bit;
	}
	return true;
}
