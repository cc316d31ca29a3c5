#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""mn.py - the mobile node's traffic tool, run inside the mobile-node namespace.

  mn.py send --gw IF=MAC[,IF=MAC...] SPEC... | -
      Crafted frames, built with scapy and written to a packet socket on the
      spec's link, so the node can use any source (a CoA, its home address,
      an EUI-64 IID on another prefix) and any extension-header chain.
      A SPEC is space-separated KEY=VALUE words (one SPEC per argument, or
      one per line on stdin with "-"):
        if=a0|b0|h0   link to send on (required)
        src=ADDR      IPv6 source (required)
        dst=ADDR      IPv6 destination (required)
        hoa=ADDR      add a Destination Options header with a Home Address
                      option (RFC 6275 6.3)
        spi=N         an ESP packet with this SPI (decimal or 0x hex)
                      instead of an upper-layer header
        proto=udp|tcp upper layer (default udp); tcp sends a PSH|ACK segment
        sport=N dport=N   ports (default 40000, 80)
        tok=WORD      payload "tok=WORD;", which the backends' sniffers log
        fl=N          IPv6 flow label (default 0); a router's multipath hash
                      (policy 0) includes it, so it moves a flow between
                      next hops without changing its source
        n=N           send the frame N times (default 1)
      --repeat R --interval S sends the whole list R times, S seconds apart,
      appending "-rK" (K = 1..R) to every token, for traffic that goes on
      while a test does something else.

  mn.py request --src ADDR --dst ADDR [--port N] [--proto udp|tcp]
                [--tok WORD] [--timeout S]
      A request through a real socket bound to ADDR (the node's source
      routing picks the link); prints the server's reply line.  An IPv4
      --dst makes it an IPv4 request.  Exit 1 on
      timeout.

  mn.py listen --bind ADDR --port N [--timeout S]
      Print the first UDP datagram that arrives on [ADDR]:N.  Exit 1 on
      timeout.

  mn.py ping --dst ADDR [--src ADDR] [--count N] [--timeout S]
      ICMPv6 echo over a raw socket (no ping binary needed); prints the
      replies, exit 1 unless every request was answered.

