/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control protocol between rtprelayd and rtprelayctl: the one
 * definition of its message type, commands and attributes, included by
 * both sides.
 *
 * Transport: NETLINK_USERSOCK datagrams in the daemon's network namespace,
 * sent to the port id the daemon binds (--control-port, default
 * RTPRELAY_CONTROL_PORT_DEFAULT below). Both sockets set SO_PASSCRED:
 * the daemon answers only uid 0 or its control group, the CLI believes only
 * replies sent by uid 0 or by RTPRELAY_DAEMON_USER below.
 *
 * Every message: struct nlmsghdr (nlmsg_type RTPRELAY_CTL_TYPE), struct
 * genlmsghdr (cmd: enum rtprelay_cmd, version RTPRELAY_CTL_VERSION), then
 * attributes (enum rtprelay_attr). Unknown attribute types are ignored, so
 * either side may grow new ones; a known type with the wrong size is an
 * error.
 *
 * Requests carry NLM_F_REQUEST | NLM_F_ACK, and NLM_F_DUMP for the list
 * commands (CALLS, FLOWS, ROOMS). Replies copy the request's sequence
 * number and command:
 *  - a list: one NLM_F_MULTI message per item, then NLMSG_DONE;
 *  - another command: at most one reply message (STATUS, STATS, CALL),
 *    then the ACK (NLMSG_ERROR with error 0);
 *  - any failure, including a malformed or truncated request: NLMSG_ERROR
 *    with the negative errno, NLM_F_CAPPED (only the request's header is
 *    echoed) and NLM_F_ACK_TLVS with an NLMSGERR_ATTR_MSG string that
 *    names the problem.
 * Control messages (types below NLMSG_MIN_TYPE) sent to the daemon are
 * ignored: answering an error with an error could loop.
 */
#ifndef RTPRELAY_CONTROL_ABI_H
#define RTPRELAY_CONTROL_ABI_H

/*
 * The netlink (NETLINK_USERSOCK) port id the control server binds and
 * rtprelayctl sends to: "RTPR" in ASCII. Any fixed value works as long as
 * both ends agree; a high one stays clear of the process ids the kernel
 * hands out as automatic port ids.
 */
#define RTPRELAY_CONTROL_PORT_DEFAULT 0x52545052u

/*
 * The system user the packaged rtprelayd runs as (User= in
 * rtprelayd.service, created by the package): besides root, the only
 * sender whose replies rtprelayctl believes. Only root can take its uid.
 */
#define RTPRELAY_DAEMON_USER "rtprelay"

#include <linux/genetlink.h>
#include <linux/netlink.h>

#define RTPRELAY_CTL_TYPE    0x5243 /* nlmsg_type of requests and replies: "RC" */
#define RTPRELAY_CTL_VERSION 1	    /* genlmsghdr.version */

/* The largest message either side builds; strings are cut to fit. */
#define RTPRELAY_CTL_MSG_MAX 16384
#define RTPRELAY_CTL_STR_MAX 1024 /* string attributes, NUL included */
/* The largest datagram (several messages of a dump): receive buffers hold this much. */
#define RTPRELAY_CTL_DATAGRAM_MAX 65536

enum rtprelay_cmd {
	RTPRELAY_CMD_UNSPEC,
	RTPRELAY_CMD_STATUS,   /* reply: VERSION .. PORTS_CAPACITY, KERNEL_PATH, USERSPACE_FORWARDED */
	RTPRELAY_CMD_STATS,    /* reply: COUNTERS, CALLS_TOTAL, CALL_COUNT, CALLS_FAILED */
	RTPRELAY_CMD_CALLS,    /* dump; each: CALL_ID .. AGE_MS */
	RTPRELAY_CMD_FLOWS,    /* dump; each: FLOW_KEY, FLOW_VALUE */
	RTPRELAY_CMD_ROOMS,    /* dump; each: ROOM, ROOM_MODE, ROOM_MEMBER... */
	RTPRELAY_CMD_BRIDGE,   /* request: CALL_ID, PEER_ID */
	RTPRELAY_CMD_UNBRIDGE, /* request: CALL_ID */
	RTPRELAY_CMD_HANGUP,   /* request: CALL_ID */
	RTPRELAY_CMD_CALL,     /* request: URI, optional TONE_HZ and CODEC; reply: CALL_ID */
	RTPRELAY_CMD_TONE,     /* request: CALL_ID, TONE_HZ */
	/* Runtime configuration (README, "Runtime configuration and draining") */
	RTPRELAY_CMD_ROUTES,	/* dump; each: ROUTE_USER, URI (the target) */
	RTPRELAY_CMD_ROUTE_ADD, /* request: ROUTE_USER, URI; adds or replaces */
	RTPRELAY_CMD_ROUTE_DEL, /* request: ROUTE_USER */
	RTPRELAY_CMD_SET,	/* request: SETTING, SETTING_VALUE */
	RTPRELAY_CMD_CONFIG,	/* dump; each: SETTING, SETTING_VALUE, SETTING_SOURCE, SETTING_RUNTIME */
	RTPRELAY_CMD_RELOAD,	/* reply: CONFIG_FILE, SETTING_CHANGED..., SETTING_RESTART... */
	RTPRELAY_CMD_DRAIN,	/* request: DRAIN */
	__RTPRELAY_CMD_MAX,
};

