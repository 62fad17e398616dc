/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The durable record of a call's SIP dialog (datapath/call_records.h): what
 * a daemon started after a crash needs to end the dialog with a BYE built
 * by hand (sofia-sip's nua cannot resume a dialog): Call-ID, both tags and
 * URIs, the remote target, the route set, our CSeq, the transport, and the
 * leg's RTP port, whose flows and port it frees afterwards
 * (sip/sip_recovery.c). Written when the ACK of an incoming call arrives
 * and when the 2xx of one we placed arrives (before nua's ACK goes out);
 * deleted when the call ends.
 */
#ifndef RTPRELAY_CALL_DIALOG_RECORD_H
#define RTPRELAY_CALL_DIALOG_RECORD_H

#include <sofia-sip/sip.h>

struct call;

/* An incoming call: what its INVITE says of the dialog, kept until the answer. */
void call_dialog_record_invite(struct call *c, const sip_t *invite);
/*
 * An incoming call's ACK: its To tag is ours (nua does not tell it before),
 * the record is written. A crash between our 200 and the ACK loses it.
 */
void call_dialog_record_acked(struct call *c, const sip_t *ack);
/* A call we placed, answered 2xx: the record is written from the response. */
void call_dialog_record_answered(struct call *c, const sip_t *response);
/* The call ends: its record goes. */
void call_dialog_record_remove(struct call *c);

#endif
