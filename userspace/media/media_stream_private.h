/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The state of one leg, for the files of media/ that act on it; nothing
 * outside media/ includes this. Who writes which fields:
 *   media_stream.c  all of them at creation; afterwards the peers, latching,
 *                   law, tone, RTP sender, RTCP schedule, mode (tone, idle)
 *                   and the rx/tx counters
 *   media_bridge.c  partner, mode (bridge, transcode, idle) and the
 *                   forwarded_* counters
 *   mixer.c         mixer and mix_in (mode through media_stream_play_locked)
 *   media_batch.c   stats.tx_packets, through the counter media_batch_add()
 *                   is given
 *   media_clock.c   tick_slot
 * env, port, fd and key are set at creation and only read afterwards; every
 * field after them is read and written with the clock's lock held
 * (media_clock_lock), by the GLib thread and the media thread alike.
 */
#ifndef RTPRELAY_MEDIA_STREAM_PRIVATE_H
#define RTPRELAY_MEDIA_STREAM_PRIVATE_H

#include "lib/rtp.h"
#include "media_stream.h"
#include "mixer.h"

enum { MEDIA_RTP, MEDIA_RTCP };

struct media_batch;

/* Counters of one leg: its own and its flows', which media_stream_leg_info() shows. */
struct media_stream_stats {
	uint64_t rx_packets;	    /* from the peer, taken by the daemon and counted by no flow */
	uint64_t rx_wrong_source;   /* dropped by the daemon: not the latched peer, or refused by endpoint learning */
	uint64_t tx_packets;	    /* RTP and RTCP the daemon sent (tone, mix, transcoded) */
	uint64_t forwarded_in;	    /* from the peer, forwarded by the datapath's flows */
	uint64_t forwarded_out;	    /* to the peer, forwarded by the datapath's flows */
	uint64_t flow_wrong_source; /* dropped by the datapath's flows (while they exist): from another source */
	enum media_mode mode;
	bool rtp_latched;
	struct sockaddr_storage rtp_peer; /* latched address, else the SDP one */
};

struct media_stream {
	const struct media_env *env;
	uint16_t port;
	int fd[2]; /* MEDIA_RTP, MEDIA_RTCP */
	struct flow_key key[2];

	/* Fields below: the clock's lock. */
	struct sockaddr_storage sdp_peer[2];
	struct sockaddr_storage latched_peer[2];
	bool latched[2];
	bool peer_receives;		    /* the peer's SDP direction lets it receive */
	bool peer_sends;		    /* ... and send */
	struct sockaddr_storage signal_src; /* where the peer's SIP came from; AF_UNSPEC: unknown */
	gint64 learning_until_us;	    /* end of the endpoint-learning window after the SDP */
	bool asymmetric;		    /* latched to the SDP's address, never learning another */
	enum g711_law law;
	enum media_mode mode;
	struct media_stream *partner; /* MEDIA_BRIDGE, MEDIA_TRANSCODE */
	struct mixer *mixer;	      /* MEDIA_MIX */
	struct mix_input mix_in;
	unsigned tone_hz;
	unsigned tone_frame;   /* the next frame of the tone's one-second loop */
	struct rtp_sender rtp; /* what the daemon itself sends (tone, mix) */
	unsigned tick_slot;    /* the sub-tick that sends its frames while it plays */
	gint64 last_rtp_us;
	gint64 next_rtcp_us;
	double avg_rtcp_size;
	struct media_stream_stats stats;
	gint64 last_rx_us;
};

/* The following: media_stream.c, with the clock's lock held. */
/* Where the leg's peer gets packets on socket `which`: latched, else SDP; NULL before any SDP. */
const struct sockaddr_storage *media_stream_peer(const struct media_stream *ms, int which);
/* Sends from socket `which` to the peer (nothing before the peer's SDP); counts it. */
void media_stream_send(struct media_stream *ms, int which, const uint8_t *buf, size_t len);
/* Starts playing (tone or mix frames) with a marker bit, or stops with an RTCP BYE. */
void media_stream_play_locked(struct media_stream *ms, enum media_mode mode);
void media_stream_stop_locked(struct media_stream *ms);
/* A playing leg's tick: its next frame (through batch unless NULL), then its RTCP if due at now. */
void media_stream_send_frame(struct media_stream *ms, struct media_batch *batch);
void media_stream_send_rtcp_due(struct media_stream *ms, gint64 now);

#endif
