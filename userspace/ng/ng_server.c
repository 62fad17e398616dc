// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/bencode.h"
#include "lib/sockaddr_text.h"
#include "ng_call.h"
#include "ng_commands.h"
#include "ng_cookie_cache.h"
#include "ng_call_log.h"
#include "ng_message.h"
#include "ng_server.h"

#define RECV_BUFFER 65536 /* the largest UDP payload fits: nothing is cut */
#define NG_ERROR    g_quark_from_static_string("ng-server")

struct ng_listener {
	struct ng_server *server;
	int fd;
	guint watch;
};

struct ng_server {
	struct ng_calls *calls;
	struct ng_request_counts counts;
	struct ng_cookie_cache *cookies;
	struct ng_listener listeners[RTPRELAY_LISTEN_NG_MAX];
	unsigned int count;
	guint expiry; /* the once-a-second check for calls without media */
	char buf[RECV_BUFFER];
};

/* What the log says of a request: its command, and the call it names (NULL when it names none). */
struct request_names {
	const char *command;
	const char *call_id;
	const char *from_tag;
};

/*
 * The reply to one request: the doc holds its values (and names') until it
 * is sent and cached.
 */
static struct bencode_value *answer(struct ng_server *s, const struct ng_message *m, size_t len, bool truncated,
				    struct bencode_doc *doc, struct request_names *names)
{
	const struct bencode_value *args;
	char reason[BENCODE_ERROR_MAX + 64];

	*names = (struct request_names){ .command = "?" };
	if (truncated || len > NG_REQUEST_MAX) {
		g_snprintf(reason, sizeof(reason), "message too large (%zu bytes, at most %d)", len, NG_REQUEST_MAX);
		return ng_error_reply(doc, reason);
	}
	args = bencode_decode(doc, m->body, m->body_len, NULL);
	if (!args) {
		g_snprintf(reason, sizeof(reason), "invalid bencode: %s", bencode_doc_error(doc));
		return ng_error_reply(doc, reason);
	}
	if (args->type != BENCODE_DICT)
		return ng_error_reply(doc, "the request is not a dictionary");
	names->command = bencode_strdup(doc, bencode_dict_get(args, "command")) ?: "?";
	names->call_id = bencode_strdup(doc, bencode_dict_get(args, "call-id"));
	names->from_tag = bencode_strdup(doc, bencode_dict_get(args, "from-tag"));
	return ng_command_run(s->calls, doc, args);
}

static GString *encode_reply(const struct ng_message *m, const struct bencode_value *reply, struct bencode_doc *doc)
{
	GString *out = g_string_new_len(m->cookie, m->cookie_len);

	g_string_append_c(out, ' ');
	bencode_encode(reply, out);
	if (out->len <= NG_REPLY_MAX)
		return out;
	g_string_truncate(out, m->cookie_len + 1);
	bencode_encode(ng_error_reply(doc, "reply too large for a datagram"), out);
	return out;
}

static void send_reply(int fd, const void *data, size_t len, const struct sockaddr_storage *to, socklen_t to_len)
{
	char addr[INET6_ADDRSTRLEN + 8];

	if (sendto(fd, data, len, MSG_DONTWAIT, (const struct sockaddr *)to, to_len) < 0)
		g_warning("ng: reply to %s: %s", sockaddr_format(to, addr, sizeof(addr)), strerror(errno));
}

static void log_exchange(const struct request_names *names, const struct sockaddr_storage *from,
			 const struct bencode_value *reply)
{
	const struct bencode_value *result = bencode_dict_get(reply, "result");
	const struct bencode_value *reason = bencode_dict_get(reply, "error-reason");
	char addr[INET6_ADDRSTRLEN + 8], *outcome;

	outcome = g_strdup_printf("%s from %s: %.*s%s%.*s", names->command, sockaddr_format(from, addr, sizeof(addr)),
				  (int)result->str.len, result->str.data, reason ? ", " : "",
				  reason ? (int)reason->str.len : 0, reason ? reason->str.data : "");
	if (names->call_id)
		ng_call_log(G_LOG_LEVEL_INFO, names->call_id, names->from_tag ?: "-", "%s", outcome);
	else
		g_info("ng: %s", outcome);
	g_free(outcome);
}

static void count_request(struct ng_server *s, const char *command, const struct bencode_value *reply)
{
	unsigned int i = ng_command_index(command);

	s->counts.requests[i]++;
	if (bencode_str_is(bencode_dict_get(reply, "result"), "error"))
		s->counts.errors[i]++;
}

