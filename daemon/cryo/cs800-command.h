/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryostream 800 command packets: seven bytes sent by UDP to the
 * controller's port 30305.
 *
 *   0x00, command, p1 high, p1 low, p2 high, p2 low, checksum
 *
 * The checksum is the 8-bit sum of the six bytes before it. One encoder
 * per command; an encoder checks its arguments first and writes nothing
 * into *ret when it fails: -ERANGE (outside the device's range), -EINVAL
 * (not a number), -ENODATA (the device's limits are not known yet, no
 * status packet has been received), with the reason in *error.
 *
 * Limits are the vendor's (Cryostream.xml): temperatures within the
 * device's own minimum and maximum as its status packets report them
 * (parameters 1002/1003); Ramp rate 0-360 K/h, End rate 1-360 K/h; Plat
 * 1-1440 min; flow interrupt time 1-600 ds; autofill refill level
 * 20-40 %, stop level 60-80 %; modes as enum cs800_autofill_mode and
 * enum cs800_idle_shield_mode.
 */
#ifndef STATIOND_CRYO_CS800_COMMAND_H
#define STATIOND_CRYO_CS800_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/cryo/cs800-status.h"

#define CS800_COMMAND_PORT 30305
#define CS800_COMMAND_PACKET_SIZE 7

#define CS800_RAMP_RATE_MIN_K_PER_H 0u
#define CS800_END_RATE_MIN_K_PER_H 1u
#define CS800_RATE_MAX_K_PER_H 360u
#define CS800_PLAT_MIN_MINUTES 1u
#define CS800_PLAT_MAX_MINUTES 1440u
#define CS800_FLOW_INTERRUPT_MIN_DS 1u
#define CS800_FLOW_INTERRUPT_MAX_DS 600u
#define CS800_REFILL_LEVEL_MIN_PERCENT 20u
#define CS800_REFILL_LEVEL_MAX_PERCENT 40u
#define CS800_STOP_LEVEL_MIN_PERCENT 60u
#define CS800_STOP_LEVEL_MAX_PERCENT 80u

enum cs800_command_code {
	CS800_COMMAND_RESTART = 0x0A,
	CS800_COMMAND_RAMP = 0x0B,	/* p1 rate K/h, p2 target cK */
	CS800_COMMAND_PLAT = 0x0C,	/* p1 minutes */
	CS800_COMMAND_HOLD = 0x0D,
	CS800_COMMAND_COOL = 0x0E,	/* p1 target cK */
	CS800_COMMAND_END = 0x0F,	/* p1 rate K/h */
	CS800_COMMAND_PURGE = 0x10,
	CS800_COMMAND_PAUSE = 0x11,
	CS800_COMMAND_RESUME = 0x12,
	CS800_COMMAND_STOP = 0x13,
	CS800_COMMAND_TURBO = 0x14,	/* p1 low byte 1 on, 0 off */
	CS800_COMMAND_REGEN = 0x15,
	CS800_COMMAND_FLOW_INTERRUPT_TIME = 0x78,	/* p1 deciseconds */
	CS800_COMMAND_INTERRUPT_FLOW = 0x79,
	CS800_COMMAND_RUN_SHIELD = 0x7A,		/* p1 1 on, 0 off */
	CS800_COMMAND_IDLE_SHIELD_MODE = 0x7B,		/* p1 enum cs800_idle_shield_mode */
	CS800_COMMAND_AUTOFILL_MODE = 0xCA,		/* p1 enum cs800_autofill_mode */
	CS800_COMMAND_AUTOFILL_REFILL_LEVEL = 0xCB,	/* p1 percent */
	CS800_COMMAND_AUTOFILL_STOP_LEVEL = 0xCC,	/* p1 percent */
};

struct cs800_command {
	enum cs800_command_code code;
	uint16_t p1;
	uint16_t p2;
	uint8_t bytes[CS800_COMMAND_PACKET_SIZE];	/* what goes on the wire */
};

/* A command's names: "cool" for logs and polkit details, "Cool" for the
 * D-Bus method. */
struct cs800_command_info {
	enum cs800_command_code code;
	const char *name;
	const char *method;
};

/* All nineteen commands, in code order. */
const struct cs800_command_info *cs800_commands(size_t *count);
/* NULL for a code that is not a command. */
const struct cs800_command_info *cs800_command_info(unsigned int code);

struct cs800_command_error {
	char message[160];
};

/* The device's temperature range, from the last status packet. */
struct cs800_limits {
	uint16_t min_temperature_ck;
	uint16_t max_temperature_ck;
};

/* -EINVAL if the status reports an empty range (min above max). */
int cs800_limits_from_status(const struct cs800_status *status, struct cs800_limits *ret,
			     struct cs800_command_error *error);

/* Argument checks, also usable on their own (the bus layer validates
 * before it queues anything). *ret_ck is the target in centi-kelvin. */
int cs800_check_target(const struct cs800_limits *limits, double target_k, uint16_t *ret_ck,
		       struct cs800_command_error *error);
int cs800_check_rate(unsigned int rate_k_per_h, unsigned int min_k_per_h,
		     struct cs800_command_error *error);
int cs800_check_plat_minutes(unsigned int minutes, struct cs800_command_error *error);

/* The encoders. limits may be NULL only for commands without a target. */
int cs800_command_restart(struct cs800_command *ret);
int cs800_command_ramp(const struct cs800_limits *limits, unsigned int rate_k_per_h,
		       double target_k, struct cs800_command *ret,
		       struct cs800_command_error *error);
int cs800_command_plat(unsigned int minutes, struct cs800_command *ret,
		       struct cs800_command_error *error);
int cs800_command_hold(struct cs800_command *ret);
int cs800_command_cool(const struct cs800_limits *limits, double target_k,
		       struct cs800_command *ret, struct cs800_command_error *error);
int cs800_command_end(unsigned int rate_k_per_h, struct cs800_command *ret,
		      struct cs800_command_error *error);
int cs800_command_purge(struct cs800_command *ret);
int cs800_command_pause(struct cs800_command *ret);
int cs800_command_resume(struct cs800_command *ret);
int cs800_command_stop(struct cs800_command *ret);
int cs800_command_turbo(bool on, struct cs800_command *ret);
int cs800_command_regen(struct cs800_command *ret);
int cs800_command_flow_interrupt_time(unsigned int deciseconds, struct cs800_command *ret,
				      struct cs800_command_error *error);
int cs800_command_interrupt_flow(struct cs800_command *ret);
int cs800_command_run_shield(bool on, struct cs800_command *ret);
int cs800_command_idle_shield_mode(unsigned int mode, struct cs800_command *ret,
				   struct cs800_command_error *error);
int cs800_command_autofill_mode(unsigned int mode, struct cs800_command *ret,
				struct cs800_command_error *error);
int cs800_command_autofill_refill_level(unsigned int percent, struct cs800_command *ret,
					struct cs800_command_error *error);
int cs800_command_autofill_stop_level(unsigned int percent, struct cs800_command *ret,
				      struct cs800_command_error *error);

/*
 * Parse a received command packet (the simulator's side): -EBADMSG for a
 * wrong size, lead byte, checksum or an unknown command code.
 */
int cs800_command_parse(const void *packet, size_t size, struct cs800_command *ret,
			struct cs800_command_error *error);

/*
 * Whether a status shows that the controller carried out a command. Two
 * kinds of evidence, each used when the packet carries what it needs:
 *   - acknowledgement: Received (1072) moved since before, the status at
 *     the time the command was sent;
 *   - effect: the parameters the command sets (target, rate, phase, run
 *     mode, turbo, suspended, interrupt time or count, autofill mode and
 *     levels) read what it asked for.
 * Confirmed when neither says no and at least one says yes. Run shield
 * and idle shield mode have no parameter stationd knows to show them:
 * only Received confirms them. Resume is confirmed at once when nothing
 * was paused (and Received, if sent, moved).
 */
bool cs800_command_confirmed(const struct cs800_command *command,
			     const struct cs800_status *before, const struct cs800_status *after);

/* Commands the controller counted as missed (1073) between two statuses:
 * 0 unless both carried the counter. */
unsigned int cs800_commands_missed(const struct cs800_status *previous,
				   const struct cs800_status *after);

#endif
