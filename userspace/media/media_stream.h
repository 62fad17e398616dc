/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One call leg's media on the relay: an RTP/RTCP socket pair on an even port
 * of the pool, the peer's SDP address and the address it latched to, and the
 * tone (PCMU/PCMA RTP every 20 ms plus RTCP sender reports) played to it
 * while the leg is not bridged. Received packets go through the datapath
 * first; what it passes is latched and counted here.
 */
#ifndef RTPRELAY_MEDIA_STREAM_H
#define RTPRELAY_MEDIA_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <glib.h>

#include "lib/g711.h"
#include "sdp/sdp_offer_answer.h"

struct config_media_address;
struct media_env;
struct media_stream;

/* media_stream_new()'s errors; their codes are errno values (ENOSPC, EADDRINUSE). */
#define MEDIA_STREAM_ERROR (media_stream_error_quark())
GQuark media_stream_error_quark(void);

/* What a leg's media does. */
enum media_mode {
	MEDIA_IDLE,	 /* nothing is sent to the peer */
	MEDIA_TONE,	 /* the daemon plays a tone */
	MEDIA_BRIDGE,	 /* the datapath forwards RTP and RTCP to and from the partner leg */
	MEDIA_TRANSCODE, /* as BRIDGE, but the codecs differ: the daemon re-encodes RTP */
	MEDIA_MIX,	 /* the daemon plays the sum of the other mixer members */
};

/*
 * Takes a port pair from env's pool and binds both sockets; NULL with err
 * set when none is free. env must outlive the leg.
 */
struct media_stream *media_stream_new(const struct media_env *env, GError **err);
/* The same at a named media address (config.h); address NULL: the media address. */
struct media_stream *media_stream_new_on(const struct media_env *env, const struct config_media_address *address,
					 GError **err);
/*
 * The leg of a call taken over after a restart, on the port it had, at a
 * named media address or (NULL) the media address: that port must be free
 * in the pool (adopted_flows_claim() frees an adopted one). NULL with err
 * set (EBUSY, EINVAL: not in the pool; EADDRINUSE).
 */
struct media_stream *media_stream_new_at(const struct media_env *env, const struct config_media_address *address,
					 uint16_t port, GError **err);
/*
 * After media_stream_set_remote() of a leg made by media_stream_new_at():
 * where the flows an earlier run left on its ports are latched, the leg is
 * latched to the same peers, so that bridging it rewrites them unchanged.
 */
void media_stream_resume_latching(struct media_stream *ms);
/* Stops the tone (RTCP BYE), unregisters and closes the sockets, returns the port. */
void media_stream_free(struct media_stream *ms);

uint16_t media_stream_port(const struct media_stream *ms);
/* The relay's address and port of the leg's RTP socket. */
void media_stream_local_rtp(const struct media_stream *ms, struct sockaddr_storage *out);
enum media_mode media_stream_mode(const struct media_stream *ms);
/* The peer's SDP: address and port (unlatches if they changed), codec, direction. */
void media_stream_set_remote(struct media_stream *ms, const struct sdp_media_desc *remote, enum g711_law law);
/*
 * Asymmetric: the leg does not learn its peer's source; from its next SDP on
 * it is latched to the SDP's address (packets from there are forwarded,
 * from elsewhere dropped, and media goes there). Off again: it learns anew.
 */
void media_stream_set_asymmetric(struct media_stream *ms, bool asymmetric);
/* Where the peer's signalling came from: its media may come from that address too (endpoint learning). */
void media_stream_set_signal_source(struct media_stream *ms, const struct sockaddr_storage *src);
/* Play a tone (restarts with a marker bit if one was playing; leaves a bridge or mix first). */
void media_stream_tone_start(struct media_stream *ms, unsigned hz);
/* Leaves the tone (RTCP BYE), bridge (the partner goes idle too) or mix: MEDIA_IDLE. */
void media_stream_detach(struct media_stream *ms);
const char *media_mode_name(enum media_mode mode);
/* Seconds since the last packet from the peer (or since the stream started). */
double media_stream_idle_seconds(const struct media_stream *ms);

/*
 * A leg's media and its packets, as rtprelayctl calls and ng query show
 * them, a SIP call's leg or an ng call's alike. A packet from another
 * source than the peer's is counted in wrong_source alone, never in
 * packets_in, wherever it was dropped (by the daemon before its leg
 * latched, by the flows after): packets_in is then the peer's media that
 * the relay took, which an operator compares with what the peer sent or
 * the other leg's packets_out to find loss, and a stranger's flood shows
 * as a growing wrong_source, not as media of the call.
 */
struct media_leg_info {
	const char *media;		    /* media_mode_name(): "tone", "bridge", "transcode", "mix", "none" */
	struct sockaddr_storage local_rtp;  /* the relay's RTP address for this leg */
	struct sockaddr_storage remote_rtp; /* latched, else from SDP; AF_UNSPEC before the SDP */
	bool latched;
	uint64_t packets_in;	    /* RTP+RTCP taken from the peer: by the daemon + forwarded by the datapath */
	uint64_t packets_out;	    /* RTP+RTCP to the peer: sent by the daemon + forwarded by the datapath */
	uint64_t packets_userspace; /* of packets_in, those that the daemon's sockets took */
	uint64_t wrong_source;	    /* dropped, from another source than the peer's (daemon and flows) */
};
void media_stream_leg_info(const struct media_stream *ms, struct media_leg_info *out);

#endif
