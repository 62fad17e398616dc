#!/usr/bin/env bash
# Bridged calls through a real rtprelayd with the XDP datapath: rooms of
# two (kernel bridge) and three (userspace mix), PCMU<->PCMA, and B2BUA
# routes. SIPp places and answers the calls; every participant runs
# rtp_capture on its SDP port, sending its own tone from there (as a phone
# would: the relay latches to it) and describing what it hears every
# 500 ms (--window-ms).
#
#   relay namespace                           caller namespace
#   rly0 10.98.0.1 ─────────────────────────── veth0 10.98.0.2
#   rtprelayd --datapath xdp                  room members (SIPp -p 5061...,
#     --interface rly0,rly1                   -mp 40000, 40100...), B2BUA caller
#     --tone-hz 600                           callee namespace
#     --route bob=sip:bob@10.98.1.2:5070      veth0 10.98.1.2: B2BUA callee
#   rly1 10.98.1.1 ─────────────────────────── (SIPp UAS on 5070)
#
# Room members share the caller's veth (XDP_TX); the B2BUA's two legs are
# on different veths (XDP_REDIRECT). Every phase is judged on the 500 ms
# windows that lie inside it, 600 ms after the SIP event that starts it and
# 300 ms before the one that ends it (the SIPp traces give both times).
#
# Modes (default: all of them, in this order):
#   2way       two members of a room, both sending: each hears exactly the
#              other's tone from its own relay port. In the kernel: between
#              two snapshots in the middle of the call the pinned flow map
#              holds their RTP and RTCP flows, whose counters rise by what
#              the members send, XDP passes no UDP packet to the stack, the
#              relay namespace's sockets receive no datagram (Udp
#              InDatagrams) and rtprelayctl -j calls shows both calls in
#              media "bridge" with packets_userspace unchanged. Flows and
#              sockets are gone after the BYEs.
#   multi      A (440 Hz) joins and hears the tone (600 Hz); B (880) joins:
#              kernel bridge (as in 2way); C (1320) joins: each hears the
#              other two, not itself, the calls are in media "mix" and the
#              room's flows have left the kernel; A leaves: B and C are
#              bridged in the kernel again; B leaves: C hears the tone;
#              C leaves: no flow, no RTP socket.
#   b2bua      a call to "bob" is routed to a SIPp UAS: the callee's 180
#              and 200 are relayed, both legs hear each other through the
#              kernel (as in 2way), and a BYE from either side ends both
#              legs; a busy callee's 486 reaches the caller.
#   hold       two members bridged in the kernel; S re-INVITEs with
#              a=sendonly: S hears nothing (its flow holds and counts the
#              drops) while R still hears S; S resumes (a=sendrecv): both
#              hear each other again through the kernel.
#   restart    two members bridged in the kernel; the daemon is killed
#              (SIGKILL): they go on hearing each other; a new daemon
#              adopts the 4 flows, hangs both dialogs up with a BYE built
#              from their records (each member answers 200), then removes
#              the flows and returns the 2 ports to the pool. Runs last:
#              it leaves that daemon running.
#   transcode  a PCMU-only and a PCMA-only member of one room: each hears the
#              other's tone in its own payload type (the answer offers it
#              its own codec only), the calls are in media "transcode" and
#              their RTP has no kernel flow (XDP cannot transcode).
#
# Logs, SIPp traces, captures and map snapshots stay in
# $BUILD/test-logs/bridge_sipp.d/.
# Usage: BUILD=build sipp_scenarios/run_bridge_tests.sh [2way|multi|b2bua|hold|transcode|restart|all]...
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/flows_dump.sh

DATAPATH=xdp
relay_env_init bridge_sipp caller callee
TONE_HZ=600 # the daemon's tone: none of the members' frequencies
CALLEE_SIP=5070
ROUTE="bob=sip:bob@${PEER_IP[callee]}:$CALLEE_SIP"
WINDOW_MS=500
EDGE_IN_MS=600 # a phase is judged from this long after its start...
EDGE_OUT_MS=300 # ...to this long before its end
HZ_TOLERANCE=5
PHASE_MS=3500 # how long each room configuration of the multi mode lasts

# A participant: its SIP port and SIPp -mp (its RTP port is -mp + 10).
declare -A SIP_PORT MEDIA_PORT SIPP_PID
participant() {
	SIP_PORT[$1]=$2
	MEDIA_PORT[$1]=$3
}
participant A 5061 40000
participant B 5062 40100
participant C 5063 40200
participant D 5064 40300
participant E 5065 40400
participant P 5066 40500
participant Q 5067 40600
participant R 5069 40800
participant S 5071 40900
participant U 5072 41100
participant V 5073 41200
# The B2BUA's runs, each with its own names (their SIPp logs tell each
# capture where to send: a name is never reused).
for run in 1 2 3; do
	participant caller$run 5068 40700
	participant callee$run "$CALLEE_SIP" 41000
