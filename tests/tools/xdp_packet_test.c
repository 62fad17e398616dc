// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Golden-packet tests of the XDP datapath (bpf/rtprelay.bpf.c), in the style
 * of Katran's fixture tables and the kernel's BPF selftests. Every case is a
 * row of `cases`: an input frame, the ingress interface, the expected
 * verdict, output frame and counter deltas. One runner programs the flow
 * table, feeds the row's frame to the program with BPF_PROG_TEST_RUN and
 * compares the whole output frame, the global counters and the counters of
 * every flow. Expected frames and their checksums are built from scratch
 * here; bpf/csum.h is deliberately not used.
 *
 * Runs inside the namespace tests/xdp_packets.sh builds, because
 * bpf_fib_lookup answers from that namespace's FIB and neighbours:
 *
 *   relay0  10.10.0.1/24  fd00:10::1/64   (veth, peer end peer0)
 *           10.10.0.2, fd00:10::2: permanent neighbours, lladdr = peer0's MAC
 *           10.10.0.3, fd00:10::3: on-link, no neighbour entry
 *   relay1  10.20.0.1/24  fd00:20::1/64   (veth, peer end peer1)
 *           10.20.0.2, fd00:20::2: permanent neighbours, lladdr = peer1's MAC
 *   192.0.2.0/24, 2001:db8::/32: no route
 *
 * Output is TAP. Usage: xdp_packet_test [SUBSTRING] runs only the cases
 * whose name contains SUBSTRING.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <glib.h>

#include "bpf/flow_abi.h"
#include "lib/monotonic.h"
#include "lib/netdev.h"
#include "rtprelay.skel.h"

#define FRAME_MAX   4096
#define RTP_PAYLOAD 172 /* 12-byte RTP header + 20 ms of G.711 */
#define NO_PAYLOAD  (-1)
#define IP_DF	    0x4000
#define IP_MF	    0x2000
#define FLOW_LABEL  0x5a5a5
#define PAD_BYTE    0x5a

/* The sender of the input frames: not a neighbour, so no output carries it. */
static const uint8_t sender_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x10, 0x05 };

/* The relay's veths; each one's neighbours resolve to its peer end's MAC. */
enum iface_id {
	RELAY0,
	RELAY1,
	NR_IFACES,
};

struct iface {
	const char *name;
	const char *peer;
	int ifindex;
	uint8_t mac[ETH_ALEN];
	uint8_t peer_mac[ETH_ALEN];
};

static struct iface ifaces[NR_IFACES] = {
	[RELAY0] = { .name = "relay0", .peer = "peer0" },
	[RELAY1] = { .name = "relay1", .peer = "peer1" },
};

/* An IP address (the family follows from the text) and a UDP port. */
struct endpoint {
	const char *addr;
	uint16_t port;
};

/*
 * The flow table, programmed afresh (counters zero) before every case.
 * Call A is a hairpin on relay0 (XDP_TX), call B crosses from relay0 to
 * relay1 (XDP_REDIRECT); the other flows each exist for one kind of case.
 */
enum flow_id {
	NO_FLOW,
	F4_TX,
	F4_TX_RTCP,
	F4_REDIR,
	F4_REDIR_RTCP,
	F4_REDIR_BACK,
	F4_NOT_LATCHED,
	F4_HOLD,
	F4_NO_NEIGH,
	F4_NO_ROUTE,
	F4_PIN_OK,
	F4_PIN_WRONG,
	F6_TX,
	F6_REDIR,
	F6_REDIR_RTCP,
	F6_NOT_LATCHED,
	F6_HOLD,
	F6_NO_NEIGH,
	F6_NO_ROUTE,
	NR_FLOWS,
};

struct flow_def {
	struct endpoint local;	/* the key: the relay's address and port the packet is sent to */
	struct endpoint src;	/* egress source */
	struct endpoint dst;	/* egress destination */
	struct endpoint expect; /* latched source */
	uint16_t flags;
	const char *egress; /* egress_ifindex by name; NULL: the route decides */
};

#define LATCHED FLOW_F_LATCHED

/* clang-format off */
static const struct flow_def flow_defs[NR_FLOWS] = {
	[F4_TX] = {
		.local = { "10.10.0.1", 30000 },
		.src = { "10.10.0.1", 30010 },
		.dst = { "10.10.0.2", 5000 },
		.expect = { "10.10.0.5", 4000 },
		.flags = LATCHED,
	},
	[F4_TX_RTCP] = {
		.local = { "10.10.0.1", 30001 },
		.src = { "10.10.0.1", 30011 },
		.dst = { "10.10.0.2", 5001 },
		.expect = { "10.10.0.5", 4001 },
		.flags = LATCHED,
	},
	[F4_REDIR] = {
		.local = { "10.10.0.1", 30002 },
		.src = { "10.20.0.1", 30020 },
		.dst = { "10.20.0.2", 6000 },
		.expect = { "10.10.0.2", 4002 },
		.flags = LATCHED,
	},
	[F4_REDIR_RTCP] = {
		.local = { "10.10.0.1", 30003 },
		.src = { "10.20.0.1", 30021 },
		.dst = { "10.20.0.2", 6001 },
		.expect = { "10.10.0.2", 4003 },
		.flags = LATCHED,
	},
	[F4_REDIR_BACK] = {
		.local = { "10.20.0.1", 30020 },
		.src = { "10.10.0.1", 30002 },
		.dst = { "10.10.0.2", 4002 },
		.expect = { "10.20.0.2", 6000 },
		.flags = LATCHED,
	},
	[F4_NOT_LATCHED] = {
		.local = { "10.10.0.1", 30004 },
		.src = { "10.20.0.1", 30024 },
		.dst = { "10.20.0.2", 6004 },
	},
	[F4_HOLD] = {
		.local = { "10.10.0.1", 30006 },
		.src = { "10.20.0.1", 30026 },
		.dst = { "10.20.0.2", 6006 },
		.expect = { "10.10.0.2", 4006 },
		.flags = LATCHED | FLOW_F_HOLD,
	},
	[F4_NO_NEIGH] = {
		.local = { "10.10.0.1", 30008 },
		.src = { "10.10.0.1", 30018 },
		.dst = { "10.10.0.3", 5008 },
		.expect = { "10.10.0.2", 4008 },
		.flags = LATCHED,
	},
	[F4_NO_ROUTE] = {
		.local = { "10.10.0.1", 30012 },
		.src = { "10.20.0.1", 30032 },
		.dst = { "192.0.2.1", 7000 },
		.expect = { "10.10.0.2", 4012 },
		.flags = LATCHED,
	},
	[F4_PIN_OK] = {
		.local = { "10.10.0.1", 30014 },
		.src = { "10.20.0.1", 30034 },
		.dst = { "10.20.0.2", 6014 },
		.expect = { "10.10.0.2", 4014 },
		.flags = LATCHED,
		.egress = "relay1",
	},
	[F4_PIN_WRONG] = {
		.local = { "10.10.0.1", 30016 },
		.src = { "10.20.0.1", 30036 },
		.dst = { "10.20.0.2", 6016 },
		.expect = { "10.10.0.2", 4016 },
		.flags = LATCHED,
		.egress = "relay0",
	},
	[F6_TX] = {
		.local = { "fd00:10::1", 40000 },
		.src = { "fd00:10::1", 40010 },
		.dst = { "fd00:10::2", 5000 },
		.expect = { "fd00:10::5", 4000 },
		.flags = LATCHED,
	},
	[F6_REDIR] = {
		.local = { "fd00:10::1", 40002 },
		.src = { "fd00:20::1", 40020 },
		.dst = { "fd00:20::2", 6000 },
		.expect = { "fd00:10::2", 4002 },
		.flags = LATCHED,
	},
	[F6_REDIR_RTCP] = {
		.local = { "fd00:10::1", 40003 },
		.src = { "fd00:20::1", 40021 },
		.dst = { "fd00:20::2", 6001 },
		.expect = { "fd00:10::2", 4003 },
		.flags = LATCHED,
	},
	[F6_NOT_LATCHED] = {
		.local = { "fd00:10::1", 40004 },
		.src = { "fd00:20::1", 40024 },
		.dst = { "fd00:20::2", 6004 },
	},
	[F6_HOLD] = {
		.local = { "fd00:10::1", 40006 },
		.src = { "fd00:20::1", 40026 },
		.dst = { "fd00:20::2", 6006 },
		.expect = { "fd00:10::2", 4006 },
		.flags = LATCHED | FLOW_F_HOLD,
	},
	[F6_NO_NEIGH] = {
		.local = { "fd00:10::1", 40008 },
		.src = { "fd00:10::1", 40018 },
		.dst = { "fd00:10::3", 5008 },
		.expect = { "fd00:10::2", 4008 },
		.flags = LATCHED,
	},
	[F6_NO_ROUTE] = {
		.local = { "fd00:10::1", 40012 },
		.src = { "fd00:20::1", 40032 },
		.dst = { "2001:db8::1", 7000 },
		.expect = { "fd00:10::2", 4012 },
		.flags = LATCHED,
	},
};
/* clang-format on */

