// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <string.h>

#include "adopted_flows.h"
#include "config/config.h"
#include "datapath/datapath.h"
#include "flow_totals.h"
#include "lib/monotonic.h"
#include "media_env.h"
#include "port_pool.h"

struct adopted_flows {
	const struct media_env *env;
	GHashTable *flows; /* struct flow_key * -> its pool port (even; 0 if outside the pool) */
	GHashTable *ports; /* pool port -> how many adopted flows use it */
	__u64 adopted_ns;  /* when this run started: idle time of flows that never saw a packet */
};

/* The pool port (the RTP one of the pair) a relay address belongs to, 0 if none. */
static guint pool_port(const struct config *cfg, const struct flow_key *key)
{
	struct flow_key media;
	struct sockaddr_storage ss;
	uint16_t port = ntohs(key->port) & ~1u;

	if (!config_media_sockaddr(cfg, 0, &ss) || flow_key_from_sockaddr(&media, (struct sockaddr *)&ss) < 0 ||
	    media.family != key->family || memcmp(&media.addr, &key->addr, sizeof(media.addr)) != 0)
		return 0;
	if (port < cfg->rtp_port_min || port + 1 > cfg->rtp_port_max)
		return 0;
	return port;
}

static int adopt(const struct flow_key *key, const struct flow_value *val, void *user)
{
	struct adopted_flows *a = user;
	guint port = pool_port(a->env->cfg, key);
	guint users = GPOINTER_TO_UINT(g_hash_table_lookup(a->ports, GUINT_TO_POINTER(port)));

	g_hash_table_insert(a->flows, g_memdup2(key, sizeof(*key)), GUINT_TO_POINTER(port));
	if (port && users == 0)
		port_pool_reserve(a->env->ports, port);
	if (port)
		g_hash_table_insert(a->ports, GUINT_TO_POINTER(port), GUINT_TO_POINTER(users + 1));
	return 0;
}

struct adopted_flows *adopted_flows_take(const struct media_env *env)
{
	struct adopted_flows *a = g_new0(struct adopted_flows, 1);

	a->env = env;
	a->flows = g_hash_table_new_full(flow_key_hash, flow_key_hash_equal, g_free, NULL);
	a->ports = g_hash_table_new(g_direct_hash, g_direct_equal);
	a->adopted_ns = monotonic_ns();
	env->dp->ops->flow_foreach(env->dp, adopt, a);
	if (g_hash_table_size(a->flows))
		g_message("adopted %u flows on %u RTP ports from an earlier run; they forward until idle for %u s",
			  g_hash_table_size(a->flows), g_hash_table_size(a->ports), env->cfg->rtp_timeout);
	return a;
}

/* The flow is gone or removed: one user less for its port. */
static void release(struct adopted_flows *a, guint port)
{
	guint users;

	if (!port)
		return;
	users = GPOINTER_TO_UINT(g_hash_table_lookup(a->ports, GUINT_TO_POINTER(port)));
	if (users > 1) {
		g_hash_table_insert(a->ports, GUINT_TO_POINTER(port), GUINT_TO_POINTER(users - 1));
		return;
	}
	g_hash_table_remove(a->ports, GUINT_TO_POINTER(port));
	port_pool_put(a->env->ports, port);
}

/* The flow leaves the datapath, its counts kept in the totals of removed flows. */
static void remove_flow(struct adopted_flows *a, const struct flow_key *key, const struct flow_value *v,
			const char *why)
{
	char text[64];

	flow_totals_retire(a->env->retired_flows, &v->counters);
	a->env->dp->ops->flow_delete(a->env->dp, key);
	g_info("adopted flow %s: %s, removed (%llu packets forwarded)", flow_key_format(key, text, sizeof(text)), why,
	       (unsigned long long)v->counters.packets);
}

void adopted_flows_expire(struct adopted_flows *a)
{
	struct datapath *dp = a->env->dp;
	unsigned rtp_timeout = a->env->cfg->rtp_timeout;
	__u64 now = monotonic_ns(), timeout = (__u64)rtp_timeout * 1000000000ull;
	GHashTableIter it;
	gpointer key, port;
	struct flow_value v;
	g_autofree char *why = g_strdup_printf("idle for %u s", rtp_timeout);

	g_hash_table_iter_init(&it, a->flows);
	while (g_hash_table_iter_next(&it, &key, &port)) {
		if (dp->ops->flow_get(dp, key, &v) == 0) {
			if (now - MAX(v.counters.sampled_seen_ns, a->adopted_ns) < timeout)
				continue;
			remove_flow(a, key, &v, why);
		}
		release(a, GPOINTER_TO_UINT(port));
		g_hash_table_iter_remove(&it);
	}
}

/* Forgets the flows of this port, removing them from the datapath too when why says why; frees the port. */
static void forget_port(struct adopted_flows *a, unsigned int port, const char *why)
{
	struct datapath *dp;
	GHashTableIter it;
	gpointer key, flow_port;
	struct flow_value v;

	if (!a)
		return;
	dp = a->env->dp;
	g_hash_table_iter_init(&it, a->flows);
	while (g_hash_table_iter_next(&it, &key, &flow_port)) {
		if (GPOINTER_TO_UINT(flow_port) != port)
			continue;
		if (why && dp->ops->flow_get(dp, key, &v) == 0)
			remove_flow(a, key, &v, why);
		release(a, port);
		g_hash_table_iter_remove(&it);
	}
}

void adopted_flows_claim(struct adopted_flows *a, unsigned int port)
{
	forget_port(a, port, NULL);
}

void adopted_flows_remove_port(struct adopted_flows *a, unsigned int port, const char *why)
{
	forget_port(a, port, why);
}

void adopted_flows_free(struct adopted_flows *a)
{
	if (!a)
		return;
	g_hash_table_destroy(a->flows);
	g_hash_table_destroy(a->ports);
	g_free(a);
}
