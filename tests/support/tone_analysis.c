// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The analysis windows the samples (Hann), finds the spectral peaks with a
 * zero-padded FFT (bins half as wide as the window's resolution), then
 * refines each peak with a golden-section search over the Goertzel
 * recurrence, which evaluates the spectrum at any frequency, not only at
 * bin centres.
 */
#include <complex.h>
#include <math.h>

#include <glib.h>

#include "tone_analysis.h"

/* At most this many samples are analysed (one second resolves 1 Hz). */
#define ANALYSIS_MAX_SAMPLES (60 * TONE_SAMPLE_RATE)
#define ANALYSIS_MIN_SAMPLES 64
#define REFINE_TOLERANCE_HZ  0.001

/* |X(hz)|^2 of x[0..n) by the Goertzel recurrence. */
static double goertzel_raw(const double *x, size_t n, double hz)
{
	double coeff = 2 * cos(2 * M_PI * hz / TONE_SAMPLE_RATE);
	double s1 = 0, s2 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double s0 = x[i] + coeff * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

double goertzel_power(const int16_t *pcm, size_t n, double hz)
{
	double *x;
	double power;
	size_t i;

	if (n == 0)
		return 0;
	x = g_new(double, n);
	for (i = 0; i < n; i++)
		x[i] = pcm[i];
	power = goertzel_raw(x, n, hz);
	g_free(x);
	return power / ((n / 2.0) * (n / 2.0));
}

/* Hann window: its side lobes (-31 dB) stay below the peak threshold. */
static double *hann_windowed(const int16_t *pcm, size_t n)
{
	double *x = g_new(double, n);
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = pcm[i] * (0.5 - 0.5 * cos(2 * M_PI * i / (n - 1)));
	return x;
}

/* The maximum of the (unimodal) main lobe between lo and hi. */
static double refine_peak(const double *x, size_t n, double lo, double hi, double *power_out)
{
	const double ratio = (sqrt(5) - 1) / 2;
	double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
	double pa = goertzel_raw(x, n, a), pb = goertzel_raw(x, n, b);

	while (hi - lo > REFINE_TOLERANCE_HZ) {
		if (pa < pb) {
			lo = a;
			a = b;
			pa = pb;
			b = lo + ratio * (hi - lo);
			pb = goertzel_raw(x, n, b);
		} else {
			hi = b;
			b = a;
			pb = pa;
			a = hi - ratio * (hi - lo);
			pa = goertzel_raw(x, n, a);
		}
	}
	*power_out = pa > pb ? pa : pb;
	return pa > pb ? a : b;
}

struct spectral_peak {
	double hz;
	double power;
};

static int by_power_descending(const void *a, const void *b)
{
	const struct spectral_peak *pa = a, *pb = b;

	if (pa->power == pb->power)
		return 0;
	return pa->power < pb->power ? 1 : -1;
}

/* In-place radix-2 FFT; n is a power of two. */
static void fft(double complex *a, size_t n)
{
	size_t i, j, len;

	for (i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j |= bit;
		if (i < j) {
			double complex swap = a[i];

			a[i] = a[j];
			a[j] = swap;
		}
	}
	for (len = 2; len <= n; len <<= 1) {
		double complex step = cexp(-2 * M_PI * I / len);

		for (i = 0; i < n; i += len) {
			double complex w = 1;

			for (j = 0; j < len / 2; j++, w *= step) {
				double complex u = a[i + j], v = a[i + j + len / 2] * w;

				a[i + j] = u + v;
				a[i + j + len / 2] = u - v;
			}
		}
	}
}

/* |X|^2 at bins of TONE_SAMPLE_RATE / *fft_size Hz, zero-padded to >= 2n. */
static double *power_spectrum(const double *x, size_t n, size_t *fft_size)
{
	size_t size = 1, i;
	double complex *a;
	double *power;

	while (size < 2 * n)
		size <<= 1;
	a = g_new0(double complex, size);
	for (i = 0; i < n; i++)
		a[i] = x[i];
	fft(a, size);
	power = g_new(double, size / 2);
	for (i = 0; i < size / 2; i++)
		power[i] = creal(a[i]) * creal(a[i]) + cimag(a[i]) * cimag(a[i]);
	g_free(a);
	*fft_size = size;
	return power;
}

/* Local maxima of the spectrum between the scan limits, each refined. */
static GArray *find_peaks(const double *x, size_t n)
{
	GArray *peaks = g_array_new(FALSE, FALSE, sizeof(struct spectral_peak));
	size_t size, k;
	double *power = power_spectrum(x, n, &size);
	double bin_hz = (double)TONE_SAMPLE_RATE / size;
	/* Two bins beyond each limit, so that a tone right at a limit is a local maximum. */
	size_t first = MAX(TONE_SCAN_MIN_HZ / bin_hz, 3) - 2;
	size_t last = MIN(TONE_SCAN_MAX_HZ / bin_hz + 2, size / 2 - 2);
	double strongest = 0;

	for (k = first; k <= last; k++)
		strongest = MAX(strongest, power[k]);
	for (k = first; k <= last; k++) {
		struct spectral_peak peak;

		if (power[k] <= power[k - 1] || power[k] < power[k + 1])
			continue;
		/* Refining is costly: skip what cannot reach the threshold (with margin). */
		if (power[k] * 4 * TONE_PEAK_RELATIVE_POWER < strongest)
			continue;
		peak.hz = refine_peak(x, n, (k - 1) * bin_hz, (k + 1) * bin_hz, &peak.power);
		g_array_append_val(peaks, peak);
	}
	g_free(power);
	g_array_sort(peaks, by_power_descending);
	return peaks;
}

int tone_detect_peaks(const int16_t *pcm, size_t n, double *hz_out, int max)
{
	GArray *peaks;
	double *x;
	double strongest;
	int found = 0;
	guint i;

	if (n > ANALYSIS_MAX_SAMPLES)
		n = ANALYSIS_MAX_SAMPLES;
	if (n < ANALYSIS_MIN_SAMPLES || max <= 0)
		return 0;

	x = hann_windowed(pcm, n);
	peaks = find_peaks(x, n);
	g_free(x);

	strongest = peaks->len ? g_array_index(peaks, struct spectral_peak, 0).power : 0;
	for (i = 0; i < peaks->len && found < max && strongest > 0; i++) {
		const struct spectral_peak *peak = &g_array_index(peaks, struct spectral_peak, i);

		if (peak->power * TONE_PEAK_RELATIVE_POWER < strongest)
			break;
		hz_out[found++] = peak->hz;
	}
	g_array_free(peaks, TRUE);
	return found;
}

double tone_estimate_hz(const int16_t *pcm, size_t n)
{
	double hz;

	if (tone_detect_peaks(pcm, n, &hz, 1) != 1)
		return 0;
	return hz;
}
