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
declare -A CALL_PID
join() {
	local name=$1 sip_port=$2 mp=$3 hz=$4 stay=$5
	capture_start "$name" $((mp + 10)) --duration-ms 20000 --window-ms 500 \
		--send-to "@$OUT/$name.sipplog" --send-hz "$hz" || tap_fail "$name: rtp_capture ready"
	(
		sipp_run "$name" uac_join room-m -key offer "0" -p "$sip_port" -mp "$mp" -m 1 -d "$stay"
		rc=$?
		kill -INT "${CAP_PID[$name]}" 2>/dev/null
		exit $rc
	) &
	CALL_PID[$name]=$!
	PIDS+=("$!")
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
		rtprelay_datapath_errors rtprelay_datapath_info rtprelay_datapath_degraded rtprelay_xdp_attached_info)
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
	for field in $(jq -r 'keys[] | select(startswith("calls_") | not) | select(. != "passed")' <<<"$s1"); do
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
	for field in calls_total:rtprelay_calls calls_failed:rtprelay_calls_failed calls_active:rtprelay_calls_active; do
		v=$(metric during "${field#*:}")
		tap_check "${field#*:} is rtprelayctl's ${field%%:*} ($v)" test "$v" = "$(jq ".${field%%:*}" <<<"$s2")"
	done
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
	tap_check "no call is active ($v)" test "$v" = 0
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
	got=$(raw 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n')
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
	if ! start_daemon daemon --listen-http "127.0.0.1:$HTTP_PORT"; then
		tap_fail "rtprelayd starts with --listen-http 127.0.0.1:$HTTP_PORT"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	local got
	got=$(http /health)
	tap_check "GET /health before any call: 200 ok ($got)" test "$got" = "200 ok "
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
