// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/rtcp.h"
#include "endpoint_learning.h"
#include "lib/sockaddr_text.h"
#include "media_batch.h"
#include "media_bridge.h"
#include "media_clock.h"
#include "media_env.h"
#include "media_stream_private.h"
#include "port_pool.h"

#define BIND_ATTEMPTS 16 /* ports taken by other programs are skipped */
#define RTCP_CNAME    "rtprelay"
/* The tone plays one encoded second in a loop. */
#define TONE_LOOP_FRAMES (TONE_SAMPLE_RATE / TONE_FRAME_SAMPLES)

G_DEFINE_QUARK(rtprelay_media_stream_error, media_stream_error)

/* Binds the pair at the named media address, or (address NULL) at the media address. */
static int bind_pair(struct media_stream *ms, const struct config *cfg, const struct config_media_address *address,
		     uint16_t port)
{
	struct sockaddr_storage ss;

	for (int i = MEDIA_RTP; i <= MEDIA_RTCP; i++) {
		socklen_t len = address ? config_media_address_sockaddr(address, port + i, &ss)
					: config_media_sockaddr(cfg, port + i, &ss);

		if (!len) {
			errno = EADDRNOTAVAIL;
			return -1;
		}
		ms->fd[i] = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (ms->fd[i] < 0 || bind(ms->fd[i], (struct sockaddr *)&ss, len) < 0)
			return -1;
		flow_key_from_sockaddr(&ms->key[i], (struct sockaddr *)&ss);
	}
	return 0;
}

static void close_pair(struct media_stream *ms)
{
	for (int i = MEDIA_RTP; i <= MEDIA_RTCP; i++) {
		if (ms->fd[i] >= 0)
			close(ms->fd[i]);
		ms->fd[i] = -1;
	}
}

/*
 * Symmetric RTP: the first packet from the peer fixes where we send and what
 * we accept; anything from elsewhere afterwards is dropped and counted (its
 * verdict becomes DATAPATH_DROPPED). Returns whether this batch latched.
 */
static bool latch_and_count(struct media_stream *ms, int which, struct datapath_packet *pkts, int n,
			    enum datapath_verdict *verdicts)
{
	struct endpoint_learning_state learning = {
		.sdp_peer = &ms->sdp_peer[which],
		.signal_src = &ms->signal_src,
		.peer_sends = ms->peer_sends,
		.window_open = g_get_monotonic_time() < ms->learning_until_us,
	};
	bool latched_now = false;

	for (int i = 0; i < n; i++) {
		/* Forwarded the slow way (XDP passed it: no next hop yet, say): the peer's, and in no flow's count. */
		if (verdicts[i] == DATAPATH_FORWARDED && !ms->env->dp->ops->flows_count_input)
			ms->stats.rx_packets++;
		if (verdicts[i] != DATAPATH_PASS)
			continue;
		if (!ms->latched[which] &&
		    endpoint_learning_accepts(ms->env->cfg->endpoint_learning, &learning, &pkts[i].from)) {
			ms->latched_peer[which] = pkts[i].from;
			ms->latched[which] = true;
			latched_now = true;
		} else if (!ms->latched[which] || !sockaddr_equal(&ms->latched_peer[which], &pkts[i].from)) {
			ms->stats.rx_wrong_source++;
			verdicts[i] = DATAPATH_DROPPED;
			continue;
		}
		ms->stats.rx_packets++;
		ms->last_rx_us = g_get_monotonic_time();
	}
	return latched_now;
}

/*
 * A bridged leg's packets reach the daemon only until its peer is latched:
 * then the flows learn the peer, and the packets that latched it go out
 * through them so that none is lost.
 */
static void forward_latching_packets(struct media_stream *ms, const struct flow_key *local,
				     struct datapath_packet *pkts, int n, const enum datapath_verdict *verdicts)
{
	struct datapath_packet passed[MEDIA_LOOP_BATCH];
	enum datapath_verdict again[MEDIA_LOOP_BATCH];
	int m = 0;

