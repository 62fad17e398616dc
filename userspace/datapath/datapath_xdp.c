// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP backend: loads bpf/rtprelay.bpf.c through its skeleton, reuses the
 * maps pinned under the bpffs directory (LIBBPF_PIN_BY_NAME), and keeps one
 * pinned bpf_link per interface. A restart finds the pinned links and swaps
 * the new program into them with bpf_link_update, so forwarding never stops.
 * Every flow written gets its next hop from the next-hop table (nexthop.c),
 * which rewrites the flows whose next hop changes.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <glib.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "datapath_xdp.h"
#include "flow_apply.h"
#include "lib/flow_table.h"
#include "nexthop.h"
#include "rtprelay.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

struct datapath_xdp {
	struct datapath dp;
	struct rtprelay_bpf *skel;
	struct flow_window *window_slots; /* the map window_slots, mmapped */
	char *bpffs_dir;
	GHashTable *links; /* ifname -> link fd + 1 */
	GArray *ifindexes; /* uint32_t: the interfaces attached, in tx_ports */
	struct nexthop_table *nexthops;
	struct flow_table_entry *table; /* flow_table mapped: entries are written in place */
	/* Serialises flow writes, so a next-hop change cannot overwrite a newer flow. */
	GMutex flows_lock;
	char attach_degraded[256]; /* why an interface runs generic XDP though native was asked; "" if none */
};

static struct datapath_xdp *to_xdp(struct datapath *dp)
{
	return (struct datapath_xdp *)dp;
}

static void link_pin_path(const struct datapath_xdp *x, const char *ifname, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" PIN_LINK_PREFIX "%s", x->bpffs_dir, ifname);
}

static int prepare_bpffs_dir(const char *dir, char *err, size_t errlen)
{
	struct statfs st;

	if (g_mkdir_with_parents(dir, 0700) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (statfs(dir, &st) < 0 || st.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen, "%s is not on a bpf filesystem (mount -t bpf bpf /sys/fs/bpf)", dir);
		errno = ENOTSUP;
		return -1;
	}
	return 0;
}

