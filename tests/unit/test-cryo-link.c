// SPDX-License-Identifier: GPL-2.0
/*
 * Controller tracking of the Cryostream link without a network:
 * configuration rules, routing by controller number, number-0
 * auto-selection and conflicts, nobody else speaking for a controller
 * (configured address, locked first address), packets of any size merged
 * with stale parameters kept and counted, rejected packets changing
 * nothing but counters, the checksum warning, silence and recovery.
 * Packets come from the status builder (the decoder itself is tested
 * against hand-made bytes elsewhere).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/cryo/cryo-link.h"
#include "daemon/cryo/cs800-params.h"
#include "daemon/cryo/cs800-status-builder.h"

#define SEC UINT64_C(1000000)

struct events {
	unsigned int status, connected, disconnected, conflicts, rejected, spoofed;
	unsigned int checksum_failing;
	uint64_t failing_usec;
	uint16_t conflict_number;
	struct cryo_controller *last, *rejected_owner;
	struct sockaddr_in spoofed_from;
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
	e->rejected_owner = c;
}

static void on_spoofed(struct cryo_controller *c, const struct sockaddr_in *source, void *u)
{
	struct events *e = u;

	e->spoofed++;
	e->spoofed_from = *source;
	e->last = c;
}

static void on_checksum_failing(struct cryo_controller *c, uint64_t failing_usec, void *u)
{
	struct events *e = u;

	e->checksum_failing++;
	e->failing_usec = failing_usec;
	e->last = c;
}

static const struct cryo_link_callbacks callbacks = {
	.status = on_status,
	.connection = on_connection,
	.conflict = on_conflict,
	.spoofed = on_spoofed,
	.rejected = on_rejected,
	.checksum_failing = on_checksum_failing,
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
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE];

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
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE];
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
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE];

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	packet(pkt, 411, 100.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 1 * SEC), 0);
	before = *cs0;

	/* Bad checksum, short, marker: from the controller's address. */
	pkt[925] ^= 0xFF;
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 2 * SEC), -EBADMSG);
	pkt[925] ^= 0xFF;
	assert_int_equal(cryo_link_receive(link, pkt, 102, &a, 2 * SEC), -EBADMSG);
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

	/* Everything but the rejection counters (and the run of checksum
	 * failures they count) is as before. */
	assert_true(cs0->checksum_failing);
	cs0->checksum_failing = before.checksum_failing;
	cs0->checksum_failing_since_usec = before.checksum_failing_since_usec;
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
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE];

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
	/* The first one counted too: its number said whose it was. */
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_CHECKSUM], 2);
	assert_int_equal(cs0->packets_received, 1);
}

/* A packet of a size and set of its own (builder layout). */
static size_t layout_packet(uint8_t *pkt, size_t size, const struct cs800_status *s,
			    const struct cs800_pair *layout, size_t n)
{
	int r = cs800_status_build_layout(s, layout, n, pkt, size);

	assert_true(r > 0);
	return (size_t)r;
}

static bool stale(const struct cryo_controller *c, uint16_t id)
{
	return !cs800_status_has(&c->status, id);
}

static uint64_t missing(const struct cryo_controller *c, uint16_t id)
{
	return c->missing[cs800_param_index(cs800_param_by_id(id))];
}

/* Another firmware leaves 1057 out and sends ids stationd does not know:
 * taken; what it lacks keeps its last value, is stale and counted; the
 * pairs are kept as sent. */
