/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The datapath backend interface: what the daemon asks of whichever
 * forwarding engine runs its bridged flows.
 *
 *  - xdp:       bpf/rtprelay.bpf.c attached to each interface, flows in the
 *               pinned hash map, pinned bpf_links; survives a daemon restart.
 *  - userspace: the same flow table and semantics (latching, strict source,
 *               hold, counters) applied by datapath_input() to packets the
 *               daemon reads from its own media sockets, sent with sendmmsg.
 *
 * Flows use the ABI types of bpf/flow_abi.h in both backends. A packet that
 * the datapath does not consume (no flow, not latched, no route) is the
 * daemon's to handle, exactly as XDP_PASS hands it to the kernel stack.
 */
#ifndef RTPRELAY_DATAPATH_H
#define RTPRELAY_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <glib.h>

#include "bpf/flow_abi.h"
#include "datapath_packet.h"
#include "lib/flow_key.h"

enum datapath_kind {
	DATAPATH_AUTO,
	DATAPATH_XDP,
	DATAPATH_USERSPACE,
};

enum xdp_attach_mode {
	XDP_ATTACH_AUTO, /* native when the driver has it, else generic */
	XDP_ATTACH_NATIVE,
	XDP_ATTACH_GENERIC,
};

struct datapath_config {
	enum datapath_kind kind;
	enum xdp_attach_mode xdp_mode;
	const char *bpffs_dir;	       /* e.g. /sys/fs/bpf/rtprelay */
	const char *const *interfaces; /* NULL-terminated */
};

typedef int (*datapath_flow_cb)(const struct flow_key *key, const struct flow_value *val, void *user);

struct datapath;

struct datapath_ops {
	const char *name;
	/* Add or replace a flow; the flow's counters are kept across a replace. */
	int (*flow_set)(struct datapath *dp, const struct flow_key *key, const struct flow_value *val);
	int (*flow_delete)(struct datapath *dp, const struct flow_key *key);
	int (*flow_get)(struct datapath *dp, const struct flow_key *key, struct flow_value *val);
	int (*flow_foreach)(struct datapath *dp, datapath_flow_cb cb, void *user);
	int (*counters)(struct datapath *dp, struct global_counters *out);
	/*
	 * Apply the flow of `local` to a batch received on its socket. The XDP
	 * backend sees only what the program passed (e.g. neighbour not yet
	 * resolved) and forwards it the slow way, so nothing is lost and the
	 * send resolves the neighbour.
	 */
	void (*input)(struct datapath *dp, const struct flow_key *local, struct datapath_packet *pkts, int n,
		      enum datapath_verdict *verdicts);
	/*
	 * Whether a flow's counters include what `input` forwards (the
	 * userspace backend: every packet crosses the daemon), or are the
	 * kernel's alone (XDP: what `input` forwards is in no flow's count).
	 */
	bool flows_count_input;
	/*
	 * Whether the kernel forwards every bridged flow: "ok", or
	 * "degraded: <why, and what would fix it>".
	 */
	void (*kernel_path)(struct datapath *dp, char *buf, size_t len);
	/* unpin: remove links and maps (SIGTERM); otherwise leave them forwarding. */
	void (*destroy)(struct datapath *dp, bool unpin);
};

struct datapath {
	const struct datapath_ops *ops;
	char why[256]; /* why this backend was chosen, for the log and `status` */
	/* Relay-local sockets by address (struct flow_key * -> fd): packets leave from them. */
	GHashTable *sockets;
	GMutex lock; /* guards sockets and the userspace flow table */
	/* Packets the daemon forwarded itself (both backends); XDP keeps its own in the maps. */
	struct global_counters slow_path;
};

/* Called by each backend's open: sockets table, lock. */
void datapath_init(struct datapath *dp, const struct datapath_ops *ops);
void datapath_fini(struct datapath *dp);

/* The socket bound to a relay-local address; the datapath sends from it. */
void datapath_socket_register(struct datapath *dp, const struct flow_key *local, int fd);
void datapath_socket_unregister(struct datapath *dp, const struct flow_key *local);
/* -1 if none; call with dp->lock held. */
int datapath_socket_lookup(struct datapath *dp, const struct flow_key *local);

static inline void datapath_input(struct datapath *dp, const struct flow_key *local, struct datapath_packet *pkts,
				  int n, enum datapath_verdict *verdicts)
{
	dp->ops->input(dp, local, pkts, n, verdicts);
}

/*
 * Create the backend cfg->kind names; with DATAPATH_AUTO try XDP on every
 * interface and fall back to userspace, saying why in dp->why. Returns NULL
 * with errno set and a message in err (errlen bytes) on failure.
 */
struct datapath *datapath_open(const struct datapath_config *cfg, char *err, size_t errlen);
void datapath_close(struct datapath *dp, bool unpin);

/* Bridged packets the daemon forwarded itself since start: the kernel path did not carry them. */
uint64_t datapath_userspace_forwarded(struct datapath *dp);

const char *datapath_kind_name(enum datapath_kind kind);
int datapath_kind_parse(const char *s, enum datapath_kind *out);
const char *xdp_attach_mode_name(enum xdp_attach_mode mode);
int xdp_attach_mode_parse(const char *s, enum xdp_attach_mode *out);

#endif
