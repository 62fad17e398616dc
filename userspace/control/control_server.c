// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The control socket of rtprelayd (docs/architecture.md, "The control protocol"). Each
 * datagram is checked in this order: the sender's credentials (uid 0 or
 * the control group, else EPERM), the datagram's framing, then each
 * message's header and attributes; every failure is answered with an
 * NLMSG_ERROR and an extended-ack message, and nothing a sender writes
 * stops the daemon. Commands run here, on the main loop that owns calls.
 *
 * Replies to permitted senders go through an outbox: sent without
 * blocking, several messages per datagram, and retried a little later when
 * the client's receive buffer is full, so a long dump reaches a slow reader
 * and a reader that stopped reading cannot stall the main loop (its reply
 * is dropped once OUTBOX_DEADLINE_MS pass without progress; until then the
 * replies queued behind it wait). A refused sender gets one attempt.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "control_commands.h"
#include "control_server.h"
#include "lib/control_msg.h"

#define OUTBOX_RETRY_MS	   10
#define OUTBOX_DEADLINE_MS 2000
/* A dump's messages are packed into datagrams of about this size (receivers take up to RTPRELAY_CTL_DATAGRAM_MAX). */
#define DATAGRAM_FILL 16384

/* The reply to one datagram, on its way to the sender. */
struct pending_reply {
	uint32_t portid;
	GByteArray *bytes;  /* whole messages */
	guint sent;	    /* bytes of them sent already */
	gint64 deadline_us; /* dropped if the client has read nothing by then */
};

G_DEFINE_QUARK(rtprelay_control_server_error, control_server_error)

struct control_server {
	const struct control_context *ctx;
	struct mnl_socket *nl;
	guint watch;
	guint retry;   /* the outbox's retry timer, 0 when none */
	GQueue outbox; /* struct pending_reply *, oldest first */
	uint32_t rx[RTPRELAY_CTL_DATAGRAM_MAX / sizeof(uint32_t)];
};

static void pending_reply_free(struct pending_reply *r)
{
	g_byte_array_free(r->bytes, TRUE);
	g_free(r);
}

/* The whole messages from r->sent that fit in one datagram. */
static size_t next_datagram(const struct pending_reply *r)
{
	size_t len = 0;

	while (r->sent + len < r->bytes->len) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(r->bytes->data + r->sent + len);

		if (len && len + nlh->nlmsg_len > DATAGRAM_FILL)
			break;
		len += MNL_ALIGN(nlh->nlmsg_len);
	}
	return MIN(len, r->bytes->len - r->sent);
}

static gboolean outbox_retry(gpointer user);

static void outbox_flush(struct control_server *cs)
{
	struct pending_reply *r;

	while ((r = g_queue_peek_head(&cs->outbox))) {
		size_t len = next_datagram(r);

		if (ctl_msg_send(cs->nl, r->portid, r->bytes->data + r->sent, len, MSG_DONTWAIT) >= 0) {
			r->sent += len;
			r->deadline_us = g_get_monotonic_time() + OUTBOX_DEADLINE_MS * 1000;
			if (r->sent < r->bytes->len)
				continue;
		} else if (errno == EAGAIN && g_get_monotonic_time() < r->deadline_us) {
			if (!cs->retry)
				cs->retry = g_timeout_add(OUTBOX_RETRY_MS, outbox_retry, cs);
			return;
		} else {
			g_info("control: reply to port id %u dropped: %s", r->portid,
			       errno == EAGAIN ? "the client does not read" : strerror(errno));
		}
		pending_reply_free(g_queue_pop_head(&cs->outbox));
	}
}

static gboolean outbox_retry(gpointer user)
{
	struct control_server *cs = user;

	cs->retry = 0;
	outbox_flush(cs);
	return G_SOURCE_REMOVE;
}

static void outbox_add(struct control_server *cs, uint32_t portid, GByteArray *bytes)
{
	struct pending_reply *r = g_new0(struct pending_reply, 1);

	r->portid = portid;
	r->bytes = bytes;
	r->deadline_us = g_get_monotonic_time() + OUTBOX_DEADLINE_MS * 1000;
	g_queue_push_tail(&cs->outbox, r);
	outbox_flush(cs);
}

