/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A private message bus for the unit tests that exercise bus objects end
 * to end: a dbus-daemon --session of their own, so they never touch (or
 * need) the machine's system or session bus.
 */
#ifndef STATIOND_TESTS_UNIT_PRIVATE_BUS_H
#define STATIOND_TESTS_UNIT_PRIVATE_BUS_H

#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

/*
 * Starts dbus-daemon and writes its address into address. Returns its pid,
 * or -1 when there is no dbus-daemon to run (the caller skips: `make deps`
 * installs it); a dbus-daemon that runs but prints no address fails the
 * test. The daemon dies with this process, whatever a failing test leaves
 * behind.
 */
pid_t private_bus_start(char *address, size_t size);
/* The same, but every uid may connect (and own names): for tests whose
 * clients drop to another uid. */
pid_t private_bus_start_open(char *address, size_t size);

/* A started client connection to the bus at address (asserts on failure). */
sd_bus *private_bus_connect(const char *address);

/* Stops the dbus-daemon private_bus_start started and reaps it. */
void private_bus_stop(pid_t pid);

#endif
