#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 19: ICMPv6 errors follow their flow (bpf/icmp_error.h), with
# Packet Too Big messages the kernel sends.
#
# Backends answer clients directly through the router (direct server
# return, lib.sh), from the VIP.  Here the router's links to the clients
# have an MTU of 1280 while everything else has 1500, so a backend's large
# UDP reply cannot leave the router: its kernel answers with a Packet Too
# Big to the reply's source, the VIP, which the router sends to the
# balancer.  mip6lb must forward each one to the backend that sent the
# reply (the one of the client's session), in both modes (l2-dsr; ip6ip6
# decapsulated on the backend), or that backend never lowers its path MTU
# and the client's replies are lost for good.
#
# 20 clients (10 per service) spread over the three backends, so a wrong
# pick shows: after one large request each, exactly the backend that
# served a client caches MTU 1280 towards it (`ip -6 route get CLIENT from
# VIP`), the others cache nothing, and the next large reply arrives.
. "$(dirname "$0")/lib.sh"

BIG_PORT=8080
SMALL_MTU=1280
N_PER_SVC=10
REPLY_LEN=1400           # UDP payload: 1448 bytes on the wire

setup_common
topo_create
write_conf
conf_service dsr vip=$VIP proto=any forward=l2-dsr
conf_backends dsr
conf_service tun vip=$VIP_TUN proto=any forward=ip6ip6 lb_addr=$LB_ADDR
conf_backends tun 1 1 1 decap
daemon_start

# The return path's bottleneck: the router's links towards the clients.
# PTBs are never rate-limited by Linux (icmpv6_xrlim_allow), but errors
# in general are per destination; lift that so nothing here depends on it.
ip -n "$NS_R" link set dev ra mtu $SMALL_MTU || die "mtu $SMALL_MTU on the router's link"
ip netns exec "$NS_R" sysctl -qw net.ipv6.icmp.ratelimit=0 >/dev/null ||
	die "net.ipv6.icmp.ratelimit on the router"

# Servers that answer "NAME" padded to the length the request asks for,
# bound to the VIPs so the reply leaves from the VIP.
for b in $BACKENDS; do
	rm -f "$TMP/$b.big-ready"
	ip netns exec "$(ns_be "$b")" "$PY" - "$b" "$VIP" "$VIP_TUN" "$BIG_PORT" \
		"$TMP/$b.big-ready" >>"$TMP/$b.out" 2>&1 <<'PYEOF' &
import select, socket, sys
name, vips, port, ready = sys.argv[1], sys.argv[2:4], int(sys.argv[4]), sys.argv[5]
socks = []
for v in vips:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((v, port))
    socks.append(s)
open(ready, "w").close()
while True:
    for s in select.select(socks, [], [])[0]:
        data, peer = s.recvfrom(2048)
        want = int(data.split()[0])
        head = name.encode() + b" "
        s.sendto(head + b"x" * max(0, want - len(head)), peer)
PYEOF
	PIDS+=($!)
done
for b in $BACKENDS; do
	wait_for 100 test -e "$TMP/$b.big-ready" || die "big-reply server on $b did not start"
done

# The clients: addresses on the node's link A, source-routed out of it.
CLIENTS=()
for ((i = 1; i <= 2 * N_PER_SVC; i++)); do
	c=$A_PFX::c:$i
	addr "$NS_MN" a0 "$c/64"
	CLIENTS+=("$c")
done
vip_of() { [ "$1" -le $N_PER_SVC ] && echo "$VIP" || echo "$VIP_TUN"; }
svc_of() { [ "$1" -le $N_PER_SVC ] && echo dsr || echo tun; }

