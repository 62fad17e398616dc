/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fields of struct global_counters (bpf/flow_abi.h) by name, in the
 * struct's order: what `rtprelayctl stats` prints and the daemon's metrics
 * export. A field added to the struct must be named here (checked when
 * this builds).
 */
#ifndef RTPRELAY_GLOBAL_COUNTERS_H
#define RTPRELAY_GLOBAL_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/flow_abi.h"

struct global_counter_field {
	const char *name; /* the field's name: "forwarded", "pass_no_flow"... */
	size_t offset;
};

#define GLOBAL_COUNTER_FIELDS (sizeof(struct global_counters) / sizeof(__u64))

extern const struct global_counter_field global_counter_fields[];

static inline uint64_t global_counter_value(const struct global_counters *gc, size_t i)
{
	return *(const __u64 *)((const char *)gc + global_counter_fields[i].offset);
}

#endif
