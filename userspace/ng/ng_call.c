// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A leg is a struct media_stream of the media layer; every call into that
 * layer is in the "legs" functions at the top, so that a change of its API
 * touches only them.
 */
#include <arpa/inet.h>
#include <string.h>

#include "datapath/call_records.h"
#include "media/adopted_flows.h"
#include "media/media_bridge.h"
#include "media/media_env.h"
#include "media/media_stream.h"
#include "ng_call.h"
#include "ng_call_log.h"
#include "ng_error.h"

struct ng_side {
	char *tag;				    /* NULL until an answer names it */
	char *label;				    /* NULL until a signal of this side gives one */
	const struct config_media_address *address; /* where its legs are, named by direction; NULL: media-ip */
	bool asymmetric;			    /* its legs keep to the SDP's address */
	gint64 created_s;
	struct media_stream *legs[NG_SDP_MAX_STREAMS]; /* where this side's peer sends, per m= line */
};

struct ng_call {
	char *call_id;
	struct ng_side sides[2]; /* [0]: the side of the first offer's from-tag */
	unsigned int streams;	 /* m= lines offered */
	char types[NG_SDP_MAX_STREAMS][16];
	gint64 created_s, last_signal_s; /* unix time */

	/* Its durable record (call_records.h): where (NULL: none), its id (0 before the first reply), and what each
	 * side's SDP said. */
	struct call_records *records;
	uint64_t record_id;
	struct call_record_peer peers[2][NG_SDP_MAX_STREAMS];
};

struct ng_calls {
	const struct config *cfg;
	const struct media_env *media;
	GHashTable *by_id; /* call-id (the call's string) -> struct ng_call * */
	struct ng_calls_stats stats;
	gint64 started_us;

	/* Durable records: media's (NULL when there is none), and how many calls were taken over from them. */
	struct call_records *records;
	unsigned int recovered;
};

/* An SDP and what its m= lines ask for. */
struct signal_sdp {
	struct ng_sdp *sdp;
	const struct sockaddr_storage *received_from; /* the signal's, for endpoint learning */
	unsigned int count;
	struct ng_sdp_stream streams[NG_SDP_MAX_STREAMS];
};

/* ---- legs ---------------------------------------------------------------- */

static struct media_stream *leg_new(struct ng_calls *calls, const struct config_media_address *address, char *err,
				    size_t err_size)
{
	GError *e = NULL;
	struct media_stream *ms = media_stream_new_on(calls->media, address, &e);

	if (!ms) {
		ng_error(err, err_size, "%s", e->message);
		g_error_free(e);
	}
	return ms;
}

static void leg_free(struct media_stream *ms)
{
	media_stream_free(ms);
}

static uint16_t leg_port(const struct media_stream *ms)
{
	return media_stream_port(ms);
}

/*
 * Codecs pass byte for byte: every leg has the same law, so a bridge of two
 * never transcodes. Where the proxy says the SIP came from, the peer's media
 * may come from too (a phone behind NAT): endpoint learning latches to it
 * at once.
 */
static void leg_set_peer(struct media_stream *ms, const struct ng_sdp_stream *st,
			 const struct sockaddr_storage *received_from)
{
	struct sdp_media_desc desc = {
		.rtp_addr = st->rtp,
		.rtp_port = st->rtp_port,
		.rtcp_port = st->rtcp_port,
		.direction = st->receives ? SDP_SENDRECV : SDP_SENDONLY,
	};

	if (received_from->ss_family != AF_UNSPEC)
		media_stream_set_signal_source(ms, received_from);
	media_stream_set_remote(ms, &desc, G711_ULAW);
}

static void leg_set_asymmetric(struct media_stream *ms, bool asymmetric)
{
	media_stream_set_asymmetric(ms, asymmetric);
}

static void leg_bridge(struct media_stream *a, struct media_stream *b)
{
	if (media_bridge_partner(a) != b)
		media_bridge_connect(a, b);
}

static double leg_idle_seconds(const struct media_stream *ms)
{
	return media_stream_idle_seconds(ms);
}

/* Its media and packets, as rtprelayctl calls shows them; query's counts are the same. */
static void leg_info(const struct media_stream *ms, struct media_leg_info *out)
{
	media_stream_leg_info(ms, out);
}

G_STATIC_ASSERT(CALL_RECORD_NAME_LEN == RTPRELAY_MEDIA_ADDRESS_NAME_MAX);

