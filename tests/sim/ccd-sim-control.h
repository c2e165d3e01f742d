/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccd-sim's control language: fault injection, one command per line,
 * from --do, the control FIFO or stdin (ccd-sim(1) describes each).
 *
 *   drop-acks N            the next N ACKs are not sent; the frames are acted on
 *   ignore-acks N          the next N ACKs from the host are not heard
 *   duplicate [N]          the next N frames go out twice (default 1)
 *   corrupt [N] [HOW]      the next N frames are spoiled on the line, HOW
 *                          noise (default), field, short, long or cut
 *   nack [N]               the next N C/S frames get a NACK, not acted on
 *   ins                    a power glitch: the controller resets, INS follows
 *   silent [SECONDS]       no response at all (no ACKs either), for SECONDS
 *                          of real time or until "respond"
 *   respond                the silence ends
 *   hang MEC | unhang MEC  the mechanism takes commands, never answers
 *   error MEC ERR [N]      the next N (1) commands of MEC run and then fail
 *                          with error bits ERR (2-255, decimal or 0x..)
 *   jam [hard]             the shutter jams at its next move
 *   sync                   an RTC synchronisation, as the daily one
 *   number N               the number of the next new frame (0-65535, 0x..)
 *   clear                  every fault above off
 *   status                 one line of state
 *
 * Blank lines and lines starting with '#' do nothing. A refused command
 * changes nothing.
 */
#ifndef STATIOND_TESTS_SIM_CCD_SIM_CONTROL_H
#define STATIOND_TESTS_SIM_CCD_SIM_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "tests/sim/ccd-controller.h"
#include "tests/sim/ccd-sim-link.h"

#define CCD_CONTROL_COUNT_MAX 1000000u

struct ccd_control_target {
	struct ccd_controller *controller;
	struct ccd_link *link;
	uint64_t now_ms;	/* real, for the link */
	uint64_t sim_ms;	/* simulated, for the controller */
};

/*
 * Run one command line. 0 with a reply in @reply ("" for a blank line or
 * comment), or -EINVAL (bad syntax or value) / -EBUSY (not now) with the
 * reason in @reply.
 */
int ccd_control_execute(const struct ccd_control_target *t, const char *line, char *reply,
			size_t reply_size);

#endif
