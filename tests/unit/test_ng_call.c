// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ng calls (userspace/ng/ng_call.c) on the daemon's real media layer with
 * the userspace datapath, over 127.0.0.1: an offer and an answer make two
 * UDP peers hear each other through the relay ports their SDPs name; a
 * re-offer keeps the ports; query counts the packets; delete and the RTP
 * timeout return every port; and offers and answers that make no sense are
 * refused with a reason, leaving nothing behind; a new call while
 * draining or at max-calls is refused as such. The flags: direction puts
 * each side on its named media address, asymmetric keeps a side to its
 * SDP's address, label names a side in query and in the legs listed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config_runtime.h"
#include "media/media_clock.h"
#include "media/flow_totals.h"
#include "media/media_env.h"
#include "media/media_loop.h"
#include "media/media_stream.h"
#include "media/port_pool.h"
#include "ng/ng_call.h"

struct fixture {
	struct config cfg;
	struct media_env media;
	struct flow_totals retired_flows;
	struct ng_calls *calls;
	bool refused; /* whether the last offer was refused as a new call (draining, max-calls) */
	int a, b;     /* the two peers' sockets */
	uint16_t a_port, b_port;
};

static int bound_socket(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, len) < 0 || getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return -1;
	*port = ntohs(sin.sin_port);
	return fd;
}

static int setup(void **state)
{
	static const char *const no_interfaces[] = { NULL };
	struct datapath_config dc = { .kind = DATAPATH_USERSPACE, .interfaces = no_interfaces };
	struct fixture *f = g_new0(struct fixture, 1);
	char err[200];
	/* A range of its own per process: tests running side by side do not collide. */
	uint16_t min = 30000 + 2 * (getpid() % 10000);

	config_set_defaults(&f->cfg);
	g_strlcpy(f->cfg.media_ip, "127.0.0.1", sizeof(f->cfg.media_ip));
	f->cfg.media_family = AF_INET;
	f->cfg.rtp_port_min = min;
	f->cfg.rtp_port_max = min + 99;
	f->media.cfg = &f->cfg;
	flow_totals_init(&f->retired_flows);
	f->media.retired_flows = &f->retired_flows;
	f->media.dp = datapath_open(&dc, err, sizeof(err));
	f->media.ports = port_pool_new(f->cfg.rtp_port_min, f->cfg.rtp_port_max);
	f->media.loop = media_loop_new();
	if (!f->media.dp || !f->media.loop || media_loop_start(f->media.loop) < 0 ||
	    !(f->media.clock = media_clock_start(f->media.loop, &f->cfg)))
		return -1;
	f->calls = ng_calls_new(&f->cfg, &f->media);
	f->a = bound_socket(&f->a_port);
	f->b = bound_socket(&f->b_port);
	*state = f;
	return f->a < 0 || f->b < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ng_calls_free(f->calls);
	assert_int_equal(port_pool_in_use(f->media.ports), 0);
	media_clock_stop(f->media.clock);
	media_loop_stop_and_free(f->media.loop);
	port_pool_free(f->media.ports);
	datapath_close(f->media.dp, true);
	flow_totals_clear(&f->retired_flows);
	config_free(&f->cfg);
	close(f->a);
	close(f->b);
	g_free(f);
	return 0;
}

static char *sdp_at(uint16_t port, const char *extra)
{
	return g_strdup_printf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			       "m=audio %u RTP/AVP 111 0 101\r\na=rtpmap:111 opus/48000/2\r\n"
			       "a=rtpmap:101 telephone-event/8000\r\n%s",
			       port, extra);
}

static char *send_signal(struct fixture *f, bool answer, const char *call_id, const char *from, const char *to,
			 const char *sdp, char *err)
{
	struct ng_signal sig = {
		.call_id = call_id,
		.from_tag = from,
		.to_tag = to,
		.sdp = sdp,
		.sdp_len = strlen(sdp),
	};

	err[0] = '\0';
	f->refused = false;
	return answer ? ng_call_answer(f->calls, &sig, err, 256) : ng_call_offer(f->calls, &sig, &f->refused, err, 256);
}

