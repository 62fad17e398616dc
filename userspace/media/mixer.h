/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A conference mix: every 20 ms each member hears the sum of the others. */
#ifndef RTPRELAY_MIXER_H
#define RTPRELAY_MIXER_H

#include <stdint.h>

#include "lib/tone.h"
#include "media_loop.h"

struct media_clock;
struct media_stream;
struct mixer;

#define MIX_RING_FRAMES	 8
#define MIX_RING_SAMPLES (MIX_RING_FRAMES * TONE_FRAME_SAMPLES)
/* More than this many frames waiting: drop the oldest (bounded delay). */
#define MIX_MAX_DELAY_FRAMES 3

/* Decoded audio a member sent, waiting for the next ticks; part of its leg, written by mixer.c alone. */
struct mix_input {
	int16_t ring[MIX_RING_SAMPLES];
	unsigned head;			     /* index of the oldest sample */
	unsigned count;			     /* samples waiting */
	int16_t current[TONE_FRAME_SAMPLES]; /* this tick's frame (silence if none came) */
};

/* A mix advanced by clock's tick. */
struct mixer *mixer_new(struct media_clock *clock);
/* Members must have left (media_stream_detach). NULL is allowed. */
void mixer_free(struct mixer *m);
/* Detaches ms and adds it to m (MEDIA_MIX). */
void mixer_add(struct mixer *m, struct media_stream *ms);

/* The following are for media/ alone, with the clock's lock held. */
/* RTP a member's peer sent: decoded into its ring. */
void mixer_input(struct media_stream *ms, struct datapath_packet *pkts, int n, const enum datapath_verdict *verdicts);
/* Each member's frame for this tick. */
void mixer_advance(struct mixer *m);
/* What ms hears this tick: the sum of the other members' frames, saturated. */
void mixer_output(const struct media_stream *ms, int16_t *pcm);
/* The sub-tick of the clock where m advances and its members are sent their frames. */
unsigned mixer_tick_slot(const struct mixer *m);
/* Takes ms out of its mixer; it goes idle. */
void mixer_leave_locked(struct media_stream *ms);

#endif