	media_bridge_program(ms);
	for (int i = 0; i < n; i++)
		if (verdicts[i] == DATAPATH_PASS)
			passed[m++] = pkts[i];
	if (m)
		datapath_input(ms->env->dp, local, passed, m, again);
	/* Counted in rx_packets when they latched: not twice, where the flow counts them too. */
	for (int i = 0; i < m && ms->env->dp->ops->flows_count_input; i++)
		if (again[i] == DATAPATH_FORWARDED)
			ms->stats.rx_packets--;
}

static void on_rx(void *user, const struct flow_key *local, struct datapath_packet *pkts, int n)
{
	struct media_stream *ms = user;
	struct media_clock *clock = ms->env->clock;
	enum datapath_verdict verdicts[MEDIA_LOOP_BATCH];
	int which = flow_key_equal(local, &ms->key[MEDIA_RTP]) ? MEDIA_RTP : MEDIA_RTCP;
	bool latched_now;

	datapath_input(ms->env->dp, local, pkts, n, verdicts);
	media_clock_lock(clock);
	latched_now = latch_and_count(ms, which, pkts, n, verdicts);
	if (ms->mode == MEDIA_TRANSCODE && which == MEDIA_RTP)
		media_bridge_transcode(ms, pkts, n, verdicts);
	else if (latched_now && (ms->mode == MEDIA_BRIDGE || ms->mode == MEDIA_TRANSCODE))
		forward_latching_packets(ms, local, pkts, n, verdicts);
	else if (ms->mode == MEDIA_MIX && which == MEDIA_RTP)
		mixer_input(ms, pkts, n, verdicts);
	media_clock_unlock(clock);
}

static struct media_stream *stream_alloc(const struct media_env *env)
{
	struct media_stream *ms = g_new0(struct media_stream, 1);

	ms->env = env;
	ms->fd[MEDIA_RTP] = ms->fd[MEDIA_RTCP] = -1;
	return ms;
}

/* The bound leg starts: its sockets go to the datapath and the media thread. */
static struct media_stream *stream_start(struct media_stream *ms)
{
	ms->last_rx_us = g_get_monotonic_time();
	ms->peer_receives = true;
	for (int i = MEDIA_RTP; i <= MEDIA_RTCP; i++) {
		datapath_socket_register(ms->env->dp, &ms->key[i], ms->fd[i]);
		media_loop_add_socket(ms->env->loop, ms->fd[i], &ms->key[i], on_rx, ms);
	}
	return ms;
}

struct media_stream *media_stream_new(const struct media_env *env, GError **err)
{
	return media_stream_new_on(env, NULL, err);
}

struct media_stream *media_stream_new_on(const struct media_env *env, const struct config_media_address *address,
					 GError **err)
{
	struct media_stream *ms = stream_alloc(env);

	for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
		if (port_pool_take(env->ports, &ms->port) < 0) {
			g_set_error(err, MEDIA_STREAM_ERROR, ENOSPC, "no free RTP port");
			g_free(ms);
			return NULL;
		}
		if (bind_pair(ms, env->cfg, address, ms->port) == 0)
			break;
		g_warning("RTP port %u: %s; trying another", ms->port, strerror(errno));
		close_pair(ms);
		port_pool_put(env->ports, ms->port);
		ms->port = 0;
	}
	if (!ms->port) {
		g_set_error(err, MEDIA_STREAM_ERROR, EADDRINUSE, "no RTP port could be bound");
		g_free(ms);
		return NULL;
	}
	return stream_start(ms);
}

struct media_stream *media_stream_new_at(const struct media_env *env, const struct config_media_address *address,
					 uint16_t port, GError **err)
{
	struct media_stream *ms;

	if (port_pool_reserve(env->ports, port) < 0) {
		g_set_error(err, MEDIA_STREAM_ERROR, errno, "RTP port %u: %s", port, strerror(errno));
		return NULL;
	}
	ms = stream_alloc(env);
	ms->port = port;
	if (bind_pair(ms, env->cfg, address, port) < 0) {
		g_set_error(err, MEDIA_STREAM_ERROR, EADDRINUSE, "RTP port %u: %s", port, strerror(errno));
		close_pair(ms);
		port_pool_put(env->ports, port);
		g_free(ms);
		return NULL;
	}
	return stream_start(ms);
}

