#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""notifytool.py - the Home Agent's wire, and the notification protocol by hand.

  notifytool.py bu --if IF --gw MAC --src COA --dst HA --hoa HOA
                   [--alt-coa ADDR] --seq N [--lifetime S] [--flags HA]
      A Binding Update (RFC 6275 6.1.7) as a Mobile IPv6 node sends it to its
      Home Agent: IPv6 from the care-of address, a Destination Options header
      with the Home Address option, a Mobility Header of type 5 with the
      sequence number, flags (A, H, ...) and lifetime (in 4-second units on
      the wire), and an Alternate Care-of Address option.  Written to a packet
      socket on IF towards MAC, so it lands on the Home Agent's link exactly
      as a real one would.
      --batch FILE (bu and ba): one frame per line "HOA COA SEQ" of FILE,
      in place of --hoa, the care-of address (--src and --alt-coa for bu,
      --dst for ba) and --seq: many nodes' bindings in one process.

  notifytool.py ba --if IF --gw MAC --src HA --dst COA --hoa HOA --seq N
                   [--lifetime S] [--status N]
      The Home Agent's Binding Acknowledgement (6.1.8): to the care-of
      address, with a type 2 Routing header carrying the home address (6.4).

  notifytool.py send --key FILE [--key-id N] [--sender N] [--seq N]
                     [--src ADDR] [--sport N] --to ADDR [--port N] [--out FILE]
                     notify HOME COA [OLD] [--bseq N] [--lifetime S]
      One BINDING_NOTIFY of docs/protocol.md, MAC'd with the key in FILE
      (read as docs/protocol.md "Keys" says; hmac + hashlib: no code shared
      with the C implementation), sent from a UDP socket bound to ADDR, or
      with --sport from that source port through a raw socket (a receiver
      takes a peer's messages only from the peer's configured port, which
      its agent holds).  --out keeps the bytes (hex).

  notifytool.py send ... sync VIP PROTO PORT HOME BACKEND [--lifetime S]
                     [--remaining S] [--truncate N]
      One SYNC_SESSIONS (docs/protocol.md, "Session sync") carrying one hoa
      session of service (VIP, PROTO, PORT) on BACKEND (by name), as another
      balancer of the group sends it; --truncate drops the last N bytes
      after the MAC was computed.

  notifytool.py capture --if IF --out FILE [--type N] [--port N]
                        [--timeout S] [--ready FILE]
      Wait for one UDP datagram to or from --port (default 5400) whose
      payload is a protocol message of --type (default 3, BINDING_NOTIFY),
      seen on IF (sent or received), and write its payload (hex) to FILE.

  notifytool.py replay --in FILE [--src ADDR] [--sport N] --to ADDR [--port N]
      Send a saved payload again, byte for byte.

Run with the system python (/usr/bin/python3), which has scapy.
"""
import argparse
import hashlib
import hmac
import ipaddress
import socket
import struct
import sys
import time

MAGIC = 0x4D36
VERSION = 1
T_NOTIFY = 3
T_SYNC_SESSIONS = 6
T_GROUP_NOTIFY = 9
PROTO_PORT = 5400


def send_frame(ifname, frame):
    from scapy.config import conf

    s = conf.L2socket(iface=ifname)
    try:
        s.send(bytes(frame))
    finally:
        s.close()


def mac_of(ifname):
    with open("/sys/class/net/%s/address" % ifname) as f:
        return f.read().strip()


def batch_lines(args):
    """(hoa, coa, seq) per frame: --batch FILE's lines, or the options."""
    if not args.batch:
        for k in ("hoa", "seq"):
            if getattr(args, k) is None:
                raise SystemExit("--%s is required without --batch" % k)
        return None
    out = []
    with open(args.batch) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if len(w) != 3:
                raise SystemExit("%s: want HOA COA SEQ, got %r" % (args.batch, line))
            out.append((w[0], w[1], int(w[2])))
    return out


