// SPDX-License-Identifier: GPL-2.0
/*
 * Encoders, argument checks, parser and confirmation rule of the
 * Cryostream 800 command packet (see cs800-command.h).
 */
#include "daemon/cryo/cs800-command.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/cryo/cs800-params.h"
#include "daemon/shared/macro.h"

static const struct cs800_command_info commands[] = {
	{ CS800_COMMAND_RESTART, "restart", "Restart" },
	{ CS800_COMMAND_RAMP, "ramp", "Ramp" },
	{ CS800_COMMAND_PLAT, "plat", "Plat" },
	{ CS800_COMMAND_HOLD, "hold", "Hold" },
	{ CS800_COMMAND_COOL, "cool", "Cool" },
	{ CS800_COMMAND_END, "end", "End" },
	{ CS800_COMMAND_PURGE, "purge", "Purge" },
	{ CS800_COMMAND_PAUSE, "pause", "Pause" },
	{ CS800_COMMAND_RESUME, "resume", "Resume" },
	{ CS800_COMMAND_STOP, "stop", "Stop" },
	{ CS800_COMMAND_TURBO, "turbo", "Turbo" },
	{ CS800_COMMAND_REGEN, "regen", "Regen" },
	{ CS800_COMMAND_FLOW_INTERRUPT_TIME, "set-flow-interrupt-time", "SetFlowInterruptTime" },
	{ CS800_COMMAND_INTERRUPT_FLOW, "interrupt-flow", "InterruptFlow" },
	{ CS800_COMMAND_RUN_SHIELD, "run-shield", "RunShield" },
	{ CS800_COMMAND_IDLE_SHIELD_MODE, "set-idle-shield-flow-mode", "SetIdleShieldFlowMode" },
	{ CS800_COMMAND_AUTOFILL_MODE, "set-autofill-mode", "SetAutofillMode" },
	{ CS800_COMMAND_AUTOFILL_REFILL_LEVEL, "set-autofill-refill-level",
	  "SetAutofillRefillLevel" },
	{ CS800_COMMAND_AUTOFILL_STOP_LEVEL, "set-autofill-stop-level", "SetAutofillStopLevel" },
};

const struct cs800_command_info *cs800_commands(size_t *count)
{
	*count = ELEMENTSOF(commands);
	return commands;
}

const struct cs800_command_info *cs800_command_info(unsigned int code)
{
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (commands[i].code == code)
			return &commands[i];
	return NULL;
}

_printf_(3, 4)
static int fail(struct cs800_command_error *error, int r, const char *format, ...)
{
	if (error) {
		va_list ap;

		va_start(ap, format);
		vsnprintf(error->message, sizeof(error->message), format, ap);
		va_end(ap);
	}
	return r;
}

int cs800_limits_from_status(const struct cs800_status *status, struct cs800_limits *ret,
			     struct cs800_command_error *error)
{
	/* Exact: the status holds cK / 100, and cK fits a double. */
	long min_ck = lround(status->device_min_temperature_k * 100);
	long max_ck = lround(status->device_max_temperature_k * 100);

	if (min_ck > max_ck)
		return fail(error, -EINVAL,
			    "device reports minimum temperature %.2f K above its maximum %.2f K",
			    status->device_min_temperature_k, status->device_max_temperature_k);
	ret->min_temperature_ck = (uint16_t)min_ck;
	ret->max_temperature_ck = (uint16_t)max_ck;
	return 0;
}

int cs800_check_target(const struct cs800_limits *limits, double target_k, uint16_t *ret_ck,
		       struct cs800_command_error *error)
{
	double ck;

	if (!limits)
		return fail(error, -ENODATA,
			    "no status packet received yet, the device's temperature range is unknown");
	if (!isfinite(target_k))
		return fail(error, -EINVAL, "target temperature is not a number");
	ck = round(target_k * 100);
	if (ck < limits->min_temperature_ck)
		return fail(error, -ERANGE,
			    "target temperature %.2f K is below the device minimum %.2f K",
			    target_k, limits->min_temperature_ck / 100.0);
	if (ck > limits->max_temperature_ck)
		return fail(error, -ERANGE,
			    "target temperature %.2f K is above the device maximum %.2f K",
			    target_k, limits->max_temperature_ck / 100.0);
	*ret_ck = (uint16_t)ck;
	return 0;
}

int cs800_check_rate(unsigned int rate_k_per_h, unsigned int min_k_per_h,
		     struct cs800_command_error *error)
{
	if (rate_k_per_h < min_k_per_h || rate_k_per_h > CS800_RATE_MAX_K_PER_H)
		return fail(error, -ERANGE, "rate %u K/h is outside the device range %u-%u K/h",
			    rate_k_per_h, min_k_per_h, CS800_RATE_MAX_K_PER_H);
	return 0;
}

