// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Next hops resolved by the daemon instead of bpf_fib_lookup, which answers
 * BPF_FIB_LKUP_RET_FWD_DISABLED on a host that does not forward (the
 * kernel's default) and so sent every bridged packet to the stack. Route,
 * link and neighbour lookups are plain rtnetlink requests: they work with
 * forwarding off, and the host needs no sysctl.
 *
 * One entry per destination (dst and src of the flows sending there) caches
 * the answer; the flows sending there share it. Notifications keep it
 * current: a neighbour change updates the entries reached through that
 * neighbour at once; route and link changes, rarer and coming in bursts,
 * re-resolve every entry shortly after the burst.
 *
 * Missing neighbours: the kernel resolves a neighbour when something sends
 * to it, and XDP_TX/XDP_REDIRECT do not count. So when a new destination
 * has no usable neighbour entry the table asks the kernel to resolve it
 * (RTM_NEWNEIGH with NTF_USE, which is what a packet sent there would do:
 * an ARP request or neighbour solicitation, no forwarding involved and no
 * permanent entry left behind). Until it answers the program passes the
 * flow's packets to the stack, the daemon sends them from its socket, and
 * those sends keep the resolution going; the RTM_NEWNEIGH that follows puts
 * the flow back in the kernel path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <libmnl/libmnl.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/flow_key.h"
#include "nexthop.h"
#include "rtnl.h"

#define RECV_BUFFER	    65536
#define EVENT_SOCKET_BUFFER (4 << 20)
#define RESYNC_DELAY_MS	    50
#define LOG_INTERVAL_US	    (5 * G_USEC_PER_SEC)
/* Neighbour states with a usable link-layer address (the kernel's NUD_VALID). */
#define NEIGH_USABLE (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

enum dest_state {
	DEST_RESOLVED,
	DEST_RESOLVING, /* no neighbour entry yet, or one still incomplete */
	DEST_NEIGH_FAILED,
	DEST_NO_ROUTE,
	DEST_NOT_UNICAST,
	DEST_NO_XDP,
	DEST_NOT_ETHERNET,
};

struct dest_key {
	struct flow_key dst, src; /* ports 0 */
};

struct dest {
	struct dest_key key;
	enum dest_state state;
	enum dest_state logged;	 /* the state last logged, so each cause is logged once */
	struct flow_addr via;	 /* the gateway, or dst itself on a link route */
	struct flow_nexthop out; /* the route's part: egress, its MAC, MTU (dmac zero) */
	struct flow_nexthop nh;	 /* what the flows get: all zero unless DEST_RESOLVED */
	GHashTable *flows;	 /* struct flow_key * (keys of table->flows) */
};

struct nexthop_table {
	GMutex lock; /* everything below but the callback */
	struct mnl_socket *query, *events;
	uint32_t seq;
	guint watch, resync;
	GHashTable *dests; /* struct dest_key * -> struct dest * */
	GHashTable *flows; /* struct flow_key * -> struct dest * */
	GHashTable *links; /* ifindex -> struct rtnl_link *: a cache, emptied on link changes */
	uint32_t *xdp_ifindexes;
	size_t n_xdp;
	nexthop_changed_fn changed;
	void *user;
	gint64 last_log_us;
	char buf[RECV_BUFFER];
};

/* A flow whose next hop changed, for the callback. */
struct nexthop_change {
	struct flow_key flow;
	struct flow_nexthop nh;
};

static guint dest_key_hash(gconstpointer p)
{
	const struct dest_key *k = p;

	return flow_key_hash(&k->dst) * 31 + flow_key_hash(&k->src);
}

static gboolean dest_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct dest_key)) == 0;
}

static bool addr_is_zero(const struct flow_addr *a)
{
	static const struct flow_addr zero;

	return memcmp(a, &zero, sizeof(zero)) == 0;
}

static void dest_free(gpointer p)
{
	struct dest *d = p;

	g_hash_table_destroy(d->flows);
	g_free(d);
}

/* One request, one answer: the reply message (in t->buf) or NULL with *err. */
static const struct nlmsghdr *query(struct nexthop_table *t, struct nlmsghdr *req, int *err)
{
	const struct nlmsghdr *nlh;
	size_t off;
	ssize_t n;

	req->nlmsg_seq = ++t->seq;
	if (mnl_socket_sendto(t->query, req, req->nlmsg_len) < 0) {
		*err = -errno;
		return NULL;
	}
	for (;;) {
		n = mnl_socket_recvfrom(t->query, t->buf, sizeof(t->buf));
		if (n < 0) {
			*err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			return NULL;
		}
		off = 0;
		while ((nlh = rtnl_next(t->buf, n, &off))) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue; /* the late answer of a query that timed out */
			if (nlh->nlmsg_type != NLMSG_ERROR)
				return nlh;
			*err = rtnl_error(nlh);
			return NULL;
		}
	}
}

