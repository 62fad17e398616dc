// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * benchflows: the flows of the forwarding benchmark, through the datapath
 * API (userspace/datapath.h), as rtprelayd programs them.
 *
 *   benchflows layout --flows N [--family 4|6] [--pktgen]
 *       Prints N flows, LOCAL,SRC,DST,EXPECT a line (bench_common.h). Flow i
 *       is (k, p) = (i mod K, i mod P) for the smallest K with K*P = N,
 *       P <= 20000 and K, P coprime: relay address 10.11.0.(1+k) port
 *       10000+p, from the peer 10.12.0.(1+k) port 30000+p, forwarded from
 *       10.13.0.(1+k) port 10000+p to 10.14.0.(1+k) port 30000+p (IPv6:
 *       fd00:11::(1+k) and so on). Addresses and ports step together, so
 *       kernel pktgen, which steps the destination address and port (and
 *       the source's) by one each frame, sends exactly these flows: with
 *       --pktgen it prints the tools/bench/pktgen_rtp.sh ranges that do.
 *
 *   benchflows program --flows-file FILE --bpffs DIR --interface IF[,IF]
 *       Opens the XDP datapath on the interfaces, programs every flow
 *       latched (flow_set), prints one JSON line and "ready", and on
 *       SIGTERM or SIGINT detaches and unpins.
 *
 *   benchflows rate --flows N --bpffs DIR
 *       Flow programming: adds N layout flows, then deletes them, timing
 *       both; the flow map's memlock (bpftool's figure, from fdinfo) empty
 *       and full gives the kernel memory of one flow. No interface needed.
 *
 *   benchflows cost --flows N --bpffs DIR --interface IN,OUT [--runs R]
 *       The XDP program's cost per packet (BPF_PROG_RUN with repeat, ns per
 *       run as the kernel times it) for a flow hit (forwarded: XDP_REDIRECT
 *       out of OUT), a miss (XDP_PASS) and a wrong source (XDP_DROP), with N
 *       flows in the map. The hit flow forwards to the address it is keyed
 *       by (routed out of OUT), so the rewritten frame hits again on the
 *       next run; the TTL (255) limits one BPF_PROG_RUN to 250 runs.
 *       Beside them, what the hit spends in helpers (tools/bench/bpf/helpercost.bpf.c):
 *       an empty program (the cost of a run itself), bpf_fib_lookup of the
 *       hit's addresses, bpf_ktime_get_ns and bpf_ktime_get_coarse_ns.
 *
 *   benchflows walk --flows N [--family 4|6] --bpffs DIR --interface IN,OUT
 *                   [--runs R] [--rounds K] [--shuffled] [--live --sink-pin DIR]
 *       The program's cost per packet over a table of N flows, walked
 *       round-robin (tools/bench/bpf/flowwalk.bpf.c writes the next flow's
 *       frame and tail-calls the program under test): in the layout's
 *       order, as rtpgen sends them, or with --shuffled in a random order
 *       fixed for the run, as unrelated phones would send them (a table
 *       indexed by port would otherwise profit from the generator's
 *       order); beside the trivial redirect (tools/bench/bpf/macfwd.bpf.c)
 *       and the walk alone, taken in turn R runs each, K rounds: a loaded
 *       machine slows all three alike. Prints each one's ns per run, the
 *       lowest and the median of the rounds, and checks that every run of
 *       the datapath forwarded (its global counters).
 *       With --live --sink-pin DIR the kernel runs the walk as a driver runs
 *       XDP (BPF_F_TEST_XDP_LIVE_FRAMES: frames from a page pool in batches,
 *       every verdict carried out, a redirected frame sent), and the share
 *       of each target's runs that the sink (rtpsink, maps pinned under
 *       DIR) counted is printed beside its ns per run.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <glib.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_frame.h"
#include "datapath/datapath.h"
#include "lib/netdev.h"
#include "flowwalk.skel.h"
#include "helpercost.skel.h"
#include "macfwd.skel.h"

#define MAX_ADDRS	  250
#define MAX_PORTS	  20000
#define LOCAL_PORT	  10000
#define PEER_PORT	  30000
#define HIT_PORT	  60000 /* the cost test's own flow, outside the layout's ports */
#define HIT_TTL		  255
#define HIT_RUNS_PER_CALL 250

