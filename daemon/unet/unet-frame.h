/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UtilityNet frame payload and its mechanism messages, as the
 * project's profile fixes them (shared/spec/utilitynet.md, "Profile:
 * frame and payload"):
 *
 *   type  dest[10]  src[10]  msgno[4]  body
 *
 *   type   C command, S status, D data, A ack, N nack, B broadcast
 *   dest,  network names: 1-10 upper-case letters and digits, padded with
 *   src    spaces to 10 characters ("SYS       ", "CCD1      ", "TIM       ")
 *   msgno  4 upper-case hex digits
 *   body   empty for A and N (msgno is the acknowledged number); for C and
 *          S one or more mechanism messages separated by single spaces;
 *          for D and B any non-empty printable text (not interpreted)
 *
 * Mechanism message: MEC (3 upper-case letters), a 3-digit code, and
 * optionally (arg,arg,...) with decimal integers or upper-case words:
 * "RSP101(1,3)", "RGA200", "SSH101(1,OPEN)".
 *
 * SYN and EOT are the line discipline's business (n_unet, or
 * kernel/unet/unet_framer.c for a program on the raw line): this file
 * handles the payload between them. It is pure code with no dependency
 * beyond libc, so the daemon, the CCD controller simulator, the unit tests
 * and the fuzzer share it. Everything from the line is outside input:
 * decoding validates field by field and names the first bad field and its
 * column; a frame that fails leaves the output untouched.
 */
#ifndef STATIOND_UNET_UNET_FRAME_H
#define STATIOND_UNET_UNET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNET_NAME_LEN 10		/* a network name on the wire, padded */
#define UNET_MSGNO_LEN 4
#define UNET_HEADER_LEN (1 + 2 * UNET_NAME_LEN + UNET_MSGNO_LEN)	/* 25 */
#define UNET_PAYLOAD_MIN UNET_HEADER_LEN	/* an ACK */
#define UNET_PAYLOAD_MAX 255
#define UNET_BODY_MAX (UNET_PAYLOAD_MAX - UNET_HEADER_LEN)	/* 230 */

#define UNET_MNEMONIC_LEN 3
#define UNET_MECH_ARGS_MAX 12		/* WIN's status: head, err and 6 values */
#define UNET_WORD_MAX 15		/* "STANDARD", "UNJAM" */
/* The longest mechanism message that fits a body on its own. */
#define UNET_MECH_TEXT_MAX UNET_BODY_MAX

/* Mechanism codes of the profile. */
#define UNET_CODE_COMMAND 101		/* command, arguments follow */
#define UNET_CODE_STATUS 200		/* immediate status (and unsolicited reports) */
#define UNET_CODE_DELAYED 201		/* delayed status: when the action completes */

/* Well-known network names. */
#define UNET_HOST_NAME_DEFAULT "SYS"
#define UNET_TIME_SERVICE_NAME "TIM"

enum unet_frame_type {
	UNET_FRAME_COMMAND = 'C',
	UNET_FRAME_STATUS = 'S',
	UNET_FRAME_DATA = 'D',
	UNET_FRAME_ACK = 'A',
	UNET_FRAME_NACK = 'N',
	UNET_FRAME_BROADCAST = 'B',
};

/* A decoded payload. Names are without their padding, NUL-terminated. */
struct unet_frame {
	enum unet_frame_type type;
	char dest[UNET_NAME_LEN + 1];
	char src[UNET_NAME_LEN + 1];
	uint16_t msgno;
	size_t body_len;
	char body[UNET_BODY_MAX + 1];	/* NUL-terminated */
};

/* What was wrong, first problem only. */
enum unet_frame_problem {
	UNET_FRAME_OK,
	UNET_FRAME_TOO_SHORT,		/* fewer than UNET_PAYLOAD_MIN characters */
	UNET_FRAME_TOO_LONG,		/* more than UNET_PAYLOAD_MAX characters */
	UNET_FRAME_NOT_PRINTABLE,	/* a character outside 0x20-0x7E */
	UNET_FRAME_BAD_TYPE,
	UNET_FRAME_BAD_DEST,
	UNET_FRAME_BAD_SRC,
	UNET_FRAME_BAD_MSGNO,
	UNET_FRAME_UNEXPECTED_BODY,	/* an ACK or NACK with a body */
	UNET_FRAME_EMPTY_BODY,		/* C, S, D or B without one */
	UNET_FRAME_BAD_SEPARATOR,	/* not exactly one space between messages */
	UNET_FRAME_BAD_MNEMONIC,
	UNET_FRAME_BAD_CODE,
	UNET_FRAME_BAD_ARGUMENT,	/* empty, malformed or too long */
	UNET_FRAME_TOO_MANY_ARGUMENTS,
	UNET_FRAME_UNTERMINATED_ARGUMENTS,	/* "(" without ")" */
	_UNET_FRAME_PROBLEM_MAX,
};

