// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The next-hop resolver's rtnetlink messages (userspace/datapath/rtnl.c):
 * requests carry what the kernel expects, replies and notifications built
 * with libmnl parse back, every malformed one (short attribute, overrun,
 * truncated header, bad framing) is refused, and real route and link
 * lookups of the loopback interface parse.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/rtnl.h"

static uint32_t buf[4096];

static struct flow_addr v4(const char *s)
{
	struct flow_addr a = { 0 };

	inet_pton(AF_INET, s, &a.v4);
	return a;
}

static struct flow_addr v6(const char *s)
{
	struct flow_addr a = { 0 };

	inet_pton(AF_INET6, s, a.v6);
	return a;
}

/* The attribute of `type` after a fixed header of hdrlen bytes; NULL if absent. */
static const struct nlattr *find_attr(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, hdrlen)
	{
		if (mnl_attr_get_type(attr) == type)
			return attr;
	}
	return NULL;
}

static void test_route_get_request(void **state)
{
	struct flow_addr dst = v4("192.0.2.7"), src = v4("198.51.100.1");
	struct nlmsghdr *nlh = rtnl_route_get(buf, 9, FLOW_AF_INET, &dst, &src);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	assert_int_equal(nlh->nlmsg_type, RTM_GETROUTE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST);
	assert_int_equal(nlh->nlmsg_seq, 9);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 32);
	assert_int_equal(rtm->rtm_src_len, 32);
	a = find_attr(nlh, sizeof(*rtm), RTA_DST);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 4);
	assert_memory_equal(mnl_attr_get_payload(a), &dst.v4, 4);
	a = find_attr(nlh, sizeof(*rtm), RTA_SRC);
	assert_non_null(a);
	assert_memory_equal(mnl_attr_get_payload(a), &src.v4, 4);
	assert_true(nlh->nlmsg_len <= RTNL_REQUEST_MAX);
}

static void test_route_get_request_v6_no_src(void **state)
{
	struct flow_addr dst = v6("2001:db8::7");
	struct nlmsghdr *nlh = rtnl_route_get(buf, 1, FLOW_AF_INET6, &dst, NULL);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a = find_attr(nlh, sizeof(*rtm), RTA_DST);

	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_dst_len, 128);
	assert_int_equal(rtm->rtm_src_len, 0);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 16);
	assert_memory_equal(mnl_attr_get_payload(a), dst.v6, 16);
	assert_null(find_attr(nlh, sizeof(*rtm), RTA_SRC));
}

static void test_neigh_requests(void **state)
{
	struct flow_addr addr = v4("192.0.2.9");
	struct nlmsghdr *nlh = rtnl_neigh_get(buf, 3, FLOW_AF_INET, 5, &addr);
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a = find_attr(nlh, sizeof(*ndm), NDA_DST);

	assert_int_equal(nlh->nlmsg_type, RTM_GETNEIGH);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST);
	/* The kernel refuses a get with any state, flag or type set. */
	assert_int_equal(ndm->ndm_family, AF_INET);
	assert_int_equal(ndm->ndm_ifindex, 5);
	assert_int_equal(ndm->ndm_state, 0);
	assert_int_equal(ndm->ndm_flags, 0);
	assert_non_null(a);
	assert_memory_equal(mnl_attr_get_payload(a), &addr.v4, 4);

	nlh = rtnl_neigh_use(buf, 4, FLOW_AF_INET, 5, &addr);
	ndm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWNEIGH);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
	assert_int_equal(ndm->ndm_flags, NTF_USE);
	assert_int_equal(ndm->ndm_state, NUD_NONE);
	assert_int_equal(ndm->ndm_ifindex, 5);
	assert_non_null(find_attr(nlh, sizeof(*ndm), NDA_DST));
	assert_null(find_attr(nlh, sizeof(*ndm), NDA_LLADDR));
}

static void test_link_request(void **state)
{
	struct nlmsghdr *nlh = rtnl_link_get(buf, 2, 42);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(ifi->ifi_index, 42);
}

/* A message of `type` with a zeroed fixed header of hdrlen bytes, for the parsers. */
static struct nlmsghdr *reply(uint16_t type, size_t hdrlen)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

static struct nlmsghdr *route_reply(int family, const void *gw, size_t gw_len)
{
	struct nlmsghdr *nlh = reply(RTM_NEWROUTE, sizeof(struct rtmsg));
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *nest;

