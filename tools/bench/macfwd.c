// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * macfwd: the XDP ceiling of the forwarding benchmark.
 *
 *   macfwd --in IF --out IF --dst-mac MAC
 *
 * Attaches tools/bench/bpf/macfwd.bpf.c to IF --in (native): every frame gets
 * MAC as its destination and --out's address as its source and is
 * redirected out of --out through a devmap. No parsing, no lookup: what
 * XDP forwarding costs on this machine before any work is done. Prints
 * "ready" and detaches on SIGTERM or SIGINT.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "lib/netdev.h"
#include "macfwd.skel.h"

static gchar *opt_in;
static gchar *opt_out;
static gchar *opt_dst_mac;

static const GOptionEntry option_entries[] = {
	{ "in", 0, 0, G_OPTION_ARG_STRING, &opt_in, "forward what arrives here", "IF" },
	{ "out", 0, 0, G_OPTION_ARG_STRING, &opt_out, "out of this interface", "IF" },
	{ "dst-mac", 0, 0, G_OPTION_ARG_STRING, &opt_dst_mac, "to this next hop", "MAC" },
	{ NULL },
};

int main(int argc, char **argv)
{
	uint8_t in_mac[ETH_ALEN], out_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	int in_ifindex, out_ifindex, sig, ret;
	struct macfwd_bpf *skel;
	struct bpf_link *link;
	__u32 zero = 0;
	sigset_t sigs;

	if (bench_parse_options("macfwd", "- the least an XDP forwarder can do", option_entries, &argc, &argv) < 0)
		return 2;
	if (!opt_in || !opt_out || !opt_dst_mac || bench_parse_mac(opt_dst_mac, dst_mac) < 0) {
		fprintf(stderr, "macfwd: --in, --out and --dst-mac MAC are required\n");
		return 2;
	}
	ret = netdev_lookup(opt_in, &in_ifindex, in_mac);
	if (ret == 0)
		ret = netdev_lookup(opt_out, &out_ifindex, out_mac);
	if (ret < 0) {
		fprintf(stderr, "macfwd: %s\n", strerror(-ret));
		return 1;
	}
	bench_block_signals(&sigs);
	skel = macfwd_bpf__open();
	if (!skel) {
		fprintf(stderr, "macfwd: %s\n", strerror(errno));
		return 1;
	}
	memcpy((void *)skel->rodata->dst_mac, dst_mac, ETH_ALEN);
	memcpy((void *)skel->rodata->src_mac, out_mac, ETH_ALEN);
	if (macfwd_bpf__load(skel) < 0 ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.out_port), &zero, &out_ifindex, BPF_ANY) < 0) {
		fprintf(stderr, "macfwd: loading: %s\n", strerror(errno));
		macfwd_bpf__destroy(skel);
		return 1;
	}
	link = bpf_program__attach_xdp(skel->progs.macfwd_xdp, in_ifindex);
	if (!link) {
		fprintf(stderr, "macfwd: attaching to %s: %s\n", opt_in, strerror(errno));
		macfwd_bpf__destroy(skel);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&sigs, &sig);
	bpf_link__destroy(link);
	macfwd_bpf__destroy(skel);
	return 0;
}
