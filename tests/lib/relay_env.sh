# shellcheck shell=bash
# A relay namespace running rtprelayd and peer namespaces calling it with
# SIPp and listening with rtp_capture: the shared part of the SIP tests.
# Source it after tests/lib/tap.sh (it sources tests/lib/wait.sh), then call
# relay_env_init.
#
#   relay namespace $P-relay              peer namespaces $P-NAME
#   rly0 $NET.0.1/24 ───────────────────── veth0 $NET.0.2/24  (first peer)
#   rly1 $NET.1.1/24 ───────────────────── veth0 $NET.1.2/24  (second peer)
#   …  rtprelayd, default route via the first peer: its media address is
#      RELAY_IP ($NET.0.1) whichever peer it talks to
#
# Settings, read by relay_env_init (set them before; defaults in brackets):
#   NET       first two octets of the addresses [10.98]
#   RTP_MIN, RTP_MAX   the daemon's --rtp-ports [20000, 20999]
#   MP        SIPp's -mp in sipp_run [40000]; SIPp binds MP and MP+2, the
#             scenarios offer MP+10 (CALLER_RTP) and RTCP on MP+11
#   IPV6      1: every link also gets IPv6, $NET6:K+1::1/64 on the relay
#             and $NET6:K+1::2/64 on peer K (NET6 [fd00:98]) [0]
#   DATAPATH  the daemon's --datapath [userspace]; with xdp the daemon gets
#             --interface with every relay veth (the relay namespace keeps
#             the kernel's defaults: forwarding off) and every peer veth
#             runs a pass-through XDP program (veth delivers XDP_TX/XDP_REDIRECT
#             frames only with NAPI on the receiving end: docs/architecture.md)
# Set by relay_env_init / relay_env_setup:
#   BUILD DAEMON CTL CAPTURE SCEN   the build and what it runs; DAEMON is
#             $RTPRELAYD from the environment if set (tests/asan_suite.sh's
#             sanitized daemon), else $BUILD/rtprelayd
#   OUT       this test's logs: $TEST_LOGS/NAME.d (emptied); TEST_LOGS, from
#             the environment, defaults to $BUILD/test-logs
#   P NS_R BPFFS   namespace prefix, relay namespace, the daemon's --bpffs
#   RELAY_IP  the daemon's media and SIP address
#   RELAY_IP6, PEER_IP6[NAME]   the same in IPv6, with IPV6=1
#   PEER_IP[NAME], PEER_RELAY_IP[NAME]   a peer's address, the relay's on
#             its link
#   NS_C      the first peer's namespace; CALLER_RTP  MP + 10
#   RELAY_IFS the relay's veths, comma-separated
#   DAEMON_PID DAEMON_LOG   the daemon start_daemon started last
#   PIDS      processes to kill on exit, with their children (add what you
#             start in the background)

RE_PEERS=()
. tests/lib/wait.sh

declare -A PEER_IP PEER_RELAY_IP PEER_IP6 PEER_RELAY_IP6 CAP_PID
PIDS=()
NSES=()
DAEMON_PID=
DAEMON_LOG=

# relay_env_init NAME PEER...: sets the variables above for test NAME with
# the named peer namespaces (the first one is the caller of sipp_run and
# capture_start), and removes everything on exit (relay_env_cleanup).
# shellcheck disable=SC2034 # the settings are for the tests that source this
relay_env_init() {
	local name=$1 k=0 peer
	shift
	BUILD=${BUILD:-build}
	DAEMON=${RTPRELAYD:-$BUILD/rtprelayd}
	CTL=$BUILD/rtprelayctl
	XDP_PASS_OBJ=$BUILD/tests/bpf/xdp_pass.bpf.o # pass-through for veth ends that receive XDP-sent frames
	CAPTURE=$BUILD/tests/rtp_capture
	SCEN=sipp_scenarios
	OUT=${TEST_LOGS:-$BUILD/test-logs}/$name.d
	P=rtpr-$name-$$
	NS_R=$P-relay
	BPFFS=/sys/fs/bpf/$P
	NET=${NET:-10.98}
	RTP_MIN=${RTP_MIN:-20000}
	RTP_MAX=${RTP_MAX:-20999}
	MP=${MP:-40000}
	CALLER_RTP=$((MP + 10))
	DATAPATH=${DATAPATH:-userspace}
	IPV6=${IPV6:-0}
	NET6=${NET6:-fd00:98}
	RELAY_IP=$NET.0.1
	RELAY_IP6=$NET6:1::1
	RE_PEERS=("$@")
	RELAY_IFS=
	for peer in "$@"; do
		PEER_IP[$peer]=$NET.$k.2
		PEER_RELAY_IP[$peer]=$NET.$k.1
		PEER_IP6[$peer]=$NET6:$((k + 1))::2
		PEER_RELAY_IP6[$peer]=$NET6:$((k + 1))::1
		RELAY_IFS=${RELAY_IFS:+$RELAY_IFS,}rly$k
		k=$((k + 1))
	done
	NS_C=$P-$1
	trap relay_env_cleanup EXIT
	trap 'exit 130' INT TERM
}

