#!/usr/bin/env bash
# IPv6 end to end: rtprelayd with an IPv6 media and SIP address, the XDP
# datapath, and SIPp callers over IPv6.
#
#   relay namespace  rly0 fd00:98:1::1/64 ── veth0 fd00:98:1::2/64  caller namespace
#   rtprelayd --media-ip fd00:98:1::1          SIPp, rtp_capture
#
# What it proves:
#  - a tone call over IPv6: c=IN IP6 in the answer, the tone at its
#    frequency from the relay's IPv6 media address, RTCP SR from port+1;
#  - two callers in a room over IPv6 hear each other through the kernel:
#    IPv6 flows (family 10) in the pinned map forward what they send, and
#    the daemon's media sockets receive nothing meanwhile.
# Usage: BUILD=build tests/calls_ipv6.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/flows_dump.sh

DATAPATH=xdp
IPV6=1
relay_env_init calls_ipv6 caller

# call NAME SERVICE SIP_PORT MP HZ STAY_MS: NAME calls SERVICE over IPv6,
# offering PCMU and PCMA (call_in_background).
call() { call_in_background "$1" "[$RELAY_IP6]:5060" "$2" "$3" "$4" "$5" "$6" -key offer "0 8"; }

# ended NAME: waits for NAME's SIPp and capture; checks SIPp's run.
ended() {
	wait "${CALL_PID[$1]}"
	check_sipp "$1" "IPv6 $1" $? ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	capture_wait "$1"
}

# late_windows NAME FROM TO: NAME's capture windows inside FROM..TO (unix ms).
late_windows() {
	grep -s '^{"window"' "$OUT/$1.cap" | jq -cs --argjson from "$2" --argjson to "$3" \
		'[.[] | select(.start_unix_ms >= $from and .end_unix_ms <= $to)]'
}

test_tone() {
	local media w
	call tone tone-880 5061 40000 440 2500
	ended tone
	media=$(sipp_logged tone relay_media)
	tap_check "IPv6 tone call: the answer's media address is the relay's IPv6 one ($media)" \
		test "${media%:*}" = "$RELAY_IP6"
	jcheck tone "IPv6 tone call: 880 Hz (±2) at 50 packets/s from [$RELAY_IP6]" \
		"(.hz - 880 | fabs) <= 2 and (.pps - 50 | fabs) <= 1 and .from == \"[$RELAY_IP6]:${media##*:}\"" \
		'"\(.hz) Hz, \(.pps) packets/s from \(.from)"'
	jcheck tone "IPv6 tone call: RTCP sender reports from port+1" \
		".rtcp_sr >= 1 and .rtcp_from == \"[$RELAY_IP6]:$((${media##*:} + 1))\"" '"\(.rtcp_sr) SR from \(.rtcp_from)"'
}

# forwarded_v6: packets the pinned IPv6 flows forwarded, summed.
forwarded_v6() {
	flows_dump "$BPFFS" |
		jq '[.[].formatted | select(.key.family == 10) | .value.counters.packets] | add // 0'
}

# media_in_daemon: RTP and RTCP packets the daemon's media sockets received, summed over the calls (SIP is not media).
media_in_daemon() { relayctl -j calls | jq '[.[].packets_userspace] | add // 0'; }

# room_flows_ready: the room's four IPv6 flows have their next hop and its two RTP flows are latched
# (SIPp sends no RTCP, so the RTCP flows never latch).
room_flows_ready() {
	flows_dump "$BPFFS" | jq -e '[.[].formatted | select(.key.family == 10) | .value | select(.nexthop.ifindex != 0)]
		| length == 4 and (map(select(.flags % 2 == 1)) | length) == 2' >/dev/null
}

test_room() {
	local t0 a1 a2 u1 u2 from to
	t0=$(date +%s%3N)
	call alice room-v6 5062 40100 440 5000
	sleep 1
	call bob room-v6 5063 40200 880 4000
	sleep 2
	wait_for 5 room_flows_ready
	a1=$(forwarded_v6)
	u1=$(media_in_daemon)
	sleep 1
	a2=$(forwarded_v6)
	u2=$(media_in_daemon)
	ended alice
	ended bob
	from=$(($(sip_time bob "<" "SIP/2.0 200" INVITE) + 700))
	to=$(($(sip_time alice ">" BYE BYE) - 300))
	for who in alice:880 bob:440; do
		w=$(late_windows "${who%:*}" "$from" "$to")
		if jq -e --argjson hz "${who#*:}" 'length >= 2 and all(.[]; (.peaks | length) == 1 and (.peaks[0] - $hz | fabs) <= 5)' \
			<<<"$w" >/dev/null; then
			tap_ok "IPv6 room: ${who%:*} hears ${who#*:} Hz while both are in ($(jq length <<<"$w") windows)"
		else
			tap_fail "IPv6 room: ${who%:*} hears ${who#*:} Hz while both are in (peaks: $(jq -c 'map(.peaks)' <<<"$w"))"
		fi
	done
	if [[ $a1 =~ ^[0-9]+$ && $a2 =~ ^[0-9]+$ ]] && [ $((a2 - a1)) -ge 80 ]; then
		tap_ok "IPv6 room: the kernel's IPv6 flows forwarded both members' RTP ($a1 -> $a2 packets in 1 s)"
	else
		tap_fail "IPv6 room: the kernel's IPv6 flows forwarded both members' RTP ($a1 -> $a2 packets in 1 s)"
	fi
	tap_check "IPv6 room: the daemon's media sockets received nothing meanwhile (packets_userspace $u1 -> $u2)" \
		test "${u1:-x}" = "${u2:-y}"
}

main() {
	relay_env_ready "IPv6 calls" bpftool clang ethtool
	if ! start_daemon daemon --media-ip "$RELAY_IP6" --sip-listen "[$RELAY_IP6]:5060"; then
		tap_fail "rtprelayd starts with --media-ip $RELAY_IP6"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	test_tone
	test_room
	stop_daemon 8
	tap_check "rtprelayd exits 0 on SIGTERM" test $? -eq 0
	tap_plan_done
}

main
