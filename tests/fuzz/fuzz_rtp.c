// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the media ports receive: RTP (lib/rtp.h's rtp_parse), RTCP (the
 * tests' RFC 3550 A.2 parser) and the userspace datapath's flow rules
 * (datapath/flow_apply.h).
 *
 * The first byte chooses. Even: the rest is one datagram for both packet
 * parsers. Odd: the rest describes a small flow table and batches of
 * datagrams applied to it. Then the rules: a forwarded packet is one from
 * the latched source of a flow that is neither on hold nor without a
 * socket to send from; counters only grow, by what the verdicts say; and
 * nothing but the counters of a flow changes.
 *
 * Every flow sends to a socket of this process on 127.0.0.1 that is never
 * read, so nothing leaves the host whatever the input.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/flow_apply.h"
#include "lib/flow_key.h"
#include "lib/rtp.h"
#include "tests/support/rtcp_parse.h"
#include "fuzz_support.h"

#define MAX_FLOWS 4
/* Larger than flow_apply's chunk of 64, so a batch can span two. */
#define MAX_BATCH    80
#define MAX_DATAGRAM 255

static void check_rtp(const uint8_t *buf, size_t len)
{
	struct rtp_packet pkt;
	uint8_t header[RTP_HEADER_LEN + 4 * RTP_MAX_CSRC];
	size_t header_len, fixed;

	if (rtp_parse(buf, len, &pkt) != RTP_OK)
		return;
	fixed = RTP_HEADER_LEN + 4 * (size_t)pkt.header.csrc_count;
	FUZZ_CHECK(pkt.header.csrc_count <= RTP_MAX_CSRC, "csrc_count %u", pkt.header.csrc_count);
	FUZZ_CHECK(pkt.payload >= buf + fixed && pkt.payload + pkt.payload_len + pkt.padding_len == buf + len,
		   "payload at %td, %zu bytes, padding %u, of %zu", pkt.payload - buf, pkt.payload_len, pkt.padding_len,
		   len);
	if (pkt.header.extension)
		FUZZ_CHECK(pkt.extension_data == buf + fixed + 4 &&
			       pkt.extension_data + pkt.extension_len <= pkt.payload,
			   "extension at %td, %zu bytes, payload at %td", pkt.extension_data - buf, pkt.extension_len,
			   pkt.payload - buf);
	/* What was parsed writes back as the same bytes. */
	header_len = rtp_write_header(header, sizeof(header), &pkt.header, pkt.csrc);
	FUZZ_CHECK(header_len == fixed && !memcmp(header, buf, fixed), "header written back differs (%zu bytes)",
		   header_len);
}

static void check_rtcp(const uint8_t *buf, size_t len)
{
	struct rtcp_compound c;

	if (rtcp_parse_compound(buf, len, &c) != RTCP_OK)
		return;
	FUZZ_CHECK(c.packets >= 1, "no packet in an accepted compound");
	FUZZ_CHECK(rtcp_compound_has(&c, RTCP_PT_SR) || rtcp_compound_has(&c, RTCP_PT_RR),
		   "neither SR nor RR: types %#x", c.types);
	FUZZ_CHECK(memchr(c.cname, '\0', sizeof(c.cname)) && memchr(c.bye_reason, '\0', sizeof(c.bye_reason)),
		   "text without its NUL");
	FUZZ_CHECK(rtcp_is_rtcp(buf, len), "an accepted compound is not told apart from RTP");
}

/* The flows' destination and the socket they send from, both on 127.0.0.1. */
static struct flow_addr sink_addr;
static __be16 sink_port;
static int egress_fd = -1;

static int loopback_socket(struct flow_addr *addr, __be16 *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		perror("fuzz_rtp: a UDP socket on 127.0.0.1");
		exit(1);
	}
	if (addr)
		flow_addr_from_sockaddr(addr, port, (struct sockaddr *)&sin);
	return fd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	loopback_socket(&sink_addr, &sink_port);
	egress_fd = loopback_socket(NULL, NULL);
	return 0;
}

struct fuzz_flow {
	struct flow_value v;
	bool has_egress;
};

/* A flow as the bytes say: flags, latched source, whether a socket sends; always to the sink. */
static void read_flow(struct fuzz_reader *r, struct fuzz_flow *f)
{
	uint8_t bits = fuzz_u8(r);

	memset(f, 0, sizeof(*f));
	f->v.flags = bits & (FLOW_F_LATCHED | FLOW_F_HOLD);
	f->has_egress = !(bits & 8);
	fuzz_take(r, &f->v.expect_addr, bits & 4 ? 16 : 4);
	f->v.expect_port = fuzz_raw16(r);
	f->v.dst_addr = sink_addr;
	f->v.dst_port = sink_port;
}

/* A sender: the flow's latched source, or an address and port from the bytes. */
static void read_source(struct fuzz_reader *r, const struct fuzz_flow *f, struct sockaddr_storage *from)
{
	uint8_t bits = fuzz_u8(r);
	int family = bits & 1 ? AF_INET6 : AF_INET;
	struct flow_key key = { .family = family == AF_INET6 ? FLOW_AF_INET6 : FLOW_AF_INET };
	socklen_t len;

	if (bits & 2) {
		key.addr = f->v.expect_addr;
		key.port = f->v.expect_port;
		/* An IPv4 address read as IPv6 keeps its 12 zero bytes: another address, as it should be. */
	} else {
		fuzz_take(r, &key.addr, family == AF_INET6 ? 16 : 4);
		key.port = fuzz_raw16(r);
	}
	flow_key_to_sockaddr(&key, from, &len);
}