static __u32 attach_flags(enum xdp_attach_mode mode)
{
	return mode == XDP_ATTACH_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

/* A link pinned by an earlier run: give it the newly loaded program. */
static int adopt_link(struct datapath_xdp *x, const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -1;
	if (bpf_link_update(fd, bpf_program__fd(x->skel->progs.rtprelay_xdp), NULL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int create_link(struct datapath_xdp *x, int ifindex, enum xdp_attach_mode mode, const char *path)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int prog_fd = bpf_program__fd(x->skel->progs.rtprelay_xdp);
	int fd;

	opts.flags = attach_flags(mode);
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (fd < 0 && mode == XDP_ATTACH_AUTO) {
		opts.flags = XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	}
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, path) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/*
 * Every interface goes into the new program's devmap before the program
 * replaces an earlier run's in any link: from its first packet, it can
 * redirect to each of them (a redirect to a missing entry drops the packet).
 */
static int add_tx_port(struct datapath_xdp *x, const char *ifname)
{
	__u32 ifindex = if_nametoindex(ifname);

	if (!ifindex)
		return -ENODEV;
	if (bpf_map_update_elem(bpf_map__fd(x->skel->maps.tx_ports), &ifindex, &ifindex, BPF_ANY) < 0)
		return -errno;
	return 0;
}

static int attach_interface(struct datapath_xdp *x, const char *ifname, enum xdp_attach_mode mode)
{
	char path[PATH_MAX];
	__u32 ifindex = if_nametoindex(ifname);
	int fd;

	if (!ifindex)
		return -ENODEV;
	link_pin_path(x, ifname, path, sizeof(path));
	fd = adopt_link(x, path);
	if (fd < 0)
		fd = create_link(x, ifindex, mode, path);
	if (fd < 0)
		return fd;
	g_hash_table_replace(x->links, g_strdup(ifname), GINT_TO_POINTER(fd + 1));
	g_array_append_val(x->ifindexes, ifindex);
	return 0;
}

/* Generic XDP forwards, but through an skb per packet: say so when native was asked for. */
static void check_attach_mode(struct datapath_xdp *x, const char *ifname, enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (mode == XDP_ATTACH_GENERIC || x->attach_degraded[0])
		return;
	if (bpf_xdp_query(if_nametoindex(ifname), 0, &q) < 0 || q.attach_mode != XDP_ATTACHED_SKB)
		return;
	snprintf(x->attach_degraded, sizeof(x->attach_degraded),
		 "%s runs generic XDP (its driver has no native XDP, or an earlier run attached generic): "
		 "every packet costs an skb; use a NIC with native XDP",
		 ifname);
	g_warning("kernel path degraded: %s", x->attach_degraded);
}

static void release_link(struct datapath_xdp *x, const char *ifname, int fd, bool unpin)
{
	char path[PATH_MAX];
	__u32 ifindex = if_nametoindex(ifname);

	if (unpin) {
		link_pin_path(x, ifname, path, sizeof(path));
		unlink(path);
		if (ifindex)
			bpf_map_delete_elem(bpf_map__fd(x->skel->maps.tx_ports), &ifindex);
	}
	close(fd);
}

static int flows_fd(struct datapath *dp)
{
	return bpf_map__fd(to_xdp(dp)->skel->maps.flows);
}

static int table_fd(struct datapath *dp)
{
	return bpf_map__fd(to_xdp(dp)->skel->maps.flow_table);
}

/* The flow as `flows` has it, with the counters of its table entry. */
static int xdp_flow_get(struct datapath *dp, const struct flow_key *key, struct flow_value *val)
{
	if (bpf_map_lookup_elem(flows_fd(dp), key, val) < 0)
		return -errno;
	return flow_table_counters(table_fd(dp), val);
}

/*
 * Writes v to `flows` (update_flags: BPF_ANY or BPF_EXIST) and, where its
 * window has room, to its table entry, which the program then forwards
 * from. v's counters and table_slot are what `flows` holds (none for a new
 * flow): the counters there are what the program counted in `flows`, and
 * the entry's own stay unless the entry is given to the flow now. Under
 * flows_lock: the program counts in `flows` only while the entry is being
 * written, after `flows` was, so no count there is lost either. 0 or -errno.
 */
static int write_flow(struct datapath *dp, const struct flow_key *key, struct flow_value *v, __u64 update_flags)
{
	struct datapath_xdp *x = to_xdp(dp);
	int slot = flow_table_slot(x->window_slots, table_fd(dp), key, true);
	bool give = slot < 0 || !flow_table_owned(x->table, slot, v);

	/*
	 * An entry to be given is absent before `flows` names it: should the
	 * daemon die in between, the next start does not take what another
	 * flow left there for this flow's.
	 */
	if (give && slot >= 0)
		flow_table_clear(x->table, slot);
	v->table_slot = slot >= 0 ? slot + 1 : 0;
	if (bpf_map_update_elem(flows_fd(dp), key, v, update_flags) < 0)
		return -errno;
	return slot >= 0 ? flow_table_write(x->table, slot, v, give) : 0;
}

/* A flow written gets its next hop from the table; its counters go on. */
static int xdp_flow_set(struct datapath *dp, const struct flow_key *key, const struct flow_value *val)
{
	struct datapath_xdp *x = to_xdp(dp);
	struct flow_value old, v = *val;
	int ret;

	g_mutex_lock(&x->flows_lock);
	nexthop_flow_resolve(x->nexthops, key, &v.src_addr, &v.dst_addr, &v.nexthop);
	v.table_slot = 0;
	if (bpf_map_lookup_elem(flows_fd(dp), key, &old) == 0) {
		v.counters = old.counters;
		v.table_slot = old.table_slot;
	}
	ret = write_flow(dp, key, &v, BPF_ANY);
	g_mutex_unlock(&x->flows_lock);
	return ret;
}

/* Out of the table first: a packet in between finds it in `flows`. */
static int xdp_flow_delete(struct datapath *dp, const struct flow_key *key)
{
	struct datapath_xdp *x = to_xdp(dp);
	struct flow_value v;
	int ret;

	g_mutex_lock(&x->flows_lock);
	nexthop_flow_forget(x->nexthops, key);
	if (bpf_map_lookup_elem(flows_fd(dp), key, &v) == 0 && v.table_slot)
		flow_table_clear(x->table, v.table_slot - 1);
	ret = bpf_map_delete_elem(flows_fd(dp), key) < 0 ? -errno : 0;
	g_mutex_unlock(&x->flows_lock);
	return ret;
}

/* The table's callback: only the next hop changes; BPF_EXIST, so a deleted flow stays deleted. */
static void on_nexthop_changed(void *user, const struct flow_key *key, const struct flow_nexthop *nh)
{
	struct datapath_xdp *x = user;
	struct flow_value v;

	g_mutex_lock(&x->flows_lock);
	if (bpf_map_lookup_elem(flows_fd(&x->dp), key, &v) == 0) {
		v.nexthop = *nh;
		write_flow(&x->dp, key, &v, BPF_EXIST);
	}
	g_mutex_unlock(&x->flows_lock);
}

/*
 * The keys first, then the callbacks: a callback that rewrites its flow
 * (reprogram_flow) moves it to the head of its hash bucket, and a walk by
 * bpf_map_get_next_key over a bucket being reordered can go round it for
 * ever (it did, at start over some thousand adopted flows).
 */
static int xdp_flow_foreach(struct datapath *dp, datapath_flow_cb cb, void *user)
{
	GArray *keys = g_array_new(FALSE, FALSE, sizeof(struct flow_key));
	struct flow_key key, next;
	struct flow_value val;
	void *prev = NULL;
	int ret = 0;

	while (bpf_map_get_next_key(flows_fd(dp), prev, &next) == 0) {
		key = next;
		prev = &key;
		g_array_append_val(keys, key);
	}
	for (guint i = 0; i < keys->len && !ret; i++) {
		if (xdp_flow_get(dp, &g_array_index(keys, struct flow_key, i), &val) < 0)
			continue; /* deleted meanwhile */
		ret = cb(&g_array_index(keys, struct flow_key, i), &val, user);
	}
	g_array_free(keys, TRUE);
	return ret;
}

static int xdp_counters(struct datapath *dp, struct global_counters *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct global_counters *percpu;
	__u32 zero = 0;

	if (ncpu < 0)
		return ncpu;
	percpu = g_new0(struct global_counters, ncpu);
	if (bpf_map_lookup_elem(bpf_map__fd(to_xdp(dp)->skel->maps.counters), &zero, percpu) < 0) {
		g_free(percpu);
		return -errno;
	}
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < ncpu; c++) {
		const __u64 *src = (const __u64 *)&percpu[c];
		__u64 *dst = (__u64 *)out;

		for (size_t i = 0; i < sizeof(*out) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
	g_free(percpu);
	return 0;
}

static void xdp_input(struct datapath *dp, const struct flow_key *local, struct datapath_packet *pkts, int n,
		      enum datapath_verdict *verdicts)
{
	struct flow_value v;
	struct flow_key egress = { 0 };
	int fd;

	if (xdp_flow_get(dp, local, &v) < 0) {
		for (int i = 0; i < n; i++)
			verdicts[i] = DATAPATH_PASS;
		return;
	}
	egress.addr = v.src_addr;
	egress.port = v.src_port;
	egress.family = local->family;
	g_mutex_lock(&dp->lock);
	fd = datapath_socket_lookup(dp, &egress);
	/* The map's counters stay the kernel's own; the slow path has its totals. */
	flow_apply(&v, fd, pkts, n, verdicts, &dp->slow_path);
	g_mutex_unlock(&dp->lock);
}

static void xdp_kernel_path(struct datapath *dp, char *buf, size_t len)
{
	struct datapath_xdp *x = to_xdp(dp);

	if (x->attach_degraded[0])
		snprintf(buf, len, "degraded: %s", x->attach_degraded);
	else
		nexthop_table_state(x->nexthops, buf, len);
}

/*
 * unpin_links detaches XDP; unpin_maps also forgets the flows. A failed open
 * detaches what it attached but keeps the maps: they may hold adopted flows.
 */
static void xdp_free(struct datapath_xdp *x, bool unpin_links, bool unpin_maps)
{
	GHashTableIter it;
	gpointer ifname, fd;

	nexthop_table_free(x->nexthops);
	g_hash_table_iter_init(&it, x->links);
	while (g_hash_table_iter_next(&it, &ifname, &fd))
		release_link(x, ifname, GPOINTER_TO_INT(fd) - 1, unpin_links);
	g_hash_table_destroy(x->links);
	g_array_free(x->ifindexes, TRUE);
	g_mutex_clear(&x->flows_lock);
	flow_windows_unmap(x->window_slots);
	flow_table_unmap(x->table);
	if (unpin_maps && x->skel)
		bpf_object__unpin_maps(x->skel->obj, NULL);
	rtprelay_bpf__destroy(x->skel);
	if (unpin_maps)
		rmdir(x->bpffs_dir);
	g_free(x->bpffs_dir);
	datapath_fini(&x->dp);
	g_free(x);
}

static void xdp_destroy(struct datapath *dp, bool unpin)
{
	xdp_free(to_xdp(dp), unpin, unpin);
}

static const struct datapath_ops xdp_ops = {
	.name = "xdp",
	.flow_set = xdp_flow_set,
	.flow_delete = xdp_flow_delete,
	.flow_get = xdp_flow_get,
	.flow_foreach = xdp_flow_foreach,
	.counters = xdp_counters,
	.input = xdp_input,
	.kernel_path = xdp_kernel_path,
	.destroy = xdp_destroy,
};

/*
 * An adopted flow whose entry no window in window_slots leads to (a daemon
 * that kept its windows in the hash map flow_windows ran before): its
 * counts from that entry into `flows`, naming no entry (table_slot 0), so
 * that its rewrite takes them from there. This pass ends before any window
 * is handed out: a new window may lie over such an entry and clear it.
 */
static int save_unreachable_counters(const struct flow_key *key, const struct flow_value *val, void *user)
{
	struct datapath_xdp *x = user;
	struct flow_value v = *val;

	if (!v.table_slot || flow_table_slot(x->window_slots, -1, key, false) == (int)v.table_slot - 1)
		return 0;
	v.table_slot = 0;
	bpf_map_update_elem(flows_fd(&x->dp), key, &v, BPF_EXIST);
	return 0;
}

/*
 * The hash map flow_windows that a daemon from before window_slots pinned:
 * nothing reads it once the adopted flows were rewritten (their counts
 * were taken by their entries' table_slot, not through it), so its pin goes
 * rather than stay behind unused and keep the pin directory from being
 * removed. A daemon from before started again creates it anew.
 */
static void forget_old_windows_pin(struct datapath_xdp *x)
{
	g_autofree char *path = g_build_filename(x->bpffs_dir, "flow_windows", NULL);

	if (unlink(path) == 0)
		g_message("removed %s, pinned by an older rtprelayd (its windows are now in window_slots)", path);
	else if (errno != ENOENT)
		g_warning("cannot remove %s, pinned by an older rtprelayd: %s", path, strerror(errno));
}

static int reprogram_flow(const struct flow_key *key, const struct flow_value *val, void *user)
{
	struct datapath_xdp *x = user;

	xdp_flow_set(&x->dp, key, val);
	return 0;
}

static int load_skeleton(struct datapath_xdp *x, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = x->bpffs_dir);

	x->skel = rtprelay_bpf__open_opts(&opts);
	if (!x->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	if (rtprelay_bpf__load(x->skel) < 0) {
		snprintf(err, errlen, "cannot load the XDP program: %s", strerror(errno));
		return -1;
	}
	x->window_slots = flow_windows_map(bpf_map__fd(x->skel->maps.window_slots));
	if (!x->window_slots) {
		snprintf(err, errlen, "cannot map window_slots: %s", strerror(errno));
		return -1;
	}
	x->table = flow_table_map(bpf_map__fd(x->skel->maps.flow_table));
	if (!x->table) {
		snprintf(err, errlen, "cannot map the flow table: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct datapath *datapath_xdp_open(const struct datapath_config *cfg, char *err, size_t errlen)
{
	struct datapath_xdp *x = g_new0(struct datapath_xdp, 1);
	int ret;

	datapath_init(&x->dp, &xdp_ops);
	snprintf(x->dp.why, sizeof(x->dp.why), "configured (--datapath xdp)");
	x->bpffs_dir = g_strdup(cfg->bpffs_dir);
	x->links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	x->ifindexes = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_mutex_init(&x->flows_lock);
	if (prepare_bpffs_dir(x->bpffs_dir, err, errlen) < 0 || load_skeleton(x, err, errlen) < 0)
		goto fail;
	for (const char *const *ifn = cfg->interfaces; ifn && *ifn; ifn++) {
		ret = add_tx_port(x, *ifn);
		if (ret < 0) {
			snprintf(err, errlen, "cannot add %s to the XDP devmap: %s", *ifn, strerror(-ret));
			errno = -ret;
			goto fail;
		}
	}
	for (const char *const *ifn = cfg->interfaces; ifn && *ifn; ifn++) {
		ret = attach_interface(x, *ifn, cfg->xdp_mode);
		if (ret < 0) {
			snprintf(err, errlen, "cannot attach XDP (%s mode) to %s: %s",
				 xdp_attach_mode_name(cfg->xdp_mode), *ifn, strerror(-ret));
			errno = -ret;
			goto fail;
		}
		check_attach_mode(x, *ifn, cfg->xdp_mode);
	}
	x->nexthops =
	    nexthop_table_new((uint32_t *)x->ifindexes->data, x->ifindexes->len, on_nexthop_changed, x, err, errlen);
	if (!x->nexthops)
		goto fail;
	/*
	 * Adopted flows keep their entries and the counts in them (those whose
	 * entry no window leads to take their counts into `flows`); the entries
	 * no flow names go (a daemon without the flow table may have run
	 * meanwhile), and every flow is rewritten: its next hop is from the
	 * previous run and is followed from now on, and a flow the table did
	 * not have gets an entry.
	 */
	xdp_flow_foreach(&x->dp, save_unreachable_counters, x);
	ret = flow_table_sweep(x->window_slots, flows_fd(&x->dp), x->table);
	if (ret < 0)
		g_warning("flow table: cannot check the entries of the adopted windows: %s", strerror(-ret));
	xdp_flow_foreach(&x->dp, reprogram_flow, x);
	forget_old_windows_pin(x);
	return &x->dp;
fail:
	xdp_free(x, true, false);
	return NULL;
}
