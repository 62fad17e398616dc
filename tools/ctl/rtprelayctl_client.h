/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtprelayctl's conversation with rtprelayd (rtprelayctl.c), for the
 * command handlers in other files (rtprelayctl_settings.c).
 */
#ifndef RTPRELAY_RTPRELAYCTL_CLIENT_H
#define RTPRELAY_RTPRELAYCTL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "lib/control_msg.h"

#define EXIT_FAILED 1
#define EXIT_USAGE  2

struct options {
	bool json, pretty;
	uint32_t port; /* the daemon's netlink port id */
	const char *bpffs;
};

/* A conversation with the daemon. */
struct client {
	const struct options *opt;
	const char *command; /* for error messages */
	bool absent_ok;	     /* no daemon is not an error: the caller reads the pinned maps */
	struct mnl_socket *nl;
	uint32_t seq;
	uint32_t request[RTPRELAY_CTL_MSG_MAX / sizeof(uint32_t)];
	uint32_t buf[RTPRELAY_CTL_DATAGRAM_MAX / sizeof(uint32_t)]; /* received datagrams */
};

/* One reply message, kept after the receive buffer is reused. */
struct reply {
	struct ctl_msg msg; /* attributes point into nlh below */
	struct nlmsghdr nlh[];
};

/* "rtprelayctl: COMMAND: ..." on stderr. */
void fail_msg(const struct client *cl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* A request with no attributes beyond those the caller adds: NLM_F_ACK, and NLM_F_DUMP for lists. */
struct nlmsghdr *request_start(struct client *cl, uint8_t cmd, bool dump);
/*
 * Send req and collect its reply messages into a new array (NULL on
 * failure, after printing why; *error then says it, e.g. -ECONNREFUSED
 * when no daemon listens).
 */
GPtrArray *request(struct client *cl, struct nlmsghdr *req, int *error);
/* The request, and nothing to print: exit status. */
int request_ack(struct client *cl, struct nlmsghdr *req);
/* A string attribute of m, "" when absent. */
const char *attr_str(const struct ctl_msg *m, enum rtprelay_attr type);

#endif