void media_stream_resume_latching(struct media_stream *ms)
{
	struct datapath *dp = ms->env->dp;
	struct flow_key peer;
	struct flow_value v;
	socklen_t len;

	media_clock_lock(ms->env->clock);
	for (int i = MEDIA_RTP; i <= MEDIA_RTCP; i++) {
		if (dp->ops->flow_get(dp, &ms->key[i], &v) < 0 || !(v.flags & FLOW_F_LATCHED))
			continue;
		peer = (struct flow_key){ .addr = v.expect_addr, .port = v.expect_port, .family = ms->key[i].family };
		flow_key_to_sockaddr(&peer, &ms->latched_peer[i], &len);
		ms->latched[i] = true;
	}
	media_clock_unlock(ms->env->clock);
}

const struct sockaddr_storage *media_stream_peer(const struct media_stream *ms, int which)
{
	const struct sockaddr_storage *to = ms->latched[which] ? &ms->latched_peer[which] : &ms->sdp_peer[which];

	return to->ss_family == AF_UNSPEC ? NULL : to;
}

void media_stream_send(struct media_stream *ms, int which, const uint8_t *buf, size_t len)
{
	const struct sockaddr_storage *to = media_stream_peer(ms, which);

	if (!to)
		return; /* delayed offer: no address yet */
	if (sendto(ms->fd[which], buf, len, 0, (const struct sockaddr *)to,
		   to->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) >= 0)
		ms->stats.tx_packets++;
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
	media_stream_send(ms, MEDIA_RTCP, buf, len);
	ms->avg_rtcp_size = rtcp_avg_size_update(ms->avg_rtcp_size, len);
}

static bool is_playing(const struct media_stream *ms)
{
	return ms->mode == MEDIA_TONE || ms->mode == MEDIA_MIX;
}

static void schedule_rtcp(struct media_stream *ms, gint64 now, bool initial)
{
	/* Two members, we send; 5% of 64 kbit/s PCM as RTCP bandwidth. */
	double interval = rtcp_interval(2, 1, 0.05 * 64000 / 8, true, ms->avg_rtcp_size, initial);

	ms->next_rtcp_us = now + (gint64)(interval * G_USEC_PER_SEC);
}

void media_stream_send_frame(struct media_stream *ms, struct media_batch *batch)
{
	int16_t pcm[TONE_FRAME_SAMPLES];
	uint8_t mix[TONE_FRAME_SAMPLES], pkt[RTP_HEADER_LEN + TONE_FRAME_SAMPLES];
	const uint8_t *payload = mix;
	const struct sockaddr_storage *to;
	size_t len;

	if (ms->mode == MEDIA_MIX) {
		mixer_output(ms, pcm);
		g711_encode(ms->law, pcm, mix, TONE_FRAME_SAMPLES);
	} else {
		payload =
		    media_clock_tone_loop(ms->env->clock, ms->tone_hz, ms->law) + ms->tone_frame * TONE_FRAME_SAMPLES;
		ms->tone_frame = (ms->tone_frame + 1) % TONE_LOOP_FRAMES;
	}
	if (!ms->peer_receives) {
		/* On hold: time runs on, no sequence number is spent; resuming is a restart. */
		ms->rtp.timestamp += TONE_FRAME_SAMPLES;
		ms->rtp.marker_pending = true;
		return;
	}
	len = rtp_sender_next(&ms->rtp, pkt, sizeof(pkt), payload, TONE_FRAME_SAMPLES, TONE_FRAME_SAMPLES);
	to = media_stream_peer(ms, MEDIA_RTP);
	if (batch && to)
		media_batch_add(batch, ms->key[MEDIA_RTP].port, to, pkt, len, &ms->stats.tx_packets);
	else
		media_stream_send(ms, MEDIA_RTP, pkt, len);
	ms->last_rtp_us = g_get_monotonic_time();
}