/* Top-level attributes; the comment gives each one's payload type. */
enum rtprelay_attr {
	RTPRELAY_A_UNSPEC,
	/* STATUS */
	RTPRELAY_A_VERSION,	   /* string: the daemon's version */
	RTPRELAY_A_PID,		   /* u32: the daemon's process id */
	RTPRELAY_A_UPTIME_MS,	   /* u64: milliseconds since start */
	RTPRELAY_A_DATAPATH,	   /* string: the backend in use, "xdp" or "userspace" */
	RTPRELAY_A_DATAPATH_WHY,   /* string: why that backend was chosen */
	RTPRELAY_A_INTERFACE,	   /* nested enum rtprelay_iface_attr; one per configured interface */
	RTPRELAY_A_BPFFS,	   /* string: the directory of the pinned maps and links */
	RTPRELAY_A_SIP_LISTEN,	   /* string: SIP address and port, "0.0.0.0:5060" */
	RTPRELAY_A_MEDIA_IP,	   /* string: the address in our SDP */
	RTPRELAY_A_CALL_COUNT,	   /* u32: calls now (STATUS and STATS) */
	RTPRELAY_A_ROOM_COUNT,	   /* u32: conference rooms now */
	RTPRELAY_A_FLOW_COUNT,	   /* u32: flows in the datapath's table */
	RTPRELAY_A_PORTS_IN_USE,   /* u32: RTP ports taken from the pool (RTCP is port+1) */
	RTPRELAY_A_PORTS_CAPACITY, /* u32: RTP ports in the pool */
	/* STATS */
	RTPRELAY_A_COUNTERS,	 /* binary: struct global_counters (bpf/flow_abi.h), summed over CPUs */
	RTPRELAY_A_CALLS_TOTAL,	 /* u64: calls since start, incoming and placed */
	RTPRELAY_A_CALLS_FAILED, /* u64: of those, refused or failed */
	/* a call (CALLS items, requests naming calls) */
	RTPRELAY_A_CALL_ID,	      /* u32 */
	RTPRELAY_A_PEER_ID,	      /* u32: BRIDGE's second call */
	RTPRELAY_A_STATE,	      /* string: "ringing", "answered", "calling", "active", "terminating" */
	RTPRELAY_A_OUTGOING,	      /* flag: placed by us (CLI or B2BUA route) */
	RTPRELAY_A_URI,		      /* string: the peer's URI; CALL: the target */
	RTPRELAY_A_CODEC,	      /* string: "PCMU" or "PCMA" (either case in CALL) */
	RTPRELAY_A_MEDIA,	      /* string: what the leg gets, "tone", "bridge", "mix", ... */
	RTPRELAY_A_TONE_HZ,	      /* u32: the call's tone frequency */
	RTPRELAY_A_BRIDGED_WITH,      /* u32: the other leg's call id; absent when not bridged */
	RTPRELAY_A_ROOM,	      /* string: the room's name; absent when in none */
	RTPRELAY_A_LOCAL_RTP,	      /* string: the relay's RTP address, "addr:port" / "[addr]:port" */
	RTPRELAY_A_REMOTE_RTP,	      /* string: the peer's (latched, else SDP); absent before its SDP */
	RTPRELAY_A_LATCHED,	      /* flag: the peer's source address is latched */
	RTPRELAY_A_PACKETS_IN,	      /* u64: RTP+RTCP from the peer, userspace and datapath */
	RTPRELAY_A_PACKETS_OUT,	      /* u64: RTP+RTCP to the peer, userspace and datapath */
	RTPRELAY_A_PACKETS_USERSPACE, /* u64: of PACKETS_IN, those that reached the daemon's sockets */
	RTPRELAY_A_AGE_MS,	      /* u64: milliseconds since the call began */
	/* a flow (FLOWS items) */
	RTPRELAY_A_FLOW_KEY,   /* binary: struct flow_key (bpf/flow_abi.h), as in the map */
	RTPRELAY_A_FLOW_VALUE, /* binary: struct flow_value, counters included */
	/* a room (ROOMS items; its name is RTPRELAY_A_ROOM) */
	RTPRELAY_A_ROOM_MODE,	/* string: "waiting", "bridge" or "mix" */
	RTPRELAY_A_ROOM_MEMBER, /* u32: a member's call id; repeated, in order of joining */
	/* STATUS, continued */
	RTPRELAY_A_KERNEL_PATH,		/* string: "ok", or "degraded: <why>" when bridged packets cross the daemon */
	RTPRELAY_A_USERSPACE_FORWARDED, /* u64: bridged packets the daemon forwarded itself since start */
	RTPRELAY_A_DRAINING,		/* string: who made the daemon drain; absent when it takes calls */
	/* runtime configuration */
	RTPRELAY_A_ROUTE_USER,	    /* string: the Request-URI user a route matches */
	RTPRELAY_A_SETTING,	    /* string: an option's long name, "max-calls" */
	RTPRELAY_A_SETTING_VALUE,   /* string: its value as the command line takes it */
	RTPRELAY_A_SETTING_SOURCE,  /* string: "default", "file", "command line" or "cli" */
	RTPRELAY_A_SETTING_RUNTIME, /* flag: rtprelayctl set may change it */
	RTPRELAY_A_CONFIG_FILE,	    /* string: the config file reload read */
	RTPRELAY_A_SETTING_CHANGED, /* string: "max-calls: 10000 -> 1"; repeated */
	RTPRELAY_A_SETTING_RESTART, /* string: a difference only a restart applies; repeated */
	RTPRELAY_A_DRAIN,	    /* u8: 1 refuse new calls, 0 take them again */
	/*
	 * ng calls, present only with --listen-ng. A CALLS item with
	 * NG_CALL_ID is an ng call's leg: NG_CALL_ID .. NG_MEDIA_TYPE, then
	 * STATE, MEDIA, LOCAL_RTP .. AGE_MS as for a SIP call. A FLOWS item
	 * names the call the flow belongs to: CALL_ID, or NG_CALL_ID and
	 * NG_TAG. STATUS adds NG_CALL_COUNT; STATS adds it and NG_CALLS_TOTAL.
	 */
	RTPRELAY_A_NG_CALL_ID,	   /* string: the ng call-id */
	RTPRELAY_A_NG_FROM_TAG,	   /* string: the tag of the call's first offer */
	RTPRELAY_A_NG_TO_TAG,	   /* string: the tag of its answer; absent before it */
	RTPRELAY_A_NG_TAG,	   /* string: the side whose peer sends to this leg; absent while unanswered */
	RTPRELAY_A_NG_LABEL,	   /* string: that side's label; absent when none was given */
	RTPRELAY_A_NG_MEDIA_INDEX, /* u32: the leg's m= line, from 1 */
	RTPRELAY_A_NG_MEDIA_TYPE,  /* string: its media, "audio", "video", ... */
	RTPRELAY_A_NG_CALL_COUNT,  /* u32: ng calls now (STATUS and STATS) */
	RTPRELAY_A_NG_CALLS_TOTAL, /* u64: ng calls created since start (STATS) */
	/*
	 * CALLS, a SIP call: packets from the peer's side dropped because they
	 * came from another source than the one the leg latched to (or may
	 * latch to), by the daemon and by the datapath's flows (while they
	 * exist): a hijack attempt shows here.
	 */
	RTPRELAY_A_WRONG_SOURCE, /* u64 */
	__RTPRELAY_A_MAX,
};

/* Inside RTPRELAY_A_INTERFACE. */
enum rtprelay_iface_attr {
	RTPRELAY_IFACE_A_UNSPEC,
	RTPRELAY_IFACE_A_NAME,	      /* string */
	RTPRELAY_IFACE_A_INDEX,	      /* u32: 0 if the interface does not exist */
	RTPRELAY_IFACE_A_XDP_MODE,    /* string: "native", "generic", "offload", "multi", "none"; absent if unknown */
	RTPRELAY_IFACE_A_XDP_PROG_ID, /* u32: the attached XDP program; absent when none */
	__RTPRELAY_IFACE_A_MAX,
};

#endif