done

now_ms() { date +%s%3N; }

# sleep_until T0 MS: until MS milliseconds after T0 (unix ms).
sleep_until() {
	local d=$(($1 + $2 - $(now_ms)))
	[ "$d" -gt 0 ] && sleep "$((d / 1000)).$(printf %03d $((d % 1000)))"
}

# listen PEER NAME HZ CODEC: rtp_capture on NAME's RTP port, sending HZ in
# CODEC to the relay's media address once NAME's SIPp has logged it.
listen() {
	local peer=$1 name=$2 hz=$3 codec=$4
	capture_start_at "$peer" "$name" $((MEDIA_PORT[$name] + 10)) --duration-ms 60000 \
		--window-ms "$WINDOW_MS" --send-to "@$OUT/$name.sipplog" --send-hz "$hz" --send-codec "$codec"
}

# party PEER NAME SCENARIO [SIPp options]: NAME's SIPp (with its SIP and
# media ports) in the background; its capture stops when SIPp ends, so that
# a member that left sends no more.
party() {
	local peer=$1 name=$2 scenario=$3
	shift 3
	(
		sipp_run_at "$peer" "$name" "$scenario" -p "${SIP_PORT[$name]}" -mp "${MEDIA_PORT[$name]}" -m 1 "$@"
		rc=$?
		kill -INT "${CAP_PID[$name]}" 2>/dev/null
		exit $rc
	) &
	SIPP_PID[$name]=$!
	PIDS+=("$!")
}

# join NAME SERVICE T0 LEAVE_MS HZ [OFFER [CODEC]]: NAME calls SERVICE from
# the caller namespace offering OFFER (payload types, default "0 8"), sends
# HZ in CODEC (default pcmu) and hangs up LEAVE_MS after T0 (unix ms),
# however late it joined; in the background.
join() {
	local name=$1 service=$2 t0=$3 leave=$4 hz=$5 offer=${6:-0 8} codec=${7:-pcmu}
	listen caller "$name" "$hz" "$codec" || tap_fail "$name: rtp_capture ready"
	party caller "$name" uac_join "$RELAY_IP:5060" -s "$service" -key offer "$offer" \
		-d $((t0 + leave - $(now_ms)))
}

# gone NAME: waits for NAME's SIPp (SIPP_RC[NAME] is its exit status) and
# capture.
declare -A SIPP_RC
gone() {
	wait "${SIPP_PID[$1]}"
	SIPP_RC[$1]=$?
	capture_wait "$1"
}

# The relay's media address for NAME (its SIPp logged it) and its port.
relay_media() { sipp_logged "$1" relay_media; }
relay_port() {
	local m
	m=$(relay_media "$1")
	echo "${m##*:}"
}

# When NAME's call came up (the 200 to its INVITE, sent or received) and
# ended (its BYE, sent or received), in unix ms.
joined_ms() { sip_time "$1" "<" "SIP/2.0 200" INVITE || sip_time "$1" ">" "SIP/2.0 200" INVITE; }
left_ms() { sip_time "$1" ">" "BYE" BYE || sip_time "$1" "<" "BYE" BYE; }

# windows NAME FROM TO: NAME's capture windows lying within FROM+EDGE_IN_MS
# .. TO-EDGE_OUT_MS, as one JSON array.
windows() {
	grep -s '^{"window"' "$OUT/$1.cap" | jq -cs --argjson from $(($2 + EDGE_IN_MS)) \
		--argjson to $(($3 - EDGE_OUT_MS)) '[.[] | select(.start_unix_ms >= $from and .end_unix_ms <= $to)]'
}

# hears PHASE NAME FROM TO "HZ..." OWN_HZ PT: over the phase FROM..TO
# (unix ms), NAME hears exactly the tones HZ... (not its own OWN_HZ), in
# every window, from the relay's media address for NAME, in payload type
# PT, at least 20 packets per window of 25.
hears() {
	local phase=$1 name=$2 from=$3 to=$4 want=$5 own=$6 pt=$7 src w n want_json what
	src=$(relay_media "$name")
	want_json="[${want// /,}]"
	what="$phase: $name hears exactly ${want// / + } Hz, not its own $own Hz"
	if [ -z "$from" ] || [ -z "$to" ]; then
		tap_fail "$what (the phase's SIP events are missing from the traces: from '$from' to '$to')"
		tap_fail "$phase: $name's audio comes from the relay's address, payload type $pt"
		return
	fi
	w=$(windows "$name" "$from" "$to")
	n=$(jq length <<<"$w")
	if [ "${n:-0}" -lt 2 ]; then
		tap_fail "$what (fewer than 2 windows of $WINDOW_MS ms inside the phase: $n; phase $((to - from)) ms)"
		tap_fail "$phase: $name's audio comes from the relay's address $src, payload type $pt"
		return
	fi
	if jq -e --argjson want "$want_json" --argjson tol "$HZ_TOLERANCE" 'all(.[];
		(.peaks | length) == ($want | length) and
		all($want[] as $f | any(.peaks[]; (. - $f | fabs) <= $tol); .))' <<<"$w" >/dev/null; then
		tap_ok "$what ($n windows)"
	else
		tap_fail "$what (peaks per window: $(jq -r 'map(.peaks | map(round) | tostring) | join(" ")' <<<"$w"))"
	fi
	if jq -e --arg src "$src" --argjson pt "$pt" \
		'all(.[]; .sources == [$src] and .payload_types == [$pt] and .packets >= 20)' <<<"$w" >/dev/null; then
		tap_ok "$phase: $name's audio comes from the relay's address $src, payload type $pt, >= 20 packets per window"
	else
		tap_fail "$phase: $name's audio comes from the relay's address $src, payload type $pt, >= 20 packets per window (got $(jq -r 'map("\(.packets) from \(.sources | join("+")) pt \(.payload_types | join("+"))") | join("; ")' <<<"$w"))"
	fi
}

