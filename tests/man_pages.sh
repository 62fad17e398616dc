#!/usr/bin/env bash
# The man pages say what the programs do today: every long option of
# `rtprelayd --help` is an option of rtprelayd(8), with the same short
# option and argument, and the other way round; every command `rtprelayctl
# help` lists is a command of rtprelayctl(8), with the same arguments, and
# back, and so are its options; every key of the [rtprelay] group (the long
# options but config, route and help) is a key of rtprelay.conf(5) and of
# etc/rtprelay.conf.example, and back. Each page renders without warnings.
# Adding an option or command without documenting it fails here.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
BUILD=${BUILD:-build}
DAEMON=$BUILD/rtprelayd
CTL=$BUILD/rtprelayctl
MAN_SRC=docs/man
failed=0

# terms FILE SECTION: the terms of the definition lists in SECTION of a
# Markdown man page (a line followed by one starting with ": "), with the
# Markdown emphasis removed: "**--bpffs**=_DIR_" is "--bpffs=DIR".
terms() {
	awk -v want="# $2" '
		/^# / { in_section = ($0 == want); next }
		in_section && /^: / && prev != "" { print prev }
		{ prev = $0 }
	' "$1" | sed 's/\*\*//g; s/_//g' | sort
}

# same WHAT EXPECTED ACTUAL: one TAP line; the lines only one side has
# when they differ.
same() {
	local what=$1 diff_out
	diff_out=$(diff <(echo "$2") <(echo "$3"))
	if [ -z "$diff_out" ]; then
		tap_ok "$what"
	else
		tap_fail "$what"
		failed=1
		echo "$diff_out" | grep '^[<>]' | sed 's/^</# only in the program:/; s/^>/# only in the man page:/'
	fi
}

# The pages are not part of the default build: make them from the sources here.
make --no-print-directory -s BUILD="$BUILD" man >&2 || tap_fail "make man"
if [ ! -x "$DAEMON" ] || [ ! -x "$CTL" ] || [ ! -d "$BUILD/man" ]; then
	tap_fail "built: $DAEMON, $CTL, $BUILD/man (make BUILD=$BUILD)"
	tap_plan_done
	exit 1
fi

# rtprelayd --help: "  -f, --foreground   Stay..." or "  --bpffs=DIR   Where...".
daemon_opts=$("$DAEMON" --help | sed -nE 's/^  ((-[a-zA-Z], )?--[a-z][a-z-]*(=[^ ]+)?)  .*/\1/p' | sort)
same "rtprelayd(8) documents every option of rtprelayd --help, with its arguments, and no other" \
	"$daemon_opts" "$(terms $MAN_SRC/rtprelayd.8.md OPTIONS)"

# rtprelayctl help: commands are indented two spaces under "Commands:", their
# help four or more; options are the --words under "Options:".
ctl_help=$("$CTL" help)
ctl_commands=$(echo "$ctl_help" | awk '/^Commands:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  [^ ]/ { sub(/^  /, ""); print }' | sort)
same "rtprelayctl(8) documents every command of rtprelayctl help, with its arguments, and no other" \
	"$ctl_commands" "$(terms $MAN_SRC/rtprelayctl.8.md COMMANDS)"
ctl_opts=$(echo "$ctl_help" | awk '/^Options:/ { on = 1; next } /^[^ ]/ { on = 0 } on' | grep -oE '^  (-[a-z], )?--[a-z-]+' | sed 's/^  //' | sort)
man_ctl_opts=$(terms $MAN_SRC/rtprelayctl.8.md OPTIONS | sed -E 's/ [A-Z]+$//')
same "rtprelayctl(8) documents every option of rtprelayctl help, and no other" "$ctl_opts" "$man_ctl_opts"

# The [rtprelay] keys: the long options but the two that only the command line has.
keys=$(echo "$daemon_opts" | sed -E 's/^(-[a-zA-Z], )?--//; s/=.*//' | grep -vxE 'config|route|help' | sort)
same "rtprelay.conf(5) documents every key of the [rtprelay] group, and no other" \
	"$keys" "$(terms $MAN_SRC/rtprelay.conf.5.md 'THE [rtprelay] GROUP' | sed 's/ .*//')"
example_keys=$(awk '/^\[/ { on = ($0 == "[rtprelay]"); next } on' etc/rtprelay.conf.example |
	sed -nE 's/^#?([a-z][a-z-]*) =.*/\1/p' | sort)
same "etc/rtprelay.conf.example shows every key of the [rtprelay] group, and no other" "$keys" "$example_keys"

for page in "$BUILD"/man/*; do
	warnings=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$warnings" ]; then
		tap_ok "$(basename "$page") renders without warnings"
	else
		tap_fail "$(basename "$page") renders without warnings"
		failed=1
		awk '{ print "# " $0 }' <<<"$warnings"
	fi
done
tap_plan_done
exit $failed
