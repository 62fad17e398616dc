// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "media_stream.h"
#include "rtcp.h"
#include "rtp.h"
#include "tone.h"

#define TONE_AMPLITUDE	0.25 /* of full scale, -12 dBFS: leaves headroom for mixing */
#define BIND_ATTEMPTS	16   /* ports taken by other programs are skipped */
#define CATCH_UP_FRAMES 5    /* a late tick sends at most this many frames */
#define RTCP_CNAME	"rtprelay"

struct media_stream {
	struct daemon *d;
	uint16_t port;
	int fd[2]; /* RTP, RTCP */
	struct flow_key key[2];

	/* Fields below are shared with the media thread: clock->lock. */
	struct sockaddr_storage sdp_peer[2];
	struct sockaddr_storage latched_peer[2];
	bool latched[2];
	bool peer_receives; /* the peer's SDP direction lets it receive */
	enum g711_law law;
	bool playing;
	struct tone tone;
	struct rtp_sender rtp;
	gint64 last_rtp_us;
	gint64 next_rtcp_us;
	double avg_rtcp_size;
	struct media_stream_stats stats;
	gint64 last_rx_us;
};

/* Every stream that plays a tone, ticked every 20 ms on the media thread. */
struct media_clock {
	GMutex lock;
	GPtrArray *playing;
	int timer_id;
};

enum { RTP, RTCP };

static int bind_pair(struct media_stream *ms, const struct config *cfg, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = cfg->media_family == AF_INET6 ? AF_INET6 : AF_INET;

	for (int i = RTP; i <= RTCP; i++) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = family;
		if (family == AF_INET) {
			struct sockaddr_in *sin = (void *)&ss;

			inet_pton(AF_INET, cfg->media_ip, &sin->sin_addr);
			sin->sin_port = htons(port + i);
			len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (void *)&ss;

			inet_pton(AF_INET6, cfg->media_ip, &sin6->sin6_addr);
			sin6->sin6_port = htons(port + i);
			len = sizeof(*sin6);
		}
		ms->fd[i] = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (ms->fd[i] < 0 || bind(ms->fd[i], (struct sockaddr *)&ss, len) < 0)
			return -1;
		flow_key_from_sockaddr(&ms->key[i], (struct sockaddr *)&ss);
	}
	return 0;
}

static void close_pair(struct media_stream *ms)
{
	for (int i = RTP; i <= RTCP; i++) {
		if (ms->fd[i] >= 0)
			close(ms->fd[i]);
		ms->fd[i] = -1;
	}
}

static bool same_sockaddr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct flow_key ka, kb;

	return flow_key_from_sockaddr(&ka, (const struct sockaddr *)a) == 0 &&
	       flow_key_from_sockaddr(&kb, (const struct sockaddr *)b) == 0 && flow_key_equal(&ka, &kb);
}

/*
 * Symmetric RTP: the first packet from the peer fixes where we send and what
 * we accept; anything from elsewhere afterwards is dropped and counted.
 */
static void on_packets(struct media_stream *ms, int which, struct datapath_packet *pkts, int n,
		       const enum datapath_verdict *verdicts)
{
	struct media_clock *clock = ms->d->clock;

	g_mutex_lock(&clock->lock);
	for (int i = 0; i < n; i++) {
		if (verdicts[i] != DATAPATH_PASS)
			continue;
		if (!ms->latched[which]) {
			ms->latched_peer[which] = pkts[i].from;
			ms->latched[which] = true;
		} else if (!same_sockaddr(&ms->latched_peer[which], &pkts[i].from)) {
			ms->stats.rx_wrong_source++;
			continue;
		}
		ms->stats.rx_packets++;
		ms->last_rx_us = g_get_monotonic_time();
	}
	g_mutex_unlock(&clock->lock);
}

static void on_rx(void *user, const struct flow_key *local, struct datapath_packet *pkts, int n)
{
	struct media_stream *ms = user;
	enum datapath_verdict verdicts[MEDIA_LOOP_BATCH];
	int which = flow_key_equal(local, &ms->key[RTP]) ? RTP : RTCP;

	datapath_input(ms->d->dp, local, pkts, n, verdicts);
	on_packets(ms, which, pkts, n, verdicts);
}

struct media_stream *media_stream_new(struct daemon *d, GError **err)
{
	struct media_stream *ms = g_new0(struct media_stream, 1);

