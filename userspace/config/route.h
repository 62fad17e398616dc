/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Routing of incoming calls by the Request-URI user part (README.md, "Rooms, bridges and routes"):
 * a user of the config's [routes] group goes to its target (B2BUA),
 * `tone` / `tone-<hz>` hears a tone, `room-<name>` joins a room; any other
 * user takes the default route, which is resolved the same way once.
 */
#ifndef RTPRELAY_ROUTE_H
#define RTPRELAY_ROUTE_H

#include "config.h"

#define ROUTE_ROOM_NAME_MAX 64 /* bytes, with the NUL */

enum route_kind {
	ROUTE_NONE,	/* no route: 404 */
	ROUTE_BAD_TONE, /* tone-<hz> with a frequency out of range: 404 with the range */
	ROUTE_TONE,
	ROUTE_ROOM,
	ROUTE_B2BUA,
};

struct route {
	enum route_kind kind;
	unsigned tone_hz;		/* ROUTE_TONE */
	char room[ROUTE_ROOM_NAME_MAX]; /* ROUTE_ROOM */
	const char *target;		/* ROUTE_B2BUA: the config's sip: URI */
};

/* Fills out and returns out->kind. user may be NULL (no user part). */
enum route_kind route_resolve(const struct config *cfg, const char *user, struct route *out);

#endif
