// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * RTP and RTCP packets: headers round-trip, the sender's sequence,
 * timestamp and marker behave as RFC 3550 says, malformed packets are
 * rejected, compound RTCP is well formed, report intervals are randomised.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/rtcp.h"
#include "lib/rtp.h"
#include "tests/support/rtcp_parse.h"

#define FRAME_SAMPLES 160

static void test_header_round_trip(void **state)
{
	const struct rtp_header_fields h = {
		.marker = true,
		.payload_type = 8,
		.seq = 0xBEEF,
		.timestamp = 0xDEADBEEF,
		.ssrc = 0x01020304,
	};
	uint8_t buf[64], payload[] = { 1, 2, 3, 4, 5 };
	struct rtp_packet p;
	size_t len = rtp_write_header(buf, sizeof(buf), &h, NULL);

	assert_int_equal(len, RTP_HEADER_LEN);
	assert_int_equal(buf[0], 0x80);
	assert_int_equal(buf[1], 0x88);
	memcpy(buf + len, payload, sizeof(payload));
	assert_int_equal(rtp_parse(buf, len + sizeof(payload), &p), RTP_OK);
	assert_int_equal(p.header.version, 2);
	assert_true(p.header.marker);
	assert_int_equal(p.header.payload_type, 8);
	assert_int_equal(p.header.seq, 0xBEEF);
	assert_int_equal(p.header.timestamp, 0xDEADBEEF);
	assert_int_equal(p.header.ssrc, 0x01020304);
	assert_int_equal(p.payload_len, sizeof(payload));
	assert_memory_equal(p.payload, payload, sizeof(payload));
}

static void test_csrc_extension_padding_parse(void **state)
{
	const uint32_t csrc[2] = { 0x11111111, 0x22222222 };
	const struct rtp_header_fields h = {
		.padding = true,
		.extension = true,
		.csrc_count = 2,
		.payload_type = 0,
		.seq = 1,
		.ssrc = 7,
	};
	uint8_t buf[64] = { 0 };
	size_t len = rtp_write_header(buf, sizeof(buf), &h, csrc);
	struct rtp_packet p;

	assert_int_equal(len, RTP_HEADER_LEN + 8);
	/* extension: profile 0xBEDE, one word of data */
	buf[len] = 0xBE, buf[len + 1] = 0xDE, buf[len + 2] = 0, buf[len + 3] = 1;
	len += 8;
	memset(buf + len, 0xAB, 10); /* payload */
	len += 10;
	buf[len + 2] = 3; /* three octets of padding, the count last */
	len += 3;

	assert_int_equal(rtp_parse(buf, len, &p), RTP_OK);
	assert_int_equal(p.header.csrc_count, 2);
	assert_int_equal(p.csrc[0], 0x11111111);
	assert_int_equal(p.csrc[1], 0x22222222);
	assert_int_equal(p.extension_profile, 0xBEDE);
	assert_int_equal(p.extension_len, 4);
	assert_int_equal(p.payload_len, 10);
	assert_int_equal(p.payload[0], 0xAB);
	assert_int_equal(p.padding_len, 3);
}

static void test_write_header_refuses_overflow(void **state)
{
	struct rtp_header_fields h = { .csrc_count = 2 };
	const uint32_t csrc[2] = { 1, 2 };
	uint8_t buf[64];

	assert_int_equal(rtp_write_header(buf, RTP_HEADER_LEN + 7, &h, csrc), 0);
	h.csrc_count = 16;
	assert_int_equal(rtp_write_header(buf, sizeof(buf), &h, NULL), 0);
}

static size_t valid_packet(uint8_t *buf, size_t size)
{
	const struct rtp_header_fields h = { .payload_type = 0, .seq = 5, .timestamp = 160, .ssrc = 9 };
	size_t len = rtp_write_header(buf, size, &h, NULL);

	memset(buf + len, 0xFF, 160);
	return len + 160;
}

