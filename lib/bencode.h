/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bencode (byte strings, integers, lists, dictionaries), decoded from
 * untrusted input and encoded into a GString.
 *
 * Every value belongs to a bencode_doc: decoded strings point into the
 * input buffer (which must outlive the doc), everything else lives in the
 * doc's arena and goes with bencode_doc_free(). Decoding checks every length
 * against the remaining input, refuses leading zeros, "-0", integer
 * overflow, non-string and duplicate dictionary keys and trailing bytes, and
 * stops at the limits' depth, size and value count. Only values take
 * memory (strings stay in the input): one struct and, as a dictionary
 * member, one pointer each; every value takes at least two input bytes, and
 * there are never more than max_values of them.
 *
 * Dictionaries accept any key order on input and are written with their
 * keys sorted (raw byte order), as bencode requires.
 */
#ifndef RTPRELAY_LIB_BENCODE_H
#define RTPRELAY_LIB_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define BENCODE_ERROR_MAX 128

enum bencode_type {
	BENCODE_STRING,
	BENCODE_INTEGER,
	BENCODE_LIST,
	BENCODE_DICT,
};

struct bencode_value {
	enum bencode_type type;
	const char *key; /* as a dictionary member: its key, else NULL */
	size_t key_len;
	struct bencode_value *next; /* the next member of the containing list or dictionary */
	union {
		struct {
			const char *data; /* not NUL-terminated */
			size_t len;
		} str;
		int64_t integer;
		struct {
			struct bencode_value *first, *last; /* in input (or insertion) order */
			size_t count;
			struct bencode_value **sorted; /* decoded dictionaries: members by key */
		} items;
	};
};

struct bencode_limits {
	size_t max_size;    /* bytes of input */
	unsigned max_depth; /* nested lists and dictionaries; the outermost is 1 */
	size_t max_values;  /* values of every kind, dictionary keys not counted */
};

/* 64 KB, depth 32, 4096 values: far above any ng message. */
extern const struct bencode_limits bencode_default_limits;

struct bencode_doc;

struct bencode_doc *bencode_doc_new(void);
void bencode_doc_free(struct bencode_doc *doc);
/* Why the last decode failed: "offset N: reason". */
const char *bencode_doc_error(const struct bencode_doc *doc);

/*
 * Decodes exactly one value filling buf[0..len). NULL when the input is
 * malformed or beyond the limits (NULL: bencode_default_limits).
 */
const struct bencode_value *bencode_decode(struct bencode_doc *doc, const char *buf, size_t len,
					   const struct bencode_limits *limits);

/* The member of dict named key, NULL if none or dict is not a dictionary. */
const struct bencode_value *bencode_dict_get(const struct bencode_value *dict, const char *key);
/* Whether v is a string equal to s. */
bool bencode_str_is(const struct bencode_value *v, const char *s);
/* v as a NUL-terminated string in doc's arena; NULL if v is not a string or holds a NUL. */
const char *bencode_strdup(struct bencode_doc *doc, const struct bencode_value *v);

/* Values built for encoding; strings and keys are copied into the doc. */
struct bencode_value *bencode_new_dict(struct bencode_doc *doc);
struct bencode_value *bencode_new_list(struct bencode_doc *doc);
struct bencode_value *bencode_new_string(struct bencode_doc *doc, const char *data, size_t len);
struct bencode_value *bencode_new_str(struct bencode_doc *doc, const char *s);
struct bencode_value *bencode_new_int(struct bencode_doc *doc, int64_t i);
/* Appends v (a value not yet in a container). */
void bencode_list_add(struct bencode_value *list, struct bencode_value *v);
/* Sets dict[key] = v, replacing a member of the same key. */
void bencode_dict_set(struct bencode_doc *doc, struct bencode_value *dict, const char *key, struct bencode_value *v);
/* Shorthands for bencode_dict_set with a new string or integer; return the value. */
struct bencode_value *bencode_dict_set_str(struct bencode_doc *doc, struct bencode_value *dict, const char *key,
					   const char *s);
struct bencode_value *bencode_dict_set_int(struct bencode_doc *doc, struct bencode_value *dict, const char *key,
					   int64_t i);

/* Appends v's encoding to out. */
void bencode_encode(const struct bencode_value *v, GString *out);

#endif
