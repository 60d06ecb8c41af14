#!/usr/bin/env python3
"""Floods a SIP server over UDP from one address: a mix of unauthenticated INVITEs, REGISTERs,
OPTIONS and garbage, at a fixed rate for a bounded time (issue 12's flood test).

usage: sip_flood.py --target 127.0.0.1:5060 --bind 127.0.0.2 --rate 20000 --seconds 5
Prints "SENT <datagrams> <seconds>" and "RECEIVED <datagrams>" (answers that came back) at the end.
"""
import argparse
import random
import socket
import time


def messages(host, port, target):
    sdp = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n" % (host, host))
    templates = []
    for method, body in (("INVITE", sdp), ("REGISTER", ""), ("OPTIONS", "")):
        templates.append(
            "%s sip:+861012345678@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-{n};rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:flood@%s>;tag={n}\r\nTo: <sip:+861012345678@%s>\r\n"
            "Call-ID: flood-{n}\r\nCSeq: 1 %s\r\nContact: <sip:flood@%s:%d>\r\n%s"
            "Content-Length: %d\r\n\r\n%s" % (method, target, host, port, host, target, method, host, port,
                                              "Content-Type: application/sdp\r\n" if body else "", len(body), body))
    templates.append("\x00\x01garbage {n} \r\n\r\n")
    return templates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--bind", default="127.0.0.2")
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    host, port = args.target.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.bind, 0))
    sock.setblocking(False)
    local_port = sock.getsockname()[1]
    templates = [t.encode() for t in messages(args.bind, local_port, host)]
    dest = (host, int(port))
    print("READY", flush=True)
    start = time.monotonic()
    sent = 0
    received = 0
    batch = max(1, args.rate // 1000)  # paced in 1 ms batches
    while True:
        now = time.monotonic() - start
        if now >= args.seconds:
            break
        due = int(now * args.rate)
        while sent < due:
            for _ in range(min(batch, due - sent)):
                t = templates[sent % len(templates)]
                try:
                    sock.sendto(t.replace(b"{n}", str(random.getrandbits(48)).encode()), dest)
                except BlockingIOError:
                    pass
                sent += 1
        try:
            while True:
                sock.recv(65536)
                received += 1
        except BlockingIOError:
            pass
        time.sleep(0.0005)
    elapsed = time.monotonic() - start
    print("SENT %d %.2f" % (sent, elapsed), flush=True)
    print("RECEIVED %d" % received, flush=True)


if __name__ == "__main__":
    main()
