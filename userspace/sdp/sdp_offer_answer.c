// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Parsing and printing are sofia-sip's (sdp_parse, sdp_print); this file
 * only decides what to accept and fills in the structures to print.
 * Session-level direction attributes are folded into each m= line's
 * m_mode by the parser already.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>

#include "sdp_guard.h"
#include "sdp_offer_answer.h"

#define SDP_USERNAME	     "rtprelay"
#define SDP_SESSION_NAME     "rtprelay"
#define OUR_TELEPHONE_EVENTS "0-16"

static const struct {
	const char *encoding;
	enum sdp_codec codec;
} supported_encodings[] = {
	{ "PCMU", SDP_CODEC_PCMU },
	{ "PCMA", SDP_CODEC_PCMA },
	{ "telephone-event", SDP_CODEC_TELEPHONE_EVENT },
};

static enum sdp_parse_result parse_failed(enum sdp_parse_result result, char *err, size_t err_size, const char *fmt,
					  ...) G_GNUC_PRINTF(4, 5);

static enum sdp_parse_result parse_failed(enum sdp_parse_result result, char *err, size_t err_size, const char *fmt,
					  ...)
{
	va_list ap;

	if (err && err_size) {
		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return result;
}

static enum sdp_direction direction_of(bool sends, bool receives)
{
	if (sends && receives)
		return SDP_SENDRECV;
	if (sends)
		return SDP_SENDONLY;
	if (receives)
		return SDP_RECVONLY;
	return SDP_INACTIVE;
}

bool sdp_direction_sends(enum sdp_direction d)
{
	return d == SDP_SENDRECV || d == SDP_SENDONLY;
}

bool sdp_direction_receives(enum sdp_direction d)
{
	return d == SDP_SENDRECV || d == SDP_RECVONLY;
}

enum sdp_direction sdp_direction_mirror(enum sdp_direction d)
{
	return direction_of(sdp_direction_receives(d), sdp_direction_sends(d));
}

const char *sdp_direction_name(enum sdp_direction d)
{
	switch (d) {
	case SDP_SENDRECV:
		return "sendrecv";
	case SDP_SENDONLY:
		return "sendonly";
	case SDP_RECVONLY:
		return "recvonly";
	case SDP_INACTIVE:
		return "inactive";
	}
	return "?";
}

const char *sdp_codec_name(enum sdp_codec codec)
{
	return supported_encodings[codec].encoding;
}

/* ---- parsing ------------------------------------------------------------ */

static bool connection_is_any(const sdp_connection_t *c)
{
	return !strcmp(c->c_address, "0.0.0.0") || !strcmp(c->c_address, "::");
}

static bool codec_of(const sdp_rtpmap_t *rm, enum sdp_codec *codec)
{
	size_t i;

	if (!rm->rm_encoding || rm->rm_rate != 8000)
		return false;
	for (i = 0; i < G_N_ELEMENTS(supported_encodings); i++) {
		if (!g_ascii_strcasecmp(rm->rm_encoding, supported_encodings[i].encoding)) {
			*codec = supported_encodings[i].codec;
			return true;
		}
	}
	return false;
}

/*
 * Our payloads among the m= line's, in its order, the first of each codec.
 * A payload type listed twice keeps its first meaning: sofia gives `m=audio
 * 4000 RTP/AVP 0 0` with `a=rtpmap:0 PCMA/8000` as PT 0 PCMA and PT 0 PCMU,
 * and an answer with both would map one PT to two codecs.
 */
static void collect_payloads(const sdp_media_t *m, struct sdp_media_desc *out)
{
	const sdp_rtpmap_t *rm;

	for (rm = m->m_rtpmaps; rm && out->payload_count < SDP_MAX_PAYLOADS; rm = rm->rm_next) {
		struct sdp_payload *p = &out->payloads[out->payload_count];
		enum sdp_codec codec;
		bool pt_taken = false;
		unsigned i;

		for (i = 0; i < out->payload_count; i++)
			pt_taken |= out->payloads[i].pt == rm->rm_pt;
		if (pt_taken || !codec_of(rm, &codec) || sdp_media_desc_find(out, codec))
			continue;
		p->codec = codec;
		p->pt = rm->rm_pt;
		g_strlcpy(p->fmtp, rm->rm_fmtp ? rm->rm_fmtp : "", sizeof(p->fmtp));
		out->payload_count++;
	}
}

static bool media_is_usable_audio(const sdp_media_t *m)
{
	return m->m_type == sdp_media_audio && m->m_proto == sdp_proto_rtp && m->m_port != 0;
}

static void remember_media_line(const sdp_media_t *m, struct sdp_other_media *line)
{
	const char *format = m->m_rtpmaps ? NULL : (m->m_format ? m->m_format->l_text : "0");

	g_strlcpy(line->type, m->m_type_name ? m->m_type_name : "audio", sizeof(line->type));
	/* Cut short, a protocol may end in '/', which RFC 4566's proto = token *("/" token) forbids. */
	if (g_strlcpy(line->proto, m->m_proto_name ? m->m_proto_name : "RTP/AVP", sizeof(line->proto)) >=
		sizeof(line->proto) &&
	    line->proto[sizeof(line->proto) - 2] == '/')
		line->proto[sizeof(line->proto) - 2] = '\0';
	if (format)
		g_strlcpy(line->format, format, sizeof(line->format));
	else
		g_snprintf(line->format, sizeof(line->format), "%u", m->m_rtpmaps->rm_pt);
}

/* Records every m= line; returns the audio stream to use, or NULL. */
static const sdp_media_t *find_audio(const sdp_session_t *s, struct sdp_media_desc *out, bool *any_audio)
{
	const sdp_media_t *m, *audio = NULL;
	unsigned i = 0;

	*any_audio = false;
	for (m = s->sdp_media; m; m = m->m_next, i++) {
		if (i < SDP_MAX_MEDIA)
			remember_media_line(m, &out->media[i]);
		if (m->m_type == sdp_media_audio)
			*any_audio = true;
		if (!audio && media_is_usable_audio(m)) {
			audio = m;
			out->audio_index = i;
		}
	}
	out->media_count = i;
	return audio;
}

static bool fill_address(const sdp_connection_t *c, uint16_t port, struct sdp_media_desc *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->rtp_addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->rtp_addr;

	g_strlcpy(out->address, c->c_address, sizeof(out->address));
	if (c->c_addrtype == sdp_addr_ip4 && inet_pton(AF_INET, c->c_address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return true;
	}
	if (c->c_addrtype == sdp_addr_ip6 && inet_pton(AF_INET6, c->c_address, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return true;
	}
	return false;
}

static unsigned attribute_number(const sdp_attribute_t *a, unsigned max)
{
	char *end;
	unsigned long v;

	if (!a || !a->a_value)
		return 0;
	v = strtoul(a->a_value, &end, 10);
	if (end == a->a_value || v > max)
		return 0;
	return v;
}

static enum sdp_direction direction_of_media(const sdp_media_t *m, bool hold_0000)
{
	bool sends = m->m_mode & sdp_sendonly;
	bool receives = (m->m_mode & sdp_recvonly) && !hold_0000;

	return direction_of(sends, receives);
}

static enum sdp_parse_result describe_session(const sdp_session_t *s, struct sdp_media_desc *out, char *err,
					      size_t err_size)
{
	const sdp_media_t *m;
	const sdp_connection_t *c;
	bool any_audio;

	if (s->sdp_origin) {
		out->session_id = s->sdp_origin->o_id;
		out->session_version = s->sdp_origin->o_version;
	}
	m = find_audio(s, out, &any_audio);
	if (out->media_count > SDP_MAX_MEDIA)
		return parse_failed(SDP_PARSE_BAD, err, err_size, "Bad SDP: more than %d m= lines", SDP_MAX_MEDIA);
	if (!any_audio)
		return parse_failed(SDP_PARSE_BAD, err, err_size, "Bad SDP: no audio m= line");
	if (!m)
		return parse_failed(SDP_PARSE_NO_CODEC, err, err_size, "No RTP/AVP audio stream");

	c = sdp_media_connections(m);
	if (!c || !c->c_address)
		return parse_failed(SDP_PARSE_BAD, err, err_size, "Bad SDP: no c= line for audio");
	out->rtp_port = m->m_port;
	if (m->m_port > 65535 || !fill_address(c, m->m_port, out))
		return parse_failed(SDP_PARSE_BAD, err, err_size, "Bad SDP: bad connection address or port");

	out->hold_0000 = connection_is_any(c);
	out->direction = direction_of_media(m, out->hold_0000);
	out->rtcp_port = attribute_number(sdp_attribute_find(m->m_attributes, "rtcp"), 65535);
	out->ptime = attribute_number(sdp_attribute_find2(m->m_attributes, s->sdp_attributes, "ptime"), 1000);

	collect_payloads(m, out);
	if (!sdp_media_desc_first_codec(out))
		return parse_failed(SDP_PARSE_NO_CODEC, err, err_size, "No common codec (PCMU or PCMA)");
	return SDP_PARSE_OK;
}

/*
 * The payload type an rtpmap or fmtp line at `line` is about; -1 for any
 * other line. The attribute's name is what sofia-sip reads as one: the
 * token after "a=", whatever character ends it (it takes
 * "a=rtpmap/1PCMU/8000" as an rtpmap of payload 1).
 */
static int codec_line_pt(const char *line, const char *end)
{
	static const char *const names[] = { "a=rtpmap", "a=fmtp" };

	for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
		size_t n = strlen(names[i]);
		int pt = 0;

		if ((size_t)(end - line) < n || g_ascii_strncasecmp(line, names[i], n))
			continue;
		line += n;
		if (line < end && (g_ascii_isalnum(*line) || strchr("-!#$%&'*+.^_`{|}~", *line)))
			return -1; /* a longer name: another attribute */
		while (line < end && !g_ascii_isdigit(*line))
			line++;
		for (; line < end && g_ascii_isdigit(*line) && pt < 1000; line++)
			pt = pt * 10 + (*line - '0');
		return pt;
	}
	return -1;
}

/*
 * Whether an rtpmap line names an encoding we read (PCMU, PCMA,
 * telephone-event), whatever its payload type: PCMU may come on a dynamic
 * one ("a=rtpmap:96 PCMU/8000"), and our answer repeats it so.
 */
static bool is_rtpmap_we_read(const char *line, const char *end)
{
	const char *sp = memchr(line, ' ', end - line);

	for (size_t i = 0; sp && i < G_N_ELEMENTS(supported_encodings); i++) {
		size_t n = strlen(supported_encodings[i].encoding);

		if ((size_t)(end - sp - 1) > n && !g_ascii_strncasecmp(sp + 1, supported_encodings[i].encoding, n) &&
		    sp[1 + n] == '/')
			return true;
	}
	return false;
}

/*
 * The body without the rtpmap and fmtp lines of payloads we never read
 * (anything but PCMU, PCMA and telephone-event, on their static payload
 * types or mapped to any other by an rtpmap): sofia-sip refuses a whole
 * offer for one malformed line of a codec we would not have used
 * ("a=rtpmap:31 LPC", no clock rate). Lines end at CR or LF, as for sofia.
 */
static GString *codec_lines_we_read(const char *data, size_t len)
{
	const char *end = data + len, *line, *stop;
	bool read[1000] = { false };
	GString *out = g_string_sized_new(len);

	for (line = data; line < end; line = stop + 1) {
		int pt;

		for (stop = line; stop < end && *stop != '\r' && *stop != '\n'; stop++)
			;
		pt = codec_line_pt(line, stop);
		if (pt >= 0 && pt < 1000 && !g_ascii_strncasecmp(line, "a=rtpmap", 8) && is_rtpmap_we_read(line, stop))
			read[pt] = true;
	}
	for (line = data; line < end; line = stop + 1) {
		int pt;

		for (stop = line; stop < end && *stop != '\r' && *stop != '\n'; stop++)
			;
		pt = codec_line_pt(line, stop);
		if (pt < 0 || pt == SDP_PT_PCMU || pt == SDP_PT_PCMA || (pt < 1000 && read[pt]))
			g_string_append_len(out, line, stop < end ? stop + 1 - line : stop - line);
	}
	return out;
}

enum sdp_parse_result sdp_media_parse(const char *data, size_t len, struct sdp_media_desc *out, char *err,
				      size_t err_size)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sdp_parser_t *parser;
	sdp_session_t *session;
	enum sdp_parse_result result;
	char why[SDP_ERROR_MAX];
	GString *body;

	memset(out, 0, sizeof(*out));
	if (err && err_size)
		err[0] = '\0';
	if (!data || len == 0)
		return parse_failed(SDP_PARSE_BAD, err, err_size, "Bad SDP: empty body");
	if (!sdp_guard_check(data, len, why, sizeof(why)))
		return parse_failed(SDP_PARSE_BAD, err, err_size, "Bad SDP: %s", why);

	body = codec_lines_we_read(data, len);
	parser = sdp_parse(home, body->str, body->len, 0);
	session = sdp_session(parser);
	if (session)
		result = describe_session(session, out, err, err_size);
	else
		result = parse_failed(SDP_PARSE_BAD, err, err_size, "Bad SDP: %s", sdp_parsing_error(parser));
	sdp_parser_free(parser);
	su_home_deinit(home);
	g_string_free(body, TRUE);
	return result;
}

const struct sdp_payload *sdp_media_desc_find(const struct sdp_media_desc *d, enum sdp_codec codec)
{
	unsigned i;

	for (i = 0; i < d->payload_count; i++) {
		if (d->payloads[i].codec == codec)
			return &d->payloads[i];
	}
	return NULL;
}

const struct sdp_payload *sdp_media_desc_first_codec(const struct sdp_media_desc *d)
{
	unsigned i;

	for (i = 0; i < d->payload_count; i++) {
		if (d->payloads[i].codec != SDP_CODEC_TELEPHONE_EVENT)
			return &d->payloads[i];
	}
	return NULL;
}

/* ---- printing ----------------------------------------------------------- */

/* sofia's structures for one session, filled in place and printed. */
struct sdp_draft {
	sdp_session_t session;
	sdp_origin_t origin;
	sdp_connection_t connection;
	sdp_time_t time;
	sdp_media_t audio;
	sdp_rtpmap_t rtpmaps[SDP_MAX_PAYLOADS];
	sdp_attribute_t ptime;
	sdp_media_t rejected[SDP_MAX_MEDIA];
	sdp_list_t rejected_format[SDP_MAX_MEDIA];
};

static bool draft_session(struct sdp_draft *d, const struct sdp_local *local)
{
	struct in6_addr ignored;

	if (!local->address)
		return false;
	if (inet_pton(AF_INET, local->address, &ignored) == 1)
		d->connection.c_addrtype = sdp_addr_ip4;
	else if (inet_pton(AF_INET6, local->address, &ignored) == 1)
		d->connection.c_addrtype = sdp_addr_ip6;
	else
		return false;
	d->connection.c_size = sizeof(d->connection);
	d->connection.c_nettype = sdp_net_in;
	d->connection.c_address = local->address;

	d->origin = (sdp_origin_t){ .o_size = sizeof(d->origin),
				    .o_username = SDP_USERNAME,
				    .o_id = local->session_id,
				    .o_version = local->session_version,
				    .o_address = &d->connection };
	d->time.t_size = sizeof(d->time);
	d->session.sdp_size = sizeof(d->session);
	d->session.sdp_origin = &d->origin;
	d->session.sdp_subject = SDP_SESSION_NAME;
	d->session.sdp_connection = &d->connection;
	d->session.sdp_time = &d->time;
	d->session.sdp_media = &d->audio;
	return true;
}

static void draft_audio(struct sdp_draft *d, uint16_t port, const struct sdp_payload *payloads, unsigned count,
			enum sdp_direction direction)
{
	unsigned i;

	for (i = 0; i < count; i++) {
		sdp_rtpmap_t *rm = &d->rtpmaps[i];

		rm->rm_size = sizeof(*rm);
		rm->rm_next = i + 1 < count ? &d->rtpmaps[i + 1] : NULL;
		rm->rm_encoding = sdp_codec_name(payloads[i].codec);
		rm->rm_rate = 8000;
		rm->rm_fmtp = payloads[i].fmtp[0] ? payloads[i].fmtp : NULL;
		rm->rm_predef = payloads[i].codec != SDP_CODEC_TELEPHONE_EVENT;
		rm->rm_pt = payloads[i].pt;
	}
	d->ptime =
	    (sdp_attribute_t){ .a_size = sizeof(d->ptime), .a_name = "ptime", .a_value = G_STRINGIFY(SDP_PTIME_MS) };

	d->audio.m_size = sizeof(d->audio);
	d->audio.m_session = &d->session;
	d->audio.m_type = sdp_media_audio;
	d->audio.m_port = port;
	d->audio.m_proto = sdp_proto_rtp;
	d->audio.m_rtpmaps = &d->rtpmaps[0];
	d->audio.m_attributes = &d->ptime;
	d->audio.m_mode = (sdp_direction_sends(direction) ? sdp_sendonly : 0) |
			  (sdp_direction_receives(direction) ? sdp_recvonly : 0);
}

/* Every m= line of the offer in its place: ours, or a rejected copy. */
static void draft_media_lines(struct sdp_draft *d, const struct sdp_media_desc *offer)
{
	sdp_media_t **next = &d->session.sdp_media;
	unsigned i;

	for (i = 0; i < offer->media_count; i++) {
		sdp_media_t *m = &d->rejected[i];
		const struct sdp_other_media *line = &offer->media[i];

		if (i == offer->audio_index) {
			*next = &d->audio;
			next = &d->audio.m_next;
			continue;
		}
		m->m_size = sizeof(*m);
		m->m_session = &d->session;
		sdp_media_type(m, line->type);
		sdp_media_transport(m, line->proto);
		m->m_rejected = 1;
		d->rejected_format[i] = (sdp_list_t){ .l_size = sizeof(sdp_list_t), .l_text = line->format };
		m->m_format = &d->rejected_format[i];
		*next = m;
		next = &m->m_next;
	}
	*next = NULL;
}

static char *draft_print(const struct sdp_draft *d)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sdp_printer_t *printer = sdp_print(home, &d->session, NULL, 0, sdp_f_all_rtpmaps | sdp_f_mode_always);
	char *text = NULL;

	if (!sdp_printing_error(printer))
		text = g_strdup(sdp_message(printer));
	sdp_printer_free(printer);
	su_home_deinit(home);
	return text;
}

