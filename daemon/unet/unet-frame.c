// SPDX-License-Identifier: GPL-2.0
/*
 * UtilityNet frame payload and mechanism message codec (see unet-frame.h).
 */
#include "daemon/unet/unet-frame.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TYPE_OFFSET 0
#define DEST_OFFSET 1
#define SRC_OFFSET (DEST_OFFSET + UNET_NAME_LEN)
#define MSGNO_OFFSET (SRC_OFFSET + UNET_NAME_LEN)
#define BODY_OFFSET UNET_HEADER_LEN

/* Longest decimal argument: fits int64_t with room to spare. */
#define NUMBER_DIGITS_MAX 18

static const char *const problem_names[_UNET_FRAME_PROBLEM_MAX] = {
	[UNET_FRAME_OK] = "ok",
	[UNET_FRAME_TOO_SHORT] = "too short",
	[UNET_FRAME_TOO_LONG] = "too long",
	[UNET_FRAME_NOT_PRINTABLE] = "non-printable character",
	[UNET_FRAME_BAD_TYPE] = "bad type",
	[UNET_FRAME_BAD_DEST] = "bad destination name",
	[UNET_FRAME_BAD_SRC] = "bad source name",
	[UNET_FRAME_BAD_MSGNO] = "bad message number",
	[UNET_FRAME_UNEXPECTED_BODY] = "body in an ack or nack",
	[UNET_FRAME_EMPTY_BODY] = "empty body",
	[UNET_FRAME_BAD_SEPARATOR] = "bad separator between mechanism messages",
	[UNET_FRAME_BAD_MNEMONIC] = "bad mnemonic",
	[UNET_FRAME_BAD_CODE] = "bad mechanism code",
	[UNET_FRAME_BAD_ARGUMENT] = "bad argument",
	[UNET_FRAME_TOO_MANY_ARGUMENTS] = "too many arguments",
	[UNET_FRAME_UNTERMINATED_ARGUMENTS] = "unterminated argument list",
};

const char *unet_frame_problem_to_string(enum unet_frame_problem problem)
{
	if ((unsigned)problem >= _UNET_FRAME_PROBLEM_MAX)
		return "unknown problem";
	return problem_names[problem];
}

int unet_frame_error_format(const struct unet_frame_error *error, char *buf, size_t size)
{
	int n;

	if (error->column)
		n = snprintf(buf, size, "%s at column %zu",
			     unet_frame_problem_to_string(error->problem), error->column);
	else
		n = snprintf(buf, size, "%s", unet_frame_problem_to_string(error->problem));
	return n < 0 ? -EINVAL : n;
}