static void test_any_size_merged_and_stale(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0;
	struct sockaddr_in a = addr("10.0.0.44", 30304);
	struct events ev = {};
	uint8_t pkt[512];
	struct cs800_status s = {
		.controller_number = 411,
		.gas_temperature_k = 100.0,
		.evaporator_temperature_k = 85.0,
		.ln2_level_percent = 88.0,
	};
	const struct cs800_pair full[] = { { 1028, 0 }, { 1051, 0 }, { 1057, 0 }, { 1203, 0 } };
	const struct cs800_pair other[] = { { 1028, 0 }, { 1051, 0 }, { 4711, 7 }, { 5000, 36 },
					    { 1203, 0 } };
	size_t n;

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	n = layout_packet(pkt, sizeof(pkt), &s, full, ELEMENTSOF(full));
	assert_int_equal(n, 24);
	assert_int_equal(cryo_link_receive(link, pkt, n, &a, 1 * SEC), 0);
	assert_false(stale(cs0, 1057));
	assert_true(stale(cs0, 1050));		/* never sent */
	assert_int_equal(missing(cs0, 1050), 1);
	assert_int_equal(missing(cs0, 1057), 0);
	assert_int_equal(cs0->status.unknown_parameters, 0);

	s.gas_temperature_k = 101.0;
	s.evaporator_temperature_k = 70.0;	/* not sent: must not show */
	n = layout_packet(pkt, sizeof(pkt), &s, other, ELEMENTSOF(other));
	assert_int_equal(n, 28);
	assert_int_equal(cryo_link_receive(link, pkt, n, &a, 2 * SEC), 0);
	assert_int_equal(ev.status, 2);
	assert_int_equal(cs0->packets_rejected, 0);
	assert_true(cs0->status.gas_temperature_k == 101.0);
	assert_true(cs0->status.evaporator_temperature_k == 85.0);	/* the last value */
	assert_true(stale(cs0, 1057));
	assert_true(cs800_param_set_has(&cs0->received, cs800_param_index(cs800_param_by_id(1057))));
	assert_int_equal(missing(cs0, 1057), 1);
	assert_int_equal(missing(cs0, 1050), 2);
	assert_int_equal(cs0->status.unknown_parameters, 2);
	assert_int_equal(cs0->status.parameter_count, 5);
	/* The pairs as sent, unknown ones included. */
	assert_int_equal(cs0->n_pairs, 5);
	assert_memory_equal(cs0->pairs, pkt + 4, 20);
	assert_int_equal(cs0->pairs[8] << 8 | cs0->pairs[9], 4711);
	assert_int_equal(cs0->pairs[10] << 8 | cs0->pairs[11], 7);

	/* 1057 comes back: fresh again, the count stays as it was. */
	n = layout_packet(pkt, sizeof(pkt), &s, full, ELEMENTSOF(full));
	assert_int_equal(cryo_link_receive(link, pkt, n, &a, 3 * SEC), 0);
	assert_false(stale(cs0, 1057));
	assert_true(cs0->status.evaporator_temperature_k == 70.0);
	assert_int_equal(missing(cs0, 1057), 1);
	assert_int_equal(cs0->n_pairs, 4);
}

/* A controller with a configured address takes packets from there only;
 * one without locks onto its first source. Nobody else changes anything,
 * commands keep going where they went. */
static void test_nobody_else_speaks_for_a_controller(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0, *cs1;
	struct sockaddr_in configured = addr("127.0.0.2", 30305), to;
	struct sockaddr_in real0 = addr("127.0.0.2", 40000), real1 = addr("127.0.0.3", 40001);
	struct sockaddr_in spoofer = addr("127.0.0.4", 40002);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE];
	struct cs800_status before0, before1;

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, &configured, &cs0, NULL), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS1", 369, NULL, &cs1, NULL), 0);

	/* CS0 from anywhere but its address: rejected, even as the first. */
	packet(pkt, 411, 250.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &spoofer, 1 * SEC), -EPERM);
	assert_int_equal(ev.spoofed, 1);
	assert_ptr_equal(ev.last, cs0);
	assert_false(cs0->has_status);
	assert_false(cs0->connected);
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_SOURCE], 1);
	assert_int_equal(cs0->packets_rejected, 1);
	assert_int_equal(cs0->packets_received, 0);

	packet(pkt, 411, 120.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &real0, 2 * SEC), 0);
	packet(pkt, 369, 150.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &real1, 2 * SEC), 0);
	assert_true(cs1->source_locked);
	before0 = cs0->status;
	before1 = cs1->status;

	/* The spoofer sends both numbers, from another port of a real
	 * address too: the port does not matter, the address does. */
	packet(pkt, 411, 250.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &spoofer, 3 * SEC), -EPERM);
	packet(pkt, 369, 250.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &spoofer, 3 * SEC), -EPERM);
	assert_int_equal(ev.spoofed, 3);
	assert_ptr_equal(ev.last, cs1);
	assert_int_equal(ev.spoofed_from.sin_addr.s_addr, spoofer.sin_addr.s_addr);
	packet(pkt, 369, 150.0);
	real1.sin_port = htons(40999);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &real1, 3 * SEC), 0);

	assert_memory_equal(&cs0->status, &before0, sizeof(before0));
	assert_memory_equal(&cs1->status, &before1, sizeof(before1));
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_SOURCE], 2);
	assert_int_equal(cs1->rejected_by_reason[CS800_REJECT_SOURCE], 1);
	assert_int_equal(cryo_link_counters(link)->rejected_by_reason[CS800_REJECT_SOURCE], 3);
	assert_int_equal(cs0->last_packet_usec, 2 * SEC);
	/* Commands: the configured address, and the first source's. */
	assert_int_equal(cryo_controller_command_address(cs0, &to), 0);
	assert_int_equal(to.sin_addr.s_addr, configured.sin_addr.s_addr);
	assert_int_equal(cryo_controller_command_address(cs1, &to), 0);
	assert_int_equal(to.sin_addr.s_addr, real1.sin_addr.s_addr);
	assert_int_equal(ntohs(to.sin_port), 30305);

	/* A spoofer's undecodable packet is not the controllers' business. */
	packet(pkt, 369, 250.0);
	pkt[925] ^= 1;
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &spoofer, 4 * SEC), -EBADMSG);
	assert_null(ev.rejected_owner);
	assert_int_equal(cs1->packets_rejected, 1);
}

/* Number 0: the first packet picks number and address; the same number
 * from elsewhere later is a spoof, another number a conflict. */
