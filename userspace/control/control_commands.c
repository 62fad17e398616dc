// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What each rtprelayctl command does in the daemon: read the calls, rooms
 * and datapath, or act on calls through call.h, and put the answer into
 * reply messages (control_abi.h says which attributes each one carries).
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "call/call.h"
#include "call/room.h"
#include "config/config.h"
#include "control_commands.h"
#include "control_settings.h"
#include "datapath/datapath.h"
#include "lib/netdev.h"
#include "media/port_pool.h"
#include "ng/ng_call.h"
#include "ng/ng_server.h"

int control_fail(struct control_request *rq, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rq->error, sizeof(rq->error), fmt, ap);
	va_end(ap);
	return -err;
}

struct nlmsghdr *control_reply_start(struct control_request *rq)
{
	uint16_t flags = control_commands_find(rq->msg->cmd)->dump ? NLM_F_MULTI : 0;

	return ctl_msg_put_header(rq->scratch, rq->msg->cmd, flags, rq->nlh->nlmsg_seq, rq->portid);
}

void control_reply_add(struct control_request *rq, const struct nlmsghdr *nlh)
{
	g_byte_array_append(rq->reply, (const guint8 *)nlh, nlh->nlmsg_len);
}

int control_need_attr(struct control_request *rq, enum rtprelay_attr type)
{
	return rq->msg->tb[type] ? 0 : control_fail(rq, EINVAL, "missing attribute %s", ctl_msg_attr_name(type));
}

/* The call the u32 attribute `type` names. */
static int need_call(struct control_request *rq, enum rtprelay_attr type, struct call **out)
{
	const struct nlattr *a = rq->msg->tb[type];
	int ret = control_need_attr(rq, type);

	if (ret < 0)
		return ret;
	*out = call_table_find(rq->ctx->calls, mnl_attr_get_u32(a));
	if (!*out)
		return control_fail(rq, ENOENT, "no call %u", mnl_attr_get_u32(a));
	return 0;
}

/* A GError from call.h (its code an errno value, as every domain's it can pass on) as the command's failure. */
static int fail_gerror(struct control_request *rq, GError *err)
{
	int ret = control_fail(rq, err->code > 0 ? err->code : EINVAL, "%s", err->message);

	g_error_free(err);
	return ret;
}

static void put_sockaddr(struct nlmsghdr *nlh, uint16_t type, const struct sockaddr_storage *ss)
{
	struct flow_key key;
	char text[64];

	if (flow_key_from_sockaddr(&key, (const struct sockaddr *)ss) == 0)
		ctl_msg_put_str(nlh, type, flow_key_format(&key, text, sizeof(text)));
}

/* One configured interface and the XDP program the kernel says is attached to it. */
static void put_interface(struct nlmsghdr *nlh, const char *name)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	unsigned int ifindex = if_nametoindex(name);
	struct nlattr *nest = mnl_attr_nest_start(nlh, RTPRELAY_A_INTERFACE);

	ctl_msg_put_str(nlh, RTPRELAY_IFACE_A_NAME, name);
	mnl_attr_put_u32(nlh, RTPRELAY_IFACE_A_INDEX, ifindex);
	if (ifindex && bpf_xdp_query(ifindex, 0, &q) == 0) {
		ctl_msg_put_str(nlh, RTPRELAY_IFACE_A_XDP_MODE, netdev_xdp_attach_name(q.attach_mode));
		if (q.prog_id)
			mnl_attr_put_u32(nlh, RTPRELAY_IFACE_A_XDP_PROG_ID, q.prog_id);
	}
	mnl_attr_nest_end(nlh, nest);
}

static int count_flow(const struct flow_key *key, const struct flow_value *val, void *user)
{
	(*(guint *)user)++;
	return 0;
}

/* The ng calls now, and (with total) since start; nothing without --listen-ng. */
static void put_ng_counts(struct nlmsghdr *nlh, const struct ng_server *ng, bool total)
{
	struct ng_calls_stats st;

	if (!ng)
		return;
	ng_calls_stats(ng_server_calls(ng), &st);
	mnl_attr_put_u32(nlh, RTPRELAY_A_NG_CALL_COUNT, st.current);
	if (total)
		mnl_attr_put_u64(nlh, RTPRELAY_A_NG_CALLS_TOTAL, st.created);
}

