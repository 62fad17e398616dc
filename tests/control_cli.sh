#!/usr/bin/env bash
# rtprelayctl against a running rtprelayd (XDP datapath) with real calls,
# over the daemon's NETLINK_USERSOCK control socket (docs/architecture.md, "The control
# protocol"):
#
#   relay namespace                 caller namespace 10.98.0.2
#   rtprelayd --datapath xdp        A (tone-880, sends 500 Hz), B (tone-1320,
#     --interface rly0,rly1         sends 700 Hz), R (room-blue), 120 calls;
#     --control-group 4242          callee namespace 10.98.1.2
#   rtprelayctl, tools/nlraw.py     O: SIPp UAS for `rtprelayctl call`
#
# What it proves:
#  - status, calls, rooms, stats and flows, as JSON (parsed and checked with
#    jq against what the test knows: the daemon's pid, the XDP program `ip
#    link` sees on each interface, the relay ports the SIPp scenarios saw in
#    the SDP, the calls it made) and as aligned tables;
#  - `call` places a call that a SIPp UAS answers, with the tone and codec
#    asked for; `hangup` sends it a BYE; `tone` changes a call's tone;
#  - `bridge` makes two tone calls hear each other through the kernel: the
#    pinned flow map's counters (read with bpftool) and the XDP forwarded
#    counter rise while the daemon's userspace packet counters of both calls
#    stand still; `unbridge` brings their tones back;
#  - a dump bigger than one datagram (120 calls) arrives whole;
#  - errors: one line each, exit 1 for what the daemon refuses (unknown call,
#    tone out of range, a target that is not a SIP URI, unknown codec,
#    bridging a call with itself), exit 2
#    for a bad command line, and a message naming the problem when no daemon
#    listens at the port id;
#  - credentials: uid nobody is refused (EPERM), its control group is let
#    in; an impostor bound at the port id by nobody (in a namespace with no
#    daemon) is not believed by the CLI;
#  - truncated, malformed and random datagrams each get an NLMSG_ERROR with
#    an extended-ack message naming the problem, and the daemon keeps going;
#  - after SIGKILL, `flows` reads the pinned maps: the kernel still forwards.
#
# Logs, SIPp traces, captures and CLI outputs stay in
# $BUILD/test-logs/control_cli.d/.
# Usage: BUILD=build tests/control_cli.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/flows_dump.sh

DATAPATH=xdp
relay_env_init control_cli caller callee
CONTROL_GID=4242
CALLEE_SIP=5070
CALLEE_MP=41000
MANY=120 # calls of the dump test: their messages fill more than one datagram
HZ_TOLERANCE=5
EDGE_IN_MS=700	# a media phase is judged from this long after it starts...
EDGE_OUT_MS=300 # ...to this long before it ends
WINDOW_MS=500
TMPD=$(mktemp -d) # the CLI and the raw netlink tool, where nobody can run them
chmod 755 "$TMPD"
declare -A SIP_PORT MEDIA_PORT SIPP_PID CALL_ID

# The SIPp runs in the background are subshells, then timeout, then SIPp:
# kill_tree (tests/lib/relay_env.sh) reaches SIPp too.
cleanup() {
	local pid
	for pid in "${SIPP_PID[@]}"; do
		kill_tree "$pid"
	done
	relay_env_cleanup
	rm -rf "$TMPD"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# ctl NAME ARGS...: rtprelayctl ARGS in the relay namespace, stdout in
# $OUT/NAME.json (jcheck reads it there), stderr in $OUT/NAME.err; its
# status. jq takes an empty file for true: no output becomes an error
# object, which fails every check.
ctl() {
	local name=$1 rc
	shift
	relayctl "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"
	rc=$?
	[ -s "$OUT/$name.json" ] || echo '{"error": "rtprelayctl printed nothing"}' >"$OUT/$name.json"
	return $rc
}

# expect_error DESC STATUS PATTERN COMMAND...: COMMAND exits with STATUS
# and says, on one line of stderr, something matching PATTERN (grep -E).
expect_error() {
	local desc=$1 want=$2 pattern=$3 rc err
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -qE "$pattern" <<<"$err"; then
		tap_ok "$desc (exit $rc: $err)"
	else
		tap_fail "$desc (want exit $want and /$pattern/; got exit $rc: $err)"
	fi
}

# check DESC COMMAND...: tap_check that shows the command's output on failure.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$desc"
	else
		tap_fail "$desc"
		printf '%s\n' "$out" | diag
	fi
}

# A participant: its SIP port and SIPp -mp (its RTP port is -mp + 10).
participant() {
	SIP_PORT[$1]=$2
	MEDIA_PORT[$1]=$3
}
participant A 5061 40000
participant B 5062 40100
participant R 5063 40200