/* ---- durable records ------------------------------------------------------ */

/* The part of the record that only the SDP knows: where the peer receives. */
static void record_peer(struct call_record_peer *p, const struct ng_sdp_stream *st)
{
	memset(p, 0, sizeof(*p));
	p->family = st->rtp.ss_family;
	flow_addr_from_sockaddr(&p->addr, &p->rtp_port, (const struct sockaddr *)&st->rtp);
	p->rtcp_port = htons(st->rtcp_port);
	p->receives = st->receives;
}

static bool record_fill(const struct ng_call *c, struct call_record_ng *r)
{
	bool fits = call_record_text(r->call_id, sizeof(r->call_id), c->call_id);

	for (int s = 0; s < 2; s++) {
		fits &= call_record_text(r->tags[s], sizeof(r->tags[s]), c->sides[s].tag);
		fits &= call_record_text(r->labels[s], sizeof(r->labels[s]), c->sides[s].label);
		call_record_text(r->addresses[s], sizeof(r->addresses[s]),
				 c->sides[s].address ? c->sides[s].address->name : NULL);
		r->asymmetric[s] = c->sides[s].asymmetric;
		r->tag_created_s[s] = c->sides[s].created_s;
		for (unsigned int i = 0; i < NG_SDP_MAX_STREAMS; i++) {
			if (!c->sides[s].legs[i])
				continue;
			r->legs[s][i].port = leg_port(c->sides[s].legs[i]);
			r->legs[s][i].peer = c->peers[s][i];
		}
	}
	r->created_s = c->created_s;
	r->last_signal_s = c->last_signal_s;
	r->streams = c->streams;
	memcpy(r->types, c->types, sizeof(r->types));
	return fits;
}

static void record_remove(struct ng_call *c)
{
	call_records_delete(c->records, c->record_id);
	c->record_id = 0;
}

/* Written before the reply that commits the change goes out; a call whose ids do not fit is not recorded. */
static void record_save(struct ng_call *c)
{
	struct call_record *rec = g_new0(struct call_record, 1);

	rec->kind = CALL_RECORD_NG;
	if (!record_fill(c, &rec->ng)) {
		ng_call_log(G_LOG_LEVEL_WARNING, c->call_id, c->sides[0].tag,
			    "its call-id or a tag is too long to record: it will not survive a crash");
		record_remove(c);
	} else {
		if (!c->record_id)
			c->record_id = call_records_new_id(c->records);
		call_records_put(c->records, c->record_id, rec);
	}
	g_free(rec);
}

/* ---- calls --------------------------------------------------------------- */

static void drop_stream(struct ng_call *c, unsigned int i)
{
	for (int s = 0; s < 2; s++) {
		leg_free(c->sides[s].legs[i]);
		c->sides[s].legs[i] = NULL;
	}
}

static void ng_calls_recover(struct ng_calls *calls);

static void call_free(struct ng_call *c)
{
	record_remove(c);
	for (unsigned int i = 0; i < NG_SDP_MAX_STREAMS; i++)
		drop_stream(c, i);
	for (int s = 0; s < 2; s++) {
		g_free(c->sides[s].tag);
		g_free(c->sides[s].label);
	}
	g_free(c->call_id);
	g_free(c);
}

static struct ng_call *call_new(struct ng_calls *calls, const char *call_id, const char *from_tag)
{
	struct ng_call *c = g_new0(struct ng_call, 1);

	c->call_id = g_strdup(call_id);
	c->records = calls->records;
	c->created_s = c->last_signal_s = g_get_real_time() / G_USEC_PER_SEC;
	c->sides[0].tag = g_strdup(from_tag);
	c->sides[0].created_s = c->created_s;
	g_hash_table_insert(calls->by_id, c->call_id, c);
	calls->stats.created++;
	ng_call_log(G_LOG_LEVEL_INFO, call_id, from_tag, "created");
	return c;
}

static int side_of(const struct ng_call *c, const char *tag)
{
	for (int s = 0; s < 2; s++) {
		if (c->sides[s].tag && !strcmp(c->sides[s].tag, tag))
			return s;
	}
	return -1;
}

struct ng_calls *ng_calls_new(const struct config *cfg, const struct media_env *media)
{
	struct ng_calls *calls = g_new0(struct ng_calls, 1);

