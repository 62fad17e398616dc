#!/usr/bin/env bash
# make demo: real calls through rtprelayd in throw-away network namespaces
# (set up by tests/lib/relay_env.sh, the same topology the tests use):
#
#   relay  10.99.0.1  rtprelayd, XDP on its veth
#   caller 10.99.0.2  SIPp and rtp_capture (which decodes what arrives on a
#                     caller's SDP port and can send a tone from it, as a
#                     phone would)
#
#  1. a call to sip:tone@10.99.0.1: the SIP exchange and the tone heard;
#  2. alice (sending 440 Hz) and bob (sending 880 Hz) call sip:room-demo:
#     each hears the other, and the packets are counted by the kernel's
#     flow map (bpftool) while the daemon's sockets see none of them;
#  3. the daemon's status and log.
# Then it removes everything it created.
# Usage: bash tools/demo.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/flows_dump.sh

BUILD=${1:-build}
NET=10.99
DATAPATH=xdp
relay_env_init demo caller
CALLER_IP=${PEER_IP[caller]}
CALL_MS=3000
ROOM_MS=6000 # how long alice stays in the room; bob joins 1 s after her

die() {
	echo "demo: $*" >&2
	exit 1
}

check_machine() {
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP)"
	local tool
	for tool in sipp ip nsenter jq bpftool clang ethtool; do
		command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
	done
	[ -x "$DAEMON" ] && [ -x "$CAPTURE" ] && [ -x "$CTL" ] || die "the binaries are missing: run make"
	if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
		mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs on /sys/fs/bpf"
	fi
}

# The SIP messages of a SIPp run, one a line: who sent it and its first line.
sip_exchange() {
	awk '{ sub(/\r$/, "") }
	     /^UDP message sent/ { who = "caller -> relay "; want = 1; next }
	     /^UDP message received/ { who = "relay  -> caller"; want = 1; next }
	     want && NF { want = 0; sub(/^SIP\/2.0 /, ""); sub(/ SIP\/2.0$/, ""); print "  " who "  " $0 }
	     /^m=audio/ && sdp == "" && who ~ /^relay/ { sdp = $2 }
	     END { if (sdp != "") print "  (in its 200 OK the relay answered with RTP port " sdp ")" }' "$OUT/$1.msg"
}

heard() {
	jq -r '"  tone       \(.hz) Hz, \(if .payload_type == 0 then "PCMU" elif .payload_type == 8 then "PCMA" else "payload type \(.payload_type)" end) from \(.from)",
	       "  packets    \(.packets) in \(.duration_ms / 1000 | . * 10 | round / 10) s = \(.pps | . * 10 | round / 10) packets/s of 20 ms",
	       "  stream     \(.ssrcs) SSRC, sequence \(if .seq_ok then "+1" else "jumps" end) and timestamp \(if .ts_ok then "+160" else "jumps" end) per packet, marker on the first: \(.marker_first)",
	       "  RTCP       \(.rtcp_sr) sender report(s) from \(.rtcp_from)\(if .rtcp_bye > 0 then ", the last with a BYE as the call ended" else "" end)"' "$OUT/$1.json"
}

tone_call() {
	local rc
	capture_start tone "$CALLER_RTP" --duration-ms $((CALL_MS + 5000)) --quiet-ms 500 ||
		die "rtp_capture did not start"
	echo "1. SIPp calls sip:tone@$RELAY_IP and hangs up after $((CALL_MS / 1000)) s:"
	sipp_run call uac_basic tone -m 1 -d "$CALL_MS"
	rc=$?
	sip_exchange call
	[ "$rc" -eq 0 ] && echo "  SIPp: call completed" || echo "  SIPp: call FAILED (exit status $rc)"
	capture_wait tone
	echo "  What the caller heard on $CALLER_IP:$CALLER_RTP (decoded by rtp_capture):"
	if jq -e '.packets > 0' "$OUT/tone.json" >/dev/null 2>&1; then
		heard tone
	else
		echo "  nothing arrived"
		rc=1
	fi
	echo
	return "$rc"
}