# join NAME SERVICE SCENARIO SEND_HZ [SIPp options]: NAME calls SERVICE
# from the caller namespace and sends SEND_HZ from its RTP port to the
# relay's media address for it, hearing what comes back (rtp_capture,
# described every WINDOW_MS); in the background.
join() {
	local name=$1 service=$2 scenario=$3 hz=$4
	shift 4
	capture_start_at caller "$name" $((MEDIA_PORT[$name] + 10)) --duration-ms 90000 --window-ms "$WINDOW_MS" \
		--send-to "@$OUT/$name.sipplog" --send-hz "$hz" || tap_fail "$name: rtp_capture ready"
	sipp_run_at caller "$name" "$scenario" "$RELAY_IP:5060" -s "$service" -key offer "0 8" \
		-p "${SIP_PORT[$name]}" -mp "${MEDIA_PORT[$name]}" -m 1 "$@" &
	SIPP_PID[$name]=$!
	PIDS+=("$!")
}

relay_media() { sipp_logged "$1" relay_media; }

# The id rtprelayd gave NAME's call: the call whose local RTP address is
# the one NAME's SIPp read in the SDP.
call_id_of() {
	jq -r --arg m "$(relay_media "$1")" '.[] | select(.local_rtp == $m) | .id' "$OUT/calls.json"
}

active_calls() { relayctl -j calls 2>/dev/null | jq 'map(select(.state == "active")) | length'; }
active_calls_are() { [ "$(active_calls)" = "$1" ]; }

# hears NAME FROM TO HZ DESC: every capture window of NAME inside
# FROM+EDGE_IN_MS .. TO-EDGE_OUT_MS (unix ms) holds a tone of HZ, and there
# are at least two such windows.
hears() {
	local name=$1 from=$(($2 + EDGE_IN_MS)) to=$(($3 - EDGE_OUT_MS)) hz=$4 desc=$5 w
	w=$(grep -s '^{"window"' "$OUT/$name.cap" | jq -cs --argjson from "$from" --argjson to "$to" \
		'[.[] | select(.start_unix_ms >= $from and .end_unix_ms <= $to) | .hz]')
	if jq -e --argjson hz "$hz" --argjson tol "$HZ_TOLERANCE" \
		'length >= 2 and all(.[]; . != null and (. - $hz | fabs) <= $tol)' <<<"$w" >/dev/null 2>&1; then
		tap_ok "$desc: $name hears $hz Hz (windows: $w)"
	else
		tap_fail "$desc: $name hears $hz Hz (windows: $w)"
	fi
}

# flow_packets SNAP PORT: the packets counter of the flow keyed on the
# relay's PORT in a bpftool dump of the pinned flow map (bpftool prints the
# __be16 key.port as a little-endian u16).
flow_packets() {
	jq --argjson p "$2" '[.[].formatted | select((.key.port % 256) * 256 + (.key.port / 256 | floor) == $p) |
		.value.counters.packets] | add // 0' "$OUT/$1.flows"
}

# snapshot NAME: the pinned flow map (bpftool), and rtprelayctl calls, stats, flows.
snapshot() {
	flows_dump "$BPFFS" >"$OUT/$1.flows" 2>&1
	ctl "$1-calls" -j calls
	ctl "$1-stats" -j stats
	ctl "$1-ctlflows" -j flows
}

userspace_packets() { jq --argjson id "$2" '.[] | select(.id == $id) | .packets_userspace' "$OUT/$1-calls.json"; }

test_without_daemon() {
	expect_error "no daemon in the namespace: the CLI says none listens at the port id" 1 \
		"status: no rtprelayd is listening on netlink port id 1381257298 \(0x52545052\)" \
		in_peer callee "$CTL" status
	expect_error "no daemon and nothing pinned: flows says where it looked" 1 \
		"flows: no rtprelayd is listening on netlink port id 1381257298, and there is no pinned map: $BPFFS/flows" \
		in_peer callee "$CTL" --bpffs "$BPFFS" flows
}

test_help() {
	local c out
	out=$("$CTL" help)
	check "help exits 0 and lists every command" \
		test "$(grep -cE '^  (status|calls|flows|rooms|stats|bridge|unbridge|hangup|call|tone)( |$)' <<<"$out")" = 10
	for c in status calls flows rooms stats bridge unbridge hangup call tone; do
		out=$("$CTL" "$c" help) || {
			tap_fail "$c help exits 0"
			continue
		}
		check "$c help shows its usage" grep -q "^Usage: rtprelayctl \[OPTIONS\] $c" <<<"$out"
	done
	expect_error "unknown command: exit 2" 2 'unknown command "frobnicate"' "$CTL" frobnicate
	expect_error "bridge with a call id that is not a number: exit 2" 2 'bad call id "x"' "$CTL" bridge 1 x
	expect_error "bridge with one call: exit 2" 2 "bridge takes CALL CALL" "$CTL" bridge 1
	expect_error "call without a URI: exit 2" 2 "which SIP URI" "$CTL" call --tone-hz 440
	expect_error "a bad -n: exit 2" 2 'bad port id "zero"' "$CTL" -n zero status
}

