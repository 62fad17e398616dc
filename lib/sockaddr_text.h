/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Socket addresses as the tools write them on their command lines and in
 * their JSON: "192.0.2.1:5000" or "[2001:db8::1]:5000".
 */
#ifndef RTPRELAY_LIB_SOCKADDR_TEXT_H
#define RTPRELAY_LIB_SOCKADDR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* "192.0.2.1:5000" or "[2001:db8::1]:5000" into a socket address; -1 if it is neither. */
int sockaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* The same text back ("-" for a family other than IPv4 and IPv6). */
const char *sockaddr_format(const struct sockaddr_storage *ss, char *buf, size_t len);
/* Same family, address and port. */
bool sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

#endif
