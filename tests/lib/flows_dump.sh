# shellcheck shell=bash
# flows_dump BPFFS: the pinned flows as `bpftool -j map dump pinned
# BPFFS/flows` prints them, but with each flow's counters from its flow
# table entry where it has one (.formatted.value.table_slot > 0): the
# program counts there, and the copy in `flows` stays as it was when the
# flow was written (bpf/flow_abi.h). In a `flows` map an older daemon
# created, bpftool names table_slot by that map's BTF: pad.
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
		if $t[$s].present == 1 then .formatted.value.counters = $t[$s].value.counters else . end)' <<<"$flows"
}