test_status() {
	local i ifname mode want_mode prog
	ctl status -j status || tap_fail "status exits 0: $(cat "$OUT/status.err")"
	jcheck status "status: the pid is the daemon's ($DAEMON_PID)" ".pid == $DAEMON_PID" .pid
	jcheck status "status: a version and an uptime" '(.version | test("^[0-9]+\\.[0-9]+")) and .uptime_seconds > 0' \
		'"\(.version), \(.uptime_seconds) s"'
	jcheck status "status: datapath xdp, and why" '.datapath == "xdp" and (.datapath_why | length) > 0' \
		'"\(.datapath): \(.datapath_why)"'
	jcheck status "status: bpffs, SIP and media addresses" \
		".bpffs == \"$BPFFS\" and .sip_listen == \"0.0.0.0:5060\" and .media_ip == \"$RELAY_IP\"" \
		'"\(.bpffs) \(.sip_listen) \(.media_ip)"'
	jcheck status "status: 4 calls, 1 room, no flow yet" '.calls == 4 and .rooms == 1 and .flows == 0' \
		'"\(.calls) calls, \(.rooms) rooms, \(.flows) flows"'
	jcheck status "status: 4 RTP ports of 500 in use" '.ports_in_use == 4 and .ports_capacity == 500' \
		'"\(.ports_in_use) of \(.ports_capacity)"'
	jcheck status "status: the interfaces rly0, rly1" '[.interfaces[].name] == ["rly0", "rly1"]' \
		'[.interfaces[].name] | tojson'
	# bpf_xdp_query in the daemon against what `ip link` says.
	for i in 0 1; do
		ifname=rly$i
		mode=$(ip -n "$NS_R" -j link show dev "$ifname" | jq -r '.[0].xdp.mode // 0')
		prog=$(ip -n "$NS_R" -j link show dev "$ifname" | jq -r '.[0].xdp.prog.id // 0')
		case $mode in
		1) want_mode=native ;;
		2) want_mode=generic ;;
		*) want_mode="none (ip link mode $mode)" ;;
		esac
		jcheck status "status: $ifname has XDP $want_mode, program $prog, as ip link says" \
			".interfaces[$i] | .xdp == \"$want_mode\" and .xdp_prog_id == $prog and .ifindex > 0" \
			".interfaces[$i] | tojson"
	done
	relayctl status >"$OUT/status.txt" 2>&1
	check "status as text: aligned label/value lines" \
		grep -qE "^datapath +xdp: .+$" "$OUT/status.txt"
	check "status as text: one line per interface" test "$(grep -cE '^interface +rly[01] \(ifindex [0-9]+\): XDP (native|generic), program [0-9]+$' "$OUT/status.txt")" = 2
	relayctl -p status >"$OUT/status-pretty.json" 2>&1
	check "-p: indented JSON, the same document" \
		test "$(jq -c '.pid, .interfaces' "$OUT/status-pretty.json" 2>&1)" = "$(jq -c '.pid, .interfaces' "$OUT/status.json")" -a \
		"$(wc -l <"$OUT/status-pretty.json")" -gt 10
}

test_calls() {
	local a=${CALL_ID[A]} r=${CALL_ID[R]} o=${CALL_ID[O]} header state_col
	jcheck calls "calls: 4 calls, all active, ids distinct" \
		'length == 4 and all(.[]; .state == "active") and (map(.id) | unique | length) == 4' 'map(.id) | tojson'
	jcheck calls "calls: A is incoming from SIPp, PCMU, tone 880 Hz, media tone" \
		".[] | select(.id == $a) | .direction == \"in\" and (.remote_uri | startswith(\"sip:sipp@${PEER_IP[caller]}:${SIP_PORT[A]}\")) and .codec == \"PCMU\" and .tone_hz == 880 and .media == \"tone\" and (has(\"bridged_with\") | not)" \
		".[] | select(.id == $a) | tojson"
	jcheck calls "calls: A's remote RTP is its SDP port, latched to it" \
		".[] | select(.id == $a) | .remote_rtp == \"${PEER_IP[caller]}:$((MEDIA_PORT[A] + 10))\" and .latched" \
		".[] | select(.id == $a) | \"\(.remote_rtp) latched \(.latched)\""
	jcheck calls "calls: A's packets in and out, all through userspace while it hears a tone" \
		".[] | select(.id == $a) | .packets_in > 0 and .packets_out > 0 and .packets_userspace == .packets_in" \
		".[] | select(.id == $a) | \"\(.packets_in) in (\(.packets_userspace) userspace), \(.packets_out) out\""
	jcheck calls "calls: R is in room blue" ".[] | select(.id == $r) | .room == \"blue\"" ".[] | select(.id == $r) | tojson"
	jcheck calls "calls: O is outgoing to the callee, PCMA, tone 1100 Hz" \
		".[] | select(.id == $o) | .direction == \"out\" and .remote_uri == \"sip:bob@${PEER_IP[callee]}:$CALLEE_SIP\" and .codec == \"PCMA\" and .tone_hz == 1100 and .local_rtp == \"$(relay_media O)\"" \
		".[] | select(.id == $o) | tojson"
	relayctl calls >"$OUT/calls.txt" 2>&1
	header=$(head -n 1 "$OUT/calls.txt")
	state_col=$(awk '{ print index($0, "STATE") }' <<<"$header")
	check "calls as text: a header and 4 rows" \
		test "$(wc -l <"$OUT/calls.txt")" = 5 -a "${header:0:2}" = ID
	check "calls as text: the STATE column is aligned" \
		test "$(awk -v c="$state_col" 'NR > 1 && substr($0, c, 6) == "active"' "$OUT/calls.txt" | wc -l)" = 4
}

