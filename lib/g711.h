/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * G.711 μ-law (PCMU) and A-law (PCMA) per ITU-T G.711: 16-bit linear PCM to
 * and from 8-bit codes. Decoding is a table lookup; encoding is the
 * standard segment search.
 */
#ifndef RTPRELAY_G711_H
#define RTPRELAY_G711_H

#include <stddef.h>
#include <stdint.h>

/* The values are the static RTP payload types (RFC 3551). */
enum g711_law {
	G711_ULAW = 0, /* PCMU */
	G711_ALAW = 8, /* PCMA */
};

uint8_t g711_ulaw_encode(int16_t pcm);
int16_t g711_ulaw_decode(uint8_t code);
uint8_t g711_alaw_encode(int16_t pcm);
int16_t g711_alaw_decode(uint8_t code);

/* Whole buffers: n samples in, n codes out (and back). */
void g711_encode(enum g711_law law, const int16_t *pcm, uint8_t *codes, size_t n);
void g711_decode(enum g711_law law, const uint8_t *codes, int16_t *pcm, size_t n);
/* n codes of one law re-encoded in the other (decode, then encode); in may be out. */
void g711_transcode(enum g711_law from, enum g711_law to, const uint8_t *in, uint8_t *out, size_t n);

#endif /* RTPRELAY_G711_H */
