#!/usr/bin/env bash
# Crash recovery (README "Running", docs/architecture.md "Call records"):
# rtprelayd is SIGKILLed while bridged calls carry RTP through the XDP
# datapath, on kernel default sysctls (forwarding off), and started again.
#
#   relay namespace 10.97.0.1 (rtprelayd --listen-ng 127.0.0.1:2223, XDP)
#   caller 10.97.0.2 ── rly0       rly1 ── callee 10.97.1.2
#
# What it proves:
#  - $CALLS ng calls set up as a proxy does; a few of them carry steady
#    RTP (udp_peer; one direction a call, as a peer sends and receives on
#    one port) while the daemon is killed and restarted: the receivers get
#    every packet the senders sent (0 lost);
#  - the new daemon rebuilds every ng call from its record (the log says
#    so); `list` names them all, `query` answers a pre-crash call with its
#    tags and totals counting the packets forwarded before the crash, and
#    every call holds its ports again (2 RTP/RTCP pairs a call, so no other
#    call gets them);
#  - $SIP_CALLS B2BUA calls (a SIPp caller through the relay to a SIPp
#    callee, both waiting for the relay's BYE and answering it 200): after
#    the restart both dialogs of each get a BYE built from their records,
#    and both SIPp scenarios pass; their flows and ports are freed;
#  - `delete` of a recovered call frees its 2 port pairs and removes its 4
#    flows;
#  - the RTP timeout resumes: the calls without media end by themselves;
#    at the end there are 0 calls, 0 ports in use and 0 flows.
# CALLS (default 150) raises the number of calls, e.g. CALLS=1000.
#
# Logs stay in $BUILD/test-logs/crash_recovery.d/.
# Usage: BUILD=build tests/crash_recovery.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

DATAPATH=xdp
NET=10.97
RTP_MIN=20000
RTP_MAX=29999
relay_env_init crash_recovery caller callee
CALLS=${CALLS:-150}
MEDIA_CALLS=4 # the first calls carry RTP, the even ones caller -> callee, the odd ones back
PACKETS=3000  # per stream, one every 2 ms: 6 s, across the kill and the restart
INTERVAL_US=2000
CALLER_MEDIA=40000 # call i: caller at CALLER_MEDIA + 2i, callee at CALLEE_MEDIA + 2i
CALLEE_MEDIA=50000
SIP_CALLS=${SIP_CALLS:-10}
CALLEE_SIP=5070
RTP_TIMEOUT=12 # of the second daemon: the quiet calls end this long after it starts
NG=tests/lib/ng_client.py

relay_env_ready "crash recovery" python3 bpftool clang ethtool

ng() { in_relay python3 "$NG" 127.0.0.1 2223 "$@"; }
# ng_req NAME JSON: one request, the reply's JSON in $OUT/NAME.json.
ng_req() { ng req "$1-$RANDOM" "$2" >"$OUT/$1.json" 2>"$OUT/$1.err"; }
ng_count() { ng req "l$RANDOM" '{"command": "list", "limit": 100000}' | jq '.reply.calls | length'; }
flow_count() { bpftool map dump pinned "$BPFFS/flows" -j 2>/dev/null | jq length; }
ports_in_use() { relayctl -j status | jq '.ports_in_use'; }
status_is() { [ "$("$@")" = "$EXPECTED" ]; }

ROUTE="bob=sip:bob@${PEER_IP[callee]}:$CALLEE_SIP"
start_daemon first --listen-ng 127.0.0.1:2223 --max-calls 5000 --rtp-timeout 300 --route "$ROUTE" ||
	tap_fail "rtprelayd starts with XDP on ${RELAY_IFS} ($(tail -n 3 "$DAEMON_LOG"))"

ng calls "$CALLS" call "${PEER_IP[caller]}" "$CALLER_MEDIA" "${PEER_IP[callee]}" "$CALLEE_MEDIA" \
	>"$OUT/calls.jsonl" 2>"$OUT/calls.err"
tap_check "$CALLS ng calls set up (offer and answer)" test "$(wc -l <"$OUT/calls.jsonl")" -eq "$CALLS"
tap_check "they hold 2 RTP/RTCP port pairs each ($((2 * CALLS)), got $(ports_in_use))" test "$(ports_in_use)" -eq $((2 * CALLS))

