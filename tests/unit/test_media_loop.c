// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The media thread: socket batches reach the callback, removal from the
 * main thread (or from the callback itself) stops the callbacks for good,
 * timers tick at their interval, report what they missed and stop while
 * paused. Timing checks are deliberately loose: they prove the cadence
 * exists, not its precision.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "media/media_loop.h"

struct rx_state {
	struct media_loop *loop;
	int fd;
	struct flow_key expect_local;
	struct flow_key expect_from;
	gint datagrams;
	gint calls;
	gint max_batch;
	gint in_callback;
	gint bad; /* something the callback saw was wrong */
	int sleep_us;
	bool remove_self;
};

struct tick_state {
	gint calls;
	gint expirations;
	gint in_callback;
	int sleep_first_us; /* the first call sleeps this long: the next ones must catch up */
};

struct fixture {
	struct media_loop *loop;
	int tx, rx;
	struct flow_key tx_addr, rx_addr;
	struct rx_state st;
	/* Timer state outlives the test: a failed assert leaves timers running until teardown. */
	struct tick_state ta, tb;
};

static int bound_socket(struct flow_key *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rcvbuf = 1 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sin, len) < 0 || getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		close(fd);
		return -1;
	}
	flow_key_from_sockaddr(addr, (struct sockaddr *)&sin);
	return fd;
}

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->loop = media_loop_new();
	f->tx = bound_socket(&f->tx_addr);
	f->rx = bound_socket(&f->rx_addr);
	if (!f->loop || f->tx < 0 || f->rx < 0)
		return -1;
	f->st.loop = f->loop;
	f->st.fd = f->rx;
	f->st.expect_local = f->rx_addr;
	f->st.expect_from = f->tx_addr;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	media_loop_stop_and_free(f->loop);
	close(f->tx);
	close(f->rx);
	g_free(f);
	return 0;
}

/* Every payload is "seq <n>" padded to 100 bytes, from tx, on the rx socket's key. */
static void on_rx(void *user, const struct flow_key *local, struct datapath_packet *pkts, int n)
{
	struct rx_state *st = user;
	struct flow_key from;

	g_atomic_int_set(&st->in_callback, 1);
	if (!flow_key_equal(local, &st->expect_local) || n < 1 || n > MEDIA_LOOP_BATCH)
		g_atomic_int_inc(&st->bad);
	for (int i = 0; i < n; i++) {
		flow_key_from_sockaddr(&from, (struct sockaddr *)&pkts[i].from);
		if (!flow_key_equal(&from, &st->expect_from) || pkts[i].len != 100 ||
		    memcmp(pkts[i].data, "seq ", 4) != 0)
			g_atomic_int_inc(&st->bad);
	}
	if (n > g_atomic_int_get(&st->max_batch))
		g_atomic_int_set(&st->max_batch, n);
	if (st->sleep_us)
		g_usleep(st->sleep_us);
	if (st->remove_self && media_loop_remove_socket(st->loop, st->fd) != 0)
		g_atomic_int_inc(&st->bad);
	g_atomic_int_add(&st->datagrams, n);
	g_atomic_int_inc(&st->calls);
	g_atomic_int_set(&st->in_callback, 0);
}

static void send_n(struct fixture *f, int n)
{
	struct sockaddr_storage to;
	socklen_t tolen;
	char buf[100];

	flow_key_to_sockaddr(&f->rx_addr, &to, &tolen);
	for (int i = 0; i < n; i++) {
		memset(buf, '.', sizeof(buf));
		snprintf(buf, sizeof(buf), "seq %d", i);
		assert_int_equal(sendto(f->tx, buf, sizeof(buf), 0, (struct sockaddr *)&to, tolen), sizeof(buf));
	}
}

/* Waits up to 2 s for *counter to reach want. */
static void wait_for(gint *counter, int want)
{
	for (int i = 0; i < 2000 && g_atomic_int_get(counter) < want; i++)
		g_usleep(1000);
	assert_int_equal(g_atomic_int_get(counter), want);
}

