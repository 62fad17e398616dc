// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelay XDP datapath: forwards the RTP/RTCP of bridged calls.
 *
 * A packet is looked up by its destination (the relay's address and UDP
 * port). A hit on a latched flow from the expected source is rewritten
 * (addresses, ports, TTL, the MACs of the next hop the daemon resolved,
 * checksums updated incrementally) and sent with XDP_TX or XDP_REDIRECT.
 * Everything else goes to the kernel stack untouched, counted by reason: the
 * daemon's sockets see it there (latching, tone calls, fallback). Only wrong-source packets on a
 * latched flow and packets toward a held leg are dropped.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "csum.h"
#include "flow_abi.h"

#define ETH_P_8021Q_BE	bpf_htons(0x8100)
#define ETH_P_8021AD_BE bpf_htons(0x88A8)
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FLOW_MAP_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct flow_key);
	__type(value, struct flow_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

/* Mmapable only for its page-aligned entries: each is two whole cache lines. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLOW_TABLE_ENTRIES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct flow_table_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flow_table SEC(".maps");

/* Mmapable so that the daemon writes a slot's fields in order (flow_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLOW_WINDOW_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct flow_window);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} window_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct global_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

/* Not read here: the daemon's durable call records, pinned so that they live as long as the flows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CALL_RECORDS_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct call_record);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} call_records SEC(".maps");

/*
 * Interfaces XDP_REDIRECT may send to: ifindex -> ifindex. Not pinned: each
 * start fills its own from the interfaces it attaches, and libbpf 1.1
 * cannot reuse a pinned devmap (the kernel adds BPF_F_RDONLY_PROG to its
 * flags, so they never match the definition).
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, TX_PORTS_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

/* What parsing found; l3 points at the IP header, udp at the UDP header. */
struct packet {
	void *l3;
	struct udphdr *udp;
	struct flow_key key;
	struct flow_addr saddr;
	__u16 payload_len; /* UDP payload bytes */
	__u16 l3_len;	   /* IP total length (IPv6: header + payload) */
	__u8 ttl;
	__u8 vlan_tagged;
};

enum parse_result {
	PARSE_OK,
	PARSE_NOT_UDP,
	PARSE_MALFORMED,
	PARSE_UNSUPPORTED,
};

static __always_inline int ipv4_header_valid(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The UDP header and its length against the IP payload length. */
static __always_inline int parse_udp(struct packet *p, void *data_end, void *l4, __u32 ip_payload_len)
{
	struct udphdr *udp = l4;
	__u16 udp_len;

	if ((void *)(udp + 1) > data_end)
		return PARSE_MALFORMED;
	udp_len = bpf_ntohs(udp->len);
	if (udp_len < sizeof(*udp) || udp_len > ip_payload_len)
		return PARSE_MALFORMED;
	p->udp = udp;
	p->key.port = udp->dest;
	p->payload_len = udp_len - sizeof(*udp);
	return PARSE_OK;
}

static __always_inline int parse_ipv4(struct packet *p, void *l3, void *data_end)
{
	struct iphdr *iph = l3;
	__u16 tot_len;

	if ((void *)(iph + 1) > data_end)
		return PARSE_MALFORMED;
	if (iph->version != 4 || iph->ihl < 5)
		return PARSE_MALFORMED;
	if (iph->ihl > 5)
		return PARSE_UNSUPPORTED; /* IP options */
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < sizeof(*iph) || l3 + tot_len > data_end)
		return PARSE_MALFORMED;
	if (!ipv4_header_valid(iph))
		return PARSE_MALFORMED;
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return PARSE_UNSUPPORTED;
	if (iph->protocol != IPPROTO_UDP)
		return PARSE_NOT_UDP;
	p->l3 = iph;
	p->l3_len = tot_len;
	p->ttl = iph->ttl;
	p->key.family = FLOW_AF_INET;
	p->key.addr.v4 = iph->daddr;
	p->saddr.v4 = iph->saddr;
	return parse_udp(p, data_end, iph + 1, tot_len - sizeof(*iph));
}

static __always_inline int ipv6_is_extension(__u8 nexthdr)
{
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_ESP:
	case IPPROTO_AH:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
		return 1;
	}
	return 0;
}

static __always_inline int parse_ipv6(struct packet *p, void *l3, void *data_end)
{
	struct ipv6hdr *ip6h = l3;
	__u16 payload_len;
	int ret;

	if ((void *)(ip6h + 1) > data_end)
		return PARSE_MALFORMED;
	if (ip6h->version != 6)
		return PARSE_MALFORMED;
	if (ip6h->nexthdr != IPPROTO_UDP)
		return ipv6_is_extension(ip6h->nexthdr) ? PARSE_UNSUPPORTED : PARSE_NOT_UDP;
	payload_len = bpf_ntohs(ip6h->payload_len);
	if ((void *)(ip6h + 1) + payload_len > data_end)
		return PARSE_MALFORMED;
	p->l3 = ip6h;
	p->l3_len = sizeof(*ip6h) + payload_len;
	p->ttl = ip6h->hop_limit;
	p->key.family = FLOW_AF_INET6;
	__builtin_memcpy(p->key.addr.v6, &ip6h->daddr, 16);
	__builtin_memcpy(p->saddr.v6, &ip6h->saddr, 16);
	ret = parse_udp(p, data_end, ip6h + 1, payload_len);
	if (ret == PARSE_OK && p->udp->check == 0)
		return PARSE_MALFORMED; /* a zero UDP checksum is invalid on IPv6 */
	return ret;
}

