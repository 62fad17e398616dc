// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtp_capture: the caller's media port in the SIP tests. It binds the port a
 * SIPp scenario put in its SDP (RTP) and the one above it (RTCP), listens
 * for a while, and prints what a careful listener would say about the
 * stream as one JSON object:
 *
 *   packets, pps           RTP packets and their rate (first to last)
 *   payload_type           of the first packet; pt_changes after it
 *   ssrcs                  distinct SSRCs
 *   seq_jumps, ts_jumps    consecutive packets whose sequence number did
 *                          not advance by 1 / timestamp not by 160
 *   marker_first, markers  marker bit on the first packet; packets with it
 *   payload_len_ok         every payload is 160 octets (20 ms of G.711)
 *   max_gap_ms             longest silence between two RTP packets
 *   hz, peaks              the tone: G.711 decoded, then tone_estimate_hz
 *                          and tone_detect_peaks over --analyse-ms of audio
 *   peak, peak_dbfs        the loudest decoded sample
 *   rtcp_sr, rtcp_bye      RTCP compounds holding an SR / a BYE (port+1)
 *   rtcp_foreign_ssrc      compounds whose SSRC is not the RTP stream's
 *   first_sr_ms            first SR, in ms after the first RTP packet
 *   from, sources          where the RTP came from (first packet); how many
 *                          different sources sent RTP
 *   first_unix_ms, last_unix_ms, rtcp_bye_unix_ms   wall clock, to compare
 *                          with events outside (a BYE's time)
 *   sent                   RTP packets this tool sent (--send-to)
 *
 * With --send-to it also plays a tone from the same RTP socket every 20 ms,
 * as a phone would: that is what makes the relay latch, and in bridge tests
 * each participant sends its own frequency. The destination is an address,
 * "auto" (where the first RTP packet came from, i.e. the relay's port) or
 * @FILE (read from FILE once it appears, e.g. the "relay_media=ADDR:PORT"
 * line a SIPp scenario logs).
 *
 * With --window-ms N it also describes every N ms while it runs, one JSON
 * line per window (the last one may be shorter), to follow a call whose
 * media changes (room members joining and leaving):
 *
 *   window, start_unix_ms, end_unix_ms   its index and wall-clock span
 *   packets, sources, ssrcs   RTP packets, the addresses they came from,
 *                          how many SSRCs
 *   payload_types          the RTP payload types seen
 *   hz, peaks, peak_dbfs   the tone(s) in the window's G.711 audio (each
 *                          packet decoded by its own payload type)
 *   sent, rtcp_packets     RTP packets sent, RTCP packets received
 *
 * It prints "ready" once its sockets are bound (start the call after that),
 * then the JSON line when --duration-ms has passed, --quiet-ms passed
 * without RTP after some had arrived, or on SIGINT/SIGTERM; the last line
 * is always that summary.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/sockaddr_text.h"

#include "lib/g711.h"
#include "lib/rtcp.h"
#include "lib/rtp.h"
#include "lib/tone.h"
#include "tests/support/rtcp_parse.h"
#include "tests/support/tone_analysis.h"

#define FRAME_MS	20
#define MAX_SOURCES	8
#define MAX_PEAKS	4
#define SEND_AMPLITUDE	0.25 /* what a phone sends: well clear of clipping */
#define DEFAULT_SEND_HZ 1000 /* not the relay's 440: the two must be told apart */
#define PKT_MAX		2048

enum { RTP_FD, RTCP_FD };

struct opts {
	struct sockaddr_storage bind;
	socklen_t bind_len;
	bool have_bind;
	bool rtcp;
	long duration_ms;
	long quiet_ms;
	long analyse_ms;
	long window_ms; /* 0: no per-window lines */
	/* sending */
	const char *send_to; /* NULL: do not send */
	unsigned send_hz;
	enum g711_law send_law;
	long send_count; /* -1: until the end */
};

/* Decoded G.711 audio kept for the tone analysis, up to cap samples. */
struct audio {
	int16_t *pcm;
	size_t len, cap;
	int peak; /* the loudest sample */
};

/* The first MAX_SOURCES distinct addresses and SSRCs. */
struct source_set {
	struct sockaddr_storage addr[MAX_SOURCES];
	int n;
};

struct ssrc_set {
	uint32_t ssrc[MAX_SOURCES];
	int n;
};

struct capture {
	/* RTP */
	long packets, invalid;
	int payload_type, pt_changes;
	struct ssrc_set ssrcs;
	long seq_jumps, ts_jumps;
	bool marker_first;
	long markers;
	bool payload_len_ok;
	uint16_t last_seq;
	uint32_t last_ts;
	double first_mono_ms, last_mono_ms, first_unix_ms, last_unix_ms;
	double max_gap_ms;
	struct source_set from;
	struct audio audio; /* of the first payload type */
	/* RTCP */
	long rtcp_packets, rtcp_sr, rtcp_bye, rtcp_invalid;
	long rtcp_foreign_ssrc; /* SR/BYE whose SSRC is not the RTP stream's */
	double first_sr_mono_ms, rtcp_bye_unix_ms;
	struct sockaddr_storage rtcp_from;
	/* sending */
	long sent;
};

/* What --window-ms describes: the RTP of one window of time. */
struct window {
	long index;
	double start_mono_ms, start_unix_ms;
	long packets;
	long sent_before, rtcp_before; /* the capture's totals when it began */
	struct source_set from;
	struct ssrc_set ssrcs;
	bool payload_types[128];
	struct audio audio; /* every G.711 packet */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: rtp_capture --bind ADDR:PORT [--duration-ms MS] [--quiet-ms MS] [--analyse-ms MS]\n"
			"                   [--no-rtcp] [--send-to ADDR:PORT|auto|@FILE] [--send-hz HZ]\n"
			"                   [--send-codec pcmu|pcma] [--send-count N] [--window-ms MS]\n"
			"ADDR:PORT is 192.0.2.1:5000 or [2001:db8::1]:5000; RTCP is received on PORT+1.\n");
	exit(2);
}

