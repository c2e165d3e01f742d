/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The time distribution service. At the WHT a 4MS system named TIM gave
 * the CCD controller the time when it synchronised its real-time clock;
 * here the host answers in its place (seed §4.3, §7.14), as TIM,
 * whatever the request was addressed to:
 *
 *   controller: C frame   UTC200
 *   host as TIM: S frame  UTC200(0,<unix seconds>,<microseconds>)
 *   controller: C frame   TIM200
 *   host as TIM: S frame  TIM200(0,<seconds since 00:00 UTC>,<microseconds>)
 *
 * A UTC or TIM message with another code is answered <MEC>200(2): bad
 * argument (the protocol's own code), so the controller's dialogue ends
 * instead of waiting. Pure code; the simulator may use it to check
 * answers.
 */
#ifndef STATIOND_UNET_UNET_TIME_SERVICE_H
#define STATIOND_UNET_UNET_TIME_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/unet/unet-frame.h"

/* Is m for the time service (mnemonic UTC or TIM)? */
bool unet_time_service_request(const struct unet_mech *m);

/* The answer to a request at realtime_usec (CLOCK_REALTIME µs). false
 * when m is not for the time service. */
bool unet_time_service_answer(const struct unet_mech *m, uint64_t realtime_usec,
			      struct unet_mech *reply);

#endif
