/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Sine tones at 8000 Hz and the means to recognise them again: a Goertzel
 * filter, a single-tone frequency estimator and a peak finder for mixes.
 */
#ifndef RTPRELAY_TONE_H
#define RTPRELAY_TONE_H

#include <stddef.h>
#include <stdint.h>

#define TONE_SAMPLE_RATE   8000
#define TONE_FRAME_SAMPLES 160 /* 20 ms */

/* Lowest and highest frequency the estimators look at, in Hz. */
#define TONE_SCAN_MIN_HZ 50
#define TONE_SCAN_MAX_HZ 3950

/*
 * A peak counts when its power is at least the strongest peak's power
 * divided by this (12 dB below it).
 */
#define TONE_PEAK_RELATIVE_POWER 16.0

struct tone {
	unsigned hz;
	double amplitude; /* peak sample value, 0..32767 */
	uint32_t phase;	  /* one full cycle is 2^32 */
	uint32_t phase_step;
};

/*
 * amplitude is a fraction of full scale (0..1]; 0.25 is a comfortable
 * listening level that leaves headroom for mixing.
 */
void tone_init(struct tone *t, unsigned hz, double amplitude);
/* Changes the frequency from the next sample on, without a phase jump. */
void tone_set_hz(struct tone *t, unsigned hz);
/* The next n samples; consecutive calls form one continuous sine. */
void tone_fill(struct tone *t, int16_t *pcm, size_t n);
/*
 * One second of a sine at hz (an integer, so a whole number of cycles):
 * played in a loop it has no seam. amplitude as for tone_init.
 */
void tone_fill_second(unsigned hz, double amplitude, int16_t pcm[TONE_SAMPLE_RATE]);

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

#endif /* RTPRELAY_TONE_H */