# The SIP calls: the caller's dialog and ours to the callee, bridged in the kernel.
sipp_run_at callee sipcallee uas_answer -p "$CALLEE_SIP" -mp 45000 -m "$SIP_CALLS" -key answer 0 &
SIPP_CALLEE=$!
PIDS+=("$SIPP_CALLEE")
sipp_run_at caller sipcaller uac_wait_bye "$RELAY_IP:5060" -s bob -mp 46000 -m "$SIP_CALLS" -r 20 &
SIPP_CALLER=$!
PIDS+=("$SIPP_CALLER")
tap_check "$SIP_CALLS SIP calls bridged to the callee ($((2 * SIP_CALLS)) dialogs active)" \
	wait_for 20 calls_up_beyond $((2 * SIP_CALLS - 1))

# stream NAME FROM FROM_PORT TO TO_PORT RELAY_IN RELAY_OUT: PACKETS datagrams
# from peer FROM through the relay's RELAY_IN port to TO, which expects them
# from the relay's RELAY_OUT port; the receiver's JSON result in $OUT/NAME.json.
stream() {
	local name=$1 from=$2 from_port=$3 to=$4 to_port=$5 relay_in=$6 relay_out=$7
	in_peer "$to" "$BUILD/tests/udp_peer" recv --bind "${PEER_IP[$to]}:$to_port" --count "$PACKETS" \
		--timeout-ms $((PACKETS * INTERVAL_US / 1000 + 5000)) --expect-from "$RELAY_IP:$relay_out" >"$OUT/$name.cap" 2>"$OUT/$name.err" &
	PIDS+=("$!")
	RECEIVERS+=("$!")
	wait_for 3 grep -qs '^ready' "$OUT/$name.cap"
	in_peer "$from" "$BUILD/tests/udp_peer" send --bind "${PEER_IP[$from]}:$from_port" \
		--to "$RELAY_IP:$relay_in" --count "$PACKETS" --interval-us "$INTERVAL_US" >/dev/null 2>>"$OUT/$name.err" &
	PIDS+=("$!")
}

RECEIVERS=()
for ((i = 0; i < MEDIA_CALLS; i++)); do
	read -r to_caller to_callee < <(sed -n "$((i + 1))p" "$OUT/calls.jsonl" | jq -r '"\(.to_caller_relay) \(.to_callee_relay)"')
	if ((i % 2 == 0)); then
		stream "media$i" caller $((CALLER_MEDIA + 2 * i)) callee $((CALLEE_MEDIA + 2 * i)) "$to_caller" "$to_callee"
	else
		stream "media$i" callee $((CALLEE_MEDIA + 2 * i)) caller $((CALLER_MEDIA + 2 * i)) "$to_callee" "$to_caller"
	fi
done

sleep 2
ng_req before '{"command": "query", "call-id": "call-0"}'
# What the first daemon forwarded itself (the latching packets: one, or more on a loaded host) dies with it.
in_daemon=$(relayctl -j calls | jq '[.[] | select(.kind == "ng" and .call_id == "call-0") | .packets_userspace] | add // 0')
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
tap_ok "SIGKILL to the daemon mid-stream ($(jq '.reply.totals.RTP.packets' "$OUT/before.json") packets of call-0 counted before)"
flows_killed=$(flow_count)

# A loaded host may take longer than start_daemon waits: loading the XDP program is most of it.
if start_daemon second --listen-ng 127.0.0.1:2223 --max-calls 5000 --rtp-timeout "$RTP_TIMEOUT" --route "$ROUTE" ||
	wait_for 30 grep -qs 'running:' "$DAEMON_LOG"; then
	tap_ok "the second rtprelayd starts ($(grep -o 'adopted [0-9]* flows on [0-9]* RTP ports' "$DAEMON_LOG"))"
else
	tap_fail "the second rtprelayd starts ($(tail -n 3 "$DAEMON_LOG" | tr '\n' ' '))"
fi
tap_check "the second daemon recovers the $CALLS ng calls ($(grep -o 'recovered [0-9]* ng calls' "$DAEMON_LOG"))" \
	grep -q "recovered $CALLS ng calls from an earlier run" "$DAEMON_LOG"
tap_check "list names the $CALLS calls (got $(ng_count))" test "$(ng_count)" -eq "$CALLS"
tap_check "the calls hold their port pairs again ($((2 * CALLS)), got $(ports_in_use)); $flows_killed flows were left pinned" \
	test "$(ports_in_use)" -eq $((2 * CALLS))

