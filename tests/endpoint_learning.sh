#!/usr/bin/env bash
# Endpoint learning end to end: an intruder that blindly sends RTP to a
# fresh call's relay port must not take the call's media
# (userspace/media/endpoint_learning.h, rtprelayd --endpoint-learning).
#
#   relay namespace                         caller namespace
#   rly0 10.98.0.1 ───────────────────────── veth0 10.98.0.2: SIPp callers,
#   rtprelayd (media and SIP on 10.98.0.1,   rtp_capture on their SDP ports
#   userspace datapath, the kernel's         intruder namespace
#   default sysctls)                         veth0 10.98.1.2: rtp_capture
#   rly1 10.98.1.1 ───────────────────────── sending to the relay's ports
#
# The intruder is on another link: it reaches the relay's media address
# 10.98.0.1 through its route via 10.98.1.1, as an attacker on the
# Internet would, and is neither the SDP's address nor the SIP's.
#
# What it proves:
#  - tone call, default (heuristic): the intruder floods the call's relay
#    port from the moment the call is up, the caller sends from its SDP
#    port half a second later: the leg latches to the caller, the caller
#    hears the tone all along, and the intruder hears nothing although
#    every packet it sent reached the relay: rtprelayctl calls counts all
#    of them as dropped from a wrong source, and none in packets_in, which
#    counts the caller's;
#  - room: two members of room-x, both relay ports flooded before either
#    member sends: each member hears exactly the other's tone, the
#    intruder's frequency is in no window of either member, the intruder
#    hears nothing, and the flows on the members' ports expect the members
#    and drop the intruder's packets as wrong source; each call's
#    wrong_source (rtprelayctl calls) counts the intruder's packets, those
#    the daemon dropped before latching and those the flow dropped;
#  - recvonly: a caller that says it never sends (a=recvonly), flooded for
#    longer than the 3 s learning window: the leg never latches, the tone
#    keeps going to the caller, the intruder hears nothing, and every one
#    of its packets is counted as from a wrong source, none in packets_in;
#  - immediate (--endpoint-learning immediate, the old first-packet rule):
#    the same flood as in the tone call takes the leg, as documented: the
#    leg latches to the intruder and the intruder hears the caller's tone.
#    This is the hijack the default closes, and shows the option works.
#
# DATAPATH=xdp runs it on the XDP datapath (relay_env.sh then enables IPv4
# forwarding in the relay namespace, which XDP needs).
# Logs, SIPp traces, captures and rtprelayctl snapshots stay in
# $BUILD/test-logs/endpoint_learning.d/.
# Usage: BUILD=build tests/endpoint_learning.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

relay_env_init endpoint_learning caller intruder
CALLER_IP=${PEER_IP[caller]}
INTRUDER_IP=${PEER_IP[intruder]}
TONE_HZ=440     # the daemon's default tone (service "tone")
CALLER_HZ=700   # what the caller sends
MEMBER_B_HZ=1100 # what the second room member sends
INTRUDER_HZ=1500 # what the intruder sends
HZ_TOLERANCE=5
FLOOD_PACKETS=200 # 4 s of RTP at 50 packets/s: past the learning window
LEAD_S=0.5        # how long the intruder floods before the callers send

now_ms() { date +%s%3N; }

# new_call SEEN: "ID PORT" of the first active call with an id above SEEN
# (the relay's RTP port from its local_rtp); false while there is none.
new_call() {
	relayctl -j calls 2>/dev/null | jq -er --argjson seen "$1" \
		'first(.[] | select(.state == "active" and .id > $seen)) | "\(.id) \(.local_rtp | sub(".*:"; ""))"'
}

# call_up SEEN: waits for new_call SEEN (5 s at most) and prints it.
call_up() { wait_for 5 new_call "$1" >/dev/null && new_call "$1"; }

# packets_seen ID: what reached call ID's leg: its peer's packets (packets_in) and strangers' (wrong_source).
packets_seen() { relayctl -j calls 2>/dev/null | jq -r --argjson id "$1" '.[] | select(.id == $id) | .packets_in + .wrong_source'; }
# packets_seen_reach ID N: call ID has seen at least N packets.
packets_seen_reach() { [ "$(packets_seen "$1")" -ge "$2" ] 2>/dev/null; }

# snapshot_call NAME ID: call ID as rtprelayctl -j calls shows it now, in
# $OUT/NAME.call.
snapshot_call() { relayctl -j calls | jq --argjson id "$2" '.[] | select(.id == $id)' >"$OUT/$1.call"; }

# callcheck NAME DESCRIPTION FILTER [SHOW]: jq_check on the snapshot of
# snapshot_call NAME.
callcheck() { jq_check "$OUT/$1.call" "${@:2}"; }

