// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP program (bpf/rtprelay.bpf.c) run on fuzzed frames with
 * BPF_PROG_RUN against a small fixed flow table, and held to its rules:
 *
 *  - the verdict is XDP_PASS, XDP_DROP, XDP_TX or XDP_REDIRECT;
 *  - only a well-formed IPv4 or IPv6 UDP packet to a latched flow, not on
 *    hold, from the flow's latched source, with TTL above 1, is sent on
 *    (TX or REDIRECT), and a VLAN-tagged one only back out (TX);
 *  - a frame sent on is the frame that came in with the flow's addresses,
 *    ports and next-hop MACs, TTL - 1, a valid IPv4 header checksum, and
 *    a UDP checksum that is valid if it was (0 stays 0 on IPv4);
 *  - a frame passed or dropped comes back untouched; only a latched flow
 *    drops, and only a packet from elsewhere or toward a held leg;
 *  - the counters say what happened: one global counter per frame, the
 *    flow's packets and bytes per frame sent on.
 * Where the flow's next hop is resolved and the packet fits its MTU, a
 * packet that may be sent on is sent on.
 *
 * Input: one byte picks a template (0: none), one byte of fix-ups, then
 * bytes. Without a template the bytes are the frame; with one they are
 * XORed over a well-formed frame (frame.c) toward one of the flows, so the
 * fuzzer starts deep in the program, which gives it no coverage of its own.
 * The fix-ups recompute the IPv4 header and UDP checksums that mutations
 * spoil, as a sender would.
 *
 * Needs root (CAP_BPF and CAP_NET_ADMIN) and a kernel that runs XDP
 * programs with BPF_PROG_RUN; says so and exits 1 otherwise. Loads the
 * program unpinned, attaches it nowhere, creates no namespace.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "bpf/flow_abi.h"
#include "rtprelay.skel.h"
#include "tests/support/inet_csum.h"
#include "tests/xdp/frame.h"
#include "fuzz_support.h"

/* BPF_PROG_RUN takes an XDP frame of 14 bytes up to what fits in a page with its headroom. */
#define FRAME_MIN ETH_HLEN
#define FRAME_CAP 2048
/* A tx_ports key that is no interface of this host: a next hop there is XDP_REDIRECT, to lo. */
#define REDIRECT_KEY  4000000u
#define FIX_IPV4_CSUM 1
#define FIX_UDP_CSUM  2
#define FIX_CUT	      4 /* the frame ends where the bytes end */

/*
 * The flow table, programmed before every frame. Adapting to a change of
 * struct flow_value or of how the program finds its next hop is this
 * table and program_flow().
 */
enum nexthop {
	NEXTHOP_NONE,	  /* not resolved: the program passes the packet to the stack */
	NEXTHOP_TX,	  /* back out of the ingress interface */
	NEXTHOP_REDIRECT, /* out of another interface, REDIRECT_KEY */
};

struct fuzz_flow {
	struct endpoint local, src, dst, expect;
	uint16_t flags;
	enum nexthop nexthop;
	uint16_t mtu; /* of the next hop; 0: any length fits */
};

#define LATCHED FLOW_F_LATCHED
#define HOLD	FLOW_F_HOLD

