/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The RTP the media clock sends each tick, batched: one sendmmsg per
 * MEDIA_BATCH_MAX datagrams through one raw UDP socket bound to the media
 * address, each datagram carrying its leg's own source port.
 */
#ifndef RTPRELAY_MEDIA_BATCH_H
#define RTPRELAY_MEDIA_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/types.h>

struct config;
struct media_batch;

/* NULL when no raw socket can be had (no CAP_NET_RAW): the legs then send one by one. */
struct media_batch *media_batch_new(const struct config *cfg);
void media_batch_free(struct media_batch *b);
/*
 * Queues one RTP packet (header and payload) from the relay's port src_port
 * (network order) to `to`; *sent counts it once it has left. Both stay the
 * caller's until the next media_batch_flush().
 */
void media_batch_add(struct media_batch *b, __be16 src_port, const struct sockaddr_storage *to, const uint8_t *rtp,
		     size_t len, uint64_t *sent);
/* Sends what is queued. */
void media_batch_flush(struct media_batch *b);

#endif
