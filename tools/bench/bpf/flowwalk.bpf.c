// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The walk of benchflows walk: a program run with BPF_PROG_RUN and repeat
 * that writes the next flow's frame headers into the frame (flows
 * round-robin, as rtpgen sends them, so a table of N flows is walked the
 * way live traffic walks it) and tail-calls the program under test, which
 * benchflows puts into walk_target: the XDP datapath, the trivial redirect,
 * or walk_drop, which times the walk itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bench_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} walk_target SEC(".maps");

/* Sized to the flows by benchflows before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_flow);
} walk_frames SEC(".maps");

const volatile __u32 nflows = 1;

/* BPF_PROG_RUN runs the repeats on one CPU. */
__u32 next_flow;

SEC("xdp")
int walk_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 i = next_flow;
	struct gen_flow *f;

	next_flow = i + 1 < nflows ? i + 1 : 0;
	f = bpf_map_lookup_elem(&walk_frames, &i);
	if (!f || data + GEN_HEAD_BYTES > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, f->head, GEN_HEAD_BYTES);
	bpf_tail_call(ctx, &walk_target, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int walk_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
