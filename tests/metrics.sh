#!/usr/bin/env bash
# The HTTP metrics of --listen-http, scraped during a room call bridged in
# the kernel and parsed by prometheus_client's text parser (Debian's
# python3-prometheus-client, from /usr/bin/python3).
#
#   relay namespace  rly0 10.98.0.1/24 ── veth0 10.98.0.2/24  caller namespace
#   rtprelayd --datapath xdp --listen-http 127.0.0.1:PORT      SIPp, rtp_capture
#
# What it proves:
#  - /health is 200 "ok" while the daemon takes calls, 503 "draining" after
#    SIGTERM while a BYE is unanswered;
#  - /metrics parses; every family has HELP and a type, every name starts
#    with rtprelay_, counters end in _total;
#  - during the call its values are those of rtprelayctl -j stats and
#    status and of the pinned maps: each datapath counter and the flows'
#    bytes lie between two reads taken before and after the scrape; calls,
#    rooms, ports, flows and the XDP mode are equal;
#  - with an ng call set up beside it (--listen-ng on 127.0.0.1), ng
#    requests and errors by command are the requests the test sent and the
#    error replies it got, and the ng call counts in calls active and total
#    by kind as rtprelayctl -j stats counts it, until its delete;
#  - after the call the counters have not gone down;
#  - a bad method, an unknown path, a malformed header, an oversized header
#    get a 4xx (an unknown HTTP version 505, a request line of garbage a
#    closed connection), and the daemon keeps serving.
# Usage: BUILD=build tests/metrics.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/flows_dump.sh

DATAPATH=xdp
relay_env_init metrics caller
HTTP_PORT=9108
URL=http://127.0.0.1:$HTTP_PORT
PROM_PY=/usr/bin/python3
NG_PORT=2223

# http PATH [curl options...]: "STATUS BODY" of a request in the relay namespace.
http() {
	local path=$1
	shift
	in_relay curl -s -m 5 -o "$OUT/body" -w '%{http_code}' "$@" "$URL$path"
	printf ' %s' "$(tr '\n' ' ' <"$OUT/body")"
}

# scrape NAME: GET /metrics parsed into $OUT/NAME.json; false if it does not parse.
scrape() {
	in_relay curl -s -m 5 "$URL/metrics" >"$OUT/$1.txt" &&
		"$PROM_PY" tests/lib/prometheus_json.py <"$OUT/$1.txt" >"$OUT/$1.json" 2>"$OUT/$1.err"
}

# metric NAME FAMILY [LABEL=VALUE...]: the sum of FAMILY's samples with these labels (and the family's own name).
metric() {
	local name=$1 family=$2 sel='true' kv
	shift 2
	for kv in "$@"; do
		sel="$sel and .labels[\"${kv%%=*}\"] == \"${kv#*=}\""
	done
	jq -r --arg f "$family" "[.families[\$f].samples[] | select(.name | test(\"_(bucket|sum|count|created)\$\") | not) |
		select($sel) | .value] | add // \"none\" | if type == \"number\" then floor else . end" "$OUT/$name.json"
}

# between LOW VALUE HIGH: LOW <= VALUE <= HIGH, all integers.
between() { [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ ]] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }

# flow_bytes: the bytes of every pinned flow, summed.
flow_bytes() { flows_dump "$BPFFS" | jq '[.[].formatted.value.counters.bytes] | add // 0'; }

# join NAME SIP_PORT MP HZ STAY_MS: NAME calls room-m from SIP_PORT, sending HZ; in the background.
join() { call_in_background "$1" "$RELAY_IP:5060" room-m "$2" "$3" "$4" "$5" -key offer "0"; }

# ng NAME COMMAND JSON: an ng request from the relay namespace; the reply in $OUT/ng-NAME.json, and
# COMMAND (as the metrics name it) with the reply's result tallied in $OUT/ng-sent.
ng() {
	in_relay python3 tests/lib/ng_client.py 127.0.0.1 "$NG_PORT" req "m_$1" "$3" >"$OUT/ng-$1.json" 2>"$OUT/ng-$1.err"
	echo "$2 $(jq -r '.reply.result // "none"' "$OUT/ng-$1.json")" >>"$OUT/ng-sent"
}
# ng_sent COMMAND [error]: how many COMMAND requests the test sent (whose reply was an error).
ng_sent() { awk -v c="$1" -v e="${2:-}" '$1 == c && (e == "" || $2 == "error")' "$OUT/ng-sent" | wc -l; }

