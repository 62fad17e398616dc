// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The benchmark's sink: counts every frame that reaches the receiving veth
 * and drops it. Frames that carry the generator's RTP (version 2, PCMU,
 * 160-byte payload, SSRC BENCH_SSRC_BASE + flow) are also counted per flow,
 * whatever the forwarder did to the addresses and ports on the way, and by
 * the generator's measurement window they carry, unless their stamp says
 * they are late (bench_abi.h: then counted late only).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sink_totals);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_MAX_FLOWS);
	__type(key, __u32);
	__type(value, __u64);
} flow_packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_MAX_WINDOWS + 1);
	__type(key, __u32);
	__type(value, __u64);
} window_rtp SEC(".maps");

/* The UDP header of an IPv4 or IPv6 frame without options, or NULL. */
static __always_inline struct udphdr *udp_of(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct ipv6hdr *ip6h = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end)
		return NULL;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if ((void *)(iph + 1) > data_end || iph->ihl != 5 || iph->protocol != IPPROTO_UDP)
			return NULL;
		return (void *)(iph + 1);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		if ((void *)(ip6h + 1) > data_end || ip6h->nexthdr != IPPROTO_UDP)
			return NULL;
		return (void *)(ip6h + 1);
	}
	return NULL;
}

SEC("xdp")
int rtpsink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct udphdr *udp = udp_of(data, data_end);
	struct sink_totals *t;
	__u32 zero = 0, flow, w, stamp;
	__u8 *rtp;
	__u64 *n;

	t = bpf_map_lookup_elem(&totals, &zero);
	if (!t)
		return XDP_DROP;
	t->packets++;
	t->bytes += data_end - data;
	/* The RTP header, then the payload's window and stamp. */
	if (!udp || (void *)(udp + 1) + 12 + BENCH_TAG_BYTES > data_end ||
	    udp->len != bpf_htons(sizeof(*udp) + BENCH_RTP_LEN))
		goto other;
	rtp = (void *)(udp + 1);
	if ((rtp[0] & 0xc0) != 0x80 || (rtp[1] & 0x7f) != BENCH_RTP_PT_PCMU)
		goto other;
	flow = bpf_ntohl(*(__be32 *)&rtp[8]) - BENCH_SSRC_BASE;
	n = bpf_map_lookup_elem(&flow_packets, &flow);
	if (!n)
		goto other;
	__sync_fetch_and_add(n, 1);
	t->rtp++;
	stamp = bpf_ntohl(*(__be32 *)&rtp[14]);
	if (stamp && (__u32)(bpf_ktime_get_ns() >> BENCH_STAMP_SHIFT) - stamp >=
			 (__u32)((BENCH_LATE_MS * 1000000ull) >> BENCH_STAMP_SHIFT)) {
		t->late++;
		return XDP_DROP;
	}
	w = bpf_ntohs(*(__be16 *)&rtp[12]);
	n = bpf_map_lookup_elem(&window_rtp, &w);
	if (n)
		(*n)++;
	return XDP_DROP;
other:
	t->other++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