# member NAME SIP_PORT MP HZ STAY_MS: NAME calls room-demo from SIP_PORT
# offering MP+10, where its rtp_capture sends HZ and describes each second
# of what it hears; it hangs up after STAY_MS. In the background.
member() {
	local name=$1 sip_port=$2 mp=$3 hz=$4 stay=$5
	capture_start_at caller "$name" $((mp + 10)) --duration-ms 30000 --window-ms 1000 \
		--send-to "@$OUT/$name.sipplog" --send-hz "$hz" || die "rtp_capture did not start"
	(
		sipp_run_at caller "$name" uac_join "$RELAY_IP:5060" -s room-demo -key offer "0 8" \
			-p "$sip_port" -mp "$mp" -m 1 -d "$stay"
		kill -INT "${CAP_PID[$name]}" 2>/dev/null
	) &
	PIDS+=("$!")
}

# The kernel's per-flow packet counters, "port packets" a line (bpftool
# prints the __be16 port as read on a little-endian host: swapped back).
kernel_counts() {
	flows_dump "$BPFFS" |
		jq -r '.[].formatted | "\((.key.port % 256) * 256 + (.key.port / 256 | floor)) \(.value.counters.packets)"' |
		sort -n
}

# What NAME heard in its last full second before leaving.
room_heard() {
	grep '^{"window"' "$OUT/$1.cap" | jq -rs --arg who "$1" \
		'map(select(.packets >= 40)) | last // {} |
		 "  \($who) hears \(.peaks // [] | map(round | tostring + " Hz") | join(" + ")), \(.packets // 0) packets/s from \(.sources // [] | join(", "))"'
}

room() {
	local a b
	echo "2. alice (sends 440 Hz) and bob (sends 880 Hz) call sip:room-demo@$RELAY_IP:"
	member alice 5061 40100 440 "$ROOM_MS"
	sleep 1
	member bob 5062 40200 880 $((ROOM_MS - 1000))
	sleep 2.5
	echo "  rtprelayctl calls (the daemon's view):"
	relayctl calls | sed 's/^/    /'
	kernel_counts >"$OUT/kernel-1"
	relayctl -j calls >"$OUT/calls-1"
	sleep 2
	kernel_counts >"$OUT/kernel-2"
	relayctl -j calls >"$OUT/calls-2"
	echo "  In the next 2 seconds, per relay port:"
	printf '    %-6s %-30s %s\n' port "kernel flow (bpftool)" "daemon's sockets (rtprelayctl)"
	join "$OUT/kernel-1" "$OUT/kernel-2" | while read -r port k1 k2; do
		a=$(jq --argjson p "$port" '[.[] | select(.local_rtp | endswith(":\($p)")) | .packets_userspace] | add // 0' "$OUT/calls-1")
		b=$(jq --argjson p "$port" '[.[] | select(.local_rtp | endswith(":\($p)")) | .packets_userspace] | add // 0' "$OUT/calls-2")
		[ $((port % 2)) -eq 0 ] && printf '    %-6s %-30s %s\n' "$port" "+$((k2 - k1)) packets forwarded" "+$((b - a)) packets"
	done
	echo "  rtprelayctl flows (the pinned map $BPFFS/flows that bpftool dumped, decoded):"
	relayctl flows | sed 's/^/    /'
	wait_for 10 daemon_idle
	capture_wait alice
	capture_wait bob
	room_heard alice
	room_heard bob
	echo
}

daemon_idle() { [ "$(relayctl -j calls 2>/dev/null | jq length)" = 0 ]; }

main() {
	local rc=0
	check_machine
	relay_env_setup || die "cannot create the namespaces"
	start_daemon daemon || {
		cat "$DAEMON_LOG" >&2
		die "rtprelayd did not start"
	}
	echo "rtprelay demo: relay $RELAY_IP (namespace $NS_R), caller $CALLER_IP (namespace $NS_C)"
	sed -n 's/.*notice: \(datapath .*\)/\1/p' "$DAEMON_LOG" | head -n 1
	echo
	tone_call || rc=1
	room
	echo "3. rtprelayctl status:"
	relayctl status | sed 's/^/  /'
	echo
	echo "   rtprelayd's log:"
	grep 'rtprelayd' "$DAEMON_LOG" | sed 's/^/  /'
	echo
	echo "Cleaning up: namespaces and daemon removed (logs in $OUT)."
	return "$rc"
}

main
