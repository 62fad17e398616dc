// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Bencode (lib/bencode.c): every type decodes and encodes back byte for
 * byte; dictionaries in any key order are found by key and written sorted;
 * and every malformed input is refused with a reason instead of being read
 * past its end: each prefix of a real ng offer, each single-byte mutation,
 * random garbage, huge lengths, deep nesting, integer edge cases, trailing
 * bytes, non-string and duplicate keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "lib/bencode.h"

/* What Kamailio's rtpengine module sends for an offer: keys unsorted. */
static const char ng_offer[] =
    "d8:supportsl10:load limite3:sdp131:v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
    "7:replacel6:origin18:session-connectione7:call-id13:abc@192.0.2.1"
    "13:received-froml3:IP410:192.0.2.10e8:from-tag5:tag-a7:command5:offere";

static struct bencode_doc *doc;

static int setup(void **state)
{
	doc = bencode_doc_new();
	return 0;
}

static int teardown(void **state)
{
	bencode_doc_free(doc);
	return 0;
}

static const struct bencode_value *decode(const char *s)
{
	return bencode_decode(doc, s, strlen(s), NULL);
}

static char *encode(const struct bencode_value *v)
{
	GString *out = g_string_new(NULL);

	bencode_encode(v, out);
	return g_string_free(out, FALSE);
}

static void assert_roundtrip(const char *s, size_t len)
{
	const struct bencode_value *v = bencode_decode(doc, s, len, NULL);
	GString *out = g_string_new(NULL);

	assert_non_null(v);
	bencode_encode(v, out);
	assert_int_equal(out->len, len);
	assert_memory_equal(out->str, s, len);
	g_string_free(out, TRUE);
}

static void assert_refused(const char *s, size_t len, const char *why)
{
	const struct bencode_value *v = bencode_decode(doc, s, len, NULL);

	if (v)
		fail_msg("accepted %.*s", (int)len, s);
	if (!strstr(bencode_doc_error(doc), why))
		fail_msg("%.*s: \"%s\" does not say \"%s\"", (int)len, s, bencode_doc_error(doc), why);
}

#define REFUSED(lit, why) assert_refused(lit, sizeof(lit) - 1, why)

static void test_strings(void **state)
{
	const struct bencode_value *v = decode("4:spam");

	assert_int_equal(v->type, BENCODE_STRING);
	assert_int_equal(v->str.len, 4);
	assert_memory_equal(v->str.data, "spam", 4);
	assert_true(bencode_str_is(v, "spam"));
	assert_false(bencode_str_is(v, "spa"));
	assert_string_equal(bencode_strdup(doc, v), "spam");

	v = decode("0:");
	assert_int_equal(v->str.len, 0);
	assert_true(bencode_str_is(v, ""));

	/* Binary: lengths are explicit, a NUL is just a byte. */
	v = bencode_decode(doc, "5:a\0b\xff\n", 7, NULL);
	assert_non_null(v);
	assert_int_equal(v->str.len, 5);
	assert_memory_equal(v->str.data, "a\0b\xff\n", 5);
	assert_null(bencode_strdup(doc, v));
	assert_roundtrip("5:a\0b\xff\n", 7);
}

static void test_integers(void **state)
{
	static const struct {
		const char *text;
		int64_t value;
	} ok[] = {
		{ "i0e", 0 },
		{ "i7e", 7 },
		{ "i-42e", -42 },
		{ "i9223372036854775807e", INT64_MAX },
		{ "i-9223372036854775808e", INT64_MIN },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		const struct bencode_value *v = decode(ok[i].text);

		assert_non_null(v);
		assert_int_equal(v->type, BENCODE_INTEGER);
		assert_true(v->integer == ok[i].value);
		assert_roundtrip(ok[i].text, strlen(ok[i].text));
	}
	REFUSED("i-0e", "-0");
	REFUSED("i03e", "leading zero");
	REFUSED("i-03e", "leading zero");
	REFUSED("i00e", "leading zero");
	REFUSED("ie", "without digits");
	REFUSED("i-e", "without digits");
	REFUSED("i--1e", "without digits");
	REFUSED("i+1e", "without digits");
	REFUSED("i9223372036854775808e", "out of range");
	REFUSED("i-9223372036854775809e", "out of range");
	REFUSED("i99999999999999999999999999e", "out of range");
	REFUSED("i1", "expected 'e'");
	REFUSED("i1.5e", "expected 'e'");
	REFUSED("i 1e", "without digits");
}

static void test_string_lengths(void **state)
{
	REFUSED("4:abc", "longer than the input");
	REFUSED("03:abc", "leading zero");
	REFUSED("00:", "leading zero");
	REFUSED("18446744073709551616:x", "longer than the input");
	REFUSED("99999999999999999999999999999:x", "longer than the input");
	REFUSED("4294967296:x", "longer than the input");
	REFUSED("3abc", "expected ':'");
	REFUSED("3", "longer than the input");
	REFUSED(":abc", "not a bencode value");
	REFUSED("-1:a", "not a bencode value");
}

