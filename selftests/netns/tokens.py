#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tokens.py - which backend received which packet, from the sniffers' logs.

  tokens.py --dir TMP --backends s1,s2,s3 [--timeout S] SPECFILE

SPECFILE holds mn.py send specs, one per line; every "tok=WORD" in it is a
packet to account for.  Waits (at most --timeout seconds) until each token
is in some backend's log TMP/NAME.sniff, lets late duplicates arrive, then
prints one line per token, in SPECFILE order: "WORD BACKEND", with
"none" for a token nobody logged and "s1,s2" for one logged by several.
"""
import argparse
import os
import re
import sys
import time


def seen(path_by_name):
    where = {}
    for name, path in path_by_name.items():
        try:
            with open(path) as f:
                for line in f:
                    where.setdefault(line.strip(), set()).add(name)
        except FileNotFoundError:
            pass
    return where


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--backends", required=True)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("specfile")
    args = ap.parse_args()
    names = args.backends.split(",")
    paths = {n: os.path.join(args.dir, n + ".sniff") for n in names}
    with open(args.specfile) as f:
        toks = re.findall(r"\btok=(\S+)", f.read())
    deadline = time.monotonic() + args.timeout
    while True:
        where = seen(paths)
        missing = [t for t in toks if t not in where]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(0.2)
    where = seen(paths)
    for t in toks:
        print(t, ",".join(sorted(where.get(t, ()))) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
