/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The controller's settings and how the server makes them converge (seed
 * §4.5, §4.6, §7.12): readout speed, clear speed, preflash, exposure time
 * and the read-out format (binning, window 1, window 2, windows enabled).
 *
 * The server keeps what is required and what the controller last
 * reported (current). A setting drifts when the two differ, or when the
 * controller has not reported it since Setup. Only drifted settings are
 * sent; nothing drifting means "ALREADYTHERE". A status reporting an
 * error for a setting sets required := current, so the refused value is
 * not sent again with every later change; a setting whose current value
 * is unknown is then left alone until it is asked for again.
 *
 * Pure code.
 */
#ifndef STATIOND_CCD_CCD_SETTINGS_H
#define STATIOND_CCD_CCD_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/ccd/ccd-format.h"
#include "daemon/ccd/ccd-mechanism.h"
#include "daemon/unet/unet-frame.h"

enum ccd_setting {
	CCD_SETTING_READOUT_SPEED,	/* RSP */
	CCD_SETTING_CLEAR_SPEED,	/* CSP */
	CCD_SETTING_PREFLASH,		/* PFL */
	CCD_SETTING_EXPOSURE,		/* EXP */
	CCD_SETTING_BINNING,		/* BIN */
	CCD_SETTING_WINDOW1,		/* WIN, window 1 */
	CCD_SETTING_WINDOW2,		/* WIN, window 2 */
	CCD_SETTING_WINDOWS_ENABLED,	/* WEN */
	_CCD_SETTING_MAX,
};

#define CCD_SETTING_BIT(s) (1u << (s))
#define CCD_SETTINGS_FORMAT_BITS \
	(CCD_SETTING_BIT(CCD_SETTING_BINNING) | CCD_SETTING_BIT(CCD_SETTING_WINDOW1) | \
	 CCD_SETTING_BIT(CCD_SETTING_WINDOW2) | CCD_SETTING_BIT(CCD_SETTING_WINDOWS_ENABLED))
#define CCD_SETTINGS_ALL_BITS ((1u << _CCD_SETTING_MAX) - 1)

struct ccd_setting_values {
	uint32_t readout_speed;		/* enum ccd_readout_speed */
	uint32_t clear_speed;		/* enum ccd_clear_speed */
	uint32_t preflash_ms;
	uint32_t exposure_ms;
	struct ccd_format format;
};

struct ccd_settings {
	struct ccd_setting_values required;
	struct ccd_setting_values current;
	uint32_t known;		/* bits: the controller reported it since Setup */
	uint32_t abandoned;	/* bits: refused while unknown; not sent until asked again */
};

const char *ccd_setting_to_string(enum ccd_setting s);	/* "readout speed", ... */

/* After Setup's profile: required := values, nothing known yet (every
 * setting drifts). */
void ccd_settings_reset(struct ccd_settings *s, const struct ccd_setting_values *required);

/* Ask for new values of the settings in mask (taken from values); an
 * abandoned setting asked for again is tracked again. */
void ccd_settings_require(struct ccd_settings *s, const struct ccd_setting_values *values,
			  uint32_t mask);

/* The drifting settings, as bits. */
uint32_t ccd_settings_drift(const struct ccd_settings *s);

/* The command (code 101, head first) that makes setting drift toward
 * its required value. */
void ccd_settings_command(const struct ccd_settings *s, enum ccd_setting setting,
			  uint32_t head, struct unet_mech *ret);

/* What a status message did to the settings. */
struct ccd_settings_update {
	int setting;		/* enum ccd_setting, -1: not a settings message */
	int64_t err;		/* its error code */
	bool changed;		/* current changed (a property to announce) */
};

/*
 * Apply a status (code 200 or 201) of RSP, CSP, PFL, EXP, BIN, WIN or
 * WEN: (head, err, values...), the head already checked. Values update
 * current (busy statuses carry the value still in force); an error sets
 * required := current. Values out of range are ignored. Returns true
 * when m concerned a setting (then *ret says how).
 */
bool ccd_settings_apply(struct ccd_settings *s, enum ccd_mechanism mechanism,
			const struct unet_mech *m, struct ccd_settings_update *ret);

#endif
