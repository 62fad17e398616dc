/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a datapath is handed and what it decides, per packet: the types the
 * backends (datapath_xdp.c, datapath_userspace.c), the rules they share
 * (flow_apply.c) and the media thread pass around.
 */
#ifndef RTPRELAY_DATAPATH_PACKET_H
#define RTPRELAY_DATAPATH_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* What datapath_input() did with one received packet. */
enum datapath_verdict {
	DATAPATH_PASS,	    /* not ours: the daemon handles it */
	DATAPATH_FORWARDED, /* sent toward the other leg */
	DATAPATH_DROPPED,   /* wrong source on a latched flow, or leg on hold */
};

/* One received datagram, as recvmmsg gave it. */
struct datapath_packet {
	struct sockaddr_storage from;
	uint8_t *data;
	size_t len;
};

#endif
