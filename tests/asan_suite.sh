#!/usr/bin/env bash
# The integration tests of SIP, bridges, control and ng against rtprelayd
# built with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# (`make asan`, into $BUILD-asan; built here when missing or out of date).
#
# Each script runs as it does in the plain suite, with RTPRELAYD naming the
# sanitized daemon (tests/lib/relay_env.sh); the test programs and
# rtprelayctl stay the plain ones, whose timing the tests are written for
# (a sanitized rtprelayctl takes ten times as long to start). ASan and
# LeakSanitizer write their reports into
# $BUILD/test-logs/asan_suite.d/SCRIPT.san/ (one file per process); UBSan
# (GCC's libubsan, beside ASan) writes to stderr whatever its log_path
# says, so into the daemon's log in SCRIPT.d/, which is searched too. Any
# undefined behaviour aborts the daemon (-fno-sanitize-recover); leaks are
# looked for when it exits, so only daemons stopped by SIGTERM (not the
# ones the tests SIGKILL on purpose: control_cli's, and the first of
# bridge_sipp's restart mode) are checked for them.
#
# TAP: one line per script (all of its own checks pass, in one run of at
# most two: the daemon runs two to three times slower under ASan, and a
# timing check that misses in the first gets a second; the first run's
# failures are printed), then per script
# one failure per sanitizer report (an error, or a leaked allocation site),
# naming the first frame in rtprelay's code, or one ok line when it has none.
# Leaks inside third-party libraries are suppressed by
# tests/lsan_suppressions.txt, which says why for each.
#
# Usage: BUILD=build tests/asan_suite.sh [SCRIPT...]  (default: the five below)
#        ASAN_BUILD=DIR uses the sanitized daemon DIR/rtprelayd as it is.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh

BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-}
SCRIPTS=("$@")
[ ${#SCRIPTS[@]} -eq 0 ] && SCRIPTS=(calls_sipp bridge_sipp control_cli ng_protocol sip_torture)
OUT=$BUILD/test-logs/asan_suite.d
mkdir -p "$OUT" && rm -rf "${OUT:?}"/*

if [ "$(id -u)" -ne 0 ]; then
	tap_skip "the integration tests under ASan and UBSan" "needs root (network namespaces, XDP)"
	tap_plan_done
	exit 0
fi
if [ -z "$ASAN_BUILD" ]; then
	ASAN_BUILD=$BUILD-asan
	start=$SECONDS
	if env -u MAKEFLAGS -u MAKELEVEL make -j"$(nproc)" --no-print-directory BUILD="$BUILD" asan >"$OUT/make.log" 2>&1; then
		tap_ok "make asan builds rtprelayd with ASan and UBSan ($((SECONDS - start)) s)"
	else
		tap_fail "make asan builds rtprelayd with ASan and UBSan"
		tail -n 20 "$OUT/make.log" | awk '{ print "# " $0 }'
		tap_plan_done
		exit 1
	fi
fi

# sanitizer_reports FILE...: one line per report in the FILEs (sanitizer
# logs, daemon logs): what it is, then "FUNCTION FILE:LINE" of its first frame in
# rtprelay's own sources (relative paths; libraries' frames are absolute),
# and the log file. A LeakSanitizer report counts once per leaked
# allocation site.
sanitizer_reports() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		awk -v file="$f" '
			function flush() {
				if (what != "") print what " in " (where != "" ? where : "(no frame in rtprelay code)") " [" file "]"
				what = ""; where = ""
			}
			/ERROR: LeakSanitizer/ { flush(); next }
			/ERROR: AddressSanitizer/ { flush(); sub(/.*ERROR: /, ""); what = $0; next }
			/^(Direct|Indirect) leak of/ { flush(); what = $1 " leak of " $4 " bytes"; next }
			/: runtime error: / { flush(); what = "UBSan " $0; next }
			/^ *#[0-9]+ 0x[0-9a-f]+ in / && what != "" && where == "" &&
			    $NF ~ /^(userspace|lib|tools|tests|bpf)\// { where = $4 " " $NF }
			END { flush() }
		' "$f"
	done
}

export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
# GLib's slice allocator would hide GLib objects from LeakSanitizer.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
for script in "${SCRIPTS[@]}"; do
	san=$OUT/$script.san
	mkdir -p "$san" && san=$(realpath "$san")
	# A full unwind of every allocation: leaks allocated through glibc
	# (g_strdup_printf, vasprintf) would otherwise end at libc's frames.
	ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:log_path=$san/asan"
	LSAN_OPTIONS="suppressions=$PWD/tests/lsan_suppressions.txt:print_suppressions=0"
	UBSAN_OPTIONS="print_stacktrace=1"
	# A check that fails under ASan's slowness (a tone window missing a tick)
	# gets one more run; the first run's failures are printed, and the
	# sanitizer reports of both runs count.
	daemon_reports=
	for attempt in 1 2; do
		start=$SECONDS
		RTPRELAYD=$ASAN_BUILD/rtprelayd TEST_LOGS=$OUT bash "tests/$script.sh" >"$OUT/$script.tap" 2>&1
		rc=$?
		took=$((SECONDS - start))
		passed=$(grep -cE '^ok [0-9]+' "$OUT/$script.tap")
		failed=$(grep -cE '^not ok [0-9]+' "$OUT/$script.tap")
		daemon_reports+=$'\n'$(sanitizer_reports "$OUT/$script.d"/*.log)
		[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && break
		[ "$attempt" = 1 ] || break
		echo "# $script, first run: $passed pass, $failed fail, exit status $rc; run again"
		grep -E '^not ok' "$OUT/$script.tap" | awk '{ print "#   " $0 }'
		mv "$OUT/$script.tap" "$OUT/$script.first.tap"
	done
	if [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
		tap_ok "$script under ASan and UBSan: $passed checks pass ($took s$([ "$attempt" = 2 ] && echo ", second run"))"
	else
		tap_fail "$script under ASan and UBSan: $passed pass, $failed fail, exit status $rc ($took s; $OUT/$script.tap)"
		grep -E '^not ok' "$OUT/$script.tap" | awk '{ print "# " $0 }'
	fi
	reports=$(printf '%s\n%s\n' "$(sanitizer_reports "$san"/*)" "$daemon_reports" | sed '/^$/d')
	if [ -z "$reports" ]; then
		tap_ok "$script: no sanitizer report"
	else
		while IFS= read -r report; do
			tap_fail "$script: $report"
		done <<<"$reports"
	fi
done
tap_plan_done
