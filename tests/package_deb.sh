#!/usr/bin/env bash
# The Debian package, end to end on this machine: `make deb` builds it (again
# only when a file it is made of changed), lintian finds neither errors nor
# warnings, apt installs it, the installed rtprelayd, started the way its
# systemd unit starts it (ExecStartPre, ExecStart, User=, Group=,
# AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges=,
# LimitNOFILE=, RuntimeDirectory=, BindPaths=, all read from the installed
# unit), runs as the rtprelay user with XDP, SCHED_FIFO, the raw socket and
# the open-file limit the default RTP range needs, answers a SIPp call in a
# network namespace, and rtprelayctl answers root and the rtprelay group
# but nobody else. Restarted after SIGKILL over pins a root-run daemon
# left, it answers again; SIGTERM unpins and detaches. `apt-get purge` removes every file, the user,
# the group and the maps a SIGKILLed daemon left pinned. Runs under the
# shared lock; skips if rtprelay is installed or its user, group, pin
# directory or runtime directory exists already.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/tap.sh
. tests/lib/relay_env.sh

PIN_DIR=/sys/fs/bpf/rtprelay
RUN_DIR=/run/rtprelay # RuntimeDirectory=rtprelay
UNIT=/lib/systemd/system/rtprelayd.service
export DEBIAN_FRONTEND=noninteractive

# The shipped config keeps the default RTP range: is LimitNOFILE enough for it?
RTP_MIN=10000 RTP_MAX=20000
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
	rm -rf "$RUN_DIR"
	installed && apt-get purge -y -qq rtprelay >/dev/null 2>&1
}

tap_need_root "package" || { tap_plan_done; exit 0; }
for tool in dpkg-buildpackage lintian apt-get setpriv prlimit capsh sipp; do
	command -v "$tool" >/dev/null || { tap_skip "package" "$tool not installed"; tap_plan_done; exit 0; }
done
if dpkg-query -W rtprelay >/dev/null 2>&1 || getent passwd rtprelay >/dev/null || getent group rtprelay >/dev/null ||
	[ -e "$PIN_DIR" ] || [ -e "$RUN_DIR" ]; then
	tap_skip "package" "rtprelay is installed here, or its user, group, $PIN_DIR or $RUN_DIR exists: not touching them"
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

