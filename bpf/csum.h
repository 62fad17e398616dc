/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Incremental Internet checksum update (RFC 1624, eqn. 3): HC' = ~(~HC + ~m + m').
 * Pure arithmetic on 16-bit words exactly as they sit in the packet, so byte
 * order does not matter. Shared by the XDP program, the daemon's batched
 * sends, the benchmark's frames and the userspace unit tests; the packet
 * tests compute their expected checksums from scratch.
 */
#ifndef RTPRELAY_CSUM_H
#define RTPRELAY_CSUM_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Account for one 16-bit word changing from old_word to new_word. */
static __always_inline __u32 csum_word_diff(__u32 acc, __u16 old_word, __u16 new_word)
{
	return acc + (__u16)~old_word + new_word;
}

/* Account for a 4-byte field (IPv4 address) changing. */
static __always_inline __u32 csum_diff4(__u32 acc, const void *old_field, const void *new_field)
{
	const __u16 *o = old_field, *n = new_field;

	acc = csum_word_diff(acc, o[0], n[0]);
	return csum_word_diff(acc, o[1], n[1]);
}

/* Account for a 16-byte field (IPv6 address) changing. */
static __always_inline __u32 csum_diff16(__u32 acc, const void *old_field, const void *new_field)
{
	const __u16 *o = old_field, *n = new_field;
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < 8; i++)
		acc = csum_word_diff(acc, o[i], n[i]);
	return acc;
}

/*
 * Account for len bytes appearing where there were zeros: summed from all
 * zero words, a whole checksum (apply it to 0xffff). An odd last byte is
 * padded with a zero, as RFC 768 asks. Not for the XDP program: the
 * verifier wants bounded loops.
 */
static inline __u32 csum_bytes(__u32 acc, const void *buf, unsigned long len)
{
	const __u16 *w = buf;
	__u16 last = 0;
	unsigned long i;

	for (i = 0; i < len / 2; i++)
		acc = csum_word_diff(acc, 0, w[i]);
	if (len & 1) {
		__builtin_memcpy(&last, (const __u8 *)buf + len - 1, 1);
		acc = csum_word_diff(acc, 0, last);
	}
	return acc;
}

/* Apply the accumulated differences to a checksum field's value. */
static __always_inline __u16 csum_apply(__u16 check, __u32 acc)
{
	acc += (__u16)~check;
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (__u16)~acc;
}

/* UDP: a computed 0 is sent as 0xffff (0 means "no checksum", RFC 768). */
static __always_inline __u16 csum_apply_udp(__u16 check, __u32 acc)
{
	__u16 c = csum_apply(check, acc);

	return c ? c : 0xffff;
}

#endif
