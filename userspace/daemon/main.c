// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelayd: reads its options, opens the datapath (XDP when it can attach,
 * the userspace fallback otherwise, adopting whatever an earlier run left
 * pinned), starts the media thread and runs the GLib main loop until
 * SIGTERM or SIGINT. SIGTERM detaches XDP and unpins; SIGKILL leaves the
 * kernel forwarding.
 */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "media/adopted_flows.h"
#include "call/call.h"
#include "control/control_server.h"
#include "daemon.h"
#include "log.h"
#include "media/media_stream.h"
#include "ng/ng_server.h"
#include "sip/sip.h"

#define HANGUP_GRACE_MS 2000 /* how long SIGTERM waits for BYEs to be answered */

static struct ng_server *ng; /* NULL without --listen-ng */

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

	if (g_hash_table_size(d->calls) && waited_ms < HANGUP_GRACE_MS)
		return G_SOURCE_CONTINUE;
	shutdown_sip(d);
	return G_SOURCE_REMOVE;
}

static gboolean on_terminate(gpointer user)
{
	struct daemon *d = user;
	GList *calls = g_hash_table_get_values(d->calls);

	g_message("terminating: hanging up %u calls", g_list_length(calls));
	for (GList *l = calls; l; l = l->next)
		call_hangup(l->data);
	g_list_free(calls);
	d->terminating_us = g_get_monotonic_time();
	g_timeout_add(50, wait_for_calls, d);
	return G_SOURCE_REMOVE;
}

static gboolean on_second(gpointer user)
{
	struct daemon *d = user;

	call_check_timeouts(d);
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

	d->dp = datapath_open(&dc, err, sizeof(err));
	if (!d->dp) {
		g_critical("cannot open the %s datapath: %s", datapath_kind_name(d->cfg.datapath), err);
		return -1;
	}
	g_message("datapath %s: %s", d->dp->ops->name, d->dp->why);
	return 0;
}

static int start(struct daemon *d)
{
	GError *err = NULL;

	if (!d->cfg.media_ip[0]) {
		g_critical("no media address: there is no default route; set --media-ip");
		return -1;
	}
	if (open_datapath(d) < 0)
		return -1;
	d->ports = port_pool_new(d->cfg.rtp_port_min, d->cfg.rtp_port_max);
	d->adopted = adopted_flows_take(d);
	d->calls = g_hash_table_new(g_direct_hash, g_direct_equal);
	d->media = media_loop_new();
	if (!d->media || media_loop_start(d->media) < 0 || media_streams_start(d) < 0) {
		g_critical("cannot start the media thread: %s", strerror(errno));
		return -1;
	}
	d->sip = sip_start(d, &err);
	if (!d->sip) {
		g_critical("%s", err->message);
		g_error_free(err);
		return -1;
	}
	g_timeout_add_seconds(1, on_second, d);
	d->control = control_server_start(d, &err);
	if (d->control && d->cfg.listen_ng_count)
		ng = ng_server_start(&d->cfg, d, &err);
	if (err) {
		g_critical("%s", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

static void stop(struct daemon *d)
{
	ng_server_stop(ng);
	control_server_stop(d->control);
	sip_free(d->sip);
	if (d->media) {
		media_streams_stop(d);
		media_loop_stop_and_free(d->media);
	}
	if (d->calls)
		g_hash_table_destroy(d->calls);
	adopted_flows_free(d->adopted);
	if (d->ports)
		port_pool_free(d->ports);
	datapath_close(d->dp, true);
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
	d.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_terminate, &d);
	g_unix_signal_add(SIGINT, on_terminate, &d);
	if (start(&d) == 0) {
		g_message("running: media %s, ports %u-%u", d.cfg.media_ip, d.cfg.rtp_port_min, d.cfg.rtp_port_max);
		g_main_loop_run(d.loop);
	} else {
		d.exit_status = 1;
	}
	stop(&d);
	g_main_loop_unref(d.loop);
	config_free(&d.cfg);
	return d.exit_status;
}
