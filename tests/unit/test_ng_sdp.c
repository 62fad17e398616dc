// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng SDP rewriting (userspace/ng/ng_sdp.c) on real SDPs: audio and
 * video with Opus, G.722 and telephone-event, IPv6, hold (a=sendonly and
 * c=0.0.0.0), rtcp-mux, ICE, a rejected stream. Each m= line's peer is read
 * right, and the rewritten SDP differs from the input only in the relay's
 * ports and addresses (and what the flags ask for), byte for byte.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "lib/sockaddr_text.h"
#include "ng/ng_sdp.h"

#define CRLF "\r\n"

static const char audio_video[] =
    "v=0" CRLF "o=alice 2890844526 2890844527 IN IP4 192.0.2.10" CRLF "s=-" CRLF "c=IN IP4 192.0.2.10" CRLF "t=0 0" CRLF
    "a=sendrecv" CRLF "m=audio 49170 RTP/AVP 111 9 0 8 101" CRLF "a=rtpmap:111 opus/48000/2" CRLF
    "a=fmtp:111 minptime=10;useinbandfec=1" CRLF "a=rtpmap:9 G722/8000" CRLF "a=rtpmap:101 telephone-event/8000" CRLF
    "a=fmtp:101 0-16" CRLF "a=rtcp:49171 IN IP4 192.0.2.10" CRLF "a=ptime:20" CRLF "a=x-custom:keep me" CRLF
    "m=video 51372 RTP/AVPF 96 97" CRLF "b=AS:2000" CRLF "a=rtpmap:96 VP8/90000" CRLF "a=rtpmap:97 H264/90000" CRLF
    "a=fmtp:97 profile-level-id=42e01f" CRLF "a=rtcp-fb:96 nack pli" CRLF "a=recvonly" CRLF;

static const char audio_video_relayed[] =
    "v=0" CRLF "o=alice 2890844526 2890844527 IN IP4 192.0.2.10" CRLF "s=-" CRLF "c=IN IP4 203.0.113.1" CRLF
    "t=0 0" CRLF "a=sendrecv" CRLF "m=audio 30000 RTP/AVP 111 9 0 8 101" CRLF "a=rtpmap:111 opus/48000/2" CRLF
    "a=fmtp:111 minptime=10;useinbandfec=1" CRLF "a=rtpmap:9 G722/8000" CRLF "a=rtpmap:101 telephone-event/8000" CRLF
    "a=fmtp:101 0-16" CRLF "a=ptime:20" CRLF "a=x-custom:keep me" CRLF "a=rtcp:30001" CRLF
    "m=video 30002 RTP/AVPF 96 97" CRLF "b=AS:2000" CRLF "a=rtpmap:96 VP8/90000" CRLF "a=rtpmap:97 H264/90000" CRLF
    "a=fmtp:97 profile-level-id=42e01f" CRLF "a=rtcp-fb:96 nack pli" CRLF "a=recvonly" CRLF "a=rtcp:30003" CRLF;

static struct ng_sdp *parse(const char *text)
{
	char err[NG_SDP_ERROR_MAX] = "";
	struct ng_sdp *sdp = ng_sdp_parse(text, strlen(text), err, sizeof(err));

	if (!sdp)
		fail_msg("%s", err);
	return sdp;
}

static void assert_stream(const struct ng_sdp *sdp, unsigned i, const char *rtp, unsigned rtcp_port, bool receives)
{
	struct ng_sdp_stream st;
	char err[NG_SDP_ERROR_MAX], addr[64];

	assert_true(ng_sdp_stream(sdp, i, &st, err, sizeof(err)));
	assert_false(st.disabled);
	assert_string_equal(sockaddr_format(&st.rtp, addr, sizeof(addr)), rtp);
	assert_int_equal(st.rtcp_port, rtcp_port);
	assert_int_equal(st.receives, receives);
}

static void assert_rewrites(const char *in, const char *address, const uint16_t *ports, unsigned flags,
			    const char *want)
{
	struct ng_sdp *sdp = parse(in);
	struct ng_sdp_relay relay = { .address = address, .ports = ports, .flags = flags };
	char err[NG_SDP_ERROR_MAX] = "";
	char *out = ng_sdp_rewrite(sdp, &relay, err, sizeof(err));

	if (!out)
		fail_msg("%s", err);
	if (strcmp(out, want))
		fail_msg("got:\n%s\nwant:\n%s", out, want);
	g_free(out);
	ng_sdp_free(sdp);
}

static void test_audio_video(void **state)
{
	static const uint16_t ports[] = { 30000, 30002 };
	struct ng_sdp *sdp = parse(audio_video);
	struct ng_sdp_stream st;
	char err[NG_SDP_ERROR_MAX];

	assert_int_equal(ng_sdp_stream_count(sdp), 2);
	assert_stream(sdp, 0, "192.0.2.10:49170", 49171, true);
	assert_stream(sdp, 1, "192.0.2.10:51372", 51373, true); /* recvonly: it receives */
	assert_true(ng_sdp_stream(sdp, 1, &st, err, sizeof(err)));
	assert_string_equal(st.type, "video");
	ng_sdp_free(sdp);
	assert_rewrites(audio_video, "203.0.113.1", ports, 0, audio_video_relayed);
}

