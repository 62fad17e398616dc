// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The generator is a direct digital synthesiser: a 32-bit phase accumulator
 * that wraps once per cycle, read through a sine table with linear
 * interpolation (well under one LSB of error, and far cheaper than sin()
 * when thousands of calls each need 8000 samples a second). Carrying the
 * accumulator from one frame to the next is what keeps 20 ms frames free of
 * clicks.
 */
#include <math.h>

#include <glib.h>

#include "tone.h"

#define SINE_TABLE_BITS	    10
#define SINE_TABLE_SIZE	    (1u << SINE_TABLE_BITS)
#define PHASE_FRACTION_BITS (32 - SINE_TABLE_BITS)

static float sine_table[SINE_TABLE_SIZE + 1]; /* one extra for interpolation */

static void sine_table_init(void)
{
	static gsize done;
	unsigned i;

	if (!g_once_init_enter(&done))
		return;
	for (i = 0; i <= SINE_TABLE_SIZE; i++)
		sine_table[i] = sin(2 * M_PI * i / SINE_TABLE_SIZE);
	g_once_init_leave(&done, 1);
}

static double sine_at(uint32_t phase)
{
	uint32_t index = phase >> PHASE_FRACTION_BITS;
	double fraction = (double)(phase & ((1u << PHASE_FRACTION_BITS) - 1)) / (1u << PHASE_FRACTION_BITS);

	return sine_table[index] + (sine_table[index + 1] - sine_table[index]) * fraction;
}

void tone_init(struct tone *t, unsigned hz, double amplitude)
{
	sine_table_init();
	if (amplitude < 0)
		amplitude = 0;
	if (amplitude > 1)
		amplitude = 1;
	t->amplitude = amplitude * INT16_MAX;
	t->phase = 0;
	t->hz = hz;
	t->phase_step = ((uint64_t)(hz % TONE_SAMPLE_RATE) << 32) / TONE_SAMPLE_RATE;
}

void tone_fill(struct tone *t, int16_t *pcm, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pcm[i] = lrint(t->amplitude * sine_at(t->phase));
		t->phase += t->phase_step;
	}
}

void tone_fill_second(unsigned hz, double amplitude, int16_t pcm[TONE_SAMPLE_RATE])
{
	amplitude = CLAMP(amplitude, 0, 1) * INT16_MAX;
	for (unsigned n = 0; n < TONE_SAMPLE_RATE; n++)
		pcm[n] = lrint(amplitude * sin(2 * M_PI * ((uint64_t)hz * n % TONE_SAMPLE_RATE) / TONE_SAMPLE_RATE));
}
