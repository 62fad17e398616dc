/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Test frames built from a spec: Ethernet (untagged, 802.1Q, 802.1ad,
 * QinQ), ARP, IPv4 (options, fragments), IPv6 (extension headers), UDP,
 * TCP and bare payloads, with correct checksums or deliberately wrong
 * fields. Checksums are computed here from scratch; bpf/csum.h, the code
 * under test, is deliberately not used.
 */
#ifndef RTPRELAY_TESTS_XDP_FRAME_H
#define RTPRELAY_TESTS_XDP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define FRAME_MAX   4096
#define RTP_PAYLOAD 172 /* 12-byte RTP header + 20 ms of G.711 */
#define NO_PAYLOAD  (-1)
#define IP_DF	    0x4000
#define IP_MF	    0x2000

/* An IP address (the family follows from the text) and a UDP port. */
struct endpoint {
	const char *addr;
	uint16_t port;
};

/* An 8-byte IPv6 extension header before the L4 header (IPPROTO_HOPOPTS is 0). */
enum ipv6_ext {
	EXT_NONE,
	EXT_HOPOPTS,
	EXT_ROUTING,
	EXT_FRAGMENT,
	EXT_DSTOPTS,
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
struct frame_spec {
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

/* An address of the tables (NULL: all zero); exits on a typo, a fault in the tables. */
void frame_parse_addr(const char *text, struct ip_addr *a);
size_t frame_payload_len(const struct frame_spec *p);
/* The payload every frame carries: a fixed pattern, `len` bytes. */
void frame_fill_payload(uint8_t *payload, size_t len);
/*
 * Sets the first payload word so that the UDP sum of the frame `spec`
 * describes is 0xffff: its checksum computes to 0 and is sent as 0xffff.
 */
void frame_craft_udp_sum_ffff(const struct frame_spec *p, uint8_t *payload);
void frame_build(struct frame *f, const struct frame_spec *p, const uint8_t *dmac, const uint8_t *smac,
		 const uint8_t *payload);
/* The UDP checksum field of a built UDP frame. */
uint16_t frame_udp_check(const struct frame *f);
/*
 * Whether `data` (laid out as `lo`) carries a valid IPv4 header checksum
 * and a valid (or absent) UDP checksum; says what is wrong into `d`.
 */
bool frame_verify_sums(GString *d, const struct layout *lo, const uint8_t *data, size_t len);
/* The 16-byte rows in which `got` differs from `exp`, with markers and field names, into `d`. */
void frame_diff(GString *d, const struct frame *exp, const uint8_t *got, size_t got_len);

#endif
