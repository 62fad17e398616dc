/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pinned flow table (bpf/flow_abi.h: flow_table, window_slots) from
 * userspace: where a flow's entry is, writing it so that no packet sees
 * half of it, and reading a flow's counters from it. The daemon's XDP
 * backend writes; rtprelayctl (with the daemon down) and the tests read.
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
 * flow is written again. The daemon does so at start, before it rewrites the
 * flows it adopts, as a daemon without the table may have changed them
 * meanwhile.
 */
void flow_table_forget_windows(struct flow_window *slots);

/*
 * Puts v in entry `slot`: first the entry as it was, marked absent (packets
 * go to `flows` meanwhile), then v, present. 0 or -errno.
 */
int flow_table_write(int table_fd, __u32 slot, const struct flow_value *v);

/* Marks entry `slot` absent: its packets go to `flows`. 0 or -errno. */
int flow_table_clear(int table_fd, __u32 slot);

/*
 * A flow value read from `flows` with the counters of its table entry, where
 * it has one (v->table_slot): the program counts there. 0 or -errno.
 */
int flow_table_counters(int table_fd, struct flow_value *v);

#endif
