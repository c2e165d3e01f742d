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
};

const struct cs800_command_info *cs800_commands(size_t *count)
{
	*count = ELEMENTSOF(commands);
	return commands;
}

const struct cs800_command_info *cs800_command_info(unsigned int code)
{
	if (code < CS800_COMMAND_RESTART || code > CS800_COMMAND_TURBO)
		return NULL;
	return &commands[code - CS800_COMMAND_RESTART];
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

int cs800_check_rate(unsigned int rate_k_per_h, struct cs800_command_error *error)
{
	if (rate_k_per_h < CS800_RATE_MIN_K_PER_H || rate_k_per_h > CS800_RATE_MAX_K_PER_H)
		return fail(error, -ERANGE, "rate %u K/h is outside the device range %u-%u K/h",
			    rate_k_per_h, CS800_RATE_MIN_K_PER_H, CS800_RATE_MAX_K_PER_H);
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

	r = cs800_check_rate(rate_k_per_h, error);
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
	int r = cs800_check_rate(rate_k_per_h, error);

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

static bool same_ck(double k, uint16_t ck)
{
	return lround(k * 100) == ck;
}

static bool shut_down(const struct cs800_status *s)
{
	return s->run_mode == CS800_RUN_MODE_SHUTDOWN_OK ||
	       s->run_mode == CS800_RUN_MODE_SHUTDOWN_FAIL;
}

bool cs800_command_confirmed(const struct cs800_command *command,
			     const struct cs800_status *before, const struct cs800_status *after)
{
	/* A shut-down controller ignores everything but Restart and Stop, and
	 * keeps reporting its last phase: that phase confirms nothing. */
	bool running = !shut_down(after);

	switch (command->code) {
	case CS800_COMMAND_RESTART:
		return running;
	case CS800_COMMAND_RAMP:
		return running && after->ramp_rate_k_per_h == command->p1 &&
		       same_ck(after->target_temperature_k, command->p2);
	case CS800_COMMAND_PLAT:
		return running && after->phase == CS800_PHASE_PLAT;
	case CS800_COMMAND_HOLD:
	case CS800_COMMAND_PAUSE:
		return running && after->phase == CS800_PHASE_HOLD;
	case CS800_COMMAND_COOL:
		return running && same_ck(after->target_temperature_k, command->p1) &&
		       (after->phase == CS800_PHASE_COOL || after->phase == CS800_PHASE_HOLD);
	case CS800_COMMAND_END:
		return after->phase == CS800_PHASE_END || !running;
	case CS800_COMMAND_PURGE:
		return after->phase == CS800_PHASE_PURGE || !running;
	case CS800_COMMAND_RESUME:
		return running &&
		       (before->phase != CS800_PHASE_HOLD || after->phase != CS800_PHASE_HOLD);
	case CS800_COMMAND_STOP:
		return !running;
	case CS800_COMMAND_TURBO:
		return running && after->turbo_mode == (command->p1 != 0);
	}
	return false;
}
