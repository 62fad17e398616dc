/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which source a leg's RTP (or RTCP) latches to: the rule both datapaths
 * share. XDP forwards only latched flows and passes everything else to
 * the daemon, so the daemon alone decides here, for XDP and userspace
 * alike; once latched, both drop every other source.
 *
 * A blind scan of the relay's ports used to win the leg: the first packet
 * latched whatever its source. Now, by --endpoint-learning (the names
 * rtpengine's operators know):
 *  - heuristic (default): a packet from the address the SDP names, or the
 *    one its SIP came from (NAT: same public address, another port),
 *    latches at once; any other source only once the learning window
 *    after the SDP has passed with none of those, and never for a peer
 *    whose SDP says it does not send (recvonly, inactive: a "silent" leg
 *    would otherwise be anybody's after the window);
 *  - off: only the SDP's exact address and port (peers without NAT);
 *  - immediate: the first packet, whatever its source (the old rule).
 */
#ifndef RTPRELAY_ENDPOINT_LEARNING_H
#define RTPRELAY_ENDPOINT_LEARNING_H

#include <stdbool.h>
#include <sys/socket.h>

#include "config/config.h"

/* How long after an SDP only its own or its signalling address may latch. */
#define ENDPOINT_LEARNING_WINDOW_US (3 * G_USEC_PER_SEC)

struct endpoint_learning_state {
	const struct sockaddr_storage *sdp_peer;   /* address and port the SDP names */
	const struct sockaddr_storage *signal_src; /* where its SIP came from (port ignored); AF_UNSPEC: unknown */
	bool peer_sends;			   /* the SDP direction lets the peer send */
	bool window_open;			   /* the learning window since the SDP has not passed */
};

/* Whether a packet from `from` latches the leg, under `mode`. */
bool endpoint_learning_accepts(enum endpoint_learning mode, const struct endpoint_learning_state *st,
			       const struct sockaddr_storage *from);

#endif
