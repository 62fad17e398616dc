// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode.h"

#define ARENA_BLOCK_SIZE 4096
#define ARENA_ALIGN	 16

const struct bencode_limits bencode_default_limits = {
	.max_size = 65536,
	.max_depth = 32,
	.max_values = 4096,
};

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	char data[] __attribute__((aligned(ARENA_ALIGN)));
};

struct bencode_doc {
	struct arena_block *blocks; /* the newest first; it is the one being filled */
	char error[BENCODE_ERROR_MAX];
};

struct decoder {
	struct bencode_doc *doc;
	const char *buf;
	size_t len, pos;
	const struct bencode_limits *limits;
	size_t values;
};

struct bencode_doc *bencode_doc_new(void)
{
	return g_new0(struct bencode_doc, 1);
}

void bencode_doc_free(struct bencode_doc *doc)
{
	if (!doc)
		return;
	while (doc->blocks) {
		struct arena_block *b = doc->blocks;

		doc->blocks = b->next;
		g_free(b);
	}
	g_free(doc);
}

const char *bencode_doc_error(const struct bencode_doc *doc)
{
	return doc->error;
}

/* Zeroed memory that lives until the doc is freed. A request larger than a block gets a block of its own. */
static void *arena_alloc(struct bencode_doc *doc, size_t size)
{
	struct arena_block *b = doc->blocks;
	void *p;

	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (!b || b->size - b->used < size) {
		size_t block = MAX(size, ARENA_BLOCK_SIZE);

		b = g_malloc(sizeof(*b) + block);
		b->size = block;
		b->used = 0;
		if (doc->blocks && block > ARENA_BLOCK_SIZE) {
			/* Keep filling the current block; the big one sits behind it. */
			b->next = doc->blocks->next;
			doc->blocks->next = b;
		} else {
			b->next = doc->blocks;
			doc->blocks = b;
		}
	}
	p = b->data + b->used;
	b->used += size;
	return memset(p, 0, size);
}

static struct bencode_value *new_value(struct bencode_doc *doc, enum bencode_type type)
{
	struct bencode_value *v = arena_alloc(doc, sizeof(*v));