static const struct rtnl_link *link_get(struct nexthop_table *t, uint32_t ifindex)
{
	char req[RTNL_REQUEST_MAX];
	struct rtnl_link *l = g_hash_table_lookup(t->links, GUINT_TO_POINTER(ifindex));
	const struct nlmsghdr *nlh;
	int err;

	if (l)
		return l;
	nlh = query(t, rtnl_link_get(req, 0, ifindex), &err);
	l = g_new(struct rtnl_link, 1);
	if (!nlh || rtnl_link_parse(nlh, l) < 0 || l->ifindex != ifindex) {
		g_free(l);
		return NULL;
	}
	g_hash_table_replace(t->links, GUINT_TO_POINTER(ifindex), l);
	return l;
}

static bool xdp_on(const struct nexthop_table *t, uint32_t ifindex)
{
	for (size_t i = 0; i < t->n_xdp; i++)
		if (t->xdp_ifindexes[i] == ifindex)
			return true;
	return false;
}

/* The route's part of the next hop into d->out; DEST_RESOLVING when a neighbour is all that is missing. */
static int route_query(struct nexthop_table *t, int family, const struct flow_addr *dst, const struct flow_addr *src,
		       struct rtnl_route *r)
{
	char req[RTNL_REQUEST_MAX];
	const struct nlmsghdr *nlh;
	int err;

	nlh = query(t, rtnl_route_get(req, 0, family, dst, src), &err);
	return nlh ? rtnl_route_parse(nlh, r) : err;
}

/*
 * The route from the flow's source, so that source-based rules apply. The
 * kernel refuses a source that is not local (an address removed under an
 * adopted flow, the benchmark's synthetic flows) as unreachable: then the
 * destination alone decides, as for an unbound socket.
 */
static int route_get(struct nexthop_table *t, const struct dest *d, struct rtnl_route *r)
{
	const struct flow_addr *src = addr_is_zero(&d->key.src.addr) ? NULL : &d->key.src.addr;
	int family = d->key.dst.family;
	struct rtnl_route to_src;
	int ret = route_query(t, family, &d->key.dst.addr, src, r);

	if (ret == 0 || !src)
		return ret;
	if (route_query(t, family, src, NULL, &to_src) == 0 && to_src.type == RTN_LOCAL)
		return -ENETUNREACH;
	return route_query(t, family, &d->key.dst.addr, NULL, r);
}

static enum dest_state resolve_route(struct nexthop_table *t, struct dest *d)
{
	const struct rtnl_link *l;
	struct rtnl_route r;

	if (route_get(t, d, &r) < 0 || !r.oif)
		return DEST_NO_ROUTE;
	d->out.ifindex = r.oif;
	d->via = r.has_gateway ? r.gateway : d->key.dst.addr;
	if (r.type != RTN_UNICAST)
		return DEST_NOT_UNICAST;
	l = link_get(t, r.oif);
	if (!l)
		return DEST_NO_ROUTE;
	if (!xdp_on(t, r.oif))
		return DEST_NO_XDP;
	if (l->type != ARPHRD_ETHER || !l->has_addr)
		return DEST_NOT_ETHERNET;
	memcpy(d->out.smac, l->addr, sizeof(d->out.smac));
	d->out.mtu = MIN(r.mtu ? r.mtu : l->mtu, G_MAXUINT16);
	return DEST_RESOLVING;
}

/* The neighbour's part: n is the kernel's entry for d->via, NULL if there is none. */
static void dest_set_neigh(struct dest *d, const struct rtnl_neigh *n)
{
	memset(&d->nh, 0, sizeof(d->nh));
	d->state = DEST_RESOLVING;
	if (!n)
		return;
	if (n->state & NUD_FAILED) {
		d->state = DEST_NEIGH_FAILED;
		return;
	}
	if (!(n->state & NEIGH_USABLE) || !n->has_lladdr)
		return;
	d->state = DEST_RESOLVED;
	d->nh = d->out;
	memcpy(d->nh.dmac, n->lladdr, sizeof(d->nh.dmac));
}

static int neigh_get(struct nexthop_table *t, const struct dest *d, struct rtnl_neigh *n)
{
	char req[RTNL_REQUEST_MAX];
	const struct nlmsghdr *nlh;
	int err;

	nlh = query(t, rtnl_neigh_get(req, 0, d->key.dst.family, d->out.ifindex, &d->via), &err);
	if (!nlh)
		return err;
	return rtnl_neigh_parse(nlh, n);
}

