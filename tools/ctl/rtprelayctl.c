// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelayctl: the command line of a running rtprelay. It talks to
 * rtprelayd over its NETLINK_USERSOCK control socket (control_abi.h) and
 * believes only replies sent by root or the daemon's system user. `flows` and `stats` fall back to the
 * pinned BPF maps when no daemon listens, so they keep working while the
 * daemon is down and the kernel keeps forwarding.
 *
 *   rtprelayctl [-j [-p]] [-n PORTID] [--bpffs DIR] COMMAND [ARGS] | help
 *
 * Exit status: 0 on success, 1 when the command failed (the daemon's
 * message, or why it could not be asked), 2 for a bad command line.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/control_msg.h"
#include "lib/flow_key.h"
#include "lib/flow_table.h"
#include "lib/global_counters.h"
#include "rtprelayctl_client.h"
#include "rtprelayctl_output.h"
#include "rtprelayctl_settings.h"

#define REPLY_TIMEOUT_S	 5
#define INTERFACES_MAX	 TX_PORTS_MAX_ENTRIES
#define ROOM_MEMBERS_MAX 4096

/* What the reply callbacks found: the messages, or what went wrong. */
struct exchange {
	GPtrArray *replies; /* struct reply * */
	int error;	    /* -errno */
	char message[RTPRELAY_CTL_STR_MAX + 64];
};

void fail_msg(const struct client *cl, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rtprelayctl: %s: ", cl->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *ex = data;
	struct reply *r = g_malloc(sizeof(*r) + nlh->nlmsg_len);
	char err[256];

	memcpy(r->nlh, nlh, nlh->nlmsg_len);
	if (ctl_msg_parse(r->nlh, &r->msg, err, sizeof(err)) < 0) {
		g_free(r);
		ex->error = -EBADMSG;
		snprintf(ex->message, sizeof(ex->message), "malformed reply from rtprelayd: %s", err);
		return MNL_CB_ERROR;
	}
	g_ptr_array_add(ex->replies, r);
	return MNL_CB_OK;
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *ex = data;
	const char *msg;
	int error;

	if (ctl_msg_error_parse(nlh, &error, &msg) < 0) {
		ex->error = -EBADMSG;
		snprintf(ex->message, sizeof(ex->message), "malformed error message from rtprelayd");
		return MNL_CB_ERROR;
	}
	if (error == 0)
		return MNL_CB_STOP; /* the ACK */
	ex->error = error;
	snprintf(ex->message, sizeof(ex->message), "%s", msg ? msg : strerror(-error));
	return MNL_CB_ERROR;
}

