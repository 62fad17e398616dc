// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtprelayctl's JSON and text output (rtprelayctl_output.h). JSON goes
 * straight to stdout as the fields arrive; text is collected as rows of
 * cells and printed aligned when its list or record ends.
 */
#include <inttypes.h>
#include <stdio.h>
#include <glib.h>

#include "rtprelayctl_output.h"

#define JSON_DEPTH_MAX 8

enum text_layout {
	TEXT_NONE,
	TEXT_TABLE,  /* a top-level list: a header row, one row per record */
	TEXT_RECORD, /* a top-level record: one "label value" row per field */
};

struct cell {
	char *text;
	bool numeric; /* right-aligned in a table */
};

struct out {
	bool json, pretty;
	bool printed_table; /* text: a table with rows, so the next one starts after a blank line */
	bool wrote;	    /* JSON: something, so a newline ends the document */
	int depth;
	/* JSON: whether the container at each depth has a member already */
	bool has_member[JSON_DEPTH_MAX];
	/* text */
	enum text_layout layout;
	GPtrArray *labels; /* of the table's columns, from its first row */
	GPtrArray *rows;   /* GArray of struct cell */
	GArray *row;	   /* the row being filled */
};

static void cell_clear(gpointer p)
{
	g_free(((struct cell *)p)->text);
}

static void row_free(gpointer p)
{
	g_array_free(p, TRUE);
}

struct out *out_new(bool json, bool pretty)
{
	struct out *o = g_new0(struct out, 1);

	o->json = json;
	o->pretty = pretty;
	o->labels = g_ptr_array_new();
	o->rows = g_ptr_array_new_with_free_func(row_free);
	return o;
}

void out_finish(struct out *o)
{
	if (o->wrote)
		putchar('\n');
	g_ptr_array_free(o->labels, TRUE);
	g_ptr_array_free(o->rows, TRUE);
	g_free(o);
}

/* JSON */

static void json_indent(const struct out *o)
{
	if (!o->pretty)
		return;
	putchar('\n');
	for (int i = 0; i < o->depth; i++)
		fputs("    ", stdout);
}

