#!/usr/bin/env bash
# The benchmark's RTP flows from kernel pktgen, for hosts that have it
# (/proc/net/pktgen: CONFIG_NET_PKTGEN, `modprobe pktgen`) and a real NIC
# cabled to the relay. `benchflows layout --flows N --pktgen` prints the
# ranges that make pktgen send exactly the flows `benchflows layout --flows
# N` programs (tools/bench/bench.sh prints the whole command line):
#
#   tools/bench/pktgen_rtp.sh -i eth1 -m RELAY_MAC -d 10.11.0.1-10.11.0.32 -p 10000-13124 \
#       -s 10.12.0.1-10.12.0.32 -P 30000-33124 [-t THREADS] [-f CPU] [-r PPS] [-D SECONDS]
#
#   -i DEV        output interface                -m MAC     the relay's MAC
#   -d MIN[-MAX]  destination (relay) addresses   -p MIN-MAX destination ports
#   -s MIN[-MAX]  source (peer) addresses         -P MIN-MAX source ports
#   -6            IPv6 (one address each way: pktgen steps IPv6 addresses only at random)
#   -t N, -f CPU  N pktgen threads from CPU (default 1 from 0); one TX queue each
#   -r PPS        per thread (default: flat out)  -n COUNT   per thread (default: -D)
#   -D SECONDS    run this long (default 10)      -S BYTES   frame size (default 214)
#   -x            print what would be written to /proc/net/pktgen, change nothing
#
# How pktgen walks the flows (Documentation/networking/pktgen.rst and
# net/core/pktgen.c, mod_cur_headers): without the *_RND flags each new
# frame takes the next destination address and port, and the next source
# address and port, all stepping together; addresses wrap after MAX
# (inclusive), ports after MAX-1 (udp_*_max is exclusive: this script
# writes MAX+1). With as many source as destination addresses and ports, a
# frame from source (k, p) goes to destination (k, p); K addresses and P
# ports give K*P flows when K and P are coprime, which the layout ensures.
# clone_skb 0 builds every frame afresh (a clone would repeat one flow),
# UDPCSUM fills the UDP checksum (the relay updates it incrementally),
# NO_TIMESTAMP leaves pktgen's own 16-byte header (magic, sequence) at the
# start of the payload: the frames are UDP of RTP's size and marking, not
# RTP (the relay does not look; rtpsink counts them as "other").
#
# Prints per thread pktgen's result line and, at the end, the sum in pps.
set -u

DEV='' DST_MAC='' DST='' DPORTS='' SRC='' SPORTS=''
IP6=0 THREADS=1 FIRST=0 RATE=0 COUNT=0 DURATION=10 SIZE=214 DRY=0
PG=/proc/net/pktgen

usage() {
	sed -n '2,/^set -u/p' "$0" | sed -n '/^#   -i/,/^#   -x/p' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while getopts "i:m:d:p:s:P:6t:f:r:n:D:S:xh" opt; do
	case $opt in
	i) DEV=$OPTARG ;;
	m) DST_MAC=$OPTARG ;;
	d) DST=$OPTARG ;;
	p) DPORTS=$OPTARG ;;
	s) SRC=$OPTARG ;;
	P) SPORTS=$OPTARG ;;
	6) IP6=1 ;;
	t) THREADS=$OPTARG ;;
	f) FIRST=$OPTARG ;;
	r) RATE=$OPTARG ;;
	n) COUNT=$OPTARG ;;
	D) DURATION=$OPTARG ;;
	S) SIZE=$OPTARG ;;
	x) DRY=1 ;;
	*) usage ;;
	esac
done
if [ -z "$DEV" ] || [ -z "$DST_MAC" ] || [ -z "$DST" ] || [ -z "$DPORTS" ] || [ -z "$SRC" ] || [ -z "$SPORTS" ]; then
	usage
fi
[ "$IP6" = 1 ] && [ "$SIZE" = 214 ] && SIZE=234 # the same RTP datagram behind a 40-byte header

# range MIN[-MAX] -> "MIN MAX"
range() {
	case $1 in
	*-*) echo "${1%%-*} ${1#*-}" ;;
	*) echo "$1 $1" ;;
	esac
}

