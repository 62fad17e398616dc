// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Calls: the SIP state machine on top of nua, SDP offer/answer, and what a
 * call's media is connected to once it is up: its tone, a room, the other
 * leg of a B2BUA route, or a call the CLI bridged it with.
 *
 * A B2BUA route is two calls linked by b2bua_peer: the caller's (incoming)
 * and ours to the target (outgoing). The target's provisional and failure
 * responses are relayed to the caller, its 2xx makes us answer the caller,
 * and once both dialogs are up their legs are bridged. Either side's BYE
 * (or the caller's CANCEL) ends the other.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>

#include "call.h"
#include "call_dialog_record.h"
#include "call_log.h"
#include "config/config.h"
#include "config/route.h"
#include "media/media_bridge.h"
#include "room.h"

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

static const char *const kind_names[] = {
	[CALL_KIND_TONE] = "tone",
	[CALL_KIND_ROOM] = "room",
	[CALL_KIND_B2BUA] = "b2bua",
};

const char *call_kind_name(enum call_kind kind)
{
	return kind_names[kind];
}

void call_count_by_kind(const struct call_table *t, guint counts[CALL_KIND_COUNT])
{
	GHashTableIter it;
	gpointer value;

	memset(counts, 0, CALL_KIND_COUNT * sizeof(counts[0]));
	g_hash_table_iter_init(&it, t->calls);
	while (g_hash_table_iter_next(&it, NULL, &value))
		counts[((const struct call *)value)->kind]++;
}

G_DEFINE_QUARK(rtprelay_call_error, call_error)

static enum g711_law codec_law(enum sdp_codec codec)
{
	return codec == SDP_CODEC_PCMA ? G711_ALAW : G711_ULAW;
}

static struct call *call_new(struct call_table *t, nua_handle_t *nh, bool outgoing, const char *remote_uri,
			     const char *sip_call_id, struct media_stream *media)
{
	struct call *c = g_new0(struct call, 1);

	c->id = ++t->next_id;
	c->table = t;
	c->nh = nh;
	c->outgoing = outgoing;
	c->remote_uri = g_strdup(remote_uri);
	c->sip_call_id = g_strdup(sip_call_id);
	c->media = media;
	c->tone_hz = t->cfg->tone_hz;
	c->sdp_session_id = g_get_real_time();
	c->started_us = g_get_monotonic_time();
	t->stats.calls_total++;
	nua_handle_bind(nh, c);
	g_hash_table_insert(t->calls, GUINT_TO_POINTER(c->id), c);
	return c;
}

/*
 * Takes c's media out of its room or bridge; the other leg of a bridge
 * returns to its tone when other_to_tone and it is up.
 */
static void unlink_media(struct call *c, bool other_to_tone)
{
	struct call *other = c->bridged_with;

	if (c->room)
		room_leave(c);
	if (other) {
		media_stream_detach(c->media);
		c->bridged_with = other->bridged_with = NULL;
		if (other_to_tone && other->state == CALL_ACTIVE)
			media_stream_tone_start(other->media, other->tone_hz);
	}
}

/* The call is ending: silence its media, free its bridge partner, end the other leg of its route. */
static void disconnect(struct call *c)
{
	struct call *peer = c->b2bua_peer;

	unlink_media(c, !peer);
	media_stream_detach(c->media);
	if (peer) {
		c->b2bua_peer = peer->b2bua_peer = NULL;
		call_hangup(peer);
	}
}

static void call_free(struct call *c)
{
	call_log(G_LOG_LEVEL_INFO, c, "ended");
	call_dialog_record_remove(c);
	disconnect(c);
	g_hash_table_remove(c->table->calls, GUINT_TO_POINTER(c->id));
	if (c->answer_timer)
		g_source_remove(c->answer_timer);
	g_free(c->room_name);
	media_stream_free(c->media);
	nua_handle_bind(c->nh, NULL);
	nua_handle_destroy(c->nh);
	g_free(c->remote_uri);
	g_free(c->sip_call_id);
	g_free(c);
}

/* Our SDP for this call: the answer to the peer's offer, or our offer. */
static char *local_sdp(struct call *c, const struct sdp_media_desc *offer)
{
	struct sdp_local local = {
		.address = c->table->cfg->media_ip,
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
static bool parse_sdp(struct call_table *t, nua_handle_t *nh, const sip_t *sip, struct sdp_media_desc *out)
{
	char err[SDP_ERROR_MAX];
	enum sdp_parse_result r =
	    sdp_media_parse(sip->sip_payload->pl_data, sip->sip_payload->pl_len, out, err, sizeof(err));

	if (r == SDP_PARSE_OK)
		return true;
	if (r == SDP_PARSE_NO_CODEC) {
		call_table_respond(t, nh, SIP_488_NOT_ACCEPTABLE,
				   SIPTAG_WARNING_STR("304 rtprelay \"PCMU or PCMA required\""), TAG_END());
		return false;
	}
	/* err says "Bad SDP: ..." already. nua keeps the phrase until it sends: give it the handle's lifetime. */
	call_table_respond(t, nh, 400, su_strdup(nua_handle_home(nh), err), TAG_END());
	return false;
}

static bool has_sdp(const sip_t *sip)
{
	return sip && sip->sip_payload && sip->sip_payload->pl_len > 0;
}

/* The body is SDP, or there is none (a Content-Type without a body is no body). */
static bool body_is_sdp(const sip_t *sip)
{
	return !has_sdp(sip) || (sip->sip_content_type && sip->sip_content_type->c_type &&
				 !g_ascii_strcasecmp(sip->sip_content_type->c_type, "application/sdp"));
}

/* The caller takes an SDP answer: no Accept header, or one that lists it. */
static bool accepts_sdp(const sip_t *sip)
{
	const sip_accept_t *ac;

	if (!sip->sip_accept)
		return true;
	for (ac = sip->sip_accept; ac; ac = ac->ac_next) {
		if (ac->ac_type && (!g_ascii_strcasecmp(ac->ac_type, "application/sdp") ||
				    !g_ascii_strcasecmp(ac->ac_type, "application/*") || !strcmp(ac->ac_type, "*/*")))
			return true;
	}
	return false;
}

/* 200 OK with our SDP: the answer to offer, or our offer when there is none. */
static void respond_sdp(struct call *c, const struct sdp_media_desc *offer)
{
	char *sdp = local_sdp(c, offer);

	call_table_respond(c->table, c->nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR(SDP_CONTENT_TYPE),
			   SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	g_free(sdp);
}

/* An INVITE answered: our answer to its offer, or our offer for a delayed offer. */
static void answer(struct call *c)
{
	respond_sdp(c, c->have_remote ? &c->remote : NULL);
	c->state = CALL_ANSWERED;
}

static gboolean on_ring_delay_over(gpointer user)
{
	struct call *c = user;

	c->answer_timer = 0;
	answer(c);
	return G_SOURCE_REMOVE;
}

/* A refusal before any call exists: counted as a failed call. */
static void refuse(struct call_table *t, nua_handle_t *nh, int status, const char *phrase, bool retry)
{
	t->stats.calls_total++;
	t->stats.calls_failed++;
	call_table_respond(t, nh, status, phrase, TAG_IF(retry, SIPTAG_RETRY_AFTER_STR(RETRY_AFTER_SECONDS)),
			   TAG_END());
}

/* Draining: a 503 that says why (Warning, Reason) and when to try again, so a proxy moves on to another relay. */
static void refuse_draining(struct call_table *t, nua_handle_t *nh)
{
	g_autofree char *warning = g_strdup_printf("399 rtprelay \"draining: %s\"", t->cfg->drain.why);

	t->stats.calls_total++;
	t->stats.calls_failed++;
	call_table_respond(t, nh, 503, "Draining", SIPTAG_RETRY_AFTER_STR(RETRY_AFTER_SECONDS),
			   SIPTAG_WARNING_STR(warning), SIPTAG_REASON_STR("SIP;cause=503;text=\"draining\""),
			   TAG_END());
}

/* A body we cannot read, or an answer the caller would not: RFC 3261 21.4.13, 21.4.7 name what we take. */
static void refuse_body(struct call_table *t, nua_handle_t *nh, int status, const char *phrase)
{
	t->stats.calls_total++;
	t->stats.calls_failed++;
	call_table_respond(t, nh, status, phrase, SIPTAG_ACCEPT_STR("application/sdp"), TAG_END());
}

/* The target's leg of a B2BUA route; false (and the caller told why) when it cannot be placed. */
static bool place_b2bua_leg(struct call *caller, const char *target)
{
	GError *err = NULL;
	struct call *out = call_place(caller->table, target, caller->tone_hz, caller->codec, &err);

	if (!out) {
		call_log(G_LOG_LEVEL_WARNING, caller, "cannot call %s: %s", target, err->message);
		g_error_free(err);
		caller->table->stats.calls_failed++;
		call_table_respond(caller->table, caller->nh, 503, "Route target unreachable",
				   SIPTAG_RETRY_AFTER_STR(RETRY_AFTER_SECONDS), TAG_END());
		caller->state = CALL_TERMINATING;
		return false;
	}
	caller->b2bua_peer = out;
	out->kind = CALL_KIND_B2BUA;
	out->b2bua_peer = caller;
	return true;
}

/*
 * Where the INVITE came from, by its top Via (received= when the sender is
 * behind a NAT): the caller's media may come from that address too.
 */
static void signal_source(const sip_t *sip, struct media_stream *ms)
{
	const char *host =
	    sip->sip_via ? (sip->sip_via->v_received ? sip->sip_via->v_received : sip->sip_via->v_host) : NULL;
	struct sockaddr_storage src = { 0 };
	char ip6[INET6_ADDRSTRLEN];
	size_t len;

	if (!host)
		return;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&src)->sin_addr) == 1) {
		src.ss_family = AF_INET;
		media_stream_set_signal_source(ms, &src);
		return;
	}
	/* An IPv6 Via host is bracketed: [2001:db8::1]. */
	len = strlen(host);
	if (len < 3 || len - 2 >= sizeof(ip6) || host[0] != '[' || host[len - 1] != ']')
		return;
	memcpy(ip6, host + 1, len - 2);
	ip6[len - 2] = '\0';
	if (inet_pton(AF_INET6, ip6, &((struct sockaddr_in6 *)&src)->sin6_addr) != 1)
		return;
	src.ss_family = AF_INET6;
	media_stream_set_signal_source(ms, &src);
}

void call_incoming(struct call_table *t, nua_handle_t *nh, const sip_t *sip)
{
	const char *user = sip->sip_request->rq_url->url_user;
	struct sdp_media_desc offer;
	struct media_stream *ms;
	struct route route;
	GError *err = NULL;
	struct call *c;
	char *from;

	if (t->cfg->drain.on) {
		refuse_draining(t, nh);
		return;
	}
	if (call_table_count(t) >= t->cfg->max_calls) {
		refuse(t, nh, 503, "Too many calls", true);
		return;
	}
	switch (route_resolve(t->cfg, user, &route)) {
	case ROUTE_NONE:
		refuse(t, nh, 404, "No route for this user", false);
		return;
	case ROUTE_BAD_TONE:
		refuse(t, nh, 404, "Tone frequency out of range (50-3950 Hz)", false);
		return;
	default:
		break;
	}
	if (!body_is_sdp(sip)) {
		refuse_body(t, nh, SIP_415_UNSUPPORTED_MEDIA);
		return;
	}
	if (!accepts_sdp(sip)) {
		refuse_body(t, nh, SIP_406_NOT_ACCEPTABLE);
		return;
	}
	if (has_sdp(sip) && !parse_sdp(t, nh, sip, &offer)) {
		t->stats.calls_total++;
		t->stats.calls_failed++;
		return;
	}
	ms = media_stream_new(t->media, &err);
	if (!ms) {
		refuse(t, nh, 503, "No free RTP port", true);
		g_warning("refusing call %s: %s", sip->sip_call_id->i_id, err->message);
		g_error_free(err);
		return;
	}
	from = url_as_string(NULL, sip->sip_from->a_url);
	c = call_new(t, nh, false, from, sip->sip_call_id->i_id, ms);
	su_free(NULL, from);
	signal_source(sip, c->media);
	call_dialog_record_invite(c, sip);
	c->tone_hz = route.tone_hz;
	if (has_sdp(sip))
		apply_remote(c, &offer);
	call_log(G_LOG_LEVEL_INFO, c, "INVITE from %s to %s", c->remote_uri, user ? user : "");
	if (route.kind == ROUTE_B2BUA) {
		c->kind = CALL_KIND_B2BUA;
		place_b2bua_leg(c, route.target);
		return; /* the target's responses drive the caller's */
	}
	if (route.kind == ROUTE_ROOM) {
		c->kind = CALL_KIND_ROOM;
		c->room_name = g_strdup(route.room);
	}
	call_table_respond(t, nh, SIP_180_RINGING, TAG_END());
	c->answer_timer = g_timeout_add(t->cfg->answer_delay_ms, on_ring_delay_over, c);
}

/* A re-INVITE: new address, hold or resume take effect at once. */
static void on_reinvite(struct call *c, const sip_t *sip)
{
	struct sdp_media_desc offer;

	if (!has_sdp(sip)) {
		respond_sdp(c, NULL); /* the ACK carries the answer */
		return;
	}
	if (!parse_sdp(c->table, c->nh, sip, &offer))
		return;
	apply_remote(c, &offer);
	respond_sdp(c, &c->remote);
	call_log(G_LOG_LEVEL_INFO, c, "re-INVITE, peer %s", sdp_direction_name(offer.direction));
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
		call_log(G_LOG_LEVEL_WARNING, c, "unusable SDP answer: %s", err);
		return false;
	}
	apply_remote(c, &answer);
	return true;
}

