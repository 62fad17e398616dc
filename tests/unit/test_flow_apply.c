// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * flow_apply and the userspace backend against real UDP sockets on the
 * loopback: peer A sends (its address is the packets' source), the relay's
 * egress socket sends, peer B receives what was forwarded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "datapath/datapath.h"
#include "datapath/flow_apply.h"

#define MAX_PKTS 32

struct fixture {
	int family;
	int a, egress, b; /* peer A, the relay's egress socket, peer B */
	struct flow_key a_addr, egress_addr, b_addr;
	struct flow_value v;
	struct global_counters totals;
	struct datapath_packet pkts[MAX_PKTS];
	uint8_t bufs[MAX_PKTS][64];
	enum datapath_verdict verdicts[MAX_PKTS];
};

static int bound_socket(int family, struct flow_key *addr)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	ss.ss_family = family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
		len = sizeof(struct sockaddr_in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	flow_key_from_sockaddr(addr, (struct sockaddr *)&ss);
	return fd;
}

static int setup_family(void **state, int family)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->family = family;
	f->a = bound_socket(family, &f->a_addr);
	f->egress = bound_socket(family, &f->egress_addr);
	f->b = bound_socket(family, &f->b_addr);
	if (f->a < 0 || f->egress < 0 || f->b < 0) {
		if (f->a >= 0)
			close(f->a);
		if (f->egress >= 0)
			close(f->egress);
		if (f->b >= 0)
			close(f->b);
		free(f);
		return -1;
	}
	f->v.src_addr = f->egress_addr.addr;
	f->v.src_port = f->egress_addr.port;
	f->v.dst_addr = f->b_addr.addr;
	f->v.dst_port = f->b_addr.port;
	f->v.expect_addr = f->a_addr.addr;
	f->v.expect_port = f->a_addr.port;
	f->v.flags = FLOW_F_LATCHED;
	*state = f;
	return 0;
}

static int setup4(void **state)
{
	return setup_family(state, AF_INET);
}

static int setup6(void **state)
{
	/* No IPv6 loopback (e.g. disabled in the container): the test skips. */
	if (setup_family(state, AF_INET6) < 0)
		*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	close(f->a);
	close(f->egress);
	close(f->b);
	free(f);
	return 0;
}

/* Packet i of the batch: from `from`, payload "pkt-<i>" padded to 20 + i bytes. */
static void make_packets(struct fixture *f, int n, const struct flow_key *from)
{
	socklen_t len;

	for (int i = 0; i < n; i++) {
		memset(f->bufs[i], 'x', sizeof(f->bufs[i]));
		snprintf((char *)f->bufs[i], sizeof(f->bufs[i]), "pkt-%02d", i);
		f->pkts[i].data = f->bufs[i];
		f->pkts[i].len = 20 + i;
		flow_key_to_sockaddr(from, &f->pkts[i].from, &len);
	}
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The next datagram on B (1 s at most), byte-exact, from the relay's egress address. */
static void expect_datagram(struct fixture *f, const uint8_t *data, size_t len)
{
	struct pollfd pfd = { .fd = f->b, .events = POLLIN };
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	struct flow_key src;
	uint8_t buf[2048];
	ssize_t n;

	assert_int_equal(poll(&pfd, 1, 1000), 1);
	n = recvfrom(f->b, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
	assert_int_equal(n, len);
	assert_memory_equal(buf, data, len);
	flow_key_from_sockaddr(&src, (struct sockaddr *)&from);
	assert_true(flow_key_equal(&src, &f->egress_addr));
}

static void expect_nothing(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, 50), 0);
}

static void test_latched_forwards(void **state)
{
	struct fixture *f = *state;
	__u64 before, after, bytes = 0;

	if (!f)
		skip();
	make_packets(f, 3, &f->a_addr);
	before = now_ns();
	flow_apply(&f->v, f->egress, f->pkts, 3, f->verdicts, &f->totals);
	after = now_ns();
	for (int i = 0; i < 3; i++) {
		assert_int_equal(f->verdicts[i], DATAPATH_FORWARDED);
		expect_datagram(f, f->bufs[i], f->pkts[i].len);
		bytes += f->pkts[i].len;
	}
	assert_int_equal(f->v.counters.packets, 3);
	assert_int_equal(f->v.counters.bytes, bytes);
	assert_in_range(f->v.counters.sampled_seen_ns, before, after);
	assert_int_equal(f->v.counters.wrong_source, 0);
	assert_int_equal(f->totals.forwarded, 3);
	assert_int_equal(f->totals.passed, 0);
	assert_int_equal(f->totals.errors, 0);
}

