#!/usr/bin/env bash
# rtprelayd's log as journald and a person read it. What it proves:
#  - with JOURNAL_STREAM naming its stderr (as systemd sets it when stderr
#    is the journal), every line begins with the syslog priority journald
#    takes from it (<5> notice, <6> info, <4> warning), and carries no
#    timestamp of its own;
#  - every line about a call names the call's SIP Call-ID: those of a tone
#    call, and the warning about a call refused for want of an RTP port;
#  - with JOURNAL_STREAM naming another file (a child of a service whose
#    stderr was redirected), or without it, lines keep the format
#    "HH:MM:SS.mmm rtprelayd LEVEL: message".
# Usage: BUILD=build tests/daemon_logs.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

# One RTP port pair: a second call at once is refused (503, and a warning).
RTP_MIN=20000 RTP_MAX=20001
relay_env_init daemon_logs caller

PLAIN_LINE='^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} rtprelayd (error|critical|warning|notice|info|debug): '
JOURNAL_LINE='^<[0-7]>'

# sip_call_id NAME: the Call-ID of the INVITE SIPp sent in run NAME.
sip_call_id() { awk '/^Call-ID:/ { sub(/\r$/, ""); print $2; exit }' "$OUT/$1.msg"; }

# Whatever runs this test: the daemons get JOURNAL_STREAM only where a test sets it.
unset JOURNAL_STREAM

# start_logging NAME STREAM: start_daemon NAME with JOURNAL_STREAM=STREAM
# ("" for none), its log in $OUT/NAME.log.
start_logging() {
	if [ -n "$2" ]; then
		JOURNAL_STREAM=$2 start_daemon "$1"
	else
		start_daemon "$1"
	fi
}

# lines_not_matching FILE REGEX: how many lines of FILE do not match.
lines_not_matching() { grep -cvE "$2" "$1"; }

test_journal() {
	local log=$OUT/journal.log call_id refused_id bad
	# The daemon's stderr is this file: its device and inode, as systemd gives them.
	: >"$log"
	if ! start_logging journal "$(stat -c %d:%i "$log")"; then
		tap_fail "rtprelayd starts with JOURNAL_STREAM naming its stderr"
		diag <"$log"
		return
	fi
	sipp_run tone uac_basic tone -m 1 -d 3000 &
	PIDS+=("$!")
	local tone_pid=$!
	wait_for 5 calls_up_beyond 0 || tap_fail "the tone call goes active"
	sipp_run refused uac_refused tone -m 1 -mp $((MP + 100)) -p 5070
	check_sipp refused "no RTP port left" $? ">INVITE <100 <503 >ACK"
	wait "$tone_pid"
	check_sipp tone "tone call" $? ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	wait_for 3 grep -q ': ended$' "$log"
	stop_daemon 5
	call_id=$(sip_call_id tone) refused_id=$(sip_call_id refused)

	bad=$(lines_not_matching "$log" "$JOURNAL_LINE")
	tap_check "journal: every line begins with a priority <N> ($bad do not, of $(wc -l <"$log"))" [ "$bad" = 0 ]
	bad=$(grep -cE '^<[0-7]>[0-9]{2}:[0-9]{2}:[0-9]{2}|rtprelayd (notice|info|warning):' "$log")
	tap_check "journal: no line has a timestamp or a level name ($bad do)" [ "$bad" = 0 ]
	tap_check "journal: notice is <5> (running:)" grep -q '^<5>running: ' "$log"
	tap_check "journal: info is <6> (the call's INVITE)" grep -qE '^<6>call 1 [^ ]+: INVITE from ' "$log"
	tap_check "journal: warning is <4> (the refused call)" grep -q '^<4>refusing call ' "$log"

	# The tone call is call 1: its lines are those that name it so.
	local lines named
	lines=$(grep -cE '(^|[^0-9])call 1([^0-9-]|$)' "$log")
	named=$(grep -E '(^|[^0-9])call 1([^0-9-]|$)' "$log" | grep -cF "call 1 $call_id: ")
	tap_check "journal: the $lines lines about call 1 all name its Call-ID $call_id ($named do)" \
		test "$lines" -ge 3 -a "$named" = "$lines"
	tap_check "journal: its INVITE, active and ended lines are among them" \
		bash -c "grep -qF 'call 1 $call_id: INVITE from' '$log' && grep -qF 'call 1 $call_id: active,' '$log' &&
			grep -qF 'call 1 $call_id: ended' '$log'"
	tap_check "journal: the refusal names the refused call's Call-ID $refused_id" \
		grep -qF "<4>refusing call $refused_id: " "$log"
	grep -vE "$JOURNAL_LINE" "$log" | head | diag
}

# test_plain NAME STREAM DESCRIPTION: the old format, started with JOURNAL_STREAM=STREAM.
test_plain() {
	local log=$OUT/$1.log bad
	if ! start_logging "$1" "$2"; then
		tap_fail "$3: rtprelayd starts"
		diag <"$log"
		return
	fi
	sipp_run "$1-options" uac_options tone -m 1
	stop_daemon 5
	bad=$(lines_not_matching "$log" "$PLAIN_LINE")
	tap_check "$3: every line is HH:MM:SS.mmm rtprelayd LEVEL: ($bad are not, of $(wc -l <"$log"))" \
		test "$bad" = 0
	tap_check "$3: notice (running:) as before" grep -qE '^[0-9:.]{12} rtprelayd notice: running: ' "$log"
	[ "$bad" = 0 ] || grep -vE "$PLAIN_LINE" "$log" | head | diag
}

main() {
	relay_env_ready "daemon logs"
	test_journal
	: >"$OUT/elsewhere"
	test_plain other-stream "$(stat -c %d:%i "$OUT/elsewhere")" "JOURNAL_STREAM naming another file"
	test_plain no-stream "" "without JOURNAL_STREAM"
	tap_plan_done
}

main
