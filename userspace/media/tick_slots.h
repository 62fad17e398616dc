/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The 20 ms period cut into TICK_SLOTS sub-ticks, and what each sub-tick
 * serves. Sending every leg's frame at once makes one burst that grows
 * with the calls, and the last leg's packet leaves a burst's length after
 * the first's; a leg that keeps one sub-tick while it plays shares its
 * burst with a tenth of the legs only, so its packets stay 20 ms apart
 * within a tenth of the spread.
 */
#ifndef RTPRELAY_TICK_SLOTS_H
#define RTPRELAY_TICK_SLOTS_H

#include <glib.h>
#include <stdint.h>

#define TICK_SLOTS 10

struct tick_slots {
	GPtrArray *members[TICK_SLOTS]; /* each sub-tick's, in the order they are served */
};

void tick_slots_init(struct tick_slots *s);
/* Every member must have been removed. */
void tick_slots_clear(struct tick_slots *s);
/* The sub-tick with the fewest members; the lowest of equals. */
unsigned tick_slots_least_loaded(const struct tick_slots *s);
void tick_slots_add(struct tick_slots *s, unsigned slot, void *member);
/* The others keep their order: their packets move by one packet's time at most. */
void tick_slots_remove(struct tick_slots *s, unsigned slot, void *member);

/*
 * The timer reports `expirations` sub-ticks since its last call, the first
 * of them slot *next's. Returns how many to serve, the last max_runs of them
 * at most, from *first on (wrapping); *next moves past all of them, so a
 * leg keeps its place in the period even when some are skipped.
 */
unsigned tick_slots_elapsed(unsigned *next, uint64_t expirations, unsigned max_runs, unsigned *first);

#endif