def send_frames(ifname, frames):
    from scapy.config import conf

    s = conf.L2socket(iface=ifname)
    try:
        for fr in frames:
            s.send(bytes(fr))
    finally:
        s.close()


def cmd_bu(args):
    batch = batch_lines(args)
    if batch is None:
        if args.src is None:
            raise SystemExit("--src is required without --batch")
        batch = [(args.hoa, args.src, args.seq)]
    frames = []
    for hoa, coa, seq in batch:
        if args.batch:
            args.hoa, args.src, args.seq, args.alt_coa = hoa, coa, seq, coa
        frames.append(bu_frame(args))
    send_frames(args.iface, frames)
    return 0


def bu_frame(args):
    from scapy.layers.l2 import Ether
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, HAO, MIP6MH_BU, MIP6OptAltCoA

    opts = [MIP6OptAltCoA(acoa=args.alt_coa)] if args.alt_coa else []
    pkt = (Ether(src=mac_of(args.iface), dst=args.gw) /
           IPv6(src=args.src, dst=args.dst, hlim=64) /
           IPv6ExtHdrDestOpt(options=[HAO(hoa=args.hoa)]) /
           MIP6MH_BU(seq=args.seq, flags=args.flags, mhtime=args.lifetime // 4,
                     options=opts))
    return pkt


def cmd_ba(args):
    batch = batch_lines(args)
    if batch is None:
        if args.dst is None:
            raise SystemExit("--dst is required without --batch")
        batch = [(args.hoa, args.dst, args.seq)]
    frames = []
    for hoa, coa, seq in batch:
        args.hoa, args.dst, args.seq = hoa, coa, seq
        frames.append(ba_frame(args))
    send_frames(args.iface, frames)
    return 0


def ba_frame(args):
    from scapy.layers.l2 import Ether
    from scapy.layers.inet6 import IPv6
    from scapy.packet import Raw

    # Type 2 Routing header (RFC 6275 6.4): one address, Segments Left 1.
    # By hand, as is the Mobility Header: scapy's routing header is the
    # type 0 layout, and its MH checksum wants the IPv6 layer underneath.
    rh2 = struct.pack("!BBBB4x", 135, 2, 2, 1) + ipaddress.IPv6Address(args.hoa).packed
    # MH (6.1.8): No Next Header, length 1 (16 bytes), type 6, reserved,
    # checksum, status, flags, sequence, lifetime in 4-second units, PadN.
    mh = struct.pack("!BBBBHBBHH", 59, 1, 6, 0, 0, args.status, 0, args.seq,
                     args.lifetime // 4) + b"\x01\x02\x00\x00"
    # The checksum's pseudo-header has the final destination: the home
    # address in the routing header (6.1.1).
    pseudo = (ipaddress.IPv6Address(args.src).packed + ipaddress.IPv6Address(args.hoa).packed +
              struct.pack("!I3xB", len(mh), 135))
    mh = mh[:4] + struct.pack("!H", inet_csum(pseudo + mh)) + mh[6:]
    pkt = (Ether(src=mac_of(args.iface), dst=args.gw) /
           IPv6(src=args.src, dst=args.dst, hlim=64, nh=43, plen=len(rh2) + len(mh)) /
           Raw(rh2 + mh))
    return pkt


def inet_csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_key(path):
    """docs/protocol.md, "Keys": 64 hex digits and an optional newline are
    the 32 bytes they spell; any other 32..64 bytes are the key as is."""
    with open(path, "rb") as f:
        raw = f.read()
    text = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
    if len(text) == 64 and len(raw) - len(text) <= 2:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except ValueError:
            pass
    return raw


def addr(a):
    return ipaddress.IPv6Address(a).packed


def encode(mtype, body, key, sender, key_id, seq, ts_ms):
    hdr = struct.pack("!HBBBBHIIQQ", MAGIC, VERSION, mtype, 0, 0, len(body), sender, key_id,
                      seq, ts_ms)
    msg = hdr + body
    return msg + hmac.new(key, msg, hashlib.sha256).digest()


def udp_send(payload, src, to, port, sport=0):
    if sport:
        return raw_udp_send(payload, src, to, port, sport)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        if src:
            s.bind((src, 0))
        s.sendto(payload, (to, port))
    finally:
        s.close()


def raw_udp_send(payload, src, to, port, sport):
    """From a given source port even while the agent holds it (an agent sends
    from the port it listens on, and the receiver checks it): a raw socket
    with its own UDP header, the checksum filled in by the kernel
    (IPV6_CHECKSUM at offset 6)."""
    IPV6_CHECKSUM = 7
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
    try:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_CHECKSUM, 6)
        if src:
            s.bind((src, 0))
        udp = struct.pack("!HHHH", sport, port, 8 + len(payload), 0)
        s.sendto(udp + payload, (to, 0))
    finally:
        s.close()


