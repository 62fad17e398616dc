// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <sys/resource.h>

#include "fd_limit.h"

unsigned long fd_limit_needed(unsigned rtp_port_min, unsigned rtp_port_max)
{
	/* Every port of the range is one socket: RTP on the even, RTCP on the odd. */
	return (unsigned long)(rtp_port_max - rtp_port_min + 1) + FD_LIMIT_HEADROOM;
}

bool fd_limit_raise(unsigned long needed, unsigned long *got, char *why, size_t why_size)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		snprintf(why, why_size, "cannot read the open-file limit");
		return false;
	}
	if (rl.rlim_cur >= needed) {
		*got = rl.rlim_cur;
		return true;
	}
	/* Raising the hard limit needs CAP_SYS_RESOURCE; the soft one up to the hard one does not. */
	if (rl.rlim_max < needed) {
		struct rlimit want = { needed, needed };

		if (setrlimit(RLIMIT_NOFILE, &want) == 0) {
			*got = needed;
			return true;
		}
	}
	rl.rlim_cur = rl.rlim_max < needed ? rl.rlim_max : needed;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	*got = rl.rlim_cur;
	if (rl.rlim_cur >= needed)
		return true;
	snprintf(
	    why, why_size,
	    "open-file limit %lu is below the %lu the RTP port range needs (LimitNOFILE=%lu in the unit, or ulimit -n)",
	    (unsigned long)rl.rlim_cur, needed, needed);
	return false;
}
