#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 20: ip6ip6 and the backends' MTU, and lb_addr prefixes.
#  - Packet Too Big: every link is 1500 bytes.  A client's full-size UDP
#    datagram (1452 bytes of payload: a 1500-byte packet) would be 1540 once
#    encapsulated; the balancer drops it and answers, from the VIP, with an
#    ICMPv6 Packet Too Big of MTU 1460 (bpf/ptb.h).  The client's kernel
#    caches that MTU for the VIP (`ip -6 route get` shows "mtu 1460") and
#    fragments its next datagram of the same size, which reaches a backend
#    (the first fragment under the limit, the second following it) and is
#    answered.
#  - Tunnel entropy: a service whose lb_addr is a /64.  The frames the
#    backends receive carry one outer source per node (both care-of
#    addresses of one node: the same), different sources across nodes, all
#    inside the prefix.
. "$(dirname "$0")/lib.sh"

LB_PFX=2001:db8:5:1            # the prefix service's lb_addr, a /64
PORT_P=81                      # its port (same VIP)
NODES="11 12 13 14 15 16"      # home addresses $HOME_PFX::N of six other nodes

setup_common
topo_create
write_conf
conf_service tun vip=$VIP_TUN proto=udp port=$PORT forward=ip6ip6 lb_addr=$LB_ADDR
conf_backends tun 1 1 1 decap
conf_service tunp vip=$VIP_TUN proto=udp port=$PORT_P forward=ip6ip6 lb_addr=$LB_PFX::/64
conf_backends tunp 1 1 1 decap
daemon_start

counter() { ctl -j stats | pyq "d['counters']['$1']['packets']"; }

# ---- Packet Too Big -----------------------------------------------------------
mtu=$(ip -n "$NS_LB" -j link show dev eth0 | pyq "d[0]['mtu']")
[ "$mtu" = 1500 ] || die "the balancer's eth0 has MTU $mtu, the scenario needs 1500"
ip -n "$NS_MN" -6 route get "$VIP_TUN" from "$COA_A" | grep -q ' mtu ' &&
	die "the client has a path MTU for $VIP_TUN before anything was sent"

tok1=$(new_token big1)
tok2=$(new_token big2)
# One datagram of tok1, then (after the Packet Too Big) one of tok2, both
# 1452 bytes, from one socket; prints what answered each.
out=$(ip netns exec "$NS_MN" "$PY" - "$COA_A" "$VIP_TUN" "$PORT" "$tok1" "$tok2" <<'PYEOF'
import socket, sys, time
src, dst, port, tok1, tok2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
def payload(tok):
    head = b"tok=%s;" % tok.encode()
    return head + b"x" * (1452 - len(head) - 1) + b"\n"
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((src, 0))
s.connect((dst, port))
s.settimeout(1.0)
s.send(payload(tok1))
try:
    r = s.recv(4096)
    print("first: answered " + r.split()[0].decode())
except socket.timeout:
    print("first: no answer")
except OSError as e:
    # A connected socket hears of the Packet Too Big itself (EMSGSIZE).
    print("first: error %s" % e)
# The Packet Too Big has arrived by now (the timeout above); a datagram
# sent now follows the cached path MTU.
for attempt in range(3):
    s.send(payload(tok2))
    try:
        r = s.recv(4096)
        print("second: answered " + r.split()[0].decode())
        break
    except socket.timeout:
        continue
    except OSError as e:
        print("second: error %s" % e)
else:
    print("second: no answer")
PYEOF
) || die "the client's datagrams: $out"
say "client: $(echo $out)"

sent=$(counter ptb_sent)
[ "$sent" -ge 1 ] || die "the balancer sent no Packet Too Big (ptb_sent $sent)"
case $out in *"first: answered"*) die "the 1500-byte datagram was answered: it went through encapsulated at 1540" ;; esac
[ "$(served_by "$tok1" 5)" = none ] || die "the oversized datagram reached a backend"
ok "a 1500-byte client packet to the ip6ip6 VIP was dropped and answered with Packet Too Big (ptb_sent $sent)"

