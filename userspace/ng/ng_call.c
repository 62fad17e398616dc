// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ng_call.h"

struct ng_call {
	char *call_id;
};

struct ng_calls {
	const struct config *cfg;
	struct daemon *media;
	GHashTable *by_id; /* call-id (char *, the call's) -> struct ng_call * */
	struct ng_calls_stats stats;
	gint64 started_us;
};

static void call_free(struct ng_call *c)
{
	g_free(c->call_id);
	g_free(c);
}

struct ng_calls *ng_calls_new(const struct config *cfg, struct daemon *media)
{
	struct ng_calls *calls = g_new0(struct ng_calls, 1);

	calls->cfg = cfg;
	calls->media = media;
	calls->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)call_free);
	calls->started_us = g_get_monotonic_time();
	return calls;
}

void ng_calls_free(struct ng_calls *calls)
{
	if (!calls)
		return;
	g_hash_table_destroy(calls->by_id);
	g_free(calls);
}

void ng_calls_stats(const struct ng_calls *calls, struct ng_calls_stats *out)
{
	*out = calls->stats;
	out->current = g_hash_table_size(calls->by_id);
	out->uptime_s = (g_get_monotonic_time() - calls->started_us) / G_USEC_PER_SEC;
}

void ng_calls_list(const struct ng_calls *calls, unsigned int max, struct bencode_doc *doc, struct bencode_value *list)
{
	GHashTableIter it;
	gpointer id;

	g_hash_table_iter_init(&it, calls->by_id);
	while (max-- && g_hash_table_iter_next(&it, &id, NULL))
		bencode_list_add(list, bencode_new_str(doc, id));
}
