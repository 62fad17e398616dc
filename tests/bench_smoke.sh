#!/usr/bin/env bash
# make bench, in its few-seconds mode (tools/bench/bench.sh --quick), so that it
# cannot rot: it must run end to end and produce a complete table of
# plausible, non-zero figures. Timings are the benchmark's business, not
# this test's: nothing here compares a figure with a target.
#
# Checked: the exit status; every section of results.md and its machine
# line; in results.json, for each forwarding row (rtpengine only when
# installed) packets offered (the generator's own rate) and forwarded, every
# flow seen by the sink, a ratio to the ceiling only where the generator
# offered enough, else generator-bound, the userspace relays' paced sweep
# and its chosen rate's loss under 1%, no window forwarding more frames than
# it sent (frames counted in the window they carry); a date on every result; the XDP program's costs and
# helper costs; flow programming rate and memory per flow; every SIPp call
# completed; every tone call's stream received; the ng call rate of the
# client alone and of rtprelay (rtpengine when installed) with every call
# completed; the machine described; the pktgen script's configuration for
# the same flows; nothing left behind.
# Output in $BUILD/test-logs/bench_smoke.d/.
# shellcheck disable=SC2016 # the single-quoted $names are jq's
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh

BUILD=${BUILD:-build}
OUT=$BUILD/test-logs/bench_smoke.d
JSON=$OUT/results.json

preflight() {
	local tool bin
	tap_need_root "benchmark smoke run" || return 1
	for tool in ip nsenter ethtool bpftool jq sipp taskset chrt; do
		if ! command -v "$tool" >/dev/null; then
			tap_skip "benchmark smoke run" "$tool not installed"
			return 1
		fi
	done
	for bin in rtpgen rtpsink macfwd benchflows ngcalls ngrate rtpjitter rtprelayd tests/datapath_harness; do
		if [ ! -x "$BUILD/$bin" ]; then
			tap_fail "benchmark binaries built ($BUILD/$bin: run make BUILD=$BUILD)"
			return 1
		fi
	done
}

# check DESCRIPTION JQ-EXPRESSION: ok when the expression is true of results.json.
check() {
	if jq -e "$2" "$JSON" >/dev/null 2>&1; then
		tap_ok "$1"
	else
		tap_fail "$1 (jq: $2)"
	fi
}

check_forwarding() {
	local i name
	while IFS=$'\t' read -r i name; do
		check "forwarding, $name: offered and forwarded packets, every sending flow at the sink" \
			".forwarding[$i] | .offered_pps > 0 and .forwarded_pps > 0 and .relay_cpu >= 0 and
			 .sink.flows_seen == .active and .error == null"
	done < <(jq -r '.forwarding | to_entries[] | select(.value.datapath != null) |
		"\(.key)\t\(.value.label), \(.value.flows) flows (\(.value.active) sending)"' "$JSON")
	check "forwarding: rtprelay XDP with three flow counts, a partly active map and IPv6, userspace, Linux, trivial XDP, rtpengine rows" \
		'[.forwarding[].label] as $l | ($l | map(select(. == "rtprelay XDP")) | length) == 4 and
		 ($l | index("rtprelay XDP, IPv6")) and ($l | index("rtprelay userspace")) and ($l | index("Linux IP forwarding")) and
		 ($l | index("trivial XDP redirect")) and any($l[]; startswith("rtpengine"))'
	check "forwarding: every relay ran (only rtpengine may be missing: not installed)" \
		'all(.forwarding[]; .error == null or (.label == "rtpengine" and (.error | test("not installed"))))'
	check "forwarding: the XDP program's cost in live traffic (bpf_stats)" \
		'all(.forwarding[] | select(.datapath == "xdp" or .datapath == "trivial"); .prog_ns_live > 0)'
	check "forwarding: every row has the generator's offered rate and a ratio to the ceiling, or generator_bound, or a core not saturated" \
		'.ceiling as $c | all(.forwarding[] | select(.datapath != null); .offered_pps > 0 and
		 (.ratio_to_ceiling > 0 or .generator_bound == true or $c.generator_bound == true or
		  .relay_saturated == false or $c.relay_saturated == false))'
	check "forwarding: a ratio only where the generator offered enough, to a ceiling that is not generator-bound" \
		'.generator_bound_below as $b | .ceiling as $c | all(.forwarding[] | select(.ratio_to_ceiling != null);
		 ($c.generator_bound | not) and (.generator_bound | not) and
		 (.measured == "paced sweep" or .offered_pps >= $b * .forwarded_pps))'
	check "forwarding: a ratio only where the relay's core and the ceiling's were busy enough" \
		'.relay_busy_min as $m | .ceiling as $c | all(.forwarding[] | select(.ratio_to_ceiling != null);
		 .relay_cpu >= $m and $c.relay_cpu >= $m)'
	check "forwarding: the sink ring's sent and dropped frames for every relay that ran" \
		'all(.forwarding[] | select(.forwarded_pps != null); .sink_ring.sent > 0 and .sink_ring.dropped >= 0)'
	check "forwarding: the userspace relays from a paced sweep, its chosen rate with under 1% lost" \
		'all(.forwarding[] | select(.datapath == "userspace" or .datapath == "rtpengine");
		 .measured == "paced sweep" and .drop_pct < 1 and .offered_pps > 0 and
		 (.sweep.chosen_pps as $r | .sweep.steps | map(select(.rate_pps == $r)) | length == 1 and .[0].loss_pct < 1))'
	check "forwarding: no window forwarded more frames than it sent (each frame counted in its own window)" \
		'all(.forwarding[] | select(.datapath != null); all((.flat_out_windows[], (.sweep.steps // [])[]);
		 .forwarded_pps <= .sent_pps))'
	check "forwarding: the kernel relays flat out, the generator's rate in every window" \
		'all(.forwarding[] | select(.datapath == "xdp" or .datapath == "trivial" or .datapath == "linux");
		 .measured == "flat out" and all(.flat_out_windows[]; .sent_pps > 0))'
}

