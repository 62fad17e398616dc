/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The media thread: one epoll loop that reads the relay's media sockets in
 * recvmmsg batches and runs periodic timers (tone frames, RTCP, the mixer)
 * at a fixed cadence, so the GLib main thread never waits on media.
 *
 * Every function may be called from any thread, callbacks included. Once
 * media_loop_remove_socket or media_loop_remove_timer returns, its callback
 * is not running and will not run again; do not call them while holding a
 * lock that a callback of this loop takes.
 */
#ifndef RTPRELAY_MEDIA_LOOP_H
#define RTPRELAY_MEDIA_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/datapath.h"

#define MEDIA_LOOP_BATCH    32	 /* datagrams per recvmmsg */
#define MEDIA_LOOP_DATAGRAM 2048 /* receive buffer per datagram; longer ones are dropped */
/* SCHED_FIFO priority of the thread (when permitted): below threaded NAPI (50) and interrupts. */
#define MEDIA_LOOP_RT_PRIORITY 10

struct media_loop;

/*
 * n (1..MEDIA_LOOP_BATCH) datagrams read from the socket of `local`. The
 * buffers belong to the loop and are reused once the callback returns.
 */
typedef void (*media_rx_cb)(void *user, const struct flow_key *local, struct datapath_packet *pkts, int n);

/*
 * A timer fired. expirations is 1 when on time; more when the thread fell
 * behind: that many periods have elapsed since the previous call, so a
 * sender that owes one frame per period can catch up.
 */
typedef void (*media_timer_cb)(void *user, uint64_t expirations);

/* NULL with errno set on failure. */
struct media_loop *media_loop_new(void);
/* Starts the thread; 0 or -errno. */
int media_loop_start(struct media_loop *loop);
/*
 * Stops and joins the thread, closes the timers; the sockets stay the
 * caller's. Not from a callback: the thread cannot join itself.
 */
void media_loop_stop_and_free(struct media_loop *loop);

/* Watches the UDP socket fd of `local` (reads use MSG_DONTWAIT); 0 or -errno (-EEXIST). */
int media_loop_add_socket(struct media_loop *loop, int fd, const struct flow_key *local, media_rx_cb cb, void *user);
/* 0 or -ENOENT. The caller may close fd once this returns. */
int media_loop_remove_socket(struct media_loop *loop, int fd);

/*
 * Calls cb every interval_ns on CLOCK_MONOTONIC, first one interval from
 * now, on an absolute schedule that does not drift. Returns the timer id
 * (> 0) or -errno.
 */
int media_loop_add_timer(struct media_loop *loop, uint64_t interval_ns, media_timer_cb cb, void *user);
/* 0 or -ENOENT. */
int media_loop_remove_timer(struct media_loop *loop, int id);
/*
 * Stops a timer until it is resumed, which starts a new schedule one
 * interval from then; a callback already running finishes. 0, -ENOENT or
 * -errno.
 */
int media_loop_pause_timer(struct media_loop *loop, int id, bool paused);

#endif