static void dest_resolve(struct nexthop_table *t, struct dest *d)
{
	struct rtnl_neigh n;

	memset(&d->out, 0, sizeof(d->out));
	memset(&d->nh, 0, sizeof(d->nh));
	d->state = resolve_route(t, d);
	if (d->state == DEST_RESOLVING)
		dest_set_neigh(d, neigh_get(t, d, &n) == 0 ? &n : NULL);
}

static void neigh_use(struct nexthop_table *t, const struct dest *d)
{
	char req[RTNL_REQUEST_MAX];
	int err = 0;

	if (!query(t, rtnl_neigh_use(req, 0, d->key.dst.family, d->out.ifindex, &d->via), &err) && err)
		g_debug("nexthop: cannot start resolving a neighbour: %s", strerror(-err));
}

static const char *addr_text(const struct flow_key *k, const struct flow_addr *a, char *buf, size_t len)
{
	return inet_ntop(k->family, a, buf, len) ? buf : "?";
}

static const char *ifname_of(struct nexthop_table *t, uint32_t ifindex)
{
	const struct rtnl_link *l = link_get(t, ifindex);

	return l && l->name[0] ? l->name : "?";
}

/* Why d's flows go through userspace, and what would fix it. */
static void dest_cause(struct nexthop_table *t, const struct dest *d, char *buf, size_t len)
{
	char dst[INET6_ADDRSTRLEN], via[INET6_ADDRSTRLEN];
	const char *ifname = d->out.ifindex ? ifname_of(t, d->out.ifindex) : "?";

	addr_text(&d->key.dst, &d->key.dst.addr, dst, sizeof(dst));
	addr_text(&d->key.dst, &d->via, via, sizeof(via));
	switch (d->state) {
	case DEST_RESOLVED:
		snprintf(buf, len, "%s via %s on %s: resolved", dst, via, ifname);
		break;
	case DEST_RESOLVING:
		snprintf(buf, len, "%s: neighbour %s on %s not resolved yet (ARP/ND under way)", dst, via, ifname);
		break;
	case DEST_NEIGH_FAILED:
		snprintf(buf, len,
			 "%s: neighbour %s on %s does not answer ARP/ND; check that it is up and on that link", dst,
			 via, ifname);
		break;
	case DEST_NO_ROUTE:
		snprintf(buf, len, "%s: no route; add one (ip route)", dst);
		break;
	case DEST_NOT_UNICAST:
		snprintf(buf, len, "%s: the route is not unicast (local, blackhole, ...); the peer must be elsewhere",
			 dst);
		break;
	case DEST_NO_XDP:
		snprintf(buf, len, "%s: the route leaves through %s, which has no XDP program; add it to --interface",
			 dst, ifname);
		break;
	case DEST_NOT_ETHERNET:
		snprintf(buf, len, "%s: the route leaves through %s, which is not Ethernet; XDP cannot send there", dst,
			 ifname);
		break;
	}
}

static bool dest_degraded(const struct dest *d)
{
	return d->state != DEST_RESOLVED && d->state != DEST_RESOLVING;
}

/* One line per cause, at most one every LOG_INTERVAL_US: never per packet. */
static void dest_log(struct nexthop_table *t, struct dest *d)
{
	gint64 now = g_get_monotonic_time();
	char cause[300];

	if (!dest_degraded(d) || d->state == d->logged) {
		if (d->state == DEST_RESOLVED)
			d->logged = DEST_RESOLVED;
		return;
	}
	if (t->last_log_us && now - t->last_log_us < LOG_INTERVAL_US)
		return;
	t->last_log_us = now;
	d->logged = d->state;
	dest_cause(t, d, cause, sizeof(cause));
	g_warning("kernel path degraded: bridged packets to %s go through the daemon", cause);
}

static void collect_flows(const struct dest *d, GArray *changes)
{
	GHashTableIter it;
	gpointer flow;

	g_hash_table_iter_init(&it, d->flows);
	while (g_hash_table_iter_next(&it, &flow, NULL)) {
		struct nexthop_change c = { .flow = *(struct flow_key *)flow, .nh = d->nh };

		g_array_append_val(changes, c);
	}
}

static void dest_changed(struct nexthop_table *t, struct dest *d, const struct flow_nexthop *before, GArray *changes)
{
	dest_log(t, d);
	if (memcmp(before, &d->nh, sizeof(*before)) != 0)
		collect_flows(d, changes);
}

