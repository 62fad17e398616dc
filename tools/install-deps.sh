#!/usr/bin/env bash
# Installs the Debian 12 packages rtprelay builds, tests and runs with.
# Asks apt only when something is missing; `apt-get update` only then too.
set -euo pipefail
# libclang-rt-14-dev: libFuzzer and the sanitizer runtimes of make fuzz (clang only recommends it).
PACKAGES=(
	make gcc pkg-config clang llvm libclang-rt-14-dev libbpf-dev bpftool libmnl-dev
	libsofia-sip-ua-dev libsofia-sip-ua-glib-dev libglib2.0-dev libcmocka-dev libmicrohttpd-dev
	sip-tester iproute2 ethtool tcpdump util-linux procps jq python3 python3-prometheus-client curl kamailio
	go-md2man debhelper dpkg-dev fakeroot lintian
)
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root, or apt-get install them)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
