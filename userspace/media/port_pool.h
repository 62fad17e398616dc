/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The RTP port pool: the even ports of the configured range whose RTCP
 * companion (port+1) is in the range too. Taking and returning a port are
 * O(1). Free ports are handed out first-in first-out from a shuffled start,
 * so a port just released is the last to be reused (late packets of the old
 * call do not reach the new one) and ports are hard to guess.
 *
 * Not thread-safe: the SIP main loop owns the pool.
 */
#ifndef RTPRELAY_PORT_POOL_H
#define RTPRELAY_PORT_POOL_H

#include <stdint.h>

struct port_pool;

/*
 * A pool of the even ports p with min <= p and p + 1 <= max, all free.
 * NULL with errno EINVAL if there is no such port.
 */
struct port_pool *port_pool_new(uint16_t min, uint16_t max);
void port_pool_free(struct port_pool *pool);

/* 0 and *port set; -1 with errno ENOSPC when every port is in use. */
int port_pool_take(struct port_pool *pool, uint16_t *port);
/* -1 with errno EINVAL for a port not in the pool, EALREADY if it is free already. */
int port_pool_put(struct port_pool *pool, uint16_t port);
/*
 * Mark one given port in use, e.g. for a call adopted after a restart.
 * -1 with errno EINVAL for a port not in the pool, EBUSY if it is in use.
 */
int port_pool_reserve(struct port_pool *pool, uint16_t port);

unsigned int port_pool_in_use(const struct port_pool *pool);
unsigned int port_pool_capacity(const struct port_pool *pool);

#endif
