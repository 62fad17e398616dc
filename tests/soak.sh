#!/usr/bin/env bash
# Soak: many calls of every kind through one rtprelayd (XDP datapath), then
# nothing may be left and the daemon must not have grown.
#
#   relay namespace 10.98.0.1                caller namespace 10.98.0.2
#   rtprelayd --datapath xdp                 SIPp (uac_load.xml), ngcalls
#     --route bob=sip:bob@10.98.1.2:5070     callee namespace 10.98.1.2
#     --listen-ng 10.98.0.1:2223             SIPp UAS (uas_load.xml) on 5070
#
# Kinds, SOAK_CALLS of each (default 300; `make bench` runs 10000), SIPp's
# at SOAK_RATE calls/s each held SOAK_HOLD_MS (about SOAK_RATE * hold / 1000
# calls up at once, kept moderate: every leg holds two sockets):
#   tone   calls to the relay's tone user
#   room   joins of room-<name>: rooms of 3 and of 2 in turn, the members
#          of a room calling one after the other, so rooms go 1 -> 2
#          (kernel bridge) -> 3 (mixer) and back as they leave
#   b2bua  calls to "bob", a route to a SIPp UAS: two legs bridged per call
#   ng     offer, answer, delete over rtpengine's ng protocol (ngcalls
#          --delete), one call after the other
# A warm-up of SOAK_WARMUP calls of each kind comes first; the daemon's
# VmRSS after it is the reference. Freed memory mostly stays in the heap,
# so VmRSS follows the most the daemon held at once, and that includes the
# transactions sofia-sip keeps for 32 s after they end (RFC 3261's timer
# J): the warm-up must load the daemon as the soak does, for as long as
# that lingering state builds up. So it is as long as the soak, up to 40 s
# a kind (default: min(SOAK_CALLS, 40 * SOAK_RATE)), and the soak starts
# SETTLE_S (35) seconds after it, once its transactions are gone.
#
# What it proves: every call of every kind succeeds; after each kind, and at
# the end, the daemon has 0 calls, 0 RTP ports in use and 0 flows
# (rtprelayctl -j status and stats) and the pinned flow map is empty
# (bpftool); the daemon's VmRSS at the end is within 10% of its value after
# the warm-up; SIGTERM then exits 0. The figures are printed as "#" lines
# and written to $OUT/soak.json (tools/bench/bench.sh reads it).
#
# SIPp runs at nice -10: on a busy machine a SIPp callee that is not
# scheduled for 500 ms gets the relay's INVITE retransmission after it
# answered, and aborts the call (see sipp_scenarios/uas_load.xml).
#
# Usage: BUILD=build [SOAK_CALLS=N] [SOAK_RATE=N] [SOAK_WARMUP=N]
#        [SOAK_HOLD_MS=N] [SOAK_KINDS="tone room b2bua ng"] tests/soak.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

DATAPATH=xdp
RTP_MIN=20000
RTP_MAX=29999
SOAK_CALLS=${SOAK_CALLS:-300}
SOAK_RATE=${SOAK_RATE:-100}
SOAK_WARMUP=${SOAK_WARMUP:-$((SOAK_CALLS < 40 * SOAK_RATE ? SOAK_CALLS : 40 * SOAK_RATE))}
SETTLE_S=35
SOAK_HOLD_MS=${SOAK_HOLD_MS:-1000}
RSS_GROWTH_PCT=10
relay_env_init soak caller callee
CALLEE_SIP=5070
NG_PORT=2223
read -r -a KINDS <<<"${SOAK_KINDS:-tone room b2bua ng}"

relay_env_ready "soak" bpftool clang ethtool
NGCALLS=$BUILD/ngcalls
declare -A FIG # figures for soak.json: "KIND.PHASE.what" -> number

