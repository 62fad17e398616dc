#!/usr/bin/env bash
# rtprelayd as a service manager sees it. Its readiness: with
# $NOTIFY_SOCKET set (systemd, Type=notify) it sends READY=1 once it takes
# calls and STOPPING=1 on SIGTERM. Its open-file limit, as a host hands it
# over: a soft limit of 1024 used to run out at about 500 calls, and
# sofia-sip then spun a core on EMFILE. What it proves:
#  - started with a soft limit of 1024 and a higher hard one (a login
#    shell's default), rtprelayd raises its soft limit to what its RTP port
#    range needs (one socket per port, plus room for SIP connections);
#  - where the hard limit is lower than that, it says so with the fix, caps
#    max-calls so the calls' sockets fit in half of the limit, and a burst
#    of TCP connections to its SIP port neither exhausts its descriptors
#    nor stops it answering OPTIONS over UDP;
#  - both on the kernel's default sysctls (the userspace datapath).
# Usage: BUILD=build tests/daemon_service.sh
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

DATAPATH=userspace
RTP_MIN=20000 RTP_MAX=29999
relay_env_init daemon_service caller

# open_files_limit KIND: the daemon's soft or hard open-file limit.
open_files_limit() {
	awk -v k="$1" '/^Max open files/ { print (k == "soft" ? $4 : $5) }' "/proc/$DAEMON_PID/limits"
}

options_answered() { sipp_run options uac_options tone -m 1; }

# A python3 client holds N TCP connections to the SIP port open for SECONDS.
hold_tcp() {
	in_peer caller python3 - "$RELAY_IP" "$1" "$2" <<-'PY' &
		import socket, sys, time
		host, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
		conns = []
		for _ in range(n):
		    try:
		        conns.append(socket.create_connection((host, 5060), timeout=10))
		    except OSError as e:
		        print(f"# connection {len(conns) + 1}: {e}", flush=True)
		        break
		print(f"# {len(conns)} TCP connections open", flush=True)
		time.sleep(secs)
	PY
	PIDS+=("$!")
	HOLD_PID=$!
}

# A service manager's notification socket (an absolute path, as systemd
# gives), its datagrams in $OUT/notifications.
notify_listen() {
	NOTIFY_SOCKET=$(realpath "$OUT")/notify.sock
	python3 - "$NOTIFY_SOCKET" >"$OUT/notifications" <<-'PY' &
		import socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		s.bind(sys.argv[1])
		print("listening", flush=True)
		while True:
		    print(s.recv(4096).decode(), flush=True)
	PY
	PIDS+=("$!")
	wait_for 3 grep -qs listening "$OUT/notifications"
}

test_readiness() {
	notify_listen || {
		tap_fail "a notification socket to listen on"
		return
	}
	NOTIFY_SOCKET=$NOTIFY_SOCKET start_daemon managed || tap_fail "rtprelayd starts under a service manager"
	tap_check "READY=1 once it takes calls" wait_for 3 grep -qx 'READY=1' "$OUT/notifications"
	tap_check "and it takes calls" options_answered
	stop_daemon 8
	tap_check "STOPPING=1 on SIGTERM" grep -qx 'STOPPING=1' "$OUT/notifications"
}

test_soft_limit_raised() {
	local soft needed=$((RTP_MAX - RTP_MIN + 1 + 8192))
	ulimit -Sn 1024
	start_daemon soft || {
		tap_fail "rtprelayd starts with a soft open-file limit of 1024"
		return
	}
	soft=$(open_files_limit soft)
	tap_check "soft limit 1024 raised to what ports $RTP_MIN-$RTP_MAX need ($soft >= $needed)" \
		test "${soft:-0}" -ge "$needed"
	tap_check "the daemon logs the limit it runs with" grep -q "open-file limit $soft" "$DAEMON_LOG"
	stop_daemon 8
}

test_low_hard_limit() {
	local cap=$((2048 / 4))
	ulimit -Hn 2048 2>/dev/null && ulimit -Sn 2048
	start_daemon hard || {
		tap_fail "rtprelayd starts with a hard open-file limit of 2048"
		return
	}
	if [ "$(open_files_limit hard)" = 2048 ]; then
		tap_check "a hard limit below the range's need is reported with the fix" \
			grep -q 'is below the .* the RTP port range needs (LimitNOFILE=' "$DAEMON_LOG"
		tap_check "max-calls is capped to fit the limit (10000 -> $cap)" \
			grep -q "max-calls lowered from 10000 to $cap" "$DAEMON_LOG"
	else
		# CAP_SYS_RESOURCE let it raise the hard limit too: nothing to cap.
		tap_check "the daemon raised its hard limit itself" grep -q 'open-file limit' "$DAEMON_LOG"
		tap_ok "max-calls not capped: the limit fits the range # SKIP hard limit raised by the daemon"
	fi
	hold_tcp 300 10
	sleep 1
	tap_check "OPTIONS over UDP answered while 300 TCP connections open" options_answered
	tap_check "no descriptor ran out (no EMFILE in the log)" bash -c "! grep -qi 'too many open files' '$DAEMON_LOG'"
	kill "$HOLD_PID" 2>/dev/null
	stop_daemon 8
	tap_check "rtprelayd exits 0 on SIGTERM" test $? -eq 0
}

main() {
	relay_env_ready "rtprelayd as a service"
	test_readiness
	test_soft_limit_raised
	test_low_hard_limit
	tap_plan_done
}

main
