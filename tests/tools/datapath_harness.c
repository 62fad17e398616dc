// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * datapath_harness: drives a datapath backend the way rtprelayd does, with
 * no SIP around it, for the namespace tests.
 *
 *   datapath_harness --datapath xdp|userspace|auto --bpffs DIR
 *       --interface IF[,IF] [--xdp-mode auto|native|generic]
 *       --flow LOCAL,SRC,DST,EXPECT [--flow ...] [--unpin-on-exit]
 *
 * Each address is ADDR:PORT or [ADDR6]:PORT. For every flow it binds a UDP
 * socket on LOCAL (and on SRC, the address packets leave from, if no flow
 * has it as LOCAL), registers the sockets with the datapath, programs the
 * flow latched to EXPECT (rewrite to SRC -> DST), and reads the sockets
 * with a media loop whose batches go to datapath_input(). A packet with
 * verdict PASS is one that reached the daemon.
 *
 * Prints "ready" once attached and programmed, then runs the GLib main loop,
 * as the daemon does (the XDP backend follows next-hop changes there). On
 * SIGTERM or SIGINT prints one JSON line (backend, kernel-path state, global
 * counters, flows, per-socket counts) and exits; --unpin-on-exit detaches and unpins, otherwise links and maps stay
 * pinned and keep forwarding, as across a daemon restart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/flow_key.h"
#include "lib/sockaddr_text.h"
#include "datapath/datapath.h"
#include "media/media_loop.h"

/* One relay-local socket and what arrived on it. */
struct harness_socket {
	struct flow_key local;
	int fd;
	struct datapath *dp;
	/* Written by the media thread only; read after it stopped. */
	guint64 received, passed, forwarded, dropped;
};

struct harness_flow {
	struct flow_key key;
	struct flow_value val;
};

struct harness {
	struct datapath *dp;
	GPtrArray *sockets; /* struct harness_socket * */
	GArray *flows;	    /* struct harness_flow */
	struct media_loop *loop;
};

static gchar *opt_datapath = "xdp";
static gchar *opt_bpffs = "/sys/fs/bpf/rtprelay";
static gchar *opt_interfaces;
static gchar *opt_xdp_mode = "auto";
static gchar **opt_flows;
static gboolean opt_unpin;

static const GOptionEntry option_entries[] = {
	{ "datapath", 0, 0, G_OPTION_ARG_STRING, &opt_datapath, "xdp, userspace or auto", "KIND" },
	{ "bpffs", 0, 0, G_OPTION_ARG_STRING, &opt_bpffs, "bpffs directory for pins", "DIR" },
	{ "interface", 0, 0, G_OPTION_ARG_STRING, &opt_interfaces, "interfaces to attach to", "IF[,IF]" },
	{ "xdp-mode", 0, 0, G_OPTION_ARG_STRING, &opt_xdp_mode, "auto, native or generic", "MODE" },
	{ "flow", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_flows, "a latched flow", "LOCAL,SRC,DST,EXPECT" },
	{ "unpin-on-exit", 0, 0, G_OPTION_ARG_NONE, &opt_unpin, "detach and unpin on exit", NULL },
	{ NULL },
};

/* "192.0.2.1:5000" or "[2001:db8::1]:5000" into a flow key. */
static int parse_endpoint(const char *s, struct flow_key *key)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (sockaddr_parse(s, &ss, &len) < 0)
		return -1;
	return flow_key_from_sockaddr(key, (struct sockaddr *)&ss);
}

/* LOCAL,SRC,DST,EXPECT: all four of one family. */
static int parse_flow(const char *s, struct harness_flow *f)
{
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);
	struct flow_key ep[4];

	if (g_strv_length(parts) != 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if (parse_endpoint(parts[i], &ep[i]) < 0 || ep[i].family != ep[0].family)
			return -1;
	memset(f, 0, sizeof(*f));
	f->key = ep[0];
	f->val.src_addr = ep[1].addr;
	f->val.src_port = ep[1].port;
	f->val.dst_addr = ep[2].addr;
	f->val.dst_port = ep[2].port;
	f->val.expect_addr = ep[3].addr;
	f->val.expect_port = ep[3].port;
	f->val.flags = FLOW_F_LATCHED;
	return 0;
}

static void on_batch(void *user, const struct flow_key *local, struct datapath_packet *pkts, int n)
{
	struct harness_socket *s = user;
	enum datapath_verdict verdicts[MEDIA_LOOP_BATCH];

	while (n > 0) {
		int chunk = MIN(n, MEDIA_LOOP_BATCH);

		datapath_input(s->dp, local, pkts, chunk, verdicts);
		for (int i = 0; i < chunk; i++) {
			s->received++;
			if (verdicts[i] == DATAPATH_PASS)
				s->passed++; /* what the daemon would handle: latching, tone */
			else if (verdicts[i] == DATAPATH_FORWARDED)
				s->forwarded++;
			else
				s->dropped++;
		}
		pkts += chunk;
		n -= chunk;
	}
}

