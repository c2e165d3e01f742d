// SPDX-License-Identifier: GPL-2.0
/*
 * Controller tracking of the Cryostream link without a network:
 * configuration rules, routing by controller number, number-0
 * auto-selection and conflicts, rejected packets changing nothing but
 * counters, silence and recovery. Packets come from the status builder
 * (the decoder itself is tested against hand-made bytes elsewhere).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/cryo/cryo-link.h"
#include "daemon/cryo/cs800-status-builder.h"

#define SEC UINT64_C(1000000)

struct events {
	unsigned int status, connected, disconnected, conflicts, rejected;
	uint16_t conflict_number;
	struct cryo_controller *last;
	bool had_previous;
};

static void on_status(struct cryo_controller *c, const struct cs800_status *previous, void *u)
{
	struct events *e = u;

	e->status++;
	e->last = c;
	e->had_previous = previous != NULL;
}

static void on_connection(struct cryo_controller *c, bool connected, void *u)
{
	struct events *e = u;

	if (connected)
		e->connected++;
	else
		e->disconnected++;
	e->last = c;
}

static void on_conflict(struct cryo_controller *c, uint16_t number,
			const struct sockaddr_in *source, void *u)
{
	struct events *e = u;

	e->conflicts++;
	e->conflict_number = number;
}

static void on_rejected(struct cryo_controller *c, const struct cs800_decode_error *error,
			const struct sockaddr_in *source, void *u)
{
	struct events *e = u;

	e->rejected++;
}

static const struct cryo_link_callbacks callbacks = {
	.status = on_status,
	.connection = on_connection,
	.conflict = on_conflict,
	.rejected = on_rejected,
};

static struct sockaddr_in addr(const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

static void packet(uint8_t *pkt, uint16_t number, double gas_k)
{
	struct cs800_status s = {
		.controller_number = number,
		.device_min_temperature_k = 80,
		.device_max_temperature_k = 400,
		.gas_temperature_k = gas_k,
		.run_mode = CS800_RUN_MODE_RUN,
		.phase = CS800_PHASE_HOLD,
	};

	cs800_status_build(&s, pkt);
}

static void test_configuration_rules(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_link_error e;

	assert_int_equal(cryo_link_new(0, NULL, NULL, &link), -EINVAL);
	assert_int_equal(cryo_link_new(5 * SEC, NULL, NULL, &link), 0);

	assert_int_equal(cryo_link_add_controller(link, "", 1, NULL, NULL, &e), -EINVAL);
	assert_int_equal(cryo_link_add_controller(link, "CS/0", 1, NULL, NULL, &e), -EINVAL);
	assert_int_equal(cryo_link_add_controller(link,
		"A_name_that_is_much_longer_than_32", 1, NULL, NULL, &e), -EINVAL);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, NULL, &e), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 369, NULL, NULL, &e), -EEXIST);
	assert_string_equal(e.message, "controller CS0 is configured twice");
	assert_int_equal(cryo_link_add_controller(link, "CS1", 411, NULL, NULL, &e), -EEXIST);
	assert_string_equal(e.message, "controllers CS0 and CS1 both have number 411");
	assert_int_equal(cryo_link_add_controller(link, "CS1", 0, NULL, NULL, &e), -ENOTUNIQ);
	assert_non_null(strstr(e.message, "number 0"));
	assert_int_equal(cryo_link_controller_count(link), 1);
	cryo_link_free(TAKE_PTR(link));

	/* And the other way round: 0 first, then anything. */
	assert_int_equal(cryo_link_new(5 * SEC, NULL, NULL, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 0, NULL, NULL, &e), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS1", 0, NULL, NULL, &e), -ENOTUNIQ);
	assert_int_equal(cryo_link_add_controller(link, "CS1", 369, NULL, NULL, &e), -ENOTUNIQ);
	assert_int_equal(cryo_link_controller_count(link), 1);
}

