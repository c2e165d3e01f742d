// SPDX-License-Identifier: GPL-2.0
/*
 * CCD controller mechanisms and error bits (see ccd-mechanism.h).
 */
#include "daemon/ccd/ccd-mechanism.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/shared/macro.h"

static const char *const mnemonics[_CCD_MECH_MAX] = {
	[CCD_MECH_INS] = "INS", [CCD_MECH_MON] = "MON", [CCD_MECH_CLR] = "CLR",
	[CCD_MECH_RED] = "RED", [CCD_MECH_PIC] = "PIC", [CCD_MECH_DAR] = "DAR",
	[CCD_MECH_PAU] = "PAU", [CCD_MECH_CON] = "CON", [CCD_MECH_FIN] = "FIN",
	[CCD_MECH_ABT] = "ABT", [CCD_MECH_SSH] = "SSH", [CCD_MECH_RSP] = "RSP",
	[CCD_MECH_CSP] = "CSP", [CCD_MECH_PFL] = "PFL", [CCD_MECH_EXP] = "EXP",
	[CCD_MECH_BIN] = "BIN", [CCD_MECH_WIN] = "WIN", [CCD_MECH_WEN] = "WEN",
	[CCD_MECH_RES] = "RES", [CCD_MECH_SYN] = "SYN", [CCD_MECH_RGA] = "RGA",
};

static const struct {
	unsigned bit;
	const char *name;
} error_bits[] = {
	{ CCD_MECH_ERROR_BAD_ARGUMENT, "bad-argument" },
	{ CCD_MECH_ERROR_HARDWARE, "hardware-fault" },
	{ CCD_MECH_ERROR_TIMEOUT, "timeout" },
	{ CCD_MECH_ERROR_ABORTED, "aborted" },
	{ CCD_MECH_ERROR_NOT_INITIALISED, "not-initialised" },
};

const char *ccd_mechanism_mnemonic(enum ccd_mechanism m)
{
	return (unsigned)m < _CCD_MECH_MAX ? mnemonics[m] : NULL;
}

int ccd_mechanism_from_mnemonic(const char *mnemonic)
{
	for (int m = 0; m < _CCD_MECH_MAX; m++)
		if (strcmp(mnemonics[m], mnemonic) == 0)
			return m;
	return -ENOENT;
}

bool ccd_mechanism_has_head(enum ccd_mechanism m)
{
	return m != CCD_MECH_RGA;
}

char *ccd_mech_error_format(int64_t err, char *buf, size_t size)
{
	uint64_t rest = (uint64_t)err;
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (err == CCD_MECH_ERROR_DONE || err == CCD_MECH_ERROR_BUSY || err < 0) {
		snprintf(buf, size, "%s", err == 0 ? "done" : err == 1 ? "busy" : "invalid");
		return buf;
	}
	for (size_t i = 0; i < ELEMENTSOF(error_bits); i++) {
		if (!(rest & error_bits[i].bit))
			continue;
		rest &= ~(uint64_t)error_bits[i].bit;
		used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%s",
					 used ? "|" : "", error_bits[i].name);
	}
	if (rest && used < size)
		snprintf(buf + used, size - used, "%sunknown-0x%" PRIx64, used ? "|" : "", rest);
	return buf;
}
