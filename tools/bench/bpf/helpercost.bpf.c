// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the datapath's forwarding path spends in helpers, one helper per
 * program, for benchflows cost to time with BPF_PROG_RUN beside the whole
 * program: nothing at all (the cost of a run itself), bpf_fib_lookup for
 * the hit flow's addresses, bpf_ktime_get_ns (the per-flow last_seen) and
 * the coarse clock that could replace it.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "bpf/flow_abi.h"

/* The hit flow's egress, set by benchflows before loading. */
const volatile __u8 family = FLOW_AF_INET;
const volatile __u32 src4, dst4;
const volatile __u32 src6[4], dst6[4];

SEC("xdp")
int nothing(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int fib_lookup(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = {
		.family = family,
		.l4_protocol = IPPROTO_UDP,
		.tot_len = 200,
		.ifindex = ctx->ingress_ifindex,
	};

	if (family == FLOW_AF_INET) {
		fib.ipv4_src = src4;
		fib.ipv4_dst = dst4;
	} else {
		__builtin_memcpy(fib.ipv6_src, (const void *)src6, 16);
		__builtin_memcpy(fib.ipv6_dst, (const void *)dst6, 16);
	}
	return bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) == BPF_FIB_LKUP_RET_SUCCESS ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int ktime(struct xdp_md *ctx)
{
	return bpf_ktime_get_ns() ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int ktime_coarse(struct xdp_md *ctx)
{
	return bpf_ktime_get_coarse_ns() ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