main() {
	local rc
	preflight || {
		tap_plan_done
		return 0
	}
	mkdir -p "$OUT"
	timeout 300 bash tools/bench/bench.sh "$BUILD" --quick --out "$OUT" >"$OUT/bench.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "tools/bench/bench.sh --quick exits 0"
	else
		tap_fail "tools/bench/bench.sh --quick exits 0 (status $rc; $OUT/bench.log)"
		tail -n 20 "$OUT/bench.log" | sed 's/^/# /'
	fi
	if ! jq -e . "$JSON" >/dev/null 2>&1; then
		tap_fail "results.json written"
		tap_plan_done
		return 1
	fi
	local section
	for section in "## Forwarding" "## XDP program cost" "## The XDP program over a table of flows" "## One core forwarding flat out" "## Flow table" "## Calls" "## ng call rate" "## Targets"; do
		tap_check "results.md has \"$section\"" grep -q "^$section" "$OUT/results.md"
	done
	tap_check "the table was printed" grep -q '^| rtprelay XDP |' "$OUT/bench.log"
	tap_check "results.md has the machine line" grep -q '^Machine: .* cores .*kernel' "$OUT/results.md"
	check "machine: CPU, cores, kernel, NIC, load, date" \
		'.machine.cpu != "" and .machine.cores > 0 and .machine.kernel != "" and .machine.nic != "" and
		 .machine.load_start != "" and (.machine.date | test("^20[0-9-]+T"))'
	check "every result carries its date" \
		'[(.forwarding[] | select(.datapath != null)), .xdp_cost[], .xdp_walk[], .flow_rate, .call_rate, .tone_calls,
		  (.ng_rate[] | select(.error == null))] |
		 all(.date | test("^20[0-9-]+T[0-9:]+Z$"))'
	check_forwarding
	check "XDP program cost: hit, miss, wrong source and helpers, two flow counts" \
		'(.xdp_cost | length) == 2 and all(.xdp_cost[]; .hit_ns > 0 and .miss_ns > 0 and .wrong_source_ns > 0 and
		 .helpers_ns.run > 0 and .helpers_ns.fib_lookup > 0 and .helpers_ns.ktime_get_ns > 0)'
	check "XDP program over a table of flows: IPv4 and IPv6, both orders, hot and live, the walk alone, trivial and rtprelay" \
		'(.xdp_walk | length) == 8 and all(.xdp_walk[]; .error == null and .walk_alone_ns > 0 and
		 .trivial_ns > 0 and .rtprelay_ns > 0) and ([.xdp_walk[] | "\(.family) \(.order) \(.live)"] | unique | length) == 8'
	check "the live walk: the sink received what the trivial redirect and rtprelay sent, nothing of the walk alone" \
		'all(.xdp_walk[] | select(.live); .trivial_delivered >= 0.99 and .rtprelay_delivered >= 0.99 and .walk_alone_delivered == 0)'
	check "flow table: adds and removes per second, memory per flow" \
		'.flow_rate.add_per_s > 0 and .flow_rate.delete_per_s > 0 and .flow_rate.bytes_per_flow > 0'
	check "call rate: every call of the step completed, none failed" \
		'.call_rate.max_cps > 0 and all(.call_rate.steps[]; .successful == .calls and .failed == 0)'
	check "tone calls: every call's stream received, jitter and bursts measured, daemon CPU and RSS" \
		'(.tone_calls.steps | length > 0 and all(.[]; .streams == .calls and
		 .pps > 0 and .jitter_us.max >= 0 and .burst_ms.max > 0 and .daemon_rss_mb > 0))'
	check "ng call rate: the client alone, then rtprelay, every call completed and timed, none failed" \
		'(.ng_rate | map(select(.error == null) | .name)) as $n | ($n | index("0-client")) == 0 and ($n | index("1-rtprelay")) == 1
		 and all(.ng_rate[] | select(.error == null); .completed == .calls and .failed == 0 and .calls_per_s > 0 and
		 .call_ms.p99 >= .call_ms.p50 and .call_ms.p50 > 0 and .server_cpu >= 0)'
	check "ng call rate: rtpengine's row (only missing when it is not installed)" \
		'any(.ng_rate[]; .name == "2-rtpengine" and (.error == null or (.error | test("not installed"))))'
	check "pktgen: the command for the same flows" '.pktgen | test("pktgen_rtp.sh .*-d 10.11.0.1")'
	# shellcheck disable=SC2046 # the ranges are option words
	tap_check "tools/bench/pktgen_rtp.sh -x configures pktgen for those flows" bash -c \
		"bash tools/bench/pktgen_rtp.sh -x -i eth0 -m 02:00:00:00:00:01 $("$BUILD"/benchflows layout --flows 1000 --pktgen) |
		 grep -q 'udp_dst_max 11000'"
	local prefix
	prefix=$(sed -n 's/^bench: .* run (namespaces \(rtpb-[0-9]*\)-\*).*/\1/p' "$OUT/bench.log")
	tap_check "nothing left behind: no ${prefix:-?}-* namespace or process, no bpffs pins" \
		bash -c "[ -n '$prefix' ] && ! ip netns list | grep -q '^$prefix-' && [ ! -e /sys/fs/bpf/$prefix ] &&
			 ! pgrep -f -- '--bpffs /sys/fs/bpf/[${prefix:0:1}]${prefix:1}/' >/dev/null"
	tap_plan_done
}

main "$@"
