/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * systemd's readiness protocol (sd_notify(3)) without libsystemd: one
 * datagram to the AF_UNIX socket $NOTIFY_SOCKET names, when it is set.
 * The unit is Type=notify: "started" means SIP, media and control are up.
 */
#ifndef RTPRELAY_SERVICE_NOTIFY_H
#define RTPRELAY_SERVICE_NOTIFY_H

/* Sends `state` ("READY=1", "STOPPING=1", "STATUS=..."); 0 if sent or nobody listens, -1 on error. */
int service_notify(const char *state);

#endif
