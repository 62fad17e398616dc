/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* GLib logging to stderr (journald picks it up under systemd), filtered by level. */
#ifndef RTPRELAY_LOG_H
#define RTPRELAY_LOG_H

#include <glib.h>

/* Log `level` and everything more severe. */
void log_init(GLogLevelFlags level);
/* Change the level while running (rtprelayctl set log-level, reload). */
void log_set_level(GLogLevelFlags level);

#endif
