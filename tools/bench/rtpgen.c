// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtpgen: an RTP traffic generator that needs no kernel pktgen.
 *
 *   rtpgen --interface IF --dst-mac MAC --flows-file FILE [--rate PPS]
 *          [--warmup-ms MS] [--window-ms MS] [--windows N] [--batch N]
 *          [--spare-cpu CPU] [--sink-pin DIR [--quiet-ms MS]]
 *          [--cpu-pid PID ...] [--prog-id ID]
 *
 * For every flow of FILE (LOCAL,SRC,DST,EXPECT lines, see bench_common.h)
 * it sends Ethernet / IPv4 or IPv6 / UDP / RTP frames with a 160-byte PCMU
 * payload (a 1 kHz tone) from EXPECT to LOCAL, as the far end of a bridged
 * call would; the flows take turns, each with its own SSRC (BENCH_SSRC_BASE
 * + its line number), sequence number and timestamp. Frames leave IF,
 * whose peer is the relay's interface: tools/bench/bpf/rtpgen.bpf.c runs with
 * BPF_PROG_RUN in live-frame mode and returns XDP_TX. --rate paces it;
 * without it, it sends flat out.
 *
 * It sends from the CPU it starts on (taskset it). With --spare-cpu a
 * second thread also sends, from that CPU, at SCHED_IDLE: it takes only the
 * time nothing else on that CPU wants. Put it on the relay's CPU and the
 * relay keeps its core while the generator fills what it leaves idle: a
 * relay that is not saturated is offered more until it is.
 *
 * After --warmup-ms it measures --windows windows of --window-ms: what it
 * sent, how much of that the sink (tools/bench/rtpsink.c, maps pinned under
 * --sink-pin) received, and the CPU time the --cpu-pid processes or threads
 * used (the relay's). Each frame carries its window (bench_abi.h), so a
 * window's frames count as forwarded whenever they arrive (paced, unless
 * BENCH_LATE_MS late: late_pps, the late frames that reached the sink
 * during the window): after the last window it stops sending and waits
 * until the sink has been quiet for --quiet-ms (300 ms without it; up to
 * 10 s), and what a relay still had queued at a window's edges is neither
 * lost nor counted in another window.
 * It prints one JSON line: each window, and the window with the median
 * forwarded rate as "median". With --quiet-ms it also first waits (up to
 * 10 s) until the sink has counted nothing new for that long, so that what
 * a relay still had queued from an earlier run does not count in this one.
 * With --prog-id it turns on BPF run-time statistics (BPF_ENABLE_STATS,
 * for as long as it runs) and reports that program's ns per run in each
 * window ("prog_ns": the relay's XDP program in live traffic, statistics'
 * own cost included).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_frame.h"
#include "lib/netdev.h"
#include "rtpgen.skel.h"

#define TTL		  64
#define MAX_QUIET_WAIT_MS 10000
#define DRAIN_QUIET_MS	  300 /* after the last window, without --quiet-ms */

static gchar *opt_interface;
static gchar *opt_dst_mac;
static gchar *opt_flows_file;
static gint64 opt_rate;
static gint opt_warmup_ms = 1000;
static gint opt_window_ms = 3000;
static gint opt_windows = 1;
/*
 * A live-frame run recycles its pages through a page pool of one batch:
 * with more frames than that in flight in the veth rings (256 each), pages
 * are freed and then allocated and initialised again. The largest batch
 * sends about twice as many frames per CPU second as 64 here.
 */
static gint opt_batch = 256;
static gint opt_spare_cpu = -1;
static gchar *opt_sink_pin;
static gint opt_quiet_ms;
static gchar **opt_cpu_pids;
static gint opt_prog_id;

