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
# Kamailio (tests/lib/kamailio.sh's configuration) calls rtpengine_offer
# ("replace-origin replace-session-connection") on the INVITE,
# rtpengine_answer on the reply with SDP and rtpengine_delete on the BYE,
# each from one of its worker processes.
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
# With IPV6=1 (tests/ng_kamailio_ipv6.sh) the same over IPv6: Kamailio
# listens on fd00:98:1::1, the relay's media address is fd00:98:1::1, the
# SIPp phones and their media are on fd00:98:1::2 and fd00:98:2::2, and
# every SDP says IP6.
#
# Logs, Kamailio's config and SIPp traces stay in $BUILD/test-logs/ng_kamailio.d/
# (ng_kamailio_ipv6.d/ with IPV6=1).
# Usage: BUILD=build tests/ng_kamailio.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/kamailio.sh

DATAPATH=xdp
IPV6=${IPV6:-0}
if [ "$IPV6" = 1 ]; then
	relay_env_init ng_kamailio_ipv6 caller callee
	# relay_media: the peers' IPv6 addresses; SIPp: -i, last, wins over sipp_run_at's.
	NG_MEDIA_IPV6=1
	MEDIA_IP=$RELAY_IP6 PROXY=[$RELAY_IP6]:5080 CALLEE_URI=sip:[${PEER_IP6[callee]}]:5060
	CALLER_I=(-i "${PEER_IP6[caller]}") CALLEE_I=(-i "${PEER_IP6[callee]}")
else
	relay_env_init ng_kamailio caller callee
	MEDIA_IP=$RELAY_IP PROXY=$RELAY_IP:5080 CALLEE_URI=sip:${PEER_IP[callee]}:5060
	CALLER_I=() CALLEE_I=()
fi
NG=127.0.0.1:2223
CALLEE_MP=41000
CALL_MS=6000
PACKETS=300
relay_env_ready "Kamailio with rtprelayd" kamailio bpftool clang ethtool
kamailio_config "udp:$PROXY" "$CALLEE_URI" "udp:$NG"

if ! start_daemon daemon --listen-ng "$NG" --media-ip "$MEDIA_IP"; then
	tap_fail "rtprelayd starts with --listen-ng $NG"
	diag <"$DAEMON_LOG"
	tap_plan_done
	exit 1
fi
tap_ok "rtprelayd starts with --listen-ng $NG"

# Once its workers run, the module pings the relay and enables it if it gets pong.
kamailio_ready "Kamailio starts, and its rtpengine module enables the relay" "udp:$NG"
pinged() { grep -q 'ng: ping from 127.0.0.1:[0-9]*: pong' "$DAEMON_LOG"; }
tap_check "the relay answered the module's ping with pong" pinged

fwd_before=$(datapath_forwarded)

sipp_callee callee uas uas_answer 5060 -mp "$CALLEE_MP" -key answer "0 8" -m 1 "${CALLEE_I[@]}"
sipp_start caller uac uac_basic "$PROXY" -s callee -mp "$MP" -d "$CALL_MS" -m 1 "${CALLER_I[@]}"

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
	test "${to_caller%:*}" = "$MEDIA_IP" -a "${to_callee%:*}" = "$MEDIA_IP" -a "$to_caller" != "$to_callee"
to_callee=$(media_endpoint "$to_callee") to_caller=$(media_endpoint "$to_caller")

relay_media fwd caller callee "$to_caller" "$CALLER_RTP" $((CALLEE_MP + 10)) "$to_callee"
jcheck fwd "caller -> callee: $PACKETS packets intact, from the relay's port in the INVITE" \
	".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" '.'
relay_media back callee caller "$to_callee" $((CALLEE_MP + 10)) "$CALLER_RTP" "$to_caller"
jcheck back "callee -> caller: $PACKETS packets intact, from the relay's port in the 200" \
	".received == $PACKETS and .payload_ok == $PACKETS and .from_expected == $PACKETS" '.'
fwd=$(($(datapath_forwarded) - fwd_before))
tap_check "the XDP flows forwarded them (forwarded +$fwd, at least $((2 * PACKETS - 2)))" \
	test "$fwd" -ge $((2 * PACKETS - 2))

sipp_end uac
uac_rc=$?
sipp_end uas
uas_rc=$?
check_sipp uac "caller through Kamailio" "$uac_rc" ">INVITE <100 <180 <200 >ACK >BYE <200/BYE" \
	"the SDP answer's codecs, ptime and telephone-event"
tap_check "callee: SIPp scenario passes (status $uas_rc)" test "$uas_rc" -eq 0
relay_holds_nothing "after the BYE's delete" "${NG%:*}" "${NG#*:}"
tap_check "the daemon logs the delete" grep -q "ng [^ ]* [^ ]*: deleted" "$DAEMON_LOG"

stop_daemon 5
rc=$?
tap_check "SIGTERM: the daemon exits 0 (status $rc)" test "$rc" -eq 0
tap_plan_done
