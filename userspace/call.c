// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Calls: routing by the Request-URI user, SDP offer/answer, the SIP state
 * machine on top of nua, and the tone played to calls that are not bridged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>

#include "call.h"
#include "sip.h"

#define RETRY_AFTER_SECONDS "5"
#define SDP_CONTENT_TYPE    "application/sdp"

static const char *const state_names[] = {
	[CALL_RINGING] = "ringing", [CALL_ANSWERED] = "answered",	[CALL_CALLING] = "calling",
	[CALL_ACTIVE] = "active",   [CALL_TERMINATING] = "terminating",
};

const char *call_state_name(enum call_state state)
{
	return state_names[state];
}

struct call *call_find(struct daemon *d, guint id)
{
	return g_hash_table_lookup(d->calls, GUINT_TO_POINTER(id));
}

static enum g711_law codec_law(enum sdp_codec codec)
{
	return codec == SDP_CODEC_PCMA ? G711_ALAW : G711_ULAW;
}

static struct call *call_new(struct daemon *d, nua_handle_t *nh, bool outgoing, const char *remote_uri,
			     struct media_stream *media)
{
	struct call *c = g_new0(struct call, 1);

	c->id = ++d->next_call_id;
	c->d = d;
	c->nh = nh;
	c->outgoing = outgoing;
	c->remote_uri = g_strdup(remote_uri);
	c->media = media;
	c->tone_hz = d->cfg.tone_hz;
	c->sdp_session_id = g_get_real_time();
	c->started_us = g_get_monotonic_time();
	nua_handle_bind(nh, c);
	g_hash_table_insert(d->calls, GUINT_TO_POINTER(c->id), c);
	return c;
}

static void call_free(struct call *c)
{
	g_info("call %u: ended", c->id);
	g_hash_table_remove(c->d->calls, GUINT_TO_POINTER(c->id));
	if (c->answer_timer)
		g_source_remove(c->answer_timer);
	media_stream_free(c->media);
	nua_handle_bind(c->nh, NULL);
	nua_handle_destroy(c->nh);
	g_free(c->remote_uri);
	g_free(c);
}

/* Our SDP for this call: the answer to the peer's offer, or our offer. */
static char *local_sdp(struct call *c, const struct sdp_media_desc *offer)
{
	struct sdp_local local = {
		.address = c->d->cfg.media_ip,
		.rtp_port = media_stream_port(c->media),
		.session_id = c->sdp_session_id,
		.session_version = ++c->sdp_version,
		.direction = SDP_SENDRECV,
		.preferred = c->codec,
	};

	return offer ? sdp_answer_build(offer, &local) : sdp_offer_build(&local);
}

/* Takes the peer's SDP into the media leg. */
static void apply_remote(struct call *c, const struct sdp_media_desc *desc)
{
	const struct sdp_payload *codec = sdp_media_desc_first_codec(desc);

	c->remote = *desc;
	c->have_remote = true;
	c->codec = codec->codec;
	media_stream_set_remote(c->media, desc, codec_law(c->codec));
}

/*
 * Parses an SDP body; on failure answers the request with 400 (reason:
 * what is wrong) or 488 and returns false.
 */
static bool parse_sdp(nua_handle_t *nh, const sip_t *sip, struct sdp_media_desc *out)
{
	char err[SDP_ERROR_MAX], reason[SDP_ERROR_MAX + 16];
	enum sdp_parse_result r =
	    sdp_media_parse(sip->sip_payload->pl_data, sip->sip_payload->pl_len, out, err, sizeof(err));

	if (r == SDP_PARSE_OK)
		return true;
	if (r == SDP_PARSE_NO_CODEC) {
		nua_respond(nh, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR("304 rtprelay \"PCMU or PCMA required\""),
			    TAG_END());
		return false;
	}
	snprintf(reason, sizeof(reason), "Bad SDP: %s", err);
	/* nua keeps the phrase pointer until it sends: give it the handle's lifetime. */
	nua_respond(nh, 400, su_strdup(nua_handle_home(nh), reason), TAG_END());
	return false;
}

static bool has_sdp(const sip_t *sip)
{
	return sip && sip->sip_payload && sip->sip_payload->pl_len > 0;
}

