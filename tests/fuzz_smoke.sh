#!/usr/bin/env bash
# The fuzz targets (tests/fuzz/) built and run for a few seconds each on a
# copy of their seeds (make fuzz-corpus), so that they keep building and
# the seeds (reproducers of past findings among them) keep passing. ok when
# a target ran to the end without a crash, leak, timeout or out-of-memory
# and got through at least MIN_RUNS inputs; fuzz_xdp needs root.
# Longer runs: make fuzz FUZZ_SECONDS=...
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/tap.sh

BUILD=${BUILD:-build}
SECONDS_EACH=${FUZZ_SMOKE_SECONDS:-5}
MIN_RUNS=2000
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if ! make --no-print-directory -j"$(nproc)" BUILD="$BUILD" FUZZ_CORPUS="$WORK/corpus" fuzz-targets fuzz-corpus \
	>"$WORK/build.log" 2>&1; then
	tap_fail "fuzz targets build (make BUILD=$BUILD fuzz-targets fuzz-corpus)"
	sed 's/^/# /' "$WORK/build.log" | tail -n 30
	tap_plan_done
	exit 1
fi

for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	if [ "$t" = fuzz_xdp ] && [ "$(id -u)" -ne 0 ]; then
		tap_skip "$t" "needs root (BPF_PROG_RUN)"
		continue
	fi
	mkdir -p "$WORK/$t/findings"
	log=$WORK/$t/log
	"$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$WORK/$t/findings/" "$WORK/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
	if [ "$rc" -eq 0 ] && [ "${runs:-0}" -ge "$MIN_RUNS" ]; then
		tap_ok "$t: $runs runs in ${SECONDS_EACH} s"
	else
		tap_fail "$t: exit status $rc, ${runs:-no} runs (at least $MIN_RUNS expected)"
		grep -E 'ERROR|rule broken|SUMMARY|Test unit written|needs root|cannot load' "$log" | head -n 20 | sed 's/^/# /'
		for f in "$WORK/$t/findings"/*; do
			[ -f "$f" ] && echo "# input: $(base64 -w0 "$f")"
		done
	fi
done
tap_plan_done
