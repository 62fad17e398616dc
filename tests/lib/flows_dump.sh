# shellcheck shell=bash
# flows_dump BPFFS: the pinned flows as `bpftool -j map dump pinned
# BPFFS/flows` prints them, but with each flow's counts in its flow table
# entry added in where it has one (.formatted.value.table_slot > 0) and it
# is present: the program counts there, and in `flows` only the packets
# that met the entry being written (bpf/flow_abi.h, lib/flow_table.c
# flow_table_counters). An entry an older daemon wrote (seq 0) holds the
# flow's all, and `flows` a stale copy. In maps an older daemon created,
# bpftool names fields by that map's BTF: table_slot is pad, and an
# entry's seq pad[0].
flows_dump() {
	local flows slot i entry table='{}'
	flows=$(bpftool -j map dump pinned "$1/flows") || return 1
	for slot in $(jq -r '.[].formatted.value | .table_slot // .pad // 0 | select(. > 0)' <<<"$flows"); do
		i=$((slot - 1))
		entry=$(bpftool -j map lookup pinned "$1/flow_table" \
			key $((i & 255)) $((i >> 8 & 255)) $((i >> 16 & 255)) $((i >> 24 & 255))) || return 1
		table=$(jq -c --arg s "$slot" --argjson e "$entry" '. + {($s): $e.formatted.value}' <<<"$table")
	done
	jq -c --argjson t "$table" 'map((.formatted.value | .table_slot // .pad // 0 | tostring) as $s |
		if $t[$s].present != 1 then .
		elif ($t[$s].seq // $t[$s].pad[0] // 0) == 0 then .formatted.value.counters = $t[$s].value.counters
		else $t[$s].value.counters as $e | .formatted.value.counters |= {
			packets: (.packets + $e.packets), bytes: (.bytes + $e.bytes),
			sampled_seen_ns: ([.sampled_seen_ns, $e.sampled_seen_ns] | max),
			wrong_source: (.wrong_source + $e.wrong_source)} end)' <<<"$flows"
}