/* clang-format off */
static const struct fuzz_flow flows[] = {
	{ { "10.10.0.1", 30000 },  { "10.10.0.1", 30010 },  { "10.10.0.2", 5000 },  { "10.10.0.5", 4000 },  LATCHED,        NEXTHOP_TX },
	{ { "10.10.0.1", 30002 },  { "10.20.0.1", 30020 },  { "10.20.0.2", 6000 },  { "10.10.0.2", 4002 },  LATCHED,        NEXTHOP_REDIRECT },
	{ { "10.10.0.1", 30004 },  { "10.20.0.1", 30024 },  { "10.20.0.2", 6004 },  { "10.10.0.2", 4004 },  0,              NEXTHOP_TX },
	{ { "10.10.0.1", 30006 },  { "10.20.0.1", 30026 },  { "10.20.0.2", 6006 },  { "10.10.0.2", 4006 },  LATCHED | HOLD, NEXTHOP_TX },
	{ { "10.10.0.1", 30008 },  { "10.20.0.1", 30028 },  { "10.20.0.2", 6008 },  { "10.10.0.2", 4008 },  LATCHED,        NEXTHOP_NONE },
	{ { "fd00:10::1", 40000 }, { "fd00:10::1", 40010 }, { "fd00:10::2", 5000 }, { "fd00:10::5", 4000 }, LATCHED,        NEXTHOP_TX },
	{ { "fd00:10::1", 40002 }, { "fd00:20::1", 40020 }, { "fd00:20::2", 6000 }, { "fd00:10::2", 4002 }, LATCHED,        NEXTHOP_REDIRECT },
	{ { "fd00:10::1", 40006 }, { "fd00:20::1", 40026 }, { "fd00:20::2", 6006 }, { "fd00:10::2", 4006 }, LATCHED | HOLD, NEXTHOP_TX },
	/* A template's IPv4 packet is 200 bytes long: exactly what fits. */
	{ { "10.10.0.1", 30010 },  { "10.10.0.1", 30030 },  { "10.10.0.2", 5010 },  { "10.10.0.5", 4010 },  LATCHED,        NEXTHOP_TX, 200 },
};
/* clang-format on */
#define NR_FLOWS (sizeof(flows) / sizeof(flows[0]))

static const uint8_t nexthop_dmac[ETH_ALEN] = { 0x02, 0, 0, 0, 0xd0, 0x01 };
static const uint8_t nexthop_smac[ETH_ALEN] = { 0x02, 0, 0, 0, 0x5a, 0x01 };
static const uint8_t ingress_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0x10, 0x01 };
static const uint8_t sender_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0x10, 0x05 };

static struct rtprelay_bpf *skel;
static int prog_fd, flows_fd, counters_fd, ncpus, lo_ifindex;

static void addr_of(const char *text, struct flow_addr *a)
{
	struct ip_addr ip;

	frame_parse_addr(text, &ip);
	memset(a, 0, sizeof(*a));
	memcpy(a->v6, ip.bytes, ip.family == AF_INET6 ? 16 : 4);
}

static void key_of(const struct fuzz_flow *f, struct flow_key *key)
{
	memset(key, 0, sizeof(*key));
	addr_of(f->local.addr, &key->addr);
	key->port = htons(f->local.port);
	key->family = strchr(f->local.addr, ':') ? FLOW_AF_INET6 : FLOW_AF_INET;
}

/* The entry as the daemon writes it, next hop resolved or not. */
static void program_flow(const struct fuzz_flow *f)
{
	struct flow_value v = { 0 };
	struct flow_key key;

	key_of(f, &key);
	addr_of(f->src.addr, &v.src_addr);
	addr_of(f->dst.addr, &v.dst_addr);
	addr_of(f->expect.addr, &v.expect_addr);
	v.src_port = htons(f->src.port);
	v.dst_port = htons(f->dst.port);
	v.expect_port = htons(f->expect.port);
	v.flags = f->flags;
	if (f->nexthop != NEXTHOP_NONE) {
		memcpy(v.nexthop.dmac, nexthop_dmac, ETH_ALEN);
		memcpy(v.nexthop.smac, nexthop_smac, ETH_ALEN);
		v.nexthop.ifindex = f->nexthop == NEXTHOP_TX ? (__u32)lo_ifindex : REDIRECT_KEY;
		v.nexthop.mtu = f->mtu ? f->mtu : 0xffff;
	}
	FUZZ_CHECK(!bpf_map_update_elem(flows_fd, &key, &v, BPF_ANY), "programming a flow: %s", strerror(errno));
}

