/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control commands rtprelayd runs for rtprelayctl: one handler per
 * enum rtprelay_cmd, called by the control server on the main loop with a
 * validated request, appending its reply messages.
 */
#ifndef RTPRELAY_CONTROL_COMMANDS_H
#define RTPRELAY_CONTROL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "lib/control_msg.h"
#include "daemon/daemon.h"

struct control_request {
	struct daemon *d;
	const struct nlmsghdr *nlh;				   /* the request */
	uint32_t portid;					   /* the requester's: replies go there */
	const struct ctl_msg *msg;				   /* its command and attributes */
	GByteArray *reply;					   /* reply messages, appended in order */
	char error[256];					   /* why the command failed */
	uint64_t scratch[RTPRELAY_CTL_MSG_MAX / sizeof(uint64_t)]; /* the message being built */
};

struct control_command {
	const char *name;
	bool dump; /* a list: the request has NLM_F_DUMP, replies are NLM_F_MULTI */
	/* 0 with the reply messages appended, or -errno with rq->error set */
	int (*run)(struct control_request *rq);
};

/* The handler of cmd, NULL if there is none. */
const struct control_command *control_command_find(uint8_t cmd);

#endif
