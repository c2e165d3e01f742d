// SPDX-License-Identifier: GPL-2.0
/*
 * The XVME ID PROM: 32 ASCII characters in the odd bytes 0x01..0x3f,
 * "VMEIDXYC" + model ("240", "260", "560") + revision letter + spaces.
 *
 * Parsing is a pure function so KUnit can feed it every corruption a
 * real PROM (or a bad bus) produces.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/string.h>

#include "xvme.h"
#include "xvme-internal.h"

#define XVME_ID_PREFIX_LEN	(sizeof(XVME_ID_PREFIX) - 1)
#define XVME_ID_MODEL_LEN	3

static const struct {
	const char digits[XVME_ID_MODEL_LEN + 1];
	enum xvme_model model;
} xvme_known_models[] = {
	{ "240", XVME_MODEL_240 },
	{ "260", XVME_MODEL_260 },
	{ "560", XVME_MODEL_560 },
};

/*
 * The id attribute shows what the PROM holds even when it is corrupt, so
 * a technician can compare it with the label: printable ASCII is kept,
 * anything else becomes '?', the string ends at a NUL, trailing spaces go.
 */
static void xvme_id_sanitize(const u8 raw[XVME_ID_CHARS],
			     char id[XVME_ID_CHARS + 1])
{
	int i, len = 0;

	for (i = 0; i < XVME_ID_CHARS && raw[i]; i++)
		id[len++] = (raw[i] >= 0x20 && raw[i] < 0x7f) ? raw[i] : '?';
	while (len > 0 && id[len - 1] == ' ')
		len--;
	id[len] = '\0';
}

/**
 * xvme_id_parse - parse the 32 characters of an ID PROM
 * @raw:	the characters read from the odd bytes 0x01..0x3f
 * @id:		out: printable, trimmed copy (always written)
 * @model:	out: the model; XVME_MODEL_UNKNOWN unless 0 is returned
 *
 * Return: 0 for a well-formed ID of a known model, or
 * -ENODATA	a NUL before the 32nd character (short or blank PROM)
 * -EILSEQ	a character outside printable ASCII
 * -EBADMSG	not "VMEIDXYC" + 3 digits + revision letter + space padding
 * -ENODEV	well formed, but a model this bus does not know
 * xvme_id_strerror() turns these into the selftest's reason.
 */
int xvme_id_parse(const u8 raw[XVME_ID_CHARS], char id[XVME_ID_CHARS + 1],
		  enum xvme_model *model)
{
	const char *digits = (const char *)raw + XVME_ID_PREFIX_LEN;
	u8 revision = raw[XVME_ID_PREFIX_LEN + XVME_ID_MODEL_LEN];
	int i;

	*model = XVME_MODEL_UNKNOWN;
	xvme_id_sanitize(raw, id);

	for (i = 0; i < XVME_ID_CHARS; i++) {
		if (!raw[i])
			return -ENODATA;
		if (raw[i] < 0x20 || raw[i] >= 0x7f)
			return -EILSEQ;
	}

	if (memcmp(raw, XVME_ID_PREFIX, XVME_ID_PREFIX_LEN))
		return -EBADMSG;
	for (i = 0; i < XVME_ID_MODEL_LEN; i++)
		if (!isdigit(digits[i]))
			return -EBADMSG;
	if (!isupper(revision))
		return -EBADMSG;
	for (i = XVME_ID_PREFIX_LEN + XVME_ID_MODEL_LEN + 1;
	     i < XVME_ID_CHARS; i++)
		if (raw[i] != ' ')
			return -EBADMSG;

	for (i = 0; i < ARRAY_SIZE(xvme_known_models); i++) {
		if (!memcmp(digits, xvme_known_models[i].digits,
			    XVME_ID_MODEL_LEN)) {
			*model = xvme_known_models[i].model;
			return 0;
		}
	}
	return -ENODEV;
}
EXPORT_SYMBOL_NS_GPL(xvme_id_parse, XVME_KUNIT);

/**
 * xvme_id_strerror - why an ID PROM failed, for the selftest attribute
 * @err: a negative return of xvme_id_parse() or of reading the PROM
 */
const char *xvme_id_strerror(int err)
{
	switch (err) {
	case -ENODATA:
		return "short or blank";
	case -EILSEQ:
		return "not ASCII";
	case -EBADMSG:
		return "not VMEIDXYC<model><rev>";
	case -ENODEV:
		return "unknown model";
	case -EIO:
		return "bus error";
	default:
		return "unreadable";
	}
}
