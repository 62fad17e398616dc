// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ngrate: the ng call rate, as a SIP proxy drives an RTP relay: each call is
 * an offer, an answer and a delete over rtpengine's ng protocol (one
 * request after the other's reply), WINDOW calls in flight at a time.
 *
 *   ngrate --ng ADDR:PORT --calls N [--window W] [--peer ADDR]
 *   ngrate --ng ADDR:PORT --wait SECONDS
 *   ngrate --echo ADDR:PORT
 *
 * The first prints one JSON object: the calls completed (all three
 * replies result=ok), those that failed (an error reply, or no reply after
 * NG_ATTEMPTS sends), the seconds, calls per second, and each call's time
 * from offer sent to delete answered (p50, p99). Every run sends the same
 * calls: call-ids ngrate-1.., the offer and answer SDPs naming --peer
 * (PCMU, ports from 30000 up).
 *
 * --wait pings until the server answers (exit 0), or SECONDS pass (exit 1).
 *
 * --echo answers every datagram at once with result=ok and a fixed SDP,
 * doing nothing else: ngrate against it is what the client alone can
 * offer, the ceiling of the figures it measures against a relay.
 */
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_common.h"
#include "lib/bencode.h"

#define NG_RETRY_MS  1000
#define NG_ATTEMPTS  3
#define NG_MAX	     65536
#define WINDOW_MAX   1024
#define MEDIA_PORT_0 30000

static gchar *opt_ng, *opt_echo, *opt_peer = "192.0.2.2";
static gint opt_calls = 1000, opt_window = 16, opt_wait;

static const GOptionEntry option_entries[] = {
	{ "ng", 0, 0, G_OPTION_ARG_STRING, &opt_ng, "the relay's ng address", "ADDR:PORT" },
	{ "calls", 0, 0, G_OPTION_ARG_INT, &opt_calls, "calls to set up and tear down (default 1000)", "N" },
	{ "window", 0, 0, G_OPTION_ARG_INT, &opt_window, "calls in flight at a time (default 16)", "W" },
	{ "peer", 0, 0, G_OPTION_ARG_STRING, &opt_peer, "the IPv4 address the SDPs name (default 192.0.2.2)", "ADDR" },
	{ "wait", 0, 0, G_OPTION_ARG_INT, &opt_wait, "ping until the server answers, at most this long", "SECONDS" },
	{ "echo", 0, 0, G_OPTION_ARG_STRING, &opt_echo, "answer every request with ok at once, here", "ADDR:PORT" },
	{ NULL },
};

enum step { STEP_OFFER, STEP_ANSWER, STEP_DELETE, STEPS };

/* One call in flight: which request it waits for, sent when, how often. */
struct slot {
	unsigned call; /* 1.. */
	enum step step;
	unsigned attempts;
	gint64 started_us, sent_us;
	char cookie[32];
	GString *request; /* the datagram, kept for retransmission */
};

struct run {
	int fd;
	unsigned next_call, completed, failed;
	GArray *durations_us; /* gint64 per completed call */
};

static char *sdp_of(unsigned call, unsigned side)
{
	return g_strdup_printf("v=0\r\no=- %u 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
			       "m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n",
			       call, opt_peer, opt_peer, MEDIA_PORT_0 + 4 * (call % 5000) + 2 * side);
}

