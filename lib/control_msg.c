// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Control messages on the wire (control_abi.h), built and parsed with
 * libmnl; shared by the daemon's control server and rtprelayctl. The
 * policy tables below are the one place that says how big each attribute
 * is; ctl_msg_parse() holds every message to them.
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control_msg.h"
#include "bpf/flow_abi.h"

/* What an attribute's payload must be, and its name in error messages. */
struct ctl_msg_attr_policy {
	enum mnl_attr_data_type type;
	uint16_t len; /* binary: the exact size; 0 otherwise */
	const char *name;
};

static const struct ctl_msg_attr_policy attr_policy[__RTPRELAY_A_MAX] = {
	[RTPRELAY_A_VERSION] = { MNL_TYPE_NUL_STRING, 0, "version" },
	[RTPRELAY_A_PID] = { MNL_TYPE_U32, 0, "pid" },
	[RTPRELAY_A_UPTIME_MS] = { MNL_TYPE_U64, 0, "uptime_ms" },
	[RTPRELAY_A_DATAPATH] = { MNL_TYPE_NUL_STRING, 0, "datapath" },
	[RTPRELAY_A_DATAPATH_WHY] = { MNL_TYPE_NUL_STRING, 0, "datapath_why" },
	[RTPRELAY_A_INTERFACE] = { MNL_TYPE_NESTED, 0, "interface" },
	[RTPRELAY_A_BPFFS] = { MNL_TYPE_NUL_STRING, 0, "bpffs" },
	[RTPRELAY_A_SIP_LISTEN] = { MNL_TYPE_NUL_STRING, 0, "sip_listen" },
	[RTPRELAY_A_MEDIA_IP] = { MNL_TYPE_NUL_STRING, 0, "media_ip" },
	[RTPRELAY_A_CALL_COUNT] = { MNL_TYPE_U32, 0, "call_count" },
	[RTPRELAY_A_ROOM_COUNT] = { MNL_TYPE_U32, 0, "room_count" },
	[RTPRELAY_A_FLOW_COUNT] = { MNL_TYPE_U32, 0, "flow_count" },
	[RTPRELAY_A_PORTS_IN_USE] = { MNL_TYPE_U32, 0, "ports_in_use" },
	[RTPRELAY_A_PORTS_CAPACITY] = { MNL_TYPE_U32, 0, "ports_capacity" },
	[RTPRELAY_A_COUNTERS] = { MNL_TYPE_BINARY, sizeof(struct global_counters), "counters" },
	[RTPRELAY_A_CALLS_TOTAL] = { MNL_TYPE_U64, 0, "calls_total" },
	[RTPRELAY_A_CALLS_FAILED] = { MNL_TYPE_U64, 0, "calls_failed" },
	[RTPRELAY_A_CALL_ID] = { MNL_TYPE_U32, 0, "call_id" },
	[RTPRELAY_A_PEER_ID] = { MNL_TYPE_U32, 0, "peer_id" },
	[RTPRELAY_A_STATE] = { MNL_TYPE_NUL_STRING, 0, "state" },
	[RTPRELAY_A_OUTGOING] = { MNL_TYPE_FLAG, 0, "outgoing" },
	[RTPRELAY_A_URI] = { MNL_TYPE_NUL_STRING, 0, "uri" },
	[RTPRELAY_A_CODEC] = { MNL_TYPE_NUL_STRING, 0, "codec" },
	[RTPRELAY_A_MEDIA] = { MNL_TYPE_NUL_STRING, 0, "media" },
	[RTPRELAY_A_TONE_HZ] = { MNL_TYPE_U32, 0, "tone_hz" },
	[RTPRELAY_A_BRIDGED_WITH] = { MNL_TYPE_U32, 0, "bridged_with" },
	[RTPRELAY_A_ROOM] = { MNL_TYPE_NUL_STRING, 0, "room" },
	[RTPRELAY_A_LOCAL_RTP] = { MNL_TYPE_NUL_STRING, 0, "local_rtp" },
	[RTPRELAY_A_REMOTE_RTP] = { MNL_TYPE_NUL_STRING, 0, "remote_rtp" },
	[RTPRELAY_A_LATCHED] = { MNL_TYPE_FLAG, 0, "latched" },
	[RTPRELAY_A_PACKETS_IN] = { MNL_TYPE_U64, 0, "packets_in" },
	[RTPRELAY_A_PACKETS_OUT] = { MNL_TYPE_U64, 0, "packets_out" },
	[RTPRELAY_A_PACKETS_USERSPACE] = { MNL_TYPE_U64, 0, "packets_userspace" },
	[RTPRELAY_A_AGE_MS] = { MNL_TYPE_U64, 0, "age_ms" },
	[RTPRELAY_A_FLOW_KEY] = { MNL_TYPE_BINARY, sizeof(struct flow_key), "flow_key" },
	[RTPRELAY_A_FLOW_VALUE] = { MNL_TYPE_BINARY, sizeof(struct flow_value), "flow_value" },
	[RTPRELAY_A_ROOM_MODE] = { MNL_TYPE_NUL_STRING, 0, "room_mode" },
	[RTPRELAY_A_ROOM_MEMBER] = { MNL_TYPE_U32, 0, "room_member" },
	[RTPRELAY_A_KERNEL_PATH] = { MNL_TYPE_NUL_STRING, 0, "kernel_path" },
	[RTPRELAY_A_USERSPACE_FORWARDED] = { MNL_TYPE_U64, 0, "userspace_forwarded" },
	[RTPRELAY_A_DRAINING] = { MNL_TYPE_NUL_STRING, 0, "draining" },
	[RTPRELAY_A_ROUTE_USER] = { MNL_TYPE_NUL_STRING, 0, "route_user" },
	[RTPRELAY_A_SETTING] = { MNL_TYPE_NUL_STRING, 0, "setting" },
	[RTPRELAY_A_SETTING_VALUE] = { MNL_TYPE_NUL_STRING, 0, "setting_value" },
	[RTPRELAY_A_SETTING_SOURCE] = { MNL_TYPE_NUL_STRING, 0, "setting_source" },
	[RTPRELAY_A_SETTING_RUNTIME] = { MNL_TYPE_FLAG, 0, "setting_runtime" },
	[RTPRELAY_A_CONFIG_FILE] = { MNL_TYPE_NUL_STRING, 0, "config_file" },
	[RTPRELAY_A_SETTING_CHANGED] = { MNL_TYPE_NUL_STRING, 0, "setting_changed" },
	[RTPRELAY_A_SETTING_RESTART] = { MNL_TYPE_NUL_STRING, 0, "setting_restart" },
	[RTPRELAY_A_DRAIN] = { MNL_TYPE_U8, 0, "drain" },
	[RTPRELAY_A_NG_CALL_ID] = { MNL_TYPE_NUL_STRING, 0, "ng_call_id" },
	[RTPRELAY_A_NG_FROM_TAG] = { MNL_TYPE_NUL_STRING, 0, "ng_from_tag" },
	[RTPRELAY_A_NG_TO_TAG] = { MNL_TYPE_NUL_STRING, 0, "ng_to_tag" },
	[RTPRELAY_A_NG_TAG] = { MNL_TYPE_NUL_STRING, 0, "ng_tag" },
	[RTPRELAY_A_NG_LABEL] = { MNL_TYPE_NUL_STRING, 0, "ng_label" },
	[RTPRELAY_A_NG_MEDIA_INDEX] = { MNL_TYPE_U32, 0, "ng_media_index" },
	[RTPRELAY_A_NG_MEDIA_TYPE] = { MNL_TYPE_NUL_STRING, 0, "ng_media_type" },
	[RTPRELAY_A_NG_CALL_COUNT] = { MNL_TYPE_U32, 0, "ng_call_count" },
	[RTPRELAY_A_NG_CALLS_TOTAL] = { MNL_TYPE_U64, 0, "ng_calls_total" },
	[RTPRELAY_A_WRONG_SOURCE] = { MNL_TYPE_U64, 0, "wrong_source" },
};

