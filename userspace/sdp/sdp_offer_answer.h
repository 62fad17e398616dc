/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SDP offer/answer (RFC 3264) for one audio stream, on top of sofia-sip's
 * SDP parser and printer.
 *
 * sdp_media_parse() reads a remote offer or answer into a plain struct:
 * where to send, which of our payloads it lists (in its order), the
 * direction. sdp_answer_build() and sdp_offer_build() write our side.
 */
#ifndef RTPRELAY_SDP_OFFER_ANSWER_H
#define RTPRELAY_SDP_OFFER_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define SDP_PT_PCMU	       0 /* static payload types (RFC 3551) */
#define SDP_PT_PCMA	       8
#define SDP_TELEPHONE_EVENT_PT 101 /* what our offers use */
#define SDP_PTIME_MS	       20
#define SDP_MAX_PAYLOADS       3   /* one each of PCMU, PCMA, telephone-event */
#define SDP_MAX_MEDIA	       8   /* m= lines remembered to reject in the answer */
#define SDP_ERROR_MAX	       160 /* room for a reason phrase */

/* Zero is sendrecv, so a zeroed struct asks for a normal two-way call. */
enum sdp_direction {
	SDP_SENDRECV = 0,
	SDP_SENDONLY,
	SDP_RECVONLY,
	SDP_INACTIVE,
};

enum sdp_codec {
	SDP_CODEC_PCMU = 0,
	SDP_CODEC_PCMA,
	SDP_CODEC_TELEPHONE_EVENT,
};

struct sdp_payload {
	enum sdp_codec codec;
	uint8_t pt;
	char fmtp[64]; /* "" when absent; telephone-event's event list */
};

/* An m= line that is not the audio stream we use: answered with port 0. */
struct sdp_other_media {
	char type[16];	 /* "video", "audio", ... */
	char proto[24];	 /* "RTP/AVP", "RTP/SAVP", ... */
	char format[16]; /* the first format it listed */
};

struct sdp_media_desc {
	uint64_t session_id; /* o= line: a changed version is a changed SDP */
	uint64_t session_version;

	char address[INET6_ADDRSTRLEN];	  /* connection address as written */
	struct sockaddr_storage rtp_addr; /* address and RTP port */
	uint16_t rtp_port;
	uint16_t rtcp_port; /* a=rtcp (RFC 3605); 0 when absent: use rtp_port + 1 */

	struct sdp_payload payloads[SDP_MAX_PAYLOADS]; /* in the remote's order */
	unsigned payload_count;
	unsigned ptime; /* ms; 0 when absent */

	enum sdp_direction direction; /* what the remote does */
	bool hold_0000;		      /* c=0.0.0.0 (RFC 2543 hold): the remote receives nothing */

	unsigned audio_index;			     /* which m= line is the audio stream */
	unsigned media_count;			     /* m= lines in all, up to SDP_MAX_MEDIA */
	struct sdp_other_media media[SDP_MAX_MEDIA]; /* indexed like the m= lines */
};

enum sdp_parse_result {
	SDP_PARSE_OK = 0,
	SDP_PARSE_BAD = -1,	 /* unparseable or unusable: 400 with err as reason */
	SDP_PARSE_NO_CODEC = -2, /* valid, but neither PCMU nor PCMA: 488 */
};

/*
 * Parses len bytes of SDP (need not be NUL-terminated). On failure err
 * holds a reason phrase such as "Bad SDP: no audio m= line".
 */
enum sdp_parse_result sdp_media_parse(const char *data, size_t len, struct sdp_media_desc *out, char *err,
				      size_t err_size);

/* The first PCMU/PCMA payload (the one to send), or NULL. */
const struct sdp_payload *sdp_media_desc_first_codec(const struct sdp_media_desc *d);
/* The payload for codec, or NULL if the description does not list it. */
const struct sdp_payload *sdp_media_desc_find(const struct sdp_media_desc *d, enum sdp_codec codec);

/* Our side of a session. The caller increments session_version per SDP. */
struct sdp_local {
	const char *address; /* media IP literal, IPv4 or IPv6 */
	uint16_t rtp_port;
	uint64_t session_id;
	uint64_t session_version;
	enum sdp_direction direction; /* what we want; sendrecv normally */
	enum sdp_codec preferred;     /* offers only: PCMU or PCMA first */
};

/*
 * The answer to offer: the offer's payloads that we support in its order
 * (telephone-event with its PT and fmtp), ptime 20, the offer's direction
 * mirrored and limited by local->direction, other m= lines rejected.
 * Returns a g_malloc'd string, or NULL if the offer has no common codec or
 * local->address is not an IP literal.
 */
char *sdp_answer_build(const struct sdp_media_desc *offer, const struct sdp_local *local);
/* Our offer: PCMU and PCMA (preferred first), telephone-event/8000 as 101. */
char *sdp_offer_build(const struct sdp_local *local);

/* sendonly <-> recvonly; sendrecv and inactive stay. */
enum sdp_direction sdp_direction_mirror(enum sdp_direction d);
bool sdp_direction_sends(enum sdp_direction d);
bool sdp_direction_receives(enum sdp_direction d);
const char *sdp_direction_name(enum sdp_direction d);
const char *sdp_codec_name(enum sdp_codec codec);

#endif /* RTPRELAY_SDP_OFFER_ANSWER_H */