# kill_tree PID: SIGKILL to PID and every process below it (a background
# function is a subshell whose children would outlive it).
kill_tree() {
	local child children
	children=$(pgrep -P "$1")
	kill -9 "$1" 2>/dev/null
	for child in $children; do
		kill_tree "$child"
	done
}

# Kills what PIDS holds (and their children), deletes the namespaces (which
# detaches XDP from their veths) and the bpffs directory. The EXIT trap of
# relay_env_init.
relay_env_cleanup() {
	local pid ns
	for pid in "${PIDS[@]}"; do
		kill_tree "$pid"
		wait "$pid" 2>/dev/null
	done
	for ns in "${NSES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$BPFFS"
}

# A "# " line in the TAP stream, for whoever reads the log of a failure.
# (awk: a last line without a newline must not swallow the next TAP line).
diag() { awk '{ print "# " $0 }'; }

# preflight WHAT [TOOL...]: skips the whole test (TAP SKIP naming WHAT) when
# the machine cannot run it: not root, or sipp, ip, nsenter, ss, jq or one
# of the TOOLs missing; fails when the binaries are not built. Mounts the
# bpffs if needed. Returns non-zero when the test must not go on.
preflight() {
	local what=$1 tool
	shift
	tap_need_root "$what" || return 1
	for tool in sipp ip nsenter ss jq "$@"; do
		if ! command -v "$tool" >/dev/null; then
			tap_skip "$what" "$tool not installed"
			return 1
		fi
	done
	if [ ! -x "$DAEMON" ] || [ ! -x "$CAPTURE" ]; then
		tap_fail "binaries built ($DAEMON, $CAPTURE: run make BUILD=$BUILD)"
		return 1
	fi
	if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
		mount -t bpf bpf /sys/fs/bpf || {
			tap_skip "$what" "cannot mount bpffs"
			return 1
		}
	fi
}

