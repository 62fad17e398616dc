#!/usr/bin/env bash
# Calls through Debian's Kamailio (its rtpengine module, the configuration
# of tests/lib/kamailio.sh) that do not simply go up and down, with
# rtprelayd on the XDP datapath and the relay namespace on the kernel's
# default sysctls (forwarding off):
#
#   relay namespace                              caller namespace 10.98.0.2
#   rtprelayd --listen-ng 127.0.0.1:2223         SIPp, udp_peer
#     --datapath xdp                             callee namespace 10.98.1.2
#   kamailio -DD on 10.98.0.1:5080               SIPp, udp_peer
#
# What it proves:
#  - CANCEL: the caller cancels while the callee rings (the callee had been
#    offered the relay's address); Kamailio's rtpengine_delete on the
#    CANCEL leaves the relay with no call, RTP port or flow;
#  - 486: the callee is busy; the failure_route's rtpengine_delete leaves
#    the relay clean;
#  - hold by re-INVITE: the callee gets the caller's a=sendonly and the
#    caller the callee's a=recvonly, both with the relay's address and the
#    ports of the call; while held, the caller's media reaches the callee
#    and the callee's is dropped by the kernel (dropped_hold counts it, the
#    caller receives none); after the a=sendrecv re-INVITE both directions
#    arrive again;
#  - audio + video: both m= lines get relay ports on each side (four
#    different ports), and both streams cross the relay both ways through
#    the XDP flows (the forwarded counter rises by all of it).
#
# Logs, Kamailio's config and SIPp traces stay in $BUILD/test-logs/ng_kamailio_calls.d/.
# Usage: BUILD=build tests/ng_kamailio_calls.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/kamailio.sh

DATAPATH=xdp
relay_env_init ng_kamailio_calls caller callee
NG_ADDR=127.0.0.1
NG_PORT=2223
PROXY=$RELAY_IP:5080
CALLEE_MP=41000
PACKETS=100

relay_env_ready "Kamailio scenarios with rtprelayd" kamailio bpftool clang ethtool
kamailio_config "udp:$PROXY" "sip:${PEER_IP[callee]}:5060" "udp:$NG_ADDR:$NG_PORT"
if ! start_daemon daemon --listen-ng "$NG_ADDR:$NG_PORT"; then
	tap_fail "rtprelayd starts with --listen-ng $NG_ADDR:$NG_PORT"
	diag <"$DAEMON_LOG"
	tap_plan_done
	exit 1
fi
kamailio_ready "Kamailio starts, and its rtpengine module enables the relay" "udp:$NG_ADDR:$NG_PORT"

# statistic KEY: the relay's ng statistics KEY.
statistic() { ng_statistic "$NG_ADDR" "$NG_PORT" "$1"; }

# sipp_passes NAME RC WHAT: a TAP line for a SIPp run's status.
sipp_passes() {
	if [ "$2" -eq 0 ]; then
		tap_ok "$3: SIPp scenario passes"
	else
		tap_fail "$3: SIPp scenario passes (status $2)"
		sipp_diag "$1"
	fi
}

