/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sofia-sip's own log lines (su_log: its debug output, which it would
 * print to stderr itself) go to GLib's log, at info level and prefixed
 * "sofia-sip: ", so that they take the daemon's format (and the journal's
 * priorities) and --log-level filters them.
 */
#ifndef RTPRELAY_SIP_LOG_H
#define RTPRELAY_SIP_LOG_H

/* Before the first sofia-sip call that may log (su_init()). */
void sip_log_redirect(void);

#endif
