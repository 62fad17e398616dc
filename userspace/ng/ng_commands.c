// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <string.h>

#include "ng_commands.h"
#include "ng_error.h"

#define NG_ERROR_MAX 256

struct ng_request {
	struct ng_calls *calls;
	struct bencode_doc *doc;
	const struct bencode_value *args;
	struct bencode_value *reply;
	char error[NG_ERROR_MAX];
};

struct ng_command {
	const char *name;
	bool (*run)(struct ng_request *r);
};

static bool cmd_ping(struct ng_request *r)
{
	bencode_dict_set_str(r->doc, r->reply, "result", "pong");
	return true;
}

/* An optional non-negative integer argument; def when absent. */
static bool arg_uint(struct ng_request *r, const char *key, int64_t def, int64_t max, int64_t *out)
{
	const struct bencode_value *v = bencode_dict_get(r->args, key);

	*out = def;
	if (!v)
		return true;
	if (v->type != BENCODE_INTEGER || v->integer < 0)
		return ng_error(r->error, sizeof(r->error), "'%s' is not a non-negative integer", key);
	*out = MIN(v->integer, max);
	return true;
}

static bool cmd_list(struct ng_request *r)
{
	struct bencode_value *calls = bencode_new_list(r->doc), *labels = bencode_new_dict(r->doc);
	int64_t limit;

	if (!arg_uint(r, "limit", NG_LIST_DEFAULT, NG_LIST_MAX, &limit))
		return false;
	ng_calls_list(r->calls, limit, r->doc, calls, labels);
	bencode_dict_set(r->doc, r->reply, "calls", calls);
	if (labels->items.count)
		bencode_dict_set(r->doc, r->reply, "labels", labels);
	return true;
}

static bool cmd_statistics(struct ng_request *r)
{
	struct bencode_value *stats = bencode_new_dict(r->doc);
	struct bencode_value *current = bencode_new_dict(r->doc), *total = bencode_new_dict(r->doc);
	struct ng_calls_stats st;

	ng_calls_stats(r->calls, &st);
	bencode_dict_set_int(r->doc, current, "sessionsown", st.current);
	bencode_dict_set_int(r->doc, current, "sessionsforeign", 0);
	bencode_dict_set_int(r->doc, current, "sessionstotal", st.current);
	bencode_dict_set_int(r->doc, total, "uptime", st.uptime_s);
	bencode_dict_set_int(r->doc, total, "managedsessions", st.created);
	bencode_dict_set_int(r->doc, total, "regularterminatedsessions", st.deleted);
	bencode_dict_set_int(r->doc, total, "timeoutsessions", st.timed_out);
	bencode_dict_set(r->doc, stats, "currentstatistics", current);
	bencode_dict_set(r->doc, stats, "totalstatistics", total);
	bencode_dict_set(r->doc, r->reply, "statistics", stats);
	return true;
}

/* A string argument as a C string; a required one must be there and not empty. */
static bool arg_string(struct ng_request *r, const char *key, bool required, const char **out)
{
	const struct bencode_value *v = bencode_dict_get(r->args, key);

	*out = NULL;
	if (!v)
		return required ? ng_error(r->error, sizeof(r->error), "missing '%s'", key) : true;
	*out = bencode_strdup(r->doc, v);
	if (!*out)
		return ng_error(r->error, sizeof(r->error), "'%s' is not a string", key);
	if (required && !**out)
		return ng_error(r->error, sizeof(r->error), "empty '%s'", key);
	return true;
}

/* Whether args[key] is item, or a list holding it. */
static bool arg_has(const struct ng_request *r, const char *key, const char *item)
{
	const struct bencode_value *v = bencode_dict_get(r->args, key);

	if (v && v->type == BENCODE_LIST) {
		for (const struct bencode_value *m = v->items.first; m; m = m->next)
			if (bencode_str_is(m, item))
				return true;
	}
	return bencode_str_is(v, item);
}