static void test_parse_rejects_malformed(void **state)
{
	uint8_t buf[256];
	struct rtp_packet p;
	size_t len = valid_packet(buf, sizeof(buf));

	assert_int_equal(rtp_parse(buf, len, &p), RTP_OK);
	assert_int_equal(rtp_parse(buf, RTP_HEADER_LEN - 1, &p), RTP_ERR_SHORT);
	assert_int_equal(rtp_parse(buf, 0, &p), RTP_ERR_SHORT);

	buf[0] = 0x40; /* version 1 */
	assert_int_equal(rtp_parse(buf, len, &p), RTP_ERR_VERSION);
	buf[0] = 0xC0; /* version 3 */
	assert_int_equal(rtp_parse(buf, len, &p), RTP_ERR_VERSION);

	buf[0] = 0x8F; /* 15 CSRCs do not fit in 12 + 8 octets */
	assert_int_equal(rtp_parse(buf, RTP_HEADER_LEN + 8, &p), RTP_ERR_CSRC);
	assert_int_equal(rtp_parse(buf, RTP_HEADER_LEN + 60, &p), RTP_OK);

	buf[0] = 0x90; /* extension bit, no room for its header */
	assert_int_equal(rtp_parse(buf, RTP_HEADER_LEN + 2, &p), RTP_ERR_EXTENSION);
	buf[RTP_HEADER_LEN + 2] = 0x01, buf[RTP_HEADER_LEN + 3] = 0x00; /* 256 words */
	assert_int_equal(rtp_parse(buf, len, &p), RTP_ERR_EXTENSION);

	len = valid_packet(buf, sizeof(buf));
	buf[0] = 0xA0; /* padding bit */
	buf[len - 1] = 0;
	assert_int_equal(rtp_parse(buf, len, &p), RTP_ERR_PADDING);
	buf[len - 1] = 161; /* more than the 160 octets after the header */
	assert_int_equal(rtp_parse(buf, len, &p), RTP_ERR_PADDING);
	buf[len - 1] = 160;
	assert_int_equal(rtp_parse(buf, len, &p), RTP_OK);
	assert_int_equal(p.payload_len, 0);
}

static struct rtp_packet send_one(struct rtp_sender *s, uint8_t *buf, size_t size)
{
	uint8_t payload[FRAME_SAMPLES];
	struct rtp_packet p;
	size_t len;

	memset(payload, 0xFF, sizeof(payload));
	len = rtp_sender_next(s, buf, size, payload, sizeof(payload), FRAME_SAMPLES);
	assert_int_equal(len, RTP_HEADER_LEN + FRAME_SAMPLES);
	assert_int_equal(rtp_parse(buf, len, &p), RTP_OK);
	return p;
}

static void test_sender_sequence_and_marker(void **state)
{
	uint8_t buf[RTP_HEADER_LEN + FRAME_SAMPLES];
	struct rtp_sender s;
	struct rtp_packet p;
	uint16_t seq0;
	uint32_t ts0;

	rtp_sender_init(&s, 8);
	seq0 = s.seq;
	ts0 = s.timestamp;
	p = send_one(&s, buf, sizeof(buf));
	assert_true(p.header.marker); /* first packet of the stream */
	assert_int_equal(p.header.payload_type, 8);
	assert_int_equal(p.header.seq, seq0);
	assert_int_equal(p.header.timestamp, ts0);
	assert_int_equal(p.header.ssrc, s.ssrc);

	for (unsigned i = 1; i <= 5; i++) {
		p = send_one(&s, buf, sizeof(buf));
		assert_false(p.header.marker);
		assert_int_equal(p.header.seq, (uint16_t)(seq0 + i));
		assert_int_equal(p.header.timestamp, (uint32_t)(ts0 + i * FRAME_SAMPLES));
	}

	rtp_sender_restart(&s);
	p = send_one(&s, buf, sizeof(buf));
	assert_true(p.header.marker);
	assert_int_equal(p.header.seq, (uint16_t)(seq0 + 6)); /* no gap in sequence */
	p = send_one(&s, buf, sizeof(buf));
	assert_false(p.header.marker);

	assert_int_equal(s.packet_count, 8);
	assert_int_equal(s.octet_count, 8 * FRAME_SAMPLES);
}

