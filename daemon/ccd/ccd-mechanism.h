/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CCD controller's mechanisms (shared/spec/utilitynet.md, "Profile:
 * CCD controller mechanisms") and the bits of their error codes.
 *
 * A status message carries (head, err, values...): err 0 done, 1 busy,
 * otherwise bits: 0x02 bad argument, 0x04 hardware fault, 0x08 timeout,
 * 0x10 aborted, 0x20 not initialised.
 */
#ifndef STATIOND_CCD_CCD_MECHANISM_H
#define STATIOND_CCD_CCD_MECHANISM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ccd_mechanism {
	CCD_MECH_INS,	/* controller (re)initialised: unsolicited after power-up or RES */
	CCD_MECH_MON,	/* monitor mode */
	CCD_MECH_CLR,	/* clear the detector */
	CCD_MECH_RED,	/* read it out */
	CCD_MECH_PIC,	/* packaged run */
	CCD_MECH_DAR,	/* packaged dark run */
	CCD_MECH_PAU,	/* pause a run */
	CCD_MECH_CON,	/* continue it */
	CCD_MECH_FIN,	/* finish it early */
	CCD_MECH_ABT,	/* abort it */
	CCD_MECH_SSH,	/* shutter */
	CCD_MECH_RSP,	/* readout speed */
	CCD_MECH_CSP,	/* clear speed */
	CCD_MECH_PFL,	/* preflash ms */
	CCD_MECH_EXP,	/* exposure ms */
	CCD_MECH_BIN,	/* binning */
	CCD_MECH_WIN,	/* a window */
	CCD_MECH_WEN,	/* windows enabled */
	CCD_MECH_RES,	/* reset */
	CCD_MECH_SYN,	/* real-time clock synchronisation */
	CCD_MECH_RGA,	/* gain register (no head number) */
	_CCD_MECH_MAX,
};

#define CCD_MECH_ERROR_DONE 0u
#define CCD_MECH_ERROR_BUSY 1u
#define CCD_MECH_ERROR_BAD_ARGUMENT 0x02u
#define CCD_MECH_ERROR_HARDWARE 0x04u
#define CCD_MECH_ERROR_TIMEOUT 0x08u
#define CCD_MECH_ERROR_ABORTED 0x10u
#define CCD_MECH_ERROR_NOT_INITIALISED 0x20u

/* "RSP"; NULL out of range. */
const char *ccd_mechanism_mnemonic(enum ccd_mechanism m);
/* The mechanism of a mnemonic, -ENOENT for one the profile does not know. */
int ccd_mechanism_from_mnemonic(const char *mnemonic);
/* Does its command carry the head number first? (All but RGA.) */
bool ccd_mechanism_has_head(enum ccd_mechanism m);

/* Is err a failure (neither done nor busy)? */
static inline bool ccd_mech_error_failed(int64_t err)
{
	return err != CCD_MECH_ERROR_DONE && err != CCD_MECH_ERROR_BUSY;
}

/*
 * err as text: "bad-argument", "hardware-fault|timeout", "unknown-0x40"
 * for bits the profile does not name. Returns buf.
 */
char *ccd_mech_error_format(int64_t err, char *buf, size_t size);

#endif
