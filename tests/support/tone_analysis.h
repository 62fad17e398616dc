/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Recognising the tones of lib/tone.h again, for the tests: a Goertzel
 * filter, a single-tone frequency estimator and a peak finder for mixes.
 */
#ifndef RTPRELAY_TESTS_TONE_ANALYSIS_H
#define RTPRELAY_TESTS_TONE_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/tone.h"

/* Lowest and highest frequency the estimators look at, in Hz. */
#define TONE_SCAN_MIN_HZ 50
#define TONE_SCAN_MAX_HZ 3950

/*
 * A peak counts when its power is at least the strongest peak's power
 * divided by this (12 dB below it).
 */
#define TONE_PEAK_RELATIVE_POWER 16.0

/*
 * Power of the component at hz over n samples (no window), normalised so
 * that a sine of amplitude A at hz gives about A * A.
 */
double goertzel_power(const int16_t *pcm, size_t n, double hz);

/*
 * Frequency of the strongest tone in pcm, in Hz (to a fraction of a Hz for
 * a clean tone over 1 s, even after G.711); 0 for silence or fewer than 64
 * samples. Looks at the first 60 s at most.
 */
double tone_estimate_hz(const int16_t *pcm, size_t n);

/*
 * The dominant frequencies of a mix, strongest first: every spectral peak
 * within TONE_PEAK_RELATIVE_POWER of the strongest one, at most max.
 * Returns how many were written to hz_out.
 */
int tone_detect_peaks(const int16_t *pcm, size_t n, double *hz_out, int max);

#endif
