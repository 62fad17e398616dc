/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Network interfaces of the current network namespace, by name. */
#ifndef RTPRELAY_NETDEV_H
#define RTPRELAY_NETDEV_H

#include <stdint.h>

#define NETDEV_MAC_LEN 6

/* The ifindex and MAC address of interface `name`; 0 or -errno. */
int netdev_lookup(const char *name, int *ifindex, uint8_t mac[NETDEV_MAC_LEN]);

/* The kernel's name for how XDP is attached (XDP_ATTACHED_*): "native", "generic", "offload", "multi" or "none". */
const char *netdev_xdp_attach_name(uint8_t attach_mode);

#endif
