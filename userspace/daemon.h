/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The running daemon: what every part of rtprelayd reaches through one pointer. */
#ifndef RTPRELAY_DAEMON_H
#define RTPRELAY_DAEMON_H

#include <glib.h>

#include "config.h"
#include "datapath.h"
#include "media_loop.h"

struct daemon {
	struct config cfg;
	struct datapath *dp;
	struct media_loop *media;
	GMainLoop *loop;
	gint64 started_us; /* g_get_monotonic_time() at start */
	int exit_status;
};

#endif
