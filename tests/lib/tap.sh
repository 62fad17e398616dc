# TAP output for shell tests; source it, then call tap_ok/tap_fail/tap_skip/tap_check.
TAP_N=0
tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
tap_fail() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $*"; }
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"; }
# tap_check "description" command args…: ok if the command succeeds.
tap_check() {
	local d=$1
	shift
	if "$@"; then tap_ok "$d"; else tap_fail "$d"; fi
}
# Root and the kernel features the network tests need, or a reason to skip.
tap_need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		tap_skip "$1" "needs root (network namespaces, XDP)"
		return 1
	fi
}
tap_plan_done() { echo "1..$TAP_N"; }