/* 100 datagrams queued before the thread starts: batches of 32, 32, 32, 4. */
static void test_socket_batches(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(media_loop_add_socket(f->loop, f->rx, &f->rx_addr, on_rx, &f->st), 0);
	assert_int_equal(media_loop_add_socket(f->loop, f->rx, &f->rx_addr, on_rx, &f->st), -EEXIST);
	send_n(f, 100);
	assert_int_equal(media_loop_start(f->loop), 0);
	wait_for(&f->st.datagrams, 100);
	assert_int_equal(f->st.max_batch, MEDIA_LOOP_BATCH);
	assert_int_equal(f->st.calls, 4);
	assert_int_equal(f->st.bad, 0);

	/* The loop keeps watching: later datagrams arrive too. */
	send_n(f, 3);
	wait_for(&f->st.datagrams, 103);
	assert_int_equal(f->st.bad, 0);
}

/* A datagram longer than the buffer is dropped, never handed over cut. */
static void test_oversized_dropped(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage to;
	socklen_t tolen;
	static char big[MEDIA_LOOP_DATAGRAM + 500];

	flow_key_to_sockaddr(&f->rx_addr, &to, &tolen);
	assert_int_equal(sendto(f->tx, big, sizeof(big), 0, (struct sockaddr *)&to, tolen), sizeof(big));
	send_n(f, 1);
	assert_int_equal(media_loop_add_socket(f->loop, f->rx, &f->rx_addr, on_rx, &f->st), 0);
	assert_int_equal(media_loop_start(f->loop), 0);
	wait_for(&f->st.datagrams, 1);
	g_usleep(20000);
	assert_int_equal(f->st.datagrams, 1);
	assert_int_equal(f->st.bad, 0);
}

/* Removed while its callback runs: remove returns only once the callback is over. */
static void test_remove_socket_from_main_thread(void **state)
{
	struct fixture *f = *state;

	f->st.sleep_us = 50000;
	assert_int_equal(media_loop_add_socket(f->loop, f->rx, &f->rx_addr, on_rx, &f->st), 0);
	assert_int_equal(media_loop_start(f->loop), 0);
	send_n(f, 1);
	for (int i = 0; i < 2000 && !g_atomic_int_get(&f->st.in_callback); i++)
		g_usleep(1000);
	assert_true(g_atomic_int_get(&f->st.in_callback));
	assert_int_equal(media_loop_remove_socket(f->loop, f->rx), 0);
	assert_false(g_atomic_int_get(&f->st.in_callback));
	assert_int_equal(f->st.calls, 1);

	send_n(f, 5);
	g_usleep(100000);
	assert_int_equal(f->st.calls, 1);
	assert_int_equal(media_loop_remove_socket(f->loop, f->rx), -ENOENT);
}

static void test_remove_socket_from_callback(void **state)
{
	struct fixture *f = *state;

	f->st.remove_self = true;
	assert_int_equal(media_loop_add_socket(f->loop, f->rx, &f->rx_addr, on_rx, &f->st), 0);
	assert_int_equal(media_loop_start(f->loop), 0);
	send_n(f, 1);
	wait_for(&f->st.calls, 1);
	send_n(f, 5);
	g_usleep(100000);
	assert_int_equal(f->st.calls, 1);
	assert_int_equal(f->st.bad, 0);
	/* The fd can be watched again afterwards. */
	f->st.remove_self = false;
	assert_int_equal(media_loop_add_socket(f->loop, f->rx, &f->rx_addr, on_rx, &f->st), 0);
	wait_for(&f->st.datagrams, 6);
}

static void on_tick(void *user, uint64_t expirations)
{
	struct tick_state *t = user;

	g_atomic_int_set(&t->in_callback, 1);
	if (g_atomic_int_add(&t->calls, 1) == 0 && t->sleep_first_us)
		g_usleep(t->sleep_first_us);
	g_atomic_int_add(&t->expirations, (gint)expirations);
	g_atomic_int_set(&t->in_callback, 0);
}

/* 10 ms for 200 ms: about 20 ticks; accept anything from 10 to 30. */
static void test_timer_interval(void **state)
{
	struct fixture *f = *state;
	struct tick_state *t = &f->ta;
	int id, calls;

	assert_int_equal(media_loop_start(f->loop), 0);
	id = media_loop_add_timer(f->loop, 10 * 1000000ull, on_tick, t);
	assert_true(id > 0);
	g_usleep(200000);
	assert_int_equal(media_loop_remove_timer(f->loop, id), 0);
	assert_false(g_atomic_int_get(&t->in_callback));
	calls = g_atomic_int_get(&t->calls);
	assert_in_range(g_atomic_int_get(&t->expirations), 10, 30);
	assert_in_range(calls, 5, 30);

	g_usleep(50000);
	assert_int_equal(g_atomic_int_get(&t->calls), calls);
	assert_int_equal(media_loop_remove_timer(f->loop, id), -ENOENT);
}

