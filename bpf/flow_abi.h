/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one definition of everything the XDP datapath and userspace share:
 * flow map key and value, per-flow and global counters, map names and sizes.
 * Included by bpf/rtprelay.bpf.c and by every userspace file that touches
 * the maps. Every type here carries BTF in the BPF object, so
 * `bpftool map dump pinned /sys/fs/bpf/rtprelay/flows` prints named fields.
 */
#ifndef RTPRELAY_FLOW_ABI_H
#define RTPRELAY_FLOW_ABI_H

#include <linux/types.h>

/* Pinned object names under the bpffs directory (default /sys/fs/bpf/rtprelay). */
/* Where rtprelayd pins its maps and links unless told otherwise (--bpffs). */
#define RTPRELAY_BPFFS_DEFAULT "/sys/fs/bpf/rtprelay"
#define PIN_FLOWS	       "flows"
#define PIN_FLOW_TABLE	       "flow_table"
#define PIN_WINDOW_SLOTS       "window_slots"
#define PIN_COUNTERS	       "counters"
#define PIN_LINK_PREFIX	       "link_" /* link_<ifname>: the bpf_link of one interface */
#define PIN_CALL_RECORDS       "call_records"

#define FLOW_MAP_MAX_ENTRIES   262144
#define TX_PORTS_MAX_ENTRIES   64

/* Address families as stored in the maps (values of AF_INET / AF_INET6). */
#define FLOW_AF_INET  2
#define FLOW_AF_INET6 10

/* An IPv4 or IPv6 address in network byte order; IPv4 uses v4, rest zero. */
struct flow_addr {
	union {
		__be32 v4;
		__u8 v6[16];
	};
};

/* The relay's local end of one leg: the packet's destination. */
struct flow_key {
	struct flow_addr addr;
	__be16 port;
	__u8 family; /* FLOW_AF_INET or FLOW_AF_INET6 */
	__u8 pad;
};

/* flow_value.flags */
#define FLOW_F_LATCHED (1u << 0) /* peer source confirmed: forward, enforce expect_* */
#define FLOW_F_HOLD    (1u << 1) /* forwarding toward the peer is on hold: drop */

/*
 * The next hop toward dst_addr, resolved by the daemon from the kernel's
 * routes and neighbours (userspace/datapath/nexthop.c) and rewritten at once
 * when they change, so the program needs no FIB helper (which refuses to
 * work while forwarding is off). ifindex 0: not resolved yet (no route, the
 * neighbour unknown or unanswered, or an egress without XDP): the program
 * passes the packet to the stack and the daemon forwards it from its socket.
 */
struct flow_nexthop {
	__u8 dmac[6];
	__u8 smac[6];
	__u32 ifindex; /* egress interface; XDP_TX when it is the ingress, else XDP_REDIRECT */
	__u16 mtu;     /* the route's MTU: longer IP packets go to the stack */
	__u16 pad;
};

/*
 * The XDP program reads the clock (bpf_ktime_get_ns, some 20 ns here) only
 * for the flow's first forwarded packet and every FLOW_SEEN_SAMPLE-th after
 * it, so sampled_seen_ns is at most FLOW_SEEN_SAMPLE - 1 packets older than
 * the flow's last one (1.3 s of 20 ms RTP): close enough for the idle
 * timeouts that read it. The userspace datapath stamps every batch it sends.
 */
#define FLOW_SEEN_SAMPLE 64

/* Where a packet that hit the flow goes, and what the flow has seen. */
struct flow_counters {
	__u64 packets;
	__u64 bytes;
	__u64 sampled_seen_ns; /* CLOCK_MONOTONIC of a recent forwarded packet: see FLOW_SEEN_SAMPLE */
	__u64 wrong_source;    /* packets dropped because they came from elsewhere */
};

struct flow_value {
	struct flow_addr src_addr;    /* egress source: the relay's address for the other leg */
	struct flow_addr dst_addr;    /* egress destination: the other peer */
	struct flow_addr expect_addr; /* the only accepted source once latched */
	__be16 src_port;
	__be16 dst_port;
	__be16 expect_port;
	__u16 flags; /* FLOW_F_* */
	struct flow_nexthop nexthop;
	/*
	 * 1 + the flow's entry in flow_table (below), which the program
	 * forwards from and counts in; 0: none, the program uses this value.
	 * Was padding before flow_table: flows pinned by an older daemon have 0.
	 */
	__u32 table_slot;
	struct flow_counters counters;
};

/*
 * The flow table: what the program looks a packet up in first, so that a
 * hit costs one cache miss instead of the hash map's two dependent ones
 * (the bucket, then the element). Each (relay address, block of
 * FLOW_WINDOW_PORTS ports) that has a flow gets a window of the table, and
 * port p of the block is entry base + p % FLOW_WINDOW_PORTS. The daemon
 * hands out windows as flows need them and keeps them for the maps' life;
 * a flow with no room in the table stays in `flows` alone (table_slot 0).
 * Every flow is also in `flows`, the table's index and what bpftool and an
 * older daemon read; a flow in the table is counted there, and in `flows`
 * only by packets that met its entry being written (below).
 */
