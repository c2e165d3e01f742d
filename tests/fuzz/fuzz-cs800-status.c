// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the Cryostream 800 status decoder, the one parser of
 * what arrives on UDP port 30304, and the link that routes and merges its
 * result. Whatever the bytes (any size), decoding must not crash, must
 * leave the output untouched on failure, must accept with the checksum
 * ignored whatever it accepts with it verified, and an accepted packet
 * must format every parameter; the link must take exactly what the
 * decoder accepts, keep its pairs as sent, and refuse the same packet
 * from another address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cryo/cryo-link.h"
#include "daemon/cryo/cs800-params.h"
#include "daemon/cryo/cs800-status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_decode(const uint8_t *data, size_t size, unsigned int flags, int *ret)
{
	struct cs800_status status, before;
	struct cs800_decode_error error;
	char buf[160];

	memset(&status, 0xA5, sizeof(status));
	before = status;
	*ret = cs800_status_decode(data, size, flags, &status, &error);
	if (*ret < 0) {
		if (memcmp(&status, &before, sizeof(status)) != 0)
			abort();
		if (cs800_decode_error_format(&error, buf, sizeof(buf)) < 0)
			abort();
	} else {
		const struct cs800_param *table;
		size_t n;

		table = cs800_params(&n);
		for (size_t i = 0; i < n; i++)
			if (cs800_param_format(&table[i], &status, buf, sizeof(buf)) < 0)
				abort();
		if (status.parameter_count != (size - CS800_STATUS_MIN_SIZE) / 4 ||
		    status.unknown_parameters > status.parameter_count)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sockaddr_in source = { .sin_family = AF_INET };
	struct sockaddr_in elsewhere = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(0x7f000004),
	};
	struct cryo_link *link = NULL;
	struct cryo_controller *c;
	int r, r_ignoring;

	check_decode(data, size, 0, &r);
	check_decode(data, size, CS800_DECODE_IGNORE_CHECKSUM, &r_ignoring);
	if (r == 0 && r_ignoring != 0)
		abort();

	/* The same datagram through the link, as the only controller. */
	if (cryo_link_new(5000000, NULL, NULL, &link) < 0 ||
	    cryo_link_add_controller(link, "CS0", 0, NULL, &c, NULL) < 0)
		abort();
	if ((cryo_link_receive(link, data, size, &source, 1) == 0) != (r == 0))
		abort();
	if (r == 0) {
		if (c->n_pairs != (size - CS800_STATUS_MIN_SIZE) / 4 ||
		    (c->n_pairs && memcmp(c->pairs, data + CS800_STATUS_PAIRS_OFFSET, 4 * c->n_pairs)))
			abort();
		if (cryo_link_receive(link, data, size, &elsewhere, 2) != -EPERM)
			abort();
	}
	cryo_link_free(link);
	return 0;
}