/* A whole number argument within the vendor's range. */
static int check_range(const char *what, const char *unit, unsigned int value, unsigned int min,
		       unsigned int max, struct cs800_command_error *error)
{
	if (value < min || value > max)
		return fail(error, -ERANGE, "%s %u%s is outside %u-%u%s", what, value, unit, min,
			    max, unit);
	return 0;
}

int cs800_check_plat_minutes(unsigned int minutes, struct cs800_command_error *error)
{
	if (minutes < CS800_PLAT_MIN_MINUTES || minutes > CS800_PLAT_MAX_MINUTES)
		return fail(error, -ERANGE, "plateau of %u min is outside %u-%u min",
			    minutes, CS800_PLAT_MIN_MINUTES, CS800_PLAT_MAX_MINUTES);
	return 0;
}

static int build(enum cs800_command_code code, uint16_t p1, uint16_t p2,
		 struct cs800_command *ret)
{
	uint8_t *b = ret->bytes;
	uint8_t sum = 0;

	ret->code = code;
	ret->p1 = p1;
	ret->p2 = p2;
	b[0] = 0x00;
	b[1] = (uint8_t)code;
	b[2] = (uint8_t)(p1 >> 8);
	b[3] = (uint8_t)p1;
	b[4] = (uint8_t)(p2 >> 8);
	b[5] = (uint8_t)p2;
	for (size_t i = 0; i < CS800_COMMAND_PACKET_SIZE - 1; i++)
		sum += b[i];
	b[6] = sum;
	return 0;
}

int cs800_command_restart(struct cs800_command *ret)
{
	return build(CS800_COMMAND_RESTART, 0, 0, ret);
}

int cs800_command_ramp(const struct cs800_limits *limits, unsigned int rate_k_per_h,
		       double target_k, struct cs800_command *ret,
		       struct cs800_command_error *error)
{
	uint16_t target_ck;
	int r;

	r = cs800_check_rate(rate_k_per_h, CS800_RAMP_RATE_MIN_K_PER_H, error);
	if (r < 0)
		return r;
	r = cs800_check_target(limits, target_k, &target_ck, error);
	if (r < 0)
		return r;
	return build(CS800_COMMAND_RAMP, (uint16_t)rate_k_per_h, target_ck, ret);
}

int cs800_command_plat(unsigned int minutes, struct cs800_command *ret,
		       struct cs800_command_error *error)
{
	int r = cs800_check_plat_minutes(minutes, error);

	if (r < 0)
		return r;
	return build(CS800_COMMAND_PLAT, (uint16_t)minutes, 0, ret);
}

int cs800_command_hold(struct cs800_command *ret)
{
	return build(CS800_COMMAND_HOLD, 0, 0, ret);
}

int cs800_command_cool(const struct cs800_limits *limits, double target_k,
		       struct cs800_command *ret, struct cs800_command_error *error)
{
	uint16_t target_ck;
	int r = cs800_check_target(limits, target_k, &target_ck, error);

	if (r < 0)
		return r;
	return build(CS800_COMMAND_COOL, target_ck, 0, ret);
}

int cs800_command_end(unsigned int rate_k_per_h, struct cs800_command *ret,
		      struct cs800_command_error *error)
{
	int r = cs800_check_rate(rate_k_per_h, CS800_END_RATE_MIN_K_PER_H, error);

	if (r < 0)
		return r;
	return build(CS800_COMMAND_END, (uint16_t)rate_k_per_h, 0, ret);
}

int cs800_command_purge(struct cs800_command *ret)
{
	return build(CS800_COMMAND_PURGE, 0, 0, ret);
}

int cs800_command_pause(struct cs800_command *ret)
{
	return build(CS800_COMMAND_PAUSE, 0, 0, ret);
}

int cs800_command_resume(struct cs800_command *ret)
{
	return build(CS800_COMMAND_RESUME, 0, 0, ret);
}

int cs800_command_stop(struct cs800_command *ret)
{
	return build(CS800_COMMAND_STOP, 0, 0, ret);
}

int cs800_command_turbo(bool on, struct cs800_command *ret)
{
	return build(CS800_COMMAND_TURBO, on ? 1 : 0, 0, ret);
}

int cs800_command_regen(struct cs800_command *ret)
{
	return build(CS800_COMMAND_REGEN, 0, 0, ret);
}

int cs800_command_flow_interrupt_time(unsigned int deciseconds, struct cs800_command *ret,
				      struct cs800_command_error *error)
{
	int r = check_range("flow interrupt time", " ds", deciseconds, CS800_FLOW_INTERRUPT_MIN_DS,
			    CS800_FLOW_INTERRUPT_MAX_DS, error);