#define FLOW_WINDOW_SHIFT  10
#define FLOW_WINDOW_PORTS  (1u << FLOW_WINDOW_SHIFT)
#define FLOW_TABLE_ENTRIES 131072 /* 128 windows, 16 MiB */
#define FLOW_WINDOWS_MAX   (FLOW_TABLE_ENTRIES / FLOW_WINDOW_PORTS)

/*
 * Where the windows are: window_slots, an array the program indexes with a
 * multiplication instead of a hash map it hashes the key into (jhash, the
 * bucket, the element: 15-20 ns of the program's 35-45 over a trivial
 * redirect; docs/architecture.md). A window (key: a struct flow_key whose
 * port is the block, port >> FLOW_WINDOW_SHIFT in host order) lives in
 * one of its two candidate slots, flow_window_slot(..., 0) or (..., 1),
 * whichever the daemon found free; the program compares the stored key
 * with the packet's. A window whose two slots are both taken gets no
 * table entries: its flows stay in `flows` alone. 2048 slots for at most
 * FLOW_WINDOWS_MAX (128) windows keep that rare (with all 128 in use,
 * about 0.2 windows expected left without a slot) in 64 KiB, of which the
 * program only touches the lines of the windows in use.
 *
 * The daemon writes a slot through its mmap, in an order that lets the
 * program read it unlocked: filling a free slot, base1 first, then the key,
 * its family last (no packet has family 0, so a partly written key matches
 * none); emptying it, the family first. A packet sees a window's base1 as
 * 0 (no window: `flows`) or right.
 */
#define FLOW_WINDOW_SLOTS_SHIFT 11
#define FLOW_WINDOW_SLOTS	(1u << FLOW_WINDOW_SLOTS_SHIFT)
_Static_assert(FLOW_WINDOW_SLOTS >= 16 * FLOW_WINDOWS_MAX, "window slots a sixteenth full at most");

struct flow_window {
	struct flow_key key; /* port: the block; family 0: a free slot */
	__u32 base1;	     /* 1 + the window's first entry; 0: none */
	__u32 pad[2];	     /* 32 bytes: two slots a cache line, none across two */
};

/* An address's four 32-bit words, XORed: what flow_window_slot hashes of it. */
static inline __attribute__((always_inline)) __u32 flow_addr_fold(const struct flow_addr *a)
{
	__u32 w[4];

	__builtin_memcpy(w, a->v6, sizeof(w));
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}

/*
 * Candidate slot `which` (0 or 1) of the window (address, block, family),
 * the address given folded (flow_addr_fold): a multiplicative hash, with a
 * different odd multiplier for each. Scalars, not a struct flow_key, so
 * that the program hashes what it has in registers. The program and the
 * daemon both call it, so they cannot disagree.
 */
static inline __attribute__((always_inline)) __u32 flow_window_slot(__u32 addr_fold, __u16 block, __u8 family,
								    int which)
{
	__u64 x = (__u64)addr_fold << 32 | (__u32)block << 8 | family;

	x *= which ? 0xc2b2ae3d27d4eb4fULL : 0x9e3779b97f4a7c15ULL;
	return x >> (64 - FLOW_WINDOW_SLOTS_SHIFT);
}

/*
 * 128 bytes: two whole cache lines (the map's entries are page-aligned),
 * fetched together: the addresses, ports and flags fill the first, the next
 * hop and the counters the second.
 *
 * Userspace writes an entry in place through the map's mmap, all but
 * value.counters (the kernel's alone), between two increments of seq: odd
 * while it writes. The program reads seq, copies what it forwards by, and
 * reads seq again; a packet that finds seq odd or changed takes the flow
 * from `flows` (which holds the same flow, replaced whole by the kernel)
 * and counts there. So a flow's counts are its entry's plus those in
 * `flows` (lib/flow_table.c: flow_table_counters), and the counters are
 * zeroed only when the entry is given to a flow (flows.table_slot did not
 * name it, or it was absent). seq was padding before: an entry that an
 * older daemon wrote has 0 (present, its counters the flow's all, and
 * those in `flows` a stale copy); a present entry written with seq has an
 * even seq >= 2.
 */
#define FLOW_TABLE_HOT_BYTES __builtin_offsetof(struct flow_value, counters) /* what the program copies */
struct flow_table_entry {
	struct flow_value value;
	__u32 present; /* 0: no flow here (the program looks in `flows`) */
	__u32 seq;     /* odd: being written, read `flows` */
	__u32 pad[2];
};

