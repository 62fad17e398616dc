// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ngcalls: sets up the forwarding benchmark's calls in rtpengine, the way a
 * SIP proxy does, over rtpengine's ng control protocol (bencoded
 * dictionaries over UDP, each message prefixed by a cookie).
 *
 *   ngcalls --ng ADDR:PORT --flows-file FILE > RTPENGINE_FLOWS
 *
 * Every flow of FILE (LOCAL,SRC,DST,EXPECT; bench_common.h) becomes a call:
 * EXPECT (the generator's side, "alice") offers PCMU at its address and
 * port, DST ("bob", the sink's side) answers. rtpengine allocates its own
 * ports; the flow printed for the call is what the generator needs:
 * LOCAL = rtpengine's address and port for alice (from the answer it
 * returns for alice), SRC = its address and port for bob (from the offer
 * it returns for bob), DST and EXPECT as given. SDP is written and read with
 * the daemon's own offer/answer code (sofia-sip underneath).
 *
 * With --delete every call is deleted once answered (offer, answer, delete,
 * then the next call), as the proxy does at BYE: tests/soak.sh's ng calls.
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
#include "sdp/sdp_offer_answer.h"

#define NG_TIMEOUT_MS 2000
#define NG_ATTEMPTS   3
#define NG_MAX	      65536

static gchar *opt_ng;
static gchar *opt_flows_file;
static gboolean opt_delete;

static const GOptionEntry option_entries[] = {
	{ "ng", 0, 0, G_OPTION_ARG_STRING, &opt_ng, "rtpengine's listen-ng address", "ADDR:PORT" },
	{ "flows-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_flows_file, "the calls, one flow each", "FILE" },
	{ "delete", 0, 0, G_OPTION_ARG_NONE, &opt_delete, "delete each call once it is answered", NULL },
	{ NULL },
};

static void bencode_string(GString *out, const char *s)
{
	g_string_append_printf(out, "%zu:%s", strlen(s), s);
}

/* A dictionary of string values; keys given in sorted order, NULL-terminated pairs. */
static void bencode_dict(GString *out, const char *const *kv)
{
	g_string_append_c(out, 'd');
	for (; kv[0]; kv += 2) {
		bencode_string(out, kv[0]);
		bencode_string(out, kv[1]);
	}
	g_string_append_c(out, 'e');
}

/* Skips one bencoded value at *p; false when it is malformed or runs past end. */
static bool bencode_skip(const char **p, const char *end)
{
	char *num_end;
	long len;

	if (*p >= end)
		return false;
	switch (**p) {
	case 'i':
		*p = memchr(*p, 'e', end - *p);
		if (!*p)
			return false;
		(*p)++;
		return true;
	case 'l':
	case 'd':
		(*p)++;
		while (*p < end && **p != 'e')
			if (!bencode_skip(p, end))
				return false;
		if (*p >= end)
			return false;
		(*p)++;
		return true;
	default:
		len = strtol(*p, &num_end, 10);
		if (num_end >= end || *num_end != ':' || len < 0 || len > end - num_end - 1)
			return false;
		*p = num_end + 1 + len;
		return true;
	}
}

/* The string value of `key` in the top-level dictionary [p, end), g_malloc'd, or NULL. */
static char *bencode_dict_get(const char *p, const char *end, const char *key)
{
	if (p >= end || *p++ != 'd')
		return NULL;
	while (p < end && *p != 'e') {
		const char *k = p, *v;
		char *num_end;
		long klen = strtol(k, &num_end, 10);

		if (!bencode_skip(&p, end))
			return NULL;
		v = p;
		if (!bencode_skip(&p, end))
			return NULL;
		if (*num_end == ':' && klen == (long)strlen(key) && !memcmp(num_end + 1, key, klen) && *v != 'd' &&
		    *v != 'l' && *v != 'i') {
			long vlen = strtol(v, &num_end, 10);

			return g_strndup(num_end + 1, vlen);
		}
	}
	return NULL;
}

/* One request and its answer (matched by cookie); the reply's dictionary, g_malloc'd, or NULL. */
static char *ng_request(int fd, unsigned seq, const GString *dict, size_t *len)
{
	g_autofree char *cookie = g_strdup_printf("bench%u", seq);
	g_autoptr(GString) msg = g_string_new(cookie);
	char buf[NG_MAX];

	g_string_append_c(msg, ' ');
	g_string_append_len(msg, dict->str, dict->len);
	for (int attempt = 0; attempt < NG_ATTEMPTS; attempt++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (send(fd, msg->str, msg->len, 0) < 0)
			return NULL;
		while (poll(&pfd, 1, NG_TIMEOUT_MS) == 1) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			size_t clen = strlen(cookie);

			if (n > (ssize_t)clen && !memcmp(buf, cookie, clen) && buf[clen] == ' ') {
				*len = n - clen - 1;
				return g_memdup2(buf + clen + 1, *len);
			}
		}
	}
	errno = ETIMEDOUT;
	return NULL;
}

/* Sends one command; returns 0 with rtpengine's SDP parsed into out (unless
 * out is NULL: a command answered without SDP), or -1 with the reason printed. */
static int ng_command(int fd, unsigned seq, const char *const *kv, struct sdp_media_desc *out)
{
	g_autoptr(GString) dict = g_string_new(NULL);
	g_autofree char *reply = NULL, *result = NULL, *sdp = NULL, *reason = NULL;
	char err[SDP_ERROR_MAX];
	size_t len;

	bencode_dict(dict, kv);
	reply = ng_request(fd, seq, dict, &len);
	if (!reply) {
		fprintf(stderr, "ngcalls: %s to %s: %s\n", kv[3], opt_ng, strerror(errno));
		return -1;
	}
	result = bencode_dict_get(reply, reply + len, "result");
	sdp = bencode_dict_get(reply, reply + len, "sdp");
	if (!result || strcmp(result, "ok") || (out && !sdp)) {
		reason = bencode_dict_get(reply, reply + len, "error-reason");
		fprintf(stderr, "ngcalls: %s: %s (%s)\n", kv[3], result ? result : "no result",
			reason ? reason : "no reason");
		return -1;
	}
	if (out && sdp_media_parse(sdp, strlen(sdp), out, err, sizeof(err)) != SDP_PARSE_OK) {
		fprintf(stderr, "ngcalls: rtpengine's SDP: %s\n", err);
		return -1;
	}
	return 0;
}

static void sdp_local_of(const struct flow_key *ep, unsigned id, char *addr, size_t len, struct sdp_local *l)
{
	*l = (struct sdp_local){ .address = bench_addr_text(ep, addr, len),
				 .rtp_port = ntohs(ep->port),
				 .session_id = id,
				 .session_version = 1,
				 .preferred = SDP_CODEC_PCMU };
}

/* Offer from alice (EXPECT), answer from bob (DST); fills f->local and f->src with rtpengine's ends. */
static int setup_call(int fd, unsigned i, struct bench_flow *f)
{
	g_autofree char *call_id = g_strdup_printf("bench-call-%u", i), *from_tag = g_strdup_printf("alice-%u", i),
			*to_tag = g_strdup_printf("bob-%u", i), *offer = NULL, *answer = NULL;
	char alice_addr[INET6_ADDRSTRLEN + 8], bob_addr[INET6_ADDRSTRLEN + 8];
	struct sdp_local alice, bob;
	struct sdp_media_desc to_bob, to_alice;

	sdp_local_of(&f->expect, i + 1, alice_addr, sizeof(alice_addr), &alice);
	sdp_local_of(&f->dst, i + 1, bob_addr, sizeof(bob_addr), &bob);
	offer = sdp_offer_build(&alice);
	if (!offer || ng_command(fd, 3 * i,
				 (const char *const[]){ "call-id", call_id, "command", "offer", "from-tag", from_tag,
							"sdp", offer, NULL },
				 &to_bob) < 0)
		return -1;
	answer = sdp_answer_build(&to_bob, &bob);
	if (!answer || ng_command(fd, 3 * i + 1,
				  (const char *const[]){ "call-id", call_id, "command", "answer", "from-tag", from_tag,
							 "sdp", answer, "to-tag", to_tag, NULL },
				  &to_alice) < 0)
		return -1;
	if (opt_delete &&
	    ng_command(fd, 3 * i + 2,
		       (const char *const[]){ "call-id", call_id, "command", "delete", "from-tag", from_tag, NULL },
		       NULL) < 0)
		return -1;
	return flow_key_from_sockaddr(&f->local, (struct sockaddr *)&to_alice.rtp_addr) < 0 ||
		       flow_key_from_sockaddr(&f->src, (struct sockaddr *)&to_bob.rtp_addr) < 0
		   ? -1
		   : 0;
}

int main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	struct sockaddr_storage ng;
	socklen_t ng_len;
	GArray *flows;
	int fd;

	if (bench_parse_options("ngcalls", "- set up the benchmark's calls in rtpengine", option_entries, &argc,
				&argv) < 0)
		return 2;
	if (!opt_ng || !opt_flows_file || sockaddr_parse(opt_ng, &ng, &ng_len) < 0) {
		fprintf(stderr, "ngcalls: --ng ADDR:PORT and --flows-file are required\n");
		return 2;
	}
	flows = bench_read_flows(opt_flows_file, &err);
	if (!flows) {
		fprintf(stderr, "ngcalls: %s\n", err->message);
		return 1;
	}
	fd = socket(ng.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ng, ng_len) < 0) {
		fprintf(stderr, "ngcalls: %s: %s\n", opt_ng, strerror(errno));
		return 1;
	}
	for (guint i = 0; i < flows->len; i++) {
		struct bench_flow *f = &g_array_index(flows, struct bench_flow, i);

		if (setup_call(fd, i, f) < 0)
			return 1;
		bench_print_flow(stdout, f);
	}
	close(fd);
	g_array_free(flows, TRUE);
	return 0;
}
