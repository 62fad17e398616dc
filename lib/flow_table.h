/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pinned flow table (bpf/flow_abi.h: flow_table, window_slots) from
 * userspace: where a flow's entry is, writing it in place so that no packet
 * sees half of it and no count is lost, and reading a flow's counters. The
 * daemon's XDP backend writes; rtprelayctl (with the daemon down) and the
 * tests read.
 */
#ifndef RTPRELAY_FLOW_TABLE_H
#define RTPRELAY_FLOW_TABLE_H

#include <stdbool.h>

#include "bpf/flow_abi.h"

/*
 * The pinned window_slots map (its fd) mapped for reading and writing, as
 * flow_table_slot and flow_table_forget_windows need it; NULL and errno on
 * failure. flow_windows_unmap(NULL) does nothing.
 */
struct flow_window *flow_windows_map(int slots_fd);
void flow_windows_unmap(struct flow_window *slots);

/*
 * The table entry of key: its window's first entry plus the port's place in
 * the window. With allocate, a window is given to the key's address and
 * port block when it has none, its entries cleared first (they may hold
 * what an earlier run left), and put in a free one of its two slots
 * (bpf/flow_abi.h). The entry's index, or -EBUSY (both of the window's
 * slots taken by other windows), -ENOSPC (every window taken), -ENOENT (no
 * window, allocate false) or another -errno. A flow without an entry stays
 * in `flows` alone.
 */
int flow_table_slot(struct flow_window *slots, int table_fd, const struct flow_key *key, bool allocate);

/*
 * Takes every window back: every packet is looked up in `flows` until its
 * flow is written again (the packet tests' flows in `flows` alone).
 */
void flow_table_forget_windows(struct flow_window *slots);

/*
 * Maps the table (BPF_F_MMAPABLE) for writing entries in place: the only
 * way to change an entry but its counters. NULL and errno on failure.
 */
struct flow_table_entry *flow_table_map(int table_fd);
void flow_table_unmap(struct flow_table_entry *table);

/*
 * Whether entry `slot` is already the flow's whose value `flows` holds as
 * *old: old names it and it is present. Its counters then go on as the
 * kernel keeps them; if an older daemon wrote it (seq 0), old's counters
 * are a stale copy of them and are zeroed here, for `flows` to count only
 * what the program counts there (bpf/flow_abi.h).
 */
bool flow_table_owned(const struct flow_table_entry *table, __u32 slot, struct flow_value *old);

/*
 * Puts v, all but its counters, in entry `slot`, present, under its
 * sequence count: no packet forwards by half of it. give: the entry was not
 * the flow's (flow_table_owned), its counters are zeroed too. 0, or
 * -ERANGE for a slot beyond the table (from a damaged pinned map).
 */
int flow_table_write(struct flow_table_entry *table, __u32 slot, const struct flow_value *v, bool give);

/* Marks entry `slot` absent, under its sequence count: its packets go to `flows`. 0 or -ERANGE. */
int flow_table_clear(struct flow_table_entry *table, __u32 slot);

/*
 * Marks absent every present entry of the windows handed out that no flow
 * in `flows` names (table_slot): what a daemon without the table left
 * behind when it deleted or replaced flows. The daemon does so at start,
 * before it rewrites the flows it adopts. 0 or -errno (-ERANGE: a window
 * beyond the table, left as it is).
 */
int flow_table_sweep(const struct flow_window *slots, int flows_fd, struct flow_table_entry *table);

/*
 * A flow value read from `flows` with the counts of its table entry, where
 * it has one (v->table_slot) and it is present, added in: the program
 * counts there, and in `flows` while the entry is being written. 0 or
 * -errno.
 */
int flow_table_counters(int table_fd, struct flow_value *v);

#endif
