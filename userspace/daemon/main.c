// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelayd: reads its options, opens the datapath (XDP when it can attach,
 * the userspace fallback otherwise, adopting whatever an earlier run left
 * pinned), starts the media thread and runs the GLib main loop until
 * SIGTERM or SIGINT. SIGTERM detaches XDP and unpins; SIGKILL leaves the
 * kernel forwarding. SIGHUP reloads the config file and SIGUSR1 starts
 * draining (config/config_runtime.h).
 */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "call/call.h"
#include "config/config_runtime.h"
#include "control/control_server.h"
#include "daemon.h"
#include "datapath/call_records.h"
#include "fd_limit.h"
#include "log.h"
#include "media/adopted_flows.h"
#include "media/media_clock.h"
#include "media/media_loop.h"
#include "media/port_pool.h"
#include "metrics/metrics_server.h"
#include "ng/ng_server.h"
#include "service_notify.h"
#include "sip/sip.h"

#define HANGUP_GRACE_MS 2000 /* how long SIGTERM waits for BYEs to be answered */

static void on_sip_shutdown(void *user)
{
	struct daemon *d = user;

	g_main_loop_quit(d->loop);
}

static gboolean shutdown_sip(gpointer user)
{
	struct daemon *d = user;

	sip_shutdown(d->sip, on_sip_shutdown, d);
	return G_SOURCE_REMOVE;
}

/* Waits for the calls to end (their BYEs answered) before shutting SIP down. */
static gboolean wait_for_calls(gpointer user)
{
	struct daemon *d = user;
	gint64 waited_ms = (g_get_monotonic_time() - d->terminating_us) / 1000;

	if (call_table_count(&d->calls) && waited_ms < HANGUP_GRACE_MS)
		return G_SOURCE_CONTINUE;
	shutdown_sip(d);
	return G_SOURCE_REMOVE;
}

static gboolean on_terminate(gpointer user)
{
	struct daemon *d = user;

	service_notify("STOPPING=1");
	d->metrics_ctx.draining = true;
	g_message("terminating: hanging up %u calls", call_hangup_all(&d->calls));
	d->terminating_us = g_get_monotonic_time();
	g_timeout_add(50, wait_for_calls, d);
	return G_SOURCE_REMOVE;
}

/* What a change of settings needs beyond struct config, which every reader reads afresh. */
static void on_settings_changed(const struct config *cfg, void *user)
{
	log_set_level(cfg->log_level);
}

/* SIGHUP: as rtprelayctl reload, with the answer in the log. */
static gboolean on_reload(gpointer user)
{
	g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) restart = g_ptr_array_new_with_free_func(g_free);
	struct daemon *d = user;
	GError *err = NULL;

	if (!config_runtime_reload(&d->cfg, changed, restart, &err)) {
		g_warning("SIGHUP: reload failed, nothing changed: %s", err->message);
		g_error_free(err);
		return G_SOURCE_CONTINUE;
	}
	for (guint i = 0; i < changed->len; i++)
		g_message("SIGHUP: %s", (const char *)changed->pdata[i]);
	for (guint i = 0; i < restart->len; i++)
		g_warning("SIGHUP: %s (needs a restart)", (const char *)restart->pdata[i]);
	g_message("SIGHUP: reloaded %s: %u changed, %u need a restart", d->cfg.file, changed->len, restart->len);
	on_settings_changed(&d->cfg, d);
	return G_SOURCE_CONTINUE;
}

/* SIGUSR1: as rtprelayctl drain; rtprelayctl drain off ends it. */
static gboolean on_drain(gpointer user)
{
	struct daemon *d = user;

	config_runtime_drain(&d->cfg, true, "SIGUSR1");
	g_message("SIGUSR1: draining: new calls are refused, calls in progress go on");
	return G_SOURCE_CONTINUE;
}

static gboolean on_second(gpointer user)
{
	struct daemon *d = user;

	call_check_timeouts(&d->calls);
	adopted_flows_expire(d->adopted);
	return G_SOURCE_CONTINUE;
}

static int open_datapath(struct daemon *d)
{
	struct datapath_config dc = {
		.kind = d->cfg.datapath,
		.xdp_mode = d->cfg.xdp_mode,
		.bpffs_dir = d->cfg.bpffs_dir,
		.interfaces = (const char *const *)d->cfg.interfaces,
	};
	char err[256];

	d->media.dp = datapath_open(&dc, err, sizeof(err));
	if (!d->media.dp) {
		g_critical("cannot open the %s datapath: %s", datapath_kind_name(d->cfg.datapath), err);
		return -1;
	}
	g_message("datapath %s: %s", d->media.dp->ops->name, d->media.dp->why);
	return 0;
}

/*
 * Call records live next to the flows, so only where flows outlive the
 * process (XDP, pinned maps); the calls they name are rebuilt later, by
 * the ng server and the SIP stack, once the flows have been adopted.
 */
static void open_call_records(struct daemon *d)
{
	if (strcmp(d->media.dp->ops->name, "xdp") == 0)
		d->media.records = call_records_open(d->cfg.bpffs_dir);
}

