#!/usr/bin/env bash
# SIP calls against a real rtprelayd, driven by SIPp, with the caller's
# media port recorded by rtp_capture:
#
#   relay namespace  rly0 10.98.0.1/24 ── veth0 10.98.0.2/24  caller namespace
#   rtprelayd (userspace datapath,            SIPp (-mp 40000: its SDP offers
#   RTP ports 20000-20999)                    40010) and rtp_capture on 40010/1
#
# (tests/lib/relay_env.sh sets it up and holds the SIPp and capture helpers.)
#
# What it proves (README.md, "Calls"):
#  - every scenario in sipp_scenarios/ completes with the responses the
#    design asks for (SIPp's exit status, the message flow from its trace,
#    and the SDP checks inside the scenarios);
#  - the tone a caller hears: the requested frequency (decoded G.711),
#    50 packets/s, one SSRC, sequence +1 and timestamp +160 per packet,
#    marker on the first packet, the negotiated payload type, sent from the
#    address and port of the relay's SDP; RTCP SR from port+1 and an RTCP
#    BYE at the end; nothing more than 100 ms after the BYE's 200;
#  - hold, resume and a new media port by re-INVITE take effect at once;
#  - 200 calls at 50 calls/s all succeed and leave no RTP socket behind;
#  - SIGTERM sends BYE to every call and exits 0; the RTP inactivity
#    timeout ends a silent call with a BYE, and not a call that sends RTP;
#  - at --max-calls a new call gets 503 with Retry-After.
#
# Logs, SIPp traces and captures stay in $BUILD/test-logs/calls_sipp.d/.
# Usage: BUILD=build tests/calls_sipp.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

relay_env_init calls_sipp caller
CALLER_RTP2=$((MP + 12)) # the port uac_hold_resume.xml moves to
# What uac_basic.xml checks in the 200's SDP.
BASIC_CHECKS="answer m=audio RTP/AVP 0 8 101, telephone-event, a=ptime:20"

# check_tone NAME LABEL HZ PT RELAY_MEDIA: what a caller must hear.
check_tone() {
	local n=$1 l=$2 hz=$3 pt=$4 media=$5
	jcheck "$n" "$l: tone decodes to $hz Hz ±2" "(.hz - $hz | fabs) <= 2" .hz
	jcheck "$n" "$l: 50 packets/s ±1" "(.pps - 50 | fabs) <= 1" '"\(.pps) over \(.packets) packets"'
	jcheck "$n" "$l: payload type $pt" ".payload_type == $pt and .pt_changes == 0" .payload_type
	jcheck "$n" "$l: 160-octet payloads (20 ms)" '.payload_len_ok' .payload_len_ok
	jcheck "$n" "$l: one SSRC" '.ssrcs == 1' .ssrcs
	jcheck "$n" "$l: sequence number +1 per packet" '.seq_ok' '"\(.seq_jumps) jumps"'
	jcheck "$n" "$l: timestamp +160 per packet" '.ts_ok' '"\(.ts_jumps) jumps"'
	jcheck "$n" "$l: marker bit on the first packet only" '.marker_first and .markers == 1' \
		'"first \(.marker_first), \(.markers) markers"'
	jcheck "$n" "$l: RTP comes from the relay's SDP address $media" ".from == \"$media\" and .sources == 1" \
		'"\(.from), \(.sources) sources"'
}

# check_after_bye NAME LABEL SIPP_NAME: the stream ends with the call: RTP
# up to the BYE, none later than 100 ms after the BYE's 200, an RTCP BYE.
check_after_bye() {
	local n=$1 l=$2 bye_ms
	bye_ms=$(sip_time "$3" "<" "SIP/2.0 200" BYE)
	if [ -z "$bye_ms" ]; then
		tap_fail "$l: the 200 to our BYE is in SIPp's trace"
		return
	fi
	jcheck "$n" "$l: tone plays until the BYE" ".last_unix_ms >= $bye_ms - 200" \
		"\"last RTP \(.last_unix_ms - $bye_ms | round) ms after the BYE's 200\""
	jcheck "$n" "$l: no RTP later than 100 ms after the BYE's 200" ".last_unix_ms <= $bye_ms + 100" \
		"\"last RTP \(.last_unix_ms - $bye_ms | round) ms after\""
	jcheck "$n" "$l: RTCP BYE when the tone stops" '.rtcp_bye == 1' .rtcp_bye
}

