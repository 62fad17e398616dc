// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udp_peer: the far end of a relayed leg in the namespace tests.
 *
 *   udp_peer send --bind ADDR:PORT --to ADDR:PORT --count N
 *                 [--interval-us U] [--size BYTES]
 *   udp_peer recv --bind ADDR:PORT [--count N] [--timeout-ms T]
 *                 [--expect-from ADDR:PORT]
 *
 * ADDR:PORT is 192.0.2.1:5000 or [2001:db8::1]:5000.
 *
 * Every datagram carries a header (magic, sequence number, size) and then a
 * pattern derived from the sequence number, so the receiver can tell a
 * packet that crossed the relay intact from one that was truncated or
 * rewritten in the wrong place. The receiving socket is the checksum judge:
 * the kernel drops a datagram whose UDP checksum is wrong before recv sees
 * it, so a bad incremental checksum update shows up as a missing packet.
 *
 * recv prints "ready" once its socket is bound (the test starts the sender
 * after that), then one JSON line when it has `count` packets or the timeout
 * passed: received, from_expected, payload_ok, duplicates, bytes, and the
 * source of the last packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/monotonic.h"
#include "lib/sockaddr_text.h"

#define PEER_MAGIC 0x52545052u /* "RTPR" */
#define HEADER_LEN 12	       /* magic, sequence number, size: 3 x u32 */
#define MAX_SIZE   9000

struct peer_opts {
	const char *mode;
	struct sockaddr_storage bind, to, expect;
	socklen_t bind_len, to_len;
	bool have_bind, have_to, have_expect;
	long count;
	long interval_us;
	long size;
	long timeout_ms;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: udp_peer send --bind ADDR:PORT --to ADDR:PORT --count N [--interval-us U] "
		"[--size BYTES]\n"
		"       udp_peer recv --bind ADDR:PORT [--count N] [--timeout-ms T] [--expect-from ADDR:PORT]\n");
	exit(2);
}

static uint8_t pattern_byte(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 7 + i);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void fill_payload(uint8_t *buf, size_t size, uint32_t seq)
{
	put_u32(buf, PEER_MAGIC);
	put_u32(buf + 4, seq);
	put_u32(buf + 8, size);
	for (size_t i = HEADER_LEN; i < size; i++)
		buf[i] = pattern_byte(seq, i);
}

/* True if buf is exactly what fill_payload wrote; *seq gets its number. */
static bool check_payload(const uint8_t *buf, size_t len, uint32_t *seq)
{
	if (len < HEADER_LEN || get_u32(buf) != PEER_MAGIC || get_u32(buf + 8) != len)
		return false;
	*seq = get_u32(buf + 4);
	for (size_t i = HEADER_LEN; i < len; i++)
		if (buf[i] != pattern_byte(*seq, i))
			return false;
	return true;
}

static int open_socket(const struct peer_opts *o)
{
	int one = 1, bufsize = 4 << 20;
	int fd = socket(o->bind.ss_family, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* A burst must not overflow the default buffer: losses would be ours. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (bind(fd, (const struct sockaddr *)&o->bind, o->bind_len) < 0) {
		char b[80];

		fprintf(stderr, "udp_peer: bind %s: %s\n", sockaddr_format(&o->bind, b, sizeof(b)), strerror(errno));
		exit(1);
	}
	return fd;
}

static void timespec_add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static int run_send(const struct peer_opts *o)
{
	uint8_t buf[MAX_SIZE];
	struct timespec next;
	long sent = 0, failed = 0;
	int fd = open_socket(o);

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < o->count; i++) {
		fill_payload(buf, o->size, (uint32_t)i);
		if (sendto(fd, buf, o->size, 0, (const struct sockaddr *)&o->to, o->to_len) == o->size)
			sent++;
		else
			failed++;
		if (o->interval_us > 0) {
			/* An absolute schedule: the rate does not drift with send time. */
			timespec_add_ns(&next, o->interval_us * 1000L);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	}
	printf("{\"sent\":%ld,\"failed\":%ld}\n", sent, failed);
	close(fd);
	return failed ? 1 : 0;
}

static long ms_since(uint64_t start_ns)
{
	return (monotonic_ns() - start_ns) / 1000000;
}

static int run_recv(const struct peer_opts *o)
{
	long received = 0, from_expected = 0, payload_ok = 0, duplicates = 0, bytes = 0;
	struct sockaddr_storage from = { 0 };
	uint8_t buf[MAX_SIZE + 1];
	uint8_t *seen = calloc(o->count > 0 ? o->count : 1, 1);
	uint64_t start_ns;
	char last[80];
	int fd = open_socket(o);

	printf("ready\n");
	fflush(stdout);
	start_ns = monotonic_ns();
	while (o->count == 0 || received < o->count) {
		long left = o->timeout_ms - ms_since(start_ns);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		socklen_t flen = sizeof(from);
		uint32_t seq;
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			break;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;
		received++;
		bytes += n;
		if (o->have_expect && sockaddr_equal(&from, &o->expect))
			from_expected++;
		if (check_payload(buf, n, &seq)) {
			payload_ok++;
			if (seq < (uint64_t)o->count) {
				duplicates += seen[seq];
				seen[seq] = 1;
			}
		}
	}
	printf("{\"received\":%ld,\"from_expected\":%ld,\"payload_ok\":%ld,\"duplicates\":%ld,\"bytes\":%ld,"
	       "\"last_from\":\"%s\",\"elapsed_ms\":%ld}\n",
	       received, from_expected, payload_ok, duplicates, bytes,
	       received ? sockaddr_format(&from, last, sizeof(last)) : "", ms_since(start_ns));
	free(seen);
	close(fd);
	return 0;
}

static long parse_long(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0) {
		fprintf(stderr, "udp_peer: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct peer_opts *o)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },	 { "to", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },	 { "interval-us", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' },	 { "timeout-ms", required_argument, NULL, 'T' },
		{ "expect-from", required_argument, NULL, 'e' }, { NULL, 0, NULL, 0 },
	};
	socklen_t unused;
	int c;

	if (argc < 2)
		usage();
	o->mode = argv[1];
	o->size = 172; /* an RTP packet of 20 ms PCMU */
	o->timeout_ms = 5000;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->have_bind = sockaddr_parse(optarg, &o->bind, &o->bind_len) == 0;
			if (!o->have_bind)
				usage();
			break;
		case 't':
			o->have_to = sockaddr_parse(optarg, &o->to, &o->to_len) == 0;
			if (!o->have_to)
				usage();
			break;
		case 'e':
			o->have_expect = sockaddr_parse(optarg, &o->expect, &unused) == 0;
			if (!o->have_expect)
				usage();
			break;
		case 'c':
			o->count = parse_long(optarg, "count");
			break;
		case 'i':
			o->interval_us = parse_long(optarg, "interval");
			break;
		case 's':
			o->size = parse_long(optarg, "size");
			break;
		case 'T':
			o->timeout_ms = parse_long(optarg, "timeout");
			break;
		default:
			usage();
		}
	}
	if (!o->have_bind || optind != argc)
		usage();
	if (o->size < HEADER_LEN || o->size > MAX_SIZE) {
		fprintf(stderr, "udp_peer: --size must be %d..%d\n", HEADER_LEN, MAX_SIZE);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct peer_opts o = { 0 };

	parse_args(argc, argv, &o);
	if (strcmp(o.mode, "send") == 0) {
		if (!o.have_to || o.to.ss_family != o.bind.ss_family)
			usage();
		return run_send(&o);
	}
	if (strcmp(o.mode, "recv") == 0)
		return run_recv(&o);
	usage();
	return 2;
}
