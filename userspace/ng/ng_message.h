/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One ng datagram: "<cookie> <bencoded dictionary>". The reply repeats the
 * cookie, so the client matches it to its request.
 */
#ifndef RTPRELAY_NG_MESSAGE_H
#define RTPRELAY_NG_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#define NG_COOKIE_MAX 128 /* bytes; Kamailio's "<n>_<pid>_<seq>" is far shorter */

struct ng_message {
	const char *cookie; /* into the datagram, not NUL-terminated */
	size_t cookie_len;
	const char *body; /* what follows the space */
	size_t body_len;
};

/* Splits a datagram at its first space; false when there is no usable cookie (nobody to answer). */
bool ng_message_split(const char *buf, size_t len, struct ng_message *out);

#endif
