#!/usr/bin/env bash
# SIP torture test: hostile and odd SIP input against a real rtprelayd.
#
#   relay namespace  rly0 10.98.0.1 ── veth0 10.98.0.2  caller namespace:
#   rtprelayd                                 tests/torture/torture_client.py
#     --route auth=sip:auth@10.98.1.2:5070    (UDP 5050/5060/5070, TCP 5060)
#                    rly1 10.98.1.1 ── veth0 10.98.1.2  callee namespace:
#                                             SIPp UAS on 5070
#
# What it proves:
#  - every message of RFC 4475 ("SIP Torture Test Messages", tests/torture/
#    *.dat, byte for byte) and the security review's reproducers get the
#    answer tests/torture/expected.tsv gives, with the RFC section that
#    allows it: over the transports the index names (the one the message's
#    Via names; TCP too for the framing cases); one TAP line per message and
#    transport. Every 4xx-6xx carries a reason phrase that does not repeat
#    its own prefix. Right after each message the daemon answers an OPTIONS
#    on the same transport, so a message that hangs or kills it fails its
#    own line;
#  - a B2BUA route whose target answers 407 gives the caller a final
#    failure, and so does rtprelayctl call to that target: no call and no
#    RTP port stay behind, the outgoing call counts as failed;
#  - rtprelayctl call answered 200 OK without SDP, or with an answer of a
#    codec it did not offer (G.729): the daemon ACKs and BYEs at once (SIPp
#    fails on a CANCEL or a late BYE), the call counts as failed, nothing
#    stays behind;
#  - SILENT idle TCP connections (nothing sent), one sending only CRLF
#    keepalives and a stalled one (half a request) do not stop OPTIONS
#    being answered over UDP and TCP; the daemon closes every one of them
#    within HOLD_S seconds (the client reads the end of stream), and
#    answers OPTIONS over UDP and TCP afterwards;
#  - at the end: 0 calls, 0 RTP ports in use, and the daemon is the one
#    that started.
# About 35 s (the 30 s watch runs beside the corpus); a daemon that stops
# answering costs up to 20 s more per message, reported on that message.
#
# Logs, SIPp traces and the client's output stay in
# $BUILD/test-logs/sip_torture.d/.
# Usage: BUILD=build tests/sip_torture.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

relay_env_init sip_torture caller callee
CLIENT=tests/torture/torture_client.py
HOLDER=tests/torture/hold_connections.py
CALLEE_SIP=5070
CALLEE_URI="${PEER_IP[callee]}:$CALLEE_SIP"
HOLD_S=30 # how long the held connections are watched (the daemon's bound: 16 s unanswered, swept each second)
SILENT=20 # how many idle TCP connections are held
# Bounds, not delays (each wait ends when what it waits for is there), with
# room for a loaded machine:
SETTLE_S=10 # how long an ended call may take to free its call and ports
START_S=10 # how long the holder and SIPp may take to be ready
CLIENT_S=240 # how long a torture_client.py run may take (the corpus: about 15 s)

# run_client NAME [torture_client.py options]: the client in the caller
# namespace; its "ok"/"not ok" lines become TAP lines, the rest diag.
run_client() {
	local name=$1 status desc rc
	shift
	timeout "$CLIENT_S" ip netns exec "$P-caller" python3 "$CLIENT" --relay "$RELAY_IP" \
		--local "${PEER_IP[caller]}" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	rc=$?
	while IFS=$'\t' read -r status desc; do
		case $status in
		ok) tap_ok "$desc" ;;
		"not ok") tap_fail "$desc" ;;
		"#") echo "$desc" | diag ;;
		*) echo "$status $desc" | diag ;;
		esac
	done <"$OUT/$name.out"
	if [ "$rc" -ne 0 ]; then
		tap_fail "torture_client.py $name ran to its end (exit status $rc)"
		diag <"$OUT/$name.err"
	fi
}

# ctl_json FILTER ARGS...: a jq FILTER of rtprelayctl -j ARGS.
ctl_json() {
	local filter=$1
	shift
	relayctl -j "$@" | jq -r "$filter"
}

calls_now() { ctl_json 'if type == "array" then length else (.calls | length) end' calls; }
ports_now() { ctl_json .ports_in_use status; }
calls_failed_now() { ctl_json .calls_failed stats; }
nothing_left() { [ "$(calls_now)" = 0 ] && [ "$(ports_now)" = 0 ]; }

# check_nothing_left LABEL: no call and no RTP port within SETTLE_S.
check_nothing_left() {
	if wait_for "$SETTLE_S" nothing_left; then
		tap_ok "$1: afterwards 0 calls and 0 RTP ports in use"
	else
		tap_fail "$1: afterwards 0 calls and 0 RTP ports in use (got $(calls_now) calls, $(ports_now) ports after ${SETTLE_S} s)"
		relayctl calls 2>&1 | diag
	fi
}

# callee_listening: a socket is bound to the callee's SIP port.
callee_listening() { ip netns exec "$P-callee" ss -Huan "sport = :$CALLEE_SIP" | grep -q .; }

