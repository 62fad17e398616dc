/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every media leg of the daemon shares: the configuration (media
 * address, port range, timeouts), the datapath its flows go to, the media
 * thread that reads its sockets, the 20 ms clock that plays tones and
 * mixes, the RTP port pool, the totals of removed flows, the durable call
 * records and the flows adopted from an earlier run. The daemon owns each of them and fills
 * this in once; the legs and mixers keep a pointer to it.
 */
#ifndef RTPRELAY_MEDIA_ENV_H
#define RTPRELAY_MEDIA_ENV_H

struct adopted_flows;
struct call_records;
struct config;
struct datapath;
struct flow_totals;
struct media_clock;
struct media_loop;
struct port_pool;

struct media_env {
	const struct config *cfg;
	struct datapath *dp;
	struct media_loop *loop;
	struct media_clock *clock;
	struct port_pool *ports;
	struct flow_totals *retired_flows; /* what removed flows had forwarded */
	struct call_records *records;	   /* durable call records; NULL: calls do not survive a crash */
	struct adopted_flows *adopted;	   /* flows an earlier run left, until their calls claim them */
};

#endif