# snapshot NAME: the pinned flows and global counters, the UDP datagrams
# the relay namespace's sockets (the daemon's) received, and the daemon's
# calls (rtprelayctl -j calls) now, in $OUT/snap-NAME.*. The times (unix
# ms) before and after reading the flows and after everything are in
# $OUT/snap-NAME.ms: on a loaded machine a snapshot can take a while.
snapshot() {
	local f=$OUT/snap-$1
	now_ms >"$f.ms"
	flows_dump "$BPFFS" >"$f.flows" 2>&1
	now_ms >>"$f.ms"
	bpftool -j map dump pinned "$BPFFS/counters" >"$f.counters" 2>&1
	# shellcheck disable=SC2016 # an awk program
	ip netns exec "$NS_R" awk '/^Udp:/ { if (!seen++) for (i = 1; i <= NF; i++) name[i] = $i
		else for (i = 1; i <= NF; i++) if (name[i] == "InDatagrams") print $i }' /proc/net/snmp >"$f.udp_in"
	relayctl -j calls >"$f.calls" 2>&1
	now_ms >>"$f.ms"
}

# snap_ms SNAP 1|2|3: when the snapshot began, read the flows, ended.
snap_ms() { sed -n "$2p" "$OUT/snap-$1.ms"; }

# inside PHASE FROM TO SNAP...: the snapshots were taken within the phase
# FROM..TO (unix ms), or what they say is not about it.
inside() {
	local phase=$1 from=$2 to=$3 snap ok=0 got=
	shift 3
	for snap in "$@"; do
		got="$got $(($(snap_ms "$snap" 1) - ${from:-0}))..$(($(snap_ms "$snap" 3) - ${from:-0}))"
		[ -n "$from" ] && [ -n "$to" ] && [ "$(snap_ms "$snap" 1)" -ge "$from" ] &&
			[ "$(snap_ms "$snap" 3)" -le "$to" ] || ok=1
	done
	if [ $ok = 0 ]; then
		tap_ok "$phase: the snapshots of the maps and the calls were taken inside the phase"
	else
		tap_fail "$phase: the snapshots of the maps and the calls were taken inside the phase (ms into the phase:$got; it lasted $((${to:-0} - ${from:-0})) ms)"
	fi
}

# flow_ports SNAP: the relay ports that have a flow, sorted, on one line.
# bpftool prints the __be16 key.port as a u16 read on this little-endian
# host: swap the bytes back.
flow_ports() {
	jq -r '.[].formatted.key.port | (. % 256) * 256 + (. / 256 | floor)' "$OUT/snap-$1.flows" 2>/dev/null |
		sort -n | tr '\n' ' '
}

# flow_packets SNAP PORT: the packets counter of the flow keyed on PORT.
flow_packets() {
	jq -r --argjson p "$2" '[.[].formatted | select((.key.port % 256) * 256 + (.key.port / 256 | floor) == $p) |
		.value.counters.packets] | first // "missing"' "$OUT/snap-$1.flows" 2>/dev/null
}

# udp_passed SNAP: well-formed UDP packets XDP handed to the stack (no
# flow, not latched, no route, TTL), summed over CPUs. Not the other pass
# reasons: the namespaces' own IPv6 chatter (MLD with a hop-by-hop header)
# counts as pass_unsupported.
udp_passed() {
	jq '[.[].formatted.values[].value | .pass_no_flow + .pass_not_latched + .pass_no_nexthop + .pass_too_big + .pass_vlan + .pass_ttl] | add' \
		"$OUT/snap-$1.counters" 2>/dev/null
}

# userspace_packets SNAP: packets_userspace summed over the daemon's calls;
# nothing unless at least two calls show the field.
userspace_packets() {
	jq '[.. | .packets_userspace? | numbers] | select(length >= 2) | add' "$OUT/snap-$1.calls" 2>/dev/null
}