/* The port of the first m= line of an SDP. */
static uint16_t media_port(const char *sdp)
{
	const char *m = strstr(sdp, "m=audio ");

	assert_non_null(m);
	return atoi(m + 8);
}

static void send_to_ip(int fd, const char *ip, uint16_t port, const char *payload)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET, ip, &to.sin_addr), 1);
	assert_true(sendto(fd, payload, strlen(payload), 0, (struct sockaddr *)&to, sizeof(to)) > 0);
}

static void send_to(int fd, uint16_t port, const char *payload)
{
	send_to_ip(fd, "127.0.0.1", port, payload);
}

/* What fd receives within a second, NUL-terminated, or ""; from where, "addr:port", unless from is NULL. */
static void receive_from(int fd, char *buf, size_t size, char from[32])
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sockaddr_in sin = { 0 };
	socklen_t len = sizeof(sin);
	char ip[INET_ADDRSTRLEN] = "";
	ssize_t n = 0;

	buf[0] = '\0';
	if (poll(&p, 1, 1000) == 1)
		n = recvfrom(fd, buf, size - 1, MSG_DONTWAIT, (struct sockaddr *)&sin, &len);
	buf[n > 0 ? n : 0] = '\0';
	if (from) {
		inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
		g_snprintf(from, 32, "%s:%u", ip, ntohs(sin.sin_port));
	}
}

static void receive(int fd, char *buf, size_t size)
{
	receive_from(fd, buf, size, NULL);
}

static void assert_relays(int from, uint16_t relay_port, int to, const char *payload)
{
	char got[256];

	send_to(from, relay_port, payload);
	receive(to, got, sizeof(got));
	assert_string_equal(got, payload);
}

/* Offer from a, answer from b; the relay ports a and b are told to send to. */
static void set_up_call(struct fixture *f, const char *call_id, uint16_t *to_b, uint16_t *to_a)
{
	char err[256];
	g_autofree char *offer = sdp_at(f->a_port, "");
	g_autofree char *answer = sdp_at(f->b_port, "");
	g_autofree char *offer_out = send_signal(f, false, call_id, "tag-a", NULL, offer, err);
	g_autofree char *answer_out = NULL;

	if (!offer_out)
		fail_msg("offer: %s", err);
	answer_out = send_signal(f, true, call_id, "tag-a", "tag-b", answer, err);
	if (!answer_out)
		fail_msg("answer: %s", err);
	*to_b = media_port(offer_out);	/* b sends here */
	*to_a = media_port(answer_out); /* a sends here */
	assert_int_not_equal(*to_b, f->b_port);
	assert_non_null(strstr(offer_out, "a=rtpmap:111 opus/48000/2"));
	assert_non_null(strstr(answer_out, "c=IN IP4 127.0.0.1"));
}

static void test_offer_answer_media(void **state)
{
	struct fixture *f = *state;
	uint16_t to_b, to_a;
	struct ng_calls_stats st;

	set_up_call(f, "call-1", &to_b, &to_a);
	assert_int_equal(port_pool_in_use(f->media.ports), 2);
	assert_relays(f->a, to_a, f->b, "hello b");
	assert_relays(f->b, to_b, f->a, "hello a");
	assert_relays(f->a, to_a, f->b, "again b");
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, 1);
	assert_int_equal(st.created, 1);
	assert_true(ng_call_delete(f->calls, "call-1"));
	assert_false(ng_call_delete(f->calls, "call-1"));
	assert_int_equal(port_pool_in_use(f->media.ports), 0);
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, 0);
	assert_int_equal(st.deleted, 1);
}

/*
 * A caller behind NAT: its SDP names a private address, its media comes
 * from where the proxy got its SIP (received-from). That source latches at
 * once; without received-from it would be a stranger for the learning
 * window (media/endpoint_learning.h) and its packets dropped.
 */
