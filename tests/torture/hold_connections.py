#!/usr/bin/env python3
"""Holds TCP connections to a SIP port for a while and tells whether the
server closes them: SILENT idle ones (connected, nothing sent), one that
sends only CRLF keepalives, and one stalled (half a request line and
headers, then nothing, as a slowloris client would).

Prints "ready" once all are connected, then at the end one line per kind:
"idle closed=20/20 last_after_s=17.0" (how many the server closed, and when
the last of them), "keepalive closed_after_s=17.0" or
"stalled open_after_s=30.0".

Usage: hold_connections.py --relay ADDR [--port 5060] [--silent N] --seconds N
"""
import argparse
import select
import socket
import time

HALF_REQUEST = (b"INVITE sip:tone@example.com SIP/2.0\r\n"
                b"Via: SIP/2.0/TCP 192.0.2.77;branch=z9hG4bKstalled\r\n"
                b"Max-Forwards: 70\r\nTo: <sip:tone@example.com>\r\n")
KEEPALIVE = b"\r\n\r\n"
KEEPALIVE_EVERY_S = 4


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--relay", required=True)
    ap.add_argument("--port", type=int, default=5060)
    ap.add_argument("--silent", type=int, default=1, help="how many idle connections")
    ap.add_argument("--seconds", type=float, required=True)
    args = ap.parse_args()
    names = ["idle%d" % i for i in range(args.silent)] + ["keepalive", "stalled"]
    conns = {name: socket.create_connection((args.relay, args.port), timeout=2) for name in names}
    conns["stalled"].sendall(HALF_REQUEST)
    conns["keepalive"].sendall(KEEPALIVE)
    print("ready", flush=True)
    start = time.monotonic()
    next_keepalive = start + KEEPALIVE_EVERY_S
    closed = {}
    while len(closed) < len(conns):
        now = time.monotonic()
        left = start + args.seconds - now
        if left <= 0:
            break
        if "keepalive" not in closed and now >= next_keepalive:
            try:
                conns["keepalive"].sendall(KEEPALIVE)
            except OSError:
                closed["keepalive"] = now - start
            next_keepalive = now + KEEPALIVE_EVERY_S
        open_socks = [s for n, s in conns.items() if n not in closed]
        ready, _, _ = select.select(open_socks, [], [], min(left, max(0, next_keepalive - now)))
        for name, sock in conns.items():
            if sock in ready and name not in closed:
                try:
                    data = sock.recv(65535)
                except OSError:
                    data = b""
                if not data:
                    closed[name] = time.monotonic() - start
    idle_closed = [closed[n] for n in names if n.startswith("idle") and n in closed]
    print("idle closed=%d/%d last_after_s=%.1f" % (len(idle_closed), args.silent, max(idle_closed, default=0)),
          flush=True)
    for name in ("keepalive", "stalled"):
        if name in closed:
            print("%s closed_after_s=%.1f" % (name, closed[name]), flush=True)
        else:
            print("%s open_after_s=%.1f" % (name, args.seconds), flush=True)


if __name__ == "__main__":
    main()