# The unit's directives, as systemd would apply them here. systemd is not
# PID 1 in this lab: the test applies each directive the way systemd does,
# with the values read from the installed unit.
unit_value() { sed -n "s/^$1=//p" "$UNIT"; }
# setpriv_caps "CAP_A CAP_B": "-all,+a,+b", the set as setpriv takes it.
setpriv_caps() {
	printf -- -all
	for c in $1; do printf ',+%s' "$(echo "${c#CAP_}" | tr '[:upper:]' '[:lower:]')"; done
}
exec_start=$(unit_value ExecStart)
user=$(unit_value User)
group=$(unit_value Group)
nofile=$(unit_value LimitNOFILE)
ambient=$(unit_value AmbientCapabilities)
bounding=$(unit_value CapabilityBoundingSet)
run_dir=/run/$(unit_value RuntimeDirectory)
bind_paths=$(unit_value BindPaths)
no_new_privs=$([ "$(unit_value NoNewPrivileges)" = yes ] && echo --no-new-privs)
tap_check "the unit runs as rtprelay:rtprelay ($user:$group), its RuntimeDirectory is $RUN_DIR ($run_dir)" \
	[ "$user:$group:$run_dir" = "rtprelay:rtprelay:$RUN_DIR" ]

# start_as_unit: what systemctl start does, in the relay's namespace; sets
# DAEMON_PID. Each ExecStartPre ("+": as root, outside the sandbox), the
# RuntimeDirectory (0755, the user's), then ExecStart in a mount namespace
# of its own with BindPaths= bound and the limits, ids and capabilities of
# the unit. systemd mounts /sys/fs/bpf with mode 0700, which the daemon's
# user cannot pass through; this lab's is 1777, so the mount namespace
# covers /sys/fs/bpf with an empty 0700 directory: the daemon gets on with
# the bind mount alone, as under systemd.
start_as_unit() {
	local pre
	while read -r pre; do
		# shellcheck disable=SC2086 # split as systemd splits command lines
		${pre#+}
	done < <(unit_value ExecStartPre)
	install -d -m 0755 -o "$user" -g "$group" "$run_dir"
	# The shipped config answers only 127.0.0.1 with the userspace datapath:
	# the command line points it at the namespace's link and XDP.
	# shellcheck disable=SC2086,SC2016
	nsenter --net="/run/netns/$NS_R" unshare --mount --propagation private -- \
		sh -c 'mkdir -p "$2" && mount --bind "$1" "$2" && mount -t tmpfs -o mode=0700 bpf-hidden /sys/fs/bpf &&
			shift 2 && exec "$@"' sh "${bind_paths%%:*}" "${bind_paths#*:}" \
		prlimit --nofile="$nofile:$nofile" -- \
		setpriv --reuid="$user" --regid="$group" --init-groups --inh-caps="$(setpriv_caps "$ambient")" \
		--ambient-caps="$(setpriv_caps "$ambient")" --bounding-set="$(setpriv_caps "$bounding")" $no_new_privs -- \
		$exec_start --sip-listen "$RELAY_IP:5060" --datapath xdp --interface "$RELAY_IFS" \
		--log-level info >"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	PIDS+=("$DAEMON_PID")
	wait_for 5 grep -qs 'running:' "$DAEMON_LOG"
}
# The daemon's user and effective capabilities: "rtprelay CAP_A CAP_B".
daemon_ids() {
	capsh --decode="$(awk '/^CapEff/ { print $2 }' "/proc/$DAEMON_PID/status")" | sed 's/.*=//' |
		tr '[:lower:]' '[:upper:]' | tr , '\n' | sort | xargs echo "$(ps -o user= -p "$DAEMON_PID")"
}
pins_owned_by_user() { [ "$(stat -c %U "$PIN_DIR" "$PIN_DIR"/* | sort -u)" = "$user" ]; }

preflight "package" || exit 0
if ! relay_env_setup; then
	tap_fail "namespaces and links set up"
	exit 1
fi
DAEMON_LOG=$OUT/daemon.log
if start_as_unit; then
	tap_ok "installed rtprelayd runs with the unit's commands, user, capabilities, limits and paths, and the shipped config"
else
	tap_fail "installed rtprelayd runs with the unit's commands, user, capabilities, limits and paths, and the shipped config"
	diag <"$DAEMON_LOG"
	exit 1
fi
ids=$(daemon_ids)
want="$user $(echo "$ambient" | tr ' ' '\n' | sort | xargs)"
tap_check "it runs as $user with the unit's AmbientCapabilities as its effective set ($ids)" [ "$ids" = "$want" ]
tap_check "datapath xdp, media thread SCHED_FIFO, raw socket batches" daemon_logged_fast_paths
tap_check "as $user it logs no warning nor error" not grep -qE 'rtprelayd (warning|error|critical):' "$DAEMON_LOG"
tap_check "LimitNOFILE=$nofile covers the default RTP range ($(grep -o 'open-file limit.*' "$DAEMON_LOG" | head -n 1))" \
	grep -q "open-file limit $nofile (the RTP range needs" "$DAEMON_LOG"
tap_check "the pins in $PIN_DIR are the $user user's" pins_owned_by_user

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

# A daemon run as root (by hand, or by the unit before it had User=) leaves
# pins of root's, mode 0600: the unit's ExecStartPre gives them to its user.
chown -R root:root "$PIN_DIR"
DAEMON_LOG=$OUT/daemon-restart.log
if start_as_unit; then
	tap_ok "started again over pins a root-run daemon left, it reuses them"
else
	tap_fail "started again over pins a root-run daemon left, it reuses them"
	diag <"$DAEMON_LOG"
fi
sipp_run again uac_basic tone -m 1 -d 1000
check_sipp again "a call to the restarted daemon" $? ">INVITE <100 <180 <200 >ACK >BYE <200/BYE"
# SIGTERM, as systemctl stop sends it: the user may unpin what it pinned.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
left=$(find "$PIN_DIR" -mindepth 1 -printf '%f ' 2>/dev/null)
tap_check "SIGTERM: the daemon unpinned its maps and links${left:+ (left: $left)}" [ -z "$left" ]
tap_check "SIGTERM: XDP is detached from the relay's link" not grep -q xdp <(ip -n "$NS_R" link show rly0)

# Pins for purge to remove: a third start, ended by SIGKILL.
DAEMON_LOG=$OUT/daemon-killed.log
start_as_unit || { tap_fail "started a third time"; diag <"$DAEMON_LOG"; }
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
tap_check "after another SIGKILL the pins stay, the $user user's" pins_owned_by_user

apt-get purge -y -qq rtprelay >"$PKG_OUT/apt-purge.log" 2>&1
tap_check "apt-get purge rtprelay" not installed
left=
while read -r f; do
	[ -f "$f" ] && left+=" $f"
done <"$PKG_OUT/files"
rm -rf "$RUN_DIR" # systemd removes the RuntimeDirectory when the service stops
for f in /etc/rtprelay "$PIN_DIR"; do
	[ -e "$f" ] && left+=" $f"
done
tap_check "purge leaves no file, no /etc/rtprelay, no pins${left:+ (left:$left)}" [ -z "$left" ]
tap_check "purge removes the user and the group rtprelay" no_user_nor_group
tap_check "unpinning detached XDP from the relay's link" not grep -q xdp <(ip -n "$NS_R" link show rly0)
tap_plan_done
