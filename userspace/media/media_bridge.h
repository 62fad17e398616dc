/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Two legs bridged: their RTP and RTCP cross in the datapath, or their RTP
 * is re-encoded by the daemon when one speaks PCMU and the other PCMA.
 */
#ifndef RTPRELAY_MEDIA_BRIDGE_H
#define RTPRELAY_MEDIA_BRIDGE_H

#include <glib.h>

#include "media_loop.h"

struct media_stream;
struct media_stream_stats;

/*
 * Connects two legs (each detached first): with the same codec the
 * datapath forwards RTP and RTCP both ways (MEDIA_BRIDGE); with PCMU on one
 * and PCMA on the other the datapath forwards RTCP and the daemon re-encodes
 * RTP (MEDIA_TRANSCODE). A leg whose peer has not sent yet is latched by
 * its first packet, which the daemon forwards, then the flow takes over.
 */
void media_bridge_connect(struct media_stream *a, struct media_stream *b);
/* The leg ms is bridged with, NULL if none. */
struct media_stream *media_bridge_partner(const struct media_stream *ms);

/* The following are for media/ alone, with the clock's lock held. */
/* Writes the flows of a bridged pair from both legs' current state. */
void media_bridge_program(struct media_stream *ms);
/* RTP the peer of a transcoded leg sent: re-encoded, sent to the partner's peer. */
void media_bridge_transcode(struct media_stream *ms, struct datapath_packet *pkts, int n,
			    const enum datapath_verdict *verdicts);
/* Removes the pair's flows (their counters kept in the legs' stats); both legs go idle. */
void media_bridge_disconnect_locked(struct media_stream *ms);
/* CLOCK_MONOTONIC µs of the last packet the flows forwarded from the leg's peer; 0 if none. */
gint64 media_bridge_last_seen_us(const struct media_stream *ms);
/* Adds what the datapath's flows forwarded from and to the leg's peer. */
void media_bridge_add_flow_counters(const struct media_stream *ms, struct media_stream_stats *out);

#endif
