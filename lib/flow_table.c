// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flow_table.h"

static struct flow_key window_key(const struct flow_key *key)
{
	struct flow_key w = *key;

	w.port = ntohs(key->port) >> FLOW_WINDOW_SHIFT;
	return w;
}

struct flow_window *flow_windows_map(int slots_fd)
{
	void *slots =
	    mmap(NULL, FLOW_WINDOW_SLOTS * sizeof(struct flow_window), PROT_READ | PROT_WRITE, MAP_SHARED, slots_fd, 0);

	return slots == MAP_FAILED ? NULL : slots;
}

void flow_windows_unmap(struct flow_window *slots)
{
	if (slots)
		munmap(slots, FLOW_WINDOW_SLOTS * sizeof(struct flow_window));
}

/* The first entry after every window handed out. */
static __u32 windows_end(const struct flow_window *slots)
{
	__u32 end = 0;

	for (__u32 i = 0; i < FLOW_WINDOW_SLOTS; i++)
		if (slots[i].base1 && slots[i].base1 - 1 + FLOW_WINDOW_PORTS > end)
			end = slots[i].base1 - 1 + FLOW_WINDOW_PORTS;
	return end;
}

/* Fills free slot s in the order bpf/flow_abi.h gives: base1, the key, its family last. */
static void window_fill(struct flow_window *s, const struct flow_key *w, __u32 base)
{
	struct flow_key k = *w;

	k.family = 0;
	__atomic_store_n(&s->base1, base + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(&s->key, &k, sizeof(k));
	__atomic_store_n(&s->key.family, w->family, __ATOMIC_RELEASE);
}

/* Frees slot s: its family first, so that no packet matches it meanwhile. */
static void window_empty(struct flow_window *s)
{
	__atomic_store_n(&s->key.family, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&s->base1, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset(&s->key, 0, sizeof(s->key));
}

int flow_table_slot(struct flow_window *slots, int table_fd, const struct flow_key *key, bool allocate)
{
	static const struct flow_table_entry absent;
	struct flow_key w = window_key(key);
	struct flow_window *free = NULL;
	__u32 base, offset = ntohs(key->port) & (FLOW_WINDOW_PORTS - 1);

	for (int which = 0; which < 2; which++) {
		struct flow_window *s = &slots[flow_window_slot(flow_addr_fold(&w.addr), w.port, w.family, which)];

		if (s->base1 && !memcmp(&s->key, &w, sizeof(w)))
			return s->base1 - 1 + offset;
		if (!s->key.family && !free)
			free = s;
	}
	if (!allocate)
		return -ENOENT;
	if (!free)
		return -EBUSY;
	base = windows_end(slots);
	if (base + FLOW_WINDOW_PORTS > FLOW_TABLE_ENTRIES)
		return -ENOSPC;
	for (__u32 i = base; i < base + FLOW_WINDOW_PORTS; i++)
		if (bpf_map_update_elem(table_fd, &i, &absent, BPF_ANY) < 0)
			return -errno;
	window_fill(free, &w, base);
	return base + offset;
}

void flow_table_forget_windows(struct flow_window *slots)
{
	for (__u32 i = 0; i < FLOW_WINDOW_SLOTS; i++)
		if (slots[i].key.family || slots[i].base1)
			window_empty(&slots[i]);
}

/*
 * The kernel lays an array map's values out every round_up(value_size, 8)
 * bytes from the mapping's start: a C array of entries.
 */
_Static_assert(sizeof(struct flow_table_entry) % 8 == 0, "flow_table entries must be laid out as the kernel does");

static size_t table_bytes(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (FLOW_TABLE_ENTRIES * sizeof(struct flow_table_entry) + page - 1) / page * page;
}

struct flow_table_entry *flow_table_map(int table_fd)
{
	void *p = mmap(NULL, table_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED, table_fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

void flow_table_unmap(struct flow_table_entry *table)
{
	if (table)
		munmap(table, table_bytes());
}

/*
 * The writer's half of the sequence count (the program is the reader):
 * seq odd, then the fields, then seq even, each step's stores ordered
 * after the last's by a release fence or store. A daemon killed in
 * between leaves seq odd: the program reads `flows` until the next write,
 * which starts from the odd value. Never 0 again once written: 0 marks an
 * older daemon's entry (bpf/flow_abi.h). v NULL: the fields stay, only
 * present changes.
 */
static void entry_write(struct flow_table_entry *e, const struct flow_value *v, __u32 present, bool give)
{
	__u32 odd = __atomic_load_n(&e->seq, __ATOMIC_RELAXED) | 1;

	__atomic_store_n(&e->seq, odd, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (give) {
		/*
		 * Absent first: should the daemon die before present is set
		 * again, the next write sees the entry is not the flow's yet
		 * and zeroes its counters again.
		 */
		__atomic_store_n(&e->present, 0, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memset(&e->value.counters, 0, sizeof(e->value.counters));
	}
	if (v)
		memcpy(&e->value, v, FLOW_TABLE_HOT_BYTES);
	__atomic_store_n(&e->present, present, __ATOMIC_RELEASE);
	__atomic_store_n(&e->seq, odd + 1 ? odd + 1 : 2, __ATOMIC_RELEASE);
}

bool flow_table_owned(const struct flow_table_entry *table, __u32 slot, struct flow_value *old)
{
	if (slot >= FLOW_TABLE_ENTRIES || old->table_slot != slot + 1 ||
	    !__atomic_load_n(&table[slot].present, __ATOMIC_RELAXED))
		return false;
	if (!__atomic_load_n(&table[slot].seq, __ATOMIC_RELAXED))
		memset(&old->counters, 0, sizeof(old->counters));
	return true;
}

/* Slots come from pinned maps (window_slots, flows.table_slot): checked before the mapping is written. */
int flow_table_write(struct flow_table_entry *table, __u32 slot, const struct flow_value *v, bool give)
{
	if (slot >= FLOW_TABLE_ENTRIES)
		return -ERANGE;
	entry_write(&table[slot], v, 1, give);
	return 0;
}

int flow_table_clear(struct flow_table_entry *table, __u32 slot)
{
	if (slot >= FLOW_TABLE_ENTRIES)
		return -ERANGE;
	if (__atomic_load_n(&table[slot].present, __ATOMIC_RELAXED))
		entry_write(&table[slot], NULL, 0, false);
	return 0;
}

int flow_table_sweep(const struct flow_window *slots, int flows_fd, struct flow_table_entry *table)
{
	struct flow_value v;
	struct flow_key key;
	int ret = 0;

	for (__u32 s = 0; s < FLOW_WINDOW_SLOTS; s++) {
		const struct flow_window *w = &slots[s];
		__u32 base = w->base1 - 1;

		if (!w->base1 || !w->key.family)
			continue;
		if (base > FLOW_TABLE_ENTRIES - FLOW_WINDOW_PORTS) {
			ret = -ERANGE;
			continue;
		}
		for (__u32 i = 0; i < FLOW_WINDOW_PORTS; i++) {
			if (!table[base + i].present)
				continue;
			key = w->key;
			key.port = htons((__u16)(w->key.port << FLOW_WINDOW_SHIFT | i));
			if (bpf_map_lookup_elem(flows_fd, &key, &v) < 0 || v.table_slot != base + i + 1)
				flow_table_clear(table, base + i);
		}
	}
	return ret;
}

int flow_table_counters(int table_fd, struct flow_value *v)
{
	struct flow_table_entry e;
	__u32 slot = v->table_slot - 1;

	if (!v->table_slot)
		return 0;
	if (bpf_map_lookup_elem(table_fd, &slot, &e) < 0)
		return -errno;
	if (!e.present)
		return 0;
	if (!e.seq) { /* an older daemon's entry: the counters in `flows` are a copy of its */
		v->counters = e.value.counters;
		return 0;
	}
	v->counters.packets += e.value.counters.packets;
	v->counters.bytes += e.value.counters.bytes;
	v->counters.wrong_source += e.value.counters.wrong_source;
	if (e.value.counters.sampled_seen_ns > v->counters.sampled_seen_ns)
		v->counters.sampled_seen_ns = e.value.counters.sampled_seen_ns;
	return 0;
}
