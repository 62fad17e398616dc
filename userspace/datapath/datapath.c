// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Backend selection. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "datapath.h"
#include "datapath_userspace.h"
#include "datapath_xdp.h"

static const char *const kind_names[] = {
	[DATAPATH_AUTO] = "auto",
	[DATAPATH_XDP] = "xdp",
	[DATAPATH_USERSPACE] = "userspace",
};

static const char *const mode_names[] = {
	[XDP_ATTACH_AUTO] = "auto",
	[XDP_ATTACH_NATIVE] = "native",
	[XDP_ATTACH_GENERIC] = "generic",
};

static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *datapath_kind_name(enum datapath_kind kind)
{
	return kind_names[kind];
}

int datapath_kind_parse(const char *s, enum datapath_kind *out)
{
	int i = name_index(kind_names, G_N_ELEMENTS(kind_names), s);

	if (i < 0)
		return -1;
	*out = i;
	return 0;
}

const char *xdp_attach_mode_name(enum xdp_attach_mode mode)
{
	return mode_names[mode];
}

int xdp_attach_mode_parse(const char *s, enum xdp_attach_mode *out)
{
	int i = name_index(mode_names, G_N_ELEMENTS(mode_names), s);

	if (i < 0)
		return -1;
	*out = i;
	return 0;
}

struct datapath *datapath_open(const struct datapath_config *cfg, char *err, size_t errlen)
{
	struct datapath_config xdp_cfg = *cfg;
	struct datapath *dp;
	char xdp_err[200];

	if (cfg->kind == DATAPATH_XDP)
		return datapath_xdp_open(cfg, err, errlen);
	if (cfg->kind == DATAPATH_USERSPACE) {
		dp = datapath_userspace_open(cfg, err, errlen);
		if (dp)
			snprintf(dp->why, sizeof(dp->why), "configured (--datapath userspace)");
		return dp;
	}
	xdp_cfg.kind = DATAPATH_XDP;
	dp = datapath_xdp_open(&xdp_cfg, xdp_err, sizeof(xdp_err));
	if (dp) {
		snprintf(dp->why, sizeof(dp->why), "auto: XDP attached to every interface");
		return dp;
	}
	dp = datapath_userspace_open(cfg, err, errlen);
	if (dp)
		snprintf(dp->why, sizeof(dp->why), "auto: XDP unavailable (%s)", xdp_err);
	return dp;
}

void datapath_close(struct datapath *dp, bool unpin)
{
	if (dp)
		dp->ops->destroy(dp, unpin);
}

void datapath_init(struct datapath *dp, const struct datapath_ops *ops)
{
	dp->ops = ops;
	dp->sockets = g_hash_table_new_full(flow_key_hash, flow_key_hash_equal, g_free, NULL);
	g_mutex_init(&dp->lock);
}

void datapath_fini(struct datapath *dp)
{
	g_hash_table_destroy(dp->sockets);
	g_mutex_clear(&dp->lock);
}

void datapath_socket_register(struct datapath *dp, const struct flow_key *local, int fd)
{
	g_mutex_lock(&dp->lock);
	g_hash_table_replace(dp->sockets, g_memdup2(local, sizeof(*local)), GINT_TO_POINTER(fd + 1));
	g_mutex_unlock(&dp->lock);
}

void datapath_socket_unregister(struct datapath *dp, const struct flow_key *local)
{
	g_mutex_lock(&dp->lock);
	g_hash_table_remove(dp->sockets, local);
	g_mutex_unlock(&dp->lock);
}

int datapath_socket_lookup(struct datapath *dp, const struct flow_key *local)
{
	return GPOINTER_TO_INT(g_hash_table_lookup(dp->sockets, local)) - 1;
}

uint64_t datapath_userspace_forwarded(struct datapath *dp)
{
	uint64_t n;

	g_mutex_lock(&dp->lock);
	n = dp->slow_path.forwarded;
	g_mutex_unlock(&dp->lock);
	return n;
}