def sync_body(args):
    if len(args.rest) != 5:
        raise ValueError("sync VIP PROTO PORT HOME BACKEND")
    vip, proto, port, home, backend = args.rest
    name = backend.encode("ascii")
    remaining = args.remaining if args.remaining is not None else args.lifetime
    entry = (addr(vip) + struct.pack("!HBB", int(port), int(proto), 1) + addr(home) +
             struct.pack("!BBHIII", 1, len(name), 0, args.lifetime, remaining, 0) + name)
    return struct.pack("!HBBI", 1, 0, 0, 0) + entry


def name32(text):
    raw = text.encode("ascii")
    if not 0 < len(raw) < 32:
        raise ValueError("name '%s': 1..31 characters" % text)
    return raw + b"\0" * (32 - len(raw))


def group_block(group, choices):
    """docs/protocol.md, "Balancer groups": the group name, the choice count,
    3 reserved bytes, then per choice vip, port, proto, reserved, backend."""
    out = name32(group) + struct.pack("!B3x", len(choices))
    for c in choices:
        vip, proto, port, backend = c.split(",")
        out += addr(vip) + struct.pack("!HBx", int(port), int(proto)) + name32(backend)
    return out


def cmd_send(args):
    if args.msg == "sync":
        now = time.time()
        seq = args.seq if args.seq else int(now * 1e6)
        msg = encode(T_SYNC_SESSIONS, sync_body(args), read_key(args.key), args.sender,
                     args.key_id, seq, int(now * 1000))
        if args.truncate:
            msg = msg[:-args.truncate]
        if args.out:
            with open(args.out, "w") as f:
                f.write(msg.hex() + "\n")
        udp_send(msg, args.src, args.to, args.port, args.sport)
        return 0
    if args.msg == "notify":
        if len(args.rest) not in (2, 3):
            raise ValueError("notify HOME COA [OLD]")
        mtype, tail = T_NOTIFY, b""
        home, coa = args.rest[0], args.rest[1]
        old = args.rest[2] if len(args.rest) == 3 else None
    elif args.msg == "group_notify":
        if len(args.rest) < 3:
            raise ValueError("group_notify HOME COA GROUP [VIP,PROTO,PORT,BACKEND ...]")
        mtype = T_GROUP_NOTIFY
        home, coa, old = args.rest[0], args.rest[1], None
        tail = group_block(args.rest[2], args.rest[3:])
    else:
        raise ValueError("only 'notify', 'group_notify' and 'sync' messages")
    body = (addr(home) + addr(coa) + (addr(old) if old else b"\0" * 16) +
            struct.pack("!BBHI", 1 if old else 0, 0, args.bseq, args.lifetime)) + tail
    now = time.time()
    seq = args.seq if args.seq else int(now * 1e6)
    msg = encode(mtype, body, read_key(args.key), args.sender, args.key_id, seq,
                 int(now * 1000))
    if args.out:
        with open(args.out, "w") as f:
            f.write(msg.hex() + "\n")
    udp_send(msg, args.src, args.to, args.port, args.sport)
    return 0