void media_stream_send_rtcp_due(struct media_stream *ms, gint64 now)
{
	if (now < ms->next_rtcp_us || !ms->peer_receives)
		return;
	send_rtcp(ms, false);
	schedule_rtcp(ms, now, false);
}

const char *media_mode_name(enum media_mode mode)
{
	static const char *const names[] = {
		[MEDIA_IDLE] = "none",		 [MEDIA_TONE] = "tone", [MEDIA_BRIDGE] = "bridge",
		[MEDIA_TRANSCODE] = "transcode", [MEDIA_MIX] = "mix",
	};

	return names[mode];
}

uint16_t media_stream_port(const struct media_stream *ms)
{
	return ms->port;
}

void media_stream_local_rtp(const struct media_stream *ms, struct sockaddr_storage *out)
{
	socklen_t len;

	flow_key_to_sockaddr(&ms->key[MEDIA_RTP], out, &len);
}

enum media_mode media_stream_mode(const struct media_stream *ms)
{
	struct media_clock *clock = ms->env->clock;
	enum media_mode mode;

	media_clock_lock(clock);
	mode = ms->mode;
	media_clock_unlock(clock);
	return mode;
}

void media_stream_set_signal_source(struct media_stream *ms, const struct sockaddr_storage *src)
{
	media_clock_lock(ms->env->clock);
	ms->signal_src = *src;
	media_clock_unlock(ms->env->clock);
}

void media_stream_set_asymmetric(struct media_stream *ms, bool asymmetric)
{
	media_clock_lock(ms->env->clock);
	if (ms->asymmetric && !asymmetric)
		ms->latched[MEDIA_RTP] = ms->latched[MEDIA_RTCP] = false; /* learns its source from now on */
	ms->asymmetric = asymmetric;
	media_clock_unlock(ms->env->clock);
}

void media_stream_set_remote(struct media_stream *ms, const struct sdp_media_desc *remote, enum g711_law law)
{
	struct media_clock *clock = ms->env->clock;
	struct sockaddr_storage rtp = remote->rtp_addr, rtcp = remote->rtp_addr;
	uint16_t rtcp_port = remote->rtcp_port ? remote->rtcp_port : remote->rtp_port + 1;

	if (rtcp.ss_family == AF_INET)
		((struct sockaddr_in *)&rtcp)->sin_port = htons(rtcp_port);
	else
		((struct sockaddr_in6 *)&rtcp)->sin6_port = htons(rtcp_port);
	media_clock_lock(clock);
	/* A new address in the SDP is a new peer: latch again, learning anew. */
	if (!sockaddr_equal(&rtp, &ms->sdp_peer[MEDIA_RTP])) {
		ms->latched[MEDIA_RTP] = ms->latched[MEDIA_RTCP] = false;
		ms->learning_until_us = g_get_monotonic_time() + ENDPOINT_LEARNING_WINDOW_US;
	}
	ms->sdp_peer[MEDIA_RTP] = rtp;
	ms->sdp_peer[MEDIA_RTCP] = rtcp;
	if (ms->asymmetric) {
		for (int i = MEDIA_RTP; i <= MEDIA_RTCP; i++) {
			ms->latched_peer[i] = ms->sdp_peer[i];
			ms->latched[i] = true;
		}
	}
	ms->peer_receives = sdp_direction_receives(remote->direction) && !remote->hold_0000;
	ms->peer_sends = sdp_direction_sends(remote->direction);
	if (ms->law != law && is_playing(ms))
		rtp_sender_restart(&ms->rtp);
	ms->law = law;
	ms->rtp.payload_type = law;
	if (ms->partner)
		media_bridge_program(ms);
	media_clock_unlock(clock);
}

