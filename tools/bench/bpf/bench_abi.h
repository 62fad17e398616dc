/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the benchmark's BPF programs (tools/bench/bpf/) share with the tools that
 * load them: the generator's per-flow frame template and the sink's
 * counters. Not part of the datapath ABI (bpf/flow_abi.h).
 */
#ifndef RTPRELAY_BENCH_ABI_H
#define RTPRELAY_BENCH_ABI_H

#include <linux/types.h>

/* Flow i of a generator run carries SSRC BENCH_SSRC_BASE + i: the sink counts per flow by it. */
#define BENCH_SSRC_BASE	  0x62000000u
#define BENCH_MAX_FLOWS	  262144 /* FLOW_MAP_MAX_ENTRIES */
#define BENCH_RTP_PAYLOAD 160	 /* 20 ms of PCMU */
#define BENCH_RTP_LEN	  (12 + BENCH_RTP_PAYLOAD)
#define BENCH_RTP_PT_PCMU 0
#define BENCH_RTP_TS_STEP 160
#define GEN_HEAD_BYTES	  80 /* copied into every frame: all headers and the start of the payload */
#define GEN_UDP_OFF_IPV4  (14 + 20)
#define GEN_UDP_OFF_IPV6  (14 + 40)
/*
 * The generator's measurement windows. Every frame carries at the start of
 * its payload (network order) the window it was sent in (16 bits: 1 to
 * BENCH_MAX_WINDOWS, or 0: warm-up, after the last window) and, when paced,
 * when it was sent (32 bits: CLOCK_MONOTONIC ns >> 10, never 0; 0: not
 * stamped). The sink counts the frames of each window as they arrive, so a
 * window's loss is its own frames that never arrived, not what happened to
 * be in flight (queued in a relay's rings and sockets) at its edges; but a
 * stamped frame BENCH_LATE_MS or more late is counted late, not received:
 * RTP that late is lost to the phone's jitter buffer, and a relay offered
 * more than it forwards would otherwise hide the excess in its queues (the
 * socket buffers of 1000 flows hold seconds of it) for as long as a window
 * lasts; offered 20% more than it forwards (a step of the paced sweep), a
 * relay makes frames that late within a second.
 */
#define BENCH_MAX_WINDOWS 64
#define BENCH_LATE_MS	  200
#define BENCH_STAMP_SHIFT 10 /* ns >> 10: about microseconds, wrapping every 73 minutes */
#define BENCH_TAG_BYTES	  6  /* the window and the stamp; 0 in every frame the generator did not tag */

/*
 * One flow of the generator: the first GEN_HEAD_BYTES of its frame, with the
 * IPv4 header and UDP checksums of the whole frame for the RTP sequence
 * number and timestamp written in it. The program advances both per frame
 * and updates the UDP checksum incrementally.
 */
struct gen_flow {
	__u8 head[GEN_HEAD_BYTES];
	__u32 sent; /* frames of this flow so far */
	__u32 pad;
};

#define GEN_MAX_CPUS 64

/* One sending CPU of the generator, on cache lines of its own. */
struct gen_cpu {
	__u32 next_flow; /* its flows: next_flow modulo the senders, round-robin */
	__u32 pad;
	__u64 next_due_ns;			  /* paced: when its next frame is due */
	__u64 not_before_ns;			  /* paced: the earliest it may send the next, catching up */
	__u64 window_sent[BENCH_MAX_WINDOWS + 1]; /* frames sent, by the window they carry */
} __attribute__((aligned(64)));

/* Sink totals, one per CPU. */
struct sink_totals {
	__u64 packets;
	__u64 bytes; /* frame bytes */
	__u64 rtp;   /* RTP v2 PCMU, 160-byte payload, a bench SSRC: counted per flow */
	__u64 other; /* anything else (not UDP, not ours, pktgen's payload) */
	__u64 late;  /* of rtp: stamped frames that arrived BENCH_LATE_MS or more late */
};

#endif
