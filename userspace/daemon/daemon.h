/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The running daemon: what every part of rtprelayd reaches through one pointer. */
#ifndef RTPRELAY_DAEMON_H
#define RTPRELAY_DAEMON_H

#include <glib.h>

#include "config/config.h"
#include "datapath/datapath.h"
#include "media/media_loop.h"
#include "media/port_pool.h"

struct adopted_flows;
struct control_server;
struct media_clock;
struct sip;

/* Totals since start, for `rtprelayctl stats`. */
struct daemon_stats {
	uint64_t calls_total;  /* incoming INVITEs and calls we placed */
	uint64_t calls_failed; /* refused, or answered with a failure by the far end */
};

struct daemon {
	struct config cfg;
	struct datapath *dp;
	struct media_loop *media;
	struct media_clock *clock; /* the 20 ms tick of tones and RTCP */
	struct port_pool *ports;
	struct adopted_flows *adopted; /* flows an earlier run left forwarding */
	struct sip *sip;
	struct control_server *control;
	GHashTable *calls; /* call id (guint) -> struct call * */
	guint next_call_id;
	GHashTable *rooms; /* room name (char *) -> struct room * */
	struct daemon_stats stats;
	GMainLoop *loop;
	gint64 started_us;     /* g_get_monotonic_time() at start */
	gint64 terminating_us; /* when SIGTERM arrived */
	int exit_status;
};

#endif