static struct harness_socket *find_socket(struct harness *h, const struct flow_key *local)
{
	for (guint i = 0; i < h->sockets->len; i++) {
		struct harness_socket *s = g_ptr_array_index(h->sockets, i);

		if (flow_key_equal(&s->local, local))
			return s;
	}
	return NULL;
}

static int open_socket(struct harness *h, const struct flow_key *local)
{
	struct sockaddr_storage ss;
	struct harness_socket *s;
	socklen_t len;
	char name[80];
	int fd, one = 1, bufsize = 4 << 20;

	if (find_socket(h, local))
		return 0;
	flow_key_to_sockaddr(local, &ss, &len);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		fprintf(stderr, "datapath_harness: bind %s: %s\n", flow_key_format(local, name, sizeof(name)),
			strerror(e));
		close(fd);
		return -e;
	}
	s = g_new0(struct harness_socket, 1);
	s->local = *local;
	s->fd = fd;
	s->dp = h->dp;
	g_ptr_array_add(h->sockets, s);
	datapath_socket_register(h->dp, local, fd);
	return 0;
}

/* Sockets first (the userspace backend sends from them), then the flows. */
static int program(struct harness *h)
{
	char name[80];
	int ret;

	for (guint i = 0; i < h->flows->len; i++) {
		struct harness_flow *f = &g_array_index(h->flows, struct harness_flow, i);
		struct flow_key egress = { .addr = f->val.src_addr, .port = f->val.src_port, .family = f->key.family };

		ret = open_socket(h, &f->key);
		if (ret == 0)
			ret = open_socket(h, &egress);
		if (ret < 0)
			return ret;
	}
	for (guint i = 0; i < h->flows->len; i++) {
		struct harness_flow *f = &g_array_index(h->flows, struct harness_flow, i);

		ret = h->dp->ops->flow_set(h->dp, &f->key, &f->val);
		if (ret < 0) {
			fprintf(stderr, "datapath_harness: flow_set %s: %s\n",
				flow_key_format(&f->key, name, sizeof(name)), strerror(-ret));
			return ret;
		}
	}
	for (guint i = 0; i < h->sockets->len; i++) {
		struct harness_socket *s = g_ptr_array_index(h->sockets, i);

		ret = media_loop_add_socket(h->loop, s->fd, &s->local, on_batch, s);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void endpoint_format(const struct flow_addr *addr, __be16 port, __u8 family, char *buf, size_t len)
{
	struct flow_key k = { .addr = *addr, .port = port, .family = family };

	flow_key_format(&k, buf, len);
}

static void print_counters(const struct global_counters *c)
{
	printf("\"counters\":{\"forwarded\":%llu,\"passed\":%llu,\"dropped_wrong_"
	       "source\":%llu,"
	       "\"dropped_hold\":%llu,\"errors\":%llu,\"pass_not_udp\":%llu,\"pass_"
	       "malformed\":%llu,"
	       "\"pass_unsupported\":%llu,\"pass_no_flow\":%llu,\"pass_not_latched\":"
	       "%llu,\"pass_ttl\":%llu,"
	       "\"pass_no_nexthop\":%llu,\"pass_too_big\":%llu,\"pass_vlan\":%llu}",
	       c->forwarded, c->passed, c->dropped_wrong_source, c->dropped_hold, c->errors, c->pass_not_udp,
	       c->pass_malformed, c->pass_unsupported, c->pass_no_flow, c->pass_not_latched, c->pass_ttl,
	       c->pass_no_nexthop, c->pass_too_big, c->pass_vlan);
}

static int print_flow(const struct flow_key *key, const struct flow_value *v, void *user)
{
	int *first = user;
	char local[80], src[80], dst[80], expect[80];

	flow_key_format(key, local, sizeof(local));
	endpoint_format(&v->src_addr, v->src_port, key->family, src, sizeof(src));
	endpoint_format(&v->dst_addr, v->dst_port, key->family, dst, sizeof(dst));
	endpoint_format(&v->expect_addr, v->expect_port, key->family, expect, sizeof(expect));
	printf("%s{\"local\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\",\"expect\":\"%s\","
	       "\"flags\":%u,"
	       "\"packets\":%llu,\"bytes\":%llu,\"wrong_source\":%llu,\"sampled_seen_"
	       "ns\":%llu}",
	       *first ? "" : ",", local, src, dst, expect, v->flags, v->counters.packets, v->counters.bytes,
	       v->counters.wrong_source, v->counters.sampled_seen_ns);
	*first = 0;
	return 0;
}

/* One line of JSON; the media thread has stopped, so the counts are final. */
static void print_report(struct harness *h)
{
	struct global_counters c = { 0 };
	int first = 1, ret;
	char name[80];

	g_autofree gchar *why = g_strescape(h->dp->why, NULL);
	g_autofree gchar *kernel_path_text = NULL;
	char kernel_path[512];

	h->dp->ops->kernel_path(h->dp, kernel_path, sizeof(kernel_path));
	kernel_path_text = g_strescape(kernel_path, NULL);
	printf("{\"datapath\":\"%s\",\"why\":\"%s\",\"kernel_path\":\"%s\",\"userspace_forwarded\":%" G_GUINT64_FORMAT
	       ",",
	       h->dp->ops->name, why, kernel_path_text, datapath_userspace_forwarded(h->dp));
	ret = h->dp->ops->counters(h->dp, &c);
	if (ret < 0)
		fprintf(stderr, "datapath_harness: counters: %s\n", strerror(-ret));
	print_counters(&c);
	printf(",\"flows\":[");
	h->dp->ops->flow_foreach(h->dp, print_flow, &first);
	printf("],\"sockets\":[");
	for (guint i = 0; i < h->sockets->len; i++) {
		struct harness_socket *s = g_ptr_array_index(h->sockets, i);

		printf("%s{\"local\":\"%s\",\"received\":%" G_GUINT64_FORMAT ",\"reached_daemon\":%" G_GUINT64_FORMAT
		       ",\"forwarded\":%" G_GUINT64_FORMAT ",\"dropped\":%" G_GUINT64_FORMAT "}",
		       i ? "," : "", flow_key_format(&s->local, name, sizeof(name)), s->received, s->passed,
		       s->forwarded, s->dropped);
	}
	printf("]}\n");
	fflush(stdout);
}

static void free_socket(gpointer p)
{
	struct harness_socket *s = p;

	close(s->fd);
	g_free(s);
}

static int parse_options(int argc, char **argv, struct datapath_config *cfg, struct harness *h)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- drive a datapath backend for the tests");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, option_entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "datapath_harness: %s\n", error->message);
		return -1;
	}
	if (datapath_kind_parse(opt_datapath, &cfg->kind) < 0 ||
	    xdp_attach_mode_parse(opt_xdp_mode, &cfg->xdp_mode) < 0) {
		fprintf(stderr, "datapath_harness: bad --datapath or --xdp-mode\n");
		return -1;
	}
	if (!opt_interfaces || !opt_flows) {
		fprintf(stderr, "datapath_harness: --interface and --flow are required\n");
		return -1;
	}
	cfg->bpffs_dir = opt_bpffs;
	cfg->interfaces = (const char *const *)g_strsplit(opt_interfaces, ",", -1);
	for (gchar **f = opt_flows; *f; f++) {
		struct harness_flow flow;

		if (parse_flow(*f, &flow) < 0) {
			fprintf(stderr, "datapath_harness: bad --flow %s (LOCAL,SRC,DST,EXPECT)\n", *f);
			return -1;
		}
		g_array_append_val(h->flows, flow);
	}
	return 0;
}