static const struct ctl_msg_attr_policy iface_policy[__RTPRELAY_IFACE_A_MAX] = {
	[RTPRELAY_IFACE_A_NAME] = { MNL_TYPE_NUL_STRING, 0, "name" },
	[RTPRELAY_IFACE_A_INDEX] = { MNL_TYPE_U32, 0, "ifindex" },
	[RTPRELAY_IFACE_A_XDP_MODE] = { MNL_TYPE_NUL_STRING, 0, "xdp_mode" },
	[RTPRELAY_IFACE_A_XDP_PROG_ID] = { MNL_TYPE_U32, 0, "xdp_prog_id" },
};

struct mnl_socket *ctl_msg_socket_open(uint32_t portid)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_USERSOCK);
	int one = 1, saved;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, portid) == 0 &&
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0)
		return nl;
	saved = errno;
	mnl_socket_close(nl);
	errno = saved;
	return NULL;
}

ssize_t ctl_msg_send(struct mnl_socket *nl, uint32_t portid, const void *buf, size_t len, int flags)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = portid };

	return sendto(mnl_socket_get_fd(nl), buf, len, flags, (struct sockaddr *)&to, sizeof(to));
}

int ctl_msg_recv(struct mnl_socket *nl, void *buf, size_t size, struct ctl_msg_datagram *dg)
{
	struct sockaddr_nl from = { 0 };
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n = recvmsg(mnl_socket_get_fd(nl), &mh, 0);

	if (n < 0)
		return -1;
	memset(dg, 0, sizeof(*dg));
	dg->len = n;
	dg->truncated = mh.msg_flags & MSG_TRUNC;
	dg->portid = from.nl_pid;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			memcpy(&dg->cred, CMSG_DATA(c), sizeof(dg->cred));
			dg->has_cred = true;
		}
	}
	return 0;
}

