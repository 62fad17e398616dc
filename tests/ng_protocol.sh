#!/usr/bin/env bash
# rtprelayd's ng control protocol (userspace/ng/), spoken by a client
# written here in Python with its own bencode, over UDP in a namespace:
#
#   relay namespace 10.98.0.1, fd00:98:1::1       peer namespace 10.98.0.2
#   rtprelayd --config ng.conf (listen-ng on       the client, the caller's
#     both addresses, port 2223), XDP datapath     media; callee 10.98.1.2
#
# What it proves:
#  - ping answers pong over IPv4 and IPv6, list and statistics answer
#    truthfully with no call; keys arrive unsorted as Kamailio sends them;
#    the reply carries the request's cookie and goes to the sender's port;
#  - a request repeated with a cookie already answered gets the first
#    reply again (it is not run a second time);
#  - errors are result=error with an error-reason: invalid bencode, a
#    request that is not a dictionary, no command, an unknown command, a
#    datagram of 33 000 and of 65 000 bytes (read whole, refused); a
#    datagram without a cookie gets no reply;
#  - thousands of random and mutated datagrams leave the daemon running
#    and answering ping, every reply it sent well-formed;
#  - a call as Kamailio's rtpengine module drives it (offer with replace
#    origin and session-connection, answer with the to-tag, each from
#    another source port): the SDPs name the relay's address and ports,
#    codecs pass untouched, and the media of both directions crosses the
#    relay through the XDP flows (the datapath's forwarded counter rises by
#    at least what was sent); query counts it and shows each side's label;
#    rtprelayctl calls (-j and the table), flows, status and stats show the
#    call as an ng call with its call-id, tags and labels, each leg on the
#    port the other side's SDP names, and none of it after the delete;
#    list and statistics show the call; a retransmitted offer gets the same SDP and takes no more ports,
#    a re-offer keeps them; delete frees every port;
#  - direction=[internal external] with two --media-address names: each
#    SDP names the address of the side it goes to, media crosses the relay
#    from each side's address, rtprelayctl shows the legs there; an
#    unknown name is result=error; an asymmetric side is latched to its
#    SDP's address before any packet; list gives each side's label;
#  - a call without media ends after the rtp-timeout (lowered at run time
#    with rtprelayctl set, which also shows the setting applies); SIGTERM with a call up
#    exits cleanly.
#
# Logs stay in $BUILD/test-logs/ng_protocol.d/.
# Usage: BUILD=build tests/ng_protocol.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/ng_media.sh

IPV6=1
DATAPATH=xdp
relay_env_init ng_protocol peer callee
NG_PORT=2223
FUZZ_COUNT=5000
RTP_TIMEOUT=60 # longer than the call test takes between its media and its delete, even on a loaded machine
QUIET_TIMEOUT=3 # set at run time (rtprelayctl set) for the call that sends nothing
CALLER_MEDIA=42000
CALLEE_MEDIA=43000
PACKETS=300

relay_env_ready "ng protocol" python3 bpftool clang ethtool

NGC=tests/lib/ng_client.py

# ng NAME HOST COOKIE JSON: one request from the peer, the reply's JSON in $OUT/NAME.json.
ng() {
	in_peer peer python3 "$NGC" "$2" "$NG_PORT" req "$3" "$4" >"$OUT/$1.json" 2>"$OUT/$1.err"
}
# ng_raw NAME PYTHON_BYTES: a datagram given as a Python bytes expression.
ng_raw() {
	in_peer peer python3 "$NGC" "$RELAY_IP" "$NG_PORT" raw "$2" >"$OUT/$1.json" 2>"$OUT/$1.err"
}
# jcheck_error NAME DESCRIPTION WORDS: an error reply whose reason contains WORDS.
jcheck_error() {
	jcheck "$1" "$2" ".reply.result == \"error\" and (.reply[\"error-reason\"] | contains(\"$3\"))" \
		'.reply["error-reason"] // .'
}

