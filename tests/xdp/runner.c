// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Golden-packet tests of the XDP datapath (bpf/rtprelay.bpf.c), in the style
 * of Katran's fixture tables and the kernel's BPF selftests: the rows of
 * cases.c, frames from frame.c, and this runner. For every row it programs
 * the maps, feeds the row's frame to the program with BPF_PROG_TEST_RUN and
 * compares the verdict, the whole output frame (and that its checksums
 * verify), the global counters and the counters of every flow.
 *
 * Runs inside the namespace tests/xdp_packets.sh builds: the flows' next
 * hops name its veths, their MACs and ifindexes.
 *
 * Output is TAP. Usage: xdp_packet_test [SUBSTRING] runs only the cases
 * whose name contains SUBSTRING.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <glib.h>

#include "bpf/flow_abi.h"
#include "lib/flow_table.h"
#include "lib/monotonic.h"
#include "lib/netdev.h"
#include "rtprelay.skel.h"
#include "cases.h"
#include "frame.h"

/* The interfaces of cases_ifaces as the namespace has them. */
struct iface {
	int ifindex;
	uint8_t mac[ETH_ALEN];
	uint8_t peer_mac[ETH_ALEN];
};

static struct iface ifaces[NR_IFACES];

/* Diagnostics */

static const char *verdict_name(int verdict)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT" };

	if (verdict >= 0 && verdict < (int)G_N_ELEMENTS(names))
		return names[verdict];
	return "unknown verdict";
}

/* Counters */

#define GC_FIELD(f)                                     \
	{                                               \
#f, offsetof(struct global_counters, f) \
	}
static const struct {
	const char *name;
	size_t off;
} gc_fields[] = {
	GC_FIELD(forwarded),	    GC_FIELD(passed),		GC_FIELD(dropped_wrong_source),
	GC_FIELD(dropped_hold),	    GC_FIELD(errors),		GC_FIELD(pass_not_udp),
	GC_FIELD(pass_malformed),   GC_FIELD(pass_unsupported), GC_FIELD(pass_no_flow),
	GC_FIELD(pass_not_latched), GC_FIELD(pass_ttl),		GC_FIELD(pass_no_nexthop),
	GC_FIELD(pass_too_big),	    GC_FIELD(pass_vlan),
};
_Static_assert(G_N_ELEMENTS(gc_fields) * sizeof(__u64) == sizeof(struct global_counters),
	       "a field of struct global_counters is missing from gc_fields");

static __u64 *gc_at(struct global_counters *gc, size_t i)
{
	return (__u64 *)((char *)gc + gc_fields[i].off);
}

/* Where the flows are: `flows` alone (as an older daemon left them), or also in the flow table. */
enum placement {
	IN_FLOWS,
	IN_TABLE,
};

static const char *const placement_names[] = { "flows map", "flow table" };

struct runner {
	struct rtprelay_bpf *skel;
	int prog_fd, flows_fd, table_fd, counters_fd, tx_ports_fd;
	struct flow_window *window_slots;
	struct flow_table_entry *table; /* flow_table mapped */
	int ncpus;
	enum placement placement;
	int run, failed;
};

static int read_global_counters(const struct runner *r, struct global_counters *sum)
{
	struct global_counters *per_cpu = calloc(r->ncpus, sizeof(*per_cpu));
	__u32 zero = 0;
	size_t i;
	int cpu, err = 0;

	memset(sum, 0, sizeof(*sum));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(r->counters_fd, &zero, per_cpu))
		err = -errno;
	for (cpu = 0; !err && cpu < r->ncpus; cpu++)
		for (i = 0; i < G_N_ELEMENTS(gc_fields); i++)
			*gc_at(sum, i) += *gc_at(&per_cpu[cpu], i);
	free(per_cpu);
	return err;
}