# calls_media PHASE SNAP N MEDIA: the daemon lists N calls, each with media
# MEDIA (struct call_info: tone, bridge, transcode, mix).
calls_media() {
	local phase=$1 snap=$2 n=$3 media=$4 got
	got=$(jq -r 'map(.media) | join(" ")' "$OUT/snap-$snap.calls" 2>/dev/null)
	if jq -e --argjson n "$n" --arg m "$media" 'length == $n and all(.[]; .media == $m)' \
		"$OUT/snap-$snap.calls" >/dev/null 2>&1; then
		tap_ok "$phase: rtprelayctl -j calls lists $n calls, media $media"
	else
		tap_fail "$phase: rtprelayctl -j calls lists $n calls, media $media (got: ${got:-$(head -c 200 "$OUT/snap-$snap.calls")})"
	fi
}

# has_flows SNAP PORT...: every PORT and PORT+1 (RTCP) has a flow.
has_flows() {
	local snap=$1 port ports
	shift
	ports=" $(flow_ports "$snap")"
	for port in "$@"; do
		[[ $ports == *" $port "* && $ports == *" $((port + 1)) "* ]] || return 1
	done
}

# no_flows SNAP PORT...: the map could be read and no PORT has a flow.
no_flows() {
	local snap=$1 port ports
	shift
	jq -e 'type == "array"' "$OUT/snap-$snap.flows" >/dev/null 2>&1 || return 1
	ports=" $(flow_ports "$snap")"
	for port in "$@"; do
		[[ $ports == *" $port "* ]] && return 1
	done
	return 0
}

# rtp_rtcp NAME...: the relay's RTP and RTCP ports for each NAME.
rtp_rtcp() {
	local name port
	for name in "$@"; do
		port=$(relay_port "$name")
		echo "$port $((port + 1))"
	done
}

# kernel_bridge PHASE FROM TO S1 S2 NAME1 NAME2: between snapshots S1 and
# S2, in the middle of the phase FROM..TO where NAME1 and NAME2 are
# bridged, the kernel carried their media: the flows of both relay ports
# (RTP and RTCP) are in the pinned map, each RTP flow counted what its
# member sent (50 packets/s, -10%/+10% and 3 packets), XDP passed no UDP
# packet to the stack and the daemon's sockets received nothing (the
# namespace's UDP counters, and the daemon's own per-call counters); the
# daemon says both calls are bridged.
kernel_bridge() {
	local phase=$1 from=$2 to=$3 s1=$4 s2=$5 n1=$6 n2=$7 p1 p2 ms name port least most got a b
	inside "$phase" "$from" "$to" "$s1" "$s2"
	p1=$(relay_port "$n1") p2=$(relay_port "$n2")
	if has_flows "$s1" "$p1" "$p2" && has_flows "$s2" "$p1" "$p2"; then
		tap_ok "$phase: the pinned flows map holds RTP and RTCP flows for relay ports $p1 ($n1) and $p2 ($n2)"
	else
		tap_fail "$phase: the pinned flows map holds RTP and RTCP flows for relay ports $p1 ($n1) and $p2 ($n2) (got ports: $(flow_ports "$s1")/ $(flow_ports "$s2"))"
	fi
	# The flows were read somewhere between a snapshot's times 1 and 2.
	least=$((($(snap_ms "$s2" 1) - $(snap_ms "$s1" 2)) * 9 / 200 - 3))
	most=$((($(snap_ms "$s2" 2) - $(snap_ms "$s1" 1)) * 11 / 200 + 3))
	ms=$(($(snap_ms "$s2" 1) - $(snap_ms "$s1" 1)))
	for name in "$n1" "$n2"; do
		port=$(relay_port "$name")
		a=$(flow_packets "$s1" "$port") b=$(flow_packets "$s2" "$port")
		got="counter $a -> $b, want $least..$most"
		if [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ $((b - a)) -ge $least ] && [ $((b - a)) -le $most ]; then
			tap_ok "$phase: the flow of relay port $port forwarded what $name sent in $ms ms ($got)"
		else
			tap_fail "$phase: the flow of relay port $port forwarded what $name sent in $ms ms ($got)"
		fi
	done
	a=$(udp_passed "$s1") b=$(udp_passed "$s2")
	if [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ "$a" = "$b" ]; then
		tap_ok "$phase: XDP passed no UDP packet to the stack in those $ms ms (pinned counters)"
	else
		tap_fail "$phase: XDP passed no UDP packet to the stack in those $ms ms (pinned counters): pass_no_flow+not_latched+no_nexthop+too_big+vlan+ttl $a -> $b"
	fi
	a=$(cat "$OUT/snap-$s1.udp_in") b=$(cat "$OUT/snap-$s2.udp_in")
	if [[ $a =~ ^[0-9]+$ ]] && [ "$a" = "$b" ]; then
		tap_ok "$phase: the relay namespace's UDP sockets received nothing in those $ms ms (Udp InDatagrams)"
	else
		tap_fail "$phase: the relay namespace's UDP sockets received nothing in those $ms ms (Udp InDatagrams $a -> $b)"
	fi
	calls_media "$phase" "$s2" 2 bridge
	a=$(userspace_packets "$s1") b=$(userspace_packets "$s2")
	got="packets_userspace $a -> $b"
	if [[ $a =~ ^[0-9]+$ ]] && [ "$a" = "$b" ]; then
		tap_ok "$phase: the daemon's sockets received nothing in those $ms ms (rtprelayctl -j calls: $got)"
	else
		tap_fail "$phase: the daemon's sockets received nothing in those $ms ms (rtprelayctl -j calls: $got)"
	fi
}

