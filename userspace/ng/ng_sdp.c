// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>

#include "lib/sockaddr_text.h"
#include "sdp/sdp_guard.h"
#include "ng_error.h"
#include "ng_sdp.h"

/* Direction attributes stay plain attributes: printed where and as they came. */
#define SDP_FLAGS sdp_f_mode_manual

struct ng_sdp {
	su_home_t home[1];
	sdp_parser_t *parser;
	sdp_session_t *session;
	unsigned int count;
};

void ng_sdp_free(struct ng_sdp *sdp)
{
	if (!sdp)
		return;
	sdp_parser_free(sdp->parser);
	su_home_deinit(sdp->home);
	g_free(sdp);
}

struct ng_sdp *ng_sdp_parse(const char *data, size_t len, char *err, size_t err_size)
{
	struct ng_sdp *sdp;
	char why[128];

	if (!len) {
		ng_error(err, err_size, "empty SDP");
		return NULL;
	}
	/* sofia-sip 1.12 can loop allocating on some bodies: userspace/sdp/sdp_guard.h. */
	if (!sdp_guard_check(data, len, why, sizeof(why))) {
		ng_error(err, err_size, "bad SDP: %s", why);
		return NULL;
	}
	sdp = g_new0(struct ng_sdp, 1);
	su_home_init(sdp->home);
	sdp->parser = sdp_parse(sdp->home, data, len, SDP_FLAGS);
	sdp->session = sdp_session(sdp->parser);
	if (!sdp->session) {
		ng_error(err, err_size, "bad SDP: %s", sdp_parsing_error(sdp->parser));
		ng_sdp_free(sdp);
		return NULL;
	}
	for (const sdp_media_t *m = sdp->session->sdp_media; m; m = m->m_next)
		sdp->count++;
	if (sdp->count > NG_SDP_MAX_STREAMS) {
		ng_error(err, err_size, "more than %d m= lines in the SDP", NG_SDP_MAX_STREAMS);
		ng_sdp_free(sdp);
		return NULL;
	}
	return sdp;
}

unsigned int ng_sdp_stream_count(const struct ng_sdp *sdp)
{
	return sdp->count;
}

static sdp_media_t *nth_media(const struct ng_sdp *sdp, unsigned int i)
{
	sdp_media_t *m = sdp->session->sdp_media;

	while (i--)
		m = m->m_next;
	return m;
}

static bool is_hold_address(const sdp_connection_t *c)
{
	return !strcmp(c->c_address, "0.0.0.0") || !strcmp(c->c_address, "::");
}

/* "a=rtcp:PORT [IN IP4 ADDR]": the port, 0 when absent, -1 when malformed. */
static long rtcp_attribute_port(const sdp_media_t *m)
{
	const sdp_attribute_t *a = sdp_attribute_find(m->m_attributes, "rtcp");
	char *end;
	long port;

	if (!a)
		return 0;
	port = a->a_value ? strtol(a->a_value, &end, 10) : -1;
	if (port < 1 || port > 65535 || (*end && *end != ' '))
		return -1;
	return port;
}

/* Only IP literals: a peer's media address is where the relay sends. */
static bool fill_rtp_address(const sdp_connection_t *c, unsigned long port, struct sockaddr_storage *ss)
{
	bool v6 = c->c_addrtype == sdp_addr_ip6;
	char text[INET6_ADDRSTRLEN + 16];
	socklen_t len;

	if (!c->c_address || (c->c_addrtype != sdp_addr_ip4 && !v6) || strlen(c->c_address) >= INET6_ADDRSTRLEN)
		return false;
	g_snprintf(text, sizeof(text), v6 ? "[%s]:%lu" : "%s:%lu", c->c_address, port);
	return sockaddr_parse(text, ss, &len) == 0 && (ss->ss_family == AF_INET6) == v6;
}

