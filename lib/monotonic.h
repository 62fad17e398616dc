/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CLOCK_MONOTONIC in nanoseconds: the clock of bpf_ktime_get_ns(), so the
 * flows' sampled_seen_ns stamps from XDP and from userspace compare directly.
 */
#ifndef RTPRELAY_LIB_MONOTONIC_H
#define RTPRELAY_LIB_MONOTONIC_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#endif