# An ng call with an offer and an answer, and requests that fail: a query of no call, an offer without SDP, an unknown command.
ng_call_up() {
	local sdp='v=0\r\no=- 1 1 IN IP4 10.98.0.2\r\ns=-\r\nc=IN IP4 10.98.0.2\r\nt=0 0\r\nm=audio PORT RTP/AVP 0\r\n'
	: >"$OUT/ng-sent"
	ng ping ping '{"command": "ping"}'
	ng offer offer "{\"command\": \"offer\", \"call-id\": \"m-ng-1\", \"from-tag\": \"f1\", \"sdp\": \"${sdp/PORT/41000}\"}"
	ng answer answer "{\"command\": \"answer\", \"call-id\": \"m-ng-1\", \"from-tag\": \"f1\", \"to-tag\": \"t1\", \"sdp\": \"${sdp/PORT/41100}\"}"
	ng query_none query '{"command": "query", "call-id": "no-such-call"}'
	ng offer_nosdp offer '{"command": "offer", "call-id": "m-ng-2", "from-tag": "f2"}'
	ng unknown other '{"command": "reboot"}'
	jq_check "$OUT/ng-answer.json" "the ng offer and answer succeed" '.reply.result == "ok"' '.reply'
}

# test_ng NAME: ng requests and errors by command in scrape NAME are what the test sent and got.
test_ng() {
	local c v sent fails=()
	for c in ping offer answer delete query list statistics other; do
		v=$(metric "$1" rtprelay_ng_requests command="$c")
		sent=$(ng_sent "$c")
		[ "$v" = "$sent" ] || fails+=("requests $c: $v, sent $sent")
		v=$(metric "$1" rtprelay_ng_errors command="$c")
		sent=$(ng_sent "$c" error)
		[ "$v" = "$sent" ] || fails+=("errors $c: $v, error replies $sent")
	done
	tap_check "$1: rtprelay_ng_requests_total and rtprelay_ng_errors_total by command are the requests sent and the error replies (offer $(ng_sent offer)/$(ng_sent offer error), other $(ng_sent other)/$(ng_sent other error))${fails[*]:+ (${fails[*]})}" \
		test ${#fails[@]} -eq 0
}

test_format() {
	local bad
	bad=$(jq -r '.families | to_entries[] | select((.key | startswith("rtprelay_") | not) or .value.help == ""
		or .value.type == "unknown" or (.value.type == "counter" and (.value.samples | all(.name | endswith("_total")) | not)))
		| .key' "$OUT/during.json")
	tap_check "every family has HELP, a type, the rtprelay_ prefix, counters end in _total${bad:+ (not: $bad)}" test -z "$bad"
	local want=(rtprelay_build_info rtprelay_uptime_seconds rtprelay_draining rtprelay_calls_active rtprelay_calls
		rtprelay_calls_failed rtprelay_rooms rtprelay_sip_responses rtprelay_rtp_ports_used rtprelay_rtp_ports_free
		rtprelay_media_ticks rtprelay_media_tick_overruns rtprelay_media_tick_jitter_seconds rtprelay_flows
		rtprelay_forwarded_packets rtprelay_forwarded_bytes rtprelay_dropped_packets rtprelay_passed_packets
		rtprelay_datapath_errors rtprelay_datapath_info rtprelay_datapath_degraded rtprelay_xdp_attached_info
		rtprelay_ng_requests rtprelay_ng_errors)
	local missing=() f
	for f in "${want[@]}"; do
		jq -e --arg f "$f" '.families[$f]' "$OUT/during.json" >/dev/null || missing+=("$f")
	done
	tap_check "every documented family is there${missing[*]:+ (missing: ${missing[*]})}" test ${#missing[@]} -eq 0
}

# During the call: stats before and after the scrape bracket its counters. The
# checks take seconds: everything they compare is read at once, first.
test_during_call() {
	local s1 s2 st b1 b2 field v n lo hi reason path=kernel fails=()
	s1=$(relayctl -j stats)
	b1=$(flow_bytes)
	if ! scrape during; then
		tap_fail "GET /metrics parses with prometheus_client: $(cat "$OUT/during.err")"
		return
	fi
	tap_ok "GET /metrics during the call parses with prometheus_client ($(jq '.families | length' "$OUT/during.json") families)"
	s2=$(relayctl -j stats)
	b2=$(flow_bytes)
	st=$(relayctl -j status)
	n=$(bpftool -j map dump pinned "$BPFFS/flows" | jq length)
	for field in $(jq -r 'keys[] | select(test("^(ng_)?calls_") | not) | select(. != "passed")' <<<"$s1"); do
		lo=$(jq ".$field" <<<"$s1")
		hi=$(jq ".$field" <<<"$s2")
		case $field in
		forwarded) v=$(metric during rtprelay_forwarded_packets path=$path) ;;
		errors) v=$(metric during rtprelay_datapath_errors path=$path) ;;
		dropped_*) v=$(metric during rtprelay_dropped_packets path=$path reason="${field#dropped_}") ;;
		pass_*) v=$(metric during rtprelay_passed_packets path=$path reason="${field#pass_}") ;;
		*) v=unknown ;;
		esac
		between "$lo" "$v" "$hi" || fails+=("$field: $lo <= $v <= $hi")
	done
	tap_check "every counter of rtprelayctl -j stats matches the kernel's in /metrics${fails[*]:+ (${fails[*]})}" \
		test ${#fails[@]} -eq 0
	v=$(metric during rtprelay_forwarded_packets path=kernel)
	tap_check "the kernel forwarded the bridge's packets ($v)" test "${v//[!0-9]/}0" -gt 500
	v=$(metric during rtprelay_calls kind=sip)
	tap_check "rtprelay_calls_total{kind=\"sip\"} is rtprelayctl's calls_total ($v)" test "$v" = "$(jq .calls_total <<<"$s2")"
	v=$(metric during rtprelay_calls_failed)
	tap_check "rtprelay_calls_failed is rtprelayctl's calls_failed ($v)" test "$v" = "$(jq .calls_failed <<<"$s2")"
	v=$(($(metric during rtprelay_calls_active) - $(metric during rtprelay_calls_active kind=ng)))
	tap_check "rtprelay_calls_active of the SIP kinds is rtprelayctl's calls_active ($v)" \
		test "$v" = "$(jq .calls_active <<<"$s2")"
	v=$(metric during rtprelay_calls_active kind=ng)
	tap_check "rtprelay_calls_active{kind=\"ng\"} is rtprelayctl's ng_calls_active, 1 ($v)" \
		test "$v" = "$(jq .ng_calls_active <<<"$s2")" -a "$v" = 1
	v=$(metric during rtprelay_calls kind=ng)
	tap_check "rtprelay_calls_total{kind=\"ng\"} is rtprelayctl's ng_calls_total, 1 ($v)" \
		test "$v" = "$(jq .ng_calls_total <<<"$s2")" -a "$v" = 1
	test_ng during
	v=$(metric during rtprelay_calls_active kind=room)
	tap_check "rtprelay_calls_active{kind=\"room\"} is 2 ($v)" test "$v" = 2
	v=$(metric during rtprelay_rooms)
	tap_check "rtprelay_rooms is status' rooms ($v)" test "$v" = "$(jq .rooms <<<"$st")"
	v=$(metric during rtprelay_rtp_ports_used)
	tap_check "rtprelay_rtp_ports_used is status' ports_in_use ($v)" test "$v" = "$(jq .ports_in_use <<<"$st")"
	v=$(($(metric during rtprelay_rtp_ports_free) + v))
	tap_check "used + free RTP ports is status' ports_capacity ($v)" test "$v" = "$(jq .ports_capacity <<<"$st")"
	v=$(metric during rtprelay_flows path=kernel)
	tap_check "rtprelay_flows{path=\"kernel\"} is the pinned map's entries and status' flows ($v, $n, $(jq .flows <<<"$st"))" \
		test "$v" = "$n" -a "$v" = "$(jq .flows <<<"$st")"
	v=$(metric during rtprelay_flows path=kernel state=forwarding)
	tap_check "the bridge's 2 RTP flows forward ($v forwarding)" test "$v" -ge 2
	v=$(metric during rtprelay_forwarded_bytes path=kernel)
	tap_check "forwarded bytes lie between two sums of the pinned flows' bytes ($b1 <= $v <= $b2)" between "$b1" "$v" "$b2"
	BYTES_DURING=$v
	PACKETS_DURING=$(metric during rtprelay_forwarded_packets path=kernel)
	v=$(metric during rtprelay_sip_responses class=2xx)
	tap_check "rtprelay_sip_responses_total{class=\"2xx\"} counts the two 200 OKs ($v)" test "$v" -ge 2
	v=$(metric during rtprelay_sip_responses class=1xx)
	tap_check "rtprelay_sip_responses_total{class=\"1xx\"} counts the two 180s ($v)" test "$v" -ge 2
	v=$(metric during rtprelay_datapath_info datapath=xdp)
	tap_check "rtprelay_datapath_info{datapath=\"xdp\"} is 1 ($v)" test "$v" = 1
	reason=$(jq -r .kernel_path <<<"$st")
	v=$(metric during rtprelay_datapath_degraded)
	tap_check "rtprelay_datapath_degraded is 0 as status' kernel path says ($v, $reason)" test "$v" = 0 -a "$reason" = ok
	reason=$(jq -r '.interfaces[0].xdp' <<<"$st")
	v=$(metric during rtprelay_xdp_attached_info interface=rly0 mode="$reason")
	tap_check "rtprelay_xdp_attached_info{interface=\"rly0\"} says status' mode $reason" test "$v" = 1
	v=$(jq '[.families.rtprelay_media_tick_jitter_seconds.samples[] | select(.name == "rtprelay_media_tick_jitter_seconds_count") | .value][0]' \
		"$OUT/during.json")
	tap_check "the tick jitter histogram counts every tick but the first ($v of $(metric during rtprelay_media_ticks))" \
		test "${v%.*}" -ge 1 -a "${v%.*}" -lt "$(metric during rtprelay_media_ticks)"
	v=$(metric during rtprelay_uptime_seconds)
	tap_check "rtprelay_uptime_seconds counts from the start ($v)" test "$v" -ge 1
}

