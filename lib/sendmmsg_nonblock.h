/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef RTPRELAY_LIB_SENDMMSG_NONBLOCK_H
#define RTPRELAY_LIB_SENDMMSG_NONBLOCK_H

#include <sys/socket.h>

/*
 * Sends msgs[0..n) without ever waiting for a full socket buffer (the media
 * thread keeps a 20 ms cadence). sendmmsg stops at the first message that
 * fails; the rest get one more try (a transient ENOBUFS or EINTR) and are
 * then given up. Returns how many of the first messages left.
 */
int sendmmsg_nonblock(int fd, struct mmsghdr *msgs, int n);

#endif
