// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The latching rule: which first packet may take a leg, in each
 * --endpoint-learning mode (media/endpoint_learning.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/sockaddr_text.h"
#include "media/endpoint_learning.h"

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;

	if (*text)
		assert_int_equal(sockaddr_parse(text, &ss, &len), 0);
	return ss;
}

struct fixture {
	struct sockaddr_storage sdp, signal;
	struct endpoint_learning_state st;
};

static void setup(struct fixture *f, const char *sdp, const char *signal, bool window_open, bool peer_sends)
{
	f->sdp = addr(sdp);
	f->signal = addr(signal);
	f->st = (struct endpoint_learning_state){ &f->sdp, &f->signal, peer_sends, window_open };
}

static bool accepts(struct fixture *f, enum endpoint_learning mode, const char *from)
{
	struct sockaddr_storage src = addr(from);

	return endpoint_learning_accepts(mode, &f->st, &src);
}

static void test_sdp_address_and_port_always_latch(void **state)
{
	struct fixture f;

	setup(&f, "192.0.2.10:4000", "", true, true);
	assert_true(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "192.0.2.10:4000"));
	assert_true(accepts(&f, ENDPOINT_LEARNING_OFF, "192.0.2.10:4000"));
	assert_true(accepts(&f, ENDPOINT_LEARNING_IMMEDIATE, "192.0.2.10:4000"));
}

static void test_heuristic_takes_nat_but_not_a_stranger(void **state)
{
	struct fixture f;

	/* Behind a NAT: the SDP names a private address, SIP came from the public one. */
	setup(&f, "10.0.0.5:4000", "198.51.100.7:0", true, true);
	assert_true(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "198.51.100.7:61234"));
	assert_true(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "10.0.0.5:4002"));
	/* A scanner elsewhere, inside the window: refused. */
	assert_false(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "203.0.113.66:5000"));
	/* off takes only the SDP's exact address and port. */
	assert_false(accepts(&f, ENDPOINT_LEARNING_OFF, "198.51.100.7:61234"));
	assert_false(accepts(&f, ENDPOINT_LEARNING_OFF, "10.0.0.5:4002"));
	/* immediate is the old rule: anybody first. */
	assert_true(accepts(&f, ENDPOINT_LEARNING_IMMEDIATE, "203.0.113.66:5000"));
}

static void test_heuristic_after_the_window(void **state)
{
	struct fixture f;

	/* Media from an address nothing signalled (a NAT that maps media elsewhere): after the window. */
	setup(&f, "10.0.0.5:4000", "198.51.100.7:0", false, true);
	assert_true(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "203.0.113.66:5000"));
	/* A peer that does not send (recvonly, inactive) is never anybody's. */
	setup(&f, "10.0.0.5:4000", "198.51.100.7:0", false, false);
	assert_false(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "203.0.113.66:5000"));
	assert_true(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "198.51.100.7:5000"));
}

static void test_families_and_unknown_signal(void **state)
{
	struct fixture f;

	setup(&f, "[2001:db8::10]:4000", "", true, true);
	assert_true(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "[2001:db8::10]:4100"));
	assert_false(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "[2001:db8::11]:4000"));
	/* An IPv4 source never matches an IPv6 SDP. */
	assert_false(accepts(&f, ENDPOINT_LEARNING_HEURISTIC, "192.0.2.10:4000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdp_address_and_port_always_latch),
		cmocka_unit_test(test_heuristic_takes_nat_but_not_a_stranger),
		cmocka_unit_test(test_heuristic_after_the_window),
		cmocka_unit_test(test_families_and_unknown_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
