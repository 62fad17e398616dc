// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/eventfd.h>

#include "call/call_table.h"
#include "sip_sent_responses.h"

/* Room for bursts between two reads; the kernel caps it at fs.pipe-max-size. */
#define PIPE_BYTES  (1 << 20)
#define READ_BYTES  65536
#define RECORD_END  "\v\n"
#define SENT_PREFIX "sent "
#define RECV_PREFIX "recv "
#define STATUS_LINE "SIP/2.0 "

struct sip_sent_responses {
	struct call_table *calls;
	int read_fd, write_fd, stop_fd;
	char dump_path[64];
	GThread *reader;
	GByteArray *pending; /* the reader's: bytes of a record not complete yet */
};

/* Counts on their way to the main loop. */
struct batch {
	struct call_table *calls;
	uint64_t by_class[CALL_SIP_RESPONSE_CLASSES];
};

static gboolean hand_over(gpointer user)
{
	struct batch *b = user;

	call_table_count_responses(b->calls, b->by_class);
	g_free(b);
	return G_SOURCE_REMOVE;
}

/* The class of a message that starts with a status line, 0 for a request. */
static int response_class(const guint8 *msg, size_t len)
{
	size_t prefix = strlen(STATUS_LINE);

	if (len < prefix + 3 || memcmp(msg, STATUS_LINE, prefix) != 0)
		return 0;
	if (msg[prefix] < '1' || msg[prefix] > '6')
		return 0;
	return msg[prefix] - '0';
}

static bool starts_with(const guint8 *data, size_t len, const char *prefix)
{
	return len >= strlen(prefix) && !memcmp(data, prefix, strlen(prefix));
}

/*
 * Where the record whose message of `bytes` bytes starts at body ends
 * (after its "\v\n"), -1 if it has not all arrived. sofia-sip 1.12 dumps
 * only the first piece of a message held in several: then the record ends
 * at the first "\v\n" that the next record, or nothing yet, follows.
 */
static ssize_t record_end(const guint8 *data, size_t len, size_t body, size_t bytes)
{
	size_t whole = body + bytes + strlen(RECORD_END), limit = MIN(len, whole);
	const guint8 *mark;

	if (len >= whole && starts_with(data + body + bytes, len - body - bytes, RECORD_END))
		return whole;
	for (size_t at = body; (mark = memmem(data + at, limit - at, RECORD_END, strlen(RECORD_END)));
	     at = mark - data + 1) {
		size_t next = mark - data + strlen(RECORD_END);

		if (next == len || starts_with(data + next, len - next, SENT_PREFIX) ||
		    starts_with(data + next, len - next, RECV_PREFIX))
			return next;
	}
	return -1;
}

/*
 * Consumes the complete records of r->pending, counting the responses
 * sent; lines that are not a record's stamp (the dump's header) are
 * skipped. A message sent in pieces (a TCP send cut short) is stamped
 * again for its rest, which does not start with a status line.
 */
static void parse_records(struct sip_sent_responses *r, uint64_t by_class[])
{
	const guint8 *data = r->pending->data;
	size_t len = r->pending->len, at = 0;

	while (at < len) {
		const guint8 *line = data + at, *eol = memchr(line, '\n', len - at);
		bool sent = starts_with(line, len - at, SENT_PREFIX);
		size_t body, bytes;
		ssize_t end;
		char *digits_end;

		if (!eol)
			break;
		body = eol + 1 - data;
		if (!sent && !starts_with(line, len - at, RECV_PREFIX)) {
			at = body;
			continue;
		}
		bytes = strtoull((const char *)line + strlen(SENT_PREFIX), &digits_end, 10);
		if (digits_end == (const char *)line + strlen(SENT_PREFIX)) {
			at = body;
			continue;
		}
		end = record_end(data, len, body, bytes);
		if (end < 0)
			break;
		if (sent)
			by_class[response_class(data + body, end - body)]++;
		at = end;
	}
	g_byte_array_remove_range(r->pending, 0, at);
}

static gpointer read_dump(gpointer user)
{
	struct sip_sent_responses *r = user;
	struct pollfd fds[] = { { .fd = r->read_fd, .events = POLLIN }, { .fd = r->stop_fd, .events = POLLIN } };
	guint8 buf[READ_BYTES];

	for (;;) {
		struct batch b = { .calls = r->calls };
		ssize_t n;

		if (poll(fds, G_N_ELEMENTS(fds), -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		n = read(r->read_fd, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			break; /* sofia-sip closed the dump */
		}
		g_byte_array_append(r->pending, buf, n);
		parse_records(r, b.by_class);
		b.by_class[0] = 0; /* requests */
		for (int c = 1; c < CALL_SIP_RESPONSE_CLASSES; c++) {
			if (b.by_class[c]) {
				g_idle_add_full(G_PRIORITY_DEFAULT, hand_over, g_memdup2(&b, sizeof(b)), NULL);
				break;
			}
		}
	}
	return NULL;
}

struct sip_sent_responses *sip_sent_responses_start(struct call_table *t, GError **err)
{
	struct sip_sent_responses *r = g_new0(struct sip_sent_responses, 1);
	int fds[2];

	r->calls = t;
	r->read_fd = r->write_fd = r->stop_fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0 || (r->stop_fd = eventfd(0, EFD_CLOEXEC)) < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot count SIP responses: %s",
			    strerror(errno));
		sip_sent_responses_stop(r);
		return NULL;
	}
	r->read_fd = fds[0];
	r->write_fd = fds[1];
	(void)fcntl(r->write_fd, F_SETPIPE_SZ, PIPE_BYTES); /* the default 64 KiB where not permitted */
	snprintf(r->dump_path, sizeof(r->dump_path), "/proc/self/fd/%d", r->write_fd);
	r->pending = g_byte_array_new();
	r->reader = g_thread_new("sip-responses", read_dump, r);
	return r;
}

const char *sip_sent_responses_dump_path(const struct sip_sent_responses *r)
{
	return r->dump_path;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void sip_sent_responses_opened(struct sip_sent_responses *r)
{
	close_fd(r->write_fd);
	r->write_fd = -1;
}

void sip_sent_responses_stop(struct sip_sent_responses *r)
{
	uint64_t one = 1;

	if (!r)
		return;
	if (r->reader) {
		if (write(r->stop_fd, &one, sizeof(one)) != sizeof(one))
			g_warning("sip: cannot stop the response counter: %s", strerror(errno));
		g_thread_join(r->reader);
	}
	if (r->pending)
		g_byte_array_free(r->pending, TRUE);
	close_fd(r->read_fd);
	close_fd(r->write_fd);
	close_fd(r->stop_fd);
	g_free(r);
}