test_after_call() {
	local v
	scrape after || tap_fail "GET /metrics after the call parses: $(cat "$OUT/after.err")"
	v=$(metric after rtprelay_flows)
	tap_check "after the call no flow is left ($v)" test "$v" = 0
	v=$(metric after rtprelay_forwarded_bytes path=kernel)
	tap_check "forwarded bytes did not go down when the flows went ($BYTES_DURING -> $v)" test "$v" -ge "$BYTES_DURING"
	v=$(metric after rtprelay_forwarded_packets path=kernel)
	tap_check "forwarded packets did not go down ($PACKETS_DURING -> $v)" test "$v" -ge "$PACKETS_DURING"
	v=$(metric after rtprelay_calls_active)
	tap_check "no call is active, SIP or ng ($v)" test "$v" = 0
	v=$(metric after rtprelay_calls kind=ng)
	tap_check "rtprelay_calls_total{kind=\"ng\"} still counts the ng call ($v)" test "$v" = 1
	test_ng after
}

# raw REQUEST: the status line the server answers a request written byte for byte (printf format); "" if none.
raw() { in_relay timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$HTTP_PORT; printf '$1' >&3; head -n 1 <&3" | tr -d '\r'; }

test_bad_requests() {
	local got big
	got=$(http /metrics -X POST -d x)
	tap_check "POST /metrics: 405 ($got)" test "${got%% *}" = 405
	got=$(http /nothing)
	tap_check "GET /nothing: 404 ($got)" test "${got%% *}" = 404
	got=$(raw 'GET /metrics HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n')
	tap_check "a header line without a colon: 400 ($got)" grep -q '^HTTP/1.[01] 400' <<<"$got"
	# Without a Host header: with one, libmicrohttpd 0.9.75 closes after its 505 with the
	# header unread, the kernel answers that with a reset, and a client slower to read
	# than the reset (a loaded machine) loses the 505.
	got=$(raw 'GET /metrics HTTP/9.9\r\n\r\n')
	tap_check "an unknown HTTP version: 505 ($got)" grep -q '^HTTP/1.[01] 505' <<<"$got"
	# libmicrohttpd closes the connection on a request line it cannot split, without an answer.
	got=$(raw 'GARBAGE\r\n\r\n')
	tap_check "a request line of garbage: the connection is closed (${got:-nothing sent})" test -z "$got"
	big=$(head -c 40000 /dev/zero | tr '\0' a)
	got=$(http /metrics -H "X-Big: $big")
	tap_check "a 40 kB header: 4xx ($got)" test "${got:0:1}" = 4
	got=$(in_relay bash -c "exec 3<>/dev/tcp/127.0.0.1/$HTTP_PORT; printf 'GET /health HTTP/1.1\r\nHost: x\r\n' >&3; exec 3<&-")
	got=$(http /health)
	tap_check "after them (and a half-sent request) GET /health still answers 200 ($got)" test "${got%% *}" = 200
}

call_active() { relayctl -j calls | jq -e 'any(.[]; .state == "active")' >/dev/null; }
no_flows() { [ "$(bpftool -j map dump pinned "$BPFFS/flows" | jq length)" = 0 ]; }

# A call whose BYE is never answered keeps the daemon draining for its grace period.
test_draining() {
	local got
	sipp_run drain uac_wait_bye tone -m 1 &
	local sipp=$!
	PIDS+=("$sipp")
	wait_for 5 call_active
	kill_tree "$sipp"
	kill -TERM "$DAEMON_PID"
	sleep 0.2
	got=$(http /health)
	tap_check "after SIGTERM, with a BYE unanswered, GET /health: 503 draining ($got)" \
		grep -q '^503 draining' <<<"$got"
}

main() {
	preflight "HTTP metrics" bpftool clang ethtool curl || {
		tap_plan_done
		exit 0
	}
	if ! "$PROM_PY" -c 'import prometheus_client.parser' 2>/dev/null; then
		tap_skip "HTTP metrics" "python3-prometheus-client not installed"
		tap_plan_done
		exit 0
	fi
	if ! relay_env_setup; then
		tap_fail "set up namespaces $NS_R and $NS_C"
		tap_plan_done
		exit 1
	fi
	if ! start_daemon daemon --listen-http "127.0.0.1:$HTTP_PORT" --listen-ng "127.0.0.1:$NG_PORT"; then
		tap_fail "rtprelayd starts with --listen-http 127.0.0.1:$HTTP_PORT and --listen-ng 127.0.0.1:$NG_PORT"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	local got
	got=$(http /health)
	tap_check "GET /health before any call: 200 ok ($got)" test "$got" = "200 ok "
	ng_call_up
	join alice 5061 40000 440 9000
	sleep 1
	join bob 5062 40100 880 8000
	sleep 3
	test_during_call
	test_format
	for who in alice bob; do
		wait "${CALL_PID[$who]}"
		check_sipp "$who" "room member $who" $? ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
		capture_wait "$who"
	done
	ng delete delete '{"command": "delete", "call-id": "m-ng-1", "from-tag": "f1"}'
	wait_for 3 no_flows
	test_after_call
	test_bad_requests
	tap_check "rtprelayd still runs" is_running "$DAEMON_PID"
	test_draining
	wait_for 8 daemon_gone
	wait "$DAEMON_PID"
	tap_check "rtprelayd exits 0 on SIGTERM" test $? -eq 0
	tap_plan_done
}

main