	calls->cfg = cfg;
	calls->media = media;
	calls->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)call_free);
	calls->started_us = g_get_monotonic_time();
	calls->records = media ? media->records : NULL;
	ng_calls_recover(calls);
	return calls;
}

void ng_calls_free(struct ng_calls *calls)
{
	if (!calls)
		return;
	g_hash_table_destroy(calls->by_id);
	g_free(calls);
}

/* The relay cannot send to a peer of the other IP family (its hold address aside). */
static bool check_family(const struct ng_calls *calls, const struct ng_sdp_stream *st, unsigned int i, char *err,
			 size_t err_size)
{
	int relay = calls->cfg->media_family == AF_INET6 ? AF_INET6 : AF_INET;

	if (st->disabled || st->hold || st->rtp.ss_family == relay)
		return true;
	return ng_error(err, err_size, "m= line %u: an %s peer, but the relay's media address is %s", i + 1,
			st->rtp.ss_family == AF_INET6 ? "IPv6" : "IPv4", relay == AF_INET6 ? "IPv6" : "IPv4");
}

static bool read_sdp(const struct ng_calls *calls, const struct ng_signal *sig, struct signal_sdp *out, char *err,
		     size_t err_size)
{
	out->sdp = ng_sdp_parse(sig->sdp, sig->sdp_len, err, err_size);
	if (!out->sdp)
		return false;
	out->received_from = &sig->received_from;
	out->count = ng_sdp_stream_count(out->sdp);
	for (unsigned int i = 0; i < out->count; i++) {
		if (!ng_sdp_stream(out->sdp, i, &out->streams[i], err, err_size) ||
		    !check_family(calls, &out->streams[i], i, err, err_size)) {
			ng_sdp_free(out->sdp);
			return false;
		}
	}
	return true;
}

static bool ensure_legs(struct ng_calls *calls, struct ng_call *c, unsigned int i, char *err, size_t err_size)
{
	for (int s = 0; s < 2; s++) {
		if (!c->sides[s].legs[i] && !(c->sides[s].legs[i] = leg_new(calls, c->sides[s].address, err, err_size)))
			return false;
	}
	return true;
}

/*
 * The SDP of side `from` goes to the other side: each m= line's peer is
 * set on from's leg, bridged with the other side's leg, whose port the
 * rewritten SDP names. An answer may only keep or reject offered m= lines.
 */
static char *relay_sdp(struct ng_calls *calls, struct ng_call *c, int from, struct signal_sdp *in, bool offer,
		       unsigned int flags, char *err, size_t err_size)
{
	struct ng_side *sender = &c->sides[from], *receiver = &c->sides[!from];
	uint16_t ports[NG_SDP_MAX_STREAMS] = { 0 };
	const char *address = receiver->address ? receiver->address->ip : calls->cfg->media_ip;
	struct ng_sdp_relay relay = { .address = address, .ports = ports, .flags = flags };

	for (unsigned int i = 0; i < in->count; i++) {
		const struct ng_sdp_stream *st = &in->streams[i];

		if (st->disabled) {
			drop_stream(c, i);
			continue;
		}
		if (!offer && !sender->legs[i]) {
			ng_error(err, err_size, "m= line %u of the answer was not offered", i + 1);
			return NULL;
		}
		if (!ensure_legs(calls, c, i, err, err_size))
			return NULL;
		leg_set_asymmetric(sender->legs[i], sender->asymmetric);
		leg_set_peer(sender->legs[i], st, in->received_from);
		record_peer(&c->peers[from][i], st);
		leg_bridge(sender->legs[i], receiver->legs[i]);
		ports[i] = leg_port(receiver->legs[i]);
		g_strlcpy(c->types[i], st->type, sizeof(c->types[i]));
	}
	if (offer)
		c->streams = MAX(c->streams, in->count);
	c->last_signal_s = g_get_real_time() / G_USEC_PER_SEC;
	return ng_sdp_rewrite(in->sdp, &relay, err, err_size);
}

/*
 * A new call while draining or at max-calls: refused, with the cause in
 * err; false when it is taken.
 */
static bool new_call_refused(const struct ng_calls *calls, char *err, size_t err_size)
{
	if (calls->cfg->drain.on)
		g_snprintf(err, err_size, "draining: %s", calls->cfg->drain.why);
	else if (g_hash_table_size(calls->by_id) >= calls->cfg->max_calls)
		g_snprintf(err, err_size, "too many calls (max-calls %u)", calls->cfg->max_calls);
	else
		return false;
	return true;
}