static bool check_global_counters(GString *d, const struct test_case *c, struct global_counters *before,
				  struct global_counters *after)
{
	struct global_counters want = c->counters;
	bool ok = true;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(gc_fields); i++) {
		__u64 delta = *gc_at(after, i) - *gc_at(before, i);

		if (delta == *gc_at(&want, i))
			continue;
		g_string_append_printf(d, "# counters.%s: expected +%llu, got +%llu\n", gc_fields[i].name,
				       (unsigned long long)*gc_at(&want, i), (unsigned long long)delta);
		ok = false;
	}
	return ok;
}

/* Flow table */

static void flow_addr_set(struct flow_addr *fa, const char *text)
{
	struct ip_addr a;

	frame_parse_addr(text, &a);
	memset(fa, 0, sizeof(*fa));
	memcpy(fa->v6, a.bytes, a.family == AF_INET6 ? 16 : 4);
}

static void flow_key_of(const struct flow_def *f, struct flow_key *key)
{
	memset(key, 0, sizeof(*key));
	flow_addr_set(&key->addr, f->local.addr);
	key->port = htons(f->local.port);
	key->family = strchr(f->local.addr, ':') ? FLOW_AF_INET6 : FLOW_AF_INET;
}

/* What the daemon writes for a next hop out of `via`: that veth's MAC, its peer's, its ifindex. */
static void nexthop_of(const struct nexthop_def *def, struct flow_nexthop *nh)
{
	const struct iface *via = &ifaces[def->via];

	memcpy(nh->smac, via->mac, ETH_ALEN);
	memcpy(nh->dmac, via->peer_mac, ETH_ALEN);
	nh->ifindex = via->ifindex;
	nh->mtu = def->mtu ? def->mtu : ETH_DATA_LEN;
}

static void flow_value_of(const struct flow_def *f, struct flow_value *v)
{
	memset(v, 0, sizeof(*v));
	flow_addr_set(&v->src_addr, f->src.addr);
	flow_addr_set(&v->dst_addr, f->dst.addr);
	flow_addr_set(&v->expect_addr, f->expect.addr);
	v->src_port = htons(f->src.port);
	v->dst_port = htons(f->dst.port);
	v->expect_port = htons(f->expect.port);
	v->flags = f->flags;
	if (f->nexthop.resolved)
		nexthop_of(&f->nexthop, &v->nexthop);
}

/*
 * The case's flow's entry as userspace leaves it between the two
 * increments of its seq: odd, and another flow's fields written already.
 */
static void entry_half_written(const struct runner *r, int slot, enum flow_id as)
{
	struct flow_table_entry *e = &r->table[slot];
	struct flow_value other;

	flow_value_of(&cases_flows[as], &other);
	e->seq |= 1;
	memcpy(&e->value, &other, FLOW_TABLE_HOT_BYTES);
}

/*
 * Every flow afresh, the case's own with packets_before already forwarded
 * where the program counts it: in `flows`, and with IN_TABLE in its flow
 * table entry too (given to the flow anew), as the daemon writes them.
 */
static int program_flows(GString *d, const struct runner *r, const struct test_case *c)
{
	int id, slot;

	if (r->placement == IN_FLOWS)
		flow_table_forget_windows(r->window_slots);
	for (id = NO_FLOW + 1; id < NR_FLOWS; id++) {
		struct flow_value v;
		struct flow_key key;
		bool the_case = id == (int)c->flow;

		flow_key_of(&cases_flows[id], &key);
		flow_value_of(&cases_flows[id], &v);
		slot = r->placement == IN_TABLE ? flow_table_slot(r->window_slots, r->table_fd, &key, true) : -1;
		if (r->placement == IN_TABLE && cases_flows[id].no_window != (slot == -EBUSY)) {
			/* The window slots are not as cases.c has them: the cases would not test what they say. */
			g_string_append_printf(d, "# flow %s:%u: %s expected, flow_table_slot gave %s\n",
					       cases_flows[id].local.addr, cases_flows[id].local.port,
					       cases_flows[id].no_window ? "no table entry (both window slots taken)"
									 : "a table entry",
					       slot >= 0 ? "one" : strerror(-slot));
			return -EINVAL;
		}
		if (the_case && slot < 0)
			v.counters.packets = c->maps.flow_packets_before;
		v.table_slot = slot >= 0 ? slot + 1 : 0;
		if (bpf_map_update_elem(r->flows_fd, &key, &v, BPF_ANY))
			return -errno;
		if (slot < 0)
			continue;
		if (flow_table_write(r->table, slot, &v, true))
			return -ERANGE;
		if (the_case)
			r->table[slot].value.counters.packets = c->maps.flow_packets_before;
		if (the_case && c->maps.entry_written_as != NO_FLOW)
			entry_half_written(r, slot, c->maps.entry_written_as);
	}
	return 0;
}

