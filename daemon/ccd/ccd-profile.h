/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A CCD profile: the detector in use, one file per CCD named after it
 * (CCDNAME), read by Setup (the seed's SCCD_INIT, §7.7) and by the CCD
 * controller simulator. `KEY = value` lines, `#` comments:
 *
 *   # EEV 42-80 on the camera's second head
 *   CCDNAME     = EEV9
 *   CCDTYPE     = "EEV 42-80"
 *   SCCD_SIZE   = 2148 4128         # x y, under- and overscans included
 *   UNET_REMOTE = CCD1              # the controller's network name
 *   GAIN        = 1.5               # e-/ADU
 *   ...
 *
 * Keys are upper-case. A value is one or more words separated by blanks;
 * a text value with blanks or '#' is written in double quotes. Every
 * problem is an error at file:line:column (an unknown key, a missing
 * required key (at the end of the file), a key given twice, a value out of
 * range, a window outside the chip), and a profile with an error is not
 * used at all.
 *
 * Required (the seed's list; needed by the server or the FITS header):
 *   SCCD_SIZE x y      full frame in pixels, under/overscans included
 *   UNET_REMOTE name   the controller's UtilityNet name (1-10 A-Z 0-9)
 *   GAIN e-/ADU        NOISE e- rms
 *   DAS_CHANNEL n      HEADNO n (head number on the wire)   HEADCODE n
 *   PIXXSIZE PIXYSIZE  pixel size, micrometres
 *   XUNDER YUNDER      underscan pixels (leading columns, rows)
 *   XSILSIZE YSILSIZE  light-sensitive silicon, pixels
 *   CCDTYPE text       CCDNAME name (1-32 letters, digits, '_', '-')
 *
 * Optional, with the seed's defaults:
 *   TRANSFORM text ("")    BSCALE 1.0    BZERO 32767    BITPIX 16 (8, 16, 32)
 *   WIN1, WIN2 x1 y1 x2 y2 (no valid window)   WINDOWS_ENABLED yes|no (no)
 *   BIN bx by (1 1)   PFLASH seconds (0.0)   RSPEED SLOW|STANDARD|FAST (STANDARD)
 *   CSPEED QUICK|NORMAL (QUICK)   DETCOUNT n (1)
 * and the project's (shared/spec/utilitynet.md):
 *   EXPTIME seconds (0.0)         exposure time set by Setup
 *   READOUT_TIME seconds (600)    a run's limit is exposure + pauses + this
 *   BIN_MAX n (8)                 largest binning factor
 *   STARTACTION_FAIL (10), SHUTTER_FAIL (10), SYNC_FAIL (90),
 *   SETUP_FAIL (30), SETTINGS_FAIL (10)   timeouts in seconds
 *
 * Times given in seconds are kept in milliseconds (the wire's unit) and
 * may not be finer than 1 ms.
 */
#ifndef STATIOND_CCD_CCD_PROFILE_H
#define STATIOND_CCD_CCD_PROFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ccd/ccd-format.h"
#include "daemon/ccd/ccd-speed.h"
#include "daemon/config/diagnostics.h"
#include "daemon/config/source-location.h"
#include "daemon/unet/unet-frame.h"

#define CCD_NAME_MAX 32u		/* CCDNAME: a file name and a bus path element */
#define CCD_TEXT_MAX 68u		/* CCDTYPE, TRANSFORM: a FITS string value */
#define CCD_PROFILE_SIZE_MAX (64u * 1024)	/* bytes of a profile file */

#define CCD_BZERO_DEFAULT 32767.0	/* the seed's default */
#define CCD_BITPIX_DEFAULT 16
#define CCD_READOUT_TIME_DEFAULT_S 600u
#define CCD_STARTACTION_FAIL_DEFAULT_S 10u
#define CCD_SHUTTER_FAIL_DEFAULT_S 10u
#define CCD_SYNC_FAIL_DEFAULT_S 90u
#define CCD_SETUP_FAIL_DEFAULT_S 30u
#define CCD_SETTINGS_FAIL_DEFAULT_S 10u
#define CCD_TIMEOUT_MAX_S 3600u
#define CCD_EXPTIME_MAX_MS (86400u * 1000)	/* a day */
#define CCD_PFLASH_MAX_MS (3600u * 1000)

enum ccd_profile_key {
	CCD_KEY_SCCD_SIZE,
	CCD_KEY_UNET_REMOTE,
	CCD_KEY_GAIN,
	CCD_KEY_NOISE,
	CCD_KEY_DAS_CHANNEL,
	CCD_KEY_HEADNO,
	CCD_KEY_HEADCODE,
	CCD_KEY_PIXXSIZE,
	CCD_KEY_PIXYSIZE,
	CCD_KEY_XUNDER,
	CCD_KEY_YUNDER,
	CCD_KEY_XSILSIZE,
	CCD_KEY_YSILSIZE,
	CCD_KEY_CCDTYPE,
	CCD_KEY_CCDNAME,
	/* optional from here */
	CCD_KEY_TRANSFORM,
	CCD_KEY_BSCALE,
	CCD_KEY_BZERO,
	CCD_KEY_BITPIX,
	CCD_KEY_WIN1,
	CCD_KEY_WIN2,
	CCD_KEY_WINDOWS_ENABLED,
	CCD_KEY_BIN,
	CCD_KEY_PFLASH,
	CCD_KEY_RSPEED,
	CCD_KEY_CSPEED,
	CCD_KEY_DETCOUNT,
	CCD_KEY_EXPTIME,
	CCD_KEY_READOUT_TIME,
	CCD_KEY_BIN_MAX,
	CCD_KEY_STARTACTION_FAIL,
	CCD_KEY_SHUTTER_FAIL,
	CCD_KEY_SYNC_FAIL,
	CCD_KEY_SETUP_FAIL,
	CCD_KEY_SETTINGS_FAIL,
	_CCD_PROFILE_KEY_MAX,
};

struct ccd_profile {
	char path[PATH_MAX];			/* the file it was read from */

	/* Identity and geometry. */
	char ccd_name[CCD_NAME_MAX + 1];	/* CCDNAME */
	char ccd_type[CCD_TEXT_MAX + 1];	/* CCDTYPE */
	char unet_remote[UNET_NAME_LEN + 1];	/* UNET_REMOTE */
	uint32_t size_x, size_y;		/* SCCD_SIZE */
	double gain_e_per_adu;			/* GAIN */
	double noise_e;				/* NOISE */
	uint32_t das_channel;			/* DAS_CHANNEL */
	uint32_t head_number;			/* HEADNO */
	uint32_t head_code;			/* HEADCODE */
	double pixel_size_x_um, pixel_size_y_um;	/* PIXXSIZE, PIXYSIZE */
	uint32_t x_under, y_under;		/* XUNDER, YUNDER */
	uint32_t x_silicon, y_silicon;		/* XSILSIZE, YSILSIZE */
	char transform[CCD_TEXT_MAX + 1];	/* TRANSFORM */
	uint32_t detector_count;		/* DETCOUNT */

	/* Data. */
	double bscale;				/* BSCALE */
	double bzero;				/* BZERO */
	int bitpix;				/* BITPIX: 8, 16 or 32 */

	/* The settings Setup sends. */
	struct ccd_format format;		/* BIN, WIN1, WIN2, WINDOWS_ENABLED */
	uint32_t preflash_ms;			/* PFLASH */
	uint32_t exposure_ms;			/* EXPTIME */
	enum ccd_readout_speed readout_speed;	/* RSPEED */
	enum ccd_clear_speed clear_speed;	/* CSPEED */

	/* Limits and timeouts. */
	uint32_t bin_max;			/* BIN_MAX */
	uint32_t readout_time_s;		/* READOUT_TIME */
	uint32_t startaction_fail_s;		/* STARTACTION_FAIL */
	uint32_t shutter_fail_s;		/* SHUTTER_FAIL */
	uint32_t sync_fail_s;			/* SYNC_FAIL */
	uint32_t setup_fail_s;			/* SETUP_FAIL */
	uint32_t settings_fail_s;		/* SETTINGS_FAIL */

	/* Where each key was written (line 0: not written, the default).
	 * .file points into path. */
	struct source_location key_at[_CCD_PROFILE_KEY_MAX];
};

/* "SCCD_SIZE", ...; NULL out of range. */
const char *ccd_profile_key_name(enum ccd_profile_key key);

/* Every optional key at its default; required ones zero. */
void ccd_profile_defaults(struct ccd_profile *ret);

/*
 * Parse a profile held in memory; file names it in diagnostics (and is
 * copied to ret->path). 0 with *ret filled, or -EINVAL with every problem
 * recorded in d (as errors) and *ret untouched. -ENOMEM.
 */
int ccd_profile_parse_text(const char *file, const char *text, size_t size,
			   struct ccd_profile *ret, struct diagnostics *d);

/*
 * Read and parse a profile file. -errno when the file cannot be read (also
 * recorded in d, without a location), -EFBIG over CCD_PROFILE_SIZE_MAX,
 * -EINVAL when it has errors.
 */
int ccd_profile_load(const char *path, struct ccd_profile *ret, struct diagnostics *d);

/* 1-32 letters, digits, '_' or '-', starting with a letter or digit: a
 * profile's name (its file name) and CCDNAME. */
bool ccd_name_valid(const char *name, size_t length);

static inline struct ccd_geometry ccd_profile_geometry(const struct ccd_profile *p)
{
	return (struct ccd_geometry){ .size_x = p->size_x, .size_y = p->size_y,
				      .bin_max = p->bin_max };
}

#endif
