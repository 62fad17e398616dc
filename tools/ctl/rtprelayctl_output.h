/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtprelayctl's output, written once per command for both forms: JSON
 * (-j, one document; -p pretty) or text, where a list is an aligned table
 * and a single record is aligned "label value" lines, as iproute2 prints.
 *
 * Each field has a JSON key and a text label; a NULL key keeps it out of
 * the JSON, a NULL label out of the text. Every record of a list must give
 * the same labels in the same order (out_none() for an absent value). In
 * text, records nested inside a record are not shown: the caller prints a
 * one-line summary of them with a label and no key.
 */
#ifndef RTPRELAYCTL_OUTPUT_H
#define RTPRELAYCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct out;

struct out *out_new(bool json, bool pretty);
/* Print what is still buffered (a table waits for its last row) and free o. */
void out_finish(struct out *o);

/* key: the list's name inside a record, NULL at the top. */
void out_list_begin(struct out *o, const char *key);
void out_list_end(struct out *o);
/*
 * In a top-level list, records of another shape follow: text prints the
 * table so far and starts another (a blank line between the two, when both
 * have rows), with columns of its own; JSON's list goes on.
 */
void out_list_break(struct out *o);
void out_record_begin(struct out *o);
void out_record_end(struct out *o);

void out_str(struct out *o, const char *key, const char *label, const char *value);
void out_uint(struct out *o, const char *key, const char *label, uint64_t value);
void out_bool(struct out *o, const char *key, const char *label, bool value);
void out_double(struct out *o, const char *key, const char *label, double value, int decimals);
/* JSON: an array of numbers; text: "1,2,3". */
void out_uint_array(struct out *o, const char *key, const char *label, const uint32_t *values, size_t n);
/* No value: left out of the JSON, "-" in the text. */
void out_none(struct out *o, const char *key, const char *label);

#endif