/*
 * Every leg holds two sockets: the limit must cover the RTP range. Where
 * it cannot be raised that far, calls are capped so that their sockets
 * use at most half of it and the rest stays for SIP connections.
 */
static void size_fd_limit(struct config *cfg)
{
	unsigned long needed = fd_limit_needed(cfg->rtp_port_min, cfg->rtp_port_max), got, cap;
	char why[256];

	if (fd_limit_raise(needed, &got, why, sizeof(why))) {
		g_info("open-file limit %lu (the RTP range needs %lu)", got, needed);
		return;
	}
	g_warning("%s", why);
	cap = got / 4;
	cfg->max_calls_cap = cap;
	if (cfg->max_calls > cap) {
		g_warning("max-calls lowered from %u to %lu to fit the open-file limit", cfg->max_calls, cap);
		cfg->max_calls = cap;
	}
}

static int start_metrics(struct daemon *d)
{
	GError *err = NULL;

	if (!d->cfg.http_listen.port)
		return 0;
	d->metrics_ctx = (struct metrics_context){
		.media = &d->media,
		.calls = &d->calls,
		.ng = d->ng,
		.started_us = d->started_us,
	};
	d->metrics = metrics_server_start(&d->metrics_ctx, &d->cfg.http_listen, &err);
	if (!d->metrics) {
		g_critical("%s", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

static int start(struct daemon *d)
{
	GError *err = NULL;

	size_fd_limit(&d->cfg);

	if (!d->cfg.media_ip[0]) {
		g_critical("no media address: there is no default route; set --media-ip");
		return -1;
	}
	if (open_datapath(d) < 0)
		return -1;
	d->media.cfg = &d->cfg;
	d->media.retired_flows = &d->retired_flows;
	d->media.ports = port_pool_new(d->cfg.rtp_port_min, d->cfg.rtp_port_max);
	open_call_records(d);
	d->adopted = d->media.adopted = adopted_flows_take(&d->media);
	d->media.loop = media_loop_new();
	if (!d->media.loop || media_loop_start(d->media.loop) < 0 ||
	    !(d->media.clock = media_clock_start(d->media.loop, &d->cfg))) {
		g_critical("cannot start the media thread: %s", strerror(errno));
		return -1;
	}
	call_table_init(&d->calls, &d->cfg, &d->media);
	d->sip = sip_start(&d->cfg.sip_listen, &d->calls, &err);
	if (!d->sip) {
		g_critical("%s", err->message);
		g_error_free(err);
		return -1;
	}
	g_timeout_add_seconds(1, on_second, d);
	d->control_ctx = (struct control_context){
		.cfg = &d->cfg,
		.dp = d->media.dp,
		.ports = d->media.ports,
		.calls = &d->calls,
		.started_us = d->started_us,
		.settings_changed = on_settings_changed,
		.settings_user = d,
	};
	d->control = control_server_start(&d->control_ctx, &err);
	if (d->control && d->cfg.listen_ng_count)
		d->ng = ng_server_start(&d->cfg, &d->media, &err);
	d->control_ctx.ng = d->ng;
	if (err) {
		g_critical("%s", err->message);
		g_error_free(err);
		return -1;
	}
	return start_metrics(d);
}

static void stop(struct daemon *d)
{
	metrics_server_stop(d->metrics);
	ng_server_stop(d->ng);
	control_server_stop(d->control);
	sip_free(d->sip);
	call_table_clear(&d->calls);
	media_clock_stop(d->media.clock);
	if (d->media.loop)
		media_loop_stop_and_free(d->media.loop);
	adopted_flows_free(d->adopted);
	call_records_close(d->media.records);
	if (d->media.ports)
		port_pool_free(d->media.ports);
	datapath_close(d->media.dp, true);
	flow_totals_clear(&d->retired_flows);
}

int main(int argc, char **argv)
{
	struct daemon d = { .started_us = g_get_monotonic_time() };
	GError *err = NULL;

	if (!config_load(&d.cfg, &argc, &argv, &err)) {
		fprintf(stderr, "rtprelayd: %s\n", err->message);
		g_error_free(err);
		return 2;
	}
	log_init(d.cfg.log_level);
	signal(SIGPIPE, SIG_IGN);
	flow_totals_init(&d.retired_flows);
	d.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_terminate, &d);
	g_unix_signal_add(SIGINT, on_terminate, &d);
	g_unix_signal_add(SIGHUP, on_reload, &d);
	g_unix_signal_add(SIGUSR1, on_drain, &d);
	if (start(&d) == 0) {
		g_message("running: media %s, ports %u-%u", d.cfg.media_ip, d.cfg.rtp_port_min, d.cfg.rtp_port_max);
		if (service_notify("READY=1") < 0)
			g_warning("cannot tell the service manager we are ready ($NOTIFY_SOCKET): %s", strerror(errno));
		g_main_loop_run(d.loop);
	} else {
		d.exit_status = 1;
	}
	stop(&d);
	g_main_loop_unref(d.loop);
	config_free(&d.cfg);
	return d.exit_status;
}
