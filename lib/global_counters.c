// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "global_counters.h"

#define FIELD(name)                                           \
	{                                                     \
#name, offsetof(struct global_counters, name) \
	}

const struct global_counter_field global_counter_fields[] = {
	FIELD(forwarded),	 FIELD(passed),		  FIELD(dropped_wrong_source),
	FIELD(dropped_hold),	 FIELD(errors),		  FIELD(pass_not_udp),
	FIELD(pass_malformed),	 FIELD(pass_unsupported), FIELD(pass_no_flow),
	FIELD(pass_not_latched), FIELD(pass_ttl),	  FIELD(pass_no_nexthop),
	FIELD(pass_too_big),	 FIELD(pass_vlan),
};

_Static_assert(sizeof(global_counter_fields) / sizeof(global_counter_fields[0]) == GLOBAL_COUNTER_FIELDS,
	       "a field of struct global_counters is missing from global_counter_fields");
