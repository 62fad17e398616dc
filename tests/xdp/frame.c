// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test frames built from a spec, their checksums verified and their differences shown. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_ether.h>

#include "tests/support/inet_csum.h"
#include "frame.h"

#define FLOW_LABEL 0x5a5a5
#define PAD_BYTE   0x5a

static const uint8_t ipv6_ext_proto[] = {
	[EXT_HOPOPTS] = IPPROTO_HOPOPTS,
	[EXT_ROUTING] = IPPROTO_ROUTING,
	[EXT_FRAGMENT] = IPPROTO_FRAGMENT,
	[EXT_DSTOPTS] = IPPROTO_DSTOPTS,
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

/* The sum over the pseudo-header and the L4 segment. */
static uint16_t l4_sum(const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto, const uint8_t *seg,
		       size_t len)
{
	return inet_csum_l4(src->bytes, dst->bytes, src->family == AF_INET ? 4 : 16, proto, seg, len);
}

void frame_parse_addr(const char *text, struct ip_addr *a)
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

size_t frame_payload_len(const struct frame_spec *p)
{
	if (p->payload_len == NO_PAYLOAD)
		return 0;
	return p->payload_len ? (size_t)p->payload_len : RTP_PAYLOAD;
}

void frame_fill_payload(uint8_t *payload, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		payload[i] = 0x80 + i * 13;
}

static size_t put_ether(uint8_t *d, const struct frame_spec *p, const uint8_t *dmac, const uint8_t *smac, uint16_t type)
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
static void put_l4(struct frame *f, const struct frame_spec *p, const struct ip_addr *src, const struct ip_addr *dst,
		   const uint8_t *payload)
{
	uint8_t *l4 = f->data + f->lo.l4;
	size_t hlen = l4_header_len(f->lo.l4_proto), len = hlen + frame_payload_len(p);
	uint16_t check;

	memcpy(l4 + hlen, payload, frame_payload_len(p));
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

static size_t put_ipv4(uint8_t *d, const struct frame_spec *p, const struct ip_addr *src, const struct ip_addr *dst,
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

static size_t put_ipv6(uint8_t *d, const struct frame_spec *p, const struct ip_addr *src, const struct ip_addr *dst,
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
static void apply_overrides(struct frame *f, const struct frame_spec *p)
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
	check = ~inet_csum_fold(inet_csum_add(0, l3, hlen));
	put16(l3 + 10, spoil ? check ^ 1 : check);
}

void frame_build(struct frame *f, const struct frame_spec *p, const uint8_t *dmac, const uint8_t *smac,
		 const uint8_t *payload)
{
	struct ip_addr src, dst;
	uint8_t *d = f->data;
	size_t l4_len;

	memset(f, 0, sizeof(*f));
	frame_parse_addr(p->src.addr, &src);
	frame_parse_addr(p->dst.addr, &dst);
	if (p->ethertype) {
		f->lo.l3 = put_ether(d, p, dmac, smac, p->ethertype);
		f->len = f->lo.l3 + put_arp_request(d + f->lo.l3, smac, &src, &dst);
		f->lo.end = f->len;
		return;
	}

	f->lo.family = src.family;
	f->lo.l4_proto = p->l4_proto ? p->l4_proto : IPPROTO_UDP;
	l4_len = l4_header_len(f->lo.l4_proto) + frame_payload_len(p);
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

void frame_craft_udp_sum_ffff(const struct frame_spec *p, uint8_t *payload)
{
	static const uint8_t no_mac[ETH_ALEN];
	static struct frame f;

	put16(payload, 0);
	frame_build(&f, p, no_mac, no_mac, payload);
	put16(payload, 0xffff - f.l4_sum);
}

uint16_t frame_udp_check(const struct frame *f)
{
	return get16(f->data + f->lo.l4 + 6);
}

static bool verify_ipv4_check(GString *d, const struct layout *lo, const uint8_t *data)
{
	if (inet_csum_fold(inet_csum_add(0, data + lo->l3, lo->l4 - lo->l3)) == 0xffff)
		return true;
	g_string_append(d, "# output IPv4 header checksum does not verify\n");
	return false;
}

static void addr_at(struct ip_addr *a, int family, const uint8_t *bytes)
{
	a->family = family;
	memcpy(a->bytes, bytes, family == AF_INET ? 4 : 16);
}

static bool verify_udp_check(GString *d, const struct layout *lo, const uint8_t *data)
{
	const uint8_t *l3 = data + lo->l3, *udp = data + lo->l4;
	struct ip_addr src, dst;

	if (!get16(udp + 6))
		return true; /* sent without one: IPv4 only, the cases check that it stays so */
	if (lo->family == AF_INET) {
		addr_at(&src, AF_INET, l3 + 12);
		addr_at(&dst, AF_INET, l3 + 16);
	} else {
		addr_at(&src, AF_INET6, l3 + 8);
		addr_at(&dst, AF_INET6, l3 + 24);
	}
	if (l4_sum(&src, &dst, IPPROTO_UDP, udp, lo->end - lo->l4) == 0xffff)
		return true;
	g_string_append(d, "# output UDP checksum does not verify\n");
	return false;
}

bool frame_verify_sums(GString *d, const struct layout *lo, const uint8_t *data, size_t len)
{
	bool ok = true;

	if (!lo->family || len < lo->end)
		return true; /* not IP, or cut short: nothing to verify */
	if (lo->family == AF_INET)
		ok &= verify_ipv4_check(d, lo, data);
	if (lo->l4_proto == IPPROTO_UDP)
		ok &= verify_udp_check(d, lo, data);
	return ok;
}

/* Diagnostics */

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
void frame_diff(GString *d, const struct frame *exp, const uint8_t *got, size_t got_len)
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