static double now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static long parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		usage();
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "quiet-ms", required_argument, NULL, 'q' },
		{ "analyse-ms", required_argument, NULL, 'a' },
		{ "no-rtcp", no_argument, NULL, 'R' },
		{ "send-to", required_argument, NULL, 't' },
		{ "send-hz", required_argument, NULL, 'z' },
		{ "send-codec", required_argument, NULL, 'c' },
		{ "send-count", required_argument, NULL, 'n' },
		{ "window-ms", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .rtcp = true,
			    .duration_ms = 3000,
			    .analyse_ms = 1000,
			    .send_hz = DEFAULT_SEND_HZ,
			    .send_law = G711_ULAW,
			    .send_count = -1 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (sockaddr_parse(optarg, &o->bind, &o->bind_len) < 0)
				usage();
			o->have_bind = true;
			break;
		case 'd':
			o->duration_ms = parse_long(optarg, 1, 3600 * 1000);
			break;
		case 'q':
			o->quiet_ms = parse_long(optarg, 0, 3600 * 1000);
			break;
		case 'a':
			o->analyse_ms = parse_long(optarg, FRAME_MS, 60 * 1000);
			break;
		case 'R':
			o->rtcp = false;
			break;
		case 't':
			o->send_to = optarg;
			break;
		case 'z':
			o->send_hz = parse_long(optarg, TONE_SCAN_MIN_HZ, TONE_SCAN_MAX_HZ);
			break;
		case 'c':
			if (strcmp(optarg, "pcmu") == 0)
				o->send_law = G711_ULAW;
			else if (strcmp(optarg, "pcma") == 0)
				o->send_law = G711_ALAW;
			else
				usage();
			break;
		case 'n':
			o->send_count = parse_long(optarg, 0, 1000000000L);
			break;
		case 'w':
			o->window_ms = parse_long(optarg, 5 * FRAME_MS, 60 * 1000);
			break;
		default:
			usage();
		}
	}
	if (!o->have_bind || optind != argc)
		usage();
}

