#!/usr/bin/env bash
# The Debian package, end to end on this machine: `make deb` builds it (again
# only when a file it is made of changed), lintian finds neither errors nor
# warnings, apt installs it, the installed rtprelayd, started the way its
# systemd unit starts it (ExecStartPre, ExecStart, CapabilityBoundingSet,
# NoNewPrivileges, LimitNOFILE), answers a SIPp call through XDP in a network
# namespace, rtprelayctl answers root and the rtprelay group but nobody
# else, and `apt-get purge` removes every file, the user, the group and the
# maps a SIGKILLed daemon left pinned. Runs under the shared lock; skips if
# rtprelay is installed or its user, group or pin directory exists already.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

PIN_DIR=/sys/fs/bpf/rtprelay
UNIT=/lib/systemd/system/rtprelayd.service
export DEBIAN_FRONTEND=noninteractive

relay_env_init package_deb caller
DATAPATH=xdp
DAEMON=/usr/sbin/rtprelayd
CTL=/usr/bin/rtprelayctl
BPFFS=$PIN_DIR # what the packaged daemon uses; relay_env_cleanup removes it

# not COMMAND...: true when COMMAND fails (tap_check runs a command, not "!").
not() { ! "$@"; }
system_user() { [ "$(id -gn rtprelay 2>/dev/null)" = rtprelay ] && [ "$(id -u rtprelay)" -lt 1000 ]; }
no_user_nor_group() { ! getent passwd rtprelay >/dev/null && ! getent group rtprelay >/dev/null; }
daemon_logged_fast_paths() {
	grep -q 'datapath xdp' "$DAEMON_LOG" && grep -q SCHED_FIFO "$DAEMON_LOG" && grep -q 'raw socket' "$DAEMON_LOG"
}
pinned_after_kill() { [ -e "$PIN_DIR/flows" ] && [ -e "$PIN_DIR/link_rly0" ]; }

installed() { dpkg-query -W -f='${Status}' rtprelay 2>/dev/null | grep -q 'install ok installed'; }

# relay_env_cleanup (processes, namespaces, pins), then the package if a
# failure left it installed.
package_cleanup() {
	relay_env_cleanup
	installed && apt-get purge -y -qq rtprelay >/dev/null 2>&1
}

tap_need_root "package" || { tap_plan_done; exit 0; }
for tool in dpkg-buildpackage lintian apt-get setpriv prlimit capsh sipp; do
	command -v "$tool" >/dev/null || { tap_skip "package" "$tool not installed"; tap_plan_done; exit 0; }
done
if dpkg-query -W rtprelay >/dev/null 2>&1 || getent passwd rtprelay >/dev/null || getent group rtprelay >/dev/null ||
	[ -e "$PIN_DIR" ]; then
	tap_skip "package" "rtprelay is installed here, or its user, group or $PIN_DIR exists: not touching them"
	tap_plan_done
	exit 0
fi
trap package_cleanup EXIT

