# shellcheck shell=bash
# Debian's Kamailio with its unchanged rtpengine module in front of
# rtprelayd, for the tests/ng_kamailio*.sh: the proxy's configuration, its
# start, SIPp callers and callees through it, and what the relay holds as
# seen from outside (ng statistics, its RTP ports, its flows). Sourcing it
# sources tests/lib/tap.sh, relay_env.sh and ng_media.sh.
#
# The configuration (kamailio_config) is the one the README shows:
#  - INVITE: rtpengine_offer, the reply with SDP rtpengine_answer, the call
#    relayed to the callee's address;
#  - in-dialogue INVITE (re-INVITE: hold, resume): the same offer/answer;
#    BYE: rtpengine_delete;
#  - CANCEL: rtpengine_delete, then relayed;
#  - failure_route (486, 603, ... from the callee; not a cancelled INVITE,
#    whose CANCEL deleted already): rtpengine_delete.
#
# Set by kamailio_start: KAMAILIO_PID, KAMAILIO_LOG.

. tests/lib/tap.sh
. tests/lib/relay_env.sh
. tests/lib/ng_media.sh

KAMAILIO_PID=
KAMAILIO_LOG=
KAMAILIO_FLAGS="replace-origin replace-session-connection"
declare -A SIPP_PID

# kamailio_config LISTEN CALLEE SOCKS: writes $OUT/kamailio.cfg, listening on
# LISTEN (udp:ADDR:PORT, an IPv6 ADDR in brackets), relaying new calls to
# CALLEE (a SIP URI) and their media through the rtpengine set SOCKS
# (space-separated udp:ADDR:PORT, each with =WEIGHT if wanted).
kamailio_config() {
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
listen=$1
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
modparam("rtpengine", "rtpengine_sock", "$3")
# A relay that does not answer is given up after 2 x 500 ms and disabled
# for 60 s; the call goes to another relay of the set.
modparam("rtpengine", "rtpengine_tout_ms", 500)
modparam("rtpengine", "rtpengine_retr", 2)
modparam("rtpengine", "rtpengine_disable_tout", 60)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("CANCEL")) {
		# The caller gave up while the callee rang: the relay's call goes with it.
		if (t_check_trans()) {
			rtpengine_delete();
			t_relay();
		}
		exit;
	}
	if (has_totag()) {
		# In-dialogue: SIPp sends ACK, re-INVITE and BYE to its next hop without Route.
		loose_route();
		if (is_method("BYE")) {
			rtpengine_delete();
		} else if (is_method("INVITE")) {
			rtpengine_offer("$KAMAILIO_FLAGS");
			t_on_reply("MANAGE_REPLY");
		}
		t_relay();
		exit;
	}
	if (!is_method("INVITE")) {
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	record_route();
	rtpengine_offer("$KAMAILIO_FLAGS");
	t_on_reply("MANAGE_REPLY");
	t_on_failure("MANAGE_FAILURE");
	\$du = "$2";
	t_relay();
}

onreply_route[MANAGE_REPLY] {
	if (has_body("application/sdp"))
		rtpengine_answer("$KAMAILIO_FLAGS");
}

failure_route[MANAGE_FAILURE] {
	if (t_is_canceled())
		exit;
	rtpengine_delete();
}
EOF
}

# kamailio_start SOCK...: Kamailio in the foreground in the relay namespace
# with $OUT/kamailio.cfg, log in $OUT/kamailio.log; true once its rtpengine
# module has pinged each relay SOCK (udp:ADDR:PORT) and enabled it.
kamailio_start() {
	local sock
	KAMAILIO_LOG=$OUT/kamailio.log
	in_relay kamailio -f "$OUT/kamailio.cfg" -DD -E -m 64 -M 8 >"$KAMAILIO_LOG" 2>&1 &
	KAMAILIO_PID=$!
	PIDS+=("$KAMAILIO_PID")
	for sock in "$@"; do
		wait_for 30 grep -qF "rtpengine instance <$sock> found, support for it enabled" "$KAMAILIO_LOG" || return 1
	done
}

