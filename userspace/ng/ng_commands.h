/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ng commands: each takes the request dictionary and fills the reply
 * dictionary, "result" = "ok" (or "pong") with its fields, or "result" =
 * "error" with an "error-reason" naming what was wrong.
 */
#ifndef RTPRELAY_NG_COMMANDS_H
#define RTPRELAY_NG_COMMANDS_H

#include "lib/bencode.h"
#include "ng_call.h"

#define NG_LIST_DEFAULT 32   /* call-ids a list reply holds unless "limit" says otherwise */
#define NG_LIST_MAX	1000 /* keeps the reply within one datagram */
#define NG_COMMANDS	7    /* ping, offer, answer, delete, query, list, statistics */

/*
 * Requests run and error replies sent, by command; index NG_COMMANDS counts
 * the requests that name no known command or cannot be read.
 */
struct ng_request_counts {
	uint64_t requests[NG_COMMANDS + 1];
	uint64_t errors[NG_COMMANDS + 1];
};

/* Runs the command args (a dictionary) names; returns the reply dictionary. */
struct bencode_value *ng_command_run(struct ng_calls *calls, struct bencode_doc *doc, const struct bencode_value *args);
/* The counts' index of the command named name (NULL: none): NG_COMMANDS if it is not one. */
unsigned int ng_command_index(const char *name);
/* A command's name by its counts' index; "other" for NG_COMMANDS. */
const char *ng_command_name(unsigned int index);
/* {"result": "error", "error-reason": reason} */
struct bencode_value *ng_error_reply(struct bencode_doc *doc, const char *reason);

#endif
