/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What GET /metrics exports and what GET /health answers (README,
 * "Metrics"), read on the main loop from the call layer, the media clock
 * and the datapath: one read of the counters map and one walk of the flow
 * table per scrape, nothing else that grows with traffic.
 */
#ifndef RTPRELAY_METRICS_H
#define RTPRELAY_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct call_table;
struct media_env;
struct ng_server;

/* What the metrics read; the daemon fills it in and keeps it while the server runs. */
struct metrics_context {
	const struct media_env *media; /* configuration, datapath, clock, port pool, removed flows */
	const struct call_table *calls;
	const struct ng_server *ng; /* NULL without --listen-ng */
	gint64 started_us;	    /* g_get_monotonic_time() when the daemon started */
	bool draining;		    /* set on SIGTERM: calls are being hung up */
};

/*
 * The forwarded bytes a scrape adds up from the live flows and the removed
 * ones (media/flow_totals.h), as last exported: a packet forwarded between
 * the bridge's last read of a flow and its deletion would make the next
 * scrape's sum smaller, which Prometheus takes for a restart. The sum is
 * never exported lower than before.
 */
struct metrics_floor {
	uint64_t flow_bytes;
};

/* Append every metric to out in the Prometheus text format. */
void metrics_render(const struct metrics_context *ctx, struct metrics_floor *floor, GString *out);
/* Whether the daemon can take calls now; if not, why, in reason (len bytes). */
bool metrics_healthy(const struct metrics_context *ctx, char *reason, size_t len);

#endif
