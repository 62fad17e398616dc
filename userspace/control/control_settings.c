// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>

#include "config/config_runtime.h"
#include "control_settings.h"

/* A config error as the command's failure: the errno that says what kind of refusal it is. */
static int fail_config(struct control_request *rq, GError *err)
{
	int code = EINVAL;
	int ret;

	if (err->domain == CONFIG_ERROR && err->code == CONFIG_ERROR_RESTART)
		code = EOPNOTSUPP;
	else if (err->domain == CONFIG_ERROR && err->code == CONFIG_ERROR_UNKNOWN)
		code = ENOENT;
	ret = control_fail(rq, code, "%s", err->message);
	g_error_free(err);
	return ret;
}

static void settings_changed(struct control_request *rq)
{
	const struct control_context *ctx = rq->ctx;

	if (ctx->settings_changed)
		ctx->settings_changed(ctx->cfg, ctx->settings_user);
}

static const char *attr_str(const struct control_request *rq, enum rtprelay_attr type)
{
	return mnl_attr_get_str(rq->msg->tb[type]);
}

static int cmd_routes(struct control_request *rq)
{
	GList *users = g_list_sort(g_hash_table_get_keys(rq->ctx->cfg->routes), (GCompareFunc)g_strcmp0);

	for (GList *l = users; l; l = l->next) {
		struct nlmsghdr *nlh = control_reply_start(rq);

		ctl_msg_put_str(nlh, RTPRELAY_A_ROUTE_USER, l->data);
		ctl_msg_put_str(nlh, RTPRELAY_A_URI, g_hash_table_lookup(rq->ctx->cfg->routes, l->data));
		control_reply_add(rq, nlh);
	}
	g_list_free(users);
	return 0;
}

static int cmd_route_add(struct control_request *rq)
{
	GError *err = NULL;
	int ret;

	if ((ret = control_need_attr(rq, RTPRELAY_A_ROUTE_USER)) < 0 ||
	    (ret = control_need_attr(rq, RTPRELAY_A_URI)) < 0)
		return ret;
	if (!config_add_route(rq->ctx->cfg, attr_str(rq, RTPRELAY_A_ROUTE_USER), attr_str(rq, RTPRELAY_A_URI), &err))
		return fail_config(rq, err);
	g_message("control: uid %u set route %s = %s", rq->uid, attr_str(rq, RTPRELAY_A_ROUTE_USER),
		  attr_str(rq, RTPRELAY_A_URI));
	return 0;
}

static int cmd_route_del(struct control_request *rq)
{
	GError *err = NULL;
	int ret = control_need_attr(rq, RTPRELAY_A_ROUTE_USER);

	if (ret < 0)
		return ret;
	if (!config_runtime_route_del(rq->ctx->cfg, attr_str(rq, RTPRELAY_A_ROUTE_USER), &err))
		return fail_config(rq, err);
	g_message("control: uid %u removed route %s", rq->uid, attr_str(rq, RTPRELAY_A_ROUTE_USER));
	return 0;
}

static int cmd_set(struct control_request *rq)
{
	const char *key, *value;
	GError *err = NULL;
	int ret;

	if ((ret = control_need_attr(rq, RTPRELAY_A_SETTING)) < 0 ||
	    (ret = control_need_attr(rq, RTPRELAY_A_SETTING_VALUE)) < 0)
		return ret;
	key = attr_str(rq, RTPRELAY_A_SETTING);
	value = attr_str(rq, RTPRELAY_A_SETTING_VALUE);
	if (!config_runtime_set(rq->ctx->cfg, key, value, &err))
		return fail_config(rq, err);
	g_message("control: uid %u set %s = %s", rq->uid, key, value);
	settings_changed(rq);
	return 0;
}

static int cmd_config(struct control_request *rq)
{
	const struct config *cfg = rq->ctx->cfg;

	for (unsigned int i = 0; i < CONFIG_OPTION_COUNT; i++) {
		struct nlmsghdr *nlh = control_reply_start(rq);
		g_autofree char *value = config_option_value(cfg, i);

		ctl_msg_put_str(nlh, RTPRELAY_A_SETTING, config_option_name(i));
		ctl_msg_put_str(nlh, RTPRELAY_A_SETTING_VALUE, value);
		ctl_msg_put_str(nlh, RTPRELAY_A_SETTING_SOURCE, config_source_name(cfg->sources[i]));
		if (config_option_runtime(i))
			mnl_attr_put(nlh, RTPRELAY_A_SETTING_RUNTIME, 0, NULL);
		control_reply_add(rq, nlh);
	}
	return 0;
}

/* The strings of list as repeated attributes of type, each logged. */
static void put_list(struct nlmsghdr *nlh, uint16_t type, const GPtrArray *list, uid_t uid, const char *what)
{
	for (guint i = 0; i < list->len; i++) {
		ctl_msg_put_str(nlh, type, list->pdata[i]);
		g_message("control: reload by uid %u: %s%s", uid, (const char *)list->pdata[i], what);
	}
}

static int cmd_reload(struct control_request *rq)
{
	g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) restart = g_ptr_array_new_with_free_func(g_free);
	struct config *cfg = rq->ctx->cfg;
	struct nlmsghdr *nlh;
	GError *err = NULL;

	if (!config_runtime_reload(cfg, changed, restart, &err)) {
		g_warning("control: reload by uid %u failed: %s", rq->uid, err->message);
		return fail_config(rq, err);
	}
	nlh = control_reply_start(rq);
	ctl_msg_put_str(nlh, RTPRELAY_A_CONFIG_FILE, cfg->file);
	put_list(nlh, RTPRELAY_A_SETTING_CHANGED, changed, rq->uid, "");
	put_list(nlh, RTPRELAY_A_SETTING_RESTART, restart, rq->uid, " (needs a restart)");
	control_reply_add(rq, nlh);
	g_message("control: uid %u reloaded %s: %u changed, %u need a restart", rq->uid, cfg->file, changed->len,
		  restart->len);
	settings_changed(rq);
	return 0;
}

static int cmd_drain(struct control_request *rq)
{
	struct config *cfg = rq->ctx->cfg;
	char why[sizeof(cfg->drain.why)];
	int ret = control_need_attr(rq, RTPRELAY_A_DRAIN);
	bool on;

	if (ret < 0)
		return ret;
	on = mnl_attr_get_u8(rq->msg->tb[RTPRELAY_A_DRAIN]);
	snprintf(why, sizeof(why), "rtprelayctl drain by uid %u", rq->uid);
	config_runtime_drain(cfg, on, why);
	g_message("control: uid %u %s", rq->uid,
		  on ? "started draining: new calls are refused" : "stopped draining: new calls are taken");
	return 0;
}

static const struct control_command commands[] = {
	[RTPRELAY_CMD_ROUTES] = { "route list", true, cmd_routes },
	[RTPRELAY_CMD_ROUTE_ADD] = { "route add", false, cmd_route_add },
	[RTPRELAY_CMD_ROUTE_DEL] = { "route del", false, cmd_route_del },
	[RTPRELAY_CMD_SET] = { "set", false, cmd_set },
	[RTPRELAY_CMD_CONFIG] = { "config", true, cmd_config },
	[RTPRELAY_CMD_RELOAD] = { "reload", false, cmd_reload },
	[RTPRELAY_CMD_DRAIN] = { "drain", false, cmd_drain },
};

const struct control_command *control_settings_find(uint8_t cmd)
{
	return cmd < G_N_ELEMENTS(commands) && commands[cmd].run ? &commands[cmd] : NULL;
}
