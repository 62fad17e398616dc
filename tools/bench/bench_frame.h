/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The benchmark's RTP frame: Ethernet / IPv4 or IPv6 / UDP / RTP with a
 * 160-byte PCMU payload, from a flow's EXPECT to its LOCAL address, with
 * valid IPv4 header and UDP checksums. rtpgen sends it; benchflows feeds it
 * to the XDP program with BPF_PROG_RUN.
 */
#ifndef RTPRELAY_BENCH_FRAME_H
#define RTPRELAY_BENCH_FRAME_H

#include <netinet/in.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "bench_common.h"
#include "bpf/csum.h"
#include "lib/g711.h"
#include "lib/rtp.h"
#include "lib/tone.h"

#define BENCH_FRAME_MAX	     256
#define BENCH_TONE_HZ	     1000 /* 8 samples a period: every 20 ms frame is the same */
#define BENCH_TONE_AMPLITUDE 8192.0
#define BENCH_IP_DF	     0x4000
#define BENCH_TOS_EF	     0xb8 /* DSCP 46, as phones mark RTP */

/* 20 ms of a 1 kHz tone in PCMU. */
static inline void bench_payload(uint8_t payload[BENCH_RTP_PAYLOAD])
{
	int16_t pcm[BENCH_RTP_PAYLOAD];
	struct tone tone;

	tone_init(&tone, BENCH_TONE_HZ, BENCH_TONE_AMPLITUDE);
	tone_fill(&tone, pcm, BENCH_RTP_PAYLOAD);
	g711_encode(G711_ULAW, pcm, payload, BENCH_RTP_PAYLOAD);
}

/*
 * The frame of flow `index` (SSRC BENCH_SSRC_BASE + index, random sequence
 * number and timestamp) into frame[BENCH_FRAME_MAX]; returns its length.
 */
static inline size_t bench_build_frame(uint8_t *frame, const struct bench_flow *f, uint32_t index, uint8_t ttl,
				       const uint8_t dst_mac[ETH_ALEN], const uint8_t src_mac[ETH_ALEN],
				       const uint8_t *payload)
{
	struct ethhdr *eth = (void *)frame;
	struct rtp_header_fields rtp = {
		.version = RTP_VERSION,
		.payload_type = BENCH_RTP_PT_PCMU,
		.seq = g_random_int(),
		.timestamp = g_random_int(),
		.ssrc = BENCH_SSRC_BASE + index,
	};
	uint16_t udp_len = sizeof(struct udphdr) + BENCH_RTP_LEN;
	struct udphdr *udp;
	uint8_t *l4;
	__u32 acc;

	memcpy(eth->h_dest, dst_mac, ETH_ALEN);
	memcpy(eth->h_source, src_mac, ETH_ALEN);
	if (f->local.family == FLOW_AF_INET) {
		struct iphdr *iph = (void *)(eth + 1);

		eth->h_proto = htons(ETH_P_IP);
		*iph = (struct iphdr){
			.version = 4,
			.ihl = 5,
			.tos = BENCH_TOS_EF,
			.tot_len = htons(sizeof(*iph) + udp_len),
			.frag_off = htons(BENCH_IP_DF),
			.ttl = ttl,
			.protocol = IPPROTO_UDP,
			.saddr = f->expect.addr.v4,
			.daddr = f->local.addr.v4,
		};
		iph->check = csum_apply(0xffff, csum_bytes(0, iph, sizeof(*iph)));
		acc = csum_bytes(0, &iph->saddr, 8);
		l4 = (uint8_t *)(iph + 1);
	} else {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		eth->h_proto = htons(ETH_P_IPV6);
		*ip6h = (struct ipv6hdr){
			.version = 6,
			.priority = BENCH_TOS_EF >> 4,
			.flow_lbl = { (BENCH_TOS_EF & 0xf) << 4 },
			.payload_len = htons(udp_len),
			.nexthdr = IPPROTO_UDP,
			.hop_limit = ttl,
		};
		memcpy(&ip6h->saddr, f->expect.addr.v6, 16);
		memcpy(&ip6h->daddr, f->local.addr.v6, 16);
		acc = csum_bytes(0, &ip6h->saddr, 32);
		l4 = (uint8_t *)(ip6h + 1);
	}
	udp = (void *)l4;
	*udp = (struct udphdr){ .source = f->expect.port, .dest = f->local.port, .len = htons(udp_len) };
	rtp_write_header(l4 + sizeof(*udp), RTP_HEADER_LEN, &rtp, NULL);
	memcpy(l4 + sizeof(*udp) + RTP_HEADER_LEN, payload, BENCH_RTP_PAYLOAD);
	memset(l4 + sizeof(*udp) + RTP_HEADER_LEN, 0, BENCH_TAG_BYTES); /* no window, not stamped */
	/* Pseudo-header: the addresses (above), protocol and UDP length; then the datagram. */
	acc = csum_word_diff(acc, 0, htons(IPPROTO_UDP));
	acc = csum_word_diff(acc, 0, htons(udp_len));
	acc = csum_bytes(acc, udp, udp_len);
	udp->check = csum_apply_udp(0xffff, acc);
	return l4 + udp_len - frame;
}

#endif