static void test_received_from_latches_nat(void **state)
{
	struct fixture *f = *state;
	char err[256], got[256];
	g_autofree char *offer = g_strdup_printf("v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\n"
						 "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
	g_autofree char *answer = sdp_at(f->b_port, "");
	struct ng_signal sig = { .call_id = "call-nat", .from_tag = "tag-a", .sdp = offer, .sdp_len = strlen(offer) };
	g_autofree char *offer_out = NULL, *answer_out = NULL;

	sig.received_from.ss_family = AF_INET;
	((struct sockaddr_in *)&sig.received_from)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	offer_out = ng_call_offer(f->calls, &sig, &f->refused, err, sizeof(err));
	assert_non_null(offer_out);
	answer_out = send_signal(f, true, "call-nat", "tag-a", "tag-b", answer, err);
	assert_non_null(answer_out);
	assert_relays(f->a, media_port(answer_out), f->b, "from behind the NAT");
	/* The same without received-from: the stranger waits out the window. */
	g_free(offer_out);
	offer_out = send_signal(f, false, "call-nat2", "tag-a", NULL, offer, err);
	assert_non_null(offer_out);
	g_free(answer_out);
	answer_out = send_signal(f, true, "call-nat2", "tag-a", "tag-b", answer, err);
	assert_non_null(answer_out);
	send_to(f->a, media_port(answer_out), "refused for now");
	receive(f->b, got, sizeof(got));
	assert_string_equal(got, "");
}

static void test_reoffer_keeps_ports(void **state)
{
	struct fixture *f = *state;
	uint16_t to_b, to_a;
	char err[256];
	g_autofree char *reoffer = sdp_at(f->a_port, "a=sendonly\r\n");
	g_autofree char *again = NULL, *from_b = NULL;
	g_autofree char *b_sdp = sdp_at(f->b_port, "");

	set_up_call(f, "call-2", &to_b, &to_a);
	again = send_signal(f, false, "call-2", "tag-a", "tag-b", reoffer, err);
	assert_non_null(again);
	assert_int_equal(media_port(again), to_b);
	assert_non_null(strstr(again, "a=sendonly"));
	/* A re-INVITE from b: its offer goes to a with a's relay port. */
	from_b = send_signal(f, false, "call-2", "tag-b", "tag-a", b_sdp, err);
	assert_non_null(from_b);
	assert_int_equal(media_port(from_b), to_a);
	assert_int_equal(port_pool_in_use(f->media.ports), 2);
}

static void test_query(void **state)
{
	struct fixture *f = *state;
	struct bencode_doc *doc = bencode_doc_new();
	struct bencode_value *reply = bencode_new_dict(doc);
	const struct bencode_value *tags, *a, *totals;
	uint16_t to_b, to_a;

	set_up_call(f, "call-3", &to_b, &to_a);
	assert_relays(f->a, to_a, f->b, "one");
	assert_relays(f->a, to_a, f->b, "two");
	assert_true(ng_call_query(f->calls, "call-3", doc, reply));
	assert_false(ng_call_query(f->calls, "nope", doc, bencode_new_dict(doc)));
	tags = bencode_dict_get(reply, "tags");
	a = bencode_dict_get(tags, "tag-a");
	assert_non_null(a);
	assert_true(bencode_str_is(bencode_dict_get(a, "in dialogue with"), "tag-b"));
	assert_non_null(bencode_dict_get(tags, "tag-b"));
	totals = bencode_dict_get(bencode_dict_get(reply, "totals"), "RTP");
	assert_true(bencode_dict_get(totals, "packets")->integer >= 2);
	assert_non_null(bencode_dict_get(reply, "created"));
	bencode_doc_free(doc);
}

/* The listed legs' packets_in and wrong_source, summed: what query's totals must say. */
struct leg_sums {
	uint64_t packets_in, packets_userspace, wrong_source;
};

static void add_leg(const struct ng_leg_info *leg, void *user)
{
	struct leg_sums *sums = user;

	sums->packets_in += leg->leg.packets_in;
	sums->packets_userspace += leg->leg.packets_userspace;
	sums->wrong_source += leg->leg.wrong_source;
}

/*
 * query's totals of call_id, checked against the sums of the legs
 * rtprelayctl would list (only call_id is up): packets and errors are
 * those legs' packets_in and wrong_source.
 */
static void query_counts(struct fixture *f, const char *call_id, uint64_t *packets, uint64_t *wrong_source)
{
	struct bencode_doc *doc = bencode_doc_new();
	struct bencode_value *reply = bencode_new_dict(doc);
	const struct bencode_value *totals;
	struct leg_sums sums = { 0 };

	assert_true(ng_call_query(f->calls, call_id, doc, reply));
	totals = bencode_dict_get(bencode_dict_get(reply, "totals"), "RTP");
	*packets = bencode_dict_get(totals, "packets")->integer;
	*wrong_source = bencode_dict_get(totals, "errors")->integer;
	ng_calls_foreach_leg(f->calls, add_leg, &sums);
	if (sums.packets_in != *packets || sums.wrong_source != *wrong_source ||
	    sums.packets_userspace > sums.packets_in)
		fail_msg("%s: query packets %" PRIu64 " errors %" PRIu64 "; legs packets_in %" PRIu64
			 " (userspace %" PRIu64 ") wrong_source %" PRIu64,
			 call_id, *packets, *wrong_source, sums.packets_in, sums.packets_userspace, sums.wrong_source);
	bencode_doc_free(doc);
}

/*
 * A stranger's packets are wrong_source (query: errors) and never
 * packets_in (query: packets), whether the daemon dropped them (before
 * its leg latched) or the flows did (after); query and the listed legs
 * count alike.
 */
static void test_wrong_source_counts(void **state)
{
	struct fixture *f = *state;
	g_autofree char *far = g_strdup("v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\n"
					"t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
	g_autofree char *answer = sdp_at(f->b_port, ""), *offer_out = NULL, *answer_out = NULL;
	uint64_t packets, wrong, packets_before, wrong_before;
	uint16_t a2_port, to_b, to_a;
	int a2 = bound_socket(&a2_port);
	char err[256], got[256];

	/* The SDP names 10.0.0.5: a at 127.0.0.1 is a stranger for the learning window, dropped by the daemon. */
	offer_out = send_signal(f, false, "call-far", "tag-a", NULL, far, err);
	assert_non_null(offer_out);
	answer_out = send_signal(f, true, "call-far", "tag-a", "tag-b", answer, err);
	assert_non_null(answer_out);
	for (int i = 0; i < 3; i++)
		send_to(f->a, media_port(answer_out), "a stranger to the daemon");
	receive(f->b, got, sizeof(got));
	assert_string_equal(got, "");
	query_counts(f, "call-far", &packets, &wrong);
	assert_int_equal(packets, 0);
	assert_int_equal(wrong, 3);
	assert_true(ng_call_delete(f->calls, "call-far"));

	/* a latches; then a2, a stranger, is dropped by the flows: one more wrong_source, no more packets. */
	set_up_call(f, "call-near", &to_b, &to_a);
	assert_relays(f->a, to_a, f->b, "from the peer");
	assert_relays(f->a, to_a, f->b, "from the peer again");
	query_counts(f, "call-near", &packets_before, &wrong_before);
	/* Exactly a's two: the one that latched is the daemon's, not counted by the flow too. */
	assert_int_equal(packets_before, 2);
	assert_int_equal(wrong_before, 0);
	send_to(a2, to_a, "a stranger to the flows");
	receive(f->b, got, sizeof(got));
	assert_string_equal(got, "");
	query_counts(f, "call-near", &packets, &wrong);
	assert_int_equal(packets, packets_before);
	assert_int_equal(wrong, 1);
	close(a2);
}

static void test_rtp_timeout(void **state)
{
	struct fixture *f = *state;
	uint16_t to_b, to_a;
	struct ng_calls_stats st;

	f->cfg.rtp_timeout = 1;
	set_up_call(f, "call-4", &to_b, &to_a);
	ng_calls_expire(f->calls);
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, 1);
	usleep(1100 * 1000);
	ng_calls_expire(f->calls);
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, 0);
	assert_int_equal(st.timed_out, 1);
	assert_int_equal(port_pool_in_use(f->media.ports), 0);
}

