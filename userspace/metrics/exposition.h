/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A writer of the Prometheus text exposition format (version 0.0.4): each
 * family opens with its HELP and TYPE lines, then its samples, one a line,
 * with label values and help text escaped. Names are the caller's
 * constants and must already be valid metric and label names; only label
 * values and help text may hold any byte.
 */
#ifndef RTPRELAY_EXPOSITION_H
#define RTPRELAY_EXPOSITION_H

#include <stdint.h>
#include <glib.h>

/* What the format's media type says: Content-Type of a scrape's answer. */
#define EXPOSITION_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum exposition_type {
	EXPOSITION_COUNTER,
	EXPOSITION_GAUGE,
	EXPOSITION_HISTOGRAM,
};

struct exposition {
	GString *out;
	const char *family; /* the name of the family being written */
};

/* Append to out. */
void exposition_init(struct exposition *e, GString *out);
/* # HELP and # TYPE of a family; its samples follow. */
void exposition_family(struct exposition *e, const char *name, enum exposition_type type, const char *help);
/*
 * One sample of the current family: its name is the family's with suffix
 * appended ("" for none, "_bucket", "_sum", "_count" for a histogram), then
 * label name and value pairs ending with NULL.
 */
void exposition_u64(struct exposition *e, const char *suffix, uint64_t value, ...) G_GNUC_NULL_TERMINATED;
void exposition_double(struct exposition *e, const char *suffix, double value, ...) G_GNUC_NULL_TERMINATED;

/* A value as the format writes it, with a '.' whatever the locale: "0.25", "1e-07", "NaN", "+Inf" (also for le labels).
 */
#define EXPOSITION_DOUBLE_MAX G_ASCII_DTOSTR_BUF_SIZE
void exposition_format_double(char buf[EXPOSITION_DOUBLE_MAX], double value);

#endif
