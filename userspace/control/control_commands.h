/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control commands rtprelayd runs for rtprelayctl: one handler per
 * enum rtprelay_cmd, called by the control server on the main loop with a
 * validated request, appending its reply messages.
 *
 * Names: control_commands_* here and control_server_* in control_server.h
 * are the daemon's side; the wire format both ends share is
 * lib/control_msg.h, all of it ctl_msg_*.
 */
#ifndef RTPRELAY_CONTROL_COMMANDS_H
#define RTPRELAY_CONTROL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

#include "lib/control_msg.h"

struct call_table;
struct config;
struct datapath;
struct ng_server;
struct port_pool;

/* What the commands read and act on; the daemon fills it in and keeps it while the server runs. */
struct control_context {
	struct config *cfg; /* control_settings.c changes the settings that can change at runtime */
	struct datapath *dp;
	struct port_pool *ports;
	struct call_table *calls;
	const struct ng_server *ng; /* NULL without --listen-ng */
	gint64 started_us;	    /* g_get_monotonic_time() when the daemon started */
	/* Called after a command changed cfg, so the daemon applies what it keeps elsewhere (the log level). */
	void (*settings_changed)(const struct config *cfg, void *user);
	void *settings_user;
};

struct control_request {
	const struct control_context *ctx;
	const struct nlmsghdr *nlh;				   /* the request */
	uint32_t portid;					   /* the requester's: replies go there */
	uid_t uid;						   /* the requester's, from SCM_CREDENTIALS */
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
const struct control_command *control_commands_find(uint8_t cmd);

/* For the handlers: fail with -err and a message in rq->error. */
int control_fail(struct control_request *rq, int err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Start a reply message in rq->scratch; control_reply_add() appends it to the reply. */
struct nlmsghdr *control_reply_start(struct control_request *rq);
void control_reply_add(struct control_request *rq, const struct nlmsghdr *nlh);
/* 0, or a failure naming the missing attribute. */
int control_need_attr(struct control_request *rq, enum rtprelay_attr type);

#endif