	if (r < 0)
		return r;
	return build(CS800_COMMAND_FLOW_INTERRUPT_TIME, (uint16_t)deciseconds, 0, ret);
}

int cs800_command_interrupt_flow(struct cs800_command *ret)
{
	return build(CS800_COMMAND_INTERRUPT_FLOW, 0, 0, ret);
}

int cs800_command_run_shield(bool on, struct cs800_command *ret)
{
	return build(CS800_COMMAND_RUN_SHIELD, on ? 1 : 0, 0, ret);
}

int cs800_command_idle_shield_mode(unsigned int mode, struct cs800_command *ret,
				   struct cs800_command_error *error)
{
	if (!cs800_idle_shield_mode_to_string(mode))
		return fail(error, -ERANGE, "idle shield flow mode %u is not 0 (off), 1 (on) or 2 (auto)",
			    mode);
	return build(CS800_COMMAND_IDLE_SHIELD_MODE, (uint16_t)mode, 0, ret);
}

int cs800_command_autofill_mode(unsigned int mode, struct cs800_command *ret,
				struct cs800_command_error *error)
{
	if (!cs800_autofill_mode_to_string(mode))
		return fail(error, -ERANGE,
			    "autofill mode %u is not 0 (manual), 1 (auto) or 2 (scheduled)", mode);
	return build(CS800_COMMAND_AUTOFILL_MODE, (uint16_t)mode, 0, ret);
}

int cs800_command_autofill_refill_level(unsigned int percent, struct cs800_command *ret,
					struct cs800_command_error *error)
{
	int r = check_range("autofill refill level", " %", percent, CS800_REFILL_LEVEL_MIN_PERCENT,
			    CS800_REFILL_LEVEL_MAX_PERCENT, error);

	if (r < 0)
		return r;
	return build(CS800_COMMAND_AUTOFILL_REFILL_LEVEL, (uint16_t)percent, 0, ret);
}

int cs800_command_autofill_stop_level(unsigned int percent, struct cs800_command *ret,
				      struct cs800_command_error *error)
{
	int r = check_range("autofill stop level", " %", percent, CS800_STOP_LEVEL_MIN_PERCENT,
			    CS800_STOP_LEVEL_MAX_PERCENT, error);

	if (r < 0)
		return r;
	return build(CS800_COMMAND_AUTOFILL_STOP_LEVEL, (uint16_t)percent, 0, ret);
}

int cs800_command_parse(const void *packet, size_t size, struct cs800_command *ret,
			struct cs800_command_error *error)
{
	const uint8_t *b = packet;
	uint8_t sum = 0;

	if (size != CS800_COMMAND_PACKET_SIZE)
		return fail(error, -EBADMSG, "command packet is %zu bytes, expected %d",
			    size, CS800_COMMAND_PACKET_SIZE);
	if (b[0] != 0x00)
		return fail(error, -EBADMSG, "command packet starts with 0x%02X, expected 0x00",
			    b[0]);
	for (size_t i = 0; i < CS800_COMMAND_PACKET_SIZE - 1; i++)
		sum += b[i];
	if (sum != b[6])
		return fail(error, -EBADMSG, "command checksum 0x%02X, the bytes sum to 0x%02X",
			    b[6], sum);
	if (!cs800_command_info(b[1]))
		return fail(error, -EBADMSG, "unknown command code 0x%02X", b[1]);

	ret->code = b[1];
	ret->p1 = (uint16_t)(b[2] << 8 | b[3]);
	ret->p2 = (uint16_t)(b[4] << 8 | b[5]);
	memcpy(ret->bytes, b, CS800_COMMAND_PACKET_SIZE);
	return 0;
}

/* What one kind of evidence says about a command. */
enum evidence {
	EVIDENCE_UNKNOWN,	/* the packet lacks what it would take */
	EVIDENCE_NO,
	EVIDENCE_YES,
};

static enum evidence evidence_of(bool known, bool holds)
{
	if (!known)
		return EVIDENCE_UNKNOWN;
	return holds ? EVIDENCE_YES : EVIDENCE_NO;
}

/* A value in hundredths, as the wire had it. */
static bool same_hundredths(double v, unsigned int hundredths)
{
	return lround(v * 100) == (long)hundredths;
}

static bool shut_down(const struct cs800_status *s)
{
	return s->run_mode == CS800_RUN_MODE_SHUTDOWN_OK ||
	       s->run_mode == CS800_RUN_MODE_SHUTDOWN_FAIL;
}

#define HAS(s, id) cs800_status_has(s, id)

