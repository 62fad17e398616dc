#!/usr/bin/env bash
# The datapath between real hosts: namespaces alice, bob (and carol) talk
# RTP/RTCP through a relay namespace where datapath_harness programs the
# flows of one bridged call, exactly as rtprelayd would, with the XDP
# backend and with the userspace backend, in two topologies:
#
#   lan:   alice, bob, carol and the relay's one veth on a Linux bridge
#          (one subnet): the XDP program answers with XDP_TX.
#   split: alice on relay eth0, bob on relay eth1 (two subnets): the XDP
#          program forwards with XDP_REDIRECT through the devmap.
#
# Both with IPv4 and IPv6. What it proves, per topology and backend:
#  - every packet sent each way arrives, byte-exact, with the relay's
#    address and port as its source (the receiving socket also validates
#    the UDP checksum: a bad incremental update would show as a loss);
#  - the per-flow and global counters count exactly those packets and their
#    payload bytes (XDP: read back with bpftool from the pinned maps too);
#  - with XDP none of them reaches the daemon's sockets;
#  - a packet from a wrong source (carol, or alice from another port) is
#    dropped, counted in wrong_source, and never reaches bob.
# And for XDP: a SIGKILLed daemon leaves the pinned links forwarding, and
# the next one adopts the pins and cleans up on SIGTERM.
#
# Every count is exact, not a percentage: the senders are paced, veth does
# not drop paced traffic and the receivers have 4 MB buffers, so any missing
# packet is a datapath bug (most likely a checksum the receiver rejected).
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/wait.sh
. tests/lib/flows_dump.sh

BUILD=${BUILD:-build}
XDP_PASS_OBJ=$BUILD/tests/bpf/xdp_pass.bpf.o # pass-through for veth ends that receive XDP-sent frames
BIN=$BUILD/tests
P=rtpr-$$
TMP=
PIDS=()	   # processes this test started, killed by PID on exit
NSES=()	   # namespaces this test created
BPFDIRS=() # bpffs directories this test used

N=200	  # RTP packets each way and family
RTP_SIZE=172
M=20	  # RTCP packets each way and family
RTCP_SIZE=72
W=10	  # packets from a wrong source
PACE_US=200
declare -A AT # addresses of the current topology: ra4 rb4 a4 b4 c4, ra6 ...
ALICE_PORT=5000 BOB_PORT=6000 # the peers' SDP ports (RTCP: +1)
RELAY_A=10000 RELAY_B=20000   # the relay's port on alice's and bob's leg

cleanup() {
	local pid ns dir
	for pid in "${PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# Deleting the namespaces removes the veths, which detaches XDP.
	for ns in "${NSES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for dir in "${BPFDIRS[@]}"; do
		rm -rf "$dir"
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
}

# Skips the whole test with a reason when the machine cannot run it.
preflight() {
	tap_need_root "datapath namespace tests" || return 1
	local tool
	for tool in ip nsenter ethtool bpftool jq clang; do
		if ! command -v "$tool" >/dev/null; then
			tap_skip "datapath namespace tests" "$tool not installed"
			return 1
		fi
	done
	if [ ! -x "$BIN/datapath_harness" ] || [ ! -x "$BIN/udp_peer" ]; then
		tap_fail "test binaries built ($BIN/datapath_harness, $BIN/udp_peer: run make)"
		return 1
	fi
	# The harness runs through nsenter, which keeps the host's /sys: the
	# pins live on the host bpffs.
	if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
		mount -t bpf bpf /sys/fs/bpf || {
			tap_skip "datapath namespace tests" "cannot mount bpffs"
			return 1
		}
	fi
}

# Reaped processes leave PIDS, so cleanup never signals a recycled PID.
forget_pids() {
	local pid gone keep=()
	for pid in "${PIDS[@]}"; do
		for gone in "$@"; do
			[ "$pid" = "$gone" ] && continue 2
		done
		keep+=("$pid")
	done
	PIDS=("${keep[@]}")
}

