#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 14: lifetimes and aging.  A service with a 3 s lifetime and a
# 1 s sweep: an idle node's session counts down in `session list` and is
# gone a few seconds later; a node that keeps sending (every 0.5 s for 8 s)
# keeps its session, whose lifetime left is refreshed by its packets, and
# keeps its backend; once it stops, its session goes too.  A coa session
# lives by the lifetime its notification gave it (8 s), not the service's.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
ha_create
ha_agent_start

LIFETIME=3
write_conf
echo "sweep_interval = 1" >>"$CONF"
conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr lifetime=$LIFETIME notify=ha
conf_backends web
conf_peer ha1 addr=$HA_ADDR role=ha home_prefix=$HOME_PFX::/64 key_file=$TMP/ha.key
daemon_start

IDLE=$HOME_PFX::21
BUSY=$HOME_PFX::22
MOVER=$HOME_PFX::23

# left KIND IDENTITY: lifetime_left_s of that session (any service), "gone"
# without one.
left() {
	session_q "[s['lifetime_left_s'] for s in d['sessions'] if s['kind'] == '$1' and
		    __import__('ipaddress').ip_address(s['identity']) == __import__('ipaddress').ip_address('$2')] or 'gone'"
}

t0=$(date +%s.%N)
elapsed() { "$PY" -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)"; }

tok=$(new_token idle)
mn_send "if=a0 src=$A_PFX::21 dst=$VIP hoa=$IDLE tok=$tok"
idle_be=$(expect_one "$tok")
# The busy node: a packet every 0.5 s for 8 s, in the background.
echo "if=a0 src=$A_PFX::22 dst=$VIP hoa=$BUSY tok=$(new_token busy)" >"$TMP/busy.specs"
ip netns exec "$NS_MN" "$PY" "$NETNS_DIR/mn.py" send --gw "$MN_GW" --repeat 16 --interval 0.5 - \
	<"$TMP/busy.specs" >"$TMP/busy.out" 2>&1 &
busy=$!
PIDS+=($busy)
wait_for 30 eval '[ "$(left hoa "$BUSY")" != gone ]' || die "no session for the busy node"

# Sample both every 0.5 s until the idle one is gone (bounded: 10 s).
seen=() gone_at=
for ((i = 0; i < 20; i++)); do
	l_idle=$(left hoa "$IDLE")
	l_busy=$(left hoa "$BUSY")
	say "t=$(elapsed)s: idle $IDLE lifetime left $l_idle, busy $BUSY lifetime left $l_busy"
	[ "$l_busy" != gone ] || die "the busy node's session expired while it was sending"
	if [ "$l_idle" = gone ]; then
		gone_at=$(elapsed)
		break
	fi
	seen+=("$l_idle")
	sleep 0.5
done
[ -n "$gone_at" ] || die "the idle session was still there after 10 s (lifetime $LIFETIME s, sweep 1 s)"
uniq=$(printf '%s\n' "${seen[@]}" | uniq | tr '\n' ' ')
# Counted down: never up, at least two distinct values, from at most 3.
"$PY" -c '
import sys
v = [int(x) for x in sys.argv[1:]]
ok = v and v[0] <= 3 and all(b <= a for a, b in zip(v, v[1:])) and len(set(v)) >= 2
sys.exit(0 if ok else 1)' "${seen[@]}" || die "lifetime left of the idle session did not count down: ${seen[*]}"
ok "idle session: lifetime left counted down ($uniq) and it was deleted after ${gone_at}s"

# The busy one is still there, refreshed, on its backend.
sleep 1
l_busy=$(left hoa "$BUSY")
t_busy=$(elapsed)
[ "$l_busy" != gone ] && [ "$l_busy" -ge 1 ] || die "busy session: lifetime left $l_busy at t=${t_busy}s"
busy_be=$(session_backend web hoa "$BUSY")
wait "$busy" || die "the busy node's sender failed: $(cat "$TMP/busy.out")"
for r in $(seq 1 16); do
	t="$(sed 's/.*tok=//' "$TMP/busy.specs")-r$r"
	be=$(served_by "$t" 10)
	[ "$be" = "$busy_be" ] || die "busy node's packet $r went to $be, its session is on $busy_be"
done
ok "busy session: still there at t=${t_busy}s with $l_busy s left (refreshed by its packets), all 16 packets on $busy_be"
wait_for 80 eval '[ "$(left hoa "$BUSY")" = gone ]' || die "the busy node's session did not expire once it stopped"
ok "once the busy node stopped, its session expired too (t=$(elapsed)s)"

# ---- a coa session ages by its notified lifetime ---------------------------------
# The Home Agent knows the node (at home) before its first packet: a Home
# Agent answers no_binding for an address it has no binding for (issue 12).
ip netns exec "$NS_HA" "$MIP6LB_AGENT" feed -s "$TMP/agent.sock" "$MOVER" "$MOVER" 600 1 >"$TMP/feed.out" 2>&1 ||
	die "mip6lb-agent feed: $(cat "$TMP/feed.out")"
tok=$(new_token mover)
mn_send "if=a0 src=$A_PFX::23 dst=$VIP hoa=$MOVER tok=$tok"
mover_be=$(expect_one "$tok")
wait_subscribed "$MOVER" || die "no subscription for $MOVER"
# Its hoa session lives 3 s: keep it fresh for the notification to find.
mn_send "if=a0 src=$A_PFX::23 dst=$VIP hoa=$MOVER tok=$(new_token mover-2)"
ip netns exec "$NS_HA" "$MIP6LB_AGENT" feed -s "$TMP/agent.sock" "$MOVER" "$B_PFX::23" 8 2 >"$TMP/feed.out" 2>&1 ||
	die "mip6lb-agent feed: $(cat "$TMP/feed.out")"
wait_binding "$MOVER" "$B_PFX::23" || die "the balancer never learnt $MOVER at $B_PFX::23"
t1=$(date +%s)
lt=$(session_q "[s['lifetime_s'] for s in d['sessions'] if s['kind'] == 'coa']")
[ "$lt" = 8 ] || die "coa session lifetime_s '$lt', want the notified 8"
[ "$(session_backend web coa "$B_PFX::23")" = "$mover_be" ] || die "coa session not on $mover_be"
wait_for 80 eval '[ "$(left hoa "$MOVER")" = gone ]' || die "the mover's hoa session did not expire"
hoa_gone=$(( $(date +%s) - t1 ))
[ "$(left coa "$B_PFX::23")" != gone ] || die "the coa session (8 s) went with the hoa one (3 s) after ${hoa_gone}s"
wait_for 100 eval '[ "$(left coa "$B_PFX::23")" = gone ]' || die "the coa session did not expire"
coa_gone=$(( $(date +%s) - t1 ))
[ "$coa_gone" -ge 7 ] || die "the coa session expired after ${coa_gone}s, before its 8 s"
ok "coa session with the notified lifetime 8 s: outlived the node's 3 s hoa session (gone after ${hoa_gone}s), expired after ${coa_gone}s"
