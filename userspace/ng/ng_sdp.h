/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The SDP of an ng offer or answer, parsed with sofia-sip, read for where
 * each m= line's peer wants media, and printed again with the relay in the
 * peer's place: each m= line's port becomes the relay port given for it,
 * every c= line the relay's address (a hold address 0.0.0.0 or :: stays),
 * a=rtcp the relay's RTCP port. On request the o= line takes the relay's
 * address and ICE attributes go. Port-0 m= lines stay at port 0, and
 * everything else (codecs, fmtp, direction, other attributes) is printed
 * as it came: direction attributes are parsed as plain attributes
 * (sdp_f_mode_manual) and static rtpmaps are neither dropped nor added.
 */
#ifndef RTPRELAY_NG_SDP_H
#define RTPRELAY_NG_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NG_SDP_MAX_STREAMS 16 /* m= lines of one SDP */
#define NG_SDP_ERROR_MAX   160

struct ng_sdp;

/* Where one m= line's peer wants its media. */
struct ng_sdp_stream {
	bool disabled;		     /* port 0: no relay leg, stays port 0 */
	struct sockaddr_storage rtp; /* address and RTP port */
	uint16_t rtp_port;
	uint16_t rtcp_port; /* a=rtcp, else RTP port + 1 (RTP port with rtcp-mux) */
	bool rtcp_mux;	    /* a=rtcp-mux */
	bool hold;	    /* c=0.0.0.0 or c=:: (RFC 2543 hold) */
	bool receives;	    /* not sendonly or inactive, and not hold */
	char type[16];	    /* "audio", "video", ... */
};

enum ng_sdp_flags {
	NG_SDP_REPLACE_ORIGIN = 1 << 0, /* o= gets the relay's address */
	NG_SDP_ICE_REMOVE = 1 << 1,	/* drop candidates and every a=ice-* */
};

struct ng_sdp_relay {
	const char *address;   /* the relay's media address, an IP literal */
	const uint16_t *ports; /* per m= line: the relay's RTP port (RTCP on port + 1) */
	unsigned int flags;    /* enum ng_sdp_flags */
};

/* NULL with err set when data is not an SDP the relay can take. */
struct ng_sdp *ng_sdp_parse(const char *data, size_t len, char *err, size_t err_size);
void ng_sdp_free(struct ng_sdp *sdp);

unsigned int ng_sdp_stream_count(const struct ng_sdp *sdp);
/* False with err set when the m= line has no usable address. */
bool ng_sdp_stream(const struct ng_sdp *sdp, unsigned int i, struct ng_sdp_stream *out, char *err, size_t err_size);
/* The SDP with the relay in the peer's place (g_free), or NULL with err set. */
char *ng_sdp_rewrite(struct ng_sdp *sdp, const struct ng_sdp_relay *relay, char *err, size_t err_size);

#endif
