/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's open-file limit, sized at start for what it may open: two
 * sockets (RTP and RTCP) for every port pair of the RTP range, the SIP
 * connections, and room for the rest (maps, links, control, ng, logs). The
 * usual soft limit of 1024 ran out at about 500 calls, and sofia-sip's
 * accept loop then spun on EMFILE.
 */
#ifndef RTPRELAY_FD_LIMIT_H
#define RTPRELAY_FD_LIMIT_H

#include <stdbool.h>
#include <stddef.h>

/* Descriptors kept for what is not an RTP socket: SIP over TCP first. */
#define FD_LIMIT_HEADROOM 8192

/* How many descriptors a daemon with this RTP port range may need. */
unsigned long fd_limit_needed(unsigned rtp_port_min, unsigned rtp_port_max);

/*
 * Raises RLIMIT_NOFILE to `needed` (the hard limit too, where the process
 * may). false if the limit stays below it, with why (why_size bytes) saying
 * what it is and how to raise it.
 */
bool fd_limit_raise(unsigned long needed, unsigned long *got, char *why, size_t why_size);

#endif