static void assert_refused(struct fixture *f, bool answer, const char *call_id, const char *from, const char *to,
			   const char *sdp, const char *why)
{
	char err[256];
	char *out = send_signal(f, answer, call_id, from, to, sdp, err);

	if (out)
		fail_msg("accepted: %s", out);
	if (!strstr(err, why))
		fail_msg("\"%s\" does not say \"%s\"", err, why);
	if (f->refused)
		fail_msg("\"%s\" is told as a new call refused for the session limit", err);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	g_autofree char *sdp = sdp_at(f->a_port, "");
	g_autofree char *two = sdp_at(f->b_port, "m=video 5000 RTP/AVP 96\r\n");
	struct ng_calls_stats st;
	uint16_t to_b, to_a;

	assert_refused(f, true, "none", "tag-a", "tag-b", sdp, "unknown call-id");
	assert_refused(f, false, "c5", "tag-a", NULL, "v=0\r\n", "bad SDP");
	assert_refused(f, false, "c5", "tag-a", NULL,
		       "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
		       "an IPv6 peer, but the relay's media address is IPv4");
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, 0); /* refused offers leave no call */
	set_up_call(f, "c6", &to_b, &to_a);
	assert_refused(f, false, "c6", "tag-x", NULL, sdp, "from-tag tag-x is not a tag of this call");
	assert_refused(f, true, "c6", "tag-x", "tag-b", sdp, "from-tag tag-x is not a tag of this call");
	assert_refused(f, true, "c6", "tag-a", "tag-b", two, "m= line 2 of the answer was not offered");
	assert_int_equal(port_pool_in_use(f->media.ports), 2);
}