static void append_error(GByteArray *out, const struct nlmsghdr *req, uint32_t portid, int error, const char *msg)
{
	uint32_t buf[RTPRELAY_CTL_MSG_MAX / sizeof(uint32_t)];
	const struct nlmsghdr *nlh = ctl_msg_put_error(buf, req, portid, error, msg);

	g_byte_array_append(out, (const guint8 *)nlh, nlh->nlmsg_len);
}

/* As much of a header as there is, zero-padded: what an error about a broken message echoes. */
static struct nlmsghdr partial_header(const void *data, size_t len)
{
	struct nlmsghdr hdr = { 0 };

	memcpy(&hdr, data, MIN(len, sizeof(hdr)));
	return hdr;
}

static bool is_dump(const struct nlmsghdr *nlh)
{
	return (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

/* Parse, check and run one request; its replies, ACK, DONE or error go to out. */
static int run_request(struct control_server *cs, const struct nlmsghdr *nlh, const struct ctl_msg_datagram *dg,
		       GByteArray *out, char *err, size_t errlen)
{
	struct control_request rq = {
		.ctx = cs->ctx, .nlh = nlh, .portid = dg->portid, .uid = dg->cred.uid, .reply = out
	};
	const struct control_command *cmd;
	struct ctl_msg msg;
	int ret;

	if (!(nlh->nlmsg_flags & NLM_F_REQUEST)) {
		snprintf(err, errlen, "not a request: NLM_F_REQUEST is not set");
		return -EINVAL;
	}
	ret = ctl_msg_parse(nlh, &msg, err, errlen);
	if (ret < 0)
		return ret;
	cmd = control_commands_find(msg.cmd);
	if (!cmd) {
		snprintf(err, errlen, "command %u is not implemented", msg.cmd);
		return -EOPNOTSUPP;
	}
	if (cmd->dump != is_dump(nlh)) {
		snprintf(err, errlen,
			 cmd->dump ? "%s is a list: the request needs NLM_F_DUMP"
				   : "%s is not a list: NLM_F_DUMP does not apply",
			 cmd->name);
		return -EINVAL;
	}
	rq.msg = &msg;
	g_debug("control: %s from port id %u, uid %u", cmd->name, dg->portid, dg->cred.uid);
	ret = cmd->run(&rq);
	if (ret < 0)
		g_strlcpy(err, rq.error, errlen);
	return ret;
}

static void handle_message(struct control_server *cs, const struct nlmsghdr *nlh, const struct ctl_msg_datagram *dg,
			   GByteArray *out)
{
	uint32_t buf[RTPRELAY_CTL_MSG_MAX / sizeof(uint32_t)];
	uint32_t portid = dg->portid;
	guint mark = out->len;
	char err[256];
	int ret = run_request(cs, nlh, dg, out, err, sizeof(err));

	if (ret < 0) {
		g_byte_array_set_size(out, mark); /* a failed command's partial reply is not sent */
		append_error(out, nlh, portid, ret, err);
	} else if (is_dump(nlh)) {
		nlh = ctl_msg_put_done(buf, nlh, portid);
		g_byte_array_append(out, (const guint8 *)nlh, nlh->nlmsg_len);
	} else if (nlh->nlmsg_flags & NLM_F_ACK) {
		append_error(out, nlh, portid, 0, NULL);
	}
}

/* The error for what follows the last whole message of a datagram: len bytes at data. */
static void append_broken(GByteArray *out, const void *data, size_t len, uint32_t portid)
{
	struct nlmsghdr hdr = partial_header(data, len);
	char err[128];

	if (len < sizeof(hdr))
		snprintf(err, sizeof(err), "truncated message: %zu bytes, a netlink header needs %zu", len,
			 sizeof(hdr));
	else if (hdr.nlmsg_len < sizeof(hdr))
		snprintf(err, sizeof(err), "malformed message: its header says %u bytes, less than itself",
			 hdr.nlmsg_len);
	else
		snprintf(err, sizeof(err), "truncated message: its header says %u bytes, %zu arrived", hdr.nlmsg_len,
			 len);
	append_error(out, &hdr, portid, -EINVAL, err);
}

/* Every message of a permitted sender's datagram; garbage and truncation are answered too. */
static void handle_datagram(struct control_server *cs, const struct ctl_msg_datagram *dg, GByteArray *out)
{
	size_t whole = ctl_msg_whole_len(cs->rx, dg->len);
	int left = whole; /* whole messages below 64 KiB: mnl_nlmsg_ok() is safe on them */
	const struct nlmsghdr *nlh;
	struct nlmsghdr hdr;
	char err[128];

	if (dg->truncated) {
		hdr = partial_header(cs->rx, dg->len);
		snprintf(err, sizeof(err), "datagram longer than %d bytes", RTPRELAY_CTL_DATAGRAM_MAX);
		append_error(out, &hdr, dg->portid, -EMSGSIZE, err);
		return;
	}
	for (nlh = (const struct nlmsghdr *)cs->rx; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		/* ERROR, DONE, NOOP, OVERRUN are never requests, and answering them could loop. */
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			handle_message(cs, nlh, dg, out);
	}
	if (whole < dg->len)
		append_broken(out, (const char *)cs->rx + whole, dg->len - whole, dg->portid);
}

/* uid 0 or the control group may send commands; err says why another may not. */
static bool sender_permitted(const struct control_server *cs, const struct ctl_msg_datagram *dg, char *err, size_t len)
{
	gid_t group = cs->ctx->cfg->control_gid;

	if (!dg->has_cred) {
		snprintf(err, len, "permission denied: no credentials came with the message");
		return false;
	}
	if (dg->cred.uid == 0 || (group != (gid_t)-1 && dg->cred.gid == group))
		return true;
	if (group == (gid_t)-1)
		snprintf(err, len, "permission denied: uid %u is not root", dg->cred.uid);
	else
		snprintf(err, len, "permission denied: uid %u is not root and gid %u is not the control group %u",
			 dg->cred.uid, dg->cred.gid, group);
	return false;
}

/* One error for the whole datagram, sent once: a refused sender gets nothing queued. */
static void refuse(struct control_server *cs, const struct ctl_msg_datagram *dg, const char *why)
{
	GByteArray *out = g_byte_array_new();
	struct nlmsghdr hdr = partial_header(cs->rx, dg->len);

	g_info("control: refused port id %u (pid %d): %s", dg->portid, dg->has_cred ? dg->cred.pid : 0, why);
	append_error(out, &hdr, dg->portid, -EPERM, why);
	if (ctl_msg_send(cs->nl, dg->portid, out->data, out->len, MSG_DONTWAIT) < 0)
		g_debug("control: cannot answer port id %u: %s", dg->portid, strerror(errno));
	g_byte_array_free(out, TRUE);
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer user)
{
	struct control_server *cs = user;
	struct ctl_msg_datagram dg;
	GByteArray *out;
	char why[160];

	if (ctl_msg_recv(cs->nl, cs->rx, sizeof(cs->rx), &dg) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			g_warning("control: receive: %s", strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	if (!sender_permitted(cs, &dg, why, sizeof(why))) {
		refuse(cs, &dg, why);
		return G_SOURCE_CONTINUE;
	}
	out = g_byte_array_new();
	handle_datagram(cs, &dg, out);
	if (out->len)
		outbox_add(cs, dg.portid, out);
	else
		g_byte_array_free(out, TRUE);
	return G_SOURCE_CONTINUE;
}

struct control_server *control_server_start(const struct control_context *ctx, GError **err)
{
	uint32_t port = ctx->cfg->control_port;
	struct control_server *cs = g_new0(struct control_server, 1);
	int fd;

	cs->ctx = ctx;
	cs->nl = ctl_msg_socket_open(port);
	if (!cs->nl) {
		g_set_error(
		    err, CONTROL_SERVER_ERROR, errno,
		    "cannot bind the control socket to netlink port id %u (0x%08x): %s%s", port, port, strerror(errno),
		    errno == EADDRINUSE ? " (another rtprelayd in this network namespace? see --control-port)" : "");
		g_free(cs);
		return NULL;
	}
	fd = mnl_socket_get_fd(cs->nl);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	g_queue_init(&cs->outbox);
	cs->watch = g_unix_fd_add(fd, G_IO_IN, on_readable, cs);
	g_info("control: listening on netlink port id %u (0x%08x)", port, port);
	return cs;
}

void control_server_stop(struct control_server *cs)
{
	if (!cs)
		return;
	g_source_remove(cs->watch);
	if (cs->retry)
		g_source_remove(cs->retry);
	g_queue_clear_full(&cs->outbox, (GDestroyNotify)pending_reply_free);
	mnl_socket_close(cs->nl);
	g_free(cs);
}
