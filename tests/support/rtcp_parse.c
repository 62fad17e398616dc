// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* RFC 3550 A.2's validity checks, one packet of the compound at a time. */
#include <string.h>

#include "rtcp_parse.h"

#define RTCP_HEADER_LEN	 4
#define SR_LEN		 28 /* header, SSRC, sender info; no report blocks */
#define REPORT_BLOCK_LEN 24

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One packet of a compound, its padding already removed from len. */
struct rtcp_packet_view {
	unsigned count; /* RC or SC */
	unsigned pt;
	const uint8_t *body; /* after the 4-byte header */
	size_t len;	     /* of body */
};

static void copy_text(char *dst, const uint8_t *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int parse_sr(const struct rtcp_packet_view *p, struct rtcp_compound *out)
{
	if (p->len < SR_LEN - RTCP_HEADER_LEN + REPORT_BLOCK_LEN * p->count)
		return RTCP_ERR_CONTENT;
	out->sr.ssrc = get32(p->body);
	out->sr.ntp = (uint64_t)get32(p->body + 4) << 32 | get32(p->body + 8);
	out->sr.rtp_timestamp = get32(p->body + 12);
	out->sr.packet_count = get32(p->body + 16);
	out->sr.octet_count = get32(p->body + 20);
	return RTCP_OK;
}

static int parse_rr(const struct rtcp_packet_view *p)
{
	if (p->len < 4 + REPORT_BLOCK_LEN * p->count)
		return RTCP_ERR_CONTENT;
	return RTCP_OK;
}

/* One SDES chunk at *offset; moves *offset past it (and its padding). */
static int parse_sdes_chunk(const struct rtcp_packet_view *p, size_t *offset, struct rtcp_compound *out)
{
	size_t at = *offset + 4; /* past the SSRC/CSRC */

	if (at > p->len)
		return RTCP_ERR_CONTENT;
	for (;;) {
		unsigned type, len;

		if (at >= p->len)
			return RTCP_ERR_CONTENT;
		type = p->body[at];
		if (type == 0)
			break;
		if (at + 2 > p->len || at + 2 + p->body[at + 1] > p->len)
			return RTCP_ERR_CONTENT;
		len = p->body[at + 1];
		if (type == RTCP_SDES_CNAME && !out->cname[0])
			copy_text(out->cname, p->body + at + 2, len);
		at += 2 + len;
	}
	*offset = (at + 4) & ~(size_t)3; /* the null octet, then to a word */
	if (*offset > p->len)
		return RTCP_ERR_CONTENT;
	return RTCP_OK;
}

static int parse_sdes(const struct rtcp_packet_view *p, struct rtcp_compound *out)
{
	size_t offset = 0;
	unsigned i;

	for (i = 0; i < p->count; i++) {
		int err = parse_sdes_chunk(p, &offset, out);

		if (err)
			return err;
	}
	return RTCP_OK;
}

static int parse_bye(const struct rtcp_packet_view *p, struct rtcp_compound *out)
{
	size_t reason_at = 4 * (size_t)p->count;

	if (reason_at > p->len)
		return RTCP_ERR_CONTENT;
	if (reason_at == p->len)
		return RTCP_OK;
	if (reason_at + 1 + p->body[reason_at] > p->len)
		return RTCP_ERR_CONTENT;
	copy_text(out->bye_reason, p->body + reason_at + 1, p->body[reason_at]);
	return RTCP_OK;
}

static int parse_packet_body(const struct rtcp_packet_view *p, struct rtcp_compound *out)
{
	switch (p->pt) {
	case RTCP_PT_SR:
		return parse_sr(p, out);
	case RTCP_PT_RR:
		return parse_rr(p);
	case RTCP_PT_SDES:
		return parse_sdes(p, out);
	case RTCP_PT_BYE:
		return parse_bye(p, out);
	}
	return RTCP_OK;
}

/* The header at buf[0..len); returns the packet's length, or an error. */
static long parse_packet_header(const uint8_t *buf, size_t len, bool first, struct rtcp_packet_view *p)
{
	size_t packet_len;
	bool padding;

	if (len < RTCP_HEADER_LEN)
		return first ? RTCP_ERR_SHORT : RTCP_ERR_LENGTH;
	if (buf[0] >> 6 != RTP_VERSION)
		return RTCP_ERR_VERSION;
	padding = buf[0] >> 5 & 1;
	p->count = buf[0] & 0x1F;
	p->pt = buf[1];
	packet_len = 4 * ((size_t)(buf[2] << 8 | buf[3]) + 1);
	if (p->pt < RTCP_PT_MIN || p->pt > RTCP_PT_MAX)
		return RTCP_ERR_TYPE;
	if (first && (padding || (p->pt != RTCP_PT_SR && p->pt != RTCP_PT_RR)))
		return RTCP_ERR_FIRST;
	if (packet_len > len)
		return RTCP_ERR_LENGTH;
	if (padding && packet_len != len)
		return RTCP_ERR_PADDING;

	p->body = buf + RTCP_HEADER_LEN;
	p->len = packet_len - RTCP_HEADER_LEN;
	if (padding) {
		uint8_t pad = buf[packet_len - 1];

		if (pad == 0 || pad > p->len)
			return RTCP_ERR_PADDING;
		p->len -= pad;
	}
	return packet_len;
}

int rtcp_parse_compound(const uint8_t *buf, size_t len, struct rtcp_compound *out)
{
	size_t offset = 0;

	memset(out, 0, sizeof(*out));
	while (offset < len || out->packets == 0) {
		struct rtcp_packet_view p;
		long packet_len = parse_packet_header(buf + offset, len - offset, out->packets == 0, &p);
		int err;

		if (packet_len < 0)
			return packet_len;
		if (out->packets == 0)
			out->ssrc = p.len >= 4 ? get32(p.body) : 0;
		err = parse_packet_body(&p, out);
		if (err)
			return err;
		out->types |= RTCP_TYPE_BIT(p.pt);
		out->packets++;
		offset += packet_len;
	}
	return RTCP_OK;
}

bool rtcp_compound_has(const struct rtcp_compound *c, unsigned pt)
{
	if (pt < RTCP_PT_MIN || pt > RTCP_PT_MAX)
		return false;
	return c->types & RTCP_TYPE_BIT(pt);
}

bool rtcp_is_rtcp(const uint8_t *buf, size_t len)
{
	if (len < RTCP_HEADER_LEN || buf[0] >> 6 != RTP_VERSION)
		return false;
	return buf[1] >= RTCP_PT_MIN && buf[1] <= RTCP_PT_MAX;
}