# relay_env_setup: empties OUT and creates the namespaces and links
# described at the top (and, with DATAPATH=xdp, compiles and attaches the
# pass-through XDP program to the peers' veths). Peers send with tx
# checksum offload off: XDP updates checksums incrementally and needs a
# full one to start from.
relay_env_setup() {
	local k=0 peer ns
	mkdir -p "$OUT" && rm -rf "${OUT:?}"/*
	ip netns add "$NS_R" || return 1
	NSES+=("$NS_R")
	ip -n "$NS_R" link set dev lo up || return 1
	for peer in "${RE_PEERS[@]}"; do
		ns=$P-$peer
		ip netns add "$ns" || return 1
		NSES+=("$ns")
		ip -n "$NS_R" link add "rly$k" type veth peer name veth0 netns "$ns" || return 1
		ip -n "$NS_R" -batch - <<-EOF || return 1
			link set dev rly$k up
			addr add ${PEER_RELAY_IP[$peer]}/24 dev rly$k
		EOF
		ip -n "$ns" -batch - <<-EOF || return 1
			link set dev lo up
			link set dev veth0 up
			addr add ${PEER_IP[$peer]}/24 dev veth0
			route add default via ${PEER_RELAY_IP[$peer]}
		EOF
		if [ "$IPV6" = 1 ]; then
			ip -n "$NS_R" addr add "${PEER_RELAY_IP6[$peer]}/64" dev "rly$k" nodad || return 1
			ip -n "$ns" addr add "${PEER_IP6[$peer]}/64" dev veth0 nodad || return 1
			ip -n "$ns" -6 route add default via "${PEER_RELAY_IP6[$peer]}" || return 1
		fi
		ip netns exec "$ns" ethtool -K veth0 tx off >/dev/null 2>&1
		if [ "$DATAPATH" = xdp ]; then
			ip -n "$ns" link set dev veth0 xdpdrv obj "$XDP_PASS_OBJ" sec xdp || return 1
		fi
		k=$((k + 1))
	done
	ip -n "$NS_R" route add default via "${PEER_IP[${RE_PEERS[0]}]}"
	[ "$IPV6" = 1 ] && ip -n "$NS_R" -6 route add default via "${PEER_IP6[${RE_PEERS[0]}]}"
	return 0
}

# in_peer PEER COMMAND...: runs COMMAND in a peer's namespace.
in_peer() {
	local peer=$1
	shift
	ip netns exec "$P-$peer" "$@"
}

# in_relay COMMAND...: runs COMMAND in the relay namespace, keeping the
# host's /sys (and so the bpffs where the daemon pins its maps).
in_relay() { nsenter --net="/run/netns/$NS_R" "$@"; }

# relayctl ARGS...: rtprelayctl in the relay namespace (the daemon's
# netlink socket lives there), e.g. relayctl -j calls.
relayctl() { in_relay "$CTL" "$@"; }

# start_daemon NAME [OPTIONS...]: rtprelayd in the relay namespace, log in
# $OUT/NAME.log, with --bpffs, --rtp-ports, --datapath (and --interface for
# xdp) from the settings; the media address comes from the default route.
# Sets DAEMON_PID and DAEMON_LOG; true once the daemon logs "running:".
start_daemon() {
	local name=$1 dp_opts=(--datapath "$DATAPATH")
	shift
	[ "$DATAPATH" = xdp ] && dp_opts+=(--interface "$RELAY_IFS")
	DAEMON_LOG=$OUT/$name.log
	# Not in_relay: $! must be the daemon (nsenter execs it), not a subshell.
	nsenter --net="/run/netns/$NS_R" "$DAEMON" --foreground --bpffs "$BPFFS" --log-level info \
		--rtp-ports "$RTP_MIN-$RTP_MAX" "${dp_opts[@]}" "$@" >"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	PIDS+=("$DAEMON_PID")
	wait_for 5 grep -qs 'running:' "$DAEMON_LOG"
}

# is_running PID: alive and not a zombie (a child that exited stays one
# until we wait).
is_running() {
	local stat
	stat=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -n "$stat" ] && [[ $stat != Z* ]]
}

# daemon_gone: the daemon of the last start_daemon has exited.
daemon_gone() { ! is_running "$DAEMON_PID"; }

# stop_daemon SECONDS: SIGTERM, then the exit status (124 if it hangs).
stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	if ! wait_for "$1" daemon_gone; then
		kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		return 124
	fi
	wait "$DAEMON_PID"
}

# active_calls_logged: how many calls the daemon logged as active.
active_calls_logged() { grep -c ': active,' "$DAEMON_LOG"; }
# calls_up_beyond N: more than N calls went active since the daemon started.
calls_up_beyond() { [ "$(active_calls_logged)" -gt "$1" ]; }

# relay_rtp_ports: the relay's UDP ports in the RTP range held by the
# daemon, one a line.
relay_rtp_ports() {
	ip netns exec "$NS_R" ss -Huanp |
		awk -v pid="pid=$DAEMON_PID," -v lo="$RTP_MIN" -v hi="$RTP_MAX" 'index($0, pid) {
			n = split($4, a, ":"); port = a[n] + 0
			if (port >= lo && port <= hi) print port
		}' | sort -n
}
# no_rtp_ports: the daemon holds no socket in the RTP range.
no_rtp_ports() { [ -z "$(relay_rtp_ports)" ]; }

# sipp_run_at PEER NAME SCENARIO [SIPp options...]: SIPp with
# $SCEN/SCENARIO.xml in PEER's namespace on its address, every trace in
# $OUT/NAME.* (.msg messages, .err errors, .sipplog the scenario's <log>
# lines, .screen the final screen); the options say whom to call (or
# -p PORT for a UAS), -mp, -m... Returns SIPp's exit status.
sipp_run_at() {
	local peer=$1 name=$2 scenario=$3
	shift 3
	rm -f "$OUT/$name".{msg,err,sipplog,screen}
	timeout 60 ip netns exec "$P-$peer" sipp -sf "$SCEN/$scenario.xml" -i "${PEER_IP[$peer]}" \
		-nostdin -timeout 45 -timeout_error \
		-trace_msg -message_file "$OUT/$name.msg" -trace_err -error_file "$OUT/$name.err" \
		-trace_logs -log_file "$OUT/$name.sipplog" "$@" >"$OUT/$name.screen" 2>&1
}

# sipp_users FILE USER...: a SIPp injection file (-inf) whose lines are the
# USERs in turn, for uac_load.xml (each call calls the next line's user).
sipp_users() {
	local file=$1
	shift
	{
		echo SEQUENTIAL
		printf '%s;\n' "$@"
	} >"$file"
}

# sipp_run NAME SCENARIO SERVICE [SIPp options...]: the first peer calls
# sip:SERVICE@RELAY_IP:5060 with -mp MP (see sipp_run_at).
sipp_run() {
	local name=$1 scenario=$2 service=$3
	shift 3
	sipp_run_at "${RE_PEERS[0]}" "$name" "$scenario" "$RELAY_IP:5060" -s "$service" -mp "$MP" "$@"
}

# sip_flow NAME: the SIP exchange of a SIPp run from its message trace:
# ">X" for what SIPp sent, "<X" for what it received; requests by method,
# responses by code, and by code/method when they answer something else
# than an INVITE, e.g. ">INVITE <100 <180 <200 >ACK >BYE <200/BYE".
sip_flow() {
	awk '{ sub(/\r$/, "") }
	     /^UDP message (sent|received)/ { dir = /sent/ ? ">" : "<"; want = 1; next }
	     want && NF { want = 0; response = ($1 == "SIP/2.0"); token = dir (response ? $2 : $1); next }
	     /^CSeq:/ && token != "" {
		if (response && $3 != "INVITE") token = token "/" $3
		printf "%s%s", sep, token; sep = " "; token = ""
	     }
	     END { print "" }' "$OUT/$1.msg" 2>/dev/null
}

# sip_time NAME DIR START CSEQ_METHOD [CSEQ_NUMBER]: unix ms of the first
# message sent (DIR ">") or received ("<") whose start line begins with
# START and whose CSeq method is CSEQ_METHOD (and number CSEQ_NUMBER, e.g.
# 2 for the first re-INVITE), from SIPp's trace timestamps.
sip_time() {
	local ts
	ts=$(awk -v want_dir="$2" -v start="$3" -v method="$4" -v num="${5:-}" '
		{ sub(/\r$/, "") }
		/^-+ [0-9-]+ [0-9:.]+$/ { ts = $2 " " $3; next }
		/^UDP message sent/ { dir = ">"; first = ""; next }
		/^UDP message received/ { dir = "<"; first = ""; next }
		first == "" && NF { first = $0; next }
		/^CSeq:/ && dir == want_dir && index(first, start) == 1 && $3 == method && (num == "" || $2 == num) {
			print ts; exit
		}
	' "$OUT/$1.msg")
	[ -n "$ts" ] && date -d "$ts" +%s%3N
}

# sipp_logged NAME KEY: what the scenario logged as KEY=VALUE (its first
# such line), e.g. relay_media.
sipp_logged() { sed -n "s/^$2=//p" "$OUT/$1.sipplog" 2>/dev/null | head -n 1; }

# sipp_summary NAME: the successful/failed call lines of SIPp's screen.
sipp_summary() { grep -E 'Successful call|Failed call' "$OUT/$1.screen" | tr -s ' |' ' '; }
# sipp_successful NAME, sipp_failed NAME: the cumulative column of SIPp's
# final screen.
sipp_successful() { awk '/Successful call/ { print $NF }' "$OUT/$1.screen" | tail -n 1; }
sipp_failed() { awk '/Failed call/ { print $NF }' "$OUT/$1.screen" | tail -n 1; }

# sipp_diag NAME: explains a failed SIPp run in the TAP stream.
sipp_diag() {
	echo "SIPp $1: flow $(sip_flow "$1")" | diag
	[ -s "$OUT/$1.err" ] && head -n 20 "$OUT/$1.err" | diag
	[ -s "$OUT/$1.sipplog" ] && diag <"$OUT/$1.sipplog"
}

# check_sipp NAME DESCRIPTION RC EXPECTED_FLOW [WHAT_THE_SCENARIO_CHECKS]:
# two TAP lines: SIPp succeeded (RC), and the messages went the expected way.
check_sipp() {
	local name=$1 desc=$2 rc=$3 want=$4 checks=${5:+ ($5)} flow
	flow=$(sip_flow "$name")
	if [ "$rc" -eq 0 ]; then
		tap_ok "$desc: SIPp scenario passes$checks"
	else
		tap_fail "$desc: SIPp scenario passes$checks: SIPp exit status $rc"
		sipp_diag "$name"
	fi
	if [ "$flow" = "$want" ]; then
		tap_ok "$desc: SIP flow $want"
	else
		tap_fail "$desc: SIP flow $want (got: $flow)"
	fi
}

# capture_start_at PEER NAME PORT [rtp_capture options...]: records PEER's
# PORT (RTCP on PORT+1) in the background until capture_wait NAME; its
# output goes to $OUT/NAME.cap. True once the sockets are bound.
capture_start_at() {
	local peer=$1 name=$2 port=$3
	shift 3
	ip netns exec "$P-$peer" "$CAPTURE" --bind "${PEER_IP[$peer]}:$port" "$@" >"$OUT/$name.cap" 2>"$OUT/$name.caperr" &
	CAP_PID[$name]=$!
	PIDS+=("$!")
	wait_for 3 grep -qs '^ready' "$OUT/$name.cap"
}

# capture_start NAME PORT [options...]: capture_start_at the first peer.
capture_start() { capture_start_at "${RE_PEERS[0]}" "$@"; }

# capture_wait NAME [stop]: waits for the capture to end (or stops it
# with SIGINT) and keeps its final JSON in $OUT/NAME.json.
capture_wait() {
	[ "${2:-}" = stop ] && kill -INT "${CAP_PID[$1]}" 2>/dev/null
	wait "${CAP_PID[$1]}"
	tail -n 1 "$OUT/$1.cap" >"$OUT/$1.json"
	# jq accepts an empty file as true: make a missing capture fail every check.
	if ! [ -s "$OUT/$1.json" ] || ! jq -e 'type == "object"' "$OUT/$1.json" >/dev/null 2>&1; then
		echo '{"error": "rtp_capture printed no result"}' >"$OUT/$1.json"
		diag <"$OUT/$1.caperr"
	fi
}

# call_in_background NAME TARGET SERVICE SIP_PORT MP HZ STAY_MS [SIPp options...]:
# the first peer calls SERVICE at TARGET (ADDR:PORT, [ADDR6]:PORT for
# IPv6: then SIPp and the capture use its IPv6 address) with uac_join from
# SIP_PORT with -mp MP, and hangs up after STAY_MS. Its rtp_capture on
# MP+10 sends HZ to the relay's media address (from the scenario's log)
# and describes each 500 ms; it stops when SIPp ends. In the background:
# wait on CALL_PID[NAME] for SIPp's exit status, then capture_wait NAME.
declare -A CALL_PID
call_in_background() {
	local name=$1 target=$2 service=$3 sip_port=$4 mp=$5 hz=$6 stay=$7 peer=${RE_PEERS[0]} ip
	shift 7
	ip=${PEER_IP[$peer]}
	[[ $target == \[* ]] && ip=${PEER_IP6[$peer]}
	local bind=$ip:$((mp + 10))
	[[ $target == \[* ]] && bind="[$ip]:$((mp + 10))"
	capture_start_at "$peer" "$name" $((mp + 10)) --bind "$bind" --duration-ms $((stay + 20000)) --window-ms 500 \
		--send-to "@$OUT/$name.sipplog" --send-hz "$hz" || tap_fail "$name: rtp_capture ready on $bind"
	(
		sipp_run_at "$peer" "$name" uac_join "$target" -s "$service" -i "$ip" -p "$sip_port" -mp "$mp" \
			-m 1 -d "$stay" "$@"
		rc=$?
		kill -INT "${CAP_PID[$name]}" 2>/dev/null
		exit $rc
	) &
	CALL_PID[$name]=$!
	PIDS+=("$!")
}

# jq_check FILE DESCRIPTION FILTER [SHOW]: ok when the jq FILTER is true of
# FILE; SHOW (a jq expression) puts the measured value in the line.
jq_check() {
	local file=$1 desc=$2 expr=$3 show=${4:-} got=
	[ -n "$show" ] && got=" (got $(jq -r "$show" "$file" 2>/dev/null))"
	# -s: jq 1.6 -e exits 0 on an empty file (a snapshot taken too late).
	if [ -s "$file" ] && jq -e "$expr" "$file" >/dev/null 2>&1; then
		tap_ok "$desc$got"
	else
		tap_fail "$desc$got"
	fi
}

# jcheck NAME DESCRIPTION FILTER [SHOW]: jq_check on capture NAME's JSON.
jcheck() { jq_check "$OUT/$1.json" "${@:2}"; }

# relay_env_ready WHAT [TOOLS...]: preflight and relay_env_setup for a
# test's main(); skips the whole test (exit 0) when preflight says so, and
# fails it (exit 1) when the namespaces cannot be made.
relay_env_ready() {
	preflight "$@" || {
		tap_plan_done
		exit 0
	}
	relay_env_setup && return
	tap_fail "set up namespaces $NS_R and $NS_C${IPV6:+ (IPv6: $IPV6)}"
	tap_plan_done
	exit 1
}
