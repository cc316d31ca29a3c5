#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 23: session sync between two instances of a balancer group
# (docs/sync.md).  A and B share the lan, each with [peer]s of role
# balancer; the router sends the VIP to A, later to B (what ECMP does when
# a node's source address moves it).
#  - 60 nodes make sessions on A with backends s1 and s2; then s3 is added
#    on both, so the ring now gives another backend for about a third of
#    them: those sessions reach B within the sync lag, and every node's
#    packets sent to B reach the backend A chose.
#  - B restarted from empty maps gets A's sessions before it says ready.
#  - Forged, replayed and truncated sync datagrams change nothing and are
#    counted on B, per reason.
. "$(dirname "$0")/lib.sh"

NS_LB2=mip6lb-lb2-$SUFFIX
LB2_ADDR=$LAN_PFX::fd
MAC_LB2=02:00:00:00:01:fd
PIN_DIR2=$PIN_DIR-b
SYNC_PORT=5401
B_PID=

cleanup_b() {
	if [ -n "$B_PID" ]; then
		kill -TERM "$B_PID" 2>/dev/null
		wait_gone "$B_PID" 30 || kill -KILL "$B_PID" 2>/dev/null
	fi
	[ -d "$PIN_DIR2" ] && rm -rf "$PIN_DIR2"
}

setup_common
trap 'rc=$?; cleanup_b; (exit $rc); teardown' EXIT
topo_create

# The second instance's host, on the same lan.
new_ns "$NS_LB2"
veth "$NS_LB2" eth0 "$MAC_LB2" "$NS_SW" p-lb2
ip -n "$NS_SW" link set p-lb2 master br0
ip -n "$NS_SW" link set dev p-lb2 xdp obj "$XDP_PASS_OBJ" sec xdp || die "xdp_pass on p-lb2"
addr "$NS_LB2" eth0 "$LB2_ADDR/64"
ip -n "$NS_LB2" -6 route add default via "$R_LAN" dev eth0

key_new "$TMP/sync.key"
# conf_for SELF_ADDR PEER_NAME PEER_ADDR: one instance's config, s1 and s2.
conf_for() {
	write_conf
	printf 'sync_listen = [%s]:%s\nsync_refresh = 2\nsync_bulk_timeout = 30\n' \
		"$1" "$SYNC_PORT" >>"$CONF"
	conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr lifetime=600
	for b in s1 s2; do
		printf '[backend web %s]\naddr = %s\n' "$b" "$(be_addr "$b")" >>"$CONF"
	done
	conf_peer "$2" addr="[$3]:$SYNC_PORT" role=balancer key_file="$TMP/sync.key"
}
conf_for "$LB_ADDR" lb2 "$LB2_ADDR"
CONF_A=$CONF
CONF=$TMP/mip6lb-b.conf
conf_for "$LB2_ADDR" lb1 "$LB_ADDR"
CONF_B=$CONF
CONF=$CONF_A
SOCK2=$TMP/mip6lbd-b.sock
ctlb() { "$MIP6LBCTL" -s "$SOCK2" "$@"; }

b_start() {
	nsenter --net="/run/netns/$NS_LB2" "$MIP6LBD" -c "$CONF_B" --pin-dir "$PIN_DIR2" \
		--socket "$SOCK2" ${MIP6LB_DEBUG:+-v} >>"$TMP/mip6lbd-b.log" 2>&1 &
	B_PID=$!
	wait_for 100 b_up || die "instance B did not come up: $(tail -n 5 "$TMP/mip6lbd-b.log")"
}
b_up() {
	kill -0 "$B_PID" 2>/dev/null || die "instance B exited: $(tail -n 5 "$TMP/mip6lbd-b.log")"
	[ -S "$SOCK2" ] && ctlb status >/dev/null 2>&1
}
b_ready() { [ "$(ctlb -j sync | pyq "d['ready']")" = True ]; }
# peer_stat CTL FIELD: the first sync peer's counter.
peer_stat() { $1 -j sync | pyq "d['peers'][0]$2"; }

daemon_start
b_start
wait_for 100 b_ready || die "B never became ready"
wait_for 50 nexthops_valid || die "A's next hops"

# round TAG: one HAO packet from each node 1..60 out of CoA link a0; R[N]
# gets the backend.
declare -A R
round() {
	local tag=$1 n tok be
	for ((n = 1; n <= 60; n++)); do
		echo "if=a0 src=$A_PFX::3:$n dst=$VIP hoa=$HOME_PFX::3:$n tok=$tag-$n-$SUFFIX"
	done >"$TMP/specs"
	mn_batch "$TMP/specs" >"$TMP/got"
	R=()
	while read -r tok be; do
		n=${tok#$tag-}; n=${n%%-*}
		case $be in none|*,*) die "$tag: node $n's packet reached: $be" ;; esac
		R[$n]=$be
	done <"$TMP/got"
}

