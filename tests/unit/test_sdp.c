// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SDP offer/answer: which codecs the answer keeps and in what order, the
 * direction it mirrors, holds, IPv6, what a bad offer is told, and that our
 * own offers parse back.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <glib.h>

#include "sdp/sdp_offer_answer.h"

#define OUR_ADDRESS "192.0.2.10"
#define OUR_PORT    20000

static const struct sdp_local our_side = {
	.address = OUR_ADDRESS,
	.rtp_port = OUR_PORT,
	.session_id = 4242,
	.session_version = 1,
};

/* A typical offer around an m= line and its attributes. */
static char *offer_with(const char *connection, const char *media)
{
	return g_strdup_printf("v=0\r\n"
			       "o=alice 2890844526 2890844527 IN IP4 198.51.100.7\r\n"
			       "s=call\r\n"
			       "c=%s\r\n"
			       "t=0 0\r\n"
			       "%s",
			       connection, media);
}

static struct sdp_media_desc parse_ok(const char *text)
{
	struct sdp_media_desc d;
	char err[SDP_ERROR_MAX];

	assert_int_equal(sdp_media_parse(text, strlen(text), &d, err, sizeof(err)), SDP_PARSE_OK);
	assert_string_equal(err, "");
	return d;
}

/* Parses the offer, builds our answer, and checks the answer parses too. */
static char *answer_to(const char *media, const struct sdp_local *local, struct sdp_media_desc *answer)
{
	char *offer = offer_with("IN IP4 198.51.100.7", media);
	struct sdp_media_desc d = parse_ok(offer);
	char *text = sdp_answer_build(&d, local);

	assert_non_null(text);
	*answer = parse_ok(text);
	g_free(offer);
	return text;
}

static void assert_has_line(const char *sdp, const char *line)
{
	char *wanted = g_strdup_printf("%s\r\n", line);

	if (!strstr(sdp, wanted))
		fail_msg("no \"%s\" in:\n%s", line, sdp);
	g_free(wanted);
}

static void assert_payloads(const struct sdp_media_desc *d, const char *expected)
{
	GString *got = g_string_new(NULL);

	for (unsigned i = 0; i < d->payload_count; i++)
		g_string_append_printf(got, "%s%u", i ? " " : "", d->payloads[i].pt);
	assert_string_equal(got->str, expected);
	g_string_free(got, TRUE);
}

static void test_parse_offer_fields(void **state)
{
	char *offer = offer_with("IN IP4 198.51.100.7", "m=audio 49170 RTP/AVP 0 8 97\r\n"
							"a=rtpmap:97 telephone-event/8000\r\n"
							"a=fmtp:97 0-15\r\n"
							"a=ptime:30\r\n"
							"a=rtcp:53020\r\n");
	struct sdp_media_desc d = parse_ok(offer);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&d.rtp_addr;
	char text[INET_ADDRSTRLEN];

	assert_string_equal(d.address, "198.51.100.7");
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 49170);
	inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
	assert_string_equal(text, "198.51.100.7");
	assert_int_equal(d.rtp_port, 49170);
	assert_int_equal(d.rtcp_port, 53020);
	assert_int_equal(d.ptime, 30);
	assert_int_equal(d.direction, SDP_SENDRECV);
	assert_false(d.hold_0000);
	assert_true(d.session_id == 2890844526ULL);
	assert_true(d.session_version == 2890844527ULL);
	assert_payloads(&d, "0 8 97");
	assert_int_equal(d.payloads[2].codec, SDP_CODEC_TELEPHONE_EVENT);
	assert_string_equal(d.payloads[2].fmtp, "0-15");
	assert_int_equal(sdp_media_desc_first_codec(&d)->codec, SDP_CODEC_PCMU);
	g_free(offer);
}

