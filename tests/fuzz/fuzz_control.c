// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A control datagram (lib/control_msg.h) taken apart as the daemon's control
 * server does: the whole messages at its start (ctl_msg_whole_len), each
 * walked with libmnl and checked with ctl_msg_parse, the nested interface
 * attributes with ctl_msg_iface_parse; and as rtprelayctl reads a reply
 * (ctl_msg_error_parse). The rules: the whole messages lie inside the
 * datagram and libmnl's walk covers exactly them, and every attribute a
 * parse accepts lies inside its message with the size its policy gives.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "lib/control_msg.h"
#include "fuzz_support.h"

static void check_inside(const struct nlattr *a, const void *start, size_t len, const char *what)
{
	const char *p = (const char *)a, *end = (const char *)start + len;

	FUZZ_CHECK(p >= (const char *)start && p + sizeof(*a) <= end && p + a->nla_len <= end,
		   "%s attribute %u at %td, %u bytes, outside the %zu of its message", what, mnl_attr_get_type(a),
		   p - (const char *)start, a->nla_len, len);
}

/* What the daemon's commands read (control_commands.c) must be there in whole: strings with their NUL, u32s. */
static void check_command_attrs(const struct ctl_msg *msg)
{
	static const unsigned int strings[] = { RTPRELAY_A_URI, RTPRELAY_A_CODEC };
	static const unsigned int u32s[] = { RTPRELAY_A_CALL_ID, RTPRELAY_A_PEER_ID, RTPRELAY_A_TONE_HZ };
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		const struct nlattr *a = msg->tb[strings[i]];

		if (a)
			FUZZ_CHECK(mnl_attr_get_payload_len(a) && !mnl_attr_get_str(a)[mnl_attr_get_payload_len(a) - 1],
				   "string attribute %s without its NUL", ctl_msg_attr_name(strings[i]));
	}
	for (i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		const struct nlattr *a = msg->tb[u32s[i]];

		if (a)
			FUZZ_CHECK(mnl_attr_get_payload_len(a) == sizeof(uint32_t), "u32 attribute %s of %u bytes",
				   ctl_msg_attr_name(u32s[i]), mnl_attr_get_payload_len(a));
	}
}

static void check_request(const struct nlmsghdr *nlh)
{
	const struct nlattr *iface[__RTPRELAY_IFACE_A_MAX];
	struct ctl_msg msg;
	char err[256];
	unsigned int t;

	if (ctl_msg_parse(nlh, &msg, err, sizeof(err)) < 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) && err[0], "a refusal without a reason");
		return;
	}
	FUZZ_CHECK(msg.cmd != RTPRELAY_CMD_UNSPEC && msg.cmd < __RTPRELAY_CMD_MAX, "command %u accepted", msg.cmd);
	for (t = 0; t < __RTPRELAY_A_MAX; t++) {
		if (msg.tb[t])
			check_inside(msg.tb[t], nlh, nlh->nlmsg_len, ctl_msg_attr_name(t));
	}
	check_command_attrs(&msg);
	if (!msg.tb[RTPRELAY_A_INTERFACE] || ctl_msg_iface_parse(msg.tb[RTPRELAY_A_INTERFACE], iface, err, sizeof(err)))
		return;
	for (t = 0; t < __RTPRELAY_IFACE_A_MAX; t++) {
		if (iface[t])
			check_inside(iface[t], mnl_attr_get_payload(msg.tb[RTPRELAY_A_INTERFACE]),
				     mnl_attr_get_payload_len(msg.tb[RTPRELAY_A_INTERFACE]), "interface");
	}
}

static void check_reply(const struct nlmsghdr *nlh)
{
	const char *msg;
	int error;

	if (nlh->nlmsg_type != NLMSG_ERROR || ctl_msg_error_parse(nlh, &error, &msg) < 0 || !msg)
		return;
	FUZZ_CHECK(msg >= (const char *)nlh && msg + strlen(msg) < (const char *)nlh + nlh->nlmsg_len,
		   "extended ack message outside its message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The server receives into an aligned buffer of RTPRELAY_CTL_DATAGRAM_MAX bytes. */
	static uint32_t rx[RTPRELAY_CTL_DATAGRAM_MAX / sizeof(uint32_t)];
	const struct nlmsghdr *nlh;
	size_t whole, walked = 0;
	int left;

	if (size > sizeof(rx))
		return 0;
	memcpy(rx, data, size);
	whole = ctl_msg_whole_len(rx, size);
	FUZZ_CHECK(whole <= size, "%zu whole bytes of %zu", whole, size);
	left = whole;
	for (nlh = (const struct nlmsghdr *)rx; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		FUZZ_CHECK((const char *)nlh + nlh->nlmsg_len <= (const char *)rx + whole,
			   "message at %td, %u bytes, past the %zu whole ones", (const char *)nlh - (const char *)rx,
			   nlh->nlmsg_len, whole);
		walked = (const char *)nlh - (const char *)rx + MNL_ALIGN(nlh->nlmsg_len);
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			check_request(nlh);
		else
			check_reply(nlh);
	}
	FUZZ_CHECK(walked >= whole, "libmnl walked %zu of %zu whole bytes", walked, whole);
	return 0;
}