/* Both legs of a bridge (CLI or B2BUA) are up: their media crosses in the datapath. */
static void link_bridge(struct call *a, struct call *b)
{
	a->bridged_with = b;
	b->bridged_with = a;
	media_bridge_connect(a->media, b->media);
	call_log(G_LOG_LEVEL_MESSAGE, a, "bridged with call %u (%s)", b->id,
		 media_mode_name(media_stream_mode(a->media)));
	call_log(G_LOG_LEVEL_MESSAGE, b, "bridged with call %u (%s)", a->id,
		 media_mode_name(media_stream_mode(b->media)));
}

static void on_ready(struct call *c)
{
	if (c->state == CALL_ACTIVE)
		return;
	c->state = CALL_ACTIVE;
	call_log(G_LOG_LEVEL_INFO, c, "active, %s, tone %u Hz", sdp_codec_name(c->codec), c->tone_hz);
	if (c->b2bua_peer) {
		if (c->b2bua_peer->state == CALL_ACTIVE)
			link_bridge(c, c->b2bua_peer);
	} else if (c->room_name) {
		room_join(c->table, c->room_name, c);
	} else {
		media_stream_tone_start(c->media, c->tone_hz);
	}
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

/* The far end refused our INVITE: the caller of a B2BUA leg gets the refusal too. */
static void on_invite_refused(struct call *c, struct call *caller, int status, const char *phrase)
{
	call_log(G_LOG_LEVEL_MESSAGE, c, "%s answered %03d %s", c->remote_uri, status, phrase);
	c->table->stats.calls_failed++;
	c->state = CALL_TERMINATING;
	if (caller) {
		c->table->stats.calls_failed++;
		/* We pass no credentials on: a challenge to us is a refusal for the caller. */
		if (status == 401 || status == 407)
			call_table_respond(caller->table, caller->nh, 403,
					   "Forbidden (the target asks for authentication)", TAG_END());
		else
			call_table_respond(caller->table, caller->nh, status,
					   su_strdup(nua_handle_home(caller->nh), phrase), TAG_END());
		caller->state = CALL_TERMINATING;
	}
	/*
	 * nua keeps a challenged INVITE's handle waiting for nua_authenticate()
	 * and never reports it terminated: we do not authenticate, so it ends here.
	 */
	if (status == 401 || status == 407)
		call_free(c);
}

/* A 2xx we cannot use (no SDP, or one we cannot parse): nua ACKed it, so the dialog ends with BYE. */
static void on_unusable_answer(struct call *c, struct call *caller, int status)
{
	call_log(G_LOG_LEVEL_MESSAGE, c, "%s answered %03d without a usable SDP: hanging up", c->remote_uri, status);
	c->table->stats.calls_failed++;
	if (caller) {
		c->table->stats.calls_failed++;
		call_table_respond(caller->table, caller->nh, 502,
				   "Bad Gateway (the target's answer has no usable SDP)", TAG_END());
		caller->state = CALL_TERMINATING;
	}
	c->state = CALL_ACTIVE;
	call_hangup(c);
}

/* A response to an INVITE we sent; for a B2BUA leg, relayed to the caller. */
static void on_invite_response(struct call *c, int status, const char *phrase, const sip_t *sip)
{
	struct call *caller = c->b2bua_peer && c->b2bua_peer->state == CALL_RINGING ? c->b2bua_peer : NULL;

	if (status < 200) {
		if (caller && status > 100)
			call_table_respond(caller->table, caller->nh, status,
					   su_strdup(nua_handle_home(caller->nh), phrase), TAG_END());
		return;
	}
	if (status >= 300) {
		on_invite_refused(c, caller, status, phrase);
		return;
	}
	if (!take_answer(c, sip)) {
		on_unusable_answer(c, caller, status);
		return;
	}
	call_dialog_record_answered(c, sip);
	if (caller)
		answer(caller); /* the target answered: so do we */
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
		else
			call_dialog_record_acked(c, sip);
		break;
	case nua_r_invite:
		on_invite_response(c, status, phrase, sip);
		break;
	case nua_i_bye:
	case nua_i_cancel:
		if (c->answer_timer)
			g_source_remove(c->answer_timer);
		c->answer_timer = 0;
		c->state = CALL_TERMINATING;
		disconnect(c);
		break;
	case nua_i_state:
		on_state(c, tags);
		break;
	default:
		break;
	}
}

