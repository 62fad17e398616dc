/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The datapath rules of bpf/rtprelay.bpf.c applied in userspace to packets
 * received on a relay socket: not latched -> pass; latched and from another
 * source -> drop and count; on hold -> drop; otherwise send the payload from
 * the egress socket to the flow's destination. Both backends use it.
 */
#ifndef RTPRELAY_FLOW_APPLY_H
#define RTPRELAY_FLOW_APPLY_H

#include "bpf/flow_abi.h"
#include "datapath_packet.h"

/*
 * Applies `v` to n packets received on the socket of the flow's key, sends
 * the forwarded ones from egress_fd (the socket bound to v->src_addr and
 * v->src_port; -1 if there is none: then every packet passes) in one
 * sendmmsg, updates v->counters and `totals`, and fills verdicts[0..n-1].
 * The flow's family is the packets' (pkts[i].from), as the key's family is
 * the packet's in the XDP program. v->counters.bytes counts UDP payload
 * bytes. A packet the kernel refused even after one retry counts in
 * totals->errors and gets DATAPATH_DROPPED; the per-flow counters and
 * totals->forwarded count only what was sent. Call with whatever lock
 * guards `v` and `totals` held.
 */
void flow_apply(struct flow_value *v, int egress_fd, struct datapath_packet *pkts, int n,
		enum datapath_verdict *verdicts, struct global_counters *totals);

#endif