# kamailio_ready WHAT SOCK...: kamailio_start as a TAP line; the log in
# the TAP stream when it fails.
kamailio_ready() {
	local what=$1
	shift
	if kamailio_start "$@"; then
		tap_ok "$what"
	else
		tap_fail "$what"
		diag <"$KAMAILIO_LOG"
	fi
}

# sipp_start PEER NAME SCENARIO [SIPp options...]: sipp_run_at in the
# background; sipp_end NAME waits for it and returns its status.
sipp_start() {
	(sipp_run_at "$@") &
	SIPP_PID[$2]=$!
	PIDS+=("$!")
}
# sipp_callee PEER NAME SCENARIO PORT [SIPp options...]: sipp_start of a
# callee on PORT; true once it listens.
sipp_callee() {
	local peer=$1 name=$2 scenario=$3 port=$4
	shift 4
	sipp_start "$peer" "$name" "$scenario" -p "$port" "$@"
	wait_for 3 in_peer "$peer" sh -c "ss -Huan 'sport = :$port' | grep -q ."
}
sipp_end() { wait "${SIPP_PID[$1]}"; }

# sipp_go_on PEER NAME: ends the phase of the SIPp caller NAME (on PEER's
# port 5060) that waits for an OPTIONS in its call (uac_reinvite_hold.xml,
# uac_audio_video.xml), so that a phase lasts as long as the test needs
# on a loaded machine; true once SIPp answered it.
sipp_go_on() {
	local call_id
	call_id=$(sed -n 's/^Call-ID: *//p' "$OUT/$2.msg" | head -n 1 | tr -d '\r')
	in_peer "$1" python3 -c '
import os, socket, sys
ip, call_id = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((ip, 0))
s.settimeout(5)
port = s.getsockname()[1]
host = "[%s]" % ip if ":" in ip else ip
branch = os.urandom(6).hex()
s.sendto(("OPTIONS sip:sipp@%s:5060 SIP/2.0\r\n"
          "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s\r\n"
          "From: <sip:test@%s>;tag=%s\r\nTo: <sip:sipp@%s>\r\n"
          "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
          % (host, host, port, branch, host, branch, host, call_id)).encode(), (ip, 5060))
sys.exit(0 if s.recv(65536).startswith(b"SIP/2.0 200") else 1)
' "${PEER_IP[$1]}" "$call_id" 2>/dev/null
}

# ng_request ADDR PORT BENCODE: one ng request from the relay namespace;
# prints the reply's bencoded dictionary (nothing after 2 s). Each request
# has a cookie of its own: the relay answers a cookie it has seen with the
# reply it cached for it.
ng_request() {
	in_relay python3 -c '
import os, socket, sys
host, port, body = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(os.urandom(8).hex().encode() + b" " + body.encode(), (host, port))
print(s.recv(65536).partition(b" ")[2].decode(errors="replace"))
' "$@" 2>/dev/null
}

# ng_statistic ADDR PORT KEY: the integer KEY of the relay's ng statistics
# reply, e.g. sessionsown (calls now), managedsessions (calls since start).
ng_statistic() {
	ng_request "$1" "$2" 'd7:command10:statisticse' | sed -n "s/.*[0-9]:$3i\([0-9]*\)e.*/\1/p"
}

# relay_flow_count: the datapath's flows (rtprelayctl flows).
relay_flow_count() { relayctl -j flows | jq length; }

# relay_holds_nothing WHAT NG_ADDR NG_PORT: TAP lines: the relay at
# NG_ADDR:NG_PORT holds no ng call, and the daemon no RTP port and no flow.
relay_holds_nothing() {
	local calls flows
	calls=$(ng_statistic "$2" "$3" sessionsown)
	tap_check "$1: the relay holds no call (ng statistics: ${calls:-no reply})" test "$calls" = 0
	tap_check "$1: every RTP port freed" wait_for 3 no_rtp_ports
	flows=$(relay_flow_count)
	tap_check "$1: no flow left (rtprelayctl flows: ${flows:-no reply})" test "$flows" = 0
}
