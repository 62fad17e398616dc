// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The check in front of sofia-sip's sdp_parse(): the bodies that make
 * sofia 1.12 loop allocating are refused with a reason, real SDP passes,
 * and whatever passes the check, sofia parses in bounded time (a watchdog
 * turns a hang into a failure instead of a stuck test).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include "sdp/sdp_guard.h"

#define S(lit) lit, sizeof(lit) - 1

static const char offer[] = "v=0\r\n"
			    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
			    "s=-\r\n"
			    "c=IN IP4 192.0.2.10\r\n"
			    "t=0 0\r\n"
			    "m=audio 49170 RTP/AVP 0 8 101\r\n"
			    "a=rtpmap:101 telephone-event/8000\r\n"
			    "a=fmtp:101 0-15\r\n"
			    "m=video 0 RTP/AVP 31\r\n"
			    "m=image 5000 udptl t38\r\n"
			    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
			    "m=audio 49172/2 RTP/AVP 0\r\n";

static void refused(const char *data, size_t len, const char *reason)
{
	char why[128] = "";

	assert_false(sdp_guard_check(data, len, why, sizeof(why)));
	assert_non_null(strstr(why, reason));
}

/* sofia parses it within 2 s (SIGALRM ends the test otherwise). */
static bool sofia_parses(const char *data, size_t len)
{
	su_home_t *home = su_home_new(sizeof(su_home_t));
	sdp_parser_t *p;
	bool ok;

	alarm(2);
	p = sdp_parse(home, data, len, 0);
	alarm(0);
	ok = sdp_session(p) != NULL;
	sdp_parser_free(p);
	su_home_unref(home);
	return ok;
}

static void test_reproducers_refused(void **state)
{
	/* The two bodies that took rtprelayd down with sofia 1.12. */
	refused(S("v=0\r\no=t 1 1 IN IP4 .\r\nm=o 4q \x01"), "m= invalid port number (line 3)");
	refused(S("v=0\r\no=t 1 1 IN IP4 .\r\nm=audio 4q RTP/AVP 0 \x01"), "m= invalid port number (line 3)");
	refused(S("v=0\r\nm=o 4 q \x01"), "m= invalid format (line 2)");
	refused(S("v=0\r\nm=o 4 q RTP/AVP"), "m= invalid format");
	/* Found by tests/fuzz/fuzz_sdp: blanks after a protocol other than RTP, no format. */
	refused(S("v=0\r\nm=aio 00 X \t"), "m= invalid format (line 2)");
	refused(S("v=0\r\nm=aio 00 X\t\t"), "m= invalid format (line 2)");
}

static void test_line_ends_like_sofia(void **state)
{
	/* A lone CR ends a line for sofia: the m= behind it is checked too. */
	refused(S("v=0\ra=x\rm=o 4q \x01"), "(line 3)");
	refused(S("v=0\na=x\nm=o 4q"), "(line 3)");
	/* Blanks before the type letter are stripped by sofia, so not a way around the check. */
	refused(S("v=0\r\n \tm=o 4q"), "(line 2)");
}

static void test_whole_body_limits(void **state)
{
	char big[SDP_GUARD_MAX_LEN + 1];

	memset(big, 'a', sizeof(big));
	refused(big, sizeof(big), "SDP body of 32769 bytes");
	refused(S("v=0\r\ns=a\0b\r\n"), "NUL byte in body");
	refused(S("v=0\r\nm=audio 123456789012 RTP/AVP 0\r\n"), "m= invalid port number");
	refused(S("v=0\r\nm=audio 5000/ RTP/AVP 0\r\n"), "m= invalid port specification");
	refused(S("v=0\r\nm=audio 5000 RTP/ 0\r\n"), "m= missing protocol");
	refused(S("v=0\r\nm= 5000 RTP/AVP 0\r\n"), "m= invalid media field");
}

static void test_real_sdp_passes(void **state)
{
	char why[128];

	assert_true(sdp_guard_check(S(offer), why, sizeof(why)));
	assert_true(sofia_parses(S(offer)));
	/* No format at all (some phones reject a stream so) and trailing blanks. */
	assert_true(sdp_guard_check(S("v=0\r\nm=audio 0 RTP/AVP\r\nm=audio 0 RTP/AVP 0  \r\n"), why, sizeof(why)));
	/* LF-only line ends, tabs between fields. */
	assert_true(sdp_guard_check(S("v=0\nm=audio\t5000\tRTP/AVP\t0\n"), why, sizeof(why)));
	assert_true(sdp_guard_check(S(""), why, sizeof(why)));
}

/*
 * Mutations of a real offer: bytes flipped, lines cut, garbage spliced in.
 * Whatever the check lets through must come back from sofia. Seeded, so a
 * failure repeats.
 */
static void test_whatever_passes_parses(void **state)
{
	static const char garbage[] = " \t\r\n\x01/=:0123456789mac*";
	GRand *rng = g_rand_new_with_seed(4566);
	char buf[sizeof(offer) + 64], why[128];
	unsigned passed = 0;

	for (int i = 0; i < 20000; i++) {
		size_t len = sizeof(offer) - 1;
		int edits = g_rand_int_range(rng, 1, 6);

		memcpy(buf, offer, len);
		for (int e = 0; e < edits && len > 0; e++) {
			size_t at = g_rand_int_range(rng, 0, len);

			if (g_rand_boolean(rng))
				buf[at] = garbage[g_rand_int_range(rng, 0, sizeof(garbage) - 1)];
			else
				len = at;
		}
		if (!sdp_guard_check(buf, len, why, sizeof(why)))
			continue;
		sofia_parses(buf, len);
		passed++;
	}
	g_rand_free(rng);
	/* The check must not refuse everything: most mutations leave the m= lines whole. */
	assert_true(passed > 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproducers_refused),    cmocka_unit_test(test_line_ends_like_sofia),
		cmocka_unit_test(test_whole_body_limits),      cmocka_unit_test(test_real_sdp_passes),
		cmocka_unit_test(test_whatever_passes_parses),
	};

	signal(SIGALRM, SIG_DFL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
