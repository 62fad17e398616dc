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

#include "config/config.h"
#include "lib/bencode.h"

struct daemon;
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
struct ng_calls *ng_calls_new(const struct config *cfg, struct daemon *media);
/* Ends every call, returning its ports and removing its flows. */
void ng_calls_free(struct ng_calls *calls);

void ng_calls_stats(const struct ng_calls *calls, struct ng_calls_stats *out);
/* Up to max call-ids, appended to list as strings. */
void ng_calls_list(const struct ng_calls *calls, unsigned int max, struct bencode_doc *doc, struct bencode_value *list);

#endif
