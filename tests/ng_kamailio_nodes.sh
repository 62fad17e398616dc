#!/usr/bin/env bash
# Two rtprelayd nodes in one rtpengine set of Debian's Kamailio, with
# weights 2 and 1, each on the XDP datapath of its own namespace (kernel
# default sysctls):
#
#   relay namespace                              caller namespace 10.98.0.2
#   node A: rtprelayd --listen-ng 127.0.0.1:2223   SIPp uac_basic.xml
#   kamailio -DD on 10.98.0.1:5080,              callee namespace 10.98.1.2
#     rtpengine_sock "udp:127.0.0.1:2223=2         SIPp uas_answer.xml
#                     udp:10.96.0.2:2223=1"
#   nb0 10.96.0.1 ──────────── node namespace: nb0 10.96.0.2
#                              node B: rtprelayd --listen-ng 10.96.0.2:2223
#                                --media-ip 10.96.0.2 --datapath xdp
#
# Node B's media address is not reachable from the phones (it only proves
# the signalling side: which node gets a call); the media of a Kamailio
# call through the kernel is tests/ng_kamailio*.sh's.
#
# What it proves:
#  - the module enables both nodes;
#  - CALLS calls spread over both nodes by weight (each node's ng
#    statistics count the calls it was given; together every call, node A
#    more than node B), each call's delete reaches the node that has it
#    (both nodes hold nothing afterwards);
#  - node B stopped: the next calls all go through, to node A (one of them
#    was first sent to node B, which the module gave up on), and Kamailio
#    keeps running.
#
# Logs, Kamailio's config and SIPp traces stay in $BUILD/test-logs/ng_kamailio_nodes.d/.
# Usage: BUILD=build tests/ng_kamailio_nodes.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/kamailio.sh

DATAPATH=xdp
relay_env_init ng_kamailio_nodes caller callee
PROXY=$RELAY_IP:5080
NG_A=127.0.0.1 NG_B=10.96.0.2 NG_PORT=2223
NODE_NS=$P-node
NODE_BPFFS=$BPFFS-node
NODE_PID=
CALLS=9
AFTER_STOP_CALLS=3
trap 'relay_env_cleanup; rm -rf "$NODE_BPFFS"' EXIT

relay_env_ready "two rtprelayd nodes behind Kamailio" kamailio bpftool clang ethtool

# node_setup: the node namespace and its link to the relay namespace.
node_setup() {
	ip netns add "$NODE_NS" || return 1
	NSES+=("$NODE_NS")
	ip -n "$NS_R" link add nb0 type veth peer name nb0 netns "$NODE_NS" || return 1
	ip -n "$NS_R" -batch - <<-EOF || return 1
		link set dev nb0 up
		addr add 10.96.0.1/24 dev nb0
	EOF
	ip -n "$NODE_NS" -batch - <<-EOF
		link set dev lo up
		link set dev nb0 up
		addr add $NG_B/24 dev nb0
	EOF
}

# start_node_b: start_daemon in the node namespace, with its own bpffs;
# node A stays the daemon of relay_env.sh's functions.
start_node_b() {
	local ns_r=$NS_R bpffs=$BPFFS ifs=$RELAY_IFS pid=$DAEMON_PID log=$DAEMON_LOG rc
	NS_R=$NODE_NS BPFFS=$NODE_BPFFS RELAY_IFS=nb0
	start_daemon node_b --listen-ng "$NG_B:$NG_PORT" --media-ip "$NG_B" --sip-listen 127.0.0.1:5060
	rc=$?
	NODE_PID=$DAEMON_PID
	NS_R=$ns_r BPFFS=$bpffs RELAY_IFS=$ifs DAEMON_PID=$pid DAEMON_LOG=$log
	return $rc
}

tap_check "node namespace $NODE_NS linked to the relay namespace" node_setup
tap_check "node A starts (--listen-ng $NG_A:$NG_PORT, XDP)" start_daemon node_a --listen-ng "$NG_A:$NG_PORT"
tap_check "node B starts (--listen-ng $NG_B:$NG_PORT, XDP)" start_node_b
kamailio_config "udp:$PROXY" "sip:${PEER_IP[callee]}:5060" "udp:$NG_A:$NG_PORT=2 udp:$NG_B:$NG_PORT=1"
kamailio_ready "Kamailio starts and enables both nodes" "udp:$NG_A:$NG_PORT" "udp:$NG_B:$NG_PORT"

# calls NAME N: N calls through Kamailio, 3 a second, each 500 ms; TAP
# lines for both sides' SIPp.
calls() {
	local rc
	sipp_callee callee "$1_uas" uas_answer 5060 -mp 41000 -key answer "0 8" -m "$2"
	sipp_start caller "$1_uac" uac_basic "$PROXY" -s callee -mp "$MP" -d 500 -r 3 -m "$2"
	sipp_end "$1_uac"
	rc=$?
	tap_check "$1: $2 calls through Kamailio succeed (successful $(sipp_successful "$1_uac"), failed $(sipp_failed "$1_uac"))" \
		test "$rc" -eq 0 -a "$(sipp_successful "$1_uac")" = "$2"
	[ "$rc" -eq 0 ] || sipp_diag "$1_uac"
	sipp_end "$1_uas"
	rc=$?
	tap_check "$1: the callee answers them all (status $rc)" test "$rc" -eq 0
}

calls spread "$CALLS"
a=$(ng_statistic "$NG_A" "$NG_PORT" managedsessions)
b=$(ng_statistic "$NG_B" "$NG_PORT" managedsessions)
tap_check "spread: every call went to a node, both got some, A (weight 2) more than B (weight 1) (A $a, B $b)" \
	test "$((a + b))" -eq "$CALLS" -a "$b" -gt 0 -a "$a" -gt "$b"
tap_check "spread: each node's deletes ended its calls (A holds $(ng_statistic "$NG_A" "$NG_PORT" sessionsown), B $(ng_statistic "$NG_B" "$NG_PORT" sessionsown))" \
	test "$(ng_statistic "$NG_A" "$NG_PORT" sessionsown)" = 0 -a "$(ng_statistic "$NG_B" "$NG_PORT" sessionsown)" = 0

kill -TERM "$NODE_PID"
node_b_gone() { ! is_running "$NODE_PID"; }
tap_check "node B stops on SIGTERM" wait_for 5 node_b_gone

# Kamailio picks a node by a hash of the Call-ID (SIPp's carry its PID): a
# round of 3 calls gives none to node B one time in (3/2)^3 = 3.4, and then
# no failover happened. More rounds until one was offered to B, 6 at most
# (all to A: one run in 1500).
b_tried() { grep -qF "can't send command \"offer\" to RTPEngine <udp:$NG_B:$NG_PORT>" "$KAMAILIO_LOG"; }
after=0
for round in 1 2 3 4 5 6; do
	calls "failover$round" "$AFTER_STOP_CALLS"
	after=$((after + AFTER_STOP_CALLS))
	b_tried && break
done
a2=$(ng_statistic "$NG_A" "$NG_PORT" managedsessions)
tap_check "failover: node A took every new call (A $a -> $a2, $after calls in $round rounds)" test "$a2" -eq $((a + after))
tap_check "failover: a call was first given to node B, which did not answer (Kamailio's log)" b_tried
tap_check "failover: Kamailio keeps running" is_running "$KAMAILIO_PID"
relay_holds_nothing "failover: node A after the calls" "$NG_A" "$NG_PORT"

stop_daemon 5
rc=$?
tap_check "SIGTERM: node A exits 0 (status $rc)" test "$rc" -eq 0
tap_plan_done
