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
it, for tests that check the bytes on the wire.  Packets with a Home Address option never reach a socket here
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


def sniffer(sock, log, frames):
    with open(log, "ab", buffering=0) as out, open(frames, "ab", buffering=0) as raw:
        while True:
            frame, addr = sock.recvfrom(65535)
            if addr[2] != PACKET_HOST:
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
    if args.sniff:
        if not args.log:
            ap.error("--sniff needs --log")
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((args.sniff, 0))
        open(args.log, "ab").close()
        frames = os.path.splitext(args.log)[0] + ".frames"
        threads.append(threading.Thread(target=sniffer, args=(s, args.log, frames)))
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
