/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every SIP response that leaves rtprelayd, counted by class into the call
 * table (call_table_count_responses()): those the calls send through nua
 * and those sofia-sip sends by itself (100 Trying, 400 to a request it
 * cannot parse, 481, 501, 503 when overloaded, 200 to OPTIONS, BYE and
 * CANCEL, answers to retransmitted requests, retransmissions of its own).
 *
 * sofia-sip 1.12 has no hook on sent messages, but its transport writes
 * each message it sends or receives to a dump file (TPTAG_DUMP): "sent N
 * bytes to ...:\n", the N bytes, "\v\n". The dump file is a pipe, read by
 * a thread of our own so that a burst of messages never blocks the
 * SIP thread on a full pipe for longer than the reader takes to drain
 * it; the thread hands each batch of counts to the main loop.
 */
#ifndef RTPRELAY_SIP_SENT_RESPONSES_H
#define RTPRELAY_SIP_SENT_RESPONSES_H

#include <glib.h>

struct call_table;
struct sip_sent_responses;

/* The pipe and its reader; NULL with err set (G_FILE_ERROR) on failure. */
struct sip_sent_responses *sip_sent_responses_start(struct call_table *t, GError **err);
/* What to give nua_create() as TPTAG_DUMP(): sofia-sip opens it itself. */
const char *sip_sent_responses_dump_path(const struct sip_sent_responses *r);
/* After nua_create(): sofia-sip holds its own descriptor of the pipe. */
void sip_sent_responses_opened(struct sip_sent_responses *r);
/* Stops the reader; counts it has not handed over yet are lost. */
void sip_sent_responses_stop(struct sip_sent_responses *r);

#endif