# silent PHASE NAME FROM TO: NAME receives no RTP over the phase FROM..TO
# (unix ms), judged on at least 2 windows inside it.
silent() {
	local phase=$1 name=$2 w n
	w=$(windows "$name" "$3" "$4")
	n=$(jq length <<<"$w")
	if [ "${n:-0}" -ge 2 ] && jq -e 'all(.[]; .packets == 0)' <<<"$w" >/dev/null; then
		tap_ok "$phase: $name receives nothing ($n windows)"
	else
		tap_fail "$phase: $name receives nothing (packets per window: $(jq -r 'map(.packets) | join(" ")' <<<"$w"); $n windows)"
	fi
}

# dropped_hold SNAP: packets XDP dropped toward a leg on hold, summed over CPUs.
dropped_hold() {
	jq '[.[].formatted.values[].value.dropped_hold] | add' "$OUT/snap-$1.counters" 2>/dev/null
}

# sipp_ok LABEL NAME WANT: NAME's SIPp exited 0 and its SIP flow was WANT.
sipp_ok() {
	check_sipp "$2" "$1: $2" "${SIPP_RC[$2]}" "$3"
}

# room_empty LABEL: after the last member left, no flow and no RTP socket.
room_empty() {
	local label=$1 ports
	wait_for 3 no_rtp_ports
	ports=$(relay_rtp_ports | tr '\n' ' ')
	if [ -z "$ports" ]; then
		tap_ok "$label: afterwards the relay holds no socket in $RTP_MIN-$RTP_MAX"
	else
		tap_fail "$label: afterwards the relay holds no socket in $RTP_MIN-$RTP_MAX (still open: $ports)"
	fi
	snapshot "$label-after"
	if jq -e 'length == 0' "$OUT/snap-$label-after.flows" >/dev/null 2>&1; then
		tap_ok "$label: afterwards the pinned flows map is empty"
	else
		tap_fail "$label: afterwards the pinned flows map is empty (flows on ports: $(flow_ports "$label-after"))"
	fi
}

# The members' SIP flow: they hang up themselves.
UAC_FLOW=">INVITE <100 <180 <200 >ACK >BYE <200/BYE"

test_2way() {
	local t0 jE lD
	t0=$(now_ms)
	join D room-pair "$t0" 4500 440
	sleep_until "$t0" 500
	join E room-pair "$t0" 4500 880
	sleep_until "$t0" 1700
	snapshot 2way-1
	sleep_until "$t0" 3700
	snapshot 2way-2
	gone D
	gone E
	sipp_ok 2way D "$UAC_FLOW"
	sipp_ok 2way E "$UAC_FLOW"
	jE=$(joined_ms E) lD=$(left_ms D)
	hears "2way" D "$jE" "$lD" 880 440 0
	hears "2way" E "$jE" "$lD" 440 880 0
	kernel_bridge 2way "$jE" "$lD" 2way-1 2way-2 D E
	room_empty 2way
}

