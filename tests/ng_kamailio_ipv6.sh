#!/usr/bin/env bash
# tests/ng_kamailio.sh over IPv6: Kamailio listening on IPv6, SDPs with
# IP6 addresses, the media through the XDP flows (see there).
# Usage: BUILD=build tests/ng_kamailio_ipv6.sh
IPV6=1 exec bash "$(dirname "$0")/ng_kamailio.sh"