test_rooms() {
	ctl rooms -j rooms || tap_fail "rooms exits 0"
	jcheck rooms "rooms: blue, waiting, with R" \
		"length == 1 and .[0].name == \"blue\" and .[0].mode == \"waiting\" and .[0].members == [${CALL_ID[R]}]" 'tojson'
	relayctl rooms >"$OUT/rooms.txt" 2>&1
	check "rooms as text" grep -qE "^blue +waiting +${CALL_ID[R]}$" "$OUT/rooms.txt"
}

test_stats() {
	ctl stats -j stats || tap_fail "stats exits 0"
	jcheck stats "stats: calls total 4, active 4, failed 0" \
		'.calls_total == 4 and .calls_active == 4 and .calls_failed == 0' \
		'"\(.calls_total) \(.calls_active) \(.calls_failed)"'
	jcheck stats "stats: the datapath's counters" \
		'(["forwarded", "passed", "dropped_wrong_source", "errors"] - keys) == []' 'keys | tojson'
	relayctl stats >"$OUT/stats.txt" 2>&1
	check "stats as text" grep -qE "^calls_active +4$" "$OUT/stats.txt"
}

test_refusals() {
	local a=${CALL_ID[A]}
	expect_error "hangup of an unknown call: exit 1, the daemon names it" 1 "hangup: no call 999$" relayctl hangup 999
	expect_error "bridge a call with itself" 1 "bridge: cannot bridge call $a with itself" relayctl bridge "$a" "$a"
	expect_error "tone out of range" 1 "tone: .*20000 Hz is out of range" relayctl tone "$a" 20000
	expect_error "call to something that is not a SIP URI" 1 "call: not a sip: or sips: URI with a host: nonsense" \
		relayctl call nonsense
	expect_error "call with a tone out of range" 1 "call: tone frequency 20000 Hz is out of range" \
		relayctl call "sip:bob@${PEER_IP[callee]}:$CALLEE_SIP" --tone-hz 20000
	expect_error "call with an unknown codec" 1 'call: unknown codec "g729"' \
		relayctl call "sip:bob@${PEER_IP[callee]}:$CALLEE_SIP" --codec g729
	expect_error "unbridge a call that is not bridged" 1 "unbridge: call $a is not bridged" relayctl unbridge "$a"
	expect_error "a port id nobody holds" 1 "no rtprelayd is listening on netlink port id 4711" relayctl -n 4711 status
}