	rtm->rtm_family = family;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put(nlh, RTA_GATEWAY, gw_len, gw);
	nest = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u32(nlh, RTAX_MTU, 1400);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void test_route_parse(void **state)
{
	struct flow_addr gw = v4("10.0.0.1"), gw6 = v6("fe80::1");
	struct rtnl_route r;

	assert_int_equal(rtnl_route_parse(route_reply(AF_INET, &gw.v4, 4), &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.oif, 7);
	assert_true(r.has_gateway);
	assert_memory_equal(&r.gateway, &gw, sizeof(gw));
	assert_int_equal(r.mtu, 1400);

	assert_int_equal(rtnl_route_parse(route_reply(AF_INET6, gw6.v6, 16), &r), 0);
	assert_int_equal(r.family, AF_INET6);
	assert_memory_equal(&r.gateway, &gw6, sizeof(gw6));
}

static void test_route_parse_link_route(void **state)
{
	struct nlmsghdr *nlh = reply(RTM_NEWROUTE, sizeof(struct rtmsg));
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct rtnl_route r;

	rtm->rtm_family = AF_INET;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_int_equal(rtnl_route_parse(nlh, &r), 0);
	assert_false(r.has_gateway);
	assert_int_equal(r.mtu, 0);
	assert_int_equal(r.oif, 3);
}

static void test_route_parse_refuses_malformed(void **state)
{
	struct flow_addr gw = v4("10.0.0.1");
	struct nlmsghdr *nlh;
	struct nlattr *first, *last;
	struct rtnl_route r;

	/* A 4-byte gateway in an IPv6 route. */
	assert_int_equal(rtnl_route_parse(route_reply(AF_INET6, &gw.v4, 4), &r), -EINVAL);
	/* An RTA_OIF of 2 bytes. */
	nlh = reply(RTM_NEWROUTE, sizeof(struct rtmsg));
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family = AF_INET;
	mnl_attr_put_u16(nlh, RTA_OIF, 7);
	assert_int_equal(rtnl_route_parse(nlh, &r), -EINVAL);
	/* An attribute whose length runs past the message, and a metric past its nest. */
	nlh = route_reply(AF_INET, &gw.v4, 4);
	first = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct rtmsg));
	first->nla_len = 200;
	assert_int_equal(rtnl_route_parse(nlh, &r), -EINVAL);
	nlh = route_reply(AF_INET, &gw.v4, 4);
	last = (struct nlattr *)((char *)nlh + nlh->nlmsg_len - MNL_ALIGN(sizeof(struct nlattr) + 4));
	last->nla_len = 200;
	assert_int_equal(rtnl_route_parse(nlh, &r), -EINVAL);
	/* A message too short for its struct rtmsg. */
	nlh = route_reply(AF_INET, &gw.v4, 4);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
	assert_int_equal(rtnl_route_parse(nlh, &r), -EINVAL);
	/* An unknown family; another message type. */
	assert_int_equal(rtnl_route_parse(route_reply(AF_UNIX, &gw.v4, 4), &r), -EINVAL);
	nlh = route_reply(AF_INET, &gw.v4, 4);
	nlh->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(rtnl_route_parse(nlh, &r), -ENOENT);
}

static struct nlmsghdr *neigh_reply(int family, uint16_t state, const void *dst, size_t dst_len, size_t lladdr_len)
{
	static const uint8_t lladdr[8] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	struct nlmsghdr *nlh = reply(RTM_NEWNEIGH, sizeof(struct ndmsg));
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	ndm->ndm_family = family;
	ndm->ndm_ifindex = 4;
	ndm->ndm_state = state;
	if (dst)
		mnl_attr_put(nlh, NDA_DST, dst_len, dst);
	if (lladdr_len)
		mnl_attr_put(nlh, NDA_LLADDR, lladdr_len, lladdr);
	return nlh;
}

static void test_neigh_parse(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct flow_addr a = v4("10.0.0.9"), a6 = v6("2001:db8::9");
	struct rtnl_neigh n;

	assert_int_equal(rtnl_neigh_parse(neigh_reply(AF_INET, NUD_REACHABLE, &a.v4, 4, 6), &n), 0);
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.ifindex, 4);
	assert_int_equal(n.state, NUD_REACHABLE);
	assert_memory_equal(&n.addr, &a, sizeof(a));
	assert_true(n.has_lladdr);
	assert_memory_equal(n.lladdr, mac, 6);

	/* A failed entry has no link-layer address. */
	assert_int_equal(rtnl_neigh_parse(neigh_reply(AF_INET6, NUD_FAILED, a6.v6, 16, 0), &n), 0);
	assert_int_equal(n.state, NUD_FAILED);
	assert_false(n.has_lladdr);
	assert_memory_equal(&n.addr, &a6, sizeof(a6));

	/* Not Ethernet (an 8-byte address): no usable MAC. */
	assert_int_equal(rtnl_neigh_parse(neigh_reply(AF_INET, NUD_REACHABLE, &a.v4, 4, 8), &n), 0);
	assert_false(n.has_lladdr);
}

static void test_neigh_parse_refuses_malformed(void **state)
{
	struct flow_addr a = v4("10.0.0.9");
	struct rtnl_neigh n;

	assert_int_equal(rtnl_neigh_parse(neigh_reply(AF_INET, NUD_REACHABLE, NULL, 0, 6), &n), -EINVAL);
	assert_int_equal(rtnl_neigh_parse(neigh_reply(AF_INET6, NUD_REACHABLE, &a.v4, 4, 6), &n), -EINVAL);
	/* Bridge FDB entries share the message type: not ours. */
	assert_int_equal(rtnl_neigh_parse(neigh_reply(AF_BRIDGE, NUD_REACHABLE, &a.v4, 4, 6), &n), -ENOENT);
}

