// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The media thread. Sockets and timers are "sources" in one epoll set; the
 * epoll data of each is an id, never a pointer, so an event fetched before
 * its source was removed finds nothing instead of freed memory.
 *
 * Removal from another thread must not return while the callback runs:
 * the thread publishes the source it is running (loop->running) under the
 * lock, and a remover waits on loop->idle until it is done. A callback that
 * removes its own source cannot wait for itself; the thread frees that
 * source once the callback returns.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <glib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "media_loop.h"

#define WAKE_ID		     0 /* epoll data of the eventfd that interrupts epoll_wait */
#define MAX_EVENTS	     64
#define MAX_BATCHES_PER_WAKE 8 /* then let other sockets run; epoll reports the rest again */

enum source_type {
	SOURCE_SOCKET,
	SOURCE_TIMER,
};

struct media_source {
	enum source_type type;
	int id;
	int fd;		      /* the caller's socket, or our timerfd */
	uint64_t interval_ns; /* a timer's */
	struct flow_key local;
	media_rx_cb rx;
	media_timer_cb tick;
	void *user;
	gint removed;  /* out of the tables: stop draining (atomic) */
	bool orphaned; /* removed by its own callback: the thread frees it */
};

struct media_loop {
	int epfd;
	int wakefd;
	gint stop;
	GThread *thread;
	GThread *self; /* the loop thread as it sees itself; under lock */
	GMutex lock;
	GCond idle;		      /* signalled when `running` changes back to NULL */
	GHashTable *by_id;	      /* id -> struct media_source *, owns them */
	GHashTable *sockets;	      /* fd -> struct media_source * */
	struct media_source *running; /* whose callback the thread is in; under lock */
	int next_id;

	/* Receive state, used by the loop thread only. */
	struct mmsghdr msgs[MEDIA_LOOP_BATCH];
	struct iovec iov[MEDIA_LOOP_BATCH];
	struct datapath_packet pkts[MEDIA_LOOP_BATCH];
	uint8_t bufs[MEDIA_LOOP_BATCH][MEDIA_LOOP_DATAGRAM];
};

static void source_free(gpointer data)
{
	struct media_source *src = data;

	if (src->type == SOURCE_TIMER)
		close(src->fd);
	g_free(src);
}