static void test_ipv6_and_origin(void **state)
{
	static const uint16_t ports[] = { 30010 };
	static const char in[] = "v=0" CRLF "o=- 7 7 IN IP6 2001:db8::10" CRLF "s=-" CRLF "t=0 0" CRLF
				 "m=audio 5004 RTP/AVP 0" CRLF "c=IN IP6 2001:db8::10" CRLF;
	struct ng_sdp *sdp = parse(in);

	assert_stream(sdp, 0, "[2001:db8::10]:5004", 5005, true);
	ng_sdp_free(sdp);
	/* An IPv6 peer, an IPv4 relay: c= and o= change address type too. */
	assert_rewrites(in, "203.0.113.1", ports, NG_SDP_REPLACE_ORIGIN,
			"v=0" CRLF "o=- 7 7 IN IP4 203.0.113.1" CRLF "s=-" CRLF "t=0 0" CRLF
			"m=audio 30010 RTP/AVP 0" CRLF "c=IN IP4 203.0.113.1" CRLF "a=rtcp:30011" CRLF);
	assert_rewrites(in, "fd00:98:1::1", ports, 0,
			"v=0" CRLF "o=- 7 7 IN IP6 2001:db8::10" CRLF "s=-" CRLF "t=0 0" CRLF
			"m=audio 30010 RTP/AVP 0" CRLF "c=IN IP6 fd00:98:1::1" CRLF "a=rtcp:30011" CRLF);
}

static void test_hold(void **state)
{
	static const uint16_t ports[] = { 30020, 30022 };
	static const char in[] =
	    "v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "c=IN IP4 0.0.0.0" CRLF "t=0 0" CRLF
	    "m=audio 49170 RTP/AVP 0" CRLF "m=audio 49180 RTP/AVP 8" CRLF "c=IN IP4 192.0.2.10" CRLF "a=sendonly" CRLF;
	struct ng_sdp *sdp = parse(in);

	struct ng_sdp_stream st;
	char err[NG_SDP_ERROR_MAX];

	assert_stream(sdp, 0, "0.0.0.0:49170", 49171, false); /* RFC 2543 hold */
	assert_stream(sdp, 1, "192.0.2.10:49180", 49181, false);
	assert_true(ng_sdp_stream(sdp, 0, &st, err, sizeof(err)));
	assert_true(st.hold);
	assert_true(ng_sdp_stream(sdp, 1, &st, err, sizeof(err)));
	assert_false(st.hold);
	assert_int_equal(st.rtp_port, 49180);
	ng_sdp_free(sdp);
	assert_rewrites(in, "203.0.113.1", ports, 0,
			"v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "c=IN IP4 0.0.0.0" CRLF "t=0 0" CRLF
			"m=audio 30020 RTP/AVP 0" CRLF "a=rtcp:30021" CRLF "m=audio 30022 RTP/AVP 8" CRLF
			"c=IN IP4 203.0.113.1" CRLF "a=sendonly" CRLF "a=rtcp:30023" CRLF);
}

static void test_session_direction(void **state)
{
	static const char in[] =
	    "v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "c=IN IP4 192.0.2.10" CRLF "t=0 0" CRLF
	    "a=inactive" CRLF "m=audio 49170 RTP/AVP 0" CRLF "m=audio 49172 RTP/AVP 0" CRLF "a=sendrecv" CRLF;
	struct ng_sdp *sdp = parse(in);

	assert_stream(sdp, 0, "192.0.2.10:49170", 49171, false);
	assert_stream(sdp, 1, "192.0.2.10:49172", 49173, true); /* the media level wins */
	ng_sdp_free(sdp);
}

static void test_rtcp_mux_and_ice(void **state)
{
	static const uint16_t ports[] = { 30030 };
	static const char in[] =
	    "v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "t=0 0" CRLF "a=ice-lite" CRLF
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111" CRLF "c=IN IP4 192.0.2.10" CRLF "a=rtpmap:111 opus/48000/2" CRLF
	    "a=ice-ufrag:F7gI" CRLF "a=ice-pwd:x9cml/YzichV2+XlhiMu8g" CRLF "a=ice-options:trickle" CRLF
	    "a=candidate:1 1 UDP 2130706431 192.0.2.10 9 typ host" CRLF
	    "a=candidate:2 1 UDP 1694498815 198.51.100.7 9 typ srflx raddr 192.0.2.10 rport 9" CRLF
	    "a=end-of-candidates" CRLF "a=rtcp-mux" CRLF "a=setup:actpass" CRLF;
	struct ng_sdp *sdp = parse(in);
	struct ng_sdp_relay relay = { .address = "203.0.113.1", .ports = ports };
	char err[NG_SDP_ERROR_MAX];
	char *out;

	assert_stream(sdp, 0, "192.0.2.10:9", 9, true); /* RTCP on the RTP port */
	ng_sdp_free(sdp);
	assert_rewrites(in, "203.0.113.1", ports, NG_SDP_ICE_REMOVE,
			"v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "t=0 0" CRLF
			"m=audio 30030 UDP/TLS/RTP/SAVPF 111" CRLF "c=IN IP4 203.0.113.1" CRLF
			"a=rtpmap:111 opus/48000/2" CRLF "a=rtcp-mux" CRLF "a=setup:actpass" CRLF);
	/* Without ICE=remove the candidates stay. */
	sdp = parse(in);
	out = ng_sdp_rewrite(sdp, &relay, err, sizeof(err));
	assert_non_null(strstr(out, "a=candidate:2 1 UDP"));
	assert_non_null(strstr(out, "a=ice-lite"));
	assert_null(strstr(out, "a=rtcp:"));
	g_free(out);
	ng_sdp_free(sdp);
}

