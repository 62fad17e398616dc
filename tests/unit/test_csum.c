// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpf/csum.h against checksums computed from scratch: random IPv4/UDP and
 * IPv6/UDP packets get their addresses, ports and TTL rewritten the way the
 * XDP program does it, incrementally, and must end up with the checksum a
 * full computation gives.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* csum.h's `#pragma unroll` is for clang's BPF target; gcc does not know it. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "bpf/csum.h"
#include "tests/support/inet_csum.h"

#define ROUNDS	    20000
#define MAX_PAYLOAD 1400

/* xorshift64: the same packets on every run, so a failure can be replayed. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void rnd_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rnd();
}

/* The checksum field's bytes as they go on the wire, written to host memory. */
static uint16_t fold_to_field(uint32_t acc)
{
	return htons((uint16_t)~inet_csum_fold(acc));
}

static uint16_t ipv4_header_csum(const struct iphdr *ip)
{
	struct iphdr tmp = *ip;

	tmp.check = 0;
	return fold_to_field(inet_csum_add(0, &tmp, sizeof(tmp)));
}

/* The UDP checksum from scratch (0 sent as 0xffff), whatever udp's checksum field holds now. */
static uint16_t udp_csum(const void *src, const void *dst, size_t alen, struct udphdr *udp)
{
	uint16_t saved = udp->check, c;

	udp->check = 0;
	c = fold_to_field(inet_csum_l4(src, dst, alen, IPPROTO_UDP, udp, ntohs(udp->len)));
	udp->check = saved;
	return c ? c : 0xffff;
}

struct pkt4 {
	struct iphdr ip;
	struct udphdr udp;
	uint8_t payload[MAX_PAYLOAD];
};

_Static_assert(offsetof(struct pkt4, udp) == 20 && offsetof(struct pkt4, payload) == 28, "no padding in pkt4");

struct pkt6 {
	struct ip6_hdr ip6;
	struct udphdr udp;
	uint8_t payload[MAX_PAYLOAD];
};

_Static_assert(offsetof(struct pkt6, udp) == 40 && offsetof(struct pkt6, payload) == 48, "no padding in pkt6");

static uint16_t pkt4_udp_csum(struct pkt4 *p)
{
	return udp_csum(&p->ip.saddr, &p->ip.daddr, 4, &p->udp);
}

static uint16_t pkt6_udp_csum(struct pkt6 *p)
{
	return udp_csum(&p->ip6.ip6_src, &p->ip6.ip6_dst, 16, &p->udp);
}

static void random_pkt4(struct pkt4 *p)
{
	size_t plen = rnd() % (MAX_PAYLOAD + 1);

	rnd_bytes(p, sizeof(*p));
	p->ip.version = 4;
	p->ip.ihl = 5;
	p->ip.protocol = IPPROTO_UDP;
	p->ip.ttl = 2 + rnd() % 254;
	p->ip.tot_len = htons(sizeof(p->ip) + sizeof(p->udp) + plen);
	p->ip.check = ipv4_header_csum(&p->ip);
	p->udp.len = htons(sizeof(p->udp) + plen);
	p->udp.check = pkt4_udp_csum(p);
}

static void random_pkt6(struct pkt6 *p)
{
	size_t plen = rnd() % (MAX_PAYLOAD + 1);

	rnd_bytes(p, sizeof(*p));
	p->ip6.ip6_nxt = IPPROTO_UDP;
	p->ip6.ip6_hlim = 2 + rnd() % 254;
	p->ip6.ip6_plen = htons(sizeof(p->udp) + plen);
	p->udp.len = p->ip6.ip6_plen;
	p->udp.check = pkt6_udp_csum(p);
}

/* The TTL shares a 16-bit word with the protocol, at byte 8 of the header. */
static uint16_t ttl_word(const struct iphdr *ip)
{
	uint16_t w;

	memcpy(&w, &ip->ttl, sizeof(w));
	return w;
}

/* Rewrite as the XDP program does: new source and destination, TTL - 1. */
static void rewrite4(struct pkt4 *p, __be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	uint16_t old_ttl_word = ttl_word(&p->ip);
	__u32 ip_acc = 0, udp_acc = 0;

	ip_acc = csum_diff4(ip_acc, &p->ip.saddr, &saddr);
	ip_acc = csum_diff4(ip_acc, &p->ip.daddr, &daddr);
	udp_acc = ip_acc; /* the pseudo-header carries the same addresses */
	p->ip.saddr = saddr;
	p->ip.daddr = daddr;
	p->ip.ttl--;
	ip_acc = csum_word_diff(ip_acc, old_ttl_word, ttl_word(&p->ip));
	p->ip.check = csum_apply(p->ip.check, ip_acc);

	udp_acc = csum_word_diff(udp_acc, p->udp.source, sport);
	udp_acc = csum_word_diff(udp_acc, p->udp.dest, dport);
	p->udp.source = sport;
	p->udp.dest = dport;
	p->udp.check = csum_apply_udp(p->udp.check, udp_acc);
}

static void rewrite6(struct pkt6 *p, const struct in6_addr *src, const struct in6_addr *dst, __be16 sport, __be16 dport)
{
	__u32 acc = 0;

	acc = csum_diff16(acc, &p->ip6.ip6_src, src);
	acc = csum_diff16(acc, &p->ip6.ip6_dst, dst);
	acc = csum_word_diff(acc, p->udp.source, sport);
	acc = csum_word_diff(acc, p->udp.dest, dport);
	p->ip6.ip6_src = *src;
	p->ip6.ip6_dst = *dst;
	p->ip6.ip6_hlim--; /* not covered by any checksum */
	p->udp.source = sport;
	p->udp.dest = dport;
	p->udp.check = csum_apply_udp(p->udp.check, acc);
}

