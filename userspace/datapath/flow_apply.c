// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP program's per-flow rules, applied in userspace. The checks run in
 * the program's order so that both datapaths count a packet under the same
 * reason; the TTL check has no counterpart here because the kernel stack
 * already handled the TTL before the packet reached our socket.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "flow_apply.h"
#include "lib/flow_key.h"
#include "lib/monotonic.h"
#include "lib/sendmmsg_nonblock.h"

#define FLOW_APPLY_BATCH 64

/* What one sendmmsg call needs for the forwarded packets of a batch. */
struct send_batch {
	struct mmsghdr msgs[FLOW_APPLY_BATCH];
	struct iovec iov[FLOW_APPLY_BATCH];
	int index[FLOW_APPLY_BATCH]; /* msgs[j] carries pkts[index[j]] */
	int n;
	struct sockaddr_storage dst;
	socklen_t dst_len;
};

static int pass(__u64 *reason, struct global_counters *totals)
{
	(*reason)++;
	totals->passed++;
	return DATAPATH_PASS;
}

static bool same_source(const struct flow_value *v, const struct sockaddr_storage *from)
{
	struct flow_addr addr;
	__be16 port;
	int family;

	family = flow_addr_from_sockaddr(&addr, &port, (const struct sockaddr *)from);
	if (family < 0 || port != v->expect_port)
		return false;
	if (family == FLOW_AF_INET)
		return addr.v4 == v->expect_addr.v4;
	return memcmp(addr.v6, v->expect_addr.v6, sizeof(addr.v6)) == 0;
}

/* The verdict of one packet; DATAPATH_FORWARDED means "queue it for sending". */
static enum datapath_verdict classify(struct flow_value *v, int egress_fd, const struct datapath_packet *pkt,
				      struct global_counters *totals)
{
	if (!(v->flags & FLOW_F_LATCHED))
		return pass(&totals->pass_not_latched, totals);
	if (!same_source(v, &pkt->from)) {
		v->counters.wrong_source++;
		totals->dropped_wrong_source++;
		return DATAPATH_DROPPED;
	}
	if (v->flags & FLOW_F_HOLD) {
		totals->dropped_hold++;
		return DATAPATH_DROPPED;
	}
	if (egress_fd < 0)
		return pass(&totals->pass_no_nexthop, totals);
	return DATAPATH_FORWARDED;
}

static void batch_add(struct send_batch *b, struct datapath_packet *pkt, int i)
{
	struct mmsghdr *m = &b->msgs[b->n];

	b->iov[b->n].iov_base = pkt->data;
	b->iov[b->n].iov_len = pkt->len;
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_name = &b->dst;
	m->msg_hdr.msg_namelen = b->dst_len;
	m->msg_hdr.msg_iov = &b->iov[b->n];
	m->msg_hdr.msg_iovlen = 1;
	b->index[b->n] = i;
	b->n++;
}

/* Per-flow counters and the forwarded total cover what actually left. */
static void account_sent(struct flow_value *v, struct send_batch *b, int sent, enum datapath_verdict *verdicts,
			 struct global_counters *totals)
{
	for (int j = 0; j < b->n; j++) {
		if (j >= sent) {
			verdicts[b->index[j]] = DATAPATH_DROPPED;
			totals->errors++;
			continue;
		}
		v->counters.packets++;
		v->counters.bytes += b->iov[j].iov_len;
		totals->forwarded++;
	}
	if (sent > 0)
		v->counters.sampled_seen_ns = monotonic_ns();
}

static void apply_chunk(struct flow_value *v, int egress_fd, struct datapath_packet *pkts, int n,
			enum datapath_verdict *verdicts, struct global_counters *totals)
{
	struct send_batch b;

	b.n = 0;
	for (int i = 0; i < n; i++) {
		verdicts[i] = classify(v, egress_fd, &pkts[i], totals);
		if (verdicts[i] != DATAPATH_FORWARDED)
			continue;
		if (b.n == 0) {
			/* The destination has the key's family, which is the sender's. */
			struct flow_key dst = { .addr = v->dst_addr, .port = v->dst_port };

			dst.family = pkts[i].from.ss_family == AF_INET6 ? FLOW_AF_INET6 : FLOW_AF_INET;
			flow_key_to_sockaddr(&dst, &b.dst, &b.dst_len);
		}
		batch_add(&b, &pkts[i], i);
	}
	if (b.n)
		account_sent(v, &b, sendmmsg_nonblock(egress_fd, b.msgs, b.n), verdicts, totals);
}

void flow_apply(struct flow_value *v, int egress_fd, struct datapath_packet *pkts, int n,
		enum datapath_verdict *verdicts, struct global_counters *totals)
{
	/* Batches come from recvmmsg (32 at most); larger ones go in chunks. */
	for (int off = 0; off < n; off += FLOW_APPLY_BATCH) {
		int len = n - off < FLOW_APPLY_BATCH ? n - off : FLOW_APPLY_BATCH;

		apply_chunk(v, egress_fd, pkts + off, len, verdicts + off, totals);
	}
}
