// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The traffic generator's XDP program, run by tools/bench/rtpgen.c with
 * BPF_PROG_RUN in live-frame mode: each run writes the next flow's headers
 * into the frame, advances that flow's RTP sequence number and timestamp,
 * updates the UDP checksum incrementally and returns XDP_TX, which sends the
 * frame out of the generator's interface. Flows are taken round-robin.
 * With ns_per_frame set it paces itself: a run that comes before the next
 * frame is due returns XDP_DROP (the page is recycled at once), so one
 * BPF_PROG_RUN call can send at a given rate for as long as it lasts.
 */
#include <linux/bpf.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench_abi.h"
#include "bpf/csum.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_MAX_FLOWS);
	__type(key, __u32);
	__type(value, struct gen_flow);
} gen_flows SEC(".maps");

const volatile __u32 nflows = 1;
const volatile __u8 ipv6;
const volatile __u64 ns_per_frame; /* 0: flat out */

/* The generator runs on one CPU: plain variables are enough. */
__u32 next_flow;
__u64 next_due_ns;
__u64 frames_sent; /* read by rtpgen through the skeleton's mmap */

/* After a stall (the CPU taken away) at most this much is made up for, in a burst. */
#define MAX_OWED_NS 20000000

struct rtp_fixed {
	__u8 vpxcc;
	__u8 mpt;
	__be16 seq;
	__be32 ts;
	__be32 ssrc;
};

SEC("xdp")
int rtpgen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 i = next_flow, udp_off = ipv6 ? GEN_UDP_OFF_IPV6 : GEN_UDP_OFF_IPV4;
	struct rtp_fixed *rtp;
	struct udphdr *udp;
	struct gen_flow *f;
	__be16 seq;
	__be32 ts;
	__u32 acc;

	if (ns_per_frame) {
		__u64 now = bpf_ktime_get_ns();

		if (now < next_due_ns)
			return XDP_DROP;
		next_due_ns = (next_due_ns + MAX_OWED_NS < now ? now : next_due_ns) + ns_per_frame;
	}
	next_flow = i + 1 < nflows ? i + 1 : 0;
	f = bpf_map_lookup_elem(&gen_flows, &i);
	if (!f || data + GEN_HEAD_BYTES > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, f->head, GEN_HEAD_BYTES);
	udp = data + udp_off;
	rtp = (void *)(udp + 1);
	if ((void *)(rtp + 1) > data_end)
		return XDP_ABORTED;

	seq = bpf_htons(bpf_ntohs(rtp->seq) + f->sent);
	ts = bpf_htonl(bpf_ntohl(rtp->ts) + f->sent * BENCH_RTP_TS_STEP);
	acc = csum_word_diff(0, rtp->seq, seq);
	acc = csum_diff4(acc, &rtp->ts, &ts);
	rtp->seq = seq;
	rtp->ts = ts;
	udp->check = csum_apply_udp(udp->check, acc);
	f->sent++;
	frames_sent++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