static int load(void)
{
	__u32 redirect_key = REDIRECT_KEY, lo;
	struct bpf_map *map;
	int err;

	lo_ifindex = if_nametoindex("lo");
	lo = lo_ifindex;
	skel = rtprelay_bpf__open();
	if (!skel)
		return -errno;
	bpf_object__for_each_map(map, skel->obj)
	{
		err = bpf_map__set_pin_path(map, NULL);
		if (err)
			return err;
	}
	err = rtprelay_bpf__load(skel);
	if (err)
		return err;
	prog_fd = bpf_program__fd(skel->progs.rtprelay_xdp);
	flows_fd = bpf_map__fd(skel->maps.flows);
	counters_fd = bpf_map__fd(skel->maps.counters);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return ncpus;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.tx_ports), &redirect_key, &lo, BPF_ANY))
		return -errno;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int err;

	if (geteuid() != 0) {
		fprintf(stderr, "fuzz_xdp: needs root to load and run the XDP program (BPF_PROG_RUN)\n");
		exit(1);
	}
	err = load();
	if (err) {
		fprintf(stderr, "fuzz_xdp: cannot load bpf/rtprelay.bpf.c: %s\n", strerror(err < 0 ? -err : err));
		exit(1);
	}
	return 0;
}

/* What the frame is, found here from the RFCs' rules and not from the program's code. */
struct parsed {
	bool udp;	  /* a well-formed IPv4 or IPv6 UDP packet */
	bool tagged;	  /* one VLAN tag */
	struct layout lo; /* l3, l4, payload; end: the end of the UDP datagram */
	struct flow_key dst;
	struct flow_addr src_addr;
	__be16 src_port;
	uint8_t ttl;
	uint16_t udp_len;
	uint16_t l3_len;	   /* IPv4 total length; IPv6 header and payload */
	size_t ttl_off, check_off; /* of TTL / hop limit; of the IPv4 header checksum (0: IPv6) */
	size_t udp_check_off;	   /* 0: no UDP header in the frame */
};

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* The UDP header, if it lies within the IP packet's payload of ip_payload bytes. */
static void parse_udp(struct parsed *p, const uint8_t *d, size_t len, size_t ip_payload)
{
	size_t l4 = p->lo.l4;

	if (l4 + 8 > len)
		return;
	p->udp_check_off = l4 + 6;
	p->udp_len = get16(d + l4 + 4);
	memcpy(&p->dst.port, d + l4 + 2, 2);
	memcpy(&p->src_port, d + l4, 2);
	p->lo.payload = l4 + 8;
	p->lo.end = l4 + p->udp_len;
	p->udp = p->udp_len >= 8 && p->udp_len <= ip_payload;
}

static void parse_ipv4(struct parsed *p, const uint8_t *d, size_t len)
{
	const uint8_t *ip = d + p->lo.l3;
	uint16_t tot_len;

	if (p->lo.l3 + 20 > len || ip[0] != 0x45)
		return; /* IPv4 without options only */
	p->lo.family = AF_INET;
	p->lo.l4 = p->lo.l3 + 20;
	p->check_off = p->lo.l3 + 10;
	p->ttl_off = p->lo.l3 + 8;
	p->ttl = ip[8];
	p->dst.family = FLOW_AF_INET;
	memcpy(&p->dst.addr.v4, ip + 16, 4);
	memcpy(&p->src_addr.v4, ip + 12, 4);
	tot_len = get16(ip + 2);
	p->l3_len = tot_len;
	if (ip[9] != IPPROTO_UDP || (get16(ip + 6) & 0x3fff) || tot_len < 20 || p->lo.l3 + tot_len > len)
		return;
	parse_udp(p, d, len, tot_len - 20);
	p->udp &= inet_csum_fold(inet_csum_add(0, ip, 20)) == 0xffff;
}

static void parse_ipv6(struct parsed *p, const uint8_t *d, size_t len)
{
	const uint8_t *ip = d + p->lo.l3;
	uint16_t payload_len;

	if (p->lo.l3 + 40 > len || ip[0] >> 4 != 6 || ip[6] != IPPROTO_UDP)
		return; /* no extension headers */
	p->lo.family = AF_INET6;
	p->lo.l4 = p->lo.l3 + 40;
	p->ttl_off = p->lo.l3 + 7;
	p->ttl = ip[7];
	p->dst.family = FLOW_AF_INET6;
	memcpy(p->dst.addr.v6, ip + 24, 16);
	memcpy(p->src_addr.v6, ip + 8, 16);
	payload_len = get16(ip + 4);
	p->l3_len = 40 + payload_len;
	if (p->lo.l4 + payload_len > len)
		return;
	parse_udp(p, d, len, payload_len);
	p->udp &= p->udp_check_off && get16(d + p->udp_check_off) != 0; /* RFC 8200 8.1 */
}

