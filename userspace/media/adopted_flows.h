/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Flows an earlier run of the daemon left pinned (it was killed, crashed
 * or is being upgraded): the kernel kept forwarding them, and the new run
 * keeps them as they are. Their SIP dialogs died with the old process, so
 * they cannot be hung up; they live while their media flows. At start the
 * ports they use are taken out of the pool, so no new call is given one;
 * a flow whose peer has sent nothing for rtp-timeout seconds is removed,
 * and its port returns to the pool once its last flow is gone. The flows
 * of a call whose record (datapath/call_records.h) survived are claimed by
 * that call when it is rebuilt: they are its from then on.
 */
#ifndef RTPRELAY_ADOPTED_FLOWS_H
#define RTPRELAY_ADOPTED_FLOWS_H

struct adopted_flows;
struct media_env;

/* Reads env's flow table once, before any call exists; reserves the ports in its pool. */
struct adopted_flows *adopted_flows_take(const struct media_env *env);
/* Removes the flows idle for rtp-timeout (called every second). */
void adopted_flows_expire(struct adopted_flows *a);
/*
 * The flows of this RTP port (its RTP and RTCP flows) are a recovered
 * call's: they stay in the datapath, this table forgets them, and the port
 * is back in the pool for media_stream_new_at() to take. a may be NULL.
 */
void adopted_flows_claim(struct adopted_flows *a, unsigned int port);
/* The flows of this RTP port are removed now (their call was hung up) and the port returns to the pool. */
void adopted_flows_remove_port(struct adopted_flows *a, unsigned int port, const char *why);
void adopted_flows_free(struct adopted_flows *a);

#endif