# relay_address ADDR:PORT: ADDR is the relay's and PORT in its RTP range.
relay_address() {
	local port=${1##*:}
	[ "${1%:*}" = "$RELAY_IP" ] && [ "$port" -ge "$RTP_MIN" ] && [ "$port" -le "$RTP_MAX" ]
}

# relay_addresses ADDR:PORT...: each one a relay address, no two the same.
relay_addresses() {
	local a
	for a in "$@"; do
		relay_address "$a" || return 1
	done
	[ "$(printf '%s\n' "$@" | sort -u | wc -l)" -eq $# ]
}

# failed_call NAME UAS UAC FLOW WHY PORT: a call from the caller's UAC
# scenario, on SIP port PORT, to the callee's UAS scenario that ends before
# an answer; checks both SIPp runs, that the relay made the call (ng
# statistics: one more created) and that WHY deleted it (one more deleted,
# not a timeout), and that the relay holds nothing afterwards. Each failed
# call has its own caller port: Kamailio retransmits a final error response
# until its ACK arrives, and on a loaded host a late 487 reached the next
# call's SIPp.
failed_call() {
	local name=$1 created deleted
	created=$(statistic managedsessions) deleted=$(statistic regularterminatedsessions)
	sipp_callee callee "${name}_uas" "$2" 5060 -m 1
	sipp_start caller "${name}_uac" "$3" "$PROXY" -s callee -p "$6" -mp "$MP" -m 1
	sipp_end "${name}_uac"
	check_sipp "${name}_uac" "$name" $? "$4"
	sipp_end "${name}_uas"
	sipp_passes "${name}_uas" $? "$name: the callee's side"
	tap_check "$name: the relay made the call and $5 deleted it (created $created -> $(statistic managedsessions), deleted $deleted -> $(statistic regularterminatedsessions))" \
		test "$(statistic managedsessions)" -eq $((created + 1)) -a "$(statistic regularterminatedsessions)" -eq $((deleted + 1))
	relay_holds_nothing "after the $name" "$NG_ADDR" "$NG_PORT"
}

test_cancel() {
	failed_call CANCEL uas_ring_cancel uac_cancel ">INVITE <100 <180 >CANCEL <200/CANCEL <487 >ACK" "the CANCEL" 5071
	tap_check "CANCEL: the ringing callee had been offered a relay address ($(sipp_logged CANCEL_uas relay_media))" \
		relay_address "$(sipp_logged CANCEL_uas relay_media)"
}

test_busy() {
	failed_call 486 uas_busy uac_busy ">INVITE <100 <486 >ACK" "the failure_route" 5072
}

# phase_started NAME PHASE: the SIPp run NAME logged phase=PHASE.
phase_started() { grep -qx "phase=$2" "$OUT/$1.sipplog" 2>/dev/null; }

# both_ways PHASE: PACKETS each way between caller and callee through the
# relay addresses of the hold call; checks that all arrive.
both_ways() {
	relay_media "$1_fwd" caller callee "$to_caller" "$CALLER_RTP" $((CALLEE_MP + 10)) "$to_callee"
	jcheck "$1_fwd" "$1: caller -> callee: $PACKETS packets arrive" ".received == $PACKETS and .from_expected == $PACKETS" .received
	relay_media "$1_back" callee caller "$to_callee" $((CALLEE_MP + 10)) "$CALLER_RTP" "$to_caller"
	jcheck "$1_back" "$1: callee -> caller: $PACKETS packets arrive" ".received == $PACKETS and .from_expected == $PACKETS" .received
}

test_hold() {
	local to_caller to_callee held_drop
	sipp_callee callee hold_uas uas_answer_reinvite 5060 -mp "$CALLEE_MP" -m 1
	sipp_start caller hold_uac uac_reinvite_hold "$PROXY" -s callee -mp "$MP" -m 1

	tap_check "hold: the call is up through Kamailio" wait_for 10 phase_started hold_uac talk
	to_caller=$(sipp_logged hold_uac talk_media) to_callee=$(sipp_logged hold_uas talk_media)
	tap_check "hold: both sides were given relay addresses ($to_caller, $to_callee)" \
		relay_addresses "$to_caller" "$to_callee"
	tap_check "hold: the relay holds the call (ng statistics: $(statistic sessionsown) call, rtprelayctl: $(relay_flow_count) flows)" \
		test "$(statistic sessionsown)" = 1 -a "$(relay_flow_count)" = 4
	both_ways talk
	sipp_go_on caller hold_uac

	tap_check "hold: the a=sendonly re-INVITE is answered a=recvonly through Kamailio" wait_for 10 phase_started hold_uac hold
	tap_check "hold: the relay's offer to the callee (a=sendonly) and answer to the caller (a=recvonly) keep the call's relay ports" \
		test "$(sipp_logged hold_uas hold_media)" = "$to_callee" -a "$(sipp_logged hold_uac hold_media)" = "$to_caller"
	held_drop=$(relayctl -j stats | jq .dropped_hold)
	relay_media hold_fwd caller callee "$to_caller" "$CALLER_RTP" $((CALLEE_MP + 10)) "$to_callee"
	jcheck hold_fwd "hold: caller -> callee still flows: $PACKETS packets arrive" ".received == $PACKETS" .received
	RECV_TIMEOUT_MS=1500 relay_media hold_back callee caller "$to_callee" $((CALLEE_MP + 10)) "$CALLER_RTP" "$to_caller"
	jcheck hold_back "hold: callee -> caller is held: the caller receives nothing" ".received == 0" .received
	held_drop=$(($(relayctl -j stats | jq .dropped_hold) - held_drop))
	tap_check "hold: the kernel dropped them as held (dropped_hold +$held_drop, at least $((PACKETS - 1)))" \
		test "$held_drop" -ge $((PACKETS - 1))
	sipp_go_on caller hold_uac

	tap_check "hold: the a=sendrecv re-INVITE is answered a=sendrecv through Kamailio" wait_for 10 phase_started hold_uac resume
	tap_check "resume: the relay's SDPs keep the call's relay ports" \
		test "$(sipp_logged hold_uas resume_media)" = "$to_callee" -a "$(sipp_logged hold_uac resume_media)" = "$to_caller"
	both_ways resume
	sipp_go_on caller hold_uac

	sipp_end hold_uac
	check_sipp hold_uac "hold and resume" $? \
		">INVITE <100 <180 <200 >ACK <OPTIONS >200/OPTIONS >INVITE <100 <200 >ACK <OPTIONS >200/OPTIONS >INVITE <100 <200 >ACK <OPTIONS >200/OPTIONS >BYE <200/BYE" \
		"each answer's direction"
	sipp_end hold_uas
	sipp_passes hold_uas $? "hold and resume: the callee gets sendrecv, sendonly, sendrecv offers"
	relay_holds_nothing "after the hold call's BYE" "$NG_ADDR" "$NG_PORT"
}

# stream NAME FROM TO RELAY FROM_PORT TO_PORT EXPECT WHAT: relay_media and its check.
stream() {
	relay_media "${@:1:7}"
	jcheck "$1" "audio + video: $8: $PACKETS packets intact, from the relay" \
		".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" .received
}

test_audio_video() {
	local ca cv ea ev fwd flows
	sipp_callee callee av_uas uas_answer_audio_video 5060 -mp "$CALLEE_MP" -m 1
	sipp_start caller av_uac uac_audio_video "$PROXY" -s callee -mp "$MP" -m 1
	answered() { [ -n "$(sipp_logged av_uac video_media)" ]; }
	tap_check "audio + video: the call is answered through Kamailio" wait_for 10 answered
	ca=$(sipp_logged av_uac audio_media) cv=$(sipp_logged av_uac video_media)
	ea=$(sipp_logged av_uas audio_media) ev=$(sipp_logged av_uas video_media)
	tap_check "audio + video: both m= lines have relay ports on each side, four different ones ($ca $cv $ea $ev)" \
		relay_addresses "$ca" "$cv" "$ea" "$ev"
	fwd=$(datapath_forwarded)
	stream av_audio_fwd caller callee "$ca" "$CALLER_RTP" $((CALLEE_MP + 10)) "$ea" "audio caller -> callee"
	stream av_video_fwd caller callee "$cv" $((MP + 20)) $((CALLEE_MP + 20)) "$ev" "video caller -> callee"
	stream av_audio_back callee caller "$ea" $((CALLEE_MP + 10)) "$CALLER_RTP" "$ca" "audio callee -> caller"
	stream av_video_back callee caller "$ev" $((CALLEE_MP + 20)) $((MP + 20)) "$cv" "video callee -> caller"
	fwd=$(($(datapath_forwarded) - fwd))
	tap_check "audio + video: the XDP flows forwarded them (forwarded +$fwd, at least $((4 * PACKETS - 4)))" \
		test "$fwd" -ge $((4 * PACKETS - 4))
	flows=$(relay_flow_count)
	tap_check "audio + video: 8 flows (RTP and RTCP of 2 streams, each way; got $flows)" test "$flows" = 8
	sipp_go_on caller av_uac
	sipp_end av_uac
	check_sipp av_uac "audio + video" $? ">INVITE <100 <180 <200 >ACK <OPTIONS >200/OPTIONS >BYE <200/BYE" "both m= lines answered, H264's fmtp kept"
	sipp_end av_uas
	sipp_passes av_uas $? "audio + video: the callee is offered both streams"
	relay_holds_nothing "after the audio + video call" "$NG_ADDR" "$NG_PORT"
}

test_cancel
test_busy
test_hold
test_audio_video

stop_daemon 5
rc=$?
tap_check "SIGTERM: the daemon exits 0 (status $rc)" test "$rc" -eq 0
tap_plan_done