static int fail(struct unet_frame_error *error, enum unet_frame_problem problem, size_t column)
{
	if (error) {
		error->problem = problem;
		error->column = column;
	}
	return -EBADMSG;
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_printable(unsigned char c)
{
	return c >= 0x20 && c <= 0x7E;
}

bool unet_frame_type_valid(char c)
{
	switch (c) {
	case UNET_FRAME_COMMAND:
	case UNET_FRAME_STATUS:
	case UNET_FRAME_DATA:
	case UNET_FRAME_ACK:
	case UNET_FRAME_NACK:
	case UNET_FRAME_BROADCAST:
		return true;
	}
	return false;
}

bool unet_name_valid(const char *name)
{
	size_t n = strnlen(name, UNET_NAME_LEN + 1);

	if (n == 0 || n > UNET_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_upper(name[i]) && !is_digit(name[i]))
			return false;
	return true;
}

/* A padded name field: letters/digits, then only spaces; at least one. */
static int decode_name(const char *field, char out[static UNET_NAME_LEN + 1])
{
	size_t n = 0;

	while (n < UNET_NAME_LEN && (is_upper(field[n]) || is_digit(field[n])))
		n++;
	if (n == 0)
		return -1;
	for (size_t i = n; i < UNET_NAME_LEN; i++)
		if (field[i] != ' ')
			return (int)i;
	memcpy(out, field, n);
	out[n] = '\0';
	return UNET_NAME_LEN;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int unet_frame_decode(const void *payload, size_t len, struct unet_frame *ret,
		      struct unet_frame_error *error)
{
	const char *p = payload;
	struct unet_frame f = {};
	int at;

	if (len < UNET_PAYLOAD_MIN)
		return fail(error, UNET_FRAME_TOO_SHORT, 0);
	if (len > UNET_PAYLOAD_MAX)
		return fail(error, UNET_FRAME_TOO_LONG, UNET_PAYLOAD_MAX + 1);
	for (size_t i = 0; i < len; i++)
		if (!is_printable((unsigned char)p[i]))
			return fail(error, UNET_FRAME_NOT_PRINTABLE, i + 1);

	if (!unet_frame_type_valid(p[TYPE_OFFSET]))
		return fail(error, UNET_FRAME_BAD_TYPE, TYPE_OFFSET + 1);
	f.type = (enum unet_frame_type)p[TYPE_OFFSET];

	at = decode_name(p + DEST_OFFSET, f.dest);
	if (at != UNET_NAME_LEN)
		return fail(error, UNET_FRAME_BAD_DEST, DEST_OFFSET + (at < 0 ? 0 : at) + 1);
	at = decode_name(p + SRC_OFFSET, f.src);
	if (at != UNET_NAME_LEN)
		return fail(error, UNET_FRAME_BAD_SRC, SRC_OFFSET + (at < 0 ? 0 : at) + 1);

	for (size_t i = 0; i < UNET_MSGNO_LEN; i++) {
		int v = hex_value(p[MSGNO_OFFSET + i]);

		if (v < 0)
			return fail(error, UNET_FRAME_BAD_MSGNO, MSGNO_OFFSET + i + 1);
		f.msgno = (uint16_t)(f.msgno << 4 | v);
	}

	f.body_len = len - BODY_OFFSET;
	memcpy(f.body, p + BODY_OFFSET, f.body_len);
	f.body[f.body_len] = '\0';

	switch (f.type) {
	case UNET_FRAME_ACK:
	case UNET_FRAME_NACK:
		if (f.body_len)
			return fail(error, UNET_FRAME_UNEXPECTED_BODY, BODY_OFFSET + 1);
		break;
	case UNET_FRAME_COMMAND:
	case UNET_FRAME_STATUS: {
		struct unet_frame_error e;

		if (!f.body_len)
			return fail(error, UNET_FRAME_EMPTY_BODY, BODY_OFFSET + 1);
		if (unet_body_check(f.body, f.body_len, &e) < 0)
			return fail(error, e.problem, e.column + BODY_OFFSET);
		break;
	}
	case UNET_FRAME_DATA:
	case UNET_FRAME_BROADCAST:
		if (!f.body_len)
			return fail(error, UNET_FRAME_EMPTY_BODY, BODY_OFFSET + 1);
		break;
	}
	*ret = f;
	return 0;
}

static void put_name(char *field, const char *name)
{
	size_t n = strlen(name);

	memcpy(field, name, n);
	memset(field + n, ' ', UNET_NAME_LEN - n);
}

int unet_frame_encode(const struct unet_frame *f, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t body_len = f->body_len, len;

	if (!unet_frame_type_valid((char)f->type) || !unet_name_valid(f->dest) ||
	    !unet_name_valid(f->src) || body_len > UNET_BODY_MAX ||
	    strnlen(f->body, body_len) != body_len)
		return -EINVAL;
	switch (f->type) {
	case UNET_FRAME_ACK:
	case UNET_FRAME_NACK:
		if (body_len)
			return -EINVAL;
		break;
	case UNET_FRAME_COMMAND:
	case UNET_FRAME_STATUS:
		if (!body_len || unet_body_check(f->body, body_len, NULL) < 0)
			return -EINVAL;
		break;
	case UNET_FRAME_DATA:
	case UNET_FRAME_BROADCAST:
		if (!body_len)
			return -EINVAL;
		for (size_t i = 0; i < body_len; i++)
			if (!is_printable((unsigned char)f->body[i]))
				return -EINVAL;
		break;
	}
	len = BODY_OFFSET + body_len;
	if (size < len)
		return -ENOBUFS;
	buf[TYPE_OFFSET] = (char)f->type;
	put_name(buf + DEST_OFFSET, f->dest);
	put_name(buf + SRC_OFFSET, f->src);
	for (size_t i = 0; i < UNET_MSGNO_LEN; i++)
		buf[MSGNO_OFFSET + i] = hex[(f->msgno >> (4 * (UNET_MSGNO_LEN - 1 - i))) & 0xF];
	memcpy(buf + BODY_OFFSET, f->body, body_len);
	return (int)len;
}

void unet_frame_make_reply(const struct unet_frame *received, enum unet_frame_type type,
			   struct unet_frame *ret)
{
	*ret = (struct unet_frame){ .type = type, .msgno = received->msgno };
	memcpy(ret->dest, received->src, sizeof(ret->dest));
	memcpy(ret->src, received->dest, sizeof(ret->src));
}

/* ------------------------------------------------------ mechanism messages */

void unet_body_iter_init(struct unet_body_iter *it, const char *body, size_t len)
{
	*it = (struct unet_body_iter){ .body = body, .len = len };
}

void unet_body_iter_init_frame(struct unet_body_iter *it, const struct unet_frame *f)
{
	unet_body_iter_init(it, f->body, f->body_len);
	it->column_base = BODY_OFFSET;
}

/* One argument at body[*pos], up to ',' or ')'. */
static int parse_arg(const char *s, size_t len, size_t *pos, struct unet_arg *ret)
{
	size_t start = *pos, n;

	if (start < len && (s[start] == '-' || is_digit(s[start]))) {
		size_t digits_at = start + (s[start] == '-');
		int64_t v = 0;

		n = digits_at;
		while (n < len && is_digit(s[n]))
			n++;
		if (n == digits_at || n - digits_at > NUMBER_DIGITS_MAX)
			return -1;
		for (size_t i = digits_at; i < n; i++)
			v = v * 10 + (s[i] - '0');
		*ret = (struct unet_arg){
			.kind = UNET_ARG_NUMBER,
			.number = s[start] == '-' ? -v : v,
		};
	} else if (start < len && is_upper(s[start])) {
		n = start;
		while (n < len && (is_upper(s[n]) || is_digit(s[n])))
			n++;
		if (n - start > UNET_WORD_MAX)
			return -1;
		*ret = (struct unet_arg){ .kind = UNET_ARG_WORD };
		memcpy(ret->word, s + start, n - start);
	} else {
		return -1;
	}
	*pos = n;
	return 0;
}

int unet_body_next(struct unet_body_iter *it, struct unet_mech *ret, struct unet_frame_error *error)
{
	const char *s = it->body;
	size_t len = it->len, pos = it->pos, base = it->column_base;
	struct unet_mech m = {};

	if (pos >= len)
		return 0;
	if (pos > 0) {
		/* Exactly one space between messages, none at the end. */
		if (s[pos] != ' ')
			return fail(error, UNET_FRAME_BAD_SEPARATOR, base + pos + 1);
		pos++;
		if (pos >= len || s[pos] == ' ')
			return fail(error, UNET_FRAME_BAD_SEPARATOR, base + pos + 1);
	}

	for (size_t i = 0; i < UNET_MNEMONIC_LEN; i++, pos++) {
		if (pos >= len || !is_upper(s[pos]))
			return fail(error, UNET_FRAME_BAD_MNEMONIC, base + pos + 1);
		m.mnemonic[i] = s[pos];
	}
	for (size_t i = 0; i < 3; i++, pos++) {
		if (pos >= len || !is_digit(s[pos]))
			return fail(error, UNET_FRAME_BAD_CODE, base + pos + 1);
		m.code = (uint16_t)(m.code * 10 + (s[pos] - '0'));
	}

	if (pos < len && s[pos] == '(') {
		pos++;
		for (;;) {
			if (m.n_args == UNET_MECH_ARGS_MAX)
				return fail(error, UNET_FRAME_TOO_MANY_ARGUMENTS, base + pos + 1);
			if (parse_arg(s, len, &pos, &m.args[m.n_args]) < 0)
				return fail(error, UNET_FRAME_BAD_ARGUMENT, base + pos + 1);
			m.n_args++;
			if (pos >= len)
				return fail(error, UNET_FRAME_UNTERMINATED_ARGUMENTS, base + pos + 1);
			if (s[pos] == ')') {
				pos++;
				break;
			}
			if (s[pos] != ',')
				return fail(error, UNET_FRAME_BAD_ARGUMENT, base + pos + 1);
			pos++;
		}
	}
	/* What follows a message is the separator or the end. */
	if (pos < len && s[pos] != ' ')
		return fail(error, pos < len && s[pos] == '(' ? UNET_FRAME_BAD_ARGUMENT :
			    UNET_FRAME_BAD_SEPARATOR, base + pos + 1);

	it->pos = pos;
	*ret = m;
	return 1;
}

int unet_body_check(const char *body, size_t len, struct unet_frame_error *error)
{
	struct unet_body_iter it;
	struct unet_mech m;
	int r;

	if (!len)
		return fail(error, UNET_FRAME_EMPTY_BODY, 1);
	for (size_t i = 0; i < len; i++)
		if (!is_printable((unsigned char)body[i]))
			return fail(error, UNET_FRAME_NOT_PRINTABLE, i + 1);
	unet_body_iter_init(&it, body, len);
	while ((r = unet_body_next(&it, &m, error)) > 0)
		;
	return r;
}

struct unet_arg unet_arg_number(int64_t number)
{
	return (struct unet_arg){ .kind = UNET_ARG_NUMBER, .number = number };
}

struct unet_arg unet_arg_word(const char *word)
{
	struct unet_arg a = { .kind = UNET_ARG_WORD };

	snprintf(a.word, sizeof(a.word), "%s", word);
	return a;
}

bool unet_mech_number(const struct unet_mech *m, unsigned i, int64_t *ret)
{
	if (i >= m->n_args || m->args[i].kind != UNET_ARG_NUMBER)
		return false;
	*ret = m->args[i].number;
	return true;
}

static bool word_valid(const char *w)
{
	size_t n = strnlen(w, UNET_WORD_MAX + 1);

	if (n == 0 || n > UNET_WORD_MAX || !is_upper(w[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_upper(w[i]) && !is_digit(w[i]))
			return false;
	return true;
}

static bool number_valid(int64_t v)
{
	/* What parse_arg() reads back: at most 18 digits. */
	return v > -1000000000000000000LL && v < 1000000000000000000LL;
}

int unet_mech_format(const struct unet_mech *m, char *buf, size_t size)
{
	size_t len = 0;
	int n;

	if (strnlen(m->mnemonic, sizeof(m->mnemonic)) != UNET_MNEMONIC_LEN || m->code > 999 ||
	    m->n_args > UNET_MECH_ARGS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < UNET_MNEMONIC_LEN; i++)
		if (!is_upper(m->mnemonic[i]))
			return -EINVAL;

	n = snprintf(buf, size, "%s%03u", m->mnemonic, m->code);
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	len = (size_t)n;
	for (unsigned i = 0; i < m->n_args; i++) {
		const struct unet_arg *a = &m->args[i];

		if (a->kind == UNET_ARG_WORD ? !word_valid(a->word) : !number_valid(a->number))
			return -EINVAL;
		if (a->kind == UNET_ARG_WORD)
			n = snprintf(buf + len, size - len, "%c%s", i ? ',' : '(', a->word);
		else
			n = snprintf(buf + len, size - len, "%c%lld", i ? ',' : '(',
				     (long long)a->number);
		if (n < 0 || (size_t)n >= size - len)
			return -ENOBUFS;
		len += (size_t)n;
	}
	if (m->n_args) {
		if (len + 1 >= size)
			return -ENOBUFS;
		buf[len++] = ')';
		buf[len] = '\0';
	}
	return (int)len;
}

int unet_body_append(char *buf, size_t size, size_t *len, const struct unet_mech *m)
{
	char text[UNET_BODY_MAX + 2];
	size_t need;
	int n;

	n = unet_mech_format(m, text, sizeof(text));
	if (n == -ENOBUFS)
		return -ENOBUFS;
	if (n < 0)
		return n;
	need = *len + (*len ? 1 : 0) + (size_t)n;
	if (need > UNET_BODY_MAX || need + 1 > size)
		return -ENOBUFS;
	if (*len)
		buf[(*len)++] = ' ';
	memcpy(buf + *len, text, (size_t)n + 1);
	*len += (size_t)n;
	return 0;
}

int unet_cmdreq_body(const struct unet_mech *command, bool head_number, char *buf, size_t size)
{
	struct unet_mech m = *command, request = {};
	size_t len = 0;
	int r;

	if (head_number && command->n_args < 1)
		return -EINVAL;
	if (size)
		buf[0] = '\0';
	m.code = UNET_CODE_COMMAND;
	r = unet_body_append(buf, size, &len, &m);
	if (r < 0)
		return r;
	memcpy(request.mnemonic, command->mnemonic, sizeof(request.mnemonic));
	if (head_number) {
		request.n_args = 1;
		request.args[0] = command->args[0];
	}
	request.code = UNET_CODE_STATUS;
	r = unet_body_append(buf, size, &len, &request);
	if (r < 0)
		return r;
	request.code = UNET_CODE_DELAYED;
	r = unet_body_append(buf, size, &len, &request);
	if (r < 0)
		return r;
	return (int)len;
}
