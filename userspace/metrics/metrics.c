// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every metric of GET /metrics, in the order the README lists them. Paths:
 * "kernel" is the XDP program (its per-CPU counters map, its flow map),
 * "userspace" the daemon's own forwarding (the userspace datapath, or the
 * packets XDP passed up that the daemon forwarded beside it).
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <net/if.h>

#include "call/call.h"
#include "call/room.h"
#include "config/config.h"
#include "datapath/datapath.h"
#include "exposition.h"
#include "lib/global_counters.h"
#include "lib/netdev.h"
#include "media/flow_totals.h"
#include "media/media_clock.h"
#include "media/media_env.h"
#include "media/port_pool.h"
#include "media/tick_stats.h"
#include "metrics.h"
#include "ng/ng_call.h"
#include "ng/ng_commands.h"
#include "ng/ng_server.h"

#define PASS_PREFIX	     "pass_"
#define KERNEL_PATH_TEXT_MAX 512 /* as rtprelayctl status reads it */

enum flow_state {
	FLOW_LATCHING,
	FLOW_FORWARDING,
	FLOW_HOLD,
	FLOW_STATES,
};

static const char *const flow_state_names[] = {
	[FLOW_LATCHING] = "latching",
	[FLOW_FORWARDING] = "forwarding",
	[FLOW_HOLD] = "hold",
};

struct flow_walk {
	guint count[FLOW_STATES];
	uint64_t bytes;
};

static int add_flow(const struct flow_key *key, const struct flow_value *val, void *user)
{
	struct flow_walk *w = user;

	if (!(val->flags & FLOW_F_LATCHED))
		w->count[FLOW_LATCHING]++;
	else if (val->flags & FLOW_F_HOLD)
		w->count[FLOW_HOLD]++;
	else
		w->count[FLOW_FORWARDING]++;
	w->bytes += val->counters.bytes;
	return 0;
}

static bool forwards_in_kernel(const struct datapath *dp)
{
	return !strcmp(dp->ops->name, datapath_kind_name(DATAPATH_XDP));
}

/* Where the datapath's flows forward, so where their counters count. */
static const char *flow_path(const struct datapath *dp)
{
	return forwards_in_kernel(dp) ? "kernel" : "userspace";
}

static void render_calls(struct exposition *e, const struct metrics_context *ctx)
{
	const struct call_table *calls = ctx->calls;
	guint by_kind[CALL_KIND_COUNT];
	char class[4];

	struct ng_calls_stats ng = { 0 };

	call_count_by_kind(calls, by_kind);
	if (ctx->ng)
		ng_calls_stats(ng_server_calls(ctx->ng), &ng);
	exposition_family(e, "rtprelay_calls_active", EXPOSITION_GAUGE,
			  "Calls in progress (ringing, answered or active), by what they were set up for: a SIP call's "
			  "route (tone, room, b2bua), or ng (set up by a proxy's offer)");
	for (int k = 0; k < CALL_KIND_COUNT; k++)
		exposition_u64(e, "", by_kind[k], "kind", call_kind_name(k), NULL);
	if (ctx->ng)
		exposition_u64(e, "", ng.current, "kind", "ng", NULL);
	exposition_family(e, "rtprelay_calls_total", EXPOSITION_COUNTER,
			  "Calls since start: sip (incoming INVITEs, refused ones included, and calls placed), ng "
			  "(created by an offer)");
	exposition_u64(e, "", calls->stats.calls_total, "kind", "sip", NULL);
	if (ctx->ng)
		exposition_u64(e, "", ng.created, "kind", "ng", NULL);
	exposition_family(e, "rtprelay_calls_failed_total", EXPOSITION_COUNTER,
			  "Calls refused, or answered with a failure by the far end");
	exposition_u64(e, "", calls->stats.calls_failed, NULL);
	exposition_family(e, "rtprelay_rooms", EXPOSITION_GAUGE, "Conference rooms with at least one member");
	exposition_u64(e, "", room_count(calls), NULL);
	exposition_family(e, "rtprelay_sip_responses_total", EXPOSITION_COUNTER,
			  "SIP responses sent, by class: the calls' and sofia-sip's own, retransmissions included");
	for (int c = 1; c < (int)G_N_ELEMENTS(calls->stats.sip_responses); c++) {
		snprintf(class, sizeof(class), "%dxx", c);
		exposition_u64(e, "", calls->stats.sip_responses[c], "class", class, NULL);
	}
}

/* What the ng server ran, by command ("other": unreadable requests and unknown commands). */
static void render_ng(struct exposition *e, const struct metrics_context *ctx)
{
	const struct ng_request_counts *counts;

	if (!ctx->ng)
		return;
	counts = ng_server_request_counts(ctx->ng);
	exposition_family(e, "rtprelay_ng_requests_total", EXPOSITION_COUNTER,
			  "ng requests run, by command (other: unreadable, or no known command); a retransmission "
			  "answered from the cache is not run again");
	for (unsigned int i = 0; i <= NG_COMMANDS; i++)
		exposition_u64(e, "", counts->requests[i], "command", ng_command_name(i), NULL);
	exposition_family(e, "rtprelay_ng_errors_total", EXPOSITION_COUNTER,
			  "ng requests answered with result=error, by command");
	for (unsigned int i = 0; i <= NG_COMMANDS; i++)
		exposition_u64(e, "", counts->errors[i], "command", ng_command_name(i), NULL);
}