# A basic call to SERVICE lasting MS: SIP flow, tone, end of the stream.
basic_call() {
	local name=$1 scenario=$2 service=$3 ms=$4 hz=$5 pt=$6 label=$7 checks=$8 rc media
	capture_start "$name" "$CALLER_RTP" --duration-ms $((ms + 5000)) --quiet-ms 600
	sipp_run "$name" "$scenario" "$service" -m 1 -d "$ms"
	rc=$?
	capture_wait "$name"
	media=$(sipp_logged "$name" relay_media)
	check_sipp "$name" "$label" "$rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE" "$checks"
	check_tone "$name" "$label" "$hz" "$pt" "$media"
	check_after_bye "$name" "$label" "$name"
}

test_options() {
	local rc
	sipp_run options uac_options tone -m 1
	rc=$?
	check_sipp options "OPTIONS" "$rc" ">OPTIONS <200/OPTIONS" "Allow lists INVITE"
}

# tone-880, also looking at the relay's sockets while the call is up.
test_basic_880() {
	local l="basic call tone-880" rc media before ports want
	before=$(active_calls_logged)
	capture_start b880 "$CALLER_RTP" --duration-ms 8000 --quiet-ms 600
	sipp_run b880 uac_basic tone-880 -m 1 -d 2000 &
	local sipp_pid=$!
	wait_for 5 calls_up_beyond "$before"
	ports=$(relay_rtp_ports | tr '\n' ' ')
	wait "$sipp_pid"
	rc=$?
	capture_wait b880
	media=$(sipp_logged b880 relay_media)
	check_sipp b880 "$l" "$rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE" "$BASIC_CHECKS"
	check_tone b880 "$l" 880 0 "$media"
	check_after_bye b880 "$l" b880
	want="${media##*:} $((${media##*:} + 1)) "
	if [ "$ports" = "$want" ]; then
		tap_ok "$l: while it is up the relay holds exactly its RTP and RTCP ports ($ports)"
	else
		tap_fail "$l: while it is up the relay holds exactly its RTP and RTCP ports (want $want, got $ports)"
	fi
	# media_stream.c plays TONE_AMPLITUDE 8000, "about -12 dBFS", to leave
	# headroom for the mixer.
	jcheck b880 "$l: tone level about -12 dBFS (-15..-9)" '.peak_dbfs >= -15 and .peak_dbfs <= -9' \
		'"\(.peak_dbfs) dBFS, peak sample \(.peak)"'
}

