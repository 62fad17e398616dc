/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every SDP body must pass before it reaches sofia-sip's sdp_parse().
 *
 * sofia-sip 1.12 (Debian 12) loops for ever, allocating on every turn, on
 * an m= line whose port is not all digits, whose format list holds a
 * character that is not a token character (`m=audio 4q RTP/AVP 0 \x01`),
 * or whose protocol is followed by blanks but no format (`m=x 0 X \t`):
 * one INVITE took the SIP thread and then all memory. The maintained
 * sofia-sip fixed it in 1.13.7; until the distribution ships that, every
 * body is checked here first, against RFC 4566's grammar for the lines
 * the parser loops on, and refused with a reason when it does not fit.
 */
#ifndef RTPRELAY_SDP_GUARD_H
#define RTPRELAY_SDP_GUARD_H

#include <stdbool.h>
#include <stddef.h>

/* Larger bodies are refused before anything reads them: far above any real offer. */
#define SDP_GUARD_MAX_LEN 32768

/*
 * true if sdp_parse() may be given data[0..len); false with a reason in
 * why (why_size bytes) naming what is wrong and on which line.
 */
bool sdp_guard_check(const char *data, size_t len, char *why, size_t why_size);

#endif
