/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fixtures of the XDP packet tests: the interfaces of the namespace
 * tests/xdp_packets.sh builds, the flow table and one row per case.
 * Adding a case is adding a row to `cases` in cases.c.
 */
#ifndef RTPRELAY_TESTS_XDP_CASES_H
#define RTPRELAY_TESTS_XDP_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "bpf/flow_abi.h"
#include "frame.h"

/* The relay's veths; a next hop through one is its peer end's MAC. */
enum iface_id {
	RELAY0,
	RELAY1,
	NR_IFACES,
};

struct iface_def {
	const char *name;
	const char *peer;
};

extern const struct iface_def cases_ifaces[NR_IFACES];
/* The sender of the input frames: not a neighbour, so no output carries it. */
extern const uint8_t cases_sender_mac[ETH_ALEN];

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
	F4_NO_NEXTHOP,
	F4_NEXTHOP_DECIDES,
	F4_SMALL_MTU,
	F6_TX,
	F6_REDIR,
	F6_REDIR_RTCP,
	F6_NOT_LATCHED,
	F6_HOLD,
	F6_NO_NEXTHOP,
	F6_SMALL_MTU,
	/*
	 * Three windows with one window slot in common, in this order
	 * (bpf/flow_abi.h): the first takes the slot, the second (a candidate
	 * slot of it) its other candidate, the third (both) finds no slot and
	 * stays in `flows` alone.
	 */
	F4_WINDOW_FIRST,
	F4_WINDOW_SECOND,
	F4_WINDOW_NONE,
	NR_FLOWS,
};

/*
 * The next hop the daemon resolved for a flow (userspace/datapath/nexthop.c):
 * out of `via`, to its peer end's MAC, with the route's MTU (0: the veths'
 * 1500). Not resolved: the flow's nexthop is all zero.
 */
struct nexthop_def {
	bool resolved;
	enum iface_id via;
	uint16_t mtu;
};

/*
 * One entry of the flows map. A new field of struct flow_value: a field
 * here, its value in the rows of cases_flows and one line in runner.c's
 * flow_value_of().
 */
struct flow_def {
	struct endpoint local;	/* the key: the relay's address and port the packet is sent to */
	struct endpoint src;	/* egress source */
	struct endpoint dst;	/* egress destination */
	struct endpoint expect; /* latched source */
	uint16_t flags;
	struct nexthop_def nexthop;
	bool no_window; /* its window's two slots are taken by windows before it: no table entry */
};

extern const struct flow_def cases_flows[NR_FLOWS];

/*
 * The map state a case sets on top of the flow table; all zero: every
 * interface in tx_ports. A new knob: a field here and its programming in
 * runner.c's program_maps().
 */
struct case_maps {
	bool no_tx_ports;	   /* tx_ports left empty */
	__u64 flow_packets_before; /* the case's flow has forwarded this many packets already */
	/*
	 * Not NO_FLOW: the case's flow's table entry is being written (seq
	 * odd) and holds this flow's fields already; the program must take
	 * the flow from `flows`. Only with the flows in the flow table.
	 */
	enum flow_id entry_written_as;
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
	struct frame_spec in;
	struct case_maps maps;
	int verdict;
	struct rewrite out; /* UNCHANGED (out.src.addr NULL): the frame must come back as it went in */
	struct global_counters counters;
	/*
	 * Expected counters of the flow `flow` (every other flow must stay
	 * all zero). sampled_seen_ns must fall within the run when the run's
	 * packet was a sampled one (the flow's 1st, 65th, ...: FLOW_SEEN_SAMPLE)
	 * and stay 0 otherwise.
	 */
	enum flow_id flow;
	struct flow_counters flow_counters;
};

extern const struct test_case cases[];
extern const size_t cases_count;

#endif