test_multi() {
	local t0 L=$PHASE_MS jA jB jC lA lB lC
	t0=$(now_ms)
	join A room-multi "$t0" $((3 * L)) 440
	sleep_until "$t0" "$L"
	join B room-multi "$t0" $((4 * L)) 880
	sleep_until "$t0" $((L + 900))
	snapshot multi-ab-1
	sleep_until "$t0" $((2 * L - 600))
	snapshot multi-ab-2
	sleep_until "$t0" $((2 * L))
	join C room-multi "$t0" $((5 * L)) 1320
	sleep_until "$t0" $((2 * L + L / 2))
	snapshot multi-abc
	sleep_until "$t0" $((3 * L + 900))
	snapshot multi-bc-1
	sleep_until "$t0" $((4 * L - 600))
	snapshot multi-bc-2
	gone A
	gone B
	gone C
	sipp_ok multi A "$UAC_FLOW"
	sipp_ok multi B "$UAC_FLOW"
	sipp_ok multi C "$UAC_FLOW"
	jA=$(joined_ms A) jB=$(joined_ms B) jC=$(joined_ms C)
	lA=$(left_ms A) lB=$(left_ms B) lC=$(left_ms C)

	hears "multi, A alone" A "$jA" "$jB" "$TONE_HZ" 440 0
	hears "multi, A+B" A "$jB" "$jC" 880 440 0
	hears "multi, A+B" B "$jB" "$jC" 440 880 0
	kernel_bridge "multi, A+B" "$jB" "$jC" multi-ab-1 multi-ab-2 A B
	hears "multi, A+B+C" A "$jC" "$lA" "880 1320" 440 0
	hears "multi, A+B+C" B "$jC" "$lA" "440 1320" 880 0
	hears "multi, A+B+C" C "$jC" "$lA" "440 880" 1320 0
	inside "multi, A+B+C" "$jC" "$lA" multi-abc
	calls_media "multi, A+B+C" multi-abc 3 mix
	# shellcheck disable=SC2046 # one port a word
	tap_check "multi, A+B+C: the room's RTP and RTCP flows left the kernel (flows on ports: $(flow_ports multi-abc))" \
		no_flows multi-abc $(rtp_rtcp A B C)
	hears "multi, B+C after A left" B "$lA" "$lB" 1320 880 0
	hears "multi, B+C after A left" C "$lA" "$lB" 880 1320 0
	kernel_bridge "multi, B+C after A left" "$lA" "$lB" multi-bc-1 multi-bc-2 B C
	hears "multi, C alone after B left" C "$lB" "$lC" "$TONE_HZ" 1320 0
	room_empty multi
}

# R and S in a room; S holds (sendonly), resumes, then moves its port
# (uac_hold_resume.xml, 2.5 s a phase; the move is not judged: S keeps
# sending from its first port, to which symmetric RTP latches again).
test_hold() {
	local t0 l=hold jS h r m a b
	t0=$(now_ms)
	join R room-hold "$t0" 12000 440
	sleep_until "$t0" 1000
	listen caller S 880 pcmu || tap_fail "S: rtp_capture ready"
	party caller S uac_hold_resume "$RELAY_IP:5060" -s room-hold -d 2500
	sleep_until "$t0" 4400
	snapshot hold-1
	sleep_until "$t0" 5600
	snapshot hold-2
	gone S
	gone R
	sipp_ok "$l" S ">INVITE <100 <180 <200 >ACK >INVITE <100 <200 >ACK >INVITE <100 <200 >ACK >INVITE <100 <200 >ACK >BYE <200/BYE"
	sipp_ok "$l" R "$UAC_FLOW"
	jS=$(joined_ms S)
	h=$(sip_time S "<" "SIP/2.0 200" INVITE 2)
	r=$(sip_time S "<" "SIP/2.0 200" INVITE 3)
	m=$(sip_time S ">" INVITE INVITE 4)
	hears "hold, talking" R "$jS" "$h" 880 440 0
	hears "hold, talking" S "$jS" "$h" 440 880 0
	hears "hold, S holds" R "$h" "$r" 880 440 0
	silent "hold, S holds" S "$h" "$r"
	inside "hold, S holds" "$h" "$r" hold-1 hold-2
	a=$(dropped_hold hold-1) b=$(dropped_hold hold-2)
	if [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ $((b - a)) -ge 20 ]; then
		tap_ok "hold, S holds: XDP drops what R sends toward the held leg (dropped_hold $a -> $b)"
	else
		tap_fail "hold, S holds: XDP drops what R sends toward the held leg (dropped_hold $a -> $b)"
	fi
	tap_check "hold, S holds: the room stays a kernel bridge (flows on ports: $(flow_ports hold-2))" \
		has_flows hold-2 "$(relay_port R)" "$(relay_port S)"
	hears "hold, S resumes" R "$r" "$m" 880 440 0
	hears "hold, S resumes" S "$r" "$m" 440 880 0
	room_empty hold
}

# ports_in_use: the RTP ports the daemon's pool has given out.
ports_in_use() { relayctl -j status | jq -r '.ports_in_use // "?"'; }
pool_empty() { [ "$(ports_in_use)" = 0 ]; }
flows_gone() { [ "$(bpftool -j map dump pinned "$BPFFS/flows" 2>/dev/null | jq length)" = 0 ]; }