static void test_sender_wraps(void **state)
{
	uint8_t buf[RTP_HEADER_LEN + FRAME_SAMPLES];
	struct rtp_sender s;
	struct rtp_packet p;

	rtp_sender_init(&s, 0);
	s.seq = 0xFFFF;
	s.timestamp = 0xFFFFFFFF - 100;
	p = send_one(&s, buf, sizeof(buf));
	assert_int_equal(p.header.seq, 0xFFFF);
	p = send_one(&s, buf, sizeof(buf));
	assert_int_equal(p.header.seq, 0);
	assert_int_equal(p.header.timestamp, (uint32_t)(0xFFFFFFFF - 100 + FRAME_SAMPLES));
}

static void test_sender_random_start(void **state)
{
	struct rtp_sender a, b;

	rtp_sender_init(&a, 0);
	rtp_sender_init(&b, 0);
	/* 2^-80 chance of a false failure */
	assert_false(a.ssrc == b.ssrc && a.seq == b.seq && a.timestamp == b.timestamp);
}

static void test_sender_refuses_small_buffer(void **state)
{
	uint8_t buf[RTP_HEADER_LEN + FRAME_SAMPLES - 1], payload[FRAME_SAMPLES] = { 0 };
	struct rtp_sender s;
	uint16_t seq;

	rtp_sender_init(&s, 0);
	seq = s.seq;
	assert_int_equal(rtp_sender_next(&s, buf, sizeof(buf), payload, sizeof(payload), FRAME_SAMPLES), 0);
	assert_int_equal(s.seq, seq);
	assert_true(s.marker_pending);
}

static void test_sender_timestamp_after(void **state)
{
	uint8_t buf[RTP_HEADER_LEN + FRAME_SAMPLES];
	struct rtp_sender s;
	struct rtp_packet p;

	rtp_sender_init(&s, 0);
	p = send_one(&s, buf, sizeof(buf));
	assert_int_equal(rtp_sender_timestamp_after(&s, 0, 8000), p.header.timestamp);
	assert_int_equal(rtp_sender_timestamp_after(&s, 10000, 8000), (uint32_t)(p.header.timestamp + 80));
}

/* ---- RTCP ---------------------------------------------------------------- */

static const struct rtcp_sender_info sample_info = {
	.ssrc = 0xCAFEBABE,
	.ntp = 0xE8A1B2C3D4E5F607ULL,
	.rtp_timestamp = 123456,
	.packet_count = 250,
	.octet_count = 40000,
};

static void check_sender_info(const struct rtcp_compound *c)
{
	assert_int_equal(c->ssrc, sample_info.ssrc);
	assert_int_equal(c->sr.ssrc, sample_info.ssrc);
	assert_true(c->sr.ntp == sample_info.ntp);
	assert_int_equal(c->sr.rtp_timestamp, sample_info.rtp_timestamp);
	assert_int_equal(c->sr.packet_count, sample_info.packet_count);
	assert_int_equal(c->sr.octet_count, sample_info.octet_count);
}

static void test_sr_round_trip(void **state)
{
	uint8_t buf[512];
	struct rtcp_compound c;
	size_t len = rtcp_build_sr(buf, sizeof(buf), &sample_info, "rtprelay@192.0.2.1");

	assert_true(len > 0);
	assert_int_equal(len % 4, 0);
	assert_int_equal(buf[0], 0x80);
	assert_int_equal(buf[1], RTCP_PT_SR);
	assert_true(rtcp_is_rtcp(buf, len));
	assert_int_equal(rtcp_parse_compound(buf, len, &c), RTCP_OK);
	assert_int_equal(c.packets, 2);
	assert_true(rtcp_compound_has(&c, RTCP_PT_SR));
	assert_true(rtcp_compound_has(&c, RTCP_PT_SDES));
	assert_false(rtcp_compound_has(&c, RTCP_PT_BYE));
	assert_false(rtcp_compound_has(&c, RTCP_PT_RR));
	check_sender_info(&c);
	assert_string_equal(c.cname, "rtprelay@192.0.2.1");
}

