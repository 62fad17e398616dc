// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <time.h>

#include "log.h"

static GLogLevelFlags log_threshold = G_LOG_LEVEL_MESSAGE;

static const char *level_name(GLogLevelFlags level)
{
	if (level & G_LOG_LEVEL_ERROR)
		return "error";
	if (level & G_LOG_LEVEL_CRITICAL)
		return "critical";
	if (level & G_LOG_LEVEL_WARNING)
		return "warning";
	if (level & G_LOG_LEVEL_MESSAGE)
		return "notice";
	if (level & G_LOG_LEVEL_INFO)
		return "info";
	return "debug";
}

/* GLib levels grow less severe as the bit value grows. */
static GLogWriterOutput write_stderr(GLogLevelFlags level, const GLogField *fields, gsize n, gpointer user)
{
	const char *message = "";
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	if ((level & G_LOG_LEVEL_MASK) > log_threshold)
		return G_LOG_WRITER_HANDLED;
	for (gsize i = 0; i < n; i++)
		if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
			message = fields[i].value;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld rtprelayd %s: %s\n", stamp, ts.tv_nsec / 1000000, level_name(level), message);
	return G_LOG_WRITER_HANDLED;
}

void log_init(GLogLevelFlags level)
{
	log_threshold = level;
	g_log_set_writer_func(write_stderr, NULL, NULL);
}

void log_set_level(GLogLevelFlags level)
{
	log_threshold = level;
}
