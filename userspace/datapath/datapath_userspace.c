// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The userspace backend: the XDP program's flow table and rules, applied by
 * the media thread to what it reads from the relay's sockets (flow_apply,
 * sendmmsg). Nothing lives in the kernel, so nothing survives the daemon and
 * there is nothing to pin or adopt.
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "datapath_userspace.h"
#include "flow_apply.h"

struct datapath_userspace {
	struct datapath dp;
	GHashTable *flows; /* struct flow_key * -> struct flow_value *, under dp.lock */
};

static struct datapath_userspace *to_us(struct datapath *dp)
{
	return (struct datapath_userspace *)dp;
}

static int us_flow_set(struct datapath *dp, const struct flow_key *key, const struct flow_value *val)
{
	struct datapath_userspace *u = to_us(dp);
	struct flow_value *old, *v = g_memdup2(val, sizeof(*val));

	g_mutex_lock(&dp->lock);
	old = g_hash_table_lookup(u->flows, key);
	if (old)
		v->counters = old->counters;
	g_hash_table_replace(u->flows, g_memdup2(key, sizeof(*key)), v);
	g_mutex_unlock(&dp->lock);
	return 0;
}

static int us_flow_delete(struct datapath *dp, const struct flow_key *key)
{
	gboolean found;

	g_mutex_lock(&dp->lock);
	found = g_hash_table_remove(to_us(dp)->flows, key);
	g_mutex_unlock(&dp->lock);
	return found ? 0 : -ENOENT;
}

static int us_flow_get(struct datapath *dp, const struct flow_key *key, struct flow_value *val)
{
	struct flow_value *v;

	g_mutex_lock(&dp->lock);
	v = g_hash_table_lookup(to_us(dp)->flows, key);
	if (v)
		*val = *v;
	g_mutex_unlock(&dp->lock);
	return v ? 0 : -ENOENT;
}

struct flow_entry {
	struct flow_key key;
	struct flow_value val;
};

/*
 * The callback runs on a snapshot, without the lock: it may change flows
 * itself, as it may with the XDP backend's map walk.
 */
static int us_flow_foreach(struct datapath *dp, datapath_flow_cb cb, void *user)
{
	struct flow_entry *entries;
	GHashTableIter it;
	gpointer k, v;
	guint n = 0;
	int ret = 0;

	g_mutex_lock(&dp->lock);
	entries = g_new(struct flow_entry, g_hash_table_size(to_us(dp)->flows) + 1);
	g_hash_table_iter_init(&it, to_us(dp)->flows);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		entries[n].key = *(struct flow_key *)k;
		entries[n].val = *(struct flow_value *)v;
		n++;
	}
	g_mutex_unlock(&dp->lock);
	for (guint i = 0; i < n && !ret; i++)
		ret = cb(&entries[i].key, &entries[i].val, user);
	g_free(entries);
	return ret;
}

/* Everything this backend forwards goes through flow_apply: its totals are the counters. */
static int us_counters(struct datapath *dp, struct global_counters *out)
{
	g_mutex_lock(&dp->lock);
	*out = dp->slow_path;
	g_mutex_unlock(&dp->lock);
	return 0;
}

static void pass_no_flow(struct datapath *dp, int n, enum datapath_verdict *verdicts)
{
	for (int i = 0; i < n; i++) {
		verdicts[i] = DATAPATH_PASS;
		dp->slow_path.pass_no_flow++;
		dp->slow_path.passed++;
	}
}

static void us_input(struct datapath *dp, const struct flow_key *local, struct datapath_packet *pkts, int n,
		     enum datapath_verdict *verdicts)
{
	struct flow_key egress = { 0 };
	struct flow_value *v;

	g_mutex_lock(&dp->lock);
	v = g_hash_table_lookup(to_us(dp)->flows, local);
	if (!v) {
		pass_no_flow(dp, n, verdicts);
		g_mutex_unlock(&dp->lock);
		return;
	}
	egress.addr = v->src_addr;
	egress.port = v->src_port;
	egress.family = local->family;
	/* The table's own value: its counters accumulate like the map's. */
	flow_apply(v, datapath_socket_lookup(dp, &egress), pkts, n, verdicts, &dp->slow_path);
	g_mutex_unlock(&dp->lock);
}

/* Nothing is forwarded in the kernel: every bridged packet crosses the daemon. */
static void us_kernel_path(struct datapath *dp, char *buf, size_t len)
{
	snprintf(buf, len, "degraded: userspace datapath, %s; XDP forwards in the kernel (--datapath xdp)", dp->why);
}

static void us_free(struct datapath_userspace *u)
{
	g_hash_table_destroy(u->flows);
	datapath_fini(&u->dp);
	g_free(u);
}

/* Nothing is pinned: unpin or not, the flows end with the daemon. */
static void us_destroy(struct datapath *dp, bool unpin)
{
	us_free(to_us(dp));
}

static const struct datapath_ops userspace_ops = {
	.name = "userspace",
	.flow_set = us_flow_set,
	.flow_delete = us_flow_delete,
	.flow_get = us_flow_get,
	.flow_foreach = us_flow_foreach,
	.counters = us_counters,
	.input = us_input,
	.flows_count_input = true,
	.kernel_path = us_kernel_path,
	.destroy = us_destroy,
};

struct datapath *datapath_userspace_open(const struct datapath_config *cfg, char *err, size_t errlen)
{
	struct datapath_userspace *u = g_new0(struct datapath_userspace, 1);

	datapath_init(&u->dp, &userspace_ops);
	snprintf(u->dp.why, sizeof(u->dp.why), "configured (--datapath userspace)");
	u->flows = g_hash_table_new_full(flow_key_hash, flow_key_hash_equal, g_free, g_free);
	return &u->dp;
}