def cmd_capture(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((args.iface, 0))
    s.settimeout(0.2)
    if args.ready:
        open(args.ready, "w").close()
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        try:
            frame = s.recv(65535)
        except socket.timeout:
            continue
        # Ethernet, IPv6 with UDP right after it (what the agent sends).
        if len(frame) < 14 + 40 + 8 + 32 or frame[12:14] != b"\x86\xdd" or frame[20] != 17:
            continue
        udp = frame[54:]
        sport, dport, ulen = struct.unpack("!HHH", udp[:6])
        if args.port not in (sport, dport):
            continue
        if args.dst and frame[38:54] != addr(args.dst):
            continue
        payload = udp[8:ulen]
        if len(payload) < 32 or payload[0:2] != b"\x4d\x36" or payload[3] != args.type:
            continue
        with open(args.out, "w") as f:
            f.write(payload.hex() + "\n")
        return 0
    print("notifytool.py: no message of type %d on %s within %gs" %
          (args.type, args.iface, args.timeout), file=sys.stderr)
    return 1


def cmd_replay(args):
    with open(args.infile) as f:
        udp_send(bytes.fromhex(f.read().strip()), args.src, args.to, args.port, args.sport)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("bu", help="a crafted Binding Update frame")
    p.add_argument("--if", dest="iface", required=True)
    p.add_argument("--gw", required=True, help="destination MAC")
    p.add_argument("--src")
    p.add_argument("--dst", required=True)
    p.add_argument("--hoa")
    p.add_argument("--alt-coa")
    p.add_argument("--seq", type=int)
    p.add_argument("--batch", help="lines HOA COA SEQ, one frame each")
    p.add_argument("--lifetime", type=int, default=600)
    p.add_argument("--flags", default="HA", help="scapy names: A, H, L, K, M, R, P")
    p.set_defaults(func=cmd_bu)

    p = sub.add_parser("ba", help="a crafted Binding Acknowledgement frame")
    p.add_argument("--if", dest="iface", required=True)
    p.add_argument("--gw", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst")
    p.add_argument("--hoa")
    p.add_argument("--seq", type=int)
    p.add_argument("--batch", help="lines HOA COA SEQ, one frame each")
    p.add_argument("--lifetime", type=int, default=600)
    p.add_argument("--status", type=int, default=0)
    p.set_defaults(func=cmd_ba)

    p = sub.add_parser("send", help="a protocol message")
    p.add_argument("--key", required=True)
    p.add_argument("--key-id", type=int, default=1)
    p.add_argument("--sender", type=int, default=1)
    p.add_argument("--seq", type=int, default=0, help="default: the clock in microseconds")
    p.add_argument("--src")
    p.add_argument("--to", required=True)
    p.add_argument("--port", type=int, default=PROTO_PORT)
    p.add_argument("--out")
    p.add_argument("--bseq", type=int, default=1)
    p.add_argument("--lifetime", type=int, default=600)
    p.add_argument("--remaining", type=int, help="sync: lifetime left (default: all of it)")
    p.add_argument("--truncate", type=int, default=0, help="sync: drop N bytes at the end")
    p.add_argument("msg")
    p.add_argument("rest", nargs="*")
    p.add_argument("--sport", type=int, default=0,
                   help="source port (default: any; the receiver wants the peer's port)")
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("capture", help="one protocol message off a link")
    p.add_argument("--if", dest="iface", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--type", type=int, default=T_NOTIFY)
    p.add_argument("--port", type=int, default=PROTO_PORT)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--dst", help="only a message to this address")
    p.add_argument("--ready")
    p.set_defaults(func=cmd_capture)

    p = sub.add_parser("replay", help="send saved bytes again")
    p.add_argument("--in", dest="infile", required=True)
    p.add_argument("--src")
    p.add_argument("--to", required=True)
    p.add_argument("--port", type=int, default=PROTO_PORT)
    p.add_argument("--sport", type=int, default=0,
                   help="source port (default: any; the receiver wants the peer's port)")
    p.set_defaults(func=cmd_replay)

    args = ap.parse_args()
    try:
        return args.func(args)
    except ValueError as e:
        print("notifytool.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