static void test_pool_exhausted(void **state)
{
	struct fixture *f = *state;
	g_autofree char *sdp = sdp_at(f->a_port, "");
	struct ng_calls_stats st;
	char id[32];
	unsigned calls = port_pool_capacity(f->media.ports) / 2; /* two legs each */

	for (unsigned i = 0; i < calls; i++) {
		char err[256];
		char *out;

		g_snprintf(id, sizeof(id), "many-%u", i);
		out = send_signal(f, false, id, "t", NULL, sdp, err);
		if (!out)
			fail_msg("call %u: %s", i, err);
		g_free(out);
	}
	assert_refused(f, false, "one-more", "t", NULL, sdp, "no free RTP port");
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, calls);
}

/* An offer the session limit refuses: flagged as such, with its cause, before its SDP is read and taking nothing. */
static void assert_limit_refused(struct fixture *f, const char *call_id, const char *sdp, const char *why)
{
	char err[256];
	char *out = send_signal(f, false, call_id, "tag-a", NULL, sdp, err);

	if (out)
		fail_msg("accepted: %s", out);
	if (!f->refused || strcmp(err, why))
		fail_msg("refused %d, \"%s\": not the session limit's \"%s\"", f->refused, err, why);
}

/*
 * Draining and max-calls refuse a new call (a bad SDP too: the next relay
 * judges it), never an offer of a call in progress.
 */
static void test_session_limit(void **state)
{
	struct fixture *f = *state;
	g_autofree char *sdp = sdp_at(f->a_port, "");
	g_autofree char *reoffer = NULL;
	struct ng_calls_stats st;
	uint16_t to_b, to_a;
	char err[256];

	set_up_call(f, "up", &to_b, &to_a);
	config_runtime_drain(&f->cfg, true, "maintenance");
	assert_limit_refused(f, "new", sdp, "draining: maintenance");
	assert_limit_refused(f, "new", "v=0\r\n", "draining: maintenance");
	reoffer = send_signal(f, false, "up", "tag-a", NULL, sdp, err);
	if (!reoffer)
		fail_msg("a re-offer while draining: %s", err);
	assert_false(f->refused);
	config_runtime_drain(&f->cfg, false, NULL);
	f->cfg.max_calls = 1;
	assert_limit_refused(f, "new", sdp, "too many calls (max-calls 1)");
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, 1);
	assert_int_equal(st.created, 1);
	assert_int_equal(port_pool_in_use(f->media.ports), 2);
}