static int cmd_status(struct control_request *rq)
{
	const struct control_context *ctx = rq->ctx;
	const struct config *cfg = ctx->cfg;
	struct nlmsghdr *nlh = control_reply_start(rq);
	char listen[CONFIG_HOSTPORT_TEXT_MAX], kernel_path[512];
	guint flows = 0;

	ctx->dp->ops->flow_foreach(ctx->dp, count_flow, &flows);
	ctl_msg_put_str(nlh, RTPRELAY_A_VERSION, RTPRELAY_VERSION);
	mnl_attr_put_u32(nlh, RTPRELAY_A_PID, getpid());
	mnl_attr_put_u64(nlh, RTPRELAY_A_UPTIME_MS, (g_get_monotonic_time() - ctx->started_us) / 1000);
	ctl_msg_put_str(nlh, RTPRELAY_A_DATAPATH, ctx->dp->ops->name);
	ctl_msg_put_str(nlh, RTPRELAY_A_DATAPATH_WHY, ctx->dp->why);
	for (char **ifname = cfg->interfaces; ifname && *ifname; ifname++)
		put_interface(nlh, *ifname);
	ctl_msg_put_str(nlh, RTPRELAY_A_BPFFS, cfg->bpffs_dir);
	ctl_msg_put_str(nlh, RTPRELAY_A_SIP_LISTEN, config_hostport_format(&cfg->sip_listen, listen, sizeof(listen)));
	ctl_msg_put_str(nlh, RTPRELAY_A_MEDIA_IP, cfg->media_ip);
	mnl_attr_put_u32(nlh, RTPRELAY_A_CALL_COUNT, call_table_count(ctx->calls));
	mnl_attr_put_u32(nlh, RTPRELAY_A_ROOM_COUNT, room_count(ctx->calls));
	mnl_attr_put_u32(nlh, RTPRELAY_A_FLOW_COUNT, flows);
	mnl_attr_put_u32(nlh, RTPRELAY_A_PORTS_IN_USE, port_pool_in_use(ctx->ports));
	mnl_attr_put_u32(nlh, RTPRELAY_A_PORTS_CAPACITY, port_pool_capacity(ctx->ports));
	ctx->dp->ops->kernel_path(ctx->dp, kernel_path, sizeof(kernel_path));
	ctl_msg_put_str(nlh, RTPRELAY_A_KERNEL_PATH, kernel_path);
	mnl_attr_put_u64(nlh, RTPRELAY_A_USERSPACE_FORWARDED, datapath_userspace_forwarded(ctx->dp));
	if (cfg->drain.on)
		ctl_msg_put_str(nlh, RTPRELAY_A_DRAINING, cfg->drain.why);
	put_ng_counts(nlh, ctx->ng, false);
	control_reply_add(rq, nlh);
	return 0;
}

static int cmd_stats(struct control_request *rq)
{
	struct datapath *dp = rq->ctx->dp;
	const struct call_table *calls = rq->ctx->calls;
	struct global_counters counters;
	struct nlmsghdr *nlh;
	int ret = dp->ops->counters(dp, &counters);

	if (ret < 0)
		return control_fail(rq, -ret, "cannot read the %s datapath's counters: %s", dp->ops->name,
				    strerror(-ret));
	nlh = control_reply_start(rq);
	mnl_attr_put(nlh, RTPRELAY_A_COUNTERS, sizeof(counters), &counters);
	mnl_attr_put_u64(nlh, RTPRELAY_A_CALLS_TOTAL, calls->stats.calls_total);
	mnl_attr_put_u32(nlh, RTPRELAY_A_CALL_COUNT, call_table_count(calls));
	mnl_attr_put_u64(nlh, RTPRELAY_A_CALLS_FAILED, calls->stats.calls_failed);
	put_ng_counts(nlh, rq->ctx->ng, true);
	control_reply_add(rq, nlh);
	return 0;
}

