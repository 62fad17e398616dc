// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "tick_slots.h"

void tick_slots_init(struct tick_slots *s)
{
	for (unsigned i = 0; i < TICK_SLOTS; i++)
		s->members[i] = g_ptr_array_new();
}

void tick_slots_clear(struct tick_slots *s)
{
	for (unsigned i = 0; i < TICK_SLOTS; i++)
		g_ptr_array_free(s->members[i], TRUE);
}

unsigned tick_slots_least_loaded(const struct tick_slots *s)
{
	unsigned best = 0;

	for (unsigned i = 1; i < TICK_SLOTS; i++)
		if (s->members[i]->len < s->members[best]->len)
			best = i;
	return best;
}

void tick_slots_add(struct tick_slots *s, unsigned slot, void *member)
{
	g_ptr_array_add(s->members[slot], member);
}

void tick_slots_remove(struct tick_slots *s, unsigned slot, void *member)
{
	g_ptr_array_remove(s->members[slot], member);
}

unsigned tick_slots_elapsed(unsigned *next, uint64_t expirations, unsigned max_runs, unsigned *first)
{
	unsigned runs = MIN(expirations, max_runs);
	unsigned skipped = (expirations - runs) % TICK_SLOTS;

	*first = (*next + skipped) % TICK_SLOTS;
	*next = (*next + expirations % TICK_SLOTS) % TICK_SLOTS;
	return runs;
}