/* Received (1072) moved: the controller took a command packet. */
static enum evidence acknowledged(const struct cs800_status *before,
				  const struct cs800_status *after)
{
	return evidence_of(HAS(before, 1072) && HAS(after, 1072),
			   after->commands_received != before->commands_received);
}

/* The parameters the command sets read what it asked for. A shut-down
 * controller ignores everything but Restart and Stop, and keeps reporting
 * its last phase: that phase confirms nothing. */
static enum evidence effect(const struct cs800_command *command,
			    const struct cs800_status *before, const struct cs800_status *after)
{
	bool mode = HAS(after, 1053), phase = HAS(after, 1054);
	bool running = !shut_down(after);

	switch (command->code) {
	case CS800_COMMAND_RESTART:
		return evidence_of(mode, running);
	case CS800_COMMAND_RAMP:
		return evidence_of(mode && HAS(after, 1055) && HAS(after, 1056),
				   running && after->ramp_rate_k_per_h == command->p1 &&
				   same_hundredths(after->target_temperature_k, command->p2));
	case CS800_COMMAND_PLAT:
		return evidence_of(mode && phase, running && after->phase == CS800_PHASE_PLAT);
	case CS800_COMMAND_HOLD:
		return evidence_of(mode && phase, running && after->phase == CS800_PHASE_HOLD);
	case CS800_COMMAND_PAUSE:
		if (HAS(after, 1071))
			return evidence_of(mode, running && after->suspended);
		return evidence_of(mode && phase, running && after->phase == CS800_PHASE_HOLD);
	case CS800_COMMAND_RESUME:
		if (HAS(after, 1071))
			return evidence_of(mode, running && !after->suspended);
		return evidence_of(mode && phase && HAS(before, 1054),
				   running && (before->phase != CS800_PHASE_HOLD ||
					       after->phase != CS800_PHASE_HOLD));
	case CS800_COMMAND_COOL:
		return evidence_of(mode && phase && HAS(after, 1056),
				   running && same_hundredths(after->target_temperature_k, command->p1) &&
				   (after->phase == CS800_PHASE_COOL || after->phase == CS800_PHASE_HOLD));
	case CS800_COMMAND_END:
		return evidence_of(mode && phase, after->phase == CS800_PHASE_END || !running);
	case CS800_COMMAND_PURGE:
		return evidence_of(mode && phase, after->phase == CS800_PHASE_PURGE || !running);
	case CS800_COMMAND_STOP:
		return evidence_of(mode, !running);
	case CS800_COMMAND_TURBO:
		return evidence_of(mode && HAS(after, 1068),
				   running && after->turbo_mode == (command->p1 != 0));
	case CS800_COMMAND_REGEN:
		return evidence_of(phase, after->phase == CS800_PHASE_REGEN ||
				   after->phase == CS800_PHASE_REGEN_2);
	case CS800_COMMAND_FLOW_INTERRUPT_TIME:
		return evidence_of(HAS(after, 1115),
				   lround(after->flow_interrupt_time_s * 10) == command->p1);
	case CS800_COMMAND_INTERRUPT_FLOW:
		/* The count of interruptions moved, or one is going on. */
		if (HAS(before, 1117) && HAS(after, 1117) &&
		    after->flow_interrupt_count != before->flow_interrupt_count)
			return EVIDENCE_YES;
		return evidence_of(HAS(after, 1116), after->flow_interrupt_state != 0);
	case CS800_COMMAND_RUN_SHIELD:
	case CS800_COMMAND_IDLE_SHIELD_MODE:
		return EVIDENCE_UNKNOWN;
	case CS800_COMMAND_AUTOFILL_MODE:
		return evidence_of(HAS(after, 1209), after->autofill_mode == command->p1);
	case CS800_COMMAND_AUTOFILL_REFILL_LEVEL:
		return evidence_of(HAS(after, 1207), same_hundredths(after->autofill_refill_level_percent,
								     command->p1 * 100u));
	case CS800_COMMAND_AUTOFILL_STOP_LEVEL:
		return evidence_of(HAS(after, 1208), same_hundredths(after->autofill_stop_level_percent,
								     command->p1 * 100u));
	}
	return EVIDENCE_NO;
}

bool cs800_command_confirmed(const struct cs800_command *command,
			     const struct cs800_status *before, const struct cs800_status *after)
{
	enum evidence ack = acknowledged(before, after), done = effect(command, before, after);

	if (ack == EVIDENCE_NO || done == EVIDENCE_NO)
		return false;
	return ack == EVIDENCE_YES || done == EVIDENCE_YES;
}

unsigned int cs800_commands_missed(const struct cs800_status *previous,
				   const struct cs800_status *after)
{
	if (!HAS(previous, 1073) || !HAS(after, 1073))
		return 0;
	return (uint16_t)(after->commands_missed - previous->commands_missed);
}