size_t ctl_msg_whole_len(const void *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)buf + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			break;
		off += MNL_ALIGN(nlh->nlmsg_len);
		if (off > len) /* the last message's padding did not come */
			off = len;
	}
	return off;
}

struct nlmsghdr *ctl_msg_put_header(void *buf, uint8_t cmd, uint16_t flags, uint32_t seq, uint32_t portid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = RTPRELAY_CTL_TYPE;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = portid;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = RTPRELAY_CTL_VERSION;
	return nlh;
}

void ctl_msg_put_str(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	size_t len = strnlen(s, RTPRELAY_CTL_STR_MAX - 1);
	char cut[RTPRELAY_CTL_STR_MAX];

	memcpy(cut, s, len);
	cut[len] = '\0';
	mnl_attr_put(nlh, type, len + 1, cut);
}

static const char *expected(const struct ctl_msg_attr_policy *p, char *buf, size_t len)
{
	switch (p->type) {
	case MNL_TYPE_NUL_STRING:
		return "a NUL-terminated string";
	case MNL_TYPE_U32:
		return "a u32";
	case MNL_TYPE_U64:
		return "a u64";
	case MNL_TYPE_FLAG:
		return "a flag without payload";
	case MNL_TYPE_NESTED:
		return "nested attributes";
	default:
		snprintf(buf, len, "%u bytes", p->len);
		return buf;
	}
}

/*
 * Walk the attributes in payload: each must be whole, and those the policy
 * knows must have their type's size; unknown types are skipped.
 */
static int attrs_parse(const void *payload, size_t len, const struct ctl_msg_attr_policy *policy, unsigned int max,
		       const struct nlattr **tb, char *err, size_t errlen)
{
	size_t off = 0;
	char want[32];

	memset(tb, 0, max * sizeof(*tb));
	while (off < len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)payload + off);
		unsigned int type;

		if (!mnl_attr_ok(a, len - off)) {
			snprintf(err, errlen, "truncated attribute at offset %zu of %zu bytes", off, len);
			return -EINVAL;
		}
		type = mnl_attr_get_type(a);
		if (type < max && policy[type].name) {
			/* mnl_attr_validate() knows the size of u32, u64...; binary needs validate2's. */
			if ((policy[type].type == MNL_TYPE_BINARY
				 ? mnl_attr_validate2(a, MNL_TYPE_BINARY, policy[type].len)
				 : mnl_attr_validate(a, policy[type].type)) < 0) {
				snprintf(err, errlen, "attribute %s (%u) must be %s, not %u bytes", policy[type].name,
					 type, expected(&policy[type], want, sizeof(want)),
					 mnl_attr_get_payload_len(a));
				return -EINVAL;
			}
			tb[type] = a;
		}
		off += MNL_ALIGN(a->nla_len);
	}
	return 0;
}

