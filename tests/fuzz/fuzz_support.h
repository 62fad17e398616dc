/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the fuzz targets share: a reader that takes structured values off
 * the fuzzer's bytes (running out gives zeros, so every input is valid),
 * and the check that turns a broken rule into a crash libFuzzer records.
 */
#ifndef RTPRELAY_TESTS_FUZZ_SUPPORT_H
#define RTPRELAY_TESTS_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A rule of the code under test does not hold: say which and abort, so the input is kept. */
#define FUZZ_CHECK(cond, ...)                                                                   \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "%s:%d: rule broken: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                           \
			fputc('\n', stderr);                                                    \
			abort();                                                                \
		}                                                                               \
	} while (0)

struct fuzz_reader {
	const uint8_t *p;
	size_t left;
};

/* Up to n bytes into out, the rest zero; how many were there. */
static inline size_t fuzz_take(struct fuzz_reader *r, void *out, size_t n)
{
	size_t got = n < r->left ? n : r->left;

	memcpy(out, r->p, got);
	memset((uint8_t *)out + got, 0, n - got);
	r->p += got;
	r->left -= got;
	return got;
}

static inline uint8_t fuzz_u8(struct fuzz_reader *r)
{
	uint8_t v;

	fuzz_take(r, &v, 1);
	return v;
}

/* Two bytes as they come: for fields kept in network order. */
static inline uint16_t fuzz_raw16(struct fuzz_reader *r)
{
	uint16_t v;

	fuzz_take(r, &v, 2);
	return v;
}

#endif
