/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* RTCP compound packets (lib/rtcp.h builds them) read back by the tests. */
#ifndef RTPRELAY_TESTS_RTCP_PARSE_H
#define RTPRELAY_TESTS_RTCP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/rtcp.h"

/* RTCP packet types live in 192..223 (RFC 5761 §4). */
#define RTCP_PT_MIN	  192
#define RTCP_PT_MAX	  223
#define RTCP_TYPE_BIT(pt) (1u << ((pt)-RTCP_PT_MIN))

struct rtcp_compound {
	uint32_t types;		       /* RTCP_TYPE_BIT(pt) of every packet seen */
	unsigned packets;	       /* how many packets the compound holds */
	uint32_t ssrc;		       /* of the first (SR or RR) packet */
	struct rtcp_sender_info sr;    /* when types has SR */
	char cname[RTCP_TEXT_MAX + 1]; /* first CNAME, "" if none */
	char bye_reason[RTCP_TEXT_MAX + 1];
};

enum rtcp_parse_error {
	RTCP_OK = 0,
	RTCP_ERR_SHORT = -1,   /* shorter than a header */
	RTCP_ERR_VERSION = -2, /* a packet's version is not 2 */
	RTCP_ERR_FIRST = -3,   /* first packet is not SR or RR, or is padded */
	RTCP_ERR_LENGTH = -4,  /* lengths do not add up to the datagram */
	RTCP_ERR_PADDING = -5, /* padding on a packet that is not the last */
	RTCP_ERR_TYPE = -6,    /* packet type outside 192..223 */
	RTCP_ERR_CONTENT = -7, /* report blocks, SDES items or BYE overrun */
};

/* Validates per RFC 3550 A.2. Returns RTCP_OK or a negative error. */
int rtcp_parse_compound(const uint8_t *buf, size_t len, struct rtcp_compound *out);
bool rtcp_compound_has(const struct rtcp_compound *c, unsigned pt);

/*
 * RTCP or RTP? True when the second octet is an RTCP packet type (what
 * RFC 5761 §4 uses to tell them apart on one port) and the version is 2.
 */
bool rtcp_is_rtcp(const uint8_t *buf, size_t len);

#endif