/* direction's names as media addresses (NULL: none given); false with err set for a name that is not one. */
static bool find_direction(const struct ng_calls *calls, const struct ng_signal *sig,
			   const struct config_media_address *out[2], char *err, size_t err_size)
{
	int relay = calls->cfg->media_family == AF_INET6 ? AF_INET6 : AF_INET;

	for (int i = 0; i < 2; i++) {
		out[i] = sig->direction[i] ? config_media_address_find(calls->cfg, sig->direction[i]) : NULL;
		if (sig->direction[i] && !out[i])
			return ng_error(err, err_size,
					"direction: no media address named %s (--media-address NAME=ADDR)",
					sig->direction[i]);
		if (out[i] && out[i]->family != relay)
			return ng_error(err, err_size, "direction: media address %s is not of media-ip's family",
					sig->direction[i]);
	}
	return true;
}

/* What a signal sets on its side: its legs' symmetry; a new call's direction sets both sides' addresses. */
static void apply_side_flags(struct ng_call *c, int from, const struct ng_signal *sig,
			     const struct config_media_address *const direction[2], bool is_new)
{
	if (is_new) {
		c->sides[from].address = direction[0];
		c->sides[!from].address = direction[1];
	}
	if (sig->symmetry != NG_SYMMETRY_UNCHANGED)
		c->sides[from].asymmetric = sig->symmetry == NG_ASYMMETRIC;
}

/* A signal's label names its side from then on; one without a label keeps the side's. */
static void side_set_label(struct ng_side *side, const char *label)
{
	if (!label)
		return;
	g_free(side->label);
	side->label = g_strdup(label);
}

static struct ng_call *offered_call(struct ng_calls *calls, const struct ng_signal *sig, int *from, char *err,
				    size_t err_size)
{
	struct ng_call *c = g_hash_table_lookup(calls->by_id, sig->call_id);

	if (!c) {
		*from = 0;
		return call_new(calls, sig->call_id, sig->from_tag);
	}
	*from = side_of(c, sig->from_tag);
	if (*from < 0) {
		ng_error(err, err_size, "from-tag %s is not a tag of this call", sig->from_tag);
		return NULL;
	}
	return c;
}

/* A refused call is refused before its SDP is read: whatever the SDP says, the proxy may take it elsewhere. */
char *ng_call_offer(struct ng_calls *calls, const struct ng_signal *sig, bool *refused, char *err, size_t err_size)
{
	const struct config_media_address *direction[2];
	bool is_new = !g_hash_table_contains(calls->by_id, sig->call_id);
	struct signal_sdp in;
	struct ng_call *c;
	char *out;
	int from;

	*refused = is_new && new_call_refused(calls, err, err_size);
	if (*refused || !find_direction(calls, sig, direction, err, err_size) ||
	    !read_sdp(calls, sig, &in, err, err_size))
		return NULL;
	c = offered_call(calls, sig, &from, err, err_size);
	if (c)
		apply_side_flags(c, from, sig, direction, is_new);
	out = c ? relay_sdp(calls, c, from, &in, true, sig->sdp_flags, err, err_size) : NULL;
	if (out) {
		side_set_label(&c->sides[from], sig->label);
		record_save(c);
	} else if (c && is_new) {
		g_hash_table_remove(calls->by_id, sig->call_id);
	}
	ng_sdp_free(in.sdp);
	return out;
}

/* The answerer's side: the one that is not the offerer's, named by to_tag from now on; -1 if from_tag is unknown. */
static int answering_side(struct ng_call *c, const struct ng_signal *sig)
{
	int offerer = side_of(c, sig->from_tag);
	struct ng_side *answerer;

	if (offerer < 0)
		return -1;
	answerer = &c->sides[!offerer];
	if (!answerer->tag || strcmp(answerer->tag, sig->to_tag)) {
		g_free(answerer->tag);
		answerer->tag = g_strdup(sig->to_tag);
		answerer->created_s = g_get_real_time() / G_USEC_PER_SEC;
	}
	return !offerer;
}

