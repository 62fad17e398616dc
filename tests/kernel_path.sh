#!/usr/bin/env bash
# The kernel path of a bridged call on a relay with the kernel's default
# sysctls (forwarding off), and what rtprelayctl status says about it:
#
#   relay namespace                     caller namespace 10.98.0.2
#   rtprelayd --datapath xdp            A and B call room-kp (a room of two:
#     --interface rly0                  a kernel bridge), each sending a tone
#
# What it proves:
#  - with forwarding off, the bridge runs in XDP: `status` says kernel path
#    "ok", the XDP forwarded counter rises and the daemon forwards nothing;
#  - when the peer stops answering ARP (arp_ignore=8 in the caller, the
#    relay's neighbour entry flushed), the notifications take the flows'
#    next hop away: the daemon forwards the media itself, `status` (JSON
#    and text) says "degraded:" naming the neighbour, and the log says it
#    once, with the fix;
#  - once the peer answers again, the kernel path is "ok" and carries the
#    media again, with nothing left for the daemon to forward.
# Usage: BUILD=build tests/kernel_path.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

DATAPATH=xdp
relay_env_init kernel_path caller

# call NAME SIP_PORT MP HZ: NAME joins room-kp from the caller namespace
# and sends HZ to the relay for 40 s (call_in_background).
call() { call_in_background "$1" "$RELAY_IP:5060" room-kp "$2" "$3" "$4" 40000 -key offer "0 8"; }

status_field() { relayctl -j status 2>/dev/null | jq -r ".$1"; }
kernel_path_is() { [ "$(status_field kernel_path)" = "$1" ]; }
kernel_path_matches() { status_field kernel_path | grep -qE "$1"; }
flows_at_least() { [ "$(status_field flows)" -ge "$1" ]; }
xdp_forwarded() { relayctl -j stats 2>/dev/null | jq '.forwarded // 0'; }

# over_a_second: the rise of userspace_forwarded and of XDP's forwarded
# counter in one second, in USERSPACE_RISE and XDP_RISE.
over_a_second() {
	local u1 u2 x1 x2
	u1=$(status_field userspace_forwarded) x1=$(xdp_forwarded)
	sleep 1
	u2=$(status_field userspace_forwarded) x2=$(xdp_forwarded)
	USERSPACE_RISE=$((u2 - u1)) XDP_RISE=$((x2 - x1))
}

test_ok() {
	local tag=$1
	if wait_for 8 kernel_path_is ok; then
		tap_ok "$tag: status says kernel path ok"
	else
		tap_fail "$tag: status says kernel path ok (got: $(status_field kernel_path))"
	fi
	over_a_second
	# Two tones of 50 packets/s each way: 100 a second.
	tap_check "$tag: XDP forwards the bridge (+$XDP_RISE forwarded in 1 s)" [ "$XDP_RISE" -ge 80 ]
	tap_check "$tag: the daemon forwards nothing itself (userspace_forwarded +$USERSPACE_RISE)" \
		[ "$USERSPACE_RISE" -eq 0 ]
}

test_degraded() {
	local peer=${PEER_IP[caller]} lines
	ip netns exec "$P-caller" sysctl -qw net.ipv4.conf.veth0.arp_ignore=8
	ip -n "$NS_R" neigh flush dev rly0
	if wait_for 10 kernel_path_matches "^degraded: .*neighbour $peer on rly0 does not answer ARP"; then
		tap_ok "unanswered ARP: status says the kernel path is degraded ($(status_field kernel_path))"
	else
		tap_fail "unanswered ARP: status says the kernel path is degraded (got: $(status_field kernel_path))"
	fi
	tap_check "unanswered ARP: status as text shows it too" \
		grep -q "^kernel path .*degraded: .*$peer" <(relayctl status 2>&1)
	over_a_second
	tap_check "unanswered ARP: the daemon forwards the bridge itself (userspace_forwarded +$USERSPACE_RISE in 1 s)" \
		[ "$USERSPACE_RISE" -ge 80 ]
	lines=$(grep -c "kernel path degraded: bridged packets to $peer: neighbour $peer on rly0 does not answer ARP/ND; check" \
		"$DAEMON_LOG")
	tap_check "unanswered ARP: the daemon logged the cause and the fix once ($lines lines)" [ "$lines" -eq 1 ]
	ip netns exec "$P-caller" sysctl -qw net.ipv4.conf.veth0.arp_ignore=0
}

main() {
	relay_env_ready "kernel path tests" bpftool ethtool
	tap_check "the relay runs on kernel defaults (net.ipv4.ip_forward 0)" \
		[ "$(ip netns exec "$NS_R" sysctl -n net.ipv4.ip_forward)" = 0 ]
	# The caller never asks the relay's MAC again: only the relay's ARP matters here.
	ip -n "$P-caller" neigh replace "$RELAY_IP" dev veth0 nud permanent \
		lladdr "$(ip -n "$NS_R" -j link show rly0 | jq -r '.[0].address')"
	if ! start_daemon daemon; then
		tap_fail "rtprelayd starts in $NS_R"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	call A 5061 40000 500
	call B 5062 40100 700
	if wait_for 10 flows_at_least 4; then
		tap_ok "A and B bridged in room-kp (flows programmed)"
	else
		tap_fail "A and B bridged in room-kp (flows: $(status_field flows))"
		diag <"$DAEMON_LOG"
	fi
	test_ok "bridged"
	test_degraded
	test_ok "ARP answered again"
	tap_plan_done
}

main
