// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An ng datagram's bencode (lib/bencode.h) decoded with the default limits.
 * The rules for what decodes: every value lies in the input; a dictionary
 * finds each of its members by key; the encoding is as long as the input
 * (decoding refuses every non-canonical form, so only the order of
 * dictionary keys may differ) and decodes again to the same encoding.
 */
#include "lib/bencode.h"
#include "fuzz_support.h"

struct input {
	const char *start, *end;
};

static void check_value(struct bencode_doc *doc, const struct bencode_value *v, const struct input *in)
{
	const struct bencode_value *m;
	size_t n = 0;

	switch (v->type) {
	case BENCODE_STRING:
		FUZZ_CHECK(v->str.data >= in->start && v->str.data + v->str.len <= in->end,
			   "a string of %zu bytes outside the input", v->str.len);
		if (bencode_strdup(doc, v))
			FUZZ_CHECK(strlen(bencode_strdup(doc, v)) == v->str.len, "a copied string changed length");
		return;
	case BENCODE_INTEGER:
		return;
	case BENCODE_LIST:
	case BENCODE_DICT:
		for (m = v->items.first; m; m = m->next, n++) {
			check_value(doc, m, in);
			if (v->type != BENCODE_DICT)
				continue;
			FUZZ_CHECK(m->key >= in->start && m->key + m->key_len <= in->end, "a key outside the input");
			if (!memchr(m->key, '\0', m->key_len)) {
				char *key = g_strndup(m->key, m->key_len);

				FUZZ_CHECK(bencode_dict_get(v, key) == m, "member %s not found by its key", key);
				g_free(key);
			}
		}
		FUZZ_CHECK(n == v->items.count, "%zu members counted, %zu linked", v->items.count, n);
		return;
	}
	FUZZ_CHECK(false, "value type %d", v->type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { (const char *)data, (const char *)data + size };
	struct bencode_doc *doc = bencode_doc_new(), *again_doc;
	const struct bencode_value *v = bencode_decode(doc, in.start, size, NULL), *again;
	GString *out, *out_again;

	if (!v) {
		FUZZ_CHECK(bencode_doc_error(doc) && bencode_doc_error(doc)[0], "refused without a reason");
		bencode_doc_free(doc);
		return 0;
	}
	check_value(doc, v, &in);
	out = g_string_new(NULL);
	bencode_encode(v, out);
	FUZZ_CHECK(out->len == size, "%zu bytes decoded encode as %zu", size, out->len);
	again_doc = bencode_doc_new();
	again = bencode_decode(again_doc, out->str, out->len, NULL);
	FUZZ_CHECK(again, "our encoding does not decode: %s", bencode_doc_error(again_doc));
	out_again = g_string_new(NULL);
	bencode_encode(again, out_again);
	FUZZ_CHECK(g_string_equal(out, out_again), "encoding, decoding and encoding again changed the bytes");
	g_string_free(out_again, TRUE);
	g_string_free(out, TRUE);
	bencode_doc_free(again_doc);
	bencode_doc_free(doc);
	return 0;
}