static void test_routing_by_number(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0, *cs1;
	struct sockaddr_in a = addr("10.0.0.44", 30304), b = addr("10.0.0.13", 30304);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_PACKET_SIZE];

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS1", 369, NULL, &cs1, NULL), 0);
	assert_ptr_equal(cryo_link_controller_by_name(link, "CS1"), cs1);

	packet(pkt, 411, 100.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 1 * SEC), 0);
	assert_ptr_equal(ev.last, cs0);
	assert_false(ev.had_previous);
	packet(pkt, 369, 200.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &b, 1 * SEC), 0);
	assert_ptr_equal(ev.last, cs1);
	packet(pkt, 411, 101.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 2 * SEC), 0);
	assert_true(ev.had_previous);

	assert_true(cs0->connected && cs1->connected);
	assert_int_equal(ev.connected, 2);
	assert_int_equal(ev.status, 3);
	assert_true(cs0->status.gas_temperature_k == 101.0);
	assert_true(cs1->status.gas_temperature_k == 200.0);
	assert_int_equal(cs0->packets_received, 2);
	assert_int_equal(cs1->packets_received, 1);

	/* A controller nobody configured: ignored quietly. */
	packet(pkt, 512, 150.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &b, 3 * SEC), -ENOENT);
	assert_int_equal(ev.status, 3);
	assert_int_equal(cryo_link_counters(link)->packets_foreign, 1);
	assert_int_equal(cryo_link_counters(link)->packets_received, 4);
	assert_int_equal(ev.conflicts, 0);
}

static void test_number_zero_selects_and_conflicts(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0;
	struct sockaddr_in a = addr("127.0.0.2", 40000), b = addr("127.0.0.3", 40001);
	struct sockaddr_in to;
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_PACKET_SIZE];
	struct cs800_status before;

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 0, NULL, &cs0, NULL), 0);
	assert_int_equal(cs0->number, 0);
	assert_int_equal(cryo_controller_command_address(cs0, &to), -ENODATA);

	packet(pkt, 369, 120.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 1 * SEC), 0);
	assert_int_equal(cs0->number, 369);
	assert_int_equal(cs0->configured_number, 0);
	/* Commands go to where its status comes from, port 30305. */
	assert_int_equal(cryo_controller_command_address(cs0, &to), 0);
	assert_int_equal(to.sin_addr.s_addr, a.sin_addr.s_addr);
	assert_int_equal(ntohs(to.sin_port), 30305);

	before = cs0->status;
	packet(pkt, 411, 250.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &b, 2 * SEC), -ENOTUNIQ);
	assert_int_equal(ev.conflicts, 1);
	assert_int_equal(ev.conflict_number, 411);
	assert_int_equal(cs0->conflicts, 1);
	assert_int_equal(cryo_link_counters(link)->conflicts, 1);
	/* The selected controller stays, its status untouched. */
	assert_int_equal(cs0->number, 369);
	assert_memory_equal(&cs0->status, &before, sizeof(before));
	assert_int_equal(cs0->packets_received, 1);
	assert_int_equal(cs0->last_packet_usec, 1 * SEC);

	packet(pkt, 369, 121.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 3 * SEC), 0);
	assert_true(cs0->status.gas_temperature_k == 121.0);
}

static void test_configured_command_address(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0;
	struct sockaddr_in configured = addr("192.168.0.144", 30305), to;

	assert_int_equal(cryo_link_new(5 * SEC, NULL, NULL, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, &configured, &cs0, NULL), 0);
	assert_int_equal(cryo_controller_command_address(cs0, &to), 0);
	assert_memory_equal(&to, &configured, sizeof(to));
}

