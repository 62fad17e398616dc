// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A SIP message as rtprelayd's sofia-sip stack receives it: parsed with
 * sofia's SIP parser (msg_make with sip_default_mclass(), what the
 * transport does with a datagram), let through only as nta lets it
 * (no parse error, sip_sanity_check()), the headers every response echoes
 * encoded again, then what the call layer reads. An INVITE goes to
 * call_incoming() itself: route (the Request-URI user through
 * route_resolve), Content-Type and Accept, the SDP offer; an answer to an
 * INVITE has its SDP parsed as take_answer() does. No live nua is needed:
 * call_incoming() answers through nua_respond(), which ignores a handle
 * that is not valid, and the media layer has no free port, so every INVITE
 * that gets that far is refused before a socket is bound.
 *
 * The rule beyond the sanitizers': every INVITE ends refused, leaving no
 * call behind.
 */
#include <stdlib.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "call/call.h"
#include "config/config.h"
#include "media/media_env.h"
#include "media/port_pool.h"
#include "fuzz_support.h"

static struct config cfg;
static struct media_env media;
static struct call_table calls;

/*
 * The handle call_incoming() answers through. nua_handle_home() is a cast
 * (nua.h): a handle starts with its memory home, into which call.c copies
 * the reason of a 400 for nua to send. The rest is zero, which
 * nua_respond() takes for a handle that is no longer valid, and ignores.
 * The home is emptied after every input, as destroying the handle would.
 */
static union {
	su_home_t home[1];
	char zero[1024];
} handle;

/* The call layer logs every refusal: a million lines would only slow the fuzzer. */
static GLogWriterOutput discard_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user)
{
	return G_LOG_WRITER_HANDLED;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint16_t only_port;

	/* nua_respond() on a handle that is not valid says so at debug level 1. */
	setenv("NUA_DEBUG", "0", 1);
	g_log_set_writer_func(discard_log, NULL, NULL);
	config_set_defaults(&cfg);
	if (!config_add_route(&cfg, "bob", "sip:bob@192.0.2.7:5070", NULL))
		abort();
	media.cfg = &cfg;
	media.ports = port_pool_new(40000, 40001);
	if (!media.ports || port_pool_take(media.ports, &only_port) < 0)
		abort();
	call_table_init(&calls, &cfg, &media);
	return 0;
}

/* What a response copies from the request (RFC 3261 8.2.6.2), written out again as nta does. */
static void encode_echoed_headers(su_home_t *home, const sip_t *sip)
{
	const sip_header_t *echoed[] = {
		(const sip_header_t *)sip->sip_via,	  (const sip_header_t *)sip->sip_from,
		(const sip_header_t *)sip->sip_to,	  (const sip_header_t *)sip->sip_call_id,
		(const sip_header_t *)sip->sip_cseq,	  (const sip_header_t *)sip->sip_record_route,
		(const sip_header_t *)sip->sip_timestamp,
	};
	size_t i;

	for (i = 0; i < sizeof(echoed) / sizeof(echoed[0]); i++) {
		if (echoed[i])
			su_free(home, sip_header_as_string(home, echoed[i]));
	}
	su_free(home, url_as_string(home, sip->sip_from->a_url));
}

static void incoming_invite(const sip_t *sip)
{
	struct call_stats before = calls.stats;

	su_home_init(handle.home);
	call_incoming(&calls, (nua_handle_t *)&handle, sip);
	su_home_deinit(handle.home);
	FUZZ_CHECK(call_table_count(&calls) == 0, "an INVITE left %u calls", call_table_count(&calls));
	FUZZ_CHECK(calls.stats.calls_total == before.calls_total + 1 &&
		       calls.stats.calls_failed == before.calls_failed + 1,
		   "an INVITE counted as %llu calls, %llu failed",
		   (unsigned long long)(calls.stats.calls_total - before.calls_total),
		   (unsigned long long)(calls.stats.calls_failed - before.calls_failed));
}

static void invite_answer(const sip_t *sip)
{
	struct sdp_media_desc answer;
	char err[SDP_ERROR_MAX];

	if (sip->sip_payload && sip->sip_payload->pl_len)
		sdp_media_parse(sip->sip_payload->pl_data, sip->sip_payload->pl_len, &answer, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	msg_t *msg = size ? msg_make(sip_default_mclass(), 0, data, size) : NULL;
	const sip_t *sip = sip_object(msg);

	if (sip && !(sip->sip_flags & MSG_FLG_ERROR) && sip_sanity_check(sip) == 0) {
		encode_echoed_headers(home, sip);
		if (sip->sip_request && sip->sip_request->rq_method == sip_method_invite)
			incoming_invite(sip);
		else if (sip->sip_status && sip->sip_status->st_status / 100 == 2 &&
			 sip->sip_cseq->cs_method == sip_method_invite)
			invite_answer(sip);
	}
	msg_destroy(msg);
	su_home_deinit(home);
	return 0;
}