/* Reads one batch; returns what recvmmsg returned (datagrams read, or -1). */
static int recv_batch(struct media_loop *loop, struct media_source *src)
{
	int n, kept = 0;

	for (int i = 0; i < MEDIA_LOOP_BATCH; i++) {
		loop->iov[i].iov_base = loop->bufs[i];
		loop->iov[i].iov_len = MEDIA_LOOP_DATAGRAM;
		memset(&loop->msgs[i], 0, sizeof(loop->msgs[i]));
		loop->msgs[i].msg_hdr.msg_name = &loop->pkts[i].from;
		loop->msgs[i].msg_hdr.msg_namelen = sizeof(loop->pkts[i].from);
		loop->msgs[i].msg_hdr.msg_iov = &loop->iov[i];
		loop->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(src->fd, loop->msgs, MEDIA_LOOP_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		/* A cut datagram must never be forwarded or parsed as whole. */
		if (loop->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			continue;
		if (kept != i)
			loop->pkts[kept].from = loop->pkts[i].from;
		loop->pkts[kept].data = loop->bufs[i];
		loop->pkts[kept].len = loop->msgs[i].msg_len;
		kept++;
	}
	if (kept > 0)
		src->rx(src->user, &src->local, loop->pkts, kept);
	return n;
}

static void drain_socket(struct media_loop *loop, struct media_source *src)
{
	for (int b = 0; b < MAX_BATCHES_PER_WAKE; b++) {
		if (recv_batch(loop, src) < MEDIA_LOOP_BATCH || g_atomic_int_get(&src->removed))
			return;
	}
}

static void fire_timer(struct media_source *src)
{
	uint64_t expirations;

	if (read(src->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return; /* EAGAIN: another reader or a spurious wakeup */
	src->tick(src->user, expirations);
}

static void dispatch(struct media_loop *loop, int id)
{
	struct media_source *src;

	g_mutex_lock(&loop->lock);
	src = g_hash_table_lookup(loop->by_id, GINT_TO_POINTER(id));
	loop->running = src;
	g_mutex_unlock(&loop->lock);
	if (!src)
		return;
	if (src->type == SOURCE_SOCKET)
		drain_socket(loop, src);
	else
		fire_timer(src);
	g_mutex_lock(&loop->lock);
	loop->running = NULL;
	if (src->orphaned)
		source_free(src);
	g_cond_broadcast(&loop->idle);
	g_mutex_unlock(&loop->lock);
}

static void drain_wakefd(struct media_loop *loop)
{
	uint64_t v;

	if (read(loop->wakefd, &v, sizeof(v)) < 0)
		return; /* nothing pending: the stop flag is what matters */
}

/*
 * A real-time priority when the process may take one (root): on a busy box
 * the 20 ms ticks then wait microseconds for a CPU instead of a scheduler
 * slice. The kernel's RT throttling still leaves the rest of the system
 * its share should the thread ever spin.
 */
static void raise_priority(void)
{
	struct sched_param sp = { .sched_priority = MEDIA_LOOP_RT_PRIORITY };
	int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);

	if (err)
		g_info("media thread: no real-time priority (%s): it runs as a normal thread", strerror(err));
	else
		g_info("media thread: SCHED_FIFO priority %d", MEDIA_LOOP_RT_PRIORITY);
}

static gpointer loop_thread(gpointer data)
{
	struct media_loop *loop = data;
	struct epoll_event ev[MAX_EVENTS];
	int n;

	raise_priority();
	g_mutex_lock(&loop->lock);
	loop->self = g_thread_self();
	g_mutex_unlock(&loop->lock);
	while (!g_atomic_int_get(&loop->stop)) {
		n = epoll_wait(loop->epfd, ev, MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_warning("media loop: epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == WAKE_ID)
				drain_wakefd(loop);
			else
				dispatch(loop, (int)ev[i].data.u64);
		}
	}
	return NULL;
}

struct media_loop *media_loop_new(void)
{
	struct media_loop *loop = g_new0(struct media_loop, 1);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = WAKE_ID };
	int e;

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->epfd < 0 || loop->wakefd < 0 || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) < 0) {
		e = errno;
		if (loop->epfd >= 0)
			close(loop->epfd);
		if (loop->wakefd >= 0)
			close(loop->wakefd);
		g_free(loop);
		errno = e;
		return NULL;
	}
	g_mutex_init(&loop->lock);
	g_cond_init(&loop->idle);
	loop->by_id = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, source_free);
	loop->sockets = g_hash_table_new(g_direct_hash, g_direct_equal);
	loop->next_id = WAKE_ID + 1;
	return loop;
}

int media_loop_start(struct media_loop *loop)
{
	GError *error = NULL;

	if (loop->thread)
		return -EALREADY;
	loop->thread = g_thread_try_new("media", loop_thread, loop, &error);
	if (!loop->thread) {
		g_warning("media loop: cannot start the thread: %s", error->message);
		g_error_free(error);
		return -EAGAIN;
	}
	return 0;
}

void media_loop_stop_and_free(struct media_loop *loop)
{
	uint64_t one = 1;

	if (!loop)
		return;
	if (loop->thread) {
		g_atomic_int_set(&loop->stop, 1);
		if (write(loop->wakefd, &one, sizeof(one)) < 0)
			g_warning("media loop: cannot wake the thread: %s", strerror(errno));
		g_thread_join(loop->thread);
	}
	g_hash_table_destroy(loop->sockets);
	g_hash_table_destroy(loop->by_id);
	close(loop->epfd);
	close(loop->wakefd);
	g_cond_clear(&loop->idle);
	g_mutex_clear(&loop->lock);
	g_free(loop);
}

/* Call with the lock held. Ids stay positive and unique even after a wrap. */
static int next_id(struct media_loop *loop)
{
	do {
		if (loop->next_id == G_MAXINT)
			loop->next_id = WAKE_ID + 1;
		loop->next_id++;
	} while (g_hash_table_contains(loop->by_id, GINT_TO_POINTER(loop->next_id)));
	return loop->next_id;
}

/* Call with the lock held; takes src, or frees it on failure. Returns the id or -errno. */
static int add_source(struct media_loop *loop, struct media_source *src)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int e;

	src->id = next_id(loop);
	ev.data.u64 = src->id;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, src->fd, &ev) < 0) {
		e = -errno;
		source_free(src);
		return e;
	}
	g_hash_table_insert(loop->by_id, GINT_TO_POINTER(src->id), src);
	if (src->type == SOURCE_SOCKET)
		g_hash_table_insert(loop->sockets, GINT_TO_POINTER(src->fd), src);
	return src->id;
}

