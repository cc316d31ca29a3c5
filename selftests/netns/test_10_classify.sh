#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 10: `mip6lbctl classify` on the public captures in ../shared/pcaps
# prints the identities the datapath issue specifies.  Offline (no daemon, no
# namespace), through the real BPF object.  Every expectation is derived
# from the capture itself, read independently with scapy:
#  - zeek HAO captures: kind hoa, home address 2001:78:1:32::1, forwarded;
#  - ESP captures (pcap and pcapng): every ESP packet's identity is its own
#    SPI, each (VIP, SPI) its own session, all its packets on one backend;
#  - the malformed-options and Mobility Header captures run without a crash,
#    one row per packet, each with a verdict.
. "$(dirname "$0")/lib.sh"

PCAPS=${MIP6LB_PCAPS:-$SRC_DIR/../shared/pcaps}
[ "$(id -u)" = 0 ] || skip "needs root (bpf_prog_test_run)"
[ -d "$PCAPS" ] || skip "no captures at $PCAPS"
"$PY" -c 'import scapy.layers.inet6' 2>/dev/null || skip "needs scapy for $PY"
require_build "$MIP6LBCTL"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mip6lb-$TEST_NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

"$PY" - "$MIP6LBCTL" "$PCAPS" "$TMP" "$TEST_NAME" <<'PYEOF'
import ipaddress, json, os, subprocess, sys
from scapy.utils import rdpcap
from scapy.layers.inet6 import IPv6

ctl, pcaps, tmp, name = sys.argv[1:]
ZEEK_HOA = "2001:78:1:32::1"
failed = []

def say(msg):
    print("%s: %s" % (name, msg), flush=True)

def fail(msg):
    print("%s: FAIL - %s" % (name, msg), flush=True)
    failed.append(msg)

def conf_for(vips, identity="hoa,spi,iid,src"):
    path = os.path.join(tmp, "c%d.conf" % len(os.listdir(tmp)))
    with open(path, "w") as f:
        f.write("; SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause\n")
        for i, vip in enumerate(vips):
            f.write("[service v%d]\nvip = %s\nidentity = %s\n" % (i, vip, identity))
            for b in ("a", "b", "c"):
                f.write("[backend v%d %s]\naddr = 2001:db8:1::%d\n" % (i, b, "abc".index(b) + 1))
    return path

def classify(conf, pcap):
    p = subprocess.run([ctl, "-j", "classify", "-c", conf, pcap], capture_output=True, text=True)
    if p.returncode != 0:
        fail("classify %s exited %d: %s" % (os.path.basename(pcap), p.returncode, p.stderr.strip()))
        return None
    rows = json.loads(p.stdout)["packets"]
    human = subprocess.run([ctl, "classify", "-c", conf, pcap], capture_output=True, text=True)
    if human.returncode != 0:
        fail("classify (table) %s exited %d" % (os.path.basename(pcap), human.returncode))
    return rows, human.stdout

def dsts(pkts):
    out = []
    for p in pkts:
        if IPv6 in p and p[IPv6].dst not in out and not p[IPv6].dst.startswith("ff"):
            out.append(p[IPv6].dst)
    return out

def check_rows(file, rows, n):
    if len(rows) != n:
        fail("%s: %d rows for %d packets" % (file, len(rows), n))
    for i, r in enumerate(rows):
        if r["index"] != i + 1 or r["verdict"] not in ("tx", "redirect", "pass", "drop"):
            fail("%s: row %d: index %s verdict %s" % (file, i + 1, r["index"], r["verdict"]))

# ---- HAO ----
for file in ("zeek_ipv6-mobile-hoa.pcap", "zeek_ip6-hoa-tcp-good-chksum.pcap"):
    path = os.path.join(pcaps, file)
    if not os.path.exists(path):
        fail("%s missing" % file)
        continue
    pkts = rdpcap(path)
    got = classify(conf_for(dsts(pkts)), path)
    if not got:
        continue
    rows, table = got
    check_rows(file, rows, len(pkts))
    for r in rows:
        if (r["verdict"], r["kind"], r["identity"]) != ("tx", "hoa", ZEEK_HOA) or not r["backend"]:
            fail("%s packet %d: %s %s %s -> %s, want tx hoa %s" % (file, r["index"], r["verdict"],
                 r["kind"], r["identity"], r["backend"], ZEEK_HOA))
    if ZEEK_HOA not in table:
        fail("%s: the table does not show %s" % (file, ZEEK_HOA))
    say("ok - %s: %d packet(s), identity hoa %s -> backend %s" % (file, len(rows), ZEEK_HOA,
        ",".join(sorted({r["backend"] or "-" for r in rows}))))

# ---- ESP ----
for file in ("zeek_ip6_esp.pcap", "packetlife_IPv6-ESP.pcapng"):
    path = os.path.join(pcaps, file)
    if not os.path.exists(path):
        fail("%s missing" % file)
        continue
    pkts = rdpcap(path)
    vips = dsts(pkts)
    got = classify(conf_for(vips, "spi,src"), path)
    if not got:
        continue
    rows, _ = got
    check_rows(file, rows, len(pkts))
    sessions = {}
    n_esp = 0
    for p, r in zip(pkts, rows):
        if IPv6 not in p or p[IPv6].nh != 50:
            continue
        n_esp += 1
        raw = bytes(p[IPv6].payload)
        spi = int.from_bytes(raw[:4], "big")
        vip = p[IPv6].dst
        if r["kind"] != "spi" or r["identity"] is None or int(r["identity"], 16) != spi \
                or r["verdict"] != "tx":
            fail("%s packet %d: ESP SPI 0x%08x to %s classified %s %s %s" % (file, r["index"], spi,
                 vip, r["verdict"], r["kind"], r["identity"]))
            continue
        key = (r["service"], spi)
        if sessions.setdefault(key, r["backend"]) != r["backend"]:
            fail("%s: SPI 0x%08x on %s went to %s and %s" % (file, spi, r["service"],
                 sessions[key], r["backend"]))
    pairs = {(p[IPv6].dst, int.from_bytes(bytes(p[IPv6].payload)[:4], "big"))
             for p in pkts if IPv6 in p and p[IPv6].nh == 50}
    if len(sessions) != len(pairs):
        fail("%s: %d spi sessions for %d (VIP, SPI) pairs" % (file, len(sessions), len(pairs)))
    spis = sorted({s for _, s in pairs})
    say("ok - %s: %d ESP packets, %d SPIs (%s) to %d VIPs: %d sessions, one per (VIP, SPI)" %
        (file, n_esp, len(spis), " ".join("0x%x" % s for s in spis), len(vips), len(sessions)))

# ---- malformed and Mobility Header captures: no crash, one row each ----
for file in ("zeek_ipv6-mobility-dst-opts_malformed.pcap", "zeek_ipv6-mobile-routing.pcap",
             "zeek_mip6_bu.pcap", "zeek_mip6_back.pcap", "tcpdump_ipv6_mobility_1.pcap"):
    path = os.path.join(pcaps, file)
    if not os.path.exists(path):
        fail("%s missing" % file)
        continue
    pkts = rdpcap(path)
    got = classify(conf_for(dsts(pkts)), path)
    if not got:
        continue
    rows, _ = got
    check_rows(file, rows, len(pkts))
    summary = ", ".join("%s/%s%s" % (r["verdict"], r["kind"] or "-",
                        "(%s)" % r["reason"] if r["reason"] else "") for r in rows[:4])
    say("ok - %s: %d packets, no crash: %s%s" % (file, len(rows), summary,
        " ..." if len(rows) > 4 else ""))

sys.exit(1 if failed else 0)
PYEOF
