// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>

#include "datapath/call_records.h"
#include "media/adopted_flows.h"
#include "media/media_env.h"
#include "sip_recovery.h"

#define SIP_RECOVERY_WAIT_MS 4000 /* for the answers: three UDP retransmissions (T1 = 500 ms) */

struct sip_recovery {
	nta_agent_t *agent;
	const struct media_env *media;
	GList *byes;	       /* struct bye * still waiting for an answer */
	unsigned int answered; /* 2xx */
	unsigned int refused;  /* any other final answer (nta's own 503 when the peer is unreachable) */
};

struct bye {
	struct sip_recovery *r;
	uint64_t id;
	unsigned int port;
	char *call_id;
	nta_leg_t *leg;
	nta_outgoing_t *orq;
	su_home_t *home; /* what the request is built from, for as long as nta may resend it */
};

static void bye_free(struct bye *b)
{
	nta_outgoing_destroy(b->orq);
	nta_leg_destroy(b->leg);
	su_home_unref(b->home);
	g_free(b->call_id);
	g_free(b);
}

/* The dialog is over for us: its record goes, its flows and port are freed. */
static void bye_end(struct bye *b, const char *why)
{
	call_records_delete(b->r->media->records, b->id);
	adopted_flows_remove_port(b->r->media->adopted, b->port, why);
}

static int on_bye_response(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, const sip_t *sip)
{
	struct bye *b = (struct bye *)magic;
	struct sip_recovery *r = b->r;
	int status = nta_outgoing_status(orq);

	if (status < 200)
		return 0;
	if (status < 300)
		r->answered++;
	else
		r->refused++;
	g_info("recovered SIP dialog %s: BYE answered %03d", b->call_id, status);
	bye_end(b, "its dialog was hung up");
	r->byes = g_list_remove(r->byes, b);
	bye_free(b);
	return 0;
}

/*
 * Where the BYE goes: the first Route (a loose router) when there is a
 * route set, else the remote target, over the dialog's transport (a TCP
 * dialog's Contact need not say so); NULL: the Request-URI as it is.
 */
static const url_string_t *next_hop(su_home_t *home, const struct call_record_sip *d)
{
	sip_route_t *route = d->route_set[0] ? sip_route_make(home, d->route_set) : NULL;
	url_t *url;

	if (route)
		return (const url_string_t *)route->r_url;
	if (strcmp(d->transport, "tcp") != 0 || !(url = url_make(home, d->remote_target)) ||
	    url_has_param(url, "transport"))
		return NULL;
	url_param_add(home, url, "transport=tcp");
	return (const url_string_t *)url;
}

static void send_bye(uint64_t id, const struct call_record *rec, void *user)
{
	struct sip_recovery *r = user;
	const struct call_record_sip *d = &rec->sip;
	struct bye *b = g_new0(struct bye, 1);
	g_autofree char *from = g_strdup_printf("<%s>;tag=%s", d->local_uri, d->local_tag);
	g_autofree char *to = g_strdup_printf("<%s>;tag=%s", d->remote_uri, d->remote_tag);
	g_autofree char *cseq = g_strdup_printf("%u BYE", d->local_cseq + 1);

	b->r = r;
	b->home = su_home_new(sizeof(su_home_t));
	b->id = id;
	b->port = d->port;
	b->call_id = g_strdup(d->call_id);
	b->leg = nta_leg_tcreate(r->agent, NULL, NULL, SIPTAG_CALL_ID_STR(d->call_id), SIPTAG_FROM_STR(from),
				 SIPTAG_TO_STR(to), TAG_END());
	if (b->leg)
		b->orq = nta_outgoing_tcreate(b->leg, on_bye_response, (nta_outgoing_magic_t *)b, next_hop(b->home, d),
					      SIP_METHOD_BYE, URL_STRING_MAKE(d->remote_target), SIPTAG_CSEQ_STR(cseq),
					      TAG_IF(d->route_set[0], SIPTAG_ROUTE_STR(d->route_set)), TAG_END());
	if (!b->orq) {
		g_warning("recovered SIP dialog %s: cannot send a BYE to %s; its flows stay until idle", d->call_id,
			  d->remote_target);
		call_records_delete(r->media->records, id);
		bye_free(b);
		return;
	}
	r->byes = g_list_prepend(r->byes, b);
}

/* Requests reaching the agent meanwhile (new calls) are dropped: their senders retransmit to nua. */
static int drop_request(nta_agent_magic_t *magic, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	msg_destroy(msg);
	return 0;
}

static gboolean on_deadline(gpointer user)
{
	*(bool *)user = true;
	return G_SOURCE_REMOVE;
}

void sip_recovery_run(su_root_t *root, const struct media_env *media, const char *url)
{
	struct sip_recovery r = { .media = media };
	bool late = false;
	guint deadline;

	if (!media->records)
		return;
	r.agent = nta_agent_create(root, URL_STRING_MAKE(url), drop_request, NULL, TAG_END());
	if (!r.agent) {
		g_warning("recovered SIP dialogs: cannot listen on %s; their flows stay until idle", url);
		return;
	}
	call_records_foreach(media->records, CALL_RECORD_SIP, send_bye, &r);
	if (r.byes)
		g_message("recovered SIP dialogs: %u BYEs sent", g_list_length(r.byes));
	deadline = g_timeout_add(SIP_RECOVERY_WAIT_MS, on_deadline, &late);
	while (r.byes && !late)
		g_main_context_iteration(NULL, TRUE);
	if (!late)
		g_source_remove(deadline);
	for (GList *l = r.byes; l; l = l->next)
		bye_end((struct bye *)l->data, "no answer in time");
	if (r.byes || r.answered || r.refused)
		g_message("recovered SIP dialogs hung up: %u BYEs answered 2xx, %u otherwise, %u unanswered",
			  r.answered, r.refused, g_list_length(r.byes));
	g_list_free_full(r.byes, (GDestroyNotify)bye_free);
	nta_agent_destroy(r.agent);
}
