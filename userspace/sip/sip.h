/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sofia-sip's NUA inside the GLib main loop, with sofia's own offer/answer
 * off: rtprelayd writes and reads every SDP itself. One event callback
 * dispatches to the call bound to the handle; an INVITE outside any dialog
 * goes to call_incoming().
 */
#ifndef RTPRELAY_SIP_H
#define RTPRELAY_SIP_H

#include <glib.h>
#include <sofia-sip/nua.h>

struct call_table;
struct config_hostport;

/* sip_start()'s error: code EADDRNOTAVAIL, sofia-sip cannot listen at that address. */
#define SIP_ERROR (sip_error_quark())
GQuark sip_error_quark(void);

/*
 * Listens on `listen` (UDP and TCP) and gives the calls of t their SIP
 * stack (t->nua) until sip_free(); NULL with err set on failure.
 */
struct sip *sip_start(const struct config_hostport *listen, struct call_table *t, GError **err);
/* Orderly shutdown: nua_shutdown, then `done` once sofia confirmed it. */
void sip_shutdown(struct sip *s, void (*done)(void *user), void *user);
void sip_free(struct sip *s);

#endif
