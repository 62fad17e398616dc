// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "config_runtime.h"

static char *runtime_keys(void)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < CONFIG_OPTION_COUNT; i++) {
		if (config_option_runtime(i))
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", config_option_name(i));
	}
	return g_string_free(s, FALSE);
}

bool config_runtime_set(struct config *cfg, const char *key, const char *value, GError **err)
{
	int i = config_option_index(key);
	g_autofree char *keys = runtime_keys();

	if (i < 0) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_UNKNOWN, "unknown setting \"%s\" (it can change: %s)", key,
			    keys);
		return false;
	}
	if (!config_option_runtime(i)) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_RESTART,
			    "%s cannot change while rtprelayd runs: set it in the config file or on the command line "
			    "and restart (it can change: %s)",
			    key, keys);
		return false;
	}
	unsigned int max_calls = cfg->max_calls;

	if (!config_option_apply(cfg, i, value, CONFIG_SOURCE_CLI, err))
		return false;
	if (cfg->max_calls_cap && cfg->max_calls > cfg->max_calls_cap) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_INVALID,
			    "max-calls %u is above %u, what the open-file limit allows (raise LimitNOFILE and restart)",
			    cfg->max_calls, cfg->max_calls_cap);
		cfg->max_calls = max_calls;
		return false;
	}
	return true;
}

bool config_runtime_route_del(struct config *cfg, const char *user, GError **err)
{
	if (g_hash_table_remove(cfg->routes, user))
		return true;
	g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_UNKNOWN, "no route for user \"%s\"", user);
	return false;
}

/* Option i of fresh into cfg if it can change now, else a note that it needs a restart. */
static void reload_option(struct config *cfg, const struct config *fresh, unsigned int i, GPtrArray *changed,
			  GPtrArray *needs_restart)
{
	g_autofree char *now = config_option_value(cfg, i);
	g_autofree char *then = config_option_value(fresh, i);
	const char *name = config_option_name(i);

	if (!config_option_runtime(i)) {
		if (strcmp(now, then))
			g_ptr_array_add(needs_restart,
					g_strdup_printf("%s: running \"%s\", the %s says \"%s\"", name, now,
							config_source_name(fresh->sources[i]), then));
		return;
	}
	/* The value a formatter wrote parses back: this cannot fail. */
	if (!config_option_apply(cfg, i, then, fresh->sources[i], NULL))
		g_warn_if_reached();
	if (strcmp(now, then))
		g_ptr_array_add(changed, g_strdup_printf("%s: %s -> %s", name, now, then));
}

/* The routes become fresh's; each difference is noted. */
static void reload_routes(struct config *cfg, struct config *fresh, GPtrArray *changed)
{
	GHashTableIter it;
	gpointer user, target;

	g_hash_table_iter_init(&it, cfg->routes);
	while (g_hash_table_iter_next(&it, &user, &target)) {
		const char *then = g_hash_table_lookup(fresh->routes, user);

		if (!then)
			g_ptr_array_add(changed, g_strdup_printf("route %s: removed", (char *)user));
		else if (strcmp(then, target))
			g_ptr_array_add(changed,
					g_strdup_printf("route %s: %s -> %s", (char *)user, (char *)target, then));
	}
	g_hash_table_iter_init(&it, fresh->routes);
	while (g_hash_table_iter_next(&it, &user, &target)) {
		if (!g_hash_table_contains(cfg->routes, user))
			g_ptr_array_add(changed, g_strdup_printf("route %s: added %s", (char *)user, (char *)target));
	}
	g_hash_table_unref(cfg->routes);
	cfg->routes = g_steal_pointer(&fresh->routes);
}

bool config_runtime_reload(struct config *cfg, GPtrArray *changed, GPtrArray *needs_restart, GError **err)
{
	struct config fresh;
	bool ok;

	if (!cfg->file) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_FILE,
			    "rtprelayd was started without a config file: there is nothing to reload");
		return false;
	}
	config_set_defaults(&fresh);
	ok = config_load_file(&fresh, cfg->file, err) && config_apply_command_line(&fresh, cfg, err);
	if (ok) {
		config_resolve_host_defaults(&fresh);
		for (unsigned int i = 0; i < CONFIG_OPTION_COUNT; i++)
			reload_option(cfg, &fresh, i, changed, needs_restart);
		reload_routes(cfg, &fresh, changed);
		if (cfg->max_calls_cap && cfg->max_calls > cfg->max_calls_cap) {
			g_ptr_array_add(needs_restart,
					g_strdup_printf("max-calls: the file says %u, the open-file limit allows %u",
							cfg->max_calls, cfg->max_calls_cap));
			cfg->max_calls = cfg->max_calls_cap;
		}
	}
	config_free(&fresh);
	return ok;
}

void config_runtime_drain(struct config *cfg, bool on, const char *why)
{
	cfg->drain.on = on;
	g_strlcpy(cfg->drain.why, on ? why : "", sizeof(cfg->drain.why));
}