/* One per CPU (a single-entry per-CPU array); userspace sums the CPUs. */
struct global_counters {
	__u64 forwarded;	    /* rewritten and sent with XDP_TX or XDP_REDIRECT */
	__u64 passed;		    /* handed to the kernel stack (sum of the pass_* reasons) */
	__u64 dropped_wrong_source; /* latched flow, packet from another source */
	__u64 dropped_hold;	    /* flow on hold */
	__u64 errors;		    /* redirect failures and other internal errors */
	__u64 pass_not_udp;	    /* not IPv4/IPv6 UDP: the stack's business */
	__u64 pass_malformed;	    /* truncated or inconsistent headers */
	__u64 pass_unsupported;	    /* IPv4 options, IPv6 extension headers, fragments */
	__u64 pass_no_flow;	    /* no flow for (dst addr, dst port) */
	__u64 pass_not_latched;	    /* flow programmed, peer not latched yet */
	__u64 pass_ttl;		    /* TTL / hop limit <= 1 */
	__u64 pass_no_nexthop;	    /* no resolved next hop (XDP) or no socket to send from (userspace) */
	__u64 pass_too_big;	    /* longer than the next hop's MTU: the stack fragments or refuses */
	__u64 pass_vlan;	    /* VLAN-tagged toward another interface: only XDP_TX keeps the tag */
};

/*
 * The durable record of one call (userspace/datapath/call_records.c): what a
 * daemon started after a crash needs to take over an ng call, or to hang up
 * a SIP dialog with a BYE. The XDP program never reads them; they live in a
 * pinned hash map next to the flows (key: a __u64 record id) so that they
 * survive exactly as long as the flows do, and bpftool dumps them with
 * named fields. Text fields are NUL-terminated; a call whose text does not
 * fit is not recorded (and not recovered).
 */
#define CALL_RECORDS_MAX_ENTRIES 65536
#define CALL_RECORD_STREAMS	 16 /* m= lines of one ng call (NG_SDP_MAX_STREAMS) */
#define CALL_RECORD_ID_LEN	 256
#define CALL_RECORD_TAG_LEN	 128
#define CALL_RECORD_URI_LEN	 256
#define CALL_RECORD_ROUTE_LEN	 1024
#define CALL_RECORD_NAME_LEN	 32 /* a named media address (RTPRELAY_MEDIA_ADDRESS_NAME_MAX) */

enum call_record_kind {
	CALL_RECORD_NG = 1,  /* a call of rtpengine's ng protocol */
	CALL_RECORD_SIP = 2, /* one SIP dialog of ours, with its leg */
};

/* Where a leg's peer said it receives (its SDP), and whether it does. */
struct call_record_peer {
	struct flow_addr addr;
	__be16 rtp_port;
	__be16 rtcp_port;
	__u8 family; /* 0: no SDP yet */
	__u8 receives;
	__u16 pad;
};

/* A relay leg: its RTP port (RTCP: port + 1; its flows are keyed by both) and its peer. */
struct call_record_leg {
	__u16 port; /* host byte order; 0: no leg */
	__u16 pad;
	struct call_record_peer peer;
};

struct call_record_ng {
	char call_id[CALL_RECORD_ID_LEN];
	char tags[2][CALL_RECORD_TAG_LEN]; /* [0]: the first offer's from-tag; [1]: the answer's to-tag, or "" */
	__s64 tag_created_s[2];
	__s64 created_s;
	__s64 last_signal_s;
	__u32 streams;
	__u32 pad;
	char types[CALL_RECORD_STREAMS][16];
	struct call_record_leg legs[2][CALL_RECORD_STREAMS]; /* [side][m= line] */
	char labels[2][CALL_RECORD_TAG_LEN];		     /* each side's label, "" when none */
	char addresses[2][CALL_RECORD_NAME_LEN]; /* each side's named media address (direction), "": media-ip */
	__u8 asymmetric[2];			 /* each side's legs keep to its SDP's address */
	__u8 pad2[6];
};

struct call_record_sip {
	char call_id[CALL_RECORD_ID_LEN];
	char local_tag[CALL_RECORD_TAG_LEN];
	char remote_tag[CALL_RECORD_TAG_LEN];
	char local_uri[CALL_RECORD_URI_LEN];	 /* our From in the dialog's requests */
	char remote_uri[CALL_RECORD_URI_LEN];	 /* their To */
	char remote_target[CALL_RECORD_URI_LEN]; /* Request-URI: the peer's Contact */
	char route_set[CALL_RECORD_ROUTE_LEN];	 /* Route header value, "" when none */
	char local_contact[CALL_RECORD_URI_LEN];
	char transport[8]; /* "udp" or "tcp" */
	__u32 local_cseq;  /* the last CSeq we sent in the dialog (0: none yet) */
	__u16 port;	   /* the leg's RTP port, host byte order */
	__u16 pad;
};

struct call_record {
	__u32 kind; /* enum call_record_kind */
	__u32 pad;
	union {
		struct call_record_ng ng;
		struct call_record_sip sip;
	};
};

#endif