/*
 * received-from: [ "IP4" or "IP6", address ], as Kamailio sends it. Absent
 * or unreadable, it is left out (AF_UNSPEC): it only helps endpoint learning.
 */
static void read_received_from(const struct ng_request *r, struct sockaddr_storage *out)
{
	const struct bencode_value *v = bencode_dict_get(r->args, "received-from"), *family, *addr;
	char text[INET6_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	if (!v || v->type != BENCODE_LIST || v->items.count != 2)
		return;
	family = v->items.first;
	addr = family->next;
	if (addr->type != BENCODE_STRING || addr->str.len >= sizeof(text))
		return;
	memcpy(text, addr->str.data, addr->str.len);
	text[addr->str.len] = '\0';
	if (bencode_str_is(family, "IP4") && inet_pton(AF_INET, text, &((struct sockaddr_in *)out)->sin_addr) == 1)
		out->ss_family = AF_INET;
	else if (bencode_str_is(family, "IP6") &&
		 inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)out)->sin6_addr) == 1)
		out->ss_family = AF_INET6;
}

/* direction: a list of two media address names, or absent. */
static bool read_direction(struct ng_request *r, const char *out[2])
{
	const struct bencode_value *v = bencode_dict_get(r->args, "direction");

	out[0] = out[1] = NULL;
	if (!v)
		return true;
	if (v->type != BENCODE_LIST || v->items.count != 2)
		return ng_error(r->error, sizeof(r->error), "'direction' is not a list of two names");
	for (const struct bencode_value *m = v->items.first; m; m = m->next) {
		*out = bencode_strdup(r->doc, m);
		if (!*out++)
			return ng_error(r->error, sizeof(r->error), "'direction' is not a list of two names");
	}
	return true;
}

/* flags "symmetric" or "asymmetric" (not both). */
static bool read_symmetry(struct ng_request *r, enum ng_symmetry *out)
{
	bool symmetric = arg_has(r, "flags", "symmetric"), asymmetric = arg_has(r, "flags", "asymmetric");

	if (symmetric && asymmetric)
		return ng_error(r->error, sizeof(r->error), "flags symmetric and asymmetric together");
	*out = symmetric ? NG_SYMMETRIC : asymmetric ? NG_ASYMMETRIC : NG_SYMMETRY_UNCHANGED;
	return true;
}

/* call-id, from-tag, to-tag (required in an answer), label, direction, symmetry, sdp, the SDP flags and received-from.
 */
static bool read_signal(struct ng_request *r, bool answer, struct ng_signal *sig)
{
	const struct bencode_value *sdp = bencode_dict_get(r->args, "sdp");

	memset(sig, 0, sizeof(*sig));
	if (!arg_string(r, "call-id", true, &sig->call_id) || !arg_string(r, "from-tag", true, &sig->from_tag) ||
	    !arg_string(r, "to-tag", answer, &sig->to_tag) || !arg_string(r, "label", false, &sig->label))
		return false;
	if (!sdp || sdp->type != BENCODE_STRING)
		return ng_error(r->error, sizeof(r->error), "missing 'sdp' string");
	sig->sdp = sdp->str.data;
	sig->sdp_len = sdp->str.len;
	if (arg_has(r, "replace", "origin"))
		sig->sdp_flags |= NG_SDP_REPLACE_ORIGIN;
	if (arg_has(r, "ICE", "remove"))
		sig->sdp_flags |= NG_SDP_ICE_REMOVE;
	read_received_from(r, &sig->received_from);
	return read_direction(r, sig->direction) && read_symmetry(r, &sig->symmetry);
}

/*
 * Kamailio's rtpengine module (5.6) asks the next relay of its set only
 * when error-reason is exactly this (or "Ran out of ports"); any other
 * reason fails the offer. What the refusal is about goes in "warning".
 */
#define NG_SESSION_LIMIT_REASON "Parallel session limit reached"

