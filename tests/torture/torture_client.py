#!/usr/bin/env python3
"""Sends the SIP torture corpus to rtprelayd and judges each answer.

For every row of the index (expected.tsv beside this file) and every
transport it names, the message file is sent byte for byte (UDP: one
datagram; TCP: a connection of its own), the daemon's responses are
collected (matched to the request by Call-ID and CSeq) and compared with
the expectation; an INVITE that got a 2xx is ACKed and hung up with a BYE,
one that got a final failure is ACKed, so that no call stays behind. Then
an OPTIONS over the same transport must be answered 200: a message that
hangs or kills the daemon fails its own line at once. A last line judges
the reason phrases of every 4xx-6xx of the run.

Responses arrive where the RFC 3261 18.2.2 rules send them: to the source
address (received=) and the port of the top Via (5060 unless the Via says
otherwise: the corpus uses 5050, 5060 and 5070), or over the request's
connection, or a connection back to port 5060; every one of those is
listened on.

Output, one line per message and transport, for tests/sip_torture.sh to
number: "ok<TAB>description" or "not ok<TAB>description", and "# " lines
explaining failures.

Usage: torture_client.py --relay ADDR --local ADDR [--needs TAG] [--only NAME,...]
       torture_client.py --relay ADDR --local ADDR --options-only LABEL
"""
import argparse
import os
import random
import re
import select
import socket
import sys
import time

CORPUS_DIR = os.path.dirname(os.path.abspath(__file__))
SIP_PORT = 5060
LISTEN_PORTS = (5060, 5050, 5070)  # every Via port the corpus names
# Bounds, not delays: a wait ends as soon as what it waits for arrives.
# The daemon answers within milliseconds; the margin is for a loaded machine.
FINAL_WAIT_S = 3.0  # a final response (and the OPTIONS after each message) must come within this
QUIET_WAIT_S = 1.0  # "none": nothing may come within this, nor before the OPTIONS after it is answered
RECOVER_WAIT_S = 20.0  # how long a daemon that stopped answering is waited for
# RFC 3261 7.3.3 compact forms of the header fields the client reads.
COMPACT = {"i": "call-id", "v": "via", "f": "from", "t": "to", "m": "contact",
           "l": "content-length", "c": "content-type"}


def header_name(raw):
    name = raw.strip().lower()
    return COMPACT.get(name, name)


class Message:
    """A parsed SIP message: start line, header fields (folded lines
    joined), body. Lenient: the corpus is made of malformed messages."""

    def __init__(self, data):
        self.raw = data
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.start = lines[0]
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
            elif ":" in line:
                name, value = line.split(":", 1)
                self.headers.append((header_name(name), value.strip()))
        self.body = body
        self.is_response = self.start.startswith("SIP/2.0 ")
        self.code = 0
        self.reason = ""
        if self.is_response:
            parts = self.start.split(" ", 2)
            self.code = int(parts[1]) if parts[1].isdigit() else 0
            self.reason = parts[2] if len(parts) > 2 else ""

    def all(self, name):
        return [v for n, v in self.headers if n == name]

    def first(self, name):
        values = self.all(name)
        return values[0] if values else None

    def call_ids(self):
        return set(self.all("call-id"))

    def cseqs(self):
        """(number, method) of every CSeq, LWS collapsed."""
        out = set()
        for value in self.all("cseq"):
            parts = value.split()
            if len(parts) == 2:
                out.add((parts[0].lstrip("0") or "0", parts[1]))
        return out


