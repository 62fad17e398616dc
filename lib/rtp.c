// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include <glib.h>

#include "rtp.h"

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)p[0] << 8 | p[1];
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t rtp_write_header(uint8_t *buf, size_t size, const struct rtp_header_fields *h, const uint32_t *csrc)
{
	size_t len = RTP_HEADER_LEN + 4 * (size_t)h->csrc_count;
	unsigned i;

	if (h->csrc_count > RTP_MAX_CSRC || len > size)
		return 0;
	buf[0] = RTP_VERSION << 6 | h->padding << 5 | h->extension << 4 | h->csrc_count;
	buf[1] = h->marker << 7 | (h->payload_type & 0x7F);
	put_be16(buf + 2, h->seq);
	put_be32(buf + 4, h->timestamp);
	put_be32(buf + 8, h->ssrc);
	for (i = 0; i < h->csrc_count; i++)
		put_be32(buf + RTP_HEADER_LEN + 4 * i, csrc[i]);
	return len;
}

static void parse_fixed_header(const uint8_t *buf, struct rtp_header_fields *h)
{
	h->version = buf[0] >> 6;
	h->padding = buf[0] >> 5 & 1;
	h->extension = buf[0] >> 4 & 1;
	h->csrc_count = buf[0] & 0x0F;
	h->marker = buf[1] >> 7;
	h->payload_type = buf[1] & 0x7F;
	h->seq = get_be16(buf + 2);
	h->timestamp = get_be32(buf + 4);
	h->ssrc = get_be32(buf + 8);
}

/* Returns the offset past the extension, or 0 when it does not fit. */
static size_t parse_extension(const uint8_t *buf, size_t len, size_t offset, struct rtp_packet *out)
{
	size_t ext_len;

	if (offset + 4 > len)
		return 0;
	out->extension_profile = get_be16(buf + offset);
	ext_len = 4 * (size_t)get_be16(buf + offset + 2);
	if (offset + 4 + ext_len > len)
		return 0;
	out->extension_data = buf + offset + 4;
	out->extension_len = ext_len;
	return offset + 4 + ext_len;
}

int rtp_parse(const uint8_t *buf, size_t len, struct rtp_packet *out)
{
	size_t offset = RTP_HEADER_LEN;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (len < RTP_HEADER_LEN)
		return RTP_ERR_SHORT;
	parse_fixed_header(buf, &out->header);
	if (out->header.version != RTP_VERSION)
		return RTP_ERR_VERSION;

	if (offset + 4 * (size_t)out->header.csrc_count > len)
		return RTP_ERR_CSRC;
	for (i = 0; i < out->header.csrc_count; i++, offset += 4)
		out->csrc[i] = get_be32(buf + offset);

	if (out->header.extension) {
		offset = parse_extension(buf, len, offset, out);
		if (!offset)
			return RTP_ERR_EXTENSION;
	}

	out->payload = buf + offset;
	out->payload_len = len - offset;
	if (out->header.padding) {
		uint8_t padding = buf[len - 1];

		if (padding == 0 || padding > out->payload_len)
			return RTP_ERR_PADDING;
		out->padding_len = padding;
		out->payload_len -= padding;
	}
	return RTP_OK;
}

void rtp_sender_init(struct rtp_sender *s, uint8_t payload_type)
{
	memset(s, 0, sizeof(*s));
	s->payload_type = payload_type & 0x7F;
	s->ssrc = g_random_int();
	s->seq = g_random_int();
	s->timestamp = g_random_int();
	s->last_timestamp = s->timestamp;
	s->marker_pending = true;
}

void rtp_sender_restart(struct rtp_sender *s)
{
	s->marker_pending = true;
}

size_t rtp_sender_next(struct rtp_sender *s, uint8_t *buf, size_t size, const uint8_t *payload, size_t len,
		       uint32_t samples)
{
	struct rtp_header_fields h = {
		.version = RTP_VERSION,
		.marker = s->marker_pending,
		.payload_type = s->payload_type,
		.seq = s->seq,
		.timestamp = s->timestamp,
		.ssrc = s->ssrc,
	};
	size_t header_len;

	if (RTP_HEADER_LEN + len > size)
		return 0;
	header_len = rtp_write_header(buf, size, &h, NULL);
	memcpy(buf + header_len, payload, len);

	s->marker_pending = false;
	s->last_timestamp = s->timestamp;
	s->seq++;
	s->timestamp += samples;
	s->packet_count++;
	s->octet_count += len;
	return header_len + len;
}

uint32_t rtp_sender_timestamp_after(const struct rtp_sender *s, int64_t elapsed_us, unsigned clock_rate)
{
	return s->last_timestamp + (uint32_t)(elapsed_us * (int64_t)clock_rate / 1000000);
}