/* Fails with err set: code an errno value, the message naming the problem. */
static bool fail(GError **err, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool fail(GError **err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err)
		*err = g_error_new_valist(CALL_ERROR, code, fmt, ap);
	va_end(ap);
	return false;
}

static bool valid_tone(unsigned hz, GError **err)
{
	if (hz >= RTPRELAY_TONE_HZ_MIN && hz <= RTPRELAY_TONE_HZ_MAX)
		return true;
	return fail(err, ERANGE, "tone frequency %u Hz is out of range (%u-%u Hz)", hz, RTPRELAY_TONE_HZ_MIN,
		    RTPRELAY_TONE_HZ_MAX);
}

/* A sip: or sips: URI with a host, which sofia can send an INVITE to. */
static bool valid_target(const char *uri, GError **err)
{
	url_t *url = url_make(NULL, uri);
	bool ok = url && (url->url_type == url_sip || url->url_type == url_sips) && url->url_host;

	su_free(NULL, url);
	if (!ok)
		return fail(err, EINVAL, "not a sip: or sips: URI with a host: %s", uri);
	return true;
}

struct call *call_place(struct call_table *t, const char *uri, unsigned tone_hz, enum sdp_codec codec, GError **err)
{
	struct media_stream *ms;
	nua_handle_t *nh;
	sip_call_id_t *call_id;
	struct call *c;
	char *sdp;

