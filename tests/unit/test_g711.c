// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* G.711: reference code/value pairs, round trips, monotonic quantisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/g711.h"

struct code_value {
	uint8_t code;
	int16_t value;
};

/* Decoder outputs of ITU-T G.711 (14-bit μ-law ×4, 13-bit A-law ×8). */
static const struct code_value ulaw_reference[] = {
	{ 0xFF, 0 },   { 0x7F, 0 },    { 0x80, 32124 }, { 0x00, -32124 }, { 0xFE, 8 },
	{ 0x7E, -8 },  { 0xEF, 132 },  { 0xF0, 120 },	{ 0x8F, 16764 },  { 0x0F, -16764 },
	{ 0xDF, 396 }, { 0x9F, 8316 }, { 0xA0, 7932 },	{ 0x90, 15996 },
};

static const struct code_value alaw_reference[] = {
	{ 0xD5, 8 },   { 0x55, -8 },  { 0xAA, 32256 }, { 0x2A, -32256 }, { 0xD4, 24 },
	{ 0x54, -24 }, { 0xC5, 264 }, { 0xA5, 16896 }, { 0xAB, 31232 },	 { 0xFA, 1008 },
};

static void test_ulaw_decode_reference(void **state)
{
	for (size_t i = 0; i < sizeof(ulaw_reference) / sizeof(ulaw_reference[0]); i++)
		assert_int_equal(g711_ulaw_decode(ulaw_reference[i].code), ulaw_reference[i].value);
}

static void test_alaw_decode_reference(void **state)
{
	for (size_t i = 0; i < sizeof(alaw_reference) / sizeof(alaw_reference[0]); i++)
		assert_int_equal(g711_alaw_decode(alaw_reference[i].code), alaw_reference[i].value);
}

static void test_encode_reference(void **state)
{
	assert_int_equal(g711_ulaw_encode(0), 0xFF);
	assert_int_equal(g711_ulaw_encode(32767), 0x80);
	assert_int_equal(g711_ulaw_encode(-32768), 0x00);
	assert_int_equal(g711_ulaw_encode(8), 0xFE);
	assert_int_equal(g711_ulaw_encode(-8), 0x7E);
	assert_int_equal(g711_alaw_encode(0), 0xD5);
	assert_int_equal(g711_alaw_encode(-1), 0x55);
	assert_int_equal(g711_alaw_encode(32767), 0xAA);
	assert_int_equal(g711_alaw_encode(-32768), 0x2A);
	assert_int_equal(g711_alaw_encode(24), 0xD4);
}

static void test_ulaw_every_code_round_trips(void **state)
{
	for (unsigned code = 0; code < 256; code++) {
		uint8_t again = g711_ulaw_encode(g711_ulaw_decode(code));

		/* 0x7F is μ-law's negative zero: it decodes to 0, which encodes as 0xFF. */
		assert_int_equal(again, code == 0x7F ? 0xFF : code);
	}
}

static void test_alaw_every_code_round_trips(void **state)
{
	for (unsigned code = 0; code < 256; code++)
		assert_int_equal(g711_alaw_encode(g711_alaw_decode(code)), code);
}

static void test_sign_symmetry(void **state)
{
	for (unsigned code = 0; code < 256; code++) {
		assert_int_equal(g711_ulaw_decode(code ^ 0x80), -g711_ulaw_decode(code));
		assert_int_equal(g711_alaw_decode(code ^ 0x80), -g711_alaw_decode(code));
	}
}

/* Larger input never decodes smaller, and the error stays within a step. */
static void check_monotonic(uint8_t (*encode)(int16_t), int16_t (*decode)(uint8_t))
{
	int previous = INT16_MIN - 1;

	for (int x = INT16_MIN; x <= INT16_MAX; x++) {
		int y = decode(encode(x));
		int bound = abs(x) / 16 > 16 ? abs(x) / 16 : 16;

		assert_true(y >= previous);
		assert_true(abs(y - x) <= bound);
		previous = y;
	}
}

static void test_ulaw_monotonic(void **state)
{
	check_monotonic(g711_ulaw_encode, g711_ulaw_decode);
}

static void test_alaw_monotonic(void **state)
{
	check_monotonic(g711_alaw_encode, g711_alaw_decode);
}

static void test_buffers_match_samples(void **state)
{
	int16_t pcm[256], back[256];
	uint8_t codes[256];

	for (int i = 0; i < 256; i++)
		pcm[i] = (i - 128) * 255;
	g711_encode(G711_ULAW, pcm, codes, 256);
	g711_decode(G711_ULAW, codes, back, 256);
	for (int i = 0; i < 256; i++) {
		assert_int_equal(codes[i], g711_ulaw_encode(pcm[i]));
		assert_int_equal(back[i], g711_ulaw_decode(codes[i]));
	}
	g711_encode(G711_ALAW, pcm, codes, 256);
	g711_decode(G711_ALAW, codes, back, 256);
	for (int i = 0; i < 256; i++) {
		assert_int_equal(codes[i], g711_alaw_encode(pcm[i]));
		assert_int_equal(back[i], g711_alaw_decode(codes[i]));
	}
}

/* PCMU <-> PCMA bridges: every code re-encoded as decode-then-encode, in place too. */
static void test_transcode_every_code(void **state)
{
	uint8_t in[256], out[256], inplace[256];

	for (int i = 0; i < 256; i++)
		in[i] = inplace[i] = i;
	g711_transcode(G711_ULAW, G711_ALAW, in, out, 256);
	g711_transcode(G711_ULAW, G711_ALAW, inplace, inplace, 256);
	for (int i = 0; i < 256; i++) {
		assert_int_equal(out[i], g711_alaw_encode(g711_ulaw_decode(i)));
		assert_int_equal(inplace[i], out[i]);
	}
	g711_transcode(G711_ALAW, G711_ULAW, in, out, 256);
	for (int i = 0; i < 256; i++)
		assert_int_equal(out[i], g711_ulaw_encode(g711_alaw_decode(i)));
}

/* The signal survives: a transcoded code decodes within the coarser law's step of the original. */
static void test_transcode_keeps_the_signal(void **state)
{
	uint8_t code, back;

	for (int i = 0; i < 256; i++) {
		code = i;
		g711_transcode(G711_ALAW, G711_ULAW, &code, &back, 1);
		int a = g711_alaw_decode(code), u = g711_ulaw_decode(back);
		/* Both laws quantise their top segment in steps of 1024 (16-bit scale): no error is larger. */
		assert_true(abs(a - u) <= 1024);
		assert_true((a < 0) == (u < 0) || a == 0 || u == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ulaw_decode_reference),
		cmocka_unit_test(test_alaw_decode_reference),
		cmocka_unit_test(test_encode_reference),
		cmocka_unit_test(test_ulaw_every_code_round_trips),
		cmocka_unit_test(test_alaw_every_code_round_trips),
		cmocka_unit_test(test_sign_symmetry),
		cmocka_unit_test(test_ulaw_monotonic),
		cmocka_unit_test(test_alaw_monotonic),
		cmocka_unit_test(test_buffers_match_samples),
		cmocka_unit_test(test_transcode_every_code),
		cmocka_unit_test(test_transcode_keeps_the_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
