#!/usr/bin/env bash
# Runtime configuration (README, "Runtime configuration and draining"):
# rtprelayctl route, set, config and reload, and SIGHUP, against a running
# rtprelayd with SIPp calls:
#
#   relay namespace 10.98.0.1            caller namespace 10.98.0.2 (SIPp UAC)
#   rtprelayd --config runtime.conf      callee namespace 10.98.1.2 (SIPp UAS)
#
# What it proves:
#  - a route added with `route add` takes the next call: the callee's SIPp
#    UAS gets the INVITE and the caller is bridged to it; `route list`
#    shows it, `route del` removes it (a second del says there is none);
#  - `set max-calls 1`: with one call up a second gets 503; `config -j`
#    says max-calls is 1 from the cli; bad values, unknown keys and keys
#    that need a restart are refused with a message naming the problem;
#  - `reload` after the config file changed applies max-calls and a route
#    and answers that answer-delay-ms needs a restart; SIGHUP does the same;
#  - every change is logged with the uid that made it;
#  - a user that is neither root nor in the control group is refused with
#    a readable message.
# Logs stay in $BUILD/test-logs/runtime_config.d/.
# Usage: BUILD=build tests/runtime_config.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

relay_env_init runtime_config caller callee
CALLEE_SIP=5070
CALLEE_MP=41000
TMPD=$(mktemp -d) # the CLI, where nobody can run it
chmod 755 "$TMPD"
CONF=$OUT/runtime.conf
cleanup() {
	relay_env_cleanup
	rm -rf "$TMPD"
}
trap cleanup EXIT

# ctl NAME ARGS...: rtprelayctl ARGS in the relay namespace, stdout in
# $OUT/NAME.json, stderr in $OUT/NAME.err; its exit status.
ctl() {
	local name=$1
	shift
	relayctl "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"
}
# refused NAME DESCRIPTION WORDS ARGS...: rtprelayctl ARGS fails with exit 1
# and one line on stderr containing WORDS.
refused() {
	local name=$1 desc=$2 words=$3 rc
	shift 3
	ctl "$name" "$@"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$words" "$OUT/$name.err" && [ "$(wc -l <"$OUT/$name.err")" -eq 1 ]; then
		tap_ok "$desc: exit 1, \"$(cat "$OUT/$name.err")\""
	else
		tap_fail "$desc: exit 1 and a message with \"$words\" (got exit $rc: $(cat "$OUT/$name.err"))"
	fi
}
logged() { grep -qF -- "$1" "$DAEMON_LOG"; }

test_route() {
	local l="route add" caller_rc callee_rc callee_pid rc
	ctl route_add route add bob "sip:bob@${PEER_IP[callee]}:$CALLEE_SIP"
	tap_check "$l bob sip:bob@${PEER_IP[callee]}:$CALLEE_SIP: exit 0" test $? -eq 0
	ctl route_list -j route list
	jcheck route_list "route list: bob and its target" \
		"[.[] | select(.user == \"bob\" and .target == \"sip:bob@${PEER_IP[callee]}:$CALLEE_SIP\")] | length == 1" '.'
	sipp_run_at callee callee uas_answer -p "$CALLEE_SIP" -mp "$CALLEE_MP" -key answer 0 -m 1 &
	callee_pid=$!
	sleep 0.3
	sipp_run caller uac_basic bob -m 1 -d 1000
	caller_rc=$?
	wait "$callee_pid"
	callee_rc=$?
	check_sipp caller "$l: a call to bob" "$caller_rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	tap_check "$l: the route's target got the INVITE and answered it (callee SIPp exit $callee_rc: $(sip_flow callee))" \
		test "$callee_rc" -eq 0
	tap_check "$l: logged with the uid: \"control: uid 0 set route bob = ...\"" logged "control: uid 0 set route bob = sip:bob@"
	ctl route_del route del bob
	tap_check "route del bob: exit 0" test $? -eq 0
	ctl route_list2 -j route list
	jcheck route_list2 "route list: bob is gone" '[.[] | select(.user == "bob")] | length == 0' '.'
	refused route_del2 "route del bob again" 'no route for user "bob"' route del bob
	refused route_bad "route add with a target that is not a SIP URI" 'expected a sip: or sips: URI' route add eve tel:+15550100
	ctl route_usage route flip
	rc=$?
	tap_check "route with an unknown subcommand: exit 2 naming the forms ($(cat "$OUT/route_usage.err"))" \
		test "$rc" -eq 2 -a "$(grep -c 'expected list, add USER sip:TARGET or del USER' "$OUT/route_usage.err")" -eq 1
}