# Bridge A and B, unbridge, change A's tone; judged by the captures at the end.
T_BRIDGE= T_UNBRIDGE= T_TONE= T_TONE_END=
test_bridge() {
	local a=${CALL_ID[A]} b=${CALL_ID[B]} pa pb f1 f2 u1 u2 s1 s2
	pa=$(relay_media A) pa=${pa##*:}
	pb=$(relay_media B) pb=${pb##*:}
	while [ $(($(now_ms) - T_UP)) -lt 2500 ]; do
		sleep 0.1 # long enough a phase to judge what A and B hear before
	done
	T_BRIDGE=$(now_ms)
	check "bridge A B exits 0" relayctl bridge "$a" "$b"
	sleep 1
	snapshot bridged1
	sleep 1.5
	snapshot bridged2
	# For the README: the same flows seen by bpftool and by rtprelayctl.
	bpftool map dump pinned "$BPFFS/flows" >"$OUT/bridged.bpftool.txt" 2>&1
	relayctl flows >"$OUT/bridged.flows.txt" 2>&1
	jcheck bridged2-calls "calls: A and B bridged with each other" \
		".[] | select(.id == $a or .id == $b) | .media == \"bridge\" and (.bridged_with == $a or .bridged_with == $b) and .bridged_with != .id" \
		"[.[] | select(.id == $a or .id == $b) | {id, media, bridged_with}] | tojson"
	f1=$(flow_packets bridged1 "$pa") f2=$(flow_packets bridged2 "$pa")
	check "bridged: the pinned flow of A's relay port counts B's packets forwarded in the kernel (+$((f2 - f1)) in 1.5 s)" \
		test "$((f2 - f1))" -ge 50
	f1=$(flow_packets bridged1 "$pb") f2=$(flow_packets bridged2 "$pb")
	check "bridged: the pinned flow of B's relay port counts A's (+$((f2 - f1)) in 1.5 s)" test "$((f2 - f1))" -ge 50
	u1=$(userspace_packets bridged1 "$a") u2=$(userspace_packets bridged2 "$a")
	check "bridged: the daemon's userspace packet counter of A stands still ($u1 then $u2)" test "$u1" = "$u2"
	u1=$(userspace_packets bridged1 "$b") u2=$(userspace_packets bridged2 "$b")
	check "bridged: the daemon's userspace packet counter of B stands still ($u1 then $u2)" test "$u1" = "$u2"
	s1=$(jq .forwarded "$OUT/bridged1-stats.json") s2=$(jq .forwarded "$OUT/bridged2-stats.json")
	check "bridged: stats shows XDP forwarding (+$((s2 - s1)) forwarded)" test "$((s2 - s1))" -ge 100
	jcheck bridged2-ctlflows "flows: A's and B's RTP and RTCP flows, latched, counting" \
		"[.[] | select(.local | test(\":($pa|$((pa + 1))|$pb|$((pb + 1)))$\"))] | length == 4 and (map(select(.latched)) | length) >= 2 and (map(.packets) | add) > 0" \
		'[.[] | {local, destination, packets}] | tojson'
	T_UNBRIDGE=$(now_ms)
	check "unbridge A exits 0" relayctl unbridge "$a"
	sleep 2.5
	ctl unbridged-calls -j calls
	jcheck unbridged-calls "calls: A and B hear their tones again" \
		"all(.[] | select(.id == $a or .id == $b); .media == \"tone\" and (has(\"bridged_with\") | not))" \
		"[.[] | select(.id == $a or .id == $b) | {id, media}] | tojson"
	T_TONE=$(now_ms)
	check "tone A 1000 exits 0" relayctl tone "$a" 1000
	sleep 2.5
	T_TONE_END=$(now_ms)
}

test_hangup_outgoing() {
	local o=${CALL_ID[O]} rc
	check "hangup O exits 0" relayctl hangup "$o"
	wait "${SIPP_PID[O]}"
	rc=$?
	check_sipp O "call placed by rtprelayctl, hung up by rtprelayctl" "$rc" "<INVITE >180 >200 <ACK <BYE >200/BYE"
	check "call --codec pcma: the relay's offer lists PCMA first ($(sipp_logged O offer_formats))" \
		test "$(sipp_logged O offer_formats | cut -d' ' -f1)" = 8
	capture_wait O stop
	jcheck O "the callee heard the tone of --tone-hz 1100 in PCMA" \
		"(.hz - 1100 | fabs) <= $HZ_TOLERANCE and .payload_type == 8" '"\(.hz) Hz, PT \(.payload_type)"'
}

test_credentials() {
	local out
	expect_error "uid nobody is refused by the daemon" 1 \
		"status: permission denied: uid 65534 is not root and gid 65534 is not the control group $CONTROL_GID" \
		in_relay setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMPD/rtprelayctl" status
	out=$(in_relay setpriv --reuid=nobody --regid="$CONTROL_GID" --clear-groups "$TMPD/rtprelayctl" -j status 2>&1)
	check "uid nobody in the control group ($CONTROL_GID) is let in" test "$(jq -r .pid <<<"$out" 2>&1)" = "$DAEMON_PID"
}

test_impostor() {
	# An impostor: nobody binds the daemon's port id where no daemon runs
	# and acknowledges whatever it gets.
	# ip netns exec, setpriv and python exec each other: $! is the impostor.
	ip netns exec "$P-callee" setpriv --reuid=nobody --regid=nogroup --clear-groups "$PY" "$TMPD/nlraw.py" \
		impostor 1381257298 >"$OUT/impostor.log" 2>&1 &
	PIDS+=("$!")
	if ! wait_for 3 grep -qs '^ready' "$OUT/impostor.log"; then
		tap_fail "the impostor binds the port id"
		diag <"$OUT/impostor.log"
		return
	fi
	expect_error "the CLI does not believe a reply from uid 65534 at the daemon's port id" 1 \
		"hangup: refusing the reply from netlink port id 1381257298: it was sent by uid 65534, not root" \
		in_peer callee "$CTL" hangup 1
	check "the impostor did answer (so the refusal is the CLI's)" grep -q '^answered uid 65534' "$OUT/impostor.log"
}

test_malformed() {
	local c
	in_relay "$PY" "$TMPD/nlraw.py" probe 1381257298 >"$OUT/probe.json" 2>&1
	for c in short-header long-header small-length no-genl-header bad-version unknown-command wrong-type \
		not-request short-call-id truncated-attribute uri-without-nul calls-without-dump status-with-dump \
		missing-call-id oversized; do
		jq -e --arg c "$c" 'select(.case == $c)' "$OUT/probe.json" >"$OUT/probe-$c.json" 2>/dev/null
		jcheck "probe-$c" "malformed datagram ($c): an NLMSG_ERROR naming the problem" \
			'.want as $want | (.replies | length) == 1 and .replies[0].error < 0 and (.replies[0].msg | test($want))' \
			'"\(.replies[0].error) \(.replies[0].msg)"'
	done
	jq -s '[.[] | select(.case | startswith("random-bytes"))]' "$OUT/probe.json" >"$OUT/probe-random-bytes.json"
	jcheck probe-random-bytes "200 datagrams of random bytes: each gets an error with a message" \
		'length == 200 and all(.[]; (.replies | length) >= 1 and all(.replies[]; .error < 0 and (.msg | length) > 0))' \
		'"\(length) sent, \([.[] | select((.replies | length) >= 1)] | length) answered"'
	jq -s '[.[] | select(.case | startswith("random-attrs"))]' "$OUT/probe.json" >"$OUT/probe-random-attrs.json"
	jcheck probe-random-attrs "200 read-only requests with random attributes: each is answered" \
		'length == 200 and all(.[]; (.replies | length) >= 1)' \
		'"\(length) sent; \([.[] | select(any(.replies[]; (.error // 0) < 0))] | length) refused"'
	check "rtprelayd is still running" is_running "$DAEMON_PID"
	check "and still answers" relayctl status
}

# MANY calls at once: the calls dump spans several datagrams; each call is
# then hung up from the CLI and SIPp gets every BYE.
test_many_calls() {
	local before rc ids
	wait "${SIPP_PID[R]}"
	rc=$?
	check_sipp R "R in room blue" "$rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	before=$(active_calls)
	sipp_run_at caller many uac_wait_bye "$RELAY_IP:5060" -s tone -p 5090 -mp 42000 -m "$MANY" -l "$MANY" -r 60 &
	SIPP_PID[many]=$!
	PIDS+=("$!")
	if ! wait_for 15 active_calls_are $((before + MANY)); then
		tap_fail "$MANY more calls come up (got $(active_calls) of $((before + MANY)))"
	fi
	ctl many-calls -j calls
	ctl many-status -j status
	jcheck many-calls "calls lists all $((before + MANY)) calls" \
		"length == $((before + MANY)) and (map(.id) | unique | length) == $((before + MANY))" length
	if [ -n "$PY" ]; then
		in_relay "$PY" "$TMPD/nlraw.py" dump 1381257298 >"$OUT/many-dump.json" 2>&1
		jcheck many-dump "the calls dump on the wire: several datagrams of NLM_F_MULTI messages, then NLMSG_DONE" \
			"(.datagrams | length) >= 2 and ([.datagrams[][]] | .[:-1] | length == $((before + MANY)) and all(.[]; .type == 21059 and .flags == 2)) and ([.datagrams[][]] | last | .type == 3)" \
			'"\(.datagrams | length) datagrams of \([.datagrams[] | length]) messages"'
		in_relay "$PY" "$TMPD/nlraw.py" dump 1381257298 late >"$OUT/many-late.json" 2>&1
		jcheck many-late "a reader with a small buffer that reads late still gets the whole dump" \
			"[.datagrams[][]] | length == $((before + MANY)) + 1 and last.type == 3" '[.datagrams[] | length] | tojson'
		nsenter --net="/run/netns/$NS_R" "$PY" "$TMPD/nlraw.py" dump 1381257298 never >"$OUT/many-never.log" 2>&1 &
		PIDS+=("$!")
		sleep 0.2
		check "a reader that never reads does not stop others: status answers" relayctl status
		check "the daemon drops the reply nobody reads" wait_for 5 grep -q "dropped: the client does not read" "$DAEMON_LOG"
	fi
	jcheck many-status "status counts as many calls and RTP ports in use" \
		".calls == $((before + MANY)) and .ports_in_use == .calls" '"\(.calls) calls, \(.ports_in_use) ports"'
	ids=$(jq -r ".[] | select(.remote_uri | contains(\":5090\")) | .id" "$OUT/many-calls.json")
	for id in $ids; do
		relayctl hangup "$id" || tap_fail "hangup $id"
	done
	wait "${SIPP_PID[many]}"
	rc=$?
	check "every one of the $MANY calls received a BYE and answered it (SIPp: $(sipp_summary many | tr '\n' ' '))" \
		test "$rc" -eq 0 -a "$(sipp_successful many)" = "$MANY"
}

# Bridge A and B again, SIGKILL the daemon: flows falls back to the pinned
# map, whose counters keep rising (the kernel forwards on its own).
test_pinned_after_kill() {
	local pa pb f1 f2
	pa=$(relay_media A) pa=${pa##*:}
	pb=$(relay_media B) pb=${pb##*:}
	relayctl bridge "${CALL_ID[A]}" "${CALL_ID[B]}" || tap_fail "bridge A B again"
	sleep 1
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	ctl killed1 --bpffs "$BPFFS" -j flows
	check "without rtprelayd, flows says it reads the pinned maps" grep -q "reading the pinned maps in $BPFFS" \
		"$OUT/killed1.err"
	sleep 1
	ctl killed2 --bpffs "$BPFFS" -j flows
	jcheck killed2 "without rtprelayd, flows lists the bridge's 4 flows from the pinned map" \
		"[.[] | select(.local | test(\":($pa|$((pa + 1))|$pb|$((pb + 1)))$\"))] | length == 4" '[.[].local] | tojson'
	f1=$(jq "[.[] | select(.local | endswith(\":$pa\")) | .packets] | add // 0" "$OUT/killed1.json")
	f2=$(jq "[.[] | select(.local | endswith(\":$pa\")) | .packets] | add // 0" "$OUT/killed2.json")
	check "and their counters keep rising: the kernel forwards without the daemon (+$((f2 - f1)))" \
		test "$((f2 - f1))" -ge 30
}

write_nlraw() {
	cat >"$TMPD/nlraw.py" <<'EOF'
# Raw NETLINK_USERSOCK datagrams for tests/control_cli.sh.
#   nlraw.py probe PORT     sends malformed, truncated and random datagrams to PORT;
#                           prints one JSON line per datagram with the replies
#   nlraw.py dump PORT [prompt|late|never]   asks PORT for the calls and reads the reply at once, after
#                           0.5 s with a small receive buffer, or never; prints the type and flags of
#                           each message of each datagram
#   nlraw.py impostor PORT  binds PORT and acknowledges every request, as a daemon would
import json, os, random, socket, struct, sys, time

USERSOCK, CTL_TYPE, NLMSG_ERROR, NLMSG_DONE = 2, 0x5243, 2, 3
REQUEST, ACK, DUMP, CAPPED, ACK_TLVS = 0x1, 0x4, 0x300, 0x100, 0x200
STATUS, STATS, CALLS, FLOWS, ROOMS, HANGUP, CALL = 1, 2, 3, 4, 5, 8, 9
A_CALL_ID, A_URI = 18, 22

def header(length, type=CTL_TYPE, flags=REQUEST | ACK, seq=1):
	return struct.pack("=IHHII", length, type, flags, seq, 0)

def msg(cmd, attrs=b"", version=1, **kw):
	payload = struct.pack("BBH", cmd, version, 0) + attrs
	return header(16 + len(payload), **kw) + payload

def attr(type, data):
	a = struct.pack("=HH", 4 + len(data), type) + data
	return a + b"\0" * (-len(a) % 4)

def replies(data):
	out, off = [], 0
	while off + 16 <= len(data):
		length, type, flags = struct.unpack_from("=IHH", data, off)
		if length < 16:
			break
		if type == NLMSG_ERROR:
			error, echoed = struct.unpack_from("=iI", data, off + 16)
			text, a = None, off + 36 + (0 if flags & CAPPED else max(echoed - 16, 0))
			while flags & ACK_TLVS and a + 4 <= off + length:
				alen, atype = struct.unpack_from("=HH", data, a)
				if alen < 4:
					break
				if atype == 1:
					text = data[a + 4:a + alen].split(b"\0")[0].decode()
				a += (alen + 3) & ~3
			out.append({"error": error, "msg": text})
		else:
			out.append({"type": type})
		off += (length + 3) & ~3
	return out

def probe(port):
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, USERSOCK)
	s.bind((0, 0))
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
	s.settimeout(0.5)
	cases = [
		("short-header", b"\x01\x02\x03", "truncated message: 3 bytes"),
		("long-header", header(100) + b"\0" * 8, "its header says 100 bytes, 24 arrived"),
		("small-length", header(8) + b"\0" * 8, "less than itself"),
		("no-genl-header", header(18) + b"\x01\x01", "no command header"),
		("bad-version", msg(STATUS, version=9), "protocol version 9"),
		("unknown-command", msg(200), "unknown command 200"),
		("wrong-type", msg(STATUS, type=0x1234), "type 0x1234 is not rtprelay's"),
		("not-request", msg(STATUS, flags=ACK), "not a request"),
		("short-call-id", msg(HANGUP, attr(A_CALL_ID, b"\x01\x00")), "call_id"),
		("truncated-attribute", msg(HANGUP, struct.pack("=HH", 40, A_CALL_ID) + b"\0" * 4),
		 "truncated attribute"),
		("uri-without-nul", msg(CALL, attr(A_URI, b"sip:x")), "uri"),
		("calls-without-dump", msg(CALLS), "calls is a list"),
		("status-with-dump", msg(STATUS, flags=REQUEST | ACK | DUMP), "status is not a list"),
		("missing-call-id", msg(HANGUP), "missing attribute call_id"),
		("oversized", msg(STATUS, b"\0" * 70000), "datagram longer than 65536 bytes"),
	]
	rnd = random.Random(5)
	for i in range(200):
		cases.append(("random-bytes-%d" % i, rnd.randbytes(rnd.randint(1, 300)), ""))
	for i in range(200):
		cmd = rnd.choice([STATUS, STATS, CALLS, FLOWS, ROOMS])
		flags = REQUEST | ACK | (DUMP if cmd in (CALLS, FLOWS, ROOMS) else 0)
		body = b"".join(attr(rnd.randint(0, 50), rnd.randbytes(rnd.randint(0, 20)))
				for _ in range(rnd.randint(1, 4)))
		if rnd.random() < 0.3:
			body = body[:rnd.randint(0, len(body))]
		cases.append(("random-attrs-%d" % i, msg(cmd, body, flags=flags), ""))
	for name, data, want in cases:
		s.sendto(data, (port, 0))
		got = []
		try:
			while True:
				r = replies(s.recv(1 << 17))
				got += r
				if any(x.get("error") is not None or x.get("type") == NLMSG_DONE for x in r):
					break
		except socket.timeout:
			pass
		print(json.dumps({"case": name, "want": want, "replies": got}), flush=True)

def dump(port, reader="prompt"):
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, USERSOCK)
	s.bind((0, 0))
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20 if reader == "prompt" else 4096)
	s.settimeout(3)
	s.sendto(msg(CALLS, flags=REQUEST | ACK | DUMP), (port, 0))
	if reader == "never":
		time.sleep(4)
		return
	if reader == "late":
		time.sleep(0.5)
	datagrams = []
	while not datagrams or datagrams[-1][-1]["type"] != NLMSG_DONE:
		data, off, messages = s.recv(1 << 17), 0, []
		while off + 16 <= len(data):
			length, type, flags = struct.unpack_from("=IHH", data, off)
			messages.append({"type": type, "flags": flags})
			off += (max(length, 16) + 3) & ~3
		datagrams.append(messages)
	print(json.dumps({"datagrams": datagrams}))

def impostor(port):
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, USERSOCK)
	s.bind((port, 0))
	print("ready", flush=True)
	while True:
		data, (peer, _) = s.recvfrom(1 << 16)
		seq = struct.unpack_from("=I", data, 8)[0] if len(data) >= 16 else 0
		ack = header(36, NLMSG_ERROR, CAPPED, seq) + struct.pack("=i", 0) + data[:16].ljust(16, b"\0")
		s.sendto(ack, (peer, 0))
		print("answered uid %d port %d" % (os.getuid(), peer), flush=True)

{"probe": probe, "dump": dump, "impostor": impostor}[sys.argv[1]](int(sys.argv[2]), *sys.argv[3:])
EOF
}