static int program_tx_ports(const struct runner *r, bool empty)
{
	int i;

	for (i = 0; i < NR_IFACES; i++) {
		__u32 ifindex = ifaces[i].ifindex;

		if (empty) {
			if (bpf_map_delete_elem(r->tx_ports_fd, &ifindex) && errno != ENOENT)
				return -errno;
		} else if (bpf_map_update_elem(r->tx_ports_fd, &ifindex, &ifindex, BPF_ANY)) {
			return -errno;
		}
	}
	return 0;
}

static bool check_flow(GString *d, const struct runner *r, enum flow_id id, const struct flow_counters *want, __u64 t0,
		       __u64 t1)
{
	struct flow_value v;
	struct flow_key key;
	const struct flow_counters *got = &v.counters;
	const char *local = cases_flows[id].local.addr;
	bool ok = true, seen_ok, sampled;

	flow_key_of(&cases_flows[id], &key);
	if (bpf_map_lookup_elem(r->flows_fd, &key, &v) || flow_table_counters(r->table_fd, &v)) {
		g_string_append_printf(d, "# flow %s:%u: lookup failed: %s\n", local, cases_flows[id].local.port,
				       strerror(errno));
		return false;
	}
	/* The run forwarded the flow's want->packets-th packet: sampled if the count before was a multiple. */
	sampled = want->packets && (want->packets - 1) % FLOW_SEEN_SAMPLE == 0;
	seen_ok = sampled ? got->sampled_seen_ns >= t0 && got->sampled_seen_ns <= t1 : got->sampled_seen_ns == 0;
	if (got->packets != want->packets || got->bytes != want->bytes || got->wrong_source != want->wrong_source ||
	    !seen_ok) {
		g_string_append_printf(d,
				       "# flow %s:%u counters: expected packets %llu bytes %llu wrong_source %llu "
				       "sampled_seen %s; got %llu %llu %llu sampled_seen %llu (run %llu..%llu)\n",
				       local, cases_flows[id].local.port, (unsigned long long)want->packets,
				       (unsigned long long)want->bytes, (unsigned long long)want->wrong_source,
				       sampled ? "during the run" : "0", (unsigned long long)got->packets,
				       (unsigned long long)got->bytes, (unsigned long long)got->wrong_source,
				       (unsigned long long)got->sampled_seen_ns, (unsigned long long)t0,
				       (unsigned long long)t1);
		ok = false;
	}
	return ok;
}

static bool check_flows(GString *d, const struct runner *r, const struct test_case *c, __u64 t0, __u64 t1)
{
	static const struct flow_counters untouched;
	bool ok = true;
	int id;

	for (id = NO_FLOW + 1; id < NR_FLOWS; id++)
		ok &= check_flow(d, r, id, id == (int)c->flow ? &c->flow_counters : &untouched, t0, t1);
	return ok;
}

/* Every map a case reads, as the case's row has it. */
static int program_maps(GString *d, const struct runner *r, const struct test_case *c)
{
	int err = program_flows(d, r, c);

	return err ? err : program_tx_ports(r, c->maps.no_tx_ports);
}

