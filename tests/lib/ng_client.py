#!/usr/bin/env python3
# An ng client for the tests: bencode of its own (dictionary keys in the
# order given, as Kamailio sends them), replies printed as JSON.
#   ng_client.py HOST PORT req COOKIE JSON-DICT   one request
#   ng_client.py HOST PORT raw PYTHON-BYTES       one datagram as given
#   ng_client.py HOST PORT fuzz N SEED            N random and mutated datagrams
#   ng_client.py HOST PORT calls N PREFIX CALLER_IP CALLER_PORT CALLEE_IP CALLEE_PORT
#       N calls PREFIX-0..N-1 set up as a proxy does (offer from the caller,
#       answer from the callee, labelled caller and callee, PCMU at
#       CALLER_PORT+2i and CALLEE_PORT+2i);
#       one JSON line per call: its id and the relay ports each side sends to
import json, os, random, socket, sys

def enc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(enc(x) for x in v) + b"e"
    return b"d" + b"".join(enc(k) + enc(x) for k, x in v.items()) + b"e"

def dec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c.isdigit():
        j = b.index(b":", i)
        n = int(b[i:j])
        s = b[j + 1:j + 1 + n]
        assert len(s) == n, "short string"
        return s.decode(errors="surrogateescape"), j + 1 + n
    if c in (b"l", b"d"):
        out, i = [], i + 1
        while b[i:i + 1] != b"e":
            v, i = dec(b, i)
            out.append(v)
        if c == b"l":
            return out, i + 1
        keys = out[0::2]
        assert keys == sorted(keys, key=lambda k: k.encode(errors="surrogateescape")), "unsorted keys"
        return dict(zip(keys, out[1::2])), i + 1
    raise ValueError("bad bencode at %d" % i)

def decode_reply(data):
    cookie, _, body = data.partition(b" ")
    v, end = dec(body)
    assert end == len(body), "trailing bytes"
    return cookie.decode(errors="surrogateescape"), v

def sock_for(host):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    return s

def exchange(s, addr, datagram):
    s.sendto(datagram, addr)
    try:
        data, frm = s.recvfrom(70000)
    except socket.timeout:
        return None
    return data

def main():
    host, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    addr = (host, port)
    s = sock_for(host)
    if what == "req":  # req COOKIE JSON-DICT
        data = exchange(s, addr, sys.argv[4].encode() + b" " + enc(json.loads(sys.argv[5])))
    elif what == "raw":  # raw PYTHON-BYTES-EXPRESSION
        data = exchange(s, addr, eval(sys.argv[4]))
    elif what == "fuzz":  # fuzz N SEED
        return fuzz(s, addr, int(sys.argv[4]), int(sys.argv[5]))
    elif what == "calls":
        return calls(s, addr, int(sys.argv[4]), sys.argv[5], sys.argv[6:10])
    if data is None:
        print(json.dumps({"noreply": True}))
        return
    cookie, v = decode_reply(data)
    print(json.dumps({"cookie": cookie, "reply": v}))

SEEDS = [
    enc({"supports": ["load limit"], "command": "ping"}),
    enc({"command": "list", "limit": 5}),
    enc({"command": "statistics"}),
    enc({"sdp": "v=0\r\n", "call-id": "x", "from-tag": "a", "command": "query"}),
    enc({"command": "delete", "call-id": "nope", "from-tag": "a", "received-from": ["IP4", "10.0.0.1"]}),
]

def mutate(rng, b):
    b = bytearray(b)
    for _ in range(rng.randint(1, 4)):
        op = rng.randint(0, 4)
        pos = rng.randint(0, len(b)) if b else 0
        if op == 0 and b:
            b[min(pos, len(b) - 1)] = rng.randint(0, 255)
        elif op == 1:
            b[pos:pos] = bytes([rng.choice(b"0123456789:ilde-")])
        elif op == 2 and b:
            del b[min(pos, len(b) - 1)]
        elif op == 3:
            b = b[:pos]
        else:
            b[pos:pos] = b"%d:" % rng.choice([0, 9, 2**31, 2**63, 10**30])
    return bytes(b)

def fuzz(s, addr, n, seed):
    rng = random.Random(seed)
    s.setblocking(False)
    sent = replies = errors = 0
    bad = []
    def count(data):
        nonlocal replies, errors
        replies += 1
        try:
            cookie, v = decode_reply(data)
            errors += v.get("result") == "error"
        except Exception as e:
            bad.append(repr(data[:80]) + ": " + str(e))
    def drain():
        while True:
            try:
                count(s.recv(70000))
            except BlockingIOError:
                return
    for i in range(n):
        kind = i % 3
        if kind == 0:
            body = mutate(rng, rng.choice(SEEDS))
        elif kind == 1:
            body = bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 200)))
        else:
            body = bytes(rng.choice(b"0123456789:ilde") for _ in range(rng.randint(0, 60)))
        datagram = (b"fz_%d " % i + body) if i % 10 else body
        s.sendto(datagram, addr)
        sent += 1
        if i % 50 == 0:
            drain()
    s.settimeout(1.0)
    try:
        while True:
            count(s.recv(70000))
    except socket.timeout:
        pass
    print(json.dumps({"sent": sent, "replies": replies, "errors": errors, "bad": bad[:5]}))

def pcmu_sdp(ip, port):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n" % (ip, ip, port))

def request(s, addr, cookie, args):
    for _ in range(3):
        data = exchange(s, addr, cookie.encode() + b" " + enc(args))
        if data is not None:
            return decode_reply(data)[1]
    raise SystemExit("no reply to " + cookie)

def audio_port(reply):
    if reply.get("result") != "ok":
        raise SystemExit("ng error: %s" % reply)
    return int(reply["sdp"].split("m=audio ")[1].split(" ")[0])

def calls(s, addr, n, prefix, sides):
    caller_ip, caller_port, callee_ip, callee_port = sides[0], int(sides[1]), sides[2], int(sides[3])
    for i in range(n):
        cid = "%s-%d" % (prefix, i)
        offer = request(s, addr, "o%s" % cid, {"command": "offer", "call-id": cid, "from-tag": "ft-%d" % i,
                                                "label": "caller", "sdp": pcmu_sdp(caller_ip, caller_port + 2 * i)})
        answer = request(s, addr, "a%s" % cid, {"command": "answer", "call-id": cid, "from-tag": "ft-%d" % i,
                                                 "to-tag": "tt-%d" % i, "label": "callee",
                                                 "sdp": pcmu_sdp(callee_ip, callee_port + 2 * i)})
        print(json.dumps({"call": cid, "to_callee_relay": audio_port(offer), "to_caller_relay": audio_port(answer)}))

main()