static void test_bye_round_trip(void **state)
{
	uint8_t buf[512];
	struct rtcp_compound c;
	size_t len = rtcp_build_bye(buf, sizeof(buf), &sample_info, "abc", "call ended");

	assert_true(len > 0);
	assert_int_equal(rtcp_parse_compound(buf, len, &c), RTCP_OK);
	assert_int_equal(c.packets, 3);
	assert_true(rtcp_compound_has(&c, RTCP_PT_SR));
	assert_true(rtcp_compound_has(&c, RTCP_PT_SDES));
	assert_true(rtcp_compound_has(&c, RTCP_PT_BYE));
	check_sender_info(&c);
	assert_string_equal(c.cname, "abc");
	assert_string_equal(c.bye_reason, "call ended");

	len = rtcp_build_bye(buf, sizeof(buf), &sample_info, "abcd", NULL);
	assert_int_equal(rtcp_parse_compound(buf, len, &c), RTCP_OK);
	assert_true(rtcp_compound_has(&c, RTCP_PT_BYE));
	assert_string_equal(c.cname, "abcd");
	assert_string_equal(c.bye_reason, "");
}

/* Every CNAME length pads its chunk correctly. */
static void test_sdes_padding_all_lengths(void **state)
{
	char cname[RTCP_TEXT_MAX + 2];
	uint8_t buf[1024];
	struct rtcp_compound c;

	for (size_t n = 0; n <= RTCP_TEXT_MAX; n++) {
		size_t len;

		memset(cname, 'x', n);
		cname[n] = '\0';
		len = rtcp_build_sr(buf, sizeof(buf), &sample_info, cname);
		assert_true(len > 0);
		assert_int_equal(len % 4, 0);
		assert_int_equal(rtcp_parse_compound(buf, len, &c), RTCP_OK);
		assert_string_equal(c.cname, cname);
	}
	memset(cname, 'x', RTCP_TEXT_MAX + 1);
	cname[RTCP_TEXT_MAX + 1] = '\0';
	assert_int_equal(rtcp_build_sr(buf, sizeof(buf), &sample_info, cname), 0);
}

static void test_build_refuses_small_buffer(void **state)
{
	uint8_t buf[40];

	assert_int_equal(rtcp_build_sr(buf, sizeof(buf), &sample_info, "a-long-enough-cname"), 0);
	assert_int_equal(rtcp_build_bye(buf, 28, &sample_info, "a", NULL), 0);
}

static void test_rtcp_parse_rejects_malformed(void **state)
{
	uint8_t buf[512];
	struct rtcp_compound c;
	size_t len = rtcp_build_bye(buf, sizeof(buf), &sample_info, "cname", "bye");
	uint8_t copy[512];

	assert_int_equal(rtcp_parse_compound(buf, 3, &c), RTCP_ERR_SHORT);
	assert_int_equal(rtcp_parse_compound(buf, len - 4, &c), RTCP_ERR_LENGTH); /* BYE cut short */
	assert_int_equal(rtcp_parse_compound(buf, len + 2, &c), RTCP_ERR_LENGTH); /* trailing bytes */

	memcpy(copy, buf, len);
	copy[0] = 0x40; /* version 1 */
	assert_int_equal(rtcp_parse_compound(copy, len, &c), RTCP_ERR_VERSION);

	memcpy(copy, buf, len);
	copy[28] ^= 0xC0; /* SDES (second packet) version 1 */
	assert_int_equal(rtcp_parse_compound(copy, len, &c), RTCP_ERR_VERSION);

	memcpy(copy, buf, len);
	copy[0] |= 0x20; /* padding on the first packet */
	assert_int_equal(rtcp_parse_compound(copy, len, &c), RTCP_ERR_FIRST);

	/* starting with the SDES is not a valid compound */
	assert_int_equal(rtcp_parse_compound(buf + 28, len - 28, &c), RTCP_ERR_FIRST);

	memcpy(copy, buf, len);
	copy[28] |= 0x20; /* padding on the SDES, which is not last */
	assert_int_equal(rtcp_parse_compound(copy, len, &c), RTCP_ERR_PADDING);

	memcpy(copy, buf, len);
	copy[3] = 5; /* SR says 24 octets: too short for its sender info */
	assert_int_equal(rtcp_parse_compound(copy, len, &c), RTCP_ERR_CONTENT);

	memcpy(copy, buf, len);
	copy[29] = 180; /* second packet's type below the RTCP range (192..223) */
	assert_int_equal(rtcp_parse_compound(copy, len, &c), RTCP_ERR_TYPE);

	memcpy(copy, buf, len);
	copy[28 + 9] = 200; /* CNAME length past the packet */
	assert_int_equal(rtcp_parse_compound(copy, len, &c), RTCP_ERR_CONTENT);
}