static int open_socket(const struct sockaddr_storage *ss)
{
	int bufsize = 1 << 20;
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char b[80];

	if (fd < 0) {
		perror("rtp_capture: socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (bind(fd, (const struct sockaddr *)ss, addr_len(ss)) < 0) {
		fprintf(stderr, "rtp_capture: bind %s: %s\n", sockaddr_format(ss, b, sizeof(b)), strerror(errno));
		exit(1);
	}
	return fd;
}

static void add_source(struct source_set *set, const struct sockaddr_storage *from)
{
	for (int i = 0; i < set->n; i++)
		if (sockaddr_equal(&set->addr[i], from))
			return;
	if (set->n < MAX_SOURCES)
		set->addr[set->n++] = *from;
}

static void add_ssrc(struct ssrc_set *set, uint32_t ssrc)
{
	for (int i = 0; i < set->n; i++)
		if (set->ssrc[i] == ssrc)
			return;
	if (set->n < MAX_SOURCES)
		set->ssrc[set->n++] = ssrc;
}

static bool is_g711(int payload_type)
{
	return payload_type == G711_ULAW || payload_type == G711_ALAW;
}

static void audio_alloc(struct audio *a, long ms)
{
	a->cap = (size_t)ms * TONE_SAMPLE_RATE / 1000;
	a->pcm = calloc(a->cap, sizeof(*a->pcm));
	if (!a->pcm) {
		perror("rtp_capture");
		exit(1);
	}
}

/* Decodes a G.711 payload into a, as far as there is room. */
static void add_audio(struct audio *a, const struct rtp_packet *p)
{
	int16_t pcm[PKT_MAX];
	size_t n = p->payload_len;

	g711_decode(p->header.payload_type, p->payload, pcm, n);
	for (size_t i = 0; i < n; i++)
		if (abs(pcm[i]) > a->peak)
			a->peak = abs(pcm[i]);
	if (n > a->cap - a->len)
		n = a->cap - a->len;
	memcpy(a->pcm + a->len, pcm, n * sizeof(pcm[0]));
	a->len += n;
}

static void window_rtp(struct window *w, const struct rtp_packet *p, const struct sockaddr_storage *from)
{
	w->packets++;
	add_source(&w->from, from);
	add_ssrc(&w->ssrcs, p->header.ssrc);
	w->payload_types[p->header.payload_type] = true;
	if (is_g711(p->header.payload_type))
		add_audio(&w->audio, p);
}

static void on_rtp(struct capture *c, struct window *w, const uint8_t *buf, size_t len,
		   const struct sockaddr_storage *from)
{
	struct rtp_packet p;
	double mono = now_ms(CLOCK_MONOTONIC), unix_ms = now_ms(CLOCK_REALTIME);

	if (rtp_parse(buf, len, &p) != RTP_OK || rtcp_is_rtcp(buf, len)) {
		c->invalid++;
		return;
	}
	if (c->packets == 0) {
		c->payload_type = p.header.payload_type;
		c->marker_first = p.header.marker;
		c->first_mono_ms = mono;
		c->first_unix_ms = unix_ms;
	} else {
		if (p.header.payload_type != c->payload_type)
			c->pt_changes++;
		if ((uint16_t)(p.header.seq - c->last_seq) != 1)
			c->seq_jumps++;
		if (p.header.timestamp - c->last_ts != TONE_FRAME_SAMPLES)
			c->ts_jumps++;
		if (mono - c->last_mono_ms > c->max_gap_ms)
			c->max_gap_ms = mono - c->last_mono_ms;
	}
	c->packets++;
	c->last_seq = p.header.seq;
	c->last_ts = p.header.timestamp;
	c->last_mono_ms = mono;
	c->last_unix_ms = unix_ms;
	if (p.header.marker)
		c->markers++;
	if (p.payload_len != TONE_FRAME_SAMPLES)
		c->payload_len_ok = false;
	add_ssrc(&c->ssrcs, p.header.ssrc);
	add_source(&c->from, from);
	if (p.header.payload_type == c->payload_type && is_g711(c->payload_type))
		add_audio(&c->audio, &p);
	if (w)
		window_rtp(w, &p, from);
}

static void on_rtcp(struct capture *c, const uint8_t *buf, size_t len, const struct sockaddr_storage *from)
{
	struct rtcp_compound rc;

	c->rtcp_packets++;
	c->rtcp_from = *from;
	if (rtcp_parse_compound(buf, len, &rc) != RTCP_OK) {
		c->rtcp_invalid++;
		return;
	}
	if (c->ssrcs.n && rc.ssrc != c->ssrcs.ssrc[0])
		c->rtcp_foreign_ssrc++;
	if (rtcp_compound_has(&rc, RTCP_PT_SR)) {
		if (c->rtcp_sr++ == 0)
			c->first_sr_mono_ms = now_ms(CLOCK_MONOTONIC);
	}
	if (rtcp_compound_has(&rc, RTCP_PT_BYE)) {
		c->rtcp_bye++;
		c->rtcp_bye_unix_ms = now_ms(CLOCK_REALTIME);
	}
}

static void drain(int fd, int which, struct capture *c, struct window *w)
{
	uint8_t buf[PKT_MAX];
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return; /* EAGAIN, or an ICMP error from our own sending: nothing to read */
		if (which == RTP_FD)
			on_rtp(c, w, buf, n, &from);
		else
			on_rtcp(c, buf, n, &from);
	}
}