static void test_answer_keeps_offer_order(void **state)
{
	static const struct {
		const char *m_line, *answer_m_line, *answer_payloads;
		enum sdp_codec first;
	} cases[] = {
		{ "m=audio 4000 RTP/AVP 0 8\r\n", "m=audio 20000 RTP/AVP 0 8", "0 8", SDP_CODEC_PCMU },
		{ "m=audio 4000 RTP/AVP 8\r\n", "m=audio 20000 RTP/AVP 8", "8", SDP_CODEC_PCMA },
		{ "m=audio 4000 RTP/AVP 8 0\r\n", "m=audio 20000 RTP/AVP 8 0", "8 0", SDP_CODEC_PCMA },
		{ "m=audio 4000 RTP/AVP 18 3 8 0\r\n", "m=audio 20000 RTP/AVP 8 0", "8 0", SDP_CODEC_PCMA },
		{ "m=audio 4000 RTP/AVP 9 0\r\n", "m=audio 20000 RTP/AVP 0", "0", SDP_CODEC_PCMU },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sdp_media_desc answer;
		char *text = answer_to(cases[i].m_line, &our_side, &answer);

		assert_has_line(text, cases[i].answer_m_line);
		assert_has_line(text, "a=ptime:20");
		assert_payloads(&answer, cases[i].answer_payloads);
		assert_int_equal(sdp_media_desc_first_codec(&answer)->codec, cases[i].first);
		assert_null(sdp_media_desc_find(&answer, SDP_CODEC_TELEPHONE_EVENT));
		g_free(text);
	}
}

static void test_answer_keeps_telephone_event_pt(void **state)
{
	struct sdp_media_desc answer;
	char *text = answer_to("m=audio 4000 RTP/AVP 8 96 0\r\n"
			       "a=rtpmap:96 telephone-event/8000\r\n"
			       "a=fmtp:96 0-15\r\n",
			       &our_side, &answer);
	const struct sdp_payload *te = sdp_media_desc_find(&answer, SDP_CODEC_TELEPHONE_EVENT);

	assert_has_line(text, "m=audio 20000 RTP/AVP 8 96 0");
	assert_has_line(text, "a=rtpmap:96 telephone-event/8000");
	assert_has_line(text, "a=fmtp:96 0-15");
	assert_non_null(te);
	assert_int_equal(te->pt, 96);
	assert_string_equal(te->fmtp, "0-15");
	g_free(text);
}

static void test_wideband_telephone_event_ignored(void **state)
{
	struct sdp_media_desc answer;
	char *text = answer_to("m=audio 4000 RTP/AVP 0 100 101\r\n"
			       "a=rtpmap:100 telephone-event/16000\r\n"
			       "a=rtpmap:101 telephone-event/8000\r\n",
			       &our_side, &answer);

	assert_has_line(text, "m=audio 20000 RTP/AVP 0 101");
	assert_payloads(&answer, "0 101");
	g_free(text);
}

static void check_no_common_codec(const char *media)
{
	char *offer = offer_with("IN IP4 198.51.100.7", media);
	struct sdp_media_desc d;
	char err[SDP_ERROR_MAX];

	assert_int_equal(sdp_media_parse(offer, strlen(offer), &d, err, sizeof(err)), SDP_PARSE_NO_CODEC);
	assert_true(strlen(err) > 0);
	assert_null(sdp_answer_build(&d, &our_side));
	g_free(offer);
}

static void test_no_common_codec(void **state)
{
	check_no_common_codec("m=audio 4000 RTP/AVP 18\r\n");
	check_no_common_codec("m=audio 4000 RTP/AVP 18 101\r\na=rtpmap:101 telephone-event/8000\r\n");
	check_no_common_codec("m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n");
	check_no_common_codec("m=audio 4000 RTP/SAVP 0 8\r\n"); /* SRTP only */
	check_no_common_codec("m=audio 0 RTP/AVP 0 8\r\n");	/* stream refused */
}

