// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <sofia-sip/su_tagarg.h>

#include "call_table.h"

void call_table_init(struct call_table *t, const struct config *cfg, const struct media_env *media)
{
	*t = (struct call_table){
		.cfg = cfg,
		.media = media,
		.calls = g_hash_table_new(g_direct_hash, g_direct_equal),
		.rooms = g_hash_table_new(g_str_hash, g_str_equal),
	};
}

void call_table_clear(struct call_table *t)
{
	if (t->calls)
		g_hash_table_destroy(t->calls);
	if (t->rooms)
		g_hash_table_destroy(t->rooms);
	t->calls = t->rooms = NULL;
}

struct call *call_table_find(const struct call_table *t, guint id)
{
	return g_hash_table_lookup(t->calls, GUINT_TO_POINTER(id));
}

guint call_table_count(const struct call_table *t)
{
	return g_hash_table_size(t->calls);
}

static gint by_id(gconstpointer a, gconstpointer b)
{
	guint x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);

	return x < y ? -1 : x > y;
}

GList *call_table_ids(const struct call_table *t)
{
	return g_list_sort(g_hash_table_get_keys(t->calls), by_id);
}

void call_table_respond(struct call_table *t, nua_handle_t *nh, int status, const char *phrase, tag_type_t tag,
			tag_value_t value, ...)
{
	ta_list ta;

	ta_start(ta, tag, value);
	nua_respond(nh, status, phrase, ta_tags(ta));
	(void)ta_end(ta); /* the macro evaluates to 0 */
}

void call_table_count_responses(struct call_table *t, const uint64_t by_class[CALL_SIP_RESPONSE_CLASSES])
{
	for (int c = 1; c < CALL_SIP_RESPONSE_CLASSES; c++)
		t->stats.sip_responses[c] += by_class[c];
}