/*
 * The destination of --send-to once it is known: an address at once,
 * "auto" after the first RTP packet, @FILE when the file names one (the
 * text after the last '=' of its first line, so a SIPp log line
 * "relay_media=ADDR:PORT" works as is).
 */
static bool resolve_send_to(const struct opts *o, const struct capture *c, struct sockaddr_storage *to)
{
	socklen_t len;

	if (strcmp(o->send_to, "auto") == 0) {
		if (!c->packets)
			return false;
		*to = c->from.addr[0];
		return true;
	}
	if (o->send_to[0] == '@') {
		char line[256], *s;
		FILE *f = fopen(o->send_to + 1, "r");
		bool ok;

		if (!f)
			return false;
		ok = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		if (!ok)
			return false;
		line[strcspn(line, "\r\n")] = '\0';
		s = strrchr(line, '=');
		return sockaddr_parse(s ? s + 1 : line, to, &len) == 0;
	}
	if (sockaddr_parse(o->send_to, to, &len) < 0) {
		fprintf(stderr, "rtp_capture: --send-to %s: not ADDR:PORT, auto or @FILE\n", o->send_to);
		exit(2);
	}
	return true;
}

struct sender {
	bool active;
	struct sockaddr_storage to;
	struct rtp_sender rtp;
	struct tone tone;
	double next_ms; /* monotonic */
};

static void send_frame(int fd, const struct opts *o, struct sender *s, struct capture *c)
{
	int16_t pcm[TONE_FRAME_SAMPLES];
	uint8_t payload[TONE_FRAME_SAMPLES], pkt[RTP_HEADER_LEN + TONE_FRAME_SAMPLES];
	size_t len;

	tone_fill(&s->tone, pcm, TONE_FRAME_SAMPLES);
	g711_encode(o->send_law, pcm, payload, TONE_FRAME_SAMPLES);
	len = rtp_sender_next(&s->rtp, pkt, sizeof(pkt), payload, sizeof(payload), TONE_FRAME_SAMPLES);
	if (sendto(fd, pkt, len, 0, (const struct sockaddr *)&s->to, addr_len(&s->to)) == (ssize_t)len)
		c->sent++;
}

/* Sends the frames that are due; returns ms until the next one (-1: none). */
static int send_due(int fd, const struct opts *o, struct sender *s, struct capture *c)
{
	double now = now_ms(CLOCK_MONOTONIC);

	if (!o->send_to || (o->send_count >= 0 && c->sent >= o->send_count))
		return -1;
	if (!s->active) {
		if (!resolve_send_to(o, c, &s->to))
			return FRAME_MS; /* look again in a frame's time */
		rtp_sender_init(&s->rtp, o->send_law);
		tone_init(&s->tone, o->send_hz, SEND_AMPLITUDE);
		s->next_ms = now;
		s->active = true;
	}
	/* Absolute deadlines: a late wake-up does not slow the stream down. */
	while (s->next_ms <= now && (o->send_count < 0 || c->sent < o->send_count)) {
		send_frame(fd, o, s, c);
		s->next_ms += FRAME_MS;
	}
	return (int)ceil(s->next_ms - now);
}