# The default tone, long enough for RTCP sender reports.
test_basic_440_rtcp() {
	local l="basic call tone (440 Hz, 7 s)" media port
	basic_call b440 uac_basic tone 7000 440 0 "$l" "$BASIC_CHECKS"
	media=$(sipp_logged b440 relay_media)
	port=${media##*:}
	jcheck b440 "$l: RTCP sender reports during the call" '.rtcp_sr - .rtcp_bye >= 1' \
		'"\(.rtcp_sr) SR (\(.rtcp_bye) with the BYE)"'
	# RFC 3550 A.7: the first report after half the 5 s minimum, times
	# [0.5, 1.5), divided by e - 3/2: between 1.03 s and 3.08 s.
	jcheck b440 "$l: first SR within 1.0-7.5 s of the first RTP packet" \
		'.first_sr_ms >= 1000 and .first_sr_ms <= 7500' .first_sr_ms
	jcheck b440 "$l: RTCP comes from the relay's port+1" ".rtcp_from == \"${media%:*}:$((port + 1))\"" .rtcp_from
	jcheck b440 "$l: RTCP carries the RTP stream's SSRC" '.rtcp_foreign_ssrc == 0 and .rtcp_invalid == 0' \
		'"\(.rtcp_foreign_ssrc) foreign, \(.rtcp_invalid) invalid"'
}

test_pcma() {
	basic_call pcma uac_pcma tone-1200 2000 1200 8 "PCMA-only offer tone-1200" \
		"answer m=audio RTP/AVP 8 101, a=ptime:20"
}

test_delayed_offer() {
	local l="delayed offer (answer PCMA in the ACK)" rc
	capture_start delayed "$CALLER_RTP" --duration-ms 7000 --quiet-ms 600
	sipp_run delayed uac_delayed_offer tone -m 1 -d 2000
	rc=$?
	capture_wait delayed
	check_sipp delayed "$l" "$rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE" \
		"the 200 carries an SDP offer with PCMU, PCMA, telephone-event, a=ptime:20"
	if [ "$(sipp_logged delayed offer_formats)" = "0 8 101" ]; then
		tap_ok "$l: the relay's offer lists PCMU, PCMA, telephone-event"
	else
		tap_fail "$l: the relay's offer lists PCMU, PCMA, telephone-event (got $(sipp_logged delayed offer_formats))"
	fi
	check_tone delayed "$l" 440 8 "$(sipp_logged delayed relay_media)"
	check_after_bye delayed "$l" delayed
}

# Each phase lasts 1 s: talk, hold (sendonly), resume, new port.
test_hold_resume() {
	local l="hold/resume" rc
	capture_start hold1 "$CALLER_RTP" --duration-ms 15000
	capture_start hold2 "$CALLER_RTP2" --duration-ms 15000
	sipp_run hold uac_hold_resume tone -m 1 -d 1000
	rc=$?
	sleep 0.3
	capture_wait hold1 stop
	capture_wait hold2 stop
	check_sipp hold "$l" "$rc" \
		">INVITE <100 <180 <200 >ACK >INVITE <100 <200 >ACK >INVITE <100 <200 >ACK >INVITE <100 <200 >ACK >BYE <200/BYE" \
		"a=recvonly answers a=sendonly, a=sendrecv answers a=sendrecv"
	jcheck hold1 "$l: no tone while held (longest silence >= 800 ms of the 1 s hold)" '.max_gap_ms >= 800' \
		.max_gap_ms
	jcheck hold1 "$l: tone before the hold and after the resume (>= 80 packets)" '.packets >= 80' .packets
	jcheck hold1 "$l: one SSRC across the hold" '.ssrcs == 1' .ssrcs
	jcheck hold1 "$l: sequence numbers continue +1 across the hold (no packet counted as lost)" '.seq_ok' \
		'"\(.seq_jumps) jumps"'
	jcheck hold1 "$l: marker bit on the first packet and the first after the resume" '.markers == 2' .markers
	jcheck hold2 "$l: after the re-INVITE with a new port the tone goes there (>= 40 packets)" \
		'.packets >= 40' .packets
	jcheck hold2 "$l: the tone on the new port decodes to 440 Hz ±2" '(.hz - 440 | fabs) <= 2' .hz
	local first2
	first2=$(jq -r .first_unix_ms "$OUT/hold2.json")
	jcheck hold1 "$l: the old port hears nothing once the new one does" ".last_unix_ms <= $first2 + 20" \
		"\"old port's last packet \(.last_unix_ms - $first2 | round) ms after the new port's first\""
	jcheck hold1 "$l: no RTCP BYE on the old port" '.rtcp_bye == 0' .rtcp_bye
	jcheck hold2 "$l: the RTCP BYE goes to the new port+1" '.rtcp_bye == 1' .rtcp_bye
}

test_cancel() {
	local rc
	sipp_run cancel uac_cancel tone -m 1
	rc=$?
	check_sipp cancel "CANCEL after 180" "$rc" ">INVITE <100 <180 >CANCEL <200/CANCEL <487 >ACK" \
		"200 for the CANCEL, 487 for the INVITE"
}

test_no_codec() {
	local rc
	sipp_run nocodec uac_no_codec tone -m 1
	rc=$?
	check_sipp nocodec "G.729-only offer" "$rc" ">INVITE <100 <488 >ACK" "488 Not Acceptable Here"
}

test_bad_sdp() {
	local rc line
	sipp_run badsdp uac_bad_sdp tone -m 1
	rc=$?
	check_sipp badsdp "garbage SDP" "$rc" ">INVITE <100 <400 >ACK" "400 whose reason phrase mentions SDP"
	line=$(grep -m 1 '^SIP/2.0 4' "$OUT/badsdp.msg" | tr -d '\r')
	if [[ $line == "SIP/2.0 400 "*SDP* ]]; then
		tap_ok "garbage SDP: the 400's reason phrase says what is wrong ($line)"
	else
		tap_fail "garbage SDP: the 400's reason phrase says what is wrong (got \"$line\")"
	fi
}

# 200 calls at 50 calls/s, then every RTP port must be free again.
test_load() {
	local l="load: 200 calls at 50 calls/s" rc ports
	sipp_users "$OUT/tone.inf" tone
	sipp_run load uac_load tone -inf "$OUT/tone.inf" -m 200 -r 50 -l 100 -d 500
	rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$l: SIPp exits 0"
	else
		tap_fail "$l: SIPp exits 0 (exit status $rc)"
		sipp_diag load
	fi
	if [ "$(sipp_successful load)" = 200 ] && [ "$(sipp_failed load)" = 0 ]; then
		tap_ok "$l: 200 successful, 0 failed"
	else
		tap_fail "$l: 200 successful, 0 failed (got: $(sipp_summary load))"
	fi
	wait_for 3 no_rtp_ports
	ports=$(relay_rtp_ports | wc -l)
	if [ "$ports" -eq 0 ]; then
		tap_ok "$l: afterwards the relay holds no socket in $RTP_MIN-$RTP_MAX"
	else
		tap_fail "$l: afterwards the relay holds no socket in $RTP_MIN-$RTP_MAX ($ports still open)"
	fi
}

# SIGTERM with three calls up: each gets a BYE, the daemon exits 0.
test_sigterm() {
	local l="SIGTERM with 3 calls up" before rc sipp_pid status byes
	before=$(active_calls_logged)
	sipp_run sigterm uac_wait_bye tone -m 3 -l 3 -r 10 &
	sipp_pid=$!
	if ! wait_for 5 calls_up_beyond $((before + 2)); then
		tap_fail "$l: the 3 calls are up before SIGTERM"
	fi
	stop_daemon 8
	status=$?
	wait "$sipp_pid"
	rc=$?
	if [ "$status" -eq 0 ]; then
		tap_ok "$l: rtprelayd exits 0"
	else
		tap_fail "$l: rtprelayd exits 0 (exit status $status)"
		tail -n 20 "$DAEMON_LOG" | diag
	fi
	byes=$(sip_flow sigterm | tr ' ' '\n' | grep -c '^<BYE$')
	if [ "$rc" -eq 0 ] && [ "$(sipp_successful sigterm)" = 3 ]; then
		tap_ok "$l: every call received a BYE and answered it ($byes BYEs)"
	else
		tap_fail "$l: every call received a BYE and answered it ($byes BYEs, SIPp: $(sipp_summary sigterm))"
		sipp_diag sigterm
	fi
	if grep -q 'hanging up 3 calls' "$DAEMON_LOG"; then
		tap_ok "$l: the daemon logs that it hangs up 3 calls"
	else
		tap_fail "$l: the daemon logs that it hangs up 3 calls"
	fi
}

# --rtp-timeout 2: a caller that sends nothing gets a BYE after 2-3 s.
test_rtp_timeout() {
	local l="RTP timeout 2 s, silent caller" rc ack_ms bye_ms
	capture_start timeout "$CALLER_RTP" --duration-ms 10000 --quiet-ms 600
	sipp_run timeout uac_wait_bye tone -m 1
	rc=$?
	capture_wait timeout
	check_sipp timeout "$l" "$rc" ">INVITE <100 <180 <200 >ACK <BYE >200/BYE"
	ack_ms=$(sip_time timeout ">" "ACK" ACK)
	bye_ms=$(sip_time timeout "<" "BYE" BYE)
	if [ -n "$ack_ms" ] && [ -n "$bye_ms" ] && [ $((bye_ms - ack_ms)) -ge 1500 ] &&
		[ $((bye_ms - ack_ms)) -le 3500 ]; then
		tap_ok "$l: the relay's BYE comes 1.5-3.5 s after the ACK ($((bye_ms - ack_ms)) ms)"
	else
		tap_fail "$l: the relay's BYE comes 1.5-3.5 s after the ACK (ACK ${ack_ms:-?}, BYE ${bye_ms:-?})"
	fi
	jcheck timeout "$l: the tone played until then, and ended with an RTCP BYE" \
		'.packets >= 50 and .rtcp_bye == 1' '"\(.packets) packets, \(.rtcp_bye) RTCP BYE"'
}

# --rtp-timeout 2: a caller that sends RTP keeps its 4 s call.
test_rtp_keepalive() {
	local l="RTP timeout 2 s, caller sends RTP" rc
	capture_start keep "$CALLER_RTP" --duration-ms 12000 --quiet-ms 600 --send-to auto --send-hz 1000
	sipp_run keep uac_basic tone -m 1 -d 4000
	rc=$?
	capture_wait keep
	check_sipp keep "$l" "$rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
	jcheck keep "$l: the caller sent RTP from its SDP port all along (>= 150 packets)" '.sent >= 150' .sent
	jcheck keep "$l: and heard the tone all along (>= 150 packets)" '.packets >= 150' .packets
}

# --max-calls 2: with two calls up a third gets 503 with Retry-After.
test_max_calls() {
	local l="--max-calls 2" sipp_pid rc
	sipp_run maxheld uac_wait_bye tone -m 2 -l 2 -r 10 &
	sipp_pid=$!
	if ! wait_for 5 calls_up_beyond 1; then
		tap_fail "$l: two calls are up"
	fi
	sipp_run maxrefused uac_refused tone -m 1 -mp $((MP + 100)) -p 5070
	rc=$?
	check_sipp maxrefused "$l: a third call" "$rc" ">INVITE <100 <503 >ACK" "503 with a Retry-After header"
	stop_daemon 8
	tap_check "$l: rtprelayd exits 0 on SIGTERM" test $? -eq 0
	wait "$sipp_pid"
	rc=$?
	tap_check "$l: the two calls that were up got their BYE ($(sipp_summary maxheld | tr -s "\n" " "))" test "$rc" -eq 0
}

main() {
	relay_env_ready "SIPp call tests"
	if ! start_daemon daemon; then
		tap_fail "rtprelayd starts in $NS_R"
		diag <"$DAEMON_LOG"
		tap_plan_done
		exit 1
	fi
	test_options
	test_basic_880
	test_basic_440_rtcp
	test_pcma
	test_delayed_offer
	test_hold_resume
	test_no_codec
	test_bad_sdp
	test_load
	# After the port check: should the CANCEL scenario ever leave a call
	# behind, only the SIGTERM count below would notice.
	test_cancel
	test_sigterm

	if ! start_daemon daemon-timeout --rtp-timeout 2; then
		tap_fail "rtprelayd --rtp-timeout 2 starts"
		diag <"$DAEMON_LOG"
	else
		test_rtp_timeout
		test_rtp_keepalive
		stop_daemon 8
		tap_check "rtprelayd --rtp-timeout 2 exits 0 on SIGTERM" test $? -eq 0
	fi
	if ! start_daemon daemon-max --max-calls 2; then
		tap_fail "rtprelayd --max-calls 2 starts"
		diag <"$DAEMON_LOG"
	else
		test_max_calls
	fi
	tap_plan_done
}

main
