// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/flow_table.c on real maps made like the program's (an mmapable array
 * of entries, the `flows` hash, the windows): the writer's sequence count,
 * which writes keep an entry's counters and which zero them, the counts a
 * reader adds up, an older daemon's entries, and the sweep of the entries
 * no flow names. Needs CAP_BPF (the tests run as root).
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/flow_table.h"

struct maps {
	int table_fd, flows_fd, slots_fd;
	struct flow_table_entry *table;
	struct flow_window *slots; /* window_slots mapped */
};

static int setup(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, mmapable, .map_flags = BPF_F_MMAPABLE);
	struct maps *m = calloc(1, sizeof(*m));

	m->table_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "flow_table", sizeof(__u32), sizeof(struct flow_table_entry),
				     FLOW_TABLE_ENTRIES, &mmapable);
	m->flows_fd =
	    bpf_map_create(BPF_MAP_TYPE_HASH, "flows", sizeof(struct flow_key), sizeof(struct flow_value), 1024, NULL);
	m->slots_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "window_slots", sizeof(__u32), sizeof(struct flow_window),
				     FLOW_WINDOW_SLOTS, &mmapable);
	if (m->table_fd < 0 || m->flows_fd < 0 || m->slots_fd < 0)
		return -1;
	m->table = flow_table_map(m->table_fd);
	m->slots = flow_windows_map(m->slots_fd);
	if (!m->table || !m->slots)
		return -1;
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct maps *m = *state;

	flow_table_unmap(m->table);
	flow_windows_unmap(m->slots);
	close(m->table_fd);
	close(m->flows_fd);
	close(m->slots_fd);
	free(m);
	return 0;
}

static struct flow_key key_of(uint16_t port)
{
	struct flow_key k = { .port = htons(port), .family = FLOW_AF_INET };

	k.addr.v4 = htonl(0x0a000001);
	return k;
}

static struct flow_value value_to(uint32_t dst, uint16_t port)
{
	struct flow_value v = { .dst_port = htons(port), .flags = FLOW_F_LATCHED };

	v.dst_addr.v4 = htonl(dst);
	v.nexthop.ifindex = 1;
	v.nexthop.mtu = 1500;
	return v;
}

/* The entry as the program would read it, through the map's syscall. */
static struct flow_table_entry entry_read(const struct maps *m, __u32 slot)
{
	struct flow_table_entry e;

	assert_int_equal(bpf_map_lookup_elem(m->table_fd, &slot, &e), 0);
	return e;
}

/* What the program counts in an entry: packets forwarded by it. */
static void count_in_entry(struct maps *m, __u32 slot, __u64 packets, __u64 seen)
{
	m->table[slot].value.counters.packets += packets;
	m->table[slot].value.counters.bytes += packets * 160;
	m->table[slot].value.counters.sampled_seen_ns = seen;
}

static void test_write_and_give(void **state)
{
	struct maps *m = *state;
	struct flow_value v = value_to(0x0a000002, 5000), w = value_to(0x0a000003, 6000);
	struct flow_table_entry e;

	/* Given to the flow: present, seq even and not 0, the hot part v's, counters zero. */
	count_in_entry(m, 7, 99, 1);
	assert_int_equal(flow_table_write(m->table, 7, &v, true), 0);
	e = entry_read(m, 7);
	assert_int_equal(e.present, 1);
	assert_int_equal(e.seq, 2);
	assert_memory_equal(&e.value, &v, FLOW_TABLE_HOT_BYTES);
	assert_int_equal(e.value.counters.packets, 0);
	assert_int_equal(e.value.counters.sampled_seen_ns, 0);

	/* Rewritten (the flow's already): its counts go on, only the fields change. */
	count_in_entry(m, 7, 5, 42);
	assert_int_equal(flow_table_write(m->table, 7, &w, false), 0);
	e = entry_read(m, 7);
	assert_int_equal(e.seq, 4);
	assert_memory_equal(&e.value, &w, FLOW_TABLE_HOT_BYTES);
	assert_int_equal(e.value.counters.packets, 5);
	assert_int_equal(e.value.counters.bytes, 5 * 160);
	assert_int_equal(e.value.counters.sampled_seen_ns, 42);

	/* Cleared: absent, fields and counters left as they were. */
	assert_int_equal(flow_table_clear(m->table, 7), 0);
	e = entry_read(m, 7);
	assert_int_equal(e.present, 0);
	assert_int_equal(e.seq, 6);
	assert_memory_equal(&e.value, &w, FLOW_TABLE_HOT_BYTES);
	assert_int_equal(e.value.counters.packets, 5);
	assert_int_equal(flow_table_clear(m->table, 7), 0);
	assert_int_equal(entry_read(m, 7).seq, 6); /* absent already: nothing written */
}

/* A daemon killed between the two increments leaves seq odd: the next write ends even. */
static void test_seq_left_odd_and_wrapping(void **state)
{
	struct maps *m = *state;
	struct flow_value v = value_to(0x0a000002, 5000);

	m->table[3].seq = 5;
	assert_int_equal(flow_table_write(m->table, 3, &v, true), 0);
	assert_int_equal(entry_read(m, 3).seq, 6);

	/* 0 marks an older daemon's entry: a wrapping seq skips it. */
	m->table[3].seq = UINT32_MAX - 1;
	assert_int_equal(flow_table_write(m->table, 3, &v, false), 0);
	assert_int_equal(entry_read(m, 3).seq, 2);
}