static void parse(struct parsed *p, const uint8_t *d, size_t len)
{
	uint16_t type = get16(d + 12);

	memset(p, 0, sizeof(*p));
	p->lo.l3 = ETH_HLEN;
	p->lo.l4_proto = IPPROTO_UDP;
	if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (len < ETH_HLEN + 4)
			return;
		p->tagged = true;
		type = get16(d + 16);
		p->lo.l3 += 4;
	}
	if (type == ETH_P_IP)
		parse_ipv4(p, d, len);
	else if (type == ETH_P_IPV6)
		parse_ipv6(p, d, len);
}

static void fix_checksums(uint8_t *d, size_t len, uint8_t fixups)
{
	struct parsed p;
	uint16_t check;
	size_t alen;

	parse(&p, d, len);
	if ((fixups & FIX_IPV4_CSUM) && p.check_off) {
		put16(d + p.check_off, 0);
		put16(d + p.check_off, ~inet_csum_fold(inet_csum_add(0, d + p.lo.l3, 20)));
	}
	if ((fixups & FIX_UDP_CSUM) && p.udp_check_off && p.lo.end <= len && p.udp_len >= 8) {
		alen = p.lo.family == AF_INET ? 4 : 16;
		put16(d + p.udp_check_off, 0);
		check = ~inet_csum_l4(d + p.lo.l3 + (alen == 4 ? 12 : 8), d + p.lo.l3 + (alen == 4 ? 16 : 24), alen,
				      IPPROTO_UDP, d + p.lo.l4, p.udp_len);
		put16(d + p.udp_check_off, check ? check : 0xffff); /* RFC 768: 0 means none */
	}
}

/* Templates: flow (index % flows) times variants (index / flows, bits below). */
#define VARIANT_OTHER_SOURCE 1
#define VARIANT_VLAN	     2
#define VARIANT_NO_UDP_CSUM  4
#define VARIANT_TTL_1	     8
#define NR_VARIANTS	     16

static void build_template(struct frame *f, unsigned index)
{
	static uint8_t payload[RTP_PAYLOAD];
	const struct fuzz_flow *flow = &flows[index % NR_FLOWS];
	unsigned variant = index / NR_FLOWS % NR_VARIANTS;
	bool v6 = strchr(flow->local.addr, ':');
	struct frame_spec spec = {
		.src = flow->expect,
		.dst = flow->local,
		.vlan_tpid = variant & VARIANT_VLAN ? ETH_P_8021Q : 0,
		.vlan_id = 5,
		.no_udp_csum = !v6 && (variant & VARIANT_NO_UDP_CSUM),
		.ttl = variant & VARIANT_TTL_1 ? 1 : 0,
	};

	if (variant & VARIANT_OTHER_SOURCE)
		spec.src = (struct endpoint){ v6 ? "2001:db8::99" : "192.0.2.99", 1234 };
	frame_fill_payload(payload, sizeof(payload));
	frame_build(f, &spec, ingress_mac, sender_mac, payload);
}

/* The frame the input describes; false if BPF_PROG_RUN cannot take it. */
static bool frame_of(const uint8_t *data, size_t size, struct frame *f)
{
	const uint8_t *bytes = data + 2;
	size_t n = size - 2, i;

	if (data[0]) {
		build_template(f, data[0] - 1u);
		for (i = 0; i < n && i < FRAME_CAP; i++) {
			if (i < f->len)
				f->data[i] ^= bytes[i];
			else
				f->data[f->len++] = bytes[i];
		}
		if (data[1] & FIX_CUT)
			f->len = i;
	} else {
		f->len = n < FRAME_CAP ? n : FRAME_CAP;
		memcpy(f->data, bytes, f->len);
	}
	if (f->len < FRAME_MIN)
		return false;
	fix_checksums(f->data, f->len, data[1]);
	return true;
}

