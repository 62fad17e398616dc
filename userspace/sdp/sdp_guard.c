// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "sdp_guard.h"

/* RFC 4566: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E */
static bool is_token_char(char c)
{
	unsigned char u = (unsigned char)c;

	if (u < 0x21 || u > 0x7e)
		return false;
	return !strchr("\"(),/:;<=>?@[\\]", c);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skips spaces and tabs; true if there was at least one. */
static bool skip_blanks(const char **p, const char *end)
{
	const char *start = *p;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	return *p > start;
}

static bool take_token(const char **p, const char *end)
{
	const char *start = *p;

	while (*p < end && is_token_char(**p))
		(*p)++;
	return *p > start;
}

static bool take_digits(const char **p, const char *end)
{
	const char *start = *p;

	while (*p < end && is_digit(**p))
		(*p)++;
	return *p > start && *p - start <= 10;
}

/* proto = token *("/" token) */
static bool take_proto(const char **p, const char *end)
{
	if (!take_token(p, end))
		return false;
	while (*p < end && **p == '/') {
		(*p)++;
		if (!take_token(p, end))
			return false;
	}
	return true;
}

/*
 * m=<media> <port>[/<number of ports>] <proto> *(<fmt>), fields apart by
 * spaces or tabs; NULL if the line fits, else what does not (in the
 * words sofia would use for it).
 */
static const char *media_line_fault(const char *p, const char *end)
{
	const char *after_proto;

	p += 2;
	if (!take_token(&p, end))
		return "m= invalid media field";
	if (!skip_blanks(&p, end) || !take_digits(&p, end))
		return "m= invalid port number";
	if (p < end && *p == '/') {
		p++;
		if (!take_digits(&p, end))
			return "m= invalid port specification";
	}
	if (p < end && *p != ' ' && *p != '\t')
		return "m= invalid port number";
	if (!skip_blanks(&p, end) || !take_proto(&p, end))
		return "m= missing protocol";
	/* Blanks after the protocol but no format: sofia loops on `m=x 0 X \t` too. */
	after_proto = p;
	if (skip_blanks(&after_proto, end) && after_proto == end)
		return "m= invalid format";
	while (skip_blanks(&p, end)) {
		if (p < end && !take_token(&p, end))
			return "m= invalid format";
	}
	return p == end ? NULL : "m= invalid format";
}

bool sdp_guard_check(const char *data, size_t len, char *why, size_t why_size)
{
	const char *line = data, *end = data + len;
	unsigned n = 0;

	if (len > SDP_GUARD_MAX_LEN) {
		snprintf(why, why_size, "SDP body of %zu bytes (at most %d)", len, SDP_GUARD_MAX_LEN);
		return false;
	}
	if (memchr(data, '\0', len)) {
		snprintf(why, why_size, "NUL byte in body");
		return false;
	}
	/* Lines end at CR or LF, either alone: sofia splits them so. */
	while (line < end) {
		const char *stop = line, *type = line, *fault;

		while (stop < end && *stop != '\r' && *stop != '\n')
			stop++;
		/* sofia strips blanks before a line's type letter too. */
		skip_blanks(&type, stop);
		n++;
		fault = stop - type >= 2 && type[0] == 'm' && type[1] == '=' ? media_line_fault(type, stop) : NULL;
		if (fault) {
			snprintf(why, why_size, "%s (line %u)", fault, n);
			return false;
		}
		line = stop + (stop + 1 < end && stop[0] == '\r' && stop[1] == '\n' ? 2 : 1);
	}
	return true;
}
