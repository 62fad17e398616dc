// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <sofia-sip/su_log.h>

#include "sip_log.h"

/* sofia-sip writes a line in pieces (a message trace line by line): log each whole line. */
static GString *pending;

static void log_pieces(void *stream, const char *fmt, va_list ap)
{
	char *newline;

	g_string_append_vprintf(pending, fmt, ap);
	while ((newline = strchr(pending->str, '\n'))) {
		*newline = '\0';
		if (newline > pending->str)
			g_info("sofia-sip: %s", pending->str);
		g_string_erase(pending, 0, newline - pending->str + 1);
	}
}

void sip_log_redirect(void)
{
	if (!pending)
		pending = g_string_new(NULL);
	/* Every sofia-sip module without a logger of its own writes through the default one. */
	su_log_redirect(su_log_default, log_pieces, NULL);
	su_log_redirect(su_log_global, log_pieces, NULL);
}