# flood NAME PORT RELAY_PORT [COUNT]: the intruder sends COUNT (default
# FLOOD_PACKETS) RTP packets of INTRUDER_HZ from its PORT to the relay's
# RELAY_PORT, and records whatever comes back, until capture_wait NAME stop.
flood() {
	capture_start_at intruder "$1" "$2" --duration-ms 60000 --send-to "$RELAY_IP:$3" \
		--send-hz "$INTRUDER_HZ" --send-count "${4:-$FLOOD_PACKETS}" ||
		tap_fail "$1: the intruder's rtp_capture is ready on $INTRUDER_IP:$2"
}

# listen_then_send NAME PORT HZ [COUNT]: a caller's rtp_capture on PORT,
# recording every 500 ms; it sends HZ from PORT (COUNT packets, default
# until stopped) only once send_now NAME RELAY_PORT says where.
listen_then_send() {
	local name=$1 port=$2 hz=$3 count=${4:-}
	rm -f "$OUT/$name.sendto"
	capture_start_at caller "$name" "$port" --duration-ms 60000 --window-ms 500 \
		--send-to "@$OUT/$name.sendto" --send-hz "$hz" ${count:+--send-count "$count"} ||
		tap_fail "$name: the caller's rtp_capture is ready on $CALLER_IP:$port"
}
send_now() { echo "$RELAY_IP:$2" >"$OUT/$1.sendto"; }

# hears_only NAME FROM TO HZ SRC: every 500 ms window of NAME's capture
# inside FROM..TO (unix ms) holds exactly the tone HZ, from SRC.
hears_only() {
	local name=$1 from=$2 to=$3 hz=$4 src=$5 w
	w=$(grep -s '^{"window"' "$OUT/$name.cap" | jq -cs --argjson from "$from" --argjson to "$to" \
		'[.[] | select(.start_unix_ms >= $from and .end_unix_ms <= $to)]')
	if jq -e --argjson hz "$hz" --argjson tol "$HZ_TOLERANCE" --arg src "$src" 'length >= 4 and all(.[];
		(.peaks | length) == 1 and (.peaks[0] - $hz | fabs) <= $tol and .sources == [$src])' <<<"$w" >/dev/null; then
		tap_ok "room: $name hears exactly $hz Hz from $src while both members send ($(jq length <<<"$w") windows)"
	else
		tap_fail "room: $name hears exactly $hz Hz from $src while both members send (windows: $(jq -c 'map({peaks: (.peaks | map(round)), sources})' <<<"$w"))"
	fi
}

# never_hears NAME HZ: no window of NAME's capture, over the whole call,
# holds HZ.
never_hears() {
	if grep -s '^{"window"' "$OUT/$1.cap" | jq -es --argjson hz "$2" --argjson tol "$HZ_TOLERANCE" \
		'length >= 4 and all(.[]; all(.peaks[]; (. - $hz | fabs) > $tol))' >/dev/null; then
		tap_ok "room: the intruder's $2 Hz is in none of $1's windows, from its joining to its BYE"
	else
		tap_fail "room: the intruder's $2 Hz is in none of $1's windows (peaks: $(grep -s '^{"window"' "$OUT/$1.cap" | jq -cs 'map(.peaks | map(round))'))"
	fi
}

SEEN=0 # the highest call id a phase took (a new daemon counts from 1 again)

# tone_call_attacked LABEL NAME: the caller calls "tone"; as soon as the
# call is up the intruder floods its relay port, LEAD_S later the caller
# sends FLOOD_PACKETS from its SDP port; once the relay has counted both
# streams the call is snapshot. Leaves NAME (the caller's capture),
# NAME-intruder, NAME.call and CALL_RC (SIPp's exit status).
tone_call_attacked() {
	local label=$1 name=$2 sipp_pid up id port
	listen_then_send "$name" "$CALLER_RTP" "$CALLER_HZ" "$FLOOD_PACKETS"
	sipp_run "$name" uac_basic tone -m 1 -d 7000 &
	sipp_pid=$!
	if ! up=$(call_up "$SEEN"); then
		tap_fail "$label: the call comes up"
		wait "$sipp_pid"
		capture_wait "$name" stop
		return 1
	fi
	read -r id port <<<"$up"
	SEEN=$id
	flood "$name-intruder" 50000 "$port"
	sleep "$LEAD_S"
	send_now "$name" "$port"
	wait_for 8 packets_seen_reach "$id" $((2 * FLOOD_PACKETS)) ||
		echo "$label: call $id saw $(packets_seen "$id") packets (in and wrong source), not $((2 * FLOOD_PACKETS))" | diag
	snapshot_call "$name" "$id"
	wait "$sipp_pid"
	CALL_RC=$?
	capture_wait "$name" stop
	capture_wait "$name-intruder" stop
	check_sipp "$name" "$label" "$CALL_RC" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
}

