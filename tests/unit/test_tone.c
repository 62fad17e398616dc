// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tone generator and its detectors: tones survive G.711 and come back
 * within 2 Hz, frames join without a click, mixes show their two tones.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/g711.h"
#include "lib/tone.h"
#include "tests/support/tone_analysis.h"

#define ONE_SECOND TONE_SAMPLE_RATE
#define AMPLITUDE  0.25

/* One second of tone, generated frame by frame as the media thread does. */
static void fill_frames(struct tone *t, int16_t *pcm, size_t n)
{
	for (size_t at = 0; at < n; at += TONE_FRAME_SAMPLES)
		tone_fill(t, pcm + at, n - at < TONE_FRAME_SAMPLES ? n - at : TONE_FRAME_SAMPLES);
}

/* What the far end decodes from our RTP payloads. */
static void through_g711(enum g711_law law, int16_t *pcm, size_t n)
{
	uint8_t *codes = malloc(n);

	assert_non_null(codes);
	g711_encode(law, pcm, codes, n);
	g711_decode(law, codes, pcm, n);
	free(codes);
}

static void check_estimate(unsigned hz, enum g711_law law)
{
	int16_t pcm[ONE_SECOND];
	struct tone t;
	double estimate;

	tone_init(&t, hz, AMPLITUDE);
	fill_frames(&t, pcm, ONE_SECOND);
	through_g711(law, pcm, ONE_SECOND);
	estimate = tone_estimate_hz(pcm, ONE_SECOND);
	assert_true(fabs(estimate - hz) <= 2.0);
}

static void test_estimate_through_ulaw(void **state)
{
	check_estimate(440, G711_ULAW);
	check_estimate(880, G711_ULAW);
	check_estimate(1320, G711_ULAW);
}

static void test_estimate_through_alaw(void **state)
{
	check_estimate(440, G711_ALAW);
	check_estimate(880, G711_ALAW);
	check_estimate(1320, G711_ALAW);
}

static void test_estimate_is_sub_hz_for_clean_tones(void **state)
{
	static const unsigned freqs[] = { TONE_SCAN_MIN_HZ, 440, 1234, 3000, TONE_SCAN_MAX_HZ };
	int16_t pcm[ONE_SECOND];

	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		struct tone t;

		tone_init(&t, freqs[i], AMPLITUDE);
		tone_fill(&t, pcm, ONE_SECOND);
		assert_true(fabs(tone_estimate_hz(pcm, ONE_SECOND) - freqs[i]) < 0.1);
	}
}

static void test_frames_equal_one_long_fill(void **state)
{
	int16_t framed[ONE_SECOND], whole[ONE_SECOND];
	struct tone a, b;

	tone_init(&a, 440, AMPLITUDE);
	tone_init(&b, 440, AMPLITUDE);
	fill_frames(&a, framed, ONE_SECOND);
	tone_fill(&b, whole, ONE_SECOND);
	assert_memory_equal(framed, whole, sizeof(whole));
}

/* No step between consecutive samples is larger than the sine's slope allows. */
static void check_no_click(const int16_t *pcm, size_t n, unsigned max_hz)
{
	double max_step = AMPLITUDE * INT16_MAX * 2 * M_PI * max_hz / TONE_SAMPLE_RATE + 2;

	for (size_t i = 1; i < n; i++)
		assert_true(abs(pcm[i] - pcm[i - 1]) <= max_step);
}

static void test_phase_continuous_across_frames(void **state)
{
	int16_t pcm[ONE_SECOND];
	struct tone t;

	tone_init(&t, 1000, AMPLITUDE);
	fill_frames(&t, pcm, ONE_SECOND);
	check_no_click(pcm, ONE_SECOND, 1000);
}

/* The daemon plays one encoded second in a loop: the loop point must not click, at any frequency. */
static void test_second_loops_without_a_seam(void **state)
{
	static const unsigned freqs[] = { 50, 440, 441, 997, 1320, 3950 };
	static int16_t two[2 * ONE_SECOND];

	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		tone_fill_second(freqs[i], AMPLITUDE, two);
		tone_fill_second(freqs[i], AMPLITUDE, two + ONE_SECOND);
		check_no_click(two, 2 * ONE_SECOND, freqs[i]);
		assert_true(fabs(tone_estimate_hz(two, ONE_SECOND) - freqs[i]) <= 0.5);
	}
}

/* The largest absolute sample value. */
static int peak_of(const int16_t *pcm, size_t n)
{
	int peak = 0;

	for (size_t i = 0; i < n; i++)
		peak = abs(pcm[i]) > peak ? abs(pcm[i]) : peak;
	return peak;
}

