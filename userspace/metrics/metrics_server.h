/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The HTTP server of --listen-http: GET (or HEAD) /metrics answers the
 * metrics of metrics.h in the Prometheus text format, /health 200 "ok" or
 * 503 with the reason (draining, degraded, full); anything else gets a 4xx. libmicrohttpd parses
 * HTTP; it runs without a thread of its own, its epoll fd watched from the
 * GLib main loop, so every read of the daemon's state happens there.
 */
#ifndef RTPRELAY_METRICS_SERVER_H
#define RTPRELAY_METRICS_SERVER_H

#include <glib.h>

struct config_hostport;
struct metrics_context;
struct metrics_server;

/* metrics_server_start()'s error: code the errno value of what failed (EADDRINUSE...). */
#define METRICS_SERVER_ERROR (metrics_server_error_quark())
GQuark metrics_server_error_quark(void);

/* Listens on `listen` from the default main context; NULL with err set on failure. ctx must outlive the server. */
struct metrics_server *metrics_server_start(const struct metrics_context *ctx, const struct config_hostport *listen,
					    GError **err);
/* Closes the socket and every connection; NULL is allowed. */
void metrics_server_stop(struct metrics_server *ms);

#endif
