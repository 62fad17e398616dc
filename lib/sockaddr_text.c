// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Socket addresses as text: "192.0.2.1:5000" or "[2001:db8::1]:5000". */
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "flow_key.h"
#include "sockaddr_text.h"

/* "192.0.2.1:5000" or "[2001:db8::1]:5000" into a socket address. */
int sockaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port;
	size_t hlen;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -1;
		hlen = end - s - 1;
		port = end + 2;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hlen = colon - s;
		port = colon + 1;
	}
	if (hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

const char *sockaddr_format(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	struct flow_key key;

	if (flow_key_from_sockaddr(&key, (const struct sockaddr *)ss) < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	return flow_key_format(&key, buf, len);
}

bool sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct flow_key x, y;

	return flow_key_from_sockaddr(&x, (const struct sockaddr *)a) == 0 &&
	       flow_key_from_sockaddr(&y, (const struct sockaddr *)b) == 0 && flow_key_equal(&x, &y);
}
