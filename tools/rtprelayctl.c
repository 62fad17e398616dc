// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelayctl: inspect a running rtprelay. `flows` and `stats` read the
 * pinned BPF maps directly, so they work even while the daemon is down and
 * the kernel keeps forwarding.
 *
 *   rtprelayctl [-j] [--bpffs DIR] flows|stats|help
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "datapath.h"

struct options {
	bool json;
	const char *bpffs;
};

static int usage(FILE *out)
{
	fprintf(out, "Usage: rtprelayctl [-j] [--bpffs DIR] COMMAND\n"
		     "Commands:\n"
		     "  flows   the kernel flow table, with counters\n"
		     "  stats   the datapath's global counters\n"
		     "  help    this text\n"
		     "Options:\n"
		     "  -j, --json    one JSON document\n"
		     "  --bpffs DIR   where the maps are pinned (default " RTPRELAY_BPFFS_DEFAULT ")\n");
	return out == stderr ? 2 : 0;
}

static int open_pinned(const struct options *o, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", o->bpffs, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "rtprelayctl: cannot open %s: %s (is rtprelayd running with the XDP datapath?)\n", path,
			strerror(errno));
	return fd;
}

static const char *addr_port(int family, const struct flow_addr *a, __be16 port, char *buf, size_t len)
{
	struct flow_key k = { .addr = *a, .port = port, .family = family };

	return flow_key_format(&k, buf, len);
}

static double seconds_ago(__u64 mono_ns)
{
	struct timespec now;

	if (!mono_ns)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec * 1e9 + now.tv_nsec - mono_ns) / 1e9;
}

static void print_flow(const struct options *o, const struct flow_key *k, const struct flow_value *v, bool first)
{
	char local[64], src[64], dst[64], expect[64];
	const struct flow_counters *c = &v->counters;

	flow_key_format(k, local, sizeof(local));
	addr_port(k->family, &v->src_addr, v->src_port, src, sizeof(src));
	addr_port(k->family, &v->dst_addr, v->dst_port, dst, sizeof(dst));
	addr_port(k->family, &v->expect_addr, v->expect_port, expect, sizeof(expect));
	if (o->json) {
		printf("%s{\"local\":\"%s\",\"source\":\"%s\",\"destination\":\"%s\",\"expect\":\"%s\","
		       "\"latched\":%s,\"hold\":%s,\"egress_ifindex\":%u,\"packets\":%llu,\"bytes\":%llu,"
		       "\"wrong_source\":%llu,\"idle_seconds\":%.3f}",
		       first ? "" : ",", local, src, dst, expect, v->flags & FLOW_F_LATCHED ? "true" : "false",
		       v->flags & FLOW_F_HOLD ? "true" : "false", v->egress_ifindex, (unsigned long long)c->packets,
		       (unsigned long long)c->bytes, (unsigned long long)c->wrong_source, seconds_ago(c->last_seen_ns));
		return;
	}
	printf("%-24s %-24s %-24s %-24s %-5s %10llu %12llu %8llu\n", local, src, dst,
	       v->flags & FLOW_F_LATCHED ? expect : "-", v->flags & FLOW_F_HOLD ? "hold" : "fwd",
	       (unsigned long long)c->packets, (unsigned long long)c->bytes, (unsigned long long)c->wrong_source);
}

static int cmd_flows(const struct options *o)
{
	struct flow_key key, next;
	struct flow_value val;
	void *prev = NULL;
	bool first = true;
	int fd = open_pinned(o, PIN_FLOWS);

	if (fd < 0)
		return 1;
	if (o->json)
		printf("[");
	else
		printf("%-24s %-24s %-24s %-24s %-5s %10s %12s %8s\n", "LOCAL", "SOURCE", "DESTINATION", "EXPECT",
		       "STATE", "PACKETS", "BYTES", "WRONGSRC");
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val) < 0)
			continue;
		print_flow(o, &key, &val, first);
		first = false;
	}
	if (o->json)
		printf("]\n");
	close(fd);
	return 0;
}

#define COUNTER(name)                                         \
	{                                                     \
#name, offsetof(struct global_counters, name) \
	}
static const struct {
	const char *name;
	size_t offset;
} counter_fields[] = {
	COUNTER(forwarded),	   COUNTER(passed),	      COUNTER(dropped_wrong_source),
	COUNTER(dropped_hold),	   COUNTER(errors),	      COUNTER(pass_not_udp),
	COUNTER(pass_malformed),   COUNTER(pass_unsupported), COUNTER(pass_no_flow),
	COUNTER(pass_not_latched), COUNTER(pass_ttl),	      COUNTER(pass_no_route),
};

static int cmd_stats(const struct options *o)
{
	int ncpu = libbpf_num_possible_cpus(), fd = open_pinned(o, PIN_COUNTERS);
	struct global_counters percpu[ncpu > 0 ? ncpu : 1];
	__u32 zero = 0;

	if (fd < 0)
		return 1;
	if (bpf_map_lookup_elem(fd, &zero, percpu) < 0) {
		fprintf(stderr, "rtprelayctl: cannot read the counters: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf(o->json ? "{" : "");
	for (size_t i = 0; i < G_N_ELEMENTS(counter_fields); i++) {
		unsigned long long sum = 0;

		for (int c = 0; c < ncpu; c++)
			sum += *(const __u64 *)((const char *)&percpu[c] + counter_fields[i].offset);
		if (o->json)
			printf("%s\"%s\":%llu", i ? "," : "", counter_fields[i].name, sum);
		else
			printf("%-22s %llu\n", counter_fields[i].name, sum);
	}
	printf(o->json ? "}\n" : "");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "bpffs", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct options o = { .bpffs = RTPRELAY_BPFFS_DEFAULT };
	int opt;

	while ((opt = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o.json = true;
			break;
		case 'b':
			o.bpffs = optarg;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind >= argc)
		return usage(stderr);
	if (!strcmp(argv[optind], "flows"))
		return cmd_flows(&o);
	if (!strcmp(argv[optind], "stats"))
		return cmd_stats(&o);
	if (!strcmp(argv[optind], "help"))
		return usage(stdout);
	fprintf(stderr, "rtprelayctl: unknown command \"%s\" (try rtprelayctl help)\n", argv[optind]);
	return 2;
}
