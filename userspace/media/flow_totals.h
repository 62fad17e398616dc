/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bytes the flows the daemon removed had forwarded (the datapath's
 * global counters count packets, not bytes). A flow's counters live
 * in its datapath entry and go with it; the bridge and the adopted flows
 * add them here first, so that this plus the live flows' counters is a
 * total that only grows while the daemon runs.
 */
#ifndef RTPRELAY_FLOW_TOTALS_H
#define RTPRELAY_FLOW_TOTALS_H

#include <stdint.h>
#include <glib.h>

#include "bpf/flow_abi.h"

struct flow_totals {
	GMutex lock; /* flows go from the GLib thread and the media thread */
	uint64_t bytes;
};

void flow_totals_init(struct flow_totals *t);
void flow_totals_clear(struct flow_totals *t);
/* A flow about to be deleted: its counters join the totals. */
void flow_totals_retire(struct flow_totals *t, const struct flow_counters *c);
uint64_t flow_totals_bytes(struct flow_totals *t);

#endif
