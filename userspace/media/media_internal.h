/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What media_stream.c, media_bridge.c and mixer.c share and nothing else
 * sees: the state of one leg, the 20 ms clock, and the functions one part
 * calls in another. Every field marked "clock->lock" is read and written
 * by both the GLib thread and the media thread, with the lock held.
 */
#ifndef RTPRELAY_MEDIA_INTERNAL_H
#define RTPRELAY_MEDIA_INTERNAL_H

#include "media_stream.h"
#include "lib/rtp.h"
#include "lib/tone.h"

enum { MEDIA_RTP, MEDIA_RTCP };

/* Decoded audio a mix member sent, waiting for the next ticks. */
/* The tone plays one encoded second in a loop. */
#define TONE_LOOP_FRAMES (TONE_SAMPLE_RATE / TONE_FRAME_SAMPLES)

#define MIX_RING_FRAMES	 8
#define MIX_RING_SAMPLES (MIX_RING_FRAMES * TONE_FRAME_SAMPLES)
/* More than this many frames waiting: drop the oldest (bounded delay). */
#define MIX_MAX_DELAY_FRAMES 3

struct mix_input {
	int16_t ring[MIX_RING_SAMPLES];
	unsigned head;			     /* index of the oldest sample */
	unsigned count;			     /* samples waiting */
	int16_t current[TONE_FRAME_SAMPLES]; /* this tick's frame (silence if none came) */
};

struct media_stream {
	struct daemon *d;
	uint16_t port;
	int fd[2]; /* MEDIA_RTP, MEDIA_RTCP */
	struct flow_key key[2];

	/* Fields below: clock->lock. */
	struct sockaddr_storage sdp_peer[2];
	struct sockaddr_storage latched_peer[2];
	bool latched[2];
	bool peer_receives; /* the peer's SDP direction lets it receive */
	enum g711_law law;
	enum media_mode mode;
	struct media_stream *partner; /* MEDIA_BRIDGE, MEDIA_TRANSCODE */
	struct mixer *mixer;	      /* MEDIA_MIX */
	struct mix_input mix_in;
	unsigned tone_hz;
	unsigned tone_frame;   /* the next frame of the tone's one-second loop */
	struct rtp_sender rtp; /* what the daemon itself sends (tone, mix) */
	gint64 last_rtp_us;
	gint64 next_rtcp_us;
	double avg_rtcp_size;
	struct media_stream_stats stats;
	gint64 last_rx_us;
};

/* The 20 ms tick of every stream the daemon plays (tone or mix). */
struct media_clock {
	GMutex lock;
	GPtrArray *playing;	   /* struct media_stream *, mode TONE or MIX */
	GPtrArray *mixers;	   /* struct mixer *, whose inputs advance each tick */
	GHashTable *tone_loops;	   /* (hz << 8 | law) -> one second of the tone, encoded: shared by every stream */
	struct media_batch *batch; /* the tick's RTP, sent together; NULL: each stream sends its own */
	int timer_id;
};

/* media_stream.c, with clock->lock held. */
/* Where the leg's peer gets packets on socket `which`: latched, else SDP; NULL before any SDP. */
const struct sockaddr_storage *media_stream_peer(const struct media_stream *ms, int which);
/* Sends from socket `which` to the peer (nothing before the peer's SDP); counts it. */
void media_stream_send(struct media_stream *ms, int which, const uint8_t *buf, size_t len);
/* Starts playing (tone or mix frames) with a marker bit, or stops with an RTCP BYE. */
void media_stream_play_locked(struct media_stream *ms, enum media_mode mode);
void media_stream_stop_locked(struct media_stream *ms);

/* media_bridge.c, with clock->lock held. */
/* Writes the flows of a bridged pair from both legs' current state. */
void media_bridge_program(struct media_stream *ms);
/* RTP the peer of a transcoded leg sent: re-encoded, sent to the partner's peer. */
void media_bridge_transcode(struct media_stream *ms, struct datapath_packet *pkts, int n,
			    const enum datapath_verdict *verdicts);
void media_bridge_unbridge_locked(struct media_stream *ms);
/* CLOCK_MONOTONIC µs of the last packet the flows forwarded from the leg's peer; 0 if none. */
gint64 media_bridge_last_seen_us(const struct media_stream *ms);
/* Adds what the datapath's flows forwarded from and to the leg's peer. */
void media_bridge_add_flow_counters(const struct media_stream *ms, struct media_stream_stats *out);

/* media_batch.c: the media thread's batched sends (see there). NULL when no raw socket can be had. */
struct media_batch *media_batch_new(const struct config *cfg);
void media_batch_free(struct media_batch *b);
/* Queues one RTP packet (header and payload) from ms's RTP port to its peer; with clock->lock held. */
void media_batch_add(struct media_batch *b, struct media_stream *ms, const uint8_t *rtp, size_t len);
/* Sends what is queued; the streams count what left. */
void media_batch_flush(struct media_batch *b);

/* mixer.c, with clock->lock held. */
void mixer_input(struct media_stream *ms, struct datapath_packet *pkts, int n, const enum datapath_verdict *verdicts);
/* Each member's frame for this tick. */
void mixer_advance(struct mixer *m);
/* What ms hears this tick: the sum of the other members' frames, saturated. */
void mixer_output(const struct media_stream *ms, int16_t *pcm);
void mixer_leave_locked(struct media_stream *ms);

#endif
