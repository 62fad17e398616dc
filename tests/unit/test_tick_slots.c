// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sub-ticks of the 20 ms period: new members go to the least loaded,
 * a member keeps its sub-tick and its place in it while others come and
 * go, and a late timer serves every elapsed sub-tick in order, the same
 * number of times each when it has to skip some.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "media/tick_slots.h"

#define MEMBERS 25

static int member[MEMBERS]; /* their addresses stand for legs */

/* Adds member i where the least loaded says; returns the slot. */
static unsigned add(struct tick_slots *s, int i)
{
	unsigned slot = tick_slots_least_loaded(s);

	tick_slots_add(s, slot, &member[i]);
	return slot;
}

static void new_members_spread_evenly(void **state)
{
	struct tick_slots s;
	unsigned slot[MEMBERS];

	tick_slots_init(&s);
	for (int i = 0; i < MEMBERS; i++)
		slot[i] = add(&s, i);
	/* Empty slots first, lowest first: 0..9, 0..9, 0..4. */
	for (int i = 0; i < MEMBERS; i++)
		assert_int_equal(slot[i], i % TICK_SLOTS);
	for (unsigned k = 0; k < TICK_SLOTS; k++)
		assert_int_equal(s.members[k]->len, k < MEMBERS % TICK_SLOTS ? 3 : 2);
	for (int i = 0; i < MEMBERS; i++)
		tick_slots_remove(&s, slot[i], &member[i]);
	tick_slots_clear(&s);
}

static void a_member_keeps_its_slot_and_place(void **state)
{
	struct tick_slots s;

	tick_slots_init(&s);
	for (int i = 0; i < MEMBERS; i++)
		add(&s, i);
	/* Slot 3 holds members 3, 13, 23; 13 leaves: 3 and 23 stay in order. */
	tick_slots_remove(&s, 3, &member[13]);
	assert_int_equal(s.members[3]->len, 2);
	assert_ptr_equal(g_ptr_array_index(s.members[3], 0), &member[3]);
	assert_ptr_equal(g_ptr_array_index(s.members[3], 1), &member[23]);
	/* Slot 7 (members 7, 17) loses both: newcomers fill it back to 2, then the lowest of 2, slot 3. */
	tick_slots_remove(&s, 7, &member[7]);
	tick_slots_remove(&s, 7, &member[17]);
	assert_int_equal(add(&s, 7), 7);
	assert_int_equal(add(&s, 17), 7);
	assert_int_equal(add(&s, 13), 3);
	/* The members of the other slots did not move. */
	assert_ptr_equal(g_ptr_array_index(s.members[0], 2), &member[20]);
	assert_ptr_equal(g_ptr_array_index(s.members[9], 1), &member[19]);
	for (unsigned k = 0; k < TICK_SLOTS; k++)
		g_ptr_array_set_size(s.members[k], 0);
	tick_slots_clear(&s);
}

static void on_time_serves_the_next_slot(void **state)
{
	unsigned next = 0, first;

	for (unsigned k = 0; k < 3 * TICK_SLOTS; k++) {
		assert_int_equal(tick_slots_elapsed(&next, 1, 50, &first), 1);
		assert_int_equal(first, k % TICK_SLOTS);
		assert_int_equal(next, (k + 1) % TICK_SLOTS);
	}
}

static void late_serves_every_elapsed_slot_in_order(void **state)
{
	unsigned next = 8, first;

	assert_int_equal(tick_slots_elapsed(&next, 3, 50, &first), 3);
	assert_int_equal(first, 8); /* 8, 9, 0 */
	assert_int_equal(next, 1);
}

/* 57 elapsed, 50 allowed: the last 50 (slots 7..6, five times each); the period's phase is kept. */
static void very_late_skips_the_oldest_whole_periods(void **state)
{
	unsigned next = 0, first, served[TICK_SLOTS] = { 0 };
	unsigned runs = tick_slots_elapsed(&next, 57, 5 * TICK_SLOTS, &first);

	assert_int_equal(runs, 50);
	assert_int_equal(first, 7);
	assert_int_equal(next, 7);
	for (unsigned r = 0, slot = first; r < runs; r++, slot = (slot + 1) % TICK_SLOTS)
		served[slot]++;
	for (unsigned k = 0; k < TICK_SLOTS; k++)
		assert_int_equal(served[k], 5);
	/* A stall of hours: still 50, still in phase. */
	next = 4;
	assert_int_equal(tick_slots_elapsed(&next, UINT64_MAX, 50, &first), 50);
	assert_int_equal(next, (4 + UINT64_MAX % TICK_SLOTS) % TICK_SLOTS);
	assert_int_equal((first + 50) % TICK_SLOTS, next);
}

/* Whatever the timer's lateness, each slot is served once per TICK_SLOTS elapsed sub-ticks. */
static void every_slot_once_per_period(void **state)
{
	static const uint64_t expirations[] = { 1, 1, 4, 1, 9, 2, 13, 1, 1, 7, 1 };
	unsigned next = 0, first, served[TICK_SLOTS] = { 0 };
	uint64_t elapsed = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(expirations); i++) {
		unsigned runs = tick_slots_elapsed(&next, expirations[i], 50, &first);

		for (unsigned r = 0, slot = first; r < runs; r++, slot = (slot + 1) % TICK_SLOTS)
			served[slot]++;
		elapsed += expirations[i];
	}
	assert_int_equal(elapsed, 41);
	for (unsigned k = 0; k < TICK_SLOTS; k++)
		assert_int_equal(served[k], k < 1 ? 5 : 4); /* slot 0 began the 41st */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_members_spread_evenly),
		cmocka_unit_test(a_member_keeps_its_slot_and_place),
		cmocka_unit_test(on_time_serves_the_next_slot),
		cmocka_unit_test(late_serves_every_elapsed_slot_in_order),
		cmocka_unit_test(very_late_skips_the_oldest_whole_periods),
		cmocka_unit_test(every_slot_once_per_period),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