char *ng_call_answer(struct ng_calls *calls, const struct ng_signal *sig, char *err, size_t err_size)
{
	struct ng_call *c = g_hash_table_lookup(calls->by_id, sig->call_id);
	struct signal_sdp in;
	char *out = NULL;
	int from;

	if (!c) {
		ng_error(err, err_size, "unknown call-id");
		return NULL;
	}
	if (!read_sdp(calls, sig, &in, err, err_size))
		return NULL;
	from = answering_side(c, sig);
	if (from < 0) {
		ng_error(err, err_size, "from-tag %s is not a tag of this call", sig->from_tag);
	} else {
		apply_side_flags(c, from, sig, NULL, false); /* the call's direction is its first offer's */
		out = relay_sdp(calls, c, from, &in, false, sig->sdp_flags, err, err_size);
	}
	if (out) {
		side_set_label(&c->sides[from], sig->label);
		record_save(c);
	}
	ng_sdp_free(in.sdp);
	return out;
}

bool ng_call_delete(struct ng_calls *calls, const char *call_id)
{
	struct ng_call *c = g_hash_table_lookup(calls->by_id, call_id);

	if (!c)
		return false;
	ng_call_log(G_LOG_LEVEL_INFO, c->call_id, c->sides[0].tag, "deleted");
	g_hash_table_remove(calls->by_id, call_id);
	calls->stats.deleted++;
	return true;
}

/* ---- recovery after a restart ------------------------------------------- */

/* A leg on the port it had, with the peer its record names, latched as its flows are. */
static struct media_stream *recovered_leg(struct ng_calls *calls, const struct ng_side *side,
					  const struct call_record_leg *l)
{
	struct flow_key peer = { .addr = l->peer.addr, .port = l->peer.rtp_port, .family = l->peer.family };
	struct sockaddr_storage none = { .ss_family = AF_UNSPEC };
	struct ng_sdp_stream st = { .rtp_port = ntohs(l->peer.rtp_port),
				    .rtcp_port = ntohs(l->peer.rtcp_port),
				    .receives = l->peer.receives };
	struct media_stream *ms;
	GError *e = NULL;
	socklen_t len;

	adopted_flows_claim(calls->media->adopted, l->port);
	ms = media_stream_new_at(calls->media, side->address, l->port, &e);
	if (!ms) {
		g_warning("cannot take RTP port %u back: %s", l->port, e->message);
		g_error_free(e);
		return NULL;
	}
	leg_set_asymmetric(ms, side->asymmetric);
	if (l->peer.family) {
		flow_key_to_sockaddr(&peer, &st.rtp, &len);
		leg_set_peer(ms, &st, &none);
	}
	media_stream_resume_latching(ms);
	return ms;
}

/* A side's named media address as recorded; NULL (media-ip) for none, or a name the config no longer has. */
static const struct config_media_address *recovered_address(const struct ng_calls *calls, const char *call_id,
							    const char name[CALL_RECORD_NAME_LEN])
{
	const struct config_media_address *a;

	if (!name[0])
		return NULL;
	a = config_media_address_find(calls->cfg, name);
	if (!a)
		ng_call_log(G_LOG_LEVEL_WARNING, call_id, "-",
			    "media address %s is no longer configured: its legs take media-ip", name);
	return a;
}

static void recover_call(uint64_t id, const struct call_record *rec, void *user)
{
	struct ng_calls *calls = user;
	const struct call_record_ng *r = &rec->ng;
	struct ng_call *c = g_new0(struct ng_call, 1);
	unsigned int legs = 0;

	c->call_id = g_strndup(r->call_id, sizeof(r->call_id));
	c->records = calls->records;
	c->record_id = id;
	c->created_s = r->created_s;
	c->last_signal_s = r->last_signal_s;
	c->streams = MIN(r->streams, NG_SDP_MAX_STREAMS);
	memcpy(c->types, r->types, sizeof(c->types));
	for (int s = 0; s < 2; s++) {
		c->sides[s].tag = r->tags[s][0] ? g_strndup(r->tags[s], sizeof(r->tags[s])) : NULL;
		c->sides[s].label = r->labels[s][0] ? g_strndup(r->labels[s], sizeof(r->labels[s])) : NULL;
		c->sides[s].address = recovered_address(calls, c->call_id, r->addresses[s]);
		c->sides[s].asymmetric = r->asymmetric[s];
		c->sides[s].created_s = r->tag_created_s[s];
		for (unsigned int i = 0; i < NG_SDP_MAX_STREAMS; i++) {
			c->peers[s][i] = r->legs[s][i].peer;
			if (r->legs[s][i].port &&
			    (c->sides[s].legs[i] = recovered_leg(calls, &c->sides[s], &r->legs[s][i])))
				legs++;
		}
	}
	for (unsigned int i = 0; i < NG_SDP_MAX_STREAMS; i++) {
		if (c->sides[0].legs[i] && c->sides[1].legs[i])
			leg_bridge(c->sides[0].legs[i], c->sides[1].legs[i]);
	}
	g_hash_table_replace(calls->by_id, c->call_id, c);
	calls->recovered++;
	ng_call_log(G_LOG_LEVEL_INFO, c->call_id, c->sides[0].tag, "recovered from an earlier run with %u legs", legs);
}