version=$(sed -n 's/^VERSION := //p' Makefile)
DEB=$BUILD/rtprelay_$(dpkg-parsechangelog -S Version)_$(dpkg-architecture -q DEB_HOST_ARCH).deb
# relay_env_setup empties $OUT: what the package steps write goes beside it.
PKG_OUT=$OUT.pkg
mkdir -p "$PKG_OUT" && rm -rf "${PKG_OUT:?}"/*
if make --no-print-directory BUILD="$BUILD" deb >"$PKG_OUT/make-deb.log" 2>&1 && [ -f "$DEB" ]; then
	tap_ok "make deb: $DEB"
else
	tap_fail "make deb: $DEB"
	tail -n 30 "$PKG_OUT/make-deb.log" | diag
	exit 1
fi
deb_version=$(dpkg-deb -f "$DEB" Version)
tap_check "package version $deb_version is the Makefile's $version" [ "$deb_version" = "$version" ]

lintian --pedantic --display-level '>=pedantic' --fail-on none "$DEB" >"$PKG_OUT/lintian.log" 2>&1
echo "lintian $(lintian --version | sed 's/^Lintian v//'), --pedantic, overrides in debian/rtprelay.lintian-overrides:" | diag
grep -v 'running with root privileges' "$PKG_OUT/lintian.log" | diag
tap_check "lintian: no errors" not grep -q '^E:' "$PKG_OUT/lintian.log"
tap_check "lintian: no warnings" not grep -q '^W:' "$PKG_OUT/lintian.log"

if apt-get install -y -qq --no-install-recommends "./$DEB" >"$PKG_OUT/apt-install.log" 2>&1 && installed; then
	tap_ok "apt-get install ./$DEB"
else
	tap_fail "apt-get install ./$DEB"
	diag <"$PKG_OUT/apt-install.log"
	exit 1
fi
dpkg-query -L rtprelay | sort >"$PKG_OUT/files"
missing=
for f in /usr/sbin/rtprelayd /usr/bin/rtprelayctl /etc/rtprelay/rtprelay.conf "$UNIT" \
	/usr/share/doc/rtprelay/examples/rtprelay.conf.example /usr/share/man/man8/rtprelayd.8.gz \
	/usr/share/man/man8/rtprelayctl.8.gz /usr/share/man/man5/rtprelay.conf.5.gz; do
	[ -f "$f" ] && grep -qx "$f" "$PKG_OUT/files" || missing+=" $f"
done
tap_check "the package installed the binaries, the config, the unit, the example and the man pages${missing:+ (missing:$missing)}" [ -z "$missing" ]
tap_check "/etc/rtprelay/rtprelay.conf is a conffile" \
	grep -q '^ /etc/rtprelay/rtprelay.conf ' <(dpkg-query -W -f='${Conffiles}\n' rtprelay)
tap_check "man rtprelayd finds the installed page" [ "$(man -w rtprelayd 2>/dev/null)" = /usr/share/man/man8/rtprelayd.8.gz ]
tap_check "system user rtprelay with group rtprelay" system_user
if command -v systemd-analyze >/dev/null; then
	verify=$(systemd-analyze verify "$UNIT" 2>&1)
	tap_check "systemd-analyze verify $UNIT${verify:+: $verify}" [ -z "$verify" ]
else
	tap_skip "systemd-analyze verify" "systemd-analyze not installed"
fi

# The unit's directives, as systemd would apply them here.
unit_value() { sed -n "s/^$1=//p" "$UNIT"; }
exec_start=$(unit_value ExecStart)
exec_start_pre=$(unit_value ExecStartPre | sed 's/^+//')
nofile=$(unit_value LimitNOFILE)
caps=$(unit_value CapabilityBoundingSet)
setpriv_caps=-all$(for c in $caps; do printf ',+%s' "$(echo "${c#CAP_}" | tr '[:upper:]' '[:lower:]')"; done)
no_new_privs=$([ "$(unit_value NoNewPrivileges)" = yes ] && echo --no-new-privs)

preflight "package" || exit 0
if ! relay_env_setup; then
	tap_fail "namespaces and links set up"
	exit 1
fi
# shellcheck disable=SC2086 # the unit's command lines are split as systemd splits these
$exec_start_pre
DAEMON_LOG=$OUT/daemon.log
# The shipped config answers only 127.0.0.1 with the userspace datapath:
# the command line points it at the namespace's link and XDP.
# shellcheck disable=SC2086
nsenter --net="/run/netns/$NS_R" prlimit --nofile="$nofile:$nofile" -- \
	setpriv --bounding-set="$setpriv_caps" $no_new_privs -- $exec_start \
	--sip-listen "$RELAY_IP:5060" --datapath xdp --interface "$RELAY_IFS" --rtp-ports "$RTP_MIN-$RTP_MAX" \
	--log-level info >"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
if wait_for 5 grep -qs 'running:' "$DAEMON_LOG"; then
	tap_ok "installed rtprelayd runs with the unit's ExecStart, capabilities and limits, and the shipped config"
else
	tap_fail "installed rtprelayd runs with the unit's ExecStart, capabilities and limits, and the shipped config"
	diag <"$DAEMON_LOG"
	exit 1
fi
eff=$(capsh --decode="$(awk '/^CapEff/ { print $2 }' "/proc/$DAEMON_PID/status")" | sed 's/.*=//' | tr '[:lower:]' '[:upper:]' | tr , '\n' | sort | xargs)
want=$(echo "$caps" | tr ' ' '\n' | sort | xargs)
tap_check "its effective capabilities are the unit's CapabilityBoundingSet ($eff)" [ "$eff" = "$want" ]
tap_check "datapath xdp, media thread SCHED_FIFO, raw socket batches" daemon_logged_fast_paths

sipp_run call uac_basic tone -m 1 -d 1000
check_sipp call "a call to the installed daemon" $? ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"

tap_check "rtprelayctl status as root" in_relay "$CTL" status
tap_check "rtprelayctl status as the rtprelay group (control-group of the shipped config)" \
	in_relay setpriv --reuid=nobody --regid=rtprelay --clear-groups "$CTL" status
tap_check "rtprelayctl status refused to nobody:nogroup" \
	not in_relay setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL" status

# SIGKILL: the maps and links stay pinned, the links keep XDP attached.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
pins=$(cd "$PIN_DIR" 2>/dev/null && echo *)
tap_check "after SIGKILL the maps and links stay pinned in $PIN_DIR ($pins)" pinned_after_kill

apt-get purge -y -qq rtprelay >"$PKG_OUT/apt-purge.log" 2>&1
tap_check "apt-get purge rtprelay" not installed
left=
while read -r f; do
	[ -f "$f" ] && left+=" $f"
done <"$PKG_OUT/files"
for f in /etc/rtprelay "$PIN_DIR"; do
	[ -e "$f" ] && left+=" $f"
done
tap_check "purge leaves no file, no /etc/rtprelay, no pins${left:+ (left:$left)}" [ -z "$left" ]
tap_check "purge removes the user and the group rtprelay" no_user_nor_group
tap_check "unpinning detached XDP from the relay's link" not grep -q xdp <(ip -n "$NS_R" link show rly0)
tap_plan_done