Run with the system python (/usr/bin/python3), which has scapy.
"""
import argparse
import socket
import sys
import time


def parse_spec(text):
    spec = {}
    for word in text.split():
        if "=" not in word:
            raise ValueError("spec word %r is not KEY=VALUE" % word)
        k, v = word.split("=", 1)
        spec[k] = v
    for k in ("if", "src", "dst"):
        if k not in spec:
            raise ValueError("spec %r lacks %s=" % (text, k))
    unknown = set(spec) - {"if", "src", "dst", "hoa", "spi", "proto", "sport",
                           "dport", "tok", "n", "fl"}
    if unknown:
        raise ValueError("spec %r: unknown keys %s" % (text, ",".join(sorted(unknown))))
    return spec


def build(spec, gw):
    from scapy.layers.l2 import Ether
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, HAO
    from scapy.layers.inet import UDP, TCP
    from scapy.packet import Raw
    import struct

    ifname = spec["if"]
    if ifname not in gw:
        raise ValueError("no gateway MAC for link %s" % ifname)
    with open("/sys/class/net/%s/address" % ifname) as f:
        mac = f.read().strip()
    payload = b"tok=%s;\n" % spec["tok"].encode() if "tok" in spec else b"mip6lb\n"
    pkt = IPv6(src=spec["src"], dst=spec["dst"], hlim=64, fl=int(spec.get("fl", "0"), 0))
    if "hoa" in spec:
        pkt = pkt / IPv6ExtHdrDestOpt(options=[HAO(hoa=spec["hoa"])])
    if "spi" in spec:
        # ESP (RFC 4303): SPI, sequence number, then opaque data.
        spi = int(spec["spi"], 0)
        pkt.lastlayer().nh = 50
        pkt = pkt / Raw(struct.pack("!II", spi, 1) + payload + b"\0" * 8)
    else:
        sport = int(spec.get("sport", 40000))
        dport = int(spec.get("dport", 80))
        proto = spec.get("proto", "udp")
        if proto == "udp":
            l4 = UDP(sport=sport, dport=dport)
        elif proto == "tcp":
            l4 = TCP(sport=sport, dport=dport, flags="PA", seq=1, ack=1)
        else:
            raise ValueError("proto=%s: expected udp or tcp" % proto)
        pkt = pkt / l4 / Raw(payload)
    return ifname, Ether(src=mac, dst=gw[ifname]) / pkt, int(spec.get("n", 1))


def cmd_send(args):
    from scapy.config import conf

    gw = {}
    for item in args.gw.split(","):
        k, v = item.split("=", 1)
        gw[k] = v
    lines = args.spec
    if lines == ["-"]:
        lines = [l for l in sys.stdin.read().splitlines() if l.strip() and not l.startswith("#")]
    specs = [parse_spec(line) for line in lines]
    socks = {}
    try:
        for r in range(1, args.repeat + 1):
            if r > 1:
                time.sleep(args.interval)
            for spec in specs:
                if args.repeat > 1 and "tok" in spec:
                    spec = dict(spec, tok="%s-r%d" % (spec["tok"], r))
                ifname, frame, n = build(spec, gw)
                if ifname not in socks:
                    socks[ifname] = conf.L2socket(iface=ifname)
                raw = bytes(frame)
                for _ in range(n):
                    socks[ifname].send(raw)
    finally:
        for s in socks.values():
            s.close()
    return 0


def cmd_request(args):
    kind = socket.SOCK_DGRAM if args.proto == "udp" else socket.SOCK_STREAM
    fam = socket.AF_INET if "." in args.dst else socket.AF_INET6
    s = socket.socket(fam, kind)
    s.settimeout(args.timeout)
    s.bind((args.src, 0))
    msg = b"tok=%s;\n" % args.tok.encode() if args.tok else b"hello\n"
    try:
        if kind == socket.SOCK_DGRAM:
            s.sendto(msg, (args.dst, args.port))
            reply, _ = s.recvfrom(4096)
        else:
            s.connect((args.dst, args.port))
            s.sendall(msg)
            reply = b""
            while b"\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
    except (socket.timeout, OSError) as e:
        print("mn.py: %s request %s -> [%s]:%d: %s" % (args.proto, args.src, args.dst,
                                                      args.port, e), file=sys.stderr)
        return 1
    finally:
        s.close()
    print(reply.decode(errors="replace").strip())
    return 0


def cmd_listen(args):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    s.bind((args.bind, args.port))
    try:
        data, _ = s.recvfrom(4096)
    except socket.timeout:
        print("mn.py: nothing on [%s]:%d within %gs" % (args.bind, args.port, args.timeout),
              file=sys.stderr)
        return 1
    print(data.decode(errors="replace").strip())
    return 0


def cmd_ping(args):
    import os
    import struct
    import time

    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    if args.src:
        s.bind((args.src, 0))
    ident = os.getpid() & 0xffff
    answered = 0
    for seq in range(1, args.count + 1):
        # The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket.
        s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"mip6lb-ping", (args.dst, 0))
        deadline = time.monotonic() + args.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                print("no reply from %s seq %d" % (args.dst, seq))
                break
            s.settimeout(left)
            try:
                data, peer = s.recvfrom(4096)
            except socket.timeout:
                continue
            if len(data) >= 8:
                typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[:8])
                if typ == 129 and rid == ident and rseq == seq:
                    print("reply from %s seq %d" % (peer[0], seq))
                    answered += 1
                    break
    s.close()
    return 0 if answered == args.count else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("send", help="crafted frames")
    p.add_argument("--gw", required=True, help="IF=MAC,... gateway MAC per link")
    p.add_argument("--repeat", type=int, default=1, help="send the list R times")
    p.add_argument("--interval", type=float, default=0.0, help="seconds between rounds")
    p.add_argument("spec", nargs="+")
    p.set_defaults(func=cmd_send)
    p = sub.add_parser("request", help="a real-socket request")
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--proto", choices=("udp", "tcp"), default="udp")
    p.add_argument("--tok")
    # Generous: the reply path may need neighbour discovery on a busy host.
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_request)
    p = sub.add_parser("ping", help="ICMPv6 echo")
    p.add_argument("--dst", required=True)
    p.add_argument("--src")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--timeout", type=float, default=2.0)
    p.set_defaults(func=cmd_ping)
    p = sub.add_parser("listen", help="wait for one UDP datagram")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_listen)
    args = ap.parse_args()
    try:
        return args.func(args)
    except ValueError as e:
        print("mn.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
