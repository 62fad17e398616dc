/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Conference rooms (`room-<name>`): one member hears the tone, two are
 * bridged in the datapath, three or more are mixed in userspace. Members
 * joining and leaving reshape the room; the last one out frees it.
 */
#ifndef RTPRELAY_ROOM_H
#define RTPRELAY_ROOM_H

#include <stdbool.h>

#include <glib.h>

struct call;
struct call_table;
struct room;

/* Puts an active call in t's room `name` (created on first use). */
void room_join(struct call_table *t, const char *name, struct call *c);
/* Takes c out of its room; the room reshapes or is freed. */
void room_leave(struct call *c);

const char *room_name(const struct room *r);
/* "waiting" (one member), "bridge" (two) or "mix" (three or more) */
const char *room_mode_name(const struct room *r);
guint room_member_count(const struct room *r);
/* The i-th member's call id, in order of joining. */
guint room_member_id(const struct room *r, guint i);

typedef void (*room_cb)(const struct room *r, void *user);
/* Every room of t, in no particular order. */
void room_foreach(const struct call_table *t, room_cb cb, void *user);
guint room_count(const struct call_table *t);

#endif