int ctl_msg_parse(const struct nlmsghdr *nlh, struct ctl_msg *msg, char *err, size_t errlen)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	memset(msg, 0, sizeof(*msg));
	if (nlh->nlmsg_type != RTPRELAY_CTL_TYPE) {
		snprintf(err, errlen, "message type 0x%x is not rtprelay's 0x%x", nlh->nlmsg_type, RTPRELAY_CTL_TYPE);
		return -EOPNOTSUPP;
	}
	if (len < GENL_HDRLEN) {
		snprintf(err, errlen, "no command header: %zu bytes of payload, %zu needed", len, (size_t)GENL_HDRLEN);
		return -EINVAL;
	}
	if (g->version != RTPRELAY_CTL_VERSION) {
		snprintf(err, errlen, "protocol version %u; this side speaks %u", g->version, RTPRELAY_CTL_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (g->cmd == RTPRELAY_CMD_UNSPEC || g->cmd >= __RTPRELAY_CMD_MAX) {
		snprintf(err, errlen, "unknown command %u", g->cmd);
		return -EOPNOTSUPP;
	}
	msg->cmd = g->cmd;
	return attrs_parse((const char *)g + GENL_HDRLEN, len - GENL_HDRLEN, attr_policy, __RTPRELAY_A_MAX, msg->tb,
			   err, errlen);
}

int ctl_msg_iface_parse(const struct nlattr *nest, const struct nlattr *tb[__RTPRELAY_IFACE_A_MAX], char *err,
			size_t errlen)
{
	return attrs_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), iface_policy,
			   __RTPRELAY_IFACE_A_MAX, tb, err, errlen);
}

const char *ctl_msg_attr_name(unsigned int type)
{
	return type < __RTPRELAY_A_MAX ? attr_policy[type].name : NULL;
}

struct nlmsghdr *ctl_msg_put_error(void *buf, const struct nlmsghdr *req, uint32_t portid, int error, const char *msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = portid;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *req;
	if (error && msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		ctl_msg_put_str(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	return nlh;
}

struct nlmsghdr *ctl_msg_put_done(void *buf, const struct nlmsghdr *req, uint32_t portid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *status;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = portid;
	status = mnl_nlmsg_put_extra_header(nlh, sizeof(*status));
	*status = 0;
	return nlh;
}

static int ack_attr(const struct nlattr *a, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

int ctl_msg_error_parse(const struct nlmsghdr *nlh, int *error, const char **msg)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh), off = sizeof(*e);

	*msg = NULL;
	if (nlh->nlmsg_type != NLMSG_ERROR || len < sizeof(*e))
		return -EBADMSG;
	*error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(e->msg))
		off += e->msg.nlmsg_len - sizeof(e->msg); /* the request's payload, echoed */
	if (MNL_ALIGN(off) > len)
		return -EBADMSG;
	/* Not mnl_attr_parse(): it lets the last attribute run into the padding after nlmsg_len. */
	mnl_attr_parse_payload((const char *)e + MNL_ALIGN(off), len - MNL_ALIGN(off), ack_attr, msg);
	return 0;
}

bool ctl_msg_port_parse(const char *s, uint32_t *out)
{
	guint64 v;
	bool hex = s && (g_str_has_prefix(s, "0x") || g_str_has_prefix(s, "0X"));

	/* Port id 0 is the kernel's own. */
	if (!s || !*s || !g_ascii_string_to_unsigned(hex ? s + 2 : s, hex ? 16 : 10, 1, UINT32_MAX, &v, NULL))
		return false;
	*out = (uint32_t)v;
	return true;
}