# callee_start NAME SCENARIO: the SIPp UAS in the callee namespace, in the
# background (CALLEE_PID), for one call, once it listens (if it never does,
# the flow check after the call says so).
callee_start() {
	sipp_run_at callee "$1" "$2" -p "$CALLEE_SIP" -m 1 &
	CALLEE_PID=$!
	PIDS+=("$CALLEE_PID")
	wait_for "$START_S" callee_listening
}

# The route's target refuses with 407: the caller gets a final failure.
test_route_407() {
	local l="B2BUA route to a target answering 407" rc
	callee_start route407 uas_proxy_auth
	run_client route407 --needs route-407
	wait "$CALLEE_PID"
	rc=$?
	check_sipp route407 "$l" "$rc" "<INVITE >407 <ACK"
	check_nothing_left "$l"
}

# uac_call_fails LABEL NAME SCENARIO USER FLOW [WHAT_THE_SCENARIO_CHECKS]:
# rtprelayctl call sip:USER@ the callee, whose SIPp runs SCENARIO: the SIP
# flow, nothing left behind, the call counted as failed.
uac_call_fails() {
	local l=$1 name=$2 scenario=$3 user=$4 flow=$5 checks=${6:-} rc failed_before
	failed_before=$(calls_failed_now)
	callee_start "$name" "$scenario"
	relayctl call "sip:$user@$CALLEE_URI" >"$OUT/$name.ctl" 2>&1
	wait "$CALLEE_PID"
	rc=$?
	check_sipp "$name" "$l" "$rc" "$flow" "$checks"
	check_nothing_left "$l"
	if [ "$(calls_failed_now)" -gt "$failed_before" ]; then
		tap_ok "$l: counted as a failed call"
	else
		tap_fail "$l: counted as a failed call (calls_failed stays $failed_before)"
	fi
}

# hold_check HOLD_PID: the holder's verdict on the connections it held,
# once it has watched them HOLD_S seconds.
hold_check() {
	local idle kind verdict
	wait "$1"
	diag <"$OUT/hold.out"
	idle=$(sed -n 's/^idle //p' "$OUT/hold.out")
	if [[ $idle == "closed=$SILENT/$SILENT "* ]]; then
		tap_ok "$SILENT idle TCP connections (nothing sent) are closed by the daemon within $HOLD_S s ($idle)"
	else
		tap_fail "$SILENT idle TCP connections (nothing sent) are closed by the daemon within $HOLD_S s (${idle:-no verdict})"
	fi
	for kind in "keepalive:a TCP connection sending only CRLF keepalives" "stalled:a stalled TCP connection (half a request)"; do
		verdict=$(sed -n "s/^${kind%%:*} //p" "$OUT/hold.out")
		if [[ $verdict == closed_after_s=* ]]; then
			tap_ok "${kind#*:} is closed by the daemon within $HOLD_S s ($verdict)"
		else
			tap_fail "${kind#*:} is closed by the daemon within $HOLD_S s (${verdict:-no verdict})"
		fi
	done
}

main() {
	local hold_pid first_pid status
	relay_env_ready "SIP torture test" python3
	if ! start_daemon daemon --route "auth=sip:auth@$CALLEE_URI"; then
		tap_fail "rtprelayd starts in $NS_R"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	first_pid=$DAEMON_PID

	ip netns exec "$P-caller" python3 "$HOLDER" --relay "$RELAY_IP" --silent "$SILENT" --seconds "$HOLD_S" \
		>"$OUT/hold.out" 2>&1 &
	hold_pid=$!
	PIDS+=("$hold_pid")
	if ! wait_for "$START_S" grep -qx ready "$OUT/hold.out"; then
		tap_fail "$SILENT idle, a keepalive-only and a stalled TCP connection to $RELAY_IP:5060 are open"
		diag <"$OUT/hold.out"
	fi

	run_client held --options-only "while $SILENT idle, a keepalive-only and a stalled TCP connection are open"
	run_client corpus
	test_route_407
	uac_call_fails "rtprelayctl call to a callee answering 407" uac407 uas_proxy_auth auth "<INVITE >407 <ACK"
	uac_call_fails "rtprelayctl call answered 200 OK without SDP" nosdp uas_answer_no_sdp nosdp \
		"<INVITE >200 <ACK <BYE >200/BYE" "ACK and BYE within 3 s each, no CANCEL"
	uac_call_fails "rtprelayctl call answered 200 OK with G.729 only" badanswer uas_answer_unusable_sdp badanswer \
		"<INVITE >200 <ACK <BYE >200/BYE" "ACK and BYE within 3 s each, no CANCEL"
	hold_check "$hold_pid"
	run_client after_held --options-only "after the daemon closed the held TCP connections"

	check_nothing_left "the whole torture"
	if is_running "$first_pid" && [ "$(ctl_json .pid status)" = "$first_pid" ]; then
		tap_ok "the daemon that started (pid $first_pid) is still the one answering"
	else
		tap_fail "the daemon that started (pid $first_pid) is still the one answering (status says pid $(ctl_json .pid status 2>&1))"
		tail -n 30 "$DAEMON_LOG" | diag
	fi
	stop_daemon 8
	status=$?
	tap_check "rtprelayd exits 0 on SIGTERM (exit status $status, 124: still running after 8 s)" test "$status" -eq 0
	tap_plan_done
}

main
