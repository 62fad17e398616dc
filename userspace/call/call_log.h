/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A log line about a call, prefixed "call <id> <SIP Call-ID>: ", so that
 * every line of a call can be found by its number (rtprelayctl calls) or
 * by the Call-ID of its dialog (a SIP trace, the proxy's log).
 */
#ifndef RTPRELAY_CALL_LOG_H
#define RTPRELAY_CALL_LOG_H

#include <glib.h>

#include "call.h"

#define call_log(level, c, fmt, ...) \
	g_log(G_LOG_DOMAIN, (level), "call %u %s: " fmt, (c)->id, (c)->sip_call_id, ##__VA_ARGS__)

#endif
