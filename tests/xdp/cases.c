// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP packet tests' fixtures (cases.h explains them), for the
 * namespace tests/xdp_packets.sh builds:
 *
 *   relay0  10.10.0.1/24  fd00:10::1/64   (veth, peer end peer0)
 *   relay1  10.20.0.1/24  fd00:20::1/64   (veth, peer end peer1)
 *
 * Each flow carries the next hop the daemon would have resolved for it
 * (VIA): the program takes MACs, egress and MTU from there and from
 * nowhere else, so the namespace needs neither routes nor neighbours.
 */
#include <netinet/in.h>

#include "cases.h"

const struct iface_def cases_ifaces[NR_IFACES] = {
	[RELAY0] = { .name = "relay0", .peer = "peer0" },
	[RELAY1] = { .name = "relay1", .peer = "peer1" },
};

const uint8_t cases_sender_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x10, 0x05 };

#define LATCHED FLOW_F_LATCHED
#define VIA(iface)                               \
	{                                        \
		.resolved = true, .via = (iface) \
	}
#define VIA_MTU(iface, route_mtu)                                    \
	{                                                            \
		.resolved = true, .via = (iface), .mtu = (route_mtu) \
	}

/* clang-format off */
const struct flow_def cases_flows[NR_FLOWS] = {
	[F4_TX] = {
		.local = { "10.10.0.1", 30000 },
		.src = { "10.10.0.1", 30010 },
		.dst = { "10.10.0.2", 5000 },
		.expect = { "10.10.0.5", 4000 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY0),
	},
	[F4_TX_RTCP] = {
		.local = { "10.10.0.1", 30001 },
		.src = { "10.10.0.1", 30011 },
		.dst = { "10.10.0.2", 5001 },
		.expect = { "10.10.0.5", 4001 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY0),
	},
	[F4_REDIR] = {
		.local = { "10.10.0.1", 30002 },
		.src = { "10.20.0.1", 30020 },
		.dst = { "10.20.0.2", 6000 },
		.expect = { "10.10.0.2", 4002 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY1),
	},
	[F4_REDIR_RTCP] = {
		.local = { "10.10.0.1", 30003 },
		.src = { "10.20.0.1", 30021 },
		.dst = { "10.20.0.2", 6001 },
		.expect = { "10.10.0.2", 4003 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY1),
	},
	[F4_REDIR_BACK] = {
		.local = { "10.20.0.1", 30020 },
		.src = { "10.10.0.1", 30002 },
		.dst = { "10.10.0.2", 4002 },
		.expect = { "10.20.0.2", 6000 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY0),
	},
	[F4_NOT_LATCHED] = {
		.local = { "10.10.0.1", 30004 },
		.src = { "10.20.0.1", 30024 },
		.dst = { "10.20.0.2", 6004 },
		.nexthop = VIA(RELAY1),
	},
	[F4_HOLD] = {
		.local = { "10.10.0.1", 30006 },
		.src = { "10.20.0.1", 30026 },
		.dst = { "10.20.0.2", 6006 },
		.expect = { "10.10.0.2", 4006 },
		.flags = LATCHED | FLOW_F_HOLD,
		.nexthop = VIA(RELAY1),
	},
	/* No route, or no neighbour yet: the daemon resolved nothing. */
	[F4_NO_NEXTHOP] = {
		.local = { "10.10.0.1", 30008 },
		.src = { "10.10.0.1", 30018 },
		.dst = { "10.10.0.3", 5008 },
		.expect = { "10.10.0.2", 4008 },
		.flags = LATCHED,
	},
	/* A destination on relay0's subnet whose next hop is out of relay1. */
	[F4_NEXTHOP_DECIDES] = {
		.local = { "10.10.0.1", 30014 },
		.src = { "10.20.0.1", 30034 },
		.dst = { "10.10.0.4", 6014 },
		.expect = { "10.10.0.2", 4014 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY1),
	},
	/* A route with a smaller MTU than its interface's. */
	[F4_SMALL_MTU] = {
		.local = { "10.10.0.1", 30016 },
		.src = { "10.20.0.1", 30036 },
		.dst = { "10.20.0.2", 6016 },
		.expect = { "10.10.0.2", 4016 },
		.flags = LATCHED,
		.nexthop = VIA_MTU(RELAY1, 1000),
	},
	[F6_TX] = {
		.local = { "fd00:10::1", 40000 },
		.src = { "fd00:10::1", 40010 },
		.dst = { "fd00:10::2", 5000 },
		.expect = { "fd00:10::5", 4000 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY0),
	},
	[F6_REDIR] = {
		.local = { "fd00:10::1", 40002 },
		.src = { "fd00:20::1", 40020 },
		.dst = { "fd00:20::2", 6000 },
		.expect = { "fd00:10::2", 4002 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY1),
	},
	[F6_REDIR_RTCP] = {
		.local = { "fd00:10::1", 40003 },
		.src = { "fd00:20::1", 40021 },
		.dst = { "fd00:20::2", 6001 },
		.expect = { "fd00:10::2", 4003 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY1),
	},
	[F6_NOT_LATCHED] = {
		.local = { "fd00:10::1", 40004 },
		.src = { "fd00:20::1", 40024 },
		.dst = { "fd00:20::2", 6004 },
		.nexthop = VIA(RELAY1),
	},
	[F6_HOLD] = {
		.local = { "fd00:10::1", 40006 },
		.src = { "fd00:20::1", 40026 },
		.dst = { "fd00:20::2", 6006 },
		.expect = { "fd00:10::2", 4006 },
		.flags = LATCHED | FLOW_F_HOLD,
		.nexthop = VIA(RELAY1),
	},
	[F6_NO_NEXTHOP] = {
		.local = { "fd00:10::1", 40008 },
		.src = { "fd00:10::1", 40018 },
		.dst = { "fd00:10::3", 5008 },
		.expect = { "fd00:10::2", 4008 },
		.flags = LATCHED,
	},
	[F6_SMALL_MTU] = {
		.local = { "fd00:10::1", 40016 },
		.src = { "fd00:20::1", 40036 },
		.dst = { "fd00:20::2", 6016 },
		.expect = { "fd00:10::2", 4016 },
		.flags = LATCHED,
		.nexthop = VIA_MTU(RELAY1, 1280),
	},
	/*
	 * Window slots (flow_window_slot): 10.30.0.1 block 39: 963 and 1142;
	 * 10.31.0.7 block 40: 963 and 1923; 10.32.81.186 block 2: 963 and 1923.
	 * The runner fails if the table does not place them so.
	 */
	[F4_WINDOW_FIRST] = {
		.local = { "10.30.0.1", 40000 },
		.src = { "10.10.0.1", 30040 },
		.dst = { "10.10.0.2", 5040 },
		.expect = { "10.10.0.5", 4040 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY0),
	},
	[F4_WINDOW_SECOND] = {
		.local = { "10.31.0.7", 40962 },
		.src = { "10.10.0.1", 30042 },
		.dst = { "10.10.0.2", 5042 },
		.expect = { "10.10.0.5", 4042 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY0),
	},
	[F4_WINDOW_NONE] = {
		.local = { "10.32.81.186", 2050 },
		.src = { "10.10.0.1", 30044 },
		.dst = { "10.10.0.2", 5044 },
		.expect = { "10.10.0.5", 4044 },
		.flags = LATCHED,
		.nexthop = VIA(RELAY0),
		.no_window = true,
	},
};
/* clang-format on */