/* The runner */

/* The forwarded frame a case expects: the input with the rewrite applied. */
static struct frame_spec rewritten(const struct test_case *c)
{
	struct frame_spec out = c->in;

	out.src = c->out.src;
	out.dst = c->out.dst;
	out.ttl = c->out.ttl;
	out.craft = CRAFT_NONE;
	return out;
}

/* Builds the case's input and expected frames; false on a fault in the table itself. */
static bool build_case(GString *d, const struct test_case *c, struct frame *in, struct frame *want)
{
	static uint8_t payload[FRAME_MAX];
	struct frame_spec out = rewritten(c);
	const struct iface *ing = &ifaces[c->in_if], *eg = &ifaces[c->out.via];

	frame_fill_payload(payload, frame_payload_len(&c->in));
	if (c->in.craft == CRAFT_IN_FFFF)
		frame_craft_udp_sum_ffff(&c->in, payload);
	if (c->in.craft == CRAFT_OUT_FFFF)
		frame_craft_udp_sum_ffff(&out, payload);

	frame_build(in, &c->in, ing->mac, cases_sender_mac, payload);
	if (c->out.src.addr)
		frame_build(want, &out, eg->peer_mac, eg->mac, payload);
	else
		*want = *in;

	if (c->in.craft == CRAFT_IN_FFFF && frame_udp_check(in) != 0xffff) {
		g_string_append(d, "# test bug: input UDP checksum is not 0xffff\n");
		return false;
	}
	if (c->in.craft == CRAFT_OUT_FFFF && frame_udp_check(want) != 0xffff) {
		g_string_append(d, "# test bug: expected UDP checksum is not 0xffff\n");
		return false;
	}
	return true;
}

/* One BPF_PROG_TEST_RUN of the frame, arriving on `in_if`; returns 0 or -errno. */
static int run_prog(const struct runner *r, const struct frame *in, enum iface_id in_if, uint8_t *out, size_t out_size,
		    struct bpf_test_run_opts *opts)
{
	struct xdp_md ctx = {
		.data_end = in->len,
		.ingress_ifindex = ifaces[in_if].ifindex,
	};

	opts->data_in = in->data;
	opts->data_size_in = in->len;
	opts->data_out = out;
	opts->data_size_out = out_size;
	opts->ctx_in = &ctx;
	opts->ctx_size_in = sizeof(ctx);
	opts->repeat = 1;
	return bpf_prog_test_run_opts(r->prog_fd, opts) ? -errno : 0;
}

