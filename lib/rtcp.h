/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RTCP (RFC 3550 §6): the compound packets a sending-only stream needs —
 * SR + SDES CNAME while it runs, SR + SDES CNAME + BYE when it stops — and
 * the report interval of §6.2 / A.7 (tests/support/rtcp_parse.h reads them).
 */
#ifndef RTPRELAY_RTCP_H
#define RTPRELAY_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp.h"

#define RTCP_PT_SR	  200
#define RTCP_PT_RR	  201
#define RTCP_PT_SDES	  202
#define RTCP_PT_BYE	  203
#define RTCP_PT_APP	  204

#define RTCP_SDES_CNAME	  1
#define RTCP_TEXT_MAX	  255 /* CNAME and BYE reason */

#define RTCP_MIN_INTERVAL 5.0 /* seconds, RFC 3550 §6.2 */

struct rtcp_sender_info {
	uint32_t ssrc;
	uint64_t ntp;		/* NTP timestamp, 32.32 fixed point */
	uint32_t rtp_timestamp; /* the same instant on the RTP clock */
	uint32_t packet_count;
	uint32_t octet_count;
};

uint64_t rtcp_ntp_from_unix_us(int64_t unix_us);
/*
 * Fills info for a report sent now (wall clock), elapsed_us after the
 * stream's last RTP packet.
 */
void rtcp_sender_info_now(struct rtcp_sender_info *info, const struct rtp_sender *s, int64_t elapsed_us,
			  unsigned clock_rate);

/*
 * SR (no report blocks) + SDES CNAME. Returns the length, or 0 when it does
 * not fit in size or cname is longer than RTCP_TEXT_MAX.
 */
size_t rtcp_build_sr(uint8_t *buf, size_t size, const struct rtcp_sender_info *info, const char *cname);
/* SR + SDES CNAME + BYE with an optional reason (NULL for none). */
size_t rtcp_build_bye(uint8_t *buf, size_t size, const struct rtcp_sender_info *info, const char *cname,
		      const char *reason);

/*
 * Seconds until the next report (RFC 3550 A.7): the deterministic interval
 * with the 5 s minimum (halved when initial), times a random factor in
 * [0.5, 1.5), divided by e - 3/2. rtcp_bw is in octets per second (5% of
 * the session bandwidth), avg_rtcp_size in octets with UDP/IP headers.
 */
double rtcp_interval(int members, int senders, double rtcp_bw, bool we_sent, double avg_rtcp_size, bool initial);
/* avg_rtcp_size after sending or receiving a packet of packet_size octets. */
double rtcp_avg_size_update(double avg_rtcp_size, size_t packet_size);

#endif /* RTPRELAY_RTCP_H */