static void respond_sdp(struct call *c, const char *sdp)
{
	nua_respond(c->nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR(SDP_CONTENT_TYPE), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
}

/* "tone" or "tone-<hz>": the frequency, 0 for other users, -1 for a bad one. */
static int route_tone_hz(const char *user, unsigned default_hz)
{
	char *end;
	unsigned long hz;

	if (g_strcmp0(user, "tone") == 0)
		return default_hz;
	if (!g_str_has_prefix(user, "tone-"))
		return 0;
	errno = 0;
	hz = strtoul(user + 5, &end, 10);
	if (errno || *end || end == user + 5 || hz < RTPRELAY_TONE_HZ_MIN || hz > RTPRELAY_TONE_HZ_MAX)
		return -1;
	return hz;
}

/* The tone for a Request-URI user: its own, or the default route's. */
static int route_tone(struct daemon *d, const char *user)
{
	int hz = route_tone_hz(user ? user : "", d->cfg.tone_hz);

	if (hz)
		return hz;
	return route_tone_hz(d->cfg.default_route, d->cfg.tone_hz);
}

/* The ring delay is over: 200 OK with our answer (or our offer, for a delayed offer). */
static gboolean answer(gpointer user)
{
	struct call *c = user;
	char *sdp = local_sdp(c, c->have_remote ? &c->remote : NULL);

	c->answer_timer = 0;
	respond_sdp(c, sdp);
	g_free(sdp);
	c->state = CALL_ANSWERED;
	return G_SOURCE_REMOVE;
}

void call_incoming(struct daemon *d, nua_handle_t *nh, const sip_t *sip)
{
	const char *user = sip->sip_request->rq_url->url_user;
	struct sdp_media_desc offer;
	struct media_stream *ms;
	GError *err = NULL;
	struct call *c;
	char *from;
	int hz;

	if (g_hash_table_size(d->calls) >= d->cfg.max_calls) {
		nua_respond(nh, 503, "Too many calls", SIPTAG_RETRY_AFTER_STR(RETRY_AFTER_SECONDS), TAG_END());
		return;
	}
	hz = route_tone(d, user);
	if (hz <= 0) {
		nua_respond(nh, 404, hz < 0 ? "Tone frequency out of range (50-3950 Hz)" : "No route for this user",
			    TAG_END());
		return;
	}
	if (has_sdp(sip) && !parse_sdp(nh, sip, &offer))
		return;
	ms = media_stream_new(d, &err);
	if (!ms) {
		nua_respond(nh, 503, "No free RTP port", SIPTAG_RETRY_AFTER_STR(RETRY_AFTER_SECONDS), TAG_END());
		g_warning("refusing a call: %s", err->message);
		g_error_free(err);
		return;
	}
	from = url_as_string(NULL, sip->sip_from->a_url);
	c = call_new(d, nh, false, from, ms);
	su_free(NULL, from);
	c->tone_hz = hz;
	if (has_sdp(sip))
		apply_remote(c, &offer);
	g_info("call %u: INVITE from %s to %s", c->id, c->remote_uri, user ? user : "");
	nua_respond(nh, SIP_180_RINGING, TAG_END());
	c->answer_timer = g_timeout_add(d->cfg.answer_delay_ms, answer, c);
}

/* A re-INVITE: new address, hold or resume take effect at once. */
static void on_reinvite(struct call *c, const sip_t *sip)
{
	struct sdp_media_desc offer;
	char *sdp;

	if (!has_sdp(sip)) {
		sdp = local_sdp(c, NULL); /* the ACK carries the answer */
		respond_sdp(c, sdp);
		g_free(sdp);
		return;
	}
	if (!parse_sdp(c->nh, sip, &offer))
		return;
	apply_remote(c, &offer);
	sdp = local_sdp(c, &c->remote);
	respond_sdp(c, sdp);
	g_free(sdp);
	g_info("call %u: re-INVITE, peer %s", c->id, sdp_direction_name(offer.direction));
}

/* The SDP of an ACK (delayed offer) or of a 2xx to our INVITE: an answer. */
static bool take_answer(struct call *c, const sip_t *sip)
{
	struct sdp_media_desc answer;
	char err[SDP_ERROR_MAX];

	if (!has_sdp(sip))
		return c->have_remote;
	if (sdp_media_parse(sip->sip_payload->pl_data, sip->sip_payload->pl_len, &answer, err, sizeof(err)) !=
	    SDP_PARSE_OK) {
		g_warning("call %u: unusable SDP answer: %s", c->id, err);
		return false;
	}
	apply_remote(c, &answer);
	return true;
}

static void on_ready(struct call *c)
{
	if (c->state == CALL_ACTIVE)
		return;
	c->state = CALL_ACTIVE;
	g_info("call %u: active, %s, tone %u Hz", c->id, sdp_codec_name(c->codec), c->tone_hz);
	media_stream_tone_start(c->media, c->tone_hz);
}

static void on_state(struct call *c, tagi_t tags[])
{
	int state = nua_callstate_init;

	tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
	if (state == nua_callstate_ready)
		on_ready(c);
	else if (state == nua_callstate_terminated)
		call_free(c);
}

void call_on_event(struct call *c, nua_event_t event, int status, const char *phrase, const sip_t *sip, tagi_t tags[])
{
	switch (event) {
	case nua_i_invite:
		on_reinvite(c, sip);
		break;
	case nua_i_ack:
		if (!take_answer(c, sip))
			call_hangup(c);
		break;
	case nua_r_invite:
		if (status >= 200 && status < 300 && !take_answer(c, sip))
			call_hangup(c);
		else if (status >= 300)
			g_message("call %u: %s answered %03d %s", c->id, c->remote_uri, status, phrase);
		break;
	case nua_i_bye:
	case nua_i_cancel:
		if (c->answer_timer)
			g_source_remove(c->answer_timer);
		c->answer_timer = 0;
		c->state = CALL_TERMINATING;
		media_stream_tone_stop(c->media);
		break;
	case nua_i_state:
		on_state(c, tags);
		break;
	default:
		break;
	}
}

struct call *call_place(struct daemon *d, const char *uri, unsigned tone_hz, enum sdp_codec codec, GError **err)
{
	struct media_stream *ms;
	nua_handle_t *nh;
	struct call *c;
	char *sdp;

	ms = media_stream_new(d, err);
	if (!ms)
		return NULL;
	nh = nua_handle(sip_nua(d->sip), NULL, SIPTAG_TO_STR(uri), TAG_END());
	if (!nh) {
		g_set_error(err, g_quark_from_static_string("call"), EINVAL, "not a SIP URI: %s", uri);
		media_stream_free(ms);
		return NULL;
	}
	c = call_new(d, nh, true, uri, ms);
	c->tone_hz = tone_hz;
	c->codec = codec;
	c->state = CALL_CALLING;
	sdp = local_sdp(c, NULL);
	nua_invite(nh, SIPTAG_CONTENT_TYPE_STR(SDP_CONTENT_TYPE), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	g_free(sdp);
	g_info("call %u: INVITE to %s", c->id, uri);
	return c;
}

void call_hangup(struct call *c)
{
	if (c->state == CALL_TERMINATING)
		return;
	media_stream_tone_stop(c->media);
	if (c->answer_timer) {
		/* Still ringing: refuse instead of answering. */
		g_source_remove(c->answer_timer);
		c->answer_timer = 0;
		nua_respond(c->nh, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
	} else if (c->state == CALL_CALLING)
		nua_cancel(c->nh, TAG_END());
	else
		nua_bye(c->nh, TAG_END());
	c->state = CALL_TERMINATING;
}

void call_check_timeouts(struct daemon *d)
{
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, d->calls);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct call *c = value;

		if (c->state != CALL_ACTIVE || media_stream_idle_seconds(c->media) < c->d->cfg.rtp_timeout)
			continue;
		g_message("call %u: no RTP for %u s, hanging up", c->id, c->d->cfg.rtp_timeout);
		call_hangup(c);
	}
}

void call_get_info(struct call *c, struct call_info *out)
{
	struct media_stream_stats st;

	memset(out, 0, sizeof(*out));
	media_stream_stats(c->media, &st);
	out->id = c->id;
	out->state = call_state_name(c->state);
	out->outgoing = c->outgoing;
	out->remote_uri = c->remote_uri;
	out->codec = c->have_remote ? sdp_codec_name(c->codec) : "";
	out->media = "tone";
	out->tone_hz = c->tone_hz;
	out->bridged_with = c->bridged_with ? c->bridged_with->id : 0;
	out->room = NULL;
	out->remote_rtp = st.rtp_peer;
	out->latched = st.rtp_latched;
	out->packets_in = st.rx_packets;
	out->packets_out = st.tx_packets;
	out->packets_userspace = st.rx_packets;
	out->age_seconds = (g_get_monotonic_time() - c->started_us) / (double)G_USEC_PER_SEC;
}

bool call_bridge(struct call *a, struct call *b, GError **err)
{
	g_set_error(err, g_quark_from_static_string("call"), ENOSYS, "bridging is not implemented yet");
	return false;
}

bool call_unbridge(struct call *c, GError **err)
{
	g_set_error(err, g_quark_from_static_string("call"), ENOSYS, "bridging is not implemented yet");
	return false;
}

bool call_set_tone(struct call *c, unsigned hz, GError **err)
{
	c->tone_hz = hz;
	media_stream_tone_start(c->media, hz);
	return true;
}
