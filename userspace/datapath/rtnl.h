/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The rtnetlink messages the next-hop resolver (nexthop.c) sends and reads:
 * requests built into a caller's buffer, replies and notifications parsed
 * into plain structs. No socket here, so all of it runs in unit tests.
 * Parsers check every length against the message and return -EINVAL on
 * anything malformed; a valid message of another kind is -ENOENT.
 */
#ifndef RTPRELAY_RTNL_H
#define RTPRELAY_RTNL_H

#include <linux/netlink.h>
#include <linux/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/flow_abi.h"

/* Large enough for any request below. */
#define RTNL_REQUEST_MAX 256

/* RTM_NEWROUTE: the answer to RTM_GETROUTE. */
struct rtnl_route {
	int family;
	uint8_t type; /* RTN_UNICAST, RTN_LOCAL, ... */
	uint32_t oif;
	bool has_gateway;
	struct flow_addr gateway;
	uint32_t mtu; /* RTAX_MTU of the route; 0: the link's */
};

/* RTM_NEWNEIGH / RTM_DELNEIGH. */
struct rtnl_neigh {
	int family;
	uint32_t ifindex;
	struct flow_addr addr;
	uint16_t state;	 /* NUD_* */
	bool has_lladdr; /* a 6-byte link-layer address */
	uint8_t lladdr[6];
};

/* RTM_NEWLINK / RTM_DELLINK. */
struct rtnl_link {
	uint32_t ifindex;
	uint16_t type; /* ARPHRD_* */
	uint32_t mtu;
	bool has_addr; /* a 6-byte address */
	uint8_t addr[6];
	char name[IFNAMSIZ];
};

/* Route lookup of dst (from src unless NULL), as `ip route get`. */
struct nlmsghdr *rtnl_route_get(void *buf, uint32_t seq, int family, const struct flow_addr *dst,
				const struct flow_addr *src);
/* The neighbour entry of addr on ifindex, as `ip neigh get`. */
struct nlmsghdr *rtnl_neigh_get(void *buf, uint32_t seq, int family, uint32_t ifindex, const struct flow_addr *addr);
/* Create the entry if needed and start resolving it (NTF_USE), as a packet sent there would. */
struct nlmsghdr *rtnl_neigh_use(void *buf, uint32_t seq, int family, uint32_t ifindex, const struct flow_addr *addr);
struct nlmsghdr *rtnl_link_get(void *buf, uint32_t seq, uint32_t ifindex);

int rtnl_route_parse(const struct nlmsghdr *nlh, struct rtnl_route *out);
int rtnl_neigh_parse(const struct nlmsghdr *nlh, struct rtnl_neigh *out);
int rtnl_link_parse(const struct nlmsghdr *nlh, struct rtnl_link *out);

/*
 * The message at *off in a datagram of len bytes, its framing checked
 * (header complete, nlmsg_len within the datagram), and *off moved past it;
 * NULL at the end or at a malformed message, which ends the datagram.
 */
const struct nlmsghdr *rtnl_next(const void *buf, size_t len, size_t *off);

/* The negative errno of an NLMSG_ERROR message (0: an ACK), -EINVAL if truncated. */
int rtnl_error(const struct nlmsghdr *nlh);

#endif
