#!/usr/bin/env bash
# make bench: rtprelay measured beside the alternatives, in one run, with
# the same packets, on this machine. Prints a table at the end and writes
# it with the machine's description to OUT (default BUILD/bench/):
# results.md (the table), results.json (every figure), logs/ (every tool's
# output).
#
# Usage: tools/bench/bench.sh [BUILD] [--quick] [--out DIR] [--only PARTS]
#   --quick   a few seconds of everything (tests/bench_smoke.sh): small
#             flow counts, one short window, one SIPp step; rtpengine only
#             if it is already installed. Figures from it mean nothing.
#   --only    some of forwarding,cost,walk,sip,ngrate,soak (comma-separated);
#             the table shows "-" for the rest. --quick leaves the soak out
#             unless --only names it (make test runs tests/soak.sh itself).
#
# Forwarding. Three namespaces, two veth pairs:
#
#   gen: bgen ──── brin  relay  brout ──── bsnk: sink
#
# rtpgen (tools/bench/rtpgen.c) sends Ethernet/IPv4/UDP/RTP frames (160-byte PCMU
# payload, 214 bytes) spread round-robin over N flows out of bgen with
# BPF_PROG_RUN live frames; the relay forwards them out of brout; rtpsink
# (tools/bench/rtpsink.c), an XDP program on bsnk, counts them per flow and drops
# them. The relay is, in turn:
#   rtprelay XDP        bpf/rtprelay.bpf.c on brin and brout, flows
#                       programmed latched through the datapath API
#                       (benchflows program), 1, 1000 and 100000 flows, and
#                       1000 IPv6 flows
#   rtprelay userspace  the daemon's userspace datapath (datapath_harness
#                       --datapath userspace: media_loop, flow_apply,
#                       recvmmsg/sendmmsg), 1000 flows
#   Linux forwarding    the kernel's IPv4 forwarding of the same packets
#                       (no rewrite; the relay's addresses routed to the sink)
#   trivial XDP         tools/bench/bpf/macfwd.bpf.c: MAC rewrite and devmap
#                       redirect, nothing else: the XDP ceiling of this box
#   rtpengine           Debian's rtpengine-daemon in userspace mode (table
#                       -1), 1000 calls set up over its ng protocol
#                       (ngcalls); installed with apt-get when missing
# "offered" is what the generator sent (frames the relay's ingress ring had
# no room for are offered but not forwarded). The kernel relays (XDP,
# Linux forwarding) are offered all the generator can send (WINDOWS
# windows, their median). A relay forwards at its own limit only if it is
# offered more than it forwards: where the offered rate is less than 1.2
# times the forwarded one the row is generator-bound, and no ratio to the
# ceiling (the trivial XDP redirect) is printed for it, nor for any row when
# the ceiling itself is generator-bound. Nor where the relay's core (or the
# ceiling's) was less than BUSY_MIN (90%) busy: frames dropped while the
# relay had idle time were lost to the veth rings, not to the relay's
# limit. The frames the sink's veth ring had no room for are counted
# (sink ring drops).
# The relays with a userspace process (rtprelay userspace, rtpengine) lose
# to receive livelock when flooded (the kernel takes their core queueing
# what they have no time to read; rtpengine also mutes a flooding socket),
# so they are measured in a paced sweep: from SWEEP_START up by 20% a step
# until 1% or more is lost; their row is the highest rate with less than 1%
# lost. A flat-out run follows the sweep, in results.json only.
# Loss is counted frame by frame: each frame carries the window it was sent
# in and when (tools/bench/bpf/bench_abi.h), and a window's frames count as
# forwarded whenever they reach the sink (rtpgen waits for the sink to drain
# after the last window) unless 200 ms late or more (late frames are lost
# to a phone's jitter buffer, and a relay would otherwise hide an overload
# in its socket buffers for a whole window). A count of what crossed each
# edge instead took what a relay had queued at the window's end for lost
# (rtpengine's sockets hold thousands of frames; 3 ms of them at a 300 ms
# window is 1%), and rtpengine's row had no rate. Every frame of the window
# that never arrives, or arrives late, is lost, wherever it was held or
# dropped; frames of the warm-up are not the window's.
# The paced generator makes up a stall of its own (its CPU taken away) at
# no more than twice its rate. Made up at once (up to 20 ms of frames), a
# stall reached the relay as one burst at line rate that overflowed brin's
# 256-frame ring whatever the relay's speed (0.1% to 7% of rtpengine's
# frames at 25 kpps in our runs). Offered is what it sent, which falls
# short of a step's rate when the generator's core is busy (the sink's NAPI
# runs there too). rtpengine itself drops nothing while it keeps up: it
# forwards a flow from its first frame (as many datagrams out of its
# sockets as into them), so no warm-up hides any of its losses.
# The XDP programs' own ns per run in live traffic come from BPF run-time
# statistics, in a run of their own.
#
# CPU placement, so that one core is the relay's and the figures carry over
# to a NIC queue served by one core: the generator and the sink's NAPI
# (threaded, SCHED_FIFO) run on CPU 0; the relay's NAPI (brin, threaded)
# and the userspace relays run on CPU 1. For the kernel relays a second
# generator thread runs on CPU 1 at SCHED_IDLE (rtpgen --spare-cpu): it
# sends only in the time the relay leaves idle, so that a relay that is not
# saturated is offered more until it is. "relay CPU" is the CPU time of the
# relay's NAPI thread and processes per second of the window, "ns/packet"
# that time per forwarded packet: what one core costs per packet, whatever
# the box. Everything measured runs at nice -10, so that other work on the
# machine takes little from it (the table says what else was running).
#
# Soak: tests/soak.sh with SOAK_CALLS calls of each kind (tone, rooms of 2
# and 3, B2BUA, ng) after its warm-up (40 s of each kind at this rate), and
# what is left after them: calls, ports, flows, the daemon's RSS against its
# value after the warm-up.
#
# Also: the XDP program's cost per packet (benchflows cost: BPF_PROG_RUN
# with repeat, beside the helpers it calls), the same over a table of 4000
# and 100000 flows walked in the generator's order and shuffled, beside the
# trivial redirect (benchflows walk), the same walk with live frames on the
# relay core (every redirected frame sent to the sink: the packets/s the
# two forward on one saturated core), flow programming rate and
# memory per flow (benchflows rate), the SIPp call rate with no failed call
# (uac_load.xml, the rate stepped up), and the concurrent tone calls the
# daemon holds with its 20 ms cadence (rtpjitter on the port every call
# offers: p99 jitter <= 2 ms, no loss) with the daemon's CPU and RSS.
#
# The ng call rate (ngrate_phase): calls set up and torn down per second
# over rtpengine's ng protocol (offer, answer, delete, WINDOW calls in
# flight; tools/bench/ngrate.c), the same calls sent to rtprelayd (XDP
# datapath) and to rtpengine (userspace, one thread, no delete delay), each
# on the relay core; first to a stub that answers at once, which is what the
# client alone can offer: a relay's figure near it is the client's limit.
#
# Everything it creates (namespaces, bpffs pins, processes) is removed on
# exit; it ends only the processes it started, by PID.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/wait.sh

BUILD=build
QUICK=0
OUT=
ONLY=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--out)
		OUT=$2
		shift
		;;
	--only)
		ONLY=$2
		shift
		;;
	-*)
		echo "usage: tools/bench/bench.sh [BUILD] [--quick] [--out DIR] [--only forwarding,cost,walk,sip,ngrate,soak]" >&2
		exit 2
		;;
	*) BUILD=$1 ;;
	esac
	shift
done
[ -n "$OUT" ] || OUT=$BUILD/bench
LOG=$OUT/logs
RAW=$OUT/raw

if [ "$QUICK" = 1 ]; then
	MODE=quick WARMUP_MS=300 WINDOW_MS=500 WINDOWS=1 SWEEP_STEPS=2 SWEEP_MS=300
	XDP_FLOWS="1 100 1000" CMP_FLOWS=100 COST_RUNS=20000 RATE_FLOWS=1000
	WALK_FLOWS="100" WALK_RUNS=20000 WALK_ROUNDS=1
	CPS_STEPS="50" CPS_SECONDS=1 TONE_STEPS="20" TONE_TARGET=20 TONE_RATE=100 TONE_WINDOW_MS=1000
	NG_CALLS=300 NG_WINDOW=4
	SOAK_CALLS=20 SOAK_RATE=50
	: "${ONLY:=forwarding,cost,walk,sip,ngrate}"
else
	MODE=full WARMUP_MS=1000 WINDOW_MS=2000 WINDOWS=3 SWEEP_STEPS=16 SWEEP_MS=1500
	XDP_FLOWS="1 1000 100000" CMP_FLOWS=1000 COST_RUNS=1000000 RATE_FLOWS=100000
	WALK_FLOWS=${WALK_FLOWS:-"4000 100000"} WALK_RUNS=${WALK_RUNS:-1000000} WALK_ROUNDS=${WALK_ROUNDS:-5}
	CPS_STEPS="250 500 1000 1500 2000 2500 3000 4000 5000 6000" CPS_SECONDS=4
	TONE_STEPS="100 250 500 1000 2500 5000 7500 10000" TONE_TARGET=5000 TONE_RATE=500 TONE_WINDOW_MS=5000
	NG_CALLS=20000 NG_WINDOW=64
	SOAK_CALLS=10000 SOAK_RATE=200
	: "${ONLY:=forwarding,cost,walk,sip,ngrate,soak}"