static __always_inline int parse_packet(struct packet *p, void *data, void *data_end)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	if (l3 > data_end)
		return PARSE_MALFORMED;
	proto = eth->h_proto;
	if (proto == ETH_P_8021Q_BE || proto == ETH_P_8021AD_BE) {
		struct vlan_hdr *vlan = l3;

		if ((void *)(vlan + 1) > data_end)
			return PARSE_MALFORMED;
		proto = vlan->encapsulated_proto;
		l3 = vlan + 1;
		p->vlan_tagged = 1;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(p, l3, data_end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(p, l3, data_end);
	return PARSE_NOT_UDP;
}

static __always_inline int addr6_equal(const struct flow_addr *a, const struct flow_addr *b)
{
	const __u32 *x = (const __u32 *)a->v6, *y = (const __u32 *)b->v6;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]));
}

static __always_inline int same_source(const struct packet *p, const struct flow_value *v)
{
	if (p->udp->source != v->expect_port)
		return 0;
	if (p->key.family == FLOW_AF_INET)
		return p->saddr.v4 == v->expect_addr.v4;
	return addr6_equal(&p->saddr, &v->expect_addr);
}

/*
 * The rewrite functions check the header bounds again: the verifier loses
 * the ranges proved during parsing once the pointers went through the stack.
 */
static __always_inline int rewrite_ipv4(struct packet *p, const struct flow_value *v, void *data_end)
{
	struct iphdr *iph = p->l3;
	struct udphdr *udp = p->udp;
	__u16 old_ttl_word, new_ttl_word;
	__u32 ip_acc = 0, udp_acc = 0;

	if ((void *)(iph + 1) > data_end || (void *)(udp + 1) > data_end)
		return -1;
	old_ttl_word = *(__u16 *)&iph->ttl;
	iph->ttl--;
	new_ttl_word = *(__u16 *)&iph->ttl;
	ip_acc = csum_word_diff(ip_acc, old_ttl_word, new_ttl_word);
	ip_acc = csum_diff4(ip_acc, &iph->saddr, &v->src_addr.v4);
	ip_acc = csum_diff4(ip_acc, &iph->daddr, &v->dst_addr.v4);
	iph->check = csum_apply(iph->check, ip_acc);

	if (udp->check) {
		udp_acc = csum_diff4(udp_acc, &iph->saddr, &v->src_addr.v4);
		udp_acc = csum_diff4(udp_acc, &iph->daddr, &v->dst_addr.v4);
		udp_acc = csum_word_diff(udp_acc, udp->source, v->src_port);
		udp_acc = csum_word_diff(udp_acc, udp->dest, v->dst_port);
		udp->check = csum_apply_udp(udp->check, udp_acc);
	}
	iph->saddr = v->src_addr.v4;
	iph->daddr = v->dst_addr.v4;
	udp->source = v->src_port;
	udp->dest = v->dst_port;
	return 0;
}

static __always_inline int rewrite_ipv6(struct packet *p, const struct flow_value *v, void *data_end)
{
	struct ipv6hdr *ip6h = p->l3;
	struct udphdr *udp = p->udp;
	__u32 acc = 0;

	if ((void *)(ip6h + 1) > data_end || (void *)(udp + 1) > data_end)
		return -1;
	ip6h->hop_limit--;
	acc = csum_diff16(acc, &ip6h->saddr, v->src_addr.v6);
	acc = csum_diff16(acc, &ip6h->daddr, v->dst_addr.v6);
	acc = csum_word_diff(acc, udp->source, v->src_port);
	acc = csum_word_diff(acc, udp->dest, v->dst_port);
	udp->check = csum_apply_udp(udp->check, acc);
	__builtin_memcpy(&ip6h->saddr, v->src_addr.v6, 16);
	__builtin_memcpy(&ip6h->daddr, v->dst_addr.v6, 16);
	udp->source = v->src_port;
	udp->dest = v->dst_port;
	return 0;
}

/*
 * 1 + the first entry of the window of the packet's address and port block,
 * looked for in its two slots; 0: it has none. Compares field by field with
 * what the packet's key holds: a 32-bit load of the key's last word, just
 * written in 16 and 8 bits, would wait for the stores to retire (some
 * 8 ns a packet here).
 */