nsx() {
	local ns=$1
	shift
	ip netns exec "$P-$ns" "$@"
}

add_ns() {
	ip netns add "$P-$1" || return 1
	NSES+=("$P-$1")
	ip -n "$P-$1" link set lo up
}

# ep ADDR PORT: 10.0.0.1:5000 or [fd00::1]:5000
ep() {
	case $1 in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# A host's veth: addresses, no tx checksum offload (the XDP program's
# incremental update needs a full checksum to start from; see
# docs/architecture.md, "Test labs").
host_if() {
	local ns=$1 dev=$2 v4=$3 v6=$4
	ip -n "$P-$ns" addr add "$v4/24" dev "$dev"
	ip -n "$P-$ns" addr add "$v6/64" dev "$dev" nodad
	nsx "$ns" ethtool -K "$dev" tx off >/dev/null
	ip -n "$P-$ns" link set "$dev" up
}

# A veth end that receives XDP_TX/XDP_REDIRECT frames needs NAPI: a
# pass-through program turns it on (GRO alone is not enough behind a bridge).
xdp_pass_on() {
	ip -n "$P-$1" link set dev "$2" xdpdrv obj "$XDP_PASS_OBJ" sec xdp
}

# The relay keeps the kernel's defaults: it forwards nothing of its own,
# and the XDP path must work all the same.
relay_defaults() {
	expect_eq "$1: relay on kernel defaults, net.ipv4.ip_forward" "$(nsx relay sysctl -n net.ipv4.ip_forward)" 0
	expect_eq "$1: relay on kernel defaults, net.ipv6.conf.all.forwarding" \
		"$(nsx relay sysctl -n net.ipv6.conf.all.forwarding)" 0
}

# Topology lan: bridge br0 in namespace sw; relay eth0 .1, alice .2,
# bob .3, carol .4 on 10.0.1.0/24 and fd00:1::/64.
topo_lan() {
	local h i=1
	add_ns sw || return 1
	ip -n "$P-sw" link add br0 type bridge
	ip -n "$P-sw" link set br0 up
	for h in relay alice bob carol; do
		add_ns "$h" || return 1
		ip -n "$P-sw" link add "p-$h" type veth peer name eth0 netns "$P-$h"
		ip -n "$P-sw" link set "p-$h" master br0 up
		host_if "$h" eth0 "10.0.1.$i" "fd00:1::$i"
		i=$((i + 1))
	done
	xdp_pass_on sw p-relay
	RELAY_IFS=eth0
	AT=([ra4]=10.0.1.1 [rb4]=10.0.1.1 [a4]=10.0.1.2 [b4]=10.0.1.3 [c4]=10.0.1.4
		[ra6]=fd00:1::1 [rb6]=fd00:1::1 [a6]=fd00:1::2 [b6]=fd00:1::3 [c6]=fd00:1::4)
	WRONG_NS=carol WRONG_AT=c WRONG_PORT=$ALICE_PORT # a third host, alice's port
}

# Topology split: alice -- eth0 relay eth1 -- bob.
topo_split() {
	local h
	for h in relay alice bob; do
		add_ns "$h" || return 1
	done
	ip -n "$P-relay" link add eth0 type veth peer name eth0 netns "$P-alice"
	ip -n "$P-relay" link add eth1 type veth peer name eth0 netns "$P-bob"
	host_if relay eth0 10.0.2.1 fd00:2::1
	host_if relay eth1 10.0.3.1 fd00:3::1
	host_if alice eth0 10.0.2.2 fd00:2::2
	host_if bob eth0 10.0.3.2 fd00:3::2
	xdp_pass_on alice eth0
	xdp_pass_on bob eth0
	RELAY_IFS=eth0,eth1
	AT=([ra4]=10.0.2.1 [rb4]=10.0.3.1 [a4]=10.0.2.2 [b4]=10.0.3.2
		[ra6]=fd00:2::1 [rb6]=fd00:3::1 [a6]=fd00:2::2 [b6]=fd00:3::2)
	WRONG_NS=alice WRONG_AT=a WRONG_PORT=$((ALICE_PORT + 2)) # alice, another port
}

topo_teardown() {
	local ns
	for ns in "${NSES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	NSES=()
}

# The relay must know alice's and bob's MACs before the test counts
# packets: with no neighbour entry the XDP program passes the packet to the
# stack (by design) and the daemon would see it. One datagram each way
# (to the discard port; the ICMP error is harmless) resolves both sides.
resolve_neighbours() {
	local f ra rb a b addr
	for f in 4 6; do
		addresses $f
		nsx relay "$BIN/udp_peer" send --bind "$(ep "$ra" 9)" --to "$(ep "$a" 9)" --count 1 >/dev/null
		nsx relay "$BIN/udp_peer" send --bind "$(ep "$rb" 9)" --to "$(ep "$b" 9)" --count 1 >/dev/null
		nsx alice "$BIN/udp_peer" send --bind "$(ep "$a" 9)" --to "$(ep "$ra" 9)" --count 1 >/dev/null
		nsx bob "$BIN/udp_peer" send --bind "$(ep "$b" 9)" --to "$(ep "$rb" 9)" --count 1 >/dev/null
	done
	for addr in "${AT[a4]}" "${AT[b4]}" "${AT[a6]}" "${AT[b6]}"; do
		for _ in $(seq 50); do
			ip -n "$P-relay" neigh show to "$addr" | grep -q lladdr && break
			sleep 0.02
		done
	done
}

# addresses 4|6: sets the caller's ra, rb (the relay on alice's and bob's
# side), a and b (alice, bob) from AT.
addresses() {
	ra=${AT[ra$1]} rb=${AT[rb$1]} a=${AT[a$1]} b=${AT[b$1]}
}

# The flows of one bridged call, both families, RTP and RTCP:
# alice -> relay:RELAY_A is sent to bob from relay:RELAY_B and back.
call_flows() {
	local f off ra rb a b
	for f in 4 6; do
		addresses $f
		for off in 0 1; do
			echo --flow "$(ep "$ra" $((RELAY_A + off))),$(ep "$rb" $((RELAY_B + off))),$(ep "$b" $((BOB_PORT + off))),$(ep "$a" $((ALICE_PORT + off)))"
			echo --flow "$(ep "$rb" $((RELAY_B + off))),$(ep "$ra" $((RELAY_A + off))),$(ep "$a" $((ALICE_PORT + off))),$(ep "$b" $((BOB_PORT + off)))"
		done
	done
}

# harness_start DATAPATH XDP_MODE BPFFS_DIR [extra args]: sets HPID, HOUT.
# nsenter, not ip netns exec: the harness must see the host's bpffs.
harness_start() {
	local dp=$1 mode=$2 dir=$3
	shift 3
	HOUT=$TMP/harness.$((++HARNESS_RUNS))
	# shellcheck disable=SC2046 # call_flows prints option words
	nsenter --net="/run/netns/$P-relay" "$BIN/datapath_harness" --datapath "$dp" --bpffs "$dir" \
		--interface "$RELAY_IFS" --xdp-mode "$mode" $(call_flows) "$@" >"$HOUT" 2>"$HOUT.err" &
	HPID=$!
	PIDS+=("$HPID")
	# Not a job: bash would print "Killed" when the restart case SIGKILLs it.
	disown "$HPID"
	wait_ready "$HOUT" "$HPID"
}

# The harness's last stderr lines on one line, for a TAP description.
harness_err() {
	tail -n 3 "$HOUT.err" | tr '\n' ' '
}

# link_ids IFNAME: "LINK_ID PROG_ID" of the pinned link of one interface.
link_ids() {
	bpftool link show pinned "$DIR/link_$1" -j | jq -r '"\(.id) \(.prog_id)"'
}

# harness_stop [SIGNAL]: the report is the last line of $HOUT. A harness
# that does not exit within 5 s is killed (and has printed no report).
harness_stop() {
	local i
	kill -"${1:-TERM}" "$HPID" 2>/dev/null
	for i in $(seq 250); do
		kill -0 "$HPID" 2>/dev/null || break
		sleep 0.02
	done
	kill -9 "$HPID" 2>/dev/null
	forget_pids "$HPID"
	REPORT=$(tail -n 1 "$HOUT")
}

# Streams: LABEL FROM_NS FROM DST RCV_NS RCV_AT EXPECT_FROM SENT WANTED SIZE,
# stored |-separated (labels have spaces); run_streams runs them together,
# each receiver bound before any sender starts.
STREAMS=()
stream() {
	local IFS='|'
	STREAMS+=("$*")
}

run_streams() {
	local i label fns from dst rns at expect sent wanted size timeout
	local rpids=() spids=()
	for i in "${!STREAMS[@]}"; do
		IFS='|' read -r label fns from dst rns at expect sent wanted size <<<"${STREAMS[$i]}"
		# A receiver that wants nothing listens long enough to catch a leak.
		timeout=3000
		[ "$wanted" -eq 0 ] && timeout=500
		nsx "$rns" "$BIN/udp_peer" recv --bind "$at" --count "$wanted" --timeout-ms "$timeout" \
			--expect-from "$expect" >"$TMP/stream.$i" 2>&1 &
		rpids+=($!)
		PIDS+=($!)
	done
	for i in "${!STREAMS[@]}"; do
		wait_ready "$TMP/stream.$i" "${rpids[$i]}"
	done
	for i in "${!STREAMS[@]}"; do
		IFS='|' read -r label fns from dst rns at expect sent wanted size <<<"${STREAMS[$i]}"
		nsx "$fns" "$BIN/udp_peer" send --bind "$from" --to "$dst" --count "$sent" \
			--interval-us "$PACE_US" --size "$size" >/dev/null &
		spids+=($!)
		PIDS+=($!)
	done
	wait "${spids[@]}" "${rpids[@]}" 2>/dev/null
	forget_pids "${spids[@]}" "${rpids[@]}"
	for i in "${!STREAMS[@]}"; do
		IFS='|' read -r label fns from dst rns at expect sent wanted size <<<"${STREAMS[$i]}"
		check_stream "$label" "$(tail -n 1 "$TMP/stream.$i")" "$wanted" "$size" "$expect"
	done
	STREAMS=()
}

check_stream() {
	local label=$1 json=$2 wanted=$3 size=$4 expect=$5 got
	if [ "$wanted" -eq 0 ]; then
		got=$(jq -r '.received' <<<"$json" 2>/dev/null)
		if [ "$got" = 0 ]; then
			tap_ok "$label: none of them reached the peer"
		else
			tap_fail "$label: the peer received ${got:-?} ($json)"
		fi
		return
	fi
	if jq -e --argjson n "$wanted" --argjson b $((wanted * size)) \
		'.received == $n and .from_expected == $n and .payload_ok == $n and .duplicates == 0 and .bytes == $b' \
		<<<"$json" >/dev/null 2>&1; then
		tap_ok "$label: $wanted/$wanted arrived intact from $expect"
	else
		tap_fail "$label: wanted $wanted intact from $expect, got $json"
	fi
}

# One call's traffic: N RTP and M RTCP packets each way and family, in two
# rounds (a peer receives on the port it sends from).
call_traffic() {
	local tag=$1 n=$2 m=$3 f ra rb a b
	for f in 4 6; do
		addresses $f
		stream "$tag IPv$f RTP alice->bob" alice "$(ep "$a" $ALICE_PORT)" "$(ep "$ra" $RELAY_A)" \
			bob "$(ep "$b" $BOB_PORT)" "$(ep "$rb" $RELAY_B)" "$n" "$n" $RTP_SIZE
		[ "$m" -gt 0 ] && stream "$tag IPv$f RTCP alice->bob" alice "$(ep "$a" $((ALICE_PORT + 1)))" \
			"$(ep "$ra" $((RELAY_A + 1)))" bob "$(ep "$b" $((BOB_PORT + 1)))" \
			"$(ep "$rb" $((RELAY_B + 1)))" "$m" "$m" $RTCP_SIZE
	done
	run_streams
	for f in 4 6; do
		addresses $f
		stream "$tag IPv$f RTP bob->alice" bob "$(ep "$b" $BOB_PORT)" "$(ep "$rb" $RELAY_B)" \
			alice "$(ep "$a" $ALICE_PORT)" "$(ep "$ra" $RELAY_A)" "$n" "$n" $RTP_SIZE
		[ "$m" -gt 0 ] && stream "$tag IPv$f RTCP bob->alice" bob "$(ep "$b" $((BOB_PORT + 1)))" \
			"$(ep "$rb" $((RELAY_B + 1)))" alice "$(ep "$a" $((ALICE_PORT + 1)))" \
			"$(ep "$ra" $((RELAY_A + 1)))" "$m" "$m" $RTCP_SIZE
	done
	run_streams
}

# W packets to alice's relay port from the wrong source; bob must get none.
wrong_source_traffic() {
	local tag=$1 f ra rb a b wrong
	for f in 4 6; do
		addresses $f
		wrong=${AT[$WRONG_AT$f]}
		stream "$tag IPv$f wrong source $WRONG_NS:$WRONG_PORT" "$WRONG_NS" "$(ep "$wrong" "$WRONG_PORT")" \
			"$(ep "$ra" $RELAY_A)" bob "$(ep "$b" $BOB_PORT)" "$(ep "$rb" $RELAY_B)" "$W" 0 $RTP_SIZE
	done
	run_streams
}

# Flow counters as lines "IPvF:PORT PACKETS BYTES WRONG_SOURCE", one per
# flow. From the pinned map: bpftool prints the __be16 key.port as a u16
# read on this (little-endian) host, so the bytes are swapped back.
flow_table_bpftool() {
	flows_dump "$DIR" | jq -r '.[].formatted |
		"IPv\(if .key.family == 10 then 6 else 4 end):\((.key.port % 256) * 256 + (.key.port / 256 | floor))" +
		" \(.value.counters.packets) \(.value.counters.bytes) \(.value.counters.wrong_source)"'
}

# The same from the harness's report ($REPORT).
flow_table_report() {
	jq -r '.flows[] | "IPv\(if (.local | startswith("[")) then 6 else 4 end):\(.local | split(":") | last)" +
		" \(.packets) \(.bytes) \(.wrong_source)"' <<<"$REPORT"
}

# load_flows bpftool|report: FLOW[IPv4:10000]="PACKETS BYTES WRONG_SOURCE"
declare -A FLOW
load_flows() {
	local name rest
	FLOW=()
	while read -r name rest; do
		FLOW[$name]=$rest
	done < <("flow_table_$1")
}

# flow_field IPvF:PORT 1|2|3: packets, bytes or wrong_source of one flow.
flow_field() {
	local -a v
	read -r -a v <<<"${FLOW[$1]:-}"
	echo "${v[$(($2 - 1))]:-missing}"
}

# load_globals: GLOBAL[field] = the pinned per-CPU counters summed.
declare -A GLOBAL
load_globals() {
	local name value
	GLOBAL=()
	while read -r name value; do
		GLOBAL[$name]=$value
	done < <(bpftool map dump pinned "$DIR/counters" -j | jq -r '[.[].formatted.values[].value] |
		reduce .[] as $cpu ({}; reduce ($cpu | keys[]) as $k (.; .[$k] += $cpu[$k])) | to_entries[] |
		"\(.key) \(.value)"')
}

# expect_eq DESCRIPTION GOT WANTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1 ($3)"
	else
		tap_fail "$1: got '$2', wanted $3"
	fi
}

# The per-flow counters must hold what call_traffic sent and the
# wrong-source packets: from the pins (bpftool) or the report.
check_flow_counters() {
	local tag=$1 how=$2 f port want
	load_flows "$how"
	for f in 4 6; do
		for port in $RELAY_A $RELAY_B $((RELAY_A + 1)) $((RELAY_B + 1)); do
			want="$N $((N * RTP_SIZE))"
			[ $((port % 2)) = 1 ] && want="$M $((M * RTCP_SIZE))"
			expect_eq "$tag IPv$f flow relay:$port packets and bytes ($how)" \
				"$(flow_field "IPv$f:$port" 1) $(flow_field "IPv$f:$port" 2)" "$want"
		done
		expect_eq "$tag IPv$f flow relay:$RELAY_A wrong_source ($how)" "$(flow_field IPv$f:$RELAY_A 3)" "$W"
	done
}

# XDP attached with the link pinned on every relay interface.
check_attached() {
	local tag=$1 ifn ok=0
	for ifn in ${RELAY_IFS//,/ }; do
		ip -n "$P-relay" link show dev "$ifn" | grep -q 'prog/xdp.*rtprelay_xdp' || ok=1
		[ -e "$DIR/link_$ifn" ] || ok=1
	done
	tap_check "$tag: rtprelay_xdp attached to $RELAY_IFS, links pinned in $DIR" [ $ok = 0 ]
}

check_detached() {
	local tag=$1 ifn ok=0
	for ifn in ${RELAY_IFS//,/ }; do
		ip -n "$P-relay" link show dev "$ifn" | grep -q 'prog/xdp' && ok=1
	done
	[ -e "$DIR" ] && ok=1
	tap_check "$tag: SIGTERM with --unpin-on-exit detached XDP and removed $DIR" [ $ok = 0 ]
}

# veth_xdp_stat FIELD: rx_queue_*_FIELD summed over the relay's interfaces
# (veth counts its native XDP verdicts: xdp_tx, xdp_redirect, xdp_drops).
veth_xdp_stat() {
	local ifn sum=0 v
	for ifn in ${RELAY_IFS//,/ }; do
		for v in $(nsx relay ethtool -S "$ifn" | awk -v f="_$1:" 'index($1, f) && /rx_queue_/ { print $2 }'); do
			sum=$((sum + v))
		done
	done
	echo $sum
}

# One backend on the current topology: a call's traffic both ways, a
# wrong source, then the counters from the maps and from the harness.
# run_backend TOPO xdp|userspace [XDP_MODE]
run_backend() {
	local topo=$1 dp=$2 mode=${3:-native} tag total sockets_got action tx0 drops0
	tag="$topo/$dp"
	[ "$dp" = xdp ] && tag="$tag-$mode"
	DIR=/sys/fs/bpf/$P-$topo-$dp-$mode
	BPFDIRS+=("$DIR")
	# lan answers on the ingress interface, split leaves by the other one.
	action=xdp_tx
	[ "$topo" = split ] && action=xdp_redirect
	tx0=$(veth_xdp_stat $action) drops0=$(veth_xdp_stat xdp_drops)
	if ! harness_start "$dp" "$mode" "$DIR" --unpin-on-exit; then
		tap_fail "$tag: harness ready ($(harness_err))"
		return
	fi
	tap_ok "$tag: harness attached and programmed 8 flows"
	[ "$dp" = xdp ] && check_attached "$tag"

	call_traffic "$tag" $N $M
	wrong_source_traffic "$tag"

	total=$((2 * 2 * (N + M)))
	if [ "$dp" = xdp ]; then
		check_flow_counters "$tag" bpftool
		load_globals
		expect_eq "$tag forwarded, summed over CPUs (bpftool)" "${GLOBAL[forwarded]:-}" $total
		expect_eq "$tag dropped_wrong_source (bpftool)" "${GLOBAL[dropped_wrong_source]:-}" $((2 * W))
		expect_eq "$tag errors (bpftool)" "${GLOBAL[errors]:-}" 0
	fi
	if [ "$dp" = xdp ] && [ "$mode" = native ]; then
		# The verdicts as the driver saw them: proves XDP_TX vs XDP_REDIRECT.
		expect_eq "$tag forwarded with ${action^^} (veth rx_queue_*_$action)" \
			$(($(veth_xdp_stat $action) - tx0)) $total
		expect_eq "$tag wrong source dropped with XDP_DROP (veth rx_queue_*_xdp_drops)" \
			$(($(veth_xdp_stat xdp_drops) - drops0)) $((2 * W))
	fi

	harness_stop TERM
	if ! jq -e . <<<"$REPORT" >/dev/null 2>&1; then
		tap_fail "$tag: harness printed its JSON report on SIGTERM (got: $REPORT)"
		return
	fi
	expect_eq "$tag harness reports backend" "$(jq -r .datapath <<<"$REPORT")" "$dp"
	check_flow_counters "$tag" report
	expect_eq "$tag forwarded (harness counters op)" "$(jq .counters.forwarded <<<"$REPORT")" $total
	expect_eq "$tag dropped_wrong_source (harness counters op)" \
		"$(jq .counters.dropped_wrong_source <<<"$REPORT")" $((2 * W))
	expect_eq "$tag packets that reached the daemon" "$(jq '[.sockets[].reached_daemon] | add' <<<"$REPORT")" 0
	sockets_got=$(jq '[.sockets[].received] | add' <<<"$REPORT")
	if [ "$dp" = xdp ]; then
		# The kernel forwarded and dropped everything: the sockets saw nothing.
		expect_eq "$tag packets the relay's sockets received" "$sockets_got" 0
		expect_eq "$tag kernel path (harness report)" "$(jq -r .kernel_path <<<"$REPORT")" ok
		check_detached "$tag"
	else
		expect_eq "$tag packets the relay's sockets received" "$sockets_got" $((total + 2 * W))
	fi
}

# XDP across a daemon crash: SIGKILL leaves links and maps pinned and
# forwarding; the next harness adopts them and, on SIGTERM, cleans up.
run_restart() {
	local topo=$1 tag="$1/xdp restart" before after link0 link1
	DIR=/sys/fs/bpf/$P-$topo-restart
	BPFDIRS+=("$DIR")
	if ! harness_start xdp native "$DIR"; then
		tap_fail "$tag: first harness ready ($(harness_err))"
		return
	fi
	call_traffic "$tag, first daemon" $N 0
	harness_stop KILL
	check_attached "$tag: after SIGKILL"
	load_flows bpftool
	before=$(flow_field IPv4:$RELAY_A 1)

	call_traffic "$tag, no daemon" $N 0
	load_flows bpftool
	after=$(flow_field IPv4:$RELAY_A 1)
	expect_eq "$tag: with no daemon the pinned flow counted on" "$after" $((before + N))
	link0=$(link_ids eth0)

	if ! harness_start xdp native "$DIR" --unpin-on-exit; then
		tap_fail "$tag: second harness adopted the pins ($(harness_err))"
		return
	fi
	tap_ok "$tag: second harness adopted the pinned links and maps"
	link1=$(link_ids eth0)
	# The same bpf_link, now running the program the new harness loaded.
	if [ -n "$link0" ] && [ "${link0% *}" = "${link1% *}" ] && [ "${link0#* }" != "${link1#* }" ]; then
		tap_ok "$tag: link of eth0 kept (id ${link0% *}), new program swapped in (${link0#* } -> ${link1#* })"
	else
		tap_fail "$tag: link of eth0 kept with a new program: before '$link0', after '$link1' (link id, prog id)"
	fi
	load_flows bpftool
	expect_eq "$tag: adopting kept the flow counters" "$(flow_field IPv4:$RELAY_A 1)" "$after"
	call_traffic "$tag, second daemon" $N 0
	harness_stop TERM
	load_flows report
	expect_eq "$tag: second harness counts all three rounds" "$(flow_field IPv4:$RELAY_A 1)" $((3 * N))
	expect_eq "$tag: second harness's sockets received nothing" \
		"$(jq '[.sockets[].received] | add' <<<"$REPORT")" 0
	check_detached "$tag"
}

# Neighbours flushed under a running harness: the notifications take the
# flows' next hops away, the XDP program passes alice's packets to the
# stack, the daemon's slow path (datapath_input on its socket) forwards
# them, which resolves the neighbour again, and XDP takes over. Nothing
# is lost and nothing is left for the daemon to handle.
run_unresolved() {
	local topo=$1 tag="$1/xdp neighbour unresolved" ra rb a b passed slow fast egress
	DIR=/sys/fs/bpf/$P-$topo-unresolved
	BPFDIRS+=("$DIR")
	if ! harness_start xdp native "$DIR" --unpin-on-exit; then
		tap_fail "$tag: harness ready ($(harness_err))"
		return
	fi
	ip -n "$P-relay" neigh flush all
	addresses 4
	stream "$tag IPv4 RTP alice->bob" alice "$(ep "$a" $ALICE_PORT)" "$(ep "$ra" $RELAY_A)" \
		bob "$(ep "$b" $BOB_PORT)" "$(ep "$rb" $RELAY_B)" $N $N $RTP_SIZE
	run_streams
	load_globals
	passed=${GLOBAL[pass_no_nexthop]:-0}
	load_flows bpftool
	fast=$(flow_field IPv4:$RELAY_A 1)
	egress=$(bpftool map dump pinned "$DIR/flows" -j | jq --argjson p $RELAY_A '[.[].formatted |
		select(.key.family == 2 and (.key.port % 256) * 256 + (.key.port / 256 | floor) == $p) |
		.value.nexthop.ifindex] | first')
	harness_stop TERM
	slow=$(jq '[.sockets[].forwarded] | add' <<<"$REPORT")
	tap_check "$tag: XDP passed the first packets (pass_no_nexthop $passed)" [ "$passed" -ge 1 ]
	expect_eq "$tag: the slow path forwarded every packet XDP passed" "$slow" "$passed"
	expect_eq "$tag: the datapath counted them as forwarded in userspace" \
		"$(jq .userspace_forwarded <<<"$REPORT")" "$slow"
	tap_check "$tag: the flow toward bob has its next hop again (egress ifindex $egress)" [ "${egress:-0}" -gt 0 ]
	expect_eq "$tag: XDP ($fast) and slow path ($slow) forwarded them all" $((fast + slow)) $N
	expect_eq "$tag: packets that reached the daemon" "$(jq '[.sockets[].reached_daemon] | add' <<<"$REPORT")" 0
	check_detached "$tag"
}

run_topology() {
	local topo=$1
	if ! "topo_$topo"; then
		tap_fail "$topo: topology set up"
		topo_teardown
		return
	fi
	relay_defaults "$topo"
	resolve_neighbours
	run_backend "$topo" xdp native
	run_backend "$topo" xdp generic
	run_backend "$topo" userspace
	if [ "$topo" = split ]; then
		run_restart "$topo"
		run_unresolved "$topo"
	fi
	topo_teardown
}

main() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	preflight || {
		tap_plan_done
		return 0
	}
	TMP=$(mktemp -d)
	HARNESS_RUNS=0
	if [ ! -f "$XDP_PASS_OBJ" ]; then
		tap_fail "$XDP_PASS_OBJ is built (make)"
		tap_plan_done
		return 1
	fi
	run_topology lan
	run_topology split
	tap_plan_done
}

main "$@"