route=$(ip -n "$NS_MN" -6 route get "$VIP_TUN" from "$COA_A")
echo "$route" | grep -q ' mtu 1460' ||
	die "the client did not cache the path MTU 1460 for $VIP_TUN: $route"
ok "the client's kernel cached it: $(echo $route | grep -o 'mtu [0-9]*')"

case $out in *"second: answered s"*) ;; *) die "the datagram after the Packet Too Big got no answer: $out" ;; esac
be=$(expect_one "$tok2")
[ "$(counter frag_tracked)" -ge 1 ] || die "no later fragment was tracked: was the datagram fragmented?"
ok "the next 1452-byte datagram, fragmented to fit, reached $be and was answered"

# ---- lb_addr prefix -----------------------------------------------------------
spec=$TMP/prefix.spec
: >"$spec"
# One node from both of its care-of addresses, then six other nodes.
for c in a0:$COA_A b0:$COA_B; do
	echo "if=${c%%:*} src=${c#*:} dst=$VIP_TUN hoa=$HOA dport=$PORT_P tok=$(new_token "p-hoa-${c%%:*}")" >>"$spec"
done
for n in $NODES; do
	echo "if=a0 src=$COA_A dst=$VIP_TUN hoa=$HOME_PFX::$n dport=$PORT_P tok=$(new_token "p-$n")" >>"$spec"
done
mn_send - <"$spec"

# Token, home address and outer source of every frame a backend received.
srcs=$TMP/prefix.srcs
: >"$srcs"
while read -r line; do
	tok=${line##*tok=}
	hoa=${line#*hoa=}; hoa=${hoa%% *}
	be=$(expect_one "$tok")
	"$PY" - "$TMP/$be.frames" "$tok" "$hoa" >>"$srcs" <<'PYEOF' || die "the frame of $tok on $be"
import sys
from scapy.layers.l2 import Ether
from scapy.layers.inet6 import IPv6
path, tok, hoa = sys.argv[1:]
hexframe = next(l.split()[1] for l in open(path) if l.split()[0] == tok)
outer = Ether(bytes.fromhex(hexframe))[IPv6]
if outer.nh != 41:
    sys.exit("not ip6ip6: next header %d" % outer.nh)
print(hoa, outer.src)
PYEOF
done <"$spec"
say "outer sources (home address, source):"; sed 's/^/    /' "$srcs"

"$PY" - "$srcs" "$HOA" "$LB_PFX::" <<'PYEOF' || die "outer sources of the prefix service"
import ipaddress, sys
path, hoa, pfx = sys.argv[1:]
net = ipaddress.ip_network(pfx + "/64")
rows = [l.split() for l in open(path)]
by_node = {}
for h, s in rows:
    if ipaddress.ip_address(s) not in net:
        sys.exit("outer source %s is not inside %s" % (s, net))
    by_node.setdefault(h, set()).add(s)
if len(by_node[hoa]) != 1:
    sys.exit("node %s left from several outer sources: %s" % (hoa, sorted(by_node[hoa])))
distinct = {next(iter(v)) for v in by_node.values() if len(v) == 1}
if any(len(v) != 1 for v in by_node.values()):
    sys.exit("a node with several outer sources: %s" % by_node)
if len(distinct) != len(by_node):
    sys.exit("%d nodes share %d outer sources" % (len(by_node), len(distinct)))
print("test_20_encap_mtu: %d nodes, %d outer sources in %s" % (len(by_node), len(distinct), net))
PYEOF
ok "lb_addr $LB_PFX::/64: one outer source per node (both care-of addresses of $HOA alike), $(wc -l <"$srcs") frames from $(cut -d' ' -f2 "$srcs" | sort -u | wc -l) sources"