/* A new call refused (draining, max-calls; r->error says which): the proxy is to take another relay. */
static bool reply_refused(struct ng_request *r, const char *call_id)
{
	bencode_dict_set_str(r->doc, r->reply, "result", "error");
	bencode_dict_set_str(r->doc, r->reply, "error-reason", NG_SESSION_LIMIT_REASON);
	bencode_dict_set_str(r->doc, r->reply, "warning", r->error);
	g_info("ng: offer of call %s refused: %s", call_id, r->error);
	return true;
}

static bool run_signal(struct ng_request *r, bool answer)
{
	struct ng_signal sig;
	bool refused = false;
	char *sdp;

	if (!read_signal(r, answer, &sig))
		return false;
	sdp = answer ? ng_call_answer(r->calls, &sig, r->error, sizeof(r->error))
		     : ng_call_offer(r->calls, &sig, &refused, r->error, sizeof(r->error));
	if (refused)
		return reply_refused(r, sig.call_id);
	if (!sdp)
		return false;
	bencode_dict_set_str(r->doc, r->reply, "sdp", sdp);
	g_free(sdp);
	return true;
}

static bool cmd_offer(struct ng_request *r)
{
	return run_signal(r, false);
}

static bool cmd_answer(struct ng_request *r)
{
	return run_signal(r, true);
}

static bool cmd_delete(struct ng_request *r)
{
	const char *call_id;

	if (!arg_string(r, "call-id", true, &call_id))
		return false;
	return ng_call_delete(r->calls, call_id) || ng_error(r->error, sizeof(r->error), "unknown call-id");
}

static bool cmd_query(struct ng_request *r)
{
	const char *call_id;

	if (!arg_string(r, "call-id", true, &call_id))
		return false;
	return ng_call_query(r->calls, call_id, r->doc, r->reply) ||
	       ng_error(r->error, sizeof(r->error), "unknown call-id");
}

static const struct ng_command commands[] = {
	{ "ping", cmd_ping },	{ "offer", cmd_offer }, { "answer", cmd_answer },	  { "delete", cmd_delete },
	{ "query", cmd_query }, { "list", cmd_list },	{ "statistics", cmd_statistics },
};

G_STATIC_ASSERT(G_N_ELEMENTS(commands) == NG_COMMANDS);

unsigned int ng_command_index(const char *name)
{
	for (unsigned int i = 0; name && i < NG_COMMANDS; i++) {
		if (!strcmp(name, commands[i].name))
			return i;
	}
	return NG_COMMANDS;
}

const char *ng_command_name(unsigned int index)
{
	return index < NG_COMMANDS ? commands[index].name : "other";
}

static const struct ng_command *find_command(const struct bencode_value *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (bencode_str_is(name, commands[i].name))
			return &commands[i];
	}
	return NULL;
}

struct bencode_value *ng_error_reply(struct bencode_doc *doc, const char *reason)
{
	struct bencode_value *reply = bencode_new_dict(doc);

	bencode_dict_set_str(doc, reply, "result", "error");
	bencode_dict_set_str(doc, reply, "error-reason", reason);
	return reply;
}

struct bencode_value *ng_command_run(struct ng_calls *calls, struct bencode_doc *doc, const struct bencode_value *args)
{
	struct ng_request r = { .calls = calls, .doc = doc, .args = args, .reply = bencode_new_dict(doc) };
	const struct bencode_value *name = bencode_dict_get(args, "command");
	const struct ng_command *cmd = find_command(name);

	if (!name || name->type != BENCODE_STRING)
		return ng_error_reply(doc, "no 'command' string in the request");
	if (!cmd)
		return ng_error_reply(doc, "unknown command");
	if (!cmd->run(&r))
		return ng_error_reply(doc, r.error);
	if (!bencode_dict_get(r.reply, "result"))
		bencode_dict_set_str(doc, r.reply, "result", "ok");
	return r.reply;
}