# uac NAME INF CALLS: uac_load.xml calls from the caller, one user per line
# of INF; SIPp's screen in $OUT/NAME.screen. SIPp's exit status.
uac() {
	local name=$1 inf=$2 calls=$3 limit=$((SOAK_RATE * (SOAK_HOLD_MS + 1000) / 1000))
	timeout $((SIPP_SECS + 15)) ip netns exec "$NS_C" nice -n -10 sipp -sf "$SCEN/uac_load.xml" "$RELAY_IP:5060" -inf "$inf" \
		-i "${PEER_IP[caller]}" -mp "$MP" -d "$SOAK_HOLD_MS" -r "$SOAK_RATE" -l "$limit" -m "$calls" \
		-nostdin -timeout "$SIPP_SECS" -timeout_error -trace_err -error_file "$OUT/$name.err" \
		>"$OUT/$name.screen" 2>&1
}

callee_listening() { in_peer callee ss -Hlun "sport = :$CALLEE_SIP" | grep -q .; }

# uas NAME CALLS: the route's target answers CALLS calls, in the background
# (UAS_PID).
uas() {
	in_peer callee nice -n -10 sipp -sf "$SCEN/uas_load.xml" -i "${PEER_IP[callee]}" -p "$CALLEE_SIP" -mp $((MP + 1000)) \
		-m "$2" -nostdin -timeout "$SIPP_SECS" -timeout_error -trace_err \
		-error_file "$OUT/$1.err" >"$OUT/$1.screen" 2>&1 &
	UAS_PID=$!
	PIDS+=("$UAS_PID")
	wait_for 5 callee_listening
}

# room_users CALLS PHASE: the users of the room kind, one a line, rooms of 3
# and of 2 in turn (a, a, a, b, b, then the next pair of rooms).
room_users() {
	local i
	for ((i = 0; i < $1; i++)); do
		if [ $((i % 5)) -lt 3 ]; then
			echo "room-$2-$((i / 5))-3"
		else
			echo "room-$2-$((i / 5))-2"
		fi
	done
}

# ng_flows CALLS: ngcalls' input, one call a line: the relay's ends (filled
# in by ngcalls), the callee's and the caller's media addresses.
ng_flows() {
	local i
	for ((i = 0; i < $1; i++)); do
		echo "$RELAY_IP:0,$RELAY_IP:0,${PEER_IP[callee]}:$((30000 + 2 * (i % 1000))),${PEER_IP[caller]}:$((32000 + 2 * (i % 1000)))"
	done
}

# run_kind KIND PHASE CALLS: CALLS calls of KIND, a TAP line; sets FIG[KIND.PHASE.*].
run_kind() {
	local kind=$1 phase=$2 calls=$3 name=$1-$2 start=$SECONDS rc ok failed users
	SIPP_SECS=$((calls / SOAK_RATE + SOAK_HOLD_MS / 1000 + 30))
	case $kind in
	ng)
		ng_flows "$calls" >"$OUT/$name.flows"
		in_peer caller "$NGCALLS" --ng "$RELAY_IP:$NG_PORT" --flows-file "$OUT/$name.flows" --delete \
			>"$OUT/$name.out" 2>"$OUT/$name.err"
		rc=$?
		ok=$(grep -c . "$OUT/$name.out")
		failed=$((calls - ok))
		;;
	*)
		case $kind in
		tone) sipp_users "$OUT/$name.inf" tone ;;
		b2bua) sipp_users "$OUT/$name.inf" bob && uas "$name.uas" "$calls" ;;
		room)
			mapfile -t users < <(room_users "$calls" "$phase")
			sipp_users "$OUT/$name.inf" "${users[@]}"
			;;
		esac
		uac "$name" "$OUT/$name.inf" "$calls"
		rc=$?
		[ "$kind" = b2bua ] && { wait "$UAS_PID" || rc=$((rc ? rc : 100)); }
		ok=$(sipp_successful "$name")
		failed=$(sipp_failed "$name")
		;;
	esac
	FIG[$kind.$phase.calls]=$calls
	FIG[$kind.$phase.successful]=${ok:-0}
	FIG[$kind.$phase.seconds]=$((SECONDS - start))
	if [ "$rc" -eq 0 ] && [ "${ok:-0}" = "$calls" ]; then
		tap_ok "$kind, $phase: $calls calls, every one successful ($((SECONDS - start)) s)"
	else
		tap_fail "$kind, $phase: $calls calls, every one successful (got ${ok:-0} successful, ${failed:-?} failed, exit status $rc)"
		head -n 20 "$OUT/$name.err" "$OUT/$name.uas.err" 2>/dev/null | diag
	fi
}