/* Outside the lock: the callback takes the backend's own. */
static void report_changes(struct nexthop_table *t, GArray *changes)
{
	for (guint i = 0; i < changes->len; i++) {
		struct nexthop_change *c = &g_array_index(changes, struct nexthop_change, i);

		t->changed(t->user, &c->flow, &c->nh);
	}
	g_array_free(changes, TRUE);
}

static gboolean resync(gpointer user)
{
	struct nexthop_table *t = user;
	GArray *changes = g_array_new(FALSE, FALSE, sizeof(struct nexthop_change));
	struct flow_nexthop before;
	GHashTableIter it;
	gpointer d;

	g_mutex_lock(&t->lock);
	t->resync = 0;
	g_hash_table_iter_init(&it, t->dests);
	while (g_hash_table_iter_next(&it, NULL, &d)) {
		before = ((struct dest *)d)->nh;
		dest_resolve(t, d);
		dest_changed(t, d, &before, changes);
	}
	g_mutex_unlock(&t->lock);
	report_changes(t, changes);
	return G_SOURCE_REMOVE;
}

static void schedule_resync(struct nexthop_table *t)
{
	if (!t->resync)
		t->resync = g_timeout_add(RESYNC_DELAY_MS, resync, t);
}

static void on_neigh(struct nexthop_table *t, const struct nlmsghdr *nlh, GArray *changes)
{
	struct flow_nexthop before;
	struct rtnl_neigh n;
	GHashTableIter it;
	struct dest *d;

	if (rtnl_neigh_parse(nlh, &n) < 0)
		return;
	g_hash_table_iter_init(&it, t->dests);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&d)) {
		if (d->state != DEST_RESOLVED && d->state != DEST_RESOLVING && d->state != DEST_NEIGH_FAILED)
			continue;
		if (d->key.dst.family != n.family || d->out.ifindex != n.ifindex ||
		    memcmp(&d->via, &n.addr, sizeof(n.addr)) != 0)
			continue;
		before = d->nh;
		dest_set_neigh(d, nlh->nlmsg_type == RTM_DELNEIGH ? NULL : &n);
		dest_changed(t, d, &before, changes);
	}
}

static void on_event(struct nexthop_table *t, const struct nlmsghdr *nlh, GArray *changes)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(t, nlh, changes);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		g_hash_table_remove_all(t->links);
		schedule_resync(t);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		schedule_resync(t);
		break;
	}
}

static gboolean on_events(gint fd, GIOCondition cond, gpointer user)
{
	struct nexthop_table *t = user;
	GArray *changes = g_array_new(FALSE, FALSE, sizeof(struct nexthop_change));
	const struct nlmsghdr *nlh;
	size_t off;
	ssize_t n;

	g_mutex_lock(&t->lock);
	while ((n = recv(fd, t->buf, sizeof(t->buf), MSG_DONTWAIT)) != 0) {
		if (n < 0) {
			/* ENOBUFS: notifications were lost, so look everything up again. */
			if (errno == ENOBUFS)
				schedule_resync(t);
			if (errno != EINTR && errno != ENOBUFS)
				break;
			continue;
		}
		off = 0;
		while ((nlh = rtnl_next(t->buf, n, &off)))
			on_event(t, nlh, changes);
	}
	g_mutex_unlock(&t->lock);
	report_changes(t, changes);
	return G_SOURCE_CONTINUE;
}