/* The calls an earlier run recorded, taken over with their ports and flows. */
static void ng_calls_recover(struct ng_calls *calls)
{
	call_records_foreach(calls->records, CALL_RECORD_NG, recover_call, calls);
	if (calls->recovered)
		g_message("recovered %u ng calls from an earlier run", calls->recovered);
}

/* {"family": "IPv4", "address": "192.0.2.1", "port": 5004} */
static struct bencode_value *endpoint(struct bencode_doc *doc, const struct sockaddr_storage *ss)
{
	struct bencode_value *e = bencode_new_dict(doc);
	const void *addr = ss->ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
						     : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	in_port_t port = ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
						   : ((const struct sockaddr_in *)ss)->sin_port;
	char text[INET6_ADDRSTRLEN] = "";

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return e;
	inet_ntop(ss->ss_family, addr, text, sizeof(text));
	bencode_dict_set_str(doc, e, "family", ss->ss_family == AF_INET6 ? "IPv6" : "IPv4");
	bencode_dict_set_str(doc, e, "address", text);
	bencode_dict_set_int(doc, e, "port", ntohs(port));
	return e;
}

static struct bencode_value *packet_counts(struct bencode_doc *doc, uint64_t packets, uint64_t errors)
{
	struct bencode_value *d = bencode_new_dict(doc);

	bencode_dict_set_int(doc, d, "packets", packets);
	bencode_dict_set_int(doc, d, "errors", errors);
	return d;
}

/*
 * One side's streams; adds their counts to the totals. A stream's packets
 * are its leg's packets_in and its errors the leg's wrong_source, as
 * rtprelayctl calls shows them (struct media_leg_info says why).
 */
static struct bencode_value *side_medias(const struct ng_call *c, int s, struct bencode_doc *doc,
					 uint64_t *total_packets, uint64_t *total_errors)
{
	struct bencode_value *medias = bencode_new_list(doc);

	for (unsigned int i = 0; i < c->streams; i++) {
		struct media_stream *leg = c->sides[s].legs[i];
		struct bencode_value *m = bencode_new_dict(doc), *streams = bencode_new_list(doc), *st;
		struct media_leg_info info;

		bencode_dict_set_int(doc, m, "index", i + 1);
		bencode_dict_set_str(doc, m, "type", c->types[i]);
		bencode_dict_set(doc, m, "streams", streams);
		bencode_list_add(medias, m);
		if (!leg)
			continue;
		leg_info(leg, &info);
		*total_packets += info.packets_in;
		*total_errors += info.wrong_source;
		st = bencode_new_dict(doc);
		bencode_dict_set_int(doc, st, "local port", leg_port(leg));
		bencode_dict_set(doc, st, "endpoint", endpoint(doc, &info.remote_rtp));
		bencode_dict_set(doc, st, "stats", packet_counts(doc, info.packets_in, info.wrong_source));
		bencode_list_add(streams, st);
	}
	return medias;
}

bool ng_call_query(struct ng_calls *calls, const char *call_id, struct bencode_doc *doc, struct bencode_value *reply)
{
	const struct ng_call *c = g_hash_table_lookup(calls->by_id, call_id);
	struct bencode_value *tags = bencode_new_dict(doc), *totals = bencode_new_dict(doc);
	uint64_t packets = 0, errors = 0;

	if (!c)
		return false;
	for (int s = 0; s < 2; s++) {
		const struct ng_side *side = &c->sides[s];
		struct bencode_value *t = bencode_new_dict(doc);

		if (!side->tag)
			continue;
		bencode_dict_set_str(doc, t, "tag", side->tag);
		if (side->label)
			bencode_dict_set_str(doc, t, "label", side->label);
		bencode_dict_set_int(doc, t, "created", side->created_s);
		bencode_dict_set_str(doc, t, "in dialogue with", c->sides[!s].tag ? c->sides[!s].tag : "");
		bencode_dict_set(doc, t, "medias", side_medias(c, s, doc, &packets, &errors));
		bencode_dict_set(doc, tags, side->tag, t);
	}
	bencode_dict_set(doc, totals, "RTP", packet_counts(doc, packets, errors));
	bencode_dict_set_int(doc, reply, "created", c->created_s);
	bencode_dict_set_int(doc, reply, "last signal", c->last_signal_s);
	bencode_dict_set(doc, reply, "tags", tags);
	bencode_dict_set(doc, reply, "totals", totals);
	return true;
}

