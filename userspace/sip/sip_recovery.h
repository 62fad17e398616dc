/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The SIP dialogs an earlier run recorded (call/call_dialog_record.h) and
 * did not end: sofia-sip's nua cannot resume a dialog, so each gets a BYE
 * built from its record with nta (Request-URI the remote target, Call-ID,
 * From and To with the recorded tags, CSeq above the last, the route set),
 * sent from the SIP address and port (where the peer's answers go) by an
 * nta agent of its own, before nua takes that port. Once a BYE is answered
 * or SIP_RECOVERY_WAIT_MS have passed, the record goes, the dialog's flows
 * are removed and its port returns to the pool; the log counts the answers.
 * New requests arriving meanwhile are dropped; their senders retransmit.
 */
#ifndef RTPRELAY_SIP_RECOVERY_H
#define RTPRELAY_SIP_RECOVERY_H

#include <sofia-sip/su_wait.h>

struct config_hostport;
struct media_env;

/* Sends the BYEs from url (nua's) and returns once they are answered or the wait is over. */
void sip_recovery_run(su_root_t *root, const struct media_env *media, const char *url);

#endif
