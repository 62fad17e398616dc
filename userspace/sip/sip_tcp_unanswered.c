// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/tcp.h>

#include <glib.h>

#include "sip_tcp_unanswered.h"

#define SWEEP_MS 1000

struct sip_tcp_unanswered {
	uint16_t port;
	gint64 limit_us;
	guint timer;
	guint64 sweep;	  /* which sweep this is */
	GHashTable *seen; /* socket inode -> struct seen */
};

struct seen {
	gint64 first;  /* monotonic, when a sweep first saw the connection */
	guint64 sweep; /* the last sweep that saw it: an older one, it is gone */
};

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/*
 * A TCP connection (not the listener) on the SIP port on which nothing was
 * sent; its inode in *ino. getsockname() first: one system call rules out
 * every other descriptor (the RTP sockets, files).
 */
static gboolean unanswered_sip_tcp(int fd, uint16_t port, ino_t *ino)
{
	struct stat st;
	struct tcp_info ti;
	socklen_t len = sizeof(int);
	int proto = 0, listening = 1;

	if (local_port(fd) != port)
		return FALSE;
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0 || proto != IPPROTO_TCP)
		return FALSE;
	len = sizeof(listening);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || listening)
		return FALSE;
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_sent) + sizeof(ti.tcpi_bytes_sent) || fstat(fd, &st) < 0)
		return FALSE;
	*ino = st.st_ino;
	return ti.tcpi_bytes_sent == 0;
}

static gboolean sweep(gpointer data)
{
	struct sip_tcp_unanswered *u = data;
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer value;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		g_warning("sip: cannot list /proc/self/fd (%s): silent TCP connections are not closed",
			  g_strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	u->sweep++;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		ino_t ino;
		struct seen *seen;

		if (*end || end == e->d_name || fd == dirfd(d) || !unanswered_sip_tcp((int)fd, u->port, &ino))
			continue;
		seen = g_hash_table_lookup(u->seen, GSIZE_TO_POINTER(ino));
		if (!seen) {
			seen = g_new(struct seen, 1);
			seen->first = now;
			g_hash_table_insert(u->seen, GSIZE_TO_POINTER(ino), seen);
		}
		seen->sweep = u->sweep;
		if (now - seen->first >= u->limit_us) {
			g_message("sip: closing a TCP connection to the SIP port unanswered for %" G_GINT64_FORMAT " s",
				  (now - seen->first) / G_USEC_PER_SEC);
			shutdown((int)fd, SHUT_RDWR);
		}
	}
	closedir(d);
	g_hash_table_iter_init(&it, u->seen);
	while (g_hash_table_iter_next(&it, NULL, &value))
		if (((struct seen *)value)->sweep != u->sweep)
			g_hash_table_iter_remove(&it);
	return G_SOURCE_CONTINUE;
}

struct sip_tcp_unanswered *sip_tcp_unanswered_start(uint16_t sip_port, unsigned int limit_ms)
{
	struct sip_tcp_unanswered *u = g_new0(struct sip_tcp_unanswered, 1);

	u->port = sip_port;
	u->limit_us = (gint64)limit_ms * 1000;
	u->seen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	u->timer = g_timeout_add(SWEEP_MS, sweep, u);
	return u;
}

void sip_tcp_unanswered_stop(struct sip_tcp_unanswered *u)
{
	if (!u)
		return;
	g_source_remove(u->timer);
	g_hash_table_destroy(u->seen);
	g_free(u);
}
