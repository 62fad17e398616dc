/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every media leg of the daemon shares: the configuration (media
 * address, port range, timeouts), the datapath its flows go to, the media
 * thread that reads its sockets, the 20 ms clock that plays tones and
 * mixes, the RTP port pool, and the totals of removed flows. The daemon owns each of them and fills
 * this in once; the legs and mixers keep a pointer to it.
 */
#ifndef RTPRELAY_MEDIA_ENV_H
#define RTPRELAY_MEDIA_ENV_H

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
};

#endif
