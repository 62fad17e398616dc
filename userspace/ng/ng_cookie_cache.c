// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>

#include "ng_cookie_cache.h"

struct cached_reply {
	GBytes *cookie;
	GBytes *reply;
	gint64 stored_us;
	GList *link; /* in the cache's age queue */
};

struct ng_cookie_cache {
	GHashTable *by_cookie; /* GBytes cookie -> struct cached_reply (owned by the queue) */
	GQueue age;	       /* oldest first */
	size_t bytes;	       /* of cookies and replies */
	unsigned int max_entries;
	size_t max_bytes;
	gint64 max_age_us;
};

struct ng_cookie_cache *ng_cookie_cache_new(unsigned int max_entries, size_t max_bytes, gint64 max_age_us)
{
	struct ng_cookie_cache *c = g_new0(struct ng_cookie_cache, 1);

	c->by_cookie = g_hash_table_new(g_bytes_hash, g_bytes_equal);
	g_queue_init(&c->age);
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	c->max_age_us = max_age_us;
	return c;
}

static void drop(struct ng_cookie_cache *c, struct cached_reply *e)
{
	g_hash_table_remove(c->by_cookie, e->cookie);
	g_queue_delete_link(&c->age, e->link);
	c->bytes -= g_bytes_get_size(e->cookie) + g_bytes_get_size(e->reply);
	g_bytes_unref(e->cookie);
	g_bytes_unref(e->reply);
	g_free(e);
}

void ng_cookie_cache_free(struct ng_cookie_cache *c)
{
	if (!c)
		return;
	while (c->age.head)
		drop(c, c->age.head->data);
	g_hash_table_destroy(c->by_cookie);
	g_free(c);
}

static bool is_expired(const struct ng_cookie_cache *c, const struct cached_reply *e, gint64 now_us)
{
	return now_us - e->stored_us > c->max_age_us;
}

/* Drops the oldest entries while they are too old or the cache is over its bounds. */
static void trim(struct ng_cookie_cache *c, gint64 now_us)
{
	while (c->age.head) {
		struct cached_reply *oldest = c->age.head->data;

		if (!is_expired(c, oldest, now_us) && c->age.length <= c->max_entries && c->bytes <= c->max_bytes)
			return;
		drop(c, oldest);
	}
}

GBytes *ng_cookie_cache_lookup(struct ng_cookie_cache *c, const char *cookie, size_t cookie_len, gint64 now_us)
{
	GBytes *key = g_bytes_new_static(cookie, cookie_len);
	struct cached_reply *e;

	trim(c, now_us);
	e = g_hash_table_lookup(c->by_cookie, key);
	g_bytes_unref(key);
	return e ? e->reply : NULL;
}

void ng_cookie_cache_store(struct ng_cookie_cache *c, const char *cookie, size_t cookie_len, const char *reply,
			   size_t reply_len, gint64 now_us)
{
	struct cached_reply *e = g_new0(struct cached_reply, 1), *old;

	e->cookie = g_bytes_new(cookie, cookie_len);
	e->reply = g_bytes_new(reply, reply_len);
	e->stored_us = now_us;
	old = g_hash_table_lookup(c->by_cookie, e->cookie);
	if (old)
		drop(c, old);
	g_queue_push_tail(&c->age, e);
	e->link = c->age.tail;
	g_hash_table_insert(c->by_cookie, e->cookie, e);
	c->bytes += cookie_len + reply_len;
	trim(c, now_us);
}

unsigned int ng_cookie_cache_size(const struct ng_cookie_cache *c)
{
	return c->age.length;
}
