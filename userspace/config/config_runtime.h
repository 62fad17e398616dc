/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The settings that change while rtprelayd runs (rtprelayctl set, route,
 * reload, drain; SIGHUP and SIGUSR1): max-calls, rtp-timeout,
 * default-route, log-level, tone-hz, the routes, and draining. Everything
 * that reads them reads the one struct config on the main loop, so the
 * next call sees a change. Any other option is opened, bound or attached
 * at start and needs a restart.
 */
#ifndef RTPRELAY_CONFIG_RUNTIME_H
#define RTPRELAY_CONFIG_RUNTIME_H

#include "config.h"

/*
 * rtprelayctl set KEY VALUE: false with err set (CONFIG_ERROR_RESTART for
 * a key that needs a restart, CONFIG_ERROR_UNKNOWN, CONFIG_ERROR_INVALID
 * naming the value) and nothing changed.
 */
bool config_runtime_set(struct config *cfg, const char *key, const char *value, GError **err);

/* Remove the route of user: false with err set when there is none. */
bool config_runtime_route_del(struct config *cfg, const char *user, GError **err);

/*
 * Read cfg->file again, with the command line still overriding it, and
 * apply what can change: each change ("max-calls: 10000 -> 1") is added to
 * changed, each difference that needs a restart ("rtp-ports: running
 * 20000-20999, the file says 30000-30999") to needs_restart (both arrays
 * of g_free'd strings). The routes become the file's and the command
 * line's: those added with rtprelayctl are dropped. False with err set and
 * nothing changed when there is no file or it does not load.
 */
bool config_runtime_reload(struct config *cfg, GPtrArray *changed, GPtrArray *needs_restart, GError **err);

/* Start or stop refusing new calls; why names who asked. */
void config_runtime_drain(struct config *cfg, bool on, const char *why);

#endif