static bool run_case(struct runner *r, const struct test_case *c, GString *d)
{
	static struct frame in, want;
	static uint8_t got[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct global_counters before, after;
	__u64 t0, t1;
	bool ok = true;
	int err;

	if (!build_case(d, c, &in, &want))
		return false;
	err = program_maps(d, r, c);
	if (!err)
		err = read_global_counters(r, &before);
	if (err) {
		g_string_append_printf(d, "# programming the maps failed: %s\n", strerror(-err));
		return false;
	}

	t0 = monotonic_ns();
	err = run_prog(r, &in, c->in_if, got, sizeof(got), &opts);
	t1 = monotonic_ns();
	if (err) {
		g_string_append_printf(d, "# BPF_PROG_TEST_RUN failed: %s\n", strerror(-err));
		return false;
	}

	if ((int)opts.retval != c->verdict) {
		g_string_append_printf(d, "# verdict: expected %s, got %s (%u)\n", verdict_name(c->verdict),
				       verdict_name(opts.retval), opts.retval);
		ok = false;
	}
	if (opts.data_size_out != want.len || memcmp(got, want.data, want.len)) {
		frame_diff(d, &want, got, opts.data_size_out);
		ok = false;
	}
	if (c->out.src.addr)
		ok &= frame_verify_sums(d, &want.lo, got, opts.data_size_out);
	err = read_global_counters(r, &after);
	if (err) {
		g_string_append_printf(d, "# reading the counters failed: %s\n", strerror(-err));
		return false;
	}
	ok &= check_global_counters(d, c, &before, &after);
	ok &= check_flows(d, r, c, t0, t1);
	return ok;
}

static int lookup_ifaces(void)
{
	int i, err, peer_ifindex;

	for (i = 0; i < NR_IFACES; i++) {
		struct iface *f = &ifaces[i];

		err = netdev_lookup(cases_ifaces[i].name, &f->ifindex, f->mac);
		if (err)
			return err;
		err = netdev_lookup(cases_ifaces[i].peer, &peer_ifindex, f->peer_mac);
		if (err)
			return err;
	}
	return 0;
}

/* Open and load without pinning: no bpffs needed, nothing left behind. */
static int load(struct runner *r)
{
	struct bpf_map *map;
	int err;

	r->skel = rtprelay_bpf__open();
	if (!r->skel)
		return -errno;
	bpf_object__for_each_map(map, r->skel->obj)
	{
		err = bpf_map__set_pin_path(map, NULL);
		if (err)
			return err;
	}
	err = rtprelay_bpf__load(r->skel);
	if (err)
		return err;
	r->prog_fd = bpf_program__fd(r->skel->progs.rtprelay_xdp);
	r->flows_fd = bpf_map__fd(r->skel->maps.flows);
	r->table_fd = bpf_map__fd(r->skel->maps.flow_table);
	r->window_slots = flow_windows_map(bpf_map__fd(r->skel->maps.window_slots));
	if (!r->window_slots)
		return -errno;
	r->table = flow_table_map(r->table_fd);
	if (!r->table)
		return -errno;
	r->counters_fd = bpf_map__fd(r->skel->maps.counters);
	r->tx_ports_fd = bpf_map__fd(r->skel->maps.tx_ports);
	r->ncpus = libbpf_num_possible_cpus();
	return r->ncpus < 0 ? r->ncpus : 0;
}

static int bail(const char *what, int err)
{
	printf("not ok 1 - %s: %s\n1..1\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	struct runner r = { 0 };
	size_t i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = lookup_ifaces();
	if (err)
		return bail("look up relay0/peer0/relay1/peer1 (run me from tests/xdp_packets.sh)", err);
	err = load(&r);
	if (err) {
		rtprelay_bpf__destroy(r.skel);
		return bail("load bpf/rtprelay.bpf.c", err);
	}
	for (i = 0; i < NR_IFACES; i++)
		printf("# %s ifindex %d, next hops at %s\n", cases_ifaces[i].name, ifaces[i].ifindex,
		       cases_ifaces[i].peer);

	/* Every case twice: the flows in `flows` alone, then in the flow table too. */
	for (r.placement = IN_FLOWS; r.placement <= IN_TABLE; r.placement++) {
		for (i = 0; i < cases_count; i++) {
			const struct test_case *c = &cases[i];
			GString *d;
			bool ok;

			if (filter && !strstr(c->name, filter))
				continue;
			if (r.placement == IN_FLOWS && c->maps.entry_written_as != NO_FLOW)
				continue; /* no entry to be half-written */
			d = g_string_new(NULL);
			ok = run_case(&r, c, d);
			r.run++;
			if (!ok)
				r.failed++;
			printf("%s %d - %s (%s)\n%s", ok ? "ok" : "not ok", r.run, c->name,
			       placement_names[r.placement], d->str);
			g_string_free(d, TRUE);
		}
	}
	printf("1..%d\n", r.run);
	if (r.failed)
		printf("# %d of %d cases failed\n", r.failed, r.run);
	flow_windows_unmap(r.window_slots);
	flow_table_unmap(r.table);
	rtprelay_bpf__destroy(r.skel);
	return r.failed ? 1 : 0;
}