/* The request of the slot's step, with a cookie of its own. */
static void build_request(struct slot *s)
{
	static const char *const names[STEPS] = { "offer", "answer", "delete" };
	struct bencode_doc *doc = bencode_doc_new();
	struct bencode_value *d = bencode_new_dict(doc);
	g_autofree char *call_id = g_strdup_printf("ngrate-%u", s->call), *sdp = NULL;

	bencode_dict_set_str(doc, d, "command", names[s->step]);
	bencode_dict_set_str(doc, d, "call-id", call_id);
	bencode_dict_set_str(doc, d, "from-tag", "caller");
	if (s->step == STEP_ANSWER)
		bencode_dict_set_str(doc, d, "to-tag", "callee");
	if (s->step != STEP_DELETE) {
		struct bencode_value *replace = bencode_new_list(doc);

		sdp = sdp_of(s->call, s->step);
		bencode_list_add(replace, bencode_new_str(doc, "origin"));
		bencode_list_add(replace, bencode_new_str(doc, "session-connection"));
		bencode_dict_set_str(doc, d, "sdp", sdp);
		bencode_dict_set(doc, d, "replace", replace);
	}
	g_snprintf(s->cookie, sizeof(s->cookie), "%u_%d", s->call, s->step);
	g_string_assign(s->request, s->cookie);
	g_string_append_c(s->request, ' ');
	bencode_encode(d, s->request);
	bencode_doc_free(doc);
	s->attempts = 0;
}

static void send_request(struct run *r, struct slot *s, gint64 now)
{
	if (send(r->fd, s->request->str, s->request->len, 0) < 0 && errno != EAGAIN)
		fprintf(stderr, "ngrate: send: %s\n", strerror(errno));
	s->sent_us = now;
	s->attempts++;
}

/* The slot takes the next call, if any is left; false when none is. */
static bool start_call(struct run *r, struct slot *s, gint64 now)
{
	if (r->next_call > (unsigned)opt_calls) {
		s->call = 0;
		return false;
	}
	s->call = r->next_call++;
	s->step = STEP_OFFER;
	s->started_us = now;
	build_request(s);
	send_request(r, s, now);
	return true;
}

static void end_call(struct run *r, struct slot *s, bool ok, gint64 now)
{
	if (ok) {
		gint64 d = now - s->started_us;

		r->completed++;
		g_array_append_val(r->durations_us, d);
	} else {
		r->failed++;
	}
	start_call(r, s, now);
}

/* A reply: result=ok moves its call on, anything else fails it. */
static void on_reply(struct run *r, struct slot *slots, int n, const char *buf, size_t len, gint64 now)
{
	const char *space = memchr(buf, ' ', len);
	struct bencode_doc *doc;
	const struct bencode_value *reply;
	bool ok;

	if (!space)
		return;
	for (int i = 0; i < n; i++) {
		struct slot *s = &slots[i];

		if (!s->call || strlen(s->cookie) != (size_t)(space - buf) || memcmp(s->cookie, buf, space - buf))
			continue;
		doc = bencode_doc_new();
		reply = bencode_decode(doc, space + 1, len - (space + 1 - buf), NULL);
		ok = reply && bencode_str_is(bencode_dict_get(reply, "result"), "ok");
		if (!ok && reply && bencode_dict_get(reply, "error-reason") && r->failed < 5)
			fprintf(stderr, "ngrate: call %u: %.*s\n", s->call,
				(int)bencode_dict_get(reply, "error-reason")->str.len,
				bencode_dict_get(reply, "error-reason")->str.data);
		bencode_doc_free(doc);
		if (ok && s->step != STEP_DELETE) {
			s->step++;
			build_request(s);
			send_request(r, s, now);
		} else {
			end_call(r, s, ok, now);
		}
		return;
	}
}

static void retransmit_due(struct run *r, struct slot *slots, int n, gint64 now)
{
	for (int i = 0; i < n; i++) {
		struct slot *s = &slots[i];

		if (!s->call || now - s->sent_us < NG_RETRY_MS * 1000)
			continue;
		if (s->attempts >= NG_ATTEMPTS)
			end_call(r, s, false, now);
		else
			send_request(r, s, now);
	}
}

