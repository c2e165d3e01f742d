/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One fill record on the bus, the struct (tttsd) that FillHistory and the
 * FillEnded signals carry: start and end timestamps (wall clock, µs since
 * the epoch), the duration (monotonic, µs), the result ("full",
 * "underfull", ...) and the lowest exhaust reading in volts (NaN: none).
 */
#ifndef STATIOND_BUS_BUS_FILL_RECORD_H
#define STATIOND_BUS_BUS_FILL_RECORD_H

#include <systemd/sd-bus.h>

#include "daemon/autofill/fill-record.h"

int bus_append_fill_record(sd_bus_message *m, const struct fill_record *record);

#endif