static void test_direction_mirrored(void **state)
{
	static const struct {
		const char *attribute;
		enum sdp_direction offered;
		const char *answered;
	} cases[] = {
		{ "", SDP_SENDRECV, "a=sendrecv" },
		{ "a=sendrecv\r\n", SDP_SENDRECV, "a=sendrecv" },
		{ "a=sendonly\r\n", SDP_SENDONLY, "a=recvonly" },
		{ "a=recvonly\r\n", SDP_RECVONLY, "a=sendonly" },
		{ "a=inactive\r\n", SDP_INACTIVE, "a=inactive" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *media = g_strdup_printf("m=audio 4000 RTP/AVP 0\r\n%s", cases[i].attribute);
		char *offer = offer_with("IN IP4 198.51.100.7", media);
		struct sdp_media_desc d = parse_ok(offer), answer;
		char *text = answer_to(media, &our_side, &answer);

		assert_int_equal(d.direction, cases[i].offered);
		assert_int_equal(answer.direction, sdp_direction_mirror(cases[i].offered));
		assert_has_line(text, cases[i].answered);
		g_free(text);
		g_free(offer);
		g_free(media);
	}
}

static void test_session_level_direction(void **state)
{
	const char *offer = "v=0\r\n"
			    "o=- 1 1 IN IP4 198.51.100.7\r\n"
			    "s=-\r\n"
			    "c=IN IP4 198.51.100.7\r\n"
			    "t=0 0\r\n"
			    "a=sendonly\r\n"
			    "m=audio 4000 RTP/AVP 0\r\n";
	struct sdp_media_desc d = parse_ok(offer);
	char *text = sdp_answer_build(&d, &our_side);

	assert_int_equal(d.direction, SDP_SENDONLY);
	assert_has_line(text, "a=recvonly");
	g_free(text);
}

static void test_local_direction_limits_answer(void **state)
{
	struct sdp_local holding = our_side;
	struct sdp_media_desc answer;
	char *text;

	holding.direction = SDP_SENDONLY; /* we put the call on hold */
	text = answer_to("m=audio 4000 RTP/AVP 0\r\n", &holding, &answer);
	assert_has_line(text, "a=sendonly");
	g_free(text);

	text = answer_to("m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n", &holding, &answer);
	assert_has_line(text, "a=inactive");
	g_free(text);
}

static void test_hold_with_zero_address(void **state)
{
	char *offer = offer_with("IN IP4 0.0.0.0", "m=audio 4000 RTP/AVP 0\r\n");
	struct sdp_media_desc d = parse_ok(offer);
	char *text = sdp_answer_build(&d, &our_side);

	assert_true(d.hold_0000);
	assert_false(sdp_direction_receives(d.direction));
	assert_int_equal(d.direction, SDP_SENDONLY);
	assert_has_line(text, "a=recvonly");
	assert_has_line(text, "c=IN IP4 " OUR_ADDRESS);
	g_free(text);
	g_free(offer);

	offer = offer_with("IN IP4 0.0.0.0", "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n");
	d = parse_ok(offer);
	assert_int_equal(d.direction, SDP_INACTIVE);
	g_free(offer);
}

static void test_ipv6(void **state)
{
	const struct sdp_local v6 = {
		.address = "2001:db8::10", .rtp_port = 30000, .session_id = 7, .session_version = 3
	};
	char *offer = offer_with("IN IP6 2001:db8::7", "m=audio 5004 RTP/AVP 0\r\n");
	struct sdp_media_desc d = parse_ok(offer), answer;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&d.rtp_addr;
	struct in6_addr expected;
	char *text;

	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 5004);
	inet_pton(AF_INET6, "2001:db8::7", &expected);
	assert_memory_equal(&sin6->sin6_addr, &expected, sizeof(expected));
	assert_string_equal(d.address, "2001:db8::7");

	text = sdp_answer_build(&d, &v6);
	assert_non_null(text);
	assert_has_line(text, "c=IN IP6 2001:db8::10");
	assert_has_line(text, "o=rtprelay 7 3 IN IP6 2001:db8::10");
	assert_has_line(text, "m=audio 30000 RTP/AVP 0");
	answer = parse_ok(text);
	assert_int_equal(answer.rtp_addr.ss_family, AF_INET6);
	g_free(text);
	g_free(offer);
}