/* A 60 ms stall on a 5 ms timer: the next call reports the missed periods. */
static void test_timer_reports_missed(void **state)
{
	struct fixture *f = *state;
	struct tick_state *t = &f->ta;
	int id;

	t->sleep_first_us = 60000;
	assert_int_equal(media_loop_start(f->loop), 0);
	id = media_loop_add_timer(f->loop, 5 * 1000000ull, on_tick, t);
	assert_true(id > 0);
	g_usleep(200000);
	assert_int_equal(media_loop_remove_timer(f->loop, id), 0);
	/* About 40 periods elapsed; far fewer calls, but the count adds up. */
	assert_in_range(g_atomic_int_get(&t->expirations), 20, 60);
	assert_true(g_atomic_int_get(&t->calls) < g_atomic_int_get(&t->expirations));
}

/* Two timers side by side; removing one leaves the other ticking. */
static void test_two_timers(void **state)
{
	struct fixture *f = *state;
	struct tick_state *a = &f->ta, *b = &f->tb;
	int ida, idb, before;

	assert_int_equal(media_loop_start(f->loop), 0);
	ida = media_loop_add_timer(f->loop, 5 * 1000000ull, on_tick, a);
	idb = media_loop_add_timer(f->loop, 5 * 1000000ull, on_tick, b);
	assert_true(ida > 0 && idb > 0 && ida != idb);
	g_usleep(50000);
	assert_int_equal(media_loop_remove_timer(f->loop, ida), 0);
	before = g_atomic_int_get(&b->calls);
	g_usleep(50000);
	assert_true(g_atomic_int_get(&b->calls) > before);
	assert_int_equal(media_loop_remove_timer(f->loop, idb), 0);
	assert_true(a->calls > 0);
}

/* Waits up to 2 s for a ticking timer to have been called `more` more times than `since`. */
static void wait_for_calls(struct tick_state *t, int since, int more)
{
	for (int i = 0; i < 2000 && g_atomic_int_get(&t->calls) < since + more; i++)
		g_usleep(1000);
	assert_true(g_atomic_int_get(&t->calls) >= since + more);
}

/* A paused timer is not called, not even for the periods it had pending; resumed, it ticks again. */
static void test_timer_pause(void **state)
{
	struct fixture *f = *state;
	struct tick_state *t = &f->ta;
	int id, calls;

	assert_int_equal(media_loop_start(f->loop), 0);
	id = media_loop_add_timer(f->loop, 5 * 1000000ull, on_tick, t);
	assert_true(id > 0);
	wait_for_calls(t, 0, 2);
	assert_int_equal(media_loop_pause_timer(f->loop, id, true), 0);
	g_usleep(10000); /* a call already running finishes */
	calls = g_atomic_int_get(&t->calls);
	g_usleep(50000);
	assert_int_equal(g_atomic_int_get(&t->calls), calls);
	assert_int_equal(media_loop_pause_timer(f->loop, id, false), 0);
	wait_for_calls(t, calls, 2);
	assert_int_equal(media_loop_remove_timer(f->loop, id), 0);
	assert_int_equal(media_loop_pause_timer(f->loop, id, true), -ENOENT);
}

static void test_api_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(media_loop_add_timer(f->loop, 0, on_tick, &f->ta), -EINVAL);
	assert_int_equal(media_loop_remove_timer(f->loop, 12345), -ENOENT);
	assert_int_equal(media_loop_remove_socket(f->loop, f->rx), -ENOENT);
	assert_int_equal(media_loop_start(f->loop), 0);
	assert_int_equal(media_loop_start(f->loop), -EALREADY);
}

/* Sources left registered at stop are freed with the loop (valgrind checks). */
static void test_stop_with_sources(void **state)
{
	struct fixture *f = *state;
	struct tick_state *t = &f->ta;

	assert_int_equal(media_loop_add_socket(f->loop, f->rx, &f->rx_addr, on_rx, &f->st), 0);
	assert_true(media_loop_add_timer(f->loop, 1000000ull, on_tick, t) > 0);
	assert_int_equal(media_loop_start(f->loop), 0);
	send_n(f, 2);
	wait_for(&f->st.datagrams, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_socket_from_main_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_socket_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_reports_missed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_pause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_with_sources, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
