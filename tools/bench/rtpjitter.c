// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtpjitter: one socket that receives the RTP of many calls (every call of
 * a SIPp load run offers the same media port) and says how steady their
 * 20 ms cadence is.
 *
 *   rtpjitter --bind ADDR:PORT [--warmup-ms MS] [--duration-ms MS]
 *
 * Streams are told apart by SSRC. Arrival times are the kernel's receive
 * timestamps (SO_TIMESTAMPNS), so this tool's own scheduling does not
 * count. After --warmup-ms (calls still being set up) it measures for
 * --duration-ms and prints one JSON line: streams seen, packets and their
 * rate, packets lost (sequence gaps), and the jitter of every inter-arrival
 * gap, |gap - 20 ms|, at p50, p99 and max in microseconds. RTCP on PORT+1
 * is read and counted. Prints "ready" once bound.
 *
 * It also times the bursts: a sender delivers each tick's packets back to
 * back, then nothing until the next tick (rtprelayd: ten 2 ms sub-ticks of
 * the 20 ms period, each with a tenth of the streams). "burst_ms" is how
 * long a burst lasts (from its first packet to its last, a gap of
 * BURST_GAP_NS ending it), p50 and max: once it nears the sub-tick the
 * sender has no idle time left.
 */
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_common.h"
#include "lib/rtp.h"

#define BATCH	     64
#define FRAME_NS     20000000ll
#define RCVBUF_BYTES (64 << 20)
#define MAX_GAP	     1000   /* larger sequence jumps are a new start, not loss */
#define BURST_GAP_NS 500000 /* well under the 2 ms between sub-ticks */

static gchar *opt_bind;
static gint opt_warmup_ms = 2000;
static gint opt_duration_ms = 5000;

static const GOptionEntry option_entries[] = {
	{ "bind", 0, 0, G_OPTION_ARG_STRING, &opt_bind, "where the calls' RTP arrives (RTCP: port+1)", "ADDR:PORT" },
	{ "warmup-ms", 0, 0, G_OPTION_ARG_INT, &opt_warmup_ms, "wait this long before measuring (2000)", "MS" },
	{ "duration-ms", 0, 0, G_OPTION_ARG_INT, &opt_duration_ms, "measure this long (5000)", "MS" },
	{ NULL },
};

struct stream {
	int64_t last_ns;
	uint16_t last_seq;
};

struct result {
	GHashTable *streams; /* SSRC -> struct stream * */
	GArray *jitter_us;   /* guint32 */
	guint64 packets, lost, invalid, rtcp;
	GHashTable *seen; /* SSRCs with a packet in the window */
	GArray *burst_us; /* guint32 */
	int64_t burst_start, prev;
};

static int open_socket(const struct sockaddr_storage *ss, socklen_t len, uint16_t port_offset)
{
	struct sockaddr_storage a = *ss;
	int one = 1, size = RCVBUF_BYTES;
	int fd = socket(a.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (a.ss_family == AF_INET)
		((struct sockaddr_in *)&a)->sin_port = htons(ntohs(((struct sockaddr_in *)&a)->sin_port) + port_offset);
	else
		((struct sockaddr_in6 *)&a)->sin6_port =
		    htons(ntohs(((struct sockaddr_in6 *)&a)->sin6_port) + port_offset);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int64_t packet_time_ns(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return ts.tv_sec * 1000000000ll + ts.tv_nsec;
		}
	}
	return 0;
}

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void on_rtp(struct result *r, const uint8_t *buf, size_t len, int64_t t, int64_t window_start)
{
	struct rtp_packet p;
	struct stream *s;
	uint16_t gap;

	if (rtp_parse(buf, len, &p) != RTP_OK) {
		r->invalid++;
		return;
	}
	s = g_hash_table_lookup(r->streams, GUINT_TO_POINTER(p.header.ssrc));
	if (!s) {
		s = g_new0(struct stream, 1);
		g_hash_table_insert(r->streams, GUINT_TO_POINTER(p.header.ssrc), s);
	} else if (t >= window_start && s->last_ns >= window_start) {
		int64_t jitter = llabs(t - s->last_ns - FRAME_NS) / 1000;
		guint32 us = MIN(jitter, G_MAXUINT32);

		g_array_append_val(r->jitter_us, us);
		gap = p.header.seq - s->last_seq - 1;
		if (gap < MAX_GAP)
			r->lost += gap;
	}
	if (t >= window_start) {
		r->packets++;
		g_hash_table_add(r->seen, GUINT_TO_POINTER(p.header.ssrc));
		if (t - r->prev > BURST_GAP_NS) {
			if (r->burst_start) {
				guint32 us = (r->prev - r->burst_start) / 1000;

				g_array_append_val(r->burst_us, us);
			}
			r->burst_start = t;
		}
		r->prev = t;
	}
	s->last_ns = t;
	s->last_seq = p.header.seq;
}