cat >"$OUT/ng.conf" <<EOF
[rtprelay]
listen-ng = $RELAY_IP:$NG_PORT;[$RELAY_IP6]:$NG_PORT
media-address = internal=$RELAY_IP;external=${PEER_RELAY_IP[callee]}
EOF
if ! start_daemon daemon --config "$OUT/ng.conf" --rtp-timeout "$RTP_TIMEOUT"; then
	tap_fail "rtprelayd starts with listen-ng from its config file"
	diag <"$DAEMON_LOG"
	tap_plan_done
	exit 1
fi
tap_ok "rtprelayd starts with listen-ng from its config file"

ng ping4 "$RELAY_IP" 17_1234_1 '{"supports": ["load limit"], "command": "ping"}'
jcheck ping4 "ping over IPv4: pong with the request's cookie" '.cookie == "17_1234_1" and .reply.result == "pong"' '.'
ng ping6 "$RELAY_IP6" 17_1234_2 '{"command": "ping"}'
jcheck ping6 "ping over IPv6: pong" '.cookie == "17_1234_2" and .reply.result == "pong"' '.'

ng list "$RELAY_IP" 18_1234_1 '{"command": "list"}'
jcheck list "list: result ok, no calls" '.reply.result == "ok" and .reply.calls == []' '.'
ng stats "$RELAY_IP" 18_1234_2 '{"command": "statistics"}'
jcheck stats "statistics: no session now, none managed, an uptime" \
	'.reply.result == "ok" and .reply.statistics.currentstatistics.sessionsown == 0
	 and .reply.statistics.totalstatistics.managedsessions == 0
	 and (.reply.statistics.totalstatistics.uptime | type == "number")' '.reply'

# The cookie of the ping, now with another command: the cached pong comes back.
ng again "$RELAY_IP" 17_1234_1 '{"command": "statistics"}'
jcheck again "a repeated cookie gets the first reply, the request is not run again" \
	'.cookie == "17_1234_1" and .reply.result == "pong"' '.'

ng_raw badbenc 'b"c1 d7:command4:ping"'
jcheck_error badbenc "invalid bencode: result=error naming it" "invalid bencode"
ng_raw trailing 'b"c2 d7:command4:pingeXX"'
jcheck_error trailing "trailing bytes: result=error" "trailing bytes"
ng_raw notdict 'b"c3 l7:command4:pinge"'
jcheck_error notdict "a list instead of a dictionary: result=error" "not a dictionary"
ng nocmd "$RELAY_IP" c4 '{"call-id": "x"}'
jcheck_error nocmd "no command: result=error" "command"
ng unknown "$RELAY_IP" c5 '{"command": "reboot"}'
jcheck_error unknown "an unknown command: result=error" "unknown command"
ng_raw dupkey 'b"c6 d7:command4:ping7:command4:pinge"'
jcheck_error dupkey "a duplicate key: result=error" "duplicate"
ng_raw big33k 'b"c7 d7:command4:ping3:pad32969:" + b"x" * 32969 + b"e"'
jcheck_error big33k "a 33 000-byte datagram: refused as too large" "too large (33"
ng_raw big65k 'b"c8 d7:command4:ping3:pad64969:" + b"x" * 64969 + b"e"'
jcheck_error big65k "a 65 000-byte datagram: read whole, refused as too large" "too large (65000"
ng_raw nocookie 'b"d7:command4:pinge"'
jcheck nocookie "a datagram without a cookie: no reply" '.noreply == true' '.'

in_peer peer python3 "$NGC" "$RELAY_IP" "$NG_PORT" fuzz "$FUZZ_COUNT" 20261205 >"$OUT/fuzz.json" 2>"$OUT/fuzz.err"
jcheck fuzz "$FUZZ_COUNT random and mutated datagrams: every reply well-formed" \
	".sent == $FUZZ_COUNT and .replies > 0 and .bad == []" '.'
tap_check "the daemon is still running after the fuzzing" is_running "$DAEMON_PID"
ng after "$RELAY_IP" 19_1234_1 '{"command": "ping"}'
jcheck after "ping after the fuzzing: pong" '.reply.result == "pong"' '.'

