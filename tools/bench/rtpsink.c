// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtpsink: the receiving end of the forwarding benchmark.
 *
 *   rtpsink --interface IF --pin DIR [--flows N]
 *
 * Attaches tools/bench/bpf/rtpsink.bpf.c to IF (native XDP: on a veth that also
 * turns on the NAPI that frames redirected to it need), which counts every
 * frame, counts the generator's RTP per flow (by SSRC) and drops them all.
 * Its maps are pinned under DIR (DIR/totals: struct sink_totals per CPU) so
 * that rtpgen reads the totals at its window edges. Prints "ready", then on
 * SIGTERM or SIGINT one JSON line: the totals, how many of flows 0..N-1
 * received something, and the fewest and most packets a flow received;
 * then detaches and unpins.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <glib.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "lib/netdev.h"
#include "rtpsink.skel.h"

static gchar *opt_interface;
static gchar *opt_pin;
static gint opt_flows;

static const GOptionEntry option_entries[] = {
	{ "interface", 0, 0, G_OPTION_ARG_STRING, &opt_interface, "count and drop what arrives here", "IF" },
	{ "pin", 0, 0, G_OPTION_ARG_FILENAME, &opt_pin, "pin the counters under this bpffs directory", "DIR" },
	{ "flows", 0, 0, G_OPTION_ARG_INT, &opt_flows, "flows 0..N-1 to report on", "N" },
	{ NULL },
};

static void print_report(struct rtpsink_bpf *skel)
{
	struct sink_totals t;
	__u64 min = 0, max = 0, n;
	__u32 seen = 0;

	bench_sink_totals(bpf_map__fd(skel->maps.totals), &t);
	for (__u32 i = 0; i < (__u32)opt_flows; i++) {
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.flow_packets), &i, &n) < 0)
			n = 0;
		seen += n > 0;
		min = i == 0 || n < min ? n : min;
		max = MAX(max, n);
	}
	printf(
	    "{\"packets\":%llu,\"bytes\":%llu,\"rtp\":%llu,\"other\":%llu,\"late\":%llu,\"flows\":%d,\"flows_seen\":%u,"
	    "\"flow_min\":%llu,\"flow_max\":%llu}\n",
	    t.packets, t.bytes, t.rtp, t.other, t.late, opt_flows, seen, min, max);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint8_t mac[ETH_ALEN];
	struct rtpsink_bpf *skel;
	struct bpf_link *link;
	sigset_t sigs;
	int ifindex, sig, ret;

	if (bench_parse_options("rtpsink", "- count and drop the frames that arrive on an interface", option_entries,
				&argc, &argv) < 0)
		return 2;
	if (!opt_interface || !opt_pin || opt_flows < 0 || opt_flows > BENCH_MAX_FLOWS) {
		fprintf(stderr, "rtpsink: --interface and --pin are required; --flows 0-%d\n", BENCH_MAX_FLOWS);
		return 2;
	}
	ret = netdev_lookup(opt_interface, &ifindex, mac);
	if (ret < 0) {
		fprintf(stderr, "rtpsink: %s: %s\n", opt_interface, strerror(-ret));
		return 1;
	}
	bench_block_signals(&sigs);
	skel = rtpsink_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "rtpsink: loading the sink: %s\n", strerror(errno));
		return 1;
	}
	if (bpf_object__pin_maps(skel->obj, opt_pin) < 0) {
		fprintf(stderr, "rtpsink: pinning under %s: %s\n", opt_pin, strerror(errno));
		rtpsink_bpf__destroy(skel);
		return 1;
	}
	link = bpf_program__attach_xdp(skel->progs.rtpsink_xdp, ifindex);
	if (!link) {
		fprintf(stderr, "rtpsink: attaching to %s: %s\n", opt_interface, strerror(errno));
		bpf_object__unpin_maps(skel->obj, opt_pin);
		rtpsink_bpf__destroy(skel);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&sigs, &sig);
	print_report(skel);
	bpf_link__destroy(link);
	bpf_object__unpin_maps(skel->obj, opt_pin);
	rmdir(opt_pin);
	rtpsink_bpf__destroy(skel);
	return 0;
}