static void test_counters_accumulate(void **state)
{
	struct fixture *f = *state;
	__u64 first;

	make_packets(f, 2, &f->a_addr);
	flow_apply(&f->v, f->egress, f->pkts, 1, f->verdicts, &f->totals);
	first = f->v.counters.sampled_seen_ns;
	flow_apply(&f->v, f->egress, f->pkts + 1, 1, f->verdicts, &f->totals);
	assert_int_equal(f->v.counters.packets, 2);
	assert_int_equal(f->v.counters.bytes, 20 + 21);
	assert_true(f->v.counters.sampled_seen_ns >= first);
	assert_int_equal(f->totals.forwarded, 2);
}

static void test_unlatched_passes(void **state)
{
	struct fixture *f = *state;

	f->v.flags = 0;
	make_packets(f, 4, &f->a_addr);
	flow_apply(&f->v, f->egress, f->pkts, 4, f->verdicts, &f->totals);
	for (int i = 0; i < 4; i++)
		assert_int_equal(f->verdicts[i], DATAPATH_PASS);
	assert_int_equal(f->totals.pass_not_latched, 4);
	assert_int_equal(f->totals.passed, 4);
	assert_int_equal(f->totals.forwarded, 0);
	assert_int_equal(f->v.counters.packets, 0);
	assert_int_equal(f->v.counters.sampled_seen_ns, 0);
	expect_nothing(f->b);
}

/* One batch, sources interleaved: only A's packets leave, in order. */
static void test_wrong_source_drops(void **state)
{
	struct fixture *f = *state;
	struct flow_key other = f->a_addr;

	other.port = htons(ntohs(other.port) ^ 1);
	make_packets(f, 4, &f->a_addr);
	for (int i = 1; i < 4; i += 2)
		flow_key_to_sockaddr(&other, &f->pkts[i].from, &(socklen_t){ 0 });
	flow_apply(&f->v, f->egress, f->pkts, 4, f->verdicts, &f->totals);
	assert_int_equal(f->verdicts[0], DATAPATH_FORWARDED);
	assert_int_equal(f->verdicts[1], DATAPATH_DROPPED);
	assert_int_equal(f->verdicts[2], DATAPATH_FORWARDED);
	assert_int_equal(f->verdicts[3], DATAPATH_DROPPED);
	expect_datagram(f, f->bufs[0], f->pkts[0].len);
	expect_datagram(f, f->bufs[2], f->pkts[2].len);
	expect_nothing(f->b);
	assert_int_equal(f->v.counters.wrong_source, 2);
	assert_int_equal(f->v.counters.packets, 2);
	assert_int_equal(f->totals.dropped_wrong_source, 2);
	assert_int_equal(f->totals.forwarded, 2);
}

/* Same port, another address: still the wrong source. */
static void test_wrong_address_drops(void **state)
{
	struct fixture *f = *state;
	struct flow_key other = f->a_addr;

	other.addr.v4 = htonl(INADDR_LOOPBACK + 1);
	make_packets(f, 1, &other);
	flow_apply(&f->v, f->egress, f->pkts, 1, f->verdicts, &f->totals);
	assert_int_equal(f->verdicts[0], DATAPATH_DROPPED);
	assert_int_equal(f->v.counters.wrong_source, 1);
	expect_nothing(f->b);
}

/* As in the XDP program, the source check comes before the hold check. */
static void test_hold_drops(void **state)
{
	struct fixture *f = *state;
	struct flow_key other = f->a_addr;

	other.port = htons(ntohs(other.port) ^ 1);
	f->v.flags = FLOW_F_LATCHED | FLOW_F_HOLD;
	make_packets(f, 3, &f->a_addr);
	flow_key_to_sockaddr(&other, &f->pkts[2].from, &(socklen_t){ 0 });
	flow_apply(&f->v, f->egress, f->pkts, 3, f->verdicts, &f->totals);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->verdicts[i], DATAPATH_DROPPED);
	assert_int_equal(f->totals.dropped_hold, 2);
	assert_int_equal(f->totals.dropped_wrong_source, 1);
	assert_int_equal(f->v.counters.wrong_source, 1);
	assert_int_equal(f->v.counters.packets, 0);
	expect_nothing(f->b);
}

static void test_no_egress_passes(void **state)
{
	struct fixture *f = *state;

	make_packets(f, 2, &f->a_addr);
	flow_apply(&f->v, -1, f->pkts, 2, f->verdicts, &f->totals);
	assert_int_equal(f->verdicts[0], DATAPATH_PASS);
	assert_int_equal(f->verdicts[1], DATAPATH_PASS);
	assert_int_equal(f->totals.pass_no_nexthop, 2);
	assert_int_equal(f->totals.passed, 2);
	assert_int_equal(f->v.counters.packets, 0);
}