bool ng_sdp_stream(const struct ng_sdp *sdp, unsigned int i, struct ng_sdp_stream *out, char *err, size_t err_size)
{
	const sdp_media_t *m = nth_media(sdp, i);
	const sdp_connection_t *c = sdp_media_connections(m);
	sdp_mode_t session_mode = sdp_attribute_mode(sdp->session->sdp_attributes, sdp_sendrecv);
	long rtcp = rtcp_attribute_port(m);

	memset(out, 0, sizeof(*out));
	g_strlcpy(out->type, m->m_type_name ? m->m_type_name : "", sizeof(out->type));
	if (m->m_port == 0) {
		out->disabled = true;
		return true;
	}
	if (m->m_port > 65535)
		return ng_error(err, err_size, "m= line %u: port %lu out of range", i + 1, m->m_port);
	if (!c || !fill_rtp_address(c, m->m_port, &out->rtp))
		return ng_error(err, err_size, "m= line %u: no IPv4 or IPv6 address in c=", i + 1);
	if (rtcp < 0)
		return ng_error(err, err_size, "m= line %u: bad a=rtcp", i + 1);
	out->rtcp_mux = sdp_attribute_find(m->m_attributes, "rtcp-mux") != NULL;
	out->rtcp_port = rtcp ? (unsigned long)rtcp : m->m_port + !out->rtcp_mux;
	out->rtp_port = m->m_port;
	out->hold = is_hold_address(c);
	out->receives = (sdp_attribute_mode(m->m_attributes, session_mode) & sdp_recvonly) && !out->hold;
	return true;
}

/* Every c= of the list to the relay's address, except hold addresses. */
static void relay_connections(su_home_t *home, sdp_connection_t *c, const char *address)
{
	for (; c; c = c->c_next) {
		if (!c->c_address || is_hold_address(c))
			continue;
		c->c_address = su_strdup(home, address);
		c->c_addrtype = strchr(address, ':') ? sdp_addr_ip6 : sdp_addr_ip4;
	}
}

static bool is_ice_attribute(const char *name)
{
	return g_str_has_prefix(name, "ice-") || !strcmp(name, "candidate") || !strcmp(name, "end-of-candidates") ||
	       !strcmp(name, "remote-candidates");
}

static void remove_ice(sdp_attribute_t **list)
{
	while (*list) {
		if (is_ice_attribute((*list)->a_name))
			*list = (*list)->a_next;
		else
			list = &(*list)->a_next;
	}
}

static void set_rtcp_port(su_home_t *home, sdp_media_t *m, unsigned long port)
{
	sdp_attribute_t *a = su_zalloc(home, sizeof(*a));

	while (sdp_attribute_remove(&m->m_attributes, "rtcp"))
		;
	a->a_size = sizeof(*a);
	a->a_name = "rtcp";
	a->a_value = su_sprintf(home, "%lu", port);
	sdp_attribute_append(&m->m_attributes, a);
}

static void relay_media(struct ng_sdp *sdp, sdp_media_t *m, uint16_t port, const struct ng_sdp_relay *relay)
{
	bool mux = sdp_attribute_find(m->m_attributes, "rtcp-mux") != NULL;

	if (relay->flags & NG_SDP_ICE_REMOVE)
		remove_ice(&m->m_attributes);
	if (m->m_port == 0)
		return;
	m->m_port = port;
	relay_connections(sdp->home, m->m_connections, relay->address);
	if (!mux || sdp_attribute_find(m->m_attributes, "rtcp"))
		set_rtcp_port(sdp->home, m, port + 1);
}

char *ng_sdp_rewrite(struct ng_sdp *sdp, const struct ng_sdp_relay *relay, char *err, size_t err_size)
{
	sdp_session_t *s = sdp->session;
	sdp_printer_t *printer;
	char *out = NULL;
	unsigned int i = 0;

	if (relay->flags & NG_SDP_REPLACE_ORIGIN && s->sdp_origin)
		relay_connections(sdp->home, s->sdp_origin->o_address, relay->address);
	relay_connections(sdp->home, s->sdp_connection, relay->address);
	if (relay->flags & NG_SDP_ICE_REMOVE)
		remove_ice(&s->sdp_attributes);
	for (sdp_media_t *m = s->sdp_media; m; m = m->m_next, i++)
		relay_media(sdp, m, relay->ports[i], relay);
	printer = sdp_print(sdp->home, s, NULL, 0, SDP_FLAGS);
	if (sdp_message(printer))
		out = g_strdup(sdp_message(printer));
	else
		ng_error(err, err_size, "cannot print the SDP: %s", sdp_printing_error(printer));
	sdp_printer_free(printer);
	return out;
}
