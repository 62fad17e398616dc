// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

#define TONE_PREFIX "tone-"
#define ROOM_PREFIX "room-"

/* "tone" or "tone-<hz>". */
static enum route_kind resolve_tone(const struct config *cfg, const char *user, struct route *out)
{
	const char *digits = user + strlen(TONE_PREFIX);
	unsigned long hz;
	char *end;

	if (strcmp(user, "tone") == 0) {
		out->tone_hz = cfg->tone_hz;
		return ROUTE_TONE;
	}
	errno = 0;
	hz = strtoul(digits, &end, 10);
	if (errno || *end || end == digits || *digits == '-' || *digits == '+' || hz < RTPRELAY_TONE_HZ_MIN ||
	    hz > RTPRELAY_TONE_HZ_MAX)
		return ROUTE_BAD_TONE;
	out->tone_hz = hz;
	return ROUTE_TONE;
}

/* One user, without falling back to the default route. */
static enum route_kind resolve_user(const struct config *cfg, const char *user, struct route *out)
{
	const char *target = g_hash_table_lookup(cfg->routes, user);
	size_t name_len;

	if (target) {
		out->target = target;
		return ROUTE_B2BUA;
	}
	if (strcmp(user, "tone") == 0 || g_str_has_prefix(user, TONE_PREFIX))
		return resolve_tone(cfg, user, out);
	if (g_str_has_prefix(user, ROOM_PREFIX)) {
		name_len = strlen(user) - strlen(ROOM_PREFIX);
		if (name_len == 0 || name_len >= sizeof(out->room))
			return ROUTE_NONE;
		memcpy(out->room, user + strlen(ROOM_PREFIX), name_len + 1);
		return ROUTE_ROOM;
	}
	return ROUTE_NONE;
}

enum route_kind route_resolve(const struct config *cfg, const char *user, struct route *out)
{
	memset(out, 0, sizeof(*out));
	out->tone_hz = cfg->tone_hz;
	out->kind = resolve_user(cfg, user ? user : "", out);
	if (out->kind == ROUTE_NONE && cfg->default_route)
		out->kind = resolve_user(cfg, cfg->default_route, out);
	return out->kind;
}