static void render_media(struct exposition *e, const struct metrics_context *ctx)
{
	const struct media_env *media = ctx->media;
	unsigned in_use = port_pool_in_use(media->ports);
	struct tick_stats ts;
	uint64_t cumulative = 0;
	char le[EXPOSITION_DOUBLE_MAX];

	exposition_family(e, "rtprelay_rtp_ports_used", EXPOSITION_GAUGE,
			  "RTP ports of the range held by calls and adopted flows (each with its RTCP port + 1)");
	exposition_u64(e, "", in_use, NULL);
	exposition_family(e, "rtprelay_rtp_ports_free", EXPOSITION_GAUGE, "RTP ports of the range free for new calls");
	exposition_u64(e, "", port_pool_capacity(media->ports) - in_use, NULL);

	media_clock_tick_stats(media->clock, &ts);
	exposition_family(e, "rtprelay_media_ticks_total", EXPOSITION_COUNTER,
			  "20 ms ticks the media thread ran (tones and mixes are sent on each)");
	exposition_u64(e, "", ts.ticks, NULL);
	exposition_family(e, "rtprelay_media_tick_overruns_total", EXPOSITION_COUNTER,
			  "20 ms periods that passed without a tick of their own: the media thread was late");
	exposition_u64(e, "", ts.overruns, NULL);
	exposition_family(e, "rtprelay_media_tick_jitter_seconds", EXPOSITION_HISTOGRAM,
			  "How far the time between two ticks strayed from the periods that elapsed");
	for (int b = 0; b < TICK_JITTER_BUCKETS; b++) {
		cumulative += ts.jitter_count[b];
		exposition_format_double(le, tick_jitter_bounds_us[b] / 1e6);
		exposition_u64(e, "_bucket", cumulative, "le", le, NULL);
	}
	cumulative += ts.jitter_count[TICK_JITTER_BUCKETS];
	exposition_u64(e, "_bucket", cumulative, "le", "+Inf", NULL);
	exposition_double(e, "_sum", ts.jitter_sum_us / 1e6, NULL);
	exposition_u64(e, "_count", cumulative, NULL);
}

/* The userspace path's counters: the daemon's forwarding beside XDP, or the whole userspace datapath. */
static void userspace_counters(struct datapath *dp, struct global_counters *out)
{
	g_mutex_lock(&dp->lock);
	*out = dp->slow_path;
	g_mutex_unlock(&dp->lock);
}

static void render_counters(struct exposition *e, const char *family, const char *help, const char *prefix,
			    const struct global_counters *by_path[2], const char *const path_names[2])
{
	exposition_family(e, family, EXPOSITION_COUNTER, help);
	for (int p = 0; p < 2; p++) {
		if (!by_path[p])
			continue;
		for (size_t i = 0; i < GLOBAL_COUNTER_FIELDS; i++) {
			const char *name = global_counter_fields[i].name;

			if (g_str_has_prefix(name, prefix))
				exposition_u64(e, "", global_counter_value(by_path[p], i), "path", path_names[p],
					       "reason", name + strlen(prefix), NULL);
		}
	}
}

static void render_datapath(struct exposition *e, const struct metrics_context *ctx, struct metrics_floor *floor)
{
	static const char *const path_names[2] = { "kernel", "userspace" };
	struct datapath *dp = ctx->media->dp;
	struct global_counters kernel, userspace;
	const struct global_counters *by_path[2] = { NULL, &userspace };
	struct flow_walk walk = { 0 };

	if (forwards_in_kernel(dp) && dp->ops->counters(dp, &kernel) == 0)
		by_path[0] = &kernel;
	userspace_counters(dp, &userspace);
	dp->ops->flow_foreach(dp, add_flow, &walk);

	exposition_family(e, "rtprelay_flows", EXPOSITION_GAUGE,
			  "Flow entries of the datapath (one per direction of RTP and of RTCP of a bridge), by state");
	for (int s = 0; s < FLOW_STATES; s++)
		exposition_u64(e, "", walk.count[s], "path", flow_path(dp), "state", flow_state_names[s], NULL);

	exposition_family(e, "rtprelay_forwarded_packets_total", EXPOSITION_COUNTER,
			  "Packets of bridged calls forwarded, by where");
	for (int p = 0; p < 2; p++) {
		if (by_path[p])
			exposition_u64(e, "", by_path[p]->forwarded, "path", path_names[p], NULL);
	}
	floor->flow_bytes = MAX(floor->flow_bytes, walk.bytes + flow_totals_bytes(ctx->media->retired_flows));
	exposition_family(e, "rtprelay_forwarded_bytes_total", EXPOSITION_COUNTER,
			  "UDP payload bytes forwarded by the datapath's flows since the daemon started (the kernel's "
			  "with XDP, the daemon's with the userspace datapath)");
	exposition_u64(e, "", floor->flow_bytes, "path", flow_path(dp), NULL);
	render_counters(e, "rtprelay_dropped_packets_total",
			"Packets dropped: wrong_source (a latched flow's packet from another source), hold (toward a "
			"leg on hold)",
			"dropped_", by_path, path_names);
	render_counters(e, "rtprelay_passed_packets_total",
			"Packets the datapath did not forward, by reason: to the kernel stack (kernel) or to the "
			"daemon's own handling (userspace)",
			PASS_PREFIX, by_path, path_names);
	exposition_family(e, "rtprelay_datapath_errors_total", EXPOSITION_COUNTER,
			  "Redirect failures and other internal errors of the datapath");
	for (int p = 0; p < 2; p++) {
		if (by_path[p])
			exposition_u64(e, "", by_path[p]->errors, "path", path_names[p], NULL);
	}
}

