/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The replies sent lately, by request cookie. An ng client retransmits a
 * request it got no reply to with the same cookie; such a retransmission
 * is answered from here and not executed a second time (a second offer
 * would allocate ports again). Bounded in entries, bytes and age: the
 * oldest entries go first.
 */
#ifndef RTPRELAY_NG_COOKIE_CACHE_H
#define RTPRELAY_NG_COOKIE_CACHE_H

#include <stddef.h>
#include <glib.h>

struct ng_cookie_cache;

struct ng_cookie_cache *ng_cookie_cache_new(unsigned int max_entries, size_t max_bytes, gint64 max_age_us);
void ng_cookie_cache_free(struct ng_cookie_cache *c);

/* The reply stored for cookie no longer than max_age_us before now_us, or NULL; valid until the next store. */
GBytes *ng_cookie_cache_lookup(struct ng_cookie_cache *c, const char *cookie, size_t cookie_len, gint64 now_us);
/* Remembers reply (copied) for cookie, replacing what the cookie had. */
void ng_cookie_cache_store(struct ng_cookie_cache *c, const char *cookie, size_t cookie_len, const char *reply,
			   size_t reply_len, gint64 now_us);
unsigned int ng_cookie_cache_size(const struct ng_cookie_cache *c);

#endif