/* A leg's media, a SIP call's or an ng call's, and how long its call has been up. */
static void put_leg(struct nlmsghdr *nlh, const struct media_leg_info *leg, double age_seconds)
{
	ctl_msg_put_str(nlh, RTPRELAY_A_MEDIA, leg->media);
	put_sockaddr(nlh, RTPRELAY_A_LOCAL_RTP, &leg->local_rtp);
	put_sockaddr(nlh, RTPRELAY_A_REMOTE_RTP, &leg->remote_rtp);
	if (leg->latched)
		mnl_attr_put(nlh, RTPRELAY_A_LATCHED, 0, NULL);
	mnl_attr_put_u64(nlh, RTPRELAY_A_PACKETS_IN, leg->packets_in);
	mnl_attr_put_u64(nlh, RTPRELAY_A_PACKETS_OUT, leg->packets_out);
	mnl_attr_put_u64(nlh, RTPRELAY_A_PACKETS_USERSPACE, leg->packets_userspace);
	mnl_attr_put_u64(nlh, RTPRELAY_A_WRONG_SOURCE, leg->wrong_source);
	mnl_attr_put_u64(nlh, RTPRELAY_A_AGE_MS, (uint64_t)(age_seconds * 1000));
}

static void put_call(struct control_request *rq, const struct call_info *ci)
{
	struct nlmsghdr *nlh = control_reply_start(rq);

	mnl_attr_put_u32(nlh, RTPRELAY_A_CALL_ID, ci->id);
	ctl_msg_put_str(nlh, RTPRELAY_A_STATE, ci->state);
	if (ci->outgoing)
		mnl_attr_put(nlh, RTPRELAY_A_OUTGOING, 0, NULL);
	ctl_msg_put_str(nlh, RTPRELAY_A_URI, ci->remote_uri ? ci->remote_uri : "");
	if (ci->codec[0])
		ctl_msg_put_str(nlh, RTPRELAY_A_CODEC, ci->codec);
	mnl_attr_put_u32(nlh, RTPRELAY_A_TONE_HZ, ci->tone_hz);
	if (ci->bridged_with)
		mnl_attr_put_u32(nlh, RTPRELAY_A_BRIDGED_WITH, ci->bridged_with);
	if (ci->room)
		ctl_msg_put_str(nlh, RTPRELAY_A_ROOM, ci->room);
	put_leg(nlh, &ci->leg, ci->age_seconds);
	control_reply_add(rq, nlh);
}

static void put_str_if(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	if (s)
		ctl_msg_put_str(nlh, type, s);
}

/* One leg of an ng call: which call and side, then the fields a SIP call's leg has. */
static void put_ng_leg(const struct ng_leg_info *leg, void *user)
{
	struct control_request *rq = user;
	struct nlmsghdr *nlh = control_reply_start(rq);

	ctl_msg_put_str(nlh, RTPRELAY_A_NG_CALL_ID, leg->call_id);
	ctl_msg_put_str(nlh, RTPRELAY_A_NG_FROM_TAG, leg->from_tag);
	put_str_if(nlh, RTPRELAY_A_NG_TO_TAG, leg->to_tag);
	put_str_if(nlh, RTPRELAY_A_NG_TAG, leg->tag);
	put_str_if(nlh, RTPRELAY_A_NG_LABEL, leg->label);
	mnl_attr_put_u32(nlh, RTPRELAY_A_NG_MEDIA_INDEX, leg->index);
	ctl_msg_put_str(nlh, RTPRELAY_A_NG_MEDIA_TYPE, leg->type);
	ctl_msg_put_str(nlh, RTPRELAY_A_STATE, leg->answered ? "answered" : "offered");
	put_leg(nlh, &leg->leg, leg->age_seconds);
	control_reply_add(rq, nlh);
}

/* SIP calls in the order they began, then the legs of the ng calls. */
static int cmd_calls(struct control_request *rq)
{
	GList *ids = call_table_ids(rq->ctx->calls);
	struct call_info ci;

	for (GList *l = ids; l; l = l->next) {
		call_get_info(call_table_find(rq->ctx->calls, GPOINTER_TO_UINT(l->data)), &ci);
		put_call(rq, &ci);
	}
	g_list_free(ids);
	if (rq->ctx->ng)
		ng_calls_foreach_leg(ng_server_calls(rq->ctx->ng), put_ng_leg, rq);
	return 0;
}

/* The call a flow belongs to: a SIP call's id, or an ng call's id and side. */
struct flow_owner {
	uint32_t call_id;
	const char *ng_call_id, *ng_tag;
};

