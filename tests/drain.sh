#!/usr/bin/env bash
# Draining (README, "Runtime configuration and draining"): rtprelayctl
# drain refuses new calls while the calls in progress and their media go
# on, on the XDP datapath with the relay namespace on kernel defaults:
#
#   caller namespace 10.98.0.2 ── relay 10.98.0.1 ── callee namespace 10.98.1.2
#   ng client, udp_peer, SIPp     rtprelayd --datapath xdp --listen-ng --listen-http
#
# What it proves:
#  - an ng call (offer, answer) bridged in XDP: the pinned flows' packet
#    counters rise with the media sent through it;
#  - `drain`: status says draining and who asked; a new ng offer gets
#    result=error with error-reason "Parallel session limit reached" (the
#    reason Kamailio's rtpengine module answers by trying its next relay)
#    and a warning naming draining, while a re-offer of the call in
#    progress is answered; a new INVITE gets 503 with Retry-After, a
#    Warning and a Reason naming draining; GET /health is 503 with the
#    reason; the bridged call's flow counters keep rising;
#  - `drain off`: /health is 200 again, a new SIP call and a new ng offer
#    are accepted; SIGUSR1 drains too, status naming it.
# Logs stay in $BUILD/test-logs/drain.d/.
# Usage: BUILD=build tests/drain.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/ng_media.sh

DATAPATH=xdp
relay_env_init drain caller callee
NG_PORT=2223
HTTP_PORT=9108
CALLER_MEDIA=42000
CALLEE_MEDIA=43000
PACKETS=200
SESSION_LIMIT="Parallel session limit reached"