/* An 8-byte IPv6 extension header before the L4 header (IPPROTO_HOPOPTS is 0). */
enum ipv6_ext {
	EXT_NONE,
	EXT_HOPOPTS,
	EXT_ROUTING,
	EXT_FRAGMENT,
	EXT_DSTOPTS,
};

static const uint8_t ipv6_ext_proto[] = {
	[EXT_HOPOPTS] = IPPROTO_HOPOPTS,
	[EXT_ROUTING] = IPPROTO_ROUTING,
	[EXT_FRAGMENT] = IPPROTO_FRAGMENT,
	[EXT_DSTOPTS] = IPPROTO_DSTOPTS,
};

/* Payload crafted so that a UDP checksum computes to 0 (sent as 0xffff). */
enum craft {
	CRAFT_NONE,
	CRAFT_IN_FFFF,	/* the input frame's checksum */
	CRAFT_OUT_FFFF, /* the rewritten frame's checksum */
};

/*
 * One frame. Unset fields give a well-formed RTP packet: UDP, TTL 64,
 * untagged, 172 payload bytes, valid checksums. The overrides (ip_len,
 * udp_len, ihl, version) are written after the UDP checksum is computed;
 * the IPv4 header checksum is computed last (bad_ip_csum spoils it).
 */
struct pkt {
	struct endpoint src, dst;
	uint8_t ttl;	       /* TTL / hop limit; 0: 64 */
	uint8_t tos;	       /* IPv4 TOS / IPv6 traffic class */
	uint16_t ethertype;    /* non-IP frame (ARP) instead of IP */
	uint16_t vlan_tpid;    /* ETH_P_8021Q or ETH_P_8021AD; 0: untagged */
	uint16_t vlan_id;      /* VLAN id of the tag */
	bool qinq;	       /* a second (802.1Q) tag inside the first */
	uint8_t l4_proto;      /* 0: UDP */
	uint16_t frag_off;     /* IPv4 flags and fragment offset */
	uint8_t ip_opt_words;  /* IPv4 options, in 32-bit words */
	enum ipv6_ext ext_hdr; /* IPv6 extension header */
	uint8_t ihl;	       /* IPv4 header length field; 0: the real one */
	uint8_t version;       /* IP version field; 0: the real one */
	bool bad_ip_csum;      /* IPv4 header checksum off by one */
	bool no_udp_csum;      /* UDP checksum field 0 */
	enum craft craft;      /* first payload word chosen for a UDP checksum corner case */
	int payload_len;       /* 0: RTP_PAYLOAD; NO_PAYLOAD: empty */
	uint16_t ip_len;       /* IPv4 tot_len / IPv6 payload_len; 0: the real one */
	uint16_t udp_len;      /* UDP length; 0: the real one */
	uint16_t pad;	       /* bytes after the IP packet (Ethernet padding) */
	uint16_t truncate;     /* cut the frame to this many bytes; 0: whole */
};

/* What a forwarded frame must look like: the input with these changes. */
struct rewrite {
	struct endpoint src, dst;
	uint8_t ttl;
	enum iface_id via; /* source MAC: its own; destination MAC: its neighbour's (the peer's) */
};

struct test_case {
	const char *name;
	enum iface_id in_if; /* ingress_ifindex */
	struct pkt in;
	bool no_tx_ports; /* tx_ports left empty */
	int verdict;
	struct rewrite out; /* out.src.addr NULL: the frame must come back unchanged */
	struct global_counters counters;
	/*
	 * Expected counters of the flow `flow` (every other flow must stay
	 * all zero). last_seen_ns must fall within the run when packets is
	 * nonzero and stay 0 otherwise.
	 */
	enum flow_id flow;
	struct flow_counters flow_counters;
};

/* clang-format off */
#define FORWARDED { .forwarded = 1 }
#define PASSED(reason) { .passed = 1, .reason = 1 }
#define RTP_HIT { .packets = 1, .bytes = RTP_PAYLOAD }

/* Call A, caller to callee, the rewritten leg on relay0 (XDP_TX). */
#define A_IN { "10.10.0.5", 4000 }, { "10.10.0.1", 30000 }
#define A_OUT { "10.10.0.1", 30010 }, { "10.10.0.2", 5000 }
/* Call B, relay0 to relay1 (XDP_REDIRECT). */
#define B_IN { "10.10.0.2", 4002 }, { "10.10.0.1", 30002 }
#define B_OUT { "10.20.0.1", 30020 }, { "10.20.0.2", 6000 }
/* The same two calls over IPv6. */
#define A6_IN { "fd00:10::5", 4000 }, { "fd00:10::1", 40000 }
#define A6_OUT { "fd00:10::1", 40010 }, { "fd00:10::2", 5000 }
#define B6_IN { "fd00:10::2", 4002 }, { "fd00:10::1", 40002 }
#define B6_OUT { "fd00:20::1", 40020 }, { "fd00:20::2", 6000 }