void media_stream_play_locked(struct media_stream *ms, enum media_mode mode)
{
	gint64 now = g_get_monotonic_time();

	if (is_playing(ms)) {
		ms->mode = mode;
		rtp_sender_restart(&ms->rtp);
		return;
	}
	if (!ms->rtp.ssrc)
		rtp_sender_init(&ms->rtp, ms->law);
	else
		rtp_sender_restart(&ms->rtp);
	ms->mode = mode;
	ms->last_rtp_us = now;
	schedule_rtcp(ms, now, true);
	media_clock_add_stream(ms->env->clock, ms);
}

void media_stream_stop_locked(struct media_stream *ms)
{
	if (!is_playing(ms))
		return;
	media_clock_remove_stream(ms->env->clock, ms);
	if (ms->peer_receives)
		send_rtcp(ms, true);
	ms->mode = MEDIA_IDLE;
}

static void detach_locked(struct media_stream *ms)
{
	switch (ms->mode) {
	case MEDIA_TONE:
		media_stream_stop_locked(ms);
		break;
	case MEDIA_MIX:
		mixer_leave_locked(ms);
		break;
	case MEDIA_BRIDGE:
	case MEDIA_TRANSCODE:
		media_bridge_disconnect_locked(ms);
		break;
	case MEDIA_IDLE:
		break;
	}
}

void media_stream_detach(struct media_stream *ms)
{
	struct media_clock *clock = ms->env->clock;

	media_clock_lock(clock);
	detach_locked(ms);
	media_clock_unlock(clock);
}

void media_stream_tone_start(struct media_stream *ms, unsigned hz)
{
	struct media_clock *clock = ms->env->clock;

	media_clock_lock(clock);
	if (ms->mode != MEDIA_TONE)
		detach_locked(ms);
	ms->tone_hz = hz;
	media_stream_play_locked(ms, MEDIA_TONE);
	media_clock_unlock(clock);
}

double media_stream_idle_seconds(const struct media_stream *ms)
{
	struct media_clock *clock = ms->env->clock;
	gint64 last;

	media_clock_lock(clock);
	/* A bridged peer's packets may all cross in the datapath: its flow saw them. */
	last = MAX(ms->last_rx_us, media_bridge_last_seen_us(ms));
	media_clock_unlock(clock);
	return (g_get_monotonic_time() - last) / (double)G_USEC_PER_SEC;
}

static void read_stats(const struct media_stream *ms, struct media_stream_stats *out)
{
	struct media_clock *clock = ms->env->clock;

	media_clock_lock(clock);
	*out = ms->stats;
	out->rtp_latched = ms->latched[MEDIA_RTP];
	out->rtp_peer = ms->latched[MEDIA_RTP] ? ms->latched_peer[MEDIA_RTP] : ms->sdp_peer[MEDIA_RTP];
	out->mode = ms->mode;
	media_bridge_add_flow_counters(ms, out);
	media_clock_unlock(clock);
}

/* rx_wrong_source is not the peer's: in wrong_source only (struct media_leg_info says why). */
void media_stream_leg_info(const struct media_stream *ms, struct media_leg_info *out)
{
	struct media_stream_stats st;

	read_stats(ms, &st);
	media_stream_local_rtp(ms, &out->local_rtp);
	out->media = media_mode_name(st.mode);
	out->remote_rtp = st.rtp_peer;
	out->latched = st.rtp_latched;
	out->packets_in = st.rx_packets + st.forwarded_in;
	out->packets_out = st.tx_packets + st.forwarded_out;
	out->packets_userspace = st.rx_packets;
	out->wrong_source = st.rx_wrong_source + st.flow_wrong_source;
}

void media_stream_free(struct media_stream *ms)
{
	if (!ms)
		return;
	media_stream_detach(ms);
	for (int i = MEDIA_RTP; i <= MEDIA_RTCP; i++) {
		media_loop_remove_socket(ms->env->loop, ms->fd[i]);
		datapath_socket_unregister(ms->env->dp, &ms->key[i]);
	}
	close_pair(ms);
	port_pool_put(ms->env->ports, ms->port);
	g_free(ms);
}