test_set_max_calls() {
	local l="set max-calls 1" held_pid id rc up
	ctl set_max set max-calls 1
	tap_check "$l: exit 0" test $? -eq 0
	ctl config1 -j config
	jcheck config1 "config -j: max-calls is 1, from the cli, changeable at runtime" \
		'.[] | select(.setting == "max-calls") | .value == "1" and .source == "cli" and .runtime == true' \
		'.[] | select(.setting == "max-calls")'
	jcheck config1 "config -j: rtp-ports from the command line, tone-hz the default" \
		'(.[] | select(.setting == "rtp-ports") | .source == "command line" and .runtime == false)
		 and (.[] | select(.setting == "tone-hz") | .source == "default")' '.'
	tap_check "$l: logged with the uid" logged "control: uid 0 set max-calls = 1"
	up=$(active_calls_logged)
	sipp_run held uac_wait_bye tone -m 1 &
	held_pid=$!
	if ! wait_for 5 calls_up_beyond "$up"; then
		tap_fail "$l: a first call is up"
	fi
	sipp_run refused uac_refused tone -m 1 -mp $((MP + 100)) -p 5071
	rc=$?
	check_sipp refused "$l: a second call while one is up" "$rc" ">INVITE <100 <503 >ACK" "503 with a Retry-After header"
	id=$(relayctl -j calls | jq '.[0].id')
	relayctl hangup "$id"
	wait "$held_pid"
	tap_check "$l: the first call went on until hung up ($(sip_flow held))" test $? -eq 0
	refused set_zero "set max-calls 0" 'max-calls: invalid value "0": expected a number from 1 to 1000000' set max-calls 0
	refused set_word "set tone-hz loud" 'tone-hz: invalid value "loud"' set tone-hz loud
	refused set_restart "set rtp-ports (needs a restart)" 'rtp-ports cannot change while rtprelayd runs' set rtp-ports 30000-30999
	refused set_unknown "set an unknown key" 'unknown setting "colour"' set colour blue
}

test_reload() {
	local l="reload"
	cat >"$CONF" <<-EOF
		[rtprelay]
		max-calls = 7
		answer-delay-ms = 50
		[routes]
		carol = sip:carol@${PEER_IP[callee]}:$CALLEE_SIP
	EOF
	ctl reload -j reload
	tap_check "$l after editing the file: exit 0 ($(cat "$OUT/reload.err"))" test $? -eq 0
	jcheck reload "$l: max-calls and the route carol changed" \
		'([.changed[] | select(.setting == "max-calls" and .change == "1 -> 7")] | length == 1)
		 and ([.changed[] | select(.setting == "route carol")] | length == 1)' '.changed'
	jcheck reload "$l: answer-delay-ms needs a restart, and is named with both values" \
		'[.needs_restart[] | select(.setting == "answer-delay-ms" and (.change | contains("100") and contains("50")))] | length == 1' \
		'.needs_restart'
	ctl config2 -j config
	jcheck config2 "config -j after the reload: max-calls 7 from the file, answer-delay-ms still 100" \
		'(.[] | select(.setting == "max-calls") | .value == "7" and .source == "file")
		 and (.[] | select(.setting == "answer-delay-ms") | .value == "100")' '.'
	ctl reload_text reload
	tap_check "$l, as text: a \"needs restart\" line for answer-delay-ms" \
		grep -q '^needs restart .*answer-delay-ms' "$OUT/reload_text.json"
	tap_check "$l: logged with the uid" logged "control: uid 0 reloaded $CONF"
	sed -i 's/^max-calls = 7/max-calls = 9/' "$CONF"
	kill -HUP "$DAEMON_PID"
	tap_check "SIGHUP: reloads, logging max-calls: 7 -> 9" wait_for 3 logged "SIGHUP: max-calls: 7 -> 9"
	ctl config3 -j config
	jcheck config3 "config -j after SIGHUP: max-calls 9" '.[] | select(.setting == "max-calls") | .value == "9"' '.'
	sed -i 's/^max-calls = 9/max-calls = many/' "$CONF"
	refused reload_bad "$l of a file with a bad value: refused, nothing changed" 'max-calls: invalid value "many"' reload
}

test_not_permitted() {
	cp "$CTL" "$TMPD/rtprelayctl"
	in_relay setpriv --reuid=65534 --regid=65534 --clear-groups "$TMPD/rtprelayctl" set max-calls 5 \
		>"$OUT/nobody.json" 2>"$OUT/nobody.err"
	local rc=$?
	if [ "$rc" -eq 1 ] && grep -q 'set: permission denied: uid 65534 is not root' "$OUT/nobody.err"; then
		tap_ok "set as uid 65534 without groups: refused, \"$(cat "$OUT/nobody.err")\""
	else
		tap_fail "set as uid 65534 without groups: refused (got exit $rc: $(cat "$OUT/nobody.err"))"
	fi
	ctl config4 -j config
	jcheck config4 "max-calls unchanged by the refused user" '.[] | select(.setting == "max-calls") | .value == "9"' '.'
}

relay_env_ready "runtime configuration" setpriv
printf '[rtprelay]\nanswer-delay-ms = 100\n' >"$CONF"
if ! start_daemon daemon --config "$CONF"; then
	tap_fail "rtprelayd starts in $NS_R"
	diag <"$DAEMON_LOG"
	tap_plan_done
	exit 1
fi
test_route
test_set_max_calls
test_reload
test_not_permitted
stop_daemon 8
tap_check "rtprelayd exits 0 on SIGTERM" test $? -eq 0
tap_plan_done