static void test_number_zero_locks_its_source(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *only;
	struct sockaddr_in real = addr("127.0.0.2", 40000), spoofer = addr("127.0.0.4", 40002);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE];

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "Only", 0, NULL, &only, NULL), 0);
	packet(pkt, 411, 120.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &real, 1 * SEC), 0);
	packet(pkt, 411, 250.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &spoofer, 2 * SEC), -EPERM);
	assert_int_equal(ev.spoofed, 1);
	assert_true(only->status.gas_temperature_k == 120.0);
	packet(pkt, 369, 250.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &spoofer, 2 * SEC), -ENOTUNIQ);
	assert_int_equal(only->number, 411);

	/* With an address configured, not even the first packet from
	 * elsewhere picks the number. */
	cryo_link_free(TAKE_PTR(link));
	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	real.sin_port = htons(30305);
	assert_int_equal(cryo_link_add_controller(link, "Only", 0, &real, &only, NULL), 0);
	packet(pkt, 411, 250.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &spoofer, 3 * SEC), -EPERM);
	assert_int_equal(only->number, 0);
	packet(pkt, 369, 120.0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &real, 3 * SEC), 0);
	assert_int_equal(only->number, 369);
}

/* Every packet of a controller failing its checksum for 10 s: said once,
 * again only after a valid packet ended the run. Attributed by address,
 * or by the number a never-seen controller's packets carry. */
static void test_checksum_failing_for_10_s(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0;
	struct sockaddr_in a = addr("10.0.0.44", 30304);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE], bad[CS800_STATUS_EPICS_PACKET_SIZE];

	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	packet(pkt, 411, 120.0);
	memcpy(bad, pkt, sizeof(bad));
	bad[925] ^= 0x5A;

	/* Never a valid packet, no address yet: its number says whose. */
	for (uint64_t t = 0; t < 10; t++) {
		assert_int_equal(cryo_link_receive(link, bad, sizeof(bad), &a, t * SEC), -EBADMSG);
		assert_ptr_equal(ev.rejected_owner, cs0);
	}
	assert_int_equal(ev.checksum_failing, 0);		/* 9 s so far */
	assert_int_equal(cryo_link_receive(link, bad, sizeof(bad), &a, 10 * SEC), -EBADMSG);
	assert_int_equal(ev.checksum_failing, 1);
	assert_ptr_equal(ev.last, cs0);
	assert_true(ev.failing_usec == 10 * SEC);
	for (uint64_t t = 11; t < 40; t++)
		cryo_link_receive(link, bad, sizeof(bad), &a, t * SEC);
	assert_int_equal(ev.checksum_failing, 1);		/* once */
	assert_int_equal(cs0->rejected_by_reason[CS800_REJECT_CHECKSUM], 40);

	/* A valid packet ends the run; a new run of 10 s is said again, a
	 * shorter one with a valid packet inside is not. */
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 40 * SEC), 0);
	for (uint64_t t = 41; t < 50; t++)
		cryo_link_receive(link, bad, sizeof(bad), &a, t * SEC);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 50 * SEC), 0);
	for (uint64_t t = 51; t < 61; t++)
		cryo_link_receive(link, bad, sizeof(bad), &a, t * SEC);
	assert_int_equal(ev.checksum_failing, 1);
	cryo_link_receive(link, bad, sizeof(bad), &a, 61 * SEC);
	assert_int_equal(ev.checksum_failing, 2);

	/* Failures of another reason do not start a run. */
	cryo_link_free(TAKE_PTR(link));
	ev = (struct events){};
	assert_int_equal(cryo_link_new(5 * SEC, &callbacks, &ev, &link), 0);
	assert_int_equal(cryo_link_add_controller(link, "CS0", 411, NULL, &cs0, NULL), 0);
	assert_int_equal(cryo_link_receive(link, pkt, sizeof(pkt), &a, 0), 0);
	for (uint64_t t = 1; t < 30; t++)
		cryo_link_receive(link, pkt, 102, &a, t * SEC);
	assert_int_equal(ev.checksum_failing, 0);
	assert_false(cs0->checksum_failing);
}

static void test_silence_and_recovery(void **state)
{
	_cleanup_(cryo_link_freep) struct cryo_link *link = NULL;
	struct cryo_controller *cs0, *cs1;
	struct sockaddr_in a = addr("10.0.0.44", 30304), b = addr("10.0.0.13", 30304);
	struct events ev = {};
	uint8_t pkt[CS800_STATUS_EPICS_PACKET_SIZE];

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
		cmocka_unit_test(test_any_size_merged_and_stale),
		cmocka_unit_test(test_nobody_else_speaks_for_a_controller),
		cmocka_unit_test(test_number_zero_locks_its_source),
		cmocka_unit_test(test_checksum_failing_for_10_s),
		cmocka_unit_test(test_silence_and_recovery),
	};

	return cmocka_run_group_tests_name("cryo-link", tests, NULL, NULL);
}