static void test_origin_is_ours_and_versioned(void **state)
{
	struct sdp_local local = our_side;
	struct sdp_media_desc answer;
	char *first = answer_to("m=audio 4000 RTP/AVP 0\r\n", &local, &answer);
	char *second;

	assert_has_line(first, "o=rtprelay 4242 1 IN IP4 " OUR_ADDRESS);
	assert_true(answer.session_id == 4242 && answer.session_version == 1);
	local.session_version++;
	second = answer_to("m=audio 4000 RTP/AVP 0\r\n", &local, &answer);
	assert_has_line(second, "o=rtprelay 4242 2 IN IP4 " OUR_ADDRESS);
	assert_true(answer.session_version == 2);
	g_free(first);
	g_free(second);
}

static void test_other_media_rejected_in_place(void **state)
{
	struct sdp_media_desc answer;
	char *text = answer_to("m=video 5000 RTP/AVP 31\r\n"
			       "m=audio 4000 RTP/AVP 0\r\n"
			       "m=text 6000 RTP/AVP 98\r\n"
			       "a=rtpmap:98 t140/1000\r\n",
			       &our_side, &answer);
	const char *video = strstr(text, "m=video 0 RTP/AVP 31\r\n");
	const char *audio = strstr(text, "m=audio 20000 RTP/AVP 0\r\n");
	const char *t140 = strstr(text, "m=text 0 RTP/AVP 98\r\n");

	assert_non_null(video);
	assert_non_null(audio);
	assert_non_null(t140);
	assert_true(video < audio && audio < t140);
	assert_int_equal(answer.media_count, 3);
	assert_int_equal(answer.audio_index, 1);
	g_free(text);
}

static void test_first_usable_audio_line(void **state)
{
	struct sdp_media_desc answer;
	char *text = answer_to("m=audio 4000 RTP/SAVP 0\r\n"
			       "m=audio 4002 RTP/AVP 8\r\n",
			       &our_side, &answer);

	assert_has_line(text, "m=audio 0 RTP/SAVP 0");
	assert_has_line(text, "m=audio 20000 RTP/AVP 8");
	g_free(text);
}

/* Found by tests/fuzz/fuzz_sdp: PT 0 listed twice, remapped once, came back as PCMA and PCMU both on PT 0. */
static void test_payload_type_listed_twice(void **state)
{
	struct sdp_media_desc answer;
	char *text = answer_to("m=audio 4000 RTP/AVP 0 0\r\na=rtpmap:0 PCMA/8000\r\n", &our_side, &answer);

	assert_int_equal(answer.payload_count, 1);
	assert_int_equal(answer.payloads[0].codec, SDP_CODEC_PCMA);
	assert_has_line(text, "m=audio 20000 RTP/AVP 0");
	g_free(text);
}

/* Found by tests/fuzz/fuzz_sdp: cut to fit, a rejected line's protocol ended in '/'. */
static void test_long_protocol_rejected_validly(void **state)
{
	struct sdp_media_desc answer;
	char *text =
	    answer_to("m=audio 4000 RTP/AVP 0\r\nm=text 6000 RTPPPPPPPPPPPPPPPPPPPP/AVP 98\r\n", &our_side, &answer);

	assert_has_line(text, "m=text 0 RTPPPPPPPPPPPPPPPPPPPP 98");
	g_free(text);
}

static void check_bad(const char *text, size_t len, const char *expected_error)
{
	struct sdp_media_desc d;
	char err[SDP_ERROR_MAX];

	assert_int_equal(sdp_media_parse(text, len, &d, err, sizeof(err)), SDP_PARSE_BAD);
	if (strncmp(err, expected_error, strlen(expected_error)))
		fail_msg("error \"%s\", expected \"%s...\"", err, expected_error);
}

/*
 * A malformed rtpmap or fmtp of a codec we never use (no clock rate) does
 * not cost the call: sofia-sip alone would refuse the whole offer.
 */
static void test_broken_line_of_an_unused_codec(void **state)
{
	char *offer = offer_with("IN IP4 198.51.100.7", "m=audio 4000 RTP/AVP 31 0 96 101\r\n"
							"a=rtpmap:31 LPC\r\n"
							"a=rtpmap:96 opus\r\n"
							"a=fmtp:96 nonsense\r\n"
							"a=rtpmap:101 telephone-event/8000\r\n"
							"a=fmtp:101 0-15\r\n");
	struct sdp_media_desc d = parse_ok(offer);

	assert_payloads(&d, "0 101");
	assert_string_equal(sdp_media_desc_find(&d, SDP_CODEC_TELEPHONE_EVENT)->fmtp, "0-15");
	g_free(offer);
}