static void test_rtcp_or_rtp(void **state)
{
	uint8_t rtp[256], rtcp[256];
	size_t rtp_len = valid_packet(rtp, sizeof(rtp));
	size_t rtcp_len = rtcp_build_sr(rtcp, sizeof(rtcp), &sample_info, "x");

	assert_false(rtcp_is_rtcp(rtp, rtp_len));
	assert_true(rtcp_is_rtcp(rtcp, rtcp_len));
	rtp[1] = 0x80 | 8; /* PCMA with marker: 136, still RTP */
	assert_false(rtcp_is_rtcp(rtp, rtp_len));
}

static void test_ntp_conversion(void **state)
{
	/* 1970-01-01 00:00:00.5 UTC */
	assert_true(rtcp_ntp_from_unix_us(500000) == ((2208988800ULL << 32) | 0x80000000ULL));
	assert_true(rtcp_ntp_from_unix_us(1000000) == (2208988801ULL << 32));
}

static void test_sender_info_now(void **state)
{
	struct rtcp_sender_info info;
	struct rtp_sender s;

	rtp_sender_init(&s, 0);
	s.packet_count = 3;
	s.octet_count = 480;
	rtcp_sender_info_now(&info, &s, 20000, 8000);
	assert_int_equal(info.ssrc, s.ssrc);
	assert_int_equal(info.rtp_timestamp, (uint32_t)(s.last_timestamp + 160));
	assert_int_equal(info.packet_count, 3);
	assert_int_equal(info.octet_count, 480);
	assert_true(info.ntp >> 32 > 2208988800ULL + 1600000000ULL); /* after 2020 */
}

static void test_interval_two_members(void **state)
{
	/* 64 kbit/s PCMU plus headers: 5% of about 10 kB/s for RTCP */
	const double low = RTCP_MIN_INTERVAL * 0.5 / (M_E - 1.5), high = RTCP_MIN_INTERVAL * 1.5 / (M_E - 1.5);
	double sum = 0, min = 1e9, max = 0;
	const int runs = 2000;

	for (int i = 0; i < runs; i++) {
		double t = rtcp_interval(2, 1, 500, true, 100, false);

		assert_true(t >= low && t <= high);
		sum += t;
		min = t < min ? t : min;
		max = t > max ? t : max;
	}
	/* centred on 5 s / (e - 1.5) = 4.1 s, and really randomised */
	assert_true(sum / runs > 3.9 && sum / runs < 4.3);
	assert_true(max - min > 3.0);

	/* the first report may come after half the minimum */
	for (int i = 0; i < runs; i++) {
		double t = rtcp_interval(2, 1, 500, true, 100, true);

		assert_true(t >= low / 2 && t <= high / 2);
	}
}

static void test_interval_grows_with_members(void **state)
{
	/* 1000 receivers at 100 octets each over 375 octets/s: 266 s deterministic */
	double t = rtcp_interval(1001, 1, 500, false, 100, false);

	assert_true(t >= 0.5 * 266.6 / (M_E - 1.5) && t <= 1.5 * 266.8 / (M_E - 1.5));
	assert_true(rtcp_avg_size_update(100, 116) == 101);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_csrc_extension_padding_parse),
		cmocka_unit_test(test_write_header_refuses_overflow),
		cmocka_unit_test(test_parse_rejects_malformed),
		cmocka_unit_test(test_sender_sequence_and_marker),
		cmocka_unit_test(test_sender_wraps),
		cmocka_unit_test(test_sender_random_start),
		cmocka_unit_test(test_sender_refuses_small_buffer),
		cmocka_unit_test(test_sender_timestamp_after),
		cmocka_unit_test(test_sr_round_trip),
		cmocka_unit_test(test_bye_round_trip),
		cmocka_unit_test(test_sdes_padding_all_lengths),
		cmocka_unit_test(test_build_refuses_small_buffer),
		cmocka_unit_test(test_rtcp_parse_rejects_malformed),
		cmocka_unit_test(test_rtcp_or_rtp),
		cmocka_unit_test(test_ntp_conversion),
		cmocka_unit_test(test_sender_info_now),
		cmocka_unit_test(test_interval_two_members),
		cmocka_unit_test(test_interval_grows_with_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
