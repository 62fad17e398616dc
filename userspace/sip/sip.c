// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>

#include <sofia-sip/su_glib.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>

#include "call/call.h"
#include "config/config.h"
#include "sip.h"
#include "sip_log.h"
#include "sip_recovery.h"
#include "sip_sent_responses.h"
#include "sip_tcp_unanswered.h"

#define USER_AGENT "rtprelay/" RTPRELAY_VERSION
/* What rtprelayd handles; no Supported header: no session timers, no reliable provisionals. */
#define ALLOWED_METHODS "INVITE, ACK, BYE, CANCEL, OPTIONS"
/*
 * A TCP connection idle for a minute after its last message is closed, and
 * so is one whose message has not arrived whole 16 s after it began:
 * otherwise idle or stalled peers hold descriptors for ever. sofia-sip 1.12
 * times neither before a first message went through: a connection the
 * daemon has not answered 16 s after it opened is shut down by
 * sip_tcp_unanswered.h.
 */
#define SIP_TCP_IDLE_MS	 60000
#define SIP_TCP_STALL_MS 16000

G_DEFINE_QUARK(rtprelay_sip_error, sip_error)

struct sip {
	struct call_table *calls;
	su_root_t *root;
	nua_t *nua;
	struct sip_sent_responses *responses;
	struct sip_tcp_unanswered *unanswered;
	void (*shutdown_done)(void *user);
	void *shutdown_user;
};

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
		     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	struct sip *s = magic;

	if (event == nua_r_shutdown) {
		if (status >= 200 && s->shutdown_done)
			s->shutdown_done(s->shutdown_user);
		return;
	}
	if (hmagic) {
		call_on_event(hmagic, event, status, phrase, sip, tags);
		return;
	}
	switch (event) {
	case nua_i_invite:
		call_incoming(s->calls, nh, sip);
		break;
	case nua_i_state:
	case nua_i_terminated:
	case nua_r_bye:
		/* A refused INVITE's handle: ours to destroy once it is over. */
		if (nh && event == nua_i_state) {
			int state = nua_callstate_init;

			tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
			if (state == nua_callstate_terminated)
				nua_handle_destroy(nh);
		}
		break;
	case nua_i_options:
		break; /* nua answers 200 itself */
	default:
		/* Methods we do not handle inside no dialog (MESSAGE, SUBSCRIBE...). */
		if (nh && event > nua_i_none && event < nua_r_set_params && status < 200)
			call_table_respond(s->calls, nh, SIP_501_NOT_IMPLEMENTED, TAG_END());
		g_debug("sip: unhandled event %s %03d %s (Call-ID %s)", nua_event_name(event), status,
			phrase ? phrase : "", sip && sip->sip_call_id ? sip->sip_call_id->i_id : "none");
		if (nh && event != nua_i_error)
			nua_handle_destroy(nh);
		break;
	}
}

/*
 * sofia-sip 1.12 answers some malformed requests (a SIP version other than
 * 2.0, ...) before it marks the sender's address in their Via, and then
 * resolves the Via's host name synchronously, on this thread: one packet
 * naming a host the resolver cannot reach stalled SIP for the resolver's
 * timeout (10 s here), as often as it was sent. sofia resolves the names it
 * really needs (the targets of outgoing calls) with its own asynchronous
 * resolver, which reads resolv.conf itself; glibc's resolver in this
 * process gets no servers, so a blocking lookup of a name fails at once.
 */
static void blocking_dns_off(void)
{
	if (res_init() == 0)
		_res.nscount = 0;
}

struct sip *sip_start(const struct config_hostport *listen, struct call_table *t, GError **err)
{
	struct sip *s = g_new0(struct sip, 1);
	char hostport[CONFIG_HOSTPORT_TEXT_MAX], url[CONFIG_HOSTPORT_TEXT_MAX + 4];

	s->calls = t;
	blocking_dns_off();
	sip_log_redirect();
	su_init();
	s->responses = sip_sent_responses_start(t, err);
	if (!s->responses) {
		sip_free(s);
		return NULL;
	}
	s->root = su_glib_root_create(s);
	su_root_threading(s->root, 0);
	g_source_attach(su_glib_root_gsource(s->root), NULL);
	config_hostport_format(listen, hostport, sizeof(hostport));
	snprintf(url, sizeof(url), "sip:%s", hostport);
	sip_recovery_run(s->root, t->media, url);
	s->nua = nua_create(s->root, on_event, s, NUTAG_URL(url), NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOALERT(0),
			    NUTAG_AUTOANSWER(0), NUTAG_SESSION_TIMER(0), NUTAG_ENABLEINVITE(1),
			    SIPTAG_USER_AGENT_STR(USER_AGENT), SIPTAG_ALLOW_STR(ALLOWED_METHODS),
			    SIPTAG_SUPPORTED(NULL), TPTAG_IDLE(SIP_TCP_IDLE_MS), TPTAG_TIMEOUT(SIP_TCP_STALL_MS),
			    TPTAG_DUMP(sip_sent_responses_dump_path(s->responses)), TAG_END());
	sip_sent_responses_opened(s->responses);
	if (!s->nua) {
		g_set_error(err, SIP_ERROR, EADDRNOTAVAIL, "cannot listen for SIP on %s", hostport);
		sip_free(s);
		return NULL;
	}
	t->nua = s->nua;
	s->unanswered = sip_tcp_unanswered_start(listen->port, SIP_TCP_STALL_MS);
	g_message("SIP on %s (UDP and TCP)", url);
	return s;
}

void sip_shutdown(struct sip *s, void (*done)(void *user), void *user)
{
	s->shutdown_done = done;
	s->shutdown_user = user;
	nua_shutdown(s->nua);
}

void sip_free(struct sip *s)
{
	if (!s)
		return;
	sip_tcp_unanswered_stop(s->unanswered);
	if (s->nua) {
		s->calls->nua = NULL;
		nua_destroy(s->nua);
	}
	if (s->root) {
		g_source_destroy(su_glib_root_gsource(s->root));
		su_root_destroy(s->root);
	}
	sip_sent_responses_stop(s->responses);
	su_deinit();
	g_free(s);
}