static void test_amplitude(void **state)
{
	int16_t pcm[ONE_SECOND];
	struct tone t;

	tone_init(&t, 440, AMPLITUDE);
	tone_fill(&t, pcm, ONE_SECOND);
	assert_true(abs(peak_of(pcm, ONE_SECOND) - (int)lrint(AMPLITUDE * INT16_MAX)) <= 2);
}

/* Out-of-range amplitudes are clamped to full scale and to silence, by both generators. */
static void test_amplitude_clamped(void **state)
{
	int16_t pcm[ONE_SECOND];
	struct tone t;

	tone_init(&t, 440, 2.0);
	tone_fill(&t, pcm, ONE_SECOND);
	assert_true(peak_of(pcm, ONE_SECOND) >= INT16_MAX - 1);
	tone_fill_second(440, 2.0, pcm);
	assert_true(peak_of(pcm, ONE_SECOND) >= INT16_MAX - 1);

	tone_init(&t, 440, -1.0);
	tone_fill(&t, pcm, ONE_SECOND);
	assert_int_equal(peak_of(pcm, ONE_SECOND), 0);
	tone_fill_second(440, -1.0, pcm);
	assert_int_equal(peak_of(pcm, ONE_SECOND), 0);
}

static void test_goertzel_power(void **state)
{
	int16_t pcm[ONE_SECOND];
	double a = AMPLITUDE * INT16_MAX;
	struct tone t;

	tone_init(&t, 440, AMPLITUDE);
	tone_fill(&t, pcm, ONE_SECOND);
	assert_true(fabs(goertzel_power(pcm, ONE_SECOND, 440) / (a * a) - 1) < 0.01);
	assert_true(goertzel_power(pcm, ONE_SECOND, 1000) / (a * a) < 1e-4);
	assert_true(goertzel_power(pcm, 0, 440) == 0);
}

static void mix_two(int16_t *pcm, size_t n, unsigned hz1, unsigned hz2)
{
	int16_t other[ONE_SECOND];
	struct tone t1, t2;

	assert_true(n <= ONE_SECOND);
	tone_init(&t1, hz1, AMPLITUDE);
	tone_init(&t2, hz2, AMPLITUDE);
	fill_frames(&t1, pcm, n);
	fill_frames(&t2, other, n);
	for (size_t i = 0; i < n; i++)
		pcm[i] += other[i];
}

static bool has_peak_near(const double *peaks, int count, double hz)
{
	for (int i = 0; i < count; i++) {
		if (fabs(peaks[i] - hz) <= 2.0)
			return true;
	}
	return false;
}

static void check_mix(enum g711_law law)
{
	int16_t pcm[ONE_SECOND];
	double peaks[8];
	int count;

	mix_two(pcm, ONE_SECOND, 880, 1320);
	through_g711(law, pcm, ONE_SECOND);
	count = tone_detect_peaks(pcm, ONE_SECOND, peaks, 8);
	assert_int_equal(count, 2);
	assert_true(has_peak_near(peaks, count, 880));
	assert_true(has_peak_near(peaks, count, 1320));
	assert_false(has_peak_near(peaks, count, 440));
}

static void test_peaks_of_a_mix(void **state)
{
	check_mix(G711_ULAW);
	check_mix(G711_ALAW);
}

static void test_peaks_respect_max(void **state)
{
	int16_t pcm[ONE_SECOND];
	double peak;

	mix_two(pcm, ONE_SECOND, 880, 1320);
	assert_int_equal(tone_detect_peaks(pcm, ONE_SECOND, &peak, 1), 1);
	assert_true(fabs(peak - 880) <= 2.0 || fabs(peak - 1320) <= 2.0);
	assert_int_equal(tone_detect_peaks(pcm, ONE_SECOND, &peak, 0), 0);
}

static void test_silence_and_short_input(void **state)
{
	int16_t pcm[ONE_SECOND] = { 0 };
	double peaks[4];
	struct tone t;

	assert_true(tone_estimate_hz(pcm, ONE_SECOND) == 0);
	assert_int_equal(tone_detect_peaks(pcm, ONE_SECOND, peaks, 4), 0);
	tone_init(&t, 440, AMPLITUDE);
	tone_fill(&t, pcm, 32);
	assert_true(tone_estimate_hz(pcm, 32) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimate_through_ulaw),
		cmocka_unit_test(test_estimate_through_alaw),
		cmocka_unit_test(test_estimate_is_sub_hz_for_clean_tones),
		cmocka_unit_test(test_frames_equal_one_long_fill),
		cmocka_unit_test(test_phase_continuous_across_frames),
		cmocka_unit_test(test_second_loops_without_a_seam),
		cmocka_unit_test(test_amplitude),
		cmocka_unit_test(test_amplitude_clamped),
		cmocka_unit_test(test_goertzel_power),
		cmocka_unit_test(test_peaks_of_a_mix),
		cmocka_unit_test(test_peaks_respect_max),
		cmocka_unit_test(test_silence_and_short_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
