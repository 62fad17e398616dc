/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The ng code's error reasons: written into the caller's buffer, sent back as error-reason. */
#ifndef RTPRELAY_NG_ERROR_H
#define RTPRELAY_NG_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/* Formats the reason into err; returns false, for "return ng_error(...)". */
bool ng_error(char *err, size_t err_size, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