static void test_lists_and_nesting(void **state)
{
	const struct bencode_value *v = decode("l4:spami-3eli1eeld1:ai1eeee");
	const struct bencode_value *m;

	assert_int_equal(v->type, BENCODE_LIST);
	assert_int_equal(v->items.count, 4);
	m = v->items.first;
	assert_true(bencode_str_is(m, "spam"));
	m = m->next;
	assert_true(m->integer == -3);
	m = m->next;
	assert_int_equal(m->type, BENCODE_LIST);
	assert_int_equal(m->items.count, 1);
	m = m->next;
	assert_int_equal(m->items.first->type, BENCODE_DICT);
	assert_true(bencode_dict_get(m->items.first, "a")->integer == 1);
	assert_null(m->next);
	assert_roundtrip("l4:spami-3eli1eeld1:ai1eeee", 27);
	assert_roundtrip("le", 2);
	assert_roundtrip("de", 2);
	assert_roundtrip("llleee", 6);
	REFUSED("l", "unterminated list");
	REFUSED("li1e", "unterminated list");
	REFUSED("d", "unterminated dictionary");
	REFUSED("d1:ai1e", "unterminated dictionary");
	REFUSED("e", "not a bencode value");
	REFUSED("lxe", "not a bencode value");
}

static void test_dict_any_order(void **state)
{
	const struct bencode_value *v = decode(ng_offer);
	const struct bencode_value *replace;
	char *out;

	assert_non_null(v);
	assert_int_equal(v->type, BENCODE_DICT);
	assert_int_equal(v->items.count, 7);
	assert_true(bencode_str_is(bencode_dict_get(v, "command"), "offer"));
	assert_true(bencode_str_is(bencode_dict_get(v, "call-id"), "abc@192.0.2.1"));
	assert_true(bencode_str_is(bencode_dict_get(v, "from-tag"), "tag-a"));
	assert_int_equal(bencode_dict_get(v, "sdp")->str.len, 131);
	replace = bencode_dict_get(v, "replace");
	assert_int_equal(replace->items.count, 2);
	assert_true(bencode_str_is(replace->items.last, "session-connection"));
	assert_null(bencode_dict_get(v, "to-tag"));
	assert_null(bencode_dict_get(v, "command "));
	assert_null(bencode_dict_get(v, "comman"));
	assert_null(bencode_dict_get(replace, "origin"));
	assert_null(bencode_dict_get(NULL, "x"));

	/* Written back sorted: call-id first, supports last. */
	out = encode(v);
	assert_int_equal(strlen(out), strlen(ng_offer));
	assert_true(g_str_has_prefix(out, "d7:call-id"));
	assert_true(g_str_has_suffix(out, "8:supportsl10:load limitee"));
	assert_roundtrip(out, strlen(out));
	g_free(out);
}

static void test_dict_keys(void **state)
{
	const struct bencode_value *v;

	REFUSED("di1ei2ee", "key is not a string");
	REFUSED("dli1eei2ee", "key is not a string");
	REFUSED("d1:ai1e1:ai2ee", "duplicate dictionary key");
	REFUSED("d1:ai1e1:bi2e1:ai3ee", "duplicate dictionary key");
	REFUSED("d1:ae", "key without a value");
	REFUSED("d1:a", "key without a value");
	/* Binary keys, prefixes of each other: raw byte order, shorter first. */
	v = bencode_decode(doc, "d2:a\0i2e1:ai1e1:\xffi4e2:abi3ee", 28, NULL);
	assert_non_null(v);
	assert_true(bencode_dict_get(v, "a")->integer == 1);
	assert_true(bencode_dict_get(v, "ab")->integer == 3);
	assert_true(bencode_dict_get(v, "\xff")->integer == 4);
	assert_roundtrip("d1:ai1e2:a\0i2e2:abi3e1:\xffi4ee", 28);
}

static void test_trailing_bytes(void **state)
{
	REFUSED("i1ee", "trailing bytes");
	REFUSED("4:spamx", "trailing bytes");
	REFUSED("dei0e", "trailing bytes");
	REFUSED("le ", "trailing bytes");
	assert_refused("0:\0", 3, "trailing bytes");
	REFUSED("", "empty");
}

static void test_depth_limit(void **state)
{
	unsigned max = bencode_default_limits.max_depth;
	GString *s = g_string_new(NULL);

	/* Exactly at the limit, then one deeper; dictionaries count as lists do. */
	for (unsigned i = 0; i < max; i++)
		g_string_append(s, "l");
	for (unsigned i = 0; i < max; i++)
		g_string_append(s, "e");
	assert_roundtrip(s->str, s->len);
	g_string_prepend(s, "d1:x");
	g_string_append(s, "e");
	assert_refused(s->str, s->len, "nested too deeply");

	/* A million opening brackets: refused at the limit, no stack overflow. */
	g_string_truncate(s, 0);
	for (unsigned i = 0; i < 1000000; i++)
		g_string_append_c(s, 'l');
	assert_null(bencode_decode(doc, s->str, s->len, &(struct bencode_limits){ 1 << 20, max, 1 << 20 }));
	assert_non_null(strstr(bencode_doc_error(doc), "nested too deeply"));
	g_string_free(s, TRUE);
}

