// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include <stdarg.h>

#include "exposition.h"

static const char *const type_names[] = {
	[EXPOSITION_COUNTER] = "counter",
	[EXPOSITION_GAUGE] = "gauge",
	[EXPOSITION_HISTOGRAM] = "histogram",
};

void exposition_init(struct exposition *e, GString *out)
{
	e->out = out;
	e->family = NULL;
}

/* Backslash and line feed in help text; a label value escapes its double quotes too. */
static void append_escaped(GString *out, const char *s, gboolean quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			g_string_append(out, "\\\\");
		else if (*s == '\n')
			g_string_append(out, "\\n");
		else if (*s == '"' && quote)
			g_string_append(out, "\\\"");
		else
			g_string_append_c(out, *s);
	}
}

void exposition_family(struct exposition *e, const char *name, enum exposition_type type, const char *help)
{
	e->family = name;
	g_string_append_printf(e->out, "# HELP %s ", name);
	append_escaped(e->out, help, FALSE);
	g_string_append_printf(e->out, "\n# TYPE %s %s\n", name, type_names[type]);
}

static void append_name_and_labels(struct exposition *e, const char *suffix, va_list ap)
{
	const char *label = va_arg(ap, const char *);

	g_string_append_printf(e->out, "%s%s", e->family, suffix);
	if (!label)
		return;
	g_string_append_c(e->out, '{');
	for (const char *sep = ""; label; label = va_arg(ap, const char *), sep = ",") {
		g_string_append_printf(e->out, "%s%s=\"", sep, label);
		append_escaped(e->out, va_arg(ap, const char *), TRUE);
		g_string_append_c(e->out, '"');
	}
	g_string_append_c(e->out, '}');
}

void exposition_u64(struct exposition *e, const char *suffix, uint64_t value, ...)
{
	va_list ap;

	va_start(ap, value);
	append_name_and_labels(e, suffix, ap);
	va_end(ap);
	g_string_append_printf(e->out, " %" G_GUINT64_FORMAT "\n", value);
}

void exposition_format_double(char buf[EXPOSITION_DOUBLE_MAX], double value)
{
	if (isnan(value)) {
		g_strlcpy(buf, "NaN", EXPOSITION_DOUBLE_MAX);
	} else if (isinf(value)) {
		g_strlcpy(buf, value > 0 ? "+Inf" : "-Inf", EXPOSITION_DOUBLE_MAX);
	} else {
		/* 15 digits read back the same for most values (0.1, not 0.10000000000000001); 17 always do. */
		g_ascii_formatd(buf, EXPOSITION_DOUBLE_MAX, "%.15g", value);
		if (g_ascii_strtod(buf, NULL) != value)
			g_ascii_formatd(buf, EXPOSITION_DOUBLE_MAX, "%.17g", value);
	}
}

void exposition_double(struct exposition *e, const char *suffix, double value, ...)
{
	char text[EXPOSITION_DOUBLE_MAX];
	va_list ap;

	va_start(ap, value);
	append_name_and_labels(e, suffix, ap);
	va_end(ap);
	exposition_format_double(text, value);
	g_string_append_printf(e->out, " %s\n", text);
}
