/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sofia-sip's NUA inside the GLib main loop, with sofia's own offer/answer
 * off: rtprelayd writes and reads every SDP itself. One event callback
 * dispatches to the call bound to the handle.
 */
#ifndef RTPRELAY_SIP_H
#define RTPRELAY_SIP_H

#include <sofia-sip/nua.h>

#include "daemon/daemon.h"

struct sip *sip_start(struct daemon *d, GError **err);
nua_t *sip_nua(struct sip *s);
/* Orderly shutdown: nua_shutdown, then `done` once sofia confirmed it. */
void sip_shutdown(struct sip *s, void (*done)(void *user), void *user);
void sip_free(struct sip *s);

#endif
