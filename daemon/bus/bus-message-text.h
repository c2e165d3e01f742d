/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A method call's arguments as one line of text, for the audit trail
 * (bus-auth) and error messages: strings quoted with ", \ and control
 * characters escaped, numbers in decimal, arrays as [a, b], structures
 * as (a, b), dictionary entries as a: b, variants as <signature value>.
 * Written by the message's own signature, so any method's arguments
 * render without knowing the method.
 */
#ifndef STATIOND_BUS_BUS_MESSAGE_TEXT_H
#define STATIOND_BUS_BUS_MESSAGE_TEXT_H

#include <stddef.h>
#include <systemd/sd-bus.h>

/*
 * Render every argument of m, separated by ", ", into buf (always
 * NUL-terminated; a text longer than size - 1 ends in "..."). m is read
 * from its start and rewound afterwards. Returns 0, or a negative errno
 * when m cannot be read (buf then holds what was rendered before).
 */
int bus_message_arguments_text(sd_bus_message *m, char *buf, size_t size);

#endif