static void test_batch_of_32(void **state)
{
	struct fixture *f = *state;
	__u64 bytes = 0;

	if (!f)
		skip();
	make_packets(f, MAX_PKTS, &f->a_addr);
	flow_apply(&f->v, f->egress, f->pkts, MAX_PKTS, f->verdicts, &f->totals);
	for (int i = 0; i < MAX_PKTS; i++) {
		assert_int_equal(f->verdicts[i], DATAPATH_FORWARDED);
		expect_datagram(f, f->bufs[i], f->pkts[i].len);
		bytes += f->pkts[i].len;
	}
	assert_int_equal(f->v.counters.packets, MAX_PKTS);
	assert_int_equal(f->v.counters.bytes, bytes);
	assert_int_equal(f->totals.forwarded, MAX_PKTS);
}

/* The kernel refuses the send (not a socket): errors, dropped, nothing counted as forwarded. */
static void test_send_failure_counts_errors(void **state)
{
	struct fixture *f = *state;
	int pipefd[2];

	assert_int_equal(pipe(pipefd), 0);
	make_packets(f, 3, &f->a_addr);
	flow_apply(&f->v, pipefd[1], f->pkts, 3, f->verdicts, &f->totals);
	close(pipefd[0]);
	close(pipefd[1]);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->verdicts[i], DATAPATH_DROPPED);
	assert_int_equal(f->totals.errors, 3);
	assert_int_equal(f->totals.forwarded, 0);
	assert_int_equal(f->v.counters.packets, 0);
	assert_int_equal(f->v.counters.sampled_seen_ns, 0);
}

/* The userspace backend through the datapath API. */

struct backend {
	struct fixture *f;
	struct datapath *dp;
	struct flow_key local; /* the relay's socket that A sends to */
	int local_fd;
};

static int backend_setup(void **state)
{
	static const char *const no_interfaces[] = { NULL };
	struct datapath_config cfg = { .kind = DATAPATH_USERSPACE, .interfaces = no_interfaces };
	struct backend *be = calloc(1, sizeof(*be));
	char err[200] = "";
	void *fs;

	if (setup4(&fs) < 0)
		return -1;
	be->f = fs;
	be->local_fd = bound_socket(AF_INET, &be->local);
	be->dp = datapath_open(&cfg, err, sizeof(err));
	if (!be->dp || be->local_fd < 0)
		return -1;
	*state = be;
	return 0;
}

static int backend_teardown(void **state)
{
	struct backend *be = *state;
	void *fs = be->f;

	datapath_close(be->dp, true);
	close(be->local_fd);
	teardown(&fs);
	free(be);
	return 0;
}

static void test_backend_open(void **state)
{
	struct backend *be = *state;
	struct global_counters c;

	char kernel_path[512];

	assert_string_equal(be->dp->ops->name, "userspace");
	assert_non_null(strstr(be->dp->why, "userspace"));
	assert_int_equal(be->dp->ops->counters(be->dp, &c), 0);
	assert_int_equal(c.forwarded + c.passed + c.errors, 0);
	/* Nothing bridged crosses the kernel path here, and the state says so. */
	be->dp->ops->kernel_path(be->dp, kernel_path, sizeof(kernel_path));
	assert_true(g_str_has_prefix(kernel_path, "degraded: userspace datapath"));
	assert_int_equal(datapath_userspace_forwarded(be->dp), 0);
}

struct collected {
	int n;
	struct flow_key keys[4];
	struct flow_value vals[4];
};

static int collect(const struct flow_key *key, const struct flow_value *val, void *user)
{
	struct collected *c = user;

	c->keys[c->n] = *key;
	c->vals[c->n] = *val;
	c->n++;
	return 0;
}

static int stop_after_one(const struct flow_key *key, const struct flow_value *val, void *user)
{
	(*(int *)user)++;
	return 7;
}

static void test_backend_flow_table(void **state)
{
	struct backend *be = *state;
	const struct datapath_ops *ops = be->dp->ops;
	struct flow_key k2 = be->local;
	struct flow_value got, v2 = be->f->v;
	struct collected c = { 0 };
	int calls = 0;

	assert_int_equal(ops->flow_get(be->dp, &be->local, &got), -ENOENT);
	assert_int_equal(ops->flow_delete(be->dp, &be->local), -ENOENT);
	assert_int_equal(ops->flow_set(be->dp, &be->local, &be->f->v), 0);
	assert_int_equal(ops->flow_get(be->dp, &be->local, &got), 0);
	assert_memory_equal(&got, &be->f->v, sizeof(got));

	k2.port = htons(ntohs(k2.port) ^ 1);
	v2.flags = 0;
	assert_int_equal(ops->flow_set(be->dp, &k2, &v2), 0);
	assert_int_equal(ops->flow_foreach(be->dp, collect, &c), 0);
	assert_int_equal(c.n, 2);
	for (int i = 0; i < 2; i++) {
		const struct flow_value *want = flow_key_equal(&c.keys[i], &k2) ? &v2 : &be->f->v;

		assert_true(flow_key_equal(&c.keys[i], &k2) || flow_key_equal(&c.keys[i], &be->local));
		assert_memory_equal(&c.vals[i], want, sizeof(*want));
	}
	assert_int_equal(ops->flow_foreach(be->dp, stop_after_one, &calls), 7);
	assert_int_equal(calls, 1);

	assert_int_equal(ops->flow_delete(be->dp, &k2), 0);
	assert_int_equal(ops->flow_get(be->dp, &k2, &got), -ENOENT);
	assert_int_equal(ops->flow_get(be->dp, &be->local, &got), 0);
}

