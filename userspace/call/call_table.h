/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The call layer's state: every call by id, every room by name, the totals
 * `rtprelayctl stats` shows, and what calls act through: the configuration,
 * the environment of their media legs and the SIP stack's nua. call.c and
 * room.c add and remove the entries; the layers above read them.
 */
#ifndef RTPRELAY_CALL_TABLE_H
#define RTPRELAY_CALL_TABLE_H

#include <stdint.h>
#include <glib.h>
#include <sofia-sip/nua.h>

struct call;
struct config;
struct media_env;

/* sip_responses[1] to [6]: 1xx to 6xx; [0] unused. */
#define CALL_SIP_RESPONSE_CLASSES 7

/* Totals since start. */
struct call_stats {
	uint64_t calls_total;  /* incoming INVITEs and calls we placed */
	uint64_t calls_failed; /* refused, or answered with a failure by the far end */
	/* every SIP response sent (ours, sofia-sip's own, retransmissions), by class: [2] is 2xx */
	uint64_t sip_responses[CALL_SIP_RESPONSE_CLASSES];
};

struct call_table {
	const struct config *cfg;
	const struct media_env *media; /* what every call's leg is made with */
	nua_t *nua;		       /* the SIP stack's (sip_start()); NULL while there is none */
	GHashTable *calls;	       /* call id (guint) -> struct call * */
	guint next_id;
	GHashTable *rooms; /* room name (char *) -> struct room * */
	struct call_stats stats;
};

/* An empty table; cfg and media must outlive it. */
void call_table_init(struct call_table *t, const struct config *cfg, const struct media_env *media);
/* Frees the tables; the calls (and so the rooms) must be gone. */
void call_table_clear(struct call_table *t);
/* The call with this id, NULL if none. */
struct call *call_table_find(const struct call_table *t, guint id);
guint call_table_count(const struct call_table *t);
/* The id of every call in the order they began (ascending); g_list_free() it. */
GList *call_table_ids(const struct call_table *t);
/* nua_respond(): how the daemon answers every request it answers itself. */
void call_table_respond(struct call_table *t, nua_handle_t *nh, int status, const char *phrase, tag_type_t tag,
			tag_value_t value, ...);
/* Adds responses sent on the wire (sip/sip_sent_responses.c counts them) to t->stats.sip_responses. */
void call_table_count_responses(struct call_table *t, const uint64_t by_class[CALL_SIP_RESPONSE_CLASSES]);

#endif
