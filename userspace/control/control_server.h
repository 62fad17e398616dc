/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's control socket: NETLINK_USERSOCK bound at the configured
 * port id, read from the GLib main loop. It checks each sender's
 * credentials, answers malformed messages with an error, runs the commands
 * of control_commands.h and sends their replies (control_abi.h).
 */
#ifndef RTPRELAY_CONTROL_SERVER_H
#define RTPRELAY_CONTROL_SERVER_H

#include <glib.h>

struct control_context;
struct control_server;

/* control_server_start()'s error: code the errno value of the failed bind (EADDRINUSE...). */
#define CONTROL_SERVER_ERROR (control_server_error_quark())
GQuark control_server_error_quark(void);

/*
 * Binds ctx->cfg's control port and watches it in the default main context;
 * NULL with err set on failure. ctx must outlive the server.
 */
struct control_server *control_server_start(const struct control_context *ctx, GError **err);
/* Close the socket, dropping replies not yet sent; NULL is allowed. */
void control_server_stop(struct control_server *cs);

#endif
