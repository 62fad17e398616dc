/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * GLib logging to stderr, filtered by level. When stderr is the journal
 * (systemd's JOURNAL_STREAM names its device and inode), each line is
 * "<N>message": the syslog priority N that journald takes from the line
 * (error 3, warning 4, notice 5, info 6, debug 7), without a timestamp,
 * which the journal adds. Elsewhere "HH:MM:SS.mmm rtprelayd LEVEL: message".
 */
#ifndef RTPRELAY_LOG_H
#define RTPRELAY_LOG_H

#include <glib.h>

/* Log `level` and everything more severe. */
void log_init(GLogLevelFlags level);
/* Change the level while running (rtprelayctl set log-level, reload). */
void log_set_level(GLogLevelFlags level);

#endif
