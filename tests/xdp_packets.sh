#!/usr/bin/env bash
# Golden-packet tests of the XDP datapath: builds the namespace whose veths
# the flows' next hops name (kernel defaults: no forwarding, no neighbour
# entries; the program needs neither), then runs the table-driven
# runner (tests/xdp/: cases in cases.c, frame builder in frame.c, runner.c)
# inside it. The runner loads the program unpinned and speaks TAP itself.
#
#   relay0 <-> peer0   10.10.0.1/24 fd00:10::1/64 on relay0
#   relay1 <-> peer1   10.20.0.1/24 fd00:20::1/64 on relay1
#
# Usage: BUILD=build tests/xdp_packets.sh [CASE-NAME-SUBSTRING]
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/tap.sh

BUILD=${BUILD:-build}
RUNNER=$BUILD/tests/xdp_packet_test
NS=rtprelay-pkt-$$

tap_need_root "XDP packet tests" || {
	tap_plan_done
	exit 0
}
if [ ! -x "$RUNNER" ]; then
	tap_fail "XDP packet tests: $RUNNER is not built (make BUILD=$BUILD)"
	tap_plan_done
	exit 1
fi

cleanup() { ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT

setup() {
	ip netns add "$NS" || return 1
	ip -n "$NS" -batch - <<-EOF || return 1
		link set lo up
		link add relay0 type veth peer name peer0
		link add relay1 type veth peer name peer1
		link set peer0 up
		link set peer1 up
		link set relay0 up
		link set relay1 up
		addr add 10.10.0.1/24 dev relay0
		addr add fd00:10::1/64 dev relay0 nodad
		addr add 10.20.0.1/24 dev relay1
		addr add fd00:20::1/64 dev relay1 nodad
	EOF
}

if ! setup; then
	tap_fail "XDP packet tests: set up namespace $NS"
	tap_plan_done
	exit 1
fi

ip netns exec "$NS" "$RUNNER" "$@"
