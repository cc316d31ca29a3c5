#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The topology on its own, before any balancer: the paths every scenario
# relies on.  Routing between all namespaces, a backend's real servers, the
# backends' taps (a frame with a Home Address option is seen by the
# addressed backend only), and the backend's decapsulator ($DECAP:
# mip6lb-decap by default) turning a hand-made ip6ip6 packet into a request
# to the backend's UDP server, whose reply reaches the mobile node.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create

for dst in "$R_LAN" "$LB_ADDR" "$(be_addr s1)" "$(be_addr s3)"; do
	for src in "$HOA" "$COA_A" "$COA_B"; do
		ping6 "$NS_MN" "$src" "$dst" ||
			die "ping $src -> $dst"
	done
done
ok "mobile node reaches router, balancer and backends from its home address and both CoAs"

# Without a balancer the VIP prefix leads to the lb host, which does not
# forward: a real request must fail, which proves the tests' requests only
# succeed through the balancer.
if mn_request --src "$HOA" --dst "$VIP" --timeout 0.5 >/dev/null 2>&1; then
	die "a request to the VIP was answered with no balancer running"
fi
ok "without a balancer nothing answers on the VIP"

# An HAO frame put straight on the lan for s2's MAC: s2's sniffer logs its
# token, s1 and s3 see nothing.
tok=$(new_token hao)
ip netns exec "$NS_LB" "$PY" - "$(be_mac s2)" "$MAC_LB" "$COA_A" "$VIP" "$HOA" "$tok" <<'EOF'
import sys
from scapy.layers.l2 import Ether
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, HAO
from scapy.layers.inet import UDP
from scapy.sendrecv import sendp
dmac, smac, src, dst, hoa, tok = sys.argv[1:]
sendp(Ether(dst=dmac, src=smac) / IPv6(src=src, dst=dst) /
      IPv6ExtHdrDestOpt(options=[HAO(hoa=hoa)]) / UDP(sport=40000, dport=80) /
      ("tok=%s;\n" % tok), iface="eth0", verbose=0)
EOF
got=$(served_by "$tok")
[ "$got" = s2 ] || die "HAO frame for s2 seen by: $got"
ok "an HAO frame for s2's MAC is logged by s2's tap only"

# ip6ip6 by hand, lb -> s3's decap address; the decapsulator delivers the
# inner packet to s3's UDP server on the VIP, whose reply goes straight to
# the node's home address through the router, where a socket waits for it.
tok=$(new_token decap)
ip netns exec "$NS_MN" "$PY" "$NETNS_DIR/mn.py" listen --bind "$HOA" --port 40000 \
	--timeout 5 >"$TMP/listen.out" 2>&1 &
listener=$!
PIDS+=($listener)
sleep 0.3
ip netns exec "$NS_LB" "$PY" - "$(be_mac s3)" "$MAC_LB" "$LB_ADDR" "$(be_decap s3)" \
	"$HOA" "$VIP_TUN" "$tok" <<'EOF'
import sys
from scapy.layers.l2 import Ether
from scapy.layers.inet6 import IPv6
from scapy.layers.inet import UDP
from scapy.sendrecv import sendp
dmac, smac, outer_src, outer_dst, src, dst, tok = sys.argv[1:]
sendp(Ether(dst=dmac, src=smac) / IPv6(src=outer_src, dst=outer_dst) /
      IPv6(src=src, dst=dst) / UDP(sport=40000, dport=80) / ("tok=%s;\n" % tok),
      iface="eth0", verbose=0)
EOF
[ "$(served_by "$tok")" = s3 ] || die "ip6ip6 frame for s3 not seen by s3 alone"
wait "$listener" || die "no reply from s3 reached the node: $(cat "$TMP/listen.out")"
reply=$(cat "$TMP/listen.out")
[ "$reply" = "s3 tok=$tok;" ] || die "reply to the decapsulated request: '$reply'"
ok "$DECAP on s3 decapsulates ip6ip6 to the VIP; s3's reply '$reply' reaches the node"
if [ "$DECAP" = bpf ]; then
	st=$(decap_status s3) || die "mip6lb-decap status on s3 failed"
	n=$(echo "$st" | pyq "sum(c['packets'] for i in d['interfaces'] for c in [i['counters']['decapsulated']])")
	[ "$n" = 1 ] || die "mip6lb-decap on s3 counts $n decapsulated packets, want 1: $st"
	n=$(echo "$st" | pyq "[a for i in d['interfaces'] for a in i['addresses']]")
	[ "$n" = "$(be_decap s3)" ] || die "mip6lb-decap on s3 lists addresses '$n', want $(be_decap s3)"
	ok "mip6lb-decap status on s3: decapsulated 1, address $(be_decap s3)"
fi
