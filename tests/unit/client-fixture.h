/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the clients' unit tests (test-stationctl, test-console) share: a
 * station as the bus would give it (manifolds A with detectors 1-3 and B
 * with 4-6, detector 5 underfull and 2 filling, Cryostream CS0, CCD1
 * exposing run 12, a configured relay card and an ADC that is not configured), read into the
 * clients' model from a GetManagedObjects message, and the golden files
 * the output is compared with (tests/unit/golden/; a missing one is
 * written when STATIONCTL_GOLDEN_WRITE is set).
 */
#ifndef STATIOND_TESTS_CLIENT_FIXTURE_H
#define STATIOND_TESTS_CLIENT_FIXTURE_H

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "daemon/clients/station-model.h"

#ifndef GOLDEN_DIR
#define GOLDEN_DIR "tests/unit/golden"
#endif
/* 2026-12-02 12:00:00 UTC: the tests run with TZ=UTC. */
#define NOW_USEC (UINT64_C(1796212800) * 1000000)

/* One end of a socketpair: enough to build messages. */
sd_bus *client_fixture_peer_bus(void);
struct station_model *client_fixture_model(void);
void client_fixture_expect_golden(const char *name, const char *got);

#endif
