/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run number of a CCD, kept in the state directory so it goes on
 * rising across restarts (seed §5.3: every RUN, ARC, FLAT, SKY, FLASH,
 * BIAS and DARK has its own; SCRATCH and GLANCE none). The file holds the
 * last number used, in decimal, and is replaced atomically (written,
 * fsync'd, renamed) before a run with that number is started, so no number
 * is ever handed out twice, whatever crashes when.
 */
#ifndef STATIOND_CCD_CCD_RUN_NUMBER_H
#define STATIOND_CCD_CCD_RUN_NUMBER_H

#include <stdint.h>

#define CCD_RUN_NUMBER_MAX 999999999u

/*
 * The last number used: 0 and *ret = 0 when there is no file yet;
 * -EBADMSG when the file is not one decimal number (then numbered runs
 * must not start: a number might be reused); -errno.
 */
int ccd_run_number_load(const char *path, uint32_t *ret);

/* Replace the file with number. -ERANGE past CCD_RUN_NUMBER_MAX. */
int ccd_run_number_save(const char *path, uint32_t number);

#endif
