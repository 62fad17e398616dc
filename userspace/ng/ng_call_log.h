/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A log line about an ng call, prefixed "ng <call-id> <from-tag>: " (the
 * from-tag of the side that created it, or of the request being logged),
 * so that a call's lines can be found by the Call-ID the proxy logs.
 */
#ifndef RTPRELAY_NG_CALL_LOG_H
#define RTPRELAY_NG_CALL_LOG_H

#include <glib.h>

#define ng_call_log(level, call_id, from_tag, fmt, ...) \
	g_log(G_LOG_DOMAIN, (level), "ng %s %s: " fmt, (call_id), (from_tag), ##__VA_ARGS__)

#endif
