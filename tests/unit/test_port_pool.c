// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The RTP port pool: what it hands out, when it refuses, and in what order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "media/port_pool.h"

static struct port_pool *new_pool(uint16_t min, uint16_t max)
{
	struct port_pool *pool = port_pool_new(min, max);

	assert_non_null(pool);
	return pool;
}

static void test_capacity(void **state)
{
	static const struct {
		uint16_t min, max;
		unsigned int capacity;
	} cases[] = {
		{ 10000, 20000, 5000 }, /* 20000 is out: its RTCP would be 20001 */
		{ 10000, 20001, 5001 }, { 10000, 10001, 1 }, { 10001, 10004, 1 }, { 10001, 10005, 2 },
		{ 1024, 65535, 32256 }, { 65534, 65535, 1 }, { 0, 65535, 32768 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct port_pool *pool = new_pool(cases[i].min, cases[i].max);

		assert_int_equal(port_pool_capacity(pool), cases[i].capacity);
		assert_int_equal(port_pool_in_use(pool), 0);
		port_pool_free(pool);
	}
}

static void test_no_port_fits(void **state)
{
	static const uint16_t ranges[][2] = { { 10000, 10000 }, { 10001, 10002 }, { 20000, 10000 }, { 65535, 65535 } };

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		errno = 0;
		assert_null(port_pool_new(ranges[i][0], ranges[i][1]));
		assert_int_equal(errno, EINVAL);
	}
}

/*
 * Whether port is in use, asked through the public API: reserving a taken
 * port fails with EBUSY, one outside the pool with EINVAL; a free one is
 * reserved and put back.
 */
static bool is_taken(struct port_pool *pool, uint16_t port)
{
	if (port_pool_reserve(pool, port) == 0) {
		assert_int_equal(port_pool_put(pool, port), 0);
		return false;
	}
	return errno == EBUSY;
}