	if (!valid_target(uri, err) || !valid_tone(tone_hz, err))
		return NULL;
	ms = media_stream_new(t->media, err);
	if (!ms)
		return NULL;
	/* Our Call-ID, made here so that the call's log lines name it from the first. */
	call_id = sip_call_id_create(NULL, NULL);
	nh = nua_handle(t->nua, NULL, SIPTAG_TO_STR(uri), SIPTAG_CALL_ID(call_id), TAG_END());
	if (!nh) {
		su_free(NULL, call_id);
		fail(err, EINVAL, "sofia-sip cannot create a call to %s", uri);
		media_stream_free(ms);
		return NULL;
	}
	c = call_new(t, nh, true, uri, call_id->i_id, ms);
	su_free(NULL, call_id);
	c->tone_hz = tone_hz;
	c->codec = codec;
	c->state = CALL_CALLING;
	sdp = local_sdp(c, NULL);
	nua_invite(nh, SIPTAG_CONTENT_TYPE_STR(SDP_CONTENT_TYPE), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	g_free(sdp);
	call_log(G_LOG_LEVEL_INFO, c, "INVITE to %s", uri);
	return c;
}

void call_hangup(struct call *c)
{
	if (c->state == CALL_TERMINATING)
		return;
	if (c->answer_timer) {
		g_source_remove(c->answer_timer);
		c->answer_timer = 0;
	}
	if (c->state == CALL_RINGING)
		call_table_respond(c->table, c->nh, SIP_480_TEMPORARILY_UNAVAILABLE,
				   TAG_END()); /* refuse instead of answering */
	else if (c->state == CALL_CALLING)
		nua_cancel(c->nh, TAG_END());
	else
		nua_bye(c->nh, TAG_END());
	c->state = CALL_TERMINATING;
	disconnect(c);
}

guint call_hangup_all(struct call_table *t)
{
	GList *calls = g_hash_table_get_values(t->calls);
	guint n = g_list_length(calls);

	for (GList *l = calls; l; l = l->next)
		call_hangup(l->data);
	g_list_free(calls);
	return n;
}

void call_check_timeouts(struct call_table *t)
{
	unsigned timeout = t->cfg->rtp_timeout;
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, t->calls);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct call *c = value;

