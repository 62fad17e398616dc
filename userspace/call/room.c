// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rooms reshape whenever a member joins or leaves:
 *   1 member   its tone (waiting for company)
 *   2 members  a bridge: their media crosses in the datapath
 *   3 or more  a mixer: each hears the sum of the others, the room's flows are gone
 * Members already in the right shape are left alone, so joining a mix of
 * three does not disturb the three.
 */
#include "call.h"
#include "call_log.h"
#include "media/media_bridge.h"
#include "media/media_clock.h"
#include "media/media_env.h"
#include "media/mixer.h"
#include "room.h"

struct room {
	struct call_table *table;
	char *name;
	GPtrArray *members;  /* struct call *, in order of joining */
	struct mixer *mixer; /* while there are three or more */
};

static struct call *member(const struct room *r, guint i)
{
	return g_ptr_array_index(r->members, i);
}

static void room_free(struct room *r)
{
	g_info("room %s: empty, freed", r->name);
	g_hash_table_remove(r->table->rooms, r->name);
	g_ptr_array_free(r->members, TRUE);
	g_free(r->name);
	g_free(r);
}

/* The members have left the mixer (bridged, tone): it can go. */
static void drop_mixer(struct room *r)
{
	mixer_free(r->mixer);
	r->mixer = NULL;
}

static void reshape(struct room *r)
{
	guint n = r->members->len;

	if (n == 0) {
		room_free(r);
		return;
	}
	if (n == 1) {
		struct call *c = member(r, 0);

		if (media_stream_mode(c->media) != MEDIA_TONE)
			media_stream_tone_start(c->media, c->tone_hz);
		drop_mixer(r);
	} else if (n == 2) {
		struct call *a = member(r, 0), *b = member(r, 1);

		if (media_bridge_partner(a->media) != b->media)
			media_bridge_connect(a->media, b->media);
		drop_mixer(r);
	} else {
		if (!r->mixer)
			r->mixer = mixer_new(r->table->media->clock);
		for (guint i = 0; i < n; i++) {
			struct call *c = member(r, i);

			if (media_stream_mode(c->media) != MEDIA_MIX)
				mixer_add(r->mixer, c->media);
		}
	}
	g_message("room %s: %u member%s, %s", r->name, n, n == 1 ? "" : "s", room_mode_name(r));
}

void room_join(struct call_table *t, const char *name, struct call *c)
{
	struct room *r = g_hash_table_lookup(t->rooms, name);

	if (!r) {
		r = g_new0(struct room, 1);
		r->table = t;
		r->name = g_strdup(name);
		r->members = g_ptr_array_new();
		g_hash_table_insert(t->rooms, r->name, r);
	}
	g_ptr_array_add(r->members, c);
	c->room = r;
	call_log(G_LOG_LEVEL_INFO, c, "joins room %s", name);
	reshape(r);
}

void room_leave(struct call *c)
{
	struct room *r = c->room;

	if (!r)
		return;
	g_ptr_array_remove(r->members, c);
	c->room = NULL;
	media_stream_detach(c->media);
	call_log(G_LOG_LEVEL_INFO, c, "leaves room %s", r->name);
	reshape(r);
}

const char *room_name(const struct room *r)
{
	return r->name;
}

const char *room_mode_name(const struct room *r)
{
	return r->members->len < 2 ? "waiting" : r->members->len == 2 ? "bridge" : "mix";
}

guint room_member_count(const struct room *r)
{
	return r->members->len;
}

guint room_member_id(const struct room *r, guint i)
{
	return member(r, i)->id;
}

void room_foreach(const struct call_table *t, room_cb cb, void *user)
{
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, t->rooms);
	while (g_hash_table_iter_next(&it, NULL, &value))
		cb(value, user);
}

guint room_count(const struct call_table *t)
{
	return g_hash_table_size(t->rooms);
}