/* Take every port: each even, with RTCP in range, none twice, then refusal. */
static void drain(uint16_t min, uint16_t max)
{
	struct port_pool *pool = new_pool(min, max);
	unsigned int cap = port_pool_capacity(pool);
	uint8_t *seen = calloc(65536, 1);
	uint16_t port;

	for (unsigned int i = 0; i < cap; i++) {
		assert_int_equal(port_pool_take(pool, &port), 0);
		assert_int_equal(port % 2, 0);
		assert_true(port >= min);
		assert_true((uint32_t)port + 1 <= max);
		assert_false(seen[port]);
		seen[port] = 1;
		assert_true(is_taken(pool, port));
		assert_int_equal(port_pool_in_use(pool), i + 1);
	}
	errno = 0;
	assert_int_equal(port_pool_take(pool, &port), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(port_pool_in_use(pool), cap);
	free(seen);
	port_pool_free(pool);
}

static void test_drain(void **state)
{
	drain(10000, 20000);
	drain(10001, 10011);
	drain(1024, 65535);
	drain(0, 65535);
}

static void test_put_rejects(void **state)
{
	struct port_pool *pool = new_pool(10000, 20000);
	static const uint16_t unknown[] = { 9998, 10001, 10003, 19999, 20000, 20002, 0, 65535 };
	uint16_t port, other;

	assert_int_equal(port_pool_take(pool, &port), 0);
	assert_int_equal(port_pool_put(pool, port), 0);
	assert_false(is_taken(pool, port));
	errno = 0;
	assert_int_equal(port_pool_put(pool, port), -1);
	assert_int_equal(errno, EALREADY);
	/* A port that was never taken is free already too. */
	other = port == 10000 ? 10002 : 10000;
	errno = 0;
	assert_int_equal(port_pool_put(pool, other), -1);
	assert_int_equal(errno, EALREADY);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		errno = 0;
		assert_int_equal(port_pool_put(pool, unknown[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_false(is_taken(pool, unknown[i]));
	}
	assert_int_equal(port_pool_in_use(pool), 0);
	port_pool_free(pool);
}

/* A port put back is handed out only after every port that was free before it. */
static void test_fifo_reuse(void **state)
{
	struct port_pool *pool = new_pool(10000, 10100);
	unsigned int cap = port_pool_capacity(pool);
	uint16_t first, port, order[64];

	assert_int_equal(port_pool_take(pool, &first), 0);
	assert_int_equal(port_pool_put(pool, first), 0);
	for (unsigned int i = 0; i < cap - 1; i++) {
		assert_int_equal(port_pool_take(pool, &port), 0);
		assert_int_not_equal(port, first);
	}
	assert_int_equal(port_pool_take(pool, &port), 0);
	assert_int_equal(port, first);

	/* Everything taken; what comes back goes out again in the order it came back. */
	for (unsigned int i = 0; i < cap; i++)
		order[i] = 10000 + 2 * ((i * 7) % cap);
	for (unsigned int i = 0; i < cap; i++)
		assert_int_equal(port_pool_put(pool, order[i]), 0);
	for (unsigned int i = 0; i < cap; i++) {
		assert_int_equal(port_pool_take(pool, &port), 0);
		assert_int_equal(port, order[i]);
	}
	port_pool_free(pool);
}

/* The first ports out are shuffled, not 10000, 10002, ... */
static void test_random_start(void **state)
{
	struct port_pool *a = new_pool(10000, 20000), *b = new_pool(10000, 20000);
	uint16_t pa[8], pb[8];
	int same = 1, ascending = 1;

	for (int i = 0; i < 8; i++) {
		assert_int_equal(port_pool_take(a, &pa[i]), 0);
		assert_int_equal(port_pool_take(b, &pb[i]), 0);
		same &= pa[i] == pb[i];
		ascending &= i == 0 || pa[i] == pa[i - 1] + 2;
	}
	assert_false(same);
	assert_false(ascending);
	port_pool_free(a);
	port_pool_free(b);
}

static void test_reserve(void **state)
{
	struct port_pool *pool = new_pool(10000, 10020);
	unsigned int cap = port_pool_capacity(pool);
	uint16_t port;

	assert_int_equal(port_pool_reserve(pool, 10010), 0);
	assert_true(is_taken(pool, 10010));
	assert_int_equal(port_pool_in_use(pool), 1);
	errno = 0;
	assert_int_equal(port_pool_reserve(pool, 10010), -1);
	assert_int_equal(errno, EBUSY);
	errno = 0;
	assert_int_equal(port_pool_reserve(pool, 10011), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(port_pool_reserve(pool, 10020), -1);
	assert_int_equal(errno, EINVAL);
	for (unsigned int i = 0; i < cap - 1; i++) {
		assert_int_equal(port_pool_take(pool, &port), 0);
		assert_int_not_equal(port, 10010);
	}
	assert_int_equal(port_pool_take(pool, &port), -1);
	assert_int_equal(port_pool_put(pool, 10010), 0);
	assert_int_equal(port_pool_take(pool, &port), 0);
	assert_int_equal(port, 10010);
	port_pool_free(pool);
}

/* Random take/put/reserve against a plain array model of which ports are used. */
static void test_random_ops(void **state)
{
	enum { MIN = 20000, MAX = 20200 };
	struct port_pool *pool = new_pool(MIN, MAX);
	unsigned int cap = port_pool_capacity(pool), used = 0;
	uint8_t model[MAX + 2] = { 0 };
	uint16_t port;

	srand(1624);
	for (int step = 0; step < 200000; step++) {
		int op = rand() % 3;
		uint16_t p = MIN + 2 * (rand() % cap);

		if (op == 0) {
			int rc = port_pool_take(pool, &port);

			assert_int_equal(rc, used == cap ? -1 : 0);
			if (rc == 0) {
				assert_false(model[port]);
				model[port] = 1;
				used++;
			}
		} else if (op == 1) {
			assert_int_equal(port_pool_put(pool, p), model[p] ? 0 : -1);
			used -= model[p];
			model[p] = 0;
		} else {
			assert_int_equal(port_pool_reserve(pool, p), model[p] ? -1 : 0);
			used += !model[p];
			model[p] = 1;
		}
		assert_int_equal(port_pool_in_use(pool), used);
		assert_int_equal(is_taken(pool, p), model[p]);
	}
	port_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),   cmocka_unit_test(test_no_port_fits),
		cmocka_unit_test(test_drain),	   cmocka_unit_test(test_put_rejects),
		cmocka_unit_test(test_fifo_reuse), cmocka_unit_test(test_random_start),
		cmocka_unit_test(test_reserve),	   cmocka_unit_test(test_random_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