static int flow_index(const struct flow_key *dst)
{
	struct flow_key key;
	size_t i;

	for (i = 0; i < NR_FLOWS; i++) {
		key_of(&flows[i], &key);
		if (key.family == dst->family && key.port == dst->port &&
		    !memcmp(&key.addr, &dst->addr, dst->family == FLOW_AF_INET ? 4 : 16))
			return i;
	}
	return -1;
}

static bool from_expected(const struct parsed *p, const struct fuzz_flow *f)
{
	struct flow_addr expect;

	addr_of(f->expect.addr, &expect);
	return p->src_port == htons(f->expect.port) && !memcmp(&p->src_addr, &expect, p->lo.family == AF_INET ? 4 : 16);
}

static void read_counters(struct global_counters *sum)
{
	struct global_counters per_cpu[ncpus];
	__u32 zero = 0;
	__u64 *s = (__u64 *)sum;
	int cpu;
	size_t i;

	FUZZ_CHECK(!bpf_map_lookup_elem(counters_fd, &zero, per_cpu), "reading the counters: %s", strerror(errno));
	memset(sum, 0, sizeof(*sum));
	for (cpu = 0; cpu < ncpus; cpu++)
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			s[i] += ((__u64 *)&per_cpu[cpu])[i];
}

static void read_flow(int index, struct flow_value *v)
{
	struct flow_key key;

	key_of(&flows[index], &key);
	FUZZ_CHECK(!bpf_map_lookup_elem(flows_fd, &key, v), "reading a flow: %s", strerror(errno));
}

