// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The traffic generator's XDP program, run by tools/bench/rtpgen.c with
 * BPF_PROG_RUN in live-frame mode: each run writes the next flow's headers
 * into the frame, advances that flow's RTP sequence number and timestamp,
 * writes the measurement window it is sent in (window, which rtpgen sets at
 * each window's edges) and, paced, the time into the payload (bench_abi.h),
 * counts it under that window, updates the UDP checksum incrementally and returns XDP_TX, which
 * sends the frame out of the generator's interface. rtpgen may run it from
 * several threads, one per CPU: each CPU has its own state and takes its
 * own share of the flows round-robin (first_flow, first_flow + senders,
 * ...), so that no flow's sequence number is advanced from two CPUs.
 * With ns_per_frame set a CPU paces itself: a run that comes before its next
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
const volatile __u32 senders = 1;
const volatile __u8 ipv6;
const volatile __u64 ns_per_frame; /* per sending CPU; 0: flat out */

/* rtpgen sets next_flow before sending and reads window_sent through the skeleton's mmap. */
struct gen_cpu gen_cpus[GEN_MAX_CPUS];

/* The window being measured, 1 to BENCH_MAX_WINDOWS, or 0: rtpgen sets it while the senders run. */
__u32 window;

/*
 * After a stall (the CPU taken away) at most MAX_OWED_NS of frames are made
 * up for, and at no more than CATCH_UP times the rate: a paced run offers a
 * steady rate, and a stall of milliseconds made up at once would reach the
 * relay as one burst at line rate, which its interface's ring (veth: 256
 * frames) drops whatever the relay's own speed.
 */
#define MAX_OWED_NS 20000000
#define CATCH_UP    2

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
	__u32 i, cpu = bpf_get_smp_processor_id(), udp_off = ipv6 ? GEN_UDP_OFF_IPV6 : GEN_UDP_OFF_IPV4;
	struct rtp_fixed *rtp;
	struct udphdr *udp;
	struct gen_flow *f;
	struct gen_cpu *c;
	__be16 seq, *payload;
	__be32 ts, stamp = 0;
	__u32 acc, w;

	if (cpu >= GEN_MAX_CPUS)
		return XDP_ABORTED;
	c = &gen_cpus[cpu];
	if (ns_per_frame) {
		__u64 now = bpf_ktime_get_ns();

		if (now < c->next_due_ns || now < c->not_before_ns)
			return XDP_DROP;
		c->next_due_ns = (c->next_due_ns + MAX_OWED_NS < now ? now : c->next_due_ns) + ns_per_frame;
		c->not_before_ns = now + ns_per_frame / CATCH_UP;
		stamp = bpf_htonl((__u32)(now >> BENCH_STAMP_SHIFT) ?: 1);
	}
	i = c->next_flow;
	c->next_flow = i + senders < nflows ? i + senders : i % senders;
	f = bpf_map_lookup_elem(&gen_flows, &i);
	if (!f || data + GEN_HEAD_BYTES > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, f->head, GEN_HEAD_BYTES);
	udp = data + udp_off;
	rtp = (void *)(udp + 1);
	payload = (void *)(rtp + 1);
	if ((void *)payload + BENCH_TAG_BYTES > data_end)
		return XDP_ABORTED;
	w = *(volatile __u32 *)&window;
	if (w > BENCH_MAX_WINDOWS)
		return XDP_ABORTED;

	seq = bpf_htons(bpf_ntohs(rtp->seq) + f->sent);
	ts = bpf_htonl(bpf_ntohl(rtp->ts) + f->sent * BENCH_RTP_TS_STEP);
	acc = csum_word_diff(0, rtp->seq, seq);
	acc = csum_diff4(acc, &rtp->ts, &ts);
	acc = csum_word_diff(acc, payload[0], bpf_htons(w));
	acc = csum_diff4(acc, &payload[1], &stamp);
	rtp->seq = seq;
	rtp->ts = ts;
	payload[0] = bpf_htons(w);
	__builtin_memcpy(&payload[1], &stamp, sizeof(stamp));
	udp->check = csum_apply_udp(udp->check, acc);
	f->sent++;
	c->window_sent[w]++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