static gint opt_flows = 1;
static gint opt_family = 4;
static gboolean opt_pktgen;
static gchar *opt_flows_file;
static gchar *opt_bpffs;
static gchar *opt_interfaces;
static gint opt_runs = 1000000;
static gint opt_rounds = 5;
static gboolean opt_shuffled;
static gboolean opt_live;
static gchar *opt_sink_pin;

static const GOptionEntry option_entries[] = {
	{ "flows", 0, 0, G_OPTION_ARG_INT, &opt_flows, "number of flows", "N" },
	{ "family", 0, 0, G_OPTION_ARG_INT, &opt_family, "4 or 6 (layout)", "F" },
	{ "pktgen", 0, 0, G_OPTION_ARG_NONE, &opt_pktgen, "print pktgen_rtp.sh ranges (layout)", NULL },
	{ "flows-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_flows_file, "flows to program (program)", "FILE" },
	{ "bpffs", 0, 0, G_OPTION_ARG_FILENAME, &opt_bpffs, "the datapath's bpffs directory", "DIR" },
	{ "interface", 0, 0, G_OPTION_ARG_STRING, &opt_interfaces, "attach XDP here", "IF[,IF]" },
	{ "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "program runs per case (cost, walk: 1000000)", "R" },
	{ "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds, "rounds of the cases taken in turn (walk, 5)", "K" },
	{ "shuffled", 0, 0, G_OPTION_ARG_NONE, &opt_shuffled, "walk the flows in a random order (walk)", NULL },
	{ "live", 0, 0, G_OPTION_ARG_NONE, &opt_live, "send the redirected frames for real (walk; needs --sink-pin)",
	  NULL },
	{ "sink-pin", 0, 0, G_OPTION_ARG_FILENAME, &opt_sink_pin, "where rtpsink pinned its maps (walk --live)",
	  "DIR" },
	{ NULL },
};

struct layout {
	unsigned addrs, ports;
};

/* The smallest K with K * P = n, P <= MAX_PORTS, gcd(K, P) = 1; -1 if none. */
static int layout_choose(unsigned n, struct layout *l)
{
	for (unsigned k = 1; k <= MAX_ADDRS; k++) {
		unsigned p = n / k, a = k, b = p;

		if (n % k || p > MAX_PORTS)
			continue;
		while (b) {
			unsigned t = a % b;

			a = b;
			b = t;
		}
		if (a == 1) {
			l->addrs = k;
			l->ports = p;
			return 0;
		}
	}
	return -1;
}

/* 10.NET.0.(1+k) or fd00:NET::(1+k) (NET in hex reads as the decimal 10.NET), port. */
static void layout_endpoint(struct flow_key *key, int family, unsigned net, unsigned k, unsigned port)
{
	memset(key, 0, sizeof(*key));
	key->port = htons(port);
	if (family == 4) {
		key->family = FLOW_AF_INET;
		key->addr.v4 = htonl(10u << 24 | net << 16 | (1 + k));
	} else {
		key->family = FLOW_AF_INET6;
		key->addr.v6[0] = 0xfd;
		key->addr.v6[2] = 0;
		key->addr.v6[3] = (net / 10) << 4 | (net % 10);
		key->addr.v6[14] = (1 + k) >> 8;
		key->addr.v6[15] = (1 + k) & 0xff;
	}
}

static void layout_flow(const struct layout *l, int family, unsigned i, struct bench_flow *f)
{
	unsigned k = i % l->addrs, p = i % l->ports;

	layout_endpoint(&f->local, family, 11, k, LOCAL_PORT + p);
	layout_endpoint(&f->expect, family, 12, k, PEER_PORT + p);
	layout_endpoint(&f->src, family, 13, k, LOCAL_PORT + p);
	layout_endpoint(&f->dst, family, 14, k, PEER_PORT + p);
}

static GArray *layout_flows(unsigned n, int family)
{
	GArray *flows = g_array_sized_new(FALSE, TRUE, sizeof(struct bench_flow), n);
	struct layout l;

	if (layout_choose(n, &l) < 0) {
		fprintf(stderr, "benchflows: no layout for %u flows (K addresses x P <= %u ports, coprime)\n", n,
			MAX_PORTS);
		g_array_free(flows, TRUE);
		return NULL;
	}
	g_array_set_size(flows, n);
	for (unsigned i = 0; i < n; i++)
		layout_flow(&l, family, i, &g_array_index(flows, struct bench_flow, i));
	return flows;
}

static void flow_value_of(const struct bench_flow *f, struct flow_value *v)
{
	memset(v, 0, sizeof(*v));
	v->src_addr = f->src.addr;
	v->src_port = f->src.port;
	v->dst_addr = f->dst.addr;
	v->dst_port = f->dst.port;
	v->expect_addr = f->expect.addr;
	v->expect_port = f->expect.port;
	v->flags = FLOW_F_LATCHED;
}

static int cmd_layout(void)
{
	GArray *flows = layout_flows(opt_flows, opt_family);
	struct layout l;

	if (!flows)
		return 1;
	if (opt_pktgen) {
		const struct bench_flow *first = &g_array_index(flows, struct bench_flow, 0);
		const struct bench_flow *last = &g_array_index(flows, struct bench_flow, flows->len - 1);
		char a[64], b[64], c[64], d[64];

		layout_choose(opt_flows, &l);
		if (opt_family == 6 && l.addrs > 1) {
			fprintf(stderr,
				"benchflows: pktgen steps IPv6 addresses only at random: at most %d IPv6 flows\n",
				MAX_PORTS);
			g_array_free(flows, TRUE);
			return 1;
		}
		/* The last flow has the highest address (k = K-1) and port (p = P-1). */
		printf("%s-d %s-%s -p %u-%u -s %s-%s -P %u-%u\n", opt_family == 6 ? "-6 " : "",
		       bench_addr_text(&first->local, a, sizeof(a)), bench_addr_text(&last->local, b, sizeof(b)),
		       LOCAL_PORT, LOCAL_PORT + l.ports - 1, bench_addr_text(&first->expect, c, sizeof(c)),
		       bench_addr_text(&last->expect, d, sizeof(d)), PEER_PORT, PEER_PORT + l.ports - 1);
	} else {
		for (guint i = 0; i < flows->len; i++)
			bench_print_flow(stdout, &g_array_index(flows, struct bench_flow, i));
	}
	g_array_free(flows, TRUE);
	return 0;
}

static struct datapath *open_xdp(char *const *interfaces)
{
	struct datapath_config cfg = {
		.kind = DATAPATH_XDP,
		.xdp_mode = XDP_ATTACH_NATIVE,
		.bpffs_dir = opt_bpffs,
		.interfaces = (const char *const *)interfaces,
	};
	struct datapath *dp;
	char err[256];

	dp = datapath_open(&cfg, err, sizeof(err));
	if (!dp)
		fprintf(stderr, "benchflows: %s\n", err);
	return dp;
}

/* flow_set every flow; 0 or -errno. */
static int program_flows(struct datapath *dp, GArray *flows)
{
	struct flow_value v;
	char name[80];
	int ret;

	for (guint i = 0; i < flows->len; i++) {
		const struct bench_flow *f = &g_array_index(flows, struct bench_flow, i);

		flow_value_of(f, &v);
		ret = dp->ops->flow_set(dp, &f->local, &v);
		if (ret < 0) {
			fprintf(stderr, "benchflows: flow_set %s: %s\n", flow_key_format(&f->local, name, sizeof(name)),
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int cmd_program(void)
{
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) ifs = NULL;
	struct datapath *dp;
	GArray *flows;
	uint64_t t0;
	sigset_t sigs;
	int sig, ret;

	if (!opt_flows_file || !opt_bpffs || !opt_interfaces) {
		fprintf(stderr, "benchflows program: --flows-file, --bpffs and --interface are required\n");
		return 2;
	}
	flows = bench_read_flows(opt_flows_file, &err);
	if (!flows) {
		fprintf(stderr, "benchflows: %s\n", err->message);
		return 1;
	}
	bench_block_signals(&sigs);
	ifs = g_strsplit(opt_interfaces, ",", -1);
	dp = open_xdp(ifs);
	if (!dp)
		return 1;
	t0 = monotonic_ns();
	ret = program_flows(dp, flows);
	if (ret == 0) {
		printf("{\"flows\":%u,\"seconds\":%.3f}\nready\n", flows->len, (monotonic_ns() - t0) / 1e9);
		fflush(stdout);
		sigwait(&sigs, &sig);
	}
	datapath_close(dp, true);
	g_array_free(flows, TRUE);
	return ret ? 1 : 0;
}

/* The flow map's memlock as bpftool shows it (fdinfo), or -1. */
static long long flows_memlock(void)
{
	g_autofree gchar *pin = g_strdup_printf("%s/" PIN_FLOWS, opt_bpffs), *path = NULL, *text = NULL;
	long long memlock = -1;
	const char *p;
	int fd = bpf_obj_get(pin);

	if (fd < 0)
		return -1;
	path = g_strdup_printf("/proc/self/fdinfo/%d", fd);
	if (g_file_get_contents(path, &text, NULL, NULL) && (p = strstr(text, "memlock:")))
		memlock = strtoll(p + strlen("memlock:"), NULL, 10);
	close(fd);
	return memlock;
}

static int cmd_rate(void)
{
	GArray *flows = layout_flows(opt_flows, opt_family);
	long long mem_empty, mem_full;
	double add_s, del_s;
	struct datapath *dp;
	uint64_t t0;
	char name[80];
	int ret = 0;

	if (!flows)
		return 1;
	if (!opt_bpffs) {
		fprintf(stderr, "benchflows rate: --bpffs is required\n");
		return 2;
	}
	dp = open_xdp(NULL);
	if (!dp)
		return 1;
	mem_empty = flows_memlock();
	t0 = monotonic_ns();
	ret = program_flows(dp, flows);
	add_s = (monotonic_ns() - t0) / 1e9;
	mem_full = flows_memlock();
	t0 = monotonic_ns();
	for (guint i = 0; i < flows->len && ret == 0; i++) {
		const struct bench_flow *f = &g_array_index(flows, struct bench_flow, i);

		ret = dp->ops->flow_delete(dp, &f->local);
		if (ret < 0)
			fprintf(stderr, "benchflows: flow_delete %s: %s\n",
				flow_key_format(&f->local, name, sizeof(name)), strerror(-ret));
	}
	del_s = (monotonic_ns() - t0) / 1e9;
	if (ret == 0)
		printf("{\"flows\":%u,\"add_per_s\":%.0f,\"delete_per_s\":%.0f,\"memlock_empty\":%lld,"
		       "\"memlock_full\":%lld,\"bytes_per_flow\":%.0f}\n",
		       flows->len, flows->len / add_s, flows->len / del_s, mem_empty, mem_full,
		       (double)(mem_full - mem_empty) / flows->len);
	datapath_close(dp, true);
	g_array_free(flows, TRUE);
	return ret ? 1 : 0;
}

/*
 * ns per run of `frame` on the program, as if it had arrived on ifindex; -1
 * on error or another verdict. With --live (walk) the kernel runs it as a
 * driver would, frames from a page pool in batches of 64, and carries out
 * the verdicts: a redirected frame is sent (BPF_F_TEST_XDP_LIVE_FRAMES). It
 * reports no verdict then: the caller checks what arrived.
 */
static double cost_of(int prog_fd, int ifindex, const uint8_t *frame, size_t len, unsigned per_call, __u32 verdict)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .flags = opt_live ? BPF_F_TEST_XDP_LIVE_FRAMES : 0);
	double ns = 0;
	unsigned done = 0;

	while (done < (unsigned)opt_runs) {
		opts.repeat = MIN(per_call, opt_runs - done);
		if (bpf_prog_test_run_opts(prog_fd, &opts) < 0 || (!opt_live && opts.retval != verdict))
			return -1;
		ns += (double)opts.duration * opts.repeat;
		done += opts.repeat;
	}
	return ns / done;
}

/* ns per run of each helpercost program (nothing, fib_lookup, ktime, ktime_coarse); 0 or -1. */
static int helper_costs(const struct bench_flow *hit, int ifindex, const uint8_t *frame, size_t len, double ns[4])
{
	struct helpercost_bpf *skel = helpercost_bpf__open();
	int ret = 0;

	if (!skel)
		return -1;
	skel->rodata->family = hit->src.family;
	skel->rodata->src4 = hit->src.addr.v4;
	skel->rodata->dst4 = hit->dst.addr.v4;
	memcpy((void *)skel->rodata->src6, hit->src.addr.v6, 16);
	memcpy((void *)skel->rodata->dst6, hit->dst.addr.v6, 16);
	if (helpercost_bpf__load(skel) < 0) {
		helpercost_bpf__destroy(skel);
		return -1;
	}
	ns[0] = cost_of(bpf_program__fd(skel->progs.nothing), ifindex, frame, len, opt_runs, XDP_PASS);
	ns[1] = cost_of(bpf_program__fd(skel->progs.fib_lookup), ifindex, frame, len, opt_runs, XDP_PASS);
	ns[2] = cost_of(bpf_program__fd(skel->progs.ktime), ifindex, frame, len, opt_runs, XDP_PASS);
	ns[3] = cost_of(bpf_program__fd(skel->progs.ktime_coarse), ifindex, frame, len, opt_runs, XDP_PASS);
	for (int i = 0; i < 4; i++)
		ret |= ns[i] < 0 ? -1 : 0;
	helpercost_bpf__destroy(skel);
	return ret;
}

static int cmd_cost(void)
{
	g_auto(GStrv) ifs = opt_interfaces ? g_strsplit(opt_interfaces, ",", -1) : NULL;
	uint8_t in_mac[ETH_ALEN], out_mac[ETH_ALEN], payload[BENCH_RTP_PAYLOAD], frame[BENCH_FRAME_MAX];
	struct bench_flow hit, miss, wrong;
	double hit_ns, miss_ns, wrong_ns, helper_ns[4];
	int in_ifindex, out_ifindex, prog_fd, ret;
	struct datapath *dp;
	GArray *flows;
	__u32 prog_id = 0;
	size_t len;

	if (!opt_bpffs || !ifs || g_strv_length(ifs) != 2 || opt_flows < 1 || opt_runs < 1) {
		fprintf(stderr, "benchflows cost: --bpffs, --interface IN,OUT and --flows >= 1 are required\n");
		return 2;
	}
	ret = netdev_lookup(ifs[0], &in_ifindex, in_mac);
	if (ret == 0)
		ret = netdev_lookup(ifs[1], &out_ifindex, out_mac);
	if (ret < 0) {
		fprintf(stderr, "benchflows: %s\n", strerror(-ret));
		return 1;
	}
	flows = opt_flows > 1 ? layout_flows(opt_flows - 1, opt_family) : g_array_new(FALSE, TRUE, sizeof(hit));
	if (!flows)
		return 1;
	/* Keyed by the first layout flow's destination (routed out of OUT), forwarded to itself. */
	layout_flow(&(struct layout){ 1, 1 }, opt_family, 0, &hit);
	hit.local = hit.dst;
	hit.local.port = htons(HIT_PORT);
	hit.dst = hit.local;
	hit.expect.port = htons(HIT_PORT);
	hit.src = hit.expect;
	g_array_append_val(flows, hit);
	miss = hit;
	miss.local.port = htons(HIT_PORT + 1);
	wrong = hit;
	wrong.expect.port = htons(HIT_PORT + 1);

	dp = open_xdp(ifs);
	if (!dp)
		return 1;
	ret = program_flows(dp, flows);
	if (ret == 0 && bpf_xdp_query_id(in_ifindex, XDP_FLAGS_DRV_MODE, &prog_id) < 0)
		ret = -errno;
	prog_fd = ret == 0 ? bpf_prog_get_fd_by_id(prog_id) : -1;
	if (prog_fd < 0) {
		fprintf(stderr, "benchflows: the program attached to %s: %s\n", ifs[0], strerror(errno));
		datapath_close(dp, true);
		return 1;
	}
	bench_payload(payload);
	len = bench_build_frame(frame, &hit, 0, HIT_TTL, in_mac, in_mac, payload);
	hit_ns = cost_of(prog_fd, in_ifindex, frame, len, HIT_RUNS_PER_CALL, XDP_REDIRECT);
	len = bench_build_frame(frame, &miss, 0, HIT_TTL, in_mac, in_mac, payload);
	miss_ns = cost_of(prog_fd, in_ifindex, frame, len, opt_runs, XDP_PASS);
	len = bench_build_frame(frame, &wrong, 0, HIT_TTL, in_mac, in_mac, payload);
	wrong_ns = cost_of(prog_fd, in_ifindex, frame, len, opt_runs, XDP_DROP);
	close(prog_fd);
	ret = helper_costs(&hit, in_ifindex, frame, len, helper_ns);
	datapath_close(dp, true);
	g_array_free(flows, TRUE);
	if (hit_ns < 0 || miss_ns < 0 || wrong_ns < 0 || ret < 0) {
		fprintf(stderr, "benchflows: a case did not get its verdict (hit %.0f, miss %.0f, wrong source %.0f)\n",
			hit_ns, miss_ns, wrong_ns);
		return 1;
	}
	printf(
	    "{\"flows\":%d,\"runs\":%d,\"hit_ns\":%.1f,\"miss_ns\":%.1f,\"wrong_source_ns\":%.1f,"
	    "\"helpers_ns\":{\"run\":%.1f,\"fib_lookup\":%.1f,\"ktime_get_ns\":%.1f,\"ktime_get_coarse_ns\":%.1f}}\n",
	    opt_flows, opt_runs, hit_ns, miss_ns, wrong_ns, helper_ns[0], helper_ns[1], helper_ns[2], helper_ns[3]);
	return 0;
}

/* The order of the walk: the layout's, or with --shuffled a random permutation of it. */
static __u32 *walk_order(unsigned n)
{
	__u32 *order = g_new(__u32, n);

	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	for (unsigned i = n - 1; opt_shuffled && i > 0; i--) {
		unsigned j = g_random_int_range(0, i + 1);
		__u32 t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	return order;
}

/* The walk's frames: the headers of the flows in the walk's order, as rtpgen sends them to IN. */
static struct flowwalk_bpf *walk_load(GArray *flows, const uint8_t in_mac[ETH_ALEN], uint8_t *frame, size_t *len)
{
	struct flowwalk_bpf *skel = flowwalk_bpf__open();
	g_autofree __u32 *order = walk_order(flows->len);
	uint8_t payload[BENCH_RTP_PAYLOAD];
	struct gen_flow gf = { 0 };
	int fd;

	if (!skel)
		return NULL;
	skel->rodata->nflows = flows->len;
	if (bpf_map__set_max_entries(skel->maps.walk_frames, flows->len) < 0 || flowwalk_bpf__load(skel) < 0) {
		flowwalk_bpf__destroy(skel);
		return NULL;
	}
	bench_payload(payload);
	fd = bpf_map__fd(skel->maps.walk_frames);
	for (__u32 i = 0; i < flows->len; i++) {
		*len = bench_build_frame(frame, &g_array_index(flows, struct bench_flow, order[i]), order[i], 64,
					 in_mac, in_mac, payload);
		memcpy(gf.head, frame, GEN_HEAD_BYTES);
		if (bpf_map_update_elem(fd, &i, &gf, BPF_ANY) < 0) {
			flowwalk_bpf__destroy(skel);
			return NULL;
		}
	}
	/* The frame the runs start from: the first flow's, whole (the heads are rewritten per run). */
	*len = bench_build_frame(frame, &g_array_index(flows, struct bench_flow, 0), 0, 64, in_mac, in_mac, payload);
	return skel;
}

static struct macfwd_bpf *trivial_load(int out_ifindex, const uint8_t out_mac[ETH_ALEN])
{
	struct macfwd_bpf *skel = macfwd_bpf__open();
	__u32 zero = 0;

	if (!skel)
		return NULL;
	memcpy((void *)skel->rodata->dst_mac, out_mac, ETH_ALEN);
	memcpy((void *)skel->rodata->src_mac, out_mac, ETH_ALEN);
	if (macfwd_bpf__load(skel) < 0 ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.out_port), &zero, &out_ifindex, BPF_ANY) < 0) {
		macfwd_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

enum walk_target { WALK_ALONE, WALK_TRIVIAL, WALK_RTPRELAY, WALK_TARGETS };

static const char *const walk_target_names[WALK_TARGETS] = { "walk_alone", "trivial", "rtprelay" };

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* What the sink has counted (walk --live), or 0 if it cannot be read. */
static __u64 sink_packets(int sink_fd)
{
	struct sink_totals t;

	return sink_fd >= 0 && bench_sink_totals(sink_fd, &t) == 0 ? t.packets : 0;
}

/*
 * Every round times each target in turn; ns[target][round], and with --live
 * the share of the runs the sink received, delivered[target][round]. 0, or
 * -1 with a message.
 */
static int walk_rounds(struct flowwalk_bpf *walk, const int target_fds[WALK_TARGETS], int in_ifindex,
		       const uint8_t *frame, size_t len, struct datapath *dp, int sink_fd, double *ns[WALK_TARGETS],
		       double *delivered[WALK_TARGETS])
{
	static const __u32 verdicts[WALK_TARGETS] = { XDP_DROP, XDP_REDIRECT, XDP_REDIRECT };
	int walk_fd = bpf_program__fd(walk->progs.walk_xdp), map_fd = bpf_map__fd(walk->maps.walk_target);
	struct global_counters before, after;
	__u64 sunk;
	__u32 zero = 0;

	for (int r = 0; r < opt_rounds; r++) {
		for (int t = 0; t < WALK_TARGETS; t++) {
			if (bpf_map_update_elem(map_fd, &zero, &target_fds[t], BPF_ANY) < 0 ||
			    dp->ops->counters(dp, &before) < 0)
				return -1;
			sunk = sink_packets(sink_fd);
			ns[t][r] = cost_of(walk_fd, in_ifindex, frame, len, opt_runs, verdicts[t]);
			if (ns[t][r] < 0 || dp->ops->counters(dp, &after) < 0) {
				fprintf(stderr, "benchflows: %s did not return %u\n", walk_target_names[t],
					verdicts[t]);
				return -1;
			}
			if (t == WALK_RTPRELAY && after.forwarded - before.forwarded != (__u64)opt_runs) {
				fprintf(stderr, "benchflows: the datapath forwarded %llu of %d runs\n",
					(unsigned long long)(after.forwarded - before.forwarded), opt_runs);
				return -1;
			}
			if (opt_live) {
				g_usleep(50000); /* the sink's NAPI drains the last batch once we yield */
				delivered[t][r] = (double)(sink_packets(sink_fd) - sunk) / opt_runs;
			}
		}
	}
	return 0;
}

static int cmd_walk(void)
{
	g_auto(GStrv) ifs = opt_interfaces ? g_strsplit(opt_interfaces, ",", -1) : NULL;
	uint8_t in_mac[ETH_ALEN], out_mac[ETH_ALEN], frame[BENCH_FRAME_MAX];
	struct flowwalk_bpf *walk = NULL;
	struct macfwd_bpf *trivial = NULL;
	int in_ifindex, out_ifindex, fds[WALK_TARGETS] = { -1, -1, -1 }, sink_fd = -1, ret;
	double *ns[WALK_TARGETS], *delivered[WALK_TARGETS];
	struct datapath *dp;
	__u32 prog_id = 0;
	GArray *flows;
	size_t len = 0;

	if (!opt_bpffs || !ifs || g_strv_length(ifs) != 2 || opt_runs < 1 || opt_rounds < 1 ||
	    opt_live != !!opt_sink_pin) {
		fprintf(stderr,
			"benchflows walk: --bpffs and --interface IN,OUT are required, --live with --sink-pin\n");
		return 2;
	}
	if (opt_live) {
		g_autofree gchar *path = g_strdup_printf("%s/totals", opt_sink_pin);

		sink_fd = bpf_obj_get(path);
		if (sink_fd < 0) {
			fprintf(stderr, "benchflows walk: %s: %s (is rtpsink running?)\n", path, strerror(errno));
			return 1;
		}
	}
	ret = netdev_lookup(ifs[0], &in_ifindex, in_mac);
	if (ret == 0)
		ret = netdev_lookup(ifs[1], &out_ifindex, out_mac);
	flows = ret == 0 ? layout_flows(opt_flows, opt_family) : NULL;
	if (!flows)
		return 1;
	dp = open_xdp(ifs);
	if (!dp)
		return 1;
	ret = program_flows(dp, flows);
	if (ret == 0 && bpf_xdp_query_id(in_ifindex, XDP_FLAGS_DRV_MODE, &prog_id) == 0)
		fds[WALK_RTPRELAY] = bpf_prog_get_fd_by_id(prog_id);
	walk = walk_load(flows, in_mac, frame, &len);
	trivial = trivial_load(out_ifindex, out_mac);
	if (walk)
		fds[WALK_ALONE] = bpf_program__fd(walk->progs.walk_drop);
	if (trivial)
		fds[WALK_TRIVIAL] = bpf_program__fd(trivial->progs.macfwd_xdp);
	for (int t = 0; t < WALK_TARGETS; t++) {
		ns[t] = g_new0(double, opt_rounds);
		delivered[t] = g_new0(double, opt_rounds);
	}
	ret = -1;
	if (fds[WALK_ALONE] >= 0 && fds[WALK_TRIVIAL] >= 0 && fds[WALK_RTPRELAY] >= 0)
		ret = walk_rounds(walk, fds, in_ifindex, frame, len, dp, sink_fd, ns, delivered);
	else
		fprintf(stderr, "benchflows: cannot load the walk: %s\n", strerror(errno));
	if (ret == 0) {
		printf("{\"flows\":%d,\"family\":%d,\"order\":\"%s\",\"live\":%s,\"runs\":%d,\"rounds\":%d", opt_flows,
		       opt_family, opt_shuffled ? "shuffled" : "layout", opt_live ? "true" : "false", opt_runs,
		       opt_rounds);
		for (int t = 0; t < WALK_TARGETS; t++) {
			qsort(ns[t], opt_rounds, sizeof(double), compare_double);
			printf(",\"%s_ns\":{\"min\":%.1f,\"median\":%.1f}", walk_target_names[t], ns[t][0],
			       ns[t][opt_rounds / 2]);
			if (opt_live) {
				qsort(delivered[t], opt_rounds, sizeof(double), compare_double);
				printf(",\"%s_delivered\":%.4f", walk_target_names[t], delivered[t][0]);
			}
		}
		printf("}\n");
	}
	for (int t = 0; t < WALK_TARGETS; t++) {
		g_free(ns[t]);
		g_free(delivered[t]);
	}
	if (sink_fd >= 0)
		close(sink_fd);
	if (fds[WALK_RTPRELAY] >= 0)
		close(fds[WALK_RTPRELAY]);
	macfwd_bpf__destroy(trivial);
	flowwalk_bpf__destroy(walk);
	datapath_close(dp, true);
	g_array_free(flows, TRUE);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (bench_parse_options("benchflows", "layout|program|rate|cost|walk - the benchmark's flows", option_entries,
				&argc, &argv) < 0)
		return 2;
	cmd = argc > 1 ? argv[1] : "";
	if (opt_flows < 1 || opt_flows > BENCH_MAX_FLOWS || (opt_family != 4 && opt_family != 6)) {
		fprintf(stderr, "benchflows: --flows 1-%d, --family 4 or 6\n", BENCH_MAX_FLOWS);
		return 2;
	}
	if (!strcmp(cmd, "layout"))
		return cmd_layout();
	if (!strcmp(cmd, "program"))
		return cmd_program();
	if (!strcmp(cmd, "rate"))
		return cmd_rate();
	if (!strcmp(cmd, "cost"))
		return cmd_cost();
	if (!strcmp(cmd, "walk"))
		return cmd_walk();
	fprintf(stderr, "usage: benchflows layout|program|rate|cost|walk [OPTIONS] (--help)\n");
	return 2;
}