static void test_rejected_stream(void **state)
{
	static const uint16_t ports[] = { 30040, 0 };
	static const char in[] = "v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "t=0 0" CRLF
				 "m=audio 49170 RTP/AVP 0" CRLF "c=IN IP4 192.0.2.10" CRLF "m=video 0 RTP/AVP 96" CRLF
				 "c=IN IP4 192.0.2.10" CRLF "a=rtpmap:96 VP8/90000" CRLF;
	struct ng_sdp *sdp = parse(in);
	struct ng_sdp_stream st;
	char err[NG_SDP_ERROR_MAX];

	assert_true(ng_sdp_stream(sdp, 1, &st, err, sizeof(err)));
	assert_true(st.disabled);
	ng_sdp_free(sdp);
	assert_rewrites(in, "203.0.113.1", ports, 0,
			"v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "t=0 0" CRLF
			"m=audio 30040 RTP/AVP 0" CRLF "c=IN IP4 203.0.113.1" CRLF "a=rtcp:30041" CRLF
			"m=video 0 RTP/AVP 96" CRLF "c=IN IP4 192.0.2.10" CRLF "a=rtpmap:96 VP8/90000" CRLF);
}

static void assert_refused(const char *in, size_t len, const char *why)
{
	char err[NG_SDP_ERROR_MAX] = "";
	struct ng_sdp *sdp = ng_sdp_parse(in, len, err, sizeof(err));
	struct ng_sdp_stream st;

	if (sdp) {
		bool ok = ng_sdp_stream(sdp, 0, &st, err, sizeof(err));

		ng_sdp_free(sdp);
		if (ok)
			fail_msg("accepted: %s", in);
	}
	if (!strstr(err, why))
		fail_msg("\"%s\" does not say \"%s\"", err, why);
}

static void test_bad_sdp(void **state)
{
	GString *many = g_string_new("v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "c=IN IP4 192.0.2.10" CRLF
				     "t=0 0" CRLF);

	assert_refused("", 0, "empty");
	assert_refused("v=0\r\n\0o=x", 9, "NUL");
	assert_refused("hello", 5, "bad SDP");
	assert_refused("v=0" CRLF "s=-" CRLF, 10, "bad SDP");
	for (int i = 0; i <= NG_SDP_MAX_STREAMS; i++)
		g_string_append_printf(many, "m=audio %d RTP/AVP 0" CRLF, 40000 + 2 * i);
	assert_refused(many->str, many->len, "more than 16 m= lines");
	g_string_free(many, TRUE);
#define BAD(media) "v=0" CRLF "o=- 1 2 IN IP4 192.0.2.10" CRLF "s=-" CRLF "t=0 0" CRLF media
	assert_refused(BAD("m=audio 4000 RTP/AVP 0" CRLF "c=IN IP4 relay.example.com" CRLF),
		       sizeof(BAD("m=audio 4000 RTP/AVP 0" CRLF "c=IN IP4 relay.example.com" CRLF)) - 1,
		       "no IPv4 or IPv6 address");
	assert_refused(BAD("m=audio 4000 RTP/AVP 0" CRLF "c=IN IP4 192.0.2.1" CRLF "a=rtcp:x" CRLF),
		       sizeof(BAD("m=audio 4000 RTP/AVP 0" CRLF "c=IN IP4 192.0.2.1" CRLF "a=rtcp:x" CRLF)) - 1,
		       "bad a=rtcp");
	assert_refused(BAD("m=audio 70000 RTP/AVP 0" CRLF "c=IN IP4 192.0.2.1" CRLF),
		       sizeof(BAD("m=audio 70000 RTP/AVP 0" CRLF "c=IN IP4 192.0.2.1" CRLF)) - 1, "out of range");
	assert_refused(BAD("m=audio 4000 RTP/AVP 0" CRLF "c=IN IP6 192.0.2.1" CRLF),
		       sizeof(BAD("m=audio 4000 RTP/AVP 0" CRLF "c=IN IP6 192.0.2.1" CRLF)) - 1, "no IPv4 or IPv6");
#undef BAD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audio_video),
		cmocka_unit_test(test_ipv6_and_origin),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_session_direction),
		cmocka_unit_test(test_rtcp_mux_and_ice),
		cmocka_unit_test(test_rejected_stream),
		cmocka_unit_test(test_bad_sdp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
