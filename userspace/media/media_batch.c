// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One sendmmsg per batch instead of one sendto per call on the call's
 * socket. The raw socket only sends: a filter that accepts nothing keeps the UDP
 * traffic of the host out of its receive queue. IPv4 UDP checksums are
 * computed here; for IPv6 the kernel fills them in (IPV6_CHECKSUM).
 * Without CAP_NET_RAW there is no batch, and streams send one by one.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

#include "bpf/csum.h"
#include "config/config.h"
#include "lib/rtp.h"
#include "lib/sendmmsg_nonblock.h"
#include "lib/tone.h"
#include "media_batch.h"

#define MEDIA_BATCH_MAX	     256
#define MEDIA_BATCH_DATAGRAM (sizeof(struct udphdr) + RTP_HEADER_LEN + TONE_FRAME_SAMPLES)
#define IPV6_UDP_CSUM_OFFSET 6 /* where the kernel writes the checksum in what we send */

struct media_batch {
	int fd;
	int family;
	struct in_addr src4; /* the media address, for the IPv4 pseudo-header */
	int n;
	uint64_t *sent[MEDIA_BATCH_MAX]; /* each datagram's counter */
	struct mmsghdr msgs[MEDIA_BATCH_MAX];
	struct iovec iov[MEDIA_BATCH_MAX];
	struct sockaddr_storage to[MEDIA_BATCH_MAX];
	uint8_t datagram[MEDIA_BATCH_MAX][MEDIA_BATCH_DATAGRAM];
};

static int drop_everything(int fd)
{
	struct sock_filter reject = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &reject };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

struct media_batch *media_batch_new(const struct config *cfg)
{
	struct media_batch *b = g_new0(struct media_batch, 1);
	struct sockaddr_storage ss;
	socklen_t len = config_media_sockaddr(cfg, 0, &ss);
	int csum_offset = IPV6_UDP_CSUM_OFFSET;

	b->family = ss.ss_family;
	if (b->family == AF_INET)
		b->src4 = ((struct sockaddr_in *)&ss)->sin_addr;
	errno = EADDRNOTAVAIL; /* when there is no media address */
	b->fd = len ? socket(b->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP) : -1;
	if (b->fd < 0 || drop_everything(b->fd) < 0 || bind(b->fd, (struct sockaddr *)&ss, len) < 0 ||
	    (b->family == AF_INET6 &&
	     setsockopt(b->fd, IPPROTO_IPV6, IPV6_CHECKSUM, &csum_offset, sizeof(csum_offset)) < 0)) {
		g_info("media: no raw socket for batched sends (%s): each call sends its own packets", strerror(errno));
		if (b->fd >= 0)
			close(b->fd);
		g_free(b);
		return NULL;
	}
	g_info("media: tone and mix packets leave in batches of up to %d (sendmmsg on a raw socket)", MEDIA_BATCH_MAX);
	return b;
}

void media_batch_free(struct media_batch *b)
{
	if (!b)
		return;
	close(b->fd);
	g_free(b);
}

/* The IPv4 UDP checksum of the datagram udp (check field 0), RFC 768. */
static uint16_t udp4_checksum(struct in_addr src, struct in_addr dst, const uint8_t *udp, size_t len)
{
	__u32 acc = csum_bytes(0, &src, sizeof(src));

	acc = csum_bytes(acc, &dst, sizeof(dst));
	acc = csum_word_diff(acc, 0, htons(IPPROTO_UDP));
	acc = csum_word_diff(acc, 0, htons(len));
	return csum_apply_udp(0xffff, csum_bytes(acc, udp, len));
}

void media_batch_flush(struct media_batch *b)
{
	int sent = sendmmsg_nonblock(b->fd, b->msgs, b->n);

	for (int i = 0; i < sent; i++)
		(*b->sent[i])++;
	b->n = 0;
}

void media_batch_add(struct media_batch *b, __be16 src_port, const struct sockaddr_storage *to, const uint8_t *rtp,
		     size_t len, uint64_t *sent)
{
	uint8_t *d = b->datagram[b->n];
	struct udphdr *udp = (struct udphdr *)d;
	size_t udp_len = sizeof(*udp) + len;

	if (to->ss_family != b->family || udp_len > MEDIA_BATCH_DATAGRAM)
		return;
	udp->source = src_port;
	udp->dest = to->ss_family == AF_INET ? ((const struct sockaddr_in *)to)->sin_port
					     : ((const struct sockaddr_in6 *)to)->sin6_port;
	udp->len = htons(udp_len);
	udp->check = 0;
	memcpy(d + sizeof(*udp), rtp, len);
	if (b->family == AF_INET)
		udp->check = udp4_checksum(b->src4, ((const struct sockaddr_in *)to)->sin_addr, d, udp_len);
	b->to[b->n] = *to;
	/* A raw socket takes the protocol, not a port, from the address: 0. */
	if (b->family == AF_INET)
		((struct sockaddr_in *)&b->to[b->n])->sin_port = 0;
	else
		((struct sockaddr_in6 *)&b->to[b->n])->sin6_port = 0;
	b->iov[b->n] = (struct iovec){ .iov_base = d, .iov_len = udp_len };
	b->msgs[b->n] = (struct mmsghdr){ .msg_hdr = {
					      .msg_name = &b->to[b->n],
					      .msg_namelen = b->family == AF_INET ? sizeof(struct sockaddr_in)
										  : sizeof(struct sockaddr_in6),
					      .msg_iov = &b->iov[b->n],
					      .msg_iovlen = 1,
					  } };
	b->sent[b->n] = sent;
	if (++b->n == MEDIA_BATCH_MAX)
		media_batch_flush(b);
}
