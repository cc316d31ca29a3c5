#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 8: both forwarding modes deliver the payload to a real socket on
# the backend, and the reply naming the backend comes back to the client.
#  - l2-dsr: new destination MAC, XDP_TX; the backend holds the VIP on lo.
#  - ip6ip6: an outer header from lb_addr to the backend's decap address;
#    the backend decapsulates it with $DECAP (MIP6LB_DECAP_MODE: mip6lb-decap
#    by default; the runner repeats this scenario with SRv6 End.DT6 and
#    ip6tnl where the kernel has them).
# UDP and TCP (a whole handshake, every segment balanced the same way), from
# the home address and from both CoAs (plain packets, source routed).
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
write_conf
conf_service dsr vip=$VIP proto=any forward=l2-dsr
conf_backends dsr
conf_service tun vip=$VIP_TUN proto=any forward=ip6ip6 lb_addr=$LB_ADDR
conf_backends tun 1 1 1 decap
daemon_start

for svc in dsr:$VIP tun:$VIP_TUN; do
	name=${svc%%:*}; vip=${svc#*:}
	before=$(ctl -j stats | pyq "sum(b['packets'] for b in d['backends'] if b['service'] == '$name')")
	for proto in udp tcp; do
		for src in "$HOA" "$COA_A" "$COA_B"; do
			tok=$(new_token "$name-$proto")
			reply=$(mn_request --proto $proto --src "$src" --dst "$vip" --port $PORT --tok "$tok") ||
				die "$name ($proto from $src): no reply"
			be=${reply%% *}
			[ "$reply" = "$be tok=$tok;" ] || die "$name ($proto from $src): odd reply '$reply'"
			sniffed=$(served_by "$tok")
			[ "$sniffed" = "$be" ] || die "$name: reply from $be, request seen by $sniffed"
			sb=$(session_backend "$name" src "$src")
			[ "$sb" = "$be" ] || die "$name: $src's session is on $sb, the reply came from $be"
			say "$name $proto $src -> [$vip]:$PORT: reply '$reply'"
		done
	done
	after=$(ctl -j stats | pyq "sum(b['packets'] for b in d['backends'] if b['service'] == '$name')")
	# UDP: one packet per request; TCP: at least SYN, ACK, data, ACK, FIN.
	[ $((after - before)) -ge $((3 + 3 * 4)) ] ||
		die "$name: only $((after - before)) packets counted for 6 requests"
	ok "$name: UDP and TCP requests answered by the backend that received them ($((after - before)) packets balanced)"
done

# What the decapsulator counted: every ip6ip6 frame the backends got.
if [ "$DECAP" = bpf ]; then
	dec=0
	for b in $BACKENDS; do
		st=$(decap_status "$b") || die "mip6lb-decap status on $b failed"
		n=$(echo "$st" | pyq "sum(i['counters']['decapsulated']['packets'] for i in d['interfaces'])")
		bad=$(echo "$st" | pyq "sum(v['packets'] for i in d['interfaces'] for k, v in i['counters'].items() if k.startswith('drop_'))")
		[ "$bad" = 0 ] || die "mip6lb-decap on $b dropped $bad frames: $st"
		say "mip6lb-decap on $b: decapsulated $n"
		dec=$((dec + n))
	done
	tun=$(ctl -j stats | pyq "sum(b['packets'] for b in d['backends'] if b['service'] == 'tun')")
	[ "$dec" = "$tun" ] || die "the backends decapsulated $dec frames, the balancer sent $tun"
	ok "mip6lb-decap on the backends decapsulated all $dec ip6ip6 frames the balancer sent, dropping none"
fi

# The frames themselves, as the backends received them (taps on the switch).
tok_dsr=$(new_token wire-dsr)
tok_tun=$(new_token wire-tun)
mn_send "if=a0 src=$COA_A dst=$VIP tok=$tok_dsr" "if=a0 src=$COA_A dst=$VIP_TUN tok=$tok_tun"
be_dsr=$(expect_one "$tok_dsr")
be_tun=$(expect_one "$tok_tun")
"$PY" - "$TMP/$be_dsr.frames" "$tok_dsr" "$(be_mac "$be_dsr")" "$MAC_LB" "$COA_A" "$VIP" <<'PYEOF' ||
import sys
from scapy.layers.l2 import Ether
from scapy.layers.inet6 import IPv6
from scapy.layers.inet import UDP
path, tok, dmac, smac, src, dst = sys.argv[1:]
hexframe = next(l.split()[1] for l in open(path) if l.split()[0] == tok)
f = Ether(bytes.fromhex(hexframe))
ip = f[IPv6]
problems = []
if f.dst != dmac or f.src != smac:
    problems.append("MACs %s -> %s, want %s -> %s" % (f.src, f.dst, smac, dmac))
if ip.src != src or ip.dst != dst or ip.nh != 17 or UDP not in ip:
    problems.append("IPv6 %s -> %s nh %d, want the client's packet unchanged" % (ip.src, ip.dst, ip.nh))
if problems:
    sys.exit("l2-dsr frame: " + "; ".join(problems))
print("test_08_forwarding: l2-dsr frame: %s -> %s, IPv6 %s -> %s untouched" % (f.src, f.dst, ip.src, ip.dst))
PYEOF
	die "the l2-dsr frame on $be_dsr is not what the balancer should send"
"$PY" - "$TMP/$be_tun.frames" "$tok_tun" "$(be_mac "$be_tun")" "$MAC_LB" "$LB_ADDR" \
	"$(be_decap "$be_tun")" "$COA_A" "$VIP_TUN" <<'PYEOF' ||
import sys
from scapy.layers.l2 import Ether
from scapy.layers.inet6 import IPv6
from scapy.layers.inet import UDP
path, tok, dmac, smac, osrc, odst, src, dst = sys.argv[1:]
hexframe = next(l.split()[1] for l in open(path) if l.split()[0] == tok)
raw = bytes.fromhex(hexframe)
f = Ether(raw)
outer = f[IPv6]
problems = []
if f.dst != dmac or f.src != smac:
    problems.append("MACs %s -> %s, want %s -> %s" % (f.src, f.dst, smac, dmac))
if outer.src != osrc or outer.dst != odst or outer.nh != 41:
    problems.append("outer %s -> %s nh %d, want %s -> %s nh 41" % (outer.src, outer.dst, outer.nh, osrc, odst))
if outer.plen != len(raw) - 14 - 40:
    problems.append("outer payload length %d, frame carries %d" % (outer.plen, len(raw) - 54))
if outer.hlim == 0:
    problems.append("outer hop limit 0")
inner = outer.payload
if not isinstance(inner, IPv6) or inner.src != src or inner.dst != dst or UDP not in inner:
    problems.append("inner packet is not the client's %s -> %s UDP" % (src, dst))
if problems:
    sys.exit("ip6ip6 frame: " + "; ".join(problems))
print("test_08_forwarding: ip6ip6 frame: %s -> %s, outer %s -> %s nh 41 plen %d hlim %d, inner %s -> %s" %
      (f.src, f.dst, outer.src, outer.dst, outer.plen, outer.hlim, inner.src, inner.dst))
PYEOF
	die "the ip6ip6 frame on $be_tun is not what the balancer should send"
ok "on the wire: l2-dsr rewrote only the MACs; ip6ip6 added lb_addr -> $(be_decap "$be_tun") around the client's packet"