def frame_stream(buf):
    """Splits complete messages off a stream buffer (Content-Length
    framing, RFC 3261 18.3). Returns (messages, rest)."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        length = 0
        for line in buf[:end].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if header_name(name.decode("latin-1")) == "content-length" and value.strip().isdigit():
                length = int(value.strip())
        if len(buf) < end + 4 + length:
            return out, buf
        out.append(buf[:end + 4 + length])
        buf = buf[end + 4 + length:]


class Peer:
    """The client's sockets: UDP on every port a Via may name, a TCP
    listener for connections back, and the TCP connections it opened."""

    def __init__(self, local, relay):
        self.local = local
        self.relay = (relay, SIP_PORT)
        self.udp = {}
        for port in LISTEN_PORTS:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((local, port))
            self.udp[port] = s
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((local, SIP_PORT))
        self.listener.listen(8)
        self.streams = {}  # socket -> buffer
        self.closed = set()  # streams the daemon closed
        self.inbox = []  # messages received, oldest first

    def connect(self):
        s = socket.create_connection(self.relay, timeout=2)
        s.setblocking(False)
        self.streams[s] = b""
        return s

    def send(self, data, conn=None):
        if conn is None:
            self.udp[SIP_PORT].sendto(data, self.relay)
        else:
            conn.setblocking(True)
            try:
                conn.sendall(data)
            except OSError:
                self.closed.add(conn)
            conn.setblocking(False)

    def poll(self, timeout):
        """Receives whatever arrives within timeout seconds into inbox."""
        readable = list(self.udp.values()) + [self.listener] + [
            s for s in self.streams if s not in self.closed]
        ready, _, _ = select.select(readable, [], [], max(timeout, 0))
        for s in ready:
            if s is self.listener:
                conn, _ = s.accept()
                conn.setblocking(False)
                self.streams[conn] = b""
            elif s.type == socket.SOCK_DGRAM:
                data, _ = s.recvfrom(65535)
                self.inbox.append(Message(data))
            else:
                try:
                    data = s.recv(65535)
                except OSError:
                    data = b""
                if not data:
                    self.closed.add(s)
                    continue
                msgs, self.streams[s] = frame_stream(self.streams[s] + data)
                self.inbox.extend(Message(m) for m in msgs)

    def responses_to(self, request):
        """Takes the responses to request out of inbox (by Call-ID, and
        CSeq when both have one: insuf has no Call-ID, and the 400 to
        scalar02, whose CSeq number is out of range, carries no CSeq)."""
        ids, cseqs = request.call_ids(), request.cseqs()
        mine, rest = [], []
        for m in self.inbox:
            match = m.is_response and (not ids or m.call_ids() & ids) and (
                not cseqs or not m.all("cseq") or m.cseqs() & cseqs)
            (mine if match else rest).append(m)
        self.inbox = rest
        return mine

    def exchange(self, request, conn, wait_s, want_final=True):
        """Sends request, returns (responses, closed) after wait_s seconds
        or as soon as a final response arrives (want_final)."""
        self.send(request.raw, conn)
        got = []
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            self.poll(min(0.05, deadline - time.monotonic()))
            got += self.responses_to(request)
            if want_final and any(r.code >= 200 for r in got):
                break
            if conn is not None and conn in self.closed:
                break
        return got, conn is not None and conn in self.closed

    def close(self, conn):
        self.streams.pop(conn, None)
        self.closed.discard(conn)
        conn.close()


def branch():
    return "z9hG4bK-%08x" % random.getrandbits(32)


def build(lines, body=b""):
    head = "\r\n".join(lines + ["Content-Length: %d" % len(body)])
    return Message(head.encode() + b"\r\n\r\n" + body)


def via(peer, conn):
    return "Via: SIP/2.0/%s %s:%d;branch=%s" % ("TCP" if conn else "UDP", peer.local, SIP_PORT, branch())


def options(peer, conn):
    call_id = "liveness-%08x@%s" % (random.getrandbits(32), peer.local)
    return build(["OPTIONS sip:%s:%d SIP/2.0" % peer.relay, via(peer, conn), "Max-Forwards: 70",
                  "To: <sip:%s>" % peer.relay[0], "From: <sip:torture@%s>;tag=%x" % (peer.local, random.getrandbits(32)),
                  "Call-ID: " + call_id, "CSeq: 1 OPTIONS"])


def in_dialog(peer, conn, method, final, cseq):
    """ACK or BYE inside the dialog a 2xx to an INVITE made."""
    contact = re.search(r"<([^>]+)>", final.first("contact") or "")
    target = contact.group(1) if contact else "sip:%s:%d" % peer.relay
    return build(["%s %s SIP/2.0" % (method, target), via(peer, conn), "Max-Forwards: 70",
                  "To: " + final.first("to"), "From: " + final.first("from"),
                  "Call-ID: " + final.first("call-id"), "CSeq: %s %s" % (cseq, method)])


def ack_failure(request, final):
    """The ACK of a final failure: same top Via (so same transaction) and
    Request-URI as the INVITE (RFC 3261 17.1.1.3). None when the response
    lacks what an ACK needs (a 400 to a request without To or From)."""
    fields = [final.first(n) for n in ("to", "from", "call-id", "cseq")]
    if None in fields or not final.all("via"):
        return None
    top_via = re.sub(r";(received|rport)(=[^;,]*)?", "", final.all("via")[0].split(",")[0])
    return build(["ACK %s SIP/2.0" % request.start.split(" ")[1], "Via: " + top_via, "Max-Forwards: 70",
                  "To: " + fields[0], "From: " + fields[1], "Call-ID: " + fields[2],
                  "CSeq: %s ACK" % fields[3].split()[0]])


def describe(responses, closed):
    text = ", ".join("%d %s" % (r.code, r.reason) for r in responses) or "no response"
    return text + (" (connection closed)" if closed else "")


def judge(expect, responses, closed):
    """True when the responses meet one of the alternatives of expect:
    a code (481), a class (2xx), none (no response at all) or close (the
    daemon closed the connection without a final response)."""
    finals = [r for r in responses if r.code >= 200]
    for alt in expect.split("|"):
        if alt == "none" and not responses and not closed:
            return True
        if alt == "close" and closed and not finals:
            return True
        if finals and re.fullmatch(alt.replace("x", "[0-9]"), str(finals[0].code)):
            return True
    return False


def hang_up(peer, conn, request, responses):
    """ACK (and BYE after a 2xx) so the INVITE leaves no call; returns
    what went wrong."""
    finals = [r for r in responses if r.code >= 200]
    if not request.start.startswith("INVITE ") or not finals:
        return []
    final = finals[0]
    if final.code >= 300:
        ack = ack_failure(request, final)
        if ack is not None:
            peer.send(ack.raw, conn)
        return []
    cseq = int(final.first("cseq").split()[0])
    peer.send(in_dialog(peer, conn, "ACK", final, cseq).raw, conn)
    bye_responses, _ = peer.exchange(in_dialog(peer, conn, "BYE", final, cseq + 1), conn, FINAL_WAIT_S)
    if not any(r.code == 200 for r in bye_responses):
        return ["the BYE after the 2xx got %s" % describe(bye_responses, False)]
    return []


def stall(peer, transport):
    """None when an OPTIONS right away is answered 200; otherwise how long
    the daemon answered none (OPTIONS again every FINAL_WAIT_S), so that
    the next message meets a daemon that answers again and is not blamed."""
    started = time.monotonic()
    while time.monotonic() - started < RECOVER_WAIT_S:
        conn = peer.connect() if transport == "tcp" else None
        live, _ = peer.exchange(options(peer, conn), conn, FINAL_WAIT_S)
        if conn is not None:
            peer.close(conn)
        if any(r.code == 200 for r in live):
            waited = time.monotonic() - started
            return "%.1f s" % waited if waited > FINAL_WAIT_S else None
    return "more than %.0f s" % RECOVER_WAIT_S


def run_case(peer, row, transport, reason_log):
    """Sends one message over one transport and prints its TAP line; the
    reason phrases it got go to reason_log, judged once at the end."""
    started = time.monotonic()
    request = Message(open(os.path.join(CORPUS_DIR, row["file"]), "rb").read())
    conn = peer.connect() if transport == "tcp" else None
    wait = QUIET_WAIT_S if row["expect"] == "none" else FINAL_WAIT_S
    responses, closed = peer.exchange(request, conn, wait, want_final=row["expect"] != "none")
    problems = []
    if not judge(row["expect"], responses, closed):
        problems.append("expected %s (%s), got %s" % (row["expect"], row["why"], describe(responses, closed)))
    reason_log += [(name_of(row, transport), r) for r in responses]
    finals = [r for r in responses if r.code >= 200]
    if row["answer"] != "-" and finals and 200 <= finals[0].code < 300:
        if not re.search(row["answer"].encode(), finals[0].body):
            problems.append("the 2xx body does not match %r: %r" % (row["answer"], finals[0].body[:300]))
    problems += hang_up(peer, conn, request, responses)
    if conn is not None:
        peer.close(conn)
    stalled_s = stall(peer, transport)
    if stalled_s:
        problems.append("the daemon answered no OPTIONS for %s after it" % stalled_s)
    # The daemon answers in order: a response it sent before the OPTIONS's
    # (over UDP, or a connection back) is here now, however slow the machine.
    late = peer.responses_to(request)
    if late and not judge(row["expect"], responses + late, closed):
        problems.append("expected %s, got later %s" % (row["expect"], describe(late, False)))
    peer.inbox.clear()  # retransmissions of what is judged already
    took = "%.1f s" % (time.monotonic() - started)
    if problems:
        print("not ok\t%s: %s (%s)" % (name_of(row, transport), "; ".join(problems), took))
    else:
        print("ok\t%s: %s, then OPTIONS answered (%s)" % (name_of(row, transport), describe(responses, closed), took))
    sys.stdout.flush()


def name_of(row, transport):
    return "%s (%s) over %s" % (row["file"], row["section"], transport)


def judge_reasons(reason_log):
    """One line for every response of the run: a 4xx-6xx says why in its
    reason phrase, and does not repeat its own prefix ("Bad SDP: Bad SDP:
    ...", the security review's finding c)."""
    finals = [(name, r) for name, r in reason_log if r.code >= 300]
    bad = []
    for name, r in finals:
        if not r.reason.strip():
            bad.append("%s: %d has an empty reason phrase" % (name, r.code))
        elif re.match(r"(.{3,}?: )\1", r.reason):
            bad.append("%s: %d %s" % (name, r.code, r.reason))
    what = "every 4xx-6xx reason phrase says something and does not repeat its prefix"
    if bad:
        print("not ok\t%s: %d of %d do not" % (what, len(bad), len(finals)))
        for line in bad:
            print("#\t" + line)
    else:
        print("ok\t%s (%d responses)" % (what, len(finals)))


def read_index(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            rows.append(dict(zip(("file", "section", "transports", "expect", "answer", "needs", "why"), fields)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--relay", required=True, help="the daemon's SIP address (port 5060)")
    ap.add_argument("--local", required=True, help="this namespace's address")
    ap.add_argument("--needs", default="-", help="run the rows that need this (the index's needs column)")
    ap.add_argument("--only", default="", help="comma-separated message files")
    ap.add_argument("--options-only", metavar="LABEL",
                    help="only an OPTIONS over UDP and one over TCP, LABEL saying when")
    args = ap.parse_args()
    peer = Peer(args.local, args.relay)
    if args.options_only:
        for transport in ("udp", "tcp"):
            conn = peer.connect() if transport == "tcp" else None
            live, _ = peer.exchange(options(peer, conn), conn, FINAL_WAIT_S)
            verdict = "ok" if any(r.code == 200 for r in live) else "not ok"
            print("%s\tOPTIONS over %s answered 200 %s (got %s)" % (verdict, transport, args.options_only,
                                                                describe(live, False)))
        return
    only = set(filter(None, args.only.split(",")))
    reason_log = []
    for row in read_index(os.path.join(CORPUS_DIR, "expected.tsv")):
        if row["needs"] != args.needs or (only and row["file"] not in only):
            continue
        for transport in row["transports"].split(","):
            run_case(peer, row, transport, reason_log)
    judge_reasons(reason_log)


if __name__ == "__main__":
    main()