static int on_done(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static int open_socket(struct client *cl)
{
	struct timeval timeout = { .tv_sec = REPLY_TIMEOUT_S };

	cl->nl = ctl_msg_socket_open(0);
	if (!cl->nl) {
		fail_msg(cl, "cannot open a NETLINK_USERSOCK socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(mnl_socket_get_fd(cl->nl), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	return 0;
}

/* Whether a reply from uid comes from rtprelayd: root, or the system user the packaged daemon runs as. */
static bool daemon_uid(uid_t uid)
{
	const struct passwd *pw;

	if (uid == 0)
		return true;
	pw = getpwnam(RTPRELAY_DAEMON_USER);
	return pw && pw->pw_uid == uid;
}

/* Receive datagrams until the ACK, DONE or an error ends the exchange; 0 or -errno. */
static int receive_replies(struct client *cl, uint32_t seq, struct exchange *ex)
{
	static mnl_cb_t control_cbs[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
	};
	struct ctl_msg_datagram dg;
	int ret;

	do {
		if (ctl_msg_recv(cl->nl, cl->buf, sizeof(cl->buf), &dg) < 0) {
			if (errno == EAGAIN)
				fail_msg(cl, "no reply from rtprelayd within %d s", REPLY_TIMEOUT_S);
			else
				fail_msg(cl, "receive: %s", strerror(errno));
			return -errno;
		}
		if (dg.portid != cl->opt->port)
			continue; /* not from the daemon's port id: not a reply */
		if (!dg.has_cred || !daemon_uid(dg.cred.uid)) {
			fail_msg(cl,
				 "refusing the reply from netlink port id %u: it was sent by uid %d, not root nor "
				 "user " RTPRELAY_DAEMON_USER " (is another program bound to rtprelayd's port id?)",
				 dg.portid, dg.has_cred ? (int)dg.cred.uid : -1);
			return -EPERM;
		}
		if (dg.truncated) {
			fail_msg(cl, "a reply longer than %d bytes", RTPRELAY_CTL_DATAGRAM_MAX);
			return -EMSGSIZE;
		}
		if (ctl_msg_whole_len(cl->buf, dg.len) != dg.len) {
			fail_msg(cl, "malformed reply from rtprelayd: a message runs past its datagram");
			return -EBADMSG;
		}
		ret = mnl_cb_run2(cl->buf, dg.len, seq, mnl_socket_get_portid(cl->nl), on_data, ex, control_cbs,
				  NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	if (ret == MNL_CB_STOP)
		return 0;
	if (!ex->error) {
		ex->error = -errno;
		snprintf(ex->message, sizeof(ex->message), "unexpected reply from rtprelayd: %s", strerror(errno));
	}
	fail_msg(cl, "%s", ex->message);
	return ex->error;
}

GPtrArray *request(struct client *cl, struct nlmsghdr *req, int *error)
{
	struct exchange ex = { .replies = g_ptr_array_new_with_free_func(g_free) };

	*error = 0;
	if (!cl->nl && open_socket(cl) < 0) {
		*error = -errno;
		return NULL;
	}
	req->nlmsg_seq = ++cl->seq;
	if (ctl_msg_send(cl->nl, cl->opt->port, req, req->nlmsg_len, 0) < 0) {
		*error = -errno;
		if (errno == ECONNREFUSED && !cl->absent_ok)
			fail_msg(cl,
				 "no rtprelayd is listening on netlink port id %u (0x%08x) in this network namespace",
				 cl->opt->port, cl->opt->port);
		else if (errno != ECONNREFUSED)
			fail_msg(cl, "cannot send to netlink port id %u: %s", cl->opt->port, strerror(errno));
	} else {
		*error = receive_replies(cl, req->nlmsg_seq, &ex);
	}
	if (*error) {
		g_ptr_array_free(ex.replies, TRUE);
		return NULL;
	}
	return ex.replies;
}

struct nlmsghdr *request_start(struct client *cl, uint8_t cmd, bool dump)
{
	return ctl_msg_put_header(cl->request, cmd, NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0), 0, 0);
}

int request_ack(struct client *cl, struct nlmsghdr *req)
{
	int error;
	GPtrArray *replies = request(cl, req, &error);

	if (!replies)
		return EXIT_FAILED;
	g_ptr_array_free(replies, TRUE);
	return 0;
}

const char *attr_str(const struct ctl_msg *m, enum rtprelay_attr type)
{
	return m->tb[type] ? mnl_attr_get_str(m->tb[type]) : "";
}

static uint32_t attr_u32(const struct ctl_msg *m, enum rtprelay_attr type)
{
	return m->tb[type] ? mnl_attr_get_u32(m->tb[type]) : 0;
}

static uint64_t attr_u64(const struct ctl_msg *m, enum rtprelay_attr type)
{
	return m->tb[type] ? mnl_attr_get_u64(m->tb[type]) : 0;
}

/* Command-line arguments */

static bool parse_u32(const char *what, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	GError *err = NULL;
	guint64 v;

	if (!g_ascii_string_to_unsigned(s, 10, min, max, &v, &err)) {
		fprintf(stderr, "rtprelayctl: bad %s \"%s\": %s\n", what, s, err->message);
		g_error_free(err);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_call_id(const char *s, uint32_t *out)
{
	return parse_u32("call id", s, 1, UINT32_MAX, out);
}

/* The pinned maps (no daemon needed) */

/*
 * No daemon answered: open its pinned map `name` instead, saying so on
 * stderr; or one line saying that neither is there.
 */
static int open_pinned(const struct client *cl, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cl->opt->bpffs, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fail_msg(cl, "no rtprelayd is listening on netlink port id %u, and there is no pinned map: %s: %s",
			 cl->opt->port, path, strerror(errno));
	else
		fprintf(stderr, "rtprelayctl: %s: no rtprelayd on netlink port id %u: reading the pinned maps in %s\n",
			cl->command, cl->opt->port, cl->opt->bpffs);
	return fd;
}

/* flows */

static const char *addr_port(int family, const struct flow_addr *a, __be16 port, char *buf, size_t len)
{
	struct flow_key k = { .addr = *a, .port = port, .family = family };

	return flow_key_format(&k, buf, len);
}

/* The call a flow belongs to, as the daemon names it (owner NULL: read from the pinned map, no daemon to ask). */
static void print_flow_owner(struct out *o, const struct ctl_msg *owner)
{
	g_autofree char *text = NULL;

	if (owner && owner->tb[RTPRELAY_A_CALL_ID]) {
		out_uint(o, "call_id", NULL, attr_u32(owner, RTPRELAY_A_CALL_ID));
		text = g_strdup_printf("%u", attr_u32(owner, RTPRELAY_A_CALL_ID));
	} else if (owner && owner->tb[RTPRELAY_A_NG_CALL_ID]) {
		out_str(o, "ng_call_id", NULL, attr_str(owner, RTPRELAY_A_NG_CALL_ID));
		if (owner->tb[RTPRELAY_A_NG_TAG])
			out_str(o, "ng_tag", NULL, attr_str(owner, RTPRELAY_A_NG_TAG));
		text = g_strdup_printf("ng %s %s", attr_str(owner, RTPRELAY_A_NG_CALL_ID),
				       owner->tb[RTPRELAY_A_NG_TAG] ? attr_str(owner, RTPRELAY_A_NG_TAG) : "-");
	}
	out_str(o, NULL, "CALL", text ? text : "-");
}

static void print_flow(struct out *o, const struct flow_key *k, const struct flow_value *v, const struct ctl_msg *owner)
{
	char local[64], src[64], dst[64], expect[64];
	const struct flow_counters *c = &v->counters;
	bool latched = v->flags & FLOW_F_LATCHED;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	out_record_begin(o);
	out_str(o, "local", "LOCAL", flow_key_format(k, local, sizeof(local)));
	out_str(o, "source", "SOURCE", addr_port(k->family, &v->src_addr, v->src_port, src, sizeof(src)));
	out_str(o, "destination", "DESTINATION", addr_port(k->family, &v->dst_addr, v->dst_port, dst, sizeof(dst)));
	addr_port(k->family, &v->expect_addr, v->expect_port, expect, sizeof(expect));
	out_str(o, "expect", NULL, expect);
	out_str(o, NULL, "EXPECT", latched ? expect : "-");
	out_bool(o, "latched", NULL, latched);
	out_bool(o, "hold", NULL, v->flags & FLOW_F_HOLD);
	/* What the datapath does with a packet from the expected source: pass it up to be latched, drop it, forward it.
	 */
	out_str(o, NULL, "STATE", !latched ? "latch" : v->flags & FLOW_F_HOLD ? "hold" : "fwd");
	out_uint(o, "egress_ifindex", NULL, v->nexthop.ifindex);
	out_uint(o, "packets", "PACKETS", c->packets);
	out_uint(o, "bytes", "BYTES", c->bytes);
	out_uint(o, "wrong_source", "WRONGSRC", c->wrong_source);
	if (c->sampled_seen_ns)
		out_double(o, "idle_seconds", "IDLE", (now.tv_sec * 1e9 + now.tv_nsec - c->sampled_seen_ns) / 1e9, 1);
	else
		out_none(o, "idle_seconds", "IDLE");
	print_flow_owner(o, owner);
	out_record_end(o);
}

static int flows_pinned(struct client *cl, struct out *o)
{
	struct flow_key key, next;
	struct flow_value val;
	void *prev = NULL;
	int fd = open_pinned(cl, PIN_FLOWS), table_fd;
	char path[512];

	if (fd < 0)
		return EXIT_FAILED;
	/* A flow in the flow table is counted there; an older daemon pinned none. */
	snprintf(path, sizeof(path), "%s/" PIN_FLOW_TABLE, cl->opt->bpffs);
	table_fd = bpf_obj_get(path);
	out_list_begin(o, NULL);
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val) == 0 &&
		    (table_fd < 0 || flow_table_counters(table_fd, &val) == 0))
			print_flow(o, &key, &val, NULL);
	}
	out_list_end(o);
	if (table_fd >= 0)
		close(table_fd);
	close(fd);
	return 0;
}

static int cmd_flows(struct client *cl, struct out *o, int argc, char **argv)
{
	GPtrArray *replies;
	int error;

	cl->absent_ok = true;
	replies = request(cl, request_start(cl, RTPRELAY_CMD_FLOWS, true), &error);

	if (!replies && error == -ECONNREFUSED) {
		return flows_pinned(cl, o);
	}
	if (!replies)
		return EXIT_FAILED;
	out_list_begin(o, NULL);
	for (guint i = 0; i < replies->len; i++) {
		const struct ctl_msg *m = &((struct reply *)replies->pdata[i])->msg;

		if (m->tb[RTPRELAY_A_FLOW_KEY] && m->tb[RTPRELAY_A_FLOW_VALUE])
			print_flow(o, mnl_attr_get_payload(m->tb[RTPRELAY_A_FLOW_KEY]),
				   mnl_attr_get_payload(m->tb[RTPRELAY_A_FLOW_VALUE]), m);
	}
	out_list_end(o);
	g_ptr_array_free(replies, TRUE);
	return 0;
}

/* stats */

static void print_counters(struct out *o, const struct global_counters *gc)
{
	for (size_t i = 0; i < GLOBAL_COUNTER_FIELDS; i++)
		out_uint(o, global_counter_fields[i].name, global_counter_fields[i].name, global_counter_value(gc, i));
}

static int stats_pinned(struct client *cl, struct out *o)
{
	int ncpu = libbpf_num_possible_cpus(), fd = open_pinned(cl, PIN_COUNTERS);
	struct global_counters percpu[ncpu > 0 ? ncpu : 1], sum = { 0 };
	__u32 zero = 0;

	if (fd < 0)
		return EXIT_FAILED;
	if (bpf_map_lookup_elem(fd, &zero, percpu) < 0) {
		fail_msg(cl, "cannot read the counters: %s", strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	close(fd);
	for (int c = 0; c < ncpu; c++) {
		for (size_t i = 0; i < sizeof(sum) / sizeof(__u64); i++)
			((__u64 *)&sum)[i] += ((const __u64 *)&percpu[c])[i];
	}
	out_record_begin(o);
	print_counters(o, &sum);
	out_record_end(o);
	return 0;
}

static int cmd_stats(struct client *cl, struct out *o, int argc, char **argv)
{
	const struct ctl_msg *m;
	GPtrArray *replies;
	int error;

	cl->absent_ok = true;
	replies = request(cl, request_start(cl, RTPRELAY_CMD_STATS, false), &error);

	if (!replies && error == -ECONNREFUSED) {
		return stats_pinned(cl, o);
	}
	if (!replies)
		return EXIT_FAILED;
	m = replies->len ? &((struct reply *)replies->pdata[0])->msg : NULL;
	if (!m || !m->tb[RTPRELAY_A_COUNTERS]) {
		fail_msg(cl, "the reply has no counters");
		g_ptr_array_free(replies, TRUE);
		return EXIT_FAILED;
	}
	out_record_begin(o);
	print_counters(o, mnl_attr_get_payload(m->tb[RTPRELAY_A_COUNTERS]));
	out_uint(o, "calls_total", "calls_total", attr_u64(m, RTPRELAY_A_CALLS_TOTAL));
	out_uint(o, "calls_active", "calls_active", attr_u32(m, RTPRELAY_A_CALL_COUNT));
	out_uint(o, "calls_failed", "calls_failed", attr_u64(m, RTPRELAY_A_CALLS_FAILED));
	if (m->tb[RTPRELAY_A_NG_CALLS_TOTAL]) {
		out_uint(o, "ng_calls_total", "ng_calls_total", attr_u64(m, RTPRELAY_A_NG_CALLS_TOTAL));
		out_uint(o, "ng_calls_active", "ng_calls_active", attr_u32(m, RTPRELAY_A_NG_CALL_COUNT));
	}
	out_record_end(o);
	g_ptr_array_free(replies, TRUE);
	return 0;
}

/* status */

struct interface {
	const char *name;
	uint32_t ifindex, prog_id;
	const char *xdp; /* NULL when the daemon could not tell */
};

/* The RTPRELAY_A_INTERFACE attributes of m, in order. */
static size_t status_interfaces(const struct client *cl, const struct reply *r, struct interface *ifs, size_t max)
{
	const struct nlattr *a, *tb[__RTPRELAY_IFACE_A_MAX];
	char err[256];
	size_t n = 0;

	mnl_attr_for_each(a, r->nlh, GENL_HDRLEN)
	{
		if (mnl_attr_get_type(a) != RTPRELAY_A_INTERFACE || n == max)
			continue;
		if (ctl_msg_iface_parse(a, tb, err, sizeof(err)) < 0) {
			fail_msg(cl, "ignoring a malformed interface in the reply: %s", err);
			continue;
		}
		ifs[n++] = (struct interface){
			.name = tb[RTPRELAY_IFACE_A_NAME] ? mnl_attr_get_str(tb[RTPRELAY_IFACE_A_NAME]) : "?",
			.ifindex = tb[RTPRELAY_IFACE_A_INDEX] ? mnl_attr_get_u32(tb[RTPRELAY_IFACE_A_INDEX]) : 0,
			.prog_id =
			    tb[RTPRELAY_IFACE_A_XDP_PROG_ID] ? mnl_attr_get_u32(tb[RTPRELAY_IFACE_A_XDP_PROG_ID]) : 0,
			.xdp = tb[RTPRELAY_IFACE_A_XDP_MODE] ? mnl_attr_get_str(tb[RTPRELAY_IFACE_A_XDP_MODE]) : NULL,
		};
	}
	return n;
}

/* "rly0 (ifindex 2): XDP native, program 57" */
static char *interface_text(const struct interface *i)
{
	if (!i->ifindex)
		return g_strdup_printf("%s: no such interface", i->name);
	if (!i->xdp)
		return g_strdup_printf("%s (ifindex %u): XDP state unknown", i->name, i->ifindex);
	if (!i->prog_id)
		return g_strdup_printf("%s (ifindex %u): XDP %s", i->name, i->ifindex, i->xdp);
	return g_strdup_printf("%s (ifindex %u): XDP %s, program %u", i->name, i->ifindex, i->xdp, i->prog_id);
}

static void print_status(const struct client *cl, struct out *o, const struct reply *r)
{
	const struct ctl_msg *m = &r->msg;
	struct interface ifs[INTERFACES_MAX];
	size_t n = status_interfaces(cl, r, ifs, G_N_ELEMENTS(ifs));
	uint64_t up = attr_u64(m, RTPRELAY_A_UPTIME_MS) / 1000;
	g_autofree char *uptime = g_strdup_printf("%" G_GUINT64_FORMAT "d %02" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT
						  ":%02" G_GUINT64_FORMAT,
						  up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	g_autofree char *datapath =
	    g_strdup_printf("%s: %s", attr_str(m, RTPRELAY_A_DATAPATH), attr_str(m, RTPRELAY_A_DATAPATH_WHY));
	g_autofree char *ports = g_strdup_printf("%u of %u in use", attr_u32(m, RTPRELAY_A_PORTS_IN_USE),
						 attr_u32(m, RTPRELAY_A_PORTS_CAPACITY));

	out_record_begin(o);
	out_str(o, "version", "version", attr_str(m, RTPRELAY_A_VERSION));
	out_uint(o, "pid", "pid", attr_u32(m, RTPRELAY_A_PID));
	out_double(o, "uptime_seconds", NULL, attr_u64(m, RTPRELAY_A_UPTIME_MS) / 1000.0, 3);
	out_str(o, NULL, "uptime", uptime);
	out_str(o, "datapath", NULL, attr_str(m, RTPRELAY_A_DATAPATH));
	out_str(o, "datapath_why", NULL, attr_str(m, RTPRELAY_A_DATAPATH_WHY));
	out_str(o, NULL, "datapath", datapath);
	out_list_begin(o, "interfaces");
	for (size_t i = 0; i < n; i++) {
		out_record_begin(o);
		out_str(o, "name", NULL, ifs[i].name);
		out_uint(o, "ifindex", NULL, ifs[i].ifindex);
		if (ifs[i].xdp)
			out_str(o, "xdp", NULL, ifs[i].xdp);
		if (ifs[i].prog_id)
			out_uint(o, "xdp_prog_id", NULL, ifs[i].prog_id);
		out_record_end(o);
	}
	out_list_end(o);
	for (size_t i = 0; i < n; i++) {
		g_autofree char *text = interface_text(&ifs[i]);

		out_str(o, NULL, "interface", text);
	}
	out_str(o, "bpffs", "bpffs", attr_str(m, RTPRELAY_A_BPFFS));
	out_str(o, "sip_listen", "sip", attr_str(m, RTPRELAY_A_SIP_LISTEN));
	out_str(o, "media_ip", "media", attr_str(m, RTPRELAY_A_MEDIA_IP));
	out_uint(o, "calls", "calls", attr_u32(m, RTPRELAY_A_CALL_COUNT));
	if (m->tb[RTPRELAY_A_NG_CALL_COUNT])
		out_uint(o, "ng_calls", "ng calls", attr_u32(m, RTPRELAY_A_NG_CALL_COUNT));
	out_uint(o, "rooms", "rooms", attr_u32(m, RTPRELAY_A_ROOM_COUNT));
	out_uint(o, "flows", "flows", attr_u32(m, RTPRELAY_A_FLOW_COUNT));
	out_uint(o, "ports_in_use", NULL, attr_u32(m, RTPRELAY_A_PORTS_IN_USE));
	out_uint(o, "ports_capacity", NULL, attr_u32(m, RTPRELAY_A_PORTS_CAPACITY));
	out_str(o, NULL, "rtp ports", ports);
	out_str(o, "kernel_path", "kernel path", attr_str(m, RTPRELAY_A_KERNEL_PATH));
	out_uint(o, "userspace_forwarded", "via daemon", attr_u64(m, RTPRELAY_A_USERSPACE_FORWARDED));
	out_bool(o, "draining", NULL, m->tb[RTPRELAY_A_DRAINING]);
	if (m->tb[RTPRELAY_A_DRAINING])
		out_str(o, "draining_why", NULL, attr_str(m, RTPRELAY_A_DRAINING));
	out_str(o, NULL, "draining", m->tb[RTPRELAY_A_DRAINING] ? attr_str(m, RTPRELAY_A_DRAINING) : "no");
	out_record_end(o);
}

static int cmd_status(struct client *cl, struct out *o, int argc, char **argv)
{
	int error;
	GPtrArray *replies = request(cl, request_start(cl, RTPRELAY_CMD_STATUS, false), &error);

	if (!replies)
		return EXIT_FAILED;
	if (replies->len)
		print_status(cl, o, replies->pdata[0]);
	g_ptr_array_free(replies, TRUE);
	return 0;
}

/* calls */

/* The fields of a leg, SIP or ng: its addresses, latching, packets and age. */
static void print_leg_media(struct out *o, const struct ctl_msg *m)
{
	out_str(o, "local_rtp", "LOCAL RTP", attr_str(m, RTPRELAY_A_LOCAL_RTP));
	if (m->tb[RTPRELAY_A_REMOTE_RTP])
		out_str(o, "remote_rtp", "REMOTE RTP", attr_str(m, RTPRELAY_A_REMOTE_RTP));
	else
		out_none(o, "remote_rtp", "REMOTE RTP");
	out_bool(o, "latched", "LATCHED", m->tb[RTPRELAY_A_LATCHED]);
	out_uint(o, "packets_in", "PKTS IN", attr_u64(m, RTPRELAY_A_PACKETS_IN));
	out_uint(o, "packets_out", "PKTS OUT", attr_u64(m, RTPRELAY_A_PACKETS_OUT));
	out_uint(o, "packets_userspace", NULL, attr_u64(m, RTPRELAY_A_PACKETS_USERSPACE));
	out_double(o, "age_seconds", "AGE", attr_u64(m, RTPRELAY_A_AGE_MS) / 1000.0, 1);
}

static void print_call(struct out *o, const struct ctl_msg *m)
{
	uint32_t peer = attr_u32(m, RTPRELAY_A_BRIDGED_WITH);
	const char *room = attr_str(m, RTPRELAY_A_ROOM);
	g_autofree char *bridge = peer	    ? g_strdup_printf("call %u", peer)
				  : room[0] ? g_strdup_printf("room %s", room)
					    : g_strdup("-");

	out_record_begin(o);
	out_str(o, "kind", NULL, "sip");
	out_uint(o, "id", "ID", attr_u32(m, RTPRELAY_A_CALL_ID));
	out_str(o, "state", "STATE", attr_str(m, RTPRELAY_A_STATE));
	out_str(o, "direction", "DIR", m->tb[RTPRELAY_A_OUTGOING] ? "out" : "in");
	out_str(o, "remote_uri", "REMOTE URI", attr_str(m, RTPRELAY_A_URI));
	out_str(o, "codec", "CODEC", attr_str(m, RTPRELAY_A_CODEC));
	out_str(o, "media", "MEDIA", attr_str(m, RTPRELAY_A_MEDIA));
	out_uint(o, "tone_hz", "TONE", attr_u32(m, RTPRELAY_A_TONE_HZ));
	if (peer)
		out_uint(o, "bridged_with", NULL, peer);
	if (room[0])
		out_str(o, "room", NULL, room);
	out_str(o, NULL, "BRIDGE", bridge);
	print_leg_media(o, m);
	out_uint(o, "wrong_source", "WRONGSRC", attr_u64(m, RTPRELAY_A_WRONG_SOURCE));
	out_record_end(o);
}

/* A leg of an ng call: the call-id and tags its proxy gave, which side's peer sends to it, for which m= line. */
static void print_ng_leg(struct out *o, const struct ctl_msg *m)
{
	const char *tag = attr_str(m, RTPRELAY_A_NG_TAG);
	g_autofree char *stream =
	    g_strdup_printf("%u %s", attr_u32(m, RTPRELAY_A_NG_MEDIA_INDEX), attr_str(m, RTPRELAY_A_NG_MEDIA_TYPE));

	out_record_begin(o);
	out_str(o, "kind", NULL, "ng");
	out_str(o, "call_id", "NG CALL-ID", attr_str(m, RTPRELAY_A_NG_CALL_ID));
	out_str(o, "from_tag", "FROM-TAG", attr_str(m, RTPRELAY_A_NG_FROM_TAG));
	if (m->tb[RTPRELAY_A_NG_TO_TAG])
		out_str(o, "to_tag", "TO-TAG", attr_str(m, RTPRELAY_A_NG_TO_TAG));
	else
		out_none(o, "to_tag", "TO-TAG");
	if (m->tb[RTPRELAY_A_NG_TAG])
		out_str(o, "tag", NULL, tag);
	out_str(o, NULL, "SIDE", !tag[0] ? "-" : !strcmp(tag, attr_str(m, RTPRELAY_A_NG_FROM_TAG)) ? "from" : "to");
	if (m->tb[RTPRELAY_A_NG_LABEL])
		out_str(o, "label", "LABEL", attr_str(m, RTPRELAY_A_NG_LABEL));
	else
		out_none(o, "label", "LABEL");
	out_uint(o, "media_index", NULL, attr_u32(m, RTPRELAY_A_NG_MEDIA_INDEX));
	out_str(o, "media_type", NULL, attr_str(m, RTPRELAY_A_NG_MEDIA_TYPE));
	out_str(o, NULL, "STREAM", stream);
	out_str(o, "state", "STATE", attr_str(m, RTPRELAY_A_STATE));
	out_str(o, "media", "MEDIA", attr_str(m, RTPRELAY_A_MEDIA));
	print_leg_media(o, m);
	out_uint(o, "wrong_source", "WRONGSRC", attr_u64(m, RTPRELAY_A_WRONG_SOURCE));
	out_record_end(o);
}

static void print_room(struct out *o, const struct reply *r)
{
	uint32_t members[ROOM_MEMBERS_MAX];
	const struct nlattr *a;
	size_t n = 0;

	mnl_attr_for_each(a, r->nlh, GENL_HDRLEN)
	{
		if (mnl_attr_get_type(a) == RTPRELAY_A_ROOM_MEMBER && n < G_N_ELEMENTS(members))
			members[n++] = mnl_attr_get_u32(a);
	}
	out_record_begin(o);
	out_str(o, "name", "NAME", attr_str(&r->msg, RTPRELAY_A_ROOM));
	out_str(o, "mode", "MODE", attr_str(&r->msg, RTPRELAY_A_ROOM_MODE));
	out_uint_array(o, "members", "MEMBERS", members, n);
	out_record_end(o);
}

static int cmd_calls(struct client *cl, struct out *o, int argc, char **argv)
{
	int error;
	GPtrArray *replies = request(cl, request_start(cl, RTPRELAY_CMD_CALLS, true), &error);

	if (!replies)
		return EXIT_FAILED;
	out_list_begin(o, NULL);
	for (guint i = 0; i < replies->len; i++) {
		const struct ctl_msg *m = &((struct reply *)replies->pdata[i])->msg;

		if (!m->tb[RTPRELAY_A_NG_CALL_ID])
			print_call(o, m);
	}
	out_list_break(o); /* the daemon sends the SIP calls first, then the ng calls' legs */
	for (guint i = 0; i < replies->len; i++) {
		const struct ctl_msg *m = &((struct reply *)replies->pdata[i])->msg;

		if (m->tb[RTPRELAY_A_NG_CALL_ID])
			print_ng_leg(o, m);
	}
	out_list_end(o);
	g_ptr_array_free(replies, TRUE);
	return 0;
}

static int cmd_rooms(struct client *cl, struct out *o, int argc, char **argv)
{
	int error;
	GPtrArray *replies = request(cl, request_start(cl, RTPRELAY_CMD_ROOMS, true), &error);

	if (!replies)
		return EXIT_FAILED;
	out_list_begin(o, NULL);
	for (guint i = 0; i < replies->len; i++)
		print_room(o, replies->pdata[i]);
	out_list_end(o);
	g_ptr_array_free(replies, TRUE);
	return 0;
}

/* Acting on calls */

static int cmd_bridge(struct client *cl, struct out *o, int argc, char **argv)
{
	struct nlmsghdr *req = request_start(cl, RTPRELAY_CMD_BRIDGE, false);
	uint32_t a, b;

	if (!parse_call_id(argv[0], &a) || !parse_call_id(argv[1], &b))
		return EXIT_USAGE;
	mnl_attr_put_u32(req, RTPRELAY_A_CALL_ID, a);
	mnl_attr_put_u32(req, RTPRELAY_A_PEER_ID, b);
	return request_ack(cl, req);
}

/* unbridge and hangup: one call id. */
static int call_command(struct client *cl, uint8_t cmd, const char *arg)
{
	struct nlmsghdr *req = request_start(cl, cmd, false);
	uint32_t id;

	if (!parse_call_id(arg, &id))
		return EXIT_USAGE;
	mnl_attr_put_u32(req, RTPRELAY_A_CALL_ID, id);
	return request_ack(cl, req);
}

static int cmd_unbridge(struct client *cl, struct out *o, int argc, char **argv)
{
	return call_command(cl, RTPRELAY_CMD_UNBRIDGE, argv[0]);
}

static int cmd_hangup(struct client *cl, struct out *o, int argc, char **argv)
{
	return call_command(cl, RTPRELAY_CMD_HANGUP, argv[0]);
}

static int cmd_tone(struct client *cl, struct out *o, int argc, char **argv)
{
	struct nlmsghdr *req = request_start(cl, RTPRELAY_CMD_TONE, false);
	uint32_t id, hz;

	if (!parse_call_id(argv[0], &id) || !parse_u32("frequency", argv[1], 0, UINT32_MAX, &hz))
		return EXIT_USAGE;
	mnl_attr_put_u32(req, RTPRELAY_A_CALL_ID, id);
	mnl_attr_put_u32(req, RTPRELAY_A_TONE_HZ, hz);
	return request_ack(cl, req);
}

/* call SIP-URI [--tone-hz N] [--codec pcmu|pcma]: prints the new call's id. */
static int cmd_call(struct client *cl, struct out *o, int argc, char **argv)
{
	struct nlmsghdr *req = request_start(cl, RTPRELAY_CMD_CALL, false);
	const char *uri = NULL;
	GPtrArray *replies;
	int error;

	for (int i = 0; i < argc; i++) {
		uint32_t hz;

		if (!strcmp(argv[i], "--tone-hz") && i + 1 < argc) {
			if (!parse_u32("frequency", argv[++i], 0, UINT32_MAX, &hz))
				return EXIT_USAGE;
			mnl_attr_put_u32(req, RTPRELAY_A_TONE_HZ, hz);
		} else if (!strcmp(argv[i], "--codec") && i + 1 < argc) {
			ctl_msg_put_str(req, RTPRELAY_A_CODEC, argv[++i]);
		} else if (argv[i][0] != '-' && !uri) {
			uri = argv[i];
		} else {
			fprintf(stderr, "rtprelayctl: call: unexpected argument \"%s\" (try rtprelayctl call help)\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!uri) {
		fprintf(stderr, "rtprelayctl: call: which SIP URI? (try rtprelayctl call help)\n");
		return EXIT_USAGE;
	}
	ctl_msg_put_str(req, RTPRELAY_A_URI, uri);
	replies = request(cl, req, &error);
	if (!replies)
		return EXIT_FAILED;
	out_record_begin(o);
	if (replies->len)
		out_uint(o, "id", "call", attr_u32(&((struct reply *)replies->pdata[0])->msg, RTPRELAY_A_CALL_ID));
	out_record_end(o);
	g_ptr_array_free(replies, TRUE);
	return 0;
}

/* The command line */

struct command {
	const char *name;
	const char *args;
	const char *help;
	int min_args, max_args;
	int (*run)(struct client *cl, struct out *o, int argc, char **argv);
};

static const struct command commands[] = {
	{ "status", "", "version, uptime, datapath and why, interfaces and their XDP mode, counts", 0, 0, cmd_status },
	{ "calls", "", "every call: state, peer, codec, media addresses, latching, bridge or room, packets", 0, 0,
	  cmd_calls },
	{ "flows", "", "the datapath's flow table with counters (without rtprelayd: from the pinned maps)", 0, 0,
	  cmd_flows },
	{ "rooms", "", "conference rooms: mode and members", 0, 0, cmd_rooms },
	{ "stats", "",
	  "datapath counters summed over CPUs; calls total, active, failed (without rtprelayd: the pinned counters)", 0,
	  0, cmd_stats },
	{ "bridge", "CALL CALL", "bridge two active calls in the datapath (their tones stop)", 2, 2, cmd_bridge },
	{ "unbridge", "CALL", "end a call's bridge or room: both legs hear their tones again", 1, 1, cmd_unbridge },
	{ "hangup", "CALL", "end a call (BYE, or CANCEL while it rings)", 1, 1, cmd_hangup },
	{ "call", "SIP-URI [--tone-hz N] [--codec pcmu|pcma]",
	  "place a call that plays a tone (default: the daemon's --tone-hz, PCMU); prints its id", 1, 5, cmd_call },
	{ "tone", "CALL HZ", "change a call's tone frequency", 2, 2, cmd_tone },
	{ "route", "list | add USER sip:TARGET | del USER",
	  "the B2BUA routes: list them, add or replace one, remove one (the next call uses them)", 1, 3, cmd_route },
	{ "set", "KEY VALUE",
	  "change a setting while running: max-calls, rtp-timeout, default-route, log-level, tone-hz", 2, 2, cmd_set },
	{ "config", "", "the settings in force and where each came from (default, file, command line, cli)", 0, 0,
	  cmd_config },
	{ "reload", "",
	  "read the config file again and apply what can change; lists the changes and what needs a restart", 0, 0,
	  cmd_reload },
	{ "drain", "[off]", "refuse new calls (SIP 503, ng error) while calls in progress go on; off: take them again",
	  0, 1, cmd_drain },
};

static int usage(FILE *out)
{
	fprintf(out, "Usage: rtprelayctl [OPTIONS] COMMAND [ARGS]\n"
		     "       rtprelayctl COMMAND help\n"
		     "Commands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %s%s%s\n      %s\n", commands[i].name, commands[i].args[0] ? " " : "", commands[i].args,
			commands[i].help);
	fprintf(out,
		"Options:\n"
		"  -j, --json                one JSON document\n"
		"  -p, --pretty              indented JSON (implies -j)\n"
		"  -n, --control-port PORTID rtprelayd's netlink port id (default %u, 0x%08x)\n"
		"  --bpffs DIR               the pinned maps, for flows and stats without rtprelayd\n"
		"                            (default " RTPRELAY_BPFFS_DEFAULT ")\n"
		"Exit status: 0 success, 1 the command failed, 2 bad command line.\n",
		RTPRELAY_CONTROL_PORT_DEFAULT, RTPRELAY_CONTROL_PORT_DEFAULT);
	return out == stderr ? EXIT_USAGE : 0;
}

static int command_usage(const struct command *c, FILE *out)
{
	fprintf(out, "Usage: rtprelayctl [OPTIONS] %s%s%s\n  %s\n", c->name, c->args[0] ? " " : "", c->args, c->help);
	return out == stderr ? EXIT_USAGE : 0;
}

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	}
	return NULL;
}

/* The options before the command; false when main must exit with *status (help, or a bad option). */
static bool parse_options(int argc, char **argv, struct options *o, int *status)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "control-port", required_argument, NULL, 'n' },
		{ "bpffs", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+jpn:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o->pretty = true;
			/* fall through */
		case 'j':
			o->json = true;
			break;
		case 'n':
			if (!ctl_msg_port_parse(optarg, &o->port)) {
				fprintf(stderr,
					"rtprelayctl: bad port id \"%s\": expected a netlink port id from 1 to "
					"4294967295 (decimal or 0x hex)\n",
					optarg);
				*status = EXIT_USAGE;
				return false;
			}
			break;
		case 'b':
			o->bpffs = optarg;
			break;
		case 'h':
			*status = usage(stdout);
			return false;
		default:
			*status = usage(stderr);
			return false;
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	struct options opt = { .port = RTPRELAY_CONTROL_PORT_DEFAULT, .bpffs = RTPRELAY_BPFFS_DEFAULT };
	const struct command *c;
	struct client *cl;
	struct out *o;
	int first, nargs, ret;

	if (!parse_options(argc, argv, &opt, &ret))
		return ret;
	first = optind;
	if (first >= argc)
		return usage(stderr);
	if (!strcmp(argv[first], "help")) {
		c = first + 1 < argc ? command_find(argv[first + 1]) : NULL;
		return c ? command_usage(c, stdout) : usage(stdout);
	}
	c = command_find(argv[first]);
	if (!c) {
		fprintf(stderr, "rtprelayctl: unknown command \"%s\" (try rtprelayctl help)\n", argv[first]);
		return EXIT_USAGE;
	}
	nargs = argc - first - 1;
	if (nargs == 1 && !strcmp(argv[first + 1], "help"))
		return command_usage(c, stdout);
	if (nargs < c->min_args || nargs > c->max_args) {
		fprintf(stderr, "rtprelayctl: %s takes %s\n", c->name, c->args[0] ? c->args : "no arguments");
		return EXIT_USAGE;
	}
	cl = g_new0(struct client, 1);
	cl->opt = &opt;
	cl->command = c->name;
	o = out_new(opt.json, opt.pretty);
	ret = c->run(cl, o, nargs, argv + first + 1);
	out_finish(o);
	if (cl->nl)
		mnl_socket_close(cl->nl);
	g_free(cl);
	return ret;
}
