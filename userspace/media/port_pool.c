// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Free ports live in a ring in hand-out order: take pops the head, put
 * appends at the tail. One array indexed by port says where each free port
 * sits in the ring, or that it is taken; it rejects a double put and lets
 * reserve pull a given port out of the ring in O(1).
 */
#include <errno.h>
#include <glib.h>

#include "port_pool.h"

/* At most 32768 even ports, so no ring index reaches this. */
#define SLOT_TAKEN UINT16_MAX

struct port_pool {
	uint16_t first;	       /* the lowest even port of the pool */
	unsigned int capacity; /* ports in the pool */
	unsigned int head;     /* ring index of the next port to hand out */
	unsigned int nfree;    /* free ports: ring[(head + i) % capacity], i < nfree */
	uint16_t *ring;
	uint16_t *slot; /* by (port - first) / 2: ring index, or SLOT_TAKEN */
};

struct port_pool *port_pool_new(uint16_t min, uint16_t max)
{
	uint32_t first = min + (min & 1u);
	struct port_pool *pool;

	/* RTCP takes port + 1, so the last usable port is the even one below max. */
	if (first + 1 > max) {
		errno = EINVAL;
		return NULL;
	}
	pool = g_new0(struct port_pool, 1);
	pool->first = first;
	pool->capacity = (((uint32_t)max - 1) - first) / 2 + 1;
	pool->nfree = pool->capacity;
	pool->ring = g_new(uint16_t, pool->capacity);
	pool->slot = g_new(uint16_t, pool->capacity);
	for (unsigned int i = 0; i < pool->capacity; i++)
		pool->ring[i] = first + 2 * i;
	/* Fisher-Yates: a random order makes the next call's port hard to guess. */
	for (unsigned int i = pool->capacity - 1; i > 0; i--) {
		unsigned int j = g_random_int_range(0, i + 1);
		uint16_t tmp = pool->ring[i];

		pool->ring[i] = pool->ring[j];
		pool->ring[j] = tmp;
	}
	for (unsigned int i = 0; i < pool->capacity; i++)
		pool->slot[(pool->ring[i] - first) / 2] = i;
	return pool;
}

void port_pool_free(struct port_pool *pool)
{
	if (!pool)
		return;
	g_free(pool->ring);
	g_free(pool->slot);
	g_free(pool);
}

/* The port's index in slot[], or -1 if the pool has no such port. */
static int port_index(const struct port_pool *pool, uint16_t port)
{
	unsigned int off;

	if (port < pool->first || (port - pool->first) % 2)
		return -1;
	off = (port - pool->first) / 2;
	return off < pool->capacity ? (int)off : -1;
}

static unsigned int ring_pos(const struct port_pool *pool, unsigned int i)
{
	return (pool->head + i) % pool->capacity;
}

int port_pool_take(struct port_pool *pool, uint16_t *port)
{
	uint16_t p;

	if (!pool->nfree) {
		errno = ENOSPC;
		return -1;
	}
	p = pool->ring[pool->head];
	pool->slot[port_index(pool, p)] = SLOT_TAKEN;
	pool->head = ring_pos(pool, 1);
	pool->nfree--;
	*port = p;
	return 0;
}

int port_pool_put(struct port_pool *pool, uint16_t port)
{
	int idx = port_index(pool, port);
	unsigned int tail;

	if (idx < 0) {
		errno = EINVAL;
		return -1;
	}
	if (pool->slot[idx] != SLOT_TAKEN) {
		errno = EALREADY;
		return -1;
	}
	tail = ring_pos(pool, pool->nfree);
	pool->ring[tail] = port;
	pool->slot[idx] = tail;
	pool->nfree++;
	return 0;
}

int port_pool_reserve(struct port_pool *pool, uint16_t port)
{
	int idx = port_index(pool, port);
	unsigned int hole;
	uint16_t moved;

	if (idx < 0) {
		errno = EINVAL;
		return -1;
	}
	if (pool->slot[idx] == SLOT_TAKEN) {
		errno = EBUSY;
		return -1;
	}
	/*
	 * Fill the hole with the head, the port due out next anyway, so the
	 * ring stays contiguous and the others keep their order.
	 */
	hole = pool->slot[idx];
	moved = pool->ring[pool->head];
	pool->ring[hole] = moved;
	pool->slot[port_index(pool, moved)] = hole;
	pool->slot[idx] = SLOT_TAKEN;
	pool->head = ring_pos(pool, 1);
	pool->nfree--;
	return 0;
}

unsigned int port_pool_in_use(const struct port_pool *pool)
{
	return pool->capacity - pool->nfree;
}

unsigned int port_pool_capacity(const struct port_pool *pool)
{
	return pool->capacity;
}
