// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <string.h>

#include "lib/tone.h"
#include "media_batch.h"
#include "media_clock.h"
#include "media_loop.h"
#include "media_stream_private.h"
#include "tick_slots.h"
#include "tick_stats.h"

#define TICK_NS		20000000 /* one frame of TONE_FRAME_SAMPLES at 8 kHz */
#define SUB_TICK_NS	(TICK_NS / TICK_SLOTS)
#define CATCH_UP_FRAMES 5    /* a late sub-tick sends at most this many frames per leg */
#define TONE_AMPLITUDE	0.25 /* of full scale, -12 dBFS: leaves headroom for mixing */

struct media_clock {
	pthread_mutex_t lock; /* priority inheritance, see media_clock_start() */
	struct media_loop *loop;
	struct tick_slots playing; /* struct media_stream *, mode TONE or MIX */
	unsigned playing_count;	   /* none: the timer is paused */
	struct tick_slots mixers;  /* struct mixer *, whose inputs advance before their members are sent */
	unsigned next_slot;	   /* the sub-tick the timer's next expiration is for */
	GHashTable *tone_loops;	   /* (hz << 8 | law) -> one second of the tone, encoded */
	struct media_batch *batch; /* the tick's RTP, sent together; NULL: each leg sends its own */
	int timer_id;
	struct tick_stats tick_stats;
};

/* One slot's share of a 20 ms tick: its rooms advance, its legs are sent their frame, then their RTCP if due. */
static void serve_slot(struct media_clock *clock, unsigned slot, gint64 now)
{
	GPtrArray *mixers = clock->mixers.members[slot], *playing = clock->playing.members[slot];

	for (guint i = 0; i < mixers->len; i++)
		mixer_advance(g_ptr_array_index(mixers, i));
	for (guint i = 0; i < playing->len; i++)
		media_stream_send_frame(g_ptr_array_index(playing, i), clock->batch);
	if (clock->batch)
		media_batch_flush(clock->batch);
	for (guint i = 0; i < playing->len; i++)
		media_stream_send_rtcp_due(g_ptr_array_index(playing, i), now);
}

static void on_sub_tick(void *user, uint64_t expirations)
{
	struct media_clock *clock = user;
	gint64 now = g_get_monotonic_time();
	unsigned slot, runs;

	media_clock_lock(clock);
	tick_stats_record(&clock->tick_stats, now, expirations, SUB_TICK_NS / 1000);
	runs = tick_slots_elapsed(&clock->next_slot, expirations, CATCH_UP_FRAMES * TICK_SLOTS, &slot);
	for (unsigned r = 0; r < runs; r++, slot = (slot + 1) % TICK_SLOTS)
		serve_slot(clock, slot, now);
	media_clock_unlock(clock);
}

/* Nothing to play, no wake-ups: an idle daemon costs no CPU for its 500 sub-ticks a second. */
static void set_ticking(struct media_clock *clock, bool ticking)
{
	int err = media_loop_pause_timer(clock->loop, clock->timer_id, !ticking);

	if (err < 0)
		g_warning("media clock: cannot %s the tick: %s", ticking ? "resume" : "pause", strerror(-err));
	/* A pause is no late tick: the first one after it starts the jitter afresh. */
	clock->tick_stats.last_us = 0;
}

struct media_clock *media_clock_start(struct media_loop *loop, const struct config *cfg)
{
	struct media_clock *clock = g_new0(struct media_clock, 1);
	pthread_mutexattr_t attr;

	/*
	 * The GLib thread takes the lock too: preempted while it holds it, by
	 * anything of its own priority, it would keep the real-time media
	 * thread waiting a scheduler slice, and every leg of the sub-tick
	 * late. Inheriting the waiter's priority, it finishes at once.
	 */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&clock->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	clock->loop = loop;
	tick_slots_init(&clock->playing);
	tick_slots_init(&clock->mixers);
	clock->tone_loops = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	clock->batch = media_batch_new(cfg);
	clock->timer_id = media_loop_add_timer(loop, SUB_TICK_NS, on_sub_tick, clock);
	if (clock->timer_id < 0) {
		int error = -clock->timer_id;

		media_clock_stop(clock);
		errno = error;
		return NULL;
	}
	set_ticking(clock, false);
	return clock;
}

void media_clock_stop(struct media_clock *clock)
{
	if (!clock)
		return;
	if (clock->timer_id >= 0)
		media_loop_remove_timer(clock->loop, clock->timer_id);
	tick_slots_clear(&clock->playing);
	tick_slots_clear(&clock->mixers);
	g_hash_table_destroy(clock->tone_loops);
	media_batch_free(clock->batch);
	pthread_mutex_destroy(&clock->lock);
	g_free(clock);
}

void media_clock_lock(struct media_clock *clock)
{
	pthread_mutex_lock(&clock->lock);
}

void media_clock_unlock(struct media_clock *clock)
{
	pthread_mutex_unlock(&clock->lock);
}

/* A room's members share its sub-tick, so that each is sent the mix of the frames taken just before. */
void media_clock_add_stream(struct media_clock *clock, struct media_stream *ms)
{
	ms->tick_slot = ms->mode == MEDIA_MIX ? mixer_tick_slot(ms->mixer) : tick_slots_least_loaded(&clock->playing);
	tick_slots_add(&clock->playing, ms->tick_slot, ms);
	if (clock->playing_count++ == 0)
		set_ticking(clock, true);
}

void media_clock_remove_stream(struct media_clock *clock, struct media_stream *ms)
{
	tick_slots_remove(&clock->playing, ms->tick_slot, ms);
	if (--clock->playing_count == 0)
		set_ticking(clock, false);
}

unsigned media_clock_add_mixer(struct media_clock *clock, struct mixer *m)
{
	unsigned slot;

	media_clock_lock(clock);
	slot = tick_slots_least_loaded(&clock->playing);
	tick_slots_add(&clock->mixers, slot, m);
	media_clock_unlock(clock);
	return slot;
}

void media_clock_remove_mixer(struct media_clock *clock, struct mixer *m, unsigned slot)
{
	media_clock_lock(clock);
	tick_slots_remove(&clock->mixers, slot, m);
	media_clock_unlock(clock);
}

void media_clock_tick_stats(struct media_clock *clock, struct tick_stats *out)
{
	media_clock_lock(clock);
	*out = clock->tick_stats;
	media_clock_unlock(clock);
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
