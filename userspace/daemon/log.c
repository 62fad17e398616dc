// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "log.h"

static GLogLevelFlags log_threshold = G_LOG_LEVEL_MESSAGE;
static gboolean log_to_journal;

/* A GLib level's name and its syslog priority, most severe first. */
static const struct {
	GLogLevelFlags flag;
	const char *name;
	int priority;
} levels[] = {
	{ G_LOG_LEVEL_ERROR, "error", 3 },     { G_LOG_LEVEL_CRITICAL, "critical", 3 },
	{ G_LOG_LEVEL_WARNING, "warning", 4 }, { G_LOG_LEVEL_MESSAGE, "notice", 5 },
	{ G_LOG_LEVEL_INFO, "info", 6 },       { G_LOG_LEVEL_DEBUG, "debug", 7 },
};

static guint level_index(GLogLevelFlags level)
{
	for (guint i = 0; i < G_N_ELEMENTS(levels); i++)
		if (level & levels[i].flag)
			return i;
	return G_N_ELEMENTS(levels) - 1;
}

/* systemd sets JOURNAL_STREAM=DEVICE:INODE when it connects stderr to the journal. */
static gboolean stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!stream || sscanf(stream, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return FALSE;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

/* Each line of message prefixed with <priority>: journald reads the prefix of every line. */
static void write_journal(int priority, const char *message)
{
	const char *line = message, *end;

	do {
		end = strchrnul(line, '\n');
		fprintf(stderr, "<%d>%.*s\n", priority, (int)(end - line), line);
		line = end + 1;
	} while (*end);
}

static void write_plain(const char *level_name, const char *message)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld rtprelayd %s: %s\n", stamp, ts.tv_nsec / 1000000, level_name, message);
}

/* GLib levels grow less severe as the bit value grows. */
static GLogWriterOutput write_stderr(GLogLevelFlags level, const GLogField *fields, gsize n, gpointer user)
{
	const char *message = "";
	guint i = level_index(level);

	if ((level & G_LOG_LEVEL_MASK) > log_threshold)
		return G_LOG_WRITER_HANDLED;
	for (gsize f = 0; f < n; f++)
		if (g_strcmp0(fields[f].key, "MESSAGE") == 0)
			message = fields[f].value;
	if (log_to_journal)
		write_journal(levels[i].priority, message);
	else
		write_plain(levels[i].name, message);
	return G_LOG_WRITER_HANDLED;
}

void log_init(GLogLevelFlags level)
{
	log_threshold = level;
	log_to_journal = stderr_is_journal();
	g_log_set_writer_func(write_stderr, NULL, NULL);
}

void log_set_level(GLogLevelFlags level)
{
	log_threshold = level;
}
