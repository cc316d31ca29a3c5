#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 9: with mip6lbd attached, everything that is not a service packet
# still reaches the balancer host's own stack untouched (XDP_PASS): ICMPv6
# echo and neighbour discovery, UDP and TCP to the host's own address, a VIP
# port no service covers, and IPv4 (ARP included).
. "$(dirname "$0")/lib.sh"

LB_V4=10.99.0.2
R_V4=10.99.0.1
setup_common
topo_create
write_conf
conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr
conf_backends web
ip -n "$NS_LB" addr add "$LB_V4/24" dev eth0
ip -n "$NS_R" addr add "$R_V4/24" dev lan0
# The balancer host's own service: UDP and TCP echo-with-name on port 7.
ip netns exec "$NS_LB" "$PY" "$NETNS_DIR/backend.py" --name lbhost --bind "$LB_ADDR" \
	--bind "$LB_V4" --port 7 --ready "$TMP/lb.ready" >>"$TMP/lb.out" 2>&1 &
PIDS+=($!)
wait_for 50 test -e "$TMP/lb.ready" || die "lb host server did not start: $(cat "$TMP/lb.out")"
daemon_start
ip -n "$NS_LB" link show dev eth0 | grep -q "xdp" || die "no XDP program on the balancer's eth0"
ok "mip6lbd attached: $(ip -n "$NS_LB" -d link show dev eth0 | grep -o 'prog/xdp id [0-9]*' | head -n1)"

pass0=$(ctl -j stats | pyq "d['reasons']['pass_not_service']")
v40=$(ctl -j stats | pyq "d['reasons']['pass_not_ipv6']")

# Neighbour discovery starts afresh: the router forgets the balancer.
ip -n "$NS_R" -6 neigh flush dev lan0
for src in "$HOA" "$COA_A" "$COA_B"; do
	ping6 "$NS_MN" "$src" "$LB_ADDR" || die "ping $src -> balancer $LB_ADDR"
done
ping6 "$(ns_be s2)" "$(be_addr s2)" "$LB_ADDR" || die "ping s2 -> balancer (same lan)"
ip netns exec "$NS_LB" "$PY" "$NETNS_DIR/mn.py" ping --src "$LB_ADDR" --dst "$HOA" >/dev/null ||
	die "ping balancer -> mobile node"
ok "ICMPv6 echo to and from the balancer host, from the node's three addresses and the lan"

for proto in udp tcp; do
	tok=$(new_token "host-$proto")
	reply=$(mn_request --proto $proto --src "$COA_A" --dst "$LB_ADDR" --port 7 --tok "$tok") ||
		die "$proto to the balancer host's port 7: no reply"
	[ "$reply" = "lbhost tok=$tok;" ] || die "$proto to the balancer host: reply '$reply'"
done
ok "UDP and TCP to the balancer host's own address are answered by its own stack"

tok=$(new_token v4)
reply=$(ip netns exec "$NS_R" "$PY" "$NETNS_DIR/mn.py" request --proto tcp --src "$R_V4" \
	--dst "$LB_V4" --port 7 --tok "$tok") || die "IPv4 TCP to the balancer host: no reply"
[ "$reply" = "lbhost tok=$tok;" ] || die "IPv4 to the balancer host: reply '$reply'"
ok "IPv4 (ARP, TCP) to the balancer host still works"

# A VIP port no service covers: passed to the host, not balanced.
tok=$(new_token otherport)
mn_send "if=a0 src=$COA_A dst=$VIP dport=8080 tok=$tok"
[ "$(served_by "$tok" 10)" = none ] || die "a packet to VIP port 8080 (no service) reached a backend"
ok "a packet to the VIP on a port no service covers is not balanced"

pass=$(( $(ctl -j stats | pyq "d['reasons']['pass_not_service']") - pass0 ))
v4=$(( $(ctl -j stats | pyq "d['reasons']['pass_not_ipv6']") - v40 ))
say "counters: pass_not_service +$pass, pass_not_ipv6 +$v4"
[ "$pass" -ge 10 ] || die "pass_not_service grew by $pass only"
[ "$v4" -ge 3 ] || die "pass_not_ipv6 grew by $v4 only"
tok=$(new_token still)
mn_send "if=b0 src=$COA_B dst=$VIP hoa=$HOA tok=$tok"
be=$(expect_one "$tok")
ok "the XDP program counted every passed packet and still balances service traffic (HAO -> $be)"
