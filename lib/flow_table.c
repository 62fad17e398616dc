// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "flow_table.h"

static struct flow_key window_key(const struct flow_key *key)
{
	struct flow_key w = *key;

	w.port = ntohs(key->port) >> FLOW_WINDOW_SHIFT;
	return w;
}

/* The first entry after every window handed out. */
static int windows_end(int windows_fd, __u32 *end)
{
	struct flow_key key, next;
	void *prev = NULL;
	__u32 base;

	*end = 0;
	while (bpf_map_get_next_key(windows_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(windows_fd, &key, &base) == 0 && base + FLOW_WINDOW_PORTS > *end)
			*end = base + FLOW_WINDOW_PORTS;
	}
	return errno == ENOENT ? 0 : -errno;
}

int flow_table_slot(int windows_fd, int table_fd, const struct flow_key *key, bool allocate)
{
	static const struct flow_table_entry absent;
	struct flow_key w = window_key(key);
	__u32 base;
	int ret;

	if (bpf_map_lookup_elem(windows_fd, &w, &base) < 0) {
		if (errno != ENOENT)
			return -errno;
		if (!allocate)
			return -ENOENT;
		ret = windows_end(windows_fd, &base);
		if (ret < 0)
			return ret;
		if (base + FLOW_WINDOW_PORTS > FLOW_TABLE_ENTRIES)
			return -ENOSPC;
		for (__u32 i = base; i < base + FLOW_WINDOW_PORTS; i++)
			if (bpf_map_update_elem(table_fd, &i, &absent, BPF_ANY) < 0)
				return -errno;
		if (bpf_map_update_elem(windows_fd, &w, &base, BPF_NOEXIST) < 0)
			return -errno;
	}
	return base + (ntohs(key->port) & (FLOW_WINDOW_PORTS - 1));
}

int flow_table_forget_windows(int windows_fd)
{
	struct flow_key key;

	while (bpf_map_get_next_key(windows_fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(windows_fd, &key) < 0)
			return -errno;
	return errno == ENOENT ? 0 : -errno;
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
