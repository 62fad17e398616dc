// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "inet_csum.h"

uint32_t inet_csum_add(uint32_t acc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (; len > 1; p += 2, len -= 2)
		acc += (uint32_t)p[0] << 8 | p[1];
	if (len)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

uint16_t inet_csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc;
}

uint16_t inet_csum_l4(const void *src, const void *dst, size_t alen, uint8_t proto, const void *seg, size_t len)
{
	uint32_t acc = inet_csum_add(0, src, alen);

	acc = inet_csum_add(acc, dst, alen);
	acc += proto + (uint32_t)(len & 0xffff) + (uint32_t)(len >> 16);
	return inet_csum_fold(inet_csum_add(acc, seg, len));
}
