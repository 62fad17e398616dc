// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "sendmmsg_nonblock.h"

int sendmmsg_nonblock(int fd, struct mmsghdr *msgs, int n)
{
	int sent = 0, failures = 0, ret;

	while (sent < n && failures < 2) {
		ret = sendmmsg(fd, msgs + sent, n - sent, MSG_DONTWAIT);
		if (ret > 0)
			sent += ret;
		else
			failures++;
	}
	return sent;
}
