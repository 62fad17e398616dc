/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The userspace backend's constructor, for datapath_open (datapath.c). */
#ifndef RTPRELAY_DATAPATH_USERSPACE_H
#define RTPRELAY_DATAPATH_USERSPACE_H

#include "datapath.h"

struct datapath *datapath_userspace_open(const struct datapath_config *cfg, char *err, size_t errlen);

#endif
