// SPDX-License-Identifier: GPL-2.0
/*
 * Exhaust sensor readings and their debounce. One conversion is one
 * sample of a noisy analogue signal: a spike past the reference must
 * neither end a fill ("full") nor raise an overfull, nor a spike back
 * hide LN2 that is there. So each exhaust has a debounced state, cold
 * (LN2 at the sensor) or warm, that a reading on the other side of the
 * reference flips only when the next debounce-readings - 1 conversions,
 * taken at once, agree with it. They are taken in the same call, a few
 * conversions apart, not on later scans: the valve closes within the scan
 * that saw the crossing, and the confirmation costs conversions only when
 * a reading disagrees with the state (an exhaust that stays warm or cold
 * is read once per scan).
 */
#include <errno.h>
#include <string.h>

#include "daemon/autofill/engine-internal.h"

/*
 * One conversion. A reading at the converter's full scale is no
 * temperature but an open circuit (a broken wire floats the input to the
 * top): as warm as it reads, it would keep a fill running to its maximum
 * time and hide an overfull, so it is a sensor fault (-ERANGE).
 */
static int exhaust_convert(struct engine *e, const struct channel_ref *sensor, int32_t *ret_mv,
			   const char **ret_why)
{
	int r;

	r = e->hw->read_sensor_mv(e->hw_userdata, sensor, ret_mv);
	if (r < 0) {
		*ret_why = strerror(-r);
		return r;
	}
	if (*ret_mv >= ADC_MILLIVOLTS_MAX) {
		*ret_why = "reads the converter's full scale (open circuit)";
		return -ERANGE;
	}
	return 0;
}

int exhaust_sample(struct engine *e, const struct channel_ref *sensor, int32_t reference_mv,
		   bool *cold, int32_t *ret_mv, const char **ret_why)
{
	unsigned needed = e->station->globals.debounce_readings;
	unsigned agreeing = 1;
	bool past;
	int32_t mv;
	int r;

	r = exhaust_convert(e, sensor, &mv, ret_why);
	if (r < 0)
		return r;
	past = mv <= reference_mv;
	while (past != *cold && agreeing < needed) {
		r = exhaust_convert(e, sensor, &mv, ret_why);
		if (r < 0)
			return r;
		if ((mv <= reference_mv) != past)
			break;		/* back where the state is: that one was noise */
		agreeing++;
	}
	if (past != *cold && agreeing >= needed)
		*cold = past;
	*ret_mv = mv;
	return 0;
}