static void test_ipv4_random(void **state)
{
	struct pkt4 p;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < ROUNDS; i++) {
		random_pkt4(&p);
		rewrite4(&p, (__be32)rnd(), (__be32)rnd(), (__be16)rnd(), (__be16)rnd());
		assert_int_equal(p.ip.check, ipv4_header_csum(&p.ip));
		assert_int_equal(p.udp.check, pkt4_udp_csum(&p));
		/* Summed over the header with its checksum, a valid header folds to 0xffff. */
		assert_int_equal(fold_to_field(inet_csum_add(0, &p.ip, sizeof(p.ip))), 0);
	}
}

static void test_ipv6_random(void **state)
{
	struct pkt6 p;
	struct in6_addr src, dst;

	rng_state = 0x2545f4914f6cdd1dull;
	for (int i = 0; i < ROUNDS; i++) {
		random_pkt6(&p);
		rnd_bytes(&src, sizeof(src));
		rnd_bytes(&dst, sizeof(dst));
		rewrite6(&p, &src, &dst, (__be16)rnd(), (__be16)rnd());
		assert_int_equal(p.udp.check, pkt6_udp_csum(&p));
	}
}

/*
 * Make the payload's first word cancel the rest of the sum, so the packet's
 * true UDP checksum is 0: it must go out as 0xffff (RFC 768), and the
 * unadjusted helper must give 0, the value the UDP rule exists for.
 */
static void make_zero_udp_csum4(struct pkt4 *p)
{
	uint16_t c;

	memset(p->payload, 0, 2);
	p->udp.check = 0;
	c = pkt4_udp_csum(p); /* ~sum; adding it to the sum makes ~sum = 0 */
	memcpy(p->payload, &c, 2);
	p->udp.check = pkt4_udp_csum(p);
}

static void test_udp_zero_becomes_ffff(void **state)
{
	struct pkt4 orig, want;
	int hits = 0;

	rng_state = 0xd1b54a32d192ed03ull;
	for (int i = 0; i < 2000; i++) {
		random_pkt4(&want);
		if (ntohs(want.udp.len) < sizeof(want.udp) + 2)
			continue;
		make_zero_udp_csum4(&want);
		assert_int_equal(pkt4_udp_csum(&want), 0xffff);
		/* The original differs only in what rewrite4 changes. */
		orig = want;
		orig.ip.saddr = (__be32)rnd();
		orig.udp.dest = (__be16)rnd();
		orig.ip.ttl = want.ip.ttl + 1;
		orig.ip.check = ipv4_header_csum(&orig.ip);
		orig.udp.check = pkt4_udp_csum(&orig);
		{
			struct pkt4 p = orig;
			__u32 acc = csum_diff4(0, &orig.ip.saddr, &want.ip.saddr);

			acc = csum_word_diff(acc, orig.udp.dest, want.udp.dest);
			assert_int_equal(csum_apply(orig.udp.check, acc), 0);
			assert_int_equal(csum_apply_udp(orig.udp.check, acc), 0xffff);
			rewrite4(&p, want.ip.saddr, want.ip.daddr, want.udp.source, want.udp.dest);
			assert_memory_equal(&p, &want, sizeof(p.ip) + ntohs(p.udp.len));
		}
		hits++;
	}
	assert_true(hits > 1000);
}

/* RFC 1624 section 4: checksum 0xdd2f, a field 0x5555 -> 0x3285; eqn. 3 gives 0x0000, not 0xffff. */
static void test_rfc1624_example(void **state)
{
	assert_int_equal(csum_apply(0xdd2f, csum_word_diff(0, 0x5555, 0x3285)), 0x0000);
	/* And back: the update is reversible. */
	assert_int_equal(csum_apply(0x0000, csum_word_diff(0, 0x3285, 0x5555)), 0xdd2f);
}

/* No change, no checksum change; several changes accumulate in any order. */
/* csum_bytes from all zeros is a whole checksum: RFC 1071's example, and an odd length padded with a zero. */
static void test_whole_checksum(void **state)
{
	static const uint8_t even[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 }; /* sum 0xddf2 */
	static const uint8_t odd[] = { 0x00, 0x01, 0xf2 };				  /* 0x0001 + 0xf200 */
	uint16_t check;

	check = csum_apply(0xffff, csum_bytes(0, even, sizeof(even)));
	assert_int_equal(ntohs(check), 0x220d);
	check = csum_apply(0xffff, csum_bytes(0, odd, sizeof(odd)));
	assert_int_equal(ntohs(check), (uint16_t)~0xf201);
}

static void test_identity_and_order(void **state)
{
	struct pkt4 p;
	__be32 a, b;

	rng_state = 0x853c49e6748fea9bull;
	for (int i = 0; i < 1000; i++) {
		random_pkt4(&p);
		assert_int_equal(csum_apply(p.ip.check, csum_diff4(0, &p.ip.saddr, &p.ip.saddr)), p.ip.check);
		a = (__be32)rnd();
		b = (__be32)rnd();
		assert_int_equal(csum_apply(p.ip.check, csum_diff4(csum_diff4(0, &p.ip.saddr, &a), &p.ip.daddr, &b)),
				 csum_apply(p.ip.check, csum_diff4(csum_diff4(0, &p.ip.daddr, &b), &p.ip.saddr, &a)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_random),	      cmocka_unit_test(test_ipv6_random),
		cmocka_unit_test(test_udp_zero_becomes_ffff), cmocka_unit_test(test_rfc1624_example),
		cmocka_unit_test(test_identity_and_order),    cmocka_unit_test(test_whole_checksum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