char *sdp_answer_build(const struct sdp_media_desc *offer, const struct sdp_local *local)
{
	struct sdp_draft d = { 0 };
	enum sdp_direction wanted = sdp_direction_mirror(offer->direction);
	enum sdp_direction direction;

	if (!sdp_media_desc_first_codec(offer) || offer->media_count > SDP_MAX_MEDIA)
		return NULL;
	if (!draft_session(&d, local))
		return NULL;
	direction = direction_of(sdp_direction_sends(wanted) && sdp_direction_sends(local->direction),
				 sdp_direction_receives(wanted) && sdp_direction_receives(local->direction));
	draft_audio(&d, local->rtp_port, offer->payloads, offer->payload_count, direction);
	draft_media_lines(&d, offer);
	return draft_print(&d);
}

char *sdp_offer_build(const struct sdp_local *local)
{
	struct sdp_draft d = { 0 };
	bool pcma_first = local->preferred == SDP_CODEC_PCMA;
	struct sdp_payload payloads[SDP_MAX_PAYLOADS] = {
		{ .codec = pcma_first ? SDP_CODEC_PCMA : SDP_CODEC_PCMU, .pt = pcma_first ? SDP_PT_PCMA : SDP_PT_PCMU },
		{ .codec = pcma_first ? SDP_CODEC_PCMU : SDP_CODEC_PCMA, .pt = pcma_first ? SDP_PT_PCMU : SDP_PT_PCMA },
		{ .codec = SDP_CODEC_TELEPHONE_EVENT, .pt = SDP_TELEPHONE_EVENT_PT, .fmtp = OUR_TELEPHONE_EVENTS },
	};

	if (!draft_session(&d, local))
		return NULL;
	draft_audio(&d, local->rtp_port, payloads, SDP_MAX_PAYLOADS, local->direction);
	return draft_print(&d);
}
