#!/usr/bin/env bash
# Runs every test and ends with "N passed, N failed, N skipped".
#
# Each test speaks TAP on stdout: "ok N - name", "not ok N - name",
# "ok N - name # SKIP reason". cmocka unit tests do so with
# CMOCKA_MESSAGE_OUTPUT=TAP; C and shell tests print it themselves
# (tests/lib/tap.sh). A test that exits non-zero without reporting a
# failure counts as one failure, so a crash cannot pass.
# Usage: tests/run.sh [BUILD_DIR] [FILTER]  (FILTER: a substring of test names)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
FILTER=${2:-}
export BUILD CMOCKA_MESSAGE_OUTPUT=TAP
mkdir -p "$BUILD/test-logs"

passed=0 failed=0 skipped=0
failures=()

run_one() {
	local name=$1
	shift
	[ -n "$FILTER" ] && [[ $name != *"$FILTER"* ]] && return
	local log="$BUILD/test-logs/$name.log" start=$SECONDS
	echo "=== $name"
	"$@" >"$log" 2>&1
	local rc=$?
	local p f s
	p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
	s=$(grep -cE '^ok [0-9]+.*# (SKIP|skip)' "$log" | head -1)
	f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	grep -E '^(not ok|ok [0-9]+.*# SKIP)' "$log" | sed 's/^/    /'
	echo "    $name: $p passed, $f failed, $s skipped ($((SECONDS - start)) s; log $log)"
	[ "$f" -gt 0 ] && failures+=("$name")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
for t in tests/*.sh; do
	[ "$t" = tests/run.sh ] && continue
	[ -f "$t" ] && run_one "$(basename "$t" .sh)" bash "$t"
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]} (logs in $BUILD/test-logs/)"
	for n in "${failures[@]}"; do
		echo "--- tail of $BUILD/test-logs/$n.log"
		tail -n 40 "$BUILD/test-logs/$n.log"
	done
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