static gint compare_us(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

static double percentile_ms(GArray *sorted, double p)
{
	if (!sorted->len)
		return 0;
	return g_array_index(sorted, gint64, MIN(sorted->len - 1, (guint)(p * sorted->len))) / 1000.0;
}

static int rate(int fd)
{
	struct run r = { .fd = fd, .next_call = 1, .durations_us = g_array_new(FALSE, FALSE, sizeof(gint64)) };
	int n = CLAMP(opt_window, 1, WINDOW_MAX), active;
	struct slot *slots = g_new0(struct slot, n);
	gint64 t0 = g_get_monotonic_time(), t1;
	char buf[NG_MAX];

	for (int i = 0; i < n; i++) {
		slots[i].request = g_string_new(NULL);
		start_call(&r, &slots[i], t0);
	}
	do {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		gint64 now;

		if (poll(&p, 1, 100) == 1) {
			ssize_t len;

			while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
				on_reply(&r, slots, n, buf, len, g_get_monotonic_time());
		}
		now = g_get_monotonic_time();
		retransmit_due(&r, slots, n, now);
		active = 0;
		for (int i = 0; i < n; i++)
			active += slots[i].call != 0;
	} while (active);
	t1 = g_get_monotonic_time();
	g_array_sort(r.durations_us, compare_us);
	printf("{\"calls\": %d, \"window\": %d, \"completed\": %u, \"failed\": %u, \"seconds\": %.3f, "
	       "\"calls_per_s\": %.1f, \"call_ms\": {\"p50\": %.3f, \"p99\": %.3f}}\n",
	       opt_calls, n, r.completed, r.failed, (t1 - t0) / 1e6, r.completed / ((t1 - t0) / 1e6),
	       percentile_ms(r.durations_us, 0.5), percentile_ms(r.durations_us, 0.99));
	for (int i = 0; i < n; i++)
		g_string_free(slots[i].request, TRUE);
	g_free(slots);
	g_array_free(r.durations_us, TRUE);
	return r.failed ? 1 : 0;
}

/* Any reply to a ping, within `seconds`. */
static int wait_ready(int fd, int seconds)
{
	static const char ping[] = "wait d7:command4:pinge";
	char buf[NG_MAX];

	for (int i = 0; i < 10 * seconds; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		send(fd, ping, sizeof(ping) - 1, 0);
		if (poll(&p, 1, 100) != 1)
			continue;
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			return 0;
		g_usleep(100 * 1000); /* refused: nobody listens yet */
	}
	fprintf(stderr, "ngrate: no answer from %s in %d s\n", opt_ng, seconds);
	return 1;
}

/* The stub relay: "<cookie> d6:result2:ok3:sdp...e" to every datagram with a cookie. */
static int echo(int fd)
{
	g_autofree char *sdp = sdp_of(0, 0);
	g_autofree char *body = g_strdup_printf("d6:result2:ok3:sdp%zu:%se", strlen(sdp), sdp);
	char buf[NG_MAX], out[NG_MAX];

	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
		const char *space = n > 0 ? memchr(buf, ' ', n) : NULL;
		int len;

		if (!space)
			continue;
		len = snprintf(out, sizeof(out), "%.*s %s", (int)(space - buf), buf, body);
		sendto(fd, out, len, 0, (struct sockaddr *)&from, from_len);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *addr;
	int fd;

	if (bench_parse_options("ngrate", "- the ng offer/answer/delete rate", option_entries, &argc, &argv) < 0)
		return 2;
	addr = opt_echo ? opt_echo : opt_ng;
	if (!addr || sockaddr_parse(addr, &ss, &len) < 0 || opt_calls < 1) {
		fprintf(stderr, "ngrate: --ng ADDR:PORT (and --calls N >= 1), or --echo ADDR:PORT\n");
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    (opt_echo ? bind(fd, (struct sockaddr *)&ss, len) : connect(fd, (struct sockaddr *)&ss, len)) < 0) {
		fprintf(stderr, "ngrate: %s: %s\n", addr, strerror(errno));
		return 1;
	}
	if (opt_echo)
		return echo(fd);
	return opt_wait ? wait_ready(fd, opt_wait) : rate(fd);
}