struct unet_frame_error {
	enum unet_frame_problem problem;
	size_t column;			/* 1-based, in the payload (or the body alone) */
};

const char *unet_frame_problem_to_string(enum unet_frame_problem problem);
/* "bad msgno at column 22": for logs. */
int unet_frame_error_format(const struct unet_frame_error *error, char *buf, size_t size);

/* Is c one of the six frame types? */
bool unet_frame_type_valid(char c);
/* 1-10 upper-case letters and digits. */
bool unet_name_valid(const char *name);

/*
 * Decode one payload (as read from /dev/unetN: no SYN, no EOT). 0 and *ret
 * filled; -EBADMSG with *error (when non-NULL) set and *ret untouched.
 * The body of a C or S frame is checked message by message as
 * unet_body_next() would read it.
 */
int unet_frame_decode(const void *payload, size_t len, struct unet_frame *ret,
		      struct unet_frame_error *error);

/*
 * Encode f into buf (no SYN/EOT; not NUL-terminated). Returns the payload
 * length, -EINVAL when a field is invalid (what decode would refuse: the
 * encoder never produces a frame the decoder rejects), -ENOBUFS when buf
 * is smaller than the payload.
 */
int unet_frame_encode(const struct unet_frame *f, char *buf, size_t size);

/* Fill an ACK or NACK for a received frame: dest and src swapped, same
 * number, no body. */
void unet_frame_make_reply(const struct unet_frame *received, enum unet_frame_type type,
			   struct unet_frame *ret);

/* ------------------------------------------------------ mechanism messages */

enum unet_arg_kind {
	UNET_ARG_NUMBER,
	UNET_ARG_WORD,
};

struct unet_arg {
	enum unet_arg_kind kind;
	int64_t number;				/* UNET_ARG_NUMBER */
	char word[UNET_WORD_MAX + 1];		/* UNET_ARG_WORD */
};

struct unet_mech {
	char mnemonic[UNET_MNEMONIC_LEN + 1];
	uint16_t code;				/* 0-999 */
	uint8_t n_args;
	struct unet_arg args[UNET_MECH_ARGS_MAX];
};

/* Reads the mechanism messages of a body, left to right. */
struct unet_body_iter {
	const char *body;
	size_t len;
	size_t pos;
	size_t column_base;	/* added to error columns: the body's column in the payload - 1 */
};

void unet_body_iter_init(struct unet_body_iter *it, const char *body, size_t len);
/* Iterate a decoded frame's body; error columns count in the payload. */
void unet_body_iter_init_frame(struct unet_body_iter *it, const struct unet_frame *f);

/*
 * The next mechanism message: 1 and *ret filled, 0 at the end, -EBADMSG
 * with *error set (iteration then stays at the error).
 */
int unet_body_next(struct unet_body_iter *it, struct unet_mech *ret, struct unet_frame_error *error);

/* Check a whole body: 0 or -EBADMSG with *error (columns in the body). */
int unet_body_check(const char *body, size_t len, struct unet_frame_error *error);

/* Argument builders. A word must be 1-15 upper-case letters and digits,
 * starting with a letter. */
struct unet_arg unet_arg_number(int64_t number);
struct unet_arg unet_arg_word(const char *word);

/* Does m have argument i, a number? Then *ret is it. */
bool unet_mech_number(const struct unet_mech *m, unsigned i, int64_t *ret);

/*
 * Format one mechanism message: "RSP101(1,3)", "RGA200". Returns the
 * length (buf NUL-terminated), -EINVAL for an invalid mnemonic, code or
 * argument, -ENOBUFS when it does not fit.
 */
int unet_mech_format(const struct unet_mech *m, char *buf, size_t size);

/*
 * Append m to a body being built in buf (of capacity size, body at most
 * UNET_BODY_MAX), with a space before it unless the body is empty. *len
 * is the body's length so far and is updated. -EINVAL, -ENOBUFS (it does
 * not fit: the body is unchanged).
 */
int unet_body_append(char *buf, size_t size, size_t *len, const struct unet_mech *m);

/*
 * The body of a command request (the seed's UNET_CMDREQ_M): the command
 * with code 101 and its arguments, then the immediate (200) and delayed
 * (201) status requests. With head_number, the first argument is the head
 * number and is repeated in both requests: "RSP101(1,3) RSP200(1)
 * RSP201(1)"; without (UNET_CMDREQ_NOHDNO_M): "RGA101(102000) RGA200
 * RGA201". command->code is ignored (101 is used). Returns the body
 * length, -EINVAL (no first argument while head_number), -ENOBUFS.
 */
int unet_cmdreq_body(const struct unet_mech *command, bool head_number, char *buf, size_t size);

#endif