static void test_rejected_changes_nothing_but_counters(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0, before;
	struct sockaddr_in a = addr("10.0.0.44", 30304), other = addr("10.0.0.99", 30304);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_PACKET_SIZE];

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	packet(pkt, 411, 100.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 1 * SEC), 0);
	before = *cs0;

	/* Bad checksum, short, marker: from the controller's address. */
	pkt[925] ^= 0xFF;
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 2 * SEC), -EBADMSG);
	pkt[925] ^= 0xFF;
	assert_int_equal(cryo_link_receive(link, pkt, 100, &a, 2 * SEC), -EBADMSG);
	pkt[0] = 0;
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 2 * SEC), -EBADMSG);
	pkt[0] = 0xAA;
	/* And one from elsewhere: counted on the link only. */
	assert_int_equal(cryo_link_receive(link, pkt, 7, &other, 2 * SEC), -EBADMSG);

	assert_int_equal(ev.rejected, 4);
	assert_int_equal(ev.status, 1);
	assert_int_equal(cs0->packets_rejected, 3);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_CHECKSUM], 1);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_LENGTH], 1);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_START_MARKER], 1);
	assert_int_equal(cryo_link_counters(link)->packets_rejected, 4);
	assert_int_equal(cryo_link_counters(link)->rejected_by_reason[CS800_REJECT_LENGTH], 2);

	/* Everything but the rejection counters is as before. */
	cs0->packets_rejected = before.packets_rejected;
	memcpy(cs0->rejected_by_reason, before.rejected_by_reason, sizeof(before.rejected_by_reason));
	assert_memory_equal(cs0, &before, sizeof(before));
}

/* "checksum ignore": a packet whose checksum field is wrong is taken like
 * any other, and only then; markers and size still count. */
static void test_checksum_ignored_when_configured(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0;
	struct sockaddr_in a = addr("10.0.0.44", 30304);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_PACKET_SIZE];

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	packet(pkt, 411, 100.0);
	pkt[925] ^= 0x5A;
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 1 * SEC), -EBADMSG);
	assert_int_equal(cryo_link_counters(link)->rejected_by_reason[CS800_REJECT_CHECKSUM], 1);

	cryo_link_set_verify_checksum(link, false);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 2 * SEC), 0);
	assert_int_equal(cs0->packets_received, 1);
	assert_true(cs0->connected);
	pkt[0] = 0;
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 3 * SEC), -EBADMSG);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_START_MARKER], 1);

	cryo_link_set_verify_checksum(link, true);
	pkt[0] = 0xAA;
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 4 * SEC), -EBADMSG);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_CHECKSUM], 1);
	assert_int_equal(cs0->packets_received, 1);
}

static void test_silence_and_recovery(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0, *cs1;
	struct sockaddr_in a = addr("10.0.0.44", 30304), b = addr("10.0.0.13", 30304);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_PACKET_SIZE];

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS1", 369, NULL, &cs1, NULL), 0);
	assert_false(cs0->connected);
	assert_true(cryo_link_next_deadline(link) == UINT64_MAX);

	packet(pkt, 411, 100.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 10 * SEC), 0);
	packet(pkt, 369, 100.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &b, 12 * SEC), 0);
	assert_true(cryo_link_next_deadline(link) == 15 * SEC);

	cryo_link_check_silence(link, 15 * SEC - 1);
	assert_true(cs0->connected);
	cryo_link_check_silence(link, 15 * SEC);
	assert_false(cs0->connected);
	assert_true(cs1->connected);
	assert_int_equal(ev.disconnected, 1);
	assert_ptr_equal(ev.last, cs0);
	assert_true(cryo_link_next_deadline(link) == 17 * SEC);
	/* Only a transition is reported. */
	cryo_link_check_silence(link, 16 * SEC);
	assert_int_equal(ev.disconnected, 1);

	packet(pkt, 411, 100.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 20 * SEC), 0);
	assert_true(cs0->connected);
	assert_int_equal(ev.connected, 3);
	cryo_link_check_silence(link, 20 * SEC);
	assert_false(cs1->connected);
	assert_true(cryo_link_next_deadline(link) == 25 * SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configuration_rules),
		cmocka_unit_test(test_routing_by_number),
		cmocka_unit_test(test_number_zero_selects_and_conflicts),
		cmocka_unit_test(test_configured_command_address),
		cmocka_unit_test(test_rejected_changes_nothing_but_counters),
		cmocka_unit_test(test_checksum_ignored_when_configured),
		cmocka_unit_test(test_silence_and_recovery),
	};

	return cmocka_run_group_tests_name("cryo-link", tests, NULL, NULL);
}
