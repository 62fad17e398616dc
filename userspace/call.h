/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A call: one SIP dialog (incoming or placed by us) and its media leg.
 * The nua handle is bound to the call, so every sofia event for the dialog
 * arrives at call_on_event().
 */
#ifndef RTPRELAY_CALL_H
#define RTPRELAY_CALL_H

#include <sofia-sip/nua.h>

#include "daemon.h"
#include "media_stream.h"
#include "sdp_offer_answer.h"

enum call_state {
	CALL_RINGING,	  /* incoming, answer not yet sent */
	CALL_ANSWERED,	  /* 200 sent, waiting for the ACK */
	CALL_CALLING,	  /* outgoing INVITE sent */
	CALL_ACTIVE,	  /* media flows */
	CALL_TERMINATING, /* BYE sent or received */
};

struct call {
	guint id;
	struct daemon *d;
	nua_handle_t *nh;
	bool outgoing;
	enum call_state state;
	char *remote_uri;
	struct media_stream *media;
	struct sdp_media_desc remote; /* the peer's last SDP */
	bool have_remote;
	enum sdp_codec codec; /* negotiated: PCMU or PCMA */
	unsigned tone_hz;
	uint64_t sdp_session_id;
	uint64_t sdp_version; /* of our SDP, +1 on each new one */
	gint64 started_us;
	guint answer_timer; /* GLib source of the pending 200 OK, 0 when none */
};

/* An incoming INVITE without a bound call: route it, answer or refuse it. */
void call_incoming(struct daemon *d, nua_handle_t *nh, const sip_t *sip);
/* Sofia events of a bound call (re-INVITE, ACK, BYE, state, responses). */
void call_on_event(struct call *c, nua_event_t event, int status, const char *phrase, const sip_t *sip, tagi_t tags[]);
/* Place a call to uri playing a tone; NULL with err set on failure. */
struct call *call_place(struct daemon *d, const char *uri, unsigned tone_hz, enum sdp_codec codec, GError **err);
/* Send BYE (or CANCEL) and let the state change free the call. */
void call_hangup(struct call *c);
struct call *call_find(struct daemon *d, guint id);
const char *call_state_name(enum call_state state);
/* Ends calls whose peer sent no RTP for rtp-timeout seconds (called every second). */
void call_check_timeouts(struct daemon *d);

#endif