	ms->d = d;
	ms->fd[RTP] = ms->fd[RTCP] = -1;
	for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
		if (port_pool_take(d->ports, &ms->port) < 0) {
			g_set_error(err, g_quark_from_static_string("media-stream"), ENOSPC, "no free RTP port");
			g_free(ms);
			return NULL;
		}
		if (bind_pair(ms, &d->cfg, ms->port) == 0)
			break;
		g_warning("RTP port %u: %s; trying another", ms->port, strerror(errno));
		close_pair(ms);
		port_pool_put(d->ports, ms->port);
		ms->port = 0;
	}
	if (!ms->port) {
		g_set_error(err, g_quark_from_static_string("media-stream"), EADDRINUSE, "no RTP port could be bound");
		g_free(ms);
		return NULL;
	}
	ms->last_rx_us = g_get_monotonic_time();
	ms->peer_receives = true;
	for (int i = RTP; i <= RTCP; i++) {
		datapath_socket_register(d->dp, &ms->key[i], ms->fd[i]);
		media_loop_add_socket(d->media, ms->fd[i], &ms->key[i], on_rx, ms);
	}
	return ms;
}

static void send_to_peer(struct media_stream *ms, int which, const uint8_t *buf, size_t len)
{
	const struct sockaddr_storage *to = ms->latched[which] ? &ms->latched_peer[which] : &ms->sdp_peer[which];
	socklen_t tolen = to->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if (to->ss_family == AF_UNSPEC)
		return; /* delayed offer: no address yet */
	sendto(ms->fd[which], buf, len, 0, (const struct sockaddr *)to, tolen);
}

static void send_rtcp(struct media_stream *ms, bool bye)
{
	struct rtcp_sender_info info;
	uint8_t buf[512];
	size_t len;
	int64_t since_rtp = g_get_monotonic_time() - ms->last_rtp_us;

	rtcp_sender_info_now(&info, &ms->rtp, since_rtp, TONE_SAMPLE_RATE);
	if (bye)
		len = rtcp_build_bye(buf, sizeof(buf), &info, RTCP_CNAME, "tone stopped");
	else
		len = rtcp_build_sr(buf, sizeof(buf), &info, RTCP_CNAME);
	if (!len)
		return;
	send_to_peer(ms, RTCP, buf, len);
	ms->avg_rtcp_size = rtcp_avg_size_update(ms->avg_rtcp_size, len);
}

static void schedule_rtcp(struct media_stream *ms, gint64 now, bool initial)
{
	/* Two members, we send; 5% of 64 kbit/s PCM as RTCP bandwidth. */
	double interval = rtcp_interval(2, 1, 0.05 * 64000 / 8, true, ms->avg_rtcp_size, initial);

	ms->next_rtcp_us = now + (gint64)(interval * G_USEC_PER_SEC);
}

static void send_tone_frame(struct media_stream *ms)
{
	int16_t pcm[TONE_FRAME_SAMPLES];
	uint8_t payload[TONE_FRAME_SAMPLES], pkt[RTP_HEADER_LEN + TONE_FRAME_SAMPLES];
	size_t len;

	tone_fill(&ms->tone, pcm, TONE_FRAME_SAMPLES);
	if (!ms->peer_receives) {
		/* On hold: time runs on, no sequence number is spent; resuming is a restart. */
		ms->rtp.timestamp += TONE_FRAME_SAMPLES;
		ms->rtp.marker_pending = true;
		return;
	}
	g711_encode(ms->law, pcm, payload, TONE_FRAME_SAMPLES);
	len = rtp_sender_next(&ms->rtp, pkt, sizeof(pkt), payload, sizeof(payload), TONE_FRAME_SAMPLES);
	send_to_peer(ms, RTP, pkt, len);
	ms->stats.tx_packets++;
	ms->last_rtp_us = g_get_monotonic_time();
}

static void on_tick(void *user, uint64_t expirations)
{
	struct media_clock *clock = user;
	unsigned frames = MIN(expirations, CATCH_UP_FRAMES);
	gint64 now = g_get_monotonic_time();

	g_mutex_lock(&clock->lock);
	for (guint i = 0; i < clock->playing->len; i++) {
		struct media_stream *ms = g_ptr_array_index(clock->playing, i);

		for (unsigned f = 0; f < frames; f++)
			send_tone_frame(ms);
		if (now >= ms->next_rtcp_us && ms->peer_receives) {
			send_rtcp(ms, false);
			schedule_rtcp(ms, now, false);
		}
	}
	g_mutex_unlock(&clock->lock);
}