	v->type = type;
	return v;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, MIN(alen, blen));

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int member_cmp(const void *a, const void *b)
{
	const struct bencode_value *x = *(struct bencode_value *const *)a, *y = *(struct bencode_value *const *)b;

	return key_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void append(struct bencode_value *container, struct bencode_value *v)
{
	if (container->items.last)
		container->items.last->next = v;
	else
		container->items.first = v;
	container->items.last = v;
	container->items.count++;
}

/* The members of dict ordered by key, in memory from the caller's allocator. */
static void sort_members(const struct bencode_value *dict, struct bencode_value **out)
{
	size_t i = 0;

	for (struct bencode_value *m = dict->items.first; m; m = m->next)
		out[i++] = m;
	if (i > 1)
		qsort(out, dict->items.count, sizeof(*out), member_cmp);
}

static bool fail(struct decoder *d, const char *why)
{
	snprintf(d->doc->error, sizeof(d->doc->error), "offset %zu: %s", d->pos, why);
	return false;
}

static bool at_end(const struct decoder *d)
{
	return d->pos >= d->len;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A string's "<length>:" prefix; the length must fit in what is left of the input. */
static bool parse_length(struct decoder *d, size_t *out)
{
	size_t n = 0, start = d->pos;

	while (!at_end(d) && is_digit(d->buf[d->pos])) {
		if (d->pos > start && d->buf[start] == '0')
			return fail(d, "string length with a leading zero");
		n = n * 10 + (size_t)(d->buf[d->pos++] - '0');
		if (n > d->len)
			return fail(d, "string longer than the input");
	}
	if (d->pos == start)
		return fail(d, "expected a string length");
	if (at_end(d) || d->buf[d->pos] != ':')
		return fail(d, "expected ':' after a string length");
	d->pos++;
	if (n > d->len - d->pos)
		return fail(d, "string longer than the input");
	*out = n;
	return true;
}

static bool parse_string(struct decoder *d, const char **data, size_t *len)
{
	if (!parse_length(d, len))
		return false;
	*data = d->buf + d->pos;
	d->pos += *len;
	return true;
}

/* "i<decimal>e": no leading zeros, no "-0", within int64_t. */
static bool parse_integer(struct decoder *d, int64_t *out)
{
	bool negative = false;
	uint64_t n = 0, limit = INT64_MAX;
	size_t start;

	d->pos++; /* 'i' */
	if (!at_end(d) && d->buf[d->pos] == '-') {
		negative = true;
		limit = (uint64_t)INT64_MAX + 1;
		d->pos++;
	}
	start = d->pos;
	while (!at_end(d) && is_digit(d->buf[d->pos])) {
		unsigned digit = d->buf[d->pos] - '0';

		if (d->pos > start && d->buf[start] == '0')
			return fail(d, "integer with a leading zero");
		if (n > (limit - digit) / 10)
			return fail(d, "integer out of range");
		n = n * 10 + digit;
		d->pos++;
	}
	if (d->pos == start)
		return fail(d, "integer without digits");
	if (negative && n == 0)
		return fail(d, "integer -0");
	if (at_end(d) || d->buf[d->pos] != 'e')
		return fail(d, "expected 'e' after an integer");
	d->pos++;
	*out = negative ? (int64_t)(0 - n) : (int64_t)n;
	return true;
}

static bool parse_value(struct decoder *d, unsigned depth, struct bencode_value **out);

static bool parse_list(struct decoder *d, unsigned depth, struct bencode_value *list)
{
	d->pos++; /* 'l' */
	while (!at_end(d) && d->buf[d->pos] != 'e') {
		struct bencode_value *item;

		if (!parse_value(d, depth, &item))
			return false;
		append(list, item);
	}
	if (at_end(d))
		return fail(d, "unterminated list");
	d->pos++;
	return true;
}

static bool index_dict(struct decoder *d, struct bencode_value *dict)
{
	struct bencode_value **sorted = arena_alloc(d->doc, dict->items.count * sizeof(*sorted));

	sort_members(dict, sorted);
	for (size_t i = 1; i < dict->items.count; i++) {
		if (member_cmp(&sorted[i - 1], &sorted[i]) == 0)
			return fail(d, "duplicate dictionary key");
	}
	dict->items.sorted = sorted;
	return true;
}

static bool parse_dict(struct decoder *d, unsigned depth, struct bencode_value *dict)
{
	d->pos++; /* 'd' */
	while (!at_end(d) && d->buf[d->pos] != 'e') {
		struct bencode_value *member;
		const char *key;
		size_t key_len;

		if (!is_digit(d->buf[d->pos]))
			return fail(d, "dictionary key is not a string");
		if (!parse_string(d, &key, &key_len))
			return false;
		if (at_end(d) || d->buf[d->pos] == 'e')
			return fail(d, "dictionary key without a value");
		if (!parse_value(d, depth, &member))
			return false;
		member->key = key;
		member->key_len = key_len;
		append(dict, member);
	}
	if (at_end(d))
		return fail(d, "unterminated dictionary");
	d->pos++;
	return index_dict(d, dict);
}

/* Recursion is bounded by limits->max_depth. */
static bool parse_value(struct decoder *d, unsigned depth, struct bencode_value **out)
{
	char c = d->buf[d->pos];
	struct bencode_value *v;

	if (++d->values > d->limits->max_values)
		return fail(d, "too many values");
	if (c == 'i') {
		v = new_value(d->doc, BENCODE_INTEGER);
		*out = v;
		return parse_integer(d, &v->integer);
	}
	if (is_digit(c)) {
		v = new_value(d->doc, BENCODE_STRING);
		*out = v;
		return parse_string(d, &v->str.data, &v->str.len);
	}
	if (c != 'l' && c != 'd')
		return fail(d, "not a bencode value");
	if (depth + 1 > d->limits->max_depth)
		return fail(d, "nested too deeply");
	v = new_value(d->doc, c == 'l' ? BENCODE_LIST : BENCODE_DICT);
	*out = v;
	return c == 'l' ? parse_list(d, depth + 1, v) : parse_dict(d, depth + 1, v);
}

const struct bencode_value *bencode_decode(struct bencode_doc *doc, const char *buf, size_t len,
					   const struct bencode_limits *limits)
{
	struct decoder d = { .doc = doc, .buf = buf, .len = len, .limits = limits ? limits : &bencode_default_limits };
	struct bencode_value *v;

	doc->error[0] = '\0';
	if (len > d.limits->max_size) {
		fail(&d, "message too large");
		return NULL;
	}
	if (len == 0) {
		fail(&d, "empty input");
		return NULL;
	}
	if (!parse_value(&d, 0, &v))
		return NULL;
	if (!at_end(&d)) {
		fail(&d, "trailing bytes after the value");
		return NULL;
	}
	return v;
}

static int key_search_cmp(const void *key, const void *member)
{
	const struct bencode_value *m = *(struct bencode_value *const *)member;

	return key_cmp(key, strlen(key), m->key, m->key_len);
}

const struct bencode_value *bencode_dict_get(const struct bencode_value *dict, const char *key)
{
	struct bencode_value *const *found;

	if (!dict || dict->type != BENCODE_DICT)
		return NULL;
	if (dict->items.sorted) {
		found = bsearch(key, dict->items.sorted, dict->items.count, sizeof(*found), key_search_cmp);
		return found ? *found : NULL;
	}
	for (const struct bencode_value *m = dict->items.first; m; m = m->next)
		if (key_cmp(key, strlen(key), m->key, m->key_len) == 0)
			return m;
	return NULL;
}

bool bencode_str_is(const struct bencode_value *v, const char *s)
{
	return v && v->type == BENCODE_STRING && v->str.len == strlen(s) && memcmp(v->str.data, s, v->str.len) == 0;
}

const char *bencode_strdup(struct bencode_doc *doc, const struct bencode_value *v)
{
	char *s;

	if (!v || v->type != BENCODE_STRING || memchr(v->str.data, '\0', v->str.len))
		return NULL;
	s = arena_alloc(doc, v->str.len + 1);
	memcpy(s, v->str.data, v->str.len);
	return s;
}

struct bencode_value *bencode_new_dict(struct bencode_doc *doc)
{
	return new_value(doc, BENCODE_DICT);
}

struct bencode_value *bencode_new_list(struct bencode_doc *doc)
{
	return new_value(doc, BENCODE_LIST);
}

struct bencode_value *bencode_new_string(struct bencode_doc *doc, const char *data, size_t len)
{
	struct bencode_value *v = new_value(doc, BENCODE_STRING);
	char *copy = arena_alloc(doc, len + 1);

	memcpy(copy, data, len);
	v->str.data = copy;
	v->str.len = len;
	return v;
}

struct bencode_value *bencode_new_str(struct bencode_doc *doc, const char *s)
{
	return bencode_new_string(doc, s, strlen(s));
}

struct bencode_value *bencode_new_int(struct bencode_doc *doc, int64_t i)
{
	struct bencode_value *v = new_value(doc, BENCODE_INTEGER);

	v->integer = i;
	return v;
}

void bencode_list_add(struct bencode_value *list, struct bencode_value *v)
{
	append(list, v);
}

void bencode_dict_set(struct bencode_doc *doc, struct bencode_value *dict, const char *key, struct bencode_value *v)
{
	size_t key_len = strlen(key);
	struct bencode_value **link = &dict->items.first;
	char *copy = arena_alloc(doc, key_len + 1);

	memcpy(copy, key, key_len);
	v->key = copy;
	v->key_len = key_len;
	dict->items.sorted = NULL; /* built dictionaries are searched in order */
	for (; *link; link = &(*link)->next) {
		if (key_cmp(key, key_len, (*link)->key, (*link)->key_len) != 0)
			continue;
		v->next = (*link)->next;
		if (dict->items.last == *link)
			dict->items.last = v;
		*link = v;
		return;
	}
	append(dict, v);
}

struct bencode_value *bencode_dict_set_str(struct bencode_doc *doc, struct bencode_value *dict, const char *key,
					   const char *s)
{
	struct bencode_value *v = bencode_new_str(doc, s);

	bencode_dict_set(doc, dict, key, v);
	return v;
}

struct bencode_value *bencode_dict_set_int(struct bencode_doc *doc, struct bencode_value *dict, const char *key,
					   int64_t i)
{
	struct bencode_value *v = bencode_new_int(doc, i);

	bencode_dict_set(doc, dict, key, v);
	return v;
}

static void encode_string(const char *data, size_t len, GString *out)
{
	g_string_append_printf(out, "%zu:", len);
	g_string_append_len(out, data, len);
}

static void encode_dict(const struct bencode_value *dict, GString *out)
{
	struct bencode_value **sorted = g_new(struct bencode_value *, dict->items.count);

	sort_members(dict, sorted);
	g_string_append_c(out, 'd');
	for (size_t i = 0; i < dict->items.count; i++) {
		encode_string(sorted[i]->key, sorted[i]->key_len, out);
		bencode_encode(sorted[i], out);
	}
	g_string_append_c(out, 'e');
	g_free(sorted);
}

void bencode_encode(const struct bencode_value *v, GString *out)
{
	switch (v->type) {
	case BENCODE_STRING:
		encode_string(v->str.data, v->str.len, out);
		break;
	case BENCODE_INTEGER:
		g_string_append_printf(out, "i%" G_GINT64_FORMAT "e", v->integer);
		break;
	case BENCODE_LIST:
		g_string_append_c(out, 'l');
		for (const struct bencode_value *m = v->items.first; m; m = m->next)
			bencode_encode(m, out);
		g_string_append_c(out, 'e');
		break;
	case BENCODE_DICT:
		encode_dict(v, out);
		break;
	}
}
