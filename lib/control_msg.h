/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Building, checking and parsing control messages (control_abi.h) with
 * libmnl, for both ends: the daemon's control server and rtprelayctl.
 * Sockets, credentials, message headers, attribute validation against one
 * policy table, and extended acks.
 *
 * Names: everything here is ctl_msg_* (the wire both ends speak); the
 * daemon's side of it is userspace/control (control_server_*,
 * control_commands_*), rtprelayctl's is tools/ctl.
 */
#ifndef RTPRELAY_CONTROL_MSG_H
#define RTPRELAY_CONTROL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "control_abi.h"

/* A NETLINK_USERSOCK socket bound to portid (0: one the kernel picks), with SO_PASSCRED; NULL with errno set. */
struct mnl_socket *ctl_msg_socket_open(uint32_t portid);
/* sendto() the process bound at portid; bytes sent or -1 with errno (ECONNREFUSED: nobody is bound there). */
ssize_t ctl_msg_send(struct mnl_socket *nl, uint32_t portid, const void *buf, size_t len, int flags);

/* Who sent a received datagram. */
struct ctl_msg_datagram {
	size_t len;	 /* bytes in the buffer */
	bool truncated;	 /* the datagram was longer than the buffer */
	uint32_t portid; /* the sender's port id, as the kernel saw it */
	bool has_cred;	 /* SCM_CREDENTIALS came with it */
	struct ucred cred;
};

/* recvmsg() one datagram into buf and its sender into dg: 0, or -1 with errno set. */
int ctl_msg_recv(struct mnl_socket *nl, void *buf, size_t size, struct ctl_msg_datagram *dg);

/*
 * Start a request or reply in buf (at least RTPRELAY_CTL_MSG_MAX bytes):
 * nlmsghdr and genlmsghdr; add attributes with mnl_attr_put_* after it.
 */
struct nlmsghdr *ctl_msg_put_header(void *buf, uint8_t cmd, uint16_t flags, uint32_t seq, uint32_t portid);
/* A string attribute, cut to RTPRELAY_CTL_STR_MAX - 1 bytes. */
void ctl_msg_put_str(struct nlmsghdr *nlh, uint16_t type, const char *s);

/*
 * How many bytes at the start of buf are whole messages (with their
 * padding); the rest, if any, is a truncated or malformed one. Check this
 * before mnl_nlmsg_ok()/mnl_cb_run(): libmnl compares nlmsg_len as an int,
 * so a length of 2^31 or more passes there.
 */
size_t ctl_msg_whole_len(const void *buf, size_t len);

/* A parsed message: its command and its known attributes, validated. */
struct ctl_msg {
	uint8_t cmd;
	const struct nlattr *tb[__RTPRELAY_A_MAX]; /* the last of each type; NULL when absent */
};

/*
 * Check a message's type, command header and version and validate every
 * attribute against the policy. 0, or -errno with a one-line reason in err.
 */
int ctl_msg_parse(const struct nlmsghdr *nlh, struct ctl_msg *msg, char *err, size_t errlen);
/* The same for the attributes nested in an RTPRELAY_A_INTERFACE. */
int ctl_msg_iface_parse(const struct nlattr *nest, const struct nlattr *tb[__RTPRELAY_IFACE_A_MAX], char *err,
			size_t errlen);
/* "call_id", ... for messages; NULL for a type the policy does not know. */
const char *ctl_msg_attr_name(unsigned int type);

/*
 * The NLMSG_ERROR answering req (its header is echoed, NLM_F_CAPPED):
 * error 0 is an ACK; otherwise -errno and msg as NLMSGERR_ATTR_MSG.
 * portid: the requester's, seq: req's.
 */
struct nlmsghdr *ctl_msg_put_error(void *buf, const struct nlmsghdr *req, uint32_t portid, int error, const char *msg);
/* The NLMSG_DONE that ends the dump req asked for. */
struct nlmsghdr *ctl_msg_put_done(void *buf, const struct nlmsghdr *req, uint32_t portid);
/*
 * Read an NLMSG_ERROR: *error (0 for an ACK, else -errno) and *msg, the
 * extended-ack message or NULL. 0, or -EBADMSG when it is malformed.
 */
int ctl_msg_error_parse(const struct nlmsghdr *nlh, int *error, const char **msg);

/* A port id as the CLI and the config take it: 1 to 4294967295, decimal or 0x hex. */
bool ctl_msg_port_parse(const char *s, uint32_t *out);

#endif