# U and V bridged in a room; the daemon dies under them, a new one takes
# over the pinned flows and hangs the recorded dialogs up.
test_restart() {
	local t0 l=restart a b port jV lU name
	t0=$(now_ms)
	for name in U V; do
		listen caller "$name" "$([ "$name" = U ] && echo 440 || echo 880)" pcmu ||
			tap_fail "$name: rtp_capture ready"
		party caller "$name" uac_join_wait_bye "$RELAY_IP:5060" -s room-restart -key offer "0 8"
		sleep_until "$t0" 500
	done
	sleep_until "$t0" 2000
	snapshot restart-1
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	sleep_until "$t0" 3000
	snapshot restart-2
	for name in U V; do
		port=$(relay_port "$name")
		a=$(flow_packets restart-1 "$port") b=$(flow_packets restart-2 "$port")
		if [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ $((b - a)) -ge 30 ]; then
			tap_ok "$l: with the daemon killed, the kernel still forwards what $name sends (port $port: $a -> $b)"
		else
			tap_fail "$l: with the daemon killed, the kernel still forwards what $name sends (port $port: $a -> $b)"
		fi
	done
	if start_daemon daemon-restart --tone-hz "$TONE_HZ" --route "$ROUTE" --rtp-timeout 2; then
		tap_check "$l: the new daemon adopts the 4 flows of the 2 RTP ports (log: $(grep -o 'adopted .*run' "$DAEMON_LOG"))" \
			grep -q 'adopted 4 flows on 2 RTP ports' "$DAEMON_LOG"
		tap_check "$l: it hangs up the 2 recorded dialogs (log: $(grep -o 'recovered SIP dialogs hung up.*' "$DAEMON_LOG"))" \
			grep -q 'recovered SIP dialogs hung up: 2 BYEs answered 2xx' "$DAEMON_LOG"
	else
		tap_fail "$l: a new rtprelayd starts over the pinned maps"
		diag <"$DAEMON_LOG"
	fi
	gone U
	gone V
	sipp_ok "$l" U ">INVITE <100 <180 <200 >ACK <BYE >200/BYE"
	sipp_ok "$l" V ">INVITE <100 <180 <200 >ACK <BYE >200/BYE"
	jV=$(joined_ms V) lU=$(left_ms U)
	hears "$l, across the kill until the new daemon's BYE" U "$jV" "$lU" 880 440 0
	hears "$l, across the kill until the new daemon's BYE" V "$jV" "$lU" 440 880 0
	tap_check "$l: the hung-up dialogs' flows are removed" wait_for 2 flows_gone
	tap_check "$l: and their ports return to the pool (ports in use: $(ports_in_use))" wait_for 2 pool_empty
}

# PCMU-only P and PCMA-only Q in one room.
test_transcode() {
	local t0 jQ lP
	t0=$(now_ms)
	join P room-tc "$t0" 4500 440 0 pcmu
	sleep_until "$t0" 500
	join Q room-tc "$t0" 4500 880 8 pcma
	sleep_until "$t0" 2500
	snapshot transcode
	gone P
	gone Q
	sipp_ok transcode P "$UAC_FLOW"
	sipp_ok transcode Q "$UAC_FLOW"
	tap_check "transcode: P offered PCMU only, the answer is PCMU (answer formats $(sipp_logged P answer_formats))" \
		test "$(sipp_logged P answer_formats)" = "0 101"
	tap_check "transcode: Q offered PCMA only, the answer is PCMA (answer formats $(sipp_logged Q answer_formats))" \
		test "$(sipp_logged Q answer_formats)" = "8 101"
	jQ=$(joined_ms Q) lP=$(left_ms P)
	hears "transcode" P "$jQ" "$lP" 880 440 0
	hears "transcode" Q "$jQ" "$lP" 440 880 8
	inside transcode "$jQ" "$lP" transcode
	calls_media transcode transcode 2 transcode
	tap_check "transcode: XDP cannot transcode: no kernel flow for their RTP (flows on ports: $(flow_ports transcode))" \
		no_flows transcode "$(relay_port P)" "$(relay_port Q)"
	room_empty transcode
}

# callee_listening: the callee's SIPp has bound its SIP port.
callee_listening() { in_peer callee ss -Hlun "sport = :$CALLEE_SIP" | grep -q .; }

# callee_answers RUN SCENARIO [SIPp options]: the UAS calleeRUN in the
# callee namespace, sending 880 Hz from its SDP port; in the background,
# returns once it listens.
callee_answers() {
	local run=$1 scenario=$2
	shift 2
	listen callee "callee$run" 880 pcmu || tap_fail "callee$run: rtp_capture ready"
	party callee "callee$run" "$scenario" -key answer 0 "$@"
	wait_for 5 callee_listening
}

# relayed LABEL RUN CODE: the caller received the response CODE to its
# INVITE after (never before) the callee sent it: the relay passed on the
# callee's response rather than making up its own. SIPp stamps messages
# with a clock it reads once per loop of its own, so the caller's stamp may
# run up to a few ms behind the callee's: 5 ms of slack.
relayed() {
	local label=$1 run=$2 code=$3 sent got
	sent=$(sip_time "callee$run" ">" "SIP/2.0 $code" INVITE)
	got=$(sip_time "caller$run" "<" "SIP/2.0 $code" INVITE)
	if [ -n "$sent" ] && [ -n "$got" ] && [ "$((got + 5))" -ge "$sent" ]; then
		tap_ok "$label: the callee's $code is relayed to the caller ($((got - sent)) ms later)"
	else
		tap_fail "$label: the callee's $code is relayed to the caller (callee sent it at ${sent:-never}, caller got one at ${got:-never})"
	fi
}

