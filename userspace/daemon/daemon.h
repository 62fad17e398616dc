/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The running daemon: every subsystem's state, owned by main.c, which hands
 * each layer only what it needs (media_env.h, call_table.h,
 * control_commands.h). Nothing outside daemon/ includes this.
 */
#ifndef RTPRELAY_DAEMON_H
#define RTPRELAY_DAEMON_H

#include <glib.h>

#include "call/call_table.h"
#include "config/config.h"
#include "control/control_commands.h"
#include "media/flow_totals.h"
#include "media/media_env.h"
#include "metrics/metrics.h"

struct adopted_flows;
struct control_server;
struct metrics_server;
struct ng_server;
struct sip;

struct daemon {
	struct config cfg;
	struct media_env media;	       /* datapath, media thread, clock, port pool */
	struct adopted_flows *adopted; /* flows an earlier run left forwarding */
	struct call_table calls;
	struct sip *sip;
	struct flow_totals retired_flows; /* media.retired_flows */
	struct control_context control_ctx;
	struct control_server *control;
	struct metrics_context metrics_ctx;
	struct metrics_server *metrics; /* NULL without --listen-http */
	struct ng_server *ng;		/* NULL without --listen-ng */
	GMainLoop *loop;
	gint64 started_us;     /* g_get_monotonic_time() at start */
	gint64 terminating_us; /* when SIGTERM arrived */
	int exit_status;
};

#endif