static __always_inline __u32 window_base1(const struct packet *p, __u16 block)
{
	const __u32 *a = (const __u32 *)p->key.addr.v6;
	__u32 fold = flow_addr_fold(&p->key.addr), i;
	struct flow_window *s;
	const __u32 *b;
	int which;

#pragma unroll
	for (which = 0; which < 2; which++) {
		i = flow_window_slot(fold, block, p->key.family, which);
		s = bpf_map_lookup_elem(&window_slots, &i);
		if (!s)
			return 0;
		b = (const __u32 *)s->key.addr.v6;
		if (!((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) && s->key.port == block &&
		    s->key.family == p->key.family)
			return *(volatile __u32 *)&s->base1;
	}
	return 0;
}

/*
 * The packet's flow: its flow_table entry if its window has one, else its
 * entry in `flows`. What to forward by is returned (from the entry, a copy
 * in *copy taken between two equal even reads of its seq: never half of
 * an entry userspace is rewriting), where to count in *counters.
 */
static __always_inline const struct flow_value *flow_find(const struct packet *p, struct flow_value *copy,
							  struct flow_counters **counters)
{
	__u16 port = bpf_ntohs(p->key.port);
	struct flow_table_entry *e;
	struct flow_value *v;
	__u32 base1, slot, seq;

	base1 = window_base1(p, port >> FLOW_WINDOW_SHIFT);
	if (base1) {
		slot = base1 - 1 + (port & (FLOW_WINDOW_PORTS - 1));
		e = bpf_map_lookup_elem(&flow_table, &slot);
		if (e) {
			/*
			 * Compiler barriers only: x86 keeps loads in order (the
			 * writer orders its stores with release fences).
			 */
			seq = *(volatile __u32 *)&e->seq;
			asm volatile("" ::: "memory");
			if (!(seq & 1) && e->present) {
				__builtin_memcpy(copy, &e->value, FLOW_TABLE_HOT_BYTES);
				asm volatile("" ::: "memory");
				if (*(volatile __u32 *)&e->seq == seq) {
					*counters = &e->value.counters;
					return copy;
				}
			}
		}
	}
	v = bpf_map_lookup_elem(&flows, &p->key);
	if (v)
		*counters = &v->counters;
	return v;
}

static __always_inline int pass(__u64 *reason, struct global_counters *gc)
{
	(*reason)++;
	gc->passed++;
	return XDP_PASS;
}

SEC("xdp")
int rtprelay_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct packet p = {};
	struct global_counters *gc;
	const struct flow_nexthop *nh;
	const struct flow_value *v;
	struct flow_counters *fc = NULL;
	struct flow_value copy;
	__u32 zero = 0, ifindex;
	int ret;

	gc = bpf_map_lookup_elem(&counters, &zero);
	if (!gc)
		return XDP_PASS;

	switch (parse_packet(&p, data, data_end)) {
	case PARSE_OK:
		break;
	case PARSE_NOT_UDP:
		return pass(&gc->pass_not_udp, gc);
	case PARSE_UNSUPPORTED:
		return pass(&gc->pass_unsupported, gc);
	default:
		return pass(&gc->pass_malformed, gc);
	}

	v = flow_find(&p, &copy, &fc);
	if (!v)
		return pass(&gc->pass_no_flow, gc);
	if (!(v->flags & FLOW_F_LATCHED))
		return pass(&gc->pass_not_latched, gc);
	if (!same_source(&p, v)) {
		__sync_fetch_and_add(&fc->wrong_source, 1);
		gc->dropped_wrong_source++;
		return XDP_DROP;
	}
	if (v->flags & FLOW_F_HOLD) {
		gc->dropped_hold++;
		return XDP_DROP;
	}
	if (p.ttl <= 1)
		return pass(&gc->pass_ttl, gc);

	nh = &v->nexthop;
	ifindex = nh->ifindex;
	if (!ifindex)
		return pass(&gc->pass_no_nexthop, gc);
	if (p.l3_len > nh->mtu)
		return pass(&gc->pass_too_big, gc);
	/* A tagged frame can only go back out on its own VLAN: XDP_TX. */
	if (ifindex != ctx->ingress_ifindex && p.vlan_tagged)
		return pass(&gc->pass_vlan, gc);

	if (p.key.family == FLOW_AF_INET)
		ret = rewrite_ipv4(&p, v, data_end);
	else
		ret = rewrite_ipv6(&p, v, data_end);
	if (ret)
		return pass(&gc->pass_malformed, gc);
	__builtin_memcpy(((struct ethhdr *)data)->h_dest, nh->dmac, ETH_ALEN);
	__builtin_memcpy(((struct ethhdr *)data)->h_source, nh->smac, ETH_ALEN);

	/*
	 * Plain increments, not atomic ones (20 ns less per packet here): a
	 * flow is one peer's 5-tuple, which RSS keeps on one queue and so one
	 * CPU at a time; only packets of one flow handled on two CPUs at the
	 * same instant could lose a count.
	 */
	if (fc->packets % FLOW_SEEN_SAMPLE == 0)
		fc->sampled_seen_ns = bpf_ktime_get_ns();
	fc->packets++;
	fc->bytes += p.payload_len;
	gc->forwarded++;

	if (ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	/* The daemon only resolves next hops out of interfaces in tx_ports. */
	ret = bpf_redirect_map(&tx_ports, ifindex, 0);
	if (ret != XDP_REDIRECT)
		gc->errors++;
	return ret;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