/* clang-format off */
#define FORWARDED { .forwarded = 1 }
#define PASSED(reason) { .passed = 1, .reason = 1 }
#define RTP_HIT { .packets = 1, .bytes = RTP_PAYLOAD }
/* The output frame is the input frame (what XDP_PASS and XDP_DROP leave). */
#define UNCHANGED { { NULL } }

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

const struct test_case cases[] = {
	/* Forwarded: IPv4 */
	{
		.name = "IPv4 RTP hairpin: rewritten, TTL 63, MACs of the flow's next hop, XDP_TX",
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
		.name = "IPv4 the flow's next hop decides, not the destination's subnet: out of relay1, XDP_REDIRECT",
		.in = { { "10.10.0.2", 4014 }, { "10.10.0.1", 30014 } },
		.verdict = XDP_REDIRECT,
		.out = { { "10.20.0.1", 30034 }, { "10.10.0.4", 6014 }, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_NEXTHOP_DECIDES,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 exactly the route's MTU (1000): XDP_REDIRECT",
		.in = { { "10.10.0.2", 4016 }, { "10.10.0.1", 30016 }, .payload_len = 1000 - 28 },
		.verdict = XDP_REDIRECT,
		.out = { { "10.20.0.1", 30036 }, { "10.20.0.2", 6016 }, 63, RELAY1 },
		.counters = FORWARDED,
		.flow = F4_SMALL_MTU,
		.flow_counters = { .packets = 1, .bytes = 1000 - 28 },
	},
	{
		.name = "IPv4 the flow's 65th packet: the clock is sampled again",
		.in = { A_IN },
		.maps = { .flow_packets_before = FLOW_SEEN_SAMPLE },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = { .packets = FLOW_SEEN_SAMPLE + 1, .bytes = RTP_PAYLOAD },
	},
	{
		.name = "IPv4 the flow's entry half-written (seq odd, another flow's fields): forwarded by `flows`",
		.in = { A_IN },
		.maps = { .entry_written_as = F4_REDIR },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 the flow's 2nd packet: forwarded without reading the clock",
		.in = { A_IN },
		.maps = { .flow_packets_before = 1 },
		.verdict = XDP_TX,
		.out = { A_OUT, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_TX,
		.flow_counters = { .packets = 2, .bytes = RTP_PAYLOAD },
	},

	/* Window slots shared: every window's flow forwarded and counted where it is */
	{
		.name = "IPv4 window in its first slot: XDP_TX",
		.in = { { "10.10.0.5", 4040 }, { "10.30.0.1", 40000 } },
		.verdict = XDP_TX,
		.out = { { "10.10.0.1", 30040 }, { "10.10.0.2", 5040 }, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_WINDOW_FIRST,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 window whose first slot another window took, in its second: XDP_TX",
		.in = { { "10.10.0.5", 4042 }, { "10.31.0.7", 40962 } },
		.verdict = XDP_TX,
		.out = { { "10.10.0.1", 30042 }, { "10.10.0.2", 5042 }, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_WINDOW_SECOND,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 window with both slots taken, its flow in `flows` alone: XDP_TX",
		.in = { { "10.10.0.5", 4044 }, { "10.32.81.186", 2050 } },
		.verdict = XDP_TX,
		.out = { { "10.10.0.1", 30044 }, { "10.10.0.2", 5044 }, 63, RELAY0 },
		.counters = FORWARDED,
		.flow = F4_WINDOW_NONE,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv4 port without a flow in a window with both slots taken: XDP_PASS",
		.in = { { "10.10.0.5", 4044 }, { "10.32.81.186", 2052 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_no_flow),
	},
	{
		.name = "IPv4 port without a flow in a window in its second slot: XDP_PASS",
		.in = { { "10.10.0.5", 4042 }, { "10.31.0.7", 40964 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_no_flow),
	},

	/* Forwarded: IPv6 */
	{
		.name = "IPv6 RTP hairpin: rewritten, hop limit 63, MACs of the flow's next hop, XDP_TX",
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
		.out = UNCHANGED,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F4_REDIR,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv4 latched flow, wrong source port: XDP_DROP",
		.in = { { "10.10.0.2", 4999 }, { "10.10.0.1", 30002 } },
		.verdict = XDP_DROP,
		.out = UNCHANGED,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F4_REDIR,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv6 latched flow, wrong source address: XDP_DROP",
		.in = { { "fd00:10::9", 4002 }, { "fd00:10::1", 40002 } },
		.verdict = XDP_DROP,
		.out = UNCHANGED,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F6_REDIR,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv4 flow on hold: XDP_DROP",
		.in = { { "10.10.0.2", 4006 }, { "10.10.0.1", 30006 } },
		.verdict = XDP_DROP,
		.out = UNCHANGED,
		.counters = { .dropped_hold = 1 },
	},
	{
		.name = "IPv4 flow on hold, wrong source: counted as wrong source",
		.in = { { "10.10.0.9", 4006 }, { "10.10.0.1", 30006 } },
		.verdict = XDP_DROP,
		.out = UNCHANGED,
		.counters = { .dropped_wrong_source = 1 },
		.flow = F4_HOLD,
		.flow_counters = { .wrong_source = 1 },
	},
	{
		.name = "IPv6 flow on hold: XDP_DROP",
		.in = { { "fd00:10::2", 4006 }, { "fd00:10::1", 40006 } },
		.verdict = XDP_DROP,
		.out = UNCHANGED,
		.counters = { .dropped_hold = 1 },
	},

	/* Passed: flow state, TTL, next hop */
	{
		.name = "IPv4 flow not latched: XDP_PASS unchanged",
		.in = { { "10.10.0.2", 4004 }, { "10.10.0.1", 30004 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_latched),
	},
	{
		.name = "IPv6 flow not latched: XDP_PASS unchanged",
		.in = { { "fd00:10::2", 4004 }, { "fd00:10::1", 40004 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_latched),
	},
	{
		.name = "IPv4 unknown port: XDP_PASS unchanged",
		.in = { { "10.10.0.5", 4000 }, { "10.10.0.1", 39998 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_no_flow),
	},
	{
		.name = "IPv4 flow's port on another local address: no flow, XDP_PASS",
		.in = { { "10.10.0.5", 4000 }, { "10.20.0.1", 30000 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_no_flow),
	},
	{
		.name = "IPv6 unknown port: XDP_PASS unchanged",
		.in = { { "fd00:10::5", 4000 }, { "fd00:10::1", 49998 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_no_flow),
	},
	{
		.name = "IPv4 TTL 1: XDP_PASS unchanged",
		.in = { A_IN, .ttl = 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_ttl),
	},
	{
		.name = "IPv6 hop limit 1: XDP_PASS unchanged",
		.in = { A6_IN, .ttl = 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_ttl),
	},
	{
		.name = "IPv4 next hop not resolved (no route or no neighbour yet): XDP_PASS unchanged",
		.in = { { "10.10.0.2", 4008 }, { "10.10.0.1", 30008 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_no_nexthop),
	},
	{
		.name = "IPv6 next hop not resolved (no route or no neighbour yet): XDP_PASS unchanged",
		.in = { { "fd00:10::2", 4008 }, { "fd00:10::1", 40008 } },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_no_nexthop),
	},
	{
		.name = "IPv4 larger than the egress MTU (1500): XDP_PASS unchanged",
		.in = { B_IN, .payload_len = 1600 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_too_big),
	},
	{
		.name = "IPv4 one byte over the route's MTU (1000): XDP_PASS unchanged",
		.in = { { "10.10.0.2", 4016 }, { "10.10.0.1", 30016 }, .payload_len = 1000 - 28 + 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_too_big),
	},
	{
		.name = "IPv6 larger than the route's MTU (1280): XDP_PASS unchanged",
		.in = { { "fd00:10::2", 4016 }, { "fd00:10::1", 40016 }, .payload_len = 1300 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_too_big),
	},
	{
		.name = "IPv4 VLAN-tagged toward another interface: XDP_PASS unchanged",
		.in = { B_IN, .vlan_tpid = ETH_P_8021Q, .vlan_id = 100 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_vlan),
	},
	{
		.name = "IPv6 VLAN-tagged toward another interface: XDP_PASS unchanged",
		.in = { B6_IN, .vlan_tpid = ETH_P_8021Q, .vlan_id = 100 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_vlan),
	},

	/*
	 * Redirect refused: the daemon only resolves next hops out of
	 * interfaces in tx_ports, so only a stale flow can meet this.
	 */
	{
		.name = "IPv4 next hop out of an interface not in tx_ports: XDP_ABORTED, counted as an error",
		.in = { B_IN },
		.maps = { .no_tx_ports = true },
		.verdict = XDP_ABORTED,
		.out = { B_OUT, 63, RELAY1 },
		.counters = { .forwarded = 1, .errors = 1 },
		.flow = F4_REDIR,
		.flow_counters = RTP_HIT,
	},
	{
		.name = "IPv6 next hop out of an interface not in tx_ports: XDP_ABORTED, counted as an error",
		.in = { B6_IN },
		.maps = { .no_tx_ports = true },
		.verdict = XDP_ABORTED,
		.out = { B6_OUT, 63, RELAY1 },
		.counters = { .forwarded = 1, .errors = 1 },
		.flow = F6_REDIR,
		.flow_counters = RTP_HIT,
	},

	/* Passed: fragments, options, extension headers */
	{
		.name = "IPv4 first fragment (MF set): XDP_PASS unchanged",
		.in = { A_IN, .frag_off = IP_MF },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv4 later fragment (offset 185, MF clear): XDP_PASS unchanged",
		.in = { A_IN, .frag_off = 185 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv4 middle fragment (MF, offset 185, DF): XDP_PASS unchanged",
		.in = { A_IN, .frag_off = IP_DF | IP_MF | 185 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv4 with options (ihl 6, router alert): XDP_PASS unchanged",
		.in = { A_IN, .ip_opt_words = 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 hop-by-hop header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_HOPOPTS },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 routing header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_ROUTING },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 fragment header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_FRAGMENT },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},
	{
		.name = "IPv6 destination options header: XDP_PASS unchanged",
		.in = { A6_IN, .ext_hdr = EXT_DSTOPTS },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_unsupported),
	},

	/* Passed: malformed */
	{
		.name = "truncated Ethernet: 802.1Q tag cut short",
		.in = { A_IN, .vlan_tpid = ETH_P_8021Q, .vlan_id = 100, .truncate = ETH_HLEN + 2 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "Ethernet header only, IPv4 type: malformed",
		.in = { A_IN, .truncate = ETH_HLEN },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated IPv4 header (19 bytes): malformed",
		.in = { A_IN, .truncate = ETH_HLEN + 19 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated UDP header (IPv4 tot_len 27, frame ends there): malformed",
		.in = { A_IN, .ip_len = 27, .truncate = ETH_HLEN + 27 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 tot_len larger than the frame: malformed",
		.in = { A_IN, .ip_len = 20 + 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 tot_len smaller than the IPv4 header: malformed",
		.in = { A_IN, .ip_len = 19 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "UDP length larger than the IPv4 payload: malformed",
		.in = { A_IN, .udp_len = 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "UDP length 7 (below its header): malformed",
		.in = { A_IN, .udp_len = 7 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 bad header checksum: malformed",
		.in = { A_IN, .bad_ip_csum = true },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 header length field 4: malformed",
		.in = { A_IN, .ihl = 4 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv4 EtherType, version 6 in the header: malformed",
		.in = { A_IN, .version = 6 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated IPv6 header (39 bytes): malformed",
		.in = { A6_IN, .truncate = ETH_HLEN + 39 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv6 payload length larger than the frame: malformed",
		.in = { A6_IN, .ip_len = 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "truncated UDP header (IPv6 payload length 7, frame ends there): malformed",
		.in = { A6_IN, .ip_len = 7, .truncate = ETH_HLEN + 40 + 7 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "UDP length larger than the IPv6 payload: malformed",
		.in = { A6_IN, .udp_len = 8 + RTP_PAYLOAD + 1 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv6 UDP checksum 0: malformed",
		.in = { A6_IN, .no_udp_csum = true },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},
	{
		.name = "IPv6 EtherType, version 4 in the header: malformed",
		.in = { A6_IN, .version = 4 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_malformed),
	},

	/* Passed: not UDP */
	{
		.name = "IPv4 TCP to a flow's address and port: XDP_PASS unchanged",
		.in = { A_IN, .l4_proto = IPPROTO_TCP },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "IPv4 ICMP: XDP_PASS unchanged",
		.in = { A_IN, .l4_proto = IPPROTO_ICMP, .payload_len = 64 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "IPv6 TCP to a flow's address and port: XDP_PASS unchanged",
		.in = { A6_IN, .l4_proto = IPPROTO_TCP },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "ICMPv6: XDP_PASS unchanged",
		.in = { A6_IN, .l4_proto = IPPROTO_ICMPV6, .payload_len = 64 },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "ARP request: XDP_PASS unchanged",
		.in = { A_IN, .ethertype = ETH_P_ARP },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_udp),
	},
	{
		.name = "QinQ (two tags): XDP_PASS unchanged",
		.in = { A_IN, .vlan_tpid = ETH_P_8021AD, .vlan_id = 200, .qinq = true },
		.verdict = XDP_PASS,
		.out = UNCHANGED,
		.counters = PASSED(pass_not_udp),
	},
};
/* clang-format on */

const size_t cases_count = sizeof(cases) / sizeof(cases[0]);
