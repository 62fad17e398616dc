/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One call leg's media on the relay: an RTP/RTCP socket pair on an even port
 * of the pool, the peer's SDP address and the address it latched to, and the
 * tone (PCMU/PCMA RTP every 20 ms plus RTCP sender reports) played to it
 * while the leg is not bridged. Received packets go through the datapath
 * first; what it passes is latched and counted here.
 */
#ifndef RTPRELAY_MEDIA_STREAM_H
#define RTPRELAY_MEDIA_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon.h"
#include "g711.h"
#include "sdp_offer_answer.h"

struct media_stream;

/* Counters of one leg, read by the control server. */
struct media_stream_stats {
	uint64_t rx_packets;	  /* reached the daemon (not forwarded by the datapath) */
	uint64_t rx_wrong_source; /* dropped: came from elsewhere after latching */
	uint64_t tx_packets;	  /* RTP the daemon sent (tone) */
	bool rtp_latched;
	struct sockaddr_storage rtp_peer; /* latched address, else the SDP one */
};

/* Takes a port pair from the pool and binds both sockets; NULL with err set when none is free. */
struct media_stream *media_stream_new(struct daemon *d, GError **err);
/* Stops the tone (RTCP BYE), unregisters and closes the sockets, returns the port. */
void media_stream_free(struct media_stream *ms);

uint16_t media_stream_port(const struct media_stream *ms);
/* The peer's SDP: address and port (unlatches if they changed), codec, direction. */
void media_stream_set_remote(struct media_stream *ms, const struct sdp_media_desc *remote, enum g711_law law);
/* Play a tone (restarts with a marker bit if one was playing) or stop it with an RTCP BYE. */
void media_stream_tone_start(struct media_stream *ms, unsigned hz);
void media_stream_tone_stop(struct media_stream *ms);
/* Seconds since the last packet from the peer (or since the stream started). */
double media_stream_idle_seconds(const struct media_stream *ms);
void media_stream_stats(const struct media_stream *ms, struct media_stream_stats *out);

/* The 20 ms clock of every playing tone; started once with the media loop. */
int media_streams_start(struct daemon *d);
void media_streams_stop(struct daemon *d);

#endif