		if (c->state != CALL_ACTIVE || media_stream_idle_seconds(c->media) < timeout)
			continue;
		call_log(G_LOG_LEVEL_MESSAGE, c, "no RTP for %u s, hanging up", timeout);
		call_hangup(c);
	}
}

void call_get_info(struct call *c, struct call_info *out)
{
	memset(out, 0, sizeof(*out));
	out->id = c->id;
	out->state = call_state_name(c->state);
	out->outgoing = c->outgoing;
	out->remote_uri = c->remote_uri;
	out->codec = c->have_remote ? sdp_codec_name(c->codec) : "";
	out->tone_hz = c->tone_hz;
	out->bridged_with = c->bridged_with ? c->bridged_with->id : 0;
	out->room = c->room ? room_name(c->room) : NULL;
	media_stream_leg_info(c->media, &out->leg);
	out->age_seconds = (g_get_monotonic_time() - c->started_us) / (double)G_USEC_PER_SEC;
}

static bool require_active(struct call *c, GError **err)
{
	if (c->state == CALL_ACTIVE)
		return true;
	return fail(err, EAGAIN, "call %u is %s, not active", c->id, call_state_name(c->state));
}

bool call_bridge(struct call *a, struct call *b, GError **err)
{
	if (a == b)
		return fail(err, EINVAL, "cannot bridge call %u with itself", a->id);
	if (!require_active(a, err) || !require_active(b, err))
		return false;
	if (a->bridged_with == b)
		return true;
	unlink_media(a, true);
	unlink_media(b, true);
	link_bridge(a, b);
	return true;
}

bool call_unbridge(struct call *c, GError **err)
{
	if (!c->room && !c->bridged_with)
		return fail(err, EINVAL, "call %u is not bridged and not in a room", c->id);
	unlink_media(c, true);
	if (c->state == CALL_ACTIVE)
		media_stream_tone_start(c->media, c->tone_hz);
	return true;
}

bool call_set_tone(struct call *c, unsigned hz, GError **err)
{
	if (!valid_tone(hz, err))
		return false;
	c->tone_hz = hz;
	if (media_stream_mode(c->media) == MEDIA_TONE)
		media_stream_tone_start(c->media, hz);
	return true;
}
