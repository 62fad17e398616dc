// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "tick_stats.h"

const uint32_t tick_jitter_bounds_us[TICK_JITTER_BUCKETS] = { 100, 250, 500, 1000, 2000, 5000, 20000 };

void tick_stats_record(struct tick_stats *s, int64_t now_us, uint64_t expirations, uint64_t period_us)
{
	int64_t jitter;
	int bucket = 0;

	s->ticks++;
	if (expirations > 1)
		s->overruns += expirations - 1;
	/* The first tick has no previous one to be measured against. */
	if (s->last_us) {
		jitter = now_us - s->last_us - (int64_t)(expirations * period_us);
		if (jitter < 0)
			jitter = -jitter;
		while (bucket < TICK_JITTER_BUCKETS && jitter > tick_jitter_bounds_us[bucket])
			bucket++;
		s->jitter_count[bucket]++;
		s->jitter_sum_us += jitter;
	}
	s->last_us = now_us;
}
