// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * G.711 after the ITU-T reference (and the classic Sun implementation):
 *  - μ-law works on 14-bit magnitudes with a bias of 33 (0x84 in 16-bit
 *    terms), eight segments, and every bit of the code inverted (0xFF).
 *  - A-law works on 13-bit magnitudes, eight segments, and inverts the
 *    even bits of the code (0x55); the sign bit is set for positive values.
 * The decode tables below are what g711_*_decode() computes from those
 * rules, written out so that decoding is one load.
 */
#include "g711.h"

#define ULAW_BIAS 33   /* 0x84 >> 2 */
#define ULAW_CLIP 8159 /* largest 14-bit magnitude before the bias */

static const int16_t ulaw_segment_end[8] = { 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF };
static const int16_t alaw_segment_end[8] = { 0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF };

static const int16_t ulaw_to_linear[256] = {
	-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884, -20860, -19836, -18812,
	-17788, -16764, -15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412, -11900, -11388, -10876, -10364,
	-9852,	-9340,	-8828,	-8316,	-7932,	-7676,	-7420,	-7164,	-6908,	-6652,	-6396,	-6140,	-5884,	-5628,
	-5372,	-5116,	-4860,	-4604,	-4348,	-4092,	-3900,	-3772,	-3644,	-3516,	-3388,	-3260,	-3132,	-3004,
	-2876,	-2748,	-2620,	-2492,	-2364,	-2236,	-2108,	-1980,	-1884,	-1820,	-1756,	-1692,	-1628,	-1564,
	-1500,	-1436,	-1372,	-1308,	-1244,	-1180,	-1116,	-1052,	-988,	-924,	-876,	-844,	-812,	-780,
	-748,	-716,	-684,	-652,	-620,	-588,	-556,	-524,	-492,	-460,	-428,	-396,	-372,	-356,
	-340,	-324,	-308,	-292,	-276,	-260,	-244,	-228,	-212,	-196,	-180,	-164,	-148,	-132,
	-120,	-112,	-104,	-96,	-88,	-80,	-72,	-64,	-56,	-48,	-40,	-32,	-24,	-16,
	-8,	0,	32124,	31100,	30076,	29052,	28028,	27004,	25980,	24956,	23932,	22908,	21884,	20860,
	19836,	18812,	17788,	16764,	15996,	15484,	14972,	14460,	13948,	13436,	12924,	12412,	11900,	11388,
	10876,	10364,	9852,	9340,	8828,	8316,	7932,	7676,	7420,	7164,	6908,	6652,	6396,	6140,
	5884,	5628,	5372,	5116,	4860,	4604,	4348,	4092,	3900,	3772,	3644,	3516,	3388,	3260,
	3132,	3004,	2876,	2748,	2620,	2492,	2364,	2236,	2108,	1980,	1884,	1820,	1756,	1692,
	1628,	1564,	1500,	1436,	1372,	1308,	1244,	1180,	1116,	1052,	988,	924,	876,	844,
	812,	780,	748,	716,	684,	652,	620,	588,	556,	524,	492,	460,	428,	396,
	372,	356,	340,	324,	308,	292,	276,	260,	244,	228,	212,	196,	180,	164,
	148,	132,	120,	112,	104,	96,	88,	80,	72,	64,	56,	48,	40,	32,
	24,	16,	8,	0,
};
static const int16_t alaw_to_linear[256] = {
	-5504,	-5248,	-6016,	-5760,	-4480,	-4224,	-4992,	-4736,	-7552,	-7296,	-8064,	-7808,	-6528,	-6272,
	-7040,	-6784,	-2752,	-2624,	-3008,	-2880,	-2240,	-2112,	-2496,	-2368,	-3776,	-3648,	-4032,	-3904,
	-3264,	-3136,	-3520,	-3392,	-22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944, -30208, -29184,
	-32256, -31232, -26112, -25088, -28160, -27136, -11008, -10496, -12032, -11520, -8960,	-8448,	-9984,	-9472,
	-15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568, -344,	-328,	-376,	-360,	-280,	-264,
	-312,	-296,	-472,	-456,	-504,	-488,	-408,	-392,	-440,	-424,	-88,	-72,	-120,	-104,
	-24,	-8,	-56,	-40,	-216,	-200,	-248,	-232,	-152,	-136,	-184,	-168,	-1376,	-1312,
	-1504,	-1440,	-1120,	-1056,	-1248,	-1184,	-1888,	-1824,	-2016,	-1952,	-1632,	-1568,	-1760,	-1696,
	-688,	-656,	-752,	-720,	-560,	-528,	-624,	-592,	-944,	-912,	-1008,	-976,	-816,	-784,
	-880,	-848,	5504,	5248,	6016,	5760,	4480,	4224,	4992,	4736,	7552,	7296,	8064,	7808,
	6528,	6272,	7040,	6784,	2752,	2624,	3008,	2880,	2240,	2112,	2496,	2368,	3776,	3648,
	4032,	3904,	3264,	3136,	3520,	3392,	22016,	20992,	24064,	23040,	17920,	16896,	19968,	18944,
	30208,	29184,	32256,	31232,	26112,	25088,	28160,	27136,	11008,	10496,	12032,	11520,	8960,	8448,
	9984,	9472,	15104,	14592,	16128,	15616,	13056,	12544,	14080,	13568,	344,	328,	376,	360,
	280,	264,	312,	296,	472,	456,	504,	488,	408,	392,	440,	424,	88,	72,
	120,	104,	24,	8,	56,	40,	216,	200,	248,	232,	152,	136,	184,	168,
	1376,	1312,	1504,	1440,	1120,	1056,	1248,	1184,	1888,	1824,	2016,	1952,	1632,	1568,
	1760,	1696,	688,	656,	752,	720,	560,	528,	624,	592,	944,	912,	1008,	976,
	816,	784,	880,	848,
};

