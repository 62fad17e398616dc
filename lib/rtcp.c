// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include <string.h>

#include <glib.h>

#include "rtcp.h"

#define NTP_UNIX_OFFSET	 2208988800ULL /* seconds from 1900 to 1970 */
#define RTCP_HEADER_LEN	 4
#define SR_LEN		 28 /* header, SSRC, sender info; no report blocks */
#define REPORT_BLOCK_LEN 24

/* Appends to a buffer; remembers overflow instead of checking every call. */
struct rtcp_writer {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void put_bytes(struct rtcp_writer *w, const void *data, size_t n)
{
	if (w->overflow || w->len + n > w->size) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}

static void put8(struct rtcp_writer *w, uint8_t v)
{
	put_bytes(w, &v, 1);
}

static void put32(struct rtcp_writer *w, uint32_t v)
{
	uint8_t be[4] = { v >> 24, v >> 16, v >> 8, v };

	put_bytes(w, be, 4);
}

/* Starts a packet; returns its offset for finish_packet(). */
static size_t start_packet(struct rtcp_writer *w, unsigned count, unsigned pt)
{
	size_t start = w->len;

	put8(w, RTP_VERSION << 6 | count);
	put8(w, pt);
	put8(w, 0); /* length, filled in by finish_packet() */
	put8(w, 0);
	return start;
}

/* Zero-pads to a 32-bit boundary and writes the length in words minus one. */
static void finish_packet(struct rtcp_writer *w, size_t start)
{
	size_t words;

	while (!w->overflow && w->len % 4)
		put8(w, 0);
	if (w->overflow)
		return;
	words = (w->len - start) / 4 - 1;
	w->buf[start + 2] = words >> 8;
	w->buf[start + 3] = words;
}

static void put_sr(struct rtcp_writer *w, const struct rtcp_sender_info *info)
{
	size_t start = start_packet(w, 0, RTCP_PT_SR);

	put32(w, info->ssrc);
	put32(w, info->ntp >> 32);
	put32(w, info->ntp);
	put32(w, info->rtp_timestamp);
	put32(w, info->packet_count);
	put32(w, info->octet_count);
	finish_packet(w, start);
}

static void put_sdes_cname(struct rtcp_writer *w, uint32_t ssrc, const char *cname)
{
	size_t start = start_packet(w, 1, RTCP_PT_SDES);
	size_t len = strlen(cname);

	put32(w, ssrc);
	put8(w, RTCP_SDES_CNAME);
	put8(w, len);
	put_bytes(w, cname, len);
	put8(w, 0); /* end of the item list; finish_packet() pads the chunk */
	finish_packet(w, start);
}

static void put_bye(struct rtcp_writer *w, uint32_t ssrc, const char *reason)
{
	size_t start = start_packet(w, 1, RTCP_PT_BYE);

	put32(w, ssrc);
	if (reason) {
		put8(w, strlen(reason));
		put_bytes(w, reason, strlen(reason));
	}
	finish_packet(w, start);
}

uint64_t rtcp_ntp_from_unix_us(int64_t unix_us)
{
	uint64_t seconds = unix_us / 1000000 + NTP_UNIX_OFFSET;
	uint64_t fraction = ((uint64_t)(unix_us % 1000000) << 32) / 1000000;

	return seconds << 32 | fraction;
}

void rtcp_sender_info_now(struct rtcp_sender_info *info, const struct rtp_sender *s, int64_t elapsed_us,
			  unsigned clock_rate)
{
	info->ssrc = s->ssrc;
	info->ntp = rtcp_ntp_from_unix_us(g_get_real_time());
	info->rtp_timestamp = rtp_sender_timestamp_after(s, elapsed_us, clock_rate);
	info->packet_count = s->packet_count;
	info->octet_count = s->octet_count;
}

size_t rtcp_build_sr(uint8_t *buf, size_t size, const struct rtcp_sender_info *info, const char *cname)
{
	struct rtcp_writer w = { .buf = buf, .size = size };

	if (strlen(cname) > RTCP_TEXT_MAX)
		return 0;
	put_sr(&w, info);
	put_sdes_cname(&w, info->ssrc, cname);
	return w.overflow ? 0 : w.len;
}

size_t rtcp_build_bye(uint8_t *buf, size_t size, const struct rtcp_sender_info *info, const char *cname,
		      const char *reason)
{
	struct rtcp_writer w = { .buf = buf, .size = size };

	if (strlen(cname) > RTCP_TEXT_MAX || (reason && strlen(reason) > RTCP_TEXT_MAX))
		return 0;
	put_sr(&w, info);
	put_sdes_cname(&w, info->ssrc, cname);
	put_bye(&w, info->ssrc, reason);
	return w.overflow ? 0 : w.len;
}

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

double rtcp_interval(int members, int senders, double rtcp_bw, bool we_sent, double avg_rtcp_size, bool initial)
{
	const double sender_fraction = 0.25;
	const double compensation = M_E - 1.5; /* for the timer reconsideration bias */
	double min_time = initial ? RTCP_MIN_INTERVAL / 2 : RTCP_MIN_INTERVAL;
	int n = members;
	double t;

	/* Senders share a quarter of the bandwidth when they are a quarter or less. */
	if (senders <= members * sender_fraction) {
		if (we_sent) {
			rtcp_bw *= sender_fraction;
			n = senders;
		} else {
			rtcp_bw *= 1 - sender_fraction;
			n -= senders;
		}
	}
	t = rtcp_bw > 0 ? avg_rtcp_size * n / rtcp_bw : min_time;
	if (t < min_time)
		t = min_time;
	t *= g_random_double_range(0.5, 1.5);
	return t / compensation;
}

double rtcp_avg_size_update(double avg_rtcp_size, size_t packet_size)
{
	return packet_size / 16.0 + avg_rtcp_size * 15.0 / 16.0;
}