fi
REF_FLOWS=${XDP_FLOWS##* } # rtprelay XDP with the most flows: the targets' row
SWEEP_START=25000         # pps, the paced sweep's first rate: far below any userspace relay's limit
GEN_BOUND=1.2             # offered / forwarded below this: the generator, not the relay, is the limit
BUSY_MIN=0.9              # relay core busy below this: something else (the veth rings) is the limit

P=rtpb-$$
NS_GEN=$P-gen NS_RELAY=$P-relay NS_SINK=$P-sink NS_SIPR=$P-sipr NS_SIPC=$P-sipc
BPFFS=/sys/fs/bpf/$P
GEN_CPU=0 RELAY_CPU=1
NICE=-10
PIDS=()
NSES=()
POLICY_RC=

# --- plumbing ------------------------------------------------------------

say() { echo "bench: $*"; }
now_utc() { date -u +%Y-%m-%dT%H:%M:%SZ; }
die() {
	echo "bench: $*" >&2
	exit 1
}

cleanup() {
	local pid ns
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	sleep 0.2
	for pid in "${PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${NSES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$BPFFS"
	[ -n "$POLICY_RC" ] && rm -f "$POLICY_RC"
}

# Reaped processes leave PIDS, so cleanup never signals a recycled PID.
forget_pid() {
	local pid keep=()
	for pid in "${PIDS[@]}"; do
		[ "$pid" = "$1" ] || keep+=("$pid")
	done
	PIDS=("${keep[@]}")
}

# stop_pid PID: SIGTERM, up to 5 s, then SIGKILL.
stop_pid() {
	local i
	kill -TERM "$1" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	forget_pid "$1"
}

# nsrun NS COMMAND...: in a namespace, keeping the host's bpffs (nsenter, not ip netns exec).
nsrun() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# bg NAME NS COMMAND...: starts COMMAND in NS in the background, output in
# $LOG/NAME.out and .err; sets BG_PID, the PID of COMMAND itself (nsenter,
# taskset and nice exec it).
bg() {
	local name=$1 ns=$2
	shift 2
	nsenter --net="/run/netns/$ns" "$@" >"$LOG/$name.out" 2>"$LOG/$name.err" &
	BG_PID=$!
	PIDS+=("$BG_PID")
}

preflight() {
	local tool
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP, BPF_PROG_RUN)"
	[ "$(nproc)" -ge 2 ] || die "needs two CPUs: one for the generator and the sink, one for the relay"
	for tool in ip nsenter ethtool bpftool jq sipp taskset chrt renice pgrep; do
		command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
	done
	for tool in rtpgen rtpsink macfwd benchflows ngcalls ngrate rtpjitter rtprelayd tests/datapath_harness; do
		[ -x "$BUILD/$tool" ] || die "$BUILD/$tool is not built (make BUILD=$BUILD)"
	done
	if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
		mount -t bpf bpf /sys/fs/bpf || die "cannot mount the bpffs on /sys/fs/bpf"
	fi
	mkdir -p "$LOG" "$RAW" "$BPFFS" || die "cannot create $OUT"
	rm -f "$LOG"/* "$RAW"/*
}

# rtpengine-daemon from Debian when missing (full runs only), without
# starting its service: a policy-rc.d that says no, removed afterwards.
ensure_rtpengine() {
	command -v rtpengine >/dev/null && return 0
	[ "$QUICK" = 1 ] && return 1
	say "installing rtpengine-daemon (apt-get) for the comparison"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		POLICY_RC=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC" && chmod 755 "$POLICY_RC"
	fi
	if ! apt-cache policy rtpengine-daemon 2>/dev/null | grep -q 'Candidate: [0-9]'; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOG/apt.log" 2>&1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rtpengine-daemon \
		>>"$LOG/apt.log" 2>&1
	if [ -n "$POLICY_RC" ]; then
		rm -f "$POLICY_RC"
		POLICY_RC=
	fi
	command -v rtpengine >/dev/null
}

# --- the machine -----------------------------------------------------------

# proc_ticks: "PID PPID TICKS NAME" of every process (TICKS: user + system).
proc_ticks() {
	local f line
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" && echo "$line"
	done | awk '{ o = index($0, "("); c = length($0); while (substr($0, c, 1) != ")") c--
		name = substr($0, o + 1, c - o - 1); gsub(/ /, "_", name); split(substr($0, c + 2), f, " ")
		print $1, f[2], f[12] + f[13], name }'
}

# others_busy: "NAME PERCENT" of each process that took more than 2% of a
# CPU over one second and is neither this benchmark's (a descendant of it)
# nor a kernel thread.
others_busy() {
	local before after
	before=$(proc_ticks)
	sleep 1
	after=$(proc_ticks)
	awk -v root=$$ -v hz="$(getconf CLK_TCK)" 'FNR == NR { t0[$1] = $3; next }
		{ parent[$1] = $2 + 0; t1[$1] = $3; name[$1] = $4 }
		END { for (p in t1) { if (!(p in t0)) continue; q = p + 0; while (q > 2 && q != root) q = parent[q] + 0
			pct = 100 * (t1[p] - t0[p]) / hz; if (q != root && q != 2 && p != 2 && pct > 2) print name[p], pct } }' \
		<(echo "$before") <(echo "$after")
}

# Samples others_busy every 15 s into $LOG/others.log for the whole run.
others_sampler() {
	while :; do
		others_busy >>"$LOG/others.log"
		sleep 15
	done
}

# What else ran: each process name seen busy, with the most CPU it took in a sample.
others_summary() {
	awk '{ if ($2 + 0 > max[$1]) max[$1] = $2 + 0 } END {
		for (n in max) { printf "%s%s up to %s%%", sep, n, max[n]; sep = ", " } if (!sep) printf "nothing above 2%% CPU" }' \
		"$LOG/others.log" 2>/dev/null
}

machine_json() {
	local cpu virt
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	virt=$(lscpu 2>/dev/null | awk -F': +' '/Hypervisor vendor/ { print $2 }')
	# lscpu names only the hypervisors it knows (not PVM, say): then the kernel's log, or the CPU flag.
	[ -n "$virt" ] || virt=$(dmesg 2>/dev/null | sed -n 's/.*Hypervisor detected: //p' | head -n 1)
	[ -n "$virt" ] || ! grep -qw hypervisor /proc/cpuinfo || virt="unknown hypervisor"
	jq -n --arg date "$(now_utc)" --arg mode "$MODE" --arg cpu "$cpu" \
		--argjson cores "$(nproc)" --arg kernel "$(uname -r)" --arg virt "${virt:-none}" \
		--arg mem "$(free -g | awk '/^Mem:/ { print $2 " GiB" }')" \
		--arg nic "veth pairs between namespaces, native XDP, threaded NAPI" \
		--arg load_start "$LOAD_START" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
		--arg others "$(others_summary)" \
		'{date: $date, mode: $mode, cpu: $cpu, cores: $cores, kernel: $kernel, hypervisor: $virt,
		  memory: $mem, nic: $nic, load_start: $load_start, load_end: $load_end, others: $others}'
}

# --- forwarding topology -----------------------------------------------------

mac_of() { ip -j -n "$1" link show dev "$2" | jq -r '.[0].address'; }

FWD_READY=0
fwd_setup() {
	local ns
	[ "$FWD_READY" = 1 ] && return 0
	for ns in "$NS_GEN" "$NS_RELAY" "$NS_SINK"; do
		ip netns add "$ns" || return 1
		NSES+=("$ns")
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_GEN" link add bgen type veth peer name brin netns "$NS_RELAY" || return 1
	ip -n "$NS_RELAY" link add brout type veth peer name bsnk netns "$NS_SINK" || return 1
	ip -n "$NS_GEN" -batch - <<-EOF || return 1
		addr add 10.10.1.2/24 dev bgen
		addr add fd00:10:1::2/64 dev bgen nodad
		link set bgen up
	EOF
	ip -n "$NS_SINK" -batch - <<-EOF || return 1
		addr add 10.10.2.2/24 dev bsnk
		addr add fd00:10:2::2/64 dev bsnk nodad
		link set bsnk up
	EOF
	ip -n "$NS_RELAY" -batch - <<-EOF || return 1
		addr add 10.10.1.1/24 dev brin
		addr add 10.10.2.1/24 dev brout
		addr add fd00:10:1::1/64 dev brin nodad
		addr add fd00:10:2::1/64 dev brout nodad
		link set brin up
		link set brout up
		route add 10.12.0.0/16 via 10.10.1.2
		route add 10.14.0.0/16 via 10.10.2.2
		route add fd00:12::/64 via fd00:10:1::2
		route add fd00:14::/64 via fd00:10:2::2
		neigh replace 10.10.1.2 lladdr $(mac_of "$NS_GEN" bgen) dev brin nud permanent
		neigh replace 10.10.2.2 lladdr $(mac_of "$NS_SINK" bsnk) dev brout nud permanent
		neigh replace fd00:10:1::2 lladdr $(mac_of "$NS_GEN" bgen) dev brin nud permanent
		neigh replace fd00:10:2::2 lladdr $(mac_of "$NS_SINK" bsnk) dev brout nud permanent
	EOF
	# Kernel defaults otherwise: forwarding stays off but for the "Linux
	# forwarding" row (relay_start linux), as on a relay host.
	nsrun "$NS_RELAY" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.brin.rp_filter=0 || return 1
	# NAPI on brin even without XDP (Linux forwarding, userspace relays).
	nsrun "$NS_RELAY" ethtool -K brin gro on >/dev/null || return 1
	BRIN_MAC=$(mac_of "$NS_RELAY" brin)
	BSNK_MAC=$(mac_of "$NS_SINK" bsnk)
	FWD_READY=1
}

# relay_addrs add|del K: the relay's own addresses of a K-address layout
# (10.11.0.x on brin, 10.13.0.x on brout), for the relays that bind sockets.
relay_addrs() {
	local k
	for k in $(seq "$2"); do
		echo "addr $1 10.11.0.$k/32 dev brin"
		echo "addr $1 10.13.0.$k/32 dev brout"
	done | ip -n "$NS_RELAY" -batch -
}

# napi_thread DEV: the PID of DEV's NAPI kthread (newest if several).
napi_thread() { pgrep -n "^napi/$1-"; }

# NAPI in threads: the relay's on CPU 1 at the relay's priority, the sink's
# (once its XDP program is attached) on CPU 0, SCHED_FIFO so that the
# generator never keeps it from draining its ring.
place_napi() {
	ip netns exec "$NS_RELAY" sh -c 'echo 1 > /sys/class/net/brin/threaded' || return 1
	ip netns exec "$NS_SINK" sh -c 'echo 1 > /sys/class/net/bsnk/threaded' || return 1
	RELAY_NAPI=$(napi_thread brin)
	SINK_NAPI=$(napi_thread bsnk)
	[ -n "$RELAY_NAPI" ] && [ -n "$SINK_NAPI" ] || return 1
	taskset -pc "$RELAY_CPU" "$RELAY_NAPI" >/dev/null && renice -n "$NICE" -p "$RELAY_NAPI" >/dev/null &&
		taskset -pc "$GEN_CPU" "$SINK_NAPI" >/dev/null && chrt -f -p 1 "$SINK_NAPI"
}

# flows_file N [FAMILY]: the layout's flows, written once.
flows_file() {
	local f=$RAW/flows.${2:-4}.$1
	[ -s "$f" ] || "$BUILD/benchflows" layout --flows "$1" --family "${2:-4}" >"$f" || return 1
	echo "$f"
}

# layout_addrs FLOWS_FILE: how many relay addresses its flows use.
layout_addrs() { cut -d, -f1 "$1" | sed 's/:[0-9]*$//' | sort -u | wc -l; }

# relay_start KIND FLOWS_FILE: sets RELAY_PID (empty for Linux forwarding)
# and GEN_FLOWS (the flows the generator sends: rtpengine's own ports).
relay_start() {
	local kind=$1 flows=$2
	RELAY_PID=
	GEN_FLOWS=$flows
	case $kind in
	xdp)
		bg "$CASE.relay" "$NS_RELAY" "$BUILD/benchflows" program --flows-file "$flows" \
			--bpffs "$BPFFS/dp" --interface brin,brout
		wait_ready "$LOG/$CASE.relay.out" "$BG_PID" 30 || return 1
		RELAY_PROC=$BG_PID # programs and waits: not the relay's CPU
		;;
	trivial)
		bg "$CASE.relay" "$NS_RELAY" "$BUILD/macfwd" --in brin --out brout --dst-mac "$BSNK_MAC"
		wait_ready "$LOG/$CASE.relay.out" "$BG_PID" 10 || return 1
		RELAY_PROC=$BG_PID
		;;
	linux)
		# This row is the kernel's own forwarding, so it alone turns it on.
		nsrun "$NS_RELAY" sysctl -qw net.ipv4.ip_forward=1 || return 1
		ip -n "$NS_RELAY" route add 10.11.0.0/16 via 10.10.2.2 || return 1
		RELAY_PROC=
		;;
	userspace)
		relay_addrs add "$(layout_addrs "$flows")" || return 1
		# shellcheck disable=SC2046 # one --flow word per flow
		bg "$CASE.relay" "$NS_RELAY" taskset -c "$RELAY_CPU" nice -n "$NICE" "$BUILD/tests/datapath_harness" \
			--datapath userspace --bpffs "$BPFFS/us" --interface brin,brout \
			$(sed 's/^/--flow /' "$flows")
		wait_ready "$LOG/$CASE.relay.out" "$BG_PID" 30 || return 1
		RELAY_PID=$BG_PID RELAY_PROC=$BG_PID
		;;
	rtpengine)
		relay_addrs add 1 || return 1
		bg "$CASE.relay" "$NS_RELAY" taskset -c "$RELAY_CPU" nice -n "$NICE" rtpengine --config-file=none \
			--table=-1 --interface=10.11.0.1 --listen-ng=127.0.0.1:2223 --foreground --log-stderr \
			--log-level=2 --port-min=40000 --port-max=60000 --num-threads=1
		RELAY_PID=$BG_PID RELAY_PROC=$BG_PID
		GEN_FLOWS=$RAW/flows.rtpengine
		local i
		for i in $(seq 50); do
			nsrun "$NS_RELAY" "$BUILD/ngcalls" --ng 127.0.0.1:2223 --flows-file "$flows" >"$GEN_FLOWS" \
				2>"$LOG/$CASE.ngcalls.err" && return 0
			kill -0 "$RELAY_PID" 2>/dev/null || return 1
			sleep 0.1
		done
		return 1
		;;
	esac
}

relay_stop() {
	local kind=$1
	[ -n "$RELAY_PROC" ] && stop_pid "$RELAY_PROC"
	case $kind in
	linux)
		ip -n "$NS_RELAY" route del 10.11.0.0/16
		nsrun "$NS_RELAY" sysctl -qw net.ipv4.ip_forward=0
		;;
	userspace) relay_addrs del "$(layout_addrs "$2")" ;;
	rtpengine) relay_addrs del 1 ;;
	esac
}

# The ID of the XDP program on brin.
prog_id() { ip -j -n "$NS_RELAY" link show dev brin | jq '.[0].xdp.prog.id // empty'; }

# gen_run NAME RATE WARMUP_MS WINDOW_MS WINDOWS [rtpgen options...]: one
# generator run (RATE 0: flat out); its JSON in $LOG/$CASE.NAME.out.
gen_run() {
	local name=$1 rate=$2 warmup=$3 window=$4 windows=$5
	shift 5
	nsrun "$NS_GEN" taskset -c "$GEN_CPU" nice -n "$NICE" "$BUILD/rtpgen" --interface bgen --dst-mac "$BRIN_MAC" \
		--flows-file "$GEN_FLOWS" --rate "$rate" --warmup-ms "$warmup" --window-ms "$window" --windows "$windows" \
		--sink-pin "$BPFFS/sink" --quiet-ms 300 "$@" >"$LOG/$CASE.$name.out" 2>"$LOG/$CASE.$name.err"
}

# The paced sweep of a userspace relay: SWEEP_START, then 20% more a step,
# until a step loses 1% or more (or SWEEP_STEPS steps); its steps in
# $LOG/$CASE.sweepNN.out.
sweep_rates() {
	local rate=$SWEEP_START i
	for i in $(seq -w "$SWEEP_STEPS"); do
		gen_run "sweep$i" "$rate" 500 "$SWEEP_MS" 1 "$@" || return
		jq -e '.median | .forwarded_pps > 0.99 * .sent_pps' "$LOG/$CASE.sweep$i.out" >/dev/null || return
		rate=$((rate * 6 / 5))
	done
}

# The program's own cost in live traffic (BPF run-time statistics: run time
# over runs), in a short run of its own: the statistics cost time
# themselves. Prints ns per run, or null.
live_prog_ns() {
	local id
	id=$(prog_id)
	[ -n "$id" ] && gen_run stats 0 0 "$WINDOW_MS" 1 --prog-id "$id" &&
		jq '.median.prog_ns // null' "$LOG/$CASE.stats.out" 2>/dev/null || echo null
}

# fwd_case ID LABEL KIND FLOWS [FAMILY [ACTIVE]]: one relay with FLOWS
# flows, the generator sending on all of them (or on the first ACTIVE): for
# the kernel relays flat out (WINDOWS windows, their median); for the
# userspace relays the paced sweep (its highest step with under 1% lost),
# then flat out. The result is in $RAW/fwd.NN.ID.json (NN: the order of the
# table) with the flat-out figures and every step of the sweep.
FWD_N=0
# What brout handed to the sink's veth and what did not fit in its ring,
# "SENT DROPPED": XDP frames (ethtool's xdp_xmit and xdp_xmit_errors, which
# veth counts at the receiving ring) and skbs (the link's tx packets and
# drops).
sink_ring_counters() {
	local xdp skb
	xdp=$(nsrun "$NS_RELAY" ethtool -S brout 2>/dev/null |
		awk '/tx_queue_[0-9]+_xdp_xmit:/ { s += $2 } /tx_queue_[0-9]+_xdp_xmit_errors:/ { d += $2 } END { print s + 0, d + 0 }')
	skb=$(ip -j -s -n "$NS_RELAY" link show dev brout | jq -r '.[0].stats64.tx | "\(.packets) \(.dropped)"')
	echo "$xdp $skb" | awk '{ print $1 + $3, $2 + $4 }'
}

fwd_case() {
	local id=$1 label=$2 kind=$3 n=$4 family=${5:-4} active=${6:-$4} flows cpu_pids=() note="" live="null" ring0 ring1
	FWD_N=$((FWD_N + 1))
	CASE=fwd.$(printf %02d $FWD_N).$id
	say "forwarding: $label, $n flows"
	flows=$(flows_file "$n" "$family") || return 1
	if ! relay_start "$kind" "$flows"; then
		relay_stop "$kind" "$flows"
		jq -n --arg lbl "$label" --argjson flows "$n" --arg err "$(tail -n 2 "$LOG/$CASE".*err 2>/dev/null)" \
			'{kind: "forward", "label": $lbl, flows: $flows, error: ("relay did not start: " + $err)}' \
			>"$RAW/$CASE.json"
		return
	fi
	if [ "$active" != "$n" ]; then
		GEN_FLOWS=$RAW/flows.$family.$n.first$active
		head -n "$active" "$flows" >"$GEN_FLOWS"
	fi
	bg "$CASE.sink" "$NS_SINK" "$BUILD/rtpsink" --interface bsnk --pin "$BPFFS/sink" --flows "$active"
	local sink=$BG_PID
	if ! wait_ready "$LOG/$CASE.sink.out" "$sink" 10 || ! place_napi; then
		note="sink or NAPI threads not ready"
	fi
	cpu_pids=(--cpu-pid "$RELAY_NAPI")
	[ -n "$RELAY_PID" ] && cpu_pids+=(--cpu-pid "$RELAY_PID")
	case $kind in
	userspace | rtpengine)
		sweep_rates "${cpu_pids[@]}"
		ring0=$(sink_ring_counters)
		gen_run flat 0 "$WARMUP_MS" "$WINDOW_MS" "$WINDOWS" "${cpu_pids[@]}"
		;;
	*)
		ring0=$(sink_ring_counters)
		gen_run flat 0 "$WARMUP_MS" "$WINDOW_MS" "$WINDOWS" --spare-cpu "$RELAY_CPU" "${cpu_pids[@]}"
		;;
	esac
	ring1=$(sink_ring_counters)
	case $kind in
	xdp | trivial) live=$(live_prog_ns) ;;
	esac
	stop_pid "$sink"
	relay_stop "$kind" "$flows"
	if ! jq -e .median "$LOG/$CASE.flat.out" >/dev/null 2>&1; then
		note="generator failed: $(tail -n 1 "$LOG/$CASE.flat.err")"
	fi
	jq -n --arg lbl "$label" --arg kind "$kind" --argjson flows "$n" --argjson active "$active" \
		--argjson family "$family" --arg note "$note" --arg date "$(now_utc)" \
		--argjson live "$live" --argjson bound "$GEN_BOUND" \
		--argjson ring "$(echo "$ring0 $ring1" | awk 'NF == 4 { printf "{\"sent\":%d,\"dropped\":%d}", $3 - $1, $4 - $2; exit } { print "null" }')" \
		--slurpfile flat <(cat "$LOG/$CASE.flat.out" 2>/dev/null || echo '{}') \
		--slurpfile sweep <(cat "$LOG/$CASE".sweep*.out 2>/dev/null) \
		--slurpfile sink <(tail -n 1 "$LOG/$CASE.sink.out" | grep '^{' || echo '{}') '
		[$sweep[] | select(.median.sent_pps > 0) |
		 .median + {rate_pps, loss_pct: (100 * (1 - .median.forwarded_pps / .median.sent_pps))}] as $steps |
		($steps | map(select(.loss_pct < 1)) | last) as $chosen |
		(if ($steps | length) > 0 then $chosen // {} else $flat[0].median // {} end) as $m |
		{kind: "forward", "label": $lbl, datapath: $kind, flows: $flows, active: $active, family: $family,
		 date: $date, measured: (if ($steps | length) > 0 then "paced sweep" else "flat out" end),
		 offered_pps: $m.sent_pps, forwarded_pps: $m.forwarded_pps,
		 generator_bound: (if ($steps | length) > 0 or $m.sent_pps == null then false
		                   else $m.sent_pps < $bound * $m.forwarded_pps end),
		 drop_pct: (if ($m.sent_pps // 0) > 0 then 100 * (1 - $m.forwarded_pps / $m.sent_pps) else null end),
		 relay_cpu: $m.relay_cpu,
		 sink_ring: (if $ring then $ring + {drop_pct: (if ($ring.sent + $ring.dropped) > 0
		                                               then 100 * $ring.dropped / ($ring.sent + $ring.dropped) else null end)}
		             else null end),
		 ns_per_packet: (if ($m.forwarded_pps // 0) > 0 then 1e9 * $m.relay_cpu / $m.forwarded_pps else null end),
		 prog_ns_live: $live, flat_out: $flat[0].median, flat_out_windows: ($flat[0].windows // []),
		 sweep: (if ($steps | length) > 0 then {chosen_pps: $chosen.rate_pps, steps: $steps} else null end),
		 sink: $sink[0],
		 error: (if $note != "" then $note elif ($steps | length) > 0 and $chosen == null
		         then "every rate of the sweep lost 1% or more" else null end)}' >"$RAW/$CASE.json"
}

fwd_phase() {
	local n
	say "forwarding topology: gen -- relay -- sink (CPU $GEN_CPU: generator and sink, CPU $RELAY_CPU: relay)"
	fwd_setup || die "cannot set up the forwarding namespaces"
	for n in $XDP_FLOWS; do
		fwd_case "xdp-$n" "rtprelay XDP" xdp "$n"
	done
	fwd_case xdp-active "rtprelay XDP" xdp "$REF_FLOWS" 4 "$CMP_FLOWS"
	fwd_case xdp6 "rtprelay XDP, IPv6" xdp "$CMP_FLOWS" 6
	fwd_case userspace "rtprelay userspace" userspace "$CMP_FLOWS"
	fwd_case linux "Linux IP forwarding" linux "$CMP_FLOWS"
	fwd_case trivial "trivial XDP redirect" trivial "$CMP_FLOWS"
	if ensure_rtpengine; then
		fwd_case rtpengine "rtpengine $(rtpengine --version 2>&1 | awk '{ print $NF; exit }')" rtpengine "$CMP_FLOWS"
	else
		jq -n --argjson flows "$CMP_FLOWS" '{kind: "forward", "label": "rtpengine", flows: $flows,
			error: "not installed (full runs install rtpengine-daemon with apt-get)"}' >"$RAW/fwd.99.rtpengine.json"
	fi
}

# --- the XDP program and the flow table ----------------------------------------

# In the relay namespace of the forwarding topology: the hit is routed out of brout.
cost_phase() {
	local n
	fwd_setup || die "cannot set up the forwarding namespaces"
	# Only for the bpf_fib_lookup column, which times the helper the program
	# no longer calls: it answers FWD_DISABLED unless the host forwards.
	nsrun "$NS_RELAY" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for n in 1 "$REF_FLOWS"; do
		say "XDP program cost (BPF_PROG_RUN, repeat), $n flows in the map"
		nsrun "$NS_RELAY" "$BUILD/benchflows" cost --flows "$n" --bpffs "$BPFFS/cost" --interface brin,brout \
			--runs "$COST_RUNS" >"$LOG/cost.$n.out" 2>"$LOG/cost.$n.err"
		jq -c --arg date "$(now_utc)" '. + {kind: "xdp_cost", date: $date}' "$LOG/cost.$n.out" >"$RAW/cost.$n.json" 2>/dev/null ||
			jq -n --argjson n "$n" --arg e "$(tail -n 1 "$LOG/cost.$n.err")" \
				'{kind: "xdp_cost", flows: $n, error: $e}' >"$RAW/cost.$n.json"
	done
	nsrun "$NS_RELAY" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	say "flow programming rate and memory, $RATE_FLOWS flows"
	"$BUILD/benchflows" rate --flows "$RATE_FLOWS" --bpffs "$BPFFS/rate" >"$LOG/rate.out" 2>"$LOG/rate.err"
	jq -c --arg date "$(now_utc)" '. + {kind: "flow_rate", date: $date}' "$LOG/rate.out" >"$RAW/rate.json" 2>/dev/null ||
		jq -n --arg e "$(tail -n 1 "$LOG/rate.err")" '{kind: "flow_rate", error: $e}' >"$RAW/rate.json"
}

# --- the XDP program over a table of flows ---------------------------------------

# benchflows walk in the relay namespace (the hit flows routed out of brout):
# the datapath, the trivial redirect and the walk alone taken in turn, one
# round per call, WALK_ROUNDS calls. BENCH_BASELINE=DIR, another build (say
# of the main branch), takes its turn after each call of this one, in the
# same namespaces, so both see the same load.
# Twice: the programs' own cost (BPF_PROG_RUN with repeat: the verdict is
# returned, nothing is sent), then live (--live: the kernel runs the walk as
# a driver runs XDP, frames from a page pool in batches of 64, and sends what
# is redirected out of brout into the sink, which counts it). The live walk
# runs on the relay core, the frames' arrival included, so the trivial
# redirect's ns over rtprelay's is the ratio of the packets/s the two forward
# on one busy core, with no generator or ring between them to decide it. The
# sink's NAPI runs on the same core (SCHED_FIFO): it drains each batch when
# the walk yields between batches, and the kernel's timer of the run stops
# while it does, so the sink's work is not counted and no frame is lost. With
# the sink on the other core each batch may have to wake it, an IPI (a
# hypercall in a VM) that costs the relay core more the more often the sink
# has gone idle, that is the slower the program: not what a NIC's transmit
# ring costs.
walk_phase() {
	local fam n order r dir tag base live sink
	fwd_setup || die "cannot set up the forwarding namespaces"
	bg walk.sink "$NS_SINK" "$BUILD/rtpsink" --interface bsnk --pin "$BPFFS/sink"
	sink=$BG_PID
	wait_ready "$LOG/walk.sink.out" "$sink" 10 && place_napi && taskset -pc "$RELAY_CPU" "$SINK_NAPI" >/dev/null ||
		die "the sink of the live walk did not start"
	for live in "" live; do
		for fam in 4 6; do
			for n in $WALK_FLOWS; do
				for order in layout shuffled; do
					base=$LOG/walk.$fam.$n.$order${live:+.live}
					say "XDP program over $n flows (IPv$fam, $order order${live:+, live}), $WALK_ROUNDS rounds${BENCH_BASELINE:+, this build and $BENCH_BASELINE in turn}"
					rm -f "$base".*
					for r in $(seq "$WALK_ROUNDS"); do
						for dir in "$BUILD" ${BENCH_BASELINE:+"$BENCH_BASELINE"}; do
							tag=$([ "$dir" = "$BUILD" ] && echo this || echo baseline)
							nsrun "$NS_RELAY" taskset -c "$RELAY_CPU" nice -n "$NICE" "$dir/benchflows" walk --flows "$n" \
								--family "$fam" --bpffs "$BPFFS/walk" --interface brin,brout --runs "$WALK_RUNS" --rounds 1 \
								$([ "$order" = shuffled ] && echo --shuffled) ${live:+--live --sink-pin "$BPFFS/sink"} \
								>>"$base.$tag.out" 2>>"$base.$tag.err"
						done
					done
					for tag in this ${BENCH_BASELINE:+baseline}; do
						jq -s -c --arg date "$(now_utc)" --arg build "$tag" --argjson fam "$fam" --argjson n "$n" \
							--arg order "$order" --argjson live "$([ -n "$live" ] && echo true || echo false)" '
							def med: sort | .[length / 2 | floor];
							{kind: "xdp_walk", build: $build, family: $fam, flows: $n, order: $order, live: $live, date: $date} +
							if length == 0 then {error: "no round ran"}
							else {runs: .[0].runs, rounds: length, walk_alone_ns: (map(.walk_alone_ns.min) | med),
							      trivial_ns: (map(.trivial_ns.min) | med), rtprelay_ns: (map(.rtprelay_ns.min) | med),
							      walk_alone_delivered: (map(.walk_alone_delivered) | max),
							      trivial_delivered: (map(.trivial_delivered) | min),
							      rtprelay_delivered: (map(.rtprelay_delivered) | min)} end' \
							"$base.$tag.out" >"$RAW/walk.$tag.$fam.$n.$order${live:+.live}.json"
					done
				done
			done
		done
	done
	stop_pid "$sink"
}

# --- SIP: call rate and concurrent tone calls -----------------------------------

SIP_RELAY=10.97.0.1 SIP_CALLER=10.97.0.2 MP=40000

sip_setup() {
	ip netns add "$NS_SIPR" || return 1
	NSES+=("$NS_SIPR")
	ip netns add "$NS_SIPC" || return 1
	NSES+=("$NS_SIPC")
	ip -n "$NS_SIPR" link add rly0 type veth peer name clr0 netns "$NS_SIPC" || return 1
	ip -n "$NS_SIPR" -batch - <<-EOF || return 1
		link set lo up
		addr add $SIP_RELAY/24 dev rly0
		link set rly0 up
		route add default via $SIP_CALLER
	EOF
	ip -n "$NS_SIPC" -batch - <<-EOF || return 1
		link set lo up
		addr add $SIP_CALLER/24 dev clr0
		link set clr0 up
	EOF
}

# The daemon as configured by default, but with ports and a call limit for
# 25000 calls; on the relay core, at the relay's priority.
daemon_start() {
	bg "sip.daemon" "$NS_SIPR" taskset -c "$RELAY_CPU" nice -n "$NICE" "$BUILD/rtprelayd" --foreground --bpffs "$BPFFS/sip" \
		--media-ip "$SIP_RELAY" --interface rly0 --rtp-ports 10000-59999 --max-calls 30000
	DAEMON_PID=$BG_PID
	local i
	for i in $(seq 100); do
		grep -qs 'running:' "$LOG/sip.daemon.err" "$LOG/sip.daemon.out" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# proc_cpu PID: user + system seconds so far.
proc_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null ||
		echo 0
}

proc_rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# sipp_calls NAME RATE CALLS HOLD_MS: uac_load.xml calls to sip:tone@relay, in
# the background (SIPP_PID); the statistics in $LOG/NAME.csv, the final
# screen in $LOG/NAME.screen. timeout passes a SIGTERM on to SIPp.
sipp_calls() {
	local name=$1 rate=$2 calls=$3 hold=$4
	printf 'SEQUENTIAL\ntone;\n' >"$LOG/tone.inf"
	timeout $((calls / rate + hold / 1000 + 60)) ip netns exec "$NS_SIPC" taskset -c "$GEN_CPU" nice -n "$NICE" sipp \
		-sf sipp_scenarios/uac_load.xml "$SIP_RELAY:5060" -inf "$LOG/tone.inf" -i "$SIP_CALLER" -mp "$MP" -d "$hold" \
		-r "$rate" -rp 1000 -m "$calls" -l "$calls" -nostdin -timeout $((calls / rate + hold / 1000 + 45)) \
		-timeout_error -trace_stat -stf "$LOG/$name.csv" -fd 1 -trace_err -error_file "$LOG/$name.err" \
		>"$LOG/$name.screen" 2>&1 &
	SIPP_PID=$!
	PIDS+=("$SIPP_PID")
}

# sipp_wait: SIPp's exit status.
sipp_wait() {
	local rc
	wait "$SIPP_PID"
	rc=$?
	forget_pid "$SIPP_PID"
	return $rc
}

# sipp_stat NAME COLUMN: the last value of a column of SIPp's statistics (e.g. FailedCall(C)).
sipp_stat() {
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c { v = $c } END { print v + 0 }' "$LOG/$1.csv" 2>/dev/null
}

# The highest rate (calls/s, INVITE to BYE) SIPp completes with no failed call.
call_rate_phase() {
	local cps ok calls name c0 c1 t0 t1 steps=() best=0 rc
	for cps in $CPS_STEPS; do
		calls=$((cps * CPS_SECONDS))
		name=sip.rate.$cps
		say "SIPp call rate: $cps calls/s, $calls calls"
		c0=$(proc_cpu "$DAEMON_PID")
		t0=$(date +%s.%N)
		sipp_calls "$name" "$cps" "$calls" 0
		sipp_wait
		rc=$?
		c1=$(proc_cpu "$DAEMON_PID")
		t1=$(date +%s.%N)
		ok=$(sipp_stat "$name" 'SuccessfulCall(C)')
		steps+=("$(jq -n --argjson cps "$cps" --argjson calls "$calls" --argjson ok "${ok:-0}" --argjson rc "$rc" \
			--argjson failed "$(sipp_stat "$name" 'FailedCall(C)')" \
			--argjson retrans "$(sipp_stat "$name" 'Retransmissions(C)')" \
			--argjson cpu "$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.3f", (b - a) / (e - s) }')" \
			'{cps: $cps, calls: $calls, successful: $ok, failed: $failed, retransmissions: $retrans,
			  sipp_exit: $rc, daemon_cpu: $cpu}')")
		if [ "$rc" -ne 0 ] || [ "${ok:-0}" -ne "$calls" ]; then
			break
		fi
		best=$cps
		kill -0 "$DAEMON_PID" 2>/dev/null || break
	done
	printf '%s\n' "${steps[@]}" | jq -s --argjson best "$best" --arg date "$(now_utc)" \
		'{kind: "call_rate", date: $date, max_cps: $best, steps: .}' \
		>"$RAW/sip.rate.json"
}

# K concurrent tone calls: SIPp holds them while rtpjitter, on the port every
# call offers, measures their cadence once all are up.
tone_step() {
	local k=$1 setup_ms hold_ms jit c0 c1 t0 rss ok
	setup_ms=$((k * 1000 / TONE_RATE + 1500))
	hold_ms=$((setup_ms + TONE_WINDOW_MS + 1000))
	bg "sip.tone.$k.jitter" "$NS_SIPC" taskset -c "$GEN_CPU" nice -n "$NICE" "$BUILD/rtpjitter" --bind "$SIP_CALLER:$((MP + 10))" \
		--warmup-ms "$setup_ms" --duration-ms "$TONE_WINDOW_MS"
	jit=$BG_PID
	wait_ready "$LOG/sip.tone.$k.jitter.out" "$jit" 10 || return 1
	t0=$SECONDS
	sipp_calls "sip.tone.$k" "$TONE_RATE" "$k" "$hold_ms"
	# The daemon's CPU over the measurement window, its RSS at the end of it.
	sleep "$(awk -v ms="$setup_ms" 'BEGIN { print ms / 1000 }')"
	c0=$(proc_cpu "$DAEMON_PID")
	sleep "$(awk -v ms="$TONE_WINDOW_MS" 'BEGIN { print ms / 1000 }')"
	c1=$(proc_cpu "$DAEMON_PID")
	rss=$(proc_rss_mb "$DAEMON_PID")
	wait "$jit" 2>/dev/null
	forget_pid "$jit"
	sipp_wait
	local rc=$?
	ok=$(sipp_stat "sip.tone.$k" 'SuccessfulCall(C)')
	jq -n --argjson k "$k" --argjson ok "${ok:-0}" --argjson rc "$rc" --arg rss "${rss:-0}" \
		--argjson failed "$(sipp_stat "sip.tone.$k" 'FailedCall(C)')" \
		--argjson cpu "$(awk -v a="$c0" -v b="$c1" -v ms="$TONE_WINDOW_MS" 'BEGIN { printf "%.3f", (b - a) * 1000 / ms }')" \
		--slurpfile j <(tail -n 1 "$LOG/sip.tone.$k.jitter.out" | grep '^{' || echo '{}') \
		--argjson seconds $((SECONDS - t0)) '
		{calls: $k, successful: $ok, failed: $failed, sipp_exit: $rc, daemon_cpu: $cpu,
		 daemon_rss_mb: ($rss | tonumber), streams: $j[0].streams, packets: $j[0].packets, pps: $j[0].pps,
		 lost: $j[0].lost,
		 jitter_us: $j[0].jitter_us, burst_ms: $j[0].burst_ms,
		 daemon_us_per_packet: (if ($j[0].pps // 0) > 0 then 1e6 * $cpu / $j[0].pps else null end),
		 seconds: $seconds} |
		.ok = (.failed == 0 and .sipp_exit == 0 and .streams == $k and (.lost // 1) <= 0.001 * (.packets // 0) and
		       (.jitter_us.p99 // 1e9) <= 2000)' >"$RAW/sip.tone.$k.json"
}

# Steps up until the cadence breaks; the target's step is measured in any
# case, to show how far from it the daemon is. The result: the most calls
# below the first failed step.
tone_phase() {
	local k best=null failed=0
	for k in $TONE_STEPS; do
		[ "$failed" = 1 ] && [ "$k" -gt "$TONE_TARGET" ] && break
		say "concurrent tone calls: $k (set up at $TONE_RATE calls/s, measured for $TONE_WINDOW_MS ms)"
		tone_step "$k" || break
		if jq -e .ok "$RAW/sip.tone.$k.json" >/dev/null; then
			[ "$failed" = 0 ] && best=$k
		else
			failed=1
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || break
	done
	jq -s --argjson best "$best" --arg date "$(now_utc)" '{kind: "tone", date: $date, max_calls: $best, steps: sort_by(.calls)}' \
		"$RAW"/sip.tone.[0-9]*.json >"$RAW/sip.tone.json" 2>/dev/null ||
		echo '{"kind": "tone", "max_calls": null, "steps": []}' >"$RAW/sip.tone.json"
}

sip_phase() {
	say "SIP topology: caller (SIPp, rtpjitter) -- relay (rtprelayd on CPU $RELAY_CPU)"
	sip_setup || die "cannot set up the SIP namespaces"
	if ! daemon_start; then
		echo '{"kind": "call_rate", "error": "rtprelayd did not start"}' >"$RAW/sip.rate.json"
		echo '{"kind": "tone", "error": "rtprelayd did not start"}' >"$RAW/sip.tone.json"
		return
	fi
	call_rate_phase
	# A fresh daemon: the rate steps leave nothing behind, but the figures should not depend on it.
	stop_pid "$DAEMON_PID"
	daemon_start || return
	tone_phase
	stop_pid "$DAEMON_PID"
}

# --- ng call rate --------------------------------------------------------------

NG_LISTEN=127.0.0.1:2223

# ng_rate_case NAME LABEL SERVER...: SERVER (an ng server on NG_LISTEN) in
# the SIP relay's namespace on the relay core, ngrate on the generator's,
# its SDPs naming the SIP caller's address; $RAW/ngrate.NAME.json.
ng_rate_case() {
	local name=$1 label=$2 pid c0 c1 t0 t1 out=$RAW/ngrate.$1.out
	shift 2
	say "ng call rate: $label, $NG_CALLS calls, $NG_WINDOW in flight"
	bg "ngrate.$name.server" "$NS_SIPR" taskset -c "$RELAY_CPU" nice -n "$NICE" "$@"
	pid=$BG_PID
	if ! nsrun "$NS_SIPR" "$BUILD/ngrate" --ng "$NG_LISTEN" --wait 20 2>"$LOG/ngrate.$name.wait.err"; then
		stop_pid "$pid"
		jq -n --arg title "$label" --arg name "$name" '{kind: "ng_rate", name: $name, "label": $title,
			error: "the server did not answer ping"}' >"$RAW/ngrate.$name.json"
		return
	fi
	c0=$(proc_cpu "$pid")
	t0=$(date +%s.%N)
	nsrun "$NS_SIPR" taskset -c "$GEN_CPU" nice -n "$NICE" "$BUILD/ngrate" --ng "$NG_LISTEN" --calls "$NG_CALLS" \
		--window "$NG_WINDOW" --peer "$SIP_CALLER" >"$out" 2>"$LOG/ngrate.$name.err"
	c1=$(proc_cpu "$pid")
	t1=$(date +%s.%N)
	stop_pid "$pid"
	jq --arg title "$label" --arg name "$name" --arg date "$(now_utc)" \
		--argjson cpu "$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.3f", (b - a) / (e - s) }')" \
		'{kind: "ng_rate", name: $name, "label": $title, date: $date, server_cpu: $cpu} + .' "$out" \
		>"$RAW/ngrate.$name.json" 2>/dev/null ||
		jq -n --arg title "$label" --arg name "$name" '{kind: "ng_rate", name: $name, "label": $title,
			error: "ngrate printed no result"}' >"$RAW/ngrate.$name.json"
}

ngrate_phase() {
	say "ng topology: ngrate (CPU $GEN_CPU) -> 127.0.0.1 -> relay (CPU $RELAY_CPU), SDPs naming $SIP_CALLER"
	[ -e "/run/netns/$NS_SIPR" ] || sip_setup || die "cannot set up the SIP namespaces"
	ng_rate_case 0-client "ngrate alone (a stub that answers at once)" "$BUILD/ngrate" --echo "$NG_LISTEN"
	ng_rate_case 1-rtprelay "rtprelay (XDP datapath)" "$BUILD/rtprelayd" --foreground --bpffs "$BPFFS/ng" \
		--media-ip "$SIP_RELAY" --interface rly0 --datapath xdp --listen-ng "$NG_LISTEN" --rtp-ports 10000-59999 \
		--max-calls 30000
	if ensure_rtpengine; then
		ng_rate_case 2-rtpengine "rtpengine $(rtpengine --version 2>&1 | awk '{ print $NF; exit }') (userspace, 1 thread)" \
			rtpengine --config-file=none --table=-1 --interface="$SIP_RELAY" --listen-ng="$NG_LISTEN" --foreground \
			--log-stderr --log-level=2 --port-min=10000 --port-max=59999 --num-threads=1 --delete-delay=0
	else
		jq -n '{kind: "ng_rate", name: "2-rtpengine", "label": "rtpengine",
			error: "not installed (full runs install rtpengine-daemon with apt-get)"}' >"$RAW/ngrate.2-rtpengine.json"
	fi
}

# --- soak -----------------------------------------------------------------------

# tests/soak.sh at SOAK_CALLS calls of each kind: its TAP stream in
# $LOG/soak.tap, its figures (and the checks that failed) in $RAW/soak.json.
soak_phase() {
	say "soak: $SOAK_CALLS calls of each kind at $SOAK_RATE calls/s (tests/soak.sh)"
	BUILD=$BUILD TEST_LOGS=$LOG SOAK_CALLS=$SOAK_CALLS SOAK_RATE=$SOAK_RATE bash tests/soak.sh >"$LOG/soak.tap" 2>&1
	jq --arg date "$(now_utc)" --argjson failed "$(grep '^not ok' "$LOG/soak.tap" | jq -R . | jq -s .)" \
		'. + {kind: "soak", date: $date, failed_checks: $failed}' "$LOG/soak.d/soak.json" >"$RAW/soak.json" 2>/dev/null ||
		jq -n --arg date "$(now_utc)" '{kind: "soak", date: $date, error: "tests/soak.sh wrote no figures"}' >"$RAW/soak.json"
}

# --- the table ------------------------------------------------------------------

pktgen_line() {
	echo "tools/bench/pktgen_rtp.sh -i DEV -m RELAY_MAC $("$BUILD/benchflows" layout --flows "$REF_FLOWS" --pktgen)"
}

# results.json: the machine and every result; results.md: the table, from it.
report() {
	local json=$OUT/results.json md=$OUT/results.md
	jq -n --argjson machine "$(machine_json)" --arg pktgen "$(pktgen_line)" --argjson bound "$GEN_BOUND" \
		--argjson busy "$BUSY_MIN" \
		--slurpfile fwd <(cat "$RAW"/fwd.*.json 2>/dev/null) --slurpfile cost <(cat "$RAW"/cost.*.json 2>/dev/null) \
		--slurpfile walk <(cat "$RAW"/walk.*.json 2>/dev/null) \
		--slurpfile rate <(cat "$RAW/rate.json" 2>/dev/null || echo '{}') \
		--slurpfile calls <(cat "$RAW/sip.rate.json" 2>/dev/null || echo '{"steps": []}') \
		--slurpfile tone <(cat "$RAW/sip.tone.json" 2>/dev/null || echo '{"steps": []}') \
		--slurpfile ngrate <(cat "$RAW"/ngrate.*.json 2>/dev/null) \
		--slurpfile soak <(cat "$RAW/soak.json" 2>/dev/null || echo 'null') '
		def saturated: (.relay_cpu // 0) >= $busy;
		($fwd | map(select(.datapath == "trivial" and .forwarded_pps)) | .[0]) as $ceiling |
		{machine: $machine, pktgen: $pktgen, generator_bound_below: $bound, relay_busy_min: $busy,
		 ceiling: (if $ceiling then {label: $ceiling.label, flows: $ceiling.flows, forwarded_pps: $ceiling.forwarded_pps,
		                              generator_bound: $ceiling.generator_bound, relay_cpu: $ceiling.relay_cpu,
		                              relay_saturated: ($ceiling | saturated)} else null end),
		 forwarding: ($fwd | map(. + {relay_saturated: saturated,
		                              ratio_to_ceiling: (if $ceiling and ($ceiling.generator_bound | not) and ($ceiling | saturated) and
		                                                    .forwarded_pps and (.generator_bound | not) and saturated
		                                                 then .forwarded_pps / $ceiling.forwarded_pps else null end)})),
		 xdp_cost: $cost, xdp_walk: $walk, flow_rate: $rate[0], call_rate: $calls[0], tone_calls: $tone[0],
		 ng_rate: $ngrate, soak: $soak[0]}' >"$json" ||
		die "cannot write $json"
	jq -r -f /dev/stdin "$json" >"$md" <<-'JQ'
		def n(d): if . == null then "-" elif type == "number" then
			(if d == 0 then (. | round | tostring) else ((. * pow(10; d) | round) / pow(10; d) | tostring) end)
			else tostring end;
		def pps: if . == null then "-" elif . >= 1e6 then "\((. / 1e4 | round) / 100) M"
			elif . >= 1e3 then "\((. / 10 | round) / 100) k" else (. | round | tostring) end;
		def target(ok): if ok == null then "not measured" elif ok then "met" else "**missed**" end;
		def busy_pct: "\(100 * (.relay_cpu // 0) | round)%";
		def pct: if . == null then "-" else "\(100 * . | round)%" end;
		def live_ratio: if .trivial_ns and .rtprelay_ns then .trivial_ns / .rtprelay_ns else null end;
		def ratio_cell($ceiling): if .forwarded_pps == null then "-"
			elif .generator_bound then "generator-bound"
			elif $ceiling.generator_bound then "generator-bound (the ceiling)"
			elif (.relay_saturated | not) then "none: relay core \(busy_pct) busy"
			elif ($ceiling.relay_saturated | not) then "none: the ceiling's core \($ceiling | busy_pct) busy"
			else (.ratio_to_ceiling | n(2)) end;
		.machine as $m |
		"\($m.cores)-core \(if $m.hypervisor == "none" then "host" else "\($m.hypervisor) VM" end), kernel \($m.kernel)" as $host |
		def measured: "Measured \(.date // "-") on the \($host).";
		.ceiling as $ceiling |
		(.forwarding | map(select(.datapath == "xdp" and .family == 4 and .active == .flows)) | max_by(.flows)) as $x |
		(.forwarding | map(select(.datapath == "trivial"))[0]) as $t |
		(.forwarding | map(select(.datapath == "rtpengine"))[0]) as $e |
		(.xdp_cost | max_by(.flows)) as $c |
		"# rtprelay benchmark (\($m.mode) run, \($m.date))",
		"",
		"Machine: \($m.cpu), \($m.cores) cores (hypervisor: \($m.hypervisor)), \($m.memory), kernel \($m.kernel), \($m.nic).",
		"Load average at start \($m.load_start), at end \($m.load_end). Other processes above 2% CPU during the run (sampled every 15 s): \($m.others).",
		"",
		"## Forwarding (214-byte RTP frames; one relay core)",
		"",
		"Offered: what the generator sent (frames the relay's ingress had no room for are offered, not forwarded). Flat out: the kernel relays, the median of the flat-out windows, the generator on both cores (on the relay's only in the time the relay leaves idle). Paced sweep: the relays with a userspace process (receive livelock), the highest rate of a sweep up by 20% a step that lost under 1% of the frames sent in its window, counted frame by frame: a frame the relay still held at the window's end counts when it arrives, unless 200 ms late or more (then it is lost); offered is what the generator sent, which can be below the step's rate. Ratio: forwarded packets/s to the ceiling's (the trivial XDP redirect), only where the generator offered at least \((.generator_bound_below - 1) * 100 | round)% more than the relay forwarded, and offered the ceiling as much: otherwise generator-bound, and the forwarded rate is only a lower bound of the relay's. A ratio also needs the relay's core and the ceiling's at least \(.relay_busy_min * 100 | round)% busy: a core with idle time while frames drop is not what limits the rate (the veth rings are), and the cell says how busy it was instead. Drops: offered but not forwarded. Sink ring drops: frames the relay sent toward the sink that the sink's veth ring had no room for (XDP xmit errors and skb drops on brout), over the whole flat-out run. Relay CPU: cores the relay used (its NAPI thread and process); ns/packet: that per forwarded packet, what one core costs whatever the box.",
		"",
		"| relay | flows (sending) | measured | offered (generator) | forwarded | ratio to the trivial XDP redirect | drops | sink ring drops | relay CPU | ns/packet (relay core) | XDP prog ns (bpf_stats) | measured on |",
		"| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
		(.forwarding[] | "| \(.label) | \(.flows)\(if .active and .active != .flows then " (\(.active))" else "" end) | \(.measured // "-") | \(.offered_pps | pps)pps | \(.forwarded_pps | pps)pps | \(ratio_cell($ceiling)) | \(.drop_pct | n(1))% | \(.sink_ring.drop_pct | n(1))% | \(.relay_cpu | n(2)) | \(.ns_per_packet | n(0)) | \(.prog_ns_live | n(1)) | \(.date // "-")\(if .error then " | \(.error)" else "" end) |"),
		"",
		"Measured on the \($host), the dates in the last column (UTC).",
		"",
		"XDP prog ns: the program's own run time per packet in live traffic, from BPF run-time statistics, which add two clock reads (bpf_ktime_get_ns, below) to every run.",
		"",
		"## XDP program cost (BPF_PROG_RUN, repeat; ns per packet)",
		"",
		"| flows in map | hit (forwarded) | miss | wrong source | a run itself | bpf_fib_lookup | bpf_ktime_get_ns | bpf_ktime_get_coarse_ns |",
		"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
		(.xdp_cost[] | "| \(.flows) | \(.hit_ns | n(1)) | \(.miss_ns | n(1)) | \(.wrong_source_ns | n(1)) | \(.helpers_ns.run | n(1)) | \(.helpers_ns.fib_lookup | n(1)) | \(.helpers_ns.ktime_get_ns | n(1)) | \(.helpers_ns.ktime_get_coarse_ns | n(1)) |"),
		"",
		"The last four columns time, each in a program of its own (tools/bench/bpf/helpercost.bpf.c), a run that does nothing and the helpers a forwarding path may call: the next-hop lookup and the clocks. \(.xdp_cost[0] | measured)",
		"",
		"## The XDP program over a table of flows (BPF_PROG_RUN, repeat; ns per packet)",
		"",
		"| build | IP | flows | order | the walk alone | trivial redirect | rtprelay | rtprelay minus trivial | measured on |",
		"| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |",
		(.xdp_walk | map(select(.live | not)) | sort_by(.family, .flows, .order, .build)[] | "| \(.build) | \(.family) | \(.flows) | \(.order) | \(.walk_alone_ns | n(0)) | \(.trivial_ns | n(0)) | \(.rtprelay_ns | n(0)) | \((if .rtprelay_ns and .trivial_ns then .rtprelay_ns - .trivial_ns else null end) | n(0)) | \(.date)\(if .error then " | \(.error)" else "" end) |"),
		"",
		"Each run writes the next flow's frame (tools/bench/bpf/flowwalk.bpf.c) and tail-calls the program timed: the datapath with every flow programmed, the trivial redirect, or nothing (the walk alone). Order: the flows one after the other as the generator sends them (layout), or in a random order fixed for the run (shuffled), as unrelated phones send. The three take turns, \(.xdp_walk[0].runs // "-") runs each, and each figure is the median of \(.xdp_walk[0].rounds // "-") rounds' lowest; another build (BENCH_BASELINE) takes its turn after each round of this one. rtprelay minus trivial is what the datapath adds to a packet beyond the least an XDP forwarder does.",
		"",
		"## One core forwarding flat out (the same walk, live frames; ns per packet)",
		"",
		"| build | IP | flows | order | the walk alone | trivial redirect | rtprelay | rtprelay's packets/s to the trivial redirect's | received by the sink (trivial / rtprelay) | measured on |",
		"| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
		(.xdp_walk | map(select(.live)) | sort_by(.family, .flows, .order, .build)[] | "| \(.build) | \(.family) | \(.flows) | \(.order) | \(.walk_alone_ns | n(0)) | \(.trivial_ns | n(0)) | \(.rtprelay_ns | n(0)) | \(live_ratio | pct) | \(100 * .trivial_delivered? | n(0))% / \(100 * .rtprelay_delivered? | n(0))% | \(.date)\(if .error then " | \(.error)" else "" end) |"),
		"",
		"The walk again, on the relay core, but run by the kernel as a driver runs XDP (BPF_PROG_RUN with live frames): frames from a page pool in batches of 64, each verdict carried out, every redirected frame sent out of brout into the sink's veth. The core is busy from the first frame to the last, so each figure is what one core spends a packet forwarding flat out, the frames' arrival included, and the trivial redirect's ns over rtprelay's is the ratio of the packets/s the two forward on one core: no generator or veth ring decides it. The sink's NAPI counts and drops the frames on the same core between batches, its time not counted (the run's timer stops while the walk yields); the sink's column is what arrived of what was sent.",
		"",
		"## Flow table (datapath API, \(.flow_rate.flows) flows)",
		"",
		"flows added \(.flow_rate.add_per_s | pps)/s, removed \(.flow_rate.delete_per_s | pps)/s; kernel memory \(.flow_rate.bytes_per_flow | n(0)) bytes per flow (flow map memlock \(.flow_rate.memlock_empty) B empty, \(.flow_rate.memlock_full) B full). \(.flow_rate | measured)",
		"",
		"## Calls (SIPp uac_load.xml, sip:tone)",
		"",
		"Highest call rate with 0 failed calls: **\(.call_rate.max_cps // "-") calls/s** (INVITE to BYE, \(.call_rate.steps | length) steps). \(.call_rate | measured)",
		"",
		"| calls/s | calls | successful | failed | retransmissions | daemon CPU |",
		"| ---: | ---: | ---: | ---: | ---: | ---: |",
		(.call_rate.steps[]? | "| \(.cps) | \(.calls) | \(.successful) | \(.failed) | \(.retransmissions) | \(.daemon_cpu | n(2)) |"),
		"",
		"Most concurrent tone calls with the 20 ms cadence intact (p99 jitter <= 2 ms, under 0.1% lost, every call up): **\(.tone_calls.max_calls // "-")**. \(.tone_calls | measured)",
		"",
		"| calls | streams | packets/s | lost | jitter p50 / p99 / max (us) | tick burst p50 / max (ms) | daemon CPU | daemon us/packet | daemon RSS |",
		"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
		(.tone_calls.steps[]? | "| \(.calls) | \(.streams) | \(.pps | n(0)) | \(.lost) | \(.jitter_us.p50) / \(.jitter_us.p99) / \(.jitter_us.max) | \(.burst_ms.p50 | n(1)) / \(.burst_ms.max | n(1)) | \(.daemon_cpu | n(2)) | \(.daemon_us_per_packet | n(1)) | \(.daemon_rss_mb) MB |"),
		"",
		"Daemon memory: \((.tone_calls.steps | if length > 1 then ((last.daemon_rss_mb - first.daemon_rss_mb) * 1024 / (last.calls - first.calls)) else null end) | n(1)) KiB of RSS per call.",
		"",
		"Tick burst: how long the packets of one 20 ms tick take to leave, back to back (rtpjitter); near 20 ms the media thread has no idle time left. The daemon makes a tone packet from one encoded second per frequency and codec shared by all calls (an RTP header and a pointer); its time per packet is sendto and, on veth, the receiver's side of the stack, which runs on the sender's core.",
		"",
		"## ng call rate (offer, answer, delete; ngrate)",
		"",
		"The same calls to each server, \(.ng_rate[0].window // "-") in flight; the first row is the client against a stub that answers at once: what the client alone can offer. A relay whose rate is near it is measured at the client's limit, not its own.",
		"",
		"| server | calls | completed | failed | calls/s | call p50 / p99 (ms) | server CPU | measured on |",
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
		(.ng_rate[] | "| \(.label) | \(.calls // "-") | \(.completed // "-") | \(.failed // "-") | \(.calls_per_s | n(0)) | \(.call_ms.p50 | n(2)) / \(.call_ms.p99 | n(2)) | \(.server_cpu | n(2)) | \(.date // "-")\(if .error then " | \(.error)" else "" end) |"),
		"",
		(.soak | select(. != null) |
		"## Soak (tests/soak.sh)",
		"",
		if .error then .error else
		"\(.tone.soak.calls // "-") calls of each kind at \(.rate) calls/s, each held \(.hold_ms) ms, after a warm-up of \(.tone.warmup.calls // "-"). Daemon VmRSS after the warm-up \(.rss_kb.warm) kB, at the end \(.rss_kb.end) kB (\(.rss_kb.growth_pct)%). \(if (.failed_checks | length) == 0 then "Every check passed." else "Failed: \(.failed_checks | join("; "))" end) \(measured)",
		"",
		"| kind | calls | successful | seconds | left: calls / ports / flows / pinned map | daemon RSS after (kB) |",
		"| --- | ---: | ---: | ---: | --- | ---: |",
		(. as $s | ("tone", "room", "b2bua", "ng") | . as $k | $s[$k] | select(. != null) |
		 "| \($k) | \(.soak.calls) | \(.soak.successful) | \(.soak.seconds) | \($s.left[$k] | "\(.calls) / \(.ports) / \(.flows) / \(.map_entries)") | \($s.rss_kb["after_" + $k]) |"),
		""
		end),
		"## Targets",
		"",
		"| target | measured | |",
		"| --- | --- | --- |",
		(.xdp_walk | map(select(.live and .build == "this")) | group_by(.flows)[] | . as $w |
		 ({"4000": 0.9, "100000": 0.8}[$w[0].flows | tostring]) as $goal | select($goal) |
		 "| XDP >= \(100 * $goal | n(0))% of the trivial redirect's packets/s on one core, \($w[0].flows) flows (live walk) | \($w | map("IPv\(.family) \(.order) \(live_ratio | pct)") | join(", ")) | \(target(if all($w[]; live_ratio) then all($w[]; live_ratio >= $goal) else null end)) |"),
		"| XDP >= 80% of the trivial redirect, \($x.flows // "-") flows (veth) | \(if $x.ratio_to_ceiling then "\(100 * $x.ratio_to_ceiling | n(0))% of its packets/s" else "no packets/s ratio (\($x | ratio_cell($ceiling)))" end); \((if $x.ns_per_packet and $t.ns_per_packet then 100 * $t.ns_per_packet / $x.ns_per_packet else null end) | n(0))% of its rate per core (ns/packet) | \(target(if $x.ratio_to_ceiling then $x.ratio_to_ceiling >= 0.8 else null end)) |",
		"| XDP >= 10x rtpengine userspace (its paced sweep) | \((if $x.forwarded_pps and $e.forwarded_pps then $x.forwarded_pps / $e.forwarded_pps else null end) | n(1))x\(if $x.generator_bound then " (at least: XDP generator-bound)" else "" end) | \(target(if $x.forwarded_pps and $e.forwarded_pps and ($x.forwarded_pps >= 10 * $e.forwarded_pps or ($x.generator_bound | not)) then $x.forwarded_pps >= 10 * $e.forwarded_pps else null end)) |",
		"| XDP program <= 50 ns per forwarded packet (BPF_PROG_RUN, \($c.flows) flows) | \($c.hit_ns | n(1)) ns | \(target(if $c.hit_ns then $c.hit_ns <= 50 else null end)) |",
		"| >= 1000 calls/s, 0 failed | \(.call_rate.max_cps // "-") calls/s | \(target(if .call_rate.max_cps != null then .call_rate.max_cps >= 1000 else null end)) |",
		"| >= 5000 concurrent tone calls, p99 jitter <= 2 ms | \(.tone_calls.max_calls // "-") | \(target(if (.tone_calls.steps | length) > 0 then (.tone_calls.max_calls // 0) >= 5000 else null end)) |",
		"",
		"On a host with kernel pktgen (a real NIC), the same flows: `\(.pktgen)`."
	JQ
}

main() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	preflight
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	others_sampler &
	PIDS+=($!)
	local t0=$SECONDS
	say "$MODE run (namespaces $P-*), results in $OUT"
	[[ ,$ONLY, == *,forwarding,* ]] && fwd_phase
	[[ ,$ONLY, == *,cost,* ]] && cost_phase
	[[ ,$ONLY, == *,walk,* ]] && walk_phase
	[[ ,$ONLY, == *,sip,* ]] && sip_phase
	[[ ,$ONLY, == *,ngrate,* ]] && ngrate_phase
	[[ ,$ONLY, == *,soak,* ]] && soak_phase
	report
	echo
	cat "$OUT/results.md"
	echo
	say "done in $((SECONDS - t0)) s: $OUT/results.md, $OUT/results.json, logs in $LOG"
}

main