static const struct test_case cases[] = {
	/* Forwarded: IPv4 */
	{
		.name = "IPv4 RTP hairpin: rewritten, TTL 63, MACs from the FIB, XDP_TX",
		.in = { A_IN },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 RTCP (odd port) hairpin: XDP_TX",
		.in = { { "10.10.0.5", 4001 }, { "10.10.0.1", 30001 }, .payload_len = 52 },
		.verdict = XDP_TX,
		.out = { { "10.10.0.1", 30011 }, { "10.10.0.2", 5001 }, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX_RTCP,
		.flow_counters = { .packets = 1, .bytes = 52 },
	},
	{
		.name = "IPv4 RTP relay0 -> relay1 (in tx_ports): XDP_REDIRECT",
		.in = { B_IN },
		.verdict = XDP_REDIRECT,
		.out = { B_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 RTCP (odd port) relay0 -> relay1: XDP_REDIRECT",
		.in = { { "10.10.0.2", 4003 }, { "10.10.0.1", 30003 }, .payload_len = 84 },
		.verdict = XDP_REDIRECT,
		.out = { { "10.20.0.1", 30021 }, { "10.20.0.2", 6001 }, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR_RTCP,
		.flow_counters = { .packets = 1, .bytes = 84 },
	},
	{
		.name = "IPv4 RTP relay1 -> relay0: XDP_REDIRECT",
		.in_if = RELAY1,
		.in = { { "10.20.0.2", 6000 }, { "10.20.0.1", 30020 } },
		.verdict = XDP_REDIRECT,
		.out = { { "10.10.0.1", 30002 }, { "10.10.0.2", 4002 }, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_REDIR_BACK,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 with DF set is not a fragment: forwarded, DF kept",
		.in = { A_IN, .frag_off = IP_DF },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 DSCP EF kept",
		.in = { B_IN, .tos = 0xb8 },
		.verdict = XDP_REDIRECT,
		.out = { B_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 TTL 2 leaves with TTL 1",
		.in = { B_IN, .ttl = 2 },
		.verdict = XDP_REDIRECT,
		.out = { B_OUT, 1, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 UDP checksum 0 stays 0",
		.in = { B_IN, .no_udp_csum = true },
		.verdict = XDP_REDIRECT,
		.out = { B_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 rewritten UDP checksum computing to 0 goes out as 0xffff",
		.in = { B_IN, .craft = CRAFT_OUT_FFFF },
		.verdict = XDP_REDIRECT,
		.out = { B_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 incoming UDP checksum 0xffff (computed 0) updated correctly",
		.in = { B_IN, .craft = CRAFT_IN_FFFF },
		.verdict = XDP_REDIRECT,
		.out = { B_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 odd payload length: checksum over the padded last byte",
		.in = { B_IN, .payload_len = 161 },
		.verdict = XDP_REDIRECT,
		.out = { B_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_REDIR,
		.flow_counters = { .packets = 1, .bytes = 161 },
	},
	{
		.name = "IPv4 empty UDP payload forwarded, 0 bytes counted",
		.in = { A_IN, .payload_len = NO_PAYLOAD },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = { .packets = 1, .bytes = 0 },
	},
	{
		.name = "IPv4 short frame with Ethernet padding: forwarded, padding untouched",
		.in = { A_IN, .payload_len = 4, .pad = 14 },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = { .packets = 1, .bytes = 4 },
	},
	{
		.name = "IPv4 802.1Q VLAN 100 hairpin: XDP_TX, tag kept",
		.in = { A_IN, .vlan_tpid = ETH_P_8021Q, .vlan_id = 100 },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 802.1ad single tag hairpin: XDP_TX, tag kept",
		.in = { A_IN, .vlan_tpid = ETH_P_8021AD, .vlan_id = 200 },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 flow pinned to relay1 (egress_ifindex), routed there: XDP_REDIRECT",
		.in = { { "10.10.0.2", 4014 }, { "10.10.0.1", 30014 } },
		.verdict = XDP_REDIRECT,
		.out = { { "10.20.0.1", 30034 }, { "10.20.0.2", 6014 }, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_PIN_OK,
		.flow_counters = RTP_HIT,
	},

	/* Forwarded: IPv6 */
	{
		.name = "IPv6 RTP hairpin: rewritten, hop limit 63, MACs from the FIB, XDP_TX",
		.in = { A6_IN },
		.verdict = XDP_TX,
		.out = { A6_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F6_TX,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv6 RTP relay0 -> relay1 (in tx_ports): XDP_REDIRECT",
		.in = { B6_IN },
		.verdict = XDP_REDIRECT,
		.out = { B6_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F6_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv6 RTCP (odd port) relay0 -> relay1: XDP_REDIRECT",
		.in = { { "fd00:10::2", 4003 }, { "fd00:10::1", 40003 }, .payload_len = 52 },
		.verdict = XDP_REDIRECT,
		.out = { { "fd00:20::1", 40021 }, { "fd00:20::2", 6001 }, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F6_REDIR_RTCP,
		.flow_counters = { .packets = 1, .bytes = 52 },
	},
	{
		.name = "IPv6 traffic class EF and flow label kept",
		.in = { B6_IN, .tos = 0xb8 },
		.verdict = XDP_REDIRECT,
		.out = { B6_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F6_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv6 hop limit 2 leaves with hop limit 1",
		.in = { A6_IN, .ttl = 2 },
		.verdict = XDP_TX,
		.out = { A6_OUT, 1, RELAY0 },
		.counters = FORWARDED,
		.flow = F6_TX,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv6 rewritten UDP checksum computing to 0 goes out as 0xffff",
		.in = { B6_IN, .craft = CRAFT_OUT_FFFF },
		.verdict = XDP_REDIRECT,
		.out = { B6_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F6_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv6 incoming UDP checksum 0xffff (computed 0) updated correctly",
		.in = { B6_IN, .craft = CRAFT_IN_FFFF },
		.verdict = XDP_REDIRECT,
		.out = { B6_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F6_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv6 odd payload length: checksum over the padded last byte",
		.in = { B6_IN, .payload_len = 33 },
		.verdict = XDP_REDIRECT,
		.out = { B6_OUT, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F6_REDIR,
		.flow_counters = { .packets = 1, .bytes = 33 },
	},
	{
		.name = "IPv6 802.1Q VLAN 100 hairpin: XDP_TX, tag kept",
		.in = { A6_IN, .vlan_tpid = ETH_P_8021Q, .vlan_id = 100 },
		.verdict = XDP_TX,
		.out = { A6_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F6_TX,
		.flow_counters = RTP_HIT,
	},

	/* Dropped */
	{
		.name = "IPv4 latched flow, wrong source address: XDP_DROP",
		.in = { { "10.10.0.9", 4002 }, { "10.10.0.1", 30002 } },
		.verdict = XDP_DROP,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F4_REDIR,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv4 latched flow, wrong source port: XDP_DROP",
		.in = { { "10.10.0.2", 4999 }, { "10.10.0.1", 30002 } },
		.verdict = XDP_DROP,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F4_REDIR,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv6 latched flow, wrong source address: XDP_DROP",
		.in = { { "fd00:10::9", 4002 }, { "fd00:10::1", 40002 } },
		.verdict = XDP_DROP,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F6_REDIR,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv4 flow on hold: XDP_DROP",
		.in = { { "10.10.0.2", 4006 }, { "10.10.0.1", 30006 } },
		.verdict = XDP_DROP,
		.counters = { .dropped_hold = 1 },
	},
	{
		.name = "IPv4 flow on hold, wrong source: counted as wrong source",
		.in = { { "10.10.0.9", 4006 }, { "10.10.0.1", 30006 } },
		.verdict = XDP_DROP,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F4_HOLD,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv6 flow on hold: XDP_DROP",
		.in = { { "fd00:10::2", 4006 }, { "fd00:10::1", 40006 } },
		.verdict = XDP_DROP,
		.counters = { .dropped_hold = 1 },
	},

	/* Passed: flow state, TTL, route */
	{
		.name = "IPv4 flow not latched: XDP_PASS unchanged",
		.in = { { "10.10.0.2", 4004 }, { "10.10.0.1", 30004 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_latched),
	},
	{
		.name = "IPv6 flow not latched: XDP_PASS unchanged",
		.in = { { "fd00:10::2", 4004 }, { "fd00:10::1", 40004 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_latched),
	},
	{
		.name = "IPv4 unknown port: XDP_PASS unchanged",
		.in = { { "10.10.0.5", 4000 }, { "10.10.0.1", 39998 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_flow),
	},
	{
		.name = "IPv4 flow's port on another local address: no flow, XDP_PASS",
		.in = { { "10.10.0.5", 4000 }, { "10.20.0.1", 30000 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_flow),
	},
	{
		.name = "IPv6 unknown port: XDP_PASS unchanged",
		.in = { { "fd00:10::5", 4000 }, { "fd00:10::1", 49998 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_flow),
	},
	{
		.name = "IPv4 TTL 1: XDP_PASS unchanged",
		.in = { A_IN, .ttl = 1 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_ttl),
	},
	{
		.name = "IPv6 hop limit 1: XDP_PASS unchanged",
		.in = { A6_IN, .ttl = 1 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_ttl),
	},
	{
		.name = "IPv4 no neighbour entry for the destination: XDP_PASS unchanged",
		.in = { { "10.10.0.2", 4008 }, { "10.10.0.1", 30008 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv6 no neighbour entry for the destination: XDP_PASS unchanged",
		.in = { { "fd00:10::2", 4008 }, { "fd00:10::1", 40008 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv4 no route to the destination: XDP_PASS unchanged",
		.in = { { "10.10.0.2", 4012 }, { "10.10.0.1", 30012 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv6 no route to the destination: XDP_PASS unchanged",
		.in = { { "fd00:10::2", 4012 }, { "fd00:10::1", 40012 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv4 larger than the egress MTU: XDP_PASS unchanged",
		.in = { B_IN, .payload_len = 1600 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv4 route via relay1, not in tx_ports: XDP_PASS unchanged",
		.in = { B_IN },
		.no_tx_ports = true,
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv6 route via relay1, not in tx_ports: XDP_PASS unchanged",
		.in = { B6_IN },
		.no_tx_ports = true,
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv4 VLAN-tagged toward another interface: XDP_PASS unchanged",
		.in = { B_IN, .vlan_tpid = ETH_P_8021Q, .vlan_id = 100 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},
	{
		.name = "IPv4 flow pinned to relay0, destination routed via relay1: XDP_PASS",
		.in = { { "10.10.0.2", 4016 }, { "10.10.0.1", 30016 } },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_no_route),
	},

	/* Passed: fragments, options, extension headers */
	{
		.name = "IPv4 first fragment (MF set): XDP_PASS unchanged",
		.in = { A_IN, .frag_off = IP_MF },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv4 later fragment (offset 185, MF clear): XDP_PASS unchanged",
		.in = { A_IN, .frag_off = 185 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv4 middle fragment (MF, offset 185, DF): XDP_PASS unchanged",
		.in = { A_IN, .frag_off = IP_DF | IP_MF | 185 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv4 with options (ihl 6, router alert): XDP_PASS unchanged",
		.in = { A_IN, .ip_opt_words = 1 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 hop-by-hop header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_HOPOPTS },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 routing header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_ROUTING },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 fragment header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_FRAGMENT },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 destination options header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_DSTOPTS },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_unsupported),
	},

	/* Passed: malformed */
	{
		.name = "truncated Ethernet: 802.1Q tag cut short",
		.in = { A_IN, .vlan_tpid = ETH_P_8021Q, .vlan_id = 100, .truncate = ETH_HLEN + 2 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "Ethernet header only, IPv4 type: malformed",
		.in = { A_IN, .truncate = ETH_HLEN },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated IPv4 header (19 bytes): malformed",
		.in = { A_IN, .truncate = ETH_HLEN + 19 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated UDP header (IPv4 tot_len 27, frame ends there): malformed",
		.in = { A_IN, .ip_len = 27, .truncate = ETH_HLEN + 27 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 tot_len larger than the frame: malformed",
		.in = { A_IN, .ip_len = 20 + 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 tot_len smaller than the IPv4 header: malformed",
		.in = { A_IN, .ip_len = 19 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "UDP length larger than the IPv4 payload: malformed",
		.in = { A_IN, .udp_len = 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "UDP length 7 (below its header): malformed",
		.in = { A_IN, .udp_len = 7 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 bad header checksum: malformed",
		.in = { A_IN, .bad_ip_csum = true },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 header length field 4: malformed",
		.in = { A_IN, .ihl = 4 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 EtherType, version 6 in the header: malformed",
		.in = { A_IN, .version = 6 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated IPv6 header (39 bytes): malformed",
		.in = { A6_IN, .truncate = ETH_HLEN + 39 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv6 payload length larger than the frame: malformed",
		.in = { A6_IN, .ip_len = 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated UDP header (IPv6 payload length 7, frame ends there): malformed",
		.in = { A6_IN, .ip_len = 7, .truncate = ETH_HLEN + 40 + 7 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "UDP length larger than the IPv6 payload: malformed",
		.in = { A6_IN, .udp_len = 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv6 UDP checksum 0: malformed",
		.in = { A6_IN, .no_udp_csum = true },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv6 EtherType, version 4 in the header: malformed",
		.in = { A6_IN, .version = 4 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_malformed),
	},

	/* Passed: not UDP */
	{
		.name = "IPv4 TCP to a flow's address and port: XDP_PASS unchanged",
		.in = { A_IN, .l4_proto = IPPROTO_TCP },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "IPv4 ICMP: XDP_PASS unchanged",
		.in = { A_IN, .l4_proto = IPPROTO_ICMP, .payload_len = 64 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "IPv6 TCP to a flow's address and port: XDP_PASS unchanged",
		.in = { A6_IN, .l4_proto = IPPROTO_TCP },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "ICMPv6: XDP_PASS unchanged",
		.in = { A6_IN, .l4_proto = IPPROTO_ICMPV6, .payload_len = 64 },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "ARP request: XDP_PASS unchanged",
		.in = { A_IN, .ethertype = ETH_P_ARP },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "QinQ (two tags): XDP_PASS unchanged",
		.in = { A_IN, .vlan_tpid = ETH_P_8021AD, .vlan_id = 200, .qinq = true },
		.verdict = XDP_PASS,
		.counters = PASSED(pass_not_udp),
	},
};
/* clang-format on */

/* Frame building */

struct ip_addr {
	int family;
	uint8_t bytes[16];
};

/* Where the headers of a built frame start, to name the fields of a diff. */
struct layout {
	int family; /* 0: not IP */
	size_t l3, l4, payload, end;
	uint8_t l4_proto;
};

struct frame {
	uint8_t data[FRAME_MAX];
	size_t len;
	struct layout lo;
	uint16_t l4_sum; /* one's-complement sum behind the UDP checksum */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* Adds big-endian 16-bit words; an odd last byte is padded with zero. */
static uint32_t sum_words(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The sum over the pseudo-header (RFC 768 / RFC 8200 8.1) and the L4 segment. */
static uint16_t l4_sum(const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto, const uint8_t *seg,
		       size_t len)
{
	size_t alen = src->family == AF_INET ? 4 : 16;
	uint32_t sum = 0;

	sum = sum_words(src->bytes, alen, sum);
	sum = sum_words(dst->bytes, alen, sum);
	sum += proto;
	sum += len >> 16;
	sum += len & 0xffff;
	return fold(sum_words(seg, len, sum));
}

static void sockaddr_parse(const char *text, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!text)
		return;
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, text, a->bytes) != 1) {
		fprintf(stderr, "bad address in the test tables: %s\n", text);
		exit(2);
	}
}

static size_t payload_len(const struct pkt *p)
{
	if (p->payload_len == NO_PAYLOAD)
		return 0;
	return p->payload_len ? (size_t)p->payload_len : RTP_PAYLOAD;
}

static void fill_payload(uint8_t *payload, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		payload[i] = 0x80 + i * 13;
}

static size_t put_ether(uint8_t *d, const struct pkt *p, const uint8_t *dmac, const uint8_t *smac, uint16_t type)
{
	size_t off = 2 * ETH_ALEN;

	memcpy(d, dmac, ETH_ALEN);
	memcpy(d + ETH_ALEN, smac, ETH_ALEN);
	if (p->vlan_tpid) {
		put16(d + off, p->vlan_tpid);
		put16(d + off + 2, p->vlan_id);
		off += 4;
	}
	if (p->qinq) {
		put16(d + off, ETH_P_8021Q);
		put16(d + off + 2, p->vlan_id + 1);
		off += 4;
	}
	put16(d + off, type);
	return off + 2;
}

static size_t put_arp_request(uint8_t *d, const uint8_t *smac, const struct ip_addr *src, const struct ip_addr *dst)
{
	put16(d, 1); /* Ethernet */
	put16(d + 2, ETH_P_IP);
	d[4] = ETH_ALEN;
	d[5] = 4;
	put16(d + 6, 1); /* request */
	memcpy(d + 8, smac, ETH_ALEN);
	memcpy(d + 14, src->bytes, 4);
	memset(d + 18, 0, ETH_ALEN);
	memcpy(d + 24, dst->bytes, 4);
	return 28;
}

/* An 8-byte IPv6 extension header followed by `next`. */
static void put_ipv6_ext(uint8_t *d, enum ipv6_ext ext, uint8_t next)
{
	memset(d, 0, 8);
	d[0] = next;
	switch (ext) {
	case EXT_NONE:
		break;
	case EXT_HOPOPTS:
	case EXT_DSTOPTS:
		d[2] = 1; /* PadN over the remaining 4 bytes */
		d[3] = 4;
		break;
	case EXT_ROUTING:
		break; /* type 0, no segments left */
	case EXT_FRAGMENT:
		put32(d + 4, 0x2a2a2a2a); /* identification; offset 0, M clear: an atomic fragment */
		break;
	}
}

static size_t l4_header_len(uint8_t proto)
{
	if (proto == IPPROTO_UDP)
		return 8;
	if (proto == IPPROTO_TCP)
		return 20;
	return 0;
}

/* The L4 header (UDP or TCP; other protocols carry the payload bare) and its checksum. */
static void put_l4(struct frame *f, const struct pkt *p, const struct ip_addr *src, const struct ip_addr *dst,
		   const uint8_t *payload)
{
	uint8_t *l4 = f->data + f->lo.l4;
	size_t hlen = l4_header_len(f->lo.l4_proto), len = hlen + payload_len(p);
	uint16_t check;

	memcpy(l4 + hlen, payload, payload_len(p));
	if (f->lo.l4_proto == IPPROTO_UDP) {
		put16(l4, p->src.port);
		put16(l4 + 2, p->dst.port);
		put16(l4 + 4, len);
		put16(l4 + 6, 0);
		f->l4_sum = l4_sum(src, dst, IPPROTO_UDP, l4, len);
		check = ~f->l4_sum;
		if (!check)
			check = 0xffff; /* RFC 768: 0 means "no checksum" */
		put16(l4 + 6, p->no_udp_csum ? 0 : check);
	} else if (f->lo.l4_proto == IPPROTO_TCP) {
		put16(l4, p->src.port);
		put16(l4 + 2, p->dst.port);
		put32(l4 + 4, 1);
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH, ACK */
		put16(l4 + 14, 0xffff);
		put16(l4 + 16, (uint16_t)~l4_sum(src, dst, IPPROTO_TCP, l4, len));
	}
}

static size_t put_ipv4(uint8_t *d, const struct pkt *p, const struct ip_addr *src, const struct ip_addr *dst,
		       uint8_t proto, size_t l4_len)
{
	size_t hlen = 20 + 4 * p->ip_opt_words, i;

	d[0] = 0x40 | hlen / 4;
	d[1] = p->tos;
	put16(d + 2, hlen + l4_len);
	put16(d + 4, 0x1c46);
	put16(d + 6, p->frag_off);
	d[8] = p->ttl ? p->ttl : 64;
	d[9] = proto;
	memcpy(d + 12, src->bytes, 4);
	memcpy(d + 16, dst->bytes, 4);
	for (i = 20; i < hlen; i += 4) {
		d[i] = 0x94; /* router alert */
		d[i + 1] = 4;
		put16(d + i + 2, 0);
	}
	return hlen;
}

static size_t put_ipv6(uint8_t *d, const struct pkt *p, const struct ip_addr *src, const struct ip_addr *dst,
		       uint8_t proto, size_t l4_len)
{
	size_t ext = p->ext_hdr ? 8 : 0;

	put32(d, 6u << 28 | (uint32_t)p->tos << 20 | FLOW_LABEL);
	put16(d + 4, ext + l4_len);
	d[6] = ext ? ipv6_ext_proto[p->ext_hdr] : proto;
	d[7] = p->ttl ? p->ttl : 64;
	memcpy(d + 8, src->bytes, 16);
	memcpy(d + 24, dst->bytes, 16);
	if (ext)
		put_ipv6_ext(d + 40, p->ext_hdr, proto);
	return 40 + ext;
}

/* Header fields the case overrides to make a malformed frame. */
static void apply_overrides(struct frame *f, const struct pkt *p)
{
	uint8_t *l3 = f->data + f->lo.l3;

	if (p->ip_len)
		put16(l3 + (f->lo.family == AF_INET ? 2 : 4), p->ip_len);
	if (p->udp_len)
		put16(f->data + f->lo.l4 + 4, p->udp_len);
	if (p->ihl)
		l3[0] = (l3[0] & 0xf0) | p->ihl;
	if (p->version)
		l3[0] = (l3[0] & 0x0f) | p->version << 4;
}

static void put_ipv4_check(uint8_t *l3, size_t hlen, bool spoil)
{
	uint16_t check;

	put16(l3 + 10, 0);
	check = ~fold(sum_words(l3, hlen, 0));
	put16(l3 + 10, spoil ? check ^ 1 : check);
}

static void build_frame(struct frame *f, const struct pkt *p, const uint8_t *dmac, const uint8_t *smac,
			const uint8_t *payload)
{
	struct ip_addr src, dst;
	uint8_t *d = f->data;
	size_t l4_len;

	memset(f, 0, sizeof(*f));
	sockaddr_parse(p->src.addr, &src);
	sockaddr_parse(p->dst.addr, &dst);
	if (p->ethertype) {
		f->lo.l3 = put_ether(d, p, dmac, smac, p->ethertype);
		f->len = f->lo.l3 + put_arp_request(d + f->lo.l3, smac, &src, &dst);
		f->lo.end = f->len;
		return;
	}

	f->lo.family = src.family;
	f->lo.l4_proto = p->l4_proto ? p->l4_proto : IPPROTO_UDP;
	l4_len = l4_header_len(f->lo.l4_proto) + payload_len(p);
	f->lo.l3 = put_ether(d, p, dmac, smac, src.family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (src.family == AF_INET)
		f->lo.l4 = f->lo.l3 + put_ipv4(d + f->lo.l3, p, &src, &dst, f->lo.l4_proto, l4_len);
	else
		f->lo.l4 = f->lo.l3 + put_ipv6(d + f->lo.l3, p, &src, &dst, f->lo.l4_proto, l4_len);
	f->lo.payload = f->lo.l4 + l4_header_len(f->lo.l4_proto);
	f->lo.end = f->lo.l4 + l4_len;
	put_l4(f, p, &src, &dst, payload);
	apply_overrides(f, p);
	if (src.family == AF_INET)
		put_ipv4_check(d + f->lo.l3, f->lo.l4 - f->lo.l3, p->bad_ip_csum);

	memset(d + f->lo.end, PAD_BYTE, p->pad);
	f->len = f->lo.end + p->pad;
	if (p->truncate && p->truncate < f->len)
		f->len = p->truncate;
}

/*
 * Sets the first payload word so that the UDP sum of the frame `p`
 * describes is 0xffff: its checksum computes to 0 and is sent as 0xffff.
 */
static void craft_udp_sum_ffff(const struct pkt *p, uint8_t *payload)
{
	static struct frame f;

	put16(payload, 0);
	build_frame(&f, p, sender_mac, sender_mac, payload);
	put16(payload, 0xffff - f.l4_sum);
}

/* The forwarded frame a case expects: the input with the rewrite applied. */
static struct pkt rewritten(const struct test_case *c)
{
	struct pkt out = c->in;

	out.src = c->out.src;
	out.dst = c->out.dst;
	out.ttl = c->out.ttl;
	out.craft = CRAFT_NONE;
	return out;
}

/* Diagnostics */

static const char *verdict_name(int verdict)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT" };

	if (verdict >= 0 && verdict < (int)G_N_ELEMENTS(names))
		return names[verdict];
	return "unknown verdict";
}

static const char *field_name(const struct layout *lo, size_t off)
{
	static const char *const ipv4[20] = {
		"ipv4.version/ihl", "ipv4.tos",	     "ipv4.tot_len",  "ipv4.tot_len", "ipv4.id",
		"ipv4.id",	    "ipv4.frag_off", "ipv4.frag_off", "ipv4.ttl",     "ipv4.protocol",
		"ipv4.check",	    "ipv4.check",    "ipv4.saddr",    "ipv4.saddr",   "ipv4.saddr",
		"ipv4.saddr",	    "ipv4.daddr",    "ipv4.daddr",    "ipv4.daddr",   "ipv4.daddr",
	};
	static const char *const udp[8] = { "udp.source", "udp.source", "udp.dest",  "udp.dest",
					    "udp.len",	  "udp.len",	"udp.check", "udp.check" };
	size_t rel;

	if (off < ETH_ALEN)
		return "eth.dst";
	if (off < 2 * ETH_ALEN)
		return "eth.src";
	if (off < lo->l3)
		return "eth.vlan/type";
	if (!lo->family || off >= lo->end)
		return off >= lo->end ? "padding" : "l3";
	rel = off - lo->l3;
	if (off < lo->l4) {
		if (lo->family == AF_INET)
			return rel < 20 ? ipv4[rel] : "ipv4.options";
		if (rel < 4)
			return "ipv6.version/tc/flow_lbl";
		if (rel < 6)
			return "ipv6.payload_len";
		if (rel < 8)
			return rel == 6 ? "ipv6.nexthdr" : "ipv6.hop_limit";
		if (rel < 40)
			return rel < 24 ? "ipv6.saddr" : "ipv6.daddr";
		return "ipv6.exthdr";
	}
	if (lo->l4_proto == IPPROTO_UDP && off - lo->l4 < 8)
		return udp[off - lo->l4];
	if (off < lo->payload)
		return "l4 header";
	return "payload";
}

static void hex_row(GString *d, const char *label, const uint8_t *buf, size_t len, size_t row)
{
	size_t i;

	g_string_append_printf(d, "#   %04zx %-8s", row, label);
	for (i = row; i < row + 16 && i < len; i++)
		g_string_append_printf(d, " %02x", buf[i]);
	g_string_append_c(d, '\n');
}

/* The rows of the two frames that differ, with markers and field names. */
static void diff_frames(GString *d, const struct frame *exp, const uint8_t *got, size_t got_len)
{
	size_t len = MAX(exp->len, got_len), row, i;

	g_string_append_printf(d, "# output frame differs (expected %zu bytes, got %zu)\n", exp->len, got_len);
	for (row = 0; row < len; row += 16) {
		GString *marks = g_string_new(NULL), *fields = g_string_new(NULL);
		const char *last = NULL;

		for (i = row; i < row + 16 && i < len; i++) {
			bool same = i < exp->len && i < got_len && exp->data[i] == got[i];
			const char *name = field_name(&exp->lo, i);

			g_string_append(marks, same ? "   " : " ^^");
			if (!same && name != last)
				g_string_append_printf(fields, " %s", name);
			if (!same)
				last = name;
		}
		if (fields->len) {
			hex_row(d, "expected", exp->data, exp->len, row);
			hex_row(d, "got", got, got_len, row);
			g_string_append_printf(d, "#   %4s %-8s%s  <-%s\n", "", "", marks->str, fields->str);
		}
		g_string_free(marks, TRUE);
		g_string_free(fields, TRUE);
	}
}

/* Counters */

#define GC_FIELD(f)                                     \
	{                                               \
#f, offsetof(struct global_counters, f) \
	}
static const struct {
	const char *name;
	size_t off;
} gc_fields[] = {
	GC_FIELD(forwarded),	    GC_FIELD(passed),		GC_FIELD(dropped_wrong_source),
	GC_FIELD(dropped_hold),	    GC_FIELD(errors),		GC_FIELD(pass_not_udp),
	GC_FIELD(pass_malformed),   GC_FIELD(pass_unsupported), GC_FIELD(pass_no_flow),
	GC_FIELD(pass_not_latched), GC_FIELD(pass_ttl),		GC_FIELD(pass_no_route),
};
_Static_assert(G_N_ELEMENTS(gc_fields) * sizeof(__u64) == sizeof(struct global_counters),
	       "a field of struct global_counters is missing from gc_fields");

static __u64 *gc_at(struct global_counters *gc, size_t i)
{
	return (__u64 *)((char *)gc + gc_fields[i].off);
}

struct runner {
	struct rtprelay_bpf *skel;
	int prog_fd, flows_fd, counters_fd, tx_ports_fd;
	int ncpus;
	int run, failed;
};

static int read_global_counters(const struct runner *r, struct global_counters *sum)
{
	struct global_counters *per_cpu = calloc(r->ncpus, sizeof(*per_cpu));
	__u32 zero = 0;
	size_t i;
	int cpu, err = 0;

	memset(sum, 0, sizeof(*sum));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(r->counters_fd, &zero, per_cpu))
		err = -errno;
	for (cpu = 0; !err && cpu < r->ncpus; cpu++)
		for (i = 0; i < G_N_ELEMENTS(gc_fields); i++)
			*gc_at(sum, i) += *gc_at(&per_cpu[cpu], i);
	free(per_cpu);
	return err;
}

static bool check_global_counters(GString *d, const struct test_case *c, struct global_counters *before,
				  struct global_counters *after)
{
	struct global_counters want = c->counters;
	bool ok = true;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(gc_fields); i++) {
		__u64 delta = *gc_at(after, i) - *gc_at(before, i);

		if (delta == *gc_at(&want, i))
			continue;
		g_string_append_printf(d, "# counters.%s: expected +%llu, got +%llu\n", gc_fields[i].name,
				       (unsigned long long)*gc_at(&want, i), (unsigned long long)delta);
		ok = false;
	}
	return ok;
}

/* Flow table */

static void flow_addr_set(struct flow_addr *fa, const char *text)
{
	struct ip_addr a;

	sockaddr_parse(text, &a);
	memset(fa, 0, sizeof(*fa));
	memcpy(fa->v6, a.bytes, a.family == AF_INET6 ? 16 : 4);
}

static void flow_key_of(const struct flow_def *f, struct flow_key *key)
{
	memset(key, 0, sizeof(*key));
	flow_addr_set(&key->addr, f->local.addr);
	key->port = htons(f->local.port);
	key->family = strchr(f->local.addr, ':') ? FLOW_AF_INET6 : FLOW_AF_INET;
}

static int program_flows(const struct runner *r)
{
	int id;

	for (id = NO_FLOW + 1; id < NR_FLOWS; id++) {
		const struct flow_def *f = &flow_defs[id];
		struct flow_value v = { 0 };
		struct flow_key key;

		flow_key_of(f, &key);
		flow_addr_set(&v.src_addr, f->src.addr);
		flow_addr_set(&v.dst_addr, f->dst.addr);
		flow_addr_set(&v.expect_addr, f->expect.addr);
		v.src_port = htons(f->src.port);
		v.dst_port = htons(f->dst.port);
		v.expect_port = htons(f->expect.port);
		v.flags = f->flags;
		v.egress_ifindex = f->egress ? if_nametoindex(f->egress) : 0;
		if (bpf_map_update_elem(r->flows_fd, &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int program_tx_ports(const struct runner *r, bool empty)
{
	int i;

	for (i = 0; i < NR_IFACES; i++) {
		__u32 ifindex = ifaces[i].ifindex;

		if (empty) {
			if (bpf_map_delete_elem(r->tx_ports_fd, &ifindex) && errno != ENOENT)
				return -errno;
		} else if (bpf_map_update_elem(r->tx_ports_fd, &ifindex, &ifindex, BPF_ANY)) {
			return -errno;
		}
	}
	return 0;
}

static bool check_flow(GString *d, const struct runner *r, enum flow_id id, const struct flow_counters *want, __u64 t0,
		       __u64 t1)
{
	struct flow_value v;
	struct flow_key key;
	const struct flow_counters *got = &v.counters;
	const char *local = flow_defs[id].local.addr;
	bool ok = true, last_seen_ok;

	flow_key_of(&flow_defs[id], &key);
	if (bpf_map_lookup_elem(r->flows_fd, &key, &v)) {
		g_string_append_printf(d, "# flow %s:%u: lookup failed: %s\n", local, flow_defs[id].local.port,
				       strerror(errno));
		return false;
	}
	last_seen_ok = want->packets ? got->last_seen_ns >= t0 && got->last_seen_ns <= t1 : got->last_seen_ns == 0;
	if (got->packets != want->packets || got->bytes != want->bytes || got->wrong_source != want->wrong_source ||
	    !last_seen_ok) {
		g_string_append_printf(d,
				       "# flow %s:%u counters: expected packets %llu bytes %llu wrong_source %llu "
				       "last_seen %s; got %llu %llu %llu last_seen %llu (run %llu..%llu)\n",
				       local, flow_defs[id].local.port, (unsigned long long)want->packets,
				       (unsigned long long)want->bytes, (unsigned long long)want->wrong_source,
				       want->packets ? "during the run" : "0", (unsigned long long)got->packets,
				       (unsigned long long)got->bytes, (unsigned long long)got->wrong_source,
				       (unsigned long long)got->last_seen_ns, (unsigned long long)t0,
				       (unsigned long long)t1);
		ok = false;
	}
	return ok;
}

static bool check_flows(GString *d, const struct runner *r, const struct test_case *c, __u64 t0, __u64 t1)
{
	static const struct flow_counters untouched;
	bool ok = true;
	int id;

	for (id = NO_FLOW + 1; id < NR_FLOWS; id++)
		ok &= check_flow(d, r, id, id == (int)c->flow ? &c->flow_counters : &untouched, t0, t1);
	return ok;
}

/* The runner */

/* Builds the case's input and expected frames; false on a fault in the table itself. */
static bool build_case(GString *d, const struct test_case *c, struct frame *in, struct frame *want)
{
	static uint8_t payload[FRAME_MAX];
	struct pkt out = rewritten(c);
	const struct iface *ing = &ifaces[c->in_if], *eg = &ifaces[c->out.via];

	fill_payload(payload, payload_len(&c->in));
	if (c->in.craft == CRAFT_IN_FFFF)
		craft_udp_sum_ffff(&c->in, payload);
	if (c->in.craft == CRAFT_OUT_FFFF)
		craft_udp_sum_ffff(&out, payload);

	build_frame(in, &c->in, ing->mac, sender_mac, payload);
	if (c->out.src.addr)
		build_frame(want, &out, eg->peer_mac, eg->mac, payload);
	else
		*want = *in;

	if (c->in.craft == CRAFT_IN_FFFF && get16(in->data + in->lo.l4 + 6) != 0xffff) {
		g_string_append(d, "# test bug: input UDP checksum is not 0xffff\n");
		return false;
	}
	if (c->in.craft == CRAFT_OUT_FFFF && get16(want->data + want->lo.l4 + 6) != 0xffff) {
		g_string_append(d, "# test bug: expected UDP checksum is not 0xffff\n");
		return false;
	}
	return true;
}

/* One BPF_PROG_TEST_RUN of the frame, arriving on `in_if`; returns 0 or -errno. */
static int run_prog(const struct runner *r, const struct frame *in, enum iface_id in_if, uint8_t *out, size_t out_size,
		    struct bpf_test_run_opts *opts)
{
	struct xdp_md ctx = {
		.data_end = in->len,
		.ingress_ifindex = ifaces[in_if].ifindex,
	};

	opts->data_in = in->data;
	opts->data_size_in = in->len;
	opts->data_out = out;
	opts->data_size_out = out_size;
	opts->ctx_in = &ctx;
	opts->ctx_size_in = sizeof(ctx);
	opts->repeat = 1;
	return bpf_prog_test_run_opts(r->prog_fd, opts) ? -errno : 0;
}

static bool run_case(struct runner *r, const struct test_case *c, GString *d)
{
	static struct frame in, want;
	static uint8_t got[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct global_counters before, after;
	__u64 t0, t1;
	bool ok = true;
	int err;

	if (!build_case(d, c, &in, &want))
		return false;
	err = program_flows(r);
	if (!err)
		err = program_tx_ports(r, c->no_tx_ports);
	if (!err)
		err = read_global_counters(r, &before);
	if (err) {
		g_string_append_printf(d, "# programming the maps failed: %s\n", strerror(-err));
		return false;
	}

	t0 = monotonic_ns();
	err = run_prog(r, &in, c->in_if, got, sizeof(got), &opts);
	t1 = monotonic_ns();
	if (err) {
		g_string_append_printf(d, "# BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		return false;
	}

	if ((int)opts.retval != c->verdict) {
		g_string_append_printf(d, "# verdict: expected %s, got %s (%u)\n", verdict_name(c->verdict),
				       verdict_name(opts.retval), opts.retval);
		ok = false;
	}
	if (opts.data_size_out != want.len || memcmp(got, want.data, want.len)) {
		diff_frames(d, &want, got, opts.data_size_out);
		ok = false;
	}
	err = read_global_counters(r, &after);
	if (err) {
		g_string_append_printf(d, "# reading the counters failed: %s\n", strerror(-err));
		return false;
	}
	ok &= check_global_counters(d, c, &before, &after);
	ok &= check_flows(d, r, c, t0, t1);
	return ok;
}

static int lookup_ifaces(void)
{
	int i, err, peer_ifindex;

	for (i = 0; i < NR_IFACES; i++) {
		struct iface *f = &ifaces[i];

		err = netdev_lookup(f->name, &f->ifindex, f->mac);
		if (err)
			return err;
		err = netdev_lookup(f->peer, &peer_ifindex, f->peer_mac);
		if (err)
			return err;
	}
	return 0;
}

/* Open and load without pinning: no bpffs needed, nothing left behind. */
static int load(struct runner *r)
{
	struct bpf_map *map;
	int err;

	r->skel = rtprelay_bpf__open();
	if (!r->skel)
		return -errno;
	bpf_object__for_each_map(map, r->skel->obj)
	{
		err = bpf_map__set_pin_path(map, NULL);
		if (err)
			return err;
	}
	err = rtprelay_bpf__load(r->skel);
	if (err)
		return err;
	r->prog_fd = bpf_program__fd(r->skel->progs.rtprelay_xdp);
	r->flows_fd = bpf_map__fd(r->skel->maps.flows);
	r->counters_fd = bpf_map__fd(r->skel->maps.counters);
	r->tx_ports_fd = bpf_map__fd(r->skel->maps.tx_ports);
	r->ncpus = libbpf_num_possible_cpus();
	return r->ncpus < 0 ? r->ncpus : 0;
}

static int bail(const char *what, int err)
{
	printf("not ok 1 - %s: %s\n1..1\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	struct runner r = { 0 };
	size_t i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = lookup_ifaces();
	if (err)
		return bail("look up relay0/peer0/relay1/peer1 (run me from tests/xdp_packets.sh)", err);
	err = load(&r);
	if (err) {
		rtprelay_bpf__destroy(r.skel);
		return bail("load bpf/rtprelay.bpf.c", err);
	}
	for (i = 0; i < NR_IFACES; i++)
		printf("# %s ifindex %d, neighbours at %s\n", ifaces[i].name, ifaces[i].ifindex, ifaces[i].peer);

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct test_case *c = &cases[i];
		GString *d;
		bool ok;

		if (filter && !strstr(c->name, filter))
			continue;
		d = g_string_new(NULL);
		ok = run_case(&r, c, d);
		r.run++;
		if (!ok)
			r.failed++;
		printf("%s %d - %s\n%s", ok ? "ok" : "not ok", r.run, c->name, d->str);
		g_string_free(d, TRUE);
	}
	printf("1..%d\n", r.run);
	if (r.failed)
		printf("# %d of %d cases failed\n", r.failed, r.run);
	rtprelay_bpf__destroy(r.skel);
	return r.failed ? 1 : 0;
}
