// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP ceiling of the benchmark: the least a forwarder can do. Sets the
 * frame's MAC addresses to the next hop's and its own and redirects it out
 * of one interface through a devmap, looking at nothing else.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} out_port SEC(".maps");

const volatile __u8 dst_mac[ETH_ALEN];
const volatile __u8 src_mac[ETH_ALEN];

SEC("xdp")
int macfwd_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_dest, (const void *)dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, (const void *)src_mac, ETH_ALEN);
	return bpf_redirect_map(&out_port, 0, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
