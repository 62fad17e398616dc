/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Sine tones at 8000 Hz (tests/support/tone_analysis.h recognises them again). */
#ifndef RTPRELAY_TONE_H
#define RTPRELAY_TONE_H

#include <stddef.h>
#include <stdint.h>

#define TONE_SAMPLE_RATE   8000
#define TONE_FRAME_SAMPLES 160 /* 20 ms */

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
/* The next n samples; consecutive calls form one continuous sine. */
void tone_fill(struct tone *t, int16_t *pcm, size_t n);
/*
 * One second of a sine at hz (an integer, so a whole number of cycles):
 * played in a loop it has no seam. amplitude as for tone_init.
 */
void tone_fill_second(unsigned hz, double amplitude, int16_t pcm[TONE_SAMPLE_RATE]);

#endif /* RTPRELAY_TONE_H */