test_routes() {
	local via
	via=$(in_peer intruder ip -o route get "$RELAY_IP" | awk '{ for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1) }')
	tap_check "the intruder ($INTRUDER_IP) reaches the relay's media address $RELAY_IP through the relay (via $via)" \
		test "$via" = "${PEER_RELAY_IP[intruder]}"
}

test_tone_call() {
	local l="tone call, heuristic" n=tone
	tone_call_attacked "$l" "$n" || return
	callcheck "$n" "$l: the leg latched to the caller's SDP address $CALLER_IP:$CALLER_RTP, not the intruder's" \
		".latched and .remote_rtp == \"$CALLER_IP:$CALLER_RTP\"" '"latched \(.latched) to \(.remote_rtp)"'
	jcheck "$n" "$l: the caller hears the tone, $TONE_HZ Hz, from the relay all call long" \
		"(.hz - $TONE_HZ | fabs) <= 2 and .sources == 1 and .packets >= 300" \
		'"\(.hz) Hz, \(.packets) packets from \(.sources) sources"'
	jcheck "$n-intruder" "$l: the intruder, flooding from $INTRUDER_IP, hears nothing" \
		".packets == 0 and .sent == $FLOOD_PACKETS" '"\(.packets) packets received, \(.sent) sent"'
	# Together they show the flood was real: every one of its packets reached the relay.
	callcheck "$n" "$l: rtprelayctl calls counts the intruder's $FLOOD_PACKETS packets as dropped from a wrong source" \
		".wrong_source == $FLOOD_PACKETS" '"wrong_source \(.wrong_source)"'
	callcheck "$n" "$l: packets_in counts the caller's $FLOOD_PACKETS packets, none of the intruder's" \
		".packets_in == $FLOOD_PACKETS" .packets_in
}

# The same flood on a daemon with --endpoint-learning immediate.
test_tone_call_immediate() {
	local l="tone call, immediate" n=immediate
	tone_call_attacked "$l" "$n" || return
	callcheck "$n" "$l: the first source takes the leg, as documented: latched to the intruder $INTRUDER_IP:50000" \
		".latched and .remote_rtp == \"$INTRUDER_IP:50000\"" '"latched \(.latched) to \(.remote_rtp)"'
	jcheck "$n-intruder" "$l: the intruder hears the caller's tone, $TONE_HZ Hz" \
		"(.hz - $TONE_HZ | fabs) <= 2 and .packets >= 100" '"\(.hz) Hz, \(.packets) packets"'
	jcheck "$n" "$l: the caller hears the tone only until the intruder's first packet" \
		".packets < 50" '"\(.packets) packets"'
}

test_room() {
	local l="room" m a b a_pid b_pid up ida idb porta portb t_send stop_ms
	listen_then_send A $((MP + 110)) "$CALLER_HZ"
	listen_then_send B $((MP + 210)) "$MEMBER_B_HZ"
	sipp_run_at caller A uac_join "$RELAY_IP:5060" -s room-x -key offer 0 -p 5061 -mp $((MP + 100)) -m 1 -d 8000 &
	a_pid=$!
	up=$(call_up "$SEEN") || tap_fail "$l: A's call comes up"
	read -r ida porta <<<"$up"
	SEEN=$ida
	flood A-intruder 50010 "$porta"
	sipp_run_at caller B uac_join "$RELAY_IP:5060" -s room-x -key offer 0 -p 5062 -mp $((MP + 200)) -m 1 -d 7000 &
	b_pid=$!
	up=$(call_up "$SEEN") || tap_fail "$l: B's call comes up"
	read -r idb portb <<<"$up"
	SEEN=$idb
	flood B-intruder 50020 "$portb"
	sleep "$LEAD_S"
	t_send=$(now_ms)
	send_now A "$porta"
	send_now B "$portb"
	sleep 4
	snapshot_call A "$ida"
	snapshot_call B "$idb"
	relayctl -j flows >"$OUT/room.flows"
	wait "$a_pid"
	a=$?
	wait "$b_pid"
	b=$?
	for m in A B A-intruder B-intruder; do capture_wait "$m" stop; done
	check_sipp A "$l: A" "$a" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	check_sipp B "$l: B" "$b" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	callcheck A "$l: A's leg latched to its SDP address $CALLER_IP:$((MP + 110))" \
		".latched and .remote_rtp == \"$CALLER_IP:$((MP + 110))\"" '"latched \(.latched) to \(.remote_rtp), media \(.media)"'
	callcheck B "$l: B's leg latched to its SDP address $CALLER_IP:$((MP + 210))" \
		".latched and .remote_rtp == \"$CALLER_IP:$((MP + 210))\"" '"latched \(.latched) to \(.remote_rtp), media \(.media)"'
	stop_ms=$(($(sip_time B ">" BYE BYE) - 300))
	hears_only A $((t_send + 600)) "$stop_ms" "$MEMBER_B_HZ" "$RELAY_IP:$porta"
	hears_only B $((t_send + 600)) "$stop_ms" "$CALLER_HZ" "$RELAY_IP:$portb"
	never_hears A "$INTRUDER_HZ"
	never_hears B "$INTRUDER_HZ"
	jcheck A-intruder "$l: the intruder flooding A's port hears nothing" \
		".packets == 0 and .sent == $FLOOD_PACKETS" '"\(.packets) packets received, \(.sent) sent"'
	jcheck B-intruder "$l: the intruder flooding B's port hears nothing" \
		".packets == 0 and .sent == $FLOOD_PACKETS" '"\(.packets) packets received, \(.sent) sent"'
	wrong_source_drops A "$porta" $((MP + 110))
	wrong_source_drops B "$portb" $((MP + 210))
	for m in A B; do
		# The daemon drops the flood only until the member latches (LEAD_S, some
		# 25 packets); the flow drops the rest, most of the 200 by the snapshot.
		callcheck "$m" "$l: $m's call counts the intruder's packets as wrong source, the flow's drops too (over 100 of its $FLOOD_PACKETS)" \
			".wrong_source > 100 and .wrong_source <= $FLOOD_PACKETS" '"wrong_source \(.wrong_source)"'
	done
}