static void handle_datagram(struct ng_listener *l, size_t len, bool truncated, const struct sockaddr_storage *from,
			    socklen_t from_len)
{
	struct ng_server *s = l->server;
	gint64 now = g_get_monotonic_time();
	struct ng_message m;
	struct bencode_doc *doc;
	const struct bencode_value *reply;
	struct request_names names;
	GBytes *cached;
	GString *out;

	if (!ng_message_split(s->buf, len, &m)) {
		g_debug("ng: a datagram of %zu bytes without a cookie, dropped", len);
		return;
	}
	cached = ng_cookie_cache_lookup(s->cookies, m.cookie, m.cookie_len, now);
	if (cached) {
		send_reply(l->fd, g_bytes_get_data(cached, NULL), g_bytes_get_size(cached), from, from_len);
		return;
	}
	doc = bencode_doc_new();
	reply = answer(s, &m, len, truncated, doc, &names);
	log_exchange(&names, from, reply);
	count_request(s, names.command, reply);
	out = encode_reply(&m, reply, doc);
	send_reply(l->fd, out->str, out->len, from, from_len);
	ng_cookie_cache_store(s->cookies, m.cookie, m.cookie_len, out->str, out->len, now);
	g_string_free(out, TRUE);
	bencode_doc_free(doc);
}

static gboolean on_readable(int fd, GIOCondition cond, gpointer user)
{
	struct ng_listener *l = user;

	for (int i = 0; i < NG_RECV_PER_WAKEUP; i++) {
		struct sockaddr_storage from;
		struct iovec iov = { l->server->buf, sizeof(l->server->buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1
		};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				g_warning("ng: receive: %s", strerror(errno));
			break;
		}
		handle_datagram(l, MIN((size_t)n, sizeof(l->server->buf)), msg.msg_flags & MSG_TRUNC, &from,
				msg.msg_namelen);
	}
	return G_SOURCE_CONTINUE;
}

static int open_socket(const struct config_hostport *hp, GError **err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char text[INET6_ADDRSTRLEN + 8];
	int fd, one = 1;

	g_snprintf(text, sizeof(text), hp->family == AF_INET6 ? "[%s]:%u" : "%s:%u", hp->host, hp->port);
	if (sockaddr_parse(text, &ss, &len) < 0) {
		g_set_error(err, NG_ERROR, EINVAL, "ng: bad address %s", text);
		return -1;
	}
	fd = socket(hp->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && hp->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)); /* [::] and 0.0.0.0 side by side */
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0) {
		g_set_error(err, NG_ERROR, errno, "ng: cannot listen on %s: %s", text, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static gboolean expire_calls(gpointer user)
{
	struct ng_server *s = user;

	ng_calls_expire(s->calls);
	return G_SOURCE_CONTINUE;
}

struct ng_server *ng_server_start(const struct config *cfg, const struct media_env *media, GError **err)
{
	struct ng_server *s = g_new0(struct ng_server, 1);

	s->cookies = ng_cookie_cache_new(NG_COOKIES_MAX, NG_COOKIE_BYTES, NG_COOKIE_AGE_S * G_USEC_PER_SEC);
	s->calls = ng_calls_new(cfg, media);
	s->expiry = g_timeout_add_seconds(1, expire_calls, s);
	for (unsigned int i = 0; i < cfg->listen_ng_count; i++) {
		struct ng_listener *l = &s->listeners[i];

		l->server = s;
		l->fd = open_socket(&cfg->listen_ng[i], err);
		if (l->fd < 0) {
			ng_server_stop(s);
			return NULL;
		}
		l->watch = g_unix_fd_add(l->fd, G_IO_IN, on_readable, l);
		s->count++;
		g_message("ng: listening on %s:%u", cfg->listen_ng[i].host, cfg->listen_ng[i].port);
	}
	return s;
}

void ng_server_stop(struct ng_server *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < s->count; i++) {
		g_source_remove(s->listeners[i].watch);
		close(s->listeners[i].fd);
	}
	g_source_remove(s->expiry);
	ng_calls_free(s->calls);
	ng_cookie_cache_free(s->cookies);
	g_free(s);
}

struct ng_calls *ng_server_calls(const struct ng_server *s)
{
	return s->calls;
}

const struct ng_request_counts *ng_server_request_counts(const struct ng_server *s)
{
	return &s->counts;
}
