/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A call: one SIP dialog (incoming or placed by us) and its media leg.
 * The nua handle is bound to the call, so every sofia event for the dialog
 * arrives at call_on_event().
 */
#ifndef RTPRELAY_CALL_H
#define RTPRELAY_CALL_H

#include <sofia-sip/nua.h>

#include "call_table.h"
#include "media/media_stream.h"
#include "sdp/sdp_offer_answer.h"

/* The errors of call_place(), call_bridge(), call_unbridge(), call_set_tone(): codes are errno values. */
#define CALL_ERROR (call_error_quark())
GQuark call_error_quark(void);

enum call_state {
	CALL_RINGING,	  /* incoming, answer not yet sent */
	CALL_ANSWERED,	  /* 200 sent, waiting for the ACK */
	CALL_CALLING,	  /* outgoing INVITE sent */
	CALL_ACTIVE,	  /* media flows */
	CALL_TERMINATING, /* BYE sent or received */
};

/* What a call was set up for: its route, or how we placed it. */
enum call_kind {
	CALL_KIND_TONE,	 /* routed to a tone, or placed from the CLI */
	CALL_KIND_ROOM,	 /* routed to a room */
	CALL_KIND_B2BUA, /* either dialog of a B2BUA route */
	CALL_KIND_COUNT,
};

struct call_record;

struct call {
	guint id;
	struct call_table *table; /* the one it is in */
	nua_handle_t *nh;
	bool outgoing;
	enum call_state state;
	enum call_kind kind;
	char *remote_uri;
	char *sip_call_id; /* the Call-ID of its dialog */
	struct media_stream *media;
	struct sdp_media_desc remote; /* the peer's last SDP */
	bool have_remote;
	enum sdp_codec codec; /* negotiated: PCMU or PCMA */
	unsigned tone_hz;
	uint64_t sdp_session_id;
	uint64_t sdp_version; /* of our SDP, +1 on each new one */
	gint64 started_us;
	guint answer_timer;	   /* GLib source of the pending 200 OK, 0 when none */
	struct call *bridged_with; /* the other leg of a two-party bridge, NULL if none */
	struct room *room;	   /* the conference room the call is in, NULL if none */
	struct call *b2bua_peer;   /* the other dialog of a B2BUA route, NULL if none */
	char *room_name;	   /* routed to room-<name>: joins it when up */

	/* Its dialog's durable record (call_dialog_record.c), NULL if none; written at record_id (0: not yet). */
	struct call_record *record;
	uint64_t record_id;
};

/* What `rtprelayctl calls` shows of one call. */
struct call_info {
	guint id;
	const char *state;	   /* call_state_name() */
	bool outgoing;		   /* placed by us (CLI or B2BUA route) */
	const char *remote_uri;	   /* the peer: From of an incoming call, the target of an outgoing one */
	const char *codec;	   /* "PCMU", "PCMA", or "" before the peer's SDP */
	unsigned tone_hz;	   /* the call's tone (played when media is "tone") */
	guint bridged_with;	   /* id of the other leg of a bridge, 0 if none */
	const char *room;	   /* the room's name, NULL if none */
	struct media_leg_info leg; /* its media: mode, addresses, packets */
	double age_seconds;
};

/* An incoming INVITE without a bound call: route it, answer or refuse it. */
void call_incoming(struct call_table *t, nua_handle_t *nh, const sip_t *sip);
/* Sofia events of a bound call (re-INVITE, ACK, BYE, state, responses). */
void call_on_event(struct call *c, nua_event_t event, int status, const char *phrase, const sip_t *sip, tagi_t tags[]);
/*
 * Place a call to uri (sip: or sips:) playing a tone; NULL with err set on
 * failure (CALL_ERROR with EINVAL or ERANGE, MEDIA_STREAM_ERROR), the
 * message naming the problem.
 */
struct call *call_place(struct call_table *t, const char *uri, unsigned tone_hz, enum sdp_codec codec, GError **err);
/* Send BYE (or CANCEL) and let the state change free the call. */
void call_hangup(struct call *c);
/* call_hangup() every call; how many there were. */
guint call_hangup_all(struct call_table *t);
/* Fill out (strings stay valid until the call changes or ends: copy them before returning to the loop). */
void call_get_info(struct call *c, struct call_info *out);
/*
 * Explicit control (rtprelayctl): bridge two active calls (each leaves its
 * room or bridge first), unbridge a call (both legs return to their tones),
 * change a call's tone. false with err set (CALL_ERROR: EINVAL, EAGAIN for a
 * call not active, ERANGE for a tone out of range; a message naming the problem).
 */
bool call_bridge(struct call *a, struct call *b, GError **err);
bool call_unbridge(struct call *c, GError **err);
bool call_set_tone(struct call *c, unsigned hz, GError **err);
const char *call_state_name(enum call_state state);
const char *call_kind_name(enum call_kind kind);
/* How many of t's calls are of each kind. */
void call_count_by_kind(const struct call_table *t, guint counts[CALL_KIND_COUNT]);
/* Ends calls whose peer sent no RTP for rtp-timeout seconds (called every second). */
void call_check_timeouts(struct call_table *t);

#endif