/*
 * direction=[internal external]: the offerer's peer sends to the internal
 * address, the answerer's to the external one; each SDP names the address
 * of the side it goes to, and each peer hears the other from it.
 */
static void test_direction(void **state)
{
	struct fixture *f = *state;
	char err[256], got[256], from[32], want[32];
	GError *e = NULL;
	g_autofree char *offer = sdp_at(f->a_port, ""), *answer = sdp_at(f->b_port, "");
	g_autofree char *offer_out = NULL, *answer_out = NULL;
	struct ng_signal sig = { .call_id = "call-dir",
				 .from_tag = "tag-a",
				 .sdp = offer,
				 .sdp_len = strlen(offer),
				 .direction = { "internal", "external" } };
	struct ng_calls_stats st;
	uint16_t to_a, to_b;

	assert_true(config_set_option(&f->cfg, "media-address", "internal=127.0.0.1;external=127.0.0.2", &e));
	offer_out = ng_call_offer(f->calls, &sig, &f->refused, err, sizeof(err));
	if (!offer_out)
		fail_msg("offer: %s", err);
	assert_non_null(strstr(offer_out, "c=IN IP4 127.0.0.2\r\n"));
	answer_out = send_signal(f, true, "call-dir", "tag-a", "tag-b", answer, err);
	assert_non_null(answer_out);
	assert_non_null(strstr(answer_out, "c=IN IP4 127.0.0.1\r\n"));
	to_b = media_port(offer_out);
	to_a = media_port(answer_out);
	send_to_ip(f->a, "127.0.0.1", to_a, "inside out");
	receive_from(f->b, got, sizeof(got), from);
	assert_string_equal(got, "inside out");
	g_snprintf(want, sizeof(want), "127.0.0.2:%u", to_b);
	assert_string_equal(from, want);
	send_to_ip(f->b, "127.0.0.2", to_b, "outside in");
	receive_from(f->a, got, sizeof(got), from);
	assert_string_equal(got, "outside in");
	g_snprintf(want, sizeof(want), "127.0.0.1:%u", to_a);
	assert_string_equal(from, want);

	sig.call_id = "call-dir-2";
	sig.direction[1] = "dmz";
	assert_null(ng_call_offer(f->calls, &sig, &f->refused, err, sizeof(err)));
	assert_false(f->refused);
	assert_non_null(strstr(err, "no media address named dmz"));
	ng_calls_stats(f->calls, &st);
	assert_int_equal(st.current, 1);
	assert_int_equal(port_pool_in_use(f->media.ports), 2);
}

/*
 * With latching that takes any first source (endpoint-learning immediate),
 * a symmetric side latches to where its peer sends from and is answered
 * there; an asymmetric one keeps to its SDP's address: another source is
 * dropped, and media goes to the SDP's address.
 */
static void test_asymmetric(void **state)
{
	struct fixture *f = *state;
	char err[256], got[256];
	uint16_t a2_port, to_a, to_b;
	int a2 = bound_socket(&a2_port);
	g_autofree char *offer = sdp_at(f->a_port, ""), *answer = sdp_at(f->b_port, "");
	g_autofree char *offer_out = NULL, *answer_out = NULL;
	struct ng_signal sig = { .call_id = "call-asym",
				 .from_tag = "tag-a",
				 .sdp = offer,
				 .sdp_len = strlen(offer),
				 .symmetry = NG_ASYMMETRIC };

	f->cfg.endpoint_learning = ENDPOINT_LEARNING_IMMEDIATE;
	set_up_call(f, "call-sym", &to_b, &to_a);
	assert_relays(a2, to_a, f->b, "symmetric: from a's other port");
	assert_relays(f->b, to_b, a2, "symmetric: back to where a sent from");

	offer_out = ng_call_offer(f->calls, &sig, &f->refused, err, sizeof(err));
	assert_non_null(offer_out);
	answer_out = send_signal(f, true, "call-asym", "tag-a", "tag-b", answer, err);
	assert_non_null(answer_out);
	to_b = media_port(offer_out);
	to_a = media_port(answer_out);
	send_to(a2, to_a, "asymmetric: a stranger");
	receive(f->b, got, sizeof(got));
	assert_string_equal(got, "");
	assert_relays(f->b, to_b, f->a, "asymmetric: to the SDP's address");
	assert_relays(f->a, to_a, f->b, "asymmetric: from the SDP's address");
	close(a2);
}