round a
declare -A ON_A
for n in "${!R[@]}"; do ON_A[$n]=${R[$n]}; done
[ ${#ON_A[@]} = 60 ] || die "only ${#ON_A[@]} of 60 nodes were served by A"
say "60 nodes on A: s1 $(grep -c ' s1$' "$TMP/got"), s2 $(grep -c ' s2$' "$TMP/got")"
# Equal to the ring: nothing to share yet.
[ "$(peer_stat ctl "['sessions_sent']")" = 0 ] ||
	die "A sent sessions that equal the ring: $(ctl -j sync)"

# s3 joins both: A's sessions that the ring now puts elsewhere are shared.
for c in ctl ctlb; do
	$c backend add web s3 addr "$(be_addr s3)" >/dev/null || die "$c backend add web s3"
done
wait_for 50 nexthops_valid || die "s3's next hop"
sent_all() {
	local sent
	sent=$(peer_stat ctl "['sessions_sent']")
	[ "$sent" -gt 0 ] && [ "$(peer_stat ctl "['queued']")" = 0 ] &&
		[ "$(peer_stat ctlb "['received']")" = "$sent" ]
}
wait_for 100 sent_all || die "the sessions did not reach B: A $(ctl -j sync), B $(ctlb -j sync)"
shared=$(peer_stat ctlb "['applied']")
[ "$shared" -gt 0 ] && [ "$shared" -lt 60 ] || die "B applied $shared sessions"
[ "$(peer_stat ctlb "['conflicts']")" = 0 ] || die "conflicts on B: $(ctlb -j sync)"
ok "backend added: the $shared sessions the ring now places elsewhere reached B (the rest equal the ring)"
for ((n = 1; n <= 60; n++)); do
	be=$("$MIP6LBCTL" -s "$SOCK2" -j session list | "$PY" -c '
import ipaddress, json, sys
h = ipaddress.ip_address(sys.argv[1])
print(next((s["backend"] for s in json.load(sys.stdin)["sessions"]
            if s["kind"] == "hoa" and ipaddress.ip_address(s["identity"]) == h), "none"))' \
		"$HOME_PFX::3:$n")
	[ "$be" = none ] || [ "$be" = "${ON_A[$n]}" ] ||
		die "node $n: B's session says $be, A's ${ON_A[$n]}"
done

# ECMP moves the VIP to B: every node stays on its backend.
ip -n "$NS_R" -6 route replace "$VIP_PFX::/64" via "$LB2_ADDR" dev lan0
round b
for n in "${!R[@]}"; do
	[ "${R[$n]}" = "${ON_A[$n]}" ] || die "node $n: ${ON_A[$n]} on A, ${R[$n]} on B"
done
ok "all 60 nodes' packets sent to B reached the backend A chose"

# B restarts from empty maps: it asks A and is ready only with A's sessions.
kill -TERM "$B_PID"; wait_gone "$B_PID" 50 || die "B ignored SIGTERM"; B_PID=
nsenter --net="/run/netns/$NS_LB2" "$MIP6LBD" --flush --pin-dir "$PIN_DIR2" -i eth0 \
	>>"$TMP/mip6lbd-b.log" 2>&1 || die "flushing B"
ip -n "$NS_R" -6 route replace "$VIP_PFX::/64" via "$LB_ADDR" dev lan0
b_start
ctlb backend add web s3 addr "$(be_addr s3)" >/dev/null || die "B: backend add web s3"
wait_for 300 b_ready || die "restarted B never became ready: $(ctlb -j sync)"
[ "$(peer_stat ctlb "['bulk']")" = done ] || die "B ready without A's answer: $(ctlb -j sync)"
got=$(ctlb -j session list | pyq "len([s for s in d['sessions'] if s['kind'] == 'hoa'])")
[ "$got" -ge "$shared" ] || die "restarted B holds $got hoa sessions, A shared $shared"
[ "$(peer_stat ctl "['bulk_answered']")" -ge 1 ] || die "A answered no bulk request"
ok "restarted B got A's $got differing sessions in the bulk transfer before it said ready"

# Forged, replayed, truncated: nothing changes on B, each counted.
NT_NS=$NS_LB
rej() { peer_stat ctlb "['rejected']['$1']"; }
applied0=$(peer_stat ctlb "['applied']")
mac0=$(rej bad_mac); rep0=$(rej replay); tr0=$(rej truncated)
key_new "$TMP/other.key"
send_sync() {  # send_sync KEY HOME [ARGS...]
	local k=$1 h=$2
	shift 2
	notifytool send --key "$k" --src "$LB_ADDR" --sport $SYNC_PORT --to "$LB2_ADDR" \
		--port $SYNC_PORT "$@" sync "$VIP" 17 "$PORT" "$h" s1 || die "notifytool sync"
}
send_sync "$TMP/other.key" "$HOME_PFX::f:1"
send_sync "$TMP/sync.key" "$HOME_PFX::f:2" --truncate 1
wait_for 30 test "$(rej bad_mac)" = $((mac0 + 1)) || die "forged: bad_mac not counted: $(ctlb -j sync)"
wait_for 30 test "$(rej truncated)" = $((tr0 + 1)) || die "truncated not counted"
send_sync "$TMP/sync.key" "$HOME_PFX::f:3" --out "$TMP/genuine.hex"
wait_for 30 test "$(peer_stat ctlb "['applied']")" = $((applied0 + 1)) ||
	die "the genuine datagram was not applied"
notifytool replay --in "$TMP/genuine.hex" --src "$LB_ADDR" --sport $SYNC_PORT \
	--to "$LB2_ADDR" --port $SYNC_PORT || die "replay"
wait_for 30 test "$(rej replay)" = $((rep0 + 1)) || die "replay not counted"
[ "$(peer_stat ctlb "['applied']")" = $((applied0 + 1)) ] || die "a rejected datagram applied"
for h in f:1 f:2; do
	[ "$(ctlb -j session list | pyq "len([s for s in d['sessions'] if s['identity'] == '$HOME_PFX::$h'])")" = 0 ] ||
		die "a rejected datagram wrote $HOME_PFX::$h"
done
ok "forged (bad_mac), truncated and replayed sync datagrams changed nothing and were counted"