# PY: a Python 3 that nobody can run (not a shim under /root).
PY=
find_python() {
	local p
	for p in /usr/bin/python3 /usr/local/bin/python3; do
		[ -x "$p" ] && PY=$p && return 0
	done
	return 1
}

main() {
	local rc
	preflight "rtprelayctl tests" bpftool clang ethtool setpriv || {
		tap_plan_done
		exit 0
	}
	if [ ! -x "$CTL" ]; then
		tap_fail "rtprelayctl built ($CTL)"
		tap_plan_done
		exit 1
	fi
	install -m 0755 "$CTL" "$TMPD/rtprelayctl"
	find_python && write_nlraw
	if ! relay_env_setup; then
		tap_fail "set up the namespaces"
		tap_plan_done
		exit 1
	fi
	test_without_daemon
	test_help
	if ! start_daemon daemon --control-group "$CONTROL_GID"; then
		tap_fail "rtprelayd starts in $NS_R"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi

	# O: the callee answers (PCMA), its capture hears the relay's tone.
	capture_start_at callee O $((CALLEE_MP + 10)) --duration-ms 60000 --quiet-ms 1500 || tap_fail "O: rtp_capture ready"
	sipp_run_at callee O uas_answer -p "$CALLEE_SIP" -mp "$CALLEE_MP" -key answer 8 -m 1 &
	SIPP_PID[O]=$!
	PIDS+=("$!")
	# A and B hang up after 45 s: the test has killed the daemon by then.
	join A tone-880 uac_join 500 -d 45000
	join B tone-1320 uac_join 700 -d 45000
	join R room-blue uac_join 300 -d 6000
	sleep 0.5 # the UAS listens
	ctl call -j call "sip:bob@${PEER_IP[callee]}:$CALLEE_SIP" --tone-hz 1100 --codec pcma
	rc=$?
	CALL_ID[O]=$(jq -r '.id // empty' "$OUT/call.json" 2>/dev/null)
	check "call: placed, prints the new call's id (${CALL_ID[O]})" test "$rc" -eq 0 -a -n "${CALL_ID[O]}"
	if ! wait_for 10 active_calls_are 4; then
		tap_fail "4 calls active (got $(active_calls))"
		relayctl calls | diag
	fi
	sleep 1 # A and B latched, some packets counted
	ctl calls -j calls || tap_fail "calls exits 0"
	for p in A B R; do
		CALL_ID[$p]=$(call_id_of "$p")
		[ -n "${CALL_ID[$p]}" ] || CALL_ID[$p]=0
	done
	T_UP=$(now_ms)
	test_status
	test_calls
	test_rooms
	test_stats
	test_refusals
	test_bridge
	test_hangup_outgoing
	test_credentials
	if [ -n "$PY" ]; then
		test_impostor
		test_malformed
	else
		tap_skip "an impostor at the port id; malformed and random datagrams" "no python3 in /usr/bin or /usr/local/bin"
	fi
	test_many_calls
	test_pinned_after_kill
	capture_wait A stop
	capture_wait B stop
	hears A "$T_UP" "$T_BRIDGE" 880 "before the bridge"
	hears B "$T_UP" "$T_BRIDGE" 1320 "before the bridge"
	hears A "$T_BRIDGE" "$T_UNBRIDGE" 700 "bridged in the kernel"
	hears B "$T_BRIDGE" "$T_UNBRIDGE" 500 "bridged in the kernel"
	hears A "$T_UNBRIDGE" "$T_TONE" 880 "unbridged"
	hears B "$T_UNBRIDGE" "$T_TONE" 1320 "unbridged"
	hears A "$T_TONE" "$T_TONE_END" 1000 "after tone A 1000"
	tap_plan_done
}

main