struct flow_dump {
	struct control_request *rq;
	GHashTable *owners; /* the RTP port of a leg (RTCP is port + 1) -> struct flow_owner */
};

static uint16_t sockaddr_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
					       : ((const struct sockaddr_in *)ss)->sin_port);
}

static void add_owner(GHashTable *owners, const struct sockaddr_storage *local_rtp, struct flow_owner owner)
{
	g_hash_table_insert(owners, GUINT_TO_POINTER(sockaddr_port(local_rtp)), g_memdup2(&owner, sizeof(owner)));
}

static void add_ng_owner(const struct ng_leg_info *leg, void *user)
{
	add_owner(user, &leg->leg.local_rtp, (struct flow_owner){ .ng_call_id = leg->call_id, .ng_tag = leg->tag });
}

/* Which call each leg's port belongs to. */
static GHashTable *flow_owners(const struct control_context *ctx)
{
	GHashTable *owners = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	GList *ids = call_table_ids(ctx->calls);
	struct call_info ci;

	for (GList *l = ids; l; l = l->next) {
		call_get_info(call_table_find(ctx->calls, GPOINTER_TO_UINT(l->data)), &ci);
		add_owner(owners, &ci.leg.local_rtp, (struct flow_owner){ .call_id = ci.id });
	}
	g_list_free(ids);
	if (ctx->ng)
		ng_calls_foreach_leg(ng_server_calls(ctx->ng), add_ng_owner, owners);
	return owners;
}

static int put_flow(const struct flow_key *key, const struct flow_value *val, void *user)
{
	struct flow_dump *d = user;
	struct nlmsghdr *nlh = control_reply_start(d->rq);
	const struct flow_owner *owner = g_hash_table_lookup(d->owners, GUINT_TO_POINTER(ntohs(key->port) & ~1u));

	mnl_attr_put(nlh, RTPRELAY_A_FLOW_KEY, sizeof(*key), key);
	mnl_attr_put(nlh, RTPRELAY_A_FLOW_VALUE, sizeof(*val), val);
	if (owner && owner->call_id)
		mnl_attr_put_u32(nlh, RTPRELAY_A_CALL_ID, owner->call_id);
	if (owner && owner->ng_call_id) {
		ctl_msg_put_str(nlh, RTPRELAY_A_NG_CALL_ID, owner->ng_call_id);
		put_str_if(nlh, RTPRELAY_A_NG_TAG, owner->ng_tag);
	}
	control_reply_add(d->rq, nlh);
	return 0;
}

static int cmd_flows(struct control_request *rq)
{
	struct datapath *dp = rq->ctx->dp;
	struct flow_dump d = { .rq = rq, .owners = flow_owners(rq->ctx) };
	int ret = dp->ops->flow_foreach(dp, put_flow, &d);

	g_hash_table_destroy(d.owners);

	if (ret < 0)
		return control_fail(rq, -ret, "cannot read the %s datapath's flows: %s", dp->ops->name, strerror(-ret));
	return 0;
}

static void put_room(const struct room *r, void *user)
{
	struct control_request *rq = user;
	struct nlmsghdr *nlh = control_reply_start(rq);

	ctl_msg_put_str(nlh, RTPRELAY_A_ROOM, room_name(r));
	ctl_msg_put_str(nlh, RTPRELAY_A_ROOM_MODE, room_mode_name(r));
	for (guint i = 0; i < room_member_count(r); i++)
		mnl_attr_put_u32(nlh, RTPRELAY_A_ROOM_MEMBER, room_member_id(r, i));
	control_reply_add(rq, nlh);
}

static int cmd_rooms(struct control_request *rq)
{
	room_foreach(rq->ctx->calls, put_room, rq);
	return 0;
}

static int cmd_bridge(struct control_request *rq)
{
	struct call *a, *b;
	GError *err = NULL;
	int ret;

	if ((ret = need_call(rq, RTPRELAY_A_CALL_ID, &a)) < 0 || (ret = need_call(rq, RTPRELAY_A_PEER_ID, &b)) < 0)
		return ret;
	if (!call_bridge(a, b, &err))
		return fail_gerror(rq, err);
	g_message("control: bridged calls %u and %u", a->id, b->id);
	return 0;
}

