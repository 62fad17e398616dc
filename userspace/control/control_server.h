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

#include "daemon/daemon.h"

/* Bind d->cfg.control_port and watch it in the default main context; NULL with err set on failure. */
struct control_server *control_server_start(struct daemon *d, GError **err);
/* Close the socket, dropping replies not yet sent; NULL is allowed. */
void control_server_stop(struct control_server *cs);

#endif
