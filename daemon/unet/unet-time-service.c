// SPDX-License-Identifier: GPL-2.0
/*
 * The time distribution service's answers (see unet-time-service.h).
 */
#include "daemon/unet/unet-time-service.h"

#include <string.h>

#define MECH_ERROR_BAD_ARGUMENT 0x02
#define USEC_PER_SEC 1000000ull
#define SECONDS_PER_DAY 86400ull

bool unet_time_service_request(const struct unet_mech *m)
{
	return strcmp(m->mnemonic, "UTC") == 0 || strcmp(m->mnemonic, "TIM") == 0;
}

bool unet_time_service_answer(const struct unet_mech *m, uint64_t realtime_usec,
			      struct unet_mech *reply)
{
	uint64_t seconds = realtime_usec / USEC_PER_SEC;

	if (!unet_time_service_request(m))
		return false;
	*reply = (struct unet_mech){ .code = UNET_CODE_STATUS };
	memcpy(reply->mnemonic, m->mnemonic, sizeof(reply->mnemonic));
	if (m->code != UNET_CODE_STATUS || m->n_args != 0) {
		reply->n_args = 1;
		reply->args[0] = unet_arg_number(MECH_ERROR_BAD_ARGUMENT);
		return true;
	}
	if (strcmp(m->mnemonic, "TIM") == 0)
		seconds %= SECONDS_PER_DAY;
	reply->n_args = 3;
	reply->args[0] = unet_arg_number(0);
	reply->args[1] = unet_arg_number((int64_t)seconds);
	reply->args[2] = unet_arg_number((int64_t)(realtime_usec % USEC_PER_SEC));
	return true;
}