/* "ok", or "degraded: why" when the kernel does not forward every bridged flow. */
static bool kernel_path_degraded(struct datapath *dp, char *why, size_t len)
{
	dp->ops->kernel_path(dp, why, len);
	return g_str_has_prefix(why, "degraded");
}

/* The backend, whether it is degraded, and the XDP mode the kernel reports on each configured interface. */
static void render_datapath_state(struct exposition *e, const struct metrics_context *ctx)
{
	const struct config *cfg = ctx->media->cfg;
	struct datapath *dp = ctx->media->dp;
	char why[KERNEL_PATH_TEXT_MAX];

	exposition_family(e, "rtprelay_datapath_info", EXPOSITION_GAUGE,
			  "1 for the forwarding engine of bridged calls in use: xdp or userspace");
	exposition_u64(e, "", 1, "datapath", dp->ops->name, NULL);
	exposition_family(e, "rtprelay_datapath_degraded", EXPOSITION_GAUGE,
			  "1 while the kernel does not forward every bridged flow (the userspace datapath, an "
			  "interface without XDP, a next hop it cannot reach; rtprelayctl status and /health say "
			  "why), else 0");
	exposition_u64(e, "", kernel_path_degraded(dp, why, sizeof(why)), NULL);
	exposition_family(e, "rtprelay_xdp_attached_info", EXPOSITION_GAUGE,
			  "1 for each configured interface, with how the kernel says XDP is attached to it: native, "
			  "generic, offload, multi or none");
	for (char **ifname = cfg->interfaces; ifname && *ifname; ifname++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		unsigned int ifindex = if_nametoindex(*ifname);
		const char *mode = "none";

		if (ifindex && bpf_xdp_query(ifindex, 0, &q) == 0)
			mode = netdev_xdp_attach_name(q.attach_mode);
		exposition_u64(e, "", 1, "interface", *ifname, "mode", mode, NULL);
	}
}

void metrics_render(const struct metrics_context *ctx, struct metrics_floor *floor, GString *out)
{
	struct exposition e;

	exposition_init(&e, out);
	exposition_family(&e, "rtprelay_build_info", EXPOSITION_GAUGE, "1, with the version of rtprelayd");
	exposition_u64(&e, "", 1, "version", RTPRELAY_VERSION, NULL);
	exposition_family(&e, "rtprelay_uptime_seconds", EXPOSITION_GAUGE, "Seconds since rtprelayd started");
	exposition_double(&e, "", (g_get_monotonic_time() - ctx->started_us) / 1e6, NULL);
	exposition_family(&e, "rtprelay_draining", EXPOSITION_GAUGE,
			  "1 while new calls are refused (rtprelayctl drain, SIGUSR1, SIGTERM), else 0");
	exposition_u64(&e, "", ctx->draining || ctx->media->cfg->drain.on, NULL);
	render_calls(&e, ctx);
	render_ng(&e, ctx);
	render_media(&e, ctx);
	render_datapath(&e, ctx, floor);
	render_datapath_state(&e, ctx);
}

bool metrics_healthy(const struct metrics_context *ctx, char *reason, size_t len)
{
	const struct media_env *media = ctx->media;

	if (ctx->draining) {
		snprintf(reason, len, "draining: SIGTERM received, hanging up calls");
		return false;
	}
	if (media->cfg->drain.on) {
		snprintf(reason, len, "draining: %s", media->cfg->drain.why);
		return false;
	}
	if (kernel_path_degraded(media->dp, reason, len))
		return false; /* the datapath's own words: "degraded: ..." */
	if (call_table_count(ctx->calls) >= media->cfg->max_calls) {
		snprintf(reason, len, "at max-calls (%u calls)", media->cfg->max_calls);
		return false;
	}
	if (port_pool_in_use(media->ports) >= port_pool_capacity(media->ports)) {
		snprintf(reason, len, "no free RTP port");
		return false;
	}
	return true;
}
