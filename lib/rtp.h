/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RTP (RFC 3550 §5.1): the fixed header, a validating parser, and the state
 * of one outgoing stream (SSRC, sequence number, timestamp, counters).
 */
#ifndef RTPRELAY_RTP_H
#define RTPRELAY_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION    2
#define RTP_HEADER_LEN 12
#define RTP_MAX_CSRC   15

struct rtp_header_fields {
	uint8_t version; /* always 2 when written */
	bool padding;
	bool extension;
	uint8_t csrc_count;
	bool marker;
	uint8_t payload_type;
	uint16_t seq;
	uint32_t timestamp;
	uint32_t ssrc;
};

struct rtp_packet {
	struct rtp_header_fields header;
	uint32_t csrc[RTP_MAX_CSRC];
	uint16_t extension_profile; /* when header.extension */
	const uint8_t *extension_data;
	size_t extension_len; /* bytes, without the 4-byte extension header */
	const uint8_t *payload;
	size_t payload_len;  /* without padding */
	uint8_t padding_len; /* including the count octet itself */
};

enum rtp_parse_error {
	RTP_OK = 0,
	RTP_ERR_SHORT = -1,	/* shorter than the fixed header */
	RTP_ERR_VERSION = -2,	/* version is not 2 */
	RTP_ERR_CSRC = -3,	/* CSRC list runs past the end */
	RTP_ERR_EXTENSION = -4, /* extension header runs past the end */
	RTP_ERR_PADDING = -5,	/* padding count is 0 or beyond the payload */
};

/*
 * Writes the fixed header and csrc[0..csrc_count) (csrc may be NULL when
 * the count is 0). The padding and extension bits are written as given;
 * what they announce is the caller's to append. Returns the header length,
 * or 0 when it does not fit in size or csrc_count > 15.
 */
size_t rtp_write_header(uint8_t *buf, size_t size, const struct rtp_header_fields *h, const uint32_t *csrc);

/* Returns RTP_OK or a negative enum rtp_parse_error. */
int rtp_parse(const uint8_t *buf, size_t len, struct rtp_packet *out);

/* One outgoing stream: what the next packet will carry. */
struct rtp_sender {
	uint32_t ssrc;
	uint16_t seq;	    /* of the next packet */
	uint32_t timestamp; /* of the next packet */
	uint8_t payload_type;
	bool marker_pending;	 /* set the marker bit on the next packet */
	uint32_t packet_count;	 /* sent since init, for RTCP SR */
	uint32_t octet_count;	 /* payload octets sent since init */
	uint32_t last_timestamp; /* of the last packet sent */
};

/* Random SSRC, sequence number and timestamp; marker on the first packet. */
void rtp_sender_init(struct rtp_sender *s, uint8_t payload_type);
/* The stream (re)starts after a pause: marker bit on the next packet. */
void rtp_sender_restart(struct rtp_sender *s);
/*
 * Writes header + payload into buf, then advances the sequence number by 1
 * and the timestamp by samples (160 for a 20 ms frame at 8 kHz). Returns the
 * packet length, or 0 when it does not fit in size.
 */
size_t rtp_sender_next(struct rtp_sender *s, uint8_t *buf, size_t size, const uint8_t *payload, size_t len,
		       uint32_t samples);
/*
 * The RTP timestamp of the instant elapsed_us after the last packet was
 * sent (RTCP SR pairs it with the NTP time of that instant).
 */
uint32_t rtp_sender_timestamp_after(const struct rtp_sender *s, int64_t elapsed_us, unsigned clock_rate);

#endif /* RTPRELAY_RTP_H */
