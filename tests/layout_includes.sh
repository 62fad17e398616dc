#!/usr/bin/env bash
# The tree's layers, checked on every quote include: a folder includes only
# its own headers and those of folders below it (docs/architecture.md), so
# include edges point one way and no two folders include each other.
# It also checks that rtprelayctl and the shared library stay free of the
# daemon, and that no source refers to a document outside the repository.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/tap.sh

# Highest first. A folder may include any folder after it in this list.
LAYERS=(
	userspace/daemon
	userspace/control
	userspace/metrics
	userspace/ng
	userspace/sip
	userspace/call
	userspace/media
	userspace/sdp
	userspace/config
	userspace/datapath
	lib
	bpf
)

rank() {
	local i
	for i in "${!LAYERS[@]}"; do
		[ "${LAYERS[$i]}" = "$1" ] && { echo "$i"; return; }
	done
	echo -1
}

# The folder a quote include names, as the compiler resolves it: the
# including file's own folder first, then the -iquote roots (. and userspace).
resolve() {
	local from_dir=$1 name=$2
	if [ -f "$from_dir/$name" ]; then
		dirname "$from_dir/$name"
	elif [ -f "$name" ]; then
		dirname "$name"
	elif [ -f "userspace/$name" ]; then
		dirname "userspace/$name"
	else
		echo "generated"
	fi
}

bad=()
while IFS= read -r file; do
	dir=$(dirname "$file")
	from=$(rank "$dir")
	[ "$from" -lt 0 ] && continue
	while IFS= read -r name; do
		to_dir=$(resolve "$dir" "$name")
		[ "$to_dir" = generated ] && continue
		[ "$to_dir" = "$dir" ] && continue
		to=$(rank "$to_dir")
		if [ "$to" -le "$from" ]; then
			bad+=("$file includes $name ($to_dir is not below $dir)")
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(git ls-files 'userspace/*.[ch]' 'lib/*.[ch]' 'bpf/*.[ch]')
if [ ${#bad[@]} -eq 0 ]; then
	tap_ok "userspace/, lib/ and bpf/ include only their own folder and the layers below it"
else
	tap_fail "include edges point down the layers: ${#bad[@]} do not"
	printf '    %s\n' "${bad[@]}"
fi

up=$(git grep -l '#include "\(call\|control\|daemon\|media\|ng\|sdp\|sip\|config\|datapath\)/' -- tools/ctl lib)
if [ -z "$up" ]; then
	tap_ok "tools/ctl and lib include nothing of the daemon"
else
	tap_fail "tools/ctl and lib include nothing of the daemon: $up"
fi

outside=$(git grep -nE '(DESIGN|NOTES_PLATFORM|STYLE)\.md|\.\./shared' -- '*.c' '*.h' '*.sh' '*.xml' 'Makefile' '*.md')
if [ -z "$outside" ]; then
	tap_ok "no file refers to documents outside the repository"
else
	tap_fail "no file refers to documents outside the repository"
	printf '    %s\n' "$outside"
fi
tap_plan_done