ng_req after '{"command": "query", "call-id": "call-0"}'
jq_check "$OUT/after.json" "query of a pre-crash call: its tags, labels, in dialogue, and its totals go on" \
	".reply.result == \"ok\" and .reply.tags[\"ft-0\"][\"in dialogue with\"] == \"tt-0\"
	 and .reply.tags[\"tt-0\"][\"in dialogue with\"] == \"ft-0\"
	 and .reply.tags[\"ft-0\"].label == \"caller\" and .reply.tags[\"tt-0\"].label == \"callee\"
	 and .reply.totals.RTP.packets >= $(jq '.reply.totals.RTP.packets' "$OUT/before.json")" '.reply.totals'

# A quiet call, before the RTP timeout ends it.
last=$((CALLS - 1))
ports0=$(ports_in_use) flows0=$(flow_count)
ng_req delete "{\"command\": \"delete\", \"call-id\": \"call-$last\"}"
jq_check "$OUT/delete.json" "delete of a recovered call: ok" '.reply.result == "ok"' '.reply'
tap_check "delete frees its 2 port pairs ($ports0 -> $(ports_in_use))" test "$(ports_in_use)" -eq $((ports0 - 2))
tap_check "delete removes its 4 flows ($flows0 -> $(flow_count))" test "$(flow_count)" -eq $((flows0 - 4))
ng_req delete2 "{\"command\": \"query\", \"call-id\": \"call-$last\"}"
jq_check "$OUT/delete2.json" "the deleted call is gone" '.reply.result == "error"' '.reply'

for r in "${RECEIVERS[@]}"; do wait "$r"; done
sent=0 received=0
for ((i = 0; i < MEDIA_CALLS; i++)); do
	tail -n 1 "$OUT/media$i.cap" >"$OUT/media$i.json"
	sent=$((sent + PACKETS))
	received=$((received + $(jq '.received // 0' "$OUT/media$i.json")))
	jq_check "$OUT/media$i.json" "call-$i: $PACKETS packets across the kill and the restart, none lost, intact, from the relay's port" \
		".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" '.received'
done
echo "media: sent $sent, received $received, lost $((sent - received))" | diag
ng_req final '{"command": "query", "call-id": "call-0"}'
# The first packets latched the leg in the first daemon, which forwarded them
# itself: their count died with that process. The kernel's counts survive
# the restart whole: the new daemon rewrites the flows' table entries but
# never their counters (docs/architecture.md), so not one is lost.
jq_check "$OUT/final.json" "query counts every packet of call-0 the kernel forwarded ($((PACKETS - in_daemon)) of $PACKETS; $in_daemon went through the first daemon)" \
	"$in_daemon >= 1 and $in_daemon <= 10 and .reply.totals.RTP.packets == $((PACKETS - in_daemon))" '.reply.totals.RTP.packets'

wait "$SIPP_CALLER"
rc_caller=$?
wait "$SIPP_CALLEE"
rc_callee=$?
tap_check "the SIP callers got a BYE after the restart and answered it 200 ($(sipp_summary sipcaller))" \
	test "$rc_caller" -eq 0 -a "$(sipp_successful sipcaller)" = "$SIP_CALLS"
tap_check "the SIP callees got a BYE after the restart and answered it 200 ($(sipp_summary sipcallee))" \
	test "$rc_callee" -eq 0 -a "$(sipp_successful sipcallee)" = "$SIP_CALLS"
tap_check "the daemon counted the answers ($(grep -o 'recovered SIP dialogs hung up.*' "$DAEMON_LOG"))" \
	grep -q "recovered SIP dialogs hung up: $((2 * SIP_CALLS)) BYEs answered 2xx, 0 otherwise, 0 unanswered" "$DAEMON_LOG"
[ "$rc_caller" -eq 0 ] || sipp_diag sipcaller
[ "$rc_callee" -eq 0 ] || sipp_diag sipcallee

EXPECTED=0
tap_check "the RTP timeout resumed: every call ends without media (0 calls left)" \
	wait_for $((RTP_TIMEOUT + 10)) status_is ng_count
tap_check "0 ports in use" wait_for 3 status_is ports_in_use
tap_check "0 flows left" wait_for 3 status_is flow_count
tap_check "the daemon logged the calls ending by timeout" grep -q "no media for $RTP_TIMEOUT s, ended" "$DAEMON_LOG"
tap_check "SIGTERM: the daemon exits 0" stop_daemon 5

tap_plan_done
