/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers the benchmark tools (rtpgen, rtpsink, macfwd, benchflows,
 * ngcalls, rtpjitter) share: flow files, MAC addresses, the sink's totals,
 * signals, options.
 *
 * A flow file has one flow a line, LOCAL,SRC,DST,EXPECT, as
 * datapath_harness --flow takes it: packets from EXPECT to LOCAL (the
 * relay's address and port) leave the relay from SRC toward DST. Each
 * address is ADDR:PORT or [ADDR6]:PORT.
 */
#ifndef RTPRELAY_BENCH_COMMON_H
#define RTPRELAY_BENCH_COMMON_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <glib.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>

#include "tools/bench/bpf/bench_abi.h"
#include "datapath/datapath.h"

#include "lib/monotonic.h"
#include "lib/sockaddr_text.h"

struct bench_flow {
	struct flow_key local, src, dst, expect;
};

static inline int bench_parse_endpoint(const char *s, struct flow_key *key)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (sockaddr_parse(s, &ss, &len) < 0)
		return -1;
	return flow_key_from_sockaddr(key, (struct sockaddr *)&ss);
}

/* LOCAL,SRC,DST,EXPECT, all of one family; 0 or -1. */
static inline int bench_parse_flow(const char *line, struct bench_flow *f)
{
	g_auto(GStrv) parts = g_strsplit(g_strstrip((char *)line), ",", -1);
	struct flow_key *ep[4] = { &f->local, &f->src, &f->dst, &f->expect };

	if (g_strv_length(parts) != 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if (bench_parse_endpoint(parts[i], ep[i]) < 0 || ep[i]->family != ep[0]->family)
			return -1;
	return 0;
}

static inline void bench_print_flow(FILE *out, const struct bench_flow *f)
{
	char a[80], b[80], c[80], d[80];

	fprintf(out, "%s,%s,%s,%s\n", flow_key_format(&f->local, a, sizeof(a)), flow_key_format(&f->src, b, sizeof(b)),
		flow_key_format(&f->dst, c, sizeof(c)), flow_key_format(&f->expect, d, sizeof(d)));
}

/* The address of an endpoint without its port: "10.11.0.1" or "fd00:11::1". */
static inline const char *bench_addr_text(const struct flow_key *key, char *buf, size_t len)
{
	struct flow_key k = *key;
	char *colon;

	k.port = 0;
	flow_key_format(&k, buf, len); /* "10.11.0.1:0" or "[fd00:11::1]:0" */
	colon = strrchr(buf, ':');
	*colon = '\0';
	if (buf[0] == '[') {
		colon[-1] = '\0';
		memmove(buf, buf + 1, strlen(buf));
	}
	return buf;
}

/* Every flow of a flow file (blank lines and # comments skipped), or NULL with a message. */
static inline GArray *bench_read_flows(const char *path, GError **err)
{
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	GArray *flows;

	if (!g_file_get_contents(path, &text, NULL, err))
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	flows = g_array_new(FALSE, TRUE, sizeof(struct bench_flow));
	for (int i = 0; lines[i]; i++) {
		struct bench_flow f;

		g_strstrip(lines[i]);
		if (!lines[i][0] || lines[i][0] == '#')
			continue;
		if (bench_parse_flow(lines[i], &f) < 0) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: not LOCAL,SRC,DST,EXPECT: %s", path,
				    i + 1, lines[i]);
			g_array_free(flows, TRUE);
			return NULL;
		}
		g_array_append_val(flows, f);
	}
	return flows;
}

/* "02:00:00:00:00:01"; 0 or -1. */
static inline int bench_parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned v[ETH_ALEN];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != ETH_ALEN)
		return -1;
	for (int i = 0; i < ETH_ALEN; i++) {
		if (v[i] > 0xff)
			return -1;
		mac[i] = v[i];
	}
	return 0;
}

/* The sink's per-CPU totals (map fd of rtpsink's "totals"), summed; 0 or -errno. */
static inline int bench_sink_totals(int fd, struct sink_totals *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sink_totals percpu[ncpu];
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (ncpu < 0)
		return ncpu;
	if (bpf_map_lookup_elem(fd, &zero, percpu) < 0)
		return -errno;
	for (int c = 0; c < ncpu; c++) {
		out->packets += percpu[c].packets;
		out->bytes += percpu[c].bytes;
		out->rtp += percpu[c].rtp;
		out->other += percpu[c].other;
		out->late += percpu[c].late;
	}
	return 0;
}

/* Blocks SIGTERM and SIGINT (before any thread starts) so that bench_wait_signal() takes them. */
static inline void bench_block_signals(sigset_t *sigs)
{
	sigemptyset(sigs);
	sigaddset(sigs, SIGTERM);
	sigaddset(sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
}

/* Parses GOption entries; prints the error and returns -1 on failure. */
static inline int bench_parse_options(const char *tool, const char *summary, const GOptionEntry *entries, int *argc,
				      char ***argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(summary);
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		fprintf(stderr, "%s: %s\n", tool, error->message);
		return -1;
	}
	return 0;
}

#endif
