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

#include "daemon.h"
#include "log.h"

static gboolean on_terminate(gpointer user)
{
	struct daemon *d = user;

	g_message("terminating");
	g_main_loop_quit(d->loop);
	return G_SOURCE_REMOVE;
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
	if (open_datapath(d) < 0)
		return -1;
	d->media = media_loop_new();
	if (!d->media || media_loop_start(d->media) < 0) {
		g_critical("cannot start the media thread: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void stop(struct daemon *d)
{
	if (d->media)
		media_loop_stop_and_free(d->media);
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
