/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The 20 ms tick of every leg the daemon plays to (a tone or a mix), on
 * the media thread, cut into the sub-ticks of tick_slots.h: each leg and
 * each mixer keeps one sub-tick while it plays. A sub-tick advances its
 * mixers, sends its legs their frame (batched when media_batch.h can),
 * then the RTCP that is due.
 * Its lock guards the state of every leg and mixer (media_stream_private.h),
 * which the GLib thread and the media thread both touch.
 */
#ifndef RTPRELAY_MEDIA_CLOCK_H
#define RTPRELAY_MEDIA_CLOCK_H

#include <stdint.h>

#include "lib/g711.h"

struct config;
struct media_clock;
struct media_loop;
struct media_stream;
struct mixer;
struct tick_stats;

/* Starts the tick on the media thread of loop; NULL with errno set when its timer cannot be added. */
struct media_clock *media_clock_start(struct media_loop *loop, const struct config *cfg);
/* Stops the tick; every leg and mixer must be gone. NULL is allowed. */
void media_clock_stop(struct media_clock *clock);
/* A copy of how the tick has kept time since the start (tick_stats.h). */
void media_clock_tick_stats(struct media_clock *clock, struct tick_stats *out);

/* The following are for media/ alone. */
void media_clock_lock(struct media_clock *clock);
void media_clock_unlock(struct media_clock *clock);
/*
 * With the lock held: ms is sent a frame and its RTCP every tick until
 * removed; a mix member in its mixer's sub-tick, any other in the least
 * loaded.
 */
void media_clock_add_stream(struct media_clock *clock, struct media_stream *ms);
void media_clock_remove_stream(struct media_clock *clock, struct media_stream *ms);
/* Takes the lock: m's inputs advance each tick, before its members are sent their frames. Returns its sub-tick. */
unsigned media_clock_add_mixer(struct media_clock *clock, struct mixer *m);
void media_clock_remove_mixer(struct media_clock *clock, struct mixer *m, unsigned slot);
/* With the lock held: one second of the tone, encoded; shared by every leg playing it. */
const uint8_t *media_clock_tone_loop(struct media_clock *clock, unsigned hz, enum g711_law law);

#endif