# clients LEN TIMEOUT: every client asks its VIP for a LEN-byte reply;
# prints "CLIENT BACKEND LENGTH" per client ("- 0" when none came).
clients() {
	local i specs=()
	for ((i = 1; i <= ${#CLIENTS[@]}; i++)); do
		specs+=("${CLIENTS[$((i - 1))]},$(vip_of $i)")
	done
	ip netns exec "$NS_MN" "$PY" - "$1" "$2" "$BIG_PORT" "${specs[@]}" <<'PYEOF'
import select, socket, sys, time
want, timeout, port = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
socks = {}
for spec in sys.argv[4:]:
    src, dst = spec.split(",")
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.sendto(b"%d\n" % want, (dst, port))
    socks[s] = src
got = {}
deadline = time.monotonic() + timeout
while len(got) < len(socks):
    left = deadline - time.monotonic()
    if left <= 0:
        break
    for s in select.select(list(socks), [], [], left)[0]:
        data = s.recv(4096)
        got[socks[s]] = (data.split()[0].decode(), len(data))
for s, src in socks.items():
    be, n = got.get(src, ("-", 0))
    print(src, be, n)
PYEOF
}

# 1. Small replies: every client learns its backend and gets a session.
declare -A SERVED
while read -r c be n; do
	[ "$be" != - ] || die "client $c: no reply to a small request"
	SERVED[$c]=$be
done < <(clients 100 5)
for ((i = 1; i <= ${#CLIENTS[@]}; i++)); do
	c=${CLIENTS[$((i - 1))]}
	sb=$(session_backend "$(svc_of $i)" src "$c")
	[ "$sb" = "${SERVED[$c]}" ] || die "client $c: served by ${SERVED[$c]}, session on $sb"
done
spread=$(printf '%s\n' "${SERVED[@]}" | sort -u | tr '\n' ' ')
[ "$(printf '%s\n' "${SERVED[@]}" | sort -u | wc -l)" -ge 2 ] ||
	die "all ${#CLIENTS[@]} clients on one backend ($spread): a wrong pick would not show"
ok "${#CLIENTS[@]} clients served by $spread over l2-dsr and ip6ip6"

# 2. Large replies: the router cannot forward them and answers each with a
# Packet Too Big to the VIP.
before=$(ctl -j stats | pyq "d['counters']['icmp_error_session']['packets']")
lost=0
while read -r c be n; do
	[ "$be" = - ] && lost=$((lost + 1))
done < <(clients $REPLY_LEN 2)
[ "$lost" = ${#CLIENTS[@]} ] ||
	die "$(( ${#CLIENTS[@]} - lost )) large replies crossed a $SMALL_MTU-byte link unfragmented"
wait_for 50 test "$(ctl -j stats | pyq "d['counters']['icmp_error_session']['packets']")" \
	-ge $((before + ${#CLIENTS[@]})) ||
	die "mip6lb forwarded $(( $(ctl -j stats | pyq "d['counters']['icmp_error_session']['packets']") - before )) Packet Too Big messages by session, want ${#CLIENTS[@]}"
ring=$(ctl -j stats | pyq "d['counters']['icmp_error_ring']['packets']")
bad=$(ctl -j stats | pyq "d['counters']['drop_icmp_malformed']['packets']")
[ "$ring" = 0 ] && [ "$bad" = 0 ] || die "icmp_error_ring $ring, drop_icmp_malformed $bad: want 0 and 0"
ok "every large reply was lost at the router and its Packet Too Big forwarded by its client's session"

# 3. Each backend caches the smaller MTU towards exactly its own clients.
route_mtu() {
	ip -n "$(ns_be "$1")" -6 route get "$2" from "$3" 2>/dev/null |
		sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}
for ((i = 1; i <= ${#CLIENTS[@]}; i++)); do
	c=${CLIENTS[$((i - 1))]}
	for b in $BACKENDS; do
		m=$(route_mtu "$b" "$c" "$(vip_of $i)")
		if [ "$b" = "${SERVED[$c]}" ]; then
			[ "$m" = $SMALL_MTU ] ||
				die "client $c: its backend $b caches mtu '${m:-none}', want $SMALL_MTU: $(ip -n "$(ns_be "$b")" -6 route get "$c" from "$(vip_of $i)")"
		else
			[ -z "$m" ] || die "client $c: backend $b (not its own: ${SERVED[$c]}) caches mtu $m"
		fi
	done
done
ok "each backend caches mtu $SMALL_MTU towards its own clients only (ip -6 route get CLIENT from VIP)"

# 4. The next large reply leaves the backend in fragments and arrives.
while read -r c be n; do
	[ "$be" = "${SERVED[$c]}" ] || die "client $c: large reply from '$be', want ${SERVED[$c]}"
	[ "$n" = $REPLY_LEN ] || die "client $c: $n bytes, want $REPLY_LEN"
done < <(clients $REPLY_LEN 5)
ok "every client received its next $REPLY_LEN-byte reply from its own backend"