static const GOptionEntry option_entries[] = {
	{ "interface", 0, 0, G_OPTION_ARG_STRING, &opt_interface, "send out of this interface", "IF" },
	{ "dst-mac", 0, 0, G_OPTION_ARG_STRING, &opt_dst_mac, "MAC of the peer (the relay's interface)", "MAC" },
	{ "flows-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_flows_file, "flows, LOCAL,SRC,DST,EXPECT a line", "FILE" },
	{ "rate", 0, 0, G_OPTION_ARG_INT64, &opt_rate, "frames per second (default: flat out)", "PPS" },
	{ "warmup-ms", 0, 0, G_OPTION_ARG_INT, &opt_warmup_ms, "send this long before measuring (1000)", "MS" },
	{ "window-ms", 0, 0, G_OPTION_ARG_INT, &opt_window_ms, "length of a measurement window (3000)", "MS" },
	{ "windows", 0, 0, G_OPTION_ARG_INT, &opt_windows, "measurement windows (1)", "N" },
	{ "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "frames per live-frame batch, 1-256 (256)", "N" },
	{ "spare-cpu", 0, 0, G_OPTION_ARG_INT, &opt_spare_cpu, "also send from this CPU in its idle time", "CPU" },
	{ "sink-pin", 0, 0, G_OPTION_ARG_FILENAME, &opt_sink_pin, "where rtpsink pinned its maps", "DIR" },
	{ "quiet-ms", 0, 0, G_OPTION_ARG_INT, &opt_quiet_ms, "first wait until the sink is this long quiet", "MS" },
	{ "cpu-pid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_cpu_pids, "a process or thread of the relay", "PID" },
	{ "prog-id", 0, 0, G_OPTION_ARG_INT, &opt_prog_id, "report this BPF program's ns per run", "ID" },
	{ NULL },
};

/* Counters read at a window's edges. */
struct snapshot {
	uint64_t ns;
	struct sink_totals sink;
	double cpu_s;
	__u64 prog_run_ns, prog_runs;
};

struct window {
	double seconds, sent_pps, forwarded_pps, other_pps, late_pps, cpu, prog_ns;
};

static int prog_fd = -1; /* --prog-id */

static double proc_cpu_seconds(const char *pid)
{
	g_autofree gchar *path = g_strdup_printf("/proc/%s/stat", pid), *text = NULL;
	unsigned long utime, stime;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	/* After the command name in parentheses: state is field 3, utime 14, stime 15. */
	p = strrchr(text, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return 0;
	return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

static void take_snapshot(struct snapshot *s, int sink_fd)
{
	memset(s, 0, sizeof(*s));
	s->ns = monotonic_ns();
	if (sink_fd >= 0)
		bench_sink_totals(sink_fd, &s->sink);
	for (gchar **pid = opt_cpu_pids; pid && *pid; pid++)
		s->cpu_s += proc_cpu_seconds(*pid);
	if (prog_fd >= 0) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0) {
			s->prog_run_ns = info.run_time_ns;
			s->prog_runs = info.run_cnt;
		}
	}
}

/* A window's time, other and late frames and CPU from its edges; its own come after the drain (window_frames). */
static void window_between(struct window *w, const struct snapshot *a, const struct snapshot *b)
{
	w->seconds = (b->ns - a->ns) / 1e9;
	w->other_pps = (b->sink.other - a->sink.other) / w->seconds;
	w->late_pps = (b->sink.late - a->sink.late) / w->seconds;
	w->cpu = (b->cpu_s - a->cpu_s) / w->seconds;
	w->prog_ns =
	    b->prog_runs > a->prog_runs ? (double)(b->prog_run_ns - a->prog_run_ns) / (b->prog_runs - a->prog_runs) : 0;
}

static int by_forwarded(const void *a, const void *b)
{
	const struct window *x = a, *y = b;

	return (x->forwarded_pps > y->forwarded_pps) - (x->forwarded_pps < y->forwarded_pps);
}

static void print_window(const char *name, const struct window *w)
{
	printf("%s{\"seconds\":%.3f,\"sent_pps\":%.0f,\"forwarded_pps\":%.0f,\"other_pps\":%.0f,\"late_pps\":%.0f,"
	       "\"relay_cpu\":%.3f",
	       name, w->seconds, w->sent_pps, w->forwarded_pps, w->other_pps, w->late_pps, w->cpu);
	if (prog_fd >= 0)
		printf(",\"prog_ns\":%.1f", w->prog_ns);
	printf("}");
}

struct sender {
	pthread_t thread;
	int prog_fd, ifindex, cpu, idle, err;
	const uint8_t *frame;
	size_t len;
};

#define MAX_SENDERS 2 /* the CPU rtpgen starts on, --spare-cpu */

static void on_stop(int sig)
{
}

/*
 * One BPF_PROG_RUN for the whole run: setting up and tearing down a
 * live-frame run costs an RCU grace period (tens of ms of silence), so the
 * run lasts until the main thread interrupts it with SIGUSR1 (-EINTR).
 */
static void *send_frames(void *arg)
{
	struct sender *s = arg;
	struct sched_param idle = { 0 };
	cpu_set_t cpus;
	struct xdp_md ctx = { .data_end = s->len, .ingress_ifindex = s->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = s->frame, .data_size_in = s->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = opt_batch,
		    .repeat = UINT32_MAX);

	/* The program keeps its state per CPU: a sender must not move. */
	CPU_ZERO(&cpus);
	CPU_SET(s->cpu, &cpus);
	s->err = pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	if (!s->err && s->idle)
		s->err = pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
	if (s->err)
		return NULL;
	while (bpf_prog_test_run_opts(s->prog_fd, &opts) == 0)
		;
	s->err = errno == EINTR ? 0 : errno;
	return NULL;
}

static void sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Until the sink's count has not moved for quiet_ms (at most MAX_QUIET_WAIT_MS). */
static void wait_quiet(int sink_fd, int quiet_ms)
{
	uint64_t start = monotonic_ns(), since = start, last = UINT64_MAX;
	struct snapshot s;

	while (monotonic_ns() - since < quiet_ms * 1000000ull &&
	       monotonic_ns() - start < MAX_QUIET_WAIT_MS * 1000000ull) {
		take_snapshot(&s, sink_fd);
		if (s.sink.packets != last) {
			last = s.sink.packets;
			since = s.ns;
		}
		g_usleep(20000);
	}
}

/* Zeroes the sink's window counts (the sink outlives a run); 0 or -errno. */
static int windows_reset(int window_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 zero[ncpu > 0 ? ncpu : 1];

	memset(zero, 0, sizeof(zero));
	for (__u32 i = 0; i <= BENCH_MAX_WINDOWS; i++)
		if (bpf_map_update_elem(window_fd, &i, zero, BPF_EXIST) < 0)
			return -errno;
	return 0;
}

/*
 * Window i's frames (1-based): sent by all the senders, and received by the
 * sink (window_fd: rtpsink's per-CPU "window_rtp", or -1: none).
 */
static void window_frames(struct rtpgen_bpf *skel, const struct sender *senders, int n, int window_fd, __u32 i,
			  struct window *w)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 sent = 0, received = 0, percpu[ncpu > 0 ? ncpu : 1];

	for (int s = 0; s < n; s++)
		sent += skel->bss->gen_cpus[senders[s].cpu].window_sent[i];
	if (window_fd >= 0 && ncpu > 0 && bpf_map_lookup_elem(window_fd, &i, percpu) == 0)
		for (int c = 0; c < ncpu; c++)
			received += percpu[c];
	w->sent_pps = sent / w->seconds;
	w->forwarded_pps = received / w->seconds;
}

/*
 * Sends until the last window closes, taking a snapshot at each edge and
 * tagging the frames with their window, then waits for the sink to drain;
 * 0 or -errno.
 */
static int run(struct rtpgen_bpf *skel, struct sender *senders, int n, int sink_fd, int window_fd,
	       struct window *windows)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct snapshot prev, now;
	int started, ret = 0;
	uint64_t edge;

	sigaction(SIGUSR1, &sa, NULL);
	for (started = 0; started < n; started++) {
		skel->bss->gen_cpus[senders[started].cpu].next_flow = started;
		ret = pthread_create(&senders[started].thread, NULL, send_frames, &senders[started]);
		if (ret)
			break;
	}
	if (!ret) {
		edge = monotonic_ns() + opt_warmup_ms * 1000000ull;
		for (int i = 0; i <= opt_windows; i++) {
			sleep_until(edge);
			/* From here on the senders tag their frames with the next window (0: none). */
			__atomic_store_n(&skel->bss->window, i < opt_windows ? i + 1 : 0, __ATOMIC_RELAXED);
			take_snapshot(&now, sink_fd);
			if (i > 0)
				window_between(&windows[i - 1], &prev, &now);
			prev = now;
			edge = now.ns + opt_window_ms * 1000000ull;
		}
	}
	for (int i = 0; i < started; i++) {
		pthread_kill(senders[i].thread, SIGUSR1);
		pthread_join(senders[i].thread, NULL);
		ret = ret ?: senders[i].err;
	}
	if (ret)
		return -ret;
	if (sink_fd >= 0)
		wait_quiet(sink_fd, opt_quiet_ms ?: DRAIN_QUIET_MS);
	for (int i = 0; i < opt_windows; i++)
		window_frames(skel, senders, n, window_fd, i + 1, &windows[i]);
	return 0;
}

static int check_options(void)
{
	if (!opt_interface || !opt_dst_mac || !opt_flows_file) {
		fprintf(stderr, "rtpgen: --interface, --dst-mac and --flows-file are required\n");
		return -1;
	}
	if (opt_batch < 1 || opt_batch > 256 || opt_windows < 1 || opt_windows > BENCH_MAX_WINDOWS ||
	    opt_window_ms < 1 || opt_warmup_ms < 0 || opt_rate < 0 || opt_rate > 1000000000 || opt_quiet_ms < 0 ||
	    opt_spare_cpu >= GEN_MAX_CPUS) {
		fprintf(stderr,
			"rtpgen: --batch 1-256, --windows 1-%d, --window-ms > 0, --warmup-ms and --rate >= 0, "
			"--spare-cpu < %d\n",
			BENCH_MAX_WINDOWS, GEN_MAX_CPUS);
		return -1;
	}
	return 0;
}

/* The generator's program with every flow's frame template loaded; NULL on failure. */
static struct rtpgen_bpf *load(GArray *flows, int senders, const uint8_t *dst_mac, const uint8_t *src_mac,
			       uint8_t *frame, size_t *len)
{
	struct rtpgen_bpf *skel = rtpgen_bpf__open();
	uint8_t payload[BENCH_RTP_PAYLOAD];
	int fd;

	if (!skel)
		return NULL;
	skel->rodata->nflows = flows->len;
	skel->rodata->senders = senders;
	skel->rodata->ipv6 = g_array_index(flows, struct bench_flow, 0).local.family == FLOW_AF_INET6;
	skel->rodata->ns_per_frame = opt_rate ? 1000000000ull * senders / opt_rate : 0;
	if (rtpgen_bpf__load(skel) < 0) {
		rtpgen_bpf__destroy(skel);
		return NULL;
	}
	bench_payload(payload);
	fd = bpf_map__fd(skel->maps.gen_flows);
	for (__u32 i = 0; i < flows->len; i++) {
		struct gen_flow gf = { 0 };

		*len = bench_build_frame(frame, &g_array_index(flows, struct bench_flow, i), i, TTL, dst_mac, src_mac,
					 payload);
		memcpy(gf.head, frame, GEN_HEAD_BYTES);
		if (bpf_map_update_elem(fd, &i, &gf, BPF_ANY) < 0) {
			rtpgen_bpf__destroy(skel);
			return NULL;
		}
	}
	return skel;
}

int main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	uint8_t dst_mac[ETH_ALEN], src_mac[ETH_ALEN], frame[BENCH_FRAME_MAX];
	struct window windows[BENCH_MAX_WINDOWS], sorted[BENCH_MAX_WINDOWS];
	g_autofree gchar *sink_path = NULL, *window_path = NULL;
	struct rtpgen_bpf *skel;
	struct sender senders[MAX_SENDERS];
	int ifindex, sink_fd = -1, window_fd = -1, nsenders = 1, ret;
	GArray *flows;
	size_t len = 0;

	if (bench_parse_options("rtpgen", "- send RTP flows out of an interface with XDP", option_entries, &argc,
				&argv) < 0 ||
	    check_options() < 0)
		return 2;
	if (bench_parse_mac(opt_dst_mac, dst_mac) < 0) {
		fprintf(stderr, "rtpgen: bad --dst-mac %s\n", opt_dst_mac);
		return 2;
	}
	ret = netdev_lookup(opt_interface, &ifindex, src_mac);
	if (ret < 0) {
		fprintf(stderr, "rtpgen: %s: %s\n", opt_interface, strerror(-ret));
		return 1;
	}
	flows = bench_read_flows(opt_flows_file, &err);
	if (!flows || flows->len == 0 || flows->len > BENCH_MAX_FLOWS) {
		fprintf(stderr, "rtpgen: %s\n", err ? err->message : "1 to 262144 flows are needed");
		return 1;
	}
	for (guint i = 1; i < flows->len; i++) {
		if (g_array_index(flows, struct bench_flow, i).local.family !=
		    g_array_index(flows, struct bench_flow, 0).local.family) {
			fprintf(stderr, "rtpgen: the flows must all be IPv4 or all IPv6\n");
			return 1;
		}
	}
	if (opt_sink_pin) {
		sink_path = g_strdup_printf("%s/totals", opt_sink_pin);
		window_path = g_strdup_printf("%s/window_rtp", opt_sink_pin);
		sink_fd = bpf_obj_get(sink_path);
		window_fd = sink_fd < 0 ? -1 : bpf_obj_get(window_path);
		if (window_fd < 0) {
			fprintf(stderr, "rtpgen: %s: %s\n", sink_fd < 0 ? sink_path : window_path, strerror(errno));
			return 1;
		}
	}
	if (opt_prog_id) {
		prog_fd = bpf_prog_get_fd_by_id(opt_prog_id);
		if (prog_fd < 0 || bpf_enable_stats(BPF_STATS_RUN_TIME) < 0) {
			fprintf(stderr, "rtpgen: statistics of program %d: %s\n", opt_prog_id, strerror(errno));
			return 1;
		}
	}
	senders[0] = (struct sender){ .cpu = sched_getcpu() };
	if (opt_spare_cpu >= 0)
		senders[nsenders++] = (struct sender){ .cpu = opt_spare_cpu, .idle = 1 };
	if (senders[0].cpu < 0 || senders[0].cpu >= GEN_MAX_CPUS || senders[0].cpu == opt_spare_cpu) {
		fprintf(stderr, "rtpgen: started on CPU %d: needs one below %d, not --spare-cpu\n", senders[0].cpu,
			GEN_MAX_CPUS);
		return 1;
	}
	skel = load(flows, nsenders, dst_mac, src_mac, frame, &len);
	if (!skel) {
		fprintf(stderr, "rtpgen: loading the generator: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < nsenders; i++) {
		senders[i].prog_fd = bpf_program__fd(skel->progs.rtpgen_xdp);
		senders[i].ifindex = ifindex;
		senders[i].frame = frame;
		senders[i].len = len;
	}
	if (sink_fd >= 0 && opt_quiet_ms > 0)
		wait_quiet(sink_fd, opt_quiet_ms);
	/* After the quiet wait: frames of an earlier run's windows still on their way would count in this one's. */
	ret = window_fd >= 0 ? windows_reset(window_fd) : 0;
	if (ret < 0) {
		fprintf(stderr, "rtpgen: zeroing the sink's window counts: %s\n", strerror(-ret));
		rtpgen_bpf__destroy(skel);
		return 1;
	}
	ret = run(skel, senders, nsenders, sink_fd, window_fd, windows);
	if (ret < 0) {
		fprintf(stderr, "rtpgen: BPF_PROG_RUN (live frames) on %s: %s\n", opt_interface, strerror(-ret));
		rtpgen_bpf__destroy(skel);
		return 1;
	}
	memcpy(sorted, windows, opt_windows * sizeof(*windows));
	qsort(sorted, opt_windows, sizeof(*sorted), by_forwarded);
	printf("{\"interface\":\"%s\",\"flows\":%u,\"family\":%d,\"frame_bytes\":%zu,\"rate_pps\":%" G_GINT64_FORMAT
	       ",\"windows\":[",
	       opt_interface, flows->len, skel->rodata->ipv6 ? 6 : 4, len, opt_rate);
	for (int i = 0; i < opt_windows; i++)
		print_window(i ? "," : "", &windows[i]);
	print_window("],\"median\":", &sorted[opt_windows / 2]);
	printf("}\n");
	rtpgen_bpf__destroy(skel);
	g_array_free(flows, TRUE);
	return 0;
}