static int cmd_unbridge(struct control_request *rq)
{
	GError *err = NULL;
	struct call *c;
	int ret = need_call(rq, RTPRELAY_A_CALL_ID, &c);

	if (ret < 0)
		return ret;
	if (!call_unbridge(c, &err))
		return fail_gerror(rq, err);
	g_message("control: unbridged call %u", c->id);
	return 0;
}

static int cmd_hangup(struct control_request *rq)
{
	struct call *c;
	int ret = need_call(rq, RTPRELAY_A_CALL_ID, &c);

	if (ret < 0)
		return ret;
	g_message("control: hanging up call %u", c->id);
	call_hangup(c);
	return 0;
}

/* "pcmu" or "pcma", in either case. */
static int parse_codec(struct control_request *rq, const char *name, enum sdp_codec *out)
{
	static const enum sdp_codec codecs[] = { SDP_CODEC_PCMU, SDP_CODEC_PCMA };

	for (size_t i = 0; i < G_N_ELEMENTS(codecs); i++) {
		if (g_ascii_strcasecmp(name, sdp_codec_name(codecs[i])) == 0) {
			*out = codecs[i];
			return 0;
		}
	}
	return control_fail(rq, EINVAL, "unknown codec \"%s\": pcmu or pcma", name);
}

static int cmd_call(struct control_request *rq)
{
	const struct nlattr *const *tb = rq->msg->tb;
	uint32_t hz = tb[RTPRELAY_A_TONE_HZ] ? mnl_attr_get_u32(tb[RTPRELAY_A_TONE_HZ]) : rq->ctx->cfg->tone_hz;
	enum sdp_codec codec = SDP_CODEC_PCMU;
	struct nlmsghdr *nlh;
	GError *err = NULL;
	struct call *c;
	int ret;

	if ((ret = control_need_attr(rq, RTPRELAY_A_URI)) < 0)
		return ret;
	if (tb[RTPRELAY_A_CODEC] && (ret = parse_codec(rq, mnl_attr_get_str(tb[RTPRELAY_A_CODEC]), &codec)) < 0)
		return ret;
	c = call_place(rq->ctx->calls, mnl_attr_get_str(tb[RTPRELAY_A_URI]), hz, codec, &err);
	if (!c)
		return fail_gerror(rq, err);
	g_message("control: call %u to %s", c->id, c->remote_uri);
	nlh = control_reply_start(rq);
	mnl_attr_put_u32(nlh, RTPRELAY_A_CALL_ID, c->id);
	control_reply_add(rq, nlh);
	return 0;
}

static int cmd_tone(struct control_request *rq)
{
	GError *err = NULL;
	struct call *c;
	int ret;

	if ((ret = need_call(rq, RTPRELAY_A_CALL_ID, &c)) < 0 || (ret = control_need_attr(rq, RTPRELAY_A_TONE_HZ)) < 0)
		return ret;
	if (!call_set_tone(c, mnl_attr_get_u32(rq->msg->tb[RTPRELAY_A_TONE_HZ]), &err))
		return fail_gerror(rq, err);
	g_message("control: call %u tone %u Hz", c->id, c->tone_hz);
	return 0;
}

static const struct control_command commands[__RTPRELAY_CMD_MAX] = {
	[RTPRELAY_CMD_STATUS] = { "status", false, cmd_status },
	[RTPRELAY_CMD_STATS] = { "stats", false, cmd_stats },
	[RTPRELAY_CMD_CALLS] = { "calls", true, cmd_calls },
	[RTPRELAY_CMD_FLOWS] = { "flows", true, cmd_flows },
	[RTPRELAY_CMD_ROOMS] = { "rooms", true, cmd_rooms },
	[RTPRELAY_CMD_BRIDGE] = { "bridge", false, cmd_bridge },
	[RTPRELAY_CMD_UNBRIDGE] = { "unbridge", false, cmd_unbridge },
	[RTPRELAY_CMD_HANGUP] = { "hangup", false, cmd_hangup },
	[RTPRELAY_CMD_CALL] = { "call", false, cmd_call },
	[RTPRELAY_CMD_TONE] = { "tone", false, cmd_tone },
};

const struct control_command *control_commands_find(uint8_t cmd)
{
	return cmd < G_N_ELEMENTS(commands) && commands[cmd].run ? &commands[cmd] : control_settings_find(cmd);
}
