#!/usr/bin/env python3
"""Holds two TCP connections to a SIP port for a while and tells whether
the server closes them: one idle (nothing sent), one stalled (half a
request line and headers, then nothing, as a slowloris client would).

Prints "ready" once both are connected, then at the end one line per
connection: "idle closed_after_s=12.0" or "stalled open_after_s=30.0".

Usage: hold_connections.py --relay ADDR [--port 5060] --seconds N
"""
import argparse
import select
import socket
import time

HALF_REQUEST = (b"INVITE sip:tone@example.com SIP/2.0\r\n"
                b"Via: SIP/2.0/TCP 192.0.2.77;branch=z9hG4bKstalled\r\n"
                b"Max-Forwards: 70\r\nTo: <sip:tone@example.com>\r\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--relay", required=True)
    ap.add_argument("--port", type=int, default=5060)
    ap.add_argument("--seconds", type=float, required=True)
    args = ap.parse_args()
    conns = {name: socket.create_connection((args.relay, args.port), timeout=2) for name in ("idle", "stalled")}
    conns["stalled"].sendall(HALF_REQUEST)
    print("ready", flush=True)
    start = time.monotonic()
    closed = {}
    while len(closed) < len(conns):
        left = start + args.seconds - time.monotonic()
        if left <= 0:
            break
        open_socks = [s for n, s in conns.items() if n not in closed]
        ready, _, _ = select.select(open_socks, [], [], left)
        for name, sock in conns.items():
            if sock in ready:
                try:
                    data = sock.recv(65535)
                except OSError:
                    data = b""
                if not data:
                    closed[name] = time.monotonic() - start
    for name in conns:
        if name in closed:
            print("%s closed_after_s=%.1f" % (name, closed[name]), flush=True)
        else:
            print("%s open_after_s=%.1f" % (name, args.seconds), flush=True)


if __name__ == "__main__":
    main()
