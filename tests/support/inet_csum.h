/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Internet checksum (RFC 1071) computed from scratch, word by word: the
 * reference the tests hold bpf/csum.h's incremental updates against, so it
 * deliberately shares no code with it. Sums are in host order.
 */
#ifndef RTPRELAY_TESTS_INET_CSUM_H
#define RTPRELAY_TESTS_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* acc plus the big-endian 16-bit words of buf; an odd last byte is padded with zero. */
uint32_t inet_csum_add(uint32_t acc, const void *buf, size_t len);
/* acc folded to 16 bits (not complemented). */
uint16_t inet_csum_fold(uint32_t acc);
/*
 * The folded sum over the pseudo-header (RFC 768 / RFC 8200 8.1: addresses
 * of alen bytes, proto, len) and the L4 segment seg[0..len); its complement
 * is the checksum when seg's checksum field is zero, and a segment whose
 * checksum is right sums to 0xffff.
 */
uint16_t inet_csum_l4(const void *src, const void *dst, size_t alen, uint8_t proto, const void *seg, size_t len);

#endif