/*
 * sofia-sip reads an attribute name up to any non-token character, so
 * "a=rtpmap/101 ..." is payload 101's rtpmap: telephone-event is known
 * by it as by "a=rtpmap:101 ...", and its line is kept.
 */
static void test_rtpmap_name_ended_otherwise(void **state)
{
	char *offer = offer_with("IN IP4 198.51.100.7", "m=audio 4000 RTP/AVP 0 101\r\n"
							"a=rtpmap/101 telephone-event/8000\r\n");
	struct sdp_media_desc d = parse_ok(offer);

	assert_payloads(&d, "0 101");
	g_free(offer);
}

/*
 * PCMU on a dynamic payload type, or PCMA on an unassigned static one: the
 * offer is read by its rtpmap, and the answer, which repeats the mapping,
 * parses back the same (the fuzzer found an answer to such an offer that
 * did not: its rtpmap line was dropped as one of a codec we never read).
 */
static void test_codec_on_another_payload_type(void **state)
{
	struct sdp_media_desc answer;
	char *text = answer_to("m=audio 4000 RTP/AVP 96 1\r\n"
			       "a=rtpmap:96 PCMU/8000\r\n"
			       "a=rtpmap:1 PCMA/8000\r\n",
			       &our_side, &answer);

	assert_payloads(&answer, "96 1");
	assert_int_equal(answer.payloads[0].codec, SDP_CODEC_PCMU);
	assert_int_equal(answer.payloads[1].codec, SDP_CODEC_PCMA);
	assert_has_line(text, "a=rtpmap:96 PCMU/8000");
	assert_has_line(text, "a=rtpmap:1 PCMA/8000");
	g_free(text);
}

static void test_bad_sdp_says_why(void **state)
{
	const char *garbage = "this is not SDP at all";
	const char *no_c = "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	const char *bad_port =
	    "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n";
	const char *host =
	    "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 example.com\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	const char nul[] = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n\0s=-\r\n";
	char *video_only = offer_with("IN IP4 198.51.100.7", "m=video 5000 RTP/AVP 31\r\n");
	char *no_media = offer_with("IN IP4 198.51.100.7", "");

	check_bad(garbage, strlen(garbage), "Bad SDP: bad SDP message");
	check_bad(no_c, strlen(no_c), "Bad SDP: No c= ");
	check_bad(bad_port, strlen(bad_port), "Bad SDP: m= invalid port");
	check_bad(host, strlen(host), "Bad SDP: bad connection address");
	check_bad(nul, sizeof(nul) - 1, "Bad SDP: NUL byte");
	check_bad("", 0, "Bad SDP: empty body");
	check_bad(video_only, strlen(video_only), "Bad SDP: no audio m= line");
	check_bad(no_media, strlen(no_media), "Bad SDP: no audio m= line");
	g_free(video_only);
	g_free(no_media);
}

static void test_buffer_need_not_end_in_nul(void **state)
{
	char *offer = offer_with("IN IP4 198.51.100.7", "m=audio 4000 RTP/AVP 8\r\n");
	size_t len = strlen(offer);
	char *buf = g_malloc(len + 16);
	struct sdp_media_desc d;
	char err[SDP_ERROR_MAX];

	memcpy(buf, offer, len);
	memcpy(buf + len, "m=video 1 XX 9\r\n", 16); /* beyond len, no NUL */
	assert_int_equal(sdp_media_parse(buf, len, &d, err, sizeof(err)), SDP_PARSE_OK);
	assert_int_equal(d.media_count, 1);
	assert_payloads(&d, "8");
	g_free(buf);
	g_free(offer);
}

