// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Control messages (control_msg.c): requests and replies survive encoding
 * and parsing, every attribute of the wrong size or shape is refused with
 * a message naming it, extended acks carry their message both ways, and
 * a NETLINK_USERSOCK datagram arrives with its sender's port id and
 * credentials.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>

#include "lib/control_msg.h"
#include "bpf/flow_abi.h"

static uint32_t buf[RTPRELAY_CTL_MSG_MAX / sizeof(uint32_t)];

static struct nlmsghdr *request(uint8_t cmd)
{
	memset(buf, 0, sizeof(buf));
	return ctl_msg_put_header(buf, cmd, NLM_F_REQUEST | NLM_F_ACK, 7, 0);
}

static void test_request_roundtrip(void **state)
{
	struct nlmsghdr *nlh = request(RTPRELAY_CMD_CALL);
	struct ctl_msg msg;
	char err[256];

	ctl_msg_put_str(nlh, RTPRELAY_A_URI, "sip:alice@192.0.2.1");
	mnl_attr_put_u32(nlh, RTPRELAY_A_TONE_HZ, 880);
	mnl_attr_put_u64(nlh, RTPRELAY_A_AGE_MS, 1ull << 40);
	mnl_attr_put(nlh, RTPRELAY_A_LATCHED, 0, NULL);
	assert_int_equal(nlh->nlmsg_type, RTPRELAY_CTL_TYPE);
	assert_int_equal(nlh->nlmsg_seq, 7);
	assert_int_equal(nlh->nlmsg_len % 4, 0);
	assert_int_equal(ctl_msg_parse(nlh, &msg, err, sizeof(err)), 0);
	assert_int_equal(msg.cmd, RTPRELAY_CMD_CALL);
	assert_string_equal(mnl_attr_get_str(msg.tb[RTPRELAY_A_URI]), "sip:alice@192.0.2.1");
	assert_int_equal(mnl_attr_get_u32(msg.tb[RTPRELAY_A_TONE_HZ]), 880);
	assert_true(mnl_attr_get_u64(msg.tb[RTPRELAY_A_AGE_MS]) == 1ull << 40);
	assert_non_null(msg.tb[RTPRELAY_A_LATCHED]);
	assert_null(msg.tb[RTPRELAY_A_CALL_ID]);
	assert_int_equal(((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version, RTPRELAY_CTL_VERSION);
}

/* Binary structs travel whole; a long string is cut, still NUL-terminated. */
static void test_structs_and_long_strings(void **state)
{
	struct nlmsghdr *nlh = request(RTPRELAY_CMD_FLOWS);
	struct flow_key key = { .addr.v4 = htonl(0xc0000201), .port = htons(20000), .family = FLOW_AF_INET };
	struct flow_value val = { .dst_port = htons(40010), .counters.packets = 123 };
	char *longest = g_strnfill(3 * RTPRELAY_CTL_STR_MAX, 'x');
	struct ctl_msg msg;
	char err[256];

	mnl_attr_put(nlh, RTPRELAY_A_FLOW_KEY, sizeof(key), &key);
	mnl_attr_put(nlh, RTPRELAY_A_FLOW_VALUE, sizeof(val), &val);
	ctl_msg_put_str(nlh, RTPRELAY_A_URI, longest);
	assert_int_equal(ctl_msg_parse(nlh, &msg, err, sizeof(err)), 0);
	assert_memory_equal(mnl_attr_get_payload(msg.tb[RTPRELAY_A_FLOW_KEY]), &key, sizeof(key));
	assert_memory_equal(mnl_attr_get_payload(msg.tb[RTPRELAY_A_FLOW_VALUE]), &val, sizeof(val));
	assert_int_equal(strlen(mnl_attr_get_str(msg.tb[RTPRELAY_A_URI])), RTPRELAY_CTL_STR_MAX - 1);
	g_free(longest);
}

static void test_every_attribute_has_a_policy(void **state)
{
	for (unsigned int t = 1; t < __RTPRELAY_A_MAX; t++) {
		assert_non_null(ctl_msg_attr_name(t));
		for (unsigned int u = 1; u < t; u++)
			assert_string_not_equal(ctl_msg_attr_name(t), ctl_msg_attr_name(u));
	}
	assert_null(ctl_msg_attr_name(RTPRELAY_A_UNSPEC));
	assert_null(ctl_msg_attr_name(__RTPRELAY_A_MAX));
}

/* One attribute with a raw payload: accepted, or refused naming the attribute. */
static void test_attribute_sizes(void **state)
{
	static const uint8_t bytes[sizeof(struct flow_value) + 8] = { 'a', 'b', 'c' };
	static const struct {
		uint16_t type;
		size_t len;
		int ret;
	} cases[] = {
		{ RTPRELAY_A_CALL_ID, 4, 0 },
		{ RTPRELAY_A_CALL_ID, 2, -EINVAL },
		{ RTPRELAY_A_CALL_ID, 8, -EINVAL },
		{ RTPRELAY_A_CALL_ID, 0, -EINVAL },
		{ RTPRELAY_A_UPTIME_MS, 8, 0 },
		{ RTPRELAY_A_UPTIME_MS, 4, -EINVAL },
		{ RTPRELAY_A_URI, 3, -EINVAL }, /* "abc" without its NUL */
		{ RTPRELAY_A_URI, 0, -EINVAL },
		{ RTPRELAY_A_OUTGOING, 0, 0 },
		{ RTPRELAY_A_OUTGOING, 4, -EINVAL },
		{ RTPRELAY_A_FLOW_KEY, sizeof(struct flow_key), 0 },
		{ RTPRELAY_A_FLOW_KEY, sizeof(struct flow_key) - 1, -EINVAL },
		{ RTPRELAY_A_FLOW_KEY, sizeof(struct flow_key) + 4, -EINVAL },
		{ RTPRELAY_A_FLOW_VALUE, sizeof(struct flow_value), 0 },
		{ RTPRELAY_A_COUNTERS, sizeof(struct global_counters) - 8, -EINVAL },
		{ RTPRELAY_A_INTERFACE, 2, -EINVAL },
		{ __RTPRELAY_A_MAX + 10, 3, 0 }, /* unknown: skipped */
		{ RTPRELAY_A_UNSPEC, 5, 0 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct nlmsghdr *nlh = request(RTPRELAY_CMD_HANGUP);
		struct ctl_msg msg;
		char err[256] = "";
		int ret;

		mnl_attr_put(nlh, cases[i].type, cases[i].len, bytes);
		ret = ctl_msg_parse(nlh, &msg, err, sizeof(err));
		assert_int_equal(ret, cases[i].ret);
		if (ret < 0)
			assert_non_null(strstr(err, ctl_msg_attr_name(cases[i].type)));
		else if (cases[i].type < __RTPRELAY_A_MAX && cases[i].type)
			assert_non_null(msg.tb[cases[i].type]);
		else
			for (unsigned int t = 0; t < __RTPRELAY_A_MAX; t++)
				assert_null(msg.tb[t]);
	}
}

/* An attribute whose length runs past the message, or is shorter than its own header. */
static void test_truncated_attributes(void **state)
{
	static const uint16_t lengths[] = { 40, 2, 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(lengths); i++) {
		struct nlmsghdr *nlh = request(RTPRELAY_CMD_HANGUP);
		struct nlattr *a;
		struct ctl_msg msg;
		char err[256];

		mnl_attr_put_u32(nlh, RTPRELAY_A_CALL_ID, 1);
		a = mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put_u32(nlh, RTPRELAY_A_PEER_ID, 2);
		a->nla_len = lengths[i];
		assert_int_equal(ctl_msg_parse(nlh, &msg, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "truncated attribute at offset 8"));
	}
}

/* Framing: a length of 2^31 or more is not "negative, so it fits" (as mnl_nlmsg_ok thinks). */
static void test_framing(void **state)
{
	struct nlmsghdr *first = request(RTPRELAY_CMD_STATUS), *second;
	size_t len = first->nlmsg_len;

	second = ctl_msg_put_header((char *)buf + len, RTPRELAY_CMD_STATS, NLM_F_REQUEST, 2, 0);
	assert_int_equal(ctl_msg_whole_len(buf, 2 * len), 2 * len);
	assert_int_equal(ctl_msg_whole_len(buf, 2 * len - 1), len);
	assert_int_equal(ctl_msg_whole_len(buf, len + 15), len);
	assert_int_equal(ctl_msg_whole_len(buf, 3), 0);
	second->nlmsg_len = 0xbde5c099;
	assert_int_equal(ctl_msg_whole_len(buf, 2 * len), len);
	second->nlmsg_len = 8;
	assert_int_equal(ctl_msg_whole_len(buf, 2 * len), len);
	first->nlmsg_len = len - 2; /* unaligned, its padding missing from the datagram */
	assert_int_equal(ctl_msg_whole_len(buf, len - 2), len - 2);
}

static void test_header_checks(void **state)
{
	static const struct {
		uint16_t type;
		uint32_t payload; /* bytes after the nlmsghdr */
		uint8_t cmd, version;
		int ret;
		const char *says;
	} cases[] = {
		{ RTPRELAY_CTL_TYPE, GENL_HDRLEN, RTPRELAY_CMD_STATUS, RTPRELAY_CTL_VERSION, 0, "" },
		{ 0x1234, GENL_HDRLEN, RTPRELAY_CMD_STATUS, RTPRELAY_CTL_VERSION, -EOPNOTSUPP, "0x1234" },
		{ RTPRELAY_CTL_TYPE, 2, RTPRELAY_CMD_STATUS, RTPRELAY_CTL_VERSION, -EINVAL, "no command header" },
		{ RTPRELAY_CTL_TYPE, 0, RTPRELAY_CMD_STATUS, RTPRELAY_CTL_VERSION, -EINVAL, "no command header" },
		{ RTPRELAY_CTL_TYPE, GENL_HDRLEN, RTPRELAY_CMD_STATUS, 2, -EPROTONOSUPPORT, "version 2" },
		{ RTPRELAY_CTL_TYPE, GENL_HDRLEN, RTPRELAY_CMD_UNSPEC, RTPRELAY_CTL_VERSION, -EOPNOTSUPP, "command 0" },
		{ RTPRELAY_CTL_TYPE, GENL_HDRLEN, __RTPRELAY_CMD_MAX, RTPRELAY_CTL_VERSION, -EOPNOTSUPP,
		  "unknown command" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct nlmsghdr *nlh = request(cases[i].cmd);
		struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
		struct ctl_msg msg;
		char err[256] = "";

		nlh->nlmsg_type = cases[i].type;
		nlh->nlmsg_len = sizeof(*nlh) + cases[i].payload;
		g->version = cases[i].version;
		assert_int_equal(ctl_msg_parse(nlh, &msg, err, sizeof(err)), cases[i].ret);
		assert_non_null(strstr(err, cases[i].says));
	}
}

static void test_error_roundtrip(void **state)
{
	struct nlmsghdr req = { .nlmsg_len = 40, .nlmsg_type = RTPRELAY_CTL_TYPE, .nlmsg_seq = 99, .nlmsg_pid = 5 };
	const struct nlmsgerr *e;
	struct nlmsghdr *nlh;
	const char *msg;
	int error;

	nlh = ctl_msg_put_error(buf, &req, 1234, -ENOENT, "no call 42");
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	assert_int_equal(nlh->nlmsg_seq, 99);
	assert_int_equal(nlh->nlmsg_pid, 1234);
	e = mnl_nlmsg_get_payload(nlh);
	assert_memory_equal(&e->msg, &req, sizeof(req));
	assert_int_equal(ctl_msg_error_parse(nlh, &error, &msg), 0);
	assert_int_equal(error, -ENOENT);
	assert_string_equal(msg, "no call 42");

	nlh = ctl_msg_put_error(buf, &req, 1234, 0, "ignored for an ACK");
	assert_int_equal(nlh->nlmsg_flags, NLM_F_CAPPED);
	assert_int_equal(nlh->nlmsg_len, sizeof(*nlh) + sizeof(struct nlmsgerr));
	assert_int_equal(ctl_msg_error_parse(nlh, &error, &msg), 0);
	assert_int_equal(error, 0);
	assert_null(msg);
}

/* The kernel's layout without NLM_F_CAPPED: the request's payload echoed before the TLVs. */
static void test_error_with_echoed_request(void **state)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	const char *msg;
	int error;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = sizeof(e->msg) + 12;
	memset(mnl_nlmsg_put_extra_header(nlh, 12), 0xaa, 12); /* would parse as an attribute if skipped wrongly */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad attribute");
	assert_int_equal(ctl_msg_error_parse(nlh, &error, &msg), 0);
	assert_int_equal(error, -EINVAL);
	assert_string_equal(msg, "bad attribute");

	e->msg.nlmsg_len = 4000; /* echo longer than the message */
	assert_int_equal(ctl_msg_error_parse(nlh, &error, &msg), -EBADMSG);
}

static void test_error_malformed(void **state)
{
	struct nlmsghdr req = { 0 };
	struct nlmsghdr *nlh = ctl_msg_put_error(buf, &req, 1, -EPERM, "permission denied");
	const char *msg;
	int error;

	/* The message ends 3 bytes into its last attribute, before the string's NUL (found by fuzz_control). */
	nlh->nlmsg_len -= 3;
	assert_int_equal(ctl_msg_error_parse(nlh, &error, &msg), 0);
	assert_null(msg);
	nlh->nlmsg_len = sizeof(*nlh) + 8; /* shorter than struct nlmsgerr */
	assert_int_equal(ctl_msg_error_parse(nlh, &error, &msg), -EBADMSG);
	nlh = ctl_msg_put_done(buf, &req, 1);
	assert_int_equal(ctl_msg_error_parse(nlh, &error, &msg), -EBADMSG);
}

static void test_done(void **state)
{
	struct nlmsghdr req = { .nlmsg_seq = 3 };
	struct nlmsghdr *nlh = ctl_msg_put_done(buf, &req, 77);

	assert_int_equal(nlh->nlmsg_type, NLMSG_DONE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_MULTI);
	assert_int_equal(nlh->nlmsg_seq, 3);
	assert_int_equal(nlh->nlmsg_pid, 77);
	assert_int_equal(*(int *)mnl_nlmsg_get_payload(nlh), 0);
}

static void test_nested_interface(void **state)
{
	struct nlmsghdr *nlh = request(RTPRELAY_CMD_STATUS);
	const struct nlattr *tb[__RTPRELAY_IFACE_A_MAX];
	struct nlattr *nest = mnl_attr_nest_start(nlh, RTPRELAY_A_INTERFACE);
	struct ctl_msg msg;
	char err[256];

	ctl_msg_put_str(nlh, RTPRELAY_IFACE_A_NAME, "eth0");
	mnl_attr_put_u32(nlh, RTPRELAY_IFACE_A_INDEX, 2);
	ctl_msg_put_str(nlh, RTPRELAY_IFACE_A_XDP_MODE, "native");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(ctl_msg_parse(nlh, &msg, err, sizeof(err)), 0);
	assert_int_equal(ctl_msg_iface_parse(msg.tb[RTPRELAY_A_INTERFACE], tb, err, sizeof(err)), 0);
	assert_string_equal(mnl_attr_get_str(tb[RTPRELAY_IFACE_A_NAME]), "eth0");
	assert_int_equal(mnl_attr_get_u32(tb[RTPRELAY_IFACE_A_INDEX]), 2);
	assert_string_equal(mnl_attr_get_str(tb[RTPRELAY_IFACE_A_XDP_MODE]), "native");
	assert_null(tb[RTPRELAY_IFACE_A_XDP_PROG_ID]);

	nlh = request(RTPRELAY_CMD_STATUS);
	nest = mnl_attr_nest_start(nlh, RTPRELAY_A_INTERFACE);
	mnl_attr_put_u16(nlh, RTPRELAY_IFACE_A_INDEX, 2);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(ctl_msg_parse(nlh, &msg, err, sizeof(err)), 0);
	assert_int_equal(ctl_msg_iface_parse(msg.tb[RTPRELAY_A_INTERFACE], tb, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ifindex"));
}

/* Two sockets of this process: port ids, credentials, truncation, nobody bound. */
static void test_socket_credentials(void **state)
{
	struct mnl_socket *a = ctl_msg_socket_open(0), *b = ctl_msg_socket_open(0);
	struct nlmsghdr *nlh = request(RTPRELAY_CMD_STATUS);
	uint8_t small[8];
	struct ctl_msg_datagram dg;

	assert_non_null(a);
	assert_non_null(b);
	assert_true(ctl_msg_send(a, mnl_socket_get_portid(b), nlh, nlh->nlmsg_len, 0) == (ssize_t)nlh->nlmsg_len);
	assert_int_equal(ctl_msg_recv(b, buf, sizeof(buf), &dg), 0);
	assert_int_equal(dg.len, nlh->nlmsg_len);
	assert_false(dg.truncated);
	assert_int_equal(dg.portid, mnl_socket_get_portid(a));
	assert_true(dg.has_cred);
	assert_int_equal(dg.cred.uid, getuid());
	assert_int_equal(dg.cred.gid, getgid());
	assert_int_equal(dg.cred.pid, getpid());

	assert_true(ctl_msg_send(a, mnl_socket_get_portid(b), nlh, nlh->nlmsg_len, 0) > (ssize_t)sizeof(small));
	assert_int_equal(ctl_msg_recv(b, small, sizeof(small), &dg), 0);
	assert_true(dg.truncated);
	assert_int_equal(dg.len, sizeof(small));

	/* Nobody binds it: automatic port ids are process ids or below -4096 (as u32). */
	assert_true(ctl_msg_send(a, 0xfffffff0u, nlh, nlh->nlmsg_len, 0) < 0);
	assert_int_equal(errno, ECONNREFUSED);

	/* A fixed port id is taken once. */
	mnl_socket_close(b);
	b = ctl_msg_socket_open(0xfffffff1u);
	assert_non_null(b);
	assert_null(ctl_msg_socket_open(0xfffffff1u));
	assert_int_equal(errno, EADDRINUSE);
	mnl_socket_close(a);
	mnl_socket_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_roundtrip),
		cmocka_unit_test(test_structs_and_long_strings),
		cmocka_unit_test(test_every_attribute_has_a_policy),
		cmocka_unit_test(test_attribute_sizes),
		cmocka_unit_test(test_truncated_attributes),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_error_roundtrip),
		cmocka_unit_test(test_error_with_echoed_request),
		cmocka_unit_test(test_error_malformed),
		cmocka_unit_test(test_done),
		cmocka_unit_test(test_nested_interface),
		cmocka_unit_test(test_socket_credentials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