static void test_backend_input_no_flow(void **state)
{
	struct backend *be = *state;
	struct fixture *f = be->f;
	struct global_counters c;

	make_packets(f, 3, &f->a_addr);
	datapath_input(be->dp, &be->local, f->pkts, 3, f->verdicts);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->verdicts[i], DATAPATH_PASS);
	assert_int_equal(be->dp->ops->counters(be->dp, &c), 0);
	assert_int_equal(c.pass_no_flow, 3);
	assert_int_equal(c.passed, 3);
	expect_nothing(f->b);
}

/* No socket registered for the flow's source: nothing to send from, so it passes. */
static void test_backend_input_no_socket(void **state)
{
	struct backend *be = *state;
	struct fixture *f = be->f;
	struct global_counters c;

	assert_int_equal(be->dp->ops->flow_set(be->dp, &be->local, &f->v), 0);
	make_packets(f, 1, &f->a_addr);
	datapath_input(be->dp, &be->local, f->pkts, 1, f->verdicts);
	assert_int_equal(f->verdicts[0], DATAPATH_PASS);
	be->dp->ops->counters(be->dp, &c);
	assert_int_equal(c.pass_no_nexthop, 1);
}

static void test_backend_input_forwards_and_keeps_counters(void **state)
{
	struct backend *be = *state;
	struct fixture *f = be->f;
	const struct datapath_ops *ops = be->dp->ops;
	struct flow_value got, replaced = f->v;
	struct global_counters c;

	datapath_socket_register(be->dp, &f->egress_addr, f->egress);
	assert_int_equal(ops->flow_set(be->dp, &be->local, &f->v), 0);
	make_packets(f, 5, &f->a_addr);
	datapath_input(be->dp, &be->local, f->pkts, 5, f->verdicts);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(f->verdicts[i], DATAPATH_FORWARDED);
		expect_datagram(f, f->bufs[i], f->pkts[i].len);
	}
	assert_int_equal(ops->flow_get(be->dp, &be->local, &got), 0);
	assert_int_equal(got.counters.packets, 5);
	assert_int_equal(got.counters.bytes, 20 + 21 + 22 + 23 + 24);
	assert_true(got.counters.sampled_seen_ns > 0);

	/* A re-INVITE puts the leg on hold: the new value, the old counters. */
	replaced.flags |= FLOW_F_HOLD;
	memset(&replaced.counters, 0, sizeof(replaced.counters));
	assert_int_equal(ops->flow_set(be->dp, &be->local, &replaced), 0);
	assert_int_equal(ops->flow_get(be->dp, &be->local, &got), 0);
	assert_int_equal(got.flags, FLOW_F_LATCHED | FLOW_F_HOLD);
	assert_int_equal(got.counters.packets, 5);
	datapath_input(be->dp, &be->local, f->pkts, 2, f->verdicts);
	assert_int_equal(f->verdicts[0], DATAPATH_DROPPED);
	expect_nothing(f->b);

	assert_int_equal(ops->counters(be->dp, &c), 0);
	assert_int_equal(c.forwarded, 5);
	assert_int_equal(c.dropped_hold, 2);
	datapath_socket_unregister(be->dp, &f->egress_addr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_latched_forwards, setup4, teardown),
		{ "test_latched_forwards_ipv6", test_latched_forwards, setup6, teardown, NULL },
		cmocka_unit_test_setup_teardown(test_counters_accumulate, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_unlatched_passes, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_source_drops, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_address_drops, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_hold_drops, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_no_egress_passes, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_batch_of_32, setup4, teardown),
		{ "test_batch_of_32_ipv6", test_batch_of_32, setup6, teardown, NULL },
		cmocka_unit_test_setup_teardown(test_send_failure_counts_errors, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_backend_open, backend_setup, backend_teardown),
		cmocka_unit_test_setup_teardown(test_backend_flow_table, backend_setup, backend_teardown),
		cmocka_unit_test_setup_teardown(test_backend_input_no_flow, backend_setup, backend_teardown),
		cmocka_unit_test_setup_teardown(test_backend_input_no_socket, backend_setup, backend_teardown),
		cmocka_unit_test_setup_teardown(test_backend_input_forwards_and_keeps_counters, backend_setup,
						backend_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