# sdp_of PEER PORT: an SDP offering Opus, PCMU and telephone-event at the peer's address.
sdp_of() {
	printf 'v=0\r\no=- 42 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 111 0 101\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n' \
		"${PEER_IP[$1]}" "${PEER_IP[$1]}" "$2"
}
# kamailio_json COMMAND CALL_ID [SDP [TO_TAG]]: a request as Kamailio's module builds it, keys unsorted.
kamailio_json() {
	jq -cn --arg cmd "$1" --arg id "$2" --arg sdp "${3:-}" --arg to "${4:-}" --arg from "${PEER_IP[peer]}" '
		(if $sdp != "" then {supports: ["load limit"], sdp: $sdp, replace: ["origin", "session-connection"]}
		 else {} end)
		+ {"call-id": $id, "received-from": ["IP4", $from], "from-tag": "ftag-1"}
		+ (if $to != "" then {"to-tag": $to} else {} end) + {command: $cmd}'
}
# sdp_port NAME: the m=audio port of reply NAME's SDP.
sdp_port() { jq -r '.reply.sdp' "$OUT/$1.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p' | tr -d '\r'; }
rtp_port_count() { relay_rtp_ports | wc -l; }

fwd_before=$(datapath_forwarded)
ng offer "$RELAY_IP" 1_100_1 "$(kamailio_json offer call-ng-1 "$(sdp_of peer $CALLER_MEDIA)" | jq -c '. + {label: "caller"}')"
jcheck offer "offer: the SDP for the callee names the relay (c= and o=) and keeps the codecs" \
	".reply.result == \"ok\" and (.reply.sdp | contains(\"c=IN IP4 $RELAY_IP\") and contains(\"o=- 42 1 IN IP4 $RELAY_IP\")
	 and contains(\"a=rtpmap:111 opus/48000/2\") and contains(\"a=fmtp:111 useinbandfec=1\") and contains(\"a=sendrecv\"))" '.reply'
to_callee_relay=$(sdp_port offer)
ng answer "$RELAY_IP" 2_101_1 "$(kamailio_json answer call-ng-1 "$(sdp_of callee $CALLEE_MEDIA)" ttag-2 | jq -c '. + {label: "callee"}')"
jcheck answer "answer: the SDP for the caller names the relay and another port" \
	".reply.result == \"ok\" and (.reply.sdp | contains(\"c=IN IP4 $RELAY_IP\"))
	 and (.reply.sdp | contains(\"m=audio $to_callee_relay \") | not)" '.reply'
to_caller_relay=$(sdp_port answer)
tap_check "each call leg holds an RTP and an RTCP port: 4 (got $(rtp_port_count))" test "$(rtp_port_count)" -eq 4

relay_media fwd peer callee "$RELAY_IP:$to_caller_relay" "$CALLER_MEDIA" "$CALLEE_MEDIA" "$RELAY_IP:$to_callee_relay"
jcheck fwd "caller -> callee: $PACKETS packets arrive intact, from the relay's port in the offer" \
	".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" '.'
relay_media back callee peer "$RELAY_IP:$to_callee_relay" "$CALLEE_MEDIA" "$CALLER_MEDIA" "$RELAY_IP:$to_caller_relay"
jcheck back "callee -> caller: $PACKETS packets arrive intact, from the relay's port in the answer" \
	".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" '.'
fwd_after=$(datapath_forwarded)
tap_check "the XDP datapath forwarded them (forwarded +$((fwd_after - fwd_before)), at least $((2 * PACKETS - 2)))" \
	test $((fwd_after - fwd_before)) -ge $((2 * PACKETS - 2))

# A source the caller's leg did not latch to: dropped, and counted on that leg.
WRONG=40
in_peer peer "$BUILD/tests/udp_peer" send --bind "$(peer_media_ip peer):$((CALLER_MEDIA + 50))" \
	--to "$RELAY_IP:$to_caller_relay" --count "$WRONG" --interval-us 1000 >/dev/null 2>>"$OUT/wrong.err"

ng query "$RELAY_IP" 3_102_1 "$(kamailio_json query call-ng-1)"
jcheck query "query: both tags, in dialogue, the packets counted and the $WRONG from another source as errors" \
	".reply.result == \"ok\" and .reply.tags[\"ftag-1\"][\"in dialogue with\"] == \"ttag-2\"
	 and .reply.totals.RTP.packets >= $((2 * PACKETS)) and .reply.totals.RTP.errors == $WRONG" '.reply.totals'
jcheck query "query: each tag with the label its offer or answer gave" \
	'.reply.tags["ftag-1"].label == "caller" and .reply.tags["ttag-2"].label == "callee"' '.reply.tags | map_values(.label)'

# snapshot_ctl NAME: rtprelayctl -j calls, flows, status and stats, and the calls table, in $OUT/NAME-*.
snapshot_ctl() {
	local what
	for what in calls flows status stats; do
		relayctl -j "$what" >"$OUT/$1-$what.json" 2>&1
	done
	relayctl calls >"$OUT/$1-calls.txt" 2>&1
}
snapshot_ctl ctl_up
jq_check "$OUT/ctl_up-calls.json" "rtprelayctl -j calls: the ng call's two legs, marked ng, with its call-id, tags and labels" \
	'[.[] | select(.kind == "ng")] | length == 2 and all(.call_id == "call-ng-1" and .from_tag == "ftag-1"
	 and .to_tag == "ttag-2" and .state == "answered" and .media == "bridge")
	 and (map([.tag, .label]) | sort == [["ftag-1", "caller"], ["ttag-2", "callee"]])' \
	'[.[] | select(.kind == "ng") | {call_id, tag, label, state, media}]'
jq_check "$OUT/ctl_up-calls.json" "rtprelayctl -j calls: each leg's local port is the one the other side's SDP names, with its packets" \
	"([.[] | select(.kind == \"ng\") | {(.tag): .}] | add) as \$l
	 | \$l[\"ftag-1\"].local_rtp == \"$RELAY_IP:$to_caller_relay\" and \$l[\"ttag-2\"].local_rtp == \"$RELAY_IP:$to_callee_relay\"
	 and \$l[\"ftag-1\"].latched and \$l[\"ftag-1\"].packets_in >= $PACKETS and \$l[\"ttag-2\"].packets_in >= $PACKETS" \
	'[.[] | select(.kind == "ng") | {tag, local_rtp, latched, packets_in}]'
jq_check "$OUT/ctl_up-calls.json" "rtprelayctl -j calls: the $WRONG packets from another source counted on the caller's leg only" \
	"([.[] | select(.kind == \"ng\") | {(.tag): .wrong_source}] | add) == {\"ftag-1\": $WRONG, \"ttag-2\": 0}" \
	'[.[] | select(.kind == "ng") | {tag, wrong_source}]'
tap_check "rtprelayctl calls: a table of ng calls with the call-id and both tags" \
	grep -qE '^call-ng-1 +ftag-1 +ttag-2 +from +caller +1 audio +answered +bridge' "$OUT/ctl_up-calls.txt"
jq_check "$OUT/ctl_up-flows.json" "rtprelayctl -j flows: the bridge's 4 flows, each naming its ng call and tag" \
	'[.[] | select(.ng_call_id == "call-ng-1")] | length == 4 and (map(.ng_tag) | sort == ["ftag-1", "ftag-1", "ttag-2", "ttag-2"])' \
	'map({local, ng_call_id, ng_tag})'
jq_check "$OUT/ctl_up-status.json" "rtprelayctl -j status: 1 ng call" '.ng_calls == 1' '.ng_calls'
jq_check "$OUT/ctl_up-stats.json" "rtprelayctl -j stats: 1 ng call active, 1 since start" \
	'.ng_calls_active == 1 and .ng_calls_total == 1' '{ng_calls_active, ng_calls_total}'

ng list2 "$RELAY_IP" 3_102_2 '{"command": "list"}'
jcheck list2 "list: the call, with its sides' labels" \
	'.reply.calls == ["call-ng-1"] and .reply.labels == {"call-ng-1": {"ftag-1": "caller", "ttag-2": "callee"}}' '.reply'
ng stats2 "$RELAY_IP" 3_102_3 '{"command": "statistics"}'
jcheck stats2 "statistics: one session, one managed" \
	'.reply.statistics.currentstatistics.sessionsown == 1 and .reply.statistics.totalstatistics.managedsessions == 1' \
	'.reply.statistics'
ng offer_again "$RELAY_IP" 1_100_1 "$(kamailio_json offer call-ng-1 "$(sdp_of peer $CALLER_MEDIA)")"
jcheck offer_again "the offer retransmitted with its cookie: the same SDP" \
	"$(jq -c '.reply.sdp' "$OUT/offer.json") == .reply.sdp" '.reply.sdp'
ng reoffer "$RELAY_IP" 4_103_1 "$(kamailio_json offer call-ng-1 "$(sdp_of peer $CALLER_MEDIA)")"
jcheck reoffer "a re-offer (new cookie) keeps the relay port" \
	".reply.result == \"ok\" and (.reply.sdp | contains(\"m=audio $to_callee_relay \"))" '.reply.sdp'
tap_check "still 4 ports after the retransmission and the re-offer (got $(rtp_port_count))" test "$(rtp_port_count)" -eq 4

ng delete "$RELAY_IP" 5_104_1 "$(kamailio_json delete call-ng-1)"
jcheck delete "delete: ok" '.reply.result == "ok"' '.reply'
tap_check "delete frees every port" wait_for 2 no_rtp_ports
snapshot_ctl ctl_gone
jq_check "$OUT/ctl_gone-calls.json" "after delete, rtprelayctl -j calls lists no ng call" '[.[] | select(.kind == "ng")] == []' '.'
tap_check "after delete, rtprelayctl calls prints no ng call" bash -c "! grep -q call-ng-1 '$OUT/ctl_gone-calls.txt'"
jq_check "$OUT/ctl_gone-flows.json" "after delete, no flow names the ng call" '[.[] | select(.ng_call_id)] == []' '.'
jq_check "$OUT/ctl_gone-status.json" "after delete, rtprelayctl -j status: 0 ng calls" '.ng_calls == 0' '.ng_calls'
jq_check "$OUT/ctl_gone-stats.json" "after delete, stats: 0 ng calls active, 1 since start" \
	'.ng_calls_active == 0 and .ng_calls_total == 1' '{ng_calls_active, ng_calls_total}'
ng delete2 "$RELAY_IP" 5_104_2 "$(kamailio_json delete call-ng-1)"
jcheck_error delete2 "delete of a call that is gone: result=error" "unknown call-id"

# direction=[internal external]: the caller's side on the relay's address toward it, the callee's on the other.
CALLEE_RELAY_IP=${PEER_RELAY_IP[callee]}
ng dir_offer "$RELAY_IP" 8_107_1 "$(kamailio_json offer call-ng-dir "$(sdp_of peer $((CALLER_MEDIA + 100)))" |
	jq -c '. + {direction: ["internal", "external"]}')"
jcheck dir_offer "direction: the offer for the callee names the external address ($CALLEE_RELAY_IP)" \
	".reply.result == \"ok\" and (.reply.sdp | contains(\"c=IN IP4 $CALLEE_RELAY_IP\r\n\"))" '.reply'
ng dir_answer "$RELAY_IP" 8_107_2 "$(kamailio_json answer call-ng-dir "$(sdp_of callee $((CALLEE_MEDIA + 100)))" ttag-2)"
jcheck dir_answer "direction: the answer for the caller names the internal address ($RELAY_IP)" \
	".reply.result == \"ok\" and (.reply.sdp | contains(\"c=IN IP4 $RELAY_IP\r\n\"))" '.reply'
dir_to_callee=$(sdp_port dir_offer)
dir_to_caller=$(sdp_port dir_answer)
relay_media dirfwd peer callee "$RELAY_IP:$dir_to_caller" $((CALLER_MEDIA + 100)) $((CALLEE_MEDIA + 100)) \
	"$CALLEE_RELAY_IP:$dir_to_callee"
jcheck dirfwd "direction: caller -> callee, $PACKETS packets from the external address" \
	".received == $PACKETS and .from_expected == $PACKETS" '.'
relay_media dirback callee peer "$CALLEE_RELAY_IP:$dir_to_callee" $((CALLEE_MEDIA + 100)) $((CALLER_MEDIA + 100)) \
	"$RELAY_IP:$dir_to_caller"
jcheck dirback "direction: callee -> caller, $PACKETS packets from the internal address" \
	".received == $PACKETS and .from_expected == $PACKETS" '.'
relayctl -j calls >"$OUT/dir-calls.json" 2>&1
jq_check "$OUT/dir-calls.json" "direction: rtprelayctl calls shows each side's leg on its address" \
	"[.[] | select(.call_id == \"call-ng-dir\") | .local_rtp] | sort ==
	 ([\"$RELAY_IP:$dir_to_caller\", \"$CALLEE_RELAY_IP:$dir_to_callee\"] | sort)" '[.[] | select(.kind == "ng")]'
ng dir_delete "$RELAY_IP" 8_107_3 "$(kamailio_json delete call-ng-dir)"
jcheck dir_delete "direction: delete ok" '.reply.result == "ok"' '.reply'
ng dir_unknown "$RELAY_IP" 8_107_4 "$(kamailio_json offer call-ng-dir2 "$(sdp_of peer $CALLER_MEDIA)" |
	jq -c '. + {direction: ["internal", "dmz"]}')"
jcheck_error dir_unknown "direction naming no media address: result=error" "no media address named dmz"

# asymmetric: the caller's leg keeps to its SDP's address, latched to it before any packet (symmetric waits for one).
ng asym "$RELAY_IP" 9_108_1 "$(kamailio_json offer call-ng-asym "$(sdp_of peer $((CALLER_MEDIA + 200)))" |
	jq -c '. + {flags: ["asymmetric"]}')"
jcheck asym "asymmetric: offer ok" '.reply.result == "ok"' '.reply'
relayctl -j calls >"$OUT/asym-calls.json" 2>&1
jq_check "$OUT/asym-calls.json" "asymmetric: rtprelayctl shows the caller's leg latched to its SDP's address at once" \
	"any(.[]; .call_id == \"call-ng-asym\" and .tag == \"ftag-1\" and .latched
	 and .remote_rtp == \"${PEER_IP[peer]}:$((CALLER_MEDIA + 200))\")" '[.[] | select(.call_id == "call-ng-asym")]'
ng asym_delete "$RELAY_IP" 9_108_2 "$(kamailio_json delete call-ng-asym)"
jcheck asym_delete "asymmetric: delete ok" '.reply.result == "ok"' '.reply'

tap_check "rtprelayctl set rtp-timeout $QUIET_TIMEOUT" relayctl set rtp-timeout "$QUIET_TIMEOUT"
ng quiet "$RELAY_IP" 6_105_1 "$(kamailio_json offer call-ng-quiet "$(sdp_of peer $CALLER_MEDIA)")"
jcheck quiet "an offer for a call that will send nothing" '.reply.result == "ok"' '.reply'
ng_calls() { in_peer peer python3 "$NGC" "$RELAY_IP" "$NG_PORT" req "l$RANDOM$RANDOM" '{"command": "list"}' | jq -c '.reply.calls'; }
no_ng_calls() { [ "$(ng_calls)" = "[]" ]; }
tap_check "it ends after rtp-timeout $QUIET_TIMEOUT s without media, its ports freed" \
	wait_for $((QUIET_TIMEOUT + 3)) no_ng_calls
tap_check "no port held after the timeout" no_rtp_ports
grep -q "ng call-ng-quiet [^ ]*: no media for $QUIET_TIMEOUT s, ended" "$DAEMON_LOG" &&
	tap_ok "the daemon logs why the call ended" || tap_fail "the daemon logs why the call ended"
ng last "$RELAY_IP" 7_106_1 "$(kamailio_json offer call-ng-last "$(sdp_of peer $CALLER_MEDIA)")"
jcheck last "a call left up for the shutdown" '.reply.result == "ok"' '.reply'

stop_daemon 5
rc=$?
tap_check "SIGTERM with an ng call up: the daemon exits 0 (status $rc)" test "$rc" -eq 0
if grep -qE 'CRITICAL|ERROR' "$DAEMON_LOG"; then
	tap_fail "no critical message in the daemon's log"
	grep -E 'CRITICAL|ERROR' "$DAEMON_LOG" | head | diag
else
	tap_ok "no critical message in the daemon's log"
fi
tap_plan_done