static void test_delayed_offer_parses_back(void **state)
{
	struct sdp_local local = our_side;
	struct sdp_media_desc d;
	const struct sdp_payload *te;
	char *offer = sdp_offer_build(&local);

	assert_non_null(offer);
	assert_has_line(offer, "m=audio 20000 RTP/AVP 0 8 101");
	assert_has_line(offer, "a=rtpmap:0 PCMU/8000");
	assert_has_line(offer, "a=rtpmap:8 PCMA/8000");
	assert_has_line(offer, "a=rtpmap:101 telephone-event/8000");
	assert_has_line(offer, "a=fmtp:101 0-16");
	assert_has_line(offer, "a=ptime:20");
	assert_has_line(offer, "a=sendrecv");
	assert_has_line(offer, "c=IN IP4 " OUR_ADDRESS);
	d = parse_ok(offer);
	assert_payloads(&d, "0 8 101");
	te = sdp_media_desc_find(&d, SDP_CODEC_TELEPHONE_EVENT);
	assert_non_null(te);
	assert_string_equal(te->fmtp, "0-16");
	assert_int_equal(d.ptime, 20);
	assert_int_equal(d.rtp_port, OUR_PORT);
	assert_int_equal(d.direction, SDP_SENDRECV);
	assert_string_equal(d.address, OUR_ADDRESS);
	g_free(offer);

	local.preferred = SDP_CODEC_PCMA;
	local.direction = SDP_SENDONLY;
	offer = sdp_offer_build(&local);
	assert_has_line(offer, "m=audio 20000 RTP/AVP 8 0 101");
	assert_has_line(offer, "a=sendonly");
	d = parse_ok(offer);
	assert_int_equal(sdp_media_desc_first_codec(&d)->codec, SDP_CODEC_PCMA);
	assert_int_equal(d.direction, SDP_SENDONLY);
	g_free(offer);
}

static void test_build_refuses_bad_local_address(void **state)
{
	struct sdp_local local = our_side;

	local.address = "not-an-ip";
	assert_null(sdp_offer_build(&local));
	local.address = NULL;
	assert_null(sdp_offer_build(&local));
}

static void test_direction_helpers(void **state)
{
	assert_int_equal(sdp_direction_mirror(SDP_SENDONLY), SDP_RECVONLY);
	assert_int_equal(sdp_direction_mirror(SDP_RECVONLY), SDP_SENDONLY);
	assert_int_equal(sdp_direction_mirror(SDP_SENDRECV), SDP_SENDRECV);
	assert_int_equal(sdp_direction_mirror(SDP_INACTIVE), SDP_INACTIVE);
	assert_true(sdp_direction_sends(SDP_SENDONLY) && !sdp_direction_receives(SDP_SENDONLY));
	assert_string_equal(sdp_direction_name(SDP_INACTIVE), "inactive");
	assert_string_equal(sdp_codec_name(SDP_CODEC_PCMA), "PCMA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_offer_fields),
		cmocka_unit_test(test_answer_keeps_offer_order),
		cmocka_unit_test(test_answer_keeps_telephone_event_pt),
		cmocka_unit_test(test_wideband_telephone_event_ignored),
		cmocka_unit_test(test_no_common_codec),
		cmocka_unit_test(test_direction_mirrored),
		cmocka_unit_test(test_session_level_direction),
		cmocka_unit_test(test_local_direction_limits_answer),
		cmocka_unit_test(test_hold_with_zero_address),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_origin_is_ours_and_versioned),
		cmocka_unit_test(test_other_media_rejected_in_place),
		cmocka_unit_test(test_first_usable_audio_line),
		cmocka_unit_test(test_broken_line_of_an_unused_codec),
		cmocka_unit_test(test_rtpmap_name_ended_otherwise),
		cmocka_unit_test(test_codec_on_another_payload_type),
		cmocka_unit_test(test_bad_sdp_says_why),
		cmocka_unit_test(test_buffer_need_not_end_in_nul),
		cmocka_unit_test(test_delayed_offer_parses_back),
		cmocka_unit_test(test_build_refuses_bad_local_address),
		cmocka_unit_test(test_direction_helpers),
		cmocka_unit_test(test_payload_type_listed_twice),
		cmocka_unit_test(test_long_protocol_rejected_validly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