static gboolean quit_main_loop(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
	struct datapath_config cfg = { 0 };
	struct harness h = { 0 };
	g_autoptr(GMainLoop) main_loop = g_main_loop_new(NULL, FALSE);
	char err[256];
	sigset_t sigs;
	int ret;

	h.flows = g_array_new(FALSE, TRUE, sizeof(struct harness_flow));
	h.sockets = g_ptr_array_new_with_free_func(free_socket);
	if (parse_options(argc, argv, &cfg, &h) < 0)
		return 2;

	/* Blocked before any thread starts, so that only the main loop sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	h.dp = datapath_open(&cfg, err, sizeof(err));
	if (!h.dp) {
		fprintf(stderr, "datapath_harness: %s\n", err);
		return 1;
	}
	h.loop = media_loop_new();
	if (!h.loop) {
		fprintf(stderr, "datapath_harness: media_loop_new: %s\n", strerror(errno));
		return 1;
	}
	ret = program(&h);
	if (ret == 0)
		ret = media_loop_start(h.loop);
	if (ret < 0) {
		fprintf(stderr, "datapath_harness: %s\n", strerror(-ret));
		media_loop_stop_and_free(h.loop);
		datapath_close(h.dp, opt_unpin);
		return 1;
	}
	fprintf(stderr, "datapath_harness: %s datapath (%s), %u flows\n", h.dp->ops->name, h.dp->why, h.flows->len);
	printf("ready\n");
	fflush(stdout);

	g_unix_signal_add(SIGTERM, quit_main_loop, main_loop);
	g_unix_signal_add(SIGINT, quit_main_loop, main_loop);
	pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
	g_main_loop_run(main_loop);

	media_loop_stop_and_free(h.loop);
	print_report(&h);
	datapath_close(h.dp, opt_unpin);
	g_ptr_array_free(h.sockets, TRUE);
	g_array_free(h.flows, TRUE);
	g_strfreev((gchar **)cfg.interfaces);
	return 0;
}