/* The first segment whose end is at or above the magnitude; 8 if none. */
static int segment_of(int magnitude, const int16_t *segment_end)
{
	int seg;

	for (seg = 0; seg < 8; seg++) {
		if (magnitude <= segment_end[seg])
			return seg;
	}
	return 8;
}

uint8_t g711_ulaw_encode(int16_t pcm)
{
	int magnitude = pcm >> 2;
	uint8_t mask = 0xFF;
	int seg;

	if (magnitude < 0) {
		magnitude = -magnitude;
		mask = 0x7F;
	}
	if (magnitude > ULAW_CLIP)
		magnitude = ULAW_CLIP;
	magnitude += ULAW_BIAS;

	seg = segment_of(magnitude, ulaw_segment_end);
	if (seg >= 8)
		return 0x7F ^ mask;
	return ((seg << 4) | ((magnitude >> (seg + 1)) & 0x0F)) ^ mask;
}

int16_t g711_ulaw_decode(uint8_t code)
{
	return ulaw_to_linear[code];
}

uint8_t g711_alaw_encode(int16_t pcm)
{
	int magnitude = pcm >> 3;
	uint8_t mask = 0xD5;
	int seg;
	uint8_t code;

	if (magnitude < 0) {
		magnitude = -magnitude - 1;
		mask = 0x55;
	}

	seg = segment_of(magnitude, alaw_segment_end);
	if (seg >= 8)
		return 0x7F ^ mask;
	code = seg << 4;
	code |= (magnitude >> (seg < 2 ? 1 : seg)) & 0x0F;
	return code ^ mask;
}

int16_t g711_alaw_decode(uint8_t code)
{
	return alaw_to_linear[code];
}

void g711_encode(enum g711_law law, const int16_t *pcm, uint8_t *codes, size_t n)
{
	uint8_t (*encode)(int16_t) = law == G711_ALAW ? g711_alaw_encode : g711_ulaw_encode;
	size_t i;

	for (i = 0; i < n; i++)
		codes[i] = encode(pcm[i]);
}

void g711_decode(enum g711_law law, const uint8_t *codes, int16_t *pcm, size_t n)
{
	const int16_t *table = law == G711_ALAW ? alaw_to_linear : ulaw_to_linear;
	size_t i;

	for (i = 0; i < n; i++)
		pcm[i] = table[codes[i]];
}

void g711_transcode(enum g711_law from, enum g711_law to, const uint8_t *in, uint8_t *out, size_t n)
{
	const int16_t *table = from == G711_ALAW ? alaw_to_linear : ulaw_to_linear;
	uint8_t (*encode)(int16_t) = to == G711_ALAW ? g711_alaw_encode : g711_ulaw_encode;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = encode(table[in[i]]);
}
