# Waiting for something a background process does, shared by the tests,
# the demo and the benchmark. Source it.

# wait_for SECONDS COMMAND...: polls every 50 ms until COMMAND succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# wait_ready FILE PID [SECONDS]: until FILE has a line "ready" (5 s at most
# by default); false if PID died first.
wait_ready() {
	local i
	for i in $(seq $((${3:-5} * 50))); do
		grep -qx ready "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
