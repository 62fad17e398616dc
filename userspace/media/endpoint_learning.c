// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include <netinet/in.h>

#include "endpoint_learning.h"
#include "lib/sockaddr_text.h"

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
	return false;
}

bool endpoint_learning_accepts(enum endpoint_learning mode, const struct endpoint_learning_state *st,
			       const struct sockaddr_storage *from)
{
	if (mode == ENDPOINT_LEARNING_IMMEDIATE)
		return true;
	if (sockaddr_equal(from, st->sdp_peer))
		return true;
	if (mode == ENDPOINT_LEARNING_OFF)
		return false;
	if (same_address(from, st->sdp_peer) || same_address(from, st->signal_src))
		return true;
	return !st->window_open && st->peer_sends;
}
