#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""backend.py - a backend's real servers and its packet sniffer.

UDP and TCP servers bound to each --bind address (the VIPs on lo) answer
every request with "NAME PAYLOAD", so a client learns which backend served
it.  They bind the VIP itself, not ::, so a UDP reply leaves from the VIP
(direct server return) and not from the lan address.

--sniff IF opens a packet socket on IF and appends every payload token
(tok=WORD;) found in a frame addressed to this host (PACKET_HOST) to --log,
one per line, and "WORD HEX" (the whole frame) to the .frames file beside
it, for tests that check the bytes on the wire.

--tap IF --mac MAC sniffs the other way round, from the switch: IF is the
bridge port in front of the backend, and the frames kept are those the
bridge sends out of it (PACKET_OUTGOING) to MAC.  That is the wire as the
backend receives it, before anything on the backend runs: a packet socket
on the backend's own interface sees frames after its XDP program, which
for mip6lb-decap is after the outer header is gone.  Packets with a Home Address option never reach a socket here
(no MIP6 in the kernel: ICMP Parameter Problem), so the sniffer is how the
tests learn which backend an HAO packet went to.  Frames the bridge floods
to every port before it has learnt a MAC are PACKET_OTHERHOST and ignored.

Standard library only; runs until killed.
"""
import argparse
import os
import re
import socket
import sys
import threading

TOKEN = re.compile(rb"tok=([0-9A-Za-z_.:-]+);")
ETH_P_ALL = 0x0003
PACKET_HOST = 0
PACKET_OUTGOING = 4


def udp_server(sock, name):
    while True:
        data, peer = sock.recvfrom(4096)
        sock.sendto(name.encode() + b" " + data.strip() + b"\n", peer)


def tcp_conn(conn, name):
    with conn:
        conn.settimeout(5)
        data = b""
        try:
            while b"\n" not in data and len(data) < 4096:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            conn.sendall(name.encode() + b" " + data.strip() + b"\n")
        except OSError:
            pass


def tcp_server(sock, name):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=tcp_conn, args=(conn, name), daemon=True).start()


def sniffer(sock, log, frames, mac=None):
    with open(log, "ab", buffering=0) as out, open(frames, "ab", buffering=0) as raw:
        while True:
            frame, addr = sock.recvfrom(65535)
            if mac is None:
                if addr[2] != PACKET_HOST:
                    continue
            elif addr[2] != PACKET_OUTGOING or frame[:6] != mac:
                continue
            for m in TOKEN.finditer(frame):
                # The frame first, so a token in the log always has its frame.
                raw.write(m.group(1) + b" " + frame.hex().encode() + b"\n")
                out.write(m.group(1) + b"\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--bind", action="append", default=[], help="address to serve on")
    ap.add_argument("--port", type=int, action="append", default=[])
    ap.add_argument("--sniff", metavar="IF")
    ap.add_argument("--tap", metavar="IF", help="switch port in front of the backend")
    ap.add_argument("--mac", help="with --tap: the backend's MAC")
    ap.add_argument("--log", help="sniffer's token log")
    ap.add_argument("--ready", help="file created once everything listens")
    args = ap.parse_args()

    threads = []
    for addr in args.bind:
        fam = socket.AF_INET if "." in addr else socket.AF_INET6
        for port in args.port or [80]:
            u = socket.socket(fam, socket.SOCK_DGRAM)
            u.bind((addr, port))
            threads.append(threading.Thread(target=udp_server, args=(u, args.name)))
            t = socket.socket(fam, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((addr, port))
            t.listen(64)
            threads.append(threading.Thread(target=tcp_server, args=(t, args.name)))
    if args.sniff and args.tap:
        ap.error("--sniff and --tap exclude each other")
    if args.tap and not args.mac:
        ap.error("--tap needs --mac")
    if args.sniff or args.tap:
        if not args.log:
            ap.error("--sniff/--tap needs --log")
        mac = bytes.fromhex(args.mac.replace(":", "")) if args.tap else None
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((args.sniff or args.tap, 0))
        open(args.log, "ab").close()
        frames = os.path.splitext(args.log)[0] + ".frames"
        threads.append(threading.Thread(target=sniffer, args=(s, args.log, frames, mac)))
    for t in threads:
        t.daemon = True
        t.start()
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    threading.Event().wait()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