static void test_size_and_count_limits(void **state)
{
	struct bencode_limits small = { .max_size = 16, .max_depth = 4, .max_values = 3 };
	GString *s = g_string_new("l");

	assert_non_null(bencode_decode(doc, "li1ei2ee", 8, &small));
	assert_null(bencode_decode(doc, "li1ei2ei3ee", 11, &small));
	assert_non_null(strstr(bencode_doc_error(doc), "too many values"));
	assert_null(bencode_decode(doc, "17:aaaaaaaaaaaaaaaaa", 20, &small));
	assert_non_null(strstr(bencode_doc_error(doc), "too large"));

	/* 64 KB of empty lists: beyond the default value count, refused. */
	while (s->len < bencode_default_limits.max_size - 1)
		g_string_append(s, "le");
	s->len = bencode_default_limits.max_size - 1;
	g_string_append_c(s, 'e');
	assert_refused(s->str, s->len, "too many values");
	g_string_append_c(s, 'e');
	assert_refused(s->str, s->len, "too large");
	g_string_free(s, TRUE);
}

/* Bencode is prefix-free: no proper prefix of a message is a message. */
static void test_every_truncation(void **state)
{
	size_t len = strlen(ng_offer);

	assert_non_null(bencode_decode(doc, ng_offer, len, NULL));
	for (size_t n = 0; n < len; n++) {
		char *copy = g_memdup2(ng_offer, n); /* exactly n bytes: ASan sees any overread */

		if (bencode_decode(doc, copy, n, NULL))
			fail_msg("a prefix of %zu bytes decoded", n);
		assert_true(bencode_doc_error(doc)[0]);
		g_free(copy);
	}
}

/* Whatever decodes must encode to something that decodes again to the same encoding. */
static void check_mutant(const char *buf, size_t len)
{
	struct bencode_doc *d2 = bencode_doc_new();
	const struct bencode_value *v = bencode_decode(d2, buf, len, NULL);
	GString *once = g_string_new(NULL), *twice = g_string_new(NULL);

	if (v) {
		bencode_encode(v, once);
		v = bencode_decode(d2, once->str, once->len, NULL);
		assert_non_null(v);
		bencode_encode(v, twice);
		assert_int_equal(once->len, twice->len);
		assert_memory_equal(once->str, twice->str, once->len);
	} else {
		assert_true(bencode_doc_error(d2)[0]);
	}
	g_string_free(once, TRUE);
	g_string_free(twice, TRUE);
	bencode_doc_free(d2);
}

static void test_every_byte_mutated(void **state)
{
	static const char replacements[] = { '0', '9', 'i', 'l', 'd', 'e', ':', '-', '\0', '\xff' };
	size_t len = strlen(ng_offer);

	for (size_t i = 0; i < len; i++) {
		for (size_t r = 0; r < sizeof(replacements); r++) {
			char *copy = g_memdup2(ng_offer, len);

			copy[i] = replacements[r];
			check_mutant(copy, len);
			g_free(copy);
		}
	}
}

static void test_random_garbage(void **state)
{
	static const char alphabet[] = "0123456789:ilde-x";
	GRand *rand = g_rand_new_with_seed(20261205);

	for (int round = 0; round < 20000; round++) {
		size_t len = g_rand_int_range(rand, 0, 64);
		char *buf = g_malloc(len + 1);

		for (size_t i = 0; i < len; i++)
			buf[i] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
		check_mutant(buf, len);
		g_free(buf);
	}
	g_rand_free(rand);
}

static void test_build_and_encode(void **state)
{
	struct bencode_value *reply = bencode_new_dict(doc);
	struct bencode_value *calls = bencode_new_list(doc);
	char *out;

	bencode_dict_set_str(doc, reply, "result", "ok");
	bencode_dict_set_int(doc, reply, "created", -5);
	bencode_list_add(calls, bencode_new_str(doc, "a@b"));
	bencode_list_add(calls, bencode_new_string(doc, "x\0y", 3));
	bencode_dict_set(doc, reply, "calls", calls);
	bencode_dict_set_str(doc, reply, "result", "pong"); /* replaces */
	assert_true(bencode_str_is(bencode_dict_get(reply, "result"), "pong"));
	assert_int_equal(reply->items.count, 3);
	out = encode(reply);
	assert_memory_equal(out, "d5:callsl3:a@b3:x\0ye7:createdi-5e6:result4:ponge", 46);
	g_free(out);

	/* A string larger than an arena block. */
	{
		GString *big = g_string_new(NULL);
		struct bencode_value *v;

		for (int i = 0; i < 1000; i++)
			g_string_append(big, "0123456789");
		v = bencode_new_string(doc, big->str, big->len);
		bencode_dict_set_int(doc, reply, "after", 1);
		out = encode(v);
		assert_true(g_str_has_prefix(out, "10000:0123"));
		assert_roundtrip(out, strlen(out));
		g_free(out);
		g_string_free(big, TRUE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists_and_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dict_any_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dict_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailing_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_and_count_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_byte_mutated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_and_encode, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