# b2bua_call RUN CALLER_SCENARIO [SIPp options]: callerRUN calls bob
# (routed to calleeRUN, already listening), sending 440 Hz; the kernel is
# looked at in the middle of the call, when both sides send. In the
# background until both SIPp end.
b2bua_call() {
	local run=$1 scenario=$2 t0
	shift 2
	t0=$(now_ms)
	listen caller "caller$run" 440 pcmu || tap_fail "caller$run: rtp_capture ready"
	party caller "caller$run" "$scenario" "$RELAY_IP:5060" -s bob -key offer "0 8" "$@"
	sleep_until "$t0" 1500
	snapshot "b2bua$run-1"
	sleep_until "$t0" 3200
	snapshot "b2bua$run-2"
	gone "caller$run"
	gone "callee$run"
}

# b2bua_media LABEL RUN: both legs heard each other through the kernel.
b2bua_media() {
	local label=$1 run=$2 j l
	j=$(joined_ms "caller$run") l=$(left_ms "caller$run")
	hears "$label" "caller$run" "$j" "$l" 880 440 0
	hears "$label" "callee$run" "$j" "$l" 440 880 0
	kernel_bridge "$label" "$j" "$l" "b2bua$run-1" "b2bua$run-2" "caller$run" "callee$run"
}

test_b2bua() {
	local l="b2bua, the caller hangs up" bye_callee bye_caller
	callee_answers 1 uas_answer
	b2bua_call 1 uac_join -d 3500
	sipp_ok "$l" caller1 "$UAC_FLOW"
	sipp_ok "$l" callee1 "<INVITE >180 >200 <ACK <BYE >200/BYE"
	relayed "$l" 1 180
	relayed "$l" 1 200
	b2bua_media "$l" 1
	room_empty b2bua-caller-bye

	l="b2bua, the callee hangs up"
	callee_answers 2 uas_answer_hangup -d 3500
	b2bua_call 2 uac_join_wait_bye
	sipp_ok "$l" caller2 ">INVITE <100 <180 <200 >ACK <BYE >200/BYE"
	sipp_ok "$l" callee2 "<INVITE >180 >200 <ACK >BYE <200/BYE"
	b2bua_media "$l" 2
	bye_callee=$(sip_time callee2 ">" BYE BYE) bye_caller=$(sip_time caller2 "<" BYE BYE)
	if [ -n "$bye_callee" ] && [ -n "$bye_caller" ] && [ $((bye_caller - bye_callee)) -le 1000 ]; then
		tap_ok "$l: the caller gets its BYE within 1 s of the callee's ($((bye_caller - bye_callee)) ms)"
	else
		tap_fail "$l: the caller gets its BYE within 1 s of the callee's (callee BYE ${bye_callee:-none}, caller BYE ${bye_caller:-none})"
	fi
	room_empty b2bua-callee-bye

	l="b2bua, busy callee"
	sipp_run_at callee callee3 uas_busy -p "$CALLEE_SIP" -m 1 &
	SIPP_PID[callee3]=$!
	PIDS+=("$!")
	wait_for 5 callee_listening
	sipp_run_at caller caller3 uac_busy "$RELAY_IP:5060" -s bob -p "${SIP_PORT[caller3]}" \
		-mp "${MEDIA_PORT[caller3]}" -m 1
	SIPP_RC[caller3]=$?
	wait "${SIPP_PID[callee3]}"
	SIPP_RC[callee3]=$?
	sipp_ok "$l" caller3 ">INVITE <100 <486 >ACK"
	sipp_ok "$l" callee3 "<INVITE >486 <ACK"
	relayed "$l" 3 486
	room_empty b2bua-busy
}

main() {
	local modes=("$@") mode status
	[ ${#modes[@]} -eq 0 ] || [ "${modes[*]}" = all ] && modes=(2way multi b2bua hold transcode restart)
	for mode in "${modes[@]}"; do
		if ! declare -F "test_$mode" >/dev/null; then
			echo "usage: $0 [2way|multi|b2bua|hold|transcode|restart|all]..." >&2
			exit 2
		fi
	done
	preflight "SIPp bridge tests" bpftool clang ethtool || {
		tap_plan_done
		exit 0
	}
	if ! relay_env_setup; then
		tap_fail "set up namespaces $NS_R, $P-caller and $P-callee"
		tap_plan_done
		exit 1
	fi
	if ! start_daemon daemon --tone-hz "$TONE_HZ" --route "$ROUTE"; then
		tap_fail "rtprelayd --datapath xdp starts in $NS_R"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	for mode in "${modes[@]}"; do
		"test_$mode"
	done
	stop_daemon 8
	status=$?
	if [ "$status" -eq 0 ]; then
		tap_ok "rtprelayd exits 0 on SIGTERM"
	else
		tap_fail "rtprelayd exits 0 on SIGTERM (exit status $status)"
		tail -n 20 "$DAEMON_LOG" | diag
	fi
	tap_plan_done
}

main "$@"
