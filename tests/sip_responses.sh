#!/usr/bin/env bash
# rtprelay_sip_responses_total counts every SIP response rtprelayd sends,
# by class, read from GET /metrics with prometheus_client's parser: those
# sofia-sip sends by itself as well as the calls' own, each once. What it
# proves, each from the counters before and after:
#  - a request of garbage (a Via to answer to, nothing else a request
#    needs) gets sofia-sip's 400: 4xx +1, nothing else moves;
#  - an OPTIONS and its retransmission get two 200 OK (sofia-sip's answer
#    and its answer to the retransmission): 2xx +2;
#  - a request of a method nobody implements (FOO) gets 501: 5xx +1;
#  - a SIPp tone call (INVITE, ACK, BYE): 1xx +2 (sofia-sip's 100 Trying
#    and rtprelayd's 180), 2xx +2 (the 200 to the INVITE, sofia-sip's 200 to
#    the BYE), as SIPp received them.
# Usage: BUILD=build tests/sip_responses.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

relay_env_init sip_responses caller
HTTP_PORT=9109
CLASSES=(1xx 2xx 3xx 4xx 5xx 6xx)

# counts NAME: GET /metrics parsed into $OUT/NAME.json, then
# rtprelay_sip_responses_total by class as "1xx=N 2xx=N ..."; empty when
# the scrape fails or does not parse.
counts() {
	in_relay curl -s -m 5 "http://127.0.0.1:$HTTP_PORT/metrics" >"$OUT/$1.txt" &&
		/usr/bin/python3 tests/lib/prometheus_json.py <"$OUT/$1.txt" >"$OUT/$1.json" 2>"$OUT/$1.err" &&
		jq -r '[.families.rtprelay_sip_responses.samples[] | select(.name | endswith("_total"))
			| "\(.labels.class)=\(.value | floor)"] | join(" ")' "$OUT/$1.json"
}

# rise BEFORE AFTER: how much each class rose, "1xx=N 2xx=N ..." (a class
# missing from either side is reported as missing).
rise() {
	local c b a out=
	for c in "${CLASSES[@]}"; do
		b=$(sed -n "s/.*\b$c=\([0-9]*\).*/\1/p" <<<"$1") a=$(sed -n "s/.*\b$c=\([0-9]*\).*/\1/p" <<<"$2")
		if [ -n "$a" ] && [ -n "$b" ]; then out+="$c=$((a - b)) "; else out+="$c=missing "; fi
	done
	echo "${out% }"
}

# send_udp NAME: sends the datagrams of python's stdin list (bytes) from the
# caller to the relay's SIP port, one reply awaited after each; the first
# line of every reply in $OUT/NAME.replies.
send_udp() {
	in_peer caller python3 - "${PEER_IP[caller]}" "$RELAY_IP" >"$OUT/$1.replies" 2>&1 <<-EOF
		import socket, sys
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind((sys.argv[1], 5099))
		s.settimeout(2)
		for d in $(cat):
		    s.sendto(d, (sys.argv[2], 5060))
		    try:
		        print(s.recv(4096).split(b"\r\n")[0].decode())
		    except socket.timeout:
		        print("no reply")
	EOF
}

# expect_rise DESCRIPTION BEFORE_NAME AFTER_NAME WANT: one TAP line.
expect_rise() {
	local got
	got=$(rise "$(cat "$OUT/$2.counts")" "$(cat "$OUT/$3.counts")")
	tap_check "$1: $4 (got $got)" test "$got" = "$4"
}

# step NAME: scrapes the counters into $OUT/NAME.counts.
step() { counts "$1" >"$OUT/$1.counts" && [ -s "$OUT/$1.counts" ] || tap_fail "GET /metrics parses ($1: $(cat "$OUT/$1.err"))"; }

# A Via to answer to and nothing else a request needs (From, To, Call-ID, CSeq).
GARBAGE_REQUEST='b"GARBAGE / SIP/2.0\r\nVia: SIP/2.0/UDP CALLER:5099;branch=z9hG4bK-bad1\r\n\r\n"'
OPTIONS_REQUEST='b"OPTIONS sip:tone@RELAY SIP/2.0\r\nVia: SIP/2.0/UDP CALLER:5099;branch=z9hG4bK-opt1\r\n"
	b"From: <sip:probe@CALLER>;tag=1\r\nTo: <sip:tone@RELAY>\r\nCall-ID: options-1@CALLER\r\n"
	b"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"'
FOO_REQUEST='b"FOO sip:tone@RELAY SIP/2.0\r\nVia: SIP/2.0/UDP CALLER:5099;branch=z9hG4bK-foo1\r\n"
	b"From: <sip:probe@CALLER>;tag=1\r\nTo: <sip:tone@RELAY>\r\nCall-ID: foo-1@CALLER\r\n"
	b"CSeq: 1 FOO\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"'

# request TEXT: TEXT with the relay's and the caller's addresses.
request() { sed "s/RELAY/$RELAY_IP/g; s/CALLER/${PEER_IP[caller]}/g" <<<"$1"; }

main() {
	relay_env_ready "SIP response counters" curl
	if ! /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
		tap_skip "SIP response counters" "python3-prometheus-client not installed"
		tap_plan_done
		exit 0
	fi
	if ! start_daemon daemon --listen-http "127.0.0.1:$HTTP_PORT"; then
		tap_fail "rtprelayd starts with --listen-http 127.0.0.1:$HTTP_PORT"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	step start
	echo "[$(request "$GARBAGE_REQUEST")]" | send_udp garbage
	tap_check "a request of garbage: sofia-sip answers 400 ($(head -n 1 "$OUT/garbage.replies"))" \
		grep -q '^SIP/2.0 400 ' "$OUT/garbage.replies"
	step garbage
	expect_rise "sofia-sip's 400 counted" start garbage "1xx=0 2xx=0 3xx=0 4xx=1 5xx=0 6xx=0"

	echo "[$(request "$OPTIONS_REQUEST"), $(request "$OPTIONS_REQUEST")]" | send_udp options
	tap_check "an OPTIONS and its retransmission: two 200 OK ($(tr '\n' ',' <"$OUT/options.replies"))" \
		test "$(grep -c '^SIP/2.0 200 ' "$OUT/options.replies")" = 2
	step options
	expect_rise "sofia-sip's 200 to OPTIONS and its answer to the retransmission counted" garbage options \
		"1xx=0 2xx=2 3xx=0 4xx=0 5xx=0 6xx=0"

	echo "[$(request "$FOO_REQUEST")]" | send_udp foo
	tap_check "a FOO request: answered 501 ($(head -n 1 "$OUT/foo.replies"))" \
		grep -q '^SIP/2.0 501 ' "$OUT/foo.replies"
	step foo
	expect_rise "the 501 counted once" options foo "1xx=0 2xx=0 3xx=0 4xx=0 5xx=1 6xx=0"

	sipp_run tone uac_basic tone -m 1 -d 500
	check_sipp tone "tone call" $? ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	step call
	expect_rise "the call's 100 Trying, 180, 200 and the 200 to its BYE counted" foo call \
		"1xx=2 2xx=2 3xx=0 4xx=0 5xx=0 6xx=0"
	tap_check "rtprelayd still runs" is_running "$DAEMON_PID"
	tap_plan_done
}

main
