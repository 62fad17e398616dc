// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A pass-through XDP program for the namespace tests. A veth only takes the
 * frames its peer sends with XDP_TX or XDP_REDIRECT when NAPI runs on it;
 * attaching this to the receiving end turns NAPI on and changes nothing
 * else (docs/architecture.md, "Test labs"). Built by the Makefile.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