/* Call with the lock held; returns with it held, the callback of src over for good. */
static void remove_source(struct media_loop *loop, struct media_source *src)
{
	g_hash_table_steal(loop->by_id, GINT_TO_POINTER(src->id));
	if (src->type == SOURCE_SOCKET)
		g_hash_table_remove(loop->sockets, GINT_TO_POINTER(src->fd));
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	g_atomic_int_set(&src->removed, 1);
	if (loop->running == src && loop->self == g_thread_self()) {
		src->orphaned = true;
		return;
	}
	while (loop->running == src)
		g_cond_wait(&loop->idle, &loop->lock);
	source_free(src);
}

int media_loop_add_socket(struct media_loop *loop, int fd, const struct flow_key *local, media_rx_cb cb, void *user)
{
	struct media_source *src;
	int ret;

	g_mutex_lock(&loop->lock);
	if (g_hash_table_contains(loop->sockets, GINT_TO_POINTER(fd))) {
		g_mutex_unlock(&loop->lock);
		return -EEXIST;
	}
	src = g_new0(struct media_source, 1);
	src->type = SOURCE_SOCKET;
	src->fd = fd;
	src->local = *local;
	src->rx = cb;
	src->user = user;
	ret = add_source(loop, src);
	g_mutex_unlock(&loop->lock);
	return ret < 0 ? ret : 0;
}

int media_loop_remove_socket(struct media_loop *loop, int fd)
{
	struct media_source *src;

	g_mutex_lock(&loop->lock);
	src = g_hash_table_lookup(loop->sockets, GINT_TO_POINTER(fd));
	if (src)
		remove_source(loop, src);
	g_mutex_unlock(&loop->lock);
	return src ? 0 : -ENOENT;
}

/* An absolute periodic schedule from one interval from now: the kernel counts periods, so nothing drifts. */
static int arm_periodic(int fd, uint64_t interval_ns)
{
	struct itimerspec its = { 0 };
	struct timespec now;
	uint64_t first;

	clock_gettime(CLOCK_MONOTONIC, &now);
	first = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec + interval_ns;
	its.it_value.tv_sec = first / 1000000000ull;
	its.it_value.tv_nsec = first % 1000000000ull;
	its.it_interval.tv_sec = interval_ns / 1000000000ull;
	its.it_interval.tv_nsec = interval_ns % 1000000000ull;
	return timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ? -errno : 0;
}

static int timerfd_periodic(uint64_t interval_ns)
{
	int fd, e;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = arm_periodic(fd, interval_ns);
	if (e < 0) {
		close(fd);
		return e;
	}
	return fd;
}

int media_loop_add_timer(struct media_loop *loop, uint64_t interval_ns, media_timer_cb cb, void *user)
{
	struct media_source *src;
	int fd, ret;

	if (interval_ns == 0)
		return -EINVAL; /* a zero interval would disarm the timerfd */
	fd = timerfd_periodic(interval_ns);
	if (fd < 0)
		return fd;
	src = g_new0(struct media_source, 1);
	src->type = SOURCE_TIMER;
	src->fd = fd;
	src->interval_ns = interval_ns;
	src->tick = cb;
	src->user = user;
	g_mutex_lock(&loop->lock);
	ret = add_source(loop, src);
	g_mutex_unlock(&loop->lock);
	return ret;
}

int media_loop_remove_timer(struct media_loop *loop, int id)
{
	struct media_source *src;

	g_mutex_lock(&loop->lock);
	src = g_hash_table_lookup(loop->by_id, GINT_TO_POINTER(id));
	if (src && src->type != SOURCE_TIMER)
		src = NULL;
	if (src)
		remove_source(loop, src);
	g_mutex_unlock(&loop->lock);
	return src ? 0 : -ENOENT;
}

/* Disarming also clears the expirations not yet read: a paused timer's callback is not called for them. */
int media_loop_pause_timer(struct media_loop *loop, int id, bool paused)
{
	static const struct itimerspec disarmed;
	struct media_source *src;
	int ret = -ENOENT;

	g_mutex_lock(&loop->lock);
	src = g_hash_table_lookup(loop->by_id, GINT_TO_POINTER(id));
	if (src && src->type == SOURCE_TIMER && paused)
		ret = timerfd_settime(src->fd, 0, &disarmed, NULL) < 0 ? -errno : 0;
	else if (src && src->type == SOURCE_TIMER)
		ret = arm_periodic(src->fd, src->interval_ns);
	g_mutex_unlock(&loop->lock);
	return ret;
}
