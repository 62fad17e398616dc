// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "flow_totals.h"

void flow_totals_init(struct flow_totals *t)
{
	g_mutex_init(&t->lock);
	t->bytes = 0;
}

void flow_totals_clear(struct flow_totals *t)
{
	g_mutex_clear(&t->lock);
}

void flow_totals_retire(struct flow_totals *t, const struct flow_counters *c)
{
	g_mutex_lock(&t->lock);
	t->bytes += c->bytes;
	g_mutex_unlock(&t->lock);
}

uint64_t flow_totals_bytes(struct flow_totals *t)
{
	uint64_t bytes;

	g_mutex_lock(&t->lock);
	bytes = t->bytes;
	g_mutex_unlock(&t->lock);
	return bytes;
}
