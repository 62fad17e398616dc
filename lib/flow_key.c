// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Flow keys (bpf/flow_abi.h) to and from socket addresses, compared, hashed and printed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "flow_key.h"

int flow_addr_from_sockaddr(struct flow_addr *addr, __be16 *port, const struct sockaddr *sa)
{
	memset(addr, 0, sizeof(*addr));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		addr->v4 = sin->sin_addr.s_addr;
		*port = sin->sin_port;
		return FLOW_AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		memcpy(addr->v6, &sin6->sin6_addr, 16);
		*port = sin6->sin6_port;
		return FLOW_AF_INET6;
	}
	return -1;
}

int flow_key_from_sockaddr(struct flow_key *key, const struct sockaddr *sa)
{
	int family;

	memset(key, 0, sizeof(*key));
	family = flow_addr_from_sockaddr(&key->addr, &key->port, sa);
	if (family < 0)
		return -1;
	key->family = family;
	return 0;
}

void flow_key_to_sockaddr(const struct flow_key *key, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (key->family == FLOW_AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = key->addr.v4;
		sin->sin_port = key->port;
		*len = sizeof(*sin);
		return;
	}
	struct sockaddr_in6 *sin6 = (void *)ss;

	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, key->addr.v6, 16);
	sin6->sin6_port = key->port;
	*len = sizeof(*sin6);
}

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return a->family == b->family && a->port == b->port && memcmp(&a->addr, &b->addr, sizeof(a->addr)) == 0;
}

guint flow_key_hash(gconstpointer key)
{
	const struct flow_key *k = key;
	guint h = k->port ^ (k->family << 16);

	for (size_t i = 0; i < sizeof(k->addr.v6); i++)
		h = h * 31 + k->addr.v6[i];
	return h;
}

gboolean flow_key_hash_equal(gconstpointer a, gconstpointer b)
{
	return flow_key_equal(a, b);
}

const char *flow_key_format(const struct flow_key *key, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (key->family == FLOW_AF_INET) {
		inet_ntop(AF_INET, &key->addr.v4, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(key->port));
	} else {
		inet_ntop(AF_INET6, key->addr.v6, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(key->port));
	}
	return buf;
}
