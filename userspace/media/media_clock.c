// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <glib.h>

#include "lib/tone.h"
#include "media_batch.h"
#include "media_clock.h"
#include "media_loop.h"
#include "media_stream_private.h"
#include "tick_stats.h"

#define TICK_NS		20000000 /* one frame of TONE_FRAME_SAMPLES at 8 kHz */
#define CATCH_UP_FRAMES 5	 /* a late tick sends at most this many frames */
#define TONE_AMPLITUDE	0.25	 /* of full scale, -12 dBFS: leaves headroom for mixing */

struct media_clock {
	GMutex lock;
	struct media_loop *loop;
	GPtrArray *playing;	   /* struct media_stream *, mode TONE or MIX */
	GPtrArray *mixers;	   /* struct mixer *, whose inputs advance each tick */
	GHashTable *tone_loops;	   /* (hz << 8 | law) -> one second of the tone, encoded */
	struct media_batch *batch; /* the tick's RTP, sent together; NULL: each leg sends its own */
	int timer_id;
	struct tick_stats tick_stats;
};

static void on_tick(void *user, uint64_t expirations)
{
	struct media_clock *clock = user;
	unsigned frames = MIN(expirations, CATCH_UP_FRAMES);
	gint64 now = g_get_monotonic_time();

	g_mutex_lock(&clock->lock);
	tick_stats_record(&clock->tick_stats, now, expirations, TICK_NS / 1000);
	for (unsigned f = 0; f < frames; f++) {
		for (guint i = 0; i < clock->mixers->len; i++)
			mixer_advance(g_ptr_array_index(clock->mixers, i));
		for (guint i = 0; i < clock->playing->len; i++)
			media_stream_send_frame(g_ptr_array_index(clock->playing, i), clock->batch);
		if (clock->batch)
			media_batch_flush(clock->batch);
	}
	for (guint i = 0; i < clock->playing->len; i++)
		media_stream_send_rtcp_due(g_ptr_array_index(clock->playing, i), now);
	g_mutex_unlock(&clock->lock);
}

struct media_clock *media_clock_start(struct media_loop *loop, const struct config *cfg)
{
	struct media_clock *clock = g_new0(struct media_clock, 1);

	g_mutex_init(&clock->lock);
	clock->loop = loop;
	clock->playing = g_ptr_array_new();
	clock->mixers = g_ptr_array_new();
	clock->tone_loops = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	clock->batch = media_batch_new(cfg);
	clock->timer_id = media_loop_add_timer(loop, TICK_NS, on_tick, clock);
	if (clock->timer_id < 0) {
		int error = -clock->timer_id;

		media_clock_stop(clock);
		errno = error;
		return NULL;
	}
	return clock;
}

void media_clock_stop(struct media_clock *clock)
{
	if (!clock)
		return;
	if (clock->timer_id >= 0)
		media_loop_remove_timer(clock->loop, clock->timer_id);
	g_ptr_array_free(clock->playing, TRUE);
	g_ptr_array_free(clock->mixers, TRUE);
	g_hash_table_destroy(clock->tone_loops);
	media_batch_free(clock->batch);
	g_mutex_clear(&clock->lock);
	g_free(clock);
}

void media_clock_lock(struct media_clock *clock)
{
	g_mutex_lock(&clock->lock);
}

void media_clock_unlock(struct media_clock *clock)
{
	g_mutex_unlock(&clock->lock);
}

void media_clock_add_stream(struct media_clock *clock, struct media_stream *ms)
{
	g_ptr_array_add(clock->playing, ms);
}

void media_clock_remove_stream(struct media_clock *clock, struct media_stream *ms)
{
	g_ptr_array_remove_fast(clock->playing, ms);
}

void media_clock_add_mixer(struct media_clock *clock, struct mixer *m)
{
	g_mutex_lock(&clock->lock);
	g_ptr_array_add(clock->mixers, m);
	g_mutex_unlock(&clock->lock);
}

void media_clock_remove_mixer(struct media_clock *clock, struct mixer *m)
{
	g_mutex_lock(&clock->lock);
	g_ptr_array_remove_fast(clock->mixers, m);
	g_mutex_unlock(&clock->lock);
}

void media_clock_tick_stats(struct media_clock *clock, struct tick_stats *out)
{
	g_mutex_lock(&clock->lock);
	*out = clock->tick_stats;
	g_mutex_unlock(&clock->lock);
}

/* Encoded once per frequency and law, the first time a leg plays it. */
const uint8_t *media_clock_tone_loop(struct media_clock *clock, unsigned hz, enum g711_law law)
{
	gpointer key = GUINT_TO_POINTER(hz << 8 | law);
	uint8_t *loop = g_hash_table_lookup(clock->tone_loops, key);
	int16_t pcm[TONE_SAMPLE_RATE];

	if (!loop) {
		loop = g_malloc(TONE_SAMPLE_RATE);
		tone_fill_second(hz, TONE_AMPLITUDE, pcm);
		g711_encode(law, pcm, loop, TONE_SAMPLE_RATE);
		g_hash_table_insert(clock->tone_loops, key, loop);
	}
	return loop;
}
