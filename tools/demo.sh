#!/usr/bin/env bash
# make demo: one real call through rtprelayd, start to finish, in two
# throw-away network namespaces:
#
#   relay  10.99.0.1  rtprelayd (XDP datapath, or the userspace one if XDP
#                     cannot attach: the log says which and why)
#   caller 10.99.0.2  SIPp calls sip:tone@10.99.0.1; rtp_capture listens on
#                     the caller's SDP port and decodes what arrives
#
# It prints the SIP exchange, the tone the caller heard and the daemon's
# log, then removes everything it created.
# Usage: bash tools/demo.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/.." || exit 1

BUILD=${1:-build}
DAEMON=$BUILD/rtprelayd
CAPTURE=$BUILD/tests/rtp_capture
P=rtpr-demo-$$
NS_R=$P-relay
NS_C=$P-caller
RELAY_IP=10.99.0.1
CALLER_IP=10.99.0.2
MP=40000		# SIPp's -mp; the scenario's SDP offers MP+10
CALLER_RTP=$((MP + 10))
CALL_MS=3000
BPFFS=/sys/fs/bpf/$P
TMP=$(mktemp -d /tmp/rtpr-demo.XXXXXX)
DAEMON_PID=
CAPTURE_PID=

cleanup() {
	# SIGTERM first: the daemon detaches XDP and unpins on the way out.
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	[ -n "$CAPTURE_PID" ] && kill -9 "$CAPTURE_PID" 2>/dev/null
	ip netns del "$NS_R" 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
	rm -rf "$BPFFS" "$TMP"
}
trap cleanup EXIT

die() {
	echo "demo: $*" >&2
	exit 1
}

preflight() {
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP)"
	local tool
	for tool in sipp ip nsenter jq; do
		command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
	done
	if [ ! -x "$DAEMON" ] || [ ! -x "$CAPTURE" ]; then
		die "$DAEMON or $CAPTURE is missing: run make"
	fi
	if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
		mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs on /sys/fs/bpf"
	fi
}

setup_net() {
	ip netns add "$NS_R" && ip netns add "$NS_C" &&
		ip -n "$NS_R" link add rly0 type veth peer name clr0 netns "$NS_C" || return 1
	ip -n "$NS_R" -batch - <<-EOF || return 1
		link set lo up
		link set rly0 up
		addr add $RELAY_IP/24 dev rly0
		route add default via $CALLER_IP
	EOF
	ip -n "$NS_C" -batch - <<-EOF
		link set lo up
		link set clr0 up
		addr add $CALLER_IP/24 dev clr0
	EOF
}

start_daemon() {
	nsenter --net="/run/netns/$NS_R" "$DAEMON" --foreground --bpffs "$BPFFS" --log-level info \
		--datapath auto >"$TMP/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		grep -qs 'running:' "$TMP/daemon.log" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$TMP/daemon.log" >&2
	return 1
}

# The SIP messages of the call, one a line: who sent it and its first line.
sip_exchange() {
	awk '{ sub(/\r$/, "") }
	     /^UDP message sent/ { who = "caller -> relay "; want = 1; next }
	     /^UDP message received/ { who = "relay  -> caller"; want = 1; next }
	     want && NF { want = 0; sub(/^SIP\/2.0 /, ""); sub(/ SIP\/2.0$/, ""); print "  " who "  " $0 }
	     /^m=audio/ && sdp == "" && who ~ /^relay/ { sdp = $2 }
	     END { if (sdp != "") print "  (in its 200 OK the relay answered with RTP port " sdp ")" }' "$TMP/call.msg"
}

heard() {
	jq -r '"  tone       \(.hz) Hz, \(if .payload_type == 0 then "PCMU" elif .payload_type == 8 then "PCMA" else "payload type \(.payload_type)" end) from \(.from)",
	       "  packets    \(.packets) in \(.duration_ms / 1000 | . * 10 | round / 10) s = \(.pps | . * 10 | round / 10) packets/s of 20 ms",
	       "  stream     \(.ssrcs) SSRC, sequence \(if .seq_ok then "+1" else "jumps" end) and timestamp \(if .ts_ok then "+160" else "jumps" end) per packet, marker on the first: \(.marker_first)",
	       "  RTCP       \(.rtcp_sr) sender report(s) from \(.rtcp_from)\(if .rtcp_bye > 0 then ", the last with a BYE as the call ended" else "" end)"' "$TMP/capture.json"
}

main() {
	local rc
	preflight
	setup_net || die "cannot create the namespaces"
	start_daemon || die "rtprelayd did not start"
	echo "rtprelay demo: relay $RELAY_IP (namespace $NS_R), caller $CALLER_IP (namespace $NS_C)"
	sed -n 's/.*notice: \(datapath .*\)/\1/p' "$TMP/daemon.log" | head -n 1
	echo

	ip netns exec "$NS_C" "$CAPTURE" --bind "$CALLER_IP:$CALLER_RTP" --duration-ms $((CALL_MS + 5000)) \
		--quiet-ms 500 >"$TMP/capture.out" 2>&1 &
	CAPTURE_PID=$!
	for _ in $(seq 60); do
		grep -qs '^ready' "$TMP/capture.out" && break
		sleep 0.05
	done

	echo "1. SIPp calls sip:tone@$RELAY_IP and hangs up after $((CALL_MS / 1000)) s:"
	timeout 60 ip netns exec "$NS_C" sipp -sf sipp_scenarios/uac_basic.xml "$RELAY_IP:5060" -s tone \
		-i "$CALLER_IP" -mp "$MP" -m 1 -d "$CALL_MS" -nostdin -timeout 30 -timeout_error \
		-trace_msg -message_file "$TMP/call.msg" >"$TMP/sipp.out" 2>&1
	rc=$?
	sip_exchange
	if [ "$rc" -eq 0 ]; then
		echo "  SIPp: call completed"
	else
		echo "  SIPp: call FAILED (exit status $rc)"
	fi
	echo

	wait "$CAPTURE_PID"
	CAPTURE_PID=
	tail -n 1 "$TMP/capture.out" >"$TMP/capture.json"
	echo "2. What the caller heard on $CALLER_IP:$CALLER_RTP (decoded by rtp_capture):"
	if jq -e '.packets > 0' "$TMP/capture.json" >/dev/null 2>&1; then
		heard
	else
		echo "  nothing arrived"
		rc=1
	fi
	echo

	echo "3. rtprelayd's log:"
	grep 'rtprelayd' "$TMP/daemon.log" | sed 's/^/  /'
	echo
	echo "Cleaning up: namespaces and daemon removed."
	return "$rc"
}

main
