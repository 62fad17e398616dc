/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The calls the ng protocol set up, by call-id. Each has two sides, one
 * per tag: the side that sent the first offer (its from-tag) and the other
 * (the to-tag of the answer). Each m= line with a non-zero port gets a
 * relay leg (struct media_stream: an RTP/RTCP port pair from the pool) on
 * each side, the two bridged so that the datapath forwards between them:
 * a side's peer sends to its own leg, and the SDP it receives names the
 * other side's leg. A call ends on delete, after --rtp-timeout seconds
 * without media from any peer, or when the server stops.
 */
#ifndef RTPRELAY_NG_CALL_H
#define RTPRELAY_NG_CALL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include <sys/socket.h>

#include "config/config.h"
#include "lib/bencode.h"
#include "media/media_stream.h"
#include "ng_sdp.h"

struct media_env;
struct ng_calls;

/* What ng statistics reports. */
struct ng_calls_stats {
	unsigned int current;
	uint64_t created;
	uint64_t deleted;   /* by a delete command */
	uint64_t timed_out; /* no media for --rtp-timeout */
	gint64 uptime_s;
};

/* media: whatever media_stream_new() takes to allocate legs. */
struct ng_calls *ng_calls_new(const struct config *cfg, const struct media_env *media);
/* Ends every call, returning its ports and removing its flows. */
void ng_calls_free(struct ng_calls *calls);

/* Whether a side's legs learn their peer's source (symmetric, the default) or keep to its SDP's address. */
enum ng_symmetry {
	NG_SYMMETRY_UNCHANGED, /* neither flag: as the side was (symmetric for a new side) */
	NG_SYMMETRIC,
	NG_ASYMMETRIC,
};

/* What an offer or answer asks for. */
struct ng_signal {
	const char *call_id;
	const char *from_tag;
	const char *to_tag; /* NULL when absent; required in an answer */
	const char *label;  /* the signalling side's label, shown in query and rtprelayctl; NULL when absent */
	/* direction: the named media addresses (config.h) of the signalling side and the other; NULL: media-ip */
	const char *direction[2];
	enum ng_symmetry symmetry; /* of the signalling side's peer */
	const char *sdp;
	size_t sdp_len;
	unsigned int sdp_flags; /* enum ng_sdp_flags */
	/* received-from: where the proxy got this SDP's SIP from (port 0); AF_UNSPEC when not given */
	struct sockaddr_storage received_from;
};

/*
 * An offer from the side of from_tag: creates the call or updates it (a
 * re-offer from either side keeps the ports). Returns the SDP for the
 * other side (g_free), or NULL with err set and the call as it was for
 * errors found before any port was taken. *refused is whether the NULL
 * is a new call refused while draining or at max-calls (err: "draining:
 * ...", "too many calls (max-calls N)"), which another relay may take.
 */
char *ng_call_offer(struct ng_calls *calls, const struct ng_signal *sig, bool *refused, char *err, size_t err_size);
/* The answer of to_tag's side to from_tag's offer: the SDP for the offerer. */
char *ng_call_answer(struct ng_calls *calls, const struct ng_signal *sig, char *err, size_t err_size);
/* Ends the call: false if there is none. */
bool ng_call_delete(struct ng_calls *calls, const char *call_id);
/* Fills reply with the call's tags, streams and packet counts; false if there is no such call. */
bool ng_call_query(struct ng_calls *calls, const char *call_id, struct bencode_doc *doc, struct bencode_value *reply);
/* Ends the calls whose peers have all sent nothing for --rtp-timeout seconds. */
void ng_calls_expire(struct ng_calls *calls);

void ng_calls_stats(const struct ng_calls *calls, struct ng_calls_stats *out);
/*
 * Up to max call-ids, appended to list as strings; for those whose sides
 * have labels, labels[call-id] = {tag: label}.
 */
void ng_calls_list(const struct ng_calls *calls, unsigned int max, struct bencode_doc *doc, struct bencode_value *list,
		   struct bencode_value *labels);

/* One relay leg of an ng call, as rtprelayctl lists it: where the peer of side `tag` sends for m= line `index`. */
struct ng_leg_info {
	const char *call_id;
	const char *from_tag; /* the first offer's */
	const char *to_tag;   /* the answer's; NULL before it */
	const char *tag;      /* the side whose peer sends to this leg */
	const char *label;    /* that side's label; NULL when it has none */
	unsigned int index;   /* the m= line, from 1 */
	const char *type;     /* its media type: "audio", "video", ... */
	bool answered;
	struct media_leg_info leg; /* its media as for a SIP call's leg ("bridge" once both sides' legs are) */
	double age_seconds;
};

/* Every leg of every call, the calls in the order they were created, each side's legs in m= line order. */
void ng_calls_foreach_leg(const struct ng_calls *calls, void (*fn)(const struct ng_leg_info *leg, void *user),
			  void *user);

#endif
