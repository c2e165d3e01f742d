// SPDX-License-Identifier: GPL-2.0
/* A fill record on the bus (see bus-fill-record.h). */
#include <math.h>

#include "daemon/bus/bus-fill-record.h"

int bus_append_fill_record(sd_bus_message *m, const struct fill_record *r)
{
	return sd_bus_message_append(m, "tttsd", (uint64_t)(r->start_usec > 0 ? r->start_usec : 0),
				     (uint64_t)(r->end_usec > 0 ? r->end_usec : 0), r->duration_usec,
				     fill_result_to_string(r->result),
				     r->lowest_mv == FILL_LOWEST_NONE ? NAN : r->lowest_mv / 1000.0);
}
