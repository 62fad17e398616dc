// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rtnetlink requests and replies for the next-hop resolver, with libmnl. */
#include <errno.h>
#include <glib.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "rtnl.h"

static size_t addr_len(int family)
{
	return family == FLOW_AF_INET6 ? 16 : 4;
}

static struct nlmsghdr *request(void *buf, uint32_t seq, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, RTNL_REQUEST_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

struct nlmsghdr *rtnl_route_get(void *buf, uint32_t seq, int family, const struct flow_addr *dst,
				const struct flow_addr *src)
{
	struct nlmsghdr *nlh = request(buf, seq, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = family;
	rtm->rtm_dst_len = addr_len(family) * 8;
	mnl_attr_put(nlh, RTA_DST, addr_len(family), dst);
	if (src) {
		rtm->rtm_src_len = addr_len(family) * 8;
		mnl_attr_put(nlh, RTA_SRC, addr_len(family), src);
	}
	return nlh;
}

static struct nlmsghdr *neigh_request(void *buf, uint32_t seq, uint16_t type, uint16_t flags, int family,
				      uint32_t ifindex, const struct flow_addr *addr)
{
	struct nlmsghdr *nlh = request(buf, seq, type, flags);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, addr_len(family), addr);
	return nlh;
}

struct nlmsghdr *rtnl_neigh_get(void *buf, uint32_t seq, int family, uint32_t ifindex, const struct flow_addr *addr)
{
	return neigh_request(buf, seq, RTM_GETNEIGH, 0, family, ifindex, addr);
}

struct nlmsghdr *rtnl_neigh_use(void *buf, uint32_t seq, int family, uint32_t ifindex, const struct flow_addr *addr)
{
	struct nlmsghdr *nlh = neigh_request(buf, seq, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_ACK, family, ifindex, addr);
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	/* NUD_NONE: no state of ours; the kernel's resolution decides it. */
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	return nlh;
}

struct nlmsghdr *rtnl_link_get(void *buf, uint32_t seq, uint32_t ifindex)
{
	struct nlmsghdr *nlh = request(buf, seq, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	return nlh;
}

/* The attribute table of a message whose fixed header is hdrlen bytes. */
static int attrs_of(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, int max)
{
	const struct nlattr *attr;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen))
		return -EINVAL;
	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each(attr, nlh, hdrlen)
	{
		if (mnl_attr_get_type(attr) <= max)
			tb[mnl_attr_get_type(attr)] = attr;
	}
	/* The walk stops at the first malformed attribute: it must have consumed everything. */
	if ((const char *)attr < (const char *)mnl_nlmsg_get_payload_tail(nlh))
		return -EINVAL;
	return 0;
}

static int get_addr(const struct nlattr *attr, int family, struct flow_addr *out)
{
	if (mnl_attr_get_payload_len(attr) != addr_len(family))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, mnl_attr_get_payload(attr), addr_len(family));
	return 0;
}

static int get_u32(const struct nlattr *attr, uint32_t *out)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return -EINVAL;
	*out = mnl_attr_get_u32(attr);
	return 0;
}

/* An Ethernet address: a 6-byte attribute. Others (none, InfiniBand, tunnels) are not. */
static bool get_mac(const struct nlattr *attr, uint8_t mac[6])
{
	if (!attr || mnl_attr_get_payload_len(attr) != 6)
		return false;
	memcpy(mac, mnl_attr_get_payload(attr), 6);
	return true;
}

/* A message of one of two types (NEW/DEL) and its attributes: -ENOENT if another type. */
static int message_of(const struct nlmsghdr *nlh, uint16_t new_type, uint16_t del_type, size_t hdrlen,
		      const struct nlattr **tb, int max)
{
	if (nlh->nlmsg_type != new_type && nlh->nlmsg_type != del_type)
		return -ENOENT;
	return attrs_of(nlh, hdrlen, tb, max);
}

static bool family_known(int family)
{
	return family == FLOW_AF_INET || family == FLOW_AF_INET6;
}

/* Every metric is walked: one overrunning the nest makes the route malformed. */
static int route_mtu(const struct nlattr *metrics, uint32_t *mtu)
{
	const char *end = (const char *)mnl_attr_get_payload(metrics) + mnl_attr_get_payload_len(metrics);
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, metrics)
	{
		if (mnl_attr_get_type(attr) == RTAX_MTU && get_u32(attr, mtu) < 0)
			return -EINVAL;
	}
	return (const char *)attr < end ? -EINVAL : 0;
}

int rtnl_route_parse(const struct nlmsghdr *nlh, struct rtnl_route *out)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	int ret = message_of(nlh, RTM_NEWROUTE, RTM_DELROUTE, sizeof(*rtm), tb, RTA_MAX);

	if (ret < 0)
		return ret;
	if (!family_known(rtm->rtm_family))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = rtm->rtm_family;
	out->type = rtm->rtm_type;
	if (tb[RTA_OIF] && get_u32(tb[RTA_OIF], &out->oif) < 0)
		return -EINVAL;
	if (tb[RTA_GATEWAY]) {
		if (get_addr(tb[RTA_GATEWAY], out->family, &out->gateway) < 0)
			return -EINVAL;
		out->has_gateway = true;
	}
	if (tb[RTA_METRICS] && route_mtu(tb[RTA_METRICS], &out->mtu) < 0)
		return -EINVAL;
	return 0;
}

int rtnl_neigh_parse(const struct nlmsghdr *nlh, struct rtnl_neigh *out)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	int ret = message_of(nlh, RTM_NEWNEIGH, RTM_DELNEIGH, sizeof(*ndm), tb, NDA_MAX);

	if (ret < 0)
		return ret;
	if (!family_known(ndm->ndm_family))
		return -ENOENT; /* bridge FDB entries and the like */
	memset(out, 0, sizeof(*out));
	out->family = ndm->ndm_family;
	out->ifindex = ndm->ndm_ifindex;
	out->state = ndm->ndm_state;
	if (!tb[NDA_DST] || get_addr(tb[NDA_DST], out->family, &out->addr) < 0)
		return -EINVAL;
	out->has_lladdr = get_mac(tb[NDA_LLADDR], out->lladdr);
	return 0;
}

int rtnl_link_parse(const struct nlmsghdr *nlh, struct rtnl_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	int ret = message_of(nlh, RTM_NEWLINK, RTM_DELLINK, sizeof(*ifi), tb, IFLA_MAX);

	if (ret < 0)
		return ret;
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->type = ifi->ifi_type;
	if (tb[IFLA_MTU] && get_u32(tb[IFLA_MTU], &out->mtu) < 0)
		return -EINVAL;
	out->has_addr = get_mac(tb[IFLA_ADDRESS], out->addr);
	if (tb[IFLA_IFNAME]) {
		if (mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
			return -EINVAL;
		g_strlcpy(out->name, mnl_attr_get_str(tb[IFLA_IFNAME]), sizeof(out->name));
	}
	return 0;
}

const struct nlmsghdr *rtnl_next(const void *buf, size_t len, size_t *off)
{
	const struct nlmsghdr *nlh;
	size_t left;

	if (*off >= len || len - *off < sizeof(*nlh))
		return NULL;
	nlh = (const struct nlmsghdr *)((const char *)buf + *off);
	left = len - *off;
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left) {
		*off = len;
		return NULL;
	}
	*off += MNL_ALIGN(nlh->nlmsg_len) < left ? MNL_ALIGN(nlh->nlmsg_len) : left;
	return nlh;
}

int rtnl_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*e))
		return -EINVAL;
	return e->error;
}
