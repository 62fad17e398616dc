// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "call.h"
#include "room.h"

struct room {
	char *name;
	GPtrArray *members; /* struct call *, in order of joining */
};

void room_join(struct daemon *d, const char *name, struct call *c)
{
}

void room_leave(struct call *c)
{
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
	return ((struct call *)g_ptr_array_index(r->members, i))->id;
}

void room_foreach(struct daemon *d, room_cb cb, void *user)
{
	GHashTableIter it;
	gpointer value;

	if (!d->rooms)
		return;
	g_hash_table_iter_init(&it, d->rooms);
	while (g_hash_table_iter_next(&it, NULL, &value))
		cb(value, user);
}