/* The tone analysis of some audio, as JSON members: samples, hz, peaks, peak, peak_dbfs. */
static void print_audio(const struct audio *a)
{
	double peaks[MAX_PEAKS], hz = 0;
	int npeaks = 0;

	if (a->len >= TONE_FRAME_SAMPLES) {
		hz = tone_estimate_hz(a->pcm, a->len);
		npeaks = tone_detect_peaks(a->pcm, a->len, peaks, MAX_PEAKS);
	}
	printf("\"samples\":%zu,\"hz\":%.2f,\"peaks\":[", a->len, hz);
	for (int i = 0; i < npeaks; i++)
		printf("%s%.2f", i ? "," : "", peaks[i]);
	printf("],\"peak\":%d,\"peak_dbfs\":%.1f", a->peak, a->peak ? 20 * log10(a->peak / 32768.0) : -120.0);
}

static void print_json(const struct opts *o, struct capture *c)
{
	char bind[80], from[80], rtcp_from[80];
	double span = c->last_mono_ms - c->first_mono_ms;

	printf("{\"bind\":\"%s\",\"packets\":%ld,\"invalid\":%ld,\"pps\":%.2f,\"duration_ms\":%.1f,",
	       sockaddr_format(&o->bind, bind, sizeof(bind)), c->packets, c->invalid,
	       c->packets > 1 && span > 0 ? (c->packets - 1) * 1000.0 / span : 0.0, span);
	printf("\"payload_type\":%d,\"pt_changes\":%d,\"ssrcs\":%d,\"seq_jumps\":%ld,\"ts_jumps\":%ld,",
	       c->packets ? c->payload_type : -1, c->pt_changes, c->ssrcs.n, c->seq_jumps, c->ts_jumps);
	printf("\"seq_ok\":%s,\"ts_ok\":%s,\"marker_first\":%s,\"markers\":%ld,\"payload_len_ok\":%s,",
	       c->packets && !c->seq_jumps ? "true" : "false", c->packets && !c->ts_jumps ? "true" : "false",
	       c->marker_first ? "true" : "false", c->markers, c->packets && c->payload_len_ok ? "true" : "false");
	printf("\"max_gap_ms\":%.1f,", c->max_gap_ms);
	print_audio(&c->audio);
	printf(",\"rtcp_packets\":%ld,\"rtcp_sr\":%ld,\"rtcp_bye\":%ld,\"rtcp_invalid\":%ld,\"first_sr_ms\":%.1f,",
	       c->rtcp_packets, c->rtcp_sr, c->rtcp_bye, c->rtcp_invalid,
	       c->rtcp_sr && c->packets ? c->first_sr_mono_ms - c->first_mono_ms : -1.0);
	printf("\"rtcp_foreign_ssrc\":%ld,", c->rtcp_foreign_ssrc);
	printf("\"from\":\"%s\",\"sources\":%d,\"rtcp_from\":\"%s\",",
	       c->packets ? sockaddr_format(&c->from.addr[0], from, sizeof(from)) : "-", c->from.n,
	       c->rtcp_packets ? sockaddr_format(&c->rtcp_from, rtcp_from, sizeof(rtcp_from)) : "-");
	printf("\"first_unix_ms\":%.1f,\"last_unix_ms\":%.1f,\"rtcp_bye_unix_ms\":%.1f,\"sent\":%ld}\n",
	       c->first_unix_ms, c->last_unix_ms, c->rtcp_bye_unix_ms, c->sent);
	fflush(stdout);
}

static void window_start(struct window *w, long index, double mono_ms, double unix_ms, const struct capture *c)
{
	struct audio audio = w->audio;

	audio.len = 0;
	audio.peak = 0;
	*w = (struct window){ .index = index,
			      .start_mono_ms = mono_ms,
			      .start_unix_ms = unix_ms,
			      .sent_before = c->sent,
			      .rtcp_before = c->rtcp_packets,
			      .audio = audio };
}