static void test_owned(void **state)
{
	struct maps *m = *state;
	struct flow_value v = value_to(0x0a000002, 5000), old;

	v.table_slot = 10 + 1;
	v.counters.packets = 3; /* counted in `flows` while the entry was being written */
	old = v;
	assert_false(flow_table_owned(m->table, 10, &old)); /* absent: not the flow's yet */

	assert_int_equal(flow_table_write(m->table, 10, &v, true), 0);
	assert_true(flow_table_owned(m->table, 10, &old));
	assert_int_equal(old.counters.packets, 3);
	assert_false(flow_table_owned(m->table, 11, &old)); /* old names another entry */

	/* An older daemon's entry (seq 0): `flows` holds a stale copy of its counters. */
	m->table[10].seq = 0;
	assert_true(flow_table_owned(m->table, 10, &old));
	assert_int_equal(old.counters.packets, 0);
}

static void test_counters(void **state)
{
	struct maps *m = *state;
	struct flow_value v = value_to(0x0a000002, 5000), got;

	v.table_slot = 20 + 1;
	v.counters.packets = 2;
	v.counters.bytes = 2 * 160;
	v.counters.sampled_seen_ns = 50;
	v.counters.wrong_source = 1;

	/* No entry or an absent one: `flows` alone. */
	got = v;
	got.table_slot = 0;
	assert_int_equal(flow_table_counters(m->table_fd, &got), 0);
	assert_int_equal(got.counters.packets, 2);
	got = v;
	assert_int_equal(flow_table_counters(m->table_fd, &got), 0);
	assert_int_equal(got.counters.packets, 2);

	/* Present: both added, the later sample kept. */
	assert_int_equal(flow_table_write(m->table, 20, &v, true), 0);
	count_in_entry(m, 20, 10, 40);
	m->table[20].value.counters.wrong_source = 4;
	got = v;
	assert_int_equal(flow_table_counters(m->table_fd, &got), 0);
	assert_int_equal(got.counters.packets, 12);
	assert_int_equal(got.counters.bytes, 12 * 160);
	assert_int_equal(got.counters.wrong_source, 5);
	assert_int_equal(got.counters.sampled_seen_ns, 50);
	m->table[20].value.counters.sampled_seen_ns = 60;
	got = v;
	assert_int_equal(flow_table_counters(m->table_fd, &got), 0);
	assert_int_equal(got.counters.sampled_seen_ns, 60);

	/* An older daemon's entry: its counters are the flow's all. */
	m->table[20].seq = 0;
	got = v;
	assert_int_equal(flow_table_counters(m->table_fd, &got), 0);
	assert_int_equal(got.counters.packets, 10);
	assert_int_equal(got.counters.wrong_source, 4);
}

/* The window of 10.0.0.1's ports 0-1023 at entry `base`, in its first slot, as flow_table_slot puts it. */
static void add_window(const struct maps *m, __u32 base)
{
	struct flow_key w = key_of(0); /* port 0: block 0 */
	struct flow_window *s = &m->slots[flow_window_slot(flow_addr_fold(&w.addr), 0, w.family, 0)];

	assert_int_equal(s->base1, 0);
	s->key = w;
	s->base1 = base + 1;
	assert_int_equal(flow_table_slot(m->slots, -1, &w, false), (int)base);
}

static void test_sweep(void **state)
{
	struct maps *m = *state;
	const __u32 base = 2048;
	struct flow_value named = value_to(0x0a000002, 5000), stale = value_to(0x0a000009, 9000), other;
	struct flow_key k_named = key_of(100), k_other = key_of(200), k_gone = key_of(300);

	add_window(m, base);
	named.table_slot = base + 100 + 1;
	assert_int_equal(bpf_map_update_elem(m->flows_fd, &k_named, &named, BPF_NOEXIST), 0);
	assert_int_equal(flow_table_write(m->table, base + 100, &named, true), 0);
	count_in_entry(m, base + 100, 7, 1);
	/* A flow an older daemon replaced: `flows` no longer names the entry. */
	other = named;
	other.table_slot = 0;
	assert_int_equal(bpf_map_update_elem(m->flows_fd, &k_other, &other, BPF_NOEXIST), 0);
	assert_int_equal(flow_table_write(m->table, base + 200, &stale, true), 0);
	/* A flow an older daemon deleted. */
	assert_int_equal(flow_table_write(m->table, base + 300, &stale, true), 0);
	assert_true(bpf_map_lookup_elem(m->flows_fd, &k_gone, &other) < 0 && errno == ENOENT);

	assert_int_equal(flow_table_sweep(m->slots, m->flows_fd, m->table), 0);
	assert_int_equal(entry_read(m, base + 100).present, 1);
	assert_int_equal(entry_read(m, base + 100).value.counters.packets, 7);
	assert_int_equal(entry_read(m, base + 200).present, 0);
	assert_int_equal(entry_read(m, base + 300).present, 0);
}

/* Slots come from pinned maps: one beyond the table is refused, never written. */
static void test_out_of_range(void **state)
{
	struct maps *m = *state;
	struct flow_value v = value_to(0x0a000002, 5000);
	const __u32 beyond = FLOW_TABLE_ENTRIES - FLOW_WINDOW_PORTS + 1;

	assert_int_equal(flow_table_write(m->table, FLOW_TABLE_ENTRIES, &v, true), -ERANGE);
	assert_int_equal(flow_table_clear(m->table, FLOW_TABLE_ENTRIES), -ERANGE);
	v.table_slot = FLOW_TABLE_ENTRIES + 1;
	assert_false(flow_table_owned(m->table, FLOW_TABLE_ENTRIES, &v));

	/* A window whose end is beyond the table: left alone, the others swept. */
	add_window(m, beyond);
	assert_int_equal(flow_table_write(m->table, beyond, &v, true), 0);
	assert_int_equal(flow_table_sweep(m->slots, m->flows_fd, m->table), -ERANGE);
	assert_int_equal(entry_read(m, beyond).present, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_give, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_left_odd_and_wrapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