/* Seconds since the most recent packet from any peer of the call (or since its last signal if it has no leg). */
static double call_idle_seconds(const struct ng_call *c)
{
	double idle = g_get_real_time() / G_USEC_PER_SEC - c->last_signal_s;
	bool any = false;

	for (int s = 0; s < 2; s++) {
		for (unsigned int i = 0; i < NG_SDP_MAX_STREAMS; i++) {
			if (!c->sides[s].legs[i])
				continue;
			idle = any ? MIN(idle, leg_idle_seconds(c->sides[s].legs[i]))
				   : leg_idle_seconds(c->sides[s].legs[i]);
			any = true;
		}
	}
	return idle;
}

static gboolean timed_out(gpointer key, gpointer value, gpointer user)
{
	struct ng_calls *calls = user;
	const struct ng_call *c = value;

	if (call_idle_seconds(c) < calls->cfg->rtp_timeout)
		return FALSE;
	ng_call_log(G_LOG_LEVEL_MESSAGE, c->call_id, c->sides[0].tag, "no media for %u s, ended",
		    calls->cfg->rtp_timeout);
	calls->stats.timed_out++;
	return TRUE;
}

void ng_calls_expire(struct ng_calls *calls)
{
	g_hash_table_foreach_remove(calls->by_id, timed_out, calls);
}

void ng_calls_stats(const struct ng_calls *calls, struct ng_calls_stats *out)
{
	*out = calls->stats;
	out->current = g_hash_table_size(calls->by_id);
	out->uptime_s = (g_get_monotonic_time() - calls->started_us) / G_USEC_PER_SEC;
}

void ng_calls_list(const struct ng_calls *calls, unsigned int max, struct bencode_doc *doc, struct bencode_value *list,
		   struct bencode_value *labels)
{
	GHashTableIter it;
	gpointer id, value;

	g_hash_table_iter_init(&it, calls->by_id);
	while (max-- && g_hash_table_iter_next(&it, &id, &value)) {
		const struct ng_call *c = value;
		struct bencode_value *tags = NULL;

		bencode_list_add(list, bencode_new_str(doc, id));
		for (int s = 0; s < 2; s++) {
			if (!c->sides[s].tag || !c->sides[s].label)
				continue;
			if (!tags) {
				tags = bencode_new_dict(doc);
				bencode_dict_set(doc, labels, id, tags);
			}
			bencode_dict_set_str(doc, tags, c->sides[s].tag, c->sides[s].label);
		}
	}
}

static gint by_creation(gconstpointer a, gconstpointer b)
{
	const struct ng_call *x = a, *y = b;

	return x->created_s != y->created_s ? (x->created_s < y->created_s ? -1 : 1) : strcmp(x->call_id, y->call_id);
}

void ng_calls_foreach_leg(const struct ng_calls *calls, void (*fn)(const struct ng_leg_info *leg, void *user),
			  void *user)
{
	GList *sorted = g_list_sort(g_hash_table_get_values(calls->by_id), by_creation);
	gint64 now_s = g_get_real_time() / G_USEC_PER_SEC;

	for (GList *l = sorted; l; l = l->next) {
		const struct ng_call *c = l->data;

		for (int s = 0; s < 2; s++) {
			for (unsigned int i = 0; i < c->streams; i++) {
				const struct media_stream *leg = c->sides[s].legs[i];
				struct ng_leg_info info = {
					.call_id = c->call_id,
					.from_tag = c->sides[0].tag,
					.to_tag = c->sides[1].tag,
					.tag = c->sides[s].tag,
					.label = c->sides[s].label,
					.index = i + 1,
					.type = c->types[i],
					.answered = c->sides[1].tag != NULL,
					.age_seconds = now_s - c->created_s,
				};

				if (!leg)
					continue;
				leg_info(leg, &info.leg);
				fn(&info, user);
			}
		}
	}
	g_list_free(sorted);
}
