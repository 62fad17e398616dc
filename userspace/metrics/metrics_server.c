// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/config.h"
#include "exposition.h"
#include "metrics.h"
#include "metrics_server.h"

/* Scrapers and health checks are few: connections beyond these wait until one closes. */
#define MAX_CONNECTIONS	  16
#define IDLE_TIMEOUT_S	  10	/* a connection that sends nothing this long is closed */
#define CONNECTION_MEMORY 16384 /* per connection: a longer request line or header gets 431 or 414 */
#define LISTEN_BACKLOG	  16
#define HEALTH_REASON_MAX 512

G_DEFINE_QUARK(rtprelay_metrics_server_error, metrics_server_error)

struct metrics_server {
	const struct metrics_context *ctx;
	struct metrics_floor floor;
	struct MHD_Daemon *mhd;
	guint watch; /* libmicrohttpd's epoll fd in the main loop */
	guint timer; /* when libmicrohttpd has work again without I/O (timeouts), 0 when never */
};

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned int status, const char *content_type, GString *body,
			      const char *allow)
{
	gsize len = body->len;
	char *text = g_string_free(body, FALSE);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		g_free(text);
		return MHD_NO; /* libmicrohttpd closes the connection */
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned int status, const char *text,
				   const char *allow)
{
	GString *body = g_string_new(text);

	g_string_append_c(body, '\n');
	return answer(conn, status, "text/plain; charset=utf-8", body, allow);
}

/* Answered as soon as the headers are in: a body, if any, is not read. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	struct metrics_server *ms = cls;
	char reason[HEALTH_REASON_MAX];
	GString *body;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD", "GET, HEAD");
	if (!strcmp(url, "/metrics")) {
		body = g_string_sized_new(8192);
		metrics_render(ms->ctx, &ms->floor, body);
		return answer(conn, MHD_HTTP_OK, EXPOSITION_CONTENT_TYPE, body, NULL);
	}
	if (!strcmp(url, "/health")) {
		if (metrics_healthy(ms->ctx, reason, sizeof(reason)))
			return answer_text(conn, MHD_HTTP_OK, "ok", NULL);
		return answer_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, reason, NULL);
	}
	return answer_text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics or /health", NULL);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char *msg = g_strdup_vprintf(fmt, ap);

	g_info("http: %s", g_strchomp(msg));
	g_free(msg);
}

static gboolean on_timer(gpointer user);

/* Runs what is ready, then arms the timer for what libmicrohttpd has to do next without I/O. */
static void run(struct metrics_server *ms)
{
	MHD_UNSIGNED_LONG_LONG timeout_ms;

	MHD_run(ms->mhd);
	if (ms->timer)
		g_source_remove(ms->timer);
	ms->timer = 0;
	if (MHD_get_timeout(ms->mhd, &timeout_ms) == MHD_YES)
		ms->timer = g_timeout_add(MIN(timeout_ms, (MHD_UNSIGNED_LONG_LONG)G_MAXUINT), on_timer, ms);
}

static gboolean on_timer(gpointer user)
{
	struct metrics_server *ms = user;

	ms->timer = 0;
	run(ms);
	return G_SOURCE_REMOVE;
}

static gboolean on_ready(gint fd, GIOCondition cond, gpointer user)
{
	run(user);
	return G_SOURCE_CONTINUE;
}

static int listen_socket(const struct config_hostport *listen_on, GError **err)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1;

	if (listen_on->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(listen_on->port);
		inet_pton(AF_INET6, listen_on->host, &sin6->sin6_addr);
		len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(listen_on->port);
		inet_pton(AF_INET, listen_on->host, &sin->sin_addr);
		len = sizeof(*sin);
	}
	fd = socket(listen_on->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
	    bind(fd, (struct sockaddr *)&ss, len) == 0 && listen(fd, LISTEN_BACKLOG) == 0)
		return fd;
	g_set_error(err, METRICS_SERVER_ERROR, errno, "cannot listen for HTTP on %s port %u: %s", listen_on->host,
		    listen_on->port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct metrics_server *metrics_server_start(const struct metrics_context *ctx, const struct config_hostport *listen_on,
					    GError **err)
{
	struct metrics_server *ms;
	const union MHD_DaemonInfo *info;
	int fd = listen_socket(listen_on, err);

	if (fd < 0)
		return NULL;
	ms = g_new0(struct metrics_server, 1);
	ms->ctx = ctx;
	ms->mhd = MHD_start_daemon(
	    MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, ms, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_END);
	info = ms->mhd ? MHD_get_daemon_info(ms->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info) {
		g_set_error(err, METRICS_SERVER_ERROR, EINVAL, "libmicrohttpd cannot serve HTTP on %s port %u",
			    listen_on->host, listen_on->port);
		if (ms->mhd)
			MHD_stop_daemon(ms->mhd);
		else
			close(fd);
		g_free(ms);
		return NULL;
	}
	ms->watch = g_unix_fd_add(info->epoll_fd, G_IO_IN, on_ready, ms);
	run(ms);
	return ms;
}

void metrics_server_stop(struct metrics_server *ms)
{
	if (!ms)
		return;
	g_source_remove(ms->watch);
	if (ms->timer)
		g_source_remove(ms->timer);
	MHD_stop_daemon(ms->mhd);
	g_free(ms);
}