int media_streams_start(struct daemon *d)
{
	struct media_clock *clock = g_new0(struct media_clock, 1);

	g_mutex_init(&clock->lock);
	clock->playing = g_ptr_array_new();
	clock->timer_id = media_loop_add_timer(d->media, 20 * 1000 * 1000, on_tick, clock);
	d->clock = clock;
	return clock->timer_id < 0 ? -1 : 0;
}

void media_streams_stop(struct daemon *d)
{
	struct media_clock *clock = d->clock;

	if (!clock)
		return;
	if (clock->timer_id >= 0)
		media_loop_remove_timer(d->media, clock->timer_id);
	g_ptr_array_free(clock->playing, TRUE);
	g_mutex_clear(&clock->lock);
	g_free(clock);
	d->clock = NULL;
}

uint16_t media_stream_port(const struct media_stream *ms)
{
	return ms->port;
}

void media_stream_set_remote(struct media_stream *ms, const struct sdp_media_desc *remote, enum g711_law law)
{
	struct media_clock *clock = ms->d->clock;
	struct sockaddr_storage rtp = remote->rtp_addr, rtcp = remote->rtp_addr;
	uint16_t rtcp_port = remote->rtcp_port ? remote->rtcp_port : remote->rtp_port + 1;

	if (rtcp.ss_family == AF_INET)
		((struct sockaddr_in *)&rtcp)->sin_port = htons(rtcp_port);
	else
		((struct sockaddr_in6 *)&rtcp)->sin6_port = htons(rtcp_port);
	g_mutex_lock(&clock->lock);
	/* A new address in the SDP is a new peer: latch again. */
	if (!same_sockaddr(&rtp, &ms->sdp_peer[RTP]))
		ms->latched[RTP] = ms->latched[RTCP] = false;
	ms->sdp_peer[RTP] = rtp;
	ms->sdp_peer[RTCP] = rtcp;
	ms->peer_receives = sdp_direction_receives(remote->direction) && !remote->hold_0000;
	if (ms->law != law && ms->playing)
		rtp_sender_restart(&ms->rtp);
	ms->law = law;
	ms->rtp.payload_type = law;
	g_mutex_unlock(&clock->lock);
}

void media_stream_tone_start(struct media_stream *ms, unsigned hz)
{
	struct media_clock *clock = ms->d->clock;
	gint64 now = g_get_monotonic_time();

	g_mutex_lock(&clock->lock);
	if (ms->playing) {
		tone_set_hz(&ms->tone, hz);
		rtp_sender_restart(&ms->rtp);
	} else {
		tone_init(&ms->tone, hz, TONE_AMPLITUDE);
		if (!ms->rtp.ssrc)
			rtp_sender_init(&ms->rtp, ms->law);
		else
			rtp_sender_restart(&ms->rtp);
		ms->playing = true;
		ms->last_rtp_us = now;
		schedule_rtcp(ms, now, true);
		g_ptr_array_add(clock->playing, ms);
	}
	g_mutex_unlock(&clock->lock);
}

void media_stream_tone_stop(struct media_stream *ms)
{
	struct media_clock *clock = ms->d->clock;

	g_mutex_lock(&clock->lock);
	if (ms->playing) {
		ms->playing = false;
		g_ptr_array_remove_fast(clock->playing, ms);
		if (ms->peer_receives)
			send_rtcp(ms, true);
	}
	g_mutex_unlock(&clock->lock);
}

double media_stream_idle_seconds(const struct media_stream *ms)
{
	struct media_clock *clock = ms->d->clock;
	gint64 last;

	g_mutex_lock(&clock->lock);
	last = ms->last_rx_us;
	g_mutex_unlock(&clock->lock);
	return (g_get_monotonic_time() - last) / (double)G_USEC_PER_SEC;
}

void media_stream_stats(const struct media_stream *ms, struct media_stream_stats *out)
{
	struct media_clock *clock = ms->d->clock;

	g_mutex_lock(&clock->lock);
	*out = ms->stats;
	out->rtp_latched = ms->latched[RTP];
	out->rtp_peer = ms->latched[RTP] ? ms->latched_peer[RTP] : ms->sdp_peer[RTP];
	g_mutex_unlock(&clock->lock);
}

void media_stream_free(struct media_stream *ms)
{
	if (!ms)
		return;
	media_stream_tone_stop(ms);
	for (int i = RTP; i <= RTCP; i++) {
		media_loop_remove_socket(ms->d->media, ms->fd[i]);
		datapath_socket_unregister(ms->d->dp, &ms->key[i]);
	}
	close_pair(ms);
	port_pool_put(ms->d->ports, ms->port);
	g_free(ms);
}