struct listed_legs {
	unsigned int count;
	char text[4][128];
};

static void list_leg(const struct ng_leg_info *leg, void *user)
{
	struct listed_legs *l = user;
	struct sockaddr_in *local = (struct sockaddr_in *)&leg->leg.local_rtp;

	assert_true(l->count < G_N_ELEMENTS(l->text));
	g_snprintf(l->text[l->count++], sizeof(l->text[0]), "%s %s %s %s %s %u %s %u", leg->call_id, leg->from_tag,
		   leg->to_tag ?: "-", leg->tag ?: "-", leg->label ?: "-", leg->index, leg->type,
		   ntohs(local->sin_port));
}

/* label: kept per side, in query, in list and in the legs rtprelayctl lists (with the tags and each leg's port). */
static void test_label_and_legs(void **state)
{
	struct fixture *f = *state;
	struct bencode_doc *doc = bencode_doc_new();
	struct bencode_value *reply = bencode_new_dict(doc);
	const struct bencode_value *tags;
	g_autofree char *offer = sdp_at(f->a_port, ""), *answer = sdp_at(f->b_port, "");
	g_autofree char *offer_out = NULL, *answer_out = NULL, *want_a = NULL, *want_b = NULL;
	struct ng_signal sig = {
		.call_id = "call-l", .from_tag = "tag-a", .label = "caller", .sdp = offer, .sdp_len = strlen(offer)
	};
	struct listed_legs legs = { 0 };
	char err[256];

	offer_out = ng_call_offer(f->calls, &sig, &f->refused, err, sizeof(err));
	assert_non_null(offer_out);
	ng_calls_foreach_leg(f->calls, list_leg, &legs);
	assert_int_equal(legs.count, 2);
	assert_non_null(strstr(legs.text[0], "call-l tag-a - tag-a caller 1 audio"));
	assert_non_null(strstr(legs.text[1], "call-l tag-a - - - 1 audio"));

	sig = (struct ng_signal){ .call_id = "call-l",
				  .from_tag = "tag-a",
				  .to_tag = "tag-b",
				  .label = "callee",
				  .sdp = answer,
				  .sdp_len = strlen(answer) };
	answer_out = ng_call_answer(f->calls, &sig, err, sizeof(err));
	assert_non_null(answer_out);
	legs.count = 0;
	ng_calls_foreach_leg(f->calls, list_leg, &legs);
	assert_int_equal(legs.count, 2);
	want_a = g_strdup_printf("call-l tag-a tag-b tag-a caller 1 audio %u", media_port(answer_out));
	want_b = g_strdup_printf("call-l tag-a tag-b tag-b callee 1 audio %u", media_port(offer_out));
	assert_string_equal(legs.text[0], want_a);
	assert_string_equal(legs.text[1], want_b);

	{
		struct bencode_value *list = bencode_new_list(doc), *labels = bencode_new_dict(doc);

		ng_calls_list(f->calls, 10, doc, list, labels);
		assert_int_equal(list->items.count, 1);
		assert_true(bencode_str_is(bencode_dict_get(bencode_dict_get(labels, "call-l"), "tag-a"), "caller"));
		assert_true(bencode_str_is(bencode_dict_get(bencode_dict_get(labels, "call-l"), "tag-b"), "callee"));
	}
	assert_true(ng_call_query(f->calls, "call-l", doc, reply));
	tags = bencode_dict_get(reply, "tags");
	assert_true(bencode_str_is(bencode_dict_get(bencode_dict_get(tags, "tag-a"), "label"), "caller"));
	assert_true(bencode_str_is(bencode_dict_get(bencode_dict_get(tags, "tag-b"), "label"), "callee"));
	bencode_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offer_answer_media, setup, teardown),
		cmocka_unit_test_setup_teardown(test_received_from_latches_nat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reoffer_keeps_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_source_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_asymmetric, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_and_legs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