static void print_window(const struct window *w, const struct capture *c, double end_mono_ms)
{
	char addr[80];
	int n = 0;

	printf("{\"window\":%ld,\"start_unix_ms\":%.1f,\"end_unix_ms\":%.1f,\"packets\":%ld,\"sources\":[", w->index,
	       w->start_unix_ms, w->start_unix_ms + end_mono_ms - w->start_mono_ms, w->packets);
	for (int i = 0; i < w->from.n; i++)
		printf("%s\"%s\"", i ? "," : "", sockaddr_format(&w->from.addr[i], addr, sizeof(addr)));
	printf("],\"ssrcs\":%d,\"payload_types\":[", w->ssrcs.n);
	for (int pt = 0; pt < 128; pt++)
		if (w->payload_types[pt])
			printf("%s%d", n++ ? "," : "", pt);
	printf("],");
	print_audio(&w->audio);
	printf(",\"sent\":%ld,\"rtcp_packets\":%ld}\n", c->sent - w->sent_before, c->rtcp_packets - w->rtcp_before);
	fflush(stdout);
}

/* Prints the windows that have ended by now and starts the next one; returns ms until it ends. */
static int windows_due(const struct opts *o, struct window *w, const struct capture *c)
{
	double now = now_ms(CLOCK_MONOTONIC), end = w->start_mono_ms + o->window_ms;

	while (end <= now) {
		print_window(w, c, end);
		window_start(w, w->index + 1, end, w->start_unix_ms + o->window_ms, c);
		end += o->window_ms;
	}
	return (int)ceil(end - now);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct capture c = { .payload_len_ok = true };
	struct sender s = { 0 };
	struct window w = { 0 }, *win = NULL;
	struct sockaddr_storage rtcp_addr;
	struct pollfd pfd[2];
	int nfds = 1;
	double end_ms;

	parse_opts(argc, argv, &o);
	audio_alloc(&c.audio, o.analyse_ms);
	if (o.window_ms) {
		audio_alloc(&w.audio, o.window_ms);
		win = &w;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	pfd[RTP_FD] = (struct pollfd){ .fd = open_socket(&o.bind), .events = POLLIN };
	if (o.rtcp) {
		rtcp_addr = o.bind;
		set_port(&rtcp_addr, get_port(&o.bind) + 1);
		pfd[RTCP_FD] = (struct pollfd){ .fd = open_socket(&rtcp_addr), .events = POLLIN };
		nfds = 2;
	}
	printf("ready\n");
	fflush(stdout);

	end_ms = now_ms(CLOCK_MONOTONIC) + o.duration_ms;
	if (win)
		window_start(win, 0, now_ms(CLOCK_MONOTONIC), now_ms(CLOCK_REALTIME), &c);
	while (!stop_requested) {
		double now = now_ms(CLOCK_MONOTONIC);
		int timeout = (int)ceil(end_ms - now), next_send, next_window;

		if (timeout <= 0)
			break;
		if (o.quiet_ms && c.packets && now - c.last_mono_ms >= o.quiet_ms)
			break;
		if (o.quiet_ms && c.packets && timeout > o.quiet_ms - (now - c.last_mono_ms))
			timeout = (int)ceil(o.quiet_ms - (now - c.last_mono_ms));
		next_send = send_due(pfd[RTP_FD].fd, &o, &s, &c);
		if (next_send >= 0 && next_send < timeout)
			timeout = next_send;
		next_window = win ? windows_due(&o, win, &c) : -1;
		if (next_window >= 0 && next_window < timeout)
			timeout = next_window;
		if (poll(pfd, nfds, timeout) < 0 && errno != EINTR) {
			perror("rtp_capture: poll");
			return 1;
		}
		for (int i = 0; i < nfds; i++)
			if (pfd[i].revents & (POLLIN | POLLERR))
				drain(pfd[i].fd, i, &c, win);
	}
	if (win) {
		print_window(win, &c, now_ms(CLOCK_MONOTONIC));
		free(win->audio.pcm);
	}
	print_json(&o, &c);
	free(c.audio.pcm);
	return 0;
}
