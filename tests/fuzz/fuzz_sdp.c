// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An SDP body the way an INVITE's reaches userspace/sdp/: sdp_guard_check(),
 * then sdp_media_parse() (which checks it again before sofia-sip parses
 * it), then our answer from sdp_answer_build(). The rules: whatever the
 * guard refuses is refused by the parse; a parsed offer is within its
 * struct's bounds and has a codec; our answer to it exists and reads back
 * through our own parser with the offer's payloads, in its order.
 *
 * sofia-sip 1.12 loops allocating on some m= lines (sdp_guard.h): one that
 * gets past the guard shows here as a timeout or an out-of-memory.
 */
#include "sdp/sdp_guard.h"
#include "sdp/sdp_offer_answer.h"
#include "fuzz_support.h"

#include <glib.h>

static const struct sdp_local locals[] = {
	{ .address = "192.0.2.1", .rtp_port = 30000, .session_id = 1, .session_version = 2 },
	{ .address = "2001:db8::1", .rtp_port = 30002, .session_id = 3, .session_version = 4 },
};

static void check_offer(const struct sdp_media_desc *d)
{
	unsigned i;

	FUZZ_CHECK(d->payload_count <= SDP_MAX_PAYLOADS && sdp_media_desc_first_codec(d), "%u payloads, codec %p",
		   d->payload_count, (const void *)sdp_media_desc_first_codec(d));
	FUZZ_CHECK(d->media_count <= SDP_MAX_MEDIA && d->audio_index < d->media_count, "audio m= line %u of %u",
		   d->audio_index, d->media_count);
	FUZZ_CHECK(memchr(d->address, '\0', sizeof(d->address)), "address without its NUL");
	for (i = 0; i < d->payload_count; i++)
		FUZZ_CHECK(memchr(d->payloads[i].fmtp, '\0', sizeof(d->payloads[i].fmtp)), "fmtp without its NUL");
	for (i = 0; i < d->media_count; i++)
		FUZZ_CHECK(memchr(d->media[i].type, '\0', sizeof(d->media[i].type)) &&
			       memchr(d->media[i].proto, '\0', sizeof(d->media[i].proto)) &&
			       memchr(d->media[i].format, '\0', sizeof(d->media[i].format)),
			   "m= line %u: a field without its NUL", i);
}

static void check_answer(const struct sdp_media_desc *offer, const struct sdp_local *local)
{
	char *answer = sdp_answer_build(offer, local);
	struct sdp_media_desc back;
	char err[SDP_ERROR_MAX];
	unsigned i;

	FUZZ_CHECK(answer, "no answer to an offer with a codec (local %s)", local->address);
	FUZZ_CHECK(sdp_media_parse(answer, strlen(answer), &back, err, sizeof(err)) == SDP_PARSE_OK,
		   "our answer does not parse: %s\n%s", err, answer);
	FUZZ_CHECK(back.payload_count == offer->payload_count, "answer has %u payloads, offer %u\n%s",
		   back.payload_count, offer->payload_count, answer);
	for (i = 0; i < back.payload_count; i++)
		FUZZ_CHECK(
		    back.payloads[i].codec == offer->payloads[i].codec && back.payloads[i].pt == offer->payloads[i].pt,
		    "payload %u: answer %s/%u, offer %s/%u\n%s", i, sdp_codec_name(back.payloads[i].codec),
		    back.payloads[i].pt, sdp_codec_name(offer->payloads[i].codec), offer->payloads[i].pt, answer);
	FUZZ_CHECK(back.media_count == offer->media_count && back.audio_index == offer->audio_index,
		   "answer has %u m= lines (audio %u), offer %u (audio %u)\n%s", back.media_count, back.audio_index,
		   offer->media_count, offer->audio_index, answer);
	g_free(answer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct sdp_media_desc offer;
	char why[SDP_ERROR_MAX], err[SDP_ERROR_MAX];
	enum sdp_parse_result result;
	bool guard_passed = sdp_guard_check(body, size, why, sizeof(why));
	size_t i;

	if (!guard_passed)
		FUZZ_CHECK(why[0] && memchr(why, '\0', sizeof(why)), "a refusal without a reason");
	result = sdp_media_parse(body, size, &offer, err, sizeof(err));
	if (!guard_passed)
		FUZZ_CHECK(result == SDP_PARSE_BAD, "the guard refused (%s), the parse gave %d", why, result);
	if (result != SDP_PARSE_OK) {
		FUZZ_CHECK(err[0] && memchr(err, '\0', sizeof(err)), "a failed parse without a reason");
		return 0;
	}
	check_offer(&offer);
	for (i = 0; i < sizeof(locals) / sizeof(locals[0]); i++)
		check_answer(&offer, &locals[i]);
	return 0;
}
