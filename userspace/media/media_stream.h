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

#include "daemon/daemon.h"
#include "lib/g711.h"
#include "sdp/sdp_offer_answer.h"

struct media_stream;
struct mixer;

/* What a leg's media does. */
enum media_mode {
	MEDIA_IDLE,	 /* nothing is sent to the peer */
	MEDIA_TONE,	 /* the daemon plays a tone */
	MEDIA_BRIDGE,	 /* the datapath forwards RTP and RTCP to and from the partner leg */
	MEDIA_TRANSCODE, /* as BRIDGE, but the codecs differ: the daemon re-encodes RTP */
	MEDIA_MIX,	 /* the daemon plays the sum of the other mixer members */
};

/* Counters of one leg, read by the control server. */
struct media_stream_stats {
	uint64_t rx_packets;	  /* reached the daemon (not forwarded by the datapath) */
	uint64_t rx_wrong_source; /* dropped: came from elsewhere after latching */
	uint64_t tx_packets;	  /* RTP and RTCP the daemon sent (tone, mix, transcoded) */
	uint64_t forwarded_in;	  /* from the peer, forwarded by the datapath's flows */
	uint64_t forwarded_out;	  /* to the peer, forwarded by the datapath's flows */
	enum media_mode mode;
	bool rtp_latched;
	struct sockaddr_storage rtp_peer; /* latched address, else the SDP one */
};

/* Takes a port pair from the pool and binds both sockets; NULL with err set when none is free. */
struct media_stream *media_stream_new(struct daemon *d, GError **err);
/* Stops the tone (RTCP BYE), unregisters and closes the sockets, returns the port. */
void media_stream_free(struct media_stream *ms);

uint16_t media_stream_port(const struct media_stream *ms);
/* The relay's address and port of the leg's RTP socket. */
void media_stream_local_rtp(const struct media_stream *ms, struct sockaddr_storage *out);
enum media_mode media_stream_mode(const struct media_stream *ms);
/* The peer's SDP: address and port (unlatches if they changed), codec, direction. */
void media_stream_set_remote(struct media_stream *ms, const struct sdp_media_desc *remote, enum g711_law law);
/* Play a tone (restarts with a marker bit if one was playing; leaves a bridge or mix first). */
void media_stream_tone_start(struct media_stream *ms, unsigned hz);
/* Leaves the tone (RTCP BYE), bridge (the partner goes idle too) or mix: MEDIA_IDLE. */
void media_stream_detach(struct media_stream *ms);
/*
 * Connects two legs (each detached first): with the same codec the
 * datapath forwards RTP and RTCP both ways (MEDIA_BRIDGE); with PCMU on one
 * and PCMA on the other the datapath forwards RTCP and the daemon re-encodes
 * RTP (MEDIA_TRANSCODE). A leg whose peer has not sent yet is latched by
 * its first packet, which the daemon forwards, then the flow takes over.
 */
void media_stream_bridge(struct media_stream *a, struct media_stream *b);
/* The leg it is bridged with, NULL if none. */
struct media_stream *media_stream_partner(const struct media_stream *ms);

/* A conference mix: every 20 ms each member hears the others' sum. */
struct mixer *mixer_new(struct daemon *d);
/* Members must have left (media_stream_detach). */
void mixer_free(struct mixer *m);
/* Detaches ms and adds it to m (MEDIA_MIX). */
void media_stream_mix(struct media_stream *ms, struct mixer *m);

const char *media_mode_name(enum media_mode mode);
/* Seconds since the last packet from the peer (or since the stream started). */
double media_stream_idle_seconds(const struct media_stream *ms);
void media_stream_stats(const struct media_stream *ms, struct media_stream_stats *out);

/* The 20 ms clock of every playing tone; started once with the media loop. */
int media_streams_start(struct daemon *d);
void media_streams_stop(struct daemon *d);

#endif
