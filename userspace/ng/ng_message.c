// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "ng_message.h"

bool ng_message_split(const char *buf, size_t len, struct ng_message *out)
{
	const char *space = memchr(buf, ' ', len < NG_COOKIE_MAX + 1 ? len : NG_COOKIE_MAX + 1);

	if (!space || space == buf)
		return false;
	out->cookie = buf;
	out->cookie_len = space - buf;
	out->body = space + 1;
	out->body_len = len - out->cookie_len - 1;
	return true;
}