/* A flow has no family of its own: the packet's says how much of expect_addr is the address. */
static bool from_expected(const struct flow_value *v, const struct sockaddr_storage *from)
{
	struct flow_addr addr;
	__be16 port;
	int family = flow_addr_from_sockaddr(&addr, &port, (const struct sockaddr *)from);

	if (port != v->expect_port)
		return false;
	return !memcmp(&addr, &v->expect_addr, family == FLOW_AF_INET6 ? 16 : 4);
}

#define GC_GREW(field) (after->field - before->field)

/* One batch through flow_apply and every rule it must keep. */
static void apply_batch(struct fuzz_flow *f, struct datapath_packet *pkts, int n, struct global_counters *totals)
{
	static enum datapath_verdict verdicts[MAX_BATCH];
	struct global_counters before_totals = *totals, *before = &before_totals, *after = totals;
	struct flow_value v_before = f->v;
	__u64 fwd = 0, fwd_bytes = 0, wrong = 0, passed = 0;
	size_t i;

	flow_apply(&f->v, f->has_egress ? egress_fd : -1, pkts, n, verdicts, totals);
	for (i = 0; i < (size_t)n; i++) {
		bool latched = v_before.flags & FLOW_F_LATCHED, expected = from_expected(&v_before, &pkts[i].from);

		switch (verdicts[i]) {
		case DATAPATH_FORWARDED:
			FUZZ_CHECK(latched && expected && !(v_before.flags & FLOW_F_HOLD) && f->has_egress,
				   "packet %zu forwarded: latched %d, from the latched source %d, flags %#x, egress %d",
				   i, latched, expected, v_before.flags, f->has_egress);
			fwd++;
			fwd_bytes += pkts[i].len;
			break;
		case DATAPATH_DROPPED:
			FUZZ_CHECK(latched, "packet %zu dropped on a flow that is not latched", i);
			wrong += !expected;
			break;
		case DATAPATH_PASS:
			FUZZ_CHECK(!latched || (expected && !(v_before.flags & FLOW_F_HOLD) && !f->has_egress),
				   "packet %zu passed: latched %d, from the latched source %d, flags %#x", i, latched,
				   expected, v_before.flags);
			passed++;
			break;
		default:
			FUZZ_CHECK(false, "packet %zu: verdict %d", i, verdicts[i]);
		}
	}
	FUZZ_CHECK(f->v.counters.packets - v_before.counters.packets == fwd &&
		       f->v.counters.bytes - v_before.counters.bytes == fwd_bytes &&
		       f->v.counters.wrong_source - v_before.counters.wrong_source == wrong,
		   "flow counters grew by %llu packets, %llu bytes, %llu wrong source; verdicts say %llu, %llu, %llu",
		   (unsigned long long)(f->v.counters.packets - v_before.counters.packets),
		   (unsigned long long)(f->v.counters.bytes - v_before.counters.bytes),
		   (unsigned long long)(f->v.counters.wrong_source - v_before.counters.wrong_source),
		   (unsigned long long)fwd, (unsigned long long)fwd_bytes, (unsigned long long)wrong);
	FUZZ_CHECK(f->v.counters.sampled_seen_ns >= v_before.counters.sampled_seen_ns, "the flow was seen earlier");
	v_before.counters = f->v.counters;
	FUZZ_CHECK(!memcmp(&v_before, &f->v, sizeof(v_before)), "flow_apply changed more than the flow's counters");

	FUZZ_CHECK(GC_GREW(forwarded) == fwd && GC_GREW(passed) == passed && GC_GREW(dropped_wrong_source) == wrong,
		   "totals grew by %llu forwarded, %llu passed, %llu wrong source; verdicts say %llu, %llu, %llu",
		   (unsigned long long)GC_GREW(forwarded), (unsigned long long)GC_GREW(passed),
		   (unsigned long long)GC_GREW(dropped_wrong_source), (unsigned long long)fwd,
		   (unsigned long long)passed, (unsigned long long)wrong);
	FUZZ_CHECK(GC_GREW(forwarded) + GC_GREW(passed) + GC_GREW(dropped_wrong_source) + GC_GREW(dropped_hold) +
			   GC_GREW(errors) ==
		       (__u64)n,
		   "%d packets, totals account for another number", n);
}

static void run_flows(struct fuzz_reader *r)
{
	static uint8_t bufs[MAX_BATCH][MAX_DATAGRAM];
	static struct datapath_packet pkts[MAX_BATCH];
	struct fuzz_flow flows[MAX_FLOWS];
	struct global_counters totals = { 0 };
	int nflows = fuzz_u8(r) % MAX_FLOWS + 1, i;

	for (i = 0; i < nflows; i++)
		read_flow(r, &flows[i]);
	while (r->left) {
		struct fuzz_flow *f = &flows[fuzz_u8(r) % nflows];
		int n = fuzz_u8(r) % MAX_BATCH + 1;

		for (i = 0; i < n; i++) {
			read_source(r, f, &pkts[i].from);
			pkts[i].data = bufs[i];
			pkts[i].len = fuzz_take(r, bufs[i], fuzz_u8(r) % MAX_DATAGRAM);
		}
		apply_batch(f, pkts, n, &totals);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_reader r = { data + 1, size ? size - 1 : 0 };

	if (!size)
		return 0;
	if (data[0] & 1) {
		run_flows(&r);
		return 0;
	}
	check_rtp(r.p, r.left);
	check_rtcp(r.p, r.left);
	return 0;
}
