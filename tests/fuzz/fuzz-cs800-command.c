// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the Cryostream 800 command parser, what the simulator
 * (and any controller) reads on UDP port 30305, against the daemon's
 * encoders. Whatever the bytes: parsing must not crash; a refused packet
 * leaves the output untouched and says why; an accepted one is exactly 7
 * bytes, 0x00, a known code and a right checksum, and keeps its bytes.
 * The encoder of the command, given the parsed arguments, must produce a
 * packet that parses back to the same command, and the very same bytes
 * when the packet's unused fields are zero and the arguments in range.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cryo/cs800-command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode command code with arguments p1, p2 as the daemon would; *canonical
 * says whether the encoder writes p1 and p2 as they are. */
static int encode(const struct cs800_command *c, struct cs800_command *ret, bool *canonical)
{
	static const struct cs800_limits any = { 0, UINT16_MAX };
	struct cs800_command_error e;
	bool none = c->p1 == 0 && c->p2 == 0, one = c->p2 == 0;

	switch (c->code) {
	case CS800_COMMAND_RESTART:
		*canonical = none;
		return cs800_command_restart(ret);
	case CS800_COMMAND_RAMP:
		*canonical = true;
		return cs800_command_ramp(&any, c->p1, c->p2 / 100.0, ret, &e);
	case CS800_COMMAND_PLAT:
		*canonical = one;
		return cs800_command_plat(c->p1, ret, &e);
	case CS800_COMMAND_HOLD:
		*canonical = none;
		return cs800_command_hold(ret);
	case CS800_COMMAND_COOL:
		*canonical = one;
		return cs800_command_cool(&any, c->p1 / 100.0, ret, &e);
	case CS800_COMMAND_END:
		*canonical = one;
		return cs800_command_end(c->p1, ret, &e);
	case CS800_COMMAND_PURGE:
		*canonical = none;
		return cs800_command_purge(ret);
	case CS800_COMMAND_PAUSE:
		*canonical = none;
		return cs800_command_pause(ret);
	case CS800_COMMAND_RESUME:
		*canonical = none;
		return cs800_command_resume(ret);
	case CS800_COMMAND_STOP:
		*canonical = none;
		return cs800_command_stop(ret);
	case CS800_COMMAND_TURBO:
		*canonical = one && c->p1 <= 1;
		return cs800_command_turbo(c->p1 != 0, ret);
	case CS800_COMMAND_REGEN:
		*canonical = none;
		return cs800_command_regen(ret);
	case CS800_COMMAND_FLOW_INTERRUPT_TIME:
		*canonical = one;
		return cs800_command_flow_interrupt_time(c->p1, ret, &e);
	case CS800_COMMAND_INTERRUPT_FLOW:
		*canonical = none;
		return cs800_command_interrupt_flow(ret);
	case CS800_COMMAND_RUN_SHIELD:
		*canonical = one && c->p1 <= 1;
		return cs800_command_run_shield(c->p1 != 0, ret);
	case CS800_COMMAND_IDLE_SHIELD_MODE:
		*canonical = one;
		return cs800_command_idle_shield_mode(c->p1, ret, &e);
	case CS800_COMMAND_AUTOFILL_MODE:
		*canonical = one;
		return cs800_command_autofill_mode(c->p1, ret, &e);
	case CS800_COMMAND_AUTOFILL_REFILL_LEVEL:
		*canonical = one;
		return cs800_command_autofill_refill_level(c->p1, ret, &e);
	case CS800_COMMAND_AUTOFILL_STOP_LEVEL:
		*canonical = one;
		return cs800_command_autofill_stop_level(c->p1, ret, &e);
	}
	abort();	/* parse accepted a code that is not a command */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs800_command c, before, encoded, again;
	struct cs800_command_error error = { "" };
	bool canonical = false;
	uint8_t sum = 0;
	int r;

	memset(&c, 0xA5, sizeof(c));
	before = c;
	r = cs800_command_parse(data, size, &c, &error);
	if (r < 0) {
		if (r != -EBADMSG || memcmp(&c, &before, sizeof(c)) != 0 ||
		    !memchr(error.message, '\0', sizeof(error.message)) || !error.message[0])
			abort();
		return 0;
	}
	if (r != 0 || size != CS800_COMMAND_PACKET_SIZE || data[0] != 0x00 ||
	    !cs800_command_info(data[1]) || memcmp(c.bytes, data, size) != 0 ||
	    c.code != data[1] || c.p1 != (data[2] << 8 | data[3]) ||
	    c.p2 != (data[4] << 8 | data[5]))
		abort();
	for (size_t i = 0; i < CS800_COMMAND_PACKET_SIZE - 1; i++)
		sum += data[i];
	if (sum != data[6])
		abort();

	if (encode(&c, &encoded, &canonical) < 0)
		return 0;
	if (cs800_command_parse(encoded.bytes, sizeof(encoded.bytes), &again, &error) != 0 ||
	    again.code != c.code || memcmp(again.bytes, encoded.bytes, sizeof(again.bytes)) != 0)
		abort();
	if (canonical && memcmp(encoded.bytes, data, size) != 0)
		abort();
	return 0;
}
