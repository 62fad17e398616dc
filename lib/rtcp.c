// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include <string.h>

#include <glib.h>

#include "rtcp.h"

#define NTP_UNIX_OFFSET 2208988800ULL /* seconds from 1900 to 1970 */

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
