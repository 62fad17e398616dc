// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An ng datagram up to what the relay legs would be made of: the cookie
 * split off (ng_message_split), the body decoded (lib/bencode.h), and the
 * "sdp" of an offer or answer read (ng_sdp_parse, ng_sdp_stream) and
 * rewritten with the relay in the peers' place (ng_sdp_rewrite). The
 * rules: the cookie and body lie in the datagram; a stream that reads has
 * a port and an address of its family; and the rewritten SDP reads again
 * with as many m= lines, every enabled one now pointing at the relay.
 * The commands themselves (ng_command_run) need the media layer and are
 * not run.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "lib/bencode.h"
#include "ng/ng_message.h"
#include "ng/ng_sdp.h"
#include "fuzz_support.h"

#define RELAY_ADDRESS "192.0.2.1"

static void check_rewrite(struct ng_sdp *sdp)
{
	uint16_t ports[NG_SDP_MAX_STREAMS];
	const struct ng_sdp_relay relay = { .address = RELAY_ADDRESS, .ports = ports, .flags = NG_SDP_ICE_REMOVE };
	unsigned int n = ng_sdp_stream_count(sdp), i;
	char err[NG_SDP_ERROR_MAX], *text;
	struct ng_sdp *again;

	for (i = 0; i < n; i++)
		ports[i] = 30000 + 2 * i;
	text = ng_sdp_rewrite(sdp, &relay, err, sizeof(err));
	if (!text)
		return;
	again = ng_sdp_parse(text, strlen(text), err, sizeof(err));
	FUZZ_CHECK(again, "our rewritten SDP does not read: %s\n%s", err, text);
	FUZZ_CHECK(ng_sdp_stream_count(again) == n, "%u m= lines became %u\n%s", n, ng_sdp_stream_count(again), text);
	for (i = 0; i < n; i++) {
		struct ng_sdp_stream s;
		char addr[INET6_ADDRSTRLEN] = "";

		if (!ng_sdp_stream(again, i, &s, err, sizeof(err)) || s.disabled || s.hold)
			continue;
		inet_ntop(s.rtp.ss_family,
			  s.rtp.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&s.rtp)->sin_addr
						     : (void *)&((struct sockaddr_in6 *)&s.rtp)->sin6_addr,
			  addr, sizeof(addr));
		FUZZ_CHECK(s.rtp_port == ports[i] && !strcmp(addr, RELAY_ADDRESS),
			   "m= line %u points at %s port %u, not the relay\n%s", i, addr, s.rtp_port, text);
	}
	ng_sdp_free(again);
	g_free(text);
}

static void check_sdp(const struct bencode_value *sdp_value)
{
	char err[NG_SDP_ERROR_MAX];
	struct ng_sdp *sdp = ng_sdp_parse(sdp_value->str.data, sdp_value->str.len, err, sizeof(err));
	unsigned int i;

	if (!sdp)
		return;
	FUZZ_CHECK(ng_sdp_stream_count(sdp) <= NG_SDP_MAX_STREAMS, "%u m= lines", ng_sdp_stream_count(sdp));
	for (i = 0; i < ng_sdp_stream_count(sdp); i++) {
		struct ng_sdp_stream s;

		if (!ng_sdp_stream(sdp, i, &s, err, sizeof(err)) || s.disabled)
			continue;
		FUZZ_CHECK(s.rtp.ss_family == AF_INET || s.rtp.ss_family == AF_INET6, "m= line %u: family %d", i,
			   s.rtp.ss_family);
		FUZZ_CHECK(memchr(s.type, '\0', sizeof(s.type)), "m= line %u: type without its NUL", i);
	}
	check_rewrite(sdp);
	ng_sdp_free(sdp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const struct bencode_value *args, *sdp;
	struct bencode_doc *doc;
	struct ng_message msg;

	if (!ng_message_split(buf, size, &msg))
		return 0;
	FUZZ_CHECK(msg.cookie == buf && msg.cookie_len && msg.cookie_len <= NG_COOKIE_MAX &&
		       msg.body == buf + msg.cookie_len + 1 && msg.body + msg.body_len == buf + size,
		   "cookie of %zu bytes, body of %zu, in %zu", msg.cookie_len, msg.body_len, size);
	doc = bencode_doc_new();
	args = bencode_decode(doc, msg.body, msg.body_len, NULL);
	sdp = args ? bencode_dict_get(args, "sdp") : NULL;
	if (sdp && sdp->type == BENCODE_STRING)
		check_sdp(sdp);
	bencode_doc_free(doc);
	return 0;
}
