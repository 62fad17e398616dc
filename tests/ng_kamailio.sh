#!/usr/bin/env bash
# Debian's Kamailio with its unchanged rtpengine module driving rtprelayd
# over the ng protocol, and the call's media forwarded by the XDP flows:
#
#   relay namespace                              caller namespace 10.98.0.2
#   rtprelayd --listen-ng 127.0.0.1:2223         SIPp uac_basic.xml, udp_peer
#     --datapath xdp                             callee namespace 10.98.1.2
#   kamailio -DD (this test's config) on         SIPp uas_answer.xml, udp_peer
#     10.98.0.1:5080, rtpengine_sock 127.0.0.1:2223
#
# Kamailio calls rtpengine_offer("replace-origin replace-session-connection")
# on the INVITE, rtpengine_answer on the reply with SDP and rtpengine_delete
# on the BYE, each from one of its worker processes.
#
# What it proves:
#  - Kamailio's start-up ping is answered (the module does not disable the
#    relay);
#  - the call goes through (SIPp's own checks of the SDP: codecs, ptime,
#    telephone-event), each side sees the relay's address and a relay port;
#  - media in both directions arrives intact from the relay port the other
#    side was given, and the datapath's forwarded counter rises by it;
#  - the BYE's delete ends the call and frees every port.
#
# Logs, Kamailio's config and SIPp traces stay in $BUILD/test-logs/ng_kamailio.d/.
# Usage: BUILD=build tests/ng_kamailio.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/ng_media.sh

DATAPATH=xdp
relay_env_init ng_kamailio caller callee
NG=127.0.0.1:2223
KAMAILIO_PORT=5080
CALLEE_MP=41000
CALL_MS=6000
PACKETS=300
SIPP_PIDS=()

cleanup() {
	local pid
	for pid in "${SIPP_PIDS[@]}"; do
		kill_tree "$pid"
	done
	relay_env_cleanup
}
trap cleanup EXIT

relay_env_ready "Kamailio with rtprelayd" kamailio bpftool clang ethtool

cat >"$OUT/kamailio.cfg" <<EOF
#!KAMAILIO
debug=2
log_stderror=yes
children=2
disable_tcp=yes
# No DNS in the namespaces: a reverse lookup of the listen address would wait for timeouts.
dns=no
rev_dns=no
auto_aliases=no
listen=udp:$RELAY_IP:$KAMAILIO_PORT
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "udp:$NG")

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		# In-dialogue: SIPp sends ACK and BYE to its next hop without Route.
		loose_route();
		if (is_method("BYE"))
			rtpengine_delete();
		t_relay();
		exit;
	}
	if (!is_method("INVITE")) {
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	record_route();
	rtpengine_offer("replace-origin replace-session-connection");
	t_on_reply("MANAGE_REPLY");
	\$du = "sip:${PEER_IP[callee]}:5060";
	t_relay();
}

onreply_route[MANAGE_REPLY] {
	if (has_body("application/sdp"))
		rtpengine_answer("replace-origin replace-session-connection");
}
EOF

if ! start_daemon daemon --listen-ng "$NG"; then
	tap_fail "rtprelayd starts with --listen-ng $NG"
	diag <"$DAEMON_LOG"
	tap_plan_done
	exit 1
fi
tap_ok "rtprelayd starts with --listen-ng $NG"

KAMAILIO_LOG=$OUT/kamailio.log
in_relay kamailio -f "$OUT/kamailio.cfg" -DD -E -m 64 -M 8 >"$KAMAILIO_LOG" 2>&1 &
PIDS+=("$!")
# Once its workers run, the module pings the relay and enables it if it gets pong.
enabled() { grep -q "rtpengine instance <udp:$NG> found, support for it enabled" "$KAMAILIO_LOG"; }
if wait_for 30 enabled; then
	tap_ok "Kamailio starts, and its rtpengine module enables the relay"
else
	tap_fail "Kamailio starts, and its rtpengine module enables the relay"
	diag <"$KAMAILIO_LOG"
fi
pinged() { grep -q 'ng: ping from 127.0.0.1:[0-9]*: pong' "$DAEMON_LOG"; }
tap_check "the relay answered the module's ping with pong" pinged

fwd_before=$(datapath_forwarded)

(sipp_run_at callee uas uas_answer -p 5060 -mp "$CALLEE_MP" -key answer "0 8" -m 1) &
SIPP_PIDS+=("$!")
uas_pid=$!
uas_listening() { ip netns exec "$P-callee" ss -Huan 'sport = :5060' | grep -q .; }
wait_for 3 uas_listening
(sipp_run_at caller uac uac_basic "$RELAY_IP:$KAMAILIO_PORT" -s callee -mp "$MP" -d "$CALL_MS" -m 1) &
SIPP_PIDS+=("$!")
uac_pid=$!

relay_seen_by_caller() { [ -n "$(sipp_logged uac relay_media)" ]; }
if wait_for 10 relay_seen_by_caller; then
	tap_ok "the call is answered through Kamailio"
else
	tap_fail "the call is answered through Kamailio"
	sipp_diag uac
fi
to_callee=$(sipp_logged uas relay_media) # where the callee sends: the relay's port in the INVITE
to_caller=$(sipp_logged uac relay_media) # where the caller sends: the relay's port in the 200
tap_check "both sides were given the relay's address ($to_caller, $to_callee), different ports" \
	test "${to_caller%:*}" = "$RELAY_IP" -a "${to_callee%:*}" = "$RELAY_IP" -a "$to_caller" != "$to_callee"

relay_media fwd caller callee "$to_caller" "$CALLER_RTP" $((CALLEE_MP + 10)) "$to_callee"
jcheck fwd "caller -> callee: $PACKETS packets intact, from the relay's port in the INVITE" \
	".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" '.'
relay_media back callee caller "$to_callee" $((CALLEE_MP + 10)) "$CALLER_RTP" "$to_caller"
jcheck back "callee -> caller: $PACKETS packets intact, from the relay's port in the 200" \
	".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" '.'
fwd=$(($(datapath_forwarded) - fwd_before))
tap_check "the XDP flows forwarded them (forwarded +$fwd, at least $((2 * PACKETS - 2)))" \
	test "$fwd" -ge $((2 * PACKETS - 2))

wait "$uac_pid"
uac_rc=$?
wait "$uas_pid"
uas_rc=$?
check_sipp uac "caller through Kamailio" "$uac_rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE" \
	"the SDP answer's codecs, ptime and telephone-event"
tap_check "callee: SIPp scenario passes (status $uas_rc)" test "$uas_rc" -eq 0
tap_check "the BYE's delete ends the call: every port freed" wait_for 3 no_rtp_ports
tap_check "the daemon logs the delete" grep -q "ng [^ ]* [^ ]*: deleted" "$DAEMON_LOG"

stop_daemon 5
rc=$?
tap_check "SIGTERM: the daemon exits 0 (status $rc)" test "$rc" -eq 0
tap_plan_done