static int cmp_u32(const void *a, const void *b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return (x > y) - (x < y);
}

static guint32 percentile(GArray *sorted, double q)
{
	if (!sorted->len)
		return 0;
	return g_array_index(sorted, guint32, MIN(sorted->len - 1, (guint)(q * sorted->len)));
}

int main(int argc, char **argv)
{
	static uint8_t bufs[BATCH][2048], ctrl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage ss;
	struct result r = { 0 };
	struct pollfd pfd[2];
	int64_t start, window_start, window_end;
	socklen_t len;

	if (bench_parse_options("rtpjitter", "- the cadence of many calls' RTP at one socket", option_entries, &argc,
				&argv) < 0)
		return 2;
	if (!opt_bind || sockaddr_parse(opt_bind, &ss, &len) < 0 || opt_duration_ms <= 0 || opt_warmup_ms < 0) {
		fprintf(stderr, "rtpjitter: --bind ADDR:PORT is required\n");
		return 2;
	}
	pfd[0] = (struct pollfd){ .fd = open_socket(&ss, len, 0), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = open_socket(&ss, len, 1), .events = POLLIN };
	if (pfd[0].fd < 0 || pfd[1].fd < 0) {
		fprintf(stderr, "rtpjitter: bind %s: %s\n", opt_bind, strerror(errno));
		return 1;
	}
	r.streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	r.seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	r.jitter_us = g_array_new(FALSE, FALSE, sizeof(guint32));
	r.burst_us = g_array_new(FALSE, FALSE, sizeof(guint32));
	printf("ready\n");
	fflush(stdout);

	start = realtime_ns();
	window_start = start + opt_warmup_ms * 1000000ll;
	window_end = window_start + opt_duration_ms * 1000000ll;
	while (realtime_ns() < window_end) {
		if (poll(pfd, 2, 100) <= 0)
			continue;
		if (pfd[1].revents & POLLIN)
			while (recv(pfd[1].fd, bufs[0], sizeof(bufs[0]), MSG_DONTWAIT) > 0)
				r.rtcp++;
		if (!(pfd[0].revents & POLLIN))
			continue;
		for (;;) {
			int n;

			for (int i = 0; i < BATCH; i++) {
				iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
				msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i],
									 .msg_iovlen = 1,
									 .msg_control = ctrl[i],
									 .msg_controllen = sizeof(ctrl[i]) } };
			}
			n = recvmmsg(pfd[0].fd, msgs, BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				break;
			for (int i = 0; i < n; i++) {
				int64_t t = packet_time_ns(&msgs[i].msg_hdr);

				if (t < window_end)
					on_rtp(&r, bufs[i], msgs[i].msg_len, t, window_start);
			}
		}
	}
	g_array_sort(r.jitter_us, cmp_u32);
	g_array_sort(r.burst_us, cmp_u32);
	printf("{\"streams\":%u,\"packets\":%" G_GUINT64_FORMAT ",\"pps\":%.0f,\"lost\":%" G_GUINT64_FORMAT
	       ",\"invalid\":%" G_GUINT64_FORMAT ",\"rtcp\":%" G_GUINT64_FORMAT
	       ",\"gaps\":%u,\"jitter_us\":{\"p50\":%u,\"p99\":%u,\"max\":%u},"
	       "\"bursts\":%u,\"burst_ms\":{\"p50\":%.2f,\"max\":%.2f}}\n",
	       g_hash_table_size(r.seen), r.packets, r.packets * 1000.0 / opt_duration_ms, r.lost, r.invalid, r.rtcp,
	       r.jitter_us->len, percentile(r.jitter_us, 0.5), percentile(r.jitter_us, 0.99),
	       r.jitter_us->len ? g_array_index(r.jitter_us, guint32, r.jitter_us->len - 1) : 0, r.burst_us->len,
	       percentile(r.burst_us, 0.5) / 1000.0,
	       r.burst_us->len ? g_array_index(r.burst_us, guint32, r.burst_us->len - 1) / 1000.0 : 0);
	close(pfd[0].fd);
	close(pfd[1].fd);
	g_hash_table_destroy(r.streams);
	g_hash_table_destroy(r.seen);
	g_array_free(r.jitter_us, TRUE);
	g_array_free(r.burst_us, TRUE);
	return 0;
}