static void json_string(const char *s)
{
	char *valid = g_utf8_make_valid(s, -1);

	putchar('"');
	for (const unsigned char *p = (const unsigned char *)valid; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
	g_free(valid);
}

/* Before a value: the comma, the indentation and the key (in an object). */
static void json_member(struct out *o, const char *key)
{
	o->wrote = true;
	if (o->depth > 0) {
		if (o->has_member[o->depth])
			putchar(',');
		o->has_member[o->depth] = true;
		json_indent(o);
	}
	if (key) {
		json_string(key);
		fputs(o->pretty ? ": " : ":", stdout);
	}
}

static void json_open(struct out *o, const char *key, char bracket)
{
	json_member(o, key);
	putchar(bracket);
	o->depth++;
	g_assert(o->depth < JSON_DEPTH_MAX);
	o->has_member[o->depth] = false;
}

static void json_close(struct out *o, char bracket)
{
	bool empty = !o->has_member[o->depth];

	o->depth--;
	if (!empty)
		json_indent(o);
	putchar(bracket);
}

/* text */

/* Whether a field at this depth is shown: in a table row or the top-level record. */
static bool text_shown(const struct out *o, const char *label)
{
	return label && ((o->layout == TEXT_TABLE && o->depth == 2) || (o->layout == TEXT_RECORD && o->depth == 1));
}

static void text_cell(struct out *o, const char *label, char *text, bool numeric)
{
	struct cell c = { .text = text, .numeric = numeric };

	if (o->layout == TEXT_RECORD) {
		struct cell l = { .text = g_strdup(label) };
		GArray *row = g_array_new(FALSE, FALSE, sizeof(struct cell));

		g_array_set_clear_func(row, cell_clear);
		g_array_append_val(row, l);
		g_array_append_val(row, c);
		g_ptr_array_add(o->rows, row);
		return;
	}
	if (o->rows->len == 0)
		g_ptr_array_add(o->labels, (gpointer)label);
	g_array_append_val(o->row, c);
}

static void text_print(struct out *o)
{
	guint ncols = o->layout == TEXT_RECORD ? 2 : o->labels->len;
	g_autofree int *width = g_new0(int, ncols);
	g_autofree bool *numeric = g_new0(bool, ncols);

	if (o->layout == TEXT_TABLE) {
		for (guint i = 0; i < ncols; i++)
			width[i] = strlen(o->labels->pdata[i]);
	}
	for (guint r = 0; r < o->rows->len; r++) {
		GArray *row = o->rows->pdata[r];

		for (guint i = 0; i < MIN(row->len, ncols); i++) {
			struct cell *c = &g_array_index(row, struct cell, i);

			width[i] = MAX(width[i], (int)g_utf8_strlen(c->text, -1));
			numeric[i] |= c->numeric && o->layout == TEXT_TABLE;
		}
	}
	if (o->layout == TEXT_TABLE && o->rows->len) {
		if (o->printed_table)
			putchar('\n');
		o->printed_table = true;
		for (guint i = 0; i < ncols; i++)
			printf("%s%*s", i ? "  " : "", numeric[i] ? width[i] : -width[i],
			       (const char *)o->labels->pdata[i]);
		putchar('\n');
	}
	for (guint r = 0; r < o->rows->len; r++) {
		GArray *row = o->rows->pdata[r];

		for (guint i = 0; i < MIN(row->len, ncols); i++) {
			struct cell *c = &g_array_index(row, struct cell, i);
			bool last = i + 1 == MIN(row->len, ncols);

			/* %*s counts bytes: pad by characters for non-ASCII text. */
			int pad = width[i] - (int)g_utf8_strlen(c->text, -1);

			printf("%s", i ? "  " : "");
			if (numeric[i])
				printf("%*s%s", pad, "", c->text);
			else
				printf("%s%*s", c->text, last ? 0 : pad, "");
		}
		putchar('\n');
	}
	g_ptr_array_set_size(o->rows, 0);
	g_ptr_array_set_size(o->labels, 0);
}

/* both */

void out_list_begin(struct out *o, const char *key)
{
	if (o->json) {
		json_open(o, key, '[');
		return;
	}
	if (o->depth++ == 0)
		o->layout = TEXT_TABLE;
}

void out_list_end(struct out *o)
{
	if (o->json) {
		json_close(o, ']');
		return;
	}
	if (--o->depth == 0)
		text_print(o);
}

void out_list_break(struct out *o)
{
	if (!o->json && o->layout == TEXT_TABLE && o->depth == 1)
		text_print(o);
}

void out_record_begin(struct out *o)
{
	if (o->json) {
		json_open(o, NULL, '{');
		return;
	}
	if (o->depth++ == 0)
		o->layout = TEXT_RECORD;
	else if (o->layout == TEXT_TABLE && o->depth == 2) {
		o->row = g_array_new(FALSE, FALSE, sizeof(struct cell));
		g_array_set_clear_func(o->row, cell_clear);
	}
}

void out_record_end(struct out *o)
{
	if (o->json) {
		json_close(o, '}');
		return;
	}
	if (o->layout == TEXT_TABLE && o->depth == 2) {
		g_ptr_array_add(o->rows, o->row);
		o->row = NULL;
	}
	if (--o->depth == 0)
		text_print(o);
}

void out_str(struct out *o, const char *key, const char *label, const char *value)
{
	if (o->json && key) {
		json_member(o, key);
		json_string(value);
	} else if (!o->json && text_shown(o, label)) {
		text_cell(o, label, g_strdup(value[0] ? value : "-"), false);
	}
}

void out_uint(struct out *o, const char *key, const char *label, uint64_t value)
{
	if (o->json && key) {
		json_member(o, key);
		printf("%" PRIu64, value);
	} else if (!o->json && text_shown(o, label)) {
		text_cell(o, label, g_strdup_printf("%" PRIu64, value), true);
	}
}

void out_bool(struct out *o, const char *key, const char *label, bool value)
{
	if (o->json && key) {
		json_member(o, key);
		fputs(value ? "true" : "false", stdout);
	} else if (!o->json && text_shown(o, label)) {
		text_cell(o, label, g_strdup(value ? "yes" : "no"), false);
	}
}

void out_double(struct out *o, const char *key, const char *label, double value, int decimals)
{
	if (o->json && key) {
		json_member(o, key);
		printf("%.*f", decimals, value);
	} else if (!o->json && text_shown(o, label)) {
		text_cell(o, label, g_strdup_printf("%.*f", decimals, value), true);
	}
}

void out_uint_array(struct out *o, const char *key, const char *label, const uint32_t *values, size_t n)
{
	if (o->json && key) {
		json_open(o, key, '[');
		for (size_t i = 0; i < n; i++) {
			json_member(o, NULL);
			printf("%" PRIu32, values[i]);
		}
		json_close(o, ']');
	} else if (!o->json && text_shown(o, label)) {
		GString *s = g_string_new(n ? NULL : "-");

		for (size_t i = 0; i < n; i++)
			g_string_append_printf(s, "%s%" PRIu32, i ? "," : "", values[i]);
		text_cell(o, label, g_string_free(s, FALSE), false);
	}
}

void out_none(struct out *o, const char *key, const char *label)
{
	if (!o->json && text_shown(o, label))
		text_cell(o, label, g_strdup("-"), false);
}
