// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Two bridged legs. Their packets cross in the datapath: for each of RTP
 * and RTCP, the flow keyed by the relay's port for leg A sends A's packets
 * from the relay's port for B to B's peer, and the other way round. A flow
 * forwards once its leg's peer is latched (before that the datapath passes
 * the packet up and media_stream latches it); it holds (drops) what goes
 * toward a peer that does not receive (sendonly, inactive, c=0.0.0.0) or
 * has no address yet.
 *
 * PCMU on one leg and PCMA on the other cannot be forwarded byte for byte:
 * such a pair keeps only its RTCP flows in the datapath, and its RTP comes
 * up to the daemon, which re-encodes each packet's payload in the other law
 * (a table per sample, header kept, payload type changed) and sends it from
 * the partner's socket. Other payload types (telephone-event) pass as they
 * are.
 */
#include <string.h>

#include "lib/g711.h"
#include "lib/rtp.h"
#include "flow_totals.h"
#include "media_bridge.h"
#include "media_clock.h"
#include "media_env.h"
#include "media_stream_private.h"

static bool has_flows(const struct media_stream *ms, int which)
{
	return ms->mode == MEDIA_BRIDGE || (ms->mode == MEDIA_TRANSCODE && which == MEDIA_RTCP);
}

/* The flow for packets from `from`'s peer arriving on from->key[which], toward `to`'s peer. */
static void flow_toward(const struct media_stream *from, const struct media_stream *to, int which, struct flow_value *v)
{
	const struct sockaddr_storage *dst = media_stream_peer(to, which);
	__be16 port;

	memset(v, 0, sizeof(*v));
	v->src_addr = to->key[which].addr;
	v->src_port = to->key[which].port;
	if (dst)
		flow_addr_from_sockaddr(&v->dst_addr, &v->dst_port, (const struct sockaddr *)dst);
	if (from->latched[which]) {
		flow_addr_from_sockaddr(&v->expect_addr, &port, (const struct sockaddr *)&from->latched_peer[which]);
		v->expect_port = port;
		v->flags |= FLOW_F_LATCHED;
	}
	if (!dst || !to->peer_receives)
		v->flags |= FLOW_F_HOLD;
}

/* Remembers a flow's counters in the legs' stats and the retired totals before the flow goes. */
static void delete_flow(struct media_stream *from, struct media_stream *to, int which)
{
	struct datapath *dp = from->env->dp;
	struct flow_value v;

	if (dp->ops->flow_get(dp, &from->key[which], &v) == 0) {
		from->stats.forwarded_in += v.counters.packets;
		to->stats.forwarded_out += v.counters.packets;
		flow_totals_retire(from->env->retired_flows, &v.counters);
		dp->ops->flow_delete(dp, &from->key[which]);
	}
}

static void program_direction(struct media_stream *from, struct media_stream *to)
{
	struct datapath *dp = from->env->dp;
	struct flow_value v;

	for (int which = MEDIA_RTP; which <= MEDIA_RTCP; which++) {
		if (!has_flows(from, which)) {
			delete_flow(from, to, which);
			continue;
		}
		flow_toward(from, to, which, &v);
		if (dp->ops->flow_set(dp, &from->key[which], &v) < 0)
			g_warning("port %u: cannot program the flow toward port %u", ntohs(from->key[which].port),
				  ntohs(to->key[which].port));
	}
}

void media_bridge_program(struct media_stream *ms)
{
	struct media_stream *other = ms->partner;
	enum media_mode mode = ms->law == other->law ? MEDIA_BRIDGE : MEDIA_TRANSCODE;

	ms->mode = other->mode = mode;
	program_direction(ms, other);
	program_direction(other, ms);
}

void media_bridge_connect(struct media_stream *a, struct media_stream *b)
{
	struct media_clock *clock = a->env->clock;

	media_stream_detach(a);
	media_stream_detach(b);
	media_clock_lock(clock);
	a->partner = b;
	b->partner = a;
	media_bridge_program(a);
	media_clock_unlock(clock);
}

void media_bridge_disconnect_locked(struct media_stream *ms)
{
	struct media_stream *other = ms->partner;

	for (int which = MEDIA_RTP; which <= MEDIA_RTCP; which++) {
		delete_flow(ms, other, which);
		delete_flow(other, ms, which);
	}
	ms->partner = other->partner = NULL;
	ms->mode = other->mode = MEDIA_IDLE;
}

struct media_stream *media_bridge_partner(const struct media_stream *ms)
{
	struct media_clock *clock = ms->env->clock;
	struct media_stream *p;

	media_clock_lock(clock);
	p = ms->partner;
	media_clock_unlock(clock);
	return p;
}

void media_bridge_transcode(struct media_stream *ms, struct datapath_packet *pkts, int n,
			    const enum datapath_verdict *verdicts)
{
	struct media_stream *to = ms->partner;
	struct rtp_packet rtp;

	if (!to->peer_receives)
		return;
	for (int i = 0; i < n; i++) {
		if (verdicts[i] != DATAPATH_PASS || rtp_parse(pkts[i].data, pkts[i].len, &rtp) != RTP_OK)
			continue;
		if (rtp.header.payload_type == ms->law) {
			uint8_t *payload = pkts[i].data + (rtp.payload - pkts[i].data);

			g711_transcode(ms->law, to->law, payload, payload, rtp.payload_len);
			pkts[i].data[1] = (pkts[i].data[1] & 0x80) | to->law;
		}
		media_stream_send(to, MEDIA_RTP, pkts[i].data, pkts[i].len);
	}
}

static struct flow_counters flow_counters(struct datapath *dp, const struct flow_key *key)
{
	struct flow_value v;

	return dp->ops->flow_get(dp, key, &v) == 0 ? v.counters : (struct flow_counters){ 0 };
}

void media_bridge_add_flow_counters(const struct media_stream *ms, struct media_stream_stats *out)
{
	struct datapath *dp = ms->env->dp;

	if (!ms->partner)
		return;
	for (int which = MEDIA_RTP; which <= MEDIA_RTCP; which++) {
		if (!has_flows(ms, which))
			continue;
		struct flow_counters in = flow_counters(dp, &ms->key[which]);

		out->forwarded_in += in.packets;
		out->flow_wrong_source += in.wrong_source;
		out->forwarded_out += flow_counters(dp, &ms->partner->key[which]).packets;
	}
}

gint64 media_bridge_last_seen_us(const struct media_stream *ms)
{
	struct datapath *dp = ms->env->dp;
	struct flow_value v;

	if (!ms->partner || !has_flows(ms, MEDIA_RTP) || dp->ops->flow_get(dp, &ms->key[MEDIA_RTP], &v) < 0)
		return 0;
	return v.counters.sampled_seen_ns / 1000;
}
