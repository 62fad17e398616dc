/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The next hops of the XDP backend's flows, resolved by the daemon: for
 * each destination a flow sends to, the kernel's route (RTM_GETROUTE:
 * egress interface, gateway, MTU), the egress interface's MAC and MTU
 * (RTM_GETLINK) and the neighbour's MAC (RTM_GETNEIGH), all over rtnetlink.
 * A socket subscribed to the neighbour, route and link groups, read from
 * the GLib main loop, follows every change: the flows whose next hop
 * changed are handed to the `changed` callback at once.
 *
 * Thread-safe: flows are resolved by whichever thread programs them, the
 * notifications are read on the main loop. The callback runs on the main
 * loop without the table's lock held.
 */
#ifndef RTPRELAY_NEXTHOP_H
#define RTPRELAY_NEXTHOP_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/flow_abi.h"

struct nexthop_table;

typedef void (*nexthop_changed_fn)(void *user, const struct flow_key *flow, const struct flow_nexthop *nh);

/*
 * xdp_ifindexes (n of them): the interfaces XDP is attached to, the only
 * ones a next hop may leave through. NULL with a message in err on failure.
 */
struct nexthop_table *nexthop_table_new(const uint32_t *xdp_ifindexes, size_t n, nexthop_changed_fn changed, void *user,
					char *err, size_t errlen);
void nexthop_table_free(struct nexthop_table *t);

/*
 * The next hop of the flow keyed `flow` whose packets leave from src toward
 * dst (the key's family); all zero while unresolved. The flow is followed
 * until nexthop_flow_forget. A flow without a destination (dst all zero)
 * is not followed and gets zeros.
 */
void nexthop_flow_resolve(struct nexthop_table *t, const struct flow_key *flow, const struct flow_addr *src,
			  const struct flow_addr *dst, struct flow_nexthop *out);
void nexthop_flow_forget(struct nexthop_table *t, const struct flow_key *flow);

/* "ok" when every followed flow has its next hop, else "degraded: <why>". */
void nexthop_table_state(struct nexthop_table *t, char *buf, size_t len);

#endif
