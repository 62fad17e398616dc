/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtpengine's ng control protocol over UDP, on the GLib main loop: each
 * datagram "<cookie> <bencoded dictionary>" is answered with
 * "<cookie> <bencoded dictionary>" to its sender's address. A request
 * retransmitted with the same cookie gets the same reply without running
 * again. Nothing a sender writes stops the server: a datagram without a
 * cookie is dropped, anything else malformed gets result=error.
 */
#ifndef RTPRELAY_NG_SERVER_H
#define RTPRELAY_NG_SERVER_H

#include <glib.h>

#include "config/config.h"

#define NG_REQUEST_MAX	   32768 /* bytes; longer datagrams are refused */
#define NG_REPLY_MAX	   65000 /* bytes; fits a UDP datagram over IPv4 and IPv6 */
#define NG_COOKIES_MAX	   4096
#define NG_COOKIE_BYTES	   (16 << 20)
#define NG_COOKIE_AGE_S	   30 /* longer than any client's retransmission */
#define NG_RECV_PER_WAKEUP 64 /* datagrams read before other sources get a turn */

struct media_env;
struct ng_calls;
struct ng_request_counts;
struct ng_server;

/* Binds every cfg->listen_ng address; media is what the calls allocate their legs from. */
struct ng_server *ng_server_start(const struct config *cfg, const struct media_env *media, GError **err);
/* Ends every ng call and closes the sockets. */
void ng_server_stop(struct ng_server *s);
/* The server's calls, for rtprelayctl and the metrics. */
struct ng_calls *ng_server_calls(const struct ng_server *s);
/* The requests it ran and the errors it answered, by command (a retransmission answered from the cache is not run). */
const struct ng_request_counts *ng_server_request_counts(const struct ng_server *s);

#endif
