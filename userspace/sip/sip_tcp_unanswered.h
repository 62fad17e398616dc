/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shuts down TCP connections to the SIP port that sofia-sip 1.12 would hold
 * for ever: it arms no timer when it accepts a connection (TPTAG_IDLE and
 * TPTAG_TIMEOUT start only once a message went through or began), so a peer
 * that connects and stays silent, or sends only CRLF keepalives or bytes that
 * never make a message, keeps a descriptor as long as it likes.
 *
 * Every second this looks at the process's own descriptors: a TCP connection
 * whose local port is the SIP port, on which the daemon has sent nothing
 * (every request but ACK is answered at once, if only by 100 Trying) for
 * `limit_ms` since it was first seen, is shut down. sofia-sip then reads the
 * end of stream it already handles and closes and frees the connection
 * itself; the descriptor stays sofia-sip's (shutdown(2), never close(2)).
 */
#ifndef RTPRELAY_SIP_TCP_UNANSWERED_H
#define RTPRELAY_SIP_TCP_UNANSWERED_H

#include <stdint.h>

struct sip_tcp_unanswered;

struct sip_tcp_unanswered *sip_tcp_unanswered_start(uint16_t sip_port, unsigned int limit_ms);
void sip_tcp_unanswered_stop(struct sip_tcp_unanswered *u);

#endif