# benc STRING: a bencoded string (ASCII: characters are bytes).
benc() { printf '%d:%s' "${#1}" "$1"; }
# ng NAME COOKIE COMMAND CALL_ID [SDP [TO_TAG]]: one ng request from the
# caller's namespace; the raw bencoded reply in $OUT/NAME.raw.
ng() {
	local name=$1 cookie=$2 msg
	msg="d$(benc command)$(benc "$3")$(benc call-id)$(benc "$4")$(benc from-tag)$(benc ftag-1)"
	[ -n "${5:-}" ] && msg+="$(benc sdp)$(benc "$5")"
	[ -n "${6:-}" ] && msg+="$(benc to-tag)$(benc "$6")"
	in_peer caller python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
sys.stdout.buffer.write(s.recv(70000))' "$RELAY_IP" "$NG_PORT" "$cookie ${msg}e" >"$OUT/$name.raw" 2>"$OUT/$name.err"
}
# ng_has NAME KEY VALUE: the reply has KEY bencoded with VALUE.
ng_has() { grep -aqF -- "$(benc "$2")$(benc "$3")" "$OUT/$1.raw"; }
ng_ok() { ng_has "$1" result ok; }
# sdp_port NAME: the m=audio port of reply NAME's SDP.
sdp_port() { grep -ao 'm=audio [0-9]*' "$OUT/$1.raw" | head -n 1 | cut -d' ' -f2; }
sdp_of() {
	printf 'v=0\r\no=- 42 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=sendrecv\r\n' \
		"${PEER_IP[$1]}" "${PEER_IP[$1]}" "$2"
}
# flow_packets: the packets of every flow in the pinned map, summed.
flow_packets() { relayctl -j flows | jq '[.[].packets] | add // 0'; }
# health: "STATUS BODY" of GET /health.
health() {
	local code
	code=$(in_relay curl -s -m 5 -o "$OUT/health.body" -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")
	echo "$code $(cat "$OUT/health.body")"
}
status_json() { relayctl -j status >"$OUT/$1.json"; }
status_line_draining() { relayctl status | grep -qE '^draining +rtprelayctl drain by uid 0$'; }
drained_by_sigusr1() { relayctl -j status | jq -e '.draining_why == "SIGUSR1"' >/dev/null; }

relay_env_ready "draining" python3 curl
if ! start_daemon daemon --listen-ng "$RELAY_IP:$NG_PORT" --listen-http "127.0.0.1:$HTTP_PORT"; then
	tap_fail "rtprelayd starts in $NS_R"
	diag <"$DAEMON_LOG"
	tap_plan_done
	exit 1
fi

# A call bridged in XDP, media both ways.
ng offer 1 offer call-1 "$(sdp_of caller $CALLER_MEDIA)"
ng answer 2 answer call-1 "$(sdp_of callee $CALLEE_MEDIA)" ttag-1
to_callee=$(sdp_port offer)
to_caller=$(sdp_port answer)
tap_check "ng offer and answer: ok, relay ports $to_callee and $to_caller" \
	eval 'ng_ok offer && ng_ok answer && test -n "$to_callee" -a -n "$to_caller"'
before=$(flow_packets)
relay_media fwd1 caller callee "$RELAY_IP:$to_caller" "$CALLER_MEDIA" "$CALLEE_MEDIA" "$RELAY_IP:$to_callee"
relay_media back1 callee caller "$RELAY_IP:$to_callee" "$CALLEE_MEDIA" "$CALLER_MEDIA" "$RELAY_IP:$to_caller"
mid=$(flow_packets)
tap_check "the pinned flows count the media both ways (+$((mid - before)), at least $((2 * PACKETS - 2)))" \
	test $((mid - before)) -ge $((2 * PACKETS - 2))
tap_check "/health: 200 before draining ($(health))" test "$(health | cut -d' ' -f1)" = 200

relayctl drain >"$OUT/drain.out" 2>&1
tap_check "drain: exit 0 ($(cat "$OUT/drain.out"))" test $? -eq 0
status_json status1
jcheck status1 "status -j: draining, asked by uid 0" \
	'.draining == true and .draining_why == "rtprelayctl drain by uid 0"' '.draining_why'
tap_check "status: a line \"draining  rtprelayctl drain by uid 0\"" \
	status_line_draining
tap_check "the change is logged with the uid" grep -q 'control: uid 0 started draining' "$DAEMON_LOG"

ng offer2 3 offer call-2 "$(sdp_of caller $((CALLER_MEDIA + 100)))"
tap_check "a new ng offer: result=error, error-reason \"$SESSION_LIMIT\" ($(tr -c '[:print:]' ' ' <"$OUT/offer2.raw"))" \
	ng_has offer2 result error
tap_check "... error-reason is exactly \"$SESSION_LIMIT\"" ng_has offer2 error-reason "$SESSION_LIMIT"
tap_check "... and a warning naming draining" ng_has offer2 warning "draining: rtprelayctl drain by uid 0"
ng reoffer 4 offer call-1 "$(sdp_of caller $CALLER_MEDIA)"
tap_check "a re-offer of the call in progress: result=ok, the same relay port" \
	eval 'ng_ok reoffer && test "$(sdp_port reoffer)" = "$to_callee"'

sipp_run refused uac_refused tone -m 1
check_sipp refused "a new INVITE while draining" $? ">INVITE <100 <503 >ACK" "503 with a Retry-After header"
tap_check "... its 503 carries Warning: 399 rtprelay \"draining: ...\"" \
	grep -q '^Warning: 399 rtprelay "draining: rtprelayctl drain by uid 0"' "$OUT/refused.msg"
tap_check "... and Reason: SIP;cause=503;text=\"draining\"" grep -q '^Reason: SIP;cause=503;text="draining"' "$OUT/refused.msg"
got=$(health)
tap_check "/health: 503 naming draining ($got)" test "$got" = "503 draining: rtprelayctl drain by uid 0"

relay_media fwd2 caller callee "$RELAY_IP:$to_caller" "$CALLER_MEDIA" "$CALLEE_MEDIA" "$RELAY_IP:$to_callee"
jcheck fwd2 "while draining, the bridged call's media still arrives ($PACKETS packets)" ".received == $PACKETS" '.'
after=$(flow_packets)
tap_check "... and its pinned flow counters keep rising (+$((after - mid)), at least $((PACKETS - 1)))" \
	test $((after - mid)) -ge $((PACKETS - 1))

relayctl drain off >"$OUT/drain_off.out" 2>&1
tap_check "drain off: exit 0" test $? -eq 0
status_json status2
jcheck status2 "status -j: not draining" '.draining == false and (has("draining_why") | not)' '.draining'
tap_check "/health: 200 again ($(health))" test "$(health | cut -d' ' -f1)" = 200
sipp_run accepted uac_basic tone -m 1 -d 500
check_sipp accepted "a new INVITE after drain off" $? ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
ng offer3 5 offer call-3 "$(sdp_of caller $((CALLER_MEDIA + 200)))"
tap_check "a new ng offer after drain off: result=ok" ng_ok offer3

kill -USR1 "$DAEMON_PID"
tap_check "SIGUSR1: status says draining, asked by SIGUSR1" \
	wait_for 3 drained_by_sigusr1
relayctl drain off
stop_daemon 8
tap_check "rtprelayd exits 0 on SIGTERM" test $? -eq 0
tap_plan_done