# wrong_source_drops MEMBER RELAY_PORT SDP_PORT: the flow on the member's
# relay port (rtprelayctl -j flows, snapshot of test_room) expects the
# member and has dropped packets from elsewhere: the intruder's, after the
# member latched.
wrong_source_drops() {
	local flow
	flow=$(jq -c --arg local "$RELAY_IP:$2" '.[] | select(.local == $local)' "$OUT/room.flows" 2>/dev/null)
	if jq -e --arg expect "$CALLER_IP:$3" '.latched and .expect == $expect and .wrong_source >= 50' \
		<<<"${flow:-null}" >/dev/null 2>&1; then
		tap_ok "room: the flow on $1's relay port expects $1 and dropped $(jq .wrong_source <<<"$flow") of the intruder's packets as wrong source"
	else
		tap_fail "room: the flow on $1's relay port expects $1 ($CALLER_IP:$3) and dropped at least 50 of the intruder's packets as wrong source (flow: ${flow:-none})"
	fi
}

test_recvonly() {
	local l="recvonly caller" n=recvonly sipp_pid up id port rc
	capture_start "$n" "$CALLER_RTP" --duration-ms 60000 || tap_fail "$l: the caller's rtp_capture is ready"
	sipp_run "$n" uac_recvonly tone -m 1 -d 7000 &
	sipp_pid=$!
	up=$(call_up "$SEEN") || tap_fail "$l: the call comes up"
	read -r id port <<<"$up"
	SEEN=$id
	flood "$n-intruder" 50030 "$port"
	wait_for 8 packets_seen_reach "$id" "$FLOOD_PACKETS" ||
		echo "$l: call $id saw $(packets_seen "$id") packets (in and wrong source), not $FLOOD_PACKETS" | diag
	snapshot_call "$n" "$id"
	wait "$sipp_pid"
	rc=$?
	capture_wait "$n" stop
	capture_wait "$n-intruder" stop
	check_sipp "$n" "$l" "$rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE" "the answer says a=sendonly"
	callcheck "$n" "$l: after $FLOOD_PACKETS packets from the intruder (past the learning window) the leg is still unlatched" \
		".latched == false and .packets_in == 0 and .wrong_source == $FLOOD_PACKETS" \
		'"latched \(.latched), remote \(.remote_rtp), \(.packets_in) packets in, wrong_source \(.wrong_source)"'
	jcheck "$n" "$l: the tone, $TONE_HZ Hz, goes to the caller's SDP address all call long" \
		"(.hz - $TONE_HZ | fabs) <= 2 and .sources == 1 and .packets >= 300" '"\(.hz) Hz, \(.packets) packets"'
	jcheck "$n-intruder" "$l: the intruder hears nothing" \
		".packets == 0 and .sent == $FLOOD_PACKETS" '"\(.packets) packets received, \(.sent) sent"'
}

main() {
	relay_env_ready "endpoint learning"
	test_routes
	if ! start_daemon heuristic; then
		tap_fail "rtprelayd starts (default --endpoint-learning)"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	test_tone_call
	test_room
	test_recvonly
	stop_daemon 8
	tap_check "rtprelayd exits 0 on SIGTERM" test $? -eq 0
	if ! start_daemon immediate --endpoint-learning immediate; then
		tap_fail "rtprelayd starts with --endpoint-learning immediate"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	SEEN=0
	test_tone_call_immediate
	tap_plan_done
}

main