/* The forwarded frame against the input with the flow's rewrite applied. */
static void check_forwarded(const struct frame *in, const uint8_t *out, const struct parsed *p, int index,
			    const struct flow_value *v)
{
	const struct fuzz_flow *f = &flows[index];
	static uint8_t want[FRAME_CAP];
	struct flow_addr src, dst;
	size_t alen = p->lo.family == AF_INET ? 4 : 16, saddr = p->lo.l3 + (alen == 4 ? 12 : 8);
	GString *why = g_string_new(NULL);
	bool sums_in;

	memcpy(want, in->data, in->len);
	memcpy(want, v->nexthop.dmac, ETH_ALEN);
	memcpy(want + ETH_ALEN, v->nexthop.smac, ETH_ALEN);
	addr_of(f->src.addr, &src);
	addr_of(f->dst.addr, &dst);
	memcpy(want + saddr, &src, alen);
	memcpy(want + saddr + alen, &dst, alen);
	put16(want + p->lo.l4, f->src.port);
	put16(want + p->lo.l4 + 2, f->dst.port);
	want[p->ttl_off]--;
	if (p->check_off)
		memcpy(want + p->check_off, out + p->check_off, 2);
	memcpy(want + p->udp_check_off, out + p->udp_check_off, 2);
	FUZZ_CHECK(!memcmp(want, out, in->len), "the frame sent on is not the input rewritten for flow %d", index);

	sums_in = frame_verify_sums(why, &p->lo, in->data, in->len);
	g_string_truncate(why, 0);
	FUZZ_CHECK(frame_verify_sums(why, &p->lo, out, in->len) || !sums_in, "flow %d: %s", index, why->str);
	g_string_free(why, TRUE);
	if (p->check_off && !get16(in->data + p->udp_check_off))
		FUZZ_CHECK(!get16(out + p->udp_check_off), "an IPv4 UDP checksum of 0 became %#x",
			   get16(out + p->udp_check_off));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame in;
	static uint8_t out[FRAME_CAP];
	struct xdp_md ctx = { .ingress_ifindex = lo_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data, .data_out = out, .data_size_out = sizeof(out),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	struct global_counters before, after;
	struct flow_value v_before = { 0 }, v_after;
	struct parsed p;
	bool latched, expected, hold, forwardable, sent_on;
	int index, verdict;
	size_t i;

	if (size < 2 || !frame_of(data, size, &in))
		return 0;
	for (i = 0; i < NR_FLOWS; i++)
		program_flow(&flows[i]);
	parse(&p, in.data, in.len);
	index = p.udp ? flow_index(&p.dst) : -1;
	if (index >= 0)
		read_flow(index, &v_before);
	read_counters(&before);

	ctx.data_end = in.len;
	opts.data_size_in = in.len;
	FUZZ_CHECK(!bpf_prog_test_run_opts(prog_fd, &opts), "BPF_PROG_RUN: %s", strerror(errno));
	verdict = opts.retval;
	read_counters(&after);

	latched = index >= 0 && (flows[index].flags & FLOW_F_LATCHED);
	hold = index >= 0 && (flows[index].flags & FLOW_F_HOLD);
	expected = index >= 0 && from_expected(&p, &flows[index]);
	forwardable = latched && expected && !hold && p.ttl > 1;
	sent_on = verdict == XDP_TX || verdict == XDP_REDIRECT;

	FUZZ_CHECK(verdict == XDP_PASS || verdict == XDP_DROP || sent_on, "verdict %d", verdict);
	FUZZ_CHECK(opts.data_size_out == in.len, "%u bytes out of %zu", opts.data_size_out, in.len);
	FUZZ_CHECK(!sent_on || forwardable,
		   "sent on (%d): well-formed UDP %d, flow %d, latched %d, from its source %d, hold %d, ttl %u",
		   verdict, p.udp, index, latched, expected, hold, p.ttl);
	FUZZ_CHECK(verdict != XDP_REDIRECT || !p.tagged, "a VLAN-tagged frame redirected");
	FUZZ_CHECK(verdict != XDP_DROP || (latched && (!expected || hold)),
		   "dropped: well-formed UDP %d, flow %d, latched %d, from its source %d, hold %d", p.udp, index,
		   latched, expected, hold);
	FUZZ_CHECK(
	    after.forwarded - before.forwarded == sent_on && after.passed - before.passed == (verdict == XDP_PASS) &&
		after.dropped_wrong_source + after.dropped_hold - before.dropped_wrong_source - before.dropped_hold ==
		    (verdict == XDP_DROP),
	    "verdict %d, counters forwarded +%llu passed +%llu dropped +%llu", verdict,
	    (unsigned long long)(after.forwarded - before.forwarded),
	    (unsigned long long)(after.passed - before.passed),
	    (unsigned long long)(after.dropped_wrong_source + after.dropped_hold - before.dropped_wrong_source -
				 before.dropped_hold));

	if (forwardable && flows[index].nexthop != NEXTHOP_NONE && (!flows[index].mtu || p.l3_len <= flows[index].mtu))
		FUZZ_CHECK(sent_on || (p.tagged && flows[index].nexthop == NEXTHOP_REDIRECT),
			   "flow %d: a packet that may be sent on got verdict %d", index, verdict);
	if (!sent_on) {
		FUZZ_CHECK(!memcmp(out, in.data, in.len), "verdict %d, but the frame changed", verdict);
		return 0;
	}
	read_flow(index, &v_after);
	FUZZ_CHECK(verdict == (v_after.nexthop.ifindex == (__u32)lo_ifindex ? XDP_TX : XDP_REDIRECT),
		   "verdict %d toward ifindex %u", verdict, v_after.nexthop.ifindex);
	FUZZ_CHECK(v_after.counters.packets == v_before.counters.packets + 1 &&
		       v_after.counters.bytes == v_before.counters.bytes + p.udp_len - 8,
		   "flow %d counted %llu packets, %llu bytes for one of %u", index,
		   (unsigned long long)(v_after.counters.packets - v_before.counters.packets),
		   (unsigned long long)(v_after.counters.bytes - v_before.counters.bytes), p.udp_len - 8);
	check_forwarded(&in, out, &p, index, &v_after);
	return 0;
}
