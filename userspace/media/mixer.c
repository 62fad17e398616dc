// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Conference mixing for rooms of three or more. Each member's RTP (PCMU or
 * PCMA) is decoded into a small ring as it arrives; every 20 ms tick takes
 * one frame from each ring (silence when none came), and each member is
 * sent the sum of every other member's frame, saturated to 16 bits, encoded
 * in its own codec with its own RTP stream. The room and its members share
 * one sub-tick of the clock, so every member's frame is mixed from the
 * same frames, taken just before. A ring holding more than
 * MIX_MAX_DELAY_FRAMES frames drops its oldest, so a sender whose clock
 * runs fast cannot build up delay.
 */
#include <string.h>

#include "lib/g711.h"
#include "lib/rtp.h"
#include "media_clock.h"
#include "media_stream_private.h"
#include "mixer.h"

struct mixer {
	struct media_clock *clock;
	unsigned tick_slot;		 /* the sub-tick of the room and its members */
	GPtrArray *members;		 /* struct media_stream * */
	int32_t sum[TONE_FRAME_SAMPLES]; /* of every member's current frame */
};

struct mixer *mixer_new(struct media_clock *clock)
{
	struct mixer *m = g_new0(struct mixer, 1);

	m->clock = clock;
	m->members = g_ptr_array_new();
	m->tick_slot = media_clock_add_mixer(clock, m);
	return m;
}

void mixer_free(struct mixer *m)
{
	if (!m)
		return;
	media_clock_remove_mixer(m->clock, m, m->tick_slot);
	g_ptr_array_free(m->members, TRUE);
	g_free(m);
}

void mixer_add(struct mixer *m, struct media_stream *ms)
{
	media_stream_detach(ms);
	media_clock_lock(m->clock);
	memset(&ms->mix_in, 0, sizeof(ms->mix_in));
	ms->mixer = m;
	g_ptr_array_add(m->members, ms);
	media_stream_play_locked(ms, MEDIA_MIX);
	media_clock_unlock(m->clock);
}

unsigned mixer_tick_slot(const struct mixer *m)
{
	return m->tick_slot;
}

void mixer_leave_locked(struct media_stream *ms)
{
	media_stream_stop_locked(ms);
	g_ptr_array_remove(ms->mixer->members, ms);
	ms->mixer = NULL;
}

static void ring_push(struct mix_input *in, const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (in->count == MIX_RING_SAMPLES) {
			in->head = (in->head + 1) % MIX_RING_SAMPLES;
			in->count--;
		}
		in->ring[(in->head + in->count) % MIX_RING_SAMPLES] = pcm[i];
		in->count++;
	}
}

void mixer_input(struct media_stream *ms, struct datapath_packet *pkts, int n, const enum datapath_verdict *verdicts)
{
	int16_t pcm[MEDIA_LOOP_DATAGRAM];
	struct rtp_packet rtp;

	for (int i = 0; i < n; i++) {
		if (verdicts[i] != DATAPATH_PASS || rtp_parse(pkts[i].data, pkts[i].len, &rtp) != RTP_OK)
			continue;
		if (rtp.header.payload_type != G711_ULAW && rtp.header.payload_type != G711_ALAW)
			continue; /* telephone-event and the like: not audio to mix */
		g711_decode(rtp.header.payload_type, rtp.payload, pcm, rtp.payload_len);
		ring_push(&ms->mix_in, pcm, rtp.payload_len);
	}
}

/* The member's frame for this tick, dropping what exceeds the allowed delay first. */
static void take_frame(struct mix_input *in)
{
	unsigned excess;

	if (in->count > MIX_MAX_DELAY_FRAMES * TONE_FRAME_SAMPLES) {
		excess = in->count - MIX_MAX_DELAY_FRAMES * TONE_FRAME_SAMPLES;
		in->head = (in->head + excess) % MIX_RING_SAMPLES;
		in->count -= excess;
	}
	memset(in->current, 0, sizeof(in->current));
	for (unsigned i = 0; i < TONE_FRAME_SAMPLES && in->count; i++) {
		in->current[i] = in->ring[in->head];
		in->head = (in->head + 1) % MIX_RING_SAMPLES;
		in->count--;
	}
}

void mixer_advance(struct mixer *m)
{
	memset(m->sum, 0, sizeof(m->sum));
	for (guint i = 0; i < m->members->len; i++) {
		struct media_stream *ms = g_ptr_array_index(m->members, i);

		take_frame(&ms->mix_in);
		for (unsigned s = 0; s < TONE_FRAME_SAMPLES; s++)
			m->sum[s] += ms->mix_in.current[s];
	}
}

void mixer_output(const struct media_stream *ms, int16_t *pcm)
{
	const struct mixer *m = ms->mixer;

	for (unsigned s = 0; s < TONE_FRAME_SAMPLES; s++)
		pcm[s] = CLAMP(m->sum[s] - ms->mix_in.current[s], INT16_MIN, INT16_MAX);
}
