// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include <sofia-sip/sip_header.h>

#include "call.h"
#include "call_dialog_record.h"
#include "call_log.h"
#include "config/config.h"
#include "datapath/call_records.h"
#include "media/media_env.h"

static struct call_records *records_of(const struct call *c)
{
	return c->table->media->records;
}

/* A URL as text into a record field; false when it does not fit. */
static bool url_text(char *dst, size_t len, const url_t *url)
{
	char *s = url ? url_as_string(NULL, url) : NULL;
	bool fits = call_record_text(dst, len, s);

	su_free(NULL, s);
	return fits;
}

/* Record-Route as a Route header value: in order for the callee (UAS), reversed for the caller (UAC). */
static bool route_text(char *dst, size_t len, const sip_record_route_t *rr, bool reverse)
{
	GString *route = g_string_new(NULL);
	bool fits;

	for (; rr; rr = rr->r_next) {
		char *h = sip_header_as_string(NULL, (const sip_header_t *)rr);

		if (reverse) {
			g_string_prepend(route, route->len ? ", " : "");
			g_string_prepend(route, h);
		} else {
			g_string_append_printf(route, "%s%s", route->len ? ", " : "", h);
		}
		su_free(NULL, h);
	}
	fits = call_record_text(dst, len, route->str);
	g_string_free(route, TRUE);
	return fits;
}

/* "udp" or "tcp" from a Via's protocol, "SIP/2.0/UDP". */
static void transport_text(char *dst, size_t len, const sip_via_t *via)
{
	const char *proto = via && via->v_protocol ? strrchr(via->v_protocol, '/') : NULL;
	char *lower = g_ascii_strdown(proto ? proto + 1 : "udp", -1);

	call_record_text(dst, len, lower);
	g_free(lower);
}

static bool contact_text(struct call *c, struct call_record_sip *r)
{
	char hostport[CONFIG_HOSTPORT_TEXT_MAX];
	g_autofree char *contact =
	    g_strdup_printf("sip:%s", config_hostport_format(&c->table->cfg->sip_listen, hostport, sizeof(hostport)));

	return call_record_text(r->local_contact, sizeof(r->local_contact), contact);
}

/* What a request or response of the dialog says; "local" is From for our call, To for theirs. */
static bool fill(struct call *c, struct call_record_sip *r, const sip_t *sip, bool ours)
{
	const sip_addr_t *local = ours ? sip->sip_from : sip->sip_to, *remote = ours ? sip->sip_to : sip->sip_from;
	bool fits = sip->sip_call_id && local && remote;

	fits = fits && call_record_text(r->call_id, sizeof(r->call_id), sip->sip_call_id->i_id);
	fits = fits && call_record_text(r->local_tag, sizeof(r->local_tag), local->a_tag);
	fits = fits && call_record_text(r->remote_tag, sizeof(r->remote_tag), remote->a_tag);
	fits = fits && url_text(r->local_uri, sizeof(r->local_uri), local->a_url);
	fits = fits && url_text(r->remote_uri, sizeof(r->remote_uri), remote->a_url);
	fits = fits &&
	       url_text(r->remote_target, sizeof(r->remote_target), sip->sip_contact ? sip->sip_contact->m_url : NULL);
	fits = fits && route_text(r->route_set, sizeof(r->route_set), sip->sip_record_route, ours);
	fits = fits && contact_text(c, r);
	transport_text(r->transport, sizeof(r->transport), sip->sip_via);
	r->local_cseq = ours && sip->sip_cseq ? sip->sip_cseq->cs_seq : 0;
	r->port = media_stream_port(c->media);
	return fits;
}

static void write_record(struct call *c)
{
	if (!c->record_id)
		c->record_id = call_records_new_id(records_of(c));
	call_records_put(records_of(c), c->record_id, c->record);
}

static void not_recorded(struct call *c, const char *why)
{
	call_log(G_LOG_LEVEL_WARNING, c, "%s: it will not survive a crash", why);
	g_clear_pointer(&c->record, g_free);
}

void call_dialog_record_invite(struct call *c, const sip_t *invite)
{
	if (!records_of(c))
		return;
	c->record = g_new0(struct call_record, 1);
	c->record->kind = CALL_RECORD_SIP;
	if (!fill(c, &c->record->sip, invite, false))
		not_recorded(c, "a header of its INVITE is too long to record");
}

void call_dialog_record_acked(struct call *c, const sip_t *ack)
{
	const char *tag = ack->sip_to ? ack->sip_to->a_tag : NULL;

	if (!c->record || c->record_id)
		return;
	if (!tag || !call_record_text(c->record->sip.local_tag, sizeof(c->record->sip.local_tag), tag)) {
		not_recorded(c, "the ACK's To tag (ours) is missing or too long to record");
		return;
	}
	write_record(c);
}

void call_dialog_record_answered(struct call *c, const sip_t *response)
{
	if (!records_of(c))
		return;
	if (!c->record)
		c->record = g_new0(struct call_record, 1);
	c->record->kind = CALL_RECORD_SIP;
	if (!fill(c, &c->record->sip, response, true)) {
		not_recorded(c, "a header of its answer is too long to record");
		return;
	}
	write_record(c);
}

void call_dialog_record_remove(struct call *c)
{
	call_records_delete(records_of(c), c->record_id);
	c->record_id = 0;
	g_clear_pointer(&c->record, g_free);
}
