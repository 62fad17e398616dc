/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How well the media thread's periodic tick keeps time: the periods it
 * missed (overruns: the timer had fired more than once when the tick ran,
 * so frames went out late or were skipped) and the jitter of each tick,
 * |time since the previous tick - the periods that elapsed|, as a
 * histogram. The clock records every tick under its lock; readers copy.
 */
#ifndef RTPRELAY_TICK_STATS_H
#define RTPRELAY_TICK_STATS_H

#include <stdint.h>

#define TICK_JITTER_BUCKETS 7

/* The upper bounds of the jitter buckets, in microseconds, ascending; the last bucket is +Inf beyond them. */
extern const uint32_t tick_jitter_bounds_us[TICK_JITTER_BUCKETS];

struct tick_stats {
	uint64_t ticks;					/* ticks run */
	uint64_t overruns;				/* periods that passed without a tick of their own */
	uint64_t jitter_count[TICK_JITTER_BUCKETS + 1]; /* ticks by jitter bucket (not cumulative); last: +Inf */
	uint64_t jitter_sum_us;
	int64_t last_us; /* when the previous tick ran; 0 before the first */
};

/* One tick that ran at now_us (monotonic), the timer having fired `expirations` times since the last. */
void tick_stats_record(struct tick_stats *s, int64_t now_us, uint64_t expirations, uint64_t period_us);

#endif
