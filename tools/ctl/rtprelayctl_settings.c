// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelayctl's commands for the daemon's settings while it runs: route,
 * set, config, reload, drain (README, "Runtime configuration and
 * draining"). The daemon checks every value and answers a refusal with a
 * message naming the problem, which request() prints.
 */
#include <stdio.h>
#include <string.h>

#include "rtprelayctl_client.h"
#include "rtprelayctl_output.h"
#include "rtprelayctl_settings.h"

/* A dump request, each reply one record of the list print writes. */
static int print_dump(struct client *cl, struct out *o, uint8_t cmd,
		      void (*print)(struct out *, const struct ctl_msg *))
{
	int error;
	GPtrArray *replies = request(cl, request_start(cl, cmd, true), &error);

	if (!replies)
		return EXIT_FAILED;
	out_list_begin(o, NULL);
	for (guint i = 0; i < replies->len; i++) {
		out_record_begin(o);
		print(o, &((struct reply *)replies->pdata[i])->msg);
		out_record_end(o);
	}
	out_list_end(o);
	g_ptr_array_free(replies, TRUE);
	return 0;
}

static void print_route(struct out *o, const struct ctl_msg *m)
{
	out_str(o, "user", "USER", attr_str(m, RTPRELAY_A_ROUTE_USER));
	out_str(o, "target", "TARGET", attr_str(m, RTPRELAY_A_URI));
}

static int route_usage(void)
{
	fprintf(stderr, "rtprelayctl: route: expected list, add USER sip:TARGET or del USER (try rtprelayctl route "
			"help)\n");
	return EXIT_USAGE;
}

int cmd_route(struct client *cl, struct out *o, int argc, char **argv)
{
	struct nlmsghdr *req;

	if (argc == 1 && !strcmp(argv[0], "list"))
		return print_dump(cl, o, RTPRELAY_CMD_ROUTES, print_route);
	if (argc == 3 && !strcmp(argv[0], "add")) {
		req = request_start(cl, RTPRELAY_CMD_ROUTE_ADD, false);
		ctl_msg_put_str(req, RTPRELAY_A_ROUTE_USER, argv[1]);
		ctl_msg_put_str(req, RTPRELAY_A_URI, argv[2]);
		return request_ack(cl, req);
	}
	if (argc == 2 && !strcmp(argv[0], "del")) {
		req = request_start(cl, RTPRELAY_CMD_ROUTE_DEL, false);
		ctl_msg_put_str(req, RTPRELAY_A_ROUTE_USER, argv[1]);
		return request_ack(cl, req);
	}
	return route_usage();
}

int cmd_set(struct client *cl, struct out *o, int argc, char **argv)
{
	struct nlmsghdr *req = request_start(cl, RTPRELAY_CMD_SET, false);

	ctl_msg_put_str(req, RTPRELAY_A_SETTING, argv[0]);
	ctl_msg_put_str(req, RTPRELAY_A_SETTING_VALUE, argv[1]);
	return request_ack(cl, req);
}

static void print_setting(struct out *o, const struct ctl_msg *m)
{
	const char *value = attr_str(m, RTPRELAY_A_SETTING_VALUE);

	out_str(o, "setting", "SETTING", attr_str(m, RTPRELAY_A_SETTING));
	out_str(o, "value", "VALUE", value[0] ? value : "-");
	out_str(o, "source", "SOURCE", attr_str(m, RTPRELAY_A_SETTING_SOURCE));
	out_bool(o, "runtime", "RUNTIME", m->tb[RTPRELAY_A_SETTING_RUNTIME]);
}

int cmd_config(struct client *cl, struct out *o, int argc, char **argv)
{
	return print_dump(cl, o, RTPRELAY_CMD_CONFIG, print_setting);
}

/* Every attribute `type` of r: JSON a list named key of {"setting", "change"}, text a "label" line each. */
static void print_reload_list(struct out *o, const struct reply *r, uint16_t type, const char *key, const char *label)
{
	const struct nlattr *a;

	out_list_begin(o, key);
	mnl_attr_for_each(a, r->nlh, GENL_HDRLEN)
	{
		const char *text = mnl_attr_get_type(a) == type ? mnl_attr_get_str(a) : NULL;
		const char *colon = text ? strstr(text, ": ") : NULL;
		g_autofree char *setting = colon ? g_strndup(text, colon - text) : NULL;

		if (!colon)
			continue;
		out_record_begin(o);
		out_str(o, "setting", NULL, setting);
		out_str(o, "change", NULL, colon + 2);
		out_record_end(o);
	}
	out_list_end(o);
	mnl_attr_for_each(a, r->nlh, GENL_HDRLEN)
	{
		if (mnl_attr_get_type(a) == type)
			out_str(o, NULL, label, mnl_attr_get_str(a));
	}
}

int cmd_reload(struct client *cl, struct out *o, int argc, char **argv)
{
	int error;
	GPtrArray *replies = request(cl, request_start(cl, RTPRELAY_CMD_RELOAD, false), &error);
	const struct reply *r;

	if (!replies)
		return EXIT_FAILED;
	if (replies->len) {
		r = replies->pdata[0];
		out_record_begin(o);
		out_str(o, "config_file", "reloaded", attr_str(&r->msg, RTPRELAY_A_CONFIG_FILE));
		print_reload_list(o, r, RTPRELAY_A_SETTING_CHANGED, "changed", "changed");
		print_reload_list(o, r, RTPRELAY_A_SETTING_RESTART, "needs_restart", "needs restart");
		out_record_end(o);
	}
	g_ptr_array_free(replies, TRUE);
	return 0;
}

int cmd_drain(struct client *cl, struct out *o, int argc, char **argv)
{
	struct nlmsghdr *req = request_start(cl, RTPRELAY_CMD_DRAIN, false);

	if (argc == 1 && strcmp(argv[0], "off")) {
		fprintf(stderr, "rtprelayctl: drain: unexpected argument \"%s\": drain, or drain off\n", argv[0]);
		return EXIT_USAGE;
	}
	mnl_attr_put_u8(req, RTPRELAY_A_DRAIN, argc == 0);
	return request_ack(cl, req);
}
