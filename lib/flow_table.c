// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

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

int flow_table_clear(int table_fd, __u32 slot)
{
	struct flow_table_entry e;

	if (bpf_map_lookup_elem(table_fd, &slot, &e) < 0)
		return -errno;
	if (!e.present)
		return 0;
	e.present = 0;
	return bpf_map_update_elem(table_fd, &slot, &e, BPF_ANY) < 0 ? -errno : 0;
}

int flow_table_write(int table_fd, __u32 slot, const struct flow_value *v)
{
	struct flow_table_entry e = { .value = *v, .present = 1 };
	int ret = flow_table_clear(table_fd, slot);

	if (ret < 0)
		return ret;
	return bpf_map_update_elem(table_fd, &slot, &e, BPF_ANY) < 0 ? -errno : 0;
}

int flow_table_counters(int table_fd, struct flow_value *v)
{
	struct flow_table_entry e;
	__u32 slot = v->table_slot - 1;

	if (!v->table_slot)
		return 0;
	if (bpf_map_lookup_elem(table_fd, &slot, &e) < 0)
		return -errno;
	if (e.present)
		v->counters = e.value.counters;
	return 0;
}