# pgset FILE COMMAND: one pktgen command; pktgen answers in the file's "Result:" line.
pgset() {
	if [ "$DRY" = 1 ]; then
		echo "echo \"$2\" > $1"
		return
	fi
	echo "$2" >"$1" || {
		echo "pktgen_rtp: writing \"$2\" to $1 failed" >&2
		exit 1
	}
	case $1 in
	*/pgctrl) ;;
	*)
		if ! grep -q "^Result: OK" "$1"; then
			echo "pktgen_rtp: \"$2\": $(grep '^Result:' "$1")" >&2
			exit 1
		fi
		;;
	esac
}

if [ "$DRY" = 0 ]; then
	[ "$(id -u)" -eq 0 ] || {
		echo "pktgen_rtp: needs root" >&2
		exit 1
	}
	[ -d "$PG" ] || modprobe pktgen 2>/dev/null
	[ -d "$PG" ] || {
		echo "pktgen_rtp: no $PG: this kernel has no pktgen (CONFIG_NET_PKTGEN)" >&2
		exit 1
	}
	[ -e "/sys/class/net/$DEV" ] || {
		echo "pktgen_rtp: no interface $DEV" >&2
		exit 1
	}
fi

read -r DMIN DMAX <<<"$(range "$DST")"
read -r SMIN SMAX <<<"$(range "$SRC")"
read -r DPMIN DPMAX <<<"$(range "$DPORTS")"
read -r SPMIN SPMAX <<<"$(range "$SPORTS")"
if [ $((DPMAX - DPMIN)) -ne $((SPMAX - SPMIN)) ]; then
	echo "pktgen_rtp: -p and -P must be ranges of the same length (ports step together)" >&2
	exit 2
fi
if [ "$IP6" = 1 ] && { [ "$DMIN" != "$DMAX" ] || [ "$SMIN" != "$SMAX" ]; }; then
	echo "pktgen_rtp: IPv6 takes one destination and one source address" >&2
	exit 2
fi

pgset "$PG/pgctrl" reset
for t in $(seq "$FIRST" $((FIRST + THREADS - 1))); do
	pgset "$PG/kpktgend_$t" rem_device_all
	pgset "$PG/kpktgend_$t" "add_device $DEV@$t"
	D=$PG/$DEV@$t
	pgset "$D" "count $COUNT"
	pgset "$D" "clone_skb 0"
	pgset "$D" "burst 1"
	pgset "$D" "pkt_size $SIZE"
	pgset "$D" "delay 0"
	[ "$RATE" -gt 0 ] && pgset "$D" "ratep $RATE"
	pgset "$D" "dst_mac $DST_MAC"
	pgset "$D" "queue_map_min $((t - FIRST))"
	pgset "$D" "queue_map_max $((t - FIRST))"
	if [ "$IP6" = 1 ]; then
		pgset "$D" "flag IPV6"
		pgset "$D" "dst6 $DMIN"
		pgset "$D" "src6 $SMIN"
		pgset "$D" "traffic_class b8"
	else
		pgset "$D" "dst_min $DMIN"
		pgset "$D" "dst_max $DMAX"
		pgset "$D" "src_min $SMIN"
		pgset "$D" "src_max $SMAX"
		pgset "$D" "tos b8"
	fi
	# The *_max ports are exclusive in sequential mode.
	pgset "$D" "udp_dst_min $DPMIN"
	pgset "$D" "udp_dst_max $((DPMAX + 1))"
	pgset "$D" "udp_src_min $SPMIN"
	pgset "$D" "udp_src_max $((SPMAX + 1))"
	pgset "$D" "flag UDPCSUM"
	pgset "$D" "flag NO_TIMESTAMP"
done

if [ "$DRY" = 1 ]; then
	echo "echo start > $PG/pgctrl  # for ${DURATION}s, then: echo stop > $PG/pgctrl"
	exit 0
fi

# "start" blocks until every device sent its count (or forever with count 0): stop it after DURATION.
if [ "$COUNT" -eq 0 ]; then
	(
		sleep "$DURATION"
		echo stop >"$PG/pgctrl"
	) &
	STOPPER=$!
fi
echo start >"$PG/pgctrl"
[ -n "${STOPPER:-}" ] && wait "$STOPPER" 2>/dev/null

total=0
for t in $(seq "$FIRST" $((FIRST + THREADS - 1))); do
	result=$(grep -A1 '^Result:' "$PG/$DEV@$t")
	echo "$DEV@$t: $(echo "$result" | tr -s ' \n' ' ')"
	pps=$(echo "$result" | grep -o '[0-9]*pps' | head -n 1 | tr -d 'ps')
	total=$((total + ${pps:-0}))
done
echo "total: $total pps"
pgset "$PG/pgctrl" reset
