// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the Cryostream 800 status decoder, the one parser of
 * what arrives on UDP port 30304, and the link that routes its result.
 * Whatever the bytes, decoding must not crash, must leave the output
 * untouched on failure, and an accepted packet must format every
 * parameter.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cryo/cryo-link.h"
#include "daemon/cryo/cs800-params.h"
#include "daemon/cryo/cs800-status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sockaddr_in source = { .sin_family = AF_INET };
	struct cs800_status status, before;
	struct cs800_decode_error error;
	struct cryo_link *link = NULL;
	char buf[128];
	int r;

	memset(&status, 0xA5, sizeof(status));
	before = status;
	r = cs800_status_decode(data, size, 0, &status, &error);
	if (r < 0) {
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
	}

	/* The same datagram through the link, as the only controller. */
	if (cryo_link_new(5000000, NULL, NULL, &link) < 0 ||
	    cryo_link_add_controller(link, "CS0", 0, NULL, NULL, NULL) < 0)
		abort();
	if ((cryo_link_receive(link, data, size, &source, 1) == 0) != (r == 0))
		abort();
	cryo_link_free(link);
	return 0;
}
