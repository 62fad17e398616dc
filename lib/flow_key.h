/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Flow keys (bpf/flow_abi.h) to and from socket addresses, compared, hashed and printed. */
#ifndef RTPRELAY_LIB_FLOW_KEY_H
#define RTPRELAY_LIB_FLOW_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <glib.h>

#include "bpf/flow_abi.h"

/* Flow key <-> socket address (port in network order in both). */
int flow_key_from_sockaddr(struct flow_key *key, const struct sockaddr *sa);
void flow_key_to_sockaddr(const struct flow_key *key, struct sockaddr_storage *ss, socklen_t *len);
/* Set a flow_addr + port pair from a socket address; returns family or -1. */
int flow_addr_from_sockaddr(struct flow_addr *addr, __be16 *port, const struct sockaddr *sa);
bool flow_key_equal(const struct flow_key *a, const struct flow_key *b);
/* GHashTable callbacks for struct flow_key * keys. */
guint flow_key_hash(gconstpointer key);
gboolean flow_key_hash_equal(gconstpointer a, gconstpointer b);
/* "203.0.113.5:10000" or "[2001:db8::1]:10000" */
const char *flow_key_format(const struct flow_key *key, char *buf, size_t len);

#endif