static void test_link_parse(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct nlmsghdr *nlh = reply(RTM_NEWLINK, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct rtnl_link l;

	ifi->ifi_index = 12;
	ifi->ifi_type = ARPHRD_ETHER;
	mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth7");
	assert_int_equal(rtnl_link_parse(nlh, &l), 0);
	assert_int_equal(l.ifindex, 12);
	assert_int_equal(l.type, ARPHRD_ETHER);
	assert_int_equal(l.mtu, 9000);
	assert_true(l.has_addr);
	assert_memory_equal(l.addr, mac, 6);
	assert_string_equal(l.name, "eth7");

	/* A name without its NUL. */
	nlh = reply(RTM_NEWLINK, sizeof(struct ifinfomsg));
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth7");
	assert_int_equal(rtnl_link_parse(nlh, &l), -EINVAL);
}

static void test_next_checks_framing(void **state)
{
	char dgram[256];
	struct nlmsghdr *a, *b;
	size_t off = 0, len;

	memset(dgram, 0, sizeof(dgram));
	a = mnl_nlmsg_put_header(dgram);
	a->nlmsg_type = RTM_NEWNEIGH;
	mnl_nlmsg_put_extra_header(a, sizeof(struct ndmsg));
	b = mnl_nlmsg_put_header(dgram + a->nlmsg_len);
	b->nlmsg_type = RTM_DELNEIGH;
	mnl_nlmsg_put_extra_header(b, sizeof(struct ndmsg));
	len = a->nlmsg_len + b->nlmsg_len;

	assert_ptr_equal(rtnl_next(dgram, len, &off), a);
	assert_ptr_equal(rtnl_next(dgram, len, &off), b);
	assert_null(rtnl_next(dgram, len, &off));

	/* A length past the datagram ends it, and so does one below a header. */
	off = 0;
	b->nlmsg_len = 200;
	assert_ptr_equal(rtnl_next(dgram, len, &off), a);
	assert_null(rtnl_next(dgram, len, &off));
	assert_int_equal(off, len);
	off = 0;
	a->nlmsg_len = 8;
	assert_null(rtnl_next(dgram, len, &off));
	/* A tail shorter than a header. */
	off = 0;
	assert_null(rtnl_next(dgram, 10, &off));
	/* A huge length does not wrap around. */
	off = 0;
	a->nlmsg_len = UINT32_MAX;
	assert_null(rtnl_next(dgram, len, &off));
}

static void test_error(void **state)
{
	struct nlmsghdr *nlh = reply(NLMSG_ERROR, sizeof(struct nlmsgerr));
	struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	assert_int_equal(rtnl_error(nlh), 0);
	e->error = -ENOENT;
	assert_int_equal(rtnl_error(nlh), -ENOENT);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	assert_int_equal(rtnl_error(nlh), -EINVAL);
}

/* One request to the kernel, its one answer (into buf). */
static const struct nlmsghdr *ask_kernel(struct nlmsghdr *req)
{
	static char answer[65536];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	const struct nlmsghdr *nlh;
	size_t off = 0;
	ssize_t n;

	assert_non_null(nl);
	assert_int_equal(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
	assert_true(mnl_socket_sendto(nl, req, req->nlmsg_len) > 0);
	n = mnl_socket_recvfrom(nl, answer, sizeof(answer));
	mnl_socket_close(nl);
	assert_true(n > 0);
	nlh = rtnl_next(answer, n, &off);
	assert_non_null(nlh);
	return nlh;
}

static void test_kernel_loopback(void **state)
{
	struct flow_addr lo = v4("127.0.0.1"), absent = v4("127.0.0.77");
	char req[RTNL_REQUEST_MAX];
	struct rtnl_route r;
	struct rtnl_link l;

	assert_int_equal(rtnl_route_parse(ask_kernel(rtnl_route_get(req, 1, FLOW_AF_INET, &lo, NULL)), &r), 0);
	assert_int_equal(r.type, RTN_LOCAL);
	assert_int_equal(r.oif, 1);
	assert_int_equal(rtnl_link_parse(ask_kernel(rtnl_link_get(req, 2, 1)), &l), 0);
	assert_int_equal(l.ifindex, 1);
	assert_int_equal(l.type, ARPHRD_LOOPBACK);
	assert_string_equal(l.name, "lo");
	assert_true(l.mtu > 0);
	/* No neighbour entry: the kernel's error comes back as such. */
	assert_int_equal(rtnl_error(ask_kernel(rtnl_neigh_get(req, 3, FLOW_AF_INET, 1, &absent))), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_get_request),
		cmocka_unit_test(test_route_get_request_v6_no_src),
		cmocka_unit_test(test_neigh_requests),
		cmocka_unit_test(test_link_request),
		cmocka_unit_test(test_route_parse),
		cmocka_unit_test(test_route_parse_link_route),
		cmocka_unit_test(test_route_parse_refuses_malformed),
		cmocka_unit_test(test_neigh_parse),
		cmocka_unit_test(test_neigh_parse_refuses_malformed),
		cmocka_unit_test(test_link_parse),
		cmocka_unit_test(test_next_checks_framing),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_kernel_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