# leftovers: "calls ports flows map_entries" the daemon and the pinned
# flow map hold now.
leftovers() {
	local status stats
	status=$(relayctl -j status) stats=$(relayctl -j stats)
	echo "$(jq -r '.calls // "?"' <<<"$status") $(jq -r '.ports_in_use // "?"' <<<"$status")" \
		"$(jq -r '.flows // "?"' <<<"$status") $(bpftool -j map dump pinned "$BPFFS/flows" 2>/dev/null | jq length)" \
		"$(jq -r '.calls_active // "?"' <<<"$stats")"
}
idle() { [ "$(leftovers)" = "0 0 0 0 0" ]; }

# check_idle WHAT [KIND]: 0 calls, 0 ports, 0 flows within 10 s (the last
# BYEs); with KIND, the figures go to FIG[left.KIND.*].
check_idle() {
	local left f k=0 names=(calls ports flows map_entries calls_active)
	wait_for 10 idle
	left=$(leftovers)
	if [ -n "${2:-}" ]; then
		for f in $left; do
			FIG[left.$2.${names[k++]}]=$f
		done
	fi
	if [ "$left" = "0 0 0 0 0" ]; then
		tap_ok "$1: 0 calls, 0 RTP ports, 0 flows, the pinned flow map empty, 0 calls active in stats (VmRSS $(rss_kb) kB)"
	else
		tap_fail "$1: 0 calls, 0 RTP ports, 0 flows, the pinned flow map empty, 0 calls active in stats (got calls ports flows map active: $left)"
		relayctl calls | head -n 20 | diag
	fi
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status"; }

# soak.json: every figure, "KIND.PHASE.what" keys nested.
write_figures() {
	local k
	for k in "${!FIG[@]}"; do
		echo "$k ${FIG[$k]}"
	done | jq -R -s --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson rate "$SOAK_RATE" \
		--argjson hold "$SOAK_HOLD_MS" '
		[split("\n")[] | select(length > 0) | split(" ") | {key: .[0] | split("."), value: (.[1] | tonumber? // .[1])}] |
		reduce .[] as $f ({}; setpath($f.key; $f.value)) |
		{date: $date, rate: $rate, hold_ms: $hold} + .' >"$OUT/soak.json"
}

if ! start_daemon daemon --route "bob=sip:bob@${PEER_IP[callee]}:$CALLEE_SIP" --listen-ng "$RELAY_IP:$NG_PORT"; then
	tap_fail "rtprelayd starts in $NS_R"
	diag <"$DAEMON_LOG"
	tap_plan_done
	exit 1
fi
for kind in "${KINDS[@]}"; do
	run_kind "$kind" warmup "$SOAK_WARMUP"
done
check_idle "after the warm-up"
FIG[rss_kb.warm]=$(rss_kb)
sleep "$SETTLE_S"
for kind in "${KINDS[@]}"; do
	run_kind "$kind" soak "$SOAK_CALLS"
	check_idle "after the $SOAK_CALLS $kind calls" "$kind"
	FIG[rss_kb.after_$kind]=$(rss_kb)
done
FIG[rss_kb.end]=$(rss_kb)
growth=$(awk -v a="${FIG[rss_kb.warm]}" -v b="${FIG[rss_kb.end]}" 'BEGIN { printf "%.1f", 100 * (b - a) / a }')
FIG[rss_kb.growth_pct]=$growth
if awk -v g="$growth" -v max="$RSS_GROWTH_PCT" 'BEGIN { exit !(g <= max) }'; then
	tap_ok "the daemon's VmRSS within $RSS_GROWTH_PCT% of its value after the warm-up (${FIG[rss_kb.warm]} -> ${FIG[rss_kb.end]} kB, $growth%)"
else
	tap_fail "the daemon's VmRSS within $RSS_GROWTH_PCT% of its value after the warm-up (${FIG[rss_kb.warm]} -> ${FIG[rss_kb.end]} kB, $growth%)"
fi
write_figures
jq -c . "$OUT/soak.json" | diag
stop_daemon 8
status=$?
tap_check "rtprelayd exits 0 on SIGTERM after the soak (exit status $status)" test "$status" -eq 0
tap_plan_done
