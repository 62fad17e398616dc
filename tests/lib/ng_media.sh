# shellcheck shell=bash
# Media across the relay for the ng tests (tests/ng_*.sh): udp_peer
# datagrams from one peer namespace through the relay to another, and the
# datapath's forwarded counter. Source it after tests/lib/relay_env.sh;
# it reads PACKETS (datagrams per direction), RECV_TIMEOUT_MS (how long a
# receiver waits for them, default 5000) and NG_MEDIA_IPV6 (1: the peers
# use their IPv6 addresses, default 0).

# peer_media_ip PEER: the address PEER's media uses, IPv6 in brackets.
peer_media_ip() {
	if [ "${NG_MEDIA_IPV6:-0}" = 1 ]; then
		echo "[${PEER_IP6[$1]}]"
	else
		echo "${PEER_IP[$1]}"
	fi
}

# media_endpoint ADDR:PORT: the same with an IPv6 ADDR in brackets, as
# udp_peer takes it (SIPp's logs and SDP write it bare).
media_endpoint() {
	case ${1%:*} in
	*:*) echo "[${1%:*}]:${1##*:}" ;;
	*) echo "$1" ;;
	esac
}

# relay_media NAME FROM TO RELAY FROM_PORT TO_PORT EXPECT: PACKETS datagrams
# from peer FROM (bound to FROM_PORT) to RELAY (ADDR:PORT), received by
# peer TO on TO_PORT, counted as expected when they come from EXPECT
# (ADDR:PORT); the receiver's JSON result in $OUT/NAME.json.
relay_media() {
	local name=$1 from=$2 to=$3 relay=$4 from_port=$5 to_port=$6 expect=$7 rpid
	in_peer "$to" "$BUILD/tests/udp_peer" recv --bind "$(peer_media_ip "$to"):$to_port" --count "$PACKETS" \
		--timeout-ms "${RECV_TIMEOUT_MS:-5000}" --expect-from "$expect" >"$OUT/$name.cap" 2>"$OUT/$name.err" &
	rpid=$!
	PIDS+=("$rpid")
	wait_for 3 grep -qs '^ready' "$OUT/$name.cap"
	in_peer "$from" "$BUILD/tests/udp_peer" send --bind "$(peer_media_ip "$from"):$from_port" --to "$relay" \
		--count "$PACKETS" --interval-us 1000 >/dev/null 2>>"$OUT/$name.err"
	wait "$rpid"
	tail -n 1 "$OUT/$name.cap" >"$OUT/$name.json"
}

# datapath_forwarded: the packets the datapath has forwarded (rtprelayctl stats).
datapath_forwarded() { relayctl -j stats | jq '.forwarded'; }