static int open_sockets(struct nexthop_table *t, char *err, size_t errlen)
{
	static const unsigned int groups[] = { RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK };
	struct timeval timeout = { .tv_sec = 1 };
	int size = EVENT_SOCKET_BUFFER;

	/* Subscribed before the first lookup, so no change falls between the two. */
	t->events = mnl_socket_open(NETLINK_ROUTE);
	t->query = mnl_socket_open(NETLINK_ROUTE);
	if (!t->events || !t->query || mnl_socket_bind(t->events, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(t->query, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (size_t i = 0; i < G_N_ELEMENTS(groups); i++)
		if (mnl_socket_setsockopt(t->events, NETLINK_ADD_MEMBERSHIP, (void *)&groups[i], sizeof(groups[i])) < 0)
			goto fail;
	if (setsockopt(mnl_socket_get_fd(t->events), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(t->events), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* A lost answer must not hang the thread that programs a flow. */
	if (setsockopt(mnl_socket_get_fd(t->query), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot open the rtnetlink sockets of the next-hop table: %s", strerror(errno));
	return -1;
}

struct nexthop_table *nexthop_table_new(const uint32_t *xdp_ifindexes, size_t n, nexthop_changed_fn changed, void *user,
					char *err, size_t errlen)
{
	struct nexthop_table *t = g_new0(struct nexthop_table, 1);

	g_mutex_init(&t->lock);
	t->dests = g_hash_table_new_full(dest_key_hash, dest_key_equal, NULL, dest_free);
	t->flows = g_hash_table_new_full(flow_key_hash, flow_key_hash_equal, g_free, NULL);
	t->links = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	t->xdp_ifindexes = g_memdup2(xdp_ifindexes, n * sizeof(*xdp_ifindexes));
	t->n_xdp = n;
	t->changed = changed;
	t->user = user;
	if (open_sockets(t, err, errlen) < 0) {
		nexthop_table_free(t);
		return NULL;
	}
	t->watch = g_unix_fd_add(mnl_socket_get_fd(t->events), G_IO_IN, on_events, t);
	return t;
}

void nexthop_table_free(struct nexthop_table *t)
{
	if (!t)
		return;
	if (t->watch)
		g_source_remove(t->watch);
	if (t->resync)
		g_source_remove(t->resync);
	if (t->events)
		mnl_socket_close(t->events);
	if (t->query)
		mnl_socket_close(t->query);
	g_hash_table_destroy(t->flows);
	g_hash_table_destroy(t->dests);
	g_hash_table_destroy(t->links);
	g_free(t->xdp_ifindexes);
	g_mutex_clear(&t->lock);
	g_free(t);
}

static struct dest *dest_get(struct nexthop_table *t, const struct dest_key *key)
{
	struct dest *d = g_hash_table_lookup(t->dests, key);

	if (d)
		return d;
	d = g_new0(struct dest, 1);
	d->key = *key;
	d->logged = DEST_RESOLVED;
	d->flows = g_hash_table_new(flow_key_hash, flow_key_hash_equal);
	dest_resolve(t, d);
	if (d->state == DEST_RESOLVING || d->state == DEST_NEIGH_FAILED)
		neigh_use(t, d);
	dest_log(t, d);
	g_hash_table_replace(t->dests, &d->key, d);
	return d;
}

static void flow_forget_locked(struct nexthop_table *t, const struct flow_key *flow)
{
	gpointer key, d;

	if (!g_hash_table_lookup_extended(t->flows, flow, &key, &d))
		return;
	g_hash_table_remove(((struct dest *)d)->flows, key);
	if (g_hash_table_size(((struct dest *)d)->flows) == 0)
		g_hash_table_remove(t->dests, &((struct dest *)d)->key);
	g_hash_table_remove(t->flows, flow);
}

void nexthop_flow_resolve(struct nexthop_table *t, const struct flow_key *flow, const struct flow_addr *src,
			  const struct flow_addr *dst, struct flow_nexthop *out)
{
	struct dest_key key = { .dst = { .addr = *dst, .family = flow->family },
				.src = { .addr = *src, .family = flow->family } };
	struct flow_key *tracked;
	struct dest *d;

	memset(out, 0, sizeof(*out));
	g_mutex_lock(&t->lock);
	flow_forget_locked(t, flow);
	if (!addr_is_zero(dst)) {
		d = dest_get(t, &key);
		tracked = g_memdup2(flow, sizeof(*flow));
		g_hash_table_add(d->flows, tracked);
		g_hash_table_replace(t->flows, tracked, d);
		*out = d->nh;
	}
	g_mutex_unlock(&t->lock);
}

void nexthop_flow_forget(struct nexthop_table *t, const struct flow_key *flow)
{
	g_mutex_lock(&t->lock);
	flow_forget_locked(t, flow);
	g_mutex_unlock(&t->lock);
}

void nexthop_table_state(struct nexthop_table *t, char *buf, size_t len)
{
	const struct dest *first = NULL;
	guint degraded = 0;
	GHashTableIter it;
	char cause[300];
	gpointer d;

	g_mutex_lock(&t->lock);
	g_hash_table_iter_init(&it, t->dests);
	while (g_hash_table_iter_next(&it, NULL, &d)) {
		if (((struct dest *)d)->state == DEST_RESOLVED)
			continue;
		degraded++;
		if (!first)
			first = d;
	}
	if (first) {
		dest_cause(t, first, cause, sizeof(cause));
		snprintf(buf, len, "degraded: %u of %u destinations without a kernel next hop; %s", degraded,
			 g_hash_table_size(t->dests), cause);
	} else {
		snprintf(buf, len, "ok");
	}
	g_mutex_unlock(&t->lock);
}
